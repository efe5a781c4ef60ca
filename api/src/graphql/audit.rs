//! The audit trail: every change, who made it, and the node before and after.

use async_graphql::{Context, ID, InputObject, Object};

use crate::graphql::prelude::*;

/// The audit trail of one node in `district` (none: outside any district), for those who
/// may read it.
pub(crate) async fn history(
    ctx: &Context<'_>,
    node_type: &'static str,
    id: i32,
    district: Option<i32>,
    args: PageArgs,
) -> async_graphql::Result<Page<AuditEvent>> {
    if !authz::audit_read(actor(ctx).await?, district) {
        return Err(AppError::Forbidden(
            "the audit log is read by the district's coordinators and admins of its municipality"
                .into(),
        )
        .into());
    }
    let rows = load_many(ctx, AuditOfNode(node_type, id)).await?;
    Ok(page_vec(rows, |r| r.id, AuditEvent, args))
}

/// One recorded change: who made it, for which organization, what it did, and the node
/// before and after.
#[derive(Debug, Clone)]
pub struct AuditEvent(pub entity::audit_event::Model);

crate::plain_fields!(AuditEvent: at, actor, organization, action, node_type, node_id, district);

/// One recorded change: who made it, for which organization, what it did, and the node
/// before and after.
#[Object]
impl AuditEvent {
    /// When the change was made.
    async fn at(&self) -> crate::graphql::scalars::DateTime {
        self.0.at.into()
    }
    /// The token subject who made it.
    async fn actor(&self) -> &str {
        &self.0.actor_sub
    }
    /// The organization the actor acted for.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        match self.0.actor_organization_id {
            Some(id) => Ok(load(ctx, OrganizationId(id)).await?.map(Organization)),
            None => Ok(None),
        }
    }
    /// What was done, e.g. `commitment.update`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The type of the node changed, e.g. `Commitment`.
    async fn node_type(&self) -> &str {
        &self.0.node_type
    }
    /// The global ID of the node changed (it may since have been removed).
    async fn node_id(&self) -> Option<ID> {
        super::ids::NodeType::from_type_name(&self.0.node_type).map(|t| encode(t, self.0.node_id))
    }
    /// The district the node lies in.
    async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<District>> {
        match self.0.district_id {
            Some(id) => Ok(load(ctx, DistrictId(id)).await?.map(District)),
            None => Ok(None),
        }
    }
    /// The node before the change (null when it was created).
    async fn before(&self) -> Option<async_graphql::Json<serde_json::Value>> {
        json(self.0.before.as_deref())
    }
    /// The node after the change (null when it was removed).
    async fn after(&self) -> Option<async_graphql::Json<serde_json::Value>> {
        json(self.0.after.as_deref())
    }
}

pub(crate) fn json(text: Option<&str>) -> Option<async_graphql::Json<serde_json::Value>> {
    text.and_then(|t| serde_json::from_str(t).ok())
        .map(async_graphql::Json)
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

/// The audit trail.
#[derive(Debug, Default)]
pub struct AuditQuery;

/// The audit trail.
#[Object]
impl AuditQuery {
    /// The audit log, oldest first: every change with who made it and the node before and
    /// after. National admins read all of it; municipality admins the events of their
    /// municipalities' districts; district coordinators the events of their districts.
    #[graphql(
        complexity = "crate::graphql::pagination::root_page_cost(first, last, child_complexity)"
    )]
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
        } else if actor.is_municipality_admin()
            || actor
                .roles
                .contains(&crate::auth::Role::DistrictCoordinator)
        {
            // The districts the log may show: those it coordinates or administers.
            let mut districts: Vec<i32> = actor.district_ids.clone();
            districts.extend(&actor.administers.districts);
            districts.retain(|d| authz::audit_read(actor, Some(*d)));
            districts.sort_unstable();
            districts.dedup();
            Some(districts)
        } else {
            return Err(crate::error::AppError::Forbidden(
                "the audit log is read by district coordinators (their districts), municipality \
                 admins (their municipalities' districts) and national admins"
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
                f.organization.as_ref(),
                NodeType::Organization,
                "filter.organization",
            )?,
            district: opt_id(f.district.as_ref(), NodeType::District, "filter.district")?,
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
}
