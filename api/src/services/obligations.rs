//! Obligations: which body owes which deliverable under a strategy (strategy 2024–2026,
//! section 5.1: a lägesbild, an orsaksanalys, an åtgärdsplan, the tertial follow-ups),
//! for which year, due when — and, as of a date, where each stands, computed from what is
//! in the service. Admins keep the obligations ([`authz::obligations`]).
//!
//! ## When an obligation is delivered
//!
//! An obligation of body *B* under strategy *S* (years *S.start*–*S.end*) counts as
//! delivered on day *D* (`asOf`) by:
//!
//! - `SITUATION_PICTURE`: a situation picture made by *B* under *S* — or under no
//!   strategy and dated (`asOf`) within *S*'s years — dated on or before *D*. A picture
//!   is dated by its `asOf`; an undated one under *S* counts from the day it was recorded
//!   (Stockholm time); an undated one under no strategy delivers nothing.
//!   With the obligation's `year`, the picture must be dated in that year.
//! - `CAUSE_ANALYSIS`: the cause analysis of such a picture (the picture's date decides
//!   the strategy and year), dated on or before *D* (its own `asOf`, else the day it was
//!   recorded).
//! - `ACTION_PLAN`: an action plan owned by *B* that follows *S*, and, with the
//!   obligation's `year`, whose years include it. A plan counts from the 1 January of its
//!   first year or from the day it was recorded, whichever is earlier (a plan recorded
//!   after it came into force was in force all the same).
//! - `FOLLOW_UP` (`year` and `term`): a plan of *B* following *S* as above, of which
//!   every activity expected to report that period (its schedule names the term and its
//!   years, or else its plan's, include the year — the rule of the follow-up tracking)
//!   has a submitted (locked) follow-up of the period dated on or before *D* (its `asOf`,
//!   else the day it was last changed). A plan with no activity expected to report that
//!   period delivers nothing. Without `year` or `term` a FOLLOW_UP is never delivered.
//!
//! When several deliver, the latest dated one (then the latest recorded) is the one
//! named (`deliveredBy`).
//!
//! ## Its state on day *D*
//!
//! `DELIVERED` as above; else `NOT_DUE` before its period starts (1 January of its
//! `year`, else of *S*'s first year); `OVERDUE` after `dueOn`, or — without one — after
//! *S*'s last year; else `DUE`.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use entity::enums::{ObligationKind, Term};
use entity::{
    action_plan, activity, cause_analysis, follow_up, obligation, organization, situation_picture,
    strategy,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use super::audit::Change;
use super::authz::{self, Actor};
use super::plans::Patch;
use super::tracking;
use super::write::{self, MAX_LONG_TEXT, Written};
use crate::error::{AppError, AppResult};
use crate::events::EventKind;

/// Where an obligation stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObligationState {
    /// Its period has not begun.
    NotDue,
    /// Its period has begun; not delivered, not yet late.
    Due,
    /// Not delivered, past its due date (or the strategy's last year).
    Overdue,
    /// Delivered.
    Delivered,
}

/// What an organization has delivered that may count for its obligations (loaded for
/// many organizations at once, see `graphql::relations::DeliveriesOfOrganization`).
#[derive(Debug, Clone, Default)]
pub struct Deliveries {
    /// Its situation pictures.
    pub pictures: Vec<situation_picture::Model>,
    /// The cause analyses of those pictures.
    pub analyses: Vec<cause_analysis::Model>,
    /// The action plans it owns.
    pub plans: Vec<action_plan::Model>,
    /// The activities of those plans (only when FOLLOW_UP obligations are asked about).
    pub activities: Vec<activity::Model>,
    /// Their follow-ups (likewise).
    pub follow_ups: Vec<follow_up::Model>,
}

/// What delivered an obligation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// A situation picture.
    SituationPicture(situation_picture::Model),
    /// A cause analysis.
    CauseAnalysis(cause_analysis::Model),
    /// An action plan (also for follow-ups: the plan whose follow-ups are all in).
    ActionPlan(action_plan::Model),
}

/// An obligation's state on a day, with what delivered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    /// The state.
    pub state: ObligationState,
    /// What delivered it (when `Delivered`).
    pub delivered_by: Option<Delivery>,
}

/// Today in Stockholm (CET, CEST from the last Sunday of March to the last Sunday of
/// October, changing at 01:00 UTC — the EU rule).
pub fn stockholm_today() -> NaiveDate {
    stockholm_date(Utc::now())
}

