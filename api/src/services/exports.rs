//! Exports (issue 15, "Out"): the documents the districts hand on, built as
//! [`files::Report`]s — the office-files engine (`crate::files`) writes them as XLSX, DOCX
//! or CSV.
//!
//! - [`follow_up_report`]: a district's (or a body's own plans') tertial follow-up in the
//!   follow-up documents' layout: rows grouped by priority area (a section per area, in
//!   the strategy's order), the columns "Prioriterad utgångspunkt | Område | Mål och nytta |
//!   Metoder och arbetssätt | Ansvarig | Tidplan | Status 31/8 2021 | Effekter och
//!   resultat" (the status heading names the period's last day as the documents do), the
//!   status in the documents' Swedish words ([`status_word`]). Every activity the period
//!   expects a report from is a row (the rule of `tracking::summary`: its schedule names
//!   the term and its timeline covers the year, or it reported the period although its
//!   timeline ended), and every activity that reported; one without a report has an empty
//!   status.
//! - [`action_plan`]: a plan in the plans' layout ("… | Tidplan | Uppföljning").
//! - [`coverage`]: a coverage matrix — the numbers `services::coverage` computes for the
//!   `coverage` GraphQL query — one row per district, one column per key of the dimension.
//! - [`import_template`]: the blank template of the plan import, the catalogue's priority
//!   areas, focus areas and organizations as validation lists.
//! - [`follow_up_template`]: the template of the follow-up import, the statuses as a
//!   validation list; blank, or a plan's rows of a period for a coordinator to fill in.
//!
//! The columns are the importer's ([`Column`], `services::imports::read`): one list of
//! headings for what is written and what is read back.
//!
//! With [`Ids`] (the XLSX and CSV exports), the reports carry two more columns at the
//! right: `ID` (the activity's global ID) and, in a plan, `Version` — the columns the
//! importer matches rows by, so an exported file can be edited and imported back. The
//! DOCX a board receives has the documents' columns only.
//!
//! Reading is open to every authenticated caller, as the GraphQL reads are: nothing here
//! is more than a `node` query shows.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, Utc};
use entity::enums::{FollowUpStatus, Term};
use entity::{
    action_plan, activity, district, focus_area, follow_up, municipality, organization,
    priority_area, strategy,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use super::coverage::{self, CoverageQuery, Dimension, Measure};
use super::imports::read::Column;
use super::tracking;
use crate::error::{AppError, AppResult};
use crate::files::{Report, Section, Template, TemplateColumn};

/// The headings of `columns` as the documents write them ([`Column::heading`], the
/// importer's), the status column's naming the period: `status`.
fn headings(columns: &[Column], status: &str) -> Vec<String> {
    columns
        .iter()
        .map(|c| match c {
            Column::Status => status.to_owned(),
            c => c.heading().to_owned(),
        })
        .collect()
}

/// How an activity's global ID is written in the `ID` column (the GraphQL layer's
/// encoding, handed in so this layer does not depend on it).
pub type Ids = fn(i32) -> String;

/// Whose follow-up report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// Every plan of the district (its administration's and the bodies' plans there).
    District(i32),
    /// The plans an organization owns (a body's own plans, e.g. a facknämnd's).
    Organization(i32),
}

/// The status as the follow-up documents write it: Planerad, Pågår, Klart, Pausad,
/// Avbruten (the words the importer reads back).
pub fn status_word(status: FollowUpStatus) -> &'static str {
    match status {
        FollowUpStatus::Planned => "Planerad",
        FollowUpStatus::Ongoing => "Pågår",
        FollowUpStatus::Done => "Klart",
        FollowUpStatus::Paused => "Pausad",
        FollowUpStatus::Cancelled => "Avbruten",
    }
}

/// The report the period belongs to, in the documents' words: "tertialrapport 2 2021",
/// "verksamhetsberättelse 2021".
pub fn period_words(year: i32, term: Term) -> String {
    match term {
        Term::T1 => format!("tertialrapport 1 {year}"),
        Term::T2 => format!("tertialrapport 2 {year}"),
        Term::Annual => format!("verksamhetsberättelse {year}"),
    }
}

/// The status column's heading: "Status" and the period's last day as the documents
/// write it ("Status 31/8 2021", "Status 30/4 2022", "Status 31/12 2021").
pub fn status_heading(year: i32, term: Term) -> AppResult<String> {
    let p = tracking::period(year, term, chrono::NaiveDate::MIN)?;
    Ok(format!(
        "Status {}/{} {}",
        p.ends_on.day(),
        p.ends_on.month(),
        year
    ))
}

