//! The one write path of the services, and the helpers the writes share.
//!
//! Every change goes through [`commit`]: the service first checks the rule (`authz`) and
//! the input outside any transaction; then `commit` begins the transaction, runs the
//! write — versioned rows go through [`update_if_version`] / [`delete_if_version`], so a
//! stale version is a `CONFLICT` and nothing is written — records the audit events the
//! write describes in its [`Written`] (the node before and after), and commits. Either
//! all of it lands or none of it. A change that live subscribers hear of says so in its
//! `Written` ([`Written::announce`]: the kind of event and where the node lies); its
//! event travels with the audit event — on PostgreSQL a `pg_notify` in the same statement
//! as the audit trail's insert, delivered by the database when (and only when) the
//! transaction commits; on SQLite through the process's bus once it has committed
//! (`events::deliver_after_commit`).
//!
//! Besides: text validation, lookups that answer `NOT_FOUND` for a named input field,
//! and version checks.

use std::marker::PhantomData;

use futures_util::future::BoxFuture;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, FromQueryResult, Iterable, PaginatorTrait, PrimaryKeyTrait, QueryFilter,
    QuerySelect, QueryTrait, Statement, TransactionTrait, sea_query::InsertStatement,
};
use serde::Serialize;

use super::audit::{self, Change};
use super::authz::Actor;
use crate::error::{AppError, AppResult};
use crate::events::{self, EventKind};
use entity::{
    collaboration_group, commitment, follow_up, group_follow_up, obligation, participation,
};

/// What a write leaves behind: the value the service hands back, and the audit events of
/// the change (one per node changed).
#[must_use]
pub struct Written<T> {
    value: T,
    events: Vec<audit::Event>,
}

impl<T> Written<T> {
    /// `value`, with no audit event yet.
    pub fn new(value: T) -> Self {
        Self {
            value,
            events: Vec::new(),
        }
    }

    /// Add the audit event of `change`, with the node's state `before` and `after`.
    pub fn audit<B, A>(
        mut self,
        change: Change<'_>,
        before: Option<&B>,
        after: Option<&A>,
    ) -> AppResult<Self>
    where
        B: Serialize + ?Sized,
        A: Serialize + ?Sized,
    {
        self.events.push(audit::Event::new(change, before, after)?);
        Ok(self)
    }

    /// Tell live subscribers of `kind` about the change last audited (its action, node and
    /// district), lying at `place`. The event is sent with the audit trail, inside the
    /// write's transaction: it is heard if and only if the change commits.
    pub fn announce(mut self, kind: EventKind, place: Place) -> Self {
        if let Some(last) = self.events.last_mut() {
            last.announce(kind, place);
        }
        self
    }
}

impl<T: Placed> Written<T> {
    /// [`Written::announce`] the change last audited, lying where the value lies.
    pub fn announced(self, kind: EventKind) -> Self {
        let place = self.value.place();
        self.announce(kind, place)
    }
}

/// Where a changed node lies besides its district (which its audit event names): to
/// route its live event to the subscribers of a group, an organization or a strategy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Place {
    /// The collaboration group (commitments, seats, group follow-ups, the group itself).
    pub group_id: Option<i32>,
    /// The organization that owns it (commitments, seats, obligations).
    pub organization_id: Option<i32>,
    /// The strategy it falls under (obligations).
    pub strategy_id: Option<i32>,
}

/// A node whose changes live subscribers hear of.
pub trait Placed {
    /// Where it lies.
    fn place(&self) -> Place;
}

impl Placed for commitment::Model {
    fn place(&self) -> Place {
        Place {
            group_id: Some(self.group_id),
            organization_id: Some(self.organization_id),
            strategy_id: None,
        }
    }
}

impl Placed for participation::Model {
    fn place(&self) -> Place {
        Place {
            group_id: Some(self.group_id),
            organization_id: Some(self.organization_id),
            strategy_id: None,
        }
    }
}

impl Placed for collaboration_group::Model {
    fn place(&self) -> Place {
        Place {
            group_id: Some(self.id),
            ..Place::default()
        }
    }
}

/// A follow-up is heard in its plan's district (its audit event's).
impl Placed for follow_up::Model {
    fn place(&self) -> Place {
        Place::default()
    }
}

/// Issue 14, item 5: a group's follow-up is heard where its group is (`groupChanged`).
impl Placed for group_follow_up::Model {
    fn place(&self) -> Place {
        Place {
            group_id: Some(self.collaboration_group_id),
            ..Place::default()
        }
    }
}

