//! Imports (issue 15, "In"): an action plan, or a period's follow-ups, from the tables the
//! districts already keep — XLSX, CSV or a Word table with the documents' columns.
//!
//! - **Reading** ([`read`]): the office-files engine (`crate::files`) turns the file into
//!   paragraphs and tables; [`read::read_sheet`] finds the heading rows by the Swedish
//!   headings as the documents write them (case, whitespace, hyphenation and order do not
//!   matter; unknown columns are named as problems and ignored), carries a blank
//!   "Prioriterad utgångspunkt"/"Område" down from the row above (or from a preceding
//!   paragraph "Prioriterad utgångspunkt: X", Bromma's layout), and reads the title.
//! - **Matching** ([`catalogue`]): priority and focus areas by name (NFC, case- and
//!   punctuation-insensitive; an approximate match — "Inskrivningsgraden i förskola samt
//!   skolnärvaro" — is taken and reported), methods found by name or abbreviation in
//!   "Metoder och arbetssätt", organizations named in "Ansvarig" by their "Label:" (what
//!   matches nothing is reported and kept in the responsibility text, never guessed).
//! - **Rows to activities**: a row is matched to an activity of the plan by the `ID`
//!   column our exports write, else by its place (the n-th data row ↔ the activity at
//!   position n). A matched row whose content differs updates the activity — but only
//!   when no edit is lost: the file's `Version` column (when given) must be the
//!   activity's version, and without it the activity must not have been changed in the
//!   service since it was imported or seeded (its last audit event is an import, or it
//!   has none and is at version 1). Otherwise the row is a `CONFLICT` problem.
//! - **Dry run or commit**: a dry run answers row by row what would happen, with every
//!   problem, and writes nothing. A commit with a blocking problem writes nothing either;
//!   else everything — the plan, its activities, methods, responsibilities, the source
//!   document and each record's provenance, the audit events — is written in one
//!   transaction (`write::commit`). Re-importing a file changes nothing.
//!
//! The rule is the plans' (`authz::plan`): a coordinator imports into their districts'
//! plans, a body's editors into its own plans, admins anywhere. Follow-ups of a locked
//! (submitted) period change only by an admin.

pub mod catalogue;
pub mod cli;
pub mod follow_up_rows;
pub mod plan_rows;
mod plan_write;
pub mod read;
mod shared;
mod wanted;

use entity::enums::{FollowUpStatus, Term};
use entity::{action_plan, activity, district, follow_up};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use unicode_normalization::UnicodeNormalization;

use super::authz::{self, Actor};
use super::write;
use crate::error::{AppError, AppResult};
use crate::files::{self, Document};
use read::{Column, Sheet};

/// The guards a file passes before it is read: `max_bytes` (`SAMVERKAN_MAX_UPLOAD_BYTES`),
/// at most 20× that unpacked (and 100 MB at least), no entry packed more than 200:1, and
/// at most 500,000 cells (a national plan of 10,000 rows has 80,000).
pub fn file_limits(max_bytes: usize) -> files::Limits {
    files::Limits {
        max_bytes,
        max_unzipped_bytes: (max_bytes as u64).saturating_mul(20).max(100 * 1024 * 1024),
        max_ratio: 200,
        max_cells: 500_000,
    }
}

