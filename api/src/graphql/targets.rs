//! Indicators, targets, measurements and target groups (issue 14, items 6 and 7), and
//! "target vs latest measurement" per district (`targetProgress`).
//!
//! The service half is `services/targets.rs`; the fields `Activity.targets`,
//! `Activity.targetGroups` and `ActionPlan.targets` call the functions at the end of this
//! module's types.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::*;
use futures_util::future::BoxFuture;

use super::engine::Reader;
use crate::graphql::prelude::*;
use crate::services::targets as service;

/// Something measured — a share, a count — that plans set targets on, e.g.
/// "Inskrivningsgrad i förskola" (unit `%`). Kept by admins.
#[derive(Debug, Clone)]
pub struct Indicator(pub indicator::Model);

/// Something measured — a share, a count — that plans set targets on, e.g.
/// "Inskrivningsgrad i förskola" (unit `%`). Kept by admins.
#[Object]
impl Indicator {
    /// The indicator's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::Indicator, self.0.id)
    }
    /// Where the record comes from (its source document, and whether it is a reading
    /// rather than as written); null when it was made in the service, not seeded.
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
    /// rather than as written); null when it was made in the service, not seeded.
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

/// A measured value of an indicator for a district (or the whole city) in a year and,
/// optionally, a term. The value is in the indicator's unit.
#[Object]
impl Measurement {
    /// The measurement's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::Measurement, self.0.id)
    }
    /// Where the record comes from (its source document, and whether it is a reading
    /// rather than as written); null when it was made in the service, not seeded.
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
pub struct TargetProgress(service::Progress);

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

/// The nodes of this domain, reloaded by row id after a `CONFLICT`.
macro_rules! reload_own {
    ($($key:ident),*) => {$(
        impl Reload<<Reader as async_graphql::dataloader::Loader<$key>>::Value> for $key {
            fn reload<'c>(
                self,
                ctx: &'c Context<'_>,
            ) -> BoxFuture<'c, async_graphql::Result<Option<<Reader as async_graphql::dataloader::Loader<$key>>::Value>>> {
                Box::pin(load(ctx, self))
            }
        }
    )*};
}

reload_own!(IndicatorId, TargetId, MeasurementId);

// The fields other domains' types carry (`Activity.targets`, `Activity.targetGroups`,
// `ActionPlan.targets`).

/// The targets an activity sets, oldest first.
pub(crate) async fn targets_of_activity(
    ctx: &Context<'_>,
    activity_id: i32,
) -> async_graphql::Result<Vec<Target>> {
    let rows = load_many(ctx, TargetsOfActivity(activity_id)).await?;
    Ok(rows.into_iter().map(Target).collect())
}

/// The targets a plan sets for itself (its activities' are under the activities), oldest
/// first.
pub(crate) async fn targets_of_plan(
    ctx: &Context<'_>,
    plan_id: i32,
) -> async_graphql::Result<Vec<Target>> {
    let rows = load_many(ctx, TargetsOfPlan(plan_id)).await?;
    Ok(rows.into_iter().map(Target).collect())
}

/// Whom an activity is for, in the plan's order.
pub(crate) async fn target_groups_of_activity(
    ctx: &Context<'_>,
    activity_id: i32,
) -> async_graphql::Result<Vec<TargetGroup>> {
    let mut rows = load_many(ctx, TargetGroupsOfActivity(activity_id)).await?;
    rows.sort_by_key(|g| (g.position, g.id));
    Ok(rows.into_iter().map(TargetGroup).collect())
}

/// Indicators and progress towards targets.
#[derive(Debug, Default)]
pub struct TargetsQuery;

