//! Live updates over the graphql-transport-ws protocol (`/graphql/ws`).
//!
//! Each event carries the node as it is after the change and who changed it. Every role
//! may read commitments, follow-ups and groups, so every authenticated subscriber
//! receives the events its filter selects.

use async_graphql::{Context, ID, InputObject, Object, Subscription};
use futures_util::{Stream, StreamExt, stream};
use tokio::sync::broadcast::error::RecvError;

use super::ids::{NodeType, decode_as, encode};
use super::load;
use crate::events::{Event, EventBus, EventKind};
use crate::graphql::prelude::*;

/// Which commitment changes to receive; all given filters must hold.
#[derive(InputObject, Debug, Default, Clone)]
pub struct CommitmentChangedFilter {
    /// Commitments in groups of this district (a District ID).
    pub district: Option<ID>,
    /// Commitments in this group (a CollaborationGroup ID).
    pub group: Option<ID>,
    /// Commitments of this organization (an Organization ID).
    pub organization: Option<ID>,
}

/// Which follow-up reports to receive.
#[derive(InputObject, Debug, Default, Clone)]
pub struct FollowUpReportedFilter {
    /// Follow-ups of activities in this district's plans (a District ID).
    pub district: Option<ID>,
}

/// A commitment was created, changed or removed.
#[derive(Debug, Clone)]
pub struct CommitmentChangedEvent(Event);

