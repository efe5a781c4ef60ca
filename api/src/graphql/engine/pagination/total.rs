//! A root connection's `totalCount`: whether it is wanted, and how it is read — a
//! `COUNT(*)` of the connection's `SELECT` or the row count the database keeps for a
//! whole table, as a scalar subquery of the page's own statement ([`TOTAL_COLUMN`]), or
//! by a statement of its own when the page carries none.

use async_graphql::Context;
use sea_orm::sea_query::{
    Alias, Expr, ExprTrait, Query, QueryStatementBuilder, SelectStatement, SimpleExpr,
};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, QueryResult, QueryTrait, Select};

use crate::error::AppError;

/// How a root connection finds its `totalCount`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Total {
    /// Not selected: nothing is counted.
    Unwanted,
    /// `COUNT(*)` over the connection's `SELECT`.
    Count,
    /// The row count the database keeps for the table (table `row_count`, kept by
    /// triggers; migration `m20261202_000002_row_count`) when the `SELECT` is the whole
    /// table, else `COUNT(*)`. Only for tables whose count is kept: for any other table
    /// it costs a statement that finds nothing before the `COUNT(*)`.
    Kept,
}

/// How the connection of `ctx` finds its `totalCount`: [`Total::Count`] when selected.
pub fn wants_total(ctx: &Context<'_>) -> Total {
    if ctx.look_ahead().field("totalCount").exists() {
        Total::Count
    } else {
        Total::Unwanted
    }
}

/// [`wants_total`] for a connection over a table whose row count the database keeps:
/// [`Total::Kept`] when selected.
pub fn wants_kept_total(ctx: &Context<'_>) -> Total {
    match wants_total(ctx) {
        Total::Count => Total::Kept,
        other => other,
    }
}

/// The column in which a page's `SELECT` carries the connection's `totalCount` when it
/// is selected: a scalar subquery of the page's statement — the row count the database
/// keeps for the table ([`Total::Kept`] over the whole table), else a `COUNT(*)` of the
/// connection's `SELECT` — so the count costs no statement of its own. A `fetch` of
/// [`page_query_with`] gives it back in [`Fetched::total`].
pub const TOTAL_COLUMN: &str = "total_count";

/// The rows of a page as the `fetch` of [`page_query_with`] reads them.
#[derive(Debug)]
pub struct Fetched<M> {
    /// The page's rows, in the order of its `SELECT`.
    pub rows: Vec<M>,
    /// The [`TOTAL_COLUMN`] of the first row, when the `SELECT` carries it (see
    /// [`total_in`]); `None` otherwise.
    pub total: Option<u64>,
}

/// The [`TOTAL_COLUMN`] the first of `rows` carries, its name prefixed by `prefix`
/// (sea-orm prefixes the base table's columns in a joined `SELECT`, e.g. `A_`); `None`
/// when there is no row, no such column (no total asked), no count kept (`NULL`) or a
/// count that is not one (negative): the total is then read by a statement of its own.
pub fn total_in(rows: &[QueryResult], prefix: &str) -> Option<u64> {
    let n = rows
        .first()?
        .try_get::<Option<i64>>(prefix, TOTAL_COLUMN)
        .ok()??;
    u64::try_from(n).ok()
}

/// Whether the connection's `totalCount` is the row count the database keeps for the
/// table of `select`: asked as [`Total::Kept`] and `select` is its whole table (the same
/// statement as an unfiltered `SELECT` of the entity).
pub(super) fn counts_whole_table<E: EntityTrait>(select: &Select<E>, total: Total) -> bool {
    total == Total::Kept && select.as_query() == E::find().as_query()
}

/// The query reading the row count kept for `table` as [`TOTAL_COLUMN`] (no row, or
/// `NULL` as a subquery, when none is kept).
fn kept_count_query(table: &str) -> SelectStatement {
    Query::select()
        .expr_as(Expr::col(Alias::new("n")), Alias::new(TOTAL_COLUMN))
        .from(Alias::new("row_count"))
        .and_where(Expr::col(Alias::new("table_name")).eq(table))
        .to_owned()
}

/// The scalar subquery answering the `totalCount` of a connection over `select`, if
/// selected: the kept count when `whole_table` (see [`counts_whole_table`]), else a
/// `COUNT(*)` of `select`.
pub(super) fn total_query<E: EntityTrait>(
    select: &Select<E>,
    total: Total,
    whole_table: bool,
) -> Option<SimpleExpr> {
    let query = match total {
        Total::Unwanted => return None,
        _ if whole_table => kept_count_query(E::default().table_name()),
        Total::Count | Total::Kept => Query::select()
            .expr(Expr::cust("COUNT(*)"))
            .from_subquery(select.as_query().clone(), Alias::new("counted"))
            .to_owned(),
    };
    Some(SimpleExpr::SubQuery(
        None,
        Box::new(query.into_sub_query_statement()),
    ))
}

/// The `totalCount` of a connection over `select` when its page did not carry it (an
/// empty page, or no count kept): 0 when unwanted; for its whole table (`whole_table`)
/// the kept count, read by a statement of its own unless `kept_tried` (the page's rows
/// carried `NULL`: none is kept); else counted.
pub(super) async fn total_of<E, C>(
    db: &C,
    select: &Select<E>,
    total: Total,
    whole_table: bool,
    kept_tried: bool,
) -> Result<u64, AppError>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ConnectionTrait,
{
    if total == Total::Unwanted {
        return Ok(0);
    }
    if whole_table && !kept_tried {
        let read = kept_count_query(E::default().table_name());
        if let Some(n) = total_in(&db.query_all(&read).await?, "") {
            return Ok(n);
        }
    }
    Ok(select.clone().count(db).await?)
}
