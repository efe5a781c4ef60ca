//! The Relay `Node` interface: every object with a global ID, and `node`/`nodes`, which
//! fetch objects by ID (see `ids.rs` for the IDs themselves).

use async_graphql::{Context, ID, Interface, Object};

use crate::graphql::prelude::*;

/// An object with a global ID.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The object's opaque global ID."))]
pub enum Node {
    /// A municipality.
    Municipality(Municipality),
    /// A district.
    District(District),
    /// An organization.
    Organization(Organization),
    /// A strategy.
    Strategy(Strategy),
    /// A priority area.
    PriorityArea(PriorityArea),
    /// A focus area.
    FocusArea(FocusArea),
    /// A method.
    Method(Method),
    /// An action plan.
    ActionPlan(ActionPlan),
    /// An activity.
    Activity(Activity),
    /// A responsibility.
    Responsibility(Responsibility),
    /// A follow-up.
    FollowUp(FollowUp),
    /// A collaboration area.
    CollaborationArea(CollaborationArea),
    /// A collaboration group.
    CollaborationGroup(CollaborationGroup),
    /// A participation.
    Participation(Participation),
    /// A commitment.
    Commitment(Commitment),
    /// An indicator.
    Indicator(Indicator),
    /// A target on an indicator.
    Target(Target),
    /// A measured value of an indicator.
    Measurement(Measurement),
    /// A collaboration group's follow-up of one period.
    GroupFollowUp(GroupFollowUp),
    /// A source document of the demo data.
    SourceDocument(SourceDocument),
    /// An obligation.
    Obligation(Obligation),
    /// A situation picture (lägesbild).
    SituationPicture(SituationPicture),
    /// A finding of a situation picture.
    Finding(Finding),
    /// A cause analysis (orsaksanalys).
    CauseAnalysis(CauseAnalysis),
    /// A group of the identity provider mapped to an organization (admins read it).
    ProviderGroup(crate::graphql::provider_groups::ProviderGroup),
}

/// Objects by global ID.
#[derive(Debug, Default)]
pub struct NodeQuery;

