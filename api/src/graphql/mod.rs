//! The GraphQL API: schema, types, loaders, paging and global IDs.
//!
//! The schema is built once at start-up (see [`build_schema`]); each request gets its
//! own [`RequestState`] (database handle and caller) and its own batch loader. The SDL in
//! `schema.graphql` at the repository root is [`sdl`]'s output, written by
//! `samverkan export-schema`; a test fails when the two drift apart.

pub mod batch;
pub mod checks;
pub mod ids;
mod input_text;
pub mod loaders;
pub mod mutation;
pub mod pagination;
pub mod query;
pub mod reports;
pub mod scalars;
pub mod subscription;
pub mod types;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Schema};
use sea_orm::DatabaseConnection;
use std::hash::Hash;
use std::sync::Arc;
use tokio::sync::OnceCell;

use crate::auth::Caller;
use crate::db::WriteGate;
use crate::error::AppError;
use crate::services::authz::Actor;
use loaders::AppLoader;
pub use mutation::MutationRoot;
pub use subscription::SubscriptionRoot;

/// The root of every read: the graph, and the cross-district reports.
#[derive(async_graphql::MergedObject, Debug, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(query::ReadQuery, reports::ReportQuery);

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
            let org = load(ctx, loaders::OrganizationSlug(st.caller.org.clone())).await?;
            let lookups = st
                .caller
                .districts
                .iter()
                .map(|slug| load(ctx, loaders::DistrictSlug(slug.clone())));
            let districts = futures_util::future::try_join_all(lookups).await?;
            Ok::<_, async_graphql::Error>(Actor::new(
                &st.caller,
                org.map(|o| o.id),
                districts.into_iter().flatten().map(|d| d.id).collect(),
            ))
        })
        .await
}

/// Build the schema (without per-request data or limits: for the SDL and tools).
pub fn build_schema() -> AppSchema {
    Schema::build(QueryRoot::default(), MutationRoot, SubscriptionRoot).finish()
}

/// Build the schema the server runs, with the abuse limits and, in production,
/// introspection and field suggestions off (unless enabled).
pub fn build_limited_schema(settings: &crate::config::Settings) -> AppSchema {
    let mut builder = Schema::build(QueryRoot::default(), MutationRoot, SubscriptionRoot)
        .limit_complexity(settings.max_complexity)
        .limit_recursive_depth(settings.max_recursive_depth)
        .limit_directives(settings.max_directives);
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

/// Load one value through the request's batch loader.
pub(crate) async fn load<K>(
    ctx: &Context<'_>,
    key: K,
) -> async_graphql::Result<Option<<AppLoader as Loader<K>>::Value>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    AppLoader: Loader<K, Error = loaders::LoadError>,
{
    let loader = ctx.data::<batch::RequestLoader>()?;
    loader
        .load_one(key)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("batch load failed: {e}")).into())
}

/// Load a value that must exist (a foreign key target).
pub(crate) async fn load_required<K>(
    ctx: &Context<'_>,
    key: K,
) -> async_graphql::Result<<AppLoader as Loader<K>>::Value>
where
    K: Send + Sync + Hash + Eq + Clone + std::fmt::Debug + 'static,
    AppLoader: Loader<K, Error = loaders::LoadError>,
{
    match load(ctx, key.clone()).await? {
        Some(value) => Ok(value),
        None => Err(AppError::Internal(anyhow::anyhow!("dangling reference {key:?}")).into()),
    }
}

/// Load a has-many relation (empty when the parent has no children).
pub(crate) async fn load_many<K, V>(ctx: &Context<'_>, key: K) -> async_graphql::Result<Vec<V>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    AppLoader: Loader<K, Value = Vec<V>, Error = loaders::LoadError>,
    V: Send + Sync + Clone + 'static,
{
    Ok(load(ctx, key).await?.unwrap_or_default())
}
