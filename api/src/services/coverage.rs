//! Coverage across districts: for a set of districts and one dimension (group kind,
//! priority area, focus area, method, organization kind, organization), how many
//! groups, activities, seats or commitments each district has per key, which they are,
//! and where there are none (the gaps).
//!
//! Cost is fixed, whatever the number of districts: one statement for the districts, one
//! for the keys (none for enumerations) and one that fetches every (district, key, item)
//! fact; the matrix is built in memory.

use std::collections::{BTreeMap, HashSet};

use entity::enums::{GroupKind, OrganizationKind};
use entity::{
    action_plan, activity, activity_method, collaboration_group, collaboration_group_kind,
    commitment, district, focus_area, method, organization, participation, priority_area,
    responsibility, target_group,
};
use futures_util::TryStreamExt;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityName, EntityTrait, Iterable, QueryFilter, QueryOrder,
    StreamTrait,
};

use crate::error::{AppError, AppResult};

/// Largest matrix answered (districts × keys); a bigger question must be narrowed.
pub const MAX_CELLS: usize = 250_000;

/// What the columns of the matrix are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    /// Collaboration group kinds (SSPF, SIG, …).
    GroupKind,
    /// Priority areas of the strategies.
    PriorityArea,
    /// Focus areas of the strategies.
    FocusArea,
    /// Methods of the catalogue.
    Method,
    /// Organization kinds (police, housing company, …).
    OrganizationKind,
    /// Organizations.
    Organization,
    /// Target groups of activities (issue 14): one column per label present, lower-cased
    /// as written; an activity counts under each of its labels.
    TargetGroup,
}

/// What the cells count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Collaboration groups.
    Groups,
    /// Activities of the districts' plans.
    Activities,
    /// Organizations' seats in groups.
    Participations,
    /// Organizations' commitments in groups.
    Commitments,
}

impl Dimension {
    /// The measure a dimension counts unless told otherwise.
    pub fn default_measure(self) -> Measure {
        match self {
            Self::GroupKind => Measure::Groups,
            Self::PriorityArea | Self::FocusArea | Self::Method | Self::TargetGroup => {
                Measure::Activities
            }
            Self::OrganizationKind | Self::Organization => Measure::Participations,
        }
    }
}

/// What to cover.
#[derive(Debug, Clone)]
pub struct CoverageQuery {
    /// The columns.
    pub dimension: Dimension,
    /// What to count (default: by dimension).
    pub measure: Option<Measure>,
    /// These districts (default: all of the municipality, or all).
    pub districts: Option<Vec<i32>>,
    /// The municipality whose districts to cover.
    pub municipality: Option<i32>,
    /// Priority/focus areas of this strategy only.
    pub strategy: Option<i32>,
    /// Organizations of this kind only (dimension ORGANIZATION).
    pub organization_kind: Option<OrganizationKind>,
    /// With `strategy` and an area dimension: count the activities of the strategy's
    /// predecessors too, each under the area(s) of `strategy` that continue its area.
    pub follow_lineage: bool,
    /// Whether the items behind each count are wanted (else only counts are fetched,
    /// aggregated in SQL).
    pub with_items: bool,
}

/// A column of the matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// Stable key: an enumeration value (e.g. `SSPF`) or a slug (e.g. `mvp`).
    pub key: String,
    /// For people: the name.
    pub label: String,
}

/// The coverage matrix.
#[derive(Debug, Clone)]
pub struct Coverage {
    /// The columns' dimension.
    pub dimension: Dimension,
    /// What the cells count.
    pub measure: Measure,
    /// The columns, in order.
    pub keys: Vec<Key>,
    /// The rows, in order.
    pub districts: Vec<district::Model>,
    /// Per (district id, column index): the count and, when asked for, the item ids
    /// (sorted, distinct).
    pub cells: BTreeMap<(i32, usize), (u64, Vec<i32>)>,
}

impl Coverage {
    /// The count of one cell.
    pub fn count(&self, district: i32, key: usize) -> u64 {
        self.cells.get(&(district, key)).map_or(0, |(n, _)| *n)
    }

