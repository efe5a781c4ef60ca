//! Filtered selections for the root lists. Each function turns a plain filter (already
//! decoded from global IDs) into one `SELECT`, using sub-selects for relations so that
//! paging and counting stay single statements.

use entity::enums::{FollowUpStatus, GroupKind, OrganizationKind, Term};
use entity::*;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Select};

/// Filter of the `activities` list.
#[derive(Debug, Default, Clone)]
pub struct ActivityFilter {
    /// Activities of plans of this district.
    pub district: Option<i32>,
    /// Activities of this plan.
    pub action_plan: Option<i32>,
    /// Activities under this priority area.
    pub priority_area: Option<i32>,
    /// Activities under this focus area.
    pub focus_area: Option<i32>,
    /// Activities that use this method.
    pub method: Option<i32>,
    /// Activities this organization is responsible for.
    pub responsible_organization: Option<i32>,
    /// Activities with a follow-up in this period (year, term) …
    pub follow_up_period: Option<(i32, Term)>,
    /// … with this status.
    pub follow_up_status: Option<FollowUpStatus>,
}

/// Activities matching `f`.
pub fn activities(f: &ActivityFilter) -> Select<activity::Entity> {
    let mut q = activity::Entity::find();
    if let Some(d) = f.district {
        q = q.filter(
            activity::Column::ActionPlanId.in_subquery(
                Query::select()
                    .column(action_plan::Column::Id)
                    .from(action_plan::Entity)
                    .and_where(Expr::col(action_plan::Column::DistrictId).eq(d))
                    .to_owned(),
            ),
        );
    }
    if let Some(p) = f.action_plan {
        q = q.filter(activity::Column::ActionPlanId.eq(p));
    }
    if let Some(p) = f.priority_area {
        q = q.filter(activity::Column::PriorityAreaId.eq(p));
    }
    if let Some(p) = f.focus_area {
        q = q.filter(activity::Column::FocusAreaId.eq(p));
    }
    if let Some(m) = f.method {
        q = q.filter(
            activity::Column::Id.in_subquery(
                Query::select()
                    .column(activity_method::Column::ActivityId)
                    .from(activity_method::Entity)
                    .and_where(Expr::col(activity_method::Column::MethodId).eq(m))
                    .to_owned(),
            ),
        );
    }
    if let Some(o) = f.responsible_organization {
        q = q.filter(
            activity::Column::Id.in_subquery(
                Query::select()
                    .column(responsibility::Column::ActivityId)
                    .from(responsibility::Entity)
                    .and_where(Expr::col(responsibility::Column::OrganizationId).eq(o))
                    .to_owned(),
            ),
        );
    }
    if f.follow_up_period.is_some() || f.follow_up_status.is_some() {
        let mut sub = Query::select();
        sub.column(follow_up::Column::ActivityId)
            .from(follow_up::Entity);
        if let Some((year, term)) = f.follow_up_period {
            sub.and_where(Expr::col(follow_up::Column::Year).eq(year))
                .and_where(Expr::col(follow_up::Column::Term).eq(term));
        }
        if let Some(status) = f.follow_up_status {
            sub.and_where(Expr::col(follow_up::Column::Status).eq(status));
        }
        q = q.filter(activity::Column::Id.in_subquery(sub.to_owned()));
    }
    q
}

/// Filter of the `collaborationGroups` list.
#[derive(Debug, Default, Clone)]
pub struct GroupFilter {
    /// Groups of this district.
    pub district: Option<i32>,
    /// Groups of this kind (any of their kinds).
    pub kind: Option<GroupKind>,
    /// Groups this organization takes part in.
    pub organization: Option<i32>,
    /// Include archived groups.
    pub include_archived: bool,
    /// Groups valid on this day (validity open where unset).
    pub valid_on: Option<chrono::NaiveDate>,
}

/// Groups matching `f`.
pub fn groups(f: &GroupFilter) -> Select<collaboration_group::Entity> {
    let mut q = collaboration_group::Entity::find();
    if let Some(d) = f.district {
        q = q.filter(collaboration_group::Column::DistrictId.eq(d));
    }
    if let Some(k) = f.kind {
        // Any of the group's kinds: its `kind`, or one of its kind rows.
        q = q.filter(
            sea_orm::Condition::any()
                .add(collaboration_group::Column::Kind.eq(k))
                .add(
                    collaboration_group::Column::Id.in_subquery(
                        Query::select()
                            .column(collaboration_group_kind::Column::CollaborationGroupId)
                            .from(collaboration_group_kind::Entity)
                            .and_where(Expr::col(collaboration_group_kind::Column::Kind).eq(k))
                            .to_owned(),
                    ),
                ),
        );
    }
    if let Some(day) = f.valid_on {
        q = q
            .filter(
                sea_orm::Condition::any()
                    .add(collaboration_group::Column::ValidFrom.is_null())
                    .add(collaboration_group::Column::ValidFrom.lte(day)),
            )
            .filter(
                sea_orm::Condition::any()
                    .add(collaboration_group::Column::ValidUntil.is_null())
                    .add(collaboration_group::Column::ValidUntil.gte(day)),
            );
    }
    if let Some(o) = f.organization {
        q = q.filter(
            collaboration_group::Column::Id.in_subquery(
                Query::select()
                    .column(participation::Column::GroupId)
                    .from(participation::Entity)
                    .and_where(Expr::col(participation::Column::OrganizationId).eq(o))
                    .to_owned(),
            ),
        );
    }
    if !f.include_archived {
        q = q.filter(collaboration_group::Column::ArchivedAt.is_null());
    }
    q
}

