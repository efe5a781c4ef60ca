//! The root mutation. Each mutation takes one `input` and returns a payload with the
//! changed node, `userErrors` for expected failures (invalid input, unknown IDs, stale
//! versions — nothing is written) and the `clientMutationId` it was given. A denied change
//! is a GraphQL error with `extensions.code = FORBIDDEN`; nothing is written and the
//! attempt is logged.
//!
//! Resolvers are thin: decode IDs, call the service function that holds the rules, shape
//! the payload.

use std::future::Future;

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};

use super::ids::{NodeType, decode_as, encode};
use super::loaders::*;
use super::query::ReportingPeriodInput;
use super::types::*;
use super::{actor, load, state};
use crate::error::{AppError, AppResult};
use crate::events::{Event, EventBus, EventKind};
use crate::services::plans::Patch;
use crate::services::{admin, commitments, follow_ups, groups, plans};

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
    value: Option<T>,
    errors: Vec<UserError>,
}

impl<T> Outcome<T> {
    fn conflicted(&self) -> bool {
        self.errors
            .iter()
            .any(|e| e.code == UserErrorCode::Conflict)
    }
}

/// Run one mutation: take the write turn, call the service, sort the result into a value,
/// user errors, or a GraphQL error (logging denials).
async fn run<T, F>(ctx: &Context<'_>, work: F) -> async_graphql::Result<Outcome<T>>
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
enum Place {
    /// In a group (commitments, seats, the group itself).
    Group {
        group_id: i32,
        organization_id: Option<i32>,
    },
    /// Under an activity (follow-ups).
    Activity(i32),
}

fn patch<T>(v: MaybeUndefined<T>) -> Patch<T> {
    match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

fn patch_id(v: MaybeUndefined<ID>, kind: NodeType, field: &str) -> AppResult<Patch<i32>> {
    Ok(match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(id) => Some(Some(decode_as(&id, kind, field)?)),
    })
}

fn opt_id(v: Option<&ID>, kind: NodeType, field: &str) -> AppResult<Option<i32>> {
    v.map(|id| decode_as(id, kind, field)).transpose()
}

// ---------------------------------------------------------------------------------------
// Commitments and participations

/// Make a commitment in a group, for your own organization (or, as an admin, any).
#[derive(InputObject, Debug)]
pub struct CreateCommitmentInput {
    /// The group the commitment is made in (a CollaborationGroup ID).
    pub group: ID,
    /// The owning organization (an Organization ID); default: the token's organization.
    pub organization: Option<ID>,
    /// The promise.
    pub text: String,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// Change a commitment's text.
#[derive(InputObject, Debug)]
pub struct UpdateCommitmentInput {
    /// The commitment (a Commitment ID).
    pub id: ID,
    /// The version the edit was based on; a stale version is a `CONFLICT`.
    pub expected_version: i32,
    /// The new text.
    pub text: String,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
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

/// The result of a commitment mutation.
#[derive(SimpleObject, Debug)]
pub struct CommitmentPayload {
    /// The commitment after the change; on a `CONFLICT`, the current commitment.
    pub commitment: Option<Commitment>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
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

/// Take a seat in a group, for your own organization (coordinators and admins: any).
#[derive(InputObject, Debug)]
pub struct JoinGroupInput {
    /// The group (a CollaborationGroup ID).
    pub group: ID,
    /// The organization (an Organization ID); default: the token's organization.
    pub organization: Option<ID>,
    /// The contact's role (never a person's name), e.g. "Kommunpolis".
    pub contact_role: Option<String>,
    /// The organization's other participants.
    pub other_participants: Option<String>,
    /// Whether the organization convenes the group.
    #[graphql(default = false)]
    pub is_convener: bool,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// Change a seat; omitted fields stay, `null` clears.
#[derive(InputObject, Debug)]
pub struct UpdateParticipationInput {
    /// The seat (a Participation ID).
    pub id: ID,
    /// The version the edit was based on.
    pub expected_version: i32,
    /// The contact's role.
    pub contact_role: MaybeUndefined<String>,
    /// The organization's other participants.
    pub other_participants: MaybeUndefined<String>,
    /// Whether the organization convenes the group.
    pub is_convener: Option<bool>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of a participation mutation.
#[derive(SimpleObject, Debug)]
pub struct ParticipationPayload {
    /// The seat after the change; on a `CONFLICT`, the current seat.
    pub participation: Option<Participation>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Follow-ups

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
    pub as_of: Option<super::scalars::Date>,
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

// ---------------------------------------------------------------------------------------
// Plans and activities

/// Create an action plan for a district.
#[derive(InputObject, Debug)]
pub struct CreateActionPlanInput {
    /// The district (a District ID).
    pub district: ID,
    /// The strategy it follows (a Strategy ID).
    pub strategy: Option<ID>,
    /// Readable identifier; default: from the district and the years.
    pub slug: Option<String>,
    /// Title.
    pub title: String,
    /// Introduction.
    pub description: Option<String>,
    /// First year.
    pub start_year: Option<i32>,
    /// Last year.
    pub end_year: Option<i32>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// Change an action plan; omitted fields stay, `null` clears.
#[derive(InputObject, Debug)]
pub struct UpdateActionPlanInput {
    /// The plan (an ActionPlan ID).
    pub id: ID,
    /// The version the edit was based on.
    pub expected_version: i32,
    /// Title.
    pub title: Option<String>,
    /// Introduction.
    pub description: MaybeUndefined<String>,
    /// The strategy it follows (a Strategy ID).
    pub strategy: MaybeUndefined<ID>,
    /// First year.
    pub start_year: MaybeUndefined<i32>,
    /// Last year.
    pub end_year: MaybeUndefined<i32>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of an action plan mutation.
#[derive(SimpleObject, Debug)]
pub struct ActionPlanPayload {
    /// The plan after the change; on a `CONFLICT`, the current plan.
    pub action_plan: Option<ActionPlan>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

/// Who carries an activity.
#[derive(InputObject, Debug)]
pub struct ResponsibilityInput {
    /// The organization (an Organization ID).
    pub organization: ID,
    /// The role title(s), e.g. "Kommunpolis".
    pub role: Option<String>,
}

/// Add a row to an action plan.
#[derive(InputObject, Debug)]
pub struct CreateActivityInput {
    /// The plan (an ActionPlan ID).
    pub action_plan: ID,
    /// The priority area it serves (a PriorityArea ID).
    pub priority_area: Option<ID>,
    /// The focus area it serves (a FocusArea ID).
    pub focus_area: Option<ID>,
    /// Mål och nytta.
    pub goal: Option<String>,
    /// Metoder och arbetssätt.
    pub description: String,
    /// The methods it uses (Method IDs).
    #[graphql(default)]
    pub methods: Vec<ID>,
    /// Who carries it.
    #[graphql(default)]
    pub responsibilities: Vec<ResponsibilityInput>,
    /// Tidsplan as written.
    pub timeline: Option<String>,
    /// First year.
    pub start_year: Option<i32>,
    /// Last year.
    pub end_year: Option<i32>,
    /// Uppföljning as written.
    pub follow_up_schedule: Option<String>,
    /// The reporting points the schedule asks for.
    #[graphql(default)]
    pub follow_up_terms: Vec<Term>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// Change a row of a plan; omitted fields stay, `null` clears; lists replace.
#[derive(InputObject, Debug)]
pub struct UpdateActivityInput {
    /// The activity (an Activity ID).
    pub id: ID,
    /// The version the edit was based on.
    pub expected_version: i32,
    /// The priority area (a PriorityArea ID).
    pub priority_area: MaybeUndefined<ID>,
    /// The focus area (a FocusArea ID).
    pub focus_area: MaybeUndefined<ID>,
    /// Mål och nytta.
    pub goal: MaybeUndefined<String>,
    /// Metoder och arbetssätt.
    pub description: Option<String>,
    /// The methods it uses (replaces the set).
    pub methods: Option<Vec<ID>>,
    /// Who carries it (replaces the list).
    pub responsibilities: Option<Vec<ResponsibilityInput>>,
    /// Tidsplan as written.
    pub timeline: MaybeUndefined<String>,
    /// First year.
    pub start_year: MaybeUndefined<i32>,
    /// Last year.
    pub end_year: MaybeUndefined<i32>,
    /// Uppföljning as written.
    pub follow_up_schedule: MaybeUndefined<String>,
    /// The reporting points the schedule asks for.
    pub follow_up_terms: Option<Vec<Term>>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of an activity mutation.
#[derive(SimpleObject, Debug)]
pub struct ActivityPayload {
    /// The activity after the change; on a `CONFLICT`, the current activity.
    pub activity: Option<Activity>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Collaboration areas and groups

/// Create a collaboration area in a district.
#[derive(InputObject, Debug)]
pub struct CreateCollaborationAreaInput {
    /// The district (a District ID).
    pub district: ID,
    /// Readable identifier; default: from the district and the name.
    pub slug: Option<String>,
    /// Name, e.g. "Skolan som brottsplats".
    pub name: String,
    /// Övergripande mål och syfte.
    pub goal: Option<String>,
    /// Lägesbild.
    pub situation: Option<String>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of creating a collaboration area.
#[derive(SimpleObject, Debug)]
pub struct CollaborationAreaPayload {
    /// The new area.
    pub collaboration_area: Option<CollaborationArea>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

/// Create a collaboration group in a district.
#[derive(InputObject, Debug)]
pub struct CreateCollaborationGroupInput {
    /// The district (a District ID).
    pub district: ID,
    /// The area it is organised under (a CollaborationArea ID of the same district).
    pub area: Option<ID>,
    /// Readable identifier; default: from the district and the name.
    pub slug: Option<String>,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: GroupKind,
    /// Second heading.
    pub subtitle: Option<String>,
    /// Mål och syfte.
    pub purpose: Option<String>,
    /// Lägesbild.
    pub situation: Option<String>,
    /// Löptid as written (e.g. "Tillsvidare").
    pub term: Option<String>,
    /// The date the term ends, when it is a date.
    pub term_ends_on: Option<super::scalars::Date>,
    /// Mötesfrekvens.
    pub meeting_cadence: Option<String>,
    /// Sammankallande.
    pub convener: Option<String>,
    /// Finansiering.
    pub financing: Option<String>,
    /// Kommunikation.
    pub communication: Option<String>,
    /// Uppföljning.
    pub follow_up_cadence: Option<String>,
    /// Övriga deltagare.
    pub other_participants: Option<String>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// Change a collaboration group; omitted fields stay, `null` clears.
#[derive(InputObject, Debug)]
pub struct UpdateCollaborationGroupInput {
    /// The group (a CollaborationGroup ID).
    pub id: ID,
    /// The version the edit was based on.
    pub expected_version: i32,
    /// The area it is organised under.
    pub area: MaybeUndefined<ID>,
    /// Name.
    pub name: Option<String>,
    /// Kind.
    pub kind: Option<GroupKind>,
    /// Second heading.
    pub subtitle: MaybeUndefined<String>,
    /// Mål och syfte.
    pub purpose: MaybeUndefined<String>,
    /// Lägesbild.
    pub situation: MaybeUndefined<String>,
    /// Löptid as written.
    pub term: MaybeUndefined<String>,
    /// The date the term ends.
    pub term_ends_on: MaybeUndefined<super::scalars::Date>,
    /// Mötesfrekvens.
    pub meeting_cadence: MaybeUndefined<String>,
    /// Sammankallande.
    pub convener: MaybeUndefined<String>,
    /// Finansiering.
    pub financing: MaybeUndefined<String>,
    /// Kommunikation.
    pub communication: MaybeUndefined<String>,
    /// Uppföljning.
    pub follow_up_cadence: MaybeUndefined<String>,
    /// Övriga deltagare.
    pub other_participants: MaybeUndefined<String>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of a collaboration group mutation.
#[derive(SimpleObject, Debug)]
pub struct CollaborationGroupPayload {
    /// The group after the change; on a `CONFLICT`, the current group.
    pub collaboration_group: Option<CollaborationGroup>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Admin

/// Add an organization (admins).
#[derive(InputObject, Debug)]
pub struct CreateOrganizationInput {
    /// Readable identifier, used in tokens' `org`; default: from the name.
    pub slug: Option<String>,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: OrganizationKind,
    /// The organization it belongs to (an Organization ID).
    pub parent: Option<ID>,
    /// The districts it serves (District IDs).
    #[graphql(default)]
    pub districts: Vec<ID>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// Change an organization (admins); omitted fields stay.
#[derive(InputObject, Debug)]
pub struct UpdateOrganizationInput {
    /// The organization (an Organization ID).
    pub id: ID,
    /// Name.
    pub name: Option<String>,
    /// Kind.
    pub kind: Option<OrganizationKind>,
    /// The organization it belongs to; `null` clears.
    pub parent: MaybeUndefined<ID>,
    /// The districts it serves (replaces the set).
    pub districts: Option<Vec<ID>>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of an organization mutation.
#[derive(SimpleObject, Debug)]
pub struct OrganizationPayload {
    /// The organization after the change.
    pub organization: Option<Organization>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

/// Add a district to a municipality (admins).
#[derive(InputObject, Debug)]
pub struct CreateDistrictInput {
    /// The municipality (a Municipality ID).
    pub municipality: ID,
    /// Readable identifier; default: from the name.
    pub slug: Option<String>,
    /// Name.
    pub name: String,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of creating a district.
#[derive(SimpleObject, Debug)]
pub struct DistrictPayload {
    /// The new district.
    pub district: Option<District>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

/// A focus area of a new strategy.
#[derive(InputObject, Debug)]
pub struct FocusAreaInput {
    /// Name.
    pub name: String,
    /// Opening text.
    pub description: Option<String>,
}

/// A priority area of a new strategy.
#[derive(InputObject, Debug)]
pub struct PriorityAreaInput {
    /// Name.
    pub name: String,
    /// Opening text.
    pub description: Option<String>,
    /// Its focus areas, in order.
    #[graphql(default)]
    pub focus_areas: Vec<FocusAreaInput>,
}

/// Add a strategy with its priority and focus areas (admins).
#[derive(InputObject, Debug)]
pub struct CreateStrategyInput {
    /// The municipality (a Municipality ID).
    pub municipality: ID,
    /// Readable identifier; default: from the name and years.
    pub slug: Option<String>,
    /// Name.
    pub name: String,
    /// Summary.
    pub description: Option<String>,
    /// First year.
    pub start_year: i32,
    /// Last year.
    pub end_year: i32,
    /// Its priority areas, in order.
    #[graphql(default)]
    pub priority_areas: Vec<PriorityAreaInput>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of creating a strategy.
#[derive(SimpleObject, Debug)]
pub struct StrategyPayload {
    /// The new strategy.
    pub strategy: Option<Strategy>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

/// Add a method to the catalogue (admins).
#[derive(InputObject, Debug)]
pub struct CreateMethodInput {
    /// Readable identifier; default: from the abbreviation or name.
    pub slug: Option<String>,
    /// Name.
    pub name: String,
    /// Short form, e.g. "MVP".
    pub abbreviation: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// Change a method of the catalogue (admins); omitted fields stay, `null` clears.
#[derive(InputObject, Debug)]
pub struct UpdateMethodInput {
    /// The method (a Method ID).
    pub id: ID,
    /// Name.
    pub name: Option<String>,
    /// Short form.
    pub abbreviation: MaybeUndefined<String>,
    /// Description.
    pub description: MaybeUndefined<String>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of a method mutation.
#[derive(SimpleObject, Debug)]
pub struct MethodPayload {
    /// The method after the change.
    pub method: Option<Method>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

fn responsibilities(list: Vec<ResponsibilityInput>) -> AppResult<Vec<plans::NewResponsibility>> {
    list.into_iter()
        .enumerate()
        .map(|(i, r)| {
            Ok(plans::NewResponsibility {
                organization_id: decode_as(
                    &r.organization,
                    NodeType::Organization,
                    &format!("input.responsibilities.{i}.organization"),
                )?,
                role: r.role,
            })
        })
        .collect()
}

fn method_ids(list: &[ID]) -> AppResult<Vec<i32>> {
    list.iter()
        .map(|id| decode_as(id, NodeType::Method, "input.methods"))
        .collect()
}

/// The root of every change.
#[derive(Debug, Default)]
pub struct MutationRoot;

/// The root of every change. Each mutation checks the caller's role and organization
/// (see the README's role table), the input, and the version the edit was based on.
#[Object(name = "Mutation")]
impl MutationRoot {
    /// Make a commitment in a group for your own organization.
    async fn create_commitment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to promise, where.")] input: CreateCommitmentInput,
    ) -> async_graphql::Result<CommitmentPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let out = run(ctx, async {
            let group = decode_as(&input.group, NodeType::CollaborationGroup, "input.group")?;
            let org = opt_id(
                input.organization.as_ref(),
                NodeType::Organization,
                "input.organization",
            )?;
            commitments::create(
                &st.db,
                actor,
                commitments::NewCommitment {
                    group_id: group,
                    organization_id: org,
                    text: input.text,
                },
            )
            .await
        })
        .await?;
        if let Some(c) = &out.value {
            let place = Place::Group {
                group_id: c.group_id,
                organization_id: Some(c.organization_id),
            };
            publish(ctx, EventKind::Commitment, "commitment.create", c.id, place).await;
        }
        Ok(CommitmentPayload {
            commitment: out.value.map(Commitment),
            user_errors: out.errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Change a commitment's text (your own organization's only), based on the version
    /// you read. On a stale version nothing is written: the payload holds the current
    /// commitment and a `CONFLICT` user error.
    async fn update_commitment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which commitment, from which version, to what text.")]
        input: UpdateCommitmentInput,
    ) -> async_graphql::Result<CommitmentPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let id = decode_as(&input.id, NodeType::Commitment, "input.id");
        let known = id.as_ref().ok().copied();
        let out = run(ctx, async {
            commitments::update(&st.db, actor, id?, input.expected_version, &input.text).await
        })
        .await?;
        if let Some(c) = &out.value {
            let place = Place::Group {
                group_id: c.group_id,
                organization_id: Some(c.organization_id),
            };
            publish(ctx, EventKind::Commitment, "commitment.update", c.id, place).await;
        }
        let conflicted = out.conflicted();
        let commitment = match (out.value, conflicted, known) {
            (Some(c), _, _) => Some(c),
            (None, true, Some(id)) => load(ctx, CommitmentId(id)).await?,
            _ => None,
        };
        Ok(CommitmentPayload {
            commitment: commitment.map(Commitment),
            user_errors: out.errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Remove a commitment (your own organization's only), based on the version you read.
    async fn delete_commitment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which commitment, from which version.")] input: DeleteInput,
    ) -> async_graphql::Result<DeletePayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let out = run(ctx, async {
            let id = decode_as(&input.id, NodeType::Commitment, "input.id")?;
            commitments::delete(&st.db, actor, id, input.expected_version).await
        })
        .await?;
        if let Some(c) = &out.value {
            let place = Place::Group {
                group_id: c.group_id,
                organization_id: Some(c.organization_id),
            };
            publish(ctx, EventKind::Commitment, "commitment.delete", c.id, place).await;
        }
        Ok(DeletePayload {
            deleted_id: out.value.map(|c| encode(NodeType::Commitment, c.id)),
            user_errors: out.errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Take a seat in a group for your own organization (coordinators: any organization
    /// in their districts' groups).
    async fn join_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which group, which organization, which contact.")] input: JoinGroupInput,
    ) -> async_graphql::Result<ParticipationPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let out = run(ctx, async {
            let group = decode_as(&input.group, NodeType::CollaborationGroup, "input.group")?;
            let org = opt_id(
                input.organization.as_ref(),
                NodeType::Organization,
                "input.organization",
            )?;
            commitments::join(
                &st.db,
                actor,
                commitments::NewParticipation {
                    group_id: group,
                    organization_id: org,
                    contact_role: input.contact_role,
                    other_participants: input.other_participants,
                    is_convener: input.is_convener,
                },
            )
            .await
        })
        .await?;
        if let Some(p) = &out.value {
            let place = Place::Group {
                group_id: p.group_id,
                organization_id: Some(p.organization_id),
            };
            publish(ctx, EventKind::Group, "participation.create", p.id, place).await;
        }
        Ok(ParticipationPayload {
            participation: out.value.map(Participation),
            user_errors: out.errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Change a seat, based on the version you read.
    async fn update_participation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which seat, from which version, what changes.")]
        input: UpdateParticipationInput,
    ) -> async_graphql::Result<ParticipationPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let id = decode_as(&input.id, NodeType::Participation, "input.id");
        let known = id.as_ref().ok().copied();
        let changes = commitments::SeatChanges {
            contact_role: patch(input.contact_role),
            other_participants: patch(input.other_participants),
            is_convener: input.is_convener,
        };
        let out = run(ctx, async {
            commitments::update_seat(&st.db, actor, id?, input.expected_version, changes).await
        })
        .await?;
        if let Some(p) = &out.value {
            let place = Place::Group {
                group_id: p.group_id,
                organization_id: Some(p.organization_id),
            };
            publish(ctx, EventKind::Group, "participation.update", p.id, place).await;
        }
        let conflicted = out.conflicted();
        let seat = match (out.value, conflicted, known) {
            (Some(p), _, _) => Some(p),
            (None, true, Some(id)) => load(ctx, ParticipationId(id)).await?,
            _ => None,
        };
        Ok(ParticipationPayload {
            participation: seat.map(Participation),
            user_errors: out.errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Give up a seat (its commitments must be removed first), based on the version you
    /// read.
    async fn leave_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which seat, from which version.")] input: DeleteInput,
    ) -> async_graphql::Result<DeletePayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let out = run(ctx, async {
            let id = decode_as(&input.id, NodeType::Participation, "input.id")?;
            commitments::leave(&st.db, actor, id, input.expected_version).await
        })
        .await?;
        if let Some(p) = &out.value {
            let place = Place::Group {
                group_id: p.group_id,
                organization_id: Some(p.organization_id),
            };
            publish(ctx, EventKind::Group, "participation.delete", p.id, place).await;
        }
        Ok(DeletePayload {
            deleted_id: out.value.map(|p| encode(NodeType::Participation, p.id)),
            user_errors: out.errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

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
        let out = run(ctx, async {
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
        })
        .await?;
        if let Some(f) = &out.value {
            let action = if f.version == 1 {
                "followUp.create"
            } else {
                "followUp.update"
            };
            publish(
                ctx,
                EventKind::FollowUp,
                action,
                f.id,
                Place::Activity(f.activity_id),
            )
            .await;
        }
        let conflicted = out.conflicted();
        let follow_up = match (out.value, conflicted, known) {
            (Some(f), _, _) => Some(f),
            (None, true, Some(activity)) => load(ctx, FollowUpsOfActivity(activity))
                .await?
                .unwrap_or_default()
                .into_iter()
                .find(|f| f.year == year && f.term == term),
            _ => None,
        };
        Ok(FollowUpPayload {
            follow_up: follow_up.map(FollowUp),
            user_errors: out.errors,
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
        let out = run(ctx, async {
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
        for f in out.value.iter().flatten() {
            publish(
                ctx,
                EventKind::FollowUp,
                "followUp.submit",
                f.id,
                Place::Activity(f.activity_id),
            )
            .await;
        }
        Ok(SubmitFollowUpsPayload {
            follow_ups: out
                .value
                .unwrap_or_default()
                .into_iter()
                .map(FollowUp)
                .collect(),
            user_errors: out.errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Create an action plan (coordinators of the district, admins).
    async fn create_action_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new plan.")] input: CreateActionPlanInput,
    ) -> async_graphql::Result<ActionPlanPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let out = run(ctx, async {
            plans::create_plan(
                &st.db,
                actor,
                plans::NewPlan {
                    district_id: decode_as(&input.district, NodeType::District, "input.district")?,
                    strategy_id: opt_id(
                        input.strategy.as_ref(),
                        NodeType::Strategy,
                        "input.strategy",
                    )?,
                    slug: input.slug,
                    title: input.title,
                    description: input.description,
                    start_year: input.start_year,
                    end_year: input.end_year,
                },
            )
            .await
        })
        .await?;
        Ok(ActionPlanPayload {
            action_plan: out.value.map(ActionPlan),
            user_errors: out.errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Change an action plan (coordinators of the district, admins), based on the
    /// version you read.
    async fn update_action_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which plan, from which version, what changes.")]
        input: UpdateActionPlanInput,
    ) -> async_graphql::Result<ActionPlanPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let id = decode_as(&input.id, NodeType::ActionPlan, "input.id");
        let known = id.as_ref().ok().copied();
        let out = run(ctx, async {
            let changes = plans::PlanChanges {
                title: input.title,
                description: patch(input.description),
                start_year: patch(input.start_year),
                end_year: patch(input.end_year),
                strategy_id: patch_id(input.strategy, NodeType::Strategy, "input.strategy")?,
            };
            plans::update_plan(&st.db, actor, id?, input.expected_version, changes).await
        })
        .await?;
        let conflicted = out.conflicted();
        let plan = match (out.value, conflicted, known) {
            (Some(p), _, _) => Some(p),
            (None, true, Some(id)) => load(ctx, ActionPlanId(id)).await?,
            _ => None,
        };
        Ok(ActionPlanPayload {
            action_plan: plan.map(ActionPlan),
            user_errors: out.errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Add a row to an action plan (coordinators of the district, admins).
    async fn create_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new row.")] input: CreateActivityInput,
    ) -> async_graphql::Result<ActivityPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let out = run(ctx, async {
            let plan = decode_as(&input.action_plan, NodeType::ActionPlan, "input.actionPlan")?;
            let fields = plans::ActivityFields {
                priority_area_id: Some(opt_id(
                    input.priority_area.as_ref(),
                    NodeType::PriorityArea,
                    "input.priorityArea",
                )?),
                focus_area_id: Some(opt_id(
                    input.focus_area.as_ref(),
                    NodeType::FocusArea,
                    "input.focusArea",
                )?),
                goal: Some(input.goal),
                description: Some(input.description),
                method_ids: Some(method_ids(&input.methods)?),
                responsibilities: Some(responsibilities(input.responsibilities)?),
                timeline: Some(input.timeline),
                start_year: Some(input.start_year),
                end_year: Some(input.end_year),
                follow_up_schedule: Some(input.follow_up_schedule),
                follow_up_terms: Some(input.follow_up_terms.into_iter().map(Into::into).collect()),
            };
            plans::create_activity(&st.db, actor, plan, fields).await
        })
        .await?;
        Ok(ActivityPayload {
            activity: out.value.map(Activity),
            user_errors: out.errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Change a row of a plan (coordinators of the district, admins), based on the
    /// version you read.
    async fn update_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which row, from which version, what changes.")]
        input: UpdateActivityInput,
    ) -> async_graphql::Result<ActivityPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let id = decode_as(&input.id, NodeType::Activity, "input.id");
        let known = id.as_ref().ok().copied();
        let out = run(ctx, async {
            let fields = plans::ActivityFields {
                priority_area_id: patch_id(
                    input.priority_area,
                    NodeType::PriorityArea,
                    "input.priorityArea",
                )?,
                focus_area_id: patch_id(input.focus_area, NodeType::FocusArea, "input.focusArea")?,
                goal: patch(input.goal),
                description: input.description,
                method_ids: input.methods.as_deref().map(method_ids).transpose()?,
                responsibilities: input.responsibilities.map(responsibilities).transpose()?,
                timeline: patch(input.timeline),
                start_year: patch(input.start_year),
                end_year: patch(input.end_year),
                follow_up_schedule: patch(input.follow_up_schedule),
                follow_up_terms: input
                    .follow_up_terms
                    .map(|t| t.into_iter().map(Into::into).collect()),
            };
            plans::update_activity(&st.db, actor, id?, input.expected_version, fields).await
        })
        .await?;
        let conflicted = out.conflicted();
        let activity = match (out.value, conflicted, known) {
            (Some(a), _, _) => Some(a),
            (None, true, Some(id)) => load(ctx, ActivityId(id)).await?,
            _ => None,
        };
        Ok(ActivityPayload {
            activity: activity.map(Activity),
            user_errors: out.errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Remove a row of a plan with its follow-ups (coordinators of the district,
    /// admins), based on the version you read.
    async fn delete_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which row, from which version.")] input: DeleteInput,
    ) -> async_graphql::Result<DeletePayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let out = run(ctx, async {
            let id = decode_as(&input.id, NodeType::Activity, "input.id")?;
            plans::delete_activity(&st.db, actor, id, input.expected_version).await
        })
        .await?;
        Ok(DeletePayload {
            deleted_id: out.value.map(|a| encode(NodeType::Activity, a.id)),
            user_errors: out.errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Create a collaboration area (coordinators of the district, admins).
    async fn create_collaboration_area(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new area.")] input: CreateCollaborationAreaInput,
    ) -> async_graphql::Result<CollaborationAreaPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let out = run(ctx, async {
            groups::create_area(
                &st.db,
                actor,
                groups::NewArea {
                    district_id: decode_as(&input.district, NodeType::District, "input.district")?,
                    slug: input.slug,
                    name: input.name,
                    goal: input.goal,
                    situation: input.situation,
                },
            )
            .await
        })
        .await?;
        Ok(CollaborationAreaPayload {
            collaboration_area: out.value.map(CollaborationArea),
            user_errors: out.errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Create a collaboration group (coordinators of the district, admins).
    async fn create_collaboration_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new group.")] input: CreateCollaborationGroupInput,
    ) -> async_graphql::Result<CollaborationGroupPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let out = run(ctx, async {
            let district = decode_as(&input.district, NodeType::District, "input.district")?;
            let fields = groups::GroupFields {
                area_id: Some(opt_id(
                    input.area.as_ref(),
                    NodeType::CollaborationArea,
                    "input.area",
                )?),
                name: Some(input.name),
                kind: Some(input.kind.into()),
                subtitle: Some(input.subtitle),
                purpose: Some(input.purpose),
                situation: Some(input.situation),
                term: Some(input.term),
                term_ends_on: Some(input.term_ends_on.map(Into::into)),
                meeting_cadence: Some(input.meeting_cadence),
                convener: Some(input.convener),
                financing: Some(input.financing),
                communication: Some(input.communication),
                follow_up_cadence: Some(input.follow_up_cadence),
                other_participants: Some(input.other_participants),
            };
            groups::create_group(&st.db, actor, district, input.slug, fields).await
        })
        .await?;
        if let Some(g) = &out.value {
            let place = Place::Group {
                group_id: g.id,
                organization_id: None,
            };
            publish(
                ctx,
                EventKind::Group,
                "collaborationGroup.create",
                g.id,
                place,
            )
            .await;
        }
        Ok(CollaborationGroupPayload {
            collaboration_group: out.value.map(CollaborationGroup),
            user_errors: out.errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Change a collaboration group (coordinators of the district, admins), based on the
    /// version you read.
    async fn update_collaboration_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which group, from which version, what changes.")]
        input: UpdateCollaborationGroupInput,
    ) -> async_graphql::Result<CollaborationGroupPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let id = decode_as(&input.id, NodeType::CollaborationGroup, "input.id");
        let known = id.as_ref().ok().copied();
        let out = run(ctx, async {
            let fields = groups::GroupFields {
                area_id: patch_id(input.area, NodeType::CollaborationArea, "input.area")?,
                name: input.name,
                kind: input.kind.map(Into::into),
                subtitle: patch(input.subtitle),
                purpose: patch(input.purpose),
                situation: patch(input.situation),
                term: patch(input.term),
                term_ends_on: patch(input.term_ends_on.map_value(Into::into)),
                meeting_cadence: patch(input.meeting_cadence),
                convener: patch(input.convener),
                financing: patch(input.financing),
                communication: patch(input.communication),
                follow_up_cadence: patch(input.follow_up_cadence),
                other_participants: patch(input.other_participants),
            };
            groups::update_group(&st.db, actor, id?, input.expected_version, fields, false).await
        })
        .await?;
        if let Some(g) = &out.value {
            let place = Place::Group {
                group_id: g.id,
                organization_id: None,
            };
            publish(
                ctx,
                EventKind::Group,
                "collaborationGroup.update",
                g.id,
                place,
            )
            .await;
        }
        let conflicted = out.conflicted();
        let group = match (out.value, conflicted, known) {
            (Some(g), _, _) => Some(g),
            (None, true, Some(id)) => load(ctx, CollaborationGroupId(id)).await?,
            _ => None,
        };
        Ok(CollaborationGroupPayload {
            collaboration_group: group.map(CollaborationGroup),
            user_errors: out.errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Archive a collaboration group (coordinators of the district, admins): it leaves
    /// the lists but keeps its history.
    async fn archive_collaboration_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which group, from which version.")] input: DeleteInput,
    ) -> async_graphql::Result<CollaborationGroupPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let out = run(ctx, async {
            let id = decode_as(&input.id, NodeType::CollaborationGroup, "input.id")?;
            groups::update_group(
                &st.db,
                actor,
                id,
                input.expected_version,
                groups::GroupFields::default(),
                true,
            )
            .await
        })
        .await?;
        if let Some(g) = &out.value {
            let place = Place::Group {
                group_id: g.id,
                organization_id: None,
            };
            publish(
                ctx,
                EventKind::Group,
                "collaborationGroup.archive",
                g.id,
                place,
            )
            .await;
        }
        Ok(CollaborationGroupPayload {
            collaboration_group: out.value.map(CollaborationGroup),
            user_errors: out.errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Add an organization (admins).
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new organization.")] input: CreateOrganizationInput,
    ) -> async_graphql::Result<OrganizationPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let out = run(ctx, async {
            let district_ids = input
                .districts
                .iter()
                .map(|d| decode_as(d, NodeType::District, "input.districts"))
                .collect::<AppResult<Vec<_>>>()?;
            admin::create_organization(
                &st.db,
                actor,
                admin::NewOrganization {
                    slug: input.slug,
                    name: input.name,
                    kind: input.kind.into(),
                    parent_id: opt_id(
                        input.parent.as_ref(),
                        NodeType::Organization,
                        "input.parent",
                    )?,
                    district_ids,
                },
            )
            .await
        })
        .await?;
        Ok(OrganizationPayload {
            organization: out.value.map(Organization),
            user_errors: out.errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Change an organization (admins).
    async fn update_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which organization, what changes.")] input: UpdateOrganizationInput,
    ) -> async_graphql::Result<OrganizationPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let out = run(ctx, async {
            let id = decode_as(&input.id, NodeType::Organization, "input.id")?;
            let district_ids = input
                .districts
                .as_ref()
                .map(|ds| {
                    ds.iter()
                        .map(|d| decode_as(d, NodeType::District, "input.districts"))
                        .collect::<AppResult<Vec<_>>>()
                })
                .transpose()?;
            admin::update_organization(
                &st.db,
                actor,
                id,
                admin::OrganizationChanges {
                    name: input.name,
                    kind: input.kind.map(Into::into),
                    parent_id: patch_id(input.parent, NodeType::Organization, "input.parent")?,
                    district_ids,
                },
            )
            .await
        })
        .await?;
        Ok(OrganizationPayload {
            organization: out.value.map(Organization),
            user_errors: out.errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Add a district to a municipality (admins).
    async fn create_district(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new district.")] input: CreateDistrictInput,
    ) -> async_graphql::Result<DistrictPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let out = run(ctx, async {
            let m = decode_as(
                &input.municipality,
                NodeType::Municipality,
                "input.municipality",
            )?;
            admin::create_district(&st.db, actor, m, input.slug, &input.name).await
        })
        .await?;
        Ok(DistrictPayload {
            district: out.value.map(District),
            user_errors: out.errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Add a strategy with its priority and focus areas (admins).
    async fn create_strategy(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new strategy.")] input: CreateStrategyInput,
    ) -> async_graphql::Result<StrategyPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let out = run(ctx, async {
            let m = decode_as(
                &input.municipality,
                NodeType::Municipality,
                "input.municipality",
            )?;
            let areas = input
                .priority_areas
                .into_iter()
                .map(|pa| admin::NewArea {
                    name: pa.name,
                    description: pa.description,
                    focus_areas: pa
                        .focus_areas
                        .into_iter()
                        .map(|fa| admin::NewArea {
                            name: fa.name,
                            description: fa.description,
                            focus_areas: Vec::new(),
                        })
                        .collect(),
                })
                .collect();
            admin::create_strategy(
                &st.db,
                actor,
                admin::NewStrategy {
                    municipality_id: m,
                    slug: input.slug,
                    name: input.name,
                    description: input.description,
                    start_year: input.start_year,
                    end_year: input.end_year,
                    priority_areas: areas,
                },
            )
            .await
        })
        .await?;
        Ok(StrategyPayload {
            strategy: out.value.map(Strategy),
            user_errors: out.errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Add a method to the catalogue (admins).
    async fn create_method(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new method.")] input: CreateMethodInput,
    ) -> async_graphql::Result<MethodPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let out = run(
            ctx,
            admin::create_method(
                &st.db,
                actor,
                admin::MethodFields {
                    slug: input.slug,
                    name: Some(input.name),
                    abbreviation: Some(input.abbreviation),
                    description: Some(input.description),
                },
            ),
        )
        .await?;
        Ok(MethodPayload {
            method: out.value.map(Method),
            user_errors: out.errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Change a method of the catalogue (admins).
    async fn update_method(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which method, what changes.")] input: UpdateMethodInput,
    ) -> async_graphql::Result<MethodPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let out = run(ctx, async {
            let id = decode_as(&input.id, NodeType::Method, "input.id")?;
            admin::update_method(
                &st.db,
                actor,
                id,
                admin::MethodFields {
                    slug: None,
                    name: input.name,
                    abbreviation: patch(input.abbreviation),
                    description: patch(input.description),
                },
            )
            .await
        })
        .await?;
        Ok(MethodPayload {
            method: out.value.map(Method),
            user_errors: out.errors,
            client_mutation_id: input.client_mutation_id,
        })
    }
}