    /// The items of one cell (empty unless asked for).
    pub fn items(&self, district: i32, key: usize) -> &[i32] {
        self.cells
            .get(&(district, key))
            .map(|(_, items)| items.as_slice())
            .unwrap_or_default()
    }
}

fn enum_key<T: sea_orm::ActiveEnum<Value = String>>(v: &T) -> String {
    v.to_value()
}

/// The Swedish name of a group kind, as the documents say it.
fn group_kind_label(kind: GroupKind) -> &'static str {
    match kind {
        GroupKind::Sspf => "SSPF",
        GroupKind::Sig => "SIG",
        GroupKind::OperativeBra => "Operativt BRÅ",
        GroupKind::LocalBra => "Lokalt BRÅ",
        GroupKind::Bus => "BUS",
        GroupKind::YouthDeployment => "Ungdomsutsättning",
        GroupKind::PlaceBased => "Platssamverkan",
        GroupKind::SafetyWalk => "Trygghetsvandring",
        GroupKind::DomesticViolence => "Våld i nära relation",
        GroupKind::LocalAgreement => "Lokal samverkansöverenskommelse",
        GroupKind::Other => "Övrigt",
    }
}

/// The Swedish name of an organization kind.
fn organization_kind_label(kind: OrganizationKind) -> &'static str {
    match kind {
        OrganizationKind::DistrictAdministration => "Stadsdelsförvaltning",
        OrganizationKind::Police => "Polis",
        OrganizationKind::Education => "Skola och utbildning",
        OrganizationKind::CityAdministration => "Stadsövergripande förvaltning",
        OrganizationKind::Region => "Region",
        OrganizationKind::HousingCompany => "Bostadsbolag",
        OrganizationKind::Transit => "Kollektivtrafik",
        OrganizationKind::SecurityCompany => "Bevakningsföretag",
        OrganizationKind::CivilSociety => "Civilsamhälle",
        OrganizationKind::Business => "Näringsliv",
        OrganizationKind::Other => "Övrigt",
    }
}

