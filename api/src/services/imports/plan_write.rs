//! A plan's rows written: the plan (when new), its activities, their methods and
//! responsibilities, each record's provenance and audit event — in the one transaction of
//! `write::commit`. Changed activities are updated one by one under the version rule (a
//! row's edit lands only on the version it was compared with); everything new is
//! inserted many rows to a statement, so a national plan of 10,000 rows is some dozens of
//! statements rather than 60,000.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{action_plan, activity, activity_method, responsibility};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QuerySelect, Set,
};

use super::plan_rows::{PlanContext, Planned};
use super::read::Sheet;
use super::shared::{Mark, mark, source_document_of, unmark};
use crate::error::{AppError, AppResult};
use crate::services::audit::Change;
use crate::services::authz::Actor;
use crate::services::write::{self, PARAMETERS_PER_STATEMENT, Written};
use crate::services::{plans, terms};

/// What a new plan is made with (an existing plan keeps its own).
#[derive(Debug, Clone, Copy)]
pub(super) struct NewPlan {
    /// The strategy it follows.
    pub strategy_id: Option<i32>,
    /// Its owner: the district administration.
    pub owner: Option<i32>,
    /// Its first and last year.
    pub years: (Option<i32>, Option<i32>),
}

/// A snapshot of an activity for the audit trail.
#[derive(Debug, serde::Serialize)]
struct Snapshot<'a> {
    #[serde(flatten)]
    activity: &'a activity::Model,
    methods: &'a [i32],
    responsibilities: Vec<(i32, Option<String>)>,
}

/// A free slug for a new plan: made from the district and the years, with `-2`, `-3` …
/// when taken.
async fn free_plan_slug(db: &DatabaseConnection, base: &str) -> AppResult<String> {
    let taken: HashSet<String> = action_plan::Entity::find()
        .filter(action_plan::Column::Slug.starts_with(base))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.slug)
        .collect();
    if !taken.contains(base) {
        return Ok(base.to_owned());
    }
    Ok((2..)
        .map(|n| format!("{base}-{n}"))
        .find(|s| !taken.contains(s))
        .unwrap_or_else(|| format!("{base}-{}", uuid::Uuid::new_v4().simple())))
}

/// Write the plan (found, or made with `new`) and its `planned` activities; answer the
/// plan and each planned row's activity, as (row, activity id).
pub(super) async fn write_plan(
    db: &DatabaseConnection,
    actor: &Actor,
    ctx: &PlanContext,
    sheet: &Sheet,
    new: NewPlan,
    planned: Vec<Planned>,
) -> AppResult<(action_plan::Model, Vec<(usize, i32)>)> {
    let (start_year, end_year) = new.years;
    let slug = match &ctx.plan {
        Some(p) => p.slug.clone(),
        None => {
            let base = write::slugify(&format!(
                "{} {} {}",
                ctx.district.slug,
                start_year.map(|y| y.to_string()).unwrap_or_default(),
                end_year.map(|y| y.to_string()).unwrap_or_default()
            ));
            free_plan_slug(db, &base).await?
        }
    };
    let title = ctx
        .title
        .clone()
        .or_else(|| ctx.plan.as_ref().map(|p| p.title.clone()))
        .unwrap_or_else(|| ctx.input.file_name.clone());
    let document_title = sheet
        .title
        .clone()
        .unwrap_or_else(|| ctx.input.file_name.clone());
    let existing = ctx.plan.clone();
    let district_id = ctx.district.id;
    let file_name = ctx.input.file_name.clone();
    let digest = ctx.digest.clone();
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let now = Utc::now();
            let document =
                source_document_of(txn, &digest, &document_title, &file_name, start_year).await?;
            let mut written = Written::new(());
            let plan = match existing {
                Some(p) => p,
                None => {
                    let new_plan = plans::NewPlan {
                        district_id: Some(district_id),
                        organization_id: new.owner,
                        strategy_id: new.strategy_id,
                        title,
                        start_year,
                        end_year,
                        ..Default::default()
                    };
                    let created = plans::new_row(new_plan, slug, now).insert(txn).await?;
                    let note = format!("imported from {file_name}");
                    let plan_mark = Mark {
                        id: created.id,
                        reading: None,
                        note,
                    };
                    mark(txn, "ActionPlan", document, vec![plan_mark]).await?;
                    written = written.audit(
                        Change {
                            action: "actionPlan.import",
                            node_type: "ActionPlan",
                            node_id: created.id,
                            district_id: Some(district_id),
                        },
                        None::<&()>,
                        Some(&created),
                    )?;
                    created
                }
            };
            let after = write_activities(txn, &plan, &planned, now).await?;
            let ids: Vec<i32> = after.iter().map(|a| a.id).collect();
            write_methods(txn, &planned, &ids).await?;
            write_responsibilities(txn, &planned, &ids, document, &file_name).await?;
            let marks = planned
                .iter()
                .zip(&ids)
                .map(|(p, id)| {
                    let w = &p.wanted;
                    let from_status =
                        w.terms.is_none() && w.terms_from_status.is_some() && p.current.is_none();
                    Mark {
                        id: *id,
                        reading: from_status.then(|| {
                            "the file has no \"Uppföljning\" column: the follow-up terms are \
                             the period of its status column"
                                .to_owned()
                        }),
                        note: format!("imported from {file_name}, row {}", w.row),
                    }
                })
                .collect();
            mark(txn, "Activity", document, marks).await?;
            for (p, after) in planned.iter().zip(&after) {
                written = audit(written, &plan, p, after)?;
            }
            let created = planned.iter().map(|p| p.wanted.row).zip(ids).collect();
            Ok(written.with((plan, created)))
        })
    })
    .await
}

