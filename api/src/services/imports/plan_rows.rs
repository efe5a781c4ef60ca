//! A plan file's rows compared with the plan's activities: each row matched to its
//! activity (by the `ID` column, else by its place), what it changes, and whether it may
//! change it (the version rule); then, unless it is a dry run or a problem blocks it, the
//! plan written ([`super::plan_write`]).

use std::collections::{HashMap, HashSet};

use entity::{action_plan, district, strategy};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use super::plan_write;
use super::read::{self, Column, Sheet};
use super::shared::{
    Current, Decision, Skipped, current_activities, lost_edit, problem, sort_problems,
};
use super::wanted::{Wanted, load_catalogue, wanted_of};
use super::{
    IdDecoder, ImportReport, PlanImport, Problem, ProblemCode, RowAction, heading, same_text,
};
use crate::error::{AppError, AppResult};
use crate::services::authz::Actor;
use crate::services::{terms, write};

/// Where a plan import goes, resolved.
#[derive(Debug, Clone)]
pub struct PlanContext {
    /// What was asked.
    pub input: PlanImport,
    /// The district.
    pub district: district::Model,
    /// The plan found (none: a new one).
    pub plan: Option<action_plan::Model>,
    /// The plan's title (input, else the file's).
    pub title: Option<String>,
    /// The file's digest (its source document's identity).
    pub digest: String,
    /// Decodes the `ID` column.
    pub decode_id: IdDecoder,
}

/// One activity to write.
#[derive(Debug, Clone)]
pub(super) struct Planned {
    pub wanted: Wanted,
    /// `None`: create.
    pub current: Option<Current>,
}

