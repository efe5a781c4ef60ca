//! Indicators, the targets plans and activities set on them, measured values per district
//! and period, and whom activities are for (target groups).
//!
//! - An **indicator** is something measured (a share in %, a count): admins keep them and
//!   their measurements ([`authz::indicators`]).
//! - A **target** belongs to one action plan or one activity and follows the plan's rule
//!   ([`authz::plan`]): a baseline (value and year), a value to reach by a year, and the
//!   text as the document writes it (e.g. "96,6 %").
//! - A **measurement** is an indicator's value for a district (none: the whole city) in a
//!   year and, optionally, a term.
//! - **Target progress** compares every target with the latest measurement of its
//!   indicator in its district. The database holds no "higher is better" flag: a target
//!   whose value is below its baseline is to go *down* (met when the measured value is at
//!   or below the target), every other target is to go *up* (met when at or above it).

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use entity::enums::Term;
use entity::{action_plan, activity, district, indicator, measurement, organization, target};
use entity::{target_group, target_group::Model as TargetGroupRow};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};

use super::audit::Change;
use super::authz::{self, Actor};
use super::plans::{self, Patch};
use super::write::{self, MAX_LONG_TEXT, MAX_SHORT_TEXT, Written};
use crate::error::{AppError, AppResult};

/// Oldest age a target group may name.
pub const MAX_AGE: i32 = 120;
/// Most target groups one activity may name.
pub const MAX_TARGET_GROUPS: usize = 50;

fn change(
    action: &'static str,
    node_type: &'static str,
    id: i32,
    district: Option<i32>,
) -> Change<'static> {
    Change {
        action,
        node_type,
        node_id: id,
        district_id: district,
    }
}

/// A finite number (no NaN or infinity), or `BAD_USER_INPUT` on `field`.
pub fn finite(field: &str, value: f64) -> AppResult<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(AppError::bad_input(field, "must be a finite number"))
    }
}

fn finite_opt(field: &str, value: Option<f64>) -> AppResult<Option<f64>> {
    value.map(|v| finite(field, v)).transpose()
}

fn year_opt(field: &str, value: Option<i32>) -> AppResult<Option<i32>> {
    value.map(|y| write::year(field, y)).transpose()
}

// --- Indicators -----------------------------------------------------------------------

/// An indicator's fields (create: `name` required; update: `None` leaves a field).
#[derive(Debug, Clone, Default)]
pub struct IndicatorFields {
    /// Readable identifier (create only; default: from the name).
    pub slug: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Unit, e.g. `%`.
    pub unit: Patch<String>,
    /// Where the figures come from.
    pub source: Patch<String>,
    /// What it measures.
    pub description: Patch<String>,
}

/// Add an indicator (admins).
pub async fn create_indicator(
    db: &DatabaseConnection,
    actor: &Actor,
    input: IndicatorFields,
) -> AppResult<indicator::Model> {
    authz::indicators(actor)?;
    let name = write::required_text(
        "input.name",
        input.name.as_deref().unwrap_or_default(),
        MAX_SHORT_TEXT,
    )?;
    let text = |field: &str, v: &Patch<String>, max| {
        write::optional_text(field, v.clone().flatten().as_deref(), max)
    };
    let unit = text("input.unit", &input.unit, MAX_SHORT_TEXT)?;
    let source = text("input.source", &input.source, MAX_SHORT_TEXT)?;
    let description = text("input.description", &input.description, MAX_LONG_TEXT)?;
    let slug = match &input.slug {
        Some(s) => write::slug("input.slug", s)?,
        None => write::slugify(&name),
    };
    if slug.is_empty() {
        return Err(AppError::bad_input(
            "input.slug",
            "give a slug: the name has no letters or digits to make one from",
        ));
    }
    write::slug_free::<indicator::Entity, _>(db, indicator::Column::Slug, &slug, "indicator")
        .await?;
    let now = Utc::now();
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let created = indicator::ActiveModel {
                slug: Set(slug),
                name: Set(name),
                unit: Set(unit),
                source: Set(source),
                description: Set(description),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            Written::created(
                change("indicator.create", "Indicator", created.id, None),
                created,
            )
        })
    })
    .await
}

