//! From rows to writes: what each row of a plan (or follow-up) file asks for, how it
//! differs from what the plan holds, whether it may be written (the version rule), and
//! the one transaction that writes it all.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use entity::enums::Term;
use entity::{
    action_plan, activity, activity_method, audit_event, district, focus_area, follow_up, method,
    organization, organization_district, priority_area, provenance, responsibility,
    source_document, strategy,
};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, Set,
};

use super::catalogue::{self, Match, MethodName, OrgMatch, OrgName};
use super::read::{self, Column, Sheet, SheetRow};
use super::{
    FollowUpImport, IdDecoder, ImportReport, PlanImport, Problem, ProblemCode, RowAction,
    RowOutcome, heading, same_text,
};
use crate::error::{AppError, AppResult};
use crate::services::audit::Change;
use crate::services::authz::Actor;
use crate::services::write::{self, MAX_LONG_TEXT, MAX_SHORT_TEXT, Written};
use crate::services::{follow_ups, terms};

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

/// A responsibility as a row asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct WantedResponsibility {
    organization_id: i32,
    role: Option<String>,
    /// Why the organization was read rather than named (for the provenance).
    reading: Option<String>,
}

/// What a row asks of its activity; `None` fields are not in the file (left as they are).
#[derive(Debug, Clone, Default)]
struct Wanted {
    row: usize,
    position: i32,
    priority_area_id: Option<Option<i32>>,
    focus_area_id: Option<Option<i32>>,
    goal: Option<Option<String>>,
    description: String,
    method_ids: Vec<i32>,
    responsible_text: Option<Option<String>>,
    responsibilities: Option<Vec<WantedResponsibility>>,
    timeline: Option<Option<String>>,
    years: Option<(Option<i32>, Option<i32>)>,
    schedule: Option<Option<String>>,
    terms: Option<Vec<Term>>,
    /// For a new activity when the file has no schedule: the follow-up's term.
    terms_from_status: Option<Vec<Term>>,
    id: Option<i32>,
    version: Option<i32>,
}

/// An activity as the plan holds it.
#[derive(Debug, Clone)]
struct Current {
    activity: activity::Model,
    methods: Vec<i32>,
    responsibilities: Vec<(i32, Option<String>)>,
    /// The action of its last audit event, if any.
    last_action: Option<String>,
}

/// The catalogue an import matches against.
struct Catalogue {
    priority: Vec<(i32, Vec<String>)>,
    focus: Vec<((i32, i32), Vec<String>)>,
    methods: Vec<MethodName>,
    orgs: Vec<OrgName>,
    /// The plan's owner (for cells naming no organization).
    owner: Option<i32>,
    /// Labels matched so far (a file repeats its labels on every row).
    org_memo: std::sync::Mutex<HashMap<String, OrgMatch>>,
    /// Area names matched so far: (priority?, name, within priority) → match.
    area_memo: std::sync::Mutex<HashMap<AreaKey, AreaMatch>>,
}

/// A priority area's id, or a focus area's (id, priority area id), as matched.
type AreaMatch = Match<(i32, i32)>;

/// An area name looked up: (a priority area?, the name, within which priority area).
type AreaKey = (bool, String, Option<i32>);

impl Catalogue {
    /// [`catalogue::match_org`], remembered per label.
    fn org(&self, label: &str) -> OrgMatch {
        let mut memo = match self.org_memo.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        memo.entry(label.to_owned())
            .or_insert_with(|| catalogue::match_org(label, &self.orgs, self.owner))
            .clone()
    }

    /// A priority area's match (as `(id, id)`), remembered per name.
    fn priority(&self, name: &str) -> Match<i32> {
        let found = self.area(true, name, None, || {
            let list: Vec<((i32, i32), Vec<String>)> = self
                .priority
                .iter()
                .map(|(id, n)| ((*id, *id), n.clone()))
                .collect();
            catalogue::match_name(name, &list)
        });
        match found {
            Match::Exact((id, _)) => Match::Exact(id),
            Match::Approximate((id, _)) => Match::Approximate(id),
            Match::Ambiguous(n) => Match::Ambiguous(n),
            Match::None => Match::None,
        }
    }

    /// A focus area's match, within `priority` first then anywhere, remembered per name.
    fn focus(&self, name: &str, priority: Option<i32>) -> AreaMatch {
        self.area(false, name, priority, || {
            let within: Vec<((i32, i32), Vec<String>)> = self
                .focus
                .iter()
                .filter(|((_, pa), _)| priority.is_none_or(|p| p == *pa))
                .cloned()
                .collect();
            let found = catalogue::match_name(name, &within);
            if matches!(found, Match::None) && priority.is_some() {
                catalogue::match_name(name, &self.focus)
            } else {
                found
            }
        })
    }

    fn area(
        &self,
        is_priority: bool,
        name: &str,
        within: Option<i32>,
        find: impl FnOnce() -> AreaMatch,
    ) -> AreaMatch {
        let k = (is_priority, name.to_owned(), within);
        let known = match self.area_memo.lock() {
            Ok(m) => m.get(&k).cloned(),
            Err(poisoned) => poisoned.into_inner().get(&k).cloned(),
        };
        if let Some(found) = known {
            return found;
        }
        let found = find();
        match self.area_memo.lock() {
            Ok(mut m) => m.insert(k, found.clone()),
            Err(poisoned) => poisoned.into_inner().insert(k, found.clone()),
        };
        found
    }
}

