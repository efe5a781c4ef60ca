//! Obligations: which body owes which deliverable under a strategy, and — as of a date —
//! whether it is delivered, and by what. The rules of the state are in
//! `services/obligations.rs`.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::*;

use crate::graphql::node::Node;
use crate::graphql::prelude::*;
use crate::graphql::scalars::{Date, DateTime};
use crate::services::obligations::{self as service, Delivery};

/// What a strategy requires a body to deliver (strategy 2024–2026, section 5.1).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::ObligationKind")]
pub enum ObligationKind {
    /// A local situation picture (lägesbild).
    SituationPicture,
    /// A cause analysis (orsaksanalys) made from the situation picture.
    CauseAnalysis,
    /// An action plan (åtgärdsplan) resting on the analysis.
    ActionPlan,
    /// A tertial follow-up of the plan (the obligation's `year` and `term` say which).
    FollowUp,
}

/// Where an obligation stands on a day.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::services::obligations::ObligationState")]
pub enum ObligationState {
    /// Its period has not begun (before 1 January of its year, else of the strategy's
    /// first year).
    NotDue,
    /// Its period has begun; not delivered and not yet late.
    Due,
    /// Not delivered, and past `dueOn` (without one: past the strategy's last year).
    Overdue,
    /// Delivered: `deliveredBy` names what delivered it.
    Delivered,
}

/// An obligation: a body the strategy binds owes a deliverable (a lägesbild, an
/// orsaksanalys, an åtgärdsplan, a tertial follow-up), for a year, due on a date where a
/// document gives one. Seeded from the strategy 2024–2026, section 5.1.
#[derive(Debug, Clone)]
pub struct Obligation(pub obligation::Model);

crate::plain_fields!(Obligation: id, kind, organization, year, term, due_on, note, version, updated_at);
crate::plain_enums!(ObligationKind);

impl Obligation {
    /// Where it stands on `as_of` (default: today in Stockholm), judged from what its
    /// body has delivered: one batch for every obligation of the page.
    async fn assess(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
    ) -> async_graphql::Result<service::Assessment> {
        let as_of = as_of.map_or_else(service::stockholm_today, Into::into);
        let key = DeliveriesOfOrganization {
            organization_id: self.0.organization_id,
            follow_ups: self.0.kind == entity::enums::ObligationKind::FollowUp,
        };
        let (strategy, deliveries) = futures_util::try_join!(
            load_required(ctx, StrategyId(self.0.strategy_id)),
            load(ctx, key),
        )?;
        Ok(service::assess(
            &self.0,
            &strategy,
            &deliveries.unwrap_or_default(),
            as_of,
        ))
    }
}