/// Change an indicator (admins), based on version `expected`.
pub async fn update_indicator(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    expected: i32,
    input: IndicatorFields,
) -> AppResult<indicator::Model> {
    authz::indicators(actor)?;
    let before = write::find::<indicator::Entity, _>(db, id, "input.id", "indicator").await?;
    write::check_version(expected, before.version)?;
    let mut am = indicator::ActiveModel {
        version: Set(expected + 1),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    if let Some(n) = &input.name {
        am.name = Set(write::required_text("input.name", n, MAX_SHORT_TEXT)?);
    }
    if let Some(u) = &input.unit {
        am.unit = Set(write::optional_text(
            "input.unit",
            u.as_deref(),
            MAX_SHORT_TEXT,
        )?);
    }
    if let Some(s) = &input.source {
        am.source = Set(write::optional_text(
            "input.source",
            s.as_deref(),
            MAX_SHORT_TEXT,
        )?);
    }
    if let Some(d) = &input.description {
        am.description = Set(write::optional_text(
            "input.description",
            d.as_deref(),
            MAX_LONG_TEXT,
        )?);
    }
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let after = write::update_if_version::<indicator::Entity, _>(
                txn,
                am,
                (indicator::Column::Id, indicator::Column::Version),
                (id, expected),
                "indicator",
            )
            .await?;
            Written::updated(
                change("indicator.update", "Indicator", id, None),
                &before,
                after,
            )
        })
    })
    .await
}

/// Remove an indicator with its measurements (admins), based on version `expected`. An
/// indicator that targets still use is kept: `BAD_USER_INPUT` (remove the targets first).
pub async fn delete_indicator(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    expected: i32,
) -> AppResult<indicator::Model> {
    authz::indicators(actor)?;
    let before = write::find::<indicator::Entity, _>(db, id, "input.id", "indicator").await?;
    write::check_version(expected, before.version)?;
    let used = target::Entity::find()
        .filter(target::Column::IndicatorId.eq(id))
        .count(db)
        .await?;
    if used > 0 {
        return Err(AppError::bad_input(
            "input.id",
            format!("{used} target(s) are set on this indicator: remove them first"),
        ));
    }
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            measurement::Entity::delete_many()
                .filter(measurement::Column::IndicatorId.eq(id))
                .exec(txn)
                .await?;
            write::delete_if_version::<indicator::Entity>(
                txn,
                (indicator::Column::Id, indicator::Column::Version),
                (id, expected),
                "indicator",
            )
            .await?;
            Written::removed(change("indicator.delete", "Indicator", id, None), before)
        })
    })
    .await
}

// --- Measurements ---------------------------------------------------------------------

/// A measured value to record.
#[derive(Debug, Clone)]
pub struct NewMeasurement {
    /// The indicator.
    pub indicator_id: i32,
    /// The district (`None`: the whole city).
    pub district_id: Option<i32>,
    /// The year.
    pub year: i32,
    /// The term (`None`: the year as a whole).
    pub term: Option<Term>,
    /// The value, in the indicator's unit.
    pub value: f64,
    /// A note.
    pub note: Option<String>,
}

/// Changes to a measurement (`None` leaves a field).
#[derive(Debug, Clone, Default)]
pub struct MeasurementChanges {
    /// The district (`Some(None)`: the whole city).
    pub district_id: Patch<i32>,
    /// The year.
    pub year: Option<i32>,
    /// The term (`Some(None)`: the year as a whole).
    pub term: Patch<Term>,
    /// The value.
    pub value: Option<f64>,
    /// A note.
    pub note: Patch<String>,
}

