//! The GraphQL half of the one write path.
//!
//! Every mutation resolver decodes its IDs and calls [`mutate`] with the service call
//! (which goes through `services::write::commit`: rule, versioned write, audit, commit
//! in one transaction), the live events of the change, and the key to reload the named
//! node by. `mutate` runs the call under the write gate, sorts a failure into
//! `userErrors` (or a GraphQL error), publishes the events once the change committed,
//! and on a `CONFLICT` reloads the current node — so the resolver only builds its
//! payload from the `(node, userErrors)` it gets back.
//!
//! The request cache is emptied when the write's turn comes, before the service runs;
//! rows the service hands back besides its node (a commitment's group, read with the
//! rule and not changed by the write) are kept there by the work (`engine::keep`), so
//! the event's place and the payload's `viewerCanUpdate` cost no statement.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, SimpleObject};
use futures_util::future::BoxFuture;

use super::engine::Reader;

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

/// One mutation, the one way: run `work` (the service call) under the write gate; when
/// it changed something, publish the events `notices` names for its value; when it was
/// refused for a stale version, reload the current node by `reload`. Hands back the node
/// for the payload and the user errors.
pub(crate) async fn mutate<T, N>(
    ctx: &Context<'_>,
    notices: impl FnOnce(&T) -> N,
    reload: impl Reload<T>,
    work: impl Future<Output = AppResult<T>>,
) -> async_graphql::Result<(Option<T>, Vec<UserError>)>
where
    N: IntoIterator<Item = Notice>,
{
    let out = run(ctx, work).await?;
    if let Some(value) = &out.value {
        for n in notices(value) {
            publish(ctx, n.kind, n.action, n.node_id, n.place).await;
        }
    }
    let node = match out.value {
        Some(value) => Some(value),
        None if out.conflicted() => reload.reload(ctx).await?,
        None => None,
    };
    Ok((node, out.errors))
}

/// What live subscribers hear of one change.
pub(crate) struct Notice {
    kind: EventKind,
    action: &'static str,
    node_id: i32,
    place: Place,
}

/// A node whose changes are published: its row id and where it lies.
pub(crate) trait Placed {
    /// The row id.
    fn node_id(&self) -> i32;
    /// Where it lies, to route its events.
    fn place(&self) -> Place;
}

impl Placed for entity::commitment::Model {
    fn node_id(&self) -> i32 {
        self.id
    }
    fn place(&self) -> Place {
        Place::Group {
            group_id: self.group_id,
            organization_id: Some(self.organization_id),
        }
    }
}

impl Placed for entity::participation::Model {
    fn node_id(&self) -> i32 {
        self.id
    }
    fn place(&self) -> Place {
        Place::Group {
            group_id: self.group_id,
            organization_id: Some(self.organization_id),
        }
    }
}

impl Placed for entity::collaboration_group::Model {
    fn node_id(&self) -> i32 {
        self.id
    }
    fn place(&self) -> Place {
        Place::Group {
            group_id: self.id,
            organization_id: None,
        }
    }
}

impl Placed for entity::follow_up::Model {
    fn node_id(&self) -> i32 {
        self.id
    }
    fn place(&self) -> Place {
        Place::Activity(self.activity_id)
    }
}

// Issue 14, item 5: a group's follow-up is heard where its group is (`groupChanged`).
impl Placed for entity::group_follow_up::Model {
    fn node_id(&self) -> i32 {
        self.id
    }
    fn place(&self) -> Place {
        Place::Group {
            group_id: self.collaboration_group_id,
            organization_id: None,
        }
    }
}

/// For [`mutate`]: publish `action` of `kind` about the node written.
pub(crate) fn announce<T: Placed>(
    kind: EventKind,
    action: &'static str,
) -> impl Fn(&T) -> Option<Notice> + Copy {
    move |node| {
        Some(Notice {
            kind,
            action,
            node_id: node.node_id(),
            place: node.place(),
        })
    }
}

/// For [`mutate`]: a change with no live event (the catalogue, plans, activities, areas).
pub(crate) fn quiet<T>(_: &T) -> Option<Notice> {
    None
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
    let result = work.await;
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

/// Tell live subscribers about a change (after it committed). Never fails the mutation.
async fn publish(ctx: &Context<'_>, kind: EventKind, action: &str, node_id: i32, place: Place) {
    let (Ok(st), Ok(bus)) = (state(ctx), ctx.data::<EventBus>()) else {
        return;
    };
    let located = match place {
        Place::Group {
            group_id,
            organization_id,
        } => load(ctx, CollaborationGroupId(group_id))
            .await
            .ok()
            .flatten()
            .map(|g| (Some(g.district_id), Some(group_id), organization_id)),
        Place::Activity(activity_id) => match load(ctx, ActivityId(activity_id)).await {
            Ok(Some(a)) => load(ctx, ActionPlanId(a.action_plan_id))
                .await
                .ok()
                .flatten()
                .map(|p| (p.district_id, None, None)),
            _ => None,
        },
        Place::Obligation {
            organization_id, ..
        } => Some((None, None, Some(organization_id))),
    };
    let strategy_id = match place {
        Place::Obligation { strategy_id, .. } => Some(strategy_id),
        _ => None,
    };
    let Some((district_id, group_id, organization_id)) = located else {
        tracing::warn!(action, node_id, "cannot place an event; not published");
        return;
    };
    bus.publish(Event {
        kind,
        action: action.to_owned(),
        node_id,
        district_id,
        group_id,
        organization_id,
        strategy_id,
        actor: st.caller.sub.clone(),
    })
    .await;
}

/// Where a changed node lies, to route its event.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Place {
    /// In a group (commitments, seats, the group itself).
    Group {
        group_id: i32,
        organization_id: Option<i32>,
    },
    /// Under an activity (follow-ups).
    Activity(i32),
    /// An obligation: the strategy that sets it and the body that owes it.
    Obligation {
        strategy_id: i32,
        organization_id: i32,
    },
}

// --- The city's cycle (issue 14) ---------------------------------------------------------

impl Placed for entity::obligation::Model {
    fn node_id(&self) -> i32 {
        self.id
    }
    fn place(&self) -> Place {
        Place::Obligation {
            strategy_id: self.strategy_id,
            organization_id: self.organization_id,
        }
    }
}

/// Tell live subscribers that `action` (e.g. `situationPicture.update`) may have changed
/// each of `nodes` (after the change committed; never fails the mutation).
pub(crate) async fn announce_all<T: Placed>(
    ctx: &Context<'_>,
    kind: EventKind,
    action: &'static str,
    nodes: &[T],
) {
    for node in nodes {
        publish(ctx, kind, action, node.node_id(), node.place()).await;
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
