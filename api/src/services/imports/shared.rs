//! What the plan's rows and the follow-ups' rows share: a row's problems and outcome, the
//! version rule, the plan's activities as they are, and the source document and
//! provenance every imported record carries.

use std::collections::HashMap;

use futures_util::TryStreamExt;

use entity::{activity, activity_method, audit_event, provenance, responsibility, source_document};
use sea_orm::sea_query::{Query, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, ExprTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::{ImportReport, Problem, ProblemCode, RowAction, RowOutcome};
use crate::error::AppResult;
use crate::services::write;

/// A problem of row `row`.
pub(super) fn problem(
    row: usize,
    column: Option<String>,
    code: ProblemCode,
    message: String,
) -> Problem {
    Problem {
        row: Some(row),
        column,
        code,
        message,
    }
}

/// Problems in file order: the file's own first, then by row.
pub(super) fn sort_problems(problems: &mut [Problem]) {
    problems.sort_by_key(|p| p.row.unwrap_or(0));
}

/// A row that is not imported.
#[derive(Debug)]
pub(super) struct Skipped {
    /// The record the row is about, when found.
    pub activity_id: Option<i32>,
    /// What the row would have changed.
    pub changes: Vec<&'static str>,
    /// Why (none: its problems are recorded already, as reading the row does).
    pub problem: Option<Problem>,
}

impl Skipped {
    /// A row skipped for `problem`.
    pub fn by(activity_id: Option<i32>, problem: Problem) -> Self {
        Self {
            activity_id,
            changes: Vec::new(),
            problem: Some(problem),
        }
    }
}

/// What becomes of a row whose record may be written; `P` is what is written.
#[derive(Debug)]
pub(super) enum Decision<P> {
    /// Its record is as the row says already.
    Unchanged(i32),
    /// A new record (of this activity, for a follow-up).
    Create(P, Option<i32>),
    /// The activity's record changes: these fields.
    Update(P, i32, Vec<&'static str>),
}

impl ImportReport {
    /// Record what becomes of row `row` (its outcome, the counts, a skipped row's
    /// problem), and add what it writes to `planned`.
    pub(super) fn decide<P>(
        &mut self,
        row: usize,
        decided: Result<Decision<P>, Skipped>,
        planned: &mut Vec<P>,
    ) {
        let (action, activity_id, changes) = match decided {
            Ok(Decision::Unchanged(id)) => {
                self.unchanged += 1;
                (RowAction::Unchanged, Some(id), Vec::new())
            }
            Ok(Decision::Create(p, id)) => {
                self.created += 1;
                planned.push(p);
                (RowAction::Create, id, Vec::new())
            }
            Ok(Decision::Update(p, id, changes)) => {
                self.updated += 1;
                planned.push(p);
                (RowAction::Update, Some(id), changes)
            }
            Err(skipped) => {
                self.problems.extend(skipped.problem);
                (RowAction::Skip, skipped.activity_id, skipped.changes)
            }
        };
        self.rows.push(RowOutcome {
            row,
            action,
            activity_id,
            changes,
        });
    }
}

/// Whether a write based on the file would lose an edit made in the service: with a
/// `Version` column, when it is not the current version; without one, when the record's
/// content was changed since it was imported or seeded (its last audit event other than
/// a submission — which only locks — is not an import; seeded records have none).
/// `what` is "activity" or "follow-up": the message names the file to export again
/// (the plan, or the follow-up template). `None`: it may be written; else the problem.
pub(super) fn lost_edit(
    what: &str,
    file_version: Option<i32>,
    current_version: i32,
    last_action: Option<&str>,
) -> Option<String> {
    let export = if what == "follow-up" {
        "the follow-up template (samverkan export follow-up-template, or the \
         followUpTemplate field)"
    } else {
        "the plan (samverkan export action-plan, or the actionPlanFiles field)"
    };
    match file_version {
        Some(v) if v != current_version => Some(format!(
            "the row was made from version {v} of the {what}, but it is at version \
             {current_version} now: export {export} again and edit that file"
        )),
        Some(_) => None,
        None => {
            let imported = last_action.is_some_and(|a| a.ends_with(".import"));
            let untouched = last_action.is_none();
            (!imported && !untouched).then(|| {
                format!(
                    "the {what} was changed in the service (version {current_version}) after \
                     the file it came from was made: the row would overwrite that change. \
                     Export {export} and edit that file (its Version column says which \
                     version a row was based on)"
                )
            })
        }
    }
}

/// An activity as the plan holds it.
#[derive(Debug, Clone)]
pub(super) struct Current {
    pub activity: activity::Model,
    pub methods: Vec<i32>,
    pub responsibilities: Vec<(i32, Option<String>)>,
    /// The action of its last audit event, if any.
    pub last_action: Option<String>,
}

/// The activities of a plan with their methods, responsibilities and last audit action.
pub(super) async fn current_activities(
    db: &DatabaseConnection,
    plan_id: i32,
) -> AppResult<Vec<Current>> {
    // Every query is read as a stream, row by row: a national-size plan's rows are not
    // all held by the driver at once (10,000 activities: ~24 MB less at the peak on
    // SQLite, docs/benchmarks.md "Imports").
    let mut activities = Vec::new();
    let mut rows = activity::Entity::find()
        .filter(activity::Column::ActionPlanId.eq(plan_id))
        .order_by_asc(activity::Column::Position)
        .order_by_asc(activity::Column::Id)
        .stream(db)
        .await?;
    while let Some(a) = rows.try_next().await? {
        activities.push(a);
    }
    drop(rows);
    let of_plan = || {
        Query::select()
            .column(activity::Column::Id)
            .from(activity::Entity)
            .and_where(activity::Column::ActionPlanId.eq(plan_id))
            .to_owned()
    };
    let mut methods: HashMap<i32, Vec<i32>> = HashMap::new();
    let mut rows = activity_method::Entity::find()
        .filter(activity_method::Column::ActivityId.in_subquery(of_plan()))
        .stream(db)
        .await?;
    while let Some(m) = rows.try_next().await? {
        methods.entry(m.activity_id).or_default().push(m.method_id);
    }
    drop(rows);
    let mut resp: HashMap<i32, Vec<responsibility::Model>> = HashMap::new();
    let mut rows = responsibility::Entity::find()
        .filter(responsibility::Column::ActivityId.in_subquery(of_plan()))
        .stream(db)
        .await?;
    while let Some(r) = rows.try_next().await? {
        resp.entry(r.activity_id).or_default().push(r);
    }
    drop(rows);
    let mut last = last_actions(
        db,
        audit_event::Column::NodeType
            .eq("Activity")
            .and(audit_event::Column::NodeId.in_subquery(of_plan())),
    )
    .await?;
    Ok(activities
        .into_iter()
        .map(|a| {
            let mut rs = resp.remove(&a.id).unwrap_or_default();
            rs.sort_by_key(|r| (r.position, r.id));
            Current {
                methods: methods.remove(&a.id).unwrap_or_default(),
                responsibilities: rs
                    .into_iter()
                    .map(|r| (r.organization_id, r.role))
                    .collect(),
                last_action: last.remove(&a.id),
                activity: a,
            }
        })
        .collect())
}

/// The action of each node's last audit event other than a submission (which only locks),
/// of the events `which` selects: node id → action. Only those two columns are read (an
/// event's before and after are the bulk of the table).
pub(super) async fn last_actions(
    db: &DatabaseConnection,
    which: SimpleExpr,
) -> AppResult<HashMap<i32, String>> {
    let mut last = HashMap::new();
    let mut events = audit_event::Entity::find()
        .select_only()
        .column(audit_event::Column::NodeId)
        .column(audit_event::Column::Action)
        .filter(which)
        .order_by_asc(audit_event::Column::Id)
        .into_tuple::<(i32, String)>()
        .stream(db)
        .await?;
    while let Some((node, action)) = events.try_next().await? {
        if !action.ends_with(".submit") {
            last.insert(node, action);
        }
    }
    Ok(last)
}

/// The source document of an imported file (found by the file's digest, else made).
pub(super) async fn source_document_of(
    txn: &DatabaseTransaction,
    digest: &str,
    title: &str,
    file_name: &str,
    year: Option<i32>,
) -> AppResult<i32> {
    let slug = format!("import-{}", digest.get(..16).unwrap_or(digest));
    if let Some(d) = source_document::Entity::find()
        .filter(source_document::Column::Slug.eq(slug.as_str()))
        .one(txn)
        .await?
    {
        return Ok(d.id);
    }
    let d = source_document::ActiveModel {
        slug: Set(slug),
        title: Set(title.to_owned()),
        file_name: Set(file_name.to_owned()),
        publisher: Set(None),
        year: Set(year),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(d.id)
}

/// The provenance of one imported record: its row id, and how it was read (`reading`:
/// what was inferred, when anything was), besides the note.
#[derive(Debug)]
pub(super) struct Mark {
    pub id: i32,
    pub reading: Option<String>,
    pub note: String,
}

/// Record (replacing any) the provenance of the `record_type` rows `marks` name: the file
/// `document`.
pub(super) async fn mark(
    txn: &DatabaseTransaction,
    record_type: &str,
    document: i32,
    marks: Vec<Mark>,
) -> AppResult<()> {
    let ids: Vec<i32> = marks.iter().map(|m| m.id).collect();
    unmark(txn, record_type, &ids).await?;
    let rows = marks
        .into_iter()
        .map(|m| provenance::ActiveModel {
            record_type: Set(record_type.to_owned()),
            record_id: Set(m.id),
            source_document_id: Set(Some(document)),
            inferred: Set(m.reading.is_some()),
            note: Set(Some(match m.reading {
                Some(r) => format!("{}; {r}", m.note),
                None => m.note,
            })),
            ..Default::default()
        })
        .collect();
    write::insert_all(txn, rows).await
}

/// Remove the provenance of the `record_type` rows `ids`.
pub(super) async fn unmark(
    txn: &DatabaseTransaction,
    record_type: &str,
    ids: &[i32],
) -> AppResult<()> {
    for piece in ids.chunks(write::PARAMETERS_PER_STATEMENT - 1) {
        provenance::Entity::delete_many()
            .filter(provenance::Column::RecordType.eq(record_type))
            .filter(provenance::Column::RecordId.is_in(piece.iter().copied()))
            .exec(txn)
            .await?;
    }
    Ok(())
}
