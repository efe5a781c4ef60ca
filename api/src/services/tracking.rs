//! Follow-up tracking: the city's reporting calendar and, per district, which activities
//! have reported a period and which still owe a report.
//!
//! The calendar: T1 covers January–April, T2 May–August (the documents report status as
//! of 31 August), ANNUAL the whole year (verksamhetsberättelse). A period's report is due
//! on the 15th of the month after it ends (15 May, 15 September, 15 January).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use entity::enums::{FollowUpStatus, Term};
use entity::{action_plan, activity, collaboration_group, district, follow_up, group_follow_up};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, Iterable, QueryFilter, QueryOrder};

use super::terms;
use crate::error::{AppError, AppResult};

/// Where a period stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodState {
    /// Not begun.
    Upcoming,
    /// Running: statuses may be reported.
    Open,
    /// Ended; the report is due (on or before the due date).
    Due,
    /// Past its due date.
    Closed,
}

/// One reporting period of the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodInfo {
    /// The year.
    pub year: i32,
    /// The term.
    pub term: Term,
    /// First day covered.
    pub starts_on: NaiveDate,
    /// Last day covered (the status's as-of date).
    pub ends_on: NaiveDate,
    /// The day the report is due.
    pub due_on: NaiveDate,
    /// Where it stands on the day asked about.
    pub state: PeriodState,
}

fn date(year: i32, month: u32, day: u32) -> AppResult<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| AppError::bad_input("year", "no such date"))
}

/// The calendar entry of one period, as it stands on `today`.
pub fn period(year: i32, term: Term, today: NaiveDate) -> AppResult<PeriodInfo> {
    let (starts_on, ends_on, due_on) = match term {
        Term::T1 => (date(year, 1, 1)?, date(year, 4, 30)?, date(year, 5, 15)?),
        Term::T2 => (date(year, 5, 1)?, date(year, 8, 31)?, date(year, 9, 15)?),
        Term::Annual => (
            date(year, 1, 1)?,
            date(year, 12, 31)?,
            date(year + 1, 1, 15)?,
        ),
    };
    let state = if today < starts_on {
        PeriodState::Upcoming
    } else if today <= ends_on {
        PeriodState::Open
    } else if today <= due_on {
        PeriodState::Due
    } else {
        PeriodState::Closed
    };
    Ok(PeriodInfo {
        year,
        term,
        starts_on,
        ends_on,
        due_on,
        state,
    })
}

/// The periods of `year` (or, without one, of last year and this year), as they stand on
/// `today`.
pub fn calendar(year: Option<i32>, today: NaiveDate) -> AppResult<Vec<PeriodInfo>> {
    let years = match year {
        Some(y) => {
            super::write::year("year", y)?;
            vec![y]
        }
        None => vec![today.year() - 1, today.year()],
    };
    let mut out = Vec::new();
    for y in years {
        for term in [Term::T1, Term::T2, Term::Annual] {
            out.push(period(y, term, today)?);
        }
    }
    Ok(out)
}

/// One district's follow-up state for a period.
#[derive(Debug, Clone)]
pub struct DistrictSummary {
    /// The district.
    pub district: district::Model,
    /// Follow-ups of the period per status (every status, zeros included).
    pub by_status: Vec<(FollowUpStatus, u64)>,
    /// Activities whose schedule asks for a report in the period and that have none.
    pub missing: Vec<activity::Model>,
    /// Activities whose schedule asks for a report in the period.
    pub expected: u64,
    /// The district's groups expected to report in the period (see [`group_expects_report`]).
    pub groups_expected: u64,
    /// The district's groups with a follow-up of the period (any status, expected or not).
    pub groups_reported: u64,
    /// Groups expected to report in the period that have no follow-up of it.
    pub groups_missing: Vec<collaboration_group::Model>,
}

/// Whether `group` should report in `year`/`term`: it is not archived, its follow-up
/// terms name the term, and its validity (from/until) overlaps the period.
pub fn group_expects_report(group: &collaboration_group::Model, year: i32, term: Term) -> bool {
    let Ok(p) = period(year, term, NaiveDate::MIN) else {
        return false;
    };
    group.archived_at.is_none()
        && terms::decode(&group.follow_up_terms).contains(&term)
        && super::groups::valid_between(group, p.starts_on, p.ends_on)
}

/// Per district while summing: follow-ups per status, missing activities, expected count.
type Tally = (HashMap<FollowUpStatus, u64>, Vec<activity::Model>, u64);

/// Whether `activity` of `plan` should report in `year`/`term`: its schedule names the
/// term and its timeline (or else its plan's) covers the year.
pub fn expects_report(
    activity: &activity::Model,
    plan: &action_plan::Model,
    year: i32,
    term: Term,
) -> bool {
    let asks = terms::decode(&activity.follow_up_terms).contains(&term);
    let start = activity.start_year.or(plan.start_year);
    let end = activity.end_year.or(plan.end_year);
    asks && start.is_none_or(|s| s <= year) && end.is_none_or(|e| year <= e)
}