async fn load_catalogue(
    db: &DatabaseConnection,
    strategy_id: Option<i32>,
    district_id: i32,
    owner: Option<i32>,
) -> AppResult<Catalogue> {
    let mut pas = priority_area::Entity::find().order_by_asc(priority_area::Column::Id);
    if let Some(s) = strategy_id {
        pas = pas.filter(priority_area::Column::StrategyId.eq(s));
    }
    let pas = pas.all(db).await?;
    let pa_ids: HashSet<i32> = pas.iter().map(|p| p.id).collect();
    let fas = focus_area::Entity::find()
        .order_by_asc(focus_area::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter(|f| pa_ids.contains(&f.priority_area_id))
        .map(|f| ((f.id, f.priority_area_id), vec![f.name]))
        .collect();
    let methods = method::Entity::find()
        .order_by_asc(method::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|m| {
            MethodName::new(
                m.id,
                std::iter::once(m.name).chain(m.abbreviation).collect(),
            )
        })
        .collect();
    let serving: HashSet<i32> = organization_district::Entity::find()
        .filter(organization_district::Column::DistrictId.eq(district_id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.organization_id)
        .collect();
    let orgs = organization::Entity::find()
        .order_by_asc(organization::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|o| OrgName {
            id: o.id,
            serves_district: serving.contains(&o.id),
            name: o.name,
            slug: o.slug,
            kind: o.kind,
        })
        .collect();
    Ok(Catalogue {
        priority: pas.into_iter().map(|p| (p.id, vec![p.name])).collect(),
        focus: fas,
        methods,
        orgs,
        owner,
        org_memo: std::sync::Mutex::new(HashMap::new()),
        area_memo: std::sync::Mutex::new(HashMap::new()),
    })
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

fn problem(row: usize, column: Option<String>, code: ProblemCode, message: String) -> Problem {
    Problem {
        row: Some(row),
        column,
        code,
        message,
    }
}

/// A text cell within `max` characters, or a blocking problem.
fn text_cell(
    row: &SheetRow,
    sheet: &Sheet,
    column: Column,
    max: usize,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    let text = row.cell(column)?;
    if text.chars().count() > max {
        problems.push(problem(
            row.number,
            Some(heading(sheet, column)),
            ProblemCode::TextTooLong,
            format!("the text is longer than the {max} characters the service keeps"),
        ));
        return None;
    }
    Some(text.to_owned())
}

/// What `row` asks for, matched against the catalogue; its problems into `problems`.
/// `None` when a blocking problem leaves nothing to compare.
fn wanted_of(
    row: &SheetRow,
    position: i32,
    sheet: &Sheet,
    cat: &Catalogue,
    decode_id: IdDecoder,
    problems: &mut Vec<Problem>,
) -> Option<Wanted> {
    let before = problems.iter().filter(|p| p.blocking()).count();
    let mut w = Wanted {
        row: row.number,
        position,
        ..Wanted::default()
    };
    let Some(description) = text_cell(row, sheet, Column::Description, MAX_LONG_TEXT, problems)
    else {
        if row.cell(Column::Description).is_none() {
            problems.push(problem(
                row.number,
                Some(heading(sheet, Column::Description)),
                ProblemCode::MissingValue,
                "every row needs its \"Metoder och arbetssätt\": what is done".into(),
            ));
        }
        return None;
    };
    w.description = description;
    w.method_ids = catalogue::methods_in(&w.description, &cat.methods);
    // Priority and focus areas.
    let mut priority_id = None;
    if let Some(name) = &row.priority {
        match cat.priority(name) {
            Match::Exact(id) => priority_id = Some(id),
            Match::Approximate(id) => {
                priority_id = Some(id);
                let found = cat
                    .priority
                    .iter()
                    .find(|(i, _)| *i == id)
                    .map(|(_, n)| n[0].clone())
                    .unwrap_or_default();
                problems.push(problem(
                    row.number,
                    Some(heading(sheet, Column::Priority)),
                    ProblemCode::ApproximateMatch,
                    format!("\"{name}\" was read as the priority area \"{found}\""),
                ));
            }
            Match::Ambiguous(names) => problems.push(problem(
                row.number,
                Some(heading(sheet, Column::Priority)),
                ProblemCode::UnknownPriorityArea,
                format!(
                    "\"{name}\" may be any of the priority areas {}: give the plan's strategy",
                    names.join(", ")
                ),
            )),
            Match::None => problems.push(problem(
                row.number,
                Some(heading(sheet, Column::Priority)),
                ProblemCode::UnknownPriorityArea,
                format!(
                    "\"{name}\" is no priority area of the plan's strategy; they are: {}",
                    cat.priority
                        .iter()
                        .map(|(_, n)| n[0].as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }
    let mut focus_id = None;
    if let Some(name) = &row.focus {
        // Within the row's priority area first, then anywhere in the strategy.
        let found = cat.focus(name, priority_id);
        let column = Some(heading(sheet, Column::Focus));
        match found {
            Match::Exact((id, pa)) | Match::Approximate((id, pa)) => {
                if let Match::Approximate(_) = found {
                    let written = cat
                        .focus
                        .iter()
                        .find(|((i, _), _)| *i == id)
                        .map(|(_, n)| n[0].clone())
                        .unwrap_or_default();
                    problems.push(problem(
                        row.number,
                        column.clone(),
                        ProblemCode::ApproximateMatch,
                        format!("\"{name}\" was read as the focus area \"{written}\""),
                    ));
                }
                match priority_id {
                    Some(p) if p != pa => problems.push(problem(
                        row.number,
                        column,
                        ProblemCode::FocusAreaMismatch,
                        format!(
                            "the focus area \"{name}\" belongs to another priority area than the row's"
                        ),
                    )),
                    _ => {
                        focus_id = Some(id);
                        priority_id = Some(pa);
                    }
                }
            }
            Match::Ambiguous(names) => problems.push(problem(
                row.number,
                column,
                ProblemCode::UnknownFocusArea,
                format!(
                    "\"{name}\" may be any of the focus areas {}: name the priority area",
                    names.join(", ")
                ),
            )),
            Match::None => problems.push(problem(
                row.number,
                column,
                ProblemCode::UnknownFocusArea,
                format!("\"{name}\" is no focus area of the plan's strategy"),
            )),
        }
    }
    if row.priority.is_some() || row.focus.is_some() {
        w.priority_area_id = Some(priority_id);
        w.focus_area_id = Some(focus_id);
    }
    if sheet.headings.contains_key(&Column::Goal) {
        w.goal = Some(text_cell(row, sheet, Column::Goal, MAX_LONG_TEXT, problems));
    }
    if sheet.headings.contains_key(&Column::Timeline) {
        let timeline = text_cell(row, sheet, Column::Timeline, MAX_LONG_TEXT, problems);
        w.years = Some(
            timeline
                .as_deref()
                .map(read::timeline_years)
                .unwrap_or((None, None)),
        );
        w.timeline = Some(timeline);
    }
    if sheet.headings.contains_key(&Column::Schedule) {
        let schedule = text_cell(row, sheet, Column::Schedule, MAX_LONG_TEXT, problems);
        w.terms = Some(
            schedule
                .as_deref()
                .map(read::schedule_terms)
                .unwrap_or_default(),
        );
        w.schedule = Some(schedule);
    } else if let Some((_, term)) = sheet.status_period {
        w.terms_from_status = Some(vec![term]);
    }
    if sheet.headings.contains_key(&Column::Responsible) {
        let text = text_cell(row, sheet, Column::Responsible, MAX_LONG_TEXT, problems);
        let list = match &text {
            Some(t) => responsibilities(row, sheet, t, cat, problems),
            None => Vec::new(),
        };
        w.responsible_text = Some(text.map(|t| t.split_whitespace().collect::<Vec<_>>().join(" ")));
        w.responsibilities = Some(list);
    }
    if let Some(id) = row.cell(Column::Id) {
        match decode_id(id.trim()) {
            Some(n) => w.id = Some(n),
            None => problems.push(problem(
                row.number,
                Some(heading(sheet, Column::Id)),
                ProblemCode::BadValue,
                format!("\"{id}\" is not an activity's ID (leave the cell empty for a new row)"),
            )),
        }
    }
    if let Some(v) = row.cell(Column::Version) {
        match v.trim().parse::<i32>() {
            Ok(n) => w.version = Some(n),
            Err(_) => problems.push(problem(
                row.number,
                Some(heading(sheet, Column::Version)),
                ProblemCode::BadValue,
                format!("\"{v}\" is not a version (a whole number)"),
            )),
        }
    }
    let after = problems.iter().filter(|p| p.blocking()).count();
    (after == before).then_some(w)
}

/// The responsibilities an "Ansvarig" cell names (see the README: "Label:" prefixes
/// name organizations; a cell without one is the plan's owner's).
fn responsibilities(
    row: &SheetRow,
    sheet: &Sheet,
    cell: &str,
    cat: &Catalogue,
    problems: &mut Vec<Problem>,
) -> Vec<WantedResponsibility> {
    let column = Some(heading(sheet, Column::Responsible));
    let is_name = |label: &str| matches!(cat.org(label), OrgMatch::Named(_));
    let parts = catalogue::split_responsible(cell, &is_name);
    let mut out: Vec<WantedResponsibility> = Vec::new();
    let mut push = |r: WantedResponsibility| {
        if let Some(have) = out
            .iter_mut()
            .find(|h| h.organization_id == r.organization_id)
        {
            have.role = match (have.role.take(), r.role) {
                (Some(a), Some(b)) => Some(format!("{a}, {b}")),
                (a, b) => a.or(b),
            };
        } else {
            out.push(r);
        }
    };
    for part in parts {
        match &part.label {
            Some(label) => match cat.org(label) {
                OrgMatch::Named(id) => push(WantedResponsibility {
                    organization_id: id,
                    role: catalogue::role_of(&part.lines),
                    reading: None,
                }),
                OrgMatch::Read(id, why) => {
                    problems.push(problem(
                        row.number,
                        column.clone(),
                        ProblemCode::OrganizationInferred,
                        why.clone(),
                    ));
                    push(WantedResponsibility {
                        organization_id: id,
                        role: catalogue::role_of(&part.lines),
                        reading: Some(why),
                    });
                }
                OrgMatch::Unmatched(why) => problems.push(problem(
                    row.number,
                    column.clone(),
                    ProblemCode::UnknownOrganization,
                    format!("{why}; the text stays in the activity's responsibility text"),
                )),
            },
            None => {
                // Text before any label: the plan's owner's staff (a cell naming no
                // organization), unless other parts name organizations.
                let labelled = cell.contains(':');
                if labelled {
                    continue;
                }
                let Some(owner) = cat.owner else {
                    problems.push(problem(
                        row.number,
                        column.clone(),
                        ProblemCode::UnknownOrganization,
                        "the cell names no organization (write \"Organization: role\"), and \
                         the plan has no owner to take it"
                            .into(),
                    ));
                    continue;
                };
                let owner_name = cat
                    .orgs
                    .iter()
                    .find(|o| o.id == owner)
                    .map_or("the plan's owner", |o| o.name.as_str());
                let why = format!(
                    "the cell names no organization (\"Organization: role\"): {owner_name}, the plan's owner, is taken as responsible"
                );
                problems.push(problem(
                    row.number,
                    column.clone(),
                    ProblemCode::OrganizationInferred,
                    why.clone(),
                ));
                // A cell naming no organization is a role title ("Enhetschef") or says
                // something else (people, a group): only a single short title is a role.
                let role = catalogue::role_of(&part.lines)
                    .filter(|r| !r.contains(", ") && r.split_whitespace().count() <= 6);
                push(WantedResponsibility {
                    organization_id: owner,
                    role,
                    reading: Some(why),
                });
            }
        }
    }
    for r in &mut out {
        if let Some(role) = &r.role
            && role.chars().count() > MAX_SHORT_TEXT
        {
            r.role = None;
        }
    }
    out
}

/// The activities of a plan with their methods, responsibilities and last audit action.
async fn current_activities(db: &DatabaseConnection, plan_id: i32) -> AppResult<Vec<Current>> {
    let activities = activity::Entity::find()
        .filter(activity::Column::ActionPlanId.eq(plan_id))
        .order_by_asc(activity::Column::Position)
        .order_by_asc(activity::Column::Id)
        .all(db)
        .await?;
    let of_plan = || {
        Query::select()
            .column(activity::Column::Id)
            .from(activity::Entity)
            .and_where(activity::Column::ActionPlanId.eq(plan_id))
            .to_owned()
    };
    let mut methods: HashMap<i32, Vec<i32>> = HashMap::new();
    for m in activity_method::Entity::find()
        .filter(activity_method::Column::ActivityId.in_subquery(of_plan()))
        .all(db)
        .await?
    {
        methods.entry(m.activity_id).or_default().push(m.method_id);
    }
    let mut resp: HashMap<i32, Vec<responsibility::Model>> = HashMap::new();
    for r in responsibility::Entity::find()
        .filter(responsibility::Column::ActivityId.in_subquery(of_plan()))
        .all(db)
        .await?
    {
        resp.entry(r.activity_id).or_default().push(r);
    }
    let mut last: HashMap<i32, String> = HashMap::new();
    for e in audit_event::Entity::find()
        .filter(audit_event::Column::NodeType.eq("Activity"))
        .filter(audit_event::Column::NodeId.in_subquery(of_plan()))
        .order_by_asc(audit_event::Column::Id)
        .all(db)
        .await?
    {
        if !e.action.ends_with(".submit") {
            last.insert(e.node_id, e.action);
        }
    }
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

/// Whether a write based on the file would lose an edit made in the service: with a
/// `Version` column, when it is not the current version; without one, when the record's
/// content was changed since it was imported or seeded (its last audit event other than
/// a submission — which only locks — is not an import; seeded records have none).
/// `None`: it may be written; else the problem.
fn lost_edit(
    what: &str,
    file_version: Option<i32>,
    current_version: i32,
    last_action: Option<&str>,
) -> Option<String> {
    match file_version {
        Some(v) if v != current_version => Some(format!(
            "the row was made from version {v} of the {what}, but it is at version \
             {current_version} now: export the plan again and edit that file"
        )),
        Some(_) => None,
        None => {
            let imported = last_action.is_some_and(|a| a.ends_with(".import"));
            let untouched = last_action.is_none();
            (!imported && !untouched).then(|| {
                format!(
                    "the {what} was changed in the service (version {current_version}) since it \
                     was imported or seeded: the row would overwrite that change. Export the plan \
                     and edit that file (its Version column says what it was based on)"
                )
            })
        }
    }
}

/// A snapshot of an activity for the audit trail.
#[derive(Debug, serde::Serialize)]
struct Snapshot<'a> {
    #[serde(flatten)]
    activity: &'a activity::Model,
    methods: &'a [i32],
    responsibilities: Vec<(i32, Option<String>)>,
}

/// One activity to write.
#[derive(Debug, Clone)]
struct Planned {
    wanted: Wanted,
    /// `None`: create.
    current: Option<Current>,
}

/// The rows of a plan file: match, compare, check, and (unless a dry run or a blocking
/// problem) write.
pub async fn plan_rows(
    db: &DatabaseConnection,
    actor: &Actor,
    ctx: PlanContext,
    sheet: Sheet,
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
    let by_id: HashMap<i32, &Current> = current.iter().map(|c| (c.activity.id, c)).collect();
    let mut by_position: HashMap<i32, &Current> = HashMap::new();
    for c in &current {
        by_position.entry(c.activity.position).or_insert(c);
    }
    let mut planned: Vec<Planned> = Vec::new();
    let mut matched: HashSet<i32> = HashSet::new();
    let next_position = current
        .iter()
        .map(|c| c.activity.position)
        .max()
        .unwrap_or(0);
    let mut appended = 0;
    for (i, row) in sheet.rows.iter().enumerate() {
        let position = i32::try_from(i + 1).unwrap_or(i32::MAX);
        let Some(mut wanted) = wanted_of(
            row,
            position,
            &sheet,
            &cat,
            ctx.decode_id,
            &mut report.problems,
        ) else {
            report.rows.push(RowOutcome {
                row: row.number,
                action: RowAction::Skip,
                activity_id: None,
                changes: Vec::new(),
            });
            continue;
        };
        let found = match wanted.id {
            Some(id) => match by_id.get(&id) {
                Some(c) => Some(*c),
                None => {
                    report.problems.push(problem(
                        row.number,
                        Some(heading(&sheet, Column::Id)),
                        ProblemCode::NotFound,
                        "the ID names no activity of this plan".into(),
                    ));
                    report.rows.push(RowOutcome {
                        row: row.number,
                        action: RowAction::Skip,
                        activity_id: None,
                        changes: Vec::new(),
                    });
                    continue;
                }
            },
            None if sheet.headings.contains_key(&Column::Id) => None,
            None => by_position.get(&position).copied(),
        };
        if found.is_none() && sheet.headings.contains_key(&Column::Id) {
            appended += 1;
            wanted.position = next_position + appended;
        }
        match found {
            None => {
                report.created += 1;
                report.rows.push(RowOutcome {
                    row: row.number,
                    action: RowAction::Create,
                    activity_id: None,
                    changes: Vec::new(),
                });
                planned.push(Planned {
                    wanted,
                    current: None,
                });
            }
            Some(c) => {
                matched.insert(c.activity.id);
                let diff = changes(&wanted, c);
                if diff.is_empty() {
                    report.unchanged += 1;
                    report.rows.push(RowOutcome {
                        row: row.number,
                        action: RowAction::Unchanged,
                        activity_id: Some(c.activity.id),
                        changes: Vec::new(),
                    });
                    continue;
                }
                if let Some(why) = lost_edit(
                    "activity",
                    wanted.version,
                    c.activity.version,
                    c.last_action.as_deref(),
                ) {
                    report
                        .problems
                        .push(problem(row.number, None, ProblemCode::Conflict, why));
                    report.rows.push(RowOutcome {
                        row: row.number,
                        action: RowAction::Skip,
                        activity_id: Some(c.activity.id),
                        changes: diff,
                    });
                    continue;
                }
                report.updated += 1;
                report.rows.push(RowOutcome {
                    row: row.number,
                    action: RowAction::Update,
                    activity_id: Some(c.activity.id),
                    changes: diff,
                });
                planned.push(Planned {
                    wanted,
                    current: Some(c.clone()),
                });
            }
        }
    }
    let left = current
        .iter()
        .filter(|c| !matched.contains(&c.activity.id))
        .count();
    if left > 0 && !sheet.rows.is_empty() {
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
    let plan = write_plan(
        db,
        actor,
        &ctx,
        &sheet,
        strategy_id,
        owner,
        (start_year, end_year),
        planned,
    )
    .await?;
    let (plan, created) = plan;
    for outcome in &mut report.rows {
        if outcome.action == RowAction::Create
            && let Some((_, id)) = created.iter().find(|(row, _)| *row == outcome.row)
        {
            outcome.activity_id = Some(*id);
        }
    }
    report.plan = Some(plan);
    report.written = true;
    Ok(report)
}

/// Problems in file order: the file's own first, then by row.
fn sort_problems(problems: &mut [Problem]) {
    problems.sort_by_key(|p| p.row.unwrap_or(0));
}

/// The source document of an imported file (found by the file's digest, else made).
async fn source_document_of(
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

/// Record (replacing any) the provenance of the `record_type` row `id`: the file.
async fn mark(
    txn: &DatabaseTransaction,
    record_type: &str,
    id: i32,
    document: i32,
    reading: Option<&str>,
    note: String,
) -> AppResult<()> {
    provenance::Entity::delete_many()
        .filter(provenance::Column::RecordType.eq(record_type))
        .filter(provenance::Column::RecordId.eq(id))
        .exec(txn)
        .await?;
    provenance::ActiveModel {
        record_type: Set(record_type.to_owned()),
        record_id: Set(id),
        source_document_id: Set(Some(document)),
        inferred: Set(reading.is_some()),
        note: Set(Some(match reading {
            Some(r) => format!("{note}; {r}"),
            None => note,
        })),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
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

#[allow(clippy::too_many_arguments)]
async fn write_plan(
    db: &DatabaseConnection,
    actor: &Actor,
    ctx: &PlanContext,
    sheet: &Sheet,
    strategy_id: Option<i32>,
    owner: Option<i32>,
    (start_year, end_year): (Option<i32>, Option<i32>),
    planned: Vec<Planned>,
) -> AppResult<(action_plan::Model, Vec<(usize, i32)>)> {
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
                    let created = action_plan::ActiveModel {
                        district_id: Set(Some(district_id)),
                        organization_id: Set(owner),
                        situation_picture_id: Set(None),
                        strategy_id: Set(strategy_id),
                        slug: Set(slug),
                        title: Set(title),
                        description: Set(None),
                        start_year: Set(start_year),
                        end_year: Set(end_year),
                        version: Set(1),
                        created_at: Set(now),
                        updated_at: Set(now),
                        ..Default::default()
                    }
                    .insert(txn)
                    .await?;
                    mark(
                        txn,
                        "ActionPlan",
                        created.id,
                        document,
                        None,
                        format!("imported from {file_name}"),
                    )
                    .await?;
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
            let mut created = Vec::new();
            for p in planned {
                let row = p.wanted.row;
                let (next, id) =
                    write_activity(txn, &plan, document, &file_name, p, written, now).await?;
                written = next;
                created.push((row, id));
            }
            Ok(written.with((plan, created)))
        })
    })
    .await
}

async fn write_activity(
    txn: &DatabaseTransaction,
    plan: &action_plan::Model,
    document: i32,
    file_name: &str,
    p: Planned,
    written: Written<()>,
    now: chrono::DateTime<Utc>,
) -> AppResult<(Written<()>, i32)> {
    let w = p.wanted;
    let trim = |t: &Option<String>| {
        t.as_ref()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let mut am = match &p.current {
        Some(c) => activity::ActiveModel {
            version: Set(c.activity.version + 1),
            updated_at: Set(now),
            ..Default::default()
        },
        None => activity::ActiveModel {
            action_plan_id: Set(plan.id),
            position: Set(w.position),
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
    if let Some(v) = w.priority_area_id {
        am.priority_area_id = Set(v);
    }
    if let Some(v) = w.focus_area_id {
        am.focus_area_id = Set(v);
    }
    if let Some(v) = &w.goal {
        am.goal = Set(trim(v));
    }
    am.description = Set(w.description.trim().to_owned());
    if let Some(v) = &w.responsible_text {
        am.responsible_text = Set(trim(v));
    }
    if let Some(v) = &w.timeline {
        am.timeline = Set(trim(v));
    }
    if let Some((s, e)) = w.years {
        am.start_year = Set(s);
        am.end_year = Set(e);
    }
    if let Some(v) = &w.schedule {
        am.follow_up_schedule = Set(trim(v));
    }
    if let Some(t) = &w.terms {
        am.follow_up_terms = Set(terms::encode(t));
    }
    let after = match &p.current {
        Some(c) => {
            write::update_if_version::<activity::Entity, _>(
                txn,
                am,
                (activity::Column::Id, activity::Column::Version),
                (c.activity.id, c.activity.version),
                "activity",
            )
            .await?
        }
        None => am.insert(txn).await?,
    };
    // Methods (always: they come from the description) and responsibilities.
    activity_method::Entity::delete_many()
        .filter(activity_method::Column::ActivityId.eq(after.id))
        .exec(txn)
        .await?;
    for m in &w.method_ids {
        activity_method::ActiveModel {
            activity_id: Set(after.id),
            method_id: Set(*m),
        }
        .insert(txn)
        .await?;
    }
    let responsibilities: Vec<(i32, Option<String>)> = match &w.responsibilities {
        Some(list) => {
            let old = responsibility::Entity::find()
                .filter(responsibility::Column::ActivityId.eq(after.id))
                .all(txn)
                .await?;
            for r in &old {
                provenance::Entity::delete_many()
                    .filter(provenance::Column::RecordType.eq("Responsibility"))
                    .filter(provenance::Column::RecordId.eq(r.id))
                    .exec(txn)
                    .await?;
            }
            responsibility::Entity::delete_many()
                .filter(responsibility::Column::ActivityId.eq(after.id))
                .exec(txn)
                .await?;
            for (i, r) in list.iter().enumerate() {
                let row = responsibility::ActiveModel {
                    activity_id: Set(after.id),
                    organization_id: Set(r.organization_id),
                    role: Set(r.role.clone()),
                    position: Set(i32::try_from(i + 1).unwrap_or(i32::MAX)),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
                mark(
                    txn,
                    "Responsibility",
                    row.id,
                    document,
                    r.reading.as_deref(),
                    format!("imported from {file_name}, row {}", w.row),
                )
                .await?;
            }
            list.iter()
                .map(|r| (r.organization_id, r.role.clone()))
                .collect()
        }
        None => p
            .current
            .as_ref()
            .map(|c| c.responsibilities.clone())
            .unwrap_or_default(),
    };
    let terms_note = (w.terms.is_none() && w.terms_from_status.is_some() && p.current.is_none())
        .then_some(
            "the file has no \"Uppföljning\" column: the follow-up terms are the period of its status column",
        );
    mark(
        txn,
        "Activity",
        after.id,
        document,
        terms_note,
        format!("imported from {file_name}, row {}", w.row),
    )
    .await?;
    let before = p.current.as_ref().map(|c| Snapshot {
        activity: &c.activity,
        methods: &c.methods,
        responsibilities: c.responsibilities.clone(),
    });
    let written = written.audit(
        Change {
            action: "activity.import",
            node_type: "Activity",
            node_id: after.id,
            district_id: plan.district_id,
        },
        before.as_ref(),
        Some(&Snapshot {
            activity: &after,
            methods: &w.method_ids,
            responsibilities,
        }),
    )?;
    Ok((written, after.id))
}

/// A follow-up to write: the activity, status, effects, the follow-up it changes (none:
/// create) and the file's row.
type PlannedFollowUp = (
    i32,
    entity::enums::FollowUpStatus,
    Option<String>,
    Option<follow_up::Model>,
    usize,
);

/// The rows of a follow-up file: match each row to its activity, compare the period's
/// follow-up, check the version and lock rules, and (unless a dry run or a blocking
/// problem) write.
pub async fn follow_up_rows(
    db: &DatabaseConnection,
    actor: &Actor,
    input: FollowUpImport,
    plan: action_plan::Model,
    sheet: Sheet,
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
    let by_id: HashMap<i32, &Current> = current.iter().map(|c| (c.activity.id, c)).collect();
    let mut by_position: HashMap<i32, &Current> = HashMap::new();
    for c in &current {
        by_position.entry(c.activity.position).or_insert(c);
    }
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
        for e in audit_event::Entity::find()
            .filter(audit_event::Column::NodeType.eq("FollowUp"))
            .filter(audit_event::Column::NodeId.is_in(chunk.iter().copied()))
            .order_by_asc(audit_event::Column::Id)
            .all(db)
            .await?
        {
            if !e.action.ends_with(".submit") {
                last.insert(e.node_id, e.action);
            }
        }
    }
    // (activity, status, effects, existing follow-up)
    let mut planned: Vec<PlannedFollowUp> = Vec::new();
    for (i, row) in sheet.rows.iter().enumerate() {
        let position = i32::try_from(i + 1).unwrap_or(i32::MAX);
        let skip = |report: &mut ImportReport, activity_id| {
            report.rows.push(RowOutcome {
                row: row.number,
                action: RowAction::Skip,
                activity_id,
                changes: Vec::new(),
            });
        };
        let status_text = row.cell(Column::Status);
        let effects = row.cell(Column::Effects).map(str::to_owned);
        if status_text.is_none() && effects.is_none() {
            skip(&mut report, None);
            continue;
        }
        // The activity: by ID, else by place, checked against its description.
        let found = match row.cell(Column::Id) {
            Some(text) => match decode_id(text.trim()).and_then(|id| by_id.get(&id)) {
                Some(c) => Some(*c),
                None => {
                    report.problems.push(problem(
                        row.number,
                        Some(heading(&sheet, Column::Id)),
                        ProblemCode::NotFound,
                        format!("\"{text}\" names no activity of this plan"),
                    ));
                    skip(&mut report, None);
                    continue;
                }
            },
            None => by_position.get(&position).copied(),
        };
        let Some(c) = found else {
            report.problems.push(problem(
                row.number,
                None,
                ProblemCode::NoActivity,
                format!(
                    "the plan has no activity at place {position}: import the plan (importActionPlan) first"
                ),
            ));
            skip(&mut report, None);
            continue;
        };
        if row.cell(Column::Id).is_none()
            && let Some(d) = row.cell(Column::Description)
            && !same_text(Some(d), Some(&c.activity.description))
        {
            report.problems.push(problem(
                row.number,
                Some(heading(&sheet, Column::Description)),
                ProblemCode::RowMismatch,
                format!(
                    "the row's \"Metoder och arbetssätt\" is not that of the plan's activity at place {position}: \
                     the file's rows are not the plan's (import the plan from this file first, or add the ID column)"
                ),
            ));
            skip(&mut report, Some(c.activity.id));
            continue;
        }
        let Some(status_text) = status_text else {
            report.problems.push(problem(
                row.number,
                Some(heading(&sheet, Column::Status)),
                ProblemCode::MissingValue,
                "the row has effects but no status".into(),
            ));
            skip(&mut report, Some(c.activity.id));
            continue;
        };
        let Some(status) = super::parse_status(status_text) else {
            report.problems.push(problem(
                row.number,
                Some(heading(&sheet, Column::Status)),
                ProblemCode::UnknownStatus,
                format!(
                    "\"{status_text}\" is not a status: write one of Pågår, Klart, Pausad, Planerad, Avbruten"
                ),
            ));
            skip(&mut report, Some(c.activity.id));
            continue;
        };
        if effects
            .as_deref()
            .is_some_and(|e| e.chars().count() > MAX_LONG_TEXT)
        {
            report.problems.push(problem(
                row.number,
                Some(heading(&sheet, Column::Effects)),
                ProblemCode::TextTooLong,
                format!("the text is longer than the {MAX_LONG_TEXT} characters the service keeps"),
            ));
            skip(&mut report, Some(c.activity.id));
            continue;
        }
        let version = match row.cell(Column::Version).map(|v| v.trim().parse::<i32>()) {
            None => None,
            Some(Ok(v)) => Some(v),
            Some(Err(_)) => {
                report.problems.push(problem(
                    row.number,
                    Some(heading(&sheet, Column::Version)),
                    ProblemCode::BadValue,
                    "the version is not a whole number".into(),
                ));
                skip(&mut report, Some(c.activity.id));
                continue;
            }
        };
        match existing.get(&c.activity.id) {
            None => {
                report.created += 1;
                report.rows.push(RowOutcome {
                    row: row.number,
                    action: RowAction::Create,
                    activity_id: Some(c.activity.id),
                    changes: Vec::new(),
                });
                planned.push((c.activity.id, status, effects, None, row.number));
            }
            Some(f) => {
                let mut diff = Vec::new();
                if f.status != status {
                    diff.push("status");
                }
                if !same_text(f.effects.as_deref(), effects.as_deref()) {
                    diff.push("effects");
                }
                if diff.is_empty() {
                    report.unchanged += 1;
                    report.rows.push(RowOutcome {
                        row: row.number,
                        action: RowAction::Unchanged,
                        activity_id: Some(c.activity.id),
                        changes: Vec::new(),
                    });
                    continue;
                }
                if f.locked && !actor.is_admin() {
                    report.problems.push(problem(
                        row.number,
                        None,
                        ProblemCode::Locked,
                        "the period has been submitted and its follow-ups are locked: only an admin may change them".into(),
                    ));
                    skip(&mut report, Some(c.activity.id));
                    continue;
                }
                if let Some(why) = lost_edit(
                    "follow-up",
                    version,
                    f.version,
                    last.get(&f.id).map(String::as_str),
                ) {
                    report
                        .problems
                        .push(problem(row.number, None, ProblemCode::Conflict, why));
                    skip(&mut report, Some(c.activity.id));
                    continue;
                }
                report.updated += 1;
                report.rows.push(RowOutcome {
                    row: row.number,
                    action: RowAction::Update,
                    activity_id: Some(c.activity.id),
                    changes: diff,
                });
                planned.push((c.activity.id, status, effects, Some(f.clone()), row.number));
            }
        }
    }
    sort_problems(&mut report.problems);
    if input.dry_run || report.blocking() > 0 || planned.is_empty() {
        return Ok(report);
    }
    let as_of = follow_ups::period_end(input.year, input.term)
        .ok_or_else(|| AppError::bad_input("input.period", "no such period"))?;
    let (year, term) = (input.year, input.term);
    let file_name = input.file_name.clone();
    let digest = digest.to_owned();
    let document_title = sheet
        .title
        .clone()
        .unwrap_or_else(|| input.file_name.clone());
    let district_id = plan.district_id;
    let written = write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let now = Utc::now();
            let document =
                source_document_of(txn, &digest, &document_title, &file_name, Some(year)).await?;
            let mut written = Written::new(());
            let mut rows = Vec::with_capacity(planned.len());
            for (activity_id, status, effects, before, row) in planned {
                let effects = effects
                    .map(|e| e.trim().to_owned())
                    .filter(|e| !e.is_empty());
                let after = match &before {
                    None => {
                        follow_up::ActiveModel {
                            activity_id: Set(activity_id),
                            year: Set(year),
                            term: Set(term),
                            status: Set(status),
                            effects: Set(effects),
                            as_of: Set(Some(as_of)),
                            reported_by_organization_id: Set(actor.org_id),
                            reported_by_sub: Set(Some(actor.sub.clone())),
                            locked: Set(false),
                            version: Set(1),
                            created_at: Set(now),
                            updated_at: Set(now),
                            ..Default::default()
                        }
                        .insert(txn)
                        .await?
                    }
                    Some(f) => {
                        write::update_if_version::<follow_up::Entity, _>(
                            txn,
                            follow_up::ActiveModel {
                                status: Set(status),
                                effects: Set(effects),
                                as_of: Set(Some(as_of)),
                                reported_by_organization_id: Set(actor.org_id),
                                reported_by_sub: Set(Some(actor.sub.clone())),
                                version: Set(f.version + 1),
                                updated_at: Set(now),
                                ..Default::default()
                            },
                            (follow_up::Column::Id, follow_up::Column::Version),
                            (f.id, f.version),
                            "follow-up",
                        )
                        .await?
                    }
                };
                mark(
                    txn,
                    "FollowUp",
                    after.id,
                    document,
                    None,
                    format!("imported from {file_name}, row {row}"),
                )
                .await?;
                written = written.audit(
                    Change {
                        action: "followUp.import",
                        node_type: "FollowUp",
                        node_id: after.id,
                        district_id,
                    },
                    before.as_ref(),
                    Some(&after),
                )?;
                rows.push(after);
            }
            Ok(written.with(rows))
        })
    })
    .await?;
    report.follow_ups = written;
    report.written = true;
    Ok(report)
}