/// `BAD_USER_INPUT` when another measurement of the indicator has this place and period.
async fn period_free(
    db: &impl ConnectionTrait,
    indicator_id: i32,
    district_id: Option<i32>,
    (year, term): (i32, Option<Term>),
    except: Option<i32>,
) -> AppResult<()> {
    let mut q = measurement::Entity::find()
        .filter(measurement::Column::IndicatorId.eq(indicator_id))
        .filter(measurement::Column::Year.eq(year));
    q = match district_id {
        Some(d) => q.filter(measurement::Column::DistrictId.eq(d)),
        None => q.filter(measurement::Column::DistrictId.is_null()),
    };
    q = match term {
        Some(t) => q.filter(measurement::Column::Term.eq(t)),
        None => q.filter(measurement::Column::Term.is_null()),
    };
    if let Some(id) = except {
        q = q.filter(measurement::Column::Id.ne(id));
    }
    if q.count(db).await? > 0 {
        return Err(AppError::bad_input(
            "input.year",
            "the indicator already has a measurement for this district and period: update it instead",
        ));
    }
    Ok(())
}

/// Record a measured value of an indicator (admins).
pub async fn record_measurement(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewMeasurement,
) -> AppResult<measurement::Model> {
    authz::indicators(actor)?;
    write::find::<indicator::Entity, _>(db, input.indicator_id, "input.indicator", "indicator")
        .await?;
    if let Some(d) = input.district_id {
        write::find::<district::Entity, _>(db, d, "input.district", "district").await?;
    }
    let year = write::year("input.year", input.year)?;
    let value = finite("input.value", input.value)?;
    let note = write::optional_text("input.note", input.note.as_deref(), MAX_LONG_TEXT)?;
    period_free(
        db,
        input.indicator_id,
        input.district_id,
        (year, input.term),
        None,
    )
    .await?;
    let now = Utc::now();
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let created = measurement::ActiveModel {
                indicator_id: Set(input.indicator_id),
                district_id: Set(input.district_id),
                year: Set(year),
                term: Set(input.term),
                value: Set(value),
                note: Set(note),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await
            .map_err(|err| match err.sql_err() {
                // Another measurement of the same period won the race (the database's
                // index `ux_measurement_period`).
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::bad_input(
                    "input.year",
                    "the indicator already has a measurement for this district and period: update it instead",
                ),
                _ => err.into(),
            })?;
            Written::created(
                change(
                    "measurement.record",
                    "Measurement",
                    created.id,
                    created.district_id,
                ),
                created,
            )
        })
    })
    .await
}

/// Change a measurement (admins), based on version `expected`.
pub async fn update_measurement(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    expected: i32,
    changes: MeasurementChanges,
) -> AppResult<measurement::Model> {
    authz::indicators(actor)?;
    let before = write::find::<measurement::Entity, _>(db, id, "input.id", "measurement").await?;
    write::check_version(expected, before.version)?;
    let mut am = measurement::ActiveModel {
        version: Set(expected + 1),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    if let Some(Some(d)) = changes.district_id {
        write::find::<district::Entity, _>(db, d, "input.district", "district").await?;
    }
    let district_id = changes.district_id.unwrap_or(before.district_id);
    let year = match changes.year {
        Some(y) => write::year("input.year", y)?,
        None => before.year,
    };
    let term = changes.term.unwrap_or(before.term);
    am.district_id = Set(district_id);
    am.year = Set(year);
    am.term = Set(term);
    if let Some(v) = changes.value {
        am.value = Set(finite("input.value", v)?);
    }
    if let Some(n) = &changes.note {
        am.note = Set(write::optional_text(
            "input.note",
            n.as_deref(),
            MAX_LONG_TEXT,
        )?);
    }
    period_free(db, before.indicator_id, district_id, (year, term), Some(id)).await?;
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let after = write::update_if_version::<measurement::Entity, _>(
                txn,
                am,
                (measurement::Column::Id, measurement::Column::Version),
                (id, expected),
                "measurement",
            )
            .await?;
            Written::updated(
                change("measurement.update", "Measurement", id, after.district_id),
                &before,
                after,
            )
        })
    })
    .await
}

/// Remove a measurement (admins), based on version `expected`.
pub async fn delete_measurement(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    expected: i32,
) -> AppResult<measurement::Model> {
    authz::indicators(actor)?;
    let before = write::find::<measurement::Entity, _>(db, id, "input.id", "measurement").await?;
    write::check_version(expected, before.version)?;
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            write::delete_if_version::<measurement::Entity>(
                txn,
                (measurement::Column::Id, measurement::Column::Version),
                (id, expected),
                "measurement",
            )
            .await?;
            Written::removed(
                change("measurement.delete", "Measurement", id, before.district_id),
                before,
            )
        })
    })
    .await
}