/// The Stockholm calendar day of an instant.
pub fn stockholm_date(at: DateTime<Utc>) -> NaiveDate {
    let year = at.year();
    let last_sunday = |month: u32| {
        let next = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)
        };
        let mut day = next.map_or(NaiveDate::MIN, |d| d - Duration::days(1));
        while day.weekday() != Weekday::Sun {
            day -= Duration::days(1);
        }
        day
    };
    let switch = |day: NaiveDate| day.and_hms_opt(1, 0, 0).map(|t| t.and_utc());
    let summer = match (switch(last_sunday(3)), switch(last_sunday(10))) {
        (Some(start), Some(end)) => at >= start && at < end,
        _ => false,
    };
    (at + Duration::hours(if summer { 2 } else { 1 })).date_naive()
}

fn jan1(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN)
}

fn dec31(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX)
}

/// The day a picture counts from.
pub fn picture_date(p: &situation_picture::Model) -> NaiveDate {
    p.as_of.unwrap_or_else(|| stockholm_date(p.created_at))
}

fn analysis_date(a: &cause_analysis::Model) -> NaiveDate {
    a.as_of.unwrap_or_else(|| stockholm_date(a.created_at))
}

fn plan_date(p: &action_plan::Model) -> NaiveDate {
    let recorded = stockholm_date(p.created_at);
    match p.start_year {
        Some(y) => recorded.min(jan1(y)),
        None => recorded,
    }
}

fn follow_up_date(f: &follow_up::Model) -> NaiveDate {
    f.as_of.unwrap_or_else(|| stockholm_date(f.updated_at))
}

/// Whether picture `p` is one of `o`'s kind under strategy `s`.
fn picture_counts(
    o: &obligation::Model,
    s: &strategy::Model,
    p: &situation_picture::Model,
) -> bool {
    let date = picture_date(p);
    let under = match p.strategy_id {
        Some(id) => id == s.id,
        // Under no strategy, only a picture dated within the strategy's years: an undated
        // one cannot be placed in a strategy period (Skarpnäck 2022's lägesbild, seeded in
        // 2026, does not deliver for 2024–2026).
        None => p
            .as_of
            .is_some_and(|d| (s.start_year..=s.end_year).contains(&d.year())),
    };
    p.organization_id == o.organization_id && under && o.year.is_none_or(|y| date.year() == y)
}

/// Whether plan `p` is a plan of `o`'s body following `s` (in `o`'s year, if it has one).
fn plan_counts(o: &obligation::Model, s: &strategy::Model, p: &action_plan::Model) -> bool {
    p.organization_id == Some(o.organization_id)
        && p.strategy_id == Some(s.id)
        && o.year.is_none_or(|y| {
            p.start_year.is_none_or(|start| start <= y) && p.end_year.is_none_or(|end| y <= end)
        })
}

/// Of the candidates (each with its date), the latest dated on or before `as_of`.
fn latest<T>(candidates: impl Iterator<Item = (NaiveDate, i32, T)>, as_of: NaiveDate) -> Option<T> {
    candidates
        .filter(|(d, _, _)| *d <= as_of)
        .max_by_key(|(d, id, _)| (*d, *id))
        .map(|(_, _, t)| t)
}

/// The plan whose follow-ups of `year`/`term` are all submitted by `as_of`, if any; the
/// day the last of them came in goes with it.
fn followed_up<'a>(
    o: &obligation::Model,
    s: &strategy::Model,
    d: &'a Deliveries,
    year: i32,
    term: Term,
) -> impl Iterator<Item = (NaiveDate, i32, &'a action_plan::Model)> {
    let plans: Vec<&action_plan::Model> = d.plans.iter().filter(|p| plan_counts(o, s, p)).collect();
    plans.into_iter().filter_map(move |plan| {
        let expected: Vec<&activity::Model> = d
            .activities
            .iter()
            .filter(|a| a.action_plan_id == plan.id)
            .filter(|a| tracking::expects_report(a, plan, year, term))
            .collect();
        if expected.is_empty() {
            return None;
        }
        let mut last = NaiveDate::MIN;
        for a in expected {
            let submitted = d
                .follow_ups
                .iter()
                .find(|f| f.activity_id == a.id && f.year == year && f.term == term && f.locked)?;
            last = last.max(follow_up_date(submitted));
        }
        Some((last, plan.id, plan))
    })
}

