//! The GraphQL half of the one write path.
//!
//! Every mutation resolver decodes its IDs and calls [`mutate`] with the service call
//! (which goes through `services::write::commit`: rule, versioned write, audit and the
//! live events of the change, commit, in one transaction) and the key to reload the
//! named node by. `mutate` runs the call under the write gate (with the server's event
//! bus, to which SQLite's committed events go), sorts a failure into `userErrors` (or a
//! GraphQL error), and on a `CONFLICT` reloads the current node — so the resolver only
//! builds its payload from the `(node, userErrors)` it gets back.
//!
//! The request cache is emptied when the write's turn comes, before the service runs;
//! rows the service hands back besides its node (a commitment's group, read with the
//! rule and not changed by the write) are kept there by the work (`engine::keep`), so
//! the payload's `viewerCanUpdate` costs no statement.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, SimpleObject};
use futures_util::future::BoxFuture;

use super::engine::Reader;
pub(crate) use crate::services::write::{Place, Placed};

use crate::graphql::prelude::*;

/// Why a mutation did not change anything, when the caller can fix it.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserErrorCode {
    /// The input is invalid (empty or too long text, bad period, end before start …).
    BadUserInput,
    /// An ID in the input names nothing.
    NotFound,
    /// The edit was based on a stale version; the payload holds the current node.
    Conflict,
}

/// An expected failure of a mutation: nothing was written.
#[derive(SimpleObject, Debug, Clone)]
pub struct UserError {
    /// The input field at fault, e.g. `input.text`.
    pub field: Option<String>,
    /// What is wrong, for a person.
    pub message: String,
    /// The kind of failure.
    pub code: UserErrorCode,
}

/// The outcome of a service call: the value, or the user errors, or a GraphQL error.
struct Outcome<T> {
    /// What the service answered, when it changed something.
    value: Option<T>,
    /// What the caller can fix, when it did not.
    errors: Vec<UserError>,
}

impl<T> Outcome<T> {
    /// Whether the change was refused for a stale version.
    fn conflicted(&self) -> bool {
        self.errors
            .iter()
            .any(|e| e.code == UserErrorCode::Conflict)
    }
}

/// One mutation, the one way: run `work` (the service call, which sends the live events
/// of its change with its transaction: `services::write::Written::announce`) under the
/// write gate; when it was refused for a stale version, reload the current node by
/// `reload`. Hands back the node for the payload and the user errors.
pub(crate) async fn mutate<T>(
    ctx: &Context<'_>,
    reload: impl Reload<T>,
    work: impl Future<Output = AppResult<T>>,
) -> async_graphql::Result<(Option<T>, Vec<UserError>)> {
    let out = run(ctx, work).await?;
    let node = match out.value {
        Some(value) => Some(value),
        None if out.conflicted() => reload.reload(ctx).await?,
        None => None,
    };
    Ok((node, out.errors))
}

/// How [`mutate`] reads the current node again after a `CONFLICT`: `()` when the input
/// named no node, else (`Some`) a key of the node.
pub(crate) trait Reload<T> {
    /// The current node, if any.
    fn reload<'c>(self, ctx: &'c Context<'_>) -> BoxFuture<'c, async_graphql::Result<Option<T>>>;
}

impl<T> Reload<T> for () {
    fn reload<'c>(self, _: &'c Context<'_>) -> BoxFuture<'c, async_graphql::Result<Option<T>>> {
        Box::pin(async { Ok(None) })
    }
}

impl<T, K: Reload<T>> Reload<T> for Option<K> {
    fn reload<'c>(self, ctx: &'c Context<'_>) -> BoxFuture<'c, async_graphql::Result<Option<T>>> {
        match self {
            Some(key) => key.reload(ctx),
            None => Box::pin(async { Ok(None) }),
        }
    }
}

/// Nodes reloaded by their row id.
macro_rules! reload_by_id {
    ($($key:ident),*) => {$(
        impl Reload<<Reader as async_graphql::dataloader::Loader<$key>>::Value> for $key {
            fn reload<'c>(
                self,
                ctx: &'c Context<'_>,
            ) -> BoxFuture<'c, async_graphql::Result<Option<<Reader as async_graphql::dataloader::Loader<$key>>::Value>>> {
                Box::pin(load(ctx, self))
            }
        }
    )*};
}

reload_by_id!(
    CommitmentId,
    ParticipationId,
    CollaborationGroupId,
    ActionPlanId,
    ActivityId
);
// The city's cycle (issue 14).
reload_by_id!(ObligationId, SituationPictureId, CauseAnalysisId);

