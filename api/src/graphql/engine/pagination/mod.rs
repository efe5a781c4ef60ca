//! Relay cursor connections.
//!
//! Every list that can grow is a connection with `edges`, `nodes`, `pageInfo` and
//! `totalCount`. Pages are cut by keyset on the row id (stable when rows are added
//! between two nightly runs of a script): a cursor is the opaque form of a row id.
//! `first`/`last` are bounded by [`MAX_PAGE`]; without either, a page holds
//! [`DEFAULT_PAGE`] items.
//!
//! Root connections page in SQL (`id > cursor ORDER BY id LIMIT n+1`, plus a `COUNT`
//! only when `totalCount` is selected; for a whole table whose row count the database
//! keeps, the kept count instead — see [`Total`]; either as a subquery of the page's own
//! statement, [`TOTAL_COLUMN`]). Connections nested under another object page in
//! memory over the rows their DataLoader fetched for all parents at once.

use std::borrow::Cow;

use async_graphql::{Context, OutputType, SimpleObject, TypeName};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Select,
};

use super::plain::{PlainList, PlainObject};
use crate::error::AppError;

mod total;

pub use total::*;
use total::{counts_whole_table, total_of, total_query};

/// Largest page a client may ask for.
pub const MAX_PAGE: i32 = 100;
/// Page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE: i32 = 50;

/// What a field that runs SQL statements of its own (a root field) costs beyond its
/// selection, for the cost limit (`SAMVERKAN_MAX_COMPLEXITY`); a plain field costs 1.
pub const STATEMENT_COST: usize = 10;

/// What a root connection's `totalCount` may cost: a `COUNT` over the table. It is
/// charged to every root connection (a field's cost cannot see which of its children
/// are asked for without multiplying them by the page size); a nested connection's
/// `totalCount` counts rows already loaded and costs 1.
pub const COUNT_COST: usize = 100;

/// The cost of a page for the complexity limit: its size times the cost of one item.
pub fn page_cost(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let size = first.or(last).unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE) as usize;
    size.saturating_mul(child_complexity).saturating_add(1)
}

/// The cost of a root connection: a page, the statement that fetches it and the
/// `COUNT` that may go with it.
pub fn root_page_cost(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    page_cost(first, last, child_complexity).saturating_add(STATEMENT_COST + COUNT_COST)
}

/// A cursor: the opaque form of a row id in one list.
///
/// It names its list — the field and the object the list hangs off, e.g.
/// `activities@QWN0aW9uUGxhbjox` — so that a cursor of one list given to another is
/// refused (`BAD_USER_INPUT`) rather than answered with a page of the wrong list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListCursor {
    /// The list: `field@owner` (`owner` is a global ID, or `Query` for a root list).
    pub list: String,
    /// The row id.
    pub id: i32,
}

impl ListCursor {
    /// The opaque text of the cursor.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}|{}", self.list, self.id))
    }

    /// The row id of `text`, a cursor of `list`; `field` names the argument for errors.
    pub fn decode(text: &str, list: &str, field: &str) -> Result<i32, AppError> {
        let invalid = || AppError::bad_input(field, format!("{text:?} is not a cursor"));
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid())?;
        let text_of = String::from_utf8(bytes).map_err(|_| invalid())?;
        let (of, id) = text_of.rsplit_once('|').ok_or_else(invalid)?;
        let id = id.parse().map_err(|_| invalid())?;
        if of != list {
            return Err(AppError::bad_input(
                field,
                format!("{text:?} is a cursor of another list: use the cursors this list gave"),
            ));
        }
        Ok(id)
    }
}

/// The list a connection field answers: its field name and the object it hangs off
/// (`owner`, a global ID; `None` for a root field).
pub fn list_key(ctx: &Context<'_>, owner: Option<&str>) -> String {
    format!("{}@{}", ctx.item.node.name.node, owner.unwrap_or("Query"))
}

/// Where a page sits in its list (Relay `PageInfo`).
#[derive(Debug, Clone, SimpleObject)]
pub struct PageInfo {
    /// Whether items come before this page.
    pub has_previous_page: bool,
    /// Whether items come after this page.
    pub has_next_page: bool,
    /// The cursor of the page's first item; pass it as `before` to page backwards.
    pub start_cursor: Option<String>,
    /// The cursor of the page's last item; pass it as `after` to page forwards.
    pub end_cursor: Option<String>,
}

