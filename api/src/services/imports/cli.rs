//! `samverkan import …`: the same imports as the GraphQL mutations, run by the command
//! line against the database of `DATABASE_URL`, as an admin named by `--as` (audited as
//! such), with a report printed for a person.

use std::fmt::Write as _;
use std::path::Path;

pub use entity::enums::Term;
use entity::{action_plan, district};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::{FollowUpImport, IdDecoder, ImportReport, PlanImport, RowAction};
use crate::auth::Role;
use crate::error::{AppError, AppResult};
use crate::services::authz::Actor;

/// What to import, as the command line names it (slugs, a path).
#[derive(Debug, Clone)]
pub struct CliImport {
    /// The district's slug.
    pub district: String,
    /// The plan's slug, when given.
    pub plan: Option<String>,
    /// The plan's title, when given (action plans).
    pub title: Option<String>,
    /// The period (follow-ups); `None` imports an action plan.
    pub period: Option<(i32, Term)>,
    /// The file.
    pub file: std::path::PathBuf,
    /// Write nothing.
    pub dry_run: bool,
    /// Who the audit trail names (`--as`).
    pub actor: String,
    /// `SAMVERKAN_MAX_UPLOAD_BYTES`.
    pub max_bytes: usize,
}

/// Run an import from the command line; the report (or the refusal) for a person.
pub async fn run(
    db: &DatabaseConnection,
    what: CliImport,
    decode_id: IdDecoder,
) -> AppResult<ImportReport> {
    let district = district::Entity::find()
        .filter(district::Column::Slug.eq(what.district.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::not_found("--district", format!("no district {:?}", what.district))
        })?;
    let plan_id = match &what.plan {
        Some(slug) => Some(
            action_plan::Entity::find()
                .filter(action_plan::Column::Slug.eq(slug.as_str()))
                .one(db)
                .await?
                .ok_or_else(|| AppError::not_found("--plan", format!("no action plan {slug:?}")))?
                .id,
        ),
        None => None,
    };
    let actor = Actor {
        sub: what.actor.clone(),
        org_slug: String::new(),
        org_id: None,
        roles: vec![Role::Admin],
        district_ids: Vec::new(),
        serves: crate::services::authz::Serves::City,
        administers: Default::default(),
    };
    let bytes = read(&what.file)?;
    let file_name = what
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let digest = super::digest(&bytes);
    let doc = super::read_file(&bytes, &super::file_limits(what.max_bytes))?;
    drop(bytes);
    match what.period {
        None => {
            super::import_plan(
                db,
                &actor,
                PlanImport {
                    district_id: district.id,
                    action_plan_id: plan_id,
                    title: what.title,
                    start_year: None,
                    end_year: None,
                    strategy_id: None,
                    file_name,
                    dry_run: what.dry_run,
                },
                doc,
                &digest,
                decode_id,
            )
            .await
        }
        Some((year, term)) => {
            super::import_follow_ups(
                db,
                &actor,
                FollowUpImport {
                    district_id: district.id,
                    action_plan_id: plan_id,
                    year,
                    term,
                    file_name,
                    dry_run: what.dry_run,
                },
                doc,
                &digest,
                decode_id,
            )
            .await
        }
    }
}

/// A term as the command line writes it: `T1`, `T2`, `ANNUAL` (or `VB`).
pub fn parse_term(s: &str) -> Result<Term, String> {
    match s.to_ascii_uppercase().as_str() {
        "T1" => Ok(Term::T1),
        "T2" => Ok(Term::T2),
        "ANNUAL" | "VB" => Ok(Term::Annual),
        other => Err(format!("{other:?} is no term: T1, T2 or ANNUAL")),
    }
}

fn read(path: &Path) -> AppResult<Vec<u8>> {
    std::fs::read(path)
        .map_err(|e| AppError::bad_input("FILE", format!("cannot read {}: {e}", path.display())))
}

/// The report for a person: the plan, the counts, row by row, every problem.
pub fn render(report: &ImportReport) -> String {
    let mut out = String::new();
    let verb = if report.dry_run {
        "a dry run, nothing written; it would write"
    } else if report.written {
        "written"
    } else if report.blocking() > 0 {
        "nothing written because of the problems below; it would have written"
    } else {
        "nothing to write"
    };
    match &report.plan {
        Some(p) => {
            let _ = writeln!(out, "plan: {} ({})", p.title, p.slug);
        }
        None => {
            let _ = writeln!(out, "plan: a new plan");
        }
    }
    let _ = writeln!(
        out,
        "{verb}: {} created, {} updated, {} unchanged",
        report.created, report.updated, report.unchanged
    );
    for row in &report.rows {
        let action = match row.action {
            RowAction::Create => "create",
            RowAction::Update => "update",
            RowAction::Unchanged => "unchanged",
            RowAction::Skip => "skip",
        };
        let changes = if row.changes.is_empty() {
            String::new()
        } else {
            format!(" ({})", row.changes.join(", "))
        };
        let _ = writeln!(out, "  row {:>4}: {action}{changes}", row.row);
    }
    for p in &report.problems {
        let place = match (p.row, &p.column) {
            (Some(r), Some(c)) => format!("row {r}, {c}"),
            (Some(r), None) => format!("row {r}"),
            (None, Some(c)) => c.clone(),
            (None, None) => "file".into(),
        };
        let _ = writeln!(
            out,
            "{} {} [{place}]: {}",
            if p.blocking() { "ERROR" } else { "note " },
            p.code.as_str(),
            p.message
        );
    }
    if let Some(err) = report.refusal() {
        let _ = writeln!(out, "{err}");
    }
    out
}