/// Compute the coverage matrix.
pub async fn coverage(db: &DatabaseConnection, q: &CoverageQuery) -> AppResult<Coverage> {
    let measure = q.measure.unwrap_or(q.dimension.default_measure());
    check(q.dimension, measure)?;

    let mut districts = district::Entity::find().order_by_asc(district::Column::Id);
    if let Some(ids) = &q.districts {
        districts = districts.filter(district::Column::Id.is_in(ids.clone()));
    }
    if let Some(m) = q.municipality {
        districts = districts.filter(district::Column::MunicipalityId.eq(m));
    }
    let districts = districts.all(db).await?;

    // Columns: (key, label) plus, for entities, the row id the facts name.
    let columns: Vec<(Key, Option<i32>)> = match q.dimension {
        Dimension::GroupKind => GroupKind::iter()
            .map(|k| {
                let key = Key {
                    key: enum_key(&k),
                    label: group_kind_label(k).to_owned(),
                };
                (key, None)
            })
            .collect(),
        Dimension::OrganizationKind => OrganizationKind::iter()
            .map(|k| {
                let key = Key {
                    key: enum_key(&k),
                    label: organization_kind_label(k).to_owned(),
                };
                (key, None)
            })
            .collect(),
        Dimension::PriorityArea => {
            let mut s = priority_area::Entity::find()
                .order_by_asc(priority_area::Column::StrategyId)
                .order_by_asc(priority_area::Column::Position);
            if let Some(strategy) = q.strategy {
                s = s.filter(priority_area::Column::StrategyId.eq(strategy));
            }
            s.all(db)
                .await?
                .into_iter()
                .map(|p| {
                    (
                        Key {
                            key: p.slug,
                            label: p.name,
                        },
                        Some(p.id),
                    )
                })
                .collect()
        }
        Dimension::FocusArea => {
            let mut s = focus_area::Entity::find()
                .order_by_asc(focus_area::Column::PriorityAreaId)
                .order_by_asc(focus_area::Column::Position);
            if let Some(strategy) = q.strategy {
                s = s.filter(
                    focus_area::Column::PriorityAreaId.in_subquery(
                        Query::select()
                            .column(priority_area::Column::Id)
                            .from(priority_area::Entity)
                            .and_where(Expr::col(priority_area::Column::StrategyId).eq(strategy))
                            .to_owned(),
                    ),
                );
            }
            s.all(db)
                .await?
                .into_iter()
                .map(|f| {
                    (
                        Key {
                            key: f.slug,
                            label: f.name,
                        },
                        Some(f.id),
                    )
                })
                .collect()
        }
        Dimension::Method => method::Entity::find()
            .order_by_asc(method::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|m| {
                let label = match &m.abbreviation {
                    Some(a) if a != &m.name => format!("{} ({a})", m.name),
                    _ => m.name.clone(),
                };
                (Key { key: m.slug, label }, Some(m.id))
            })
            .collect(),
        Dimension::Organization => {
            let mut s = organization::Entity::find().order_by_asc(organization::Column::Id);
            if let Some(kind) = q.organization_kind {
                s = s.filter(organization::Column::Kind.eq(kind));
            }
            s.all(db)
                .await?
                .into_iter()
                .map(|o| {
                    (
                        Key {
                            key: o.slug,
                            label: o.name,
                        },
                        Some(o.id),
                    )
                })
                .collect()
        }
        Dimension::TargetGroup => target_group_columns(db).await?,
    };

    check_size(columns.len(), districts.len())?;
    let district_ids: HashSet<i32> = districts.iter().map(|d| d.id).collect();
    let mut stmt = facts(q.dimension, measure);
    if q.districts.is_some() || q.municipality.is_some() {
        // Fetch only the facts of the districts asked about.
        let f = Alias::new("f");
        stmt = Query::select()
            .column(sea_orm::sea_query::Asterisk)
            .from_subquery(stmt, f.clone())
            .and_where(Expr::col((f, Alias::new("d"))).is_in(district_ids.iter().copied()))
            .to_owned();
    }
    // Labels are lower-cased here, not in SQL (SQLite lowers ASCII only), so the facts
    // come one by one and the counts are made from distinct items.
    let with_items = q.with_items || q.dimension == Dimension::TargetGroup;
    if !with_items {
        // Counts only: aggregate in the database, one row per non-empty cell.
        let g = Alias::new("g");
        stmt = Query::select()
            .expr_as(Expr::col((g.clone(), Alias::new("d"))), Alias::new("d"))
            .expr_as(Expr::col((g.clone(), Alias::new("k"))), Alias::new("k"))
            .expr_as(
                if facts_are_distinct(q.dimension, measure) {
                    // Each item appears once: a plain count lets the database hash the
                    // groups instead of sorting every fact.
                    Expr::col((g.clone(), Alias::new("i"))).count()
                } else {
                    Expr::col((g.clone(), Alias::new("i"))).count_distinct()
                },
                Alias::new("n"),
            )
            .from_subquery(stmt, g.clone())
            .group_by_col((g.clone(), Alias::new("d")))
            .group_by_col((g, Alias::new("k")))
            .to_owned();
    }
    let backend = db.get_database_backend();
    // Streamed, not collected: a national matrix has tens of thousands of rows, and
    // holding them all at once would cost every concurrent request megabytes.
    let mut rows = db.stream_raw(backend.build(&stmt)).await?;
    let by_entity: BTreeMap<i32, usize> = columns
        .iter()
        .enumerate()
        .filter_map(|(i, (_, id))| id.map(|id| (id, i)))
        .collect();
    // Following the line: the predecessors' areas, each with the columns continuing it.
    let inherited = match (q.follow_lineage, q.strategy, q.dimension) {
        (true, Some(_), Dimension::PriorityArea | Dimension::FocusArea) => {
            lineage_columns(db, q.dimension, &by_entity).await?
        }
        _ => BTreeMap::new(),
    };
    let by_enum: BTreeMap<&str, usize> = columns
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (k.key.as_str(), i))
        .collect();
    let mut cells: BTreeMap<(i32, usize), (u64, Vec<i32>)> = BTreeMap::new();
    while let Some(row) = rows.try_next().await? {
        let d: i32 = row.try_get("", "d")?;
        if !district_ids.contains(&d) {
            continue;
        }
        let column = match q.dimension {
            Dimension::GroupKind | Dimension::OrganizationKind => {
                let k: String = row.try_get("", "k")?;
                by_enum.get(k.as_str()).copied()
            }
            Dimension::TargetGroup => {
                let k: String = row.try_get("", "k")?;
                by_enum.get(target_group_key(&k).as_str()).copied()
            }
            _ => {
                let k: i32 = row.try_get("", "k")?;
                match by_entity.get(&k) {
                    Some(c) => Some(*c),
                    None => {
                        // A predecessor's area: under every column that continues it.
                        if let Some(columns) = inherited.get(&k) {
                            for column in columns {
                                add_fact(&mut cells, &row, d, *column, with_items)?;
                            }
                        }
                        None
                    }
                }
            }
        };
        let Some(column) = column else { continue };
        add_fact(&mut cells, &row, d, column, with_items)?;
    }
    if with_items {
        for (n, items) in cells.values_mut() {
            items.sort_unstable();
            items.dedup();
            *n = items.len() as u64;
            if !q.with_items {
                items.clear();
            }
        }
    }
    Ok(Coverage {
        dimension: q.dimension,
        measure,
        keys: columns.into_iter().map(|(k, _)| k).collect(),
        districts,
        cells,
    })
}