/// "Framtagen 2026-11-30": the day the file was made, in Stockholm.
fn made_on(now: DateTime<Utc>) -> String {
    format!(
        "Framtagen {} ur Samverkan",
        super::groups::stockholm_today(now).format("%Y-%m-%d")
    )
}

fn text(value: Option<&String>) -> String {
    value.cloned().unwrap_or_default()
}

/// Names of priority and focus areas by id (two statements).
async fn area_names(
    db: &DatabaseConnection,
    activities: &[activity::Model],
) -> AppResult<(Vec<priority_area::Model>, HashMap<i32, String>)> {
    let pa_ids: HashSet<i32> = activities
        .iter()
        .filter_map(|a| a.priority_area_id)
        .collect();
    let fa_ids: HashSet<i32> = activities.iter().filter_map(|a| a.focus_area_id).collect();
    let pas = if pa_ids.is_empty() {
        Vec::new()
    } else {
        priority_area::Entity::find()
            .filter(priority_area::Column::Id.is_in(pa_ids))
            .order_by_asc(priority_area::Column::StrategyId)
            .order_by_asc(priority_area::Column::Position)
            .order_by_asc(priority_area::Column::Id)
            .all(db)
            .await?
    };
    let fas = if fa_ids.is_empty() {
        HashMap::new()
    } else {
        focus_area::Entity::find()
            .filter(focus_area::Column::Id.is_in(fa_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|f| (f.id, f.name))
            .collect()
    };
    Ok((pas, fas))
}

/// Group rows by priority area, in the strategy's order (activities without one last,
/// under no heading); `row` builds an activity's cells.
fn sections(
    pas: &[priority_area::Model],
    activities: &[activity::Model],
    mut row: impl FnMut(&activity::Model, &str) -> Vec<String>,
) -> Vec<Section> {
    let mut by_area: BTreeMap<Option<usize>, Vec<&activity::Model>> = BTreeMap::new();
    let place: HashMap<i32, usize> = pas.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    for a in activities {
        let at = a.priority_area_id.and_then(|id| place.get(&id).copied());
        by_area.entry(at).or_default().push(a);
    }
    // `None` sorts first in a BTreeMap: put the rows without an area last.
    let mut out = Vec::new();
    let mut unplaced = None;
    for (at, rows) in by_area {
        let (heading, name) = match at.and_then(|i| pas.get(i)) {
            Some(p) => (Some(p.name.clone()), p.name.as_str()),
            None => (None, ""),
        };
        let section = Section {
            heading,
            rows: rows.into_iter().map(|a| row(a, name)).collect(),
        };
        if at.is_none() {
            unplaced = Some(section);
        } else {
            out.push(section);
        }
    }
    out.extend(unplaced);
    out
}

/// The activities of `plans` a period's follow-up lists — those it expects a report from
/// (`tracking::expects_report`) and those that reported all the same (`tracking::summary`
/// counts a reported activity whose timeline ended as expected too) — in the plans' order,
/// and their follow-ups of the period by activity.
async fn rows_of_period(
    db: &DatabaseConnection,
    plans: &[action_plan::Model],
    year: i32,
    term: Term,
) -> AppResult<(Vec<activity::Model>, HashMap<i32, follow_up::Model>)> {
    let plan_ids: Vec<i32> = plans.iter().map(|p| p.id).collect();
    let plan_of: HashMap<i32, &action_plan::Model> = plans.iter().map(|p| (p.id, p)).collect();
    let all = activity::Entity::find()
        .filter(activity::Column::ActionPlanId.is_in(plan_ids))
        .order_by_asc(activity::Column::ActionPlanId)
        .order_by_asc(activity::Column::Position)
        .order_by_asc(activity::Column::Id)
        .all(db)
        .await?;
    let follow_ups: HashMap<i32, follow_up::Model> = follow_up::Entity::find()
        .filter(follow_up::Column::ActivityId.is_in(all.iter().map(|a| a.id)))
        .filter(follow_up::Column::Year.eq(year))
        .filter(follow_up::Column::Term.eq(term))
        .all(db)
        .await?
        .into_iter()
        .map(|f| (f.activity_id, f))
        .collect();
    let activities = all
        .into_iter()
        .filter(|a| {
            let expected = plan_of
                .get(&a.action_plan_id)
                .is_some_and(|p| tracking::expects_report(a, p, year, term));
            expected || follow_ups.contains_key(&a.id)
        })
        .collect();
    Ok((activities, follow_ups))
}

/// The tertial follow-up report of `owner` for `year`/`term`, made at `now`.
///
/// # Errors
/// `NOT_FOUND` for an unknown district or organization; `BAD_USER_INPUT` for a year
/// outside the service's range.
pub async fn follow_up_report(
    db: &DatabaseConnection,
    owner: Owner,
    year: i32,
    term: Term,
    now: DateTime<Utc>,
    ids: Option<Ids>,
) -> AppResult<Report> {
    super::write::year("period.year", year)?;
    let (name, plans) = match owner {
        Owner::District(id) => {
            let d = district::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or_else(|| AppError::not_found("district", "no such district"))?;
            let plans = action_plan::Entity::find()
                .filter(action_plan::Column::DistrictId.eq(id))
                .order_by_asc(action_plan::Column::Id)
                .all(db)
                .await?;
            (d.name, plans)
        }
        Owner::Organization(id) => {
            let o = organization::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or_else(|| AppError::not_found("organization", "no such organization"))?;
            let plans = action_plan::Entity::find()
                .filter(action_plan::Column::OrganizationId.eq(id))
                .order_by_asc(action_plan::Column::Id)
                .all(db)
                .await?;
            (o.name, plans)
        }
    };
    let (activities, follow_ups) = rows_of_period(db, &plans, year, term).await?;
    let (pas, fas) = area_names(db, &activities).await?;

    let mut columns = headings(&Column::FOLLOW_UP, &status_heading(year, term)?);
    if ids.is_some() {
        columns.push(Column::Id.heading().to_owned());
    }
    let sections = sections(&pas, &activities, |a, area| {
        let f = follow_ups.get(&a.id);
        let mut cells = vec![
            area.to_owned(),
            a.focus_area_id
                .and_then(|id| fas.get(&id).cloned())
                .unwrap_or_default(),
            text(a.goal.as_ref()),
            a.description.clone(),
            text(a.responsible_text.as_ref()),
            text(a.timeline.as_ref()),
            f.map(|f| status_word(f.status).to_owned())
                .unwrap_or_default(),
            f.and_then(|f| f.effects.clone()).unwrap_or_default(),
        ];
        if let Some(encode) = ids {
            cells.push(encode(a.id));
        }
        cells
    });
    let mut lines = vec![format!(
        "Uppföljning i samband med {}",
        period_words(year, term)
    )];
    for p in &plans {
        if activities.iter().any(|a| a.action_plan_id == p.id) {
            lines.push(format!("Handlingsplan: {}", p.title));
        }
    }
    lines.push(format!(
        "{} aktiviteter ska följas upp, {} har rapporterat",
        activities.len(),
        activities
            .iter()
            .filter(|a| follow_ups.contains_key(&a.id))
            .count()
    ));
    lines.push(made_on(now));
    Ok(Report {
        title: format!("Uppföljning av handlingsplan – {name}"),
        lines,
        columns,
        sections,
    })
}

/// The action plan `plan_id` in the plans' layout, made at `now`.
///
/// # Errors
/// `NOT_FOUND` for an unknown plan.
pub async fn action_plan(
    db: &DatabaseConnection,
    plan_id: i32,
    now: DateTime<Utc>,
    ids: Option<Ids>,
) -> AppResult<Report> {
    let plan = action_plan::Entity::find_by_id(plan_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("id", "no such action plan"))?;
    let activities = activity::Entity::find()
        .filter(activity::Column::ActionPlanId.eq(plan.id))
        .order_by_asc(activity::Column::Position)
        .order_by_asc(activity::Column::Id)
        .all(db)
        .await?;
    let (pas, fas) = area_names(db, &activities).await?;
    let mut columns = headings(&Column::PLAN, Column::Status.heading());
    if ids.is_some() {
        columns.extend([Column::Id, Column::Version].map(|c| c.heading().to_owned()));
    }
    let sections = sections(&pas, &activities, |a, area| {
        let mut cells = vec![
            area.to_owned(),
            a.focus_area_id
                .and_then(|id| fas.get(&id).cloned())
                .unwrap_or_default(),
            text(a.goal.as_ref()),
            a.description.clone(),
            text(a.responsible_text.as_ref()),
            text(a.timeline.as_ref()),
            text(a.follow_up_schedule.as_ref()),
        ];
        if let Some(encode) = ids {
            cells.push(encode(a.id));
            cells.push(a.version.to_string());
        }
        cells
    });
    let mut lines = Vec::new();
    if let Some(id) = plan.district_id
        && let Some(d) = district::Entity::find_by_id(id).one(db).await?
    {
        lines.push(format!("Stadsdelsområde: {}", d.name));
    }
    if let Some(id) = plan.organization_id
        && let Some(o) = organization::Entity::find_by_id(id).one(db).await?
    {
        lines.push(format!("Ansvarig organisation: {}", o.name));
    }
    if let Some(id) = plan.strategy_id
        && let Some(s) = strategy::Entity::find_by_id(id).one(db).await?
    {
        lines.push(format!("Strategi: {}", s.name));
    }
    match (plan.start_year, plan.end_year) {
        (Some(s), Some(e)) if s != e => lines.push(format!("Period: {s}–{e}")),
        (Some(y), _) | (None, Some(y)) => lines.push(format!("Period: {y}")),
        (None, None) => {}
    }
    lines.push(made_on(now));
    Ok(Report {
        title: plan.title,
        lines,
        columns,
        sections,
    })
}

/// The Swedish words of a dimension and a measure, for the coverage report's title.
fn coverage_words(dimension: Dimension, measure: Measure) -> (&'static str, &'static str) {
    let d = match dimension {
        Dimension::GroupKind => "samverkansformer",
        Dimension::PriorityArea => "prioriterade utgångspunkter",
        Dimension::FocusArea => "områden",
        Dimension::Method => "metoder",
        Dimension::OrganizationKind => "typer av organisationer",
        Dimension::Organization => "organisationer",
        Dimension::TargetGroup => "målgrupper",
    };
    let m = match measure {
        Measure::Groups => "antal samverkansgrupper",
        Measure::Activities => "antal aktiviteter",
        Measure::Participations => "antal deltaganden",
        Measure::Commitments => "antal åtaganden",
    };
    (d, m)
}

/// A coverage matrix (the numbers of the `coverage` query for the same question) as a
/// report: columns "Kommun | Stadsdelsområde | <one per key> | Totalt", a row per
/// district. Counts only (`q.with_items` is ignored).
///
/// # Errors
/// As `coverage::coverage`: `BAD_USER_INPUT` for a measure the dimension cannot count or
/// a matrix over `coverage::MAX_CELLS`.
pub async fn coverage(
    db: &DatabaseConnection,
    q: &CoverageQuery,
    now: DateTime<Utc>,
) -> AppResult<Report> {
    let q = CoverageQuery {
        with_items: false,
        ..q.clone()
    };
    let m = coverage::coverage(db, &q).await?;
    let municipalities: HashMap<i32, String> = municipality::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    let mut columns = vec!["Kommun".to_owned(), "Stadsdelsområde".to_owned()];
    columns.extend(m.keys.iter().map(|k| k.label.clone()));
    columns.push("Totalt".to_owned());
    let mut totals = vec![0u64; m.keys.len()];
    let mut rows = Vec::with_capacity(m.districts.len() + 1);
    for d in &m.districts {
        let mut row = Vec::with_capacity(m.keys.len() + 3);
        row.push(
            municipalities
                .get(&d.municipality_id)
                .cloned()
                .unwrap_or_default(),
        );
        row.push(d.name.clone());
        let mut sum = 0;
        for (i, total) in totals.iter_mut().enumerate() {
            let n = m.count(d.id, i);
            sum += n;
            *total += n;
            row.push(n.to_string());
        }
        row.push(sum.to_string());
        rows.push(row);
    }
    let mut last = vec!["Totalt".to_owned(), String::new()];
    last.extend(totals.iter().map(u64::to_string));
    last.push(totals.iter().sum::<u64>().to_string());
    rows.push(last);

    let (d, measure) = coverage_words(m.dimension, m.measure);
    let mut lines = vec![format!(
        "{} stadsdelsområden × {} {d}; cellerna är {measure}",
        m.districts.len(),
        m.keys.len()
    )];
    if let Some(id) = q.strategy
        && let Some(s) = strategy::Entity::find_by_id(id).one(db).await?
    {
        lines.push(format!("Strategi: {}", s.name));
    }
    lines.push(made_on(now));
    Ok(Report {
        title: format!("Täckning: {d}"),
        lines,
        columns,
        sections: vec![Section {
            heading: None,
            rows,
        }],
    })
}

/// The blank template of the plan import: the plan's columns ([`Column::PLAN`], the
/// headings the importer reads), with the catalogue's priority areas (of `strategy`, else
/// of every strategy), their focus areas and every organization as validation lists
/// (names once each, in the catalogue's order).
///
/// # Errors
/// Only database errors.
pub async fn import_template(
    db: &DatabaseConnection,
    strategy: Option<i32>,
) -> AppResult<Template> {
    let mut pas = priority_area::Entity::find()
        .order_by_asc(priority_area::Column::StrategyId)
        .order_by_asc(priority_area::Column::Position)
        .order_by_asc(priority_area::Column::Id);
    if let Some(s) = strategy {
        pas = pas.filter(priority_area::Column::StrategyId.eq(s));
    }
    let pas = pas.all(db).await?;
    let place: HashMap<i32, usize> = pas.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    let mut fas = focus_area::Entity::find()
        .filter(focus_area::Column::PriorityAreaId.is_in(pas.iter().map(|p| p.id)))
        .all(db)
        .await?;
    fas.sort_by_key(|f| (place.get(&f.priority_area_id).copied(), f.position, f.id));
    let orgs = organization::Entity::find()
        .order_by_asc(organization::Column::Name)
        .order_by_asc(organization::Column::Id)
        .all(db)
        .await?;
    fn distinct(names: impl Iterator<Item = String>) -> Vec<String> {
        let mut seen = HashSet::new();
        names.filter(|n| seen.insert(n.clone())).collect()
    }
    let mut areas = Some(distinct(pas.into_iter().map(|p| p.name)));
    let mut focus = Some(distinct(fas.into_iter().map(|f| f.name)));
    let mut organizations = Some(distinct(orgs.into_iter().map(|o| o.name)));
    let columns = Column::PLAN
        .iter()
        .map(|c| TemplateColumn {
            heading: c.heading().to_owned(),
            choices: match c {
                Column::Priority => areas.take(),
                Column::Focus => focus.take(),
                Column::Responsible => organizations.take(),
                _ => None,
            }
            .unwrap_or_default(),
        })
        .collect();
    Ok(Template {
        lines: Vec::new(),
        columns,
        rows: Vec::new(),
    })
}

/// The statuses a follow-up template offers, in the documents' words ([`status_word`]):
/// each is read back by the importer (`imports::parse_status`), which also takes a few
/// other spellings.
pub const STATUSES: [FollowUpStatus; 5] = [
    FollowUpStatus::Planned,
    FollowUpStatus::Ongoing,
    FollowUpStatus::Done,
    FollowUpStatus::Paused,
    FollowUpStatus::Cancelled,
];

/// The template of the follow-up import (`importFollowUps`), and the stem of its file
/// name: the columns that import reads — [`Column::FOLLOW_UP_TEMPLATE`], "Metoder och
/// arbetssätt | Status | Effekter och resultat" — with the statuses ([`STATUSES`]) as the
/// status column's validation list. With a `period` the status heading names it ("Status
/// 31/8 2021"; the import checks it against its `period`).
///
/// With a `plan` (and its period) the template is the plan's: its title on the first line
/// (which the import reads as the file's title, so it finds the plan without being told),
/// then a row per activity the period's follow-up lists (as [`follow_up_report`] does),
/// with "ID" (written by `ids`) and "Version" at the right. A row carries the period's
/// follow-up as it stands — its status, effects and version, so importing the file
/// unchanged changes nothing and no edit made since is overwritten — or, where none was
/// reported, a blank status and effects for the coordinator to fill in.
///
/// # Errors
/// `BAD_USER_INPUT` for a `plan` without a period, or a year outside the service's range;
/// `NOT_FOUND` for an unknown plan.
pub async fn follow_up_template(
    db: &DatabaseConnection,
    plan: Option<i32>,
    period: Option<(i32, Term)>,
    ids: Ids,
) -> AppResult<(Template, String)> {
    if let Some((year, _)) = period {
        super::write::year("year", year)?;
    }
    let status = match period {
        Some((year, term)) => status_heading(year, term)?,
        None => Column::Status.heading().to_owned(),
    };
    let mut columns: Vec<TemplateColumn> = headings(&Column::FOLLOW_UP_TEMPLATE, &status)
        .into_iter()
        .zip(Column::FOLLOW_UP_TEMPLATE)
        .map(|(heading, c)| TemplateColumn {
            heading,
            choices: if c == Column::Status {
                STATUSES
                    .iter()
                    .map(|s| status_word(*s).to_owned())
                    .collect()
            } else {
                Vec::new()
            },
        })
        .collect();
    let stem = match period {
        Some((year, term)) => format!("mall-uppfoljning-{year}-{}", term_label(term)),
        None => "mall-uppfoljning".to_owned(),
    };
    let Some(plan_id) = plan else {
        return Ok((
            Template {
                lines: Vec::new(),
                columns,
                rows: Vec::new(),
            },
            stem,
        ));
    };
    let Some((year, term)) = period else {
        return Err(AppError::bad_input(
            "year",
            "a template of a plan's rows is of a period: name the year and the term",
        ));
    };
    let plan = action_plan::Entity::find_by_id(plan_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("plan", "no such action plan"))?;
    let (activities, follow_ups) =
        rows_of_period(db, std::slice::from_ref(&plan), year, term).await?;
    columns.extend([Column::Id, Column::Version].map(|c| TemplateColumn {
        heading: c.heading().to_owned(),
        choices: Vec::new(),
    }));
    let rows = activities
        .iter()
        .map(|a| {
            let f = follow_ups.get(&a.id);
            vec![
                a.description.clone(),
                f.map(|f| status_word(f.status).to_owned())
                    .unwrap_or_default(),
                f.and_then(|f| f.effects.clone()).unwrap_or_default(),
                ids(a.id),
                f.map(|f| f.version.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    Ok((
        Template {
            lines: vec![
                plan.title.clone(),
                format!("Uppföljning i samband med {}", period_words(year, term)),
            ],
            columns,
            rows,
        },
        format!("mall-uppfoljning-{}-{year}-{}", plan.slug, term_label(term)),
    ))
}

/// A file name for a download: `stem` made of letters, digits and `-` (others become
/// `-`, runs of them one), then `.ext`; e.g. "uppfoljning-Spånga-Tensta-2021-T2.docx".
pub fn file_name(stem: &str, ext: &str) -> String {
    let mut out = String::new();
    for c in stem.chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-');
    format!("{}.{ext}", if out.is_empty() { "export" } else { out })
}

/// The name a file of the follow-up report gets ("uppfoljning-Spånga-Tensta-2021-T2").
pub async fn follow_up_report_stem(
    db: &DatabaseConnection,
    owner: Owner,
    year: i32,
    term: Term,
) -> AppResult<String> {
    let name = match owner {
        Owner::District(id) => district::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|d| d.name),
        Owner::Organization(id) => organization::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|o| o.name),
    };
    Ok(format!(
        "uppfoljning-{}-{year}-{}",
        name.unwrap_or_default(),
        term_label(term)
    ))
}

/// A term in a file name: T1, T2, VB (verksamhetsberättelse: the year's report).
fn term_label(term: Term) -> &'static str {
    match term {
        Term::T1 => "T1",
        Term::T2 => "T2",
        Term::Annual => "VB",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documents_words() {
        assert_eq!(status_heading(2021, Term::T2).unwrap(), "Status 31/8 2021");
        assert_eq!(status_heading(2022, Term::T1).unwrap(), "Status 30/4 2022");
        assert_eq!(
            status_heading(2021, Term::Annual).unwrap(),
            "Status 31/12 2021"
        );
        assert_eq!(status_word(FollowUpStatus::Ongoing), "Pågår");
        assert_eq!(period_words(2021, Term::T2), "tertialrapport 2 2021");
        assert_eq!(
            file_name("uppfoljning-Spånga-Tensta 2021/T2", "docx"),
            "uppfoljning-Spånga-Tensta-2021-T2.docx"
        );
        assert_eq!(file_name("//", "csv"), "export.csv");
    }

    /// The files' headings are the importer's: each is read back as its column, and a
    /// follow-up's columns are the plan's up to "Tidplan", then the status and effects.
    #[test]
    fn the_headings_are_the_importers() {
        use crate::services::imports::read::column_of;
        for c in Column::PLAN.iter().chain(&Column::FOLLOW_UP) {
            assert_eq!(column_of(c.heading()), Some(*c));
        }
        let follow_up = headings(&Column::FOLLOW_UP, "Status 31/8 2021");
        assert_eq!(follow_up[..6], headings(&Column::PLAN, "")[..6]);
        assert_eq!(
            follow_up[6..],
            ["Status 31/8 2021", "Effekter och resultat"]
        );
        assert_eq!(column_of(&follow_up[6]), Some(Column::Status));
    }

    /// Every status the follow-up template offers is read back as itself.
    #[test]
    fn the_templates_statuses_are_read_back() {
        for status in STATUSES {
            assert_eq!(
                crate::services::imports::parse_status(status_word(status)),
                Some(status)
            );
        }
    }
}
