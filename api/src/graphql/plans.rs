//! Action plans (åtgärdsplaner): a body's plan for a strategy period, for one district or
//! (a facknämnd's own plan) for none.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::*;

use crate::graphql::prelude::*;

/// An action plan (lokal handlingsplan / åtgärdsplan) for a period, owned by a body: a
/// district administration, or a facknämnd's administration.
#[derive(Debug, Clone)]
pub struct ActionPlan(pub action_plan::Model);

crate::plain_fields!(ActionPlan: id, slug, title, description, start_year, end_year, version, updated_at, district, owner);

/// An action plan (lokal handlingsplan / åtgärdsplan) for a period, owned by a body: a
/// district administration, or a facknämnd's administration.
#[Object]
impl ActionPlan {
    /// The plan's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::ActionPlan, self.0.id)
    }
    /// Where the record comes from (its source document, and whether it is a reading
    /// rather than as written); null when it was made in the service (neither seeded nor
    /// imported from a file).
    async fn provenance(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Provenance>> {
        crate::graphql::provenance::of(ctx, "ActionPlan", self.0.id).await
    }
    /// Stable readable identifier, e.g. `bromma-2019-2022`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// The plan's title as written.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The plan's introduction, as written.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// First year of the plan.
    async fn start_year(&self) -> Option<i32> {
        self.0.start_year
    }
    /// Last year of the plan.
    async fn end_year(&self) -> Option<i32> {
        self.0.end_year
    }
    /// Version, raised by every edit.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was last changed.
    async fn updated_at(&self) -> crate::graphql::scalars::DateTime {
        self.0.updated_at.into()
    }
    /// The district the plan is for; `null` for a body's own plan not tied to one district
    /// (e.g. a facknämnd's).
    async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<District>> {
        match self.0.district_id {
            Some(id) => Ok(load(ctx, DistrictId(id)).await?.map(District)),
            None => Ok(None),
        }
    }
    /// The body that owns the plan (a district administration or a facknämnd's
    /// administration); `null` only for a plan recorded before owners existed whose
    /// district has no district administration.
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        match self.0.organization_id {
            Some(id) => Ok(load(ctx, OrganizationId(id)).await?.map(Organization)),
            None => Ok(None),
        }
    }
    /// The situation picture (lägesbild) the plan rests on — its `causeAnalysis` is the
    /// orsaksanalys, which may be null; null when the plan names none.
    async fn based_on(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<SituationPicture>> {
        match self.0.situation_picture_id {
            Some(id) => Ok(load(ctx, SituationPictureId(id))
                .await?
                .map(SituationPicture)),
            None => Ok(None),
        }
    }
    /// Whether the caller may change the plan and its rows (a coordinator of its district,
    /// its owner's editors, an admin).
    async fn viewer_can_update(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let scope = plans::scope(&self.0);
        can(ctx, |a| authz::plan(a, scope, "")).await
    }
    /// The strategy it follows.
    async fn strategy(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Strategy>> {
        match self.0.strategy_id {
            Some(id) => Ok(load(ctx, StrategyId(id)).await?.map(Strategy)),
            None => Ok(None),
        }
    }
    /// Its activities (rows), in the plan's order.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, last, child_complexity)")]
    async fn activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<Activity>> {
        let args = page_args(
            ctx,
            encode(NodeType::ActionPlan, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let rows = load_many(ctx, ActivitiesOfPlan(self.0.id)).await?;
        Ok(page_vec(rows, |r| r.id, Activity, args))
    }
    /// The targets the plan sets as a whole (its activities' own targets are under
    /// `Activity.targets`), oldest first.
    async fn targets(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Target>> {
        targets_of_plan(ctx, self.0.id).await
    }
}

/// Filters of the `actionPlans` list.
#[derive(InputObject, Debug, Default, Clone)]
pub struct ActionPlanFilterInput {
    /// Plans of this district (a District ID).
    pub district: Option<ID>,
    /// Plans following this strategy (a Strategy ID).
    pub strategy: Option<ID>,
}

/// Create an action plan for a district, or a body's own plan.
#[derive(InputObject, Debug)]
pub struct CreateActionPlanInput {
    /// The district the plan is for (a District ID); omit for a body's own plan not tied to
    /// one district.
    pub district: Option<ID>,
    /// The owning organization (an Organization ID); default: the district's
    /// administration. Required when `district` is omitted.
    pub owner: Option<ID>,
    /// The strategy it follows (a Strategy ID).
    pub strategy: Option<ID>,
    /// The situation picture it rests on (a SituationPicture ID).
    pub based_on: Option<ID>,
    /// Readable identifier; default: from the district and the years.
    pub slug: Option<String>,
    /// Title.
    pub title: String,
    /// Introduction.
    pub description: Option<String>,
    /// First year.
    pub start_year: Option<i32>,
    /// Last year.
    pub end_year: Option<i32>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// Change an action plan; omitted fields stay, `null` clears.
#[derive(InputObject, Debug)]
pub struct UpdateActionPlanInput {
    /// The plan (an ActionPlan ID).
    pub id: ID,
    /// The version the edit was based on.
    pub expected_version: i32,
    /// Title.
    pub title: Option<String>,
    /// Introduction.
    pub description: MaybeUndefined<String>,
    /// The strategy it follows (a Strategy ID).
    pub strategy: MaybeUndefined<ID>,
    /// The situation picture it rests on (a SituationPicture ID).
    pub based_on: MaybeUndefined<ID>,
    /// First year.
    pub start_year: MaybeUndefined<i32>,
    /// Last year.
    pub end_year: MaybeUndefined<i32>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of an action plan mutation.
#[derive(SimpleObject, Debug)]
pub struct ActionPlanPayload {
    /// The plan after the change; on a `CONFLICT`, the current plan.
    pub action_plan: Option<ActionPlan>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

/// Action plans.
#[derive(Debug, Default)]
pub struct PlansQuery;

/// Action plans.
#[Object]
impl PlansQuery {
    /// Action plans, optionally of one district or following one strategy.
    #[graphql(
        complexity = "crate::graphql::pagination::root_page_cost(first, last, child_complexity)"
    )]
    async fn action_plans(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which plans.")] filter: Option<ActionPlanFilterInput>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<ActionPlan>> {
        let args = PageArgs::new(ctx, None, after, before, first, last)?;
        let f = filter.unwrap_or_default();
        let district = opt_id(f.district.as_ref(), NodeType::District, "filter.district")?;
        let strategy = opt_id(f.strategy.as_ref(), NodeType::Strategy, "filter.strategy")?;
        Ok(page_query(
            &state(ctx)?.db,
            queries::action_plans(district, strategy),
            action_plan::Column::Id,
            |m| m.id,
            ActionPlan,
            args,
            wants_total(ctx),
        )
        .await?)
    }
}

/// Changes to action plans.
#[derive(Debug, Default)]
pub struct PlansMutation;

/// Changes to action plans.
#[Object]
impl PlansMutation {
    /// Create an action plan (coordinators of the district, the owning body's editors,
    /// admins).
    async fn create_action_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new plan.")] input: CreateActionPlanInput,
    ) -> async_graphql::Result<ActionPlanPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, (), async {
            plans::create_plan(
                &st.db,
                actor,
                plans::NewPlan {
                    district_id: opt_id(
                        input.district.as_ref(),
                        NodeType::District,
                        "input.district",
                    )?,
                    organization_id: opt_id(
                        input.owner.as_ref(),
                        NodeType::Organization,
                        "input.owner",
                    )?,
                    situation_picture_id: opt_id(
                        input.based_on.as_ref(),
                        NodeType::SituationPicture,
                        "input.basedOn",
                    )?,
                    strategy_id: opt_id(
                        input.strategy.as_ref(),
                        NodeType::Strategy,
                        "input.strategy",
                    )?,
                    slug: input.slug,
                    title: input.title,
                    description: input.description,
                    start_year: input.start_year,
                    end_year: input.end_year,
                },
            )
            .await
        })
        .await?;
        if let Some(plan) = &node {
            announce_plan(ctx, "actionPlan.create", plan).await;
        }
        Ok(ActionPlanPayload {
            action_plan: node.map(ActionPlan),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Change an action plan (coordinators of the district, the owning body's editors,
    /// admins), based on the version you read.
    async fn update_action_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which plan, from which version, what changes.")]
        input: UpdateActionPlanInput,
    ) -> async_graphql::Result<ActionPlanPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let id = decode_as(&input.id, NodeType::ActionPlan, "input.id");
        let known = id.as_ref().ok().copied();
        let (node, user_errors) = mutate(ctx, known.map(ActionPlanId), async {
            let changes = plans::PlanChanges {
                title: input.title,
                description: patch(input.description),
                start_year: patch(input.start_year),
                end_year: patch(input.end_year),
                strategy_id: patch_id(input.strategy, NodeType::Strategy, "input.strategy")?,
                situation_picture_id: patch_id(
                    input.based_on,
                    NodeType::SituationPicture,
                    "input.basedOn",
                )?,
            };
            plans::update_plan(&st.db, actor, id?, input.expected_version, changes).await
        })
        .await?;
        if let Some(plan) = &node
            && user_errors.is_empty()
        {
            announce_plan(ctx, "actionPlan.update", plan).await;
        }
        Ok(ActionPlanPayload {
            action_plan: node.map(ActionPlan),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }
}

/// After a plan was saved: tell the subscribers of the obligations it may deliver (its
/// owner's ACTION_PLAN and FOLLOW_UP obligations under its strategy).
async fn announce_plan(ctx: &Context<'_>, action: &'static str, plan: &action_plan::Model) {
    let (Ok(st), Some(owner)) = (state(ctx), plan.organization_id) else {
        return;
    };
    let kinds = [
        entity::enums::ObligationKind::ActionPlan,
        entity::enums::ObligationKind::FollowUp,
    ];
    let concerned = obligations::concerned(&st.db, owner, plan.strategy_id, &kinds).await;
    announce_obligations(ctx, action, concerned).await;
}
