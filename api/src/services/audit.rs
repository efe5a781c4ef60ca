//! The audit trail: every successful change writes one [`audit_event`] row in the same
//! transaction as the change — who (`sub` and organization), what (action and node),
//! where (district), and the node before and after, as JSON.

use chrono::Utc;
use entity::audit_event;
use sea_orm::{ConnectionTrait, Set};
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

/// One audit event, ready to write: the change, and the node before and after as JSON.
#[derive(Debug, Clone)]
pub struct Event {
    action: String,
    node_type: String,
    node_id: i32,
    district_id: Option<i32>,
    before: Option<String>,
    after: Option<String>,
}

impl Event {
    /// The event of `change`, with the node's state before and after.
    pub fn new<B, A>(change: Change<'_>, before: Option<&B>, after: Option<&A>) -> AppResult<Self>
    where
        B: Serialize + ?Sized,
        A: Serialize + ?Sized,
    {
        let before = before
            .map(serde_json::to_string)
            .transpose()
            .map_err(anyhow::Error::from)?;
        let after = after
            .map(serde_json::to_string)
            .transpose()
            .map_err(anyhow::Error::from)?;
        Ok(Self {
            action: change.action.to_owned(),
            node_type: change.node_type.to_owned(),
            node_id: change.node_id,
            district_id: change.district_id,
            before,
            after,
        })
    }
}

/// Write `events` by `actor`, many to a statement ([`super::write::insert_all`]: an import
/// of 10,000 rows records 10,000 events). Only the one write path
/// ([`super::write::commit`]) calls this, inside the change's transaction.
pub async fn record<C>(db: &C, actor: &Actor, events: Vec<Event>) -> AppResult<()>
where
    C: ConnectionTrait,
{
    let at = Utc::now();
    let rows = events
        .into_iter()
        .map(|event| audit_event::ActiveModel {
            at: Set(at),
            actor_sub: Set(actor.sub.clone()),
            actor_organization_id: Set(actor.org_id),
            action: Set(event.action),
            node_type: Set(event.node_type),
            node_id: Set(event.node_id),
            district_id: Set(event.district_id),
            before: Set(event.before),
            after: Set(event.after),
            ..Default::default()
        })
        .collect();
    super::write::insert_all(db, rows).await
}