/// A commitment was created, changed or removed.
#[Object]
impl CommitmentChangedEvent {
    /// The commitment as it is now; null when it was removed.
    async fn commitment(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Commitment>> {
        Ok(load(ctx, CommitmentId(self.0.node_id))
            .await?
            .map(Commitment))
    }
    /// The commitment's ID (also when it was removed).
    async fn commitment_id(&self) -> ID {
        encode(NodeType::Commitment, self.0.node_id)
    }
    /// What happened: `commitment.create`, `commitment.update` or `commitment.delete`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The token subject who made the change.
    async fn actor(&self) -> &str {
        &self.0.actor
    }
}

/// A follow-up was reported, changed or locked.
#[derive(Debug, Clone)]
pub struct FollowUpReportedEvent(Event);

/// A follow-up was reported, changed or locked.
#[Object]
impl FollowUpReportedEvent {
    /// The follow-up as it is now.
    async fn follow_up(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<FollowUp>> {
        Ok(load(ctx, FollowUpId(self.0.node_id)).await?.map(FollowUp))
    }
    /// What happened: `followUp.create`, `followUp.update` or `followUp.submit`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The token subject who made the change.
    async fn actor(&self) -> &str {
        &self.0.actor
    }
}

/// A collaboration group, who takes part in it, or its follow-up changed.
#[derive(Debug, Clone)]
pub struct GroupChangedEvent(Event);

/// A collaboration group, who takes part in it, or its follow-up changed.
#[Object]
impl GroupChangedEvent {
    /// The group as it is now.
    async fn group(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<CollaborationGroup>> {
        match self.0.group_id {
            Some(id) => Ok(load(ctx, CollaborationGroupId(id))
                .await?
                .map(CollaborationGroup)),
            None => Ok(None),
        }
    }
    /// What happened, e.g. `collaborationGroup.update`, `participation.create`, or for
    /// the group's follow-ups `groupFollowUp.create`, `groupFollowUp.update` or
    /// `groupFollowUp.submit`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The group follow-up as it is now, when the event is about one (action
    /// `groupFollowUp.…`); else null.
    async fn group_follow_up(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<GroupFollowUp>> {
        if !self.0.action.starts_with("groupFollowUp.") {
            return Ok(None);
        }
        Ok(load(ctx, GroupFollowUpId(self.0.node_id))
            .await?
            .map(GroupFollowUp))
    }
    /// The token subject who made the change.
    async fn actor(&self) -> &str {
        &self.0.actor
    }
}

/// The events of `bus` that `keep` selects, as a stream. A subscriber that falls far
/// behind skips the events it missed rather than blocking others.
fn events<F>(bus: &EventBus, keep: F) -> impl Stream<Item = Event> + use<F>
where
    F: Fn(&Event) -> bool + Send + 'static,
{
    stream::unfold(bus.subscribe(), |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(event) => return Some((event, rx)),
                Err(RecvError::Lagged(skipped)) => {
                    tracing::warn!(skipped, "a slow subscriber skipped events");
                }
                Err(RecvError::Closed) => return None,
            }
        }
    })
    .filter(move |e| std::future::ready(keep(e)))
}

fn opt(id: Option<&ID>, kind: NodeType, field: &str) -> async_graphql::Result<Option<i32>> {
    Ok(id.map(|id| decode_as(id, kind, field)).transpose()?)
}

/// Live updates.
#[derive(Debug, Default)]
pub struct SubscriptionRoot;

/// Live updates.
#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// Commitments created, changed or removed, optionally of one district, group or
    /// organization.
    async fn commitment_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which commitments.")] filter: Option<CommitmentChangedFilter>,
    ) -> async_graphql::Result<impl Stream<Item = CommitmentChangedEvent> + use<>> {
        let f = filter.unwrap_or_default();
        let district = opt(f.district.as_ref(), NodeType::District, "filter.district")?;
        let group = opt(
            f.group.as_ref(),
            NodeType::CollaborationGroup,
            "filter.group",
        )?;
        let org = opt(
            f.organization.as_ref(),
            NodeType::Organization,
            "filter.organization",
        )?;
        let bus = ctx.data::<EventBus>()?;
        Ok(events(bus, move |e| {
            e.kind == EventKind::Commitment
                && district.is_none_or(|d| e.district_id == Some(d))
                && group.is_none_or(|g| e.group_id == Some(g))
                && org.is_none_or(|o| e.organization_id == Some(o))
        })
        .map(CommitmentChangedEvent))
    }

    /// Follow-ups reported, changed or locked, optionally of one district.
    async fn follow_up_reported(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which follow-ups.")] filter: Option<FollowUpReportedFilter>,
    ) -> async_graphql::Result<impl Stream<Item = FollowUpReportedEvent> + use<>> {
        let f = filter.unwrap_or_default();
        let district = opt(f.district.as_ref(), NodeType::District, "filter.district")?;
        let bus = ctx.data::<EventBus>()?;
        Ok(events(bus, move |e| {
            e.kind == EventKind::FollowUp && district.is_none_or(|d| e.district_id == Some(d))
        })
        .map(FollowUpReportedEvent))
    }

    /// Collaboration groups created, changed or archived, seats taken, changed or given
    /// up, and groups' follow-ups reported, changed or locked, optionally of one
    /// district.
    async fn group_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only groups of this district (a District ID).")] district: Option<ID>,
    ) -> async_graphql::Result<impl Stream<Item = GroupChangedEvent> + use<>> {
        let district = opt(district.as_ref(), NodeType::District, "district")?;
        let bus = ctx.data::<EventBus>()?;
        Ok(events(bus, move |e| {
            e.kind == EventKind::Group && district.is_none_or(|d| e.district_id == Some(d))
        })
        .map(GroupChangedEvent))
    }

    /// Obligations created, changed or removed — and deliveries saved that may change an
    /// obligation's state (a situation picture or cause analysis of its body, an action
    /// plan it owns, the submission of follow-ups of its plans' district for its period,
    /// action `followUp.submit`) — optionally of one strategy. Each event names one obligation: ask
    /// for its `state` and `deliveredBy`.
    async fn obligation_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only obligations this strategy sets (a Strategy ID).")] strategy: Option<
            ID,
        >,
    ) -> async_graphql::Result<impl Stream<Item = ObligationChangedEvent> + use<>> {
        let strategy = opt(strategy.as_ref(), NodeType::Strategy, "strategy")?;
        let bus = ctx.data::<EventBus>()?;
        Ok(events(bus, move |e| {
            e.kind == EventKind::Obligation && strategy.is_none_or(|s| e.strategy_id == Some(s))
        })
        .map(ObligationChangedEvent))
    }
}
