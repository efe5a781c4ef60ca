//! Live updates: change events, fanned out to every replica.
//!
//! A mutation that changed something publishes an [`Event`] (what changed, where, by
//! whom) when its transaction commits. On PostgreSQL the event is sent with `pg_notify`
//! — inside the change's transaction, in the statement that writes its audit event
//! ([`with_notifications`]), so the database delivers it at the commit and never for a
//! change rolled back — and every replica, this one included, receives it on its
//! `LISTEN` connection: a change made through replica A reaches a subscriber on replica B
//! with no extra infrastructure. On SQLite (one process) events go through an
//! in-process channel once the transaction has committed ([`deliver_after_commit`], to
//! the bus the request's write runs with, [`EventBus::scope`]). Events that need a read
//! after the commit (the obligations a delivery may count for) are published after it
//! ([`EventBus::publish_all`], one statement for them all). Subscribers receive the event
//! and read the node as it is now.

use std::time::Duration;

use sea_orm::sea_query::{InsertStatement, PostgresQueryBuilder};
use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, Value};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// The PostgreSQL channel events travel on.
pub const CHANNEL: &str = "samverkan_events";

/// How many events a slow subscriber may fall behind before it skips some.
const BUFFER: usize = 1024;

/// What kind of node changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    /// A commitment was created, changed or removed.
    Commitment,
    /// A follow-up was reported, changed or locked.
    FollowUp,
    /// A collaboration group (or who takes part in it) changed.
    Group,
    /// An obligation changed, or a delivery that may count for it (a situation picture,
    /// a cause analysis, an action plan) was saved.
    Obligation,
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// What kind of node changed.
    pub kind: EventKind,
    /// The action, as in the audit trail (e.g. `commitment.update`).
    pub action: String,
    /// The node's row id.
    pub node_id: i32,
    /// The district it lies in (none: a body's own plan not tied to one district).
    pub district_id: Option<i32>,
    /// The group it lies in (commitments, groups).
    pub group_id: Option<i32>,
    /// The organization that owns it (commitments, obligations).
    pub organization_id: Option<i32>,
    /// The strategy it falls under (obligations).
    #[serde(default)]
    pub strategy_id: Option<i32>,
    /// The token subject who made the change.
    pub actor: String,
}

/// Publishes events and hands out subscriptions.
#[derive(Debug, Clone)]
pub struct EventBus {
    tx: broadcast::Sender<Event>,
    db: DatabaseConnection,
    postgres: bool,
}

impl EventBus {
    /// The bus of a database. On PostgreSQL this starts listening (and has listened
    /// before it returns), reconnecting by itself if the connection drops.
    pub async fn start(db: DatabaseConnection, url: &str) -> anyhow::Result<Self> {
        let (tx, _) = broadcast::channel(BUFFER);
        let postgres = db.get_database_backend() == DbBackend::Postgres;
        if postgres {
            let mut listener = PgListener::connect(url).await?;
            listener.listen(CHANNEL).await?;
            tokio::spawn(forward(listener, tx.clone()));
        }
        Ok(Self { tx, db, postgres })
    }

    /// Publish changes (after their transaction committed): on PostgreSQL in one
    /// statement however many. A failure to publish is logged, never turned into a
    /// failed mutation: the changes themselves have happened.
    pub async fn publish_all(&self, events: Vec<Event>) {
        if events.is_empty() {
            return;
        }
        if !self.postgres {
            self.send_here(events);
            return;
        }
        let (sql, values) = match notifications(&events, 0) {
            Ok(n) => n,
            Err(err) => {
                tracing::error!(error = %err, "cannot encode events");
                return;
            }
        };
        let stmt = Statement::from_sql_and_values(DbBackend::Postgres, sql, values);
        if let Err(err) = self.db.execute_raw(stmt).await {
            tracing::error!(error = %err, "cannot publish events");
        }
    }

    /// Hand `events` to this process's subscribers.
    fn send_here(&self, events: Vec<Event>) {
        for event in events {
            // No receivers is fine.
            let _ = self.tx.send(event);
        }
    }

    /// Run `write` (a mutation's service call) with this bus as the one its committed
    /// changes are delivered to on SQLite ([`deliver_after_commit`]).
    pub async fn scope<F: Future>(&self, write: F) -> F::Output {
        LOCAL.scope(self.clone(), write).await
    }

    /// How many subscriptions of this process are listening now.
    pub fn subscriber_count(&self) -> usize {
        self.tx.receiver_count()
    }

    /// Receive every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.tx.subscribe()
    }
}

tokio::task_local! {
    /// The bus of the write running in this task ([`EventBus::scope`]).
    static LOCAL: EventBus;
}

/// Deliver the live events of a transaction that has just committed, on SQLite (on
/// PostgreSQL the database delivered them; [`crate::services::audit::record`] hands back
/// none there): to the bus of the write running in this task, if it runs with one (a
/// write from the command line has no subscribers to tell).
pub fn deliver_after_commit(events: Vec<Event>) {
    if !events.is_empty() {
        let _ = LOCAL.try_with(|bus| bus.send_here(events));
    }
}

/// The `SELECT` that sends every one of `events` with `pg_notify` on [`CHANNEL`], in
/// their order, and its two values — numbered after the `bound` values of the statement
/// it goes with.
fn notifications(
    events: &[Event],
    bound: usize,
) -> Result<(String, [Value; 2]), serde_json::Error> {
    let payloads = events
        .iter()
        .map(serde_json::to_string)
        .collect::<Result<Vec<_>, _>>()?;
    let sql = format!(
        "SELECT count(pg_notify(${}, payload)) FROM json_array_elements_text(${}::json) AS payload",
        bound + 1,
        bound + 2
    );
    Ok((
        sql,
        [CHANNEL.into(), serde_json::to_string(&payloads)?.into()],
    ))
}

/// `insert` (the audit trail's, in a change's transaction) carrying the `pg_notify` of
/// every one of `events` on [`CHANNEL`]: one statement, whose notifications PostgreSQL
/// delivers when the transaction commits, in their order. PostgreSQL only.
pub fn with_notifications(
    insert: &InsertStatement,
    events: &[Event],
) -> Result<Statement, serde_json::Error> {
    let (sql, values) = insert.build(PostgresQueryBuilder);
    let mut values = values.0;
    let (select, notified) = notifications(events, values.len())?;
    values.extend(notified);
    // A data-modifying `WITH` runs to completion whether or not the query reads it.
    Ok(Statement::from_sql_and_values(
        DbBackend::Postgres,
        format!("WITH audit AS ({sql}) {select}"),
        values,
    ))
}

/// Forward notifications to local subscribers until the process ends.
async fn forward(mut listener: PgListener, tx: broadcast::Sender<Event>) {
    loop {
        match listener.recv().await {
            Ok(notification) => match serde_json::from_str::<Event>(notification.payload()) {
                Ok(event) => {
                    let _ = tx.send(event);
                }
                Err(err) => tracing::warn!(error = %err, "ignoring a malformed event"),
            },
            Err(err) => {
                // PgListener reconnects on the next recv; wait a moment before retrying.
                tracing::warn!(error = %err, "event listener lost its connection; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}