/// A text's matching key: NFC, lower case, letters and digits only ("Lokala samverkans-
/// överenskommelser" and "Lokala samverkansöverenskommelser" are the same).
pub fn key(text: &str) -> String {
    text.nfc()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// A text's words: NFC, lower case, split at whitespace, each without punctuation.
pub fn words(text: &str) -> Vec<String> {
    let text: String = text.nfc().collect();
    text.split_whitespace()
        .map(|w| {
            w.chars()
                .flat_map(char::to_lowercase)
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Text compared as a reader sees it: runs of whitespace (line breaks too) are one space.
pub fn same_text(a: Option<&str>, b: Option<&str>) -> bool {
    let norm = |t: Option<&str>| {
        t.map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|t| !t.is_empty())
    };
    norm(a) == norm(b)
}

/// What a problem is about. Blocking problems stop a commit (nothing is written); the
/// others are notices: the row is imported, and the notice says what was read how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemCode {
    /// No table with the plan's columns (blocking).
    NoTable,
    /// A column the import needs is missing, e.g. "Status" for follow-ups (blocking).
    MissingColumn,
    /// A column the import does not read; ignored (notice).
    UnknownColumn,
    /// A row lacks a value it needs, e.g. "Metoder och arbetssätt" (blocking).
    MissingValue,
    /// A value that cannot be read, e.g. a version that is not a number (blocking).
    BadValue,
    /// A text longer than the service keeps (blocking).
    TextTooLong,
    /// A priority area the catalogue does not have (blocking).
    UnknownPriorityArea,
    /// A focus area the catalogue does not have (blocking).
    UnknownFocusArea,
    /// A focus area of another priority area than the row's (blocking).
    FocusAreaMismatch,
    /// A name matched a catalogue entry only approximately; the entry is named (notice).
    ApproximateMatch,
    /// An organization named in "Ansvarig" that matches none; kept in the text (notice).
    UnknownOrganization,
    /// An organization read rather than named (e.g. "Polis:" → the police area serving
    /// the district; a cell naming none → the plan's owner) (notice).
    OrganizationInferred,
    /// A row would overwrite a change made in the service since the file was made, or
    /// its `Version` is stale (blocking).
    Conflict,
    /// An `ID` that names no activity of the plan (blocking).
    NotFound,
    /// A follow-up status that is not one of the statuses (blocking).
    UnknownStatus,
    /// A follow-up of a submitted (locked) period; only an admin changes it (blocking).
    Locked,
    /// A follow-up row that no activity of the plan matches (blocking).
    NoActivity,
    /// A follow-up row whose "Metoder och arbetssätt" differs from its activity's
    /// (blocking: the file's rows are not the plan's).
    RowMismatch,
    /// The plan has activities the file does not; they were left as they are (notice).
    ExtraActivities,
    /// The file holds columns another import reads (e.g. a follow-up's status in a plan
    /// import) (notice).
    OtherImport,
}

impl ProblemCode {
    /// The code as clients see it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoTable => "NO_TABLE",
            Self::MissingColumn => "MISSING_COLUMN",
            Self::UnknownColumn => "UNKNOWN_COLUMN",
            Self::MissingValue => "MISSING_VALUE",
            Self::BadValue => "BAD_VALUE",
            Self::TextTooLong => "TEXT_TOO_LONG",
            Self::UnknownPriorityArea => "UNKNOWN_PRIORITY_AREA",
            Self::UnknownFocusArea => "UNKNOWN_FOCUS_AREA",
            Self::FocusAreaMismatch => "FOCUS_AREA_MISMATCH",
            Self::ApproximateMatch => "APPROXIMATE_MATCH",
            Self::UnknownOrganization => "UNKNOWN_ORGANIZATION",
            Self::OrganizationInferred => "ORGANIZATION_INFERRED",
            Self::Conflict => "CONFLICT",
            Self::NotFound => "NOT_FOUND",
            Self::UnknownStatus => "UNKNOWN_STATUS",
            Self::Locked => "LOCKED",
            Self::NoActivity => "NO_ACTIVITY",
            Self::RowMismatch => "ROW_MISMATCH",
            Self::ExtraActivities => "EXTRA_ACTIVITIES",
            Self::OtherImport => "OTHER_IMPORT",
        }
    }

    /// Whether the problem stops a commit.
    pub fn blocking(self) -> bool {
        !matches!(
            self,
            Self::UnknownColumn
                | Self::ApproximateMatch
                | Self::UnknownOrganization
                | Self::OrganizationInferred
                | Self::ExtraActivities
                | Self::OtherImport
        )
    }
}