/// The rows of a plan file: match, compare, check, and (unless a dry run or a blocking
/// problem) write.
pub async fn plan_rows(
    db: &DatabaseConnection,
    actor: &Actor,
    ctx: PlanContext,
    mut sheet: Sheet,
) -> AppResult<ImportReport> {
    let mut report = ImportReport {
        dry_run: ctx.input.dry_run,
        problems: sheet.problems.clone(),
        ..ImportReport::default()
    };
    if sheet.headings.contains_key(&Column::Status) || sheet.headings.contains_key(&Column::Effects)
    {
        report.problems.push(Problem {
            row: None,
            column: sheet.headings.get(&Column::Status).cloned(),
            code: ProblemCode::OtherImport,
            message: "the file also holds follow-ups (status, effects): import them with \
                      importFollowUps once the plan is in"
                .into(),
        });
    }
    // The plan: found, or to be made.
    let (start_year, end_year) = match &ctx.plan {
        Some(p) => (p.start_year, p.end_year),
        None => {
            let from_title = ctx.title.as_deref().map(read::years_in).unwrap_or_default();
            (
                ctx.input.start_year.or(from_title.iter().min().copied()),
                ctx.input.end_year.or(from_title.iter().max().copied()),
            )
        }
    };
    let strategy_id = match &ctx.plan {
        Some(p) if p.strategy_id.is_some() => p.strategy_id,
        _ => strategy_for(db, &ctx.district, ctx.input.strategy_id, start_year).await?,
    };
    let owner = match &ctx.plan {
        Some(p) => p.organization_id,
        None => super::super::plans::district_administration(db, ctx.district.id).await?,
    };
    if ctx.plan.is_none() {
        if ctx.title.is_none() {
            return Err(AppError::bad_input(
                "input.title",
                "the file names no plan title (its first paragraph or a title row): give `title`",
            ));
        }
        if owner.is_none() {
            return Err(AppError::bad_input(
                "input.district",
                "the district has no district administration to own a new plan",
            ));
        }
        write::years("input.startYear", start_year, "input.endYear", end_year)?;
    }
    let cat = load_catalogue(db, strategy_id, ctx.district.id, owner).await?;
    let current = match &ctx.plan {
        Some(p) => current_activities(db, p.id).await?,
        None => Vec::new(),
    };
    let mut rows = Rows {
        by_id: current.iter().map(|c| (c.activity.id, c)).collect(),
        by_position: HashMap::new(),
        id_column: sheet.headings.contains_key(&Column::Id),
        next_position: current
            .iter()
            .map(|c| c.activity.position)
            .max()
            .unwrap_or(0),
        appended: 0,
        matched: HashSet::new(),
    };
    for c in &current {
        rows.by_position.entry(c.activity.position).or_insert(c);
    }
    // Each row is let go once read (a national plan's rows are megabytes).
    let data_rows = std::mem::take(&mut sheet.rows);
    let any_rows = !data_rows.is_empty();
    let mut planned: Vec<Planned> = Vec::with_capacity(data_rows.len());
    for (i, row) in data_rows.into_iter().enumerate() {
        let position = i32::try_from(i + 1).unwrap_or(i32::MAX);
        let decided = match wanted_of(
            &row,
            position,
            &sheet,
            &cat,
            ctx.decode_id,
            &mut report.problems,
        ) {
            Some(wanted) => rows.decide(wanted, &sheet),
            // Reading the row recorded its problems.
            None => Err(Skipped {
                activity_id: None,
                changes: Vec::new(),
                problem: None,
            }),
        };
        report.decide(row.number, decided, &mut planned);
    }
    let matched = rows.matched;
    let left = current
        .iter()
        .filter(|c| !matched.contains(&c.activity.id))
        .count();
    if left > 0 && any_rows {
        report.problems.push(Problem {
            row: None,
            column: None,
            code: ProblemCode::ExtraActivities,
            message: format!(
                "the plan has {left} activit{} the file does not (after its last row, or \
                 matched by no ID): left as they are",
                if left == 1 { "y" } else { "ies" }
            ),
        });
    }
    report.plan_created = ctx.plan.is_none();
    report.plan = ctx.plan.clone();
    sort_problems(&mut report.problems);
    if ctx.input.dry_run || report.blocking() > 0 {
        return Ok(report);
    }
    if planned.is_empty() && ctx.plan.is_some() {
        return Ok(report);
    }
    let (plan, created) = plan_write::write_plan(
        db,
        actor,
        &ctx,
        &sheet,
        plan_write::NewPlan {
            strategy_id,
            owner,
            years: (start_year, end_year),
        },
        planned,
    )
    .await?;
    let created: HashMap<usize, i32> = created.into_iter().collect();
    for outcome in &mut report.rows {
        if outcome.action == RowAction::Create
            && let Some(id) = created.get(&outcome.row)
        {
            outcome.activity_id = Some(*id);
        }
    }
    report.plan = Some(plan);
    report.written = true;
    Ok(report)
}

/// The plan's activities as the rows find them, and what the rows found so far.
struct Rows<'a> {
    by_id: HashMap<i32, &'a Current>,
    /// The first activity at each place.
    by_position: HashMap<i32, &'a Current>,
    /// Whether the file has the `ID` column (then a row without an ID is a new activity,
    /// after the plan's last).
    id_column: bool,
    /// The plan's last place.
    next_position: i32,
    /// New activities placed after it so far.
    appended: i32,
    /// The activities rows were matched to.
    matched: HashSet<i32>,
}