/// Count one fact row (an item, or a count of items) into the cell of `district` ×
/// `column`.
fn add_fact(
    cells: &mut BTreeMap<(i32, usize), (u64, Vec<i32>)>,
    row: &sea_orm::QueryResult,
    district: i32,
    column: usize,
    with_items: bool,
) -> AppResult<()> {
    let cell = cells.entry((district, column)).or_default();
    if with_items {
        cell.1.push(row.try_get("", "i")?);
    } else {
        let n: i64 = row.try_get("", "n")?;
        cell.0 += u64::try_from(n).unwrap_or_default();
    }
    Ok(())
}

/// For the area dimensions: every area that an area of the columns continues, directly
/// or through a chain (2024–2026 continues 2019–2022, which continues …), mapped to the
/// columns that continue it. One statement: the areas that continue another.
async fn lineage_columns(
    db: &DatabaseConnection,
    dimension: Dimension,
    by_entity: &BTreeMap<i32, usize>,
) -> AppResult<BTreeMap<i32, Vec<usize>>> {
    let continues: BTreeMap<i32, i32> = if dimension == Dimension::PriorityArea {
        priority_area::Entity::find()
            .filter(priority_area::Column::ContinuesId.is_not_null())
            .all(db)
            .await?
            .into_iter()
            .filter_map(|a| a.continues_id.map(|c| (a.id, c)))
            .collect()
    } else {
        focus_area::Entity::find()
            .filter(focus_area::Column::ContinuesId.is_not_null())
            .all(db)
            .await?
            .into_iter()
            .filter_map(|a| a.continues_id.map(|c| (a.id, c)))
            .collect()
    };
    Ok(inherit(&continues, by_entity))
}

/// The ancestors of each column's area along `continues` (area → the area it
/// continues), each with the columns descending from it; a cycle ends the walk.
fn inherit(
    continues: &BTreeMap<i32, i32>,
    by_entity: &BTreeMap<i32, usize>,
) -> BTreeMap<i32, Vec<usize>> {
    let mut out: BTreeMap<i32, Vec<usize>> = BTreeMap::new();
    for (&area, &column) in by_entity {
        let mut seen = HashSet::from([area]);
        let mut at = area;
        while let Some(&older) = continues.get(&at) {
            if !seen.insert(older) || by_entity.contains_key(&older) {
                break;
            }
            let columns = out.entry(older).or_default();
            if !columns.contains(&column) {
                columns.push(column);
            }
            at = older;
        }
    }
    out
}

