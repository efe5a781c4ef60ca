//! Live updates: change events, fanned out to every replica.
//!
//! A mutation that changed something publishes an [`Event`] (what changed, where, by
//! whom) after its transaction committed. On PostgreSQL the event is sent with
//! `pg_notify` and every replica — this one included — receives it on its `LISTEN`
//! connection, so a change made through replica A reaches a subscriber on replica B with
//! no extra infrastructure. On SQLite (one process) events go through an in-process
//! channel. Subscribers receive the event and read the node as it is now.

use std::time::Duration;

use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
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

    /// Publish a change (after its transaction committed). A failure to publish is
    /// logged, never turned into a failed mutation: the change itself has happened.
    pub async fn publish(&self, event: Event) {
        if !self.postgres {
            // No receivers is fine.
            let _ = self.tx.send(event);
            return;
        }
        let payload = match serde_json::to_string(&event) {
            Ok(p) => p,
            Err(err) => {
                tracing::error!(error = %err, "cannot encode event");
                return;
            }
        };
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [CHANNEL.into(), payload.into()],
        );
        if let Err(err) = self.db.execute_raw(stmt).await {
            tracing::error!(error = %err, "cannot publish event");
        }
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