// --- Targets --------------------------------------------------------------------------

/// A new target, on a plan or on an activity (exactly one).
#[derive(Debug, Clone, Default)]
pub struct NewTarget {
    /// The indicator.
    pub indicator_id: i32,
    /// The plan that sets it.
    pub action_plan_id: Option<i32>,
    /// The activity that sets it.
    pub activity_id: Option<i32>,
    /// The district it is for (default: the plan's).
    pub district_id: Option<i32>,
    /// The value at the start.
    pub baseline: Option<f64>,
    /// The year of the baseline.
    pub baseline_year: Option<i32>,
    /// The value to reach.
    pub value: Option<f64>,
    /// By which year.
    pub year: Option<i32>,
    /// The target as written.
    pub text: Option<String>,
}

/// Changes to a target (`None` leaves a field, `Some(None)` clears it).
#[derive(Debug, Clone, Default)]
pub struct TargetChanges {
    /// The indicator.
    pub indicator_id: Option<i32>,
    /// The district it is for.
    pub district_id: Patch<i32>,
    /// The value at the start.
    pub baseline: Patch<f64>,
    /// The year of the baseline.
    pub baseline_year: Patch<i32>,
    /// The value to reach.
    pub value: Patch<f64>,
    /// By which year.
    pub year: Patch<i32>,
    /// The target as written.
    pub text: Patch<String>,
}

/// The plan a target belongs to: its own, or its activity's.
async fn plan_of_target(
    db: &impl ConnectionTrait,
    t: &target::Model,
) -> AppResult<action_plan::Model> {
    let plan_id = match (t.action_plan_id, t.activity_id) {
        (Some(p), _) => p,
        (None, Some(a)) => {
            write::find::<activity::Entity, _>(db, a, "input.id", "activity")
                .await?
                .action_plan_id
        }
        (None, None) => {
            return Err(AppError::Internal(anyhow::anyhow!(
                "target {} has neither plan nor activity",
                t.id
            )));
        }
    };
    write::find::<action_plan::Entity, _>(db, plan_id, "input.id", "action plan").await
}

/// The rule on plans for `plan`, naming its owner (or district) when it denies.
async fn check_plan(
    db: &impl ConnectionTrait,
    actor: &Actor,
    plan: &action_plan::Model,
) -> AppResult<()> {
    let scope = plans::scope(plan);
    if authz::plan(actor, scope, "").is_ok() {
        return Ok(());
    }
    let mut name = String::from("the plan");
    if let Some(o) = scope.owner
        && let Some(org) = organization::Entity::find_by_id(o).one(db).await?
    {
        name = org.name;
    } else if let Some(d) = scope.district
        && let Some(d) = district::Entity::find_by_id(d).one(db).await?
    {
        name = d.name;
    }
    authz::plan(actor, scope, &name)?;
    Ok(())
}

/// The target's district must be the plan's, when the plan is for one district.
fn district_fits(plan: &action_plan::Model, district: Option<i32>) -> AppResult<()> {
    match (plan.district_id, district) {
        (Some(p), Some(d)) if p != d => Err(AppError::bad_input(
            "input.district",
            "the plan is for another district: a target of a district's plan is for that district",
        )),
        _ => Ok(()),
    }
}

/// What a target says, checked: a value or the text as written is required; numbers are
/// finite; years are years.
fn check_target_values(t: &target::Model) -> AppResult<()> {
    finite_opt("input.baseline", t.baseline)?;
    finite_opt("input.value", t.value)?;
    year_opt("input.baselineYear", t.baseline_year)?;
    year_opt("input.year", t.year)?;
    if t.value.is_none() && t.text.is_none() {
        return Err(AppError::bad_input(
            "input.value",
            "a target needs a value or its text as written",
        ));
    }
    if let (Some(b), Some(y)) = (t.baseline_year, t.year)
        && y < b
    {
        return Err(AppError::bad_input(
            "input.year",
            "must not be before the baseline year",
        ));
    }
    Ok(())
}

