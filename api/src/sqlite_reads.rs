//! The batch loaders' reads on an SQLite file, without a thread hop per row.
//!
//! sqlx runs every SQLite connection on a thread of its own: a statement is sent to that
//! thread, and every row comes back across a channel, copied value by value, waking the
//! request's task on the way; a connection is pinged through the same thread when it is
//! given back to the pool. For a dashboard (9 statements, ~400 rows on the national data
//! set) that hand-off was a third of the server's CPU time and most of its kernel time
//! (profile in docs/benchmarks.md), against 7 % spent in SQLite itself.
//!
//! So on an SQLite file the loaders of [`crate::graphql::loaders`] read through
//! [`SqliteReads`] instead: a few read-only `rusqlite` connections to the same file,
//! used right where the loader runs. Their statements are bounded — one per relation and
//! wave, the rows of the keys asked for — and take tens of microseconds, the same kind
//! of work as the rest of the request's resolvers, so they run inline rather than being
//! sent anywhere. Each statement is prepared once per connection and cached.
//!
//! The queries are still built by sea-orm ([`sea_orm::QueryTrait::build`]); the rows are
//! decoded into the same entity models by [`FromRow`], column by column in the order
//! sea-orm selects them (a unit test checks that every decoder lists its entity's
//! columns in that order; the statement's column count is checked on every query).
//! Values decode as sqlx decodes them (dates as RFC 3339 text or SQLite's own formats).
//!
//! Everything else — writes, transactions, pagination, coverage — stays on the sqlx pool,
//! and so does every read on PostgreSQL. A read here sees every committed write (WAL: a
//! statement outside a transaction reads the newest committed snapshot). Statements are
//! counted like the pool's (see [`crate::db::StatementCounter`]).

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use rusqlite::types::{FromSqlError, ValueRef};
use rusqlite::{Connection, OpenFlags, Row};
use sea_orm::{ActiveEnum, DbErr, Statement, Value};

use crate::db::StatementCounter;

/// How many prepared statements a connection keeps (the loaders have ~40 shapes, times
/// a few lengths of `IN (…)` lists).
const STATEMENT_CACHE: usize = 256;

/// Read-only connections to one SQLite file, used on the caller's thread.
pub struct SqliteReads {
    path: String,
    idle: Mutex<Vec<Connection>>,
    max_idle: usize,
    counter: StatementCounter,
}

impl std::fmt::Debug for SqliteReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteReads")
            .field("path", &self.path)
            .field("max_idle", &self.max_idle)
            .finish_non_exhaustive()
    }
}

impl SqliteReads {
    /// Reads from the SQLite file at `path` (which must exist: the server migrates it
    /// first), keeping up to `max_idle` connections, counting statements in `counter`.
    pub fn open(path: &str, max_idle: usize, counter: StatementCounter) -> Result<Self, DbErr> {
        let reads = Self {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
            max_idle: max_idle.max(1),
            counter,
        };
        // Fail at start, not on the first request, when the file cannot be read.
        let first = reads.connect()?;
        reads.give_back(first);
        Ok(reads)
    }

    fn connect(&self) -> Result<Connection, DbErr> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags).map_err(internal)?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(internal)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(conn)
    }

    fn take(&self) -> Result<Connection, DbErr> {
        let idle = self.idle.lock().map(|mut idle| idle.pop());
        match idle {
            Ok(Some(conn)) => Ok(conn),
            _ => self.connect(),
        }
    }

    fn give_back(&self, conn: Connection) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < self.max_idle
        {
            idle.push(conn);
        }
    }

    /// The rows of `statement` (built for SQLite), each decoded by `decode`; the
    /// statement must select `columns` columns.
    pub fn query<T>(
        &self,
        statement: &Statement,
        columns: usize,
        mut decode: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, DbErr> {
        crate::db::count_statement(&self.counter);
        let params = match &statement.values {
            Some(values) => values.0.iter().map(param).collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        let conn = self.take()?;
        let rows = (|| {
            let mut prepared = conn.prepare_cached(&statement.sql)?;
            if prepared.column_count() != columns {
                return Err(rusqlite::Error::InvalidColumnIndex(columns));
            }
            let mut rows = prepared.query(rusqlite::params_from_iter(params.iter()))?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(decode(row)?);
            }
            Ok(out)
        })();
        self.give_back(conn);
        rows.map_err(internal)
    }
}

/// A driver error, for the log (never shown to a client: see [`crate::error`]).
fn internal(err: rusqlite::Error) -> DbErr {
    DbErr::Custom(format!("sqlite read: {err}"))
}