/// A problem found in a file: where (row as the user finds it, column heading as
/// written), what, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The row (see [`files::Row::number`]); `None` for the file as a whole.
    pub row: Option<usize>,
    /// The column's heading as written; `None` for the row as a whole.
    pub column: Option<String>,
    /// What kind of problem.
    pub code: ProblemCode,
    /// What is wrong and what to do, for a person.
    pub message: String,
}

impl Problem {
    /// Whether the problem stops a commit.
    pub fn blocking(&self) -> bool {
        self.code.blocking()
    }
}

/// What happens to a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowAction {
    /// A new activity (or follow-up).
    Create,
    /// Its activity (or follow-up) changes.
    Update,
    /// Its activity (or follow-up) is as the row says already.
    Unchanged,
    /// Not imported: a blocking problem on the row.
    Skip,
}

/// One row's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowOutcome {
    /// The row as the user finds it.
    pub row: usize,
    /// What happens (or happened) to it.
    pub action: RowAction,
    /// The activity the row is (or would be, when it exists) written to.
    pub activity_id: Option<i32>,
    /// The fields that change (`goal`, `methods`, `status` …), for an update.
    pub changes: Vec<&'static str>,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// The plan imported into: found, or created (after a commit); `None` in a dry run
    /// that would create it.
    pub plan: Option<action_plan::Model>,
    /// Whether the plan is (or would be) created by the import.
    pub plan_created: bool,
    /// Rows that create an activity (or follow-up).
    pub created: usize,
    /// Rows that change one.
    pub updated: usize,
    /// Rows that change nothing.
    pub unchanged: usize,
    /// Row by row.
    pub rows: Vec<RowOutcome>,
    /// Every problem, in row order (the file's own first).
    pub problems: Vec<Problem>,
    /// Whether this was a dry run.
    pub dry_run: bool,
    /// Whether anything was written.
    pub written: bool,
    /// The follow-ups written (for live updates).
    pub follow_ups: Vec<follow_up::Model>,
}

impl ImportReport {
    /// How many problems stop a commit.
    pub fn blocking(&self) -> usize {
        self.problems.iter().filter(|p| p.blocking()).count()
    }

    /// The refusal of a commit with blocking problems (nothing was written).
    pub fn refusal(&self) -> Option<AppError> {
        let n = self.blocking();
        (!self.dry_run && n > 0).then(|| {
            AppError::bad_input(
                "input.file",
                format!(
                    "the file has {n} problem{} that stop the import (see `problems`): nothing was written",
                    if n == 1 { "" } else { "s" }
                ),
            )
        })
    }
}

/// A file to import and where.
#[derive(Debug, Clone)]
pub struct PlanImport {
    /// The district the plan is for.
    pub district_id: i32,
    /// The plan to import into; else the district's plan of the file's title, else a new
    /// one.
    pub action_plan_id: Option<i32>,
    /// The plan's title (default: the file's).
    pub title: Option<String>,
    /// The plan's first year (default: from the title).
    pub start_year: Option<i32>,
    /// The plan's last year (default: from the title).
    pub end_year: Option<i32>,
    /// The strategy the plan follows (default: the plan's, else the one whose years hold
    /// the plan's first year).
    pub strategy_id: Option<i32>,
    /// The file's name as uploaded.
    pub file_name: String,
    /// Write nothing, only answer what would happen.
    pub dry_run: bool,
}

/// A period's follow-ups to import.
#[derive(Debug, Clone)]
pub struct FollowUpImport {
    /// The district whose plan it is.
    pub district_id: i32,
    /// The plan (default: the district's plan of the file's title, else its only plan
    /// with activities whose years hold the period).
    pub action_plan_id: Option<i32>,
    /// The period's year.
    pub year: i32,
    /// The period's term.
    pub term: Term,
    /// The file's name as uploaded.
    pub file_name: String,
    /// Write nothing, only answer what would happen.
    pub dry_run: bool,
}