/// An internal error: what the database answered is not what was written.
fn unexpected(what: &str) -> AppError {
    AppError::Internal(anyhow::anyhow!("import: {what}"))
}

/// Write the activities, and answer each planned one as it is after, in `planned`'s
/// order: changed ones one by one under the version rule, new ones many to a statement
/// (matched back by their place, which differs between new activities).
async fn write_activities(
    txn: &DatabaseTransaction,
    plan: &action_plan::Model,
    planned: &[Planned],
    now: DateTime<Utc>,
) -> AppResult<Vec<activity::Model>> {
    let mut after: Vec<Option<activity::Model>> = Vec::with_capacity(planned.len());
    let mut new = Vec::new();
    let mut new_at: HashMap<i32, usize> = HashMap::new();
    for (i, p) in planned.iter().enumerate() {
        let am = active_model(plan, p, now);
        match &p.current {
            Some(c) => after.push(Some(
                write::update_if_version::<activity::Entity, _>(
                    txn,
                    am,
                    (activity::Column::Id, activity::Column::Version),
                    (c.activity.id, c.activity.version),
                    "activity",
                )
                .await?,
            )),
            None => {
                after.push(None);
                new.push(am);
                if new_at.insert(p.wanted.position, i).is_some() {
                    return Err(unexpected("two new activities at one place"));
                }
            }
        }
    }
    for a in write::insert_returning(txn, new).await? {
        let slot = new_at
            .get(&a.position)
            .and_then(|i| after.get_mut(*i))
            .ok_or_else(|| unexpected("an inserted activity at no planned place"))?;
        *slot = Some(a);
    }
    after
        .into_iter()
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| unexpected("an activity inserted was not returned"))
}

/// The columns a planned activity writes: a changed one those the file has (with its
/// version raised); a new one every column — the rows of one insert set the same columns
/// — with what the file does not have empty, as the table's defaults are.
fn active_model(
    plan: &action_plan::Model,
    p: &Planned,
    now: DateTime<Utc>,
) -> activity::ActiveModel {
    let w = &p.wanted;
    let mut am = match &p.current {
        Some(c) => activity::ActiveModel {
            version: Set(c.activity.version + 1),
            updated_at: Set(now),
            ..Default::default()
        },
        None => activity::ActiveModel {
            action_plan_id: Set(plan.id),
            position: Set(w.position),
            priority_area_id: Set(None),
            focus_area_id: Set(None),
            goal: Set(None),
            responsible_text: Set(None),
            timeline: Set(None),
            start_year: Set(None),
            end_year: Set(None),
            follow_up_schedule: Set(None),
            follow_up_terms: Set(terms::encode(
                w.terms
                    .as_deref()
                    .or(w.terms_from_status.as_deref())
                    .unwrap_or_default(),
            )),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        },
    };
    let fields = plans::ActivityFields {
        priority_area_id: w.priority_area_id,
        focus_area_id: w.focus_area_id,
        goal: w.goal.clone(),
        description: Some(w.description.clone()),
        timeline: w.timeline.clone(),
        start_year: w.years.map(|(s, _)| s),
        end_year: w.years.map(|(_, e)| e),
        follow_up_schedule: w.schedule.clone(),
        follow_up_terms: w.terms.clone(),
        ..Default::default()
    };
    plans::apply(&mut am, &fields);
    if let Some(v) = &w.responsible_text {
        am.responsible_text = Set(v
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned));
    }
    am
}