/// Refuse a matrix larger than [`MAX_CELLS`].
fn check_size(keys: usize, districts: usize) -> AppResult<()> {
    let size = keys.saturating_mul(districts);
    if size > MAX_CELLS {
        return Err(AppError::bad_input(
            "dimension",
            format!(
                "the matrix would have {size} cells (at most {MAX_CELLS}): narrow it with districts, municipality, strategy or organizationKind"
            ),
        ));
    }
    Ok(())
}

fn check(dimension: Dimension, measure: Measure) -> AppResult<()> {
    use Dimension as D;
    use Measure as M;
    let ok = matches!(
        (dimension, measure),
        (D::GroupKind, M::Groups | M::Participations | M::Commitments)
            | (
                D::PriorityArea | D::FocusArea | D::Method | D::TargetGroup,
                M::Activities
            )
            | (
                D::OrganizationKind | D::Organization,
                M::Participations | M::Commitments | M::Activities
            )
    );
    if ok {
        Ok(())
    } else {
        Err(AppError::bad_input(
            "measure",
            format!("{measure:?} cannot be counted by {dimension:?}"),
        ))
    }
}

/// One statement selecting `d` (district id), `k` (key) and `i` (item id).
fn facts(dimension: Dimension, measure: Measure) -> SelectStatement {
    let (d, k, i) = (Alias::new("d"), Alias::new("k"), Alias::new("i"));
    let g = collaboration_group::Entity;
    let live = Expr::col((g, collaboration_group::Column::ArchivedAt)).is_null();
    let mut q = Query::select();
    match (dimension, measure) {
        // A group counts under each of its kinds (see `group_kinds`).
        (Dimension::GroupKind, Measure::Groups) => {
            let gk = Alias::new("gk");
            q.expr_as(Expr::col((g, collaboration_group::Column::DistrictId)), d)
                .expr_as(Expr::col((gk.clone(), Alias::new("kind"))), k)
                .expr_as(Expr::col((g, collaboration_group::Column::Id)), i)
                .from(g)
                .join_subquery(
                    sea_orm::JoinType::InnerJoin,
                    group_kinds(),
                    gk.clone(),
                    Expr::col((gk, Alias::new("group_id")))
                        .equals((g, collaboration_group::Column::Id)),
                )
                .and_where(live);
        }
        (Dimension::GroupKind, Measure::Participations | Measure::Commitments) => {
            let (table, group_col, id_col) = seat_or_promise(measure);
            let gk = Alias::new("gk");
            q.expr_as(Expr::col((g, collaboration_group::Column::DistrictId)), d)
                .expr_as(Expr::col((gk.clone(), Alias::new("kind"))), k)
                .expr_as(Expr::col((table.clone(), id_col)), i)
                .from(table.clone())
                .inner_join(
                    g,
                    Expr::col((g, collaboration_group::Column::Id)).equals((table, group_col)),
                )
                .join_subquery(
                    sea_orm::JoinType::InnerJoin,
                    group_kinds(),
                    gk.clone(),
                    Expr::col((gk, Alias::new("group_id")))
                        .equals((g, collaboration_group::Column::Id)),
                )
                .and_where(live);
        }
        (Dimension::PriorityArea | Dimension::FocusArea, _) => {
            let key = if dimension == Dimension::PriorityArea {
                activity::Column::PriorityAreaId
            } else {
                activity::Column::FocusAreaId
            };
            q.expr_as(
                Expr::col((action_plan::Entity, action_plan::Column::DistrictId)),
                d,
            )
            .expr_as(Expr::col((activity::Entity, key)), k)
            .expr_as(Expr::col((activity::Entity, activity::Column::Id)), i)
            .from(activity::Entity)
            .inner_join(
                action_plan::Entity,
                Expr::col((action_plan::Entity, action_plan::Column::Id))
                    .equals((activity::Entity, activity::Column::ActionPlanId)),
            )
            .and_where(Expr::col((activity::Entity, key)).is_not_null());
        }
        (Dimension::Method, _) => {
            q.expr_as(
                Expr::col((action_plan::Entity, action_plan::Column::DistrictId)),
                d,
            )
            .expr_as(
                Expr::col((activity_method::Entity, activity_method::Column::MethodId)),
                k,
            )
            .expr_as(Expr::col((activity::Entity, activity::Column::Id)), i)
            .from(activity_method::Entity)
            .inner_join(
                activity::Entity,
                Expr::col((activity::Entity, activity::Column::Id))
                    .equals((activity_method::Entity, activity_method::Column::ActivityId)),
            )
            .inner_join(
                action_plan::Entity,
                Expr::col((action_plan::Entity, action_plan::Column::Id))
                    .equals((activity::Entity, activity::Column::ActionPlanId)),
            );
        }
        (Dimension::OrganizationKind | Dimension::Organization, Measure::Activities) => {
            let key = org_key(dimension);
            q.expr_as(
                Expr::col((action_plan::Entity, action_plan::Column::DistrictId)),
                d,
            )
            .expr_as(Expr::col((organization::Entity, key)), k)
            .expr_as(Expr::col((activity::Entity, activity::Column::Id)), i)
            .from(responsibility::Entity)
            .inner_join(
                activity::Entity,
                Expr::col((activity::Entity, activity::Column::Id))
                    .equals((responsibility::Entity, responsibility::Column::ActivityId)),
            )
            .inner_join(
                action_plan::Entity,
                Expr::col((action_plan::Entity, action_plan::Column::Id))
                    .equals((activity::Entity, activity::Column::ActionPlanId)),
            )
            .inner_join(
                organization::Entity,
                Expr::col((organization::Entity, organization::Column::Id)).equals((
                    responsibility::Entity,
                    responsibility::Column::OrganizationId,
                )),
            );
        }
        (Dimension::OrganizationKind | Dimension::Organization, _) => {
            let key = org_key(dimension);
            let (table, group_col, id_col) = seat_or_promise(measure);
            let org_col = Alias::new("organization_id");
            q.expr_as(Expr::col((g, collaboration_group::Column::DistrictId)), d)
                .expr_as(Expr::col((organization::Entity, key)), k)
                .expr_as(Expr::col((table.clone(), id_col)), i)
                .from(table.clone())
                .inner_join(
                    g,
                    Expr::col((g, collaboration_group::Column::Id))
                        .equals((table.clone(), group_col)),
                )
                .inner_join(
                    organization::Entity,
                    Expr::col((organization::Entity, organization::Column::Id))
                        .equals((table, org_col)),
                )
                .and_where(live);
        }
        (Dimension::TargetGroup, _) => {
            q.expr_as(
                Expr::col((action_plan::Entity, action_plan::Column::DistrictId)),
                d,
            )
            .expr_as(
                Expr::col((target_group::Entity, target_group::Column::Label)),
                k,
            )
            .expr_as(Expr::col((activity::Entity, activity::Column::Id)), i)
            .from(target_group::Entity)
            .inner_join(
                activity::Entity,
                Expr::col((activity::Entity, activity::Column::Id))
                    .equals((target_group::Entity, target_group::Column::ActivityId)),
            )
            .inner_join(
                action_plan::Entity,
                Expr::col((action_plan::Entity, action_plan::Column::Id))
                    .equals((activity::Entity, activity::Column::ActionPlanId)),
            )
            .and_where(
                Expr::col((action_plan::Entity, action_plan::Column::DistrictId)).is_not_null(),
            );
        }
        // Rejected by `check`; select nothing.
        _ => {
            q.expr_as(Expr::val(0), d)
                .expr_as(Expr::val(0), k)
                .expr_as(Expr::val(0), i)
                .and_where(Expr::val(1).eq(0));
        }
    }
    q.to_owned()
}