/// Decodes the `ID` column (our exports' global IDs) to an activity's row id.
pub type IdDecoder = fn(&str) -> Option<i32>;

/// Read `bytes` as an office file within `limits` (any [`files::FileError`] is the
/// uploader's, with its code; nothing is written).
pub fn read_file(bytes: &[u8], limits: &files::Limits) -> AppResult<Document> {
    files::read(bytes, limits).map_err(AppError::File)
}

/// The district, and the rule checked for a plan in it (the existing plan's scope, or a
/// new plan's: the district administration as owner).
async fn district_and_rule(
    db: &DatabaseConnection,
    actor: &Actor,
    district_id: i32,
    plan: Option<&action_plan::Model>,
) -> AppResult<district::Model> {
    let district =
        write::find::<district::Entity, _>(db, district_id, "input.district", "district").await?;
    let scope = match plan {
        Some(p) => super::plans::scope(p),
        None => authz::PlanScope {
            owner: super::plans::district_administration(db, district.id).await?,
            district: Some(district.id),
        },
    };
    authz::plan(actor, scope, &district.name)?;
    Ok(district)
}

/// Whether `actor` may import into `district_id` (into the plan `plan_id`, when named):
/// the plans' rule, checked before a file is read.
pub async fn check_rule(
    db: &DatabaseConnection,
    actor: &Actor,
    district_id: i32,
    plan_id: Option<i32>,
) -> AppResult<()> {
    let plan = match plan_id {
        Some(id) => Some(named_plan(db, id, district_id).await?),
        None => None,
    };
    district_and_rule(db, actor, district_id, plan.as_ref()).await?;
    Ok(())
}

/// The plan named by id (it must be the district's).
async fn named_plan(
    db: &DatabaseConnection,
    plan_id: i32,
    district_id: i32,
) -> AppResult<action_plan::Model> {
    let plan =
        write::find::<action_plan::Entity, _>(db, plan_id, "input.actionPlan", "action plan")
            .await?;
    if plan.district_id != Some(district_id) {
        return Err(AppError::bad_input(
            "input.actionPlan",
            "the action plan is not one of this district's",
        ));
    }
    Ok(plan)
}

/// The district's plan with this title (compared by [`key`]).
async fn plan_titled(
    db: &DatabaseConnection,
    district_id: i32,
    title: &str,
) -> AppResult<Option<action_plan::Model>> {
    let plans = action_plan::Entity::find()
        .filter(action_plan::Column::DistrictId.eq(district_id))
        .order_by_asc(action_plan::Column::Id)
        .all(db)
        .await?;
    let k = key(title);
    Ok(plans.into_iter().find(|p| key(&p.title) == k))
}

/// Import (or preview) an action plan from `doc`, read from the file `import.file_name`
/// whose bytes hash to `digest` (the source document's identity). The document is let go
/// once its rows are read.
pub async fn import_plan(
    db: &DatabaseConnection,
    actor: &Actor,
    input: PlanImport,
    doc: Document,
    digest: &str,
    decode_id: IdDecoder,
) -> AppResult<ImportReport> {
    let named = match input.action_plan_id {
        Some(id) => Some(named_plan(db, id, input.district_id).await?),
        None => None,
    };
    // The rule first (for a plan named, its own; else the district's), then the file.
    let district = district_and_rule(db, actor, input.district_id, named.as_ref()).await?;
    let sheet = read::read_sheet(&doc);
    drop(doc);
    let title = input
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .or_else(|| sheet.title.clone());
    let plan = match named {
        Some(p) => Some(p),
        None => match &title {
            Some(t) => plan_titled(db, district.id, t).await?,
            None => None,
        },
    };
    if let Some(p) = &plan {
        // The plan found may be another body's: its own rule.
        authz::plan(actor, super::plans::scope(p), &district.name)?;
    }
    plan_rows::plan_rows(
        db,
        actor,
        plan_rows::PlanContext {
            input,
            district,
            plan,
            title,
            digest: digest.to_owned(),
            decode_id,
        },
        sheet,
    )
    .await
}

