//! Cross-district questions for scripts and city-wide dashboards: coverage matrices,
//! the reporting calendar, and follow-up summaries per district.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object, SimpleObject, Union};
use chrono::Utc;

use super::ids::{NodeType, decode_as};

use super::{load, state};
use crate::gate::Gate;
use crate::graphql::prelude::*;
use crate::services::coverage::{self, CoverageQuery};
use crate::services::tracking;
use matrix::Matrix;

mod matrix;

/// The columns of a coverage matrix.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::services::coverage::Dimension")]
pub enum CoverageDimension {
    /// Collaboration group kinds (SSPF, SIG, …); keys are the `GroupKind` values.
    GroupKind,
    /// Priority areas of the strategies; keys are slugs.
    PriorityArea,
    /// Focus areas of the strategies; keys are slugs.
    FocusArea,
    /// Methods of the catalogue; keys are slugs (e.g. `mvp`).
    Method,
    /// Organization kinds; keys are the `OrganizationKind` values.
    OrganizationKind,
    /// Organizations; keys are slugs.
    Organization,
    /// Target groups of activities: one column per label present (lower-cased as
    /// written, e.g. `barn`, `unga vuxna`; key and label alike); an activity counts under
    /// each of its labels. Measure: ACTIVITIES.
    TargetGroup,
}

/// What the cells of a coverage matrix count.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::services::coverage::Measure")]
pub enum CoverageMeasure {
    /// Collaboration groups (dimension GROUP_KIND).
    Groups,
    /// Activities of the districts' plans (areas, methods; for organizations: the
    /// activities they are responsible for).
    Activities,
    /// Organizations' seats in groups (group kinds, organizations).
    Participations,
    /// Organizations' commitments in groups (group kinds, organizations).
    Commitments,
}

/// Something a coverage cell counts.
#[derive(Union)]
pub enum CoverageItem {
    /// A collaboration group.
    CollaborationGroup(CollaborationGroup),
    /// An activity.
    Activity(Activity),
    /// An organization's seat in a group.
    Participation(Participation),
    /// An organization's commitment.
    Commitment(Commitment),
}

/// A column of a coverage matrix.
#[derive(SimpleObject, Debug, Clone)]
pub struct CoverageColumn {
    /// The column's key (as in `keys`).
    pub key: String,
    /// The column's name, for people.
    pub label: String,
    /// The sum of the column over all rows.
    pub total: u64,
}

/// One district × key cell.
#[derive(Debug, Clone)]
pub struct CoverageCell {
    matrix: Arc<Matrix>,
    row: usize,
    key: usize,
}