/// An obligation: a body the strategy binds owes a deliverable (a lägesbild, an
/// orsaksanalys, an åtgärdsplan, a tertial follow-up), for a year, due on a date where a
/// document gives one. Seeded from the strategy 2024–2026, section 5.1.
#[Object]
impl Obligation {
    /// The obligation's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::Obligation, self.0.id)
    }
    /// Where the record comes from (its source document, and whether it is a reading
    /// rather than as written); null when it was made in the service (neither seeded nor
    /// imported from a file).
    async fn provenance(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Provenance>> {
        crate::graphql::provenance::of(ctx, "Obligation", self.0.id).await
    }
    /// What is owed.
    async fn kind(&self) -> ObligationKind {
        self.0.kind.into()
    }
    /// The body that owes it.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Organization> {
        Ok(Organization(
            load_required(ctx, OrganizationId(self.0.organization_id)).await?,
        ))
    }
    /// The strategy that sets it.
    async fn strategy(&self, ctx: &Context<'_>) -> async_graphql::Result<Strategy> {
        Ok(Strategy(
            load_required(ctx, StrategyId(self.0.strategy_id)).await?,
        ))
    }
    /// The year it is owed for; null when for the strategy's whole period.
    async fn year(&self) -> Option<i32> {
        self.0.year
    }
    /// The reporting period (FOLLOW_UP only).
    async fn term(&self) -> Option<Term> {
        self.0.term.map(Into::into)
    }
    /// The day it is due, where a document gives one; null otherwise (never invented).
    async fn due_on(&self) -> Option<Date> {
        self.0.due_on.map(Date)
    }
    /// A note, as written (e.g. the words of the strategy that set it).
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// Where it stands on `asOf`, computed from what is in the service: DELIVERED when a
    /// situation picture, cause analysis, action plan or the plan's follow-ups of its
    /// body count for it (see `deliveredBy`), else NOT_DUE before its period, OVERDUE
    /// after `dueOn` (without one: after the strategy's last year), else DUE.
    async fn state(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The day to judge by (default: today in Stockholm).")] as_of: Option<Date>,
    ) -> async_graphql::Result<ObligationState> {
        Ok(self.assess(ctx, as_of).await?.state.into())
    }
    /// What delivered it by `asOf`: a SituationPicture (SITUATION_PICTURE), a
    /// CauseAnalysis (CAUSE_ANALYSIS) or an ActionPlan (ACTION_PLAN, and FOLLOW_UP: the
    /// plan whose follow-ups of the period are all submitted); the latest dated when
    /// several do; null while not delivered.
    async fn delivered_by(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The day to judge by (default: today in Stockholm).")] as_of: Option<Date>,
    ) -> async_graphql::Result<Option<Node>> {
        Ok(match self.assess(ctx, as_of).await?.delivered_by {
            Some(Delivery::SituationPicture(m)) => {
                Some(Node::SituationPicture(SituationPicture(m)))
            }
            Some(Delivery::CauseAnalysis(m)) => Some(Node::CauseAnalysis(CauseAnalysis(m))),
            Some(Delivery::ActionPlan(m)) => Some(Node::ActionPlan(ActionPlan(m))),
            None => None,
        })
    }
    /// Version, raised by every edit.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
    /// Whether the caller may change it (admins of the strategy's municipality).
    async fn viewer_can_update(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let municipality = load_required(ctx, StrategyId(self.0.strategy_id))
            .await?
            .municipality_id;
        can(ctx, |a| authz::obligations(a, municipality)).await
    }
}

/// Filters of an obligations list.
#[derive(InputObject, Debug, Default, Clone)]
pub struct ObligationFilterInput {
    /// Obligations of this body (an Organization ID).
    pub organization: Option<ID>,
    /// Obligations of this kind.
    pub kind: Option<ObligationKind>,
}

/// A page of `rows` (obligations) after `filter`.
pub(crate) fn obligation_page(
    rows: Vec<obligation::Model>,
    filter: Option<ObligationFilterInput>,
    args: PageArgs,
) -> AppResult<Page<Obligation>> {
    let f = filter.unwrap_or_default();
    let org = opt_id(
        f.organization.as_ref(),
        NodeType::Organization,
        "filter.organization",
    )?;
    let kind: Option<entity::enums::ObligationKind> = f.kind.map(Into::into);
    let rows = rows
        .into_iter()
        .filter(|o| org.is_none_or(|id| o.organization_id == id))
        .filter(|o| kind.is_none_or(|k| o.kind == k))
        .collect();
    Ok(page_vec(rows, |r| r.id, Obligation, args))
}