/// Per district (all, or `districts`): follow-ups of the period by status, and the
/// activities still owing a report; the same for the districts' groups. Five statements,
/// whatever the number of districts.
pub async fn summary(
    db: &DatabaseConnection,
    year: i32,
    term: Term,
    districts: Option<Vec<i32>>,
) -> AppResult<Vec<DistrictSummary>> {
    super::write::year("period.year", year)?;
    let mut q = district::Entity::find().order_by_asc(district::Column::Id);
    if let Some(ids) = districts {
        q = q.filter(district::Column::Id.is_in(ids));
    }
    let districts = q.all(db).await?;
    let ids: Vec<i32> = districts.iter().map(|d| d.id).collect();

    let groups = collaboration_group::Entity::find()
        .filter(collaboration_group::Column::DistrictId.is_in(ids.clone()))
        .order_by_asc(collaboration_group::Column::Id)
        .all(db)
        .await?;
    let groups_reported: HashSet<i32> = group_follow_up::Entity::find()
        .filter(group_follow_up::Column::Year.eq(year))
        .filter(group_follow_up::Column::Term.eq(term))
        .all(db)
        .await?
        .into_iter()
        .map(|f| f.collaboration_group_id)
        .collect();
    // Per district: groups expected, groups reported, groups missing.
    let mut group_tally: BTreeMap<i32, (u64, u64, Vec<collaboration_group::Model>)> =
        BTreeMap::new();
    for g in groups {
        let entry = group_tally.entry(g.district_id).or_default();
        let reported = groups_reported.contains(&g.id);
        if reported {
            entry.1 += 1;
        }
        if group_expects_report(&g, year, term) {
            entry.0 += 1;
            if !reported {
                entry.2.push(g);
            }
        }
    }

    let rows = activity::Entity::find()
        .find_also_related(action_plan::Entity)
        .filter(action_plan::Column::DistrictId.is_in(ids))
        .order_by_asc(activity::Column::Id)
        .all(db)
        .await?;
    let reported: HashMap<i32, FollowUpStatus> = follow_up::Entity::find()
        .filter(follow_up::Column::Year.eq(year))
        .filter(follow_up::Column::Term.eq(term))
        .all(db)
        .await?
        .into_iter()
        .map(|f| (f.activity_id, f.status))
        .collect();

    let mut per_district: BTreeMap<i32, Tally> = BTreeMap::new();
    let mut seen = HashSet::new();
    for (a, plan) in rows {
        let Some(plan) = plan else { continue };
        if !seen.insert(a.id) {
            continue;
        }
        let Some(district_id) = plan.district_id else {
            continue;
        };
        let entry = per_district.entry(district_id).or_default();
        if let Some(status) = reported.get(&a.id) {
            *entry.0.entry(*status).or_default() += 1;
        }
        // An activity reported for a period its schedule names was expected then, even
        // outside its written timeline (Spånga-Tensta's T2 2021 follow-up reports rows
        // dated "2020").
        let asks = terms::decode(&a.follow_up_terms).contains(&term);
        if expects_report(&a, &plan, year, term) || (asks && reported.contains_key(&a.id)) {
            entry.2 += 1;
            if !reported.contains_key(&a.id) {
                entry.1.push(a);
            }
        }
    }
    Ok(districts
        .into_iter()
        .map(|d| {
            let (counts, missing, expected) = per_district.remove(&d.id).unwrap_or_default();
            let (groups_expected, groups_reported, groups_missing) =
                group_tally.remove(&d.id).unwrap_or_default();
            let by_status = FollowUpStatus::iter()
                .map(|s| (s, counts.get(&s).copied().unwrap_or(0)))
                .collect();
            DistrictSummary {
                district: d,
                by_status,
                missing,
                expected,
                groups_expected,
                groups_reported,
                groups_missing,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn the_calendar_of_a_year() {
        let t2 = period(2021, Term::T2, day(2021, 9, 1)).unwrap();
        assert_eq!(t2.ends_on, day(2021, 8, 31));
        assert_eq!(t2.due_on, day(2021, 9, 15));
        assert_eq!(t2.state, PeriodState::Due);
        assert_eq!(
            period(2021, Term::T1, day(2021, 3, 1)).unwrap().state,
            PeriodState::Open
        );
        assert_eq!(
            period(2021, Term::T2, day(2021, 3, 1)).unwrap().state,
            PeriodState::Upcoming
        );
        assert_eq!(
            period(2020, Term::Annual, day(2021, 2, 1)).unwrap().state,
            PeriodState::Closed
        );
        assert_eq!(calendar(None, day(2026, 11, 22)).unwrap().len(), 6);
    }
}
