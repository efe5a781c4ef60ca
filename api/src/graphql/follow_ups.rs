//! Follow-ups: an activity's status and effects at each reporting period (T1, T2, the
//! annual report).

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use entity::*;

use crate::graphql::prelude::*;

/// The status of an activity as reported in a follow-up.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::FollowUpStatus")]
pub enum FollowUpStatus {
    /// Planned, not started.
    Planned,
    /// Pågår.
    Ongoing,
    /// Klart.
    Done,
    /// Pausad.
    Paused,
    /// Cancelled.
    Cancelled,
}

/// The city's reporting points of a year.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::Term")]
pub enum Term {
    /// Tertialrapport 1: January–April.
    T1,
    /// Tertialrapport 2: May–August (status as of 31 August).
    T2,
    /// Verksamhetsberättelse: the whole year.
    Annual,
}

/// A reporting period: a year and a term.
#[derive(Debug, Clone, Copy)]
pub struct ReportingPeriod {
    /// The year.
    pub year: i32,
    /// The term of the year.
    pub term: Term,
}

/// A reporting period: a year and a term.
#[Object]
impl ReportingPeriod {
    /// The year.
    async fn year(&self) -> i32 {
        self.year
    }

    /// The term of the year.
    async fn term(&self) -> Term {
        self.term
    }
}

crate::plain_enums!(FollowUpStatus, Term);
crate::plain_fields!(ReportingPeriod: year, term);
crate::plain_fields!(FollowUp: id, period, status, effects, as_of, locked, version, updated_at, reported_by_sub);

/// An activity's status at one reporting period.
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct StatusAtPeriod {
    /// The period.
    pub period: ReportingPeriod,
    /// The status reported.
    pub status: FollowUpStatus,
    /// The date the status describes.
    pub as_of: Option<crate::graphql::scalars::Date>,
}

/// A follow-up of an activity for one reporting period: status and effects.
#[derive(Debug, Clone)]
pub struct FollowUp(pub follow_up::Model);

