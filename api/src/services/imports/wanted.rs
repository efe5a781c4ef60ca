//! What a row of a plan file asks of its activity: its cells read and matched against
//! the catalogue (priority and focus areas, methods, the organizations of "Ansvarig"),
//! with every problem found on the way.

use std::collections::{HashMap, HashSet};

use entity::enums::Term;
use entity::{focus_area, method, organization, organization_district, priority_area};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use super::catalogue::{self, Match, MethodName, OrgMatch, OrgName};
use super::read::{self, Column, Sheet, SheetRow};
use super::shared::problem;
use super::{IdDecoder, Problem, ProblemCode, heading};
use crate::error::AppResult;
use crate::services::write::{MAX_LONG_TEXT, MAX_SHORT_TEXT};

/// A responsibility as a row asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct WantedResponsibility {
    pub organization_id: i32,
    pub role: Option<String>,
    /// Why the organization was read rather than named (for the provenance).
    pub reading: Option<String>,
}

/// What a row asks of its activity; `None` fields are not in the file (left as they are).
#[derive(Debug, Clone, Default)]
pub(super) struct Wanted {
    pub row: usize,
    pub position: i32,
    pub priority_area_id: Option<Option<i32>>,
    pub focus_area_id: Option<Option<i32>>,
    pub goal: Option<Option<String>>,
    pub description: String,
    pub method_ids: Vec<i32>,
    pub responsible_text: Option<Option<String>>,
    pub responsibilities: Option<Vec<WantedResponsibility>>,
    pub timeline: Option<Option<String>>,
    pub years: Option<(Option<i32>, Option<i32>)>,
    pub schedule: Option<Option<String>>,
    pub terms: Option<Vec<Term>>,
    /// For a new activity when the file has no schedule: the follow-up's term.
    pub terms_from_status: Option<Vec<Term>>,
    pub id: Option<i32>,
    pub version: Option<i32>,
}

/// The catalogue an import matches against.
pub(super) struct Catalogue {
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

/// The catalogue of a plan following `strategy_id` (all priority areas without one) in
/// `district_id`, whose owner is `owner`.
pub(super) async fn load_catalogue(
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
pub(super) fn wanted_of(
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