/// Where obligation `o` of strategy `s` stands on `as_of`, judged from what its body has
/// delivered (`d`). See the module's rules.
pub fn assess(
    o: &obligation::Model,
    s: &strategy::Model,
    d: &Deliveries,
    as_of: NaiveDate,
) -> Assessment {
    let delivered_by = match o.kind {
        ObligationKind::SituationPicture => latest(
            d.pictures
                .iter()
                .filter(|p| picture_counts(o, s, p))
                .map(|p| (picture_date(p), p.id, Delivery::SituationPicture(p.clone()))),
            as_of,
        ),
        ObligationKind::CauseAnalysis => latest(
            d.analyses
                .iter()
                .filter(|a| {
                    d.pictures
                        .iter()
                        .any(|p| p.id == a.situation_picture_id && picture_counts(o, s, p))
                })
                .map(|a| (analysis_date(a), a.id, Delivery::CauseAnalysis(a.clone()))),
            as_of,
        ),
        ObligationKind::ActionPlan => latest(
            d.plans
                .iter()
                .filter(|p| plan_counts(o, s, p))
                .map(|p| (plan_date(p), p.id, Delivery::ActionPlan(p.clone()))),
            as_of,
        ),
        ObligationKind::FollowUp => match (o.year, o.term) {
            (Some(year), Some(term)) => latest(
                followed_up(o, s, d, year, term)
                    .map(|(date, id, p)| (date, id, Delivery::ActionPlan(p.clone()))),
                as_of,
            ),
            _ => None,
        },
    };
    let state = if delivered_by.is_some() {
        ObligationState::Delivered
    } else if as_of < jan1(o.year.unwrap_or(s.start_year)) {
        ObligationState::NotDue
    } else if as_of > o.due_on.unwrap_or_else(|| dec31(s.end_year)) {
        ObligationState::Overdue
    } else {
        ObligationState::Due
    };
    Assessment {
        state,
        delivered_by,
    }
}

/// A new obligation, or (each `None` leaving a field) the changes to one.
#[derive(Debug, Clone, Default)]
pub struct ObligationFields {
    /// The strategy that sets it (create only).
    pub strategy_id: Option<i32>,
    /// The body that owes it.
    pub organization_id: Option<i32>,
    /// What it owes.
    pub kind: Option<ObligationKind>,
    /// For which year.
    pub year: Patch<i32>,
    /// For which term (FOLLOW_UP).
    pub term: Patch<Term>,
    /// Due on.
    pub due_on: Patch<NaiveDate>,
    /// A note, as written.
    pub note: Patch<String>,
}

fn change(action: &str, id: i32) -> Change<'_> {
    Change {
        action,
        node_type: "Obligation",
        node_id: id,
        district_id: None,
    }
}

/// The year, term and kind of an obligation fit together and the strategy.
fn check_period(
    s: &strategy::Model,
    kind: ObligationKind,
    year: Option<i32>,
    term: Option<Term>,
) -> AppResult<()> {
    if let Some(y) = year {
        write::year("input.year", y)?;
        if !(s.start_year..=s.end_year).contains(&y) {
            return Err(AppError::bad_input(
                "input.year",
                format!(
                    "must be within the strategy's years ({}–{})",
                    s.start_year, s.end_year
                ),
            ));
        }
    }
    match (kind, year, term) {
        (ObligationKind::FollowUp, Some(_), Some(_)) => Ok(()),
        (ObligationKind::FollowUp, _, _) => Err(AppError::bad_input(
            "input.term",
            "a FOLLOW_UP obligation names its year and term",
        )),
        (_, _, Some(_)) => Err(AppError::bad_input(
            "input.term",
            "only a FOLLOW_UP obligation has a term",
        )),
        _ => Ok(()),
    }
}

/// Add an obligation to a strategy (admins).
pub async fn create_obligation(
    db: &DatabaseConnection,
    actor: &Actor,
    input: ObligationFields,
) -> AppResult<obligation::Model> {
    let (Some(strategy_id), Some(org), Some(kind)) =
        (input.strategy_id, input.organization_id, input.kind)
    else {
        return Err(AppError::bad_input(
            "input",
            "an obligation names its strategy, organization and kind",
        ));
    };
    let s =
        write::find::<strategy::Entity, _>(db, strategy_id, "input.strategy", "strategy").await?;
    authz::obligations(actor, s.municipality_id)?;
    write::find::<organization::Entity, _>(db, org, "input.organization", "organization").await?;
    let (year, term, due_on) = (
        input.year.flatten(),
        input.term.flatten(),
        input.due_on.flatten(),
    );
    check_period(&s, kind, year, term)?;
    let note = write::optional_text("input.note", input.note.flatten().as_deref(), MAX_LONG_TEXT)?;
    let now = Utc::now();
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let created = obligation::ActiveModel {
                strategy_id: Set(s.id),
                organization_id: Set(org),
                kind: Set(kind),
                year: Set(year),
                term: Set(term),
                due_on: Set(due_on),
                note: Set(note),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            Ok(
                Written::created(change("obligation.create", created.id), created)?
                    .announced(EventKind::Obligation),
            )
        })
    })
    .await
}