/// An item of a page with its cursor.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name_type)]
pub struct Edge<N: OutputType> {
    /// Where this item is: pass it as `after` or `before`.
    pub cursor: String,
    /// The item.
    pub node: N,
}

/// One page of a list (a Relay connection): the items with or without their cursors,
/// where the page sits, and how many items the whole list holds.
#[derive(Debug, SimpleObject)]
#[graphql(name_type)]
pub struct Page<N: PlainObject> {
    /// The items of this page with their cursors.
    pub edges: Vec<Edge<N>>,
    /// The items of this page.
    pub nodes: PlainList<N>,
    /// Where this page sits in the list.
    pub page_info: PageInfo,
    /// How many items the whole list holds (all pages, after filters).
    pub total_count: u64,
}

impl<N: OutputType> TypeName for Edge<N> {
    fn type_name() -> Cow<'static, str> {
        format!("{}Edge", N::type_name()).into()
    }
}

impl<N: PlainObject> TypeName for Page<N> {
    fn type_name() -> Cow<'static, str> {
        format!("{}Connection", N::type_name()).into()
    }
}

impl<N: PlainObject> Page<N> {
    fn new(
        list: &str,
        items: Vec<(i32, N)>,
        has_previous_page: bool,
        has_next_page: bool,
        total_count: u64,
    ) -> Self {
        let edges: Vec<Edge<N>> = items
            .into_iter()
            .map(|(id, node)| Edge {
                cursor: ListCursor {
                    list: list.to_owned(),
                    id,
                }
                .encode(),
                node,
            })
            .collect();
        let page_info = PageInfo {
            has_previous_page,
            has_next_page,
            start_cursor: edges.first().map(|e| e.cursor.clone()),
            end_cursor: edges.last().map(|e| e.cursor.clone()),
        };
        Self {
            nodes: edges
                .iter()
                .map(|e| e.node.clone())
                .collect::<Vec<N>>()
                .into(),
            edges,
            page_info,
            total_count,
        }
    }
}

/// Validated paging arguments of one list.
#[derive(Debug, Clone)]
pub struct PageArgs {
    /// The list the cursors belong to (see [`list_key`]).
    list: String,
    after: Option<i32>,
    before: Option<i32>,
    limit: u64,
    backward: bool,
    /// Whether `pageInfo.hasPreviousPage` / `hasNextPage` are asked for (a root list
    /// looks beyond a cursor only then).
    wants_previous: bool,
    wants_next: bool,
}

