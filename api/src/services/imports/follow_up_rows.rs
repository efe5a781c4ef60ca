//! A follow-up file's rows: each matched to its activity (by the `ID` column, else by its
//! place, checked against its description), compared with the period's follow-up, checked
//! against the lock and version rules; then, unless it is a dry run or a problem blocks
//! it, written in the one transaction of `write::commit` — changed follow-ups one by one
//! under the version rule, new ones many to a statement.

use std::collections::HashMap;

use chrono::Utc;
use entity::enums::FollowUpStatus;
use entity::{action_plan, activity, audit_event, follow_up};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, ExprTrait, QueryFilter};

use super::read::{Column, Sheet, SheetRow};
use super::shared::{
    Current, Decision, Mark, Skipped, current_activities, last_actions, lost_edit, mark, problem,
    sort_problems, source_document_of,
};
use super::{
    FollowUpImport, IdDecoder, ImportReport, Problem, ProblemCode, heading, parse_status, same_text,
};
use crate::error::{AppError, AppResult};
use crate::services::audit::Change;
use crate::services::authz::{self, Actor};
use crate::services::follow_ups::{self, Reported};
use crate::services::write::{self, MAX_LONG_TEXT, Written};

/// A follow-up to write.
#[derive(Debug)]
struct Planned {
    /// Its activity.
    activity_id: i32,
    status: FollowUpStatus,
    effects: Option<String>,
    /// The follow-up it changes (none: a new one).
    before: Option<follow_up::Model>,
    /// The file's row.
    row: usize,
}

/// The rows of a follow-up file: match each row to its activity, compare the period's
/// follow-up, check the version and lock rules, and (unless a dry run or a blocking
/// problem) write.
pub async fn follow_up_rows(
    db: &DatabaseConnection,
    actor: &Actor,
    input: FollowUpImport,
    plan: action_plan::Model,
    mut sheet: Sheet,
    digest: &str,
    decode_id: IdDecoder,
) -> AppResult<ImportReport> {
    let mut report = ImportReport {
        dry_run: input.dry_run,
        plan: Some(plan.clone()),
        problems: sheet.problems.clone(),
        ..ImportReport::default()
    };
    if !sheet.headings.contains_key(&Column::Status) {
        report.problems.push(Problem {
            row: None,
            column: None,
            code: ProblemCode::MissingColumn,
            message: "a follow-up file needs a \"Status\" column (e.g. \"Status 31/8 2021\") \
                      beside \"Metoder och arbetssätt\""
                .into(),
        });
    }
    if let Some((year, term)) = sheet.status_period
        && (year, term) != (input.year, input.term)
    {
        report.problems.push(Problem {
            row: None,
            column: sheet.headings.get(&Column::Status).cloned(),
            code: ProblemCode::BadValue,
            message: format!(
                "the status column is of {year} {term:?}, but the import is for {} {:?}",
                input.year, input.term
            ),
        });
    }
    let current = current_activities(db, plan.id).await?;
    let existing: HashMap<i32, follow_up::Model> = follow_up::Entity::find()
        .filter(
            follow_up::Column::ActivityId.in_subquery(
                Query::select()
                    .column(activity::Column::Id)
                    .from(activity::Entity)
                    .and_where(activity::Column::ActionPlanId.eq(plan.id))
                    .to_owned(),
            ),
        )
        .filter(follow_up::Column::Year.eq(input.year))
        .filter(follow_up::Column::Term.eq(input.term))
        .all(db)
        .await?
        .into_iter()
        .map(|f| (f.activity_id, f))
        .collect();
    let mut last: HashMap<i32, String> = HashMap::new();
    let ids: Vec<i32> = existing.values().map(|f| f.id).collect();
    for chunk in ids.chunks(500) {
        let which = audit_event::Column::NodeType
            .eq("FollowUp")
            .and(audit_event::Column::NodeId.is_in(chunk.iter().copied()));
        last.extend(last_actions(db, which).await?);
    }
    // Each row is let go once read.
    let data_rows = std::mem::take(&mut sheet.rows);
    let mut lookup = Lookup {
        sheet: &sheet,
        decode_id,
        admin: authz::changes_locked_follow_ups(
            actor,
            authz::PlanScope {
                owner: plan.organization_id,
                district: plan.district_id,
            },
        ),
        by_id: current.iter().map(|c| (c.activity.id, c)).collect(),
        by_position: HashMap::new(),
        existing,
        last,
    };
    for c in &current {
        lookup.by_position.entry(c.activity.position).or_insert(c);
    }
    let mut planned: Vec<Planned> = Vec::with_capacity(data_rows.len());
    for (i, row) in data_rows.into_iter().enumerate() {
        let position = i32::try_from(i + 1).unwrap_or(i32::MAX);
        report.decide(row.number, lookup.decide(&row, position), &mut planned);
    }
    sort_problems(&mut report.problems);
    if input.dry_run || report.blocking() > 0 || planned.is_empty() {
        return Ok(report);
    }
    let document_title = sheet
        .title
        .clone()
        .unwrap_or_else(|| input.file_name.clone());
    report.follow_ups =
        write_follow_ups(db, actor, &input, &plan, document_title, digest, planned).await?;
    report.written = true;
    Ok(report)
}