/// Change an obligation (admins), based on version `expected`.
pub async fn update_obligation(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    expected: i32,
    changes: ObligationFields,
) -> AppResult<obligation::Model> {
    let before = write::find::<obligation::Entity, _>(db, id, "input.id", "obligation").await?;
    let s =
        write::find::<strategy::Entity, _>(db, before.strategy_id, "input.id", "strategy").await?;
    authz::obligations(actor, s.municipality_id)?;
    write::check_version(expected, before.version)?;
    let org = changes.organization_id.unwrap_or(before.organization_id);
    if changes.organization_id.is_some() {
        write::find::<organization::Entity, _>(db, org, "input.organization", "organization")
            .await?;
    }
    let kind = changes.kind.unwrap_or(before.kind);
    let year = changes.year.unwrap_or(before.year);
    let term = changes.term.unwrap_or(before.term);
    let due_on = changes.due_on.unwrap_or(before.due_on);
    check_period(&s, kind, year, term)?;
    let note = match changes.note {
        Some(n) => write::optional_text("input.note", n.as_deref(), MAX_LONG_TEXT)?,
        None => before.note.clone(),
    };
    let am = obligation::ActiveModel {
        organization_id: Set(org),
        kind: Set(kind),
        year: Set(year),
        term: Set(term),
        due_on: Set(due_on),
        note: Set(note),
        version: Set(expected + 1),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let after = write::update_if_version::<obligation::Entity, _>(
                txn,
                am,
                (obligation::Column::Id, obligation::Column::Version),
                (id, expected),
                "obligation",
            )
            .await?;
            Ok(
                Written::updated(change("obligation.update", id), &before, after)?
                    .announced(EventKind::Obligation),
            )
        })
    })
    .await
}

/// Remove an obligation (admins), based on version `expected`.
pub async fn delete_obligation(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    expected: i32,
) -> AppResult<obligation::Model> {
    let before = write::find::<obligation::Entity, _>(db, id, "input.id", "obligation").await?;
    let s =
        write::find::<strategy::Entity, _>(db, before.strategy_id, "input.id", "strategy").await?;
    authz::obligations(actor, s.municipality_id)?;
    write::check_version(expected, before.version)?;
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            write::delete_if_version::<obligation::Entity>(
                txn,
                (obligation::Column::Id, obligation::Column::Version),
                (id, expected),
                "obligation",
            )
            .await?;
            Ok(Written::removed(change("obligation.delete", id), before)?
                .announced(EventKind::Obligation))
        })
    })
    .await
}

/// The obligations of `organization` of these `kinds` that a delivery under `strategy`
/// may count for (every strategy's when `None`): those whose state it may have changed,
/// for live subscribers.
pub async fn concerned<C: ConnectionTrait>(
    db: &C,
    organization: i32,
    strategy: Option<i32>,
    kinds: &[ObligationKind],
) -> AppResult<Vec<obligation::Model>> {
    let mut q = obligation::Entity::find()
        .filter(obligation::Column::OrganizationId.eq(organization))
        .filter(obligation::Column::Kind.is_in(kinds.iter().copied()))
        .order_by_asc(obligation::Column::Id);
    if let Some(s) = strategy {
        q = q.filter(obligation::Column::StrategyId.eq(s));
    }
    Ok(q.all(db).await?)
}