/// Add an obligation to a strategy (admins).
#[derive(InputObject, Debug)]
pub struct CreateObligationInput {
    /// The strategy that sets it (a Strategy ID).
    pub strategy: ID,
    /// The body that owes it (an Organization ID).
    pub organization: ID,
    /// What is owed.
    pub kind: ObligationKind,
    /// The year it is owed for (within the strategy's years); required for FOLLOW_UP.
    pub year: Option<i32>,
    /// The reporting period; FOLLOW_UP only, and required there.
    pub term: Option<Term>,
    /// The day it is due, where a document gives one.
    pub due_on: Option<Date>,
    /// A note (at most 8000 characters).
    pub note: Option<String>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// Change an obligation (admins); omitted fields stay, `null` clears.
#[derive(InputObject, Debug)]
pub struct UpdateObligationInput {
    /// The obligation (an Obligation ID).
    pub id: ID,
    /// The version the edit was based on.
    pub expected_version: i32,
    /// The body that owes it (an Organization ID).
    pub organization: Option<ID>,
    /// What is owed.
    pub kind: Option<ObligationKind>,
    /// The year it is owed for.
    pub year: MaybeUndefined<i32>,
    /// The reporting period (FOLLOW_UP).
    pub term: MaybeUndefined<Term>,
    /// The day it is due.
    pub due_on: MaybeUndefined<Date>,
    /// A note.
    pub note: MaybeUndefined<String>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of an obligation mutation.
#[derive(SimpleObject, Debug)]
pub struct ObligationPayload {
    /// The obligation after the change; on a `CONFLICT`, the current obligation.
    pub obligation: Option<Obligation>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

/// An obligation changed, or a delivery that may count for it was saved.
#[derive(Debug, Clone)]
pub struct ObligationChangedEvent(pub(crate) Event);

/// An obligation changed, or a delivery that may count for it was saved.
#[Object]
impl ObligationChangedEvent {
    /// The obligation as it is now (ask for its `state` and `deliveredBy`); null when it
    /// was removed.
    async fn obligation(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Obligation>> {
        Ok(load(ctx, ObligationId(self.0.node_id))
            .await?
            .map(Obligation))
    }
    /// The obligation's ID (also when it was removed).
    async fn obligation_id(&self) -> ID {
        encode(NodeType::Obligation, self.0.node_id)
    }
    /// What happened: `obligation.create|update|delete`, or the delivery saved —
    /// `situationPicture.create|update|delete`, `causeAnalysis.update|delete`,
    /// `actionPlan.create|update`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The token subject who made the change.
    async fn actor(&self) -> &str {
        &self.0.actor
    }
}

/// Changes to obligations.
#[derive(Debug, Default)]
pub struct ObligationsMutation;

/// Changes to obligations.
#[Object]
impl ObligationsMutation {
    /// Add an obligation to a strategy (admins).
    async fn create_obligation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new obligation.")] input: CreateObligationInput,
    ) -> async_graphql::Result<ObligationPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, (), async {
            let fields = service::ObligationFields {
                strategy_id: Some(decode_as(
                    &input.strategy,
                    NodeType::Strategy,
                    "input.strategy",
                )?),
                organization_id: Some(decode_as(
                    &input.organization,
                    NodeType::Organization,
                    "input.organization",
                )?),
                kind: Some(input.kind.into()),
                year: Some(input.year),
                term: Some(input.term.map(Into::into)),
                due_on: Some(input.due_on.map(Into::into)),
                note: Some(input.note),
            };
            service::create_obligation(&st.db, actor, fields).await
        })
        .await?;
        Ok(ObligationPayload {
            obligation: node.map(Obligation),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Change an obligation (admins), based on the version you read.
    async fn update_obligation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which obligation, from which version, what changes.")]
        input: UpdateObligationInput,
    ) -> async_graphql::Result<ObligationPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let id = decode_as(&input.id, NodeType::Obligation, "input.id");
        let known = id.as_ref().ok().copied();
        let (node, user_errors) = mutate(ctx, known.map(ObligationId), async {
            let fields = service::ObligationFields {
                strategy_id: None,
                organization_id: opt_id(
                    input.organization.as_ref(),
                    NodeType::Organization,
                    "input.organization",
                )?,
                kind: input.kind.map(Into::into),
                year: patch(input.year),
                term: patch(input.term).map(|t| t.map(Into::into)),
                due_on: patch(input.due_on).map(|d| d.map(Into::into)),
                note: patch(input.note),
            };
            service::update_obligation(&st.db, actor, id?, input.expected_version, fields).await
        })
        .await?;
        Ok(ObligationPayload {
            obligation: node.map(Obligation),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Remove an obligation (admins), based on the version you read.
    async fn delete_obligation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which obligation, from which version.")] input: DeleteInput,
    ) -> async_graphql::Result<DeletePayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, (), async {
            let id = decode_as(&input.id, NodeType::Obligation, "input.id")?;
            service::delete_obligation(&st.db, actor, id, input.expected_version).await
        })
        .await?;
        Ok(DeletePayload {
            deleted_id: node.map(|o| encode(NodeType::Obligation, o.id)),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }
}
