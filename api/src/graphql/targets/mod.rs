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

mod inputs;
mod types;

pub use inputs::*;
pub use types::*;

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
        let (node, user_errors) =
            mutate(ctx, (), service::create_indicator(&st.db, actor, fields)).await?;
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
        let (node, user_errors) = mutate(ctx, known.map(IndicatorId), async {
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
        let (node, user_errors) = mutate(ctx, (), async {
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
        let (node, user_errors) = mutate(ctx, (), async {
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
        let (node, user_errors) = mutate(ctx, known.map(MeasurementId), async {
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
        let (node, user_errors) = mutate(ctx, (), async {
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
        let (node, user_errors) = mutate(ctx, (), async {
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
        let (node, user_errors) = mutate(ctx, known.map(TargetId), async {
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
        let (node, user_errors) = mutate(ctx, (), async {
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