/// The `FOLLOW_UP` obligations of `year` and `term` of the bodies that own plans in
/// `district`: those a submission of the district's follow-ups of that period may have
/// delivered, for live subscribers.
pub async fn concerned_by_submission<C: ConnectionTrait>(
    db: &C,
    district: i32,
    year: i32,
    term: Term,
) -> AppResult<Vec<obligation::Model>> {
    let owners: Vec<Option<i32>> = action_plan::Entity::find()
        .select_only()
        .column(action_plan::Column::OrganizationId)
        .distinct()
        .filter(action_plan::Column::DistrictId.eq(district))
        .into_tuple()
        .all(db)
        .await?;
    let owners: Vec<i32> = owners.into_iter().flatten().collect();
    if owners.is_empty() {
        return Ok(Vec::new());
    }
    Ok(obligation::Entity::find()
        .filter(obligation::Column::OrganizationId.is_in(owners))
        .filter(obligation::Column::Kind.eq(ObligationKind::FollowUp))
        .filter(obligation::Column::Year.eq(year))
        .filter(obligation::Column::Term.eq(term))
        .order_by_asc(obligation::Column::Id)
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        day(y, m, d)
            .and_hms_opt(h, 0, 0)
            .unwrap_or_default()
            .and_utc()
    }

    #[test]
    fn stockholm_days_follow_cet_and_cest() {
        // Winter: UTC+1. 23:30 UTC on 10 January is 00:30 on 11 January.
        assert_eq!(stockholm_date(at(2026, 1, 10, 23)), day(2026, 1, 11));
        assert_eq!(stockholm_date(at(2026, 1, 10, 22)), day(2026, 1, 10));
        // Summer: UTC+2 (from 29 March 2026 01:00 UTC to 25 October 2026 01:00 UTC).
        assert_eq!(stockholm_date(at(2026, 6, 10, 22)), day(2026, 6, 11));
        assert_eq!(stockholm_date(at(2026, 10, 25, 22)), day(2026, 10, 25));
        assert_eq!(stockholm_date(at(2026, 10, 24, 22)), day(2026, 10, 25));
    }

    fn strategy() -> strategy::Model {
        strategy::Model {
            id: 1,
            municipality_id: 1,
            slug: "s".into(),
            name: "S".into(),
            description: None,
            start_year: 2024,
            end_year: 2026,
            predecessor_id: None,
        }
    }

    fn obligation(kind: ObligationKind) -> obligation::Model {
        obligation::Model {
            id: 1,
            strategy_id: 1,
            organization_id: 7,
            kind,
            year: None,
            term: None,
            due_on: None,
            note: None,
            version: 1,
            created_at: at(2025, 1, 1, 0),
            updated_at: at(2025, 1, 1, 0),
        }
    }

    #[test]
    fn states_without_a_delivery() {
        let s = strategy();
        let mut o = obligation(ObligationKind::SituationPicture);
        let none = Deliveries::default();
        let state = |o: &obligation::Model, d| assess(o, &s, &none, d).state;
        assert_eq!(state(&o, day(2023, 12, 31)), ObligationState::NotDue);
        assert_eq!(state(&o, day(2024, 1, 1)), ObligationState::Due);
        assert_eq!(state(&o, day(2026, 12, 31)), ObligationState::Due);
        assert_eq!(state(&o, day(2027, 1, 1)), ObligationState::Overdue);
        o.year = Some(2025);
        o.due_on = Some(day(2025, 3, 31));
        assert_eq!(state(&o, day(2024, 6, 1)), ObligationState::NotDue);
        assert_eq!(state(&o, day(2025, 3, 31)), ObligationState::Due);
        assert_eq!(state(&o, day(2025, 4, 1)), ObligationState::Overdue);
    }

    #[test]
    fn a_picture_delivers_from_its_date() {
        let s = strategy();
        let o = obligation(ObligationKind::SituationPicture);
        let picture = situation_picture::Model {
            id: 3,
            slug: "p".into(),
            organization_id: 7,
            strategy_id: None,
            title: "Lägesbild".into(),
            as_of: Some(day(2024, 5, 2)),
            summary: None,
            city_wide: false,
            version: 1,
            created_at: at(2026, 1, 1, 0),
            updated_at: at(2026, 1, 1, 0),
        };
        let d = Deliveries {
            pictures: vec![picture.clone()],
            ..Default::default()
        };
        assert_eq!(
            assess(&o, &s, &d, day(2024, 5, 1)).state,
            ObligationState::Due
        );
        let a = assess(&o, &s, &d, day(2024, 5, 2));
        assert_eq!(a.state, ObligationState::Delivered);
        assert_eq!(
            a.delivered_by,
            Some(Delivery::SituationPicture(picture.clone()))
        );
        // Another body's picture, or one dated outside the strategy, does not count.
        let mut other = picture.clone();
        other.organization_id = 8;
        let mut old = picture;
        old.as_of = Some(day(2021, 1, 1));
        let d = Deliveries {
            pictures: vec![other, old],
            ..Default::default()
        };
        assert_eq!(
            assess(&o, &s, &d, day(2025, 1, 1)).state,
            ObligationState::Due
        );
    }
}
