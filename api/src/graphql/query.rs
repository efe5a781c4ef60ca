//! The root query: entry points into the graph.

use async_graphql::{Context, ID, InputObject, Object};
use entity::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::ids::{NodeType, decode, decode_as};
use super::loaders::*;
use super::pagination::{Page, PageArgs, page_query, wants_total};
use super::types::*;
use super::{load, state};
use crate::services::queries;

/// Reads of the graph.
#[derive(Debug, Default)]
pub struct ReadQuery;

/// A reporting period as input: a year and a term.
#[derive(InputObject, Debug, Clone, Copy)]
pub struct ReportingPeriodInput {
    /// The year, e.g. 2021.
    pub year: i32,
    /// The term: T1, T2 or ANNUAL.
    pub term: Term,
}

/// Which follow-ups an activity must have.
#[derive(InputObject, Debug, Clone, Copy)]
pub struct FollowUpFilter {
    /// The reporting period.
    pub period: ReportingPeriodInput,
    /// Only follow-ups with this status (any status when omitted).
    pub status: Option<FollowUpStatus>,
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

/// Filters of the `collaborationGroups` list.
#[derive(InputObject, Debug, Default, Clone)]
pub struct CollaborationGroupFilterInput {
    /// Groups of this district (a District ID).
    pub district: Option<ID>,
    /// Groups of this kind.
    pub kind: Option<GroupKind>,
    /// Groups this organization takes part in (an Organization ID).
    pub organization: Option<ID>,
    /// Include archived groups (default false).
    #[graphql(default = false)]
    pub include_archived: bool,
}

/// Filters of the `commitments` list.
#[derive(InputObject, Debug, Default, Clone)]
pub struct CommitmentFilterInput {
    /// Commitments of this organization (an Organization ID).
    pub organization: Option<ID>,
    /// Commitments made in this group (a CollaborationGroup ID).
    pub group: Option<ID>,
    /// Commitments made in groups of this district (a District ID).
    pub district: Option<ID>,
}

/// Filters of the `organizations` list.
#[derive(InputObject, Debug, Default, Clone)]
pub struct OrganizationFilterInput {
    /// Organizations of this kind.
    pub kind: Option<OrganizationKind>,
    /// Organizations serving this district (a District ID).
    pub district: Option<ID>,
}

/// Filters of the `actionPlans` list.
#[derive(InputObject, Debug, Default, Clone)]
pub struct ActionPlanFilterInput {
    /// Plans of this district (a District ID).
    pub district: Option<ID>,
    /// Plans following this strategy (a Strategy ID).
    pub strategy: Option<ID>,
}

/// Filters of the audit log.
#[derive(InputObject, Debug, Default, Clone)]
pub struct AuditEventFilterInput {
    /// Events of this node (any global ID).
    pub node: Option<ID>,
    /// Events by callers acting for this organization (an Organization ID).
    pub organization: Option<ID>,
    /// Events in this district (a District ID).
    pub district: Option<ID>,
    /// Events at or after this time.
    pub since: Option<chrono::DateTime<chrono::Utc>>,
}

/// Filters of the `districts` list.
#[derive(InputObject, Debug, Default, Clone)]
pub struct DistrictFilterInput {
    /// Districts of this municipality (a Municipality ID).
    pub municipality: Option<ID>,
}

fn opt_id(id: &Option<ID>, kind: NodeType, field: &str) -> async_graphql::Result<Option<i32>> {
    Ok(id
        .as_ref()
        .map(|id| decode_as(id, kind, field))
        .transpose()?)
}

/// Reads of the graph.
#[Object]
impl ReadQuery {
    /// Who is asking: the caller as their token describes them.
    async fn viewer(&self) -> Viewer {
        Viewer
    }

