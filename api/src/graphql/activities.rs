//! Activities (the rows of an action plan) and who carries them (responsibilities).

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::*;

use crate::graphql::prelude::*;

/// The organizations responsible for an activity (who may report its follow-ups).
pub(crate) async fn responsible_organizations(
    ctx: &Context<'_>,
    activity_id: i32,
) -> async_graphql::Result<Vec<i32>> {
    Ok(load_many(ctx, ResponsibilitiesOfActivity(activity_id))
        .await?
        .iter()
        .map(|r| r.organization_id)
        .collect())
}

/// One row of an action plan: what is done, why, by whom, when, and how it is followed
/// up.
#[derive(Debug, Clone)]
pub struct Activity(pub activity::Model);

crate::plain_fields!(Activity: id, position, goal, description, responsible_text, timeline, start_year, end_year, follow_up_schedule, version, updated_at, action_plan, priority_area, focus_area, methods, responsibilities, follow_ups);
crate::plain_fields!(Responsibility: id, role, organization);

/// One row of an action plan: what is done, why, by whom, when, and how it is followed
/// up.
#[Object]
impl Activity {
    /// The activity's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::Activity, self.0.id)
    }
    /// Where the record comes from (its source document, and whether it is a reading
    /// rather than as written); null when it was made in the service (neither seeded nor
    /// imported from a file).
    async fn provenance(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Provenance>> {
        crate::graphql::provenance::of(ctx, "Activity", self.0.id).await
    }
    /// Position in the plan (1 = first row).
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// Mål och nytta, as written.
    async fn goal(&self) -> Option<&str> {
        self.0.goal.as_deref()
    }
    /// Metoder och arbetssätt, as written.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// The plan's whole "Ansvarig" cell, as written.
    async fn responsible_text(&self) -> Option<&str> {
        self.0.responsible_text.as_deref()
    }
    /// Tidsplan, as written (e.g. "2020-2022", "Löpande").
    async fn timeline(&self) -> Option<&str> {
        self.0.timeline.as_deref()
    }
    /// First year of the timeline, when it names one.
    async fn start_year(&self) -> Option<i32> {
        self.0.start_year
    }
    /// Last year of the timeline, when it names one.
    async fn end_year(&self) -> Option<i32> {
        self.0.end_year
    }
    /// Uppföljning, as written (e.g. "T1, T2, VB").
    async fn follow_up_schedule(&self) -> Option<&str> {
        self.0.follow_up_schedule.as_deref()
    }
    /// The reporting points the schedule asks for.
    async fn follow_up_terms(&self) -> Vec<Term> {
        terms::decode(&self.0.follow_up_terms)
            .into_iter()
            .map(Term::from)
            .collect()
    }
    /// Version, raised by every edit.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was last changed.
    async fn updated_at(&self) -> crate::graphql::scalars::DateTime {
        self.0.updated_at.into()
    }
    /// Whether the caller may change the row.
    async fn viewer_can_update(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let plan = load_required(ctx, ActionPlanId(self.0.action_plan_id)).await?;
        can(ctx, |a| authz::plan(a, plans::scope(&plan), "")).await
    }
    /// Whether the caller may remove the row (same rule as changing it).
    async fn viewer_can_delete(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        self.viewer_can_update(ctx).await
    }
    /// Whether the caller may report its follow-ups.
    async fn viewer_can_report_follow_up(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let plan = load_required(ctx, ActionPlanId(self.0.action_plan_id)).await?;
        let responsible = responsible_organizations(ctx, self.0.id).await?;
        can(ctx, |a| {
            authz::follow_up(a, &responsible, plans::scope(&plan), false)
        })
        .await
    }
    /// Its changes, oldest first (the district's coordinators and admins).
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, last, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<AuditEvent>> {
        let args = page_args(
            ctx,
            encode(NodeType::Activity, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let plan = load_required(ctx, ActionPlanId(self.0.action_plan_id)).await?;
        history(ctx, "Activity", self.0.id, plan.district_id, args).await
    }
    /// The plan it is a row of.
    async fn action_plan(&self, ctx: &Context<'_>) -> async_graphql::Result<ActionPlan> {
        Ok(ActionPlan(
            load_required(ctx, ActionPlanId(self.0.action_plan_id)).await?,
        ))
    }
    /// The strategy's priority area it serves.
    async fn priority_area(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<PriorityArea>> {
        match self.0.priority_area_id {
            Some(id) => Ok(load(ctx, PriorityAreaId(id)).await?.map(PriorityArea)),
            None => Ok(None),
        }
    }
    /// The strategy's focus area it serves.
    async fn focus_area(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<FocusArea>> {
        match self.0.focus_area_id {
            Some(id) => Ok(load(ctx, FocusAreaId(id)).await?.map(FocusArea)),
            None => Ok(None),
        }
    }
    /// The named methods it uses.
    async fn methods(&self, ctx: &Context<'_>) -> async_graphql::Result<PlainList<Method>> {
        let rows = load_many(ctx, MethodsOfActivity(self.0.id)).await?;
        Ok(rows.into_iter().map(Method).collect())
    }
    /// Who carries it: organizations and role titles.
    async fn responsibilities(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<Responsibility>> {
        let mut rows = load_many(ctx, ResponsibilitiesOfActivity(self.0.id)).await?;
        rows.sort_by_key(|r| (r.position, r.id));
        Ok(rows.into_iter().map(Responsibility).collect())
    }
    /// Its most recent follow-up (latest period), if any.
    async fn latest_follow_up(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<FollowUp>> {
        let rows = load_many(ctx, FollowUpsOfActivity(self.0.id)).await?;
        Ok(rows
            .into_iter()
            .max_by_key(|r| (r.year, term_order(r.term)))
            .map(FollowUp))
    }
    /// Its status at each reported period, oldest first.
    async fn status_history(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<StatusAtPeriod>> {
        let mut rows = load_many(ctx, FollowUpsOfActivity(self.0.id)).await?;
        rows.sort_by_key(|r| (r.year, term_order(r.term)));
        Ok(rows
            .into_iter()
            .map(|r| StatusAtPeriod {
                period: ReportingPeriod {
                    year: r.year,
                    term: r.term.into(),
                },
                status: r.status.into(),
                as_of: r.as_of.map(Into::into),
            })
            .collect())
    }
    /// Its follow-ups, oldest period first.
    async fn follow_ups(&self, ctx: &Context<'_>) -> async_graphql::Result<PlainList<FollowUp>> {
        let mut rows = load_many(ctx, FollowUpsOfActivity(self.0.id)).await?;
        rows.sort_by_key(|r| (r.year, term_order(r.term)));
        Ok(rows.into_iter().map(FollowUp).collect())
    }
    /// The targets the activity sets on indicators, oldest first.
    async fn targets(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Target>> {
        targets_of_activity(ctx, self.0.id).await
    }
    /// Whom it is for (labels as written, ages where the plan names them), in the plan's
    /// order.
    async fn target_groups(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<TargetGroup>> {
        target_groups_of_activity(ctx, self.0.id).await
    }
    /// The collaboration groups that carry it (groups of its plan's district), as the
    /// plan names them; archived groups included. Ordered by id.
    async fn groups(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CollaborationGroup>> {
        let rows = load_many(ctx, GroupsOfActivity(self.0.id)).await?;
        Ok(rows.into_iter().map(CollaborationGroup).collect())
    }
}

/// Order of terms within a year.
pub(crate) fn term_order(term: entity::enums::Term) -> u8 {
    match term {
        entity::enums::Term::T1 => 1,
        entity::enums::Term::T2 => 2,
        entity::enums::Term::Annual => 3,
    }
}

/// Who carries an activity: an organization and the role title within it (e.g.
/// "Stadsdelsförvaltningen: Preventionssamordnare", "Polis: Kommunpolis").
#[derive(Debug, Clone)]
pub struct Responsibility(pub responsibility::Model);

/// Who carries an activity: an organization and the role title within it (e.g.
/// "Stadsdelsförvaltningen: Preventionssamordnare", "Polis: Kommunpolis").
#[Object]
impl Responsibility {
    /// The responsibility's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::Responsibility, self.0.id)
    }
    /// Where the record comes from (its source document, and whether it is a reading
    /// rather than as written); null when it was made in the service (neither seeded nor
    /// imported from a file).
    async fn provenance(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Provenance>> {
        crate::graphql::provenance::of(ctx, "Responsibility", self.0.id).await
    }
    /// The role title(s), as written.
    async fn role(&self) -> Option<&str> {
        self.0.role.as_deref()
    }
    /// The responsible organization.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Organization> {
        Ok(Organization(
            load_required(ctx, OrganizationId(self.0.organization_id)).await?,
        ))
    }
    /// The activity.
    async fn activity(&self, ctx: &Context<'_>) -> async_graphql::Result<Activity> {
        Ok(Activity(
            load_required(ctx, ActivityId(self.0.activity_id)).await?,
        ))
    }
}

/// Filters of the `activities` list; all given filters must hold.
#[derive(InputObject, Debug, Default, Clone)]
pub struct ActivityFilterInput {
    /// Activities of this district's plans (a District ID).
    pub district: Option<ID>,
    /// Activities of this plan (an ActionPlan ID).
    pub action_plan: Option<ID>,
    /// Activities under this priority area (a PriorityArea ID).
    pub priority_area: Option<ID>,
    /// Activities under this focus area (a FocusArea ID).
    pub focus_area: Option<ID>,
    /// Activities that use this method (a Method ID).
    pub method: Option<ID>,
    /// Activities this organization is responsible for (an Organization ID).
    pub responsible_organization: Option<ID>,
    /// Activities with a follow-up in a period (and, optionally, of a status).
    pub follow_up: Option<FollowUpFilter>,
}

/// Who carries an activity.
#[derive(InputObject, Debug)]
pub struct ResponsibilityInput {
    /// The organization (an Organization ID).
    pub organization: ID,
    /// The role title(s), e.g. "Kommunpolis".
    pub role: Option<String>,
}

/// Add a row to an action plan.
#[derive(InputObject, Debug)]
pub struct CreateActivityInput {
    /// The plan (an ActionPlan ID).
    pub action_plan: ID,
    /// The priority area it serves (a PriorityArea ID).
    pub priority_area: Option<ID>,
    /// The focus area it serves (a FocusArea ID).
    pub focus_area: Option<ID>,
    /// Mål och nytta.
    pub goal: Option<String>,
    /// Metoder och arbetssätt.
    pub description: String,
    /// The methods it uses (Method IDs).
    #[graphql(default)]
    pub methods: Vec<ID>,
    /// Who carries it.
    #[graphql(default)]
    pub responsibilities: Vec<ResponsibilityInput>,
    /// Tidsplan as written.
    pub timeline: Option<String>,
    /// First year.
    pub start_year: Option<i32>,
    /// Last year.
    pub end_year: Option<i32>,
    /// Uppföljning as written.
    pub follow_up_schedule: Option<String>,
    /// The reporting points the schedule asks for.
    #[graphql(default)]
    pub follow_up_terms: Vec<Term>,
    /// Whom it is for, in order (label required; ages 0–120, `ageFrom` ≤ `ageTo`).
    #[graphql(default)]
    pub target_groups: Vec<TargetGroupInput>,
    /// The collaboration groups that carry it (CollaborationGroup IDs of the plan's
    /// district; another district's group, or any group on a plan of no district, is a
    /// `BAD_USER_INPUT` user error).
    #[graphql(default)]
    pub groups: Vec<ID>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// Change a row of a plan; omitted fields stay, `null` clears; lists replace.
#[derive(InputObject, Debug)]
pub struct UpdateActivityInput {
    /// The activity (an Activity ID).
    pub id: ID,
    /// The version the edit was based on.
    pub expected_version: i32,
    /// The priority area (a PriorityArea ID).
    pub priority_area: MaybeUndefined<ID>,
    /// The focus area (a FocusArea ID).
    pub focus_area: MaybeUndefined<ID>,
    /// Mål och nytta.
    pub goal: MaybeUndefined<String>,
    /// Metoder och arbetssätt.
    pub description: Option<String>,
    /// The methods it uses (replaces the set).
    pub methods: Option<Vec<ID>>,
    /// Who carries it (replaces the list).
    pub responsibilities: Option<Vec<ResponsibilityInput>>,
    /// Tidsplan as written.
    pub timeline: MaybeUndefined<String>,
    /// First year.
    pub start_year: MaybeUndefined<i32>,
    /// Last year.
    pub end_year: MaybeUndefined<i32>,
    /// Uppföljning as written.
    pub follow_up_schedule: MaybeUndefined<String>,
    /// The reporting points the schedule asks for.
    pub follow_up_terms: Option<Vec<Term>>,
    /// Whom it is for (replaces the list; label required; ages 0–120, `ageFrom` ≤
    /// `ageTo`).
    pub target_groups: Option<Vec<TargetGroupInput>>,
    /// The collaboration groups that carry it (replaces the set; CollaborationGroup IDs
    /// of the plan's district, else a `BAD_USER_INPUT` user error).
    pub groups: Option<Vec<ID>>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of an activity mutation.
#[derive(SimpleObject, Debug)]
pub struct ActivityPayload {
    /// The activity after the change; on a `CONFLICT`, the current activity.
    pub activity: Option<Activity>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

pub(crate) fn responsibilities(
    list: Vec<ResponsibilityInput>,
) -> AppResult<Vec<plans::NewResponsibility>> {
    list.into_iter()
        .enumerate()
        .map(|(i, r)| {
            Ok(plans::NewResponsibility {
                organization_id: decode_as(
                    &r.organization,
                    NodeType::Organization,
                    &format!("input.responsibilities.{i}.organization"),
                )?,
                role: r.role,
            })
        })
        .collect()
}

pub(crate) fn method_ids(list: &[ID]) -> AppResult<Vec<i32>> {
    list.iter()
        .map(|id| decode_as(id, NodeType::Method, "input.methods"))
        .collect()
}

pub(crate) fn group_ids(list: &[ID]) -> AppResult<Vec<i32>> {
    list.iter()
        .map(|id| decode_as(id, NodeType::CollaborationGroup, "input.groups"))
        .collect()
}

/// Activities.
#[derive(Debug, Default)]
pub struct ActivitiesQuery;

/// Activities.
#[Object]
impl ActivitiesQuery {
    /// Activities (plan rows) across every district, filtered.
    #[graphql(
        complexity = "crate::graphql::pagination::root_page_cost(first, last, child_complexity)"
    )]
    async fn activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which activities.")] filter: Option<ActivityFilterInput>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<Activity>> {
        let args = PageArgs::new(ctx, None, after, before, first, last)?;
        let f = filter.unwrap_or_default();
        let q = queries::ActivityFilter {
            district: opt_id(f.district.as_ref(), NodeType::District, "filter.district")?,
            action_plan: opt_id(
                f.action_plan.as_ref(),
                NodeType::ActionPlan,
                "filter.actionPlan",
            )?,
            priority_area: opt_id(
                f.priority_area.as_ref(),
                NodeType::PriorityArea,
                "filter.priorityArea",
            )?,
            focus_area: opt_id(
                f.focus_area.as_ref(),
                NodeType::FocusArea,
                "filter.focusArea",
            )?,
            method: opt_id(f.method.as_ref(), NodeType::Method, "filter.method")?,
            responsible_organization: opt_id(
                f.responsible_organization.as_ref(),
                NodeType::Organization,
                "filter.responsibleOrganization",
            )?,
            follow_up_period: f
                .follow_up
                .map(|fu| (fu.period.year, fu.period.term.into())),
            follow_up_status: f.follow_up.and_then(|fu| fu.status).map(Into::into),
        };
        Ok(page_query(
            &state(ctx)?.db,
            queries::activities(&q),
            activity::Column::Id,
            |m| m.id,
            Activity,
            args,
            wants_kept_total(ctx),
        )
        .await?)
    }
}

/// Changes to activities.
#[derive(Debug, Default)]
pub struct ActivitiesMutation;

/// Changes to activities.
#[Object]
impl ActivitiesMutation {
    /// Add a row to an action plan (coordinators of the district, admins).
    async fn create_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new row.")] input: CreateActivityInput,
    ) -> async_graphql::Result<ActivityPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, (), async {
            let plan = decode_as(&input.action_plan, NodeType::ActionPlan, "input.actionPlan")?;
            let fields = plans::ActivityFields {
                priority_area_id: Some(opt_id(
                    input.priority_area.as_ref(),
                    NodeType::PriorityArea,
                    "input.priorityArea",
                )?),
                focus_area_id: Some(opt_id(
                    input.focus_area.as_ref(),
                    NodeType::FocusArea,
                    "input.focusArea",
                )?),
                goal: Some(input.goal),
                description: Some(input.description),
                method_ids: Some(method_ids(&input.methods)?),
                responsibilities: Some(responsibilities(input.responsibilities)?),
                timeline: Some(input.timeline),
                start_year: Some(input.start_year),
                end_year: Some(input.end_year),
                follow_up_schedule: Some(input.follow_up_schedule),
                follow_up_terms: Some(input.follow_up_terms.into_iter().map(Into::into).collect()),
                target_groups: Some(target_groups(input.target_groups)),
                group_ids: Some(group_ids(&input.groups)?),
            };
            plans::create_activity(&st.db, actor, plan, fields).await
        })
        .await?;
        Ok(ActivityPayload {
            activity: node.map(Activity),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Change a row of a plan (coordinators of the district, admins), based on the
    /// version you read.
    async fn update_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which row, from which version, what changes.")]
        input: UpdateActivityInput,
    ) -> async_graphql::Result<ActivityPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let id = decode_as(&input.id, NodeType::Activity, "input.id");
        let known = id.as_ref().ok().copied();
        let (node, user_errors) = mutate(ctx, known.map(ActivityId), async {
            let fields = plans::ActivityFields {
                priority_area_id: patch_id(
                    input.priority_area,
                    NodeType::PriorityArea,
                    "input.priorityArea",
                )?,
                focus_area_id: patch_id(input.focus_area, NodeType::FocusArea, "input.focusArea")?,
                goal: patch(input.goal),
                description: input.description,
                method_ids: input.methods.as_deref().map(method_ids).transpose()?,
                responsibilities: input.responsibilities.map(responsibilities).transpose()?,
                timeline: patch(input.timeline),
                start_year: patch(input.start_year),
                end_year: patch(input.end_year),
                follow_up_schedule: patch(input.follow_up_schedule),
                follow_up_terms: input
                    .follow_up_terms
                    .map(|t| t.into_iter().map(Into::into).collect()),
                target_groups: input.target_groups.map(target_groups),
                group_ids: input.groups.as_deref().map(group_ids).transpose()?,
            };
            plans::update_activity(&st.db, actor, id?, input.expected_version, fields).await
        })
        .await?;
        Ok(ActivityPayload {
            activity: node.map(Activity),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Remove a row of a plan with its follow-ups (coordinators of the district,
    /// admins), based on the version you read.
    async fn delete_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which row, from which version.")] input: DeleteInput,
    ) -> async_graphql::Result<DeletePayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, (), async {
            let id = decode_as(&input.id, NodeType::Activity, "input.id")?;
            plans::delete_activity(&st.db, actor, id, input.expected_version).await
        })
        .await?;
        Ok(DeletePayload {
            deleted_id: node.map(|a| encode(NodeType::Activity, a.id)),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }
}