impl Placed for obligation::Model {
    fn place(&self) -> Place {
        Place {
            organization_id: Some(self.organization_id),
            strategy_id: Some(self.strategy_id),
            ..Place::default()
        }
    }
}

impl<T: Serialize> Written<T> {
    /// A row created: its event has no before, and the row as after.
    pub fn created(change: Change<'_>, row: T) -> AppResult<Self> {
        Ok(Written::new(())
            .audit(change, None::<&()>, Some(&row))?
            .with(row))
    }

    /// A row changed: its event has `before`, and the row as after.
    pub fn updated<B: Serialize>(change: Change<'_>, before: &B, row: T) -> AppResult<Self> {
        Ok(Written::new(())
            .audit(change, Some(before), Some(&row))?
            .with(row))
    }

    /// A row removed: `row` is the row as it was, the event's before; there is no after.
    pub fn removed(change: Change<'_>, row: T) -> AppResult<Self> {
        Ok(Written::new(())
            .audit(change, Some(&row), None::<&()>)?
            .with(row))
    }
}

impl Written<()> {
    /// These events, handing back `value` (for an audit whose after is not the value).
    pub fn with<T>(self, value: T) -> Written<T> {
        Written {
            value,
            events: self.events,
        }
    }
}

/// Ties a write's transaction (`'t`) to what the write borrows from its service (`'a`):
/// the transaction never outlives the borrows, so the write may capture references.
pub type Scope<'t, 'a> = PhantomData<&'t &'a ()>;

/// The one write path: begin a transaction, run `write` in it, record the audit events
/// it describes (by `actor`) with the live events it announces, commit, and hand back its
/// value. When `write` fails nothing is recorded, nothing is heard and the transaction
/// rolls back. Check the rules before calling.
pub async fn commit<'a, T, W>(db: &DatabaseConnection, actor: &Actor, write: W) -> AppResult<T>
where
    W: for<'t> FnOnce(
        &'t DatabaseTransaction,
        Scope<'t, 'a>,
    ) -> BoxFuture<'t, AppResult<Written<T>>>,
{
    let txn = db.begin().await?;
    let Written { value, events } = write(&txn, PhantomData).await?;
    let unsent = audit::record(&txn, actor, events).await?;
    txn.commit().await?;
    events::deliver_after_commit(unsent);
    Ok(value)
}

/// Bound parameters a statement of many rows (or an `IN (…)` list) carries at most: far
/// below what the databases allow (SQLite 32,766, PostgreSQL 65,535), because SQLite keeps
/// each prepared statement, whose program grows with its parameters, in the connection's
/// statement cache — statements of 32,000 parameters held some 30 MB there after an
/// import of 10,000 rows; of 2,048, a few MB. A 10,000-row plan is then some hundreds of
/// statements rather than 60,000.
pub const PARAMETERS_PER_STATEMENT: usize = 2_048;

/// How many rows of `E` one multi-row statement carries, each binding every column.
pub fn rows_per_statement<E: EntityTrait>() -> usize {
    (PARAMETERS_PER_STATEMENT / E::Column::iter().count().max(1)).max(1)
}

/// `rows` in pieces of [`rows_per_statement`], in order.
fn pieces<E: EntityTrait, A>(rows: Vec<A>) -> impl Iterator<Item = Vec<A>> {
    let per = rows_per_statement::<E>();
    let mut rows = rows.into_iter().peekable();
    std::iter::from_fn(move || {
        rows.peek()?;
        Some(rows.by_ref().take(per).collect())
    })
}

/// Insert `rows`, [`rows_per_statement`] to a statement. Every row must
/// set the same columns: a column one row leaves unset is NULL there, not its default.
pub async fn insert_all<A, C>(db: &C, rows: Vec<A>) -> AppResult<()>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    for piece in pieces::<A::Entity, _>(rows) {
        boxed(A::Entity::insert_many(piece).exec_without_returning(db)).await?;
    }
    Ok(())
}

/// [`insert_all`], the last statement replaced by what `last` makes of it (the audit
/// trail's insert carrying the live events' notifications, `events::with_notifications`).
pub async fn insert_all_then<A, C>(
    db: &C,
    rows: Vec<A>,
    last: impl FnOnce(&InsertStatement) -> AppResult<Statement>,
) -> AppResult<()>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    let mut pieces: Vec<_> = pieces::<A::Entity, _>(rows).collect();
    let Some(tail) = pieces.pop() else {
        return Ok(());
    };
    for piece in pieces {
        boxed(A::Entity::insert_many(piece).exec_without_returning(db)).await?;
    }
    let statement = last(&A::Entity::insert_many(tail).into_query())?;
    boxed(db.execute_raw(statement)).await?;
    Ok(())
}