    /// Any object by its global ID; null when it does not exist.
    #[graphql(complexity = "super::pagination::STATEMENT_COST + child_complexity")]
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The object's global ID.")] id: ID,
    ) -> async_graphql::Result<Option<Node>> {
        let (kind, n) = decode(&id)?;
        Ok(match kind {
            NodeType::Municipality => load(ctx, MunicipalityId(n))
                .await?
                .map(|m| Node::Municipality(Municipality(m))),
            NodeType::District => load(ctx, DistrictId(n))
                .await?
                .map(|m| Node::District(District(m))),
            NodeType::Organization => load(ctx, OrganizationId(n))
                .await?
                .map(|m| Node::Organization(Organization(m))),
            NodeType::Strategy => load(ctx, StrategyId(n))
                .await?
                .map(|m| Node::Strategy(Strategy(m))),
            NodeType::PriorityArea => load(ctx, PriorityAreaId(n))
                .await?
                .map(|m| Node::PriorityArea(PriorityArea(m))),
            NodeType::FocusArea => load(ctx, FocusAreaId(n))
                .await?
                .map(|m| Node::FocusArea(FocusArea(m))),
            NodeType::Method => load(ctx, MethodId(n))
                .await?
                .map(|m| Node::Method(Method(m))),
            NodeType::ActionPlan => load(ctx, ActionPlanId(n))
                .await?
                .map(|m| Node::ActionPlan(ActionPlan(m))),
            NodeType::Activity => load(ctx, ActivityId(n))
                .await?
                .map(|m| Node::Activity(Activity(m))),
            NodeType::Responsibility => load(ctx, ResponsibilityId(n))
                .await?
                .map(|m| Node::Responsibility(Responsibility(m))),
            NodeType::FollowUp => load(ctx, FollowUpId(n))
                .await?
                .map(|m| Node::FollowUp(FollowUp(m))),
            NodeType::CollaborationArea => load(ctx, CollaborationAreaId(n))
                .await?
                .map(|m| Node::CollaborationArea(CollaborationArea(m))),
            NodeType::CollaborationGroup => load(ctx, CollaborationGroupId(n))
                .await?
                .map(|m| Node::CollaborationGroup(CollaborationGroup(m))),
            NodeType::Participation => load(ctx, ParticipationId(n))
                .await?
                .map(|m| Node::Participation(Participation(m))),
            NodeType::Commitment => load(ctx, CommitmentId(n))
                .await?
                .map(|m| Node::Commitment(Commitment(m))),
        })
    }

