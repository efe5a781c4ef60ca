//! The inputs and payloads of `targets` (see the parent module).

use super::*;

/// Whom an activity is for (a target group).
#[derive(InputObject, Debug, Clone)]
pub struct TargetGroupInput {
    /// The label, as written (required, at most 500 characters), e.g. "unga vuxna".
    pub label: String,
    /// The youngest age, in years (0–120).
    pub age_from: Option<i32>,
    /// The oldest age, in years (0–120, not below `ageFrom`).
    pub age_to: Option<i32>,
}

pub(crate) fn target_groups(list: Vec<TargetGroupInput>) -> Vec<service::NewTargetGroup> {
    list.into_iter()
        .map(|g| service::NewTargetGroup {
            label: g.label,
            age_from: g.age_from,
            age_to: g.age_to,
        })
        .collect()
}

/// Add an indicator.
#[derive(InputObject, Debug)]
pub struct CreateIndicatorInput {
    /// Readable identifier; default: from the name.
    pub slug: Option<String>,
    /// The name (required, at most 500 characters).
    pub name: String,
    /// The unit of its values, e.g. `%`.
    pub unit: Option<String>,
    /// Where the figures come from.
    pub source: Option<String>,
    /// What it measures.
    pub description: Option<String>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// Change an indicator; omitted fields stay, `null` clears.
#[derive(InputObject, Debug)]
pub struct UpdateIndicatorInput {
    /// The indicator (an Indicator ID).
    pub id: ID,
    /// The version the edit was based on; a stale version is a `CONFLICT`.
    pub expected_version: i32,
    /// The name.
    pub name: Option<String>,
    /// The unit of its values.
    pub unit: MaybeUndefined<String>,
    /// Where the figures come from.
    pub source: MaybeUndefined<String>,
    /// What it measures.
    pub description: MaybeUndefined<String>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of an indicator mutation.
#[derive(SimpleObject, Debug)]
pub struct IndicatorPayload {
    /// The indicator after the change; on a `CONFLICT`, the current indicator.
    pub indicator: Option<Indicator>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

/// Record a measured value of an indicator.
#[derive(InputObject, Debug)]
pub struct RecordMeasurementInput {
    /// The indicator (an Indicator ID).
    pub indicator: ID,
    /// The district measured (a District ID); omit for a city-wide value.
    pub district: Option<ID>,
    /// The year measured (2000–2100).
    pub year: i32,
    /// The term measured; omit for the year as a whole.
    pub term: Option<Term>,
    /// The value, in the indicator's unit (a finite number).
    pub value: f64,
    /// A note on the value.
    pub note: Option<String>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// Change a measurement; omitted fields stay, `null` clears (a `null` district makes it
/// city-wide, a `null` term makes it the year's).
#[derive(InputObject, Debug)]
pub struct UpdateMeasurementInput {
    /// The measurement (a Measurement ID).
    pub id: ID,
    /// The version the edit was based on; a stale version is a `CONFLICT`.
    pub expected_version: i32,
    /// The district measured (a District ID).
    pub district: MaybeUndefined<ID>,
    /// The year measured (2000–2100).
    pub year: Option<i32>,
    /// The term measured.
    pub term: MaybeUndefined<Term>,
    /// The value, in the indicator's unit (a finite number).
    pub value: Option<f64>,
    /// A note on the value.
    pub note: MaybeUndefined<String>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of a measurement mutation.
#[derive(SimpleObject, Debug)]
pub struct MeasurementPayload {
    /// The measurement after the change; on a `CONFLICT`, the current measurement.
    pub measurement: Option<Measurement>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

/// Set a target on an action plan or on one of its activities (exactly one of the two).
#[derive(InputObject, Debug)]
pub struct CreateTargetInput {
    /// The indicator (an Indicator ID).
    pub indicator: ID,
    /// The plan that sets it (an ActionPlan ID); or give `activity`.
    pub action_plan: Option<ID>,
    /// The activity that sets it (an Activity ID); or give `actionPlan`.
    pub activity: Option<ID>,
    /// The district it is for (a District ID); default: the plan's. A target of a
    /// district's plan is for that district.
    pub district: Option<ID>,
    /// The value at the start, in the indicator's unit (a finite number).
    pub baseline: Option<f64>,
    /// The year the baseline was measured (2000–2100).
    pub baseline_year: Option<i32>,
    /// The value to reach, in the indicator's unit (a finite number); `value` or `text`
    /// is required. Below `baseline`: the target is to go down.
    pub value: Option<f64>,
    /// The year by which to reach it (2000–2100, not before `baselineYear`).
    pub year: Option<i32>,
    /// The target as the document writes it (e.g. "96,6 %").
    pub text: Option<String>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// Change a target; omitted fields stay, `null` clears. A target stays with its plan or
/// activity.
#[derive(InputObject, Debug)]
pub struct UpdateTargetInput {
    /// The target (a Target ID).
    pub id: ID,
    /// The version the edit was based on; a stale version is a `CONFLICT`.
    pub expected_version: i32,
    /// The indicator (an Indicator ID).
    pub indicator: Option<ID>,
    /// The district it is for (a District ID).
    pub district: MaybeUndefined<ID>,
    /// The value at the start, in the indicator's unit.
    pub baseline: MaybeUndefined<f64>,
    /// The year the baseline was measured.
    pub baseline_year: MaybeUndefined<i32>,
    /// The value to reach, in the indicator's unit.
    pub value: MaybeUndefined<f64>,
    /// The year by which to reach it.
    pub year: MaybeUndefined<i32>,
    /// The target as the document writes it.
    pub text: MaybeUndefined<String>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of a target mutation.
#[derive(SimpleObject, Debug)]
pub struct TargetPayload {
    /// The target after the change; on a `CONFLICT`, the current target.
    pub target: Option<Target>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}