/// Filter of the `commitments` list.
#[derive(Debug, Default, Clone)]
pub struct CommitmentFilter {
    /// Commitments of this organization.
    pub organization: Option<i32>,
    /// Commitments made in this group.
    pub group: Option<i32>,
    /// Commitments made in groups of this district.
    pub district: Option<i32>,
}

/// Commitments matching `f`.
pub fn commitments(f: &CommitmentFilter) -> Select<commitment::Entity> {
    let mut q = commitment::Entity::find();
    if let Some(o) = f.organization {
        q = q.filter(commitment::Column::OrganizationId.eq(o));
    }
    if let Some(g) = f.group {
        q = q.filter(commitment::Column::GroupId.eq(g));
    }
    if let Some(d) = f.district {
        q = q.filter(
            commitment::Column::GroupId.in_subquery(
                Query::select()
                    .column(collaboration_group::Column::Id)
                    .from(collaboration_group::Entity)
                    .and_where(Expr::col(collaboration_group::Column::DistrictId).eq(d))
                    .to_owned(),
            ),
        );
    }
    q
}

/// Filter of the `organizations` list.
#[derive(Debug, Default, Clone)]
pub struct OrganizationFilter {
    /// Organizations of this kind.
    pub kind: Option<OrganizationKind>,
    /// Organizations serving this district.
    pub district: Option<i32>,
}

/// Organizations matching `f`.
pub fn organizations(f: &OrganizationFilter) -> Select<organization::Entity> {
    let mut q = organization::Entity::find();
    if let Some(k) = f.kind {
        q = q.filter(organization::Column::Kind.eq(k));
    }
    if let Some(d) = f.district {
        q = q.filter(
            organization::Column::Id.in_subquery(
                Query::select()
                    .column(organization_district::Column::OrganizationId)
                    .from(organization_district::Entity)
                    .and_where(Expr::col(organization_district::Column::DistrictId).eq(d))
                    .to_owned(),
            ),
        );
    }
    q
}

/// Action plans, optionally of one district and/or following one strategy.
pub fn action_plans(district: Option<i32>, strategy: Option<i32>) -> Select<action_plan::Entity> {
    let mut q = action_plan::Entity::find();
    if let Some(d) = district {
        q = q.filter(action_plan::Column::DistrictId.eq(d));
    }
    if let Some(s) = strategy {
        q = q.filter(action_plan::Column::StrategyId.eq(s));
    }
    q
}

/// Districts, optionally of one municipality.
pub fn districts(municipality: Option<i32>) -> Select<district::Entity> {
    let mut q = district::Entity::find();
    if let Some(m) = municipality {
        q = q.filter(district::Column::MunicipalityId.eq(m));
    }
    q
}

/// Filter of the audit log.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    /// Events of this node (type name and row id).
    pub node: Option<(String, i32)>,
    /// Events by callers acting for this organization.
    pub organization: Option<i32>,
    /// Events in this district.
    pub district: Option<i32>,
    /// Only these districts (a coordinator's); `None` = no restriction (admins).
    pub visible_districts: Option<Vec<i32>>,
    /// Events at or after this time.
    pub since: Option<chrono::DateTime<chrono::Utc>>,
}

/// Audit events matching `f`.
pub fn audit_events(f: &AuditFilter) -> Select<entity::audit_event::Entity> {
    use entity::audit_event;
    let mut q = audit_event::Entity::find();
    if let Some((t, id)) = &f.node {
        q = q
            .filter(audit_event::Column::NodeType.eq(t.clone()))
            .filter(audit_event::Column::NodeId.eq(*id));
    }
    if let Some(o) = f.organization {
        q = q.filter(audit_event::Column::ActorOrganizationId.eq(o));
    }
    if let Some(d) = f.district {
        q = q.filter(audit_event::Column::DistrictId.eq(d));
    }
    if let Some(ds) = &f.visible_districts {
        q = q.filter(audit_event::Column::DistrictId.is_in(ds.clone()));
    }
    if let Some(since) = f.since {
        q = q.filter(audit_event::Column::At.gte(since));
    }
    q
}
