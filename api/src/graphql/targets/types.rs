//! The object types of `targets` (see the parent module).

use super::*;

/// Something measured — a share, a count — that plans set targets on, e.g.
/// "Inskrivningsgrad i förskola" (unit `%`). Kept by admins.
#[derive(Debug, Clone)]
pub struct Indicator(pub indicator::Model);

crate::plain_fields!(Indicator: id, slug, name, unit, source, description, version);

/// Something measured — a share, a count — that plans set targets on, e.g.
/// "Inskrivningsgrad i förskola" (unit `%`). Kept by admins.
#[Object]
impl Indicator {
    /// The indicator's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::Indicator, self.0.id)
    }
    /// Where the record comes from (its source document, and whether it is a reading
    /// rather than as written); null when it was made in the service (neither seeded nor
    /// imported from a file).
    async fn provenance(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Provenance>> {
        crate::graphql::provenance::of(ctx, "Indicator", self.0.id).await
    }
    /// Stable readable identifier, e.g. `inskrivningsgrad-i-forskola`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// The name, as written.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The unit of every value, baseline and target of the indicator, as written (e.g.
    /// `%`, `antal`); null when unitless or not given.
    async fn unit(&self) -> Option<&str> {
        self.0.unit.as_deref()
    }
    /// Where the figures come from (e.g. "Stockholmsenkäten"); null when no document
    /// names a source.
    async fn source(&self) -> Option<&str> {
        self.0.source.as_deref()
    }
    /// What it measures and how.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Version, raised by every edit.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Whether the caller may change the indicator and record its measurements (admins).
    async fn viewer_can_update(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        can(ctx, authz::indicators).await
    }
    /// The targets set on it by plans and activities, oldest first.
    async fn targets(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Target>> {
        let rows = load_many(ctx, TargetsOfIndicator(self.0.id)).await?;
        Ok(rows.into_iter().map(Target).collect())
    }
    /// Its measured values, in the order recorded; optionally of one district only.
    /// City-wide values have `district: null`.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn measurements(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the values of this district (a District ID).")] district: Option<ID>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<Measurement>> {
        let district = opt_id(district.as_ref(), NodeType::District, "district")?;
        let args = page_args(
            ctx,
            encode(NodeType::Indicator, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let rows = load_many(ctx, MeasurementsOfIndicator(self.0.id))
            .await?
            .into_iter()
            .filter(|m| district.is_none() || m.district_id == district)
            .collect();
        Ok(page_vec(rows, |m| m.id, Measurement, args))
    }
}

/// Which way a target goes. The service stores no "higher is better" flag: a target whose
/// `value` is below its `baseline` is to go down; every other target (also one without a
/// baseline) is to go up.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::services::targets::Direction")]
pub enum TargetDirection {
    /// The value is to rise (or hold): met when the measured value is at or above the
    /// target's value.
    Increase,
    /// The value is to fall (the target is below its baseline): met when the measured
    /// value is at or below the target's value.
    Decrease,
}

/// A target a plan or one of its activities sets on an indicator: from a baseline to a
/// value by a year, e.g. "96,6 %" inskrivna i förskolan. Values are in the indicator's
/// unit.
#[derive(Debug, Clone)]
pub struct Target(pub target::Model);

impl Target {
    /// The plan the target belongs to: its own, or its activity's.
    async fn plan(&self, ctx: &Context<'_>) -> async_graphql::Result<action_plan::Model> {
        let plan_id = match (self.0.action_plan_id, self.0.activity_id) {
            (Some(p), _) => p,
            (None, Some(a)) => load_required(ctx, ActivityId(a)).await?.action_plan_id,
            (None, None) => {
                return Err(AppError::Internal(anyhow::anyhow!(
                    "target {} has neither plan nor activity",
                    self.0.id
                ))
                .into());
            }
        };
        load_required(ctx, ActionPlanId(plan_id)).await
    }
}

/// A target a plan or one of its activities sets on an indicator: from a baseline to a
/// value by a year, e.g. "96,6 %" inskrivna i förskolan. Values are in the indicator's
/// unit.
#[Object]
impl Target {
    /// The target's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::Target, self.0.id)
    }
    /// Where the record comes from (its source document, and whether it is a reading
    /// rather than as written); null when it was made in the service (neither seeded nor
    /// imported from a file).
    async fn provenance(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Provenance>> {
        crate::graphql::provenance::of(ctx, "Target", self.0.id).await
    }
    /// The indicator the target is set on.
    async fn indicator(&self, ctx: &Context<'_>) -> async_graphql::Result<Indicator> {
        Ok(Indicator(
            load_required(ctx, IndicatorId(self.0.indicator_id)).await?,
        ))
    }
    /// The value at the start, in the indicator's unit; null when the document gives none.
    async fn baseline(&self) -> Option<f64> {
        self.0.baseline
    }
    /// The year the baseline was measured.
    async fn baseline_year(&self) -> Option<i32> {
        self.0.baseline_year
    }
    /// The value to reach, in the indicator's unit; null when the target is only text.
    async fn value(&self) -> Option<f64> {
        self.0.value
    }
    /// The year by which to reach it.
    async fn year(&self) -> Option<i32> {
        self.0.year
    }
    /// The target as the document writes it (e.g. "96,6 %").
    async fn text(&self) -> Option<&str> {
        self.0.text.as_deref()
    }
    /// Which way it goes: DECREASE when `value` is below `baseline`, else INCREASE.
    async fn direction(&self) -> TargetDirection {
        service::direction(&self.0).into()
    }
    /// The plan that sets it (directly, or through the activity that does).
    async fn action_plan(&self, ctx: &Context<'_>) -> async_graphql::Result<ActionPlan> {
        Ok(ActionPlan(self.plan(ctx).await?))
    }
    /// The activity that sets it; null for a target of the plan as a whole.
    async fn activity(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Activity>> {
        match self.0.activity_id {
            Some(id) => Ok(load(ctx, ActivityId(id)).await?.map(Activity)),
            None => Ok(None),
        }
    }
    /// The district it is for: its own, else its plan's; null for a city-wide target (a
    /// plan not tied to one district).
    async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<District>> {
        let id = match self.0.district_id {
            Some(d) => Some(d),
            None => self.plan(ctx).await?.district_id,
        };
        match id {
            Some(id) => Ok(load(ctx, DistrictId(id)).await?.map(District)),
            None => Ok(None),
        }
    }
    /// Version, raised by every edit.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Whether the caller may change or remove it (the rule of its plan: a coordinator of
    /// the plan's district, the owner's editors, admins).
    async fn viewer_can_update(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let plan = self.plan(ctx).await?;
        can(ctx, |a| authz::plan(a, plans::scope(&plan), "")).await
    }
}

/// A measured value of an indicator for a district (or the whole city) in a year and,
/// optionally, a term. The value is in the indicator's unit.
#[derive(Debug, Clone)]
pub struct Measurement(pub measurement::Model);

crate::plain_fields!(Measurement: id, indicator, district, year, term, value, note, version);

/// A measured value of an indicator for a district (or the whole city) in a year and,
/// optionally, a term. The value is in the indicator's unit.
#[Object]
impl Measurement {
    /// The measurement's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::Measurement, self.0.id)
    }
    /// Where the record comes from (its source document, and whether it is a reading
    /// rather than as written); null when it was made in the service (neither seeded nor
    /// imported from a file).
    async fn provenance(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Provenance>> {
        crate::graphql::provenance::of(ctx, "Measurement", self.0.id).await
    }
    /// The indicator measured.
    async fn indicator(&self, ctx: &Context<'_>) -> async_graphql::Result<Indicator> {
        Ok(Indicator(
            load_required(ctx, IndicatorId(self.0.indicator_id)).await?,
        ))
    }
    /// The district measured; null for a city-wide value.
    async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<District>> {
        match self.0.district_id {
            Some(id) => Ok(load(ctx, DistrictId(id)).await?.map(District)),
            None => Ok(None),
        }
    }
    /// The year measured.
    async fn year(&self) -> i32 {
        self.0.year
    }
    /// The term measured; null when the value is for the year as a whole.
    async fn term(&self) -> Option<Term> {
        self.0.term.map(Into::into)
    }
    /// The value, in the indicator's unit.
    async fn value(&self) -> f64 {
        self.0.value
    }
    /// A note on the value (how it was measured, caveats).
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// Version, raised by every edit.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Whether the caller may change or remove it (admins).
    async fn viewer_can_update(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        can(ctx, authz::indicators).await
    }
}

/// Whom an activity is for: a label as the plan writes it ("barn", "unga", "unga vuxna",
/// "vårdnadshavare", …) and, where the plan names them, ages in years.
#[derive(Debug, Clone)]
pub struct TargetGroup(pub target_group::Model);

/// Whom an activity is for: a label as the plan writes it ("barn", "unga", "unga vuxna",
/// "vårdnadshavare", …) and, where the plan names them, ages in years.
#[Object]
impl TargetGroup {
    /// The label, as written.
    async fn label(&self) -> &str {
        &self.0.label
    }
    /// The youngest age the group covers, in years (0–120); null when not given.
    async fn age_from(&self) -> Option<i32> {
        self.0.age_from
    }
    /// The oldest age the group covers, in years (0–120, not below `ageFrom`); null when
    /// not given.
    async fn age_to(&self) -> Option<i32> {
        self.0.age_to
    }
}

/// One target in one district against the latest measurement of its indicator there.
#[derive(Debug, Clone)]
pub struct TargetProgress(pub(super) service::Progress);

/// One target in one district against the latest measurement of its indicator there.
#[Object]
impl TargetProgress {
    /// The target.
    async fn target(&self) -> Target {
        Target(self.0.target.clone())
    }
    /// The district compared; null for a city-wide target compared with city-wide values.
    async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<District>> {
        match self.0.district_id {
            Some(id) => Ok(load(ctx, DistrictId(id)).await?.map(District)),
            None => Ok(None),
        }
    }
    /// The latest measurement of the target's indicator in the district (latest year,
    /// then T1 < T2 < ANNUAL, a value without a term counting as ANNUAL); null when there
    /// is none.
    async fn measurement(&self) -> Option<Measurement> {
        self.0.measurement.clone().map(Measurement)
    }
    /// Whether the latest measurement meets the target (see `Target.direction`); null when
    /// there is no measurement or the target has no value.
    async fn met(&self) -> Option<bool> {
        self.0.met
    }
}