/// Set a target on a plan or an activity (the plan's rule).
pub async fn create_target(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewTarget,
) -> AppResult<target::Model> {
    let plan = match (input.action_plan_id, input.activity_id) {
        (Some(p), None) => {
            write::find::<action_plan::Entity, _>(db, p, "input.actionPlan", "action plan").await?
        }
        (None, Some(a)) => {
            let a = write::find::<activity::Entity, _>(db, a, "input.activity", "activity").await?;
            write::find::<action_plan::Entity, _>(
                db,
                a.action_plan_id,
                "input.activity",
                "action plan",
            )
            .await?
        }
        _ => {
            return Err(AppError::bad_input(
                "input.actionPlan",
                "give either actionPlan or activity (exactly one)",
            ));
        }
    };
    check_plan(db, actor, &plan).await?;
    write::find::<indicator::Entity, _>(db, input.indicator_id, "input.indicator", "indicator")
        .await?;
    if let Some(d) = input.district_id {
        write::find::<district::Entity, _>(db, d, "input.district", "district").await?;
    }
    district_fits(&plan, input.district_id)?;
    let text = write::optional_text("input.text", input.text.as_deref(), MAX_SHORT_TEXT)?;
    let now = Utc::now();
    let row = target::Model {
        id: 0,
        indicator_id: input.indicator_id,
        action_plan_id: input.action_plan_id,
        activity_id: input.activity_id,
        district_id: input.district_id,
        baseline: input.baseline,
        baseline_year: input.baseline_year,
        value: input.value,
        year: input.year,
        text,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    check_target_values(&row)?;
    let district = row.district_id.or(plan.district_id);
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let created = target::ActiveModel {
                indicator_id: Set(row.indicator_id),
                action_plan_id: Set(row.action_plan_id),
                activity_id: Set(row.activity_id),
                district_id: Set(row.district_id),
                baseline: Set(row.baseline),
                baseline_year: Set(row.baseline_year),
                value: Set(row.value),
                year: Set(row.year),
                text: Set(row.text),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            Written::created(
                change("target.create", "Target", created.id, district),
                created,
            )
        })
    })
    .await
}

/// Change a target (the plan's rule), based on version `expected`.
pub async fn update_target(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    expected: i32,
    changes: TargetChanges,
) -> AppResult<target::Model> {
    let before = write::find::<target::Entity, _>(db, id, "input.id", "target").await?;
    let plan = plan_of_target(db, &before).await?;
    check_plan(db, actor, &plan).await?;
    write::check_version(expected, before.version)?;
    if let Some(i) = changes.indicator_id {
        write::find::<indicator::Entity, _>(db, i, "input.indicator", "indicator").await?;
    }
    if let Some(Some(d)) = changes.district_id {
        write::find::<district::Entity, _>(db, d, "input.district", "district").await?;
    }
    let text = match &changes.text {
        Some(t) => Some(write::optional_text(
            "input.text",
            t.as_deref(),
            MAX_SHORT_TEXT,
        )?),
        None => None,
    };
    let mut after = before.clone();
    after.indicator_id = changes.indicator_id.unwrap_or(before.indicator_id);
    after.district_id = changes.district_id.unwrap_or(before.district_id);
    after.baseline = changes.baseline.unwrap_or(before.baseline);
    after.baseline_year = changes.baseline_year.unwrap_or(before.baseline_year);
    after.value = changes.value.unwrap_or(before.value);
    after.year = changes.year.unwrap_or(before.year);
    after.text = text.unwrap_or(before.text.clone());
    district_fits(&plan, after.district_id)?;
    check_target_values(&after)?;
    let am = target::ActiveModel {
        indicator_id: Set(after.indicator_id),
        district_id: Set(after.district_id),
        baseline: Set(after.baseline),
        baseline_year: Set(after.baseline_year),
        value: Set(after.value),
        year: Set(after.year),
        text: Set(after.text.clone()),
        version: Set(expected + 1),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    let district = after.district_id.or(plan.district_id);
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let after = write::update_if_version::<target::Entity, _>(
                txn,
                am,
                (target::Column::Id, target::Column::Version),
                (id, expected),
                "target",
            )
            .await?;
            Written::updated(
                change("target.update", "Target", id, district),
                &before,
                after,
            )
        })
    })
    .await
}

