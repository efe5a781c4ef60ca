//! The audit trail: every successful change writes one [`audit_event`] row in the same
//! transaction as the change — who (`sub` and organization), what (action and node),
//! where (district), and the node before and after, as JSON.

use chrono::Utc;
use entity::audit_event;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde::Serialize;

use super::authz::Actor;
use crate::error::AppResult;

/// What changed, for the audit trail.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    /// e.g. `commitment.update`.
    pub action: &'a str,
    /// The GraphQL type of the node, e.g. `Commitment`.
    pub node_type: &'a str,
    /// The node's row id.
    pub node_id: i32,
    /// The district the node lies in, if any.
    pub district_id: Option<i32>,
}

/// Write the audit event of `change` by `actor`, with the node's state before and after.
pub async fn record<C, B, A>(
    db: &C,
    actor: &Actor,
    change: Change<'_>,
    before: Option<&B>,
    after: Option<&A>,
) -> AppResult<audit_event::Model>
where
    C: ConnectionTrait,
    B: Serialize,
    A: Serialize,
{
    let before = before
        .map(serde_json::to_string)
        .transpose()
        .map_err(anyhow::Error::from)?;
    let after = after
        .map(serde_json::to_string)
        .transpose()
        .map_err(anyhow::Error::from)?;
    let event = audit_event::ActiveModel {
        at: Set(Utc::now()),
        actor_sub: Set(actor.sub.clone()),
        actor_organization_id: Set(actor.org_id),
        action: Set(change.action.to_owned()),
        node_type: Set(change.node_type.to_owned()),
        node_id: Set(change.node_id),
        district_id: Set(change.district_id),
        before: Set(before),
        after: Set(after),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(event)
}