/// Every (group, kind) pair: a group's `kind` and each of its kind rows, once each
/// (`UNION` removes the repeats), as `group_id`, `kind`. A group counts under every kind
/// it is of, and a group written without kind rows still under its `kind`.
fn group_kinds() -> SelectStatement {
    let (group_id, kind) = (Alias::new("group_id"), Alias::new("kind"));
    Query::select()
        .expr_as(Expr::col(collaboration_group::Column::Id), group_id.clone())
        .expr_as(Expr::col(collaboration_group::Column::Kind), kind.clone())
        .from(collaboration_group::Entity)
        .union(
            sea_orm::sea_query::UnionType::Distinct,
            Query::select()
                .expr_as(
                    Expr::col(collaboration_group_kind::Column::CollaborationGroupId),
                    group_id,
                )
                .expr_as(Expr::col(collaboration_group_kind::Column::Kind), kind)
                .from(collaboration_group_kind::Entity)
                .to_owned(),
        )
        .to_owned()
}

/// Whether [`facts`] names each (district, key, item) at most once: every item has one
/// district and each of its keys once (a group's kinds come once each), except an
/// activity for an organization, which may carry several responsibilities for it.
fn facts_are_distinct(dimension: Dimension, measure: Measure) -> bool {
    !matches!(
        (dimension, measure),
        (
            Dimension::OrganizationKind | Dimension::Organization,
            Measure::Activities
        )
    )
}