/// One district × key cell of a coverage matrix.
#[Object]
impl CoverageCell {
    /// The column's key.
    async fn key(&self) -> &str {
        self.matrix.key(self.key)
    }
    /// How many items the district has for the key.
    async fn count(&self) -> u64 {
        self.matrix.count(self.row, self.key)
    }
    /// The items behind the count.
    async fn items(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CoverageItem>> {
        let measure = self.matrix.measure;
        let loads = self
            .matrix
            .items(self.row, self.key)
            .iter()
            .map(|id| async move {
                Ok::<_, async_graphql::Error>(match measure {
                    coverage::Measure::Groups => load(ctx, CollaborationGroupId(*id))
                        .await?
                        .map(|m| CoverageItem::CollaborationGroup(CollaborationGroup(m))),
                    coverage::Measure::Activities => load(ctx, ActivityId(*id))
                        .await?
                        .map(|m| CoverageItem::Activity(Activity(m))),
                    coverage::Measure::Participations => load(ctx, ParticipationId(*id))
                        .await?
                        .map(|m| CoverageItem::Participation(Participation(m))),
                    coverage::Measure::Commitments => load(ctx, CommitmentId(*id))
                        .await?
                        .map(|m| CoverageItem::Commitment(Commitment(m))),
                })
            });
        Ok(futures_util::future::try_join_all(loads)
            .await?
            .into_iter()
            .flatten()
            .collect())
    }
}

/// One district's row.
#[derive(Debug, Clone)]
pub struct CoverageRow {
    matrix: Arc<Matrix>,
    row: usize,
}

crate::plain_fields!(CoverageRow: district, cells, total);
crate::plain_fields!(CoverageCell: key, count);
crate::plain_fields!(CoverageGap: district, key);

/// One district's row of a coverage matrix.
#[Object]
impl CoverageRow {
    /// The district.
    async fn district(&self) -> async_graphql::Result<District> {
        self.matrix.district(self.row)
    }
    /// One cell per key, in the order of `keys`.
    async fn cells(&self) -> PlainList<CoverageCell> {
        self.matrix.cells(self.row).into()
    }
    /// The sum of the row.
    async fn total(&self) -> u64 {
        self.matrix.row_total(self.row)
    }
}

/// A district with nothing for a key.
#[derive(Debug, Clone)]
pub struct CoverageGap {
    matrix: Arc<Matrix>,
    row: usize,
    key: usize,
}

/// A district with nothing for a key.
#[Object]
impl CoverageGap {
    /// The district.
    async fn district(&self) -> async_graphql::Result<District> {
        self.matrix.district(self.row)
    }
    /// The key it has nothing for.
    async fn key(&self) -> &str {
        self.matrix.key(self.key)
    }
}

/// A coverage matrix: districts × keys of one dimension.
#[derive(SimpleObject, Debug, Clone)]
pub struct Coverage {
    /// The dimension of the columns.
    pub dimension: CoverageDimension,
    /// What the cells count.
    pub measure: CoverageMeasure,
    /// The columns' keys, in order.
    pub keys: Vec<String>,
    /// The columns with names and totals.
    pub columns: Vec<CoverageColumn>,
    /// One row per district.
    pub rows: PlainList<CoverageRow>,
    /// Every district × key with nothing.
    pub gaps: PlainList<CoverageGap>,
    /// The sum of the matrix.
    pub total: u64,
}

/// Where a reporting period stands.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::services::tracking::PeriodState")]
pub enum ReportingPeriodState {
    /// Not begun.
    Upcoming,
    /// Running: statuses may be reported.
    Open,
    /// Ended; the report is due by `dueOn`.
    Due,
    /// Past its due date.
    Closed,
}

/// A reporting period of the city's calendar.
#[derive(SimpleObject, Debug, Clone)]
pub struct ReportingPeriodInfo {
    /// The period.
    pub period: ReportingPeriod,
    /// The first day it covers.
    pub starts_on: crate::graphql::scalars::Date,
    /// The last day it covers (the as-of date of its statuses).
    pub ends_on: crate::graphql::scalars::Date,
    /// The day its report is due (the 15th of the month after it ends).
    pub due_on: crate::graphql::scalars::Date,
    /// Where it stands on the day asked about.
    pub state: ReportingPeriodState,
}

/// How many follow-ups have a status.
#[derive(SimpleObject, Debug, Clone)]
pub struct StatusCount {
    /// The status.
    pub status: FollowUpStatus,
    /// How many follow-ups of the period have it.
    pub count: u64,
}

/// One district's follow-ups of a period.
#[derive(SimpleObject, Debug, Clone)]
pub struct FollowUpSummary {
    /// The district.
    pub district: District,
    /// The period.
    pub period: ReportingPeriod,
    /// Follow-ups of the period per status (every status, zeros included).
    pub by_status: Vec<StatusCount>,
    /// How many activities' schedules ask for a report in the period.
    pub expected: u64,
    /// The activities whose schedule asks for a report in the period and that have none:
    /// the list a coordinator chases before the deadline.
    pub missing: Vec<Activity>,
    /// How many of the district's groups are expected to report in the period: not
    /// archived, their `followUpTerms` name the term, and their validity overlaps the
    /// period.
    pub groups_expected: u64,
    /// How many of the district's groups have a follow-up of the period (any status,
    /// expected or not).
    pub groups_reported: u64,
    /// The groups expected to report in the period that have no follow-up of it.
    pub groups_missing: Vec<CollaborationGroup>,
}

/// Cross-district reports.
#[derive(Debug, Default)]
pub struct ReportQuery;

/// Cross-district reports.
#[Object]
impl ReportQuery {
    /// A coverage matrix: for each district (default: every district of every
    /// municipality) and each key of a dimension, the count and the items behind it,
    /// plus the gaps. One request answers e.g. which districts have no SSPF, which
    /// priority areas have no activity in a district, which districts use MVP, where the
    /// police have no commitment, which housing companies take part where.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = 2000)]
    async fn coverage(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What the columns are.")] dimension: CoverageDimension,
        #[graphql(
            desc = "What the cells count (default: groups for GROUP_KIND, activities for areas, methods and TARGET_GROUP, seats for organizations)."
        )]
        measure: Option<CoverageMeasure>,
        #[graphql(desc = "Only these districts (District IDs).")] districts: Option<Vec<ID>>,
        #[graphql(desc = "Only the districts of this municipality (a Municipality ID).")]
        municipality: Option<ID>,
        #[graphql(desc = "Only the priority or focus areas of this strategy (a Strategy ID).")]
        strategy: Option<ID>,
        #[graphql(desc = "Only organizations of this kind (dimension ORGANIZATION).")]
        organization_kind: Option<OrganizationKind>,
        #[graphql(
            default_with = "Some(false)",
            desc = "With `strategy` and dimension PRIORITY_AREA or FOCUS_AREA: count the activities of the strategy's predecessors too, each under the area(s) that continue its area (`PriorityArea.continues`, `FocusArea.continues`, along the whole line), so plans of 2019–2022 count under the 2024–2026 areas that carry them on. Null counts as false; ignored without `strategy` or for other dimensions."
        )]
        follow_lineage: Option<bool>,
    ) -> async_graphql::Result<Coverage> {
        let q = CoverageQuery {
            dimension: dimension.into(),
            measure: measure.map(Into::into),
            districts: districts
                .map(|ds| {
                    ds.iter()
                        .map(|d| decode_as(d, NodeType::District, "districts"))
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?,
            municipality: municipality
                .map(|m| decode_as(&m, NodeType::Municipality, "municipality"))
                .transpose()?,
            strategy: strategy
                .map(|s| decode_as(&s, NodeType::Strategy, "strategy"))
                .transpose()?,
            organization_kind: organization_kind.map(Into::into),
            follow_lineage: follow_lineage.unwrap_or(false),
            with_items: ctx
                .look_ahead()
                .field("rows")
                .field("cells")
                .field("items")
                .exists(),
        };
        let m = coverage::coverage(&state(ctx)?.db, &q).await?;
        let (dimension, measure) = (m.dimension, m.measure);
        let keys: Vec<String> = m.keys.iter().map(|k| k.key.clone()).collect();
        let labels: Vec<String> = m.keys.iter().map(|k| k.label.clone()).collect();
        // The matrix holds a pass of the server's gate (`crate::gate`, shared with the
        // exports) until its answer is built: a national matrix's answer takes ~35 MB while
        // it is built, so this bounds the memory under load; the SQL of waiting requests
        // still runs.
        let pass = ctx.data::<Gate>()?.enter().await;
        let m = Arc::new(Matrix::new(m, pass));
        let column_totals = m.column_totals();
        Ok(Coverage {
            dimension: dimension.into(),
            measure: measure.into(),
            columns: keys
                .iter()
                .zip(labels)
                .zip(&column_totals)
                .map(|((key, label), total)| CoverageColumn {
                    key: key.clone(),
                    label,
                    total: *total,
                })
                .collect(),
            keys,
            total: column_totals.iter().sum(),
            rows: m.all_rows().into(),
            gaps: m.all_gaps().into(),
        })
    }

    /// The reporting calendar: T1 (January–April), T2 (May–August), ANNUAL (the whole
    /// year), with due dates and where each period stands today.
    async fn reporting_periods(
        &self,
        #[graphql(desc = "The year (default: last year and this year).")] year: Option<i32>,
        #[graphql(desc = "The day to judge by (default: today).")] today: Option<
            crate::graphql::scalars::Date,
        >,
    ) -> async_graphql::Result<Vec<ReportingPeriodInfo>> {
        let today = today.map_or_else(|| Utc::now().date_naive(), Into::into);
        Ok(tracking::calendar(year, today)?
            .into_iter()
            .map(|p| ReportingPeriodInfo {
                period: ReportingPeriod {
                    year: p.year,
                    term: p.term.into(),
                },
                starts_on: p.starts_on.into(),
                ends_on: p.ends_on.into(),
                due_on: p.due_on.into(),
                state: p.state.into(),
            })
            .collect())
    }

    /// Per district: the period's follow-ups by status, and the activities whose
    /// schedule asks for a report in the period but have none.
    #[graphql(complexity = "crate::graphql::pagination::STATEMENT_COST + child_complexity")]
    async fn follow_up_summary(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The reporting period.")] period: ReportingPeriodInput,
        #[graphql(desc = "Only these districts (District IDs; default: all).")] districts: Option<
            Vec<ID>,
        >,
    ) -> async_graphql::Result<Vec<FollowUpSummary>> {
        let districts = districts
            .map(|ds| {
                ds.iter()
                    .map(|d| decode_as(d, NodeType::District, "districts"))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        let summaries =
            tracking::summary(&state(ctx)?.db, period.year, period.term.into(), districts).await?;
        Ok(summaries
            .into_iter()
            .map(|s| FollowUpSummary {
                district: District(s.district),
                period: ReportingPeriod {
                    year: period.year,
                    term: period.term,
                },
                by_status: s
                    .by_status
                    .into_iter()
                    .map(|(status, count)| StatusCount {
                        status: status.into(),
                        count,
                    })
                    .collect(),
                expected: s.expected,
                missing: s.missing.into_iter().map(Activity).collect(),
                groups_expected: s.groups_expected,
                groups_reported: s.groups_reported,
                groups_missing: s
                    .groups_missing
                    .into_iter()
                    .map(CollaborationGroup)
                    .collect(),
            })
            .collect())
    }
}