/// Objects by global ID.
#[Object]
impl NodeQuery {
    /// Any object by its global ID; null when it does not exist.
    #[graphql(complexity = "crate::graphql::pagination::STATEMENT_COST + child_complexity")]
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The object's global ID.")] id: ID,
    ) -> async_graphql::Result<Option<Node>> {
        let (kind, n) = decode(&id)?;
        Ok(match kind {
            NodeType::Municipality => load(ctx, MunicipalityId(n))
                .await?
                .map(|m| Node::Municipality(Municipality(m))),
            NodeType::District => load(ctx, DistrictId(n))
                .await?
                .map(|m| Node::District(District(m))),
            NodeType::Organization => load(ctx, OrganizationId(n))
                .await?
                .map(|m| Node::Organization(Organization(m))),
            NodeType::Strategy => load(ctx, StrategyId(n))
                .await?
                .map(|m| Node::Strategy(Strategy(m))),
            NodeType::PriorityArea => load(ctx, PriorityAreaId(n))
                .await?
                .map(|m| Node::PriorityArea(PriorityArea(m))),
            NodeType::FocusArea => load(ctx, FocusAreaId(n))
                .await?
                .map(|m| Node::FocusArea(FocusArea(m))),
            NodeType::Method => load(ctx, MethodId(n))
                .await?
                .map(|m| Node::Method(Method(m))),
            NodeType::ActionPlan => load(ctx, ActionPlanId(n))
                .await?
                .map(|m| Node::ActionPlan(ActionPlan(m))),
            NodeType::Activity => load(ctx, ActivityId(n))
                .await?
                .map(|m| Node::Activity(Activity(m))),
            NodeType::Responsibility => load(ctx, ResponsibilityId(n))
                .await?
                .map(|m| Node::Responsibility(Responsibility(m))),
            NodeType::FollowUp => load(ctx, FollowUpId(n))
                .await?
                .map(|m| Node::FollowUp(FollowUp(m))),
            NodeType::CollaborationArea => load(ctx, CollaborationAreaId(n))
                .await?
                .map(|m| Node::CollaborationArea(CollaborationArea(m))),
            NodeType::CollaborationGroup => load(ctx, CollaborationGroupId(n))
                .await?
                .map(|m| Node::CollaborationGroup(CollaborationGroup(m))),
            NodeType::Participation => load(ctx, ParticipationId(n))
                .await?
                .map(|m| Node::Participation(Participation(m))),
            NodeType::Commitment => load(ctx, CommitmentId(n))
                .await?
                .map(|m| Node::Commitment(Commitment(m))),
            // Admins read the provider's groups; for others the ID names nothing.
            NodeType::ProviderGroup => match authz::provider_groups(actor(ctx).await?) {
                Ok(()) => load(ctx, ProviderGroupId(n)).await?.map(|m| {
                    Node::ProviderGroup(crate::graphql::provider_groups::ProviderGroup(m))
                }),
                Err(_) => None,
            },
            NodeType::Obligation => load(ctx, ObligationId(n))
                .await?
                .map(|m| Node::Obligation(Obligation(m))),
            NodeType::SituationPicture => load(ctx, SituationPictureId(n))
                .await?
                .map(|m| Node::SituationPicture(SituationPicture(m))),
            NodeType::Finding => load(ctx, FindingId(n))
                .await?
                .map(|m| Node::Finding(Finding(m))),
            NodeType::CauseAnalysis => load(ctx, CauseAnalysisId(n))
                .await?
                .map(|m| Node::CauseAnalysis(CauseAnalysis(m))),
            NodeType::GroupFollowUp => load(ctx, GroupFollowUpId(n))
                .await?
                .map(|m| Node::GroupFollowUp(GroupFollowUp(m))),
            NodeType::Indicator => load(ctx, IndicatorId(n))
                .await?
                .map(|m| Node::Indicator(Indicator(m))),
            NodeType::Target => load(ctx, TargetId(n))
                .await?
                .map(|m| Node::Target(Target(m))),
            NodeType::Measurement => load(ctx, MeasurementId(n))
                .await?
                .map(|m| Node::Measurement(Measurement(m))),
            NodeType::SourceDocument => load(ctx, SourceDocumentId(n))
                .await?
                .map(|m| Node::SourceDocument(SourceDocument(m))),
        })
    }

    /// Several objects by their global IDs, in the same order. Each item is answered on
    /// its own: where an ID is malformed (`BAD_USER_INPUT`) or names nothing
    /// (`NOT_FOUND`), that item is null and an error carries its index in `path`
    /// (`["nodes", 2]`); the other items are answered. At most 100 IDs (more:
    /// `BAD_USER_INPUT`, and `nodes` is null).
    #[graphql(
        complexity = "crate::graphql::pagination::STATEMENT_COST + ids.len().saturating_mul(child_complexity)"
    )]
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The objects' global IDs (at most 100).")] ids: Vec<ID>,
    ) -> async_graphql::Result<Vec<Option<async_graphql::Result<Node>>>> {
        if ids.len() > 100 {
            return Err(crate::error::AppError::bad_input("ids", "at most 100 IDs").into());
        }
        let lookups = ids.into_iter().enumerate().map(|(index, id)| async move {
            if let Err(err) = decode(&id) {
                let message = err.public_message();
                return Some(Err(crate::error::AppError::bad_input(
                    format!("ids.{index}"),
                    message,
                )
                .into()));
            }
            let found = self.node(ctx, id.clone()).await.and_then(|node| {
                node.ok_or_else(|| {
                    crate::error::AppError::not_found(
                        format!("ids.{index}"),
                        format!("no object has the ID {:?}", id.as_str()),
                    )
                    .into()
                })
            });
            Some(found)
        });
        Ok(futures_util::future::join_all(lookups).await)
    }
}