/// A bound value of a statement sea-orm built.
fn param(value: &Value) -> Result<rusqlite::types::Value, DbErr> {
    use rusqlite::types::Value as R;
    fn int(v: Option<impl Into<i64>>) -> R {
        v.map_or(R::Null, |v| R::Integer(v.into()))
    }
    Ok(match value {
        Value::Bool(v) => int(*v),
        Value::TinyInt(v) => int(*v),
        Value::SmallInt(v) => int(*v),
        Value::Int(v) => int(*v),
        Value::BigInt(v) => int(*v),
        Value::TinyUnsigned(v) => int(*v),
        Value::SmallUnsigned(v) => int(*v),
        Value::Unsigned(v) => int(*v),
        Value::Float(v) => v.map_or(R::Null, |v| R::Real(v.into())),
        Value::Double(v) => v.map_or(R::Null, R::Real),
        Value::String(v) => v.as_ref().map_or(R::Null, |s| R::Text(s.clone())),
        Value::Char(v) => v.map_or(R::Null, |c| R::Text(c.to_string())),
        other => {
            return Err(DbErr::Custom(format!(
                "sqlite read: unsupported parameter {other:?}"
            )));
        }
    })
}

/// One column's value, decoded as sqlx decodes it for the same Rust type.
pub trait Cell: Sized {
    /// The value of `v`.
    fn cell(v: ValueRef<'_>) -> Result<Self, FromSqlError>;
}

/// The value at column `idx` of `row`.
fn cell<T: Cell>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T> {
    let v = row.get_ref(idx)?;
    let data_type = v.data_type();
    T::cell(v).map_err(|e| match e {
        FromSqlError::InvalidType => rusqlite::Error::InvalidColumnType(
            idx,
            row.as_ref().column_name(idx).unwrap_or("?").to_owned(),
            data_type,
        ),
        e => rusqlite::Error::FromSqlConversionFailure(idx, data_type, Box::new(e)),
    })
}

impl Cell for i32 {
    fn cell(v: ValueRef<'_>) -> Result<Self, FromSqlError> {
        let i = v.as_i64()?;
        i32::try_from(i).map_err(|_| FromSqlError::OutOfRange(i))
    }
}

impl Cell for bool {
    fn cell(v: ValueRef<'_>) -> Result<Self, FromSqlError> {
        Ok(v.as_i64()? != 0)
    }
}

impl Cell for String {
    fn cell(v: ValueRef<'_>) -> Result<Self, FromSqlError> {
        v.as_str().map(str::to_owned)
    }
}

impl<T: Cell> Cell for Option<T> {
    fn cell(v: ValueRef<'_>) -> Result<Self, FromSqlError> {
        match v {
            ValueRef::Null => Ok(None),
            v => T::cell(v).map(Some),
        }
    }
}

impl Cell for NaiveDate {
    fn cell(v: ValueRef<'_>) -> Result<Self, FromSqlError> {
        v.as_str()?
            .parse::<NaiveDate>()
            .map_err(|e| FromSqlError::Other(e.into()))
    }
}

impl Cell for DateTime<Utc> {
    fn cell(v: ValueRef<'_>) -> Result<Self, FromSqlError> {
        match v {
            ValueRef::Integer(secs) => Utc
                .timestamp_opt(secs, 0)
                .single()
                .ok_or(FromSqlError::OutOfRange(secs)),
            v => datetime_from_text(v.as_str()?)
                .ok_or_else(|| FromSqlError::Other("not a date and time".into())),
        }
    }
}

/// A date and time written as RFC 3339 (what sqlx writes) or in one of SQLite's own
/// formats (UTC when it names no offset) — the formats sqlx reads.
fn datetime_from_text(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(dt.with_timezone(&Utc));
    }
    const FORMATS: [&str; 12] = [
        "%F %T%.f",
        "%F %R",
        "%F %RZ",
        "%F %R%:z",
        "%F %T%.fZ",
        "%F %T%.f%:z",
        "%FT%R",
        "%FT%RZ",
        "%FT%R%:z",
        "%FT%T%.f",
        "%FT%T%.fZ",
        "%FT%T%.f%:z",
    ];
    FORMATS.iter().find_map(|format| {
        DateTime::parse_from_str(text, format)
            .map(|dt| dt.with_timezone(&Utc))
            .ok()
            .or_else(|| {
                NaiveDateTime::parse_from_str(text, format)
                    .ok()
                    .map(|dt| Utc.from_utc_datetime(&dt))
            })
    })
}

/// Enumerations stored as their string values.
macro_rules! enum_cells {
    ($($enum:ty),* $(,)?) => {$(
        impl Cell for $enum {
            fn cell(v: ValueRef<'_>) -> Result<Self, FromSqlError> {
                <$enum as ActiveEnum>::try_from_value(&v.as_str()?.to_owned())
                    .map_err(|e| FromSqlError::Other(e.to_string().into()))
            }
        }
    )*};
}

enum_cells!(
    entity::enums::OrganizationKind,
    entity::enums::GroupKind,
    entity::enums::FollowUpStatus,
    entity::enums::Term,
);