/// The activities' methods (always written: they come from the description), replacing
/// any they had.
async fn write_methods(
    txn: &DatabaseTransaction,
    planned: &[Planned],
    ids: &[i32],
) -> AppResult<()> {
    for piece in ids.chunks(PARAMETERS_PER_STATEMENT) {
        activity_method::Entity::delete_many()
            .filter(activity_method::Column::ActivityId.is_in(piece.iter().copied()))
            .exec(txn)
            .await?;
    }
    let rows = planned
        .iter()
        .zip(ids)
        .flat_map(|(p, id)| {
            p.wanted
                .method_ids
                .iter()
                .map(|m| activity_method::ActiveModel {
                    activity_id: Set(*id),
                    method_id: Set(*m),
                })
        })
        .collect();
    write::insert_all(txn, rows).await
}

/// The responsibilities of the rows that name them (a file with an "Ansvarig" column),
/// replacing the activities' old ones and their provenance; each new one's provenance is
/// the file's row.
async fn write_responsibilities(
    txn: &DatabaseTransaction,
    planned: &[Planned],
    ids: &[i32],
    document: i32,
    file_name: &str,
) -> AppResult<()> {
    let named: Vec<(&Planned, i32)> = planned
        .iter()
        .zip(ids.iter().copied())
        .filter(|(p, _)| p.wanted.responsibilities.is_some())
        .collect();
    let replaced: Vec<i32> = named.iter().map(|(_, id)| *id).collect();
    for piece in replaced.chunks(PARAMETERS_PER_STATEMENT) {
        let old: Vec<i32> = responsibility::Entity::find()
            .select_only()
            .column(responsibility::Column::Id)
            .filter(responsibility::Column::ActivityId.is_in(piece.iter().copied()))
            .into_tuple()
            .all(txn)
            .await?;
        unmark(txn, "Responsibility", &old).await?;
        responsibility::Entity::delete_many()
            .filter(responsibility::Column::ActivityId.is_in(piece.iter().copied()))
            .exec(txn)
            .await?;
    }
    // Each new responsibility by (activity, place), for its provenance.
    let mut wanted = HashMap::new();
    let mut rows = Vec::new();
    for (p, id) in &named {
        for (i, r) in p.wanted.responsibilities.iter().flatten().enumerate() {
            let position = i32::try_from(i + 1).unwrap_or(i32::MAX);
            rows.push(responsibility::ActiveModel {
                activity_id: Set(*id),
                organization_id: Set(r.organization_id),
                role: Set(r.role.clone()),
                position: Set(position),
                ..Default::default()
            });
            wanted.insert((*id, position), (p.wanted.row, r.reading.as_deref()));
        }
    }
    let mut marks = Vec::with_capacity(rows.len());
    for r in write::insert_returning(txn, rows).await? {
        let (row, reading) = wanted
            .get(&(r.activity_id, r.position))
            .ok_or_else(|| unexpected("an inserted responsibility that was not planned"))?;
        marks.push(Mark {
            id: r.id,
            reading: reading.map(str::to_owned),
            note: format!("imported from {file_name}, row {row}"),
        });
    }
    mark(txn, "Responsibility", document, marks).await
}

/// `written` with the audit event of a planned activity: before (a changed one) and after,
/// with its methods and responsibilities.
fn audit(
    written: Written<()>,
    plan: &action_plan::Model,
    p: &Planned,
    after: &activity::Model,
) -> AppResult<Written<()>> {
    let w = &p.wanted;
    let responsibilities = match &w.responsibilities {
        Some(list) => list
            .iter()
            .map(|r| (r.organization_id, r.role.clone()))
            .collect(),
        None => p
            .current
            .as_ref()
            .map(|c| c.responsibilities.clone())
            .unwrap_or_default(),
    };
    let before = p.current.as_ref().map(|c| Snapshot {
        activity: &c.activity,
        methods: &c.methods,
        responsibilities: c.responsibilities.clone(),
    });
    written.audit(
        Change {
            action: "activity.import",
            node_type: "Activity",
            node_id: after.id,
            district_id: plan.district_id,
        },
        before.as_ref(),
        Some(&Snapshot {
            activity: after,
            methods: &w.method_ids,
            responsibilities,
        }),
    )
}