/// `future` on the heap, made in a frame of its own: sea-orm's statement futures are some
/// kilobytes, and a write runs deep in a request's stack of polls (a debug build's
/// frames hold each future they make, and the stack of a test's thread is 2 MiB).
fn boxed<'a, T>(future: impl Future<Output = T> + Send + 'a) -> BoxFuture<'a, T> {
    Box::pin(future)
}

/// [`insert_all`], answering the rows as inserted (`INSERT … RETURNING *`, which SQLite
/// since 3.35 and PostgreSQL both have; sea-orm uses it on SQLite only behind a feature
/// that would change every insert of the service, so the statement is built here), in no
/// promised order: match them to what was asked by a column the rows differ in.
pub async fn insert_returning<A, C>(
    db: &C,
    rows: Vec<A>,
) -> AppResult<Vec<<A::Entity as EntityTrait>::Model>>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    let mut out = Vec::with_capacity(rows.len());
    for piece in pieces::<A::Entity, _>(rows) {
        let mut insert = A::Entity::insert_many(piece).into_query();
        insert.returning_all();
        let rows = boxed(async move { db.query_all(&insert).await }).await?;
        for row in rows {
            out.push(<A::Entity as EntityTrait>::Model::from_query_result(
                &row, "",
            )?);
        }
    }
    Ok(out)
}

/// Longest commitment or follow-up text accepted.
pub const MAX_LONG_TEXT: usize = 8000;
/// Longest name, role or other short text accepted.
pub const MAX_SHORT_TEXT: usize = 500;

/// A required text: trimmed, not empty, at most `max` characters.
pub fn required_text(field: &str, value: &str, max: usize) -> AppResult<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(AppError::bad_input(field, "must not be empty"));
    }
    if trimmed.chars().count() > max {
        return Err(AppError::bad_input(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

/// An optional text: trimmed; empty means none; at most `max` characters.
pub fn optional_text(field: &str, value: Option<&str>, max: usize) -> AppResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => required_text(field, v, max).map(Some),
    }
}

/// A year that makes sense for plans and follow-ups.
pub fn year(field: &str, value: i32) -> AppResult<i32> {
    if (2000..=2100).contains(&value) {
        Ok(value)
    } else {
        Err(AppError::bad_input(
            field,
            "must be a year between 2000 and 2100",
        ))
    }
}

/// A period of years: both valid, the end not before the start.
pub fn years(
    start_field: &str,
    start: Option<i32>,
    end_field: &str,
    end: Option<i32>,
) -> AppResult<()> {
    if let Some(s) = start {
        year(start_field, s)?;
    }
    if let Some(e) = end {
        year(end_field, e)?;
    }
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        return Err(AppError::bad_input(
            end_field,
            "must not be before the start",
        ));
    }
    Ok(())
}

/// Find row `id` of `E`, or `NOT_FOUND` naming `field`.
pub async fn find<E, C>(db: &C, id: i32, field: &str, what: &str) -> AppResult<E::Model>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i32>,
    C: ConnectionTrait,
{
    E::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found(field, format!("no {what} with this ID")))
}

/// Apply `changes` to row `id` (columns: its id and version) inside `txn` if the row is
/// still at version `expected`, and return the row after — one statement,
/// `UPDATE … WHERE id = ? AND version = ? RETURNING *` (SQLite since 3.35 and PostgreSQL;
/// built here as [`insert_returning`] is). When another edit got there first nothing is
/// written: `CONFLICT` naming the current version, read in the same transaction (which
/// then sees the other edit's commit), or `NOT_FOUND` when the row was removed meanwhile.
pub async fn update_if_version<E, A>(
    txn: &DatabaseTransaction,
    changes: A,
    (id_column, version_column): (E::Column, E::Column),
    (id, expected): (i32, i32),
    what: &str,
) -> AppResult<E::Model>
where
    E: EntityTrait,
    A: ActiveModelTrait<Entity = E>,
{
    let mut update = E::update_many()
        .set(changes)
        .filter(id_column.eq(id))
        .filter(version_column.eq(expected))
        .into_query();
    update.returning_all();
    let rows = boxed(async move { txn.query_all(&update).await }).await?;
    if let Some(row) = rows.first() {
        return Ok(E::Model::from_query_result(row, "")?);
    }
    Err(missed::<E>(txn, (id_column, version_column), (id, expected), what).await?)
}