/// The plan's activities and the period's follow-ups, as the rows find them.
struct Lookup<'a> {
    sheet: &'a Sheet,
    decode_id: IdDecoder,
    /// Whether the importer administers the plan (and may change locked follow-ups).
    admin: bool,
    by_id: HashMap<i32, &'a Current>,
    /// The first activity at each place.
    by_position: HashMap<i32, &'a Current>,
    /// The period's follow-ups by activity.
    existing: HashMap<i32, follow_up::Model>,
    /// The action of each follow-up's last audit event other than a submission.
    last: HashMap<i32, String>,
}

impl Lookup<'_> {
    /// What becomes of `row`, the `position`-th data row: its activity found (by ID, else
    /// by place, checked against its description), its status and effects read, compared
    /// with the period's follow-up, and checked against the lock and version rules.
    fn decide(&self, row: &SheetRow, position: i32) -> Result<Decision<Planned>, Skipped> {
        let refuse = |activity_id: Option<i32>, column: Option<Column>, code, message: String| {
            let column = column.map(|c| heading(self.sheet, c));
            Skipped::by(activity_id, problem(row.number, column, code, message))
        };
        let status_text = row.cell(Column::Status);
        let effects = row.cell(Column::Effects).map(str::to_owned);
        if status_text.is_none() && effects.is_none() {
            return Err(Skipped {
                activity_id: None,
                changes: Vec::new(),
                problem: None,
            });
        }
        // The activity: by ID, else by place, checked against its description.
        let found = match row.cell(Column::Id) {
            Some(text) => match (self.decode_id)(text.trim()).and_then(|id| self.by_id.get(&id)) {
                Some(c) => Some(*c),
                None => {
                    let why = format!("\"{text}\" names no activity of this plan");
                    return Err(refuse(None, Some(Column::Id), ProblemCode::NotFound, why));
                }
            },
            None => self.by_position.get(&position).copied(),
        };
        let Some(c) = found else {
            let why = format!(
                "the plan has no activity at place {position}: import the plan (importActionPlan) first"
            );
            return Err(refuse(None, None, ProblemCode::NoActivity, why));
        };
        let id = c.activity.id;
        if row.cell(Column::Id).is_none()
            && let Some(d) = row.cell(Column::Description)
            && !same_text(Some(d), Some(&c.activity.description))
        {
            let why = format!(
                "the row's \"Metoder och arbetssätt\" is not that of the plan's activity at place {position}: \
                 the file's rows are not the plan's (import the plan from this file first, or add the ID column)"
            );
            let column = Some(Column::Description);
            return Err(refuse(Some(id), column, ProblemCode::RowMismatch, why));
        }
        let Some(status_text) = status_text else {
            let why = "the row has effects but no status".to_owned();
            let column = Some(Column::Status);
            return Err(refuse(Some(id), column, ProblemCode::MissingValue, why));
        };
        let Some(status) = parse_status(status_text) else {
            let why = format!(
                "\"{status_text}\" is not a status: write one of Pågår, Klart, Pausad, Planerad, Avbruten"
            );
            let column = Some(Column::Status);
            return Err(refuse(Some(id), column, ProblemCode::UnknownStatus, why));
        };
        if effects
            .as_deref()
            .is_some_and(|e| e.chars().count() > MAX_LONG_TEXT)
        {
            let why =
                format!("the text is longer than the {MAX_LONG_TEXT} characters the service keeps");
            let column = Some(Column::Effects);
            return Err(refuse(Some(id), column, ProblemCode::TextTooLong, why));
        }
        let version = match row.cell(Column::Version).map(|v| v.trim().parse::<i32>()) {
            None => None,
            Some(Ok(v)) => Some(v),
            Some(Err(_)) => {
                let why = "the version is not a whole number".to_owned();
                let column = Some(Column::Version);
                return Err(refuse(Some(id), column, ProblemCode::BadValue, why));
            }
        };
        let planned = Planned {
            activity_id: id,
            status,
            effects,
            before: None,
            row: row.number,
        };
        let Some(f) = self.existing.get(&id) else {
            return Ok(Decision::Create(planned, Some(id)));
        };
        let mut diff = Vec::new();
        if f.status != planned.status {
            diff.push("status");
        }
        if !same_text(f.effects.as_deref(), planned.effects.as_deref()) {
            diff.push("effects");
        }
        if diff.is_empty() {
            return Ok(Decision::Unchanged(id));
        }
        if f.locked && !self.admin {
            let why = "the period has been submitted and its follow-ups are locked: only an admin of the plan's municipality may change them".to_owned();
            return Err(refuse(Some(id), None, ProblemCode::Locked, why));
        }
        let last = self.last.get(&f.id).map(String::as_str);
        if let Some(why) = lost_edit("follow-up", version, f.version, last) {
            return Err(refuse(Some(id), None, ProblemCode::Conflict, why));
        }
        let planned = Planned {
            before: Some(f.clone()),
            ..planned
        };
        Ok(Decision::Update(planned, id, diff))
    }
}