// --- Issue 14: the TARGET_GROUP dimension (helper `targets`) -----------------------------

/// The column key of a target-group label: the label as written, trimmed and lower-cased
/// ("Unga vuxna" and "unga vuxna" are one column).
fn target_group_key(label: &str) -> String {
    label.trim().to_lowercase()
}

/// The columns of TARGET_GROUP: every label present (one statement), lower-cased, in
/// alphabetical order; the key is also the label.
async fn target_group_columns(db: &DatabaseConnection) -> AppResult<Vec<(Key, Option<i32>)>> {
    use sea_orm::QuerySelect;
    let labels: Vec<String> = target_group::Entity::find()
        .select_only()
        .column(target_group::Column::Label)
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    let keys: std::collections::BTreeSet<String> =
        labels.iter().map(|l| target_group_key(l)).collect();
    Ok(keys
        .into_iter()
        .map(|k| {
            (
                Key {
                    key: k.clone(),
                    label: k,
                },
                None,
            )
        })
        .collect())
}

fn org_key(dimension: Dimension) -> organization::Column {
    if dimension == Dimension::OrganizationKind {
        organization::Column::Kind
    } else {
        organization::Column::Id
    }
}

/// The table (participation or commitment) and its group and id columns.
fn seat_or_promise(measure: Measure) -> (Alias, Alias, Alias) {
    let table = if measure == Measure::Commitments {
        commitment::Entity.table_name()
    } else {
        participation::Entity.table_name()
    };
    (Alias::new(table), Alias::new("group_id"), Alias::new("id"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_the_documents_words() {
        assert_eq!(group_kind_label(GroupKind::OperativeBra), "Operativt BRÅ");
        assert_eq!(enum_key(&GroupKind::OperativeBra), "OPERATIVE_BRA");
    }

    #[test]
    fn a_matrix_has_a_bounded_size() {
        assert!(check_size(11, 3000).is_ok());
        assert!(check_size(6000, 3000).is_err());
    }

    #[test]
    fn lineage_maps_older_areas_to_the_areas_continuing_them() {
        // 30 continues 20, which continues 10; 31 continues 20 too; 40 stands alone.
        let continues = BTreeMap::from([(30, 20), (20, 10), (31, 20), (5, 5)]);
        let columns = BTreeMap::from([(30, 0), (31, 1), (40, 2), (5, 3)]);
        let inherited = inherit(&continues, &columns);
        assert_eq!(inherited.get(&20), Some(&vec![0, 1]));
        assert_eq!(inherited.get(&10), Some(&vec![0, 1]));
        assert_eq!(inherited.len(), 2);
    }

    #[test]
    fn measures_fit_dimensions() {
        assert!(check(Dimension::GroupKind, Measure::Activities).is_err());
        assert!(check(Dimension::Method, Measure::Activities).is_ok());
        assert!(check(Dimension::Organization, Measure::Commitments).is_ok());
    }
}
