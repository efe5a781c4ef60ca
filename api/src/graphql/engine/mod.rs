//! The engine: what the GraphQL layer needs that is not the domain — batch loading by
//! wave ([`batch`]), Relay pagination and costs ([`pagination`]), the checks a document
//! passes before it runs ([`checks`], [`input_text`]) and the scalars ([`scalars`]).
//!
//! Nothing here names a domain type. The domain modules (`catalogue`, `plans`,
//! `activities`, …) use it: a relation is a key type the [`Reader`] can load
//! (`impl Loader<Key> for Reader`, in `graphql/relations.rs`), and a resolver asks for
//! it with [`load`], [`load_required`] or [`load_many`].

pub mod batch;
pub mod checks;
pub(crate) mod input_text;
pub(crate) mod kept;
pub mod pagination;
pub mod plain;
pub mod raw;
pub mod scalars;

use std::hash::Hash;
use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::Loader;
use sea_orm::{DatabaseConnection, DbErr, EntityTrait, Select};

use crate::error::AppError;
use batch::{Primer, RequestLoader};

/// Errors are shared between every waiter of a batch.
pub type LoadError = Arc<DbErr>;

/// What the relations read with: one database handle, and the request's cache to prime
/// with rows that came by a join.
#[derive(Debug, Clone)]
pub struct Reader {
    pub(crate) db: DatabaseConnection,
    pub(crate) primer: Primer,
}

impl Reader {
    /// A reader of `db` that primes the request's cache through `primer`.
    pub fn new(db: DatabaseConnection, primer: Primer) -> Self {
        Self { db, primer }
    }

    /// The rows of `select` (one statement).
    pub(crate) async fn rows<E: EntityTrait>(
        &self,
        select: Select<E>,
    ) -> Result<Vec<E::Model>, LoadError> {
        select.all(&self.db).await.map_err(Arc::new)
    }
}

/// Load one value through the request's batch loader.
pub(crate) async fn load<K>(
    ctx: &Context<'_>,
    key: K,
) -> async_graphql::Result<Option<<Reader as Loader<K>>::Value>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    Reader: Loader<K, Error = LoadError>,
{
    let loader = ctx.data::<RequestLoader>()?;
    loader
        .load_one(key)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("batch load failed: {e}")).into())
}

/// The request's [`Reader`] when its loader caches (HTTP), for a root list that reads
/// its rows with the rows they point at by a join, priming the cache (see
/// [`pagination::page_query_with`]); `None` over WebSocket, whose loader keeps nothing.
pub(crate) fn priming_reader(ctx: &Context<'_>) -> Option<Arc<Reader>> {
    ctx.data::<RequestLoader>().ok()?.priming_reader()
}

/// A [`LoadError`] of a read the caller ran itself (not shared with other waiters) as
/// the error it is: a database error stays one.
pub(crate) fn own_load_error(err: LoadError) -> AppError {
    match Arc::try_unwrap(err) {
        Ok(db) => AppError::Database(db),
        Err(shared) => AppError::Internal(anyhow::anyhow!("read failed: {shared}")),
    }
}

/// Load a value that must exist (a foreign key target).
pub(crate) async fn load_required<K>(
    ctx: &Context<'_>,
    key: K,
) -> async_graphql::Result<<Reader as Loader<K>>::Value>
where
    K: Send + Sync + Hash + Eq + Clone + std::fmt::Debug + 'static,
    Reader: Loader<K, Error = LoadError>,
{
    match load(ctx, key.clone()).await? {
        Some(value) => Ok(value),
        None => Err(AppError::Internal(anyhow::anyhow!("dangling reference {key:?}")).into()),
    }
}

/// Keep `value` as the answer for `key` for the rest of the request: a row a write just
/// wrote, or read in the same step and left unchanged, so that the payload and the live
/// event read it without another statement. Mutations call it inside their work, after
/// the request cache was emptied for the write (`graphql::write`).
pub(crate) fn keep<K>(ctx: &Context<'_>, key: K, value: <Reader as Loader<K>>::Value)
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    Reader: Loader<K, Error = LoadError>,
{
    if let Ok(loader) = ctx.data::<RequestLoader>() {
        loader.prime(key, value);
    }
}

/// Load a has-many relation (empty when the parent has no children).
pub(crate) async fn load_many<K, V>(ctx: &Context<'_>, key: K) -> async_graphql::Result<Vec<V>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    Reader: Loader<K, Value = Vec<V>, Error = LoadError>,
    V: Send + Sync + Clone + 'static,
{
    Ok(load(ctx, key).await?.unwrap_or_default())
}
