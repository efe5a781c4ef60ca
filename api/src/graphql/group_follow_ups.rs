//! Group follow-ups: a collaboration group's status and notes at each reporting period
//! (T1, T2, the annual report), reported by the organizations with a seat in it or the
//! district's coordinators, and locked when the district submits the period — the same
//! rules, versions and locking as activities' follow-ups (`follow_ups.rs`).

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::*;

use crate::graphql::prelude::*;
use crate::services::group_follow_ups;

/// A follow-up of a collaboration group for one reporting period: its status and notes.
#[derive(Debug, Clone)]
pub struct GroupFollowUp(pub group_follow_up::Model);

crate::plain_fields!(GroupFollowUp: id, group, period, status, notes, as_of, reported_by, reported_by_sub, locked, version, updated_at);

/// A follow-up of a collaboration group for one reporting period: its status and notes.
#[Object]
impl GroupFollowUp {
    /// The follow-up's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::GroupFollowUp, self.0.id)
    }
    /// The group followed up.
    async fn group(&self, ctx: &Context<'_>) -> async_graphql::Result<CollaborationGroup> {
        Ok(CollaborationGroup(
            load_required(ctx, CollaborationGroupId(self.0.collaboration_group_id)).await?,
        ))
    }
    /// The reporting period it covers.
    async fn period(&self) -> ReportingPeriod {
        ReportingPeriod {
            year: self.0.year,
            term: self.0.term.into(),
        }
    }
    /// The reported status of the group's work.
    async fn status(&self) -> FollowUpStatus {
        self.0.status.into()
    }
    /// Notes: what the group did and achieved in the period, as written.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// The date the status describes (e.g. 2021-08-31 for T2).
    async fn as_of(&self) -> Option<crate::graphql::scalars::Date> {
        self.0.as_of.map(Into::into)
    }
    /// The organization that reported it.
    async fn reported_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        match self.0.reported_by_organization_id {
            Some(id) => Ok(load(ctx, OrganizationId(id)).await?.map(Organization)),
            None => Ok(None),
        }
    }
    /// The token subject who reported it, when reported through the API.
    async fn reported_by_sub(&self) -> Option<&str> {
        self.0.reported_by_sub.as_deref()
    }
    /// Whether the district has submitted the period (locked follow-ups change only by
    /// an admin).
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
    /// Whether the caller may change this report (the organizations with a seat in the
    /// group, the district's coordinators, admins; a locked one: admins only).
    async fn viewer_can_update(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let group = load_required(ctx, CollaborationGroupId(self.0.collaboration_group_id)).await?;
        let seats = seat_organizations(ctx, group.id).await?;
        let locked = self.0.locked;
        can(ctx, |a| {
            authz::group_follow_up(a, &seats, group.district_id, locked)
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
            encode(NodeType::GroupFollowUp, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let group = load_required(ctx, CollaborationGroupId(self.0.collaboration_group_id)).await?;
        history(
            ctx,
            "GroupFollowUp",
            self.0.id,
            Some(group.district_id),
            args,
        )
        .await
    }
}

/// Report a collaboration group's status for one period.
#[derive(InputObject, Debug)]
pub struct ReportGroupFollowUpInput {
    /// The group (a CollaborationGroup ID).
    pub group: ID,
    /// The reporting period.
    pub period: ReportingPeriodInput,
    /// The status.
    pub status: FollowUpStatus,
    /// Notes: what the group did and achieved in the period.
    pub notes: Option<String>,
    /// The date the status describes; default: the end of the period (30 April, 31
    /// August, 31 December).
    pub as_of: Option<crate::graphql::scalars::Date>,
    /// Required when the period was reported before: the version the change is based on
    /// (omitted then: `CONFLICT`; given for a new period: `BAD_USER_INPUT`).
    pub expected_version: Option<i32>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of reporting a group follow-up.
#[derive(SimpleObject, Debug)]
pub struct GroupFollowUpPayload {
    /// The follow-up after the report; on a `CONFLICT`, the current follow-up.
    pub group_follow_up: Option<GroupFollowUp>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

/// Submit a district's group follow-ups of one period: they are locked (only an admin
/// changes them afterwards).
#[derive(InputObject, Debug)]
pub struct SubmitGroupFollowUpsInput {
    /// The district (a District ID).
    pub district: ID,
    /// The reporting period.
    pub period: ReportingPeriodInput,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of submitting a district's group follow-ups.
#[derive(SimpleObject, Debug)]
pub struct SubmitGroupFollowUpsPayload {
    /// The group follow-ups this submission locked.
    pub group_follow_ups: Vec<GroupFollowUp>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

/// Reporting group follow-ups.
#[derive(Debug, Default)]
pub struct GroupFollowUpsMutation;

/// Reporting group follow-ups.
#[Object]
impl GroupFollowUpsMutation {
    /// Report a collaboration group's status for a period (the organizations with a seat
    /// in the group, the district's coordinators, admins; once the period is submitted,
    /// admins only). Reporting a period again needs `expectedVersion`. Subscribers of
    /// `groupChanged` hear of it (`groupFollowUp.create` / `groupFollowUp.update`).
    async fn report_group_follow_up(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which group, which period, what status.")]
        input: ReportGroupFollowUpInput,
    ) -> async_graphql::Result<GroupFollowUpPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let group = decode_as(&input.group, NodeType::CollaborationGroup, "input.group");
        let known = group.as_ref().ok().copied();
        let (year, term) = (input.period.year, input.period.term.into());
        let (node, user_errors) = mutate(
            ctx,
            known.map(|group_id| GroupFollowUpOfPeriod {
                group_id,
                year,
                term,
            }),
            async {
                group_follow_ups::report(
                    &st.db,
                    actor,
                    group_follow_ups::GroupReport {
                        group_id: group?,
                        year,
                        term,
                        status: input.status.into(),
                        notes: input.notes,
                        as_of: input.as_of.map(Into::into),
                        expected_version: input.expected_version,
                    },
                )
                .await
            },
        )
        .await?;
        Ok(GroupFollowUpPayload {
            group_follow_up: node.map(GroupFollowUp),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Submit a district's group follow-ups of a period (coordinators of the district,
    /// admins): they are locked; afterwards only an admin changes them.
    async fn submit_group_follow_ups(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which district, which period.")] input: SubmitGroupFollowUpsInput,
    ) -> async_graphql::Result<SubmitGroupFollowUpsPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, (), async {
            let district = decode_as(&input.district, NodeType::District, "input.district")?;
            group_follow_ups::submit(
                &st.db,
                actor,
                district,
                input.period.year,
                input.period.term.into(),
            )
            .await
        })
        .await?;
        Ok(SubmitGroupFollowUpsPayload {
            group_follow_ups: node
                .unwrap_or_default()
                .into_iter()
                .map(GroupFollowUp)
                .collect(),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }
}

impl Reload<group_follow_up::Model> for GroupFollowUpOfPeriod {
    fn reload<'c>(
        self,
        ctx: &'c Context<'_>,
    ) -> futures_util::future::BoxFuture<'c, async_graphql::Result<Option<group_follow_up::Model>>>
    {
        Box::pin(load(ctx, self))
    }
}