impl Rows<'_> {
    /// What becomes of the row asking for `wanted`: its activity found (by ID, else by
    /// place), compared, and checked against the version rule.
    fn decide(&mut self, mut wanted: Wanted, sheet: &Sheet) -> Result<Decision<Planned>, Skipped> {
        let row = wanted.row;
        let found = match wanted.id {
            Some(id) => match self.by_id.get(&id) {
                Some(c) => Some(*c),
                None => {
                    return Err(Skipped::by(
                        None,
                        problem(
                            row,
                            Some(heading(sheet, Column::Id)),
                            ProblemCode::NotFound,
                            "the ID names no activity of this plan".into(),
                        ),
                    ));
                }
            },
            None if self.id_column => None,
            None => self.by_position.get(&wanted.position).copied(),
        };
        let Some(c) = found else {
            if self.id_column {
                self.appended += 1;
                wanted.position = self.next_position + self.appended;
            }
            return Ok(Decision::Create(
                Planned {
                    wanted,
                    current: None,
                },
                None,
            ));
        };
        let id = c.activity.id;
        self.matched.insert(id);
        let diff = changes(&wanted, c);
        if diff.is_empty() {
            return Ok(Decision::Unchanged(id));
        }
        if let Some(why) = lost_edit(
            "activity",
            wanted.version,
            c.activity.version,
            c.last_action.as_deref(),
        ) {
            return Err(Skipped {
                activity_id: Some(id),
                changes: diff,
                problem: Some(problem(row, None, ProblemCode::Conflict, why)),
            });
        }
        Ok(Decision::Update(
            Planned {
                wanted,
                current: Some(c.clone()),
            },
            id,
            diff,
        ))
    }
}

/// The fields of `current` that `wanted` changes.
fn changes(wanted: &Wanted, current: &Current) -> Vec<&'static str> {
    let a = &current.activity;
    let mut out = Vec::new();
    if let Some(p) = wanted.priority_area_id
        && p != a.priority_area_id
    {
        out.push("priorityArea");
    }
    if let Some(f) = wanted.focus_area_id
        && f != a.focus_area_id
    {
        out.push("focusArea");
    }
    if let Some(g) = &wanted.goal
        && !same_text(g.as_deref(), a.goal.as_deref())
    {
        out.push("goal");
    }
    if !same_text(Some(&wanted.description), Some(&a.description)) {
        out.push("description");
    }
    let mut want_methods = wanted.method_ids.clone();
    want_methods.sort_unstable();
    let mut have_methods = current.methods.clone();
    have_methods.sort_unstable();
    if want_methods != have_methods {
        out.push("methods");
    }
    if let Some(t) = &wanted.responsible_text
        && !same_text(t.as_deref(), a.responsible_text.as_deref())
    {
        out.push("responsibleText");
    }
    if let Some(rs) = &wanted.responsibilities {
        let want: Vec<(i32, Option<String>)> = rs
            .iter()
            .map(|r| (r.organization_id, r.role.clone()))
            .collect();
        let same = want.len() == current.responsibilities.len()
            && want
                .iter()
                .zip(&current.responsibilities)
                .all(|(w, h)| w.0 == h.0 && same_text(w.1.as_deref(), h.1.as_deref()));
        if !same {
            out.push("responsibilities");
        }
    }
    if let Some(t) = &wanted.timeline
        && !same_text(t.as_deref(), a.timeline.as_deref())
    {
        out.push("timeline");
    }
    if let Some((s, e)) = wanted.years
        && (s, e) != (a.start_year, a.end_year)
    {
        out.push("years");
    }
    if let Some(s) = &wanted.schedule
        && !same_text(s.as_deref(), a.follow_up_schedule.as_deref())
    {
        out.push("followUpSchedule");
    }
    if let Some(t) = &wanted.terms
        && terms::encode(t) != a.follow_up_terms
    {
        out.push("followUpTerms");
    }
    out
}

/// The strategy a new plan follows: asked for, else the one (of the district's
/// municipality) whose years hold the plan's first year.
async fn strategy_for(
    db: &DatabaseConnection,
    district: &district::Model,
    asked: Option<i32>,
    start_year: Option<i32>,
) -> AppResult<Option<i32>> {
    if let Some(s) = asked {
        write::find::<strategy::Entity, _>(db, s, "input.strategy", "strategy").await?;
        return Ok(Some(s));
    }
    let Some(year) = start_year else {
        return Ok(None);
    };
    let found = strategy::Entity::find()
        .filter(strategy::Column::MunicipalityId.eq(district.municipality_id))
        .filter(strategy::Column::StartYear.lte(year))
        .filter(strategy::Column::EndYear.gte(year))
        .order_by_asc(strategy::Column::Id)
        .all(db)
        .await?;
    Ok((found.len() == 1).then(|| found[0].id))
}