/// Remove a target (the plan's rule), based on version `expected`.
pub async fn delete_target(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    expected: i32,
) -> AppResult<target::Model> {
    let before = write::find::<target::Entity, _>(db, id, "input.id", "target").await?;
    let plan = plan_of_target(db, &before).await?;
    check_plan(db, actor, &plan).await?;
    write::check_version(expected, before.version)?;
    let district = before.district_id.or(plan.district_id);
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            write::delete_if_version::<target::Entity>(
                txn,
                (target::Column::Id, target::Column::Version),
                (id, expected),
                "target",
            )
            .await?;
            Written::removed(change("target.delete", "Target", id, district), before)
        })
    })
    .await
}

// --- Target groups (written with their activity, see `plans::write_links`) -------------

/// Whom an activity is for: a label as written and, where the document names them, ages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NewTargetGroup {
    /// The label as written ("barn", "unga vuxna", …).
    pub label: String,
    /// Youngest age, in years.
    pub age_from: Option<i32>,
    /// Oldest age, in years.
    pub age_to: Option<i32>,
}

/// Check an activity's target groups: a label (at most [`MAX_SHORT_TEXT`] characters),
/// ages 0–[`MAX_AGE`], `ageFrom` ≤ `ageTo`, at most [`MAX_TARGET_GROUPS`].
pub fn validate_target_groups(groups: &[NewTargetGroup]) -> AppResult<()> {
    if groups.len() > MAX_TARGET_GROUPS {
        return Err(AppError::bad_input(
            "input.targetGroups",
            format!("at most {MAX_TARGET_GROUPS} target groups"),
        ));
    }
    for (i, g) in groups.iter().enumerate() {
        write::required_text(
            &format!("input.targetGroups.{i}.label"),
            &g.label,
            MAX_SHORT_TEXT,
        )?;
        for (field, age) in [("ageFrom", g.age_from), ("ageTo", g.age_to)] {
            if let Some(a) = age
                && !(0..=MAX_AGE).contains(&a)
            {
                return Err(AppError::bad_input(
                    format!("input.targetGroups.{i}.{field}"),
                    format!("an age is 0–{MAX_AGE} years"),
                ));
            }
        }
        if let (Some(from), Some(to)) = (g.age_from, g.age_to)
            && from > to
        {
            return Err(AppError::bad_input(
                format!("input.targetGroups.{i}.ageTo"),
                "must not be below ageFrom",
            ));
        }
    }
    Ok(())
}

