//! The GraphQL API: the schema, merged from one module per domain, over the engine.
//!
//! The schema is built once at start-up (see [`build_schema`]); each request gets its
//! own [`RequestState`] (database handle and caller) and its own batch loader. The SDL in
//! `schema.graphql` at the repository root is [`sdl`]'s output, written by
//! `samverkan export-schema`; a test fails when the two drift apart.

// The engine: batching, pagination, request checks, scalars (no domain type).
pub mod engine;
pub mod ids;
mod prelude;
pub mod relations;

// The domains, as in `services/`; each holds its types, inputs, payloads, reads and
// mutations.
pub mod activities;
pub mod audit;
pub mod catalogue;
pub mod commitments;
// Issue 15, "Out": the URLs of the exports.
pub mod exports;
pub mod follow_ups;
pub mod group_follow_ups;
pub mod groups;
pub mod node;
pub mod obligations;
pub mod participations;
pub mod plans;
pub mod provenance;
pub mod provider_groups;
pub mod reports;
pub mod situations;
pub mod subscription;
pub mod viewer;
pub mod write;
// Issue 14: indicators, targets, measurements, target groups.
pub mod targets;
// Issue 15: plans and follow-ups imported from office files.
pub mod imports;

pub use engine::{batch, checks, pagination, scalars};

use async_graphql::{Context, MergedObject, Schema};
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use tokio::sync::OnceCell;

use crate::auth::Caller;
use crate::auth::Role;
use crate::db::WriteGate;
use crate::services::authz::{Actor, Administers, Serves};
pub(crate) use engine::load;
pub use subscription::SubscriptionRoot;

// Merged from the domains' reads, in this order in the schema.
/// The root of every read: the graph, and the cross-district reports.
#[derive(MergedObject, Debug, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    viewer::ViewerQuery,
    node::NodeQuery,
    catalogue::places::PlacesQuery,
    catalogue::organizations::OrganizationsQuery,
    catalogue::strategies::StrategiesQuery,
    plans::PlansQuery,
    situations::SituationsQuery,
    activities::ActivitiesQuery,
    groups::GroupsQuery,
    audit::AuditQuery,
    provider_groups::ProviderGroupsQuery,
    commitments::CommitmentsQuery,
    reports::ReportQuery,
    exports::ExportsQuery,
    targets::TargetsQuery,
    provenance::ProvenanceQuery,
);

// Merged from the domains' mutations, in this order in the schema.
/// The root of every change. Each mutation checks the caller's role and organization
/// (see the README's role table), the input, and the version the edit was based on.
#[derive(MergedObject, Debug, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    commitments::CommitmentsMutation,
    participations::ParticipationsMutation,
    follow_ups::FollowUpsMutation,
    plans::PlansMutation,
    activities::ActivitiesMutation,
    groups::GroupsMutation,
    group_follow_ups::GroupFollowUpsMutation,
    catalogue::organizations::OrganizationsMutation,
    catalogue::places::PlacesMutation,
    catalogue::strategies::StrategiesMutation,
    targets::TargetsMutation,
    obligations::ObligationsMutation,
    situations::SituationsMutation,
    imports::ImportsMutation,
    provider_groups::ProviderGroupsMutation,
);

/// The schema type.
pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// What every resolver of one request may use.
#[derive(Debug, Clone)]
pub struct RequestState {
    /// The database.
    pub db: DatabaseConnection,
    /// Who is asking.
    pub caller: Caller,
    /// The caller with ids resolved, once per request, when a rule needs it.
    pub actor: Arc<OnceCell<Actor>>,
    /// Serialises writes on SQLite.
    pub write_gate: WriteGate,
}

impl RequestState {
    /// The state of a request by `caller`.
    pub fn new(db: DatabaseConnection, caller: Caller, write_gate: WriteGate) -> Self {
        Self {
            db,
            caller,
            actor: Arc::new(OnceCell::new()),
            write_gate,
        }
    }
}

/// The caller with their organization and districts resolved (once per request, through
/// the batch loader).
pub(crate) async fn actor<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a Actor> {
    let st = state(ctx)?;
    st.actor
        .get_or_try_init(|| async {
            let org = load(ctx, relations::OrganizationSlug(st.caller.org.clone())).await?;
            let lookups = st
                .caller
                .districts
                .iter()
                .map(|slug| load(ctx, relations::DistrictSlug(slug.clone())));
            let districts = futures_util::future::try_join_all(lookups).await?;
            // Where the caller's organization works: no rows is a city-wide body.
            let serves = match &org {
                Some(o) => {
                    let served = load(ctx, relations::DistrictsOfOrganization(o.id))
                        .await?
                        .unwrap_or_default();
                    if served.is_empty() {
                        Serves::City
                    } else {
                        Serves::Districts(served.iter().map(|d| d.id).collect())
                    }
                }
                None => Serves::Districts(Vec::new()),
            };
            Ok::<_, async_graphql::Error>(
                Actor::new(
                    &st.caller,
                    org.map(|o| o.id),
                    districts.into_iter().flatten().map(|d| d.id).collect(),
                )
                .serving(serves)
                .administering(administers(ctx, &st.caller).await?),
            )
        })
        .await
}

/// What a `MUNICIPALITY_ADMIN` administers: its token's municipalities (unknown slugs
/// name nothing) with their districts (one statement), and the organizations serving
/// those districts (one more). Nothing for any other caller.
async fn administers(ctx: &Context<'_>, caller: &Caller) -> async_graphql::Result<Administers> {
    if !caller.has_role(Role::MunicipalityAdmin) || caller.municipalities.is_empty() {
        return Ok(Administers::default());
    }
    let lookups = caller
        .municipalities
        .iter()
        .map(|slug| load(ctx, relations::MunicipalitySlug(slug.clone())));
    let mut out = Administers::default();
    for (m, districts) in futures_util::future::try_join_all(lookups)
        .await?
        .into_iter()
        .flatten()
    {
        out.municipalities.push(m.id);
        out.districts.extend(districts.iter().map(|d| d.id));
    }
    let serving = out
        .districts
        .iter()
        .map(|d| load(ctx, relations::OrganizationsOfDistrict(*d)));
    for orgs in futures_util::future::try_join_all(serving).await? {
        out.organizations
            .extend(orgs.unwrap_or_default().iter().map(|o| o.id));
    }
    out.organizations.sort_unstable();
    out.organizations.dedup();
    Ok(out)
}

/// Build the schema (without per-request data or limits: for the SDL and tools).
pub fn build_schema() -> AppSchema {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    )
    .finish()
}

/// Build the schema the server runs, with the abuse limits and, in production,
/// introspection and field suggestions off (unless enabled). `gate` bounds how many
/// coverage matrices are laid out at once (shared with the exports).
pub fn build_limited_schema(
    settings: &crate::config::Settings,
    gate: crate::gate::Gate,
) -> AppSchema {
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    )
    .data(gate)
    .limit_complexity(settings.max_complexity)
    .limit_recursive_depth(settings.max_recursive_depth)
    .limit_directives(settings.max_directives)
    // Validation kept by query text, as the parsed documents are (`RequestChecks`).
    .validation_cache(
        engine::checks::RequestChecks::MAX_DOCUMENTS,
        engine::checks::RequestChecks::MAX_LENGTH,
    );
    if !settings.introspection_enabled() {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// The schema in SDL, as written to `schema.graphql`.
pub fn sdl() -> String {
    build_schema().sdl()
}

/// The request's state.
pub(crate) fn state<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a RequestState> {
    ctx.data::<RequestState>()
}