/// Indicators and progress towards targets.
#[Object]
impl TargetsQuery {
    /// The indicators, in the order added.
    #[graphql(
        complexity = "crate::graphql::pagination::root_page_cost(first, last, child_complexity)"
    )]
    async fn indicators(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<Indicator>> {
        let args = PageArgs::new(ctx, None, after, before, first, last)?;
        Ok(page_query(
            &state(ctx)?.db,
            indicator::Entity::find(),
            indicator::Column::Id,
            |m| m.id,
            Indicator,
            args,
            wants_total(ctx),
        )
        .await?)
    }

    /// An indicator by its slug; null when there is none.
    #[graphql(complexity = "crate::graphql::pagination::STATEMENT_COST + child_complexity")]
    async fn indicator(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The indicator's slug, e.g. `inskrivningsgrad-i-forskola`.")] slug: String,
    ) -> async_graphql::Result<Option<Indicator>> {
        Ok(indicator::Entity::find()
            .filter(indicator::Column::Slug.eq(slug))
            .one(&state(ctx)?.db)
            .await
            .map_err(AppError::from)?
            .map(Indicator))
    }

    /// Target vs latest measurement: one row per (target, district), ordered by target
    /// then district. A target is for its own district, else its plan's; a city-wide
    /// target (neither) gets a row for each district asked for, or one city-wide row
    /// (compared with city-wide values) when `districts` is omitted. Each row holds the
    /// latest measurement of the target's indicator in that district and whether it
    /// meets the target (`met`, null without a measurement). Costs a fixed number of SQL
    /// statements, whatever the number of districts. An unknown district:
    /// `NOT_FOUND`.
    #[graphql(
        complexity = "5 * crate::graphql::pagination::STATEMENT_COST + 100 * child_complexity"
    )]
    async fn target_progress(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only targets on this indicator (an Indicator ID).")] indicator: Option<
            ID,
        >,
        #[graphql(desc = "Only rows for these districts (District IDs).")] districts: Option<
            Vec<ID>,
        >,
        #[graphql(
            desc = "Only targets of plans (or their activities) following this strategy (a Strategy ID)."
        )]
        strategy: Option<ID>,
    ) -> async_graphql::Result<Vec<TargetProgress>> {
        let q = service::ProgressQuery {
            indicator: opt_id(indicator.as_ref(), NodeType::Indicator, "indicator")?,
            districts: districts
                .map(|ds| {
                    ds.iter()
                        .map(|d| decode_as(d, NodeType::District, "districts"))
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?,
            strategy: opt_id(strategy.as_ref(), NodeType::Strategy, "strategy")?,
        };
        let rows = service::progress(&state(ctx)?.db, &q).await?;
        Ok(rows.into_iter().map(TargetProgress).collect())
    }
}

/// Changes to indicators, measurements and targets.
#[derive(Debug, Default)]
pub struct TargetsMutation;

/// Changes to indicators, measurements and targets.
#[Object]
impl TargetsMutation {
    /// Add an indicator (admins).
    async fn create_indicator(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new indicator.")] input: CreateIndicatorInput,
    ) -> async_graphql::Result<IndicatorPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let fields = service::IndicatorFields {
            slug: input.slug,
            name: Some(input.name),
            unit: Some(input.unit),
            source: Some(input.source),
            description: Some(input.description),
        };
        let (node, user_errors) = mutate(
            ctx,
            quiet,
            (),
            service::create_indicator(&st.db, actor, fields),
        )
        .await?;
        Ok(IndicatorPayload {
            indicator: node.map(Indicator),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Change an indicator (admins), based on the version you read.
    async fn update_indicator(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which indicator, from which version, what changes.")]
        input: UpdateIndicatorInput,
    ) -> async_graphql::Result<IndicatorPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let id = decode_as(&input.id, NodeType::Indicator, "input.id");
        let known = id.as_ref().ok().copied();
        let (node, user_errors) = mutate(ctx, quiet, known.map(IndicatorId), async {
            let fields = service::IndicatorFields {
                slug: None,
                name: input.name,
                unit: patch(input.unit),
                source: patch(input.source),
                description: patch(input.description),
            };
            service::update_indicator(&st.db, actor, id?, input.expected_version, fields).await
        })
        .await?;
        Ok(IndicatorPayload {
            indicator: node.map(Indicator),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Remove an indicator with its measurements (admins), based on the version you read.
    /// An indicator targets still use is kept (`BAD_USER_INPUT`: remove them first).
    async fn delete_indicator(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which indicator, from which version.")] input: DeleteInput,
    ) -> async_graphql::Result<DeletePayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, quiet, (), async {
            let id = decode_as(&input.id, NodeType::Indicator, "input.id")?;
            service::delete_indicator(&st.db, actor, id, input.expected_version).await
        })
        .await?;
        Ok(DeletePayload {
            deleted_id: node.map(|m| encode(NodeType::Indicator, m.id)),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Record a measured value of an indicator for a district or the city and a period
    /// (admins). One value per indicator, place and period: a second is `BAD_USER_INPUT`
    /// (update the first).
    async fn record_measurement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The value and where and when it was measured.")]
        input: RecordMeasurementInput,
    ) -> async_graphql::Result<MeasurementPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, quiet, (), async {
            let m = service::NewMeasurement {
                indicator_id: decode_as(&input.indicator, NodeType::Indicator, "input.indicator")?,
                district_id: opt_id(
                    input.district.as_ref(),
                    NodeType::District,
                    "input.district",
                )?,
                year: input.year,
                term: input.term.map(Into::into),
                value: input.value,
                note: input.note,
            };
            service::record_measurement(&st.db, actor, m).await
        })
        .await?;
        Ok(MeasurementPayload {
            measurement: node.map(Measurement),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Change a measurement (admins), based on the version you read.
    async fn update_measurement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which measurement, from which version, what changes.")]
        input: UpdateMeasurementInput,
    ) -> async_graphql::Result<MeasurementPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let id = decode_as(&input.id, NodeType::Measurement, "input.id");
        let known = id.as_ref().ok().copied();
        let (node, user_errors) = mutate(ctx, quiet, known.map(MeasurementId), async {
            let changes = service::MeasurementChanges {
                district_id: patch_id(input.district, NodeType::District, "input.district")?,
                year: input.year,
                term: patch(input.term).map(|t| t.map(Into::into)),
                value: input.value,
                note: patch(input.note),
            };
            service::update_measurement(&st.db, actor, id?, input.expected_version, changes).await
        })
        .await?;
        Ok(MeasurementPayload {
            measurement: node.map(Measurement),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Remove a measurement (admins), based on the version you read.
    async fn delete_measurement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which measurement, from which version.")] input: DeleteInput,
    ) -> async_graphql::Result<DeletePayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, quiet, (), async {
            let id = decode_as(&input.id, NodeType::Measurement, "input.id")?;
            service::delete_measurement(&st.db, actor, id, input.expected_version).await
        })
        .await?;
        Ok(DeletePayload {
            deleted_id: node.map(|m| encode(NodeType::Measurement, m.id)),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Set a target on an action plan or one of its activities (the plan's rule: a
    /// coordinator of its district, its owner's editors, admins).
    async fn create_target(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new target.")] input: CreateTargetInput,
    ) -> async_graphql::Result<TargetPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, quiet, (), async {
            let t = service::NewTarget {
                indicator_id: decode_as(&input.indicator, NodeType::Indicator, "input.indicator")?,
                action_plan_id: opt_id(
                    input.action_plan.as_ref(),
                    NodeType::ActionPlan,
                    "input.actionPlan",
                )?,
                activity_id: opt_id(
                    input.activity.as_ref(),
                    NodeType::Activity,
                    "input.activity",
                )?,
                district_id: opt_id(
                    input.district.as_ref(),
                    NodeType::District,
                    "input.district",
                )?,
                baseline: input.baseline,
                baseline_year: input.baseline_year,
                value: input.value,
                year: input.year,
                text: input.text,
            };
            service::create_target(&st.db, actor, t).await
        })
        .await?;
        Ok(TargetPayload {
            target: node.map(Target),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Change a target (the plan's rule), based on the version you read.
    async fn update_target(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which target, from which version, what changes.")]
        input: UpdateTargetInput,
    ) -> async_graphql::Result<TargetPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let id = decode_as(&input.id, NodeType::Target, "input.id");
        let known = id.as_ref().ok().copied();
        let (node, user_errors) = mutate(ctx, quiet, known.map(TargetId), async {
            let changes = service::TargetChanges {
                indicator_id: opt_id(
                    input.indicator.as_ref(),
                    NodeType::Indicator,
                    "input.indicator",
                )?,
                district_id: patch_id(input.district, NodeType::District, "input.district")?,
                baseline: patch(input.baseline),
                baseline_year: patch(input.baseline_year),
                value: patch(input.value),
                year: patch(input.year),
                text: patch(input.text),
            };
            service::update_target(&st.db, actor, id?, input.expected_version, changes).await
        })
        .await?;
        Ok(TargetPayload {
            target: node.map(Target),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Remove a target (the plan's rule), based on the version you read.
    async fn delete_target(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which target, from which version.")] input: DeleteInput,
    ) -> async_graphql::Result<DeletePayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, quiet, (), async {
            let id = decode_as(&input.id, NodeType::Target, "input.id")?;
            service::delete_target(&st.db, actor, id, input.expected_version).await
        })
        .await?;
        Ok(DeletePayload {
            deleted_id: node.map(|m| encode(NodeType::Target, m.id)),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }
}