/// Remove row `id` inside `txn` if it is still at version `expected`; else nothing is
/// removed and the answer is `CONFLICT` (or `NOT_FOUND`), as for
/// [`update_if_version`].
pub async fn delete_if_version<E>(
    txn: &DatabaseTransaction,
    (id_column, version_column): (E::Column, E::Column),
    (id, expected): (i32, i32),
    what: &str,
) -> AppResult<()>
where
    E: EntityTrait,
{
    let deleted = E::delete_many()
        .filter(id_column.eq(id))
        .filter(version_column.eq(expected))
        .exec(txn)
        .await?;
    if deleted.rows_affected == 1 {
        return Ok(());
    }
    Err(missed::<E>(txn, (id_column, version_column), (id, expected), what).await?)
}

/// Why a versioned write of row `id` touched nothing: `CONFLICT` naming the current
/// version, read in `txn` (which then sees the other edit's commit), or `NOT_FOUND` when
/// the row was removed meanwhile.
async fn missed<E: EntityTrait>(
    txn: &DatabaseTransaction,
    (id_column, version_column): (E::Column, E::Column),
    (id, expected): (i32, i32),
    what: &str,
) -> AppResult<AppError> {
    let current: Option<i32> = E::find()
        .select_only()
        .column(version_column)
        .filter(id_column.eq(id))
        .into_tuple()
        .one(txn)
        .await?;
    Ok(match current {
        Some(version) => conflict(expected, version),
        None => AppError::not_found("input.id", format!("the {what} has been removed")),
    })
}

/// The edit was based on `expected`; the row is at `current`.
pub fn check_version(expected: i32, current: i32) -> AppResult<()> {
    if expected == current {
        Ok(())
    } else {
        Err(conflict(expected, current))
    }
}

/// A `CONFLICT` error for an edit based on `expected` when the row is at `current`.
pub fn conflict(expected: i32, current: i32) -> AppError {
    AppError::Conflict(format!(
        "the edit was based on version {expected}, but the current version is {current}: reload and apply the edit again"
    ))
}

/// A slug from a name: lowercase ASCII, å/ä → a, ö → o, é → e, words joined by `-`.
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'å' | 'ä' | 'à' | 'á' => 'a',
            'ö' | 'ø' | 'ó' => 'o',
            'é' | 'è' | 'ë' => 'e',
            'ü' => 'u',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            out.push(c);
            dash = false;
        } else {
            dash = true;
        }
    }
    out
}

/// `BAD_USER_INPUT` on `input.slug` when a `what` with `slug` exists in `column`.
pub async fn slug_free<E, C>(db: &C, column: E::Column, slug: &str, what: &str) -> AppResult<()>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ConnectionTrait,
{
    if E::find().filter(column.eq(slug)).count(db).await? > 0 {
        return Err(AppError::bad_input(
            "input.slug",
            format!(
                "the slug {slug:?} is taken by another {what} (a slug made from the name and \
                 years when none is given); give `slug` to choose another"
            ),
        ));
    }
    Ok(())
}

/// Check a slug given by a client.
pub fn slug(field: &str, value: &str) -> AppResult<String> {
    let ok = !value.is_empty()
        && value.len() <= 100
        && value.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    if ok {
        Ok(value.to_owned())
    } else {
        Err(AppError::bad_input(
            field,
            "a slug is lowercase ASCII letters and digits, words joined by `-`",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_the_glossary() {
        assert_eq!(slugify("Enskede-Årsta-Vantör"), "enskede-arsta-vantor");
        assert_eq!(slugify("Skarpnäcks SDF"), "skarpnacks-sdf");
        assert!(slug("x", "spanga-tensta").is_ok());
        assert!(slug("x", "Spånga").is_err());
        assert!(slug("x", "a--b").is_err());
    }

    #[test]
    fn texts_are_checked() {
        assert!(required_text("t", "  ", 10).is_err());
        assert_eq!(required_text("t", " ok ", 10).ok().as_deref(), Some("ok"));
        assert!(required_text("t", &"å".repeat(11), 10).is_err());
        assert_eq!(optional_text("t", Some(" "), 10).ok(), Some(None));
        assert!(years("s", Some(2022), "e", Some(2021)).is_err());
    }
}
