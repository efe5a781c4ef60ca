//! The GraphQL half of the one write path: a mutation's service call turned into its
//! payload (`userErrors` for what the caller can fix), and the event published after it.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, SimpleObject};

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
pub(crate) struct Outcome<T> {
    /// What the service answered, when it changed something.
    pub(crate) value: Option<T>,
    /// What the caller can fix, when it did not.
    pub(crate) errors: Vec<UserError>,
}

impl<T> Outcome<T> {
    /// Whether the change was refused for a stale version.
    pub(crate) fn conflicted(&self) -> bool {
        self.errors
            .iter()
            .any(|e| e.code == UserErrorCode::Conflict)
    }
}

/// Run one mutation: take the write turn, call the service, sort the result into a value,
/// user errors, or a GraphQL error (logging denials).
pub(crate) async fn run<T, F>(ctx: &Context<'_>, work: F) -> async_graphql::Result<Outcome<T>>
where
    F: Future<Output = AppResult<T>>,
{
    let st = state(ctx)?;
    let _turn = st.write_gate.enter().await;
    let result = work.await;
    // What the request read before the write may have changed.
    if let Ok(loader) = ctx.data::<super::batch::RequestLoader>() {
        loader.clear();
    }
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
pub(crate) async fn publish(
    ctx: &Context<'_>,
    kind: EventKind,
    action: &str,
    node_id: i32,
    place: Place,
) {
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
            .map(|g| (g.district_id, Some(group_id), organization_id)),
        Place::Activity(activity_id) => match load(ctx, ActivityId(activity_id)).await {
            Ok(Some(a)) => load(ctx, ActionPlanId(a.action_plan_id))
                .await
                .ok()
                .flatten()
                .map(|p| (p.district_id, None, None)),
            _ => None,
        },
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
        actor: st.caller.sub.clone(),
    })
    .await;
}

/// Where a changed node lies, to route its event.
pub(crate) enum Place {
    /// In a group (commitments, seats, the group itself).
    Group {
        group_id: i32,
        organization_id: Option<i32>,
    },
    /// Under an activity (follow-ups).
    Activity(i32),
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