/// An entity model decoded from a row, from column `at` on.
pub trait FromRow: Sized {
    /// The columns, in the order sea-orm selects them.
    const COLUMNS: &'static [&'static str];

    /// The model in the columns from `at`.
    fn from_row(row: &Row<'_>, at: usize) -> rusqlite::Result<Self>;

    /// The model in the columns from `at`, or `None` when they are all NULL (a related
    /// row a left join did not find).
    fn from_row_opt(row: &Row<'_>, at: usize) -> rusqlite::Result<Option<Self>> {
        for idx in at..at + Self::COLUMNS.len() {
            if row.get_ref(idx)? != ValueRef::Null {
                return Self::from_row(row, at).map(Some);
            }
        }
        Ok(None)
    }
}

/// [`FromRow`] for entity models: every field, in the entity's column order.
macro_rules! from_row {
    ($($module:ident { $($field:ident),* $(,)? })*) => {$(
        impl FromRow for entity::$module::Model {
            const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),*];

            fn from_row(row: &Row<'_>, at: usize) -> rusqlite::Result<Self> {
                let mut idx = at;
                let mut next = || {
                    idx += 1;
                    idx - 1
                };
                Ok(Self { $($field: cell(row, next())?,)* })
            }
        }
    )*};
}

from_row! {
    action_plan { id, district_id, strategy_id, slug, title, description, start_year, end_year, version, created_at, updated_at }
    activity { id, action_plan_id, priority_area_id, focus_area_id, position, goal, description, responsible_text, timeline, start_year, end_year, follow_up_schedule, follow_up_terms, version, created_at, updated_at }
    activity_method { activity_id, method_id }
    audit_event { id, at, actor_sub, actor_organization_id, action, node_type, node_id, district_id, before, after }
    collaboration_area { id, district_id, slug, name, goal, situation, position }
    collaboration_group { id, district_id, collaboration_area_id, slug, name, subtitle, kind, purpose, situation, term, term_ends_on, meeting_cadence, convener, financing, communication, follow_up_cadence, other_participants, archived_at, version, created_at, updated_at }
    commitment { id, group_id, organization_id, text, version, created_at, updated_at, created_by, updated_by }
    district { id, municipality_id, slug, name }
    focus_area { id, priority_area_id, slug, name, description, position }
    follow_up { id, activity_id, year, term, status, effects, as_of, reported_by_organization_id, reported_by_sub, locked, version, created_at, updated_at }
    method { id, slug, name, abbreviation, description }
    municipality { id, slug, name }
    organization { id, slug, name, kind, parent_id }
    organization_district { organization_id, district_id }
    participation { id, group_id, organization_id, contact_role, other_participants, is_convener, version, created_at, updated_at }
    priority_area { id, strategy_id, slug, name, description, position }
    responsibility { id, activity_id, organization_id, role, position }
    strategy { id, municipality_id, slug, name, description, start_year, end_year }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{EntityTrait, IdenStatic, Iterable};

    fn columns<E: EntityTrait>() -> Vec<&'static str> {
        E::Column::iter().map(|c| c.as_str()).collect()
    }

    #[test]
    fn every_decoder_lists_its_entitys_columns_in_select_order() {
        use entity::*;
        macro_rules! check {
            ($($module:ident),*) => {$(
                assert_eq!(
                    <$module::Model as FromRow>::COLUMNS,
                    columns::<$module::Entity>().as_slice(),
                    stringify!($module)
                );
            )*};
        }
        check!(
            action_plan,
            activity,
            activity_method,
            audit_event,
            collaboration_area,
            collaboration_group,
            commitment,
            district,
            focus_area,
            follow_up,
            method,
            municipality,
            organization,
            organization_district,
            participation,
            priority_area,
            responsibility,
            strategy
        );
    }

    #[test]
    fn dates_and_times_are_read_in_the_formats_sqlx_reads() {
        let expected = Utc.with_ymd_and_hms(2021, 8, 31, 12, 30, 0).single();
        for text in [
            "2021-08-31T12:30:00+00:00",
            "2021-08-31T14:30:00+02:00",
            "2021-08-31T12:30:00.000000000+00:00",
            "2021-08-31 12:30:00",
            "2021-08-31 12:30",
            "2021-08-31T12:30:00Z",
        ] {
            assert_eq!(datetime_from_text(text), expected, "{text}");
        }
        assert_eq!(datetime_from_text("31 augusti"), None);
    }

    #[test]
    fn rows_decode_into_models_and_missing_joined_rows_into_none() -> rusqlite::Result<()> {
        let conn = Connection::open_in_memory()?;
        let mut stmt = conn.prepare(
            "SELECT 7, 'polisen', 'Polisen', 'POLICE', NULL, \
             NULL, NULL, NULL, NULL, NULL",
        )?;
        let mut rows = stmt.query([])?;
        let row = rows.next()?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let org = entity::organization::Model::from_row(row, 0)?;
        assert_eq!(org.id, 7);
        assert_eq!(org.kind, entity::enums::OrganizationKind::Police);
        assert_eq!(org.parent_id, None);
        assert_eq!(entity::organization::Model::from_row_opt(row, 5)?, None);
        Ok(())
    }
}
