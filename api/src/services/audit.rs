//! The audit trail: every successful change writes one [`audit_event`] row in the same
//! transaction as the change — who (`sub` and organization), what (action and node),
//! where (district), and the node before and after, as JSON.
//!
//! A change that live subscribers hear of ([`Event::announce`]) sends its live event with
//! its audit event: on PostgreSQL the audit trail's (last) insert carries the
//! `pg_notify`s in the same statement (`events::with_notifications`), so the database
//! delivers them when the transaction commits; on SQLite [`record`] hands them back to be
//! delivered in-process once the transaction has committed.

use chrono::Utc;
use entity::audit_event;
use sea_orm::{ConnectionTrait, DbBackend, Set};
use serde::Serialize;

use super::authz::Actor;
use super::write::Place;
use crate::error::AppResult;
use crate::events::{self, EventKind};

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
    /// The live event to send with it, if subscribers hear of the change.
    live: Option<(EventKind, Place)>,
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
            live: None,
        })
    }

    /// Send a live event of `kind` with this audit event (same action, node and
    /// district), to the subscribers of `place`.
    pub fn announce(&mut self, kind: EventKind, place: Place) {
        self.live = Some((kind, place));
    }

    /// The live event announced with this audit event, if any, by `actor`.
    fn live_event(&self, actor: &Actor) -> Option<events::Event> {
        let (kind, place) = self.live?;
        Some(events::Event {
            kind,
            action: self.action.clone(),
            node_id: self.node_id,
            district_id: self.district_id,
            group_id: place.group_id,
            organization_id: place.organization_id,
            strategy_id: place.strategy_id,
            actor: actor.sub.clone(),
        })
    }
}

/// Write `events` by `actor`, many to a statement ([`super::write::insert_all`]: an import
/// of 10,000 rows records 10,000 events), with the live events they announce. Only the
/// one write path ([`super::write::commit`]) calls this, inside the change's transaction.
///
/// On PostgreSQL the live events are sent by the last insert's statement (delivered by
/// the database at commit), and nothing is handed back; on SQLite they are handed back,
/// for [`events::deliver_after_commit`].
pub async fn record<C>(db: &C, actor: &Actor, events: Vec<Event>) -> AppResult<Vec<events::Event>>
where
    C: ConnectionTrait,
{
    let at = Utc::now();
    let live: Vec<events::Event> = events.iter().filter_map(|e| e.live_event(actor)).collect();
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
    if live.is_empty() || db.get_database_backend() != DbBackend::Postgres {
        super::write::insert_all(db, rows).await?;
        return Ok(live);
    }
    super::write::insert_all_then(db, rows, |insert| {
        events::with_notifications(insert, &live).map_err(|e| anyhow::Error::from(e).into())
    })
    .await?;
    Ok(Vec::new())
}