/// A follow-up of an activity for one reporting period: status and effects.
#[Object]
impl FollowUp {
    /// The follow-up's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::FollowUp, self.0.id)
    }
    /// Where the record comes from (its source document, and whether it is a reading
    /// rather than as written); null when it was made in the service (neither seeded nor
    /// imported from a file).
    async fn provenance(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Provenance>> {
        crate::graphql::provenance::of(ctx, "FollowUp", self.0.id).await
    }
    /// The reporting period it covers.
    async fn period(&self) -> ReportingPeriod {
        ReportingPeriod {
            year: self.0.year,
            term: self.0.term.into(),
        }
    }
    /// The reported status.
    async fn status(&self) -> FollowUpStatus {
        self.0.status.into()
    }
    /// Effekter och resultat, as written.
    async fn effects(&self) -> Option<&str> {
        self.0.effects.as_deref()
    }
    /// The date the status describes (e.g. 2021-08-31 for T2).
    async fn as_of(&self) -> Option<crate::graphql::scalars::Date> {
        self.0.as_of.map(Into::into)
    }
    /// Whether the period has been submitted (locked follow-ups change only by an
    /// admin).
    async fn locked(&self) -> bool {
        self.0.locked
    }
    /// Version, raised by every edit.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was last changed.
    async fn updated_at(&self) -> crate::graphql::scalars::DateTime {
        self.0.updated_at.into()
    }
    /// The token subject who reported it, when reported through the API.
    async fn reported_by_sub(&self) -> Option<&str> {
        self.0.reported_by_sub.as_deref()
    }
    /// The organization that reported it.
    async fn reported_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        match self.0.reported_by_organization_id {
            Some(id) => Ok(load(ctx, OrganizationId(id)).await?.map(Organization)),
            None => Ok(None),
        }
    }
    /// Whether the caller may change this report (a locked one: admins only).
    async fn viewer_can_update(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let activity = load_required(ctx, ActivityId(self.0.activity_id)).await?;
        let plan = load_required(ctx, ActionPlanId(activity.action_plan_id)).await?;
        let responsible = responsible_organizations(ctx, activity.id).await?;
        let locked = self.0.locked;
        can(ctx, |a| {
            authz::follow_up(a, &responsible, plans::scope(&plan), locked)
        })
        .await
    }
    /// Its changes, oldest first (the district's coordinators and admins).
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, last, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<AuditEvent>> {
        let args = page_args(
            ctx,
            encode(NodeType::FollowUp, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let activity = load_required(ctx, ActivityId(self.0.activity_id)).await?;
        let plan = load_required(ctx, ActionPlanId(activity.action_plan_id)).await?;
        history(ctx, "FollowUp", self.0.id, plan.district_id, args).await
    }
    /// The activity followed up.
    async fn activity(&self, ctx: &Context<'_>) -> async_graphql::Result<Activity> {
        Ok(Activity(
            load_required(ctx, ActivityId(self.0.activity_id)).await?,
        ))
    }
}

/// A reporting period as input: a year and a term.
#[derive(InputObject, Debug, Clone, Copy)]
pub struct ReportingPeriodInput {
    /// The year, e.g. 2021.
    pub year: i32,
    /// The term: T1, T2 or ANNUAL.
    pub term: Term,
}

/// Which follow-ups an activity must have.
#[derive(InputObject, Debug, Clone, Copy)]
pub struct FollowUpFilter {
    /// The reporting period.
    pub period: ReportingPeriodInput,
    /// Only follow-ups with this status (any status when omitted).
    pub status: Option<FollowUpStatus>,
}

/// Report an activity's status for one period.
#[derive(InputObject, Debug)]
pub struct ReportFollowUpInput {
    /// The activity (an Activity ID).
    pub activity: ID,
    /// The reporting period.
    pub period: ReportingPeriodInput,
    /// The status.
    pub status: FollowUpStatus,
    /// Effekter och resultat.
    pub effects: Option<String>,
    /// The date the status describes; default: the end of the period (30 April, 31
    /// August, 31 December).
    pub as_of: Option<crate::graphql::scalars::Date>,
    /// Required when the period was reported before: the version the change is based on.
    pub expected_version: Option<i32>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of reporting a follow-up.
#[derive(SimpleObject, Debug)]
pub struct FollowUpPayload {
    /// The follow-up after the report; on a `CONFLICT`, the current follow-up.
    pub follow_up: Option<FollowUp>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

/// Submit a district's follow-ups of one period: they are locked (only an admin changes
/// them afterwards).
#[derive(InputObject, Debug)]
pub struct SubmitFollowUpsInput {
    /// The district (a District ID).
    pub district: ID,
    /// The reporting period.
    pub period: ReportingPeriodInput,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of submitting a period.
#[derive(SimpleObject, Debug)]
pub struct SubmitFollowUpsPayload {
    /// The follow-ups this submission locked.
    pub follow_ups: Vec<FollowUp>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

/// Reporting follow-ups.
#[derive(Debug, Default)]
pub struct FollowUpsMutation;

/// Reporting follow-ups.
#[Object]
impl FollowUpsMutation {
    /// Report an activity's status for a period (organizations responsible for the
    /// activity, the district's coordinators, admins). Reporting a period again needs
    /// `expectedVersion`.
    async fn report_follow_up(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which activity, which period, what status.")] input: ReportFollowUpInput,
    ) -> async_graphql::Result<FollowUpPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let activity = decode_as(&input.activity, NodeType::Activity, "input.activity");
        let known = activity.as_ref().ok().copied();
        let (year, term) = (input.period.year, input.period.term.into());
        let (node, user_errors) = mutate(
            ctx,
            known.map(|activity| ReportedPeriod {
                activity,
                year,
                term,
            }),
            async {
                follow_ups::report(
                    &st.db,
                    actor,
                    follow_ups::Report {
                        activity_id: activity?,
                        year,
                        term,
                        status: input.status.into(),
                        effects: input.effects,
                        as_of: input.as_of.map(Into::into),
                        expected_version: input.expected_version,
                    },
                )
                .await
            },
        )
        .await?;
        Ok(FollowUpPayload {
            follow_up: node.map(FollowUp),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Submit a district's follow-ups of a period (coordinators of the district, admins):
    /// they are locked; afterwards only an admin changes them.
    async fn submit_follow_ups(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which district, which period.")] input: SubmitFollowUpsInput,
    ) -> async_graphql::Result<SubmitFollowUpsPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, (), async {
            let district = decode_as(&input.district, NodeType::District, "input.district")?;
            follow_ups::submit(
                &st.db,
                actor,
                district,
                input.period.year,
                input.period.term.into(),
            )
            .await
        })
        .await?;
        if node.as_ref().is_some_and(|fs| !fs.is_empty()) {
            announce_submission(ctx, &input).await;
        }
        Ok(SubmitFollowUpsPayload {
            follow_ups: node.unwrap_or_default().into_iter().map(FollowUp).collect(),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }
}

/// After a district's follow-ups of a period were submitted: tell the subscribers of the
/// `FOLLOW_UP` obligations of that period the submission may have delivered.
async fn announce_submission(ctx: &Context<'_>, input: &SubmitFollowUpsInput) {
    let (Ok(st), Ok(district)) = (
        state(ctx),
        decode_as(&input.district, NodeType::District, "input.district"),
    ) else {
        return;
    };
    let (year, term) = (input.period.year, input.period.term.into());
    let concerned = obligations::concerned_by_submission(&st.db, district, year, term).await;
    announce_obligations(ctx, "followUp.submit", concerned).await;
}

/// One activity's follow-up for one period: what a report reloads after a `CONFLICT`.
struct ReportedPeriod {
    activity: i32,
    year: i32,
    term: entity::enums::Term,
}

impl Reload<follow_up::Model> for ReportedPeriod {
    fn reload<'c>(
        self,
        ctx: &'c Context<'_>,
    ) -> futures_util::future::BoxFuture<'c, async_graphql::Result<Option<follow_up::Model>>> {
        Box::pin(async move {
            Ok(load(ctx, FollowUpsOfActivity(self.activity))
                .await?
                .unwrap_or_default()
                .into_iter()
                .find(|f| f.year == self.year && f.term == self.term))
        })
    }
}
