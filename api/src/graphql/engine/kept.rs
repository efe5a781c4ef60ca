//! Statements built once and kept.
//!
//! sea-query builds a statement's SQL text anew at every call: the columns of every
//! joined table with their aliases, quoted, one `String` at a time. For a read by ID
//! that is most of what the server does besides the network: on Stockholm's data, one
//! commitment by ID with its organization and group spent 11% of the server's CPU in
//! building the statement (perf, 2026-12-03), more than executing the GraphQL document.
//!
//! A relation's statement differs from one batch to the next only by the keys it binds:
//! `… WHERE "commitment"."id" IN ($1, $2)` is the same text for every two commitments.
//! [`keyed`] builds it once per *shape* (the builder function), backend and count of
//! keys, keeps the text, and afterwards binds the keys to the kept text.
//!
//! Why the answers stay identical to building every time:
//! - the builder is a `fn` item or a closure that captures nothing (it must be `Copy`
//!   and zero-sized, checked at compile time), so the statement is a function of the
//!   keys alone, and its type names the shape (two builders never share an entry);
//! - a text is kept only when the statement it came with binds exactly the keys, in
//!   order, and nothing else: a builder that binds anything more (a limit, a filter
//!   value) is built every time;
//! - the text kept is the text the first build produced, byte for byte.
//!
//! At most [`MAX_KEYS`] keys: a larger batch has more rows to read than text to build,
//! and the cache stays small (a few kilobytes per shape and count).

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use sea_orm::sea_query::SelectStatement;
use sea_orm::{DbBackend, Statement, Value, Values};

/// Batches of more keys than this are built every time.
pub const MAX_KEYS: usize = 64;

/// Kept SQL texts by shape, backend and count of keys.
type Kept = HashMap<(TypeId, u8, usize), Arc<str>>;

static KEPT: LazyLock<RwLock<Kept>> = LazyLock::new(|| RwLock::new(HashMap::new()));

/// The backends whose statements are kept (others are built every time).
fn backend_tag(backend: DbBackend) -> Option<u8> {
    match backend {
        DbBackend::Postgres => Some(0),
        DbBackend::Sqlite => Some(1),
        _ => None,
    }
}

/// The statement `build(keys)` makes on `backend`, built once per builder, backend and
/// count of keys when it binds exactly `keys` (see the module's documentation).
pub(crate) fn keyed<V, F>(backend: DbBackend, keys: Vec<V>, build: F) -> Statement
where
    V: Into<Value> + Clone,
    F: Fn(Vec<V>) -> SelectStatement + Copy + 'static,
{
    const {
        assert!(
            size_of::<F>() == 0,
            "a kept statement's builder captures nothing"
        )
    };
    let Some(tag) = backend_tag(backend).filter(|_| keys.len() <= MAX_KEYS) else {
        return backend.build(&build(keys));
    };
    let entry = (TypeId::of::<F>(), tag, keys.len());
    let found = KEPT.read().ok().and_then(|kept| kept.get(&entry).cloned());
    let bound: Vec<Value> = keys.iter().cloned().map(Into::into).collect();
    if let Some(sql) = found {
        return Statement::from_sql_and_values(backend, sql.as_ref(), bound);
    }
    let statement = backend.build(&build(keys));
    let binds_keys = match &statement.values {
        Some(Values(values)) => *values == bound,
        None => bound.is_empty(),
    };
    if binds_keys && let Ok(mut kept) = KEPT.write() {
        kept.insert(entry, Arc::from(statement.sql.as_str()));
    }
    statement
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};

    fn by_ids(ids: Vec<i32>) -> SelectStatement {
        Query::select()
            .column(Alias::new("id"))
            .from(Alias::new("t"))
            .and_where(Expr::col(Alias::new("id")).is_in(ids))
            .to_owned()
    }

    fn by_ids_with_limit(ids: Vec<i32>) -> SelectStatement {
        by_ids(ids).limit(10).to_owned()
    }

    #[test]
    fn a_kept_statement_is_the_built_one_with_other_keys() {
        for backend in [DbBackend::Postgres, DbBackend::Sqlite] {
            for n in 0..=MAX_KEYS + 2 {
                let first: Vec<i32> = (0..n as i32).collect();
                let other: Vec<i32> = (0..n as i32).map(|i| 1000 - 7 * i).collect();
                assert_eq!(
                    keyed(backend, first.clone(), by_ids),
                    backend.build(&by_ids(first))
                );
                assert_eq!(
                    keyed(backend, other.clone(), by_ids),
                    backend.build(&by_ids(other))
                );
            }
        }
    }

    #[test]
    fn a_statement_binding_more_than_its_keys_is_built_every_time() {
        let backend = DbBackend::Postgres;
        for ids in [vec![1, 2], vec![3, 4]] {
            assert_eq!(
                keyed(backend, ids.clone(), by_ids_with_limit),
                backend.build(&by_ids_with_limit(ids))
            );
        }
        let kept = KEPT.read().expect("lock");
        let shape = type_id_of(&by_ids_with_limit);
        assert!(
            !kept.keys().any(|(kept_shape, _, _)| *kept_shape == shape),
            "the limit's value is bound: nothing kept"
        );
    }

    fn type_id_of<F: 'static>(_: &F) -> TypeId {
        TypeId::of::<F>()
    }
}