/// Run one mutation: take the write turn, call the service, sort the result into a value,
/// user errors, or a GraphQL error (logging denials).
async fn run<T, F>(ctx: &Context<'_>, work: F) -> async_graphql::Result<Outcome<T>>
where
    F: Future<Output = AppResult<T>>,
{
    let st = state(ctx)?;
    let _turn = st.write_gate.enter().await;
    // What the request read before the write may change: forget it. What the work keeps
    // (`engine::keep`: the rows it wrote, or read with the rule and left alone) stays.
    if let Ok(loader) = ctx.data::<super::batch::RequestLoader>() {
        loader.clear();
    }
    // On SQLite a committed change's live events go to this server's bus
    // (`events::deliver_after_commit`); on PostgreSQL the database delivers them.
    let result = match ctx.data::<EventBus>() {
        Ok(bus) => bus.scope(work).await,
        Err(_) => work.await,
    };
    match result {
        Ok(value) => Ok(Outcome {
            value: Some(value),
            errors: Vec::new(),
        }),
        Err(err) => {
            let code = match &err {
                AppError::BadUserInput { .. } => UserErrorCode::BadUserInput,
                AppError::NotFound { .. } => UserErrorCode::NotFound,
                AppError::Conflict(_) => UserErrorCode::Conflict,
                AppError::Forbidden(rule) => {
                    tracing::warn!(sub = %st.caller.sub, org = %st.caller.org, rule = %rule, "change denied");
                    return Err(err.into());
                }
                _ => return Err(err.into()),
            };
            Ok(Outcome {
                value: None,
                errors: vec![UserError {
                    field: err.field().map(str::to_owned),
                    message: err.to_string(),
                    code,
                }],
            })
        }
    }
}

/// Tell live subscribers that `action` (e.g. `situationPicture.update`) may have changed
/// each of `nodes` — `(row id, where it lies)`, in `district` — after the change
/// committed, when what they are is known only by a read after it (the obligations a
/// delivery may count for). Never fails the mutation. Changes known inside the write are
/// announced with it instead (`services::write::Written::announce`).
pub(crate) async fn announce_all(
    ctx: &Context<'_>,
    kind: EventKind,
    action: &'static str,
    district_id: Option<i32>,
    nodes: Vec<(i32, Place)>,
) {
    let (Ok(st), Ok(bus)) = (state(ctx), ctx.data::<EventBus>()) else {
        return;
    };
    let events = nodes
        .into_iter()
        .map(|(node_id, place)| Event {
            kind,
            action: action.to_owned(),
            node_id,
            district_id,
            group_id: place.group_id,
            organization_id: place.organization_id,
            strategy_id: place.strategy_id,
            actor: st.caller.sub.clone(),
        })
        .collect();
    bus.publish_all(events).await;
}

/// After a delivery committed: tell the subscribers of the obligations it may count for
/// (`concerned`, read after the commit), or log why they could not be read.
pub(crate) async fn announce_obligations(
    ctx: &Context<'_>,
    action: &'static str,
    concerned: AppResult<Vec<entity::obligation::Model>>,
) {
    match concerned {
        Ok(rows) => {
            let nodes = rows.iter().map(|o| (o.id, o.place())).collect();
            announce_all(ctx, EventKind::Obligation, action, None, nodes).await;
        }
        Err(err) => {
            tracing::warn!(error = %err, action, "cannot find the obligations a delivery concerns");
        }
    }
}

pub(crate) fn patch<T>(v: MaybeUndefined<T>) -> Patch<T> {
    match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

pub(crate) fn patch_id(
    v: MaybeUndefined<ID>,
    kind: NodeType,
    field: &str,
) -> AppResult<Patch<i32>> {
    Ok(match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(id) => Some(Some(decode_as(&id, kind, field)?)),
    })
}

pub(crate) fn opt_id(v: Option<&ID>, kind: NodeType, field: &str) -> AppResult<Option<i32>> {
    v.map(|id| decode_as(id, kind, field)).transpose()
}

/// Remove a node that carries a version.
#[derive(InputObject, Debug)]
pub struct DeleteInput {
    /// The node to remove.
    pub id: ID,
    /// The version the removal was based on; a stale version is a `CONFLICT`.
    pub expected_version: i32,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of a removal.
#[derive(SimpleObject, Debug)]
pub struct DeletePayload {
    /// The ID of the removed node.
    pub deleted_id: Option<ID>,
    /// Why nothing was removed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}