/// Import (or preview) a period's follow-ups from `doc` (let go once its rows are read).
pub async fn import_follow_ups(
    db: &DatabaseConnection,
    actor: &Actor,
    input: FollowUpImport,
    doc: Document,
    digest: &str,
    decode_id: IdDecoder,
) -> AppResult<ImportReport> {
    write::year("input.period.year", input.year)?;
    let named = match input.action_plan_id {
        Some(id) => Some(named_plan(db, id, input.district_id).await?),
        None => None,
    };
    let district = district_and_rule(db, actor, input.district_id, named.as_ref()).await?;
    let sheet = read::read_sheet(&doc);
    drop(doc);
    let plan = match named {
        Some(p) => p,
        None => find_follow_up_plan(db, &district, &sheet, input.year).await?,
    };
    authz::plan(actor, super::plans::scope(&plan), &district.name)?;
    follow_up_rows::follow_up_rows(db, actor, input, plan, sheet, digest, decode_id).await
}

/// The plan a follow-up file is about: the district's plan of the file's title, else its
/// only plan with activities whose years hold `year`.
async fn find_follow_up_plan(
    db: &DatabaseConnection,
    district: &district::Model,
    sheet: &Sheet,
    year: i32,
) -> AppResult<action_plan::Model> {
    if let Some(title) = &sheet.title
        && let Some(plan) = plan_titled(db, district.id, title).await?
    {
        return Ok(plan);
    }
    let plans = action_plan::Entity::find()
        .filter(action_plan::Column::DistrictId.eq(district.id))
        .order_by_asc(action_plan::Column::Id)
        .all(db)
        .await?;
    let mut candidates = Vec::new();
    for p in plans {
        let covers = p.start_year.is_none_or(|s| s <= year) && p.end_year.is_none_or(|e| year <= e);
        let has_rows = activity::Entity::find()
            .filter(activity::Column::ActionPlanId.eq(p.id))
            .one(db)
            .await?
            .is_some();
        if covers && has_rows {
            candidates.push(p);
        }
    }
    match candidates.len() {
        1 => Ok(candidates.remove(0)),
        0 => Err(AppError::bad_input(
            "input.actionPlan",
            format!(
                "{} has no plan with activities for {year} whose title the file names: give `actionPlan`",
                district.name
            ),
        )),
        n => Err(AppError::bad_input(
            "input.actionPlan",
            format!(
                "{} has {n} plans with activities for {year}: give `actionPlan` to say which",
                district.name
            ),
        )),
    }
}

/// A follow-up status as the documents write it: "Pågår", "Klart", "Pausad",
/// "Planerad", "Avbruten" (and the API's names).
pub fn parse_status(text: &str) -> Option<FollowUpStatus> {
    let k = key(text);
    Some(match k.as_str() {
        "pågår" | "pågående" | "ongoing" | "påbörjad" => FollowUpStatus::Ongoing,
        "klart" | "klar" | "genomförd" | "genomfört" | "avslutad" | "avslutat" | "done" => {
            FollowUpStatus::Done
        }
        "pausad" | "pausat" | "vilande" | "paused" => FollowUpStatus::Paused,
        "planerad" | "planerat" | "ejpåbörjad" | "ejpåbörjat" | "planned" => {
            FollowUpStatus::Planned
        }
        "avbruten" | "avbrutet" | "inställd" | "inställt" | "cancelled" | "canceled" => {
            FollowUpStatus::Cancelled
        }
        _ => return None,
    })
}

/// The rows' cells the import uses, by column (for messages).
pub(crate) fn heading(sheet: &Sheet, column: Column) -> String {
    sheet
        .headings
        .get(&column)
        .cloned()
        .unwrap_or_else(|| column.heading().to_owned())
}

/// A SHA-256 digest of a file's bytes, as lower-case hex (the imported file's identity).
pub fn digest(bytes: &[u8]) -> String {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(bytes);
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;