impl PageArgs {
    /// Check `first`/`last`/`after`/`before` as a client sent them to the connection
    /// field of `ctx`, which hangs off `owner` (a global ID; `None` for a root field).
    pub fn new(
        ctx: &Context<'_>,
        owner: Option<&str>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Self, AppError> {
        let mut args = Self::parse(list_key(ctx, owner), after, before, first, last)?;
        let page_info = ctx.look_ahead().field("pageInfo");
        args.wants_previous = page_info.field("hasPreviousPage").exists();
        args.wants_next = page_info.field("hasNextPage").exists();
        Ok(args)
    }

    /// Check the arguments for the list `list`.
    fn parse(
        list: String,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Self, AppError> {
        let decode = |field: &str, c: Option<String>| -> Result<Option<i32>, AppError> {
            c.map(|c| ListCursor::decode(&c, &list, field)).transpose()
        };
        let check = |field: &str, n: Option<i32>| -> Result<Option<i32>, AppError> {
            match n {
                Some(n) if !(0..=MAX_PAGE).contains(&n) => Err(AppError::bad_input(
                    field,
                    format!("{field} must be between 0 and {MAX_PAGE}"),
                )),
                other => Ok(other),
            }
        };
        let first = check("first", first)?;
        let last = check("last", last)?;
        let (limit, backward) = match (first, last) {
            (Some(_), Some(_)) => {
                return Err(AppError::bad_input(
                    "last",
                    "give either first or last, not both",
                ));
            }
            (Some(n), None) => (n, false),
            (None, Some(n)) => (n, true),
            (None, None) => (DEFAULT_PAGE, false),
        };
        Ok(Self {
            after: decode("after", after)?,
            before: decode("before", before)?,
            list,
            limit: limit as u64,
            backward,
            wants_previous: true,
            wants_next: true,
        })
    }

    fn admits(&self, id: i32) -> bool {
        self.after.is_none_or(|a| id > a) && self.before.is_none_or(|b| id < b)
    }
}

/// Whether the connection of `ctx` asks, of its items (under `nodes` or `edges.node`),
/// for any of the fields `names` (fragments followed).
pub fn selects_of_items(ctx: &Context<'_>, names: &[&str]) -> bool {
    names.iter().any(|name| selects_of_items_at(ctx, &[name]))
}

/// Whether the connection of `ctx` asks, of its items (under `nodes` or `edges.node`),
/// for the field at `path` (e.g. `["group", "district"]`; fragments followed).
pub fn selects_of_items_at(ctx: &Context<'_>, path: &[&str]) -> bool {
    let look = ctx.look_ahead();
    let (mut nodes, mut edge_nodes) = (look.field("nodes"), look.field("edges").field("node"));
    for name in path {
        nodes = nodes.field(name);
        edge_nodes = edge_nodes.field(name);
    }
    nodes.exists() || edge_nodes.exists()
}

/// One page of `select`, cut in SQL by keyset on `id_column`.
pub async fn page_query<E, N, C>(
    db: &C,
    select: Select<E>,
    id_column: E::Column,
    id_of: impl Fn(&E::Model) -> i32,
    wrap: impl Fn(E::Model) -> N,
    args: PageArgs,
    total: Total,
) -> Result<Page<N>, AppError>
where
    E: EntityTrait,
    E::Model: Sync,
    N: PlainObject,
    C: ConnectionTrait,
{
    let fetch = |page: Select<E>| fetch_page(db, page);
    page_query_with(db, select, id_column, id_of, wrap, args, total, fetch).await
}

/// The rows of a page's `SELECT` alone, with the [`TOTAL_COLUMN`] it carries: the
/// `fetch` of [`page_query`].
pub async fn fetch_page<E, C>(db: &C, page: Select<E>) -> Result<Fetched<E::Model>, AppError>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let results = db
        .query_all_raw(page.build(db.get_database_backend()))
        .await?;
    let total = total_in(&results, "");
    let rows = results
        .iter()
        .map(|r| E::Model::from_query_result(r, ""))
        .collect::<Result<_, _>>()?;
    Ok(Fetched { rows, total })
}

/// [`page_query`] whose page's rows are read by `fetch`, given the page's `SELECT` (cut,
/// ordered, limited): e.g. with the rows they point at by a join, which prime the
/// request's cache (`Reader::page_with_organizations_and_groups`). `fetch` must answer
/// the rows of the `SELECT` it is given, in its order, and the [`TOTAL_COLUMN`] it
/// carries (see [`total_in`]; without it the count costs a statement of its own). The
/// cursor checks are read as in [`page_query`].
#[allow(clippy::too_many_arguments)]
pub async fn page_query_with<E, N, C, F, Fut>(
    db: &C,
    select: Select<E>,
    id_column: E::Column,
    id_of: impl Fn(&E::Model) -> i32,
    wrap: impl Fn(E::Model) -> N,
    args: PageArgs,
    total: Total,
    fetch: F,
) -> Result<Page<N>, AppError>
where
    E: EntityTrait,
    E::Model: Sync,
    N: PlainObject,
    C: ConnectionTrait,
    F: FnOnce(Select<E>) -> Fut,
    Fut: Future<Output = Result<Fetched<E::Model>, AppError>>,
{
    let whole_table = counts_whole_table(&select, total);
    let mut q = select.clone();
    if let Some(a) = args.after {
        q = q.filter(id_column.gt(a));
    }
    if let Some(b) = args.before {
        q = q.filter(id_column.lt(b));
    }
    q = if args.backward {
        q.order_by_desc(id_column)
    } else {
        q.order_by_asc(id_column)
    };
    if let Some(count) = total_query(&select, total, whole_table) {
        q = q.expr_as(count, TOTAL_COLUMN);
    }
    let Fetched {
        mut rows,
        total: carried,
    } = fetch(q.limit(args.limit + 1)).await?;
    let total = match carried {
        Some(n) => n,
        None => total_of(db, &select, total, whole_table, !rows.is_empty()).await?,
    };
    let more = rows.len() as u64 > args.limit;
    rows.truncate(args.limit as usize);
    if args.backward {
        rows.reverse();
    }
    // Beyond a cursor, items exist only if a row is there (Relay: true only when
    // items exist); looked up only when the client asks.
    let before_after = match args.after {
        Some(a) if args.wants_previous && !(args.backward && more) => {
            exists(db, select.clone().filter(id_column.lte(a))).await?
        }
        _ => false,
    };
    let after_before = match args.before {
        Some(b) if args.wants_next && (args.backward || !more) => {
            exists(db, select.clone().filter(id_column.gte(b))).await?
        }
        _ => false,
    };
    let (has_previous, has_next) = if args.backward {
        (more || before_after, after_before)
    } else {
        (before_after, more || after_before)
    };
    let items = rows
        .into_iter()
        .map(|row| (id_of(&row), wrap(row)))
        .collect();
    Ok(Page::new(&args.list, items, has_previous, has_next, total))
}

/// Whether `select` finds a row.
async fn exists<E, C>(db: &C, select: Select<E>) -> Result<bool, AppError>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    Ok(select.limit(1).one(db).await?.is_some())
}