/// Write the `planned` follow-ups of the period `input` names, with their provenance (the
/// file `digest`, titled `document_title`) and audit events; answer them as written, in
/// `planned`'s order.
async fn write_follow_ups(
    db: &DatabaseConnection,
    actor: &Actor,
    input: &FollowUpImport,
    plan: &action_plan::Model,
    document_title: String,
    digest: &str,
    planned: Vec<Planned>,
) -> AppResult<Vec<follow_up::Model>> {
    let as_of = follow_ups::period_end(input.year, input.term)
        .ok_or_else(|| AppError::bad_input("input.period", "no such period"))?;
    let (year, term) = (input.year, input.term);
    let file_name = input.file_name.clone();
    let digest = digest.to_owned();
    let district_id = plan.district_id;
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let now = Utc::now();
            let document =
                source_document_of(txn, &digest, &document_title, &file_name, Some(year)).await?;
            let mut after: Vec<Option<follow_up::Model>> = Vec::with_capacity(planned.len());
            let mut new = Vec::new();
            // The new follow-ups by activity (one a period: the table's unique index).
            let mut new_of: HashMap<i32, usize> = HashMap::new();
            for (i, p) in planned.iter().enumerate() {
                let reported = Reported {
                    status: p.status,
                    effects: p
                        .effects
                        .as_deref()
                        .map(str::trim)
                        .filter(|e| !e.is_empty()),
                    as_of,
                    actor,
                    now,
                };
                match &p.before {
                    None => {
                        new.push(reported.create(p.activity_id, year, term));
                        new_of.insert(p.activity_id, i);
                        after.push(None);
                    }
                    Some(f) => after.push(Some(
                        write::update_if_version::<follow_up::Entity, _>(
                            txn,
                            reported.update(f.version),
                            (follow_up::Column::Id, follow_up::Column::Version),
                            (f.id, f.version),
                            "follow-up",
                        )
                        .await?,
                    )),
                }
            }
            for f in write::insert_returning(txn, new).await? {
                if let Some(slot) = new_of.get(&f.activity_id).and_then(|i| after.get_mut(*i)) {
                    *slot = Some(f);
                }
            }
            let rows = after
                .into_iter()
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    AppError::Internal(anyhow::anyhow!(
                        "import: a follow-up inserted was not returned"
                    ))
                })?;
            let marks = planned
                .iter()
                .zip(&rows)
                .map(|(p, f)| Mark {
                    id: f.id,
                    reading: None,
                    note: format!("imported from {file_name}, row {}", p.row),
                })
                .collect();
            mark(txn, "FollowUp", document, marks).await?;
            let mut written = Written::new(());
            for (p, f) in planned.iter().zip(&rows) {
                written = written.audit(
                    Change {
                        action: "followUp.import",
                        node_type: "FollowUp",
                        node_id: f.id,
                        district_id,
                    },
                    p.before.as_ref(),
                    Some(f),
                )?;
            }
            Ok(written.with(rows))
        })
    })
    .await
}