    /// Several objects by their global IDs, in the same order. Each item is answered on
    /// its own: where an ID is malformed (`BAD_USER_INPUT`) or names nothing
    /// (`NOT_FOUND`), that item is null and an error carries its index in `path`
    /// (`["nodes", 2]`); the other items are answered. At most 100 IDs (more:
    /// `BAD_USER_INPUT`, and `nodes` is null).
    #[graphql(
        complexity = "super::pagination::STATEMENT_COST + ids.len().saturating_mul(child_complexity)"
    )]
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The objects' global IDs (at most 100).")] ids: Vec<ID>,
    ) -> async_graphql::Result<Vec<Option<async_graphql::Result<Node>>>> {
        if ids.len() > 100 {
            return Err(crate::error::AppError::bad_input("ids", "at most 100 IDs").into());
        }
        let lookups = ids.into_iter().enumerate().map(|(index, id)| async move {
            if let Err(err) = decode(&id) {
                let message = err.public_message();
                return Some(Err(crate::error::AppError::bad_input(
                    format!("ids.{index}"),
                    message,
                )
                .into()));
            }
            let found = self.node(ctx, id.clone()).await.and_then(|node| {
                node.ok_or_else(|| {
                    crate::error::AppError::not_found(
                        format!("ids.{index}"),
                        format!("no object has the ID {:?}", id.as_str()),
                    )
                    .into()
                })
            });
            Some(found)
        });
        Ok(futures_util::future::join_all(lookups).await)
    }

    /// Every municipality.
    #[graphql(complexity = "super::pagination::STATEMENT_COST + child_complexity")]
    async fn municipalities(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Municipality>> {
        let db = &state(ctx)?.db;
        Ok(municipality::Entity::find()
            .all(db)
            .await
            .map_err(crate::error::AppError::from)?
            .into_iter()
            .map(Municipality)
            .collect())
    }

    /// Districts, optionally of one municipality.
    #[graphql(complexity = "super::pagination::root_page_cost(first, last, child_complexity)")]
    async fn districts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which districts.")] filter: Option<DistrictFilterInput>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<District>> {
        let args = PageArgs::new(ctx, None, after, before, first, last)?;
        let f = filter.unwrap_or_default();
        let municipality = opt_id(
            &f.municipality,
            NodeType::Municipality,
            "filter.municipality",
        )?;
        Ok(page_query(
            &state(ctx)?.db,
            queries::districts(municipality),
            district::Column::Id,
            |m| m.id,
            District,
            args,
            wants_total(ctx),
        )
        .await?)
    }

    /// One district by slug (e.g. `skarpnack`); null when there is none.
    #[graphql(complexity = "super::pagination::STATEMENT_COST + child_complexity")]
    async fn district(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The district's slug, e.g. `spanga-tensta`.")] slug: String,
    ) -> async_graphql::Result<Option<District>> {
        Ok(load(ctx, DistrictSlug(slug)).await?.map(District))
    }

    /// Organizations, optionally of one kind or serving one district.
    #[graphql(complexity = "super::pagination::root_page_cost(first, last, child_complexity)")]
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which organizations.")] filter: Option<OrganizationFilterInput>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<Organization>> {
        let args = PageArgs::new(ctx, None, after, before, first, last)?;
        let f = filter.unwrap_or_default();
        let q = queries::OrganizationFilter {
            kind: f.kind.map(Into::into),
            district: opt_id(&f.district, NodeType::District, "filter.district")?,
        };
        Ok(page_query(
            &state(ctx)?.db,
            queries::organizations(&q),
            organization::Column::Id,
            |m| m.id,
            Organization,
            args,
            wants_total(ctx),
        )
        .await?)
    }

    /// One organization by slug (e.g. `lpo-farsta`); null when there is none.
    #[graphql(complexity = "super::pagination::STATEMENT_COST + child_complexity")]
    async fn organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization's slug, e.g. `utbildningsforvaltningen`.")] slug: String,
    ) -> async_graphql::Result<Option<Organization>> {
        Ok(load(ctx, OrganizationSlug(slug)).await?.map(Organization))
    }

    /// Every city-wide strategy.
    #[graphql(complexity = "super::pagination::STATEMENT_COST + child_complexity")]
    async fn strategies(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Strategy>> {
        let db = &state(ctx)?.db;
        Ok(strategy::Entity::find()
            .all(db)
            .await
            .map_err(crate::error::AppError::from)?
            .into_iter()
            .map(Strategy)
            .collect())
    }

    /// One strategy by slug (e.g. `stockholm-2024-2026`); null when there is none.
    #[graphql(complexity = "super::pagination::STATEMENT_COST + child_complexity")]
    async fn strategy(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The strategy's slug.")] slug: String,
    ) -> async_graphql::Result<Option<Strategy>> {
        let db = &state(ctx)?.db;
        Ok(strategy::Entity::find()
            .filter(strategy::Column::Slug.eq(slug))
            .one(db)
            .await
            .map_err(crate::error::AppError::from)?
            .map(Strategy))
    }

    /// The method catalogue.
    #[graphql(complexity = "super::pagination::root_page_cost(first, last, child_complexity)")]
    async fn methods(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<Method>> {
        let args = PageArgs::new(ctx, None, after, before, first, last)?;
        Ok(page_query(
            &state(ctx)?.db,
            method::Entity::find(),
            method::Column::Id,
            |m| m.id,
            Method,
            args,
            wants_total(ctx),
        )
        .await?)
    }

    /// Action plans, optionally of one district or following one strategy.
    #[graphql(complexity = "super::pagination::root_page_cost(first, last, child_complexity)")]
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
        let district = opt_id(&f.district, NodeType::District, "filter.district")?;
        let strategy = opt_id(&f.strategy, NodeType::Strategy, "filter.strategy")?;
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

    /// Activities (plan rows) across every district, filtered.
    #[graphql(complexity = "super::pagination::root_page_cost(first, last, child_complexity)")]
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
            district: opt_id(&f.district, NodeType::District, "filter.district")?,
            action_plan: opt_id(&f.action_plan, NodeType::ActionPlan, "filter.actionPlan")?,
            priority_area: opt_id(
                &f.priority_area,
                NodeType::PriorityArea,
                "filter.priorityArea",
            )?,
            focus_area: opt_id(&f.focus_area, NodeType::FocusArea, "filter.focusArea")?,
            method: opt_id(&f.method, NodeType::Method, "filter.method")?,
            responsible_organization: opt_id(
                &f.responsible_organization,
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
            wants_total(ctx),
        )
        .await?)
    }

    /// Collaboration groups across every district, filtered. Archived groups are left
    /// out unless asked for.
    #[graphql(complexity = "super::pagination::root_page_cost(first, last, child_complexity)")]
    async fn collaboration_groups(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which groups.")] filter: Option<CollaborationGroupFilterInput>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<CollaborationGroup>> {
        let args = PageArgs::new(ctx, None, after, before, first, last)?;
        let f = filter.unwrap_or_default();
        let q = queries::GroupFilter {
            district: opt_id(&f.district, NodeType::District, "filter.district")?,
            kind: f.kind.map(Into::into),
            organization: opt_id(
                &f.organization,
                NodeType::Organization,
                "filter.organization",
            )?,
            include_archived: f.include_archived,
        };
        Ok(page_query(
            &state(ctx)?.db,
            queries::groups(&q),
            collaboration_group::Column::Id,
            |m| m.id,
            CollaborationGroup,
            args,
            wants_total(ctx),
        )
        .await?)
    }

    /// The audit log, oldest first: every change with who made it and the node before and
    /// after. Admins read all of it; district coordinators the events of their districts.
    #[graphql(complexity = "super::pagination::root_page_cost(first, last, child_complexity)")]
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which events.")] filter: Option<AuditEventFilterInput>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<AuditEvent>> {
        let args = PageArgs::new(ctx, None, after, before, first, last)?;
        let actor = super::actor(ctx).await?;
        let visible_districts = if actor.is_admin() {
            None
        } else if actor
            .roles
            .contains(&crate::auth::Role::DistrictCoordinator)
        {
            Some(actor.district_ids.clone())
        } else {
            return Err(crate::error::AppError::Forbidden(
                "the audit log is read by district coordinators (their districts) and admins"
                    .into(),
            )
            .into());
        };
        let f = filter.unwrap_or_default();
        let q = queries::AuditFilter {
            node: f
                .node
                .as_ref()
                .map(|id| decode(id).map(|(t, n)| (t.name().to_owned(), n)))
                .transpose()?,
            organization: opt_id(
                &f.organization,
                NodeType::Organization,
                "filter.organization",
            )?,
            district: opt_id(&f.district, NodeType::District, "filter.district")?,
            visible_districts,
            since: f.since,
        };
        Ok(page_query(
            &state(ctx)?.db,
            queries::audit_events(&q),
            entity::audit_event::Column::Id,
            |m| m.id,
            AuditEvent,
            args,
            wants_total(ctx),
        )
        .await?)
    }

    /// Commitments across every district, filtered.
    #[graphql(complexity = "super::pagination::root_page_cost(first, last, child_complexity)")]
    async fn commitments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which commitments.")] filter: Option<CommitmentFilterInput>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<Commitment>> {
        let args = PageArgs::new(ctx, None, after, before, first, last)?;
        let f = filter.unwrap_or_default();
        let q = queries::CommitmentFilter {
            organization: opt_id(
                &f.organization,
                NodeType::Organization,
                "filter.organization",
            )?,
            group: opt_id(&f.group, NodeType::CollaborationGroup, "filter.group")?,
            district: opt_id(&f.district, NodeType::District, "filter.district")?,
        };
        Ok(page_query(
            &state(ctx)?.db,
            queries::commitments(&q),
            commitment::Column::Id,
            |m| m.id,
            Commitment,
            args,
            wants_total(ctx),
        )
        .await?)
    }
}