/// One page of `items` (all children of one parent, sorted by id), cut in memory.
pub fn page_vec<T, N>(
    items: Vec<T>,
    id_of: impl Fn(&T) -> i32,
    wrap: impl Fn(T) -> N,
    args: PageArgs,
) -> Page<N>
where
    N: PlainObject,
{
    let total = items.len() as u64;
    let before_after = args
        .after
        .is_some_and(|a| items.iter().any(|t| id_of(t) <= a));
    let after_before = args
        .before
        .is_some_and(|b| items.iter().any(|t| id_of(t) >= b));
    let mut window: Vec<T> = items
        .into_iter()
        .filter(|t| args.admits(id_of(t)))
        .collect();
    let limit = args.limit as usize;
    let more = window.len() > limit;
    if args.backward {
        let skip = window.len().saturating_sub(limit);
        window.drain(..skip);
    } else {
        window.truncate(limit);
    }
    let (has_previous, has_next) = if args.backward {
        (more || before_after, after_before)
    } else {
        (before_after, more || after_before)
    };
    let items = window.into_iter().map(|t| (id_of(&t), wrap(t))).collect();
    Page::new(&args.list, items, has_previous, has_next, total)
}

/// Page arguments of a connection that hangs off the object `owner`.
pub(crate) fn page_args(
    ctx: &Context<'_>,
    owner: async_graphql::ID,
    after: Option<String>,
    before: Option<String>,
    first: Option<i32>,
    last: Option<i32>,
) -> async_graphql::Result<PageArgs> {
    Ok(PageArgs::new(
        ctx,
        Some(owner.as_str()),
        after,
        before,
        first,
        last,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A node type of no plain field.
    #[derive(SimpleObject, Clone)]
    struct Item {
        n: i32,
    }

    impl PlainObject for Item {
        const FIELDS: &'static [(&'static str, super::super::plain::Answer<Self>)] = &[];
    }

    fn ids(page: &Page<Item>) -> Vec<i32> {
        page.nodes.as_ref().iter().map(|i| i.n).collect()
    }

    #[test]
    fn pages_forward_and_backward() {
        let items: Vec<i32> = (1..=10).collect();
        let args = PageArgs::parse("l@Query".into(), None, None, Some(3), None)
            .unwrap_or_else(|e| panic!("{e}"));
        let p = page_vec(items.clone(), |i| *i, |n| Item { n }, args);
        assert_eq!(ids(&p), vec![1, 2, 3]);
        assert!(p.page_info.has_next_page && !p.page_info.has_previous_page);
        assert_eq!(p.total_count, 10);

        let after = Some(
            ListCursor {
                list: "l@Query".into(),
                id: 3,
            }
            .encode(),
        );
        let args = PageArgs::parse("l@Query".into(), after, None, Some(3), None)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            ids(&page_vec(items.clone(), |i| *i, |n| Item { n }, args)),
            vec![4, 5, 6]
        );

        let args = PageArgs::parse("l@Query".into(), None, None, None, Some(2))
            .unwrap_or_else(|e| panic!("{e}"));
        let p = page_vec(items, |i| *i, |n| Item { n }, args);
        assert_eq!(ids(&p), vec![9, 10]);
        assert!(p.page_info.has_previous_page);
    }

    #[test]
    fn bounds_are_enforced() {
        assert!(PageArgs::parse("l@Query".into(), None, None, Some(101), None).is_err());
        assert!(PageArgs::parse("l@Query".into(), None, None, Some(-1), None).is_err());
        assert!(PageArgs::parse("l@Query".into(), None, None, Some(1), Some(1)).is_err());
        assert!(
            PageArgs::parse("l@Query".into(), Some("bad".into()), None, Some(1), None).is_err()
        );
    }
}