/// Replace the target groups of activity `id` with `groups` (in their order).
pub async fn write_target_groups<C: ConnectionTrait>(
    db: &C,
    id: i32,
    groups: &[NewTargetGroup],
) -> AppResult<()> {
    target_group::Entity::delete_many()
        .filter(target_group::Column::ActivityId.eq(id))
        .exec(db)
        .await?;
    for (i, g) in groups.iter().enumerate() {
        target_group::ActiveModel {
            activity_id: Set(id),
            label: Set(g.label.trim().to_owned()),
            age_from: Set(g.age_from),
            age_to: Set(g.age_to),
            position: Set(i as i32 + 1),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// The target groups of activity `id`, in order, for the audit trail.
pub async fn target_groups_of<C: ConnectionTrait>(
    db: &C,
    id: i32,
) -> AppResult<Vec<NewTargetGroup>> {
    let rows: Vec<TargetGroupRow> = target_group::Entity::find()
        .filter(target_group::Column::ActivityId.eq(id))
        .order_by_asc(target_group::Column::Position)
        .order_by_asc(target_group::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| NewTargetGroup {
            label: r.label,
            age_from: r.age_from,
            age_to: r.age_to,
        })
        .collect())
}

// --- Target vs latest measurement -----------------------------------------------------

/// Which way a target goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The value is to rise (or hold): met at or above the target.
    Increase,
    /// The value is to fall: met at or below the target.
    Decrease,
}

/// Which way `t` goes: down when its value is below its baseline, else up.
pub fn direction(t: &target::Model) -> Direction {
    match (t.baseline, t.value) {
        (Some(b), Some(v)) if v < b => Direction::Decrease,
        _ => Direction::Increase,
    }
}

/// Whether `measured` meets `t`: `None` without a target value to compare with.
pub fn met(t: &target::Model, measured: f64) -> Option<bool> {
    let goal = t.value?;
    Some(match direction(t) {
        Direction::Increase => measured >= goal,
        Direction::Decrease => measured <= goal,
    })
}

/// Order of a measurement's period: year, then T1 < T2 < ANNUAL (no term = the year as
/// a whole, as ANNUAL), then the later recorded.
fn period_key(m: &measurement::Model) -> (i32, u8, i32) {
    let term = match m.term {
        Some(Term::T1) => 1,
        Some(Term::T2) => 2,
        Some(Term::Annual) | None => 3,
    };
    (m.year, term, m.id)
}

/// What to compare.
#[derive(Debug, Clone, Default)]
pub struct ProgressQuery {
    /// Targets on this indicator only.
    pub indicator: Option<i32>,
    /// Rows for these districts only; a city-wide target gets a row for each.
    pub districts: Option<Vec<i32>>,
    /// Targets of plans (or their activities) following this strategy only.
    pub strategy: Option<i32>,
}

/// One target in one district, against the latest measurement there.
#[derive(Debug, Clone)]
pub struct Progress {
    /// The target.
    pub target: target::Model,
    /// The district (`None`: the whole city).
    pub district_id: Option<i32>,
    /// The latest measurement of the target's indicator in the district.
    pub measurement: Option<measurement::Model>,
    /// Whether it meets the target (`None`: no measurement, or no target value).
    pub met: Option<bool>,
}

/// Every target against the latest measurement of its indicator in its district: one row
/// per (target, district), ordered by target then district. A target's district is its
/// own, else its plan's; a target with neither (city-wide) gets a row per district asked
/// for, or one city-wide row (compared with city-wide measurements) when none are. At
/// most five statements, whatever the number of districts or targets.
pub async fn progress(db: &DatabaseConnection, q: &ProgressQuery) -> AppResult<Vec<Progress>> {
    // 1. The districts asked for must exist.
    if let Some(ids) = &q.districts {
        let unique: HashSet<i32> = ids.iter().copied().collect();
        let found = district::Entity::find()
            .filter(district::Column::Id.is_in(unique.iter().copied()))
            .count(db)
            .await?;
        if found as usize != unique.len() {
            return Err(AppError::not_found(
                "districts",
                "no district with one of these IDs",
            ));
        }
    }
    // 2. The targets.
    let mut select = target::Entity::find().order_by_asc(target::Column::Id);
    if let Some(i) = q.indicator {
        select = select.filter(target::Column::IndicatorId.eq(i));
    }
    let targets = select.all(db).await?;
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    // 3, 4. Their activities and plans.
    let activity_ids: HashSet<i32> = targets.iter().filter_map(|t| t.activity_id).collect();
    let activity_plan: HashMap<i32, i32> = if activity_ids.is_empty() {
        HashMap::new()
    } else {
        activity::Entity::find()
            .filter(activity::Column::Id.is_in(activity_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.id, a.action_plan_id))
            .collect()
    };
    let plan_of = |t: &target::Model| {
        t.action_plan_id
            .or_else(|| t.activity_id.and_then(|a| activity_plan.get(&a).copied()))
    };
    let plan_ids: HashSet<i32> = targets.iter().filter_map(plan_of).collect();
    let plans: HashMap<i32, action_plan::Model> = action_plan::Entity::find()
        .filter(action_plan::Column::Id.is_in(plan_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    // The (target, district) rows.
    let wanted: Option<HashSet<i32>> = q.districts.as_ref().map(|d| d.iter().copied().collect());
    let mut asked: Vec<i32> = q.districts.clone().unwrap_or_default();
    asked.sort_unstable();
    asked.dedup();
    let mut rows: Vec<(target::Model, Option<i32>)> = Vec::new();
    for t in targets {
        let plan = plan_of(&t).and_then(|p| plans.get(&p));
        if let Some(s) = q.strategy
            && plan.and_then(|p| p.strategy_id) != Some(s)
        {
            continue;
        }
        match t.district_id.or(plan.and_then(|p| p.district_id)) {
            Some(d) => {
                if wanted.as_ref().is_none_or(|w| w.contains(&d)) {
                    rows.push((t, Some(d)));
                }
            }
            None if wanted.is_some() => {
                for d in &asked {
                    rows.push((t.clone(), Some(*d)));
                }
            }
            None => rows.push((t, None)),
        }
    }
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // 5. The measurements of their indicators in their districts (or city-wide).
    let indicators: HashSet<i32> = rows.iter().map(|(t, _)| t.indicator_id).collect();
    let districts: HashSet<i32> = rows.iter().filter_map(|(_, d)| *d).collect();
    let mut place = Condition::any();
    if !districts.is_empty() {
        place = place.add(measurement::Column::DistrictId.is_in(districts));
    }
    if rows.iter().any(|(_, d)| d.is_none()) {
        place = place.add(measurement::Column::DistrictId.is_null());
    }
    let measured = measurement::Entity::find()
        .filter(measurement::Column::IndicatorId.is_in(indicators))
        .filter(place)
        .all(db)
        .await?;
    let mut latest: HashMap<(i32, Option<i32>), measurement::Model> = HashMap::new();
    for m in measured {
        let key = (m.indicator_id, m.district_id);
        match latest.get(&key) {
            Some(have) if period_key(have) >= period_key(&m) => {}
            _ => {
                latest.insert(key, m);
            }
        }
    }
    Ok(rows
        .into_iter()
        .map(|(t, d)| {
            let measurement = latest.get(&(t.indicator_id, d)).cloned();
            let met = measurement.as_ref().and_then(|m| met(&t, m.value));
            Progress {
                target: t,
                district_id: d,
                measurement,
                met,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(baseline: Option<f64>, value: Option<f64>) -> target::Model {
        target::Model {
            id: 1,
            indicator_id: 1,
            action_plan_id: Some(1),
            activity_id: None,
            district_id: None,
            baseline,
            baseline_year: None,
            value,
            year: None,
            text: None,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn a_target_below_its_baseline_goes_down() {
        assert_eq!(direction(&t(Some(10.0), Some(5.0))), Direction::Decrease);
        assert_eq!(direction(&t(Some(90.0), Some(96.6))), Direction::Increase);
        assert_eq!(direction(&t(None, Some(5.0))), Direction::Increase);
        assert_eq!(met(&t(Some(10.0), Some(5.0)), 4.0), Some(true));
        assert_eq!(met(&t(Some(10.0), Some(5.0)), 6.0), Some(false));
        assert_eq!(met(&t(Some(90.0), Some(96.6)), 96.6), Some(true));
        assert_eq!(met(&t(Some(90.0), Some(96.6)), 95.0), Some(false));
        assert_eq!(met(&t(None, None), 95.0), None);
    }

    #[test]
    fn target_groups_are_checked() {
        let g = |label: &str, from, to| NewTargetGroup {
            label: label.into(),
            age_from: from,
            age_to: to,
        };
        assert!(validate_target_groups(&[g("unga", Some(13), Some(20))]).is_ok());
        assert!(validate_target_groups(&[g(" ", None, None)]).is_err());
        assert!(validate_target_groups(&[g("barn", Some(-1), None)]).is_err());
        assert!(validate_target_groups(&[g("barn", None, Some(121))]).is_err());
        assert!(validate_target_groups(&[g("barn", Some(12), Some(6))]).is_err());
        assert!(finite("v", f64::NAN).is_err() && finite("v", 1.5).is_ok());
    }
}
