//! The big lists of a coverage matrix — its rows, each row's cells and its gaps — and
//! the fast path that answers them.
//!
//! A national matrix has ~3,000 rows, ~33,000 cells and ~30,000 gaps. Resolved the
//! generic way, async-graphql runs a future per object and per field and hands every
//! field to the extensions: most of a coverage request's time and memory went there.
//! So the three lists are their own output types: when a list's selection asks only for
//! plain fields this module knows (`key`, `count`, `total`, `__typename`, and the
//! district's `id`, `slug` and `name`), the list's `Value` is built directly in one
//! loop, with one shared [`Name`] per response key and per key string. Anything else — a
//! cell's `items`, a district's relations, a directive other than `@skip`/`@include`
//! (those are applied before execution), a fragment on a type it does not know — is
//! answered by the generic resolvers, list by list: a row list that asks for a
//! district's `municipality` is resolved generically, and its cell lists still take the
//! fast path. Both paths give the same JSON (tests/api/reports.rs compares them).
//!
//! The plans are made by the helpers of [`crate::graphql::plain`] (see there for how
//! they mirror async-graphql's handling of a selection set).

use std::collections::BTreeMap;
use std::sync::Arc;

use async_graphql::parser::types::{Field, SelectionSet};
use async_graphql::resolver_utils::resolve_list;
use async_graphql::{ContextSelectionSet, Name, Positioned, ServerResult, Value};
use entity::district;
use tokio::sync::OwnedSemaphorePermit;

use super::super::ids::{NodeType, encode};
use super::super::plain::{Raw, leaf_plan, list_type, object, raw_plan, type_name_value};
use super::super::raw::RawJson;
use super::{CoverageCell, CoverageGap, CoverageRow, District};
use crate::services::coverage;

/// A computed coverage matrix, shared by its rows, cells and gaps.
#[derive(Debug)]
pub struct Matrix {
    /// What the cells count.
    pub(super) measure: coverage::Measure,
    /// The columns' keys, in order, as shared strings.
    pub(super) keys: Vec<Name>,
    /// The rows' districts, in order.
    pub(super) districts: Vec<district::Model>,
    /// Counts, row after row: `counts[row * keys.len() + key]`.
    counts: Vec<u64>,
    /// The sum of each row.
    row_totals: Vec<u64>,
    /// The items behind each non-empty cell, by (district id, key index) (empty unless
    /// asked for).
    items: BTreeMap<(i32, usize), (u64, Vec<i32>)>,
    /// The empty cells, row after row: (row, key index).
    gaps: Vec<(u32, u32)>,
    /// Response keys the coverage's selection asks for more than once: async-graphql
    /// merges such answers, so they must be values, not pre-written JSON.
    repeated: Vec<String>,
    /// Held while the matrix lives: bounds how many big matrices exist at once.
    _permit: Option<OwnedSemaphorePermit>,
}

impl Matrix {
    /// Lay out a computed coverage densely; `repeated` are the response keys the
    /// coverage's selection names more than once; `permit` is released with the matrix.
    pub fn new(
        m: coverage::Coverage,
        repeated: Vec<String>,
        permit: Option<OwnedSemaphorePermit>,
    ) -> Self {
        let width = m.keys.len();
        let mut counts = Vec::with_capacity(m.districts.len() * width);
        let mut row_totals = Vec::with_capacity(m.districts.len());
        let mut gaps = Vec::new();
        for (row, d) in m.districts.iter().enumerate() {
            let mut total = 0;
            for key in 0..width {
                let n = m.count(d.id, key);
                if n == 0 {
                    gaps.push((row as u32, key as u32));
                }
                total += n;
                counts.push(n);
            }
            row_totals.push(total);
        }
        Self {
            measure: m.measure,
            keys: m.keys.iter().map(|k| Name::new(&k.key)).collect(),
            districts: m.districts,
            counts,
            row_totals,
            items: m.cells,
            gaps,
            repeated,
            _permit: permit,
        }
    }

    /// The count of one cell.
    pub(super) fn count(&self, row: usize, key: usize) -> u64 {
        self.counts
            .get(row * self.keys.len() + key)
            .copied()
            .unwrap_or_default()
    }

    /// The key of one column.
    pub(super) fn key(&self, key: usize) -> &str {
        self.keys.get(key).map_or("", |k| k.as_str())
    }

    /// The items of one cell (empty unless asked for).
    pub(super) fn items(&self, row: usize, key: usize) -> &[i32] {
        self.districts
            .get(row)
            .and_then(|d| self.items.get(&(d.id, key)))
            .map(|(_, items)| items.as_slice())
            .unwrap_or_default()
    }

    /// The district of one row.
    pub(super) fn district(&self, row: usize) -> async_graphql::Result<District> {
        self.districts
            .get(row)
            .cloned()
            .map(District)
            .ok_or_else(|| async_graphql::Error::new("no such row of the coverage matrix"))
    }

    /// The sum of one row.
    pub(super) fn row_total(&self, row: usize) -> u64 {
        self.row_totals.get(row).copied().unwrap_or_default()
    }

    /// The sum of each column.
    pub(super) fn column_totals(&self) -> Vec<u64> {
        let mut totals = vec![0; self.keys.len()];
        for row in self.counts.chunks(self.keys.len().max(1)) {
            for (t, n) in totals.iter_mut().zip(row) {
                *t += n;
            }
        }
        totals
    }

    /// Where `field`'s list may be spliced in as pre-written JSON: the HTTP transport
    /// offers it, and no other occurrence of the response key is to be merged with it.
    fn splice<'a>(
        &self,
        ctx: &'a ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> Option<&'a RawJson> {
        let key = field.node.response_key().node.as_str();
        if self.repeated.iter().any(|r| r == key) {
            return None;
        }
        ctx.data_opt::<RawJson>()
    }

    /// The number of rows.
    fn rows(&self) -> usize {
        self.districts.len()
    }
}

/// Every row of a coverage matrix (GraphQL `[CoverageRow!]!`).
#[derive(Debug, Clone)]
pub struct CoverageRows(pub Arc<Matrix>);

/// The cells of one row (GraphQL `[CoverageCell!]!`).
#[derive(Debug, Clone)]
pub struct CoverageCells {
    /// The matrix.
    pub matrix: Arc<Matrix>,
    /// The row.
    pub row: usize,
}

/// Every gap of a coverage matrix (GraphQL `[CoverageGap!]!`).
#[derive(Debug, Clone)]
pub struct CoverageGaps(pub Arc<Matrix>);

list_type!(CoverageRows, CoverageRow);
list_type!(CoverageCells, CoverageCell);
list_type!(CoverageGaps, CoverageGap);

impl CoverageRows {
    async fn answer(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        let m = &self.0;
        if let Some(plan) = row_plan(ctx, &ctx.item.node) {
            if let Some(raw) = m.splice(ctx, field) {
                return Ok(raw.placeholder(json::rows(&plan, m)));
            }
            let typename = type_name_value::<CoverageRow>();
            let cell_typename = type_name_value::<CoverageCell>();
            let rows = m
                .districts
                .iter()
                .enumerate()
                .map(|(row, d)| {
                    object(&plan, |f| match f {
                        RowField::Typename => typename.clone(),
                        RowField::Total => Value::from(m.row_total(row)),
                        RowField::District(p) => district_object(p, d),
                        RowField::Cells(p) => cells_list(p, &cell_typename, m, row),
                    })
                })
                .collect();
            return Ok(Value::List(rows));
        }
        let rows = (0..m.rows()).map(|row| CoverageRow {
            matrix: m.clone(),
            row,
        });
        resolve_list(ctx, field, rows, Some(m.rows())).await
    }
}

impl CoverageCells {
    async fn answer(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        let m = &self.matrix;
        if let Some(plan) = cell_plan(ctx, [&ctx.item.node]) {
            let typename = type_name_value::<CoverageCell>();
            return Ok(cells_list(&plan, &typename, m, self.row));
        }
        let cells = (0..m.keys.len()).map(|key| CoverageCell {
            matrix: m.clone(),
            row: self.row,
            key,
        });
        resolve_list(ctx, field, cells, Some(m.keys.len())).await
    }
}

impl CoverageGaps {
    async fn answer(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        let m = &self.0;
        if let Some(plan) = gap_plan(ctx, &ctx.item.node) {
            if let Some(raw) = m.splice(ctx, field) {
                return Ok(raw.placeholder(json::gaps(&plan, m)));
            }
            let typename = type_name_value::<CoverageGap>();
            // A district has ~10 gaps, one after another: build its objects once and
            // share them (their strings are shared too).
            let mut cached: Vec<Option<Value>> = Vec::new();
            let mut cached_row = usize::MAX;
            let mut gaps = Vec::with_capacity(m.gaps.len());
            for &(row, key) in &m.gaps {
                let (row, key) = (row as usize, key as usize);
                let (Some(d), Some(name)) = (m.districts.get(row), m.keys.get(key)) else {
                    continue;
                };
                if row != cached_row {
                    cached = vec![None; plan.len()];
                    cached_row = row;
                }
                let mut i = 0;
                gaps.push(object(&plan, |f| {
                    let value = match f {
                        GapField::Typename => typename.clone(),
                        GapField::Key => Value::Enum(name.clone()),
                        GapField::District(p) => match cached.get_mut(i) {
                            Some(slot) => slot.get_or_insert_with(|| district_object(p, d)).clone(),
                            None => district_object(p, d),
                        },
                    };
                    i += 1;
                    value
                }));
            }
            return Ok(Value::List(gaps));
        }
        let gaps = m.gaps.iter().map(|&(row, key)| CoverageGap {
            matrix: m.clone(),
            row: row as usize,
            key: key as usize,
        });
        resolve_list(ctx, field, gaps, Some(m.gaps.len())).await
    }
}

/// The same answers written straight as JSON text (see [`super::super::raw`]): what the
/// `Value` builders above would serialise to, byte for byte.
mod json {
    use async_graphql::{Name, OutputType};
    use entity::district;

    use super::super::super::ids::{NodeType, encode};
    use super::super::super::raw::write_str;
    use super::{CellField, DistrictField, GapField, Matrix, RowField};
    use crate::graphql::reports::{CoverageCell, CoverageGap, CoverageRow, District};

    fn write_u64(out: &mut Vec<u8>, n: u64) {
        let _ = serde_json::to_writer(&mut *out, &n);
    }

    /// An object with the plan's fields (`{}` when every field was skipped).
    fn object<F>(out: &mut Vec<u8>, plan: &[(Name, F)], mut value: impl FnMut(&mut Vec<u8>, &F)) {
        out.push(b'{');
        for (i, (key, f)) in plan.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_str(out, key.as_str());
            out.push(b':');
            value(out, f);
        }
        out.push(b'}');
    }

    fn district_object(out: &mut Vec<u8>, plan: &[(Name, DistrictField)], d: &district::Model) {
        object(out, plan, |out, f| match f {
            DistrictField::Typename => write_str(out, &District::type_name()),
            DistrictField::Id => write_str(out, &encode(NodeType::District, d.id).0),
            DistrictField::Slug => write_str(out, &d.slug),
            DistrictField::Name => write_str(out, &d.name),
        });
    }

    fn cells(
        out: &mut Vec<u8>,
        plan: &[(Name, CellField)],
        typename: &str,
        m: &Matrix,
        row: usize,
    ) {
        out.push(b'[');
        for (key, name) in m.keys.iter().enumerate() {
            if key > 0 {
                out.push(b',');
            }
            object(out, plan, |out, f| match f {
                CellField::Typename => write_str(out, typename),
                CellField::Key => write_str(out, name.as_str()),
                CellField::Count => write_u64(out, m.count(row, key)),
            });
        }
        out.push(b']');
    }

    /// Every row.
    pub(super) fn rows(plan: &[(Name, RowField)], m: &Matrix) -> Vec<u8> {
        let typename = CoverageRow::type_name();
        let cell_typename = CoverageCell::type_name();
        let mut out = Vec::with_capacity(64 + m.rows() * (64 + m.keys.len() * 32));
        out.push(b'[');
        for (row, d) in m.districts.iter().enumerate() {
            if row > 0 {
                out.push(b',');
            }
            object(&mut out, plan, |out, f| match f {
                RowField::Typename => write_str(out, &typename),
                RowField::Total => write_u64(out, m.row_total(row)),
                RowField::District(p) => district_object(out, p, d),
                RowField::Cells(p) => cells(out, p, &cell_typename, m, row),
            });
        }
        out.push(b']');
        out
    }

    /// Every gap.
    pub(super) fn gaps(plan: &[(Name, GapField)], m: &Matrix) -> Vec<u8> {
        let typename = CoverageGap::type_name();
        let mut out = Vec::with_capacity(64 + m.gaps.len() * 64);
        // A district has ~10 gaps: write each of its objects once, copy the bytes.
        let mut cached: Vec<Option<Vec<u8>>> = Vec::new();
        let mut cached_row = usize::MAX;
        out.push(b'[');
        let mut first = true;
        for &(row, key) in &m.gaps {
            let (row, key) = (row as usize, key as usize);
            let (Some(d), Some(name)) = (m.districts.get(row), m.keys.get(key)) else {
                continue;
            };
            if !first {
                out.push(b',');
            }
            first = false;
            if row != cached_row {
                cached = vec![None; plan.len()];
                cached_row = row;
            }
            let mut i = 0;
            object(&mut out, plan, |out, f| {
                match f {
                    GapField::Typename => write_str(out, &typename),
                    GapField::Key => write_str(out, name.as_str()),
                    GapField::District(p) => match cached.get_mut(i) {
                        Some(slot) => {
                            let bytes = slot.get_or_insert_with(|| {
                                let mut b = Vec::new();
                                district_object(&mut b, p, d);
                                b
                            });
                            out.extend_from_slice(bytes);
                        }
                        None => district_object(out, p, d),
                    },
                }
                i += 1;
            });
        }
        out.push(b']');
        out
    }
}

/// One row's cells.
fn cells_list(plan: &[(Name, CellField)], typename: &Value, m: &Matrix, row: usize) -> Value {
    Value::List(
        m.keys
            .iter()
            .enumerate()
            .map(|(key, name)| {
                object(plan, |f| match f {
                    CellField::Typename => typename.clone(),
                    // An enum value is written as a JSON string: the key's text is shared,
                    // not copied per cell.
                    CellField::Key => Value::Enum(name.clone()),
                    CellField::Count => Value::from(m.count(row, key)),
                })
            })
            .collect(),
    )
}

/// A district's object. Its strings are enum values (written as JSON strings, shared
/// when the object is copied).
fn district_object(plan: &[(Name, DistrictField)], d: &district::Model) -> Value {
    object(plan, |f| match f {
        DistrictField::Typename => type_name_value::<District>(),
        DistrictField::Id => Value::Enum(Name::new(encode(NodeType::District, d.id).0)),
        DistrictField::Slug => Value::Enum(Name::new(&d.slug)),
        DistrictField::Name => Value::Enum(Name::new(&d.name)),
    })
}

/// A plain field of a cell.
#[derive(Debug, Clone, Copy)]
enum CellField {
    Typename,
    Key,
    Count,
}

/// A plain field of a district.
#[derive(Debug, Clone, Copy)]
enum DistrictField {
    Typename,
    Id,
    Slug,
    Name,
}

/// A field of a row the fast path answers.
#[derive(Debug)]
enum RowField {
    Typename,
    Total,
    District(Vec<(Name, DistrictField)>),
    Cells(Vec<(Name, CellField)>),
}

/// A field of a gap the fast path answers.
#[derive(Debug)]
enum GapField {
    Typename,
    Key,
    District(Vec<(Name, DistrictField)>),
}

/// The plan of a list of cells, or `None` for the generic path.
fn cell_plan<'a>(
    ctx: &ContextSelectionSet<'a>,
    sets: impl IntoIterator<Item = &'a SelectionSet>,
) -> Option<Vec<(Name, CellField)>> {
    leaf_plan(ctx, sets, "CoverageCell", |name| match name {
        "__typename" => Some(CellField::Typename),
        "key" => Some(CellField::Key),
        "count" => Some(CellField::Count),
        _ => None,
    })
}

/// The plan of a district object, or `None` for the generic path.
fn district_plan<'a>(
    ctx: &ContextSelectionSet<'a>,
    sets: impl IntoIterator<Item = &'a SelectionSet>,
) -> Option<Vec<(Name, DistrictField)>> {
    leaf_plan(ctx, sets, "District", |name| match name {
        "__typename" => Some(DistrictField::Typename),
        "id" => Some(DistrictField::Id),
        "slug" => Some(DistrictField::Slug),
        "name" => Some(DistrictField::Name),
        _ => None,
    })
}

/// The plan of a list of rows, or `None` for the generic path.
fn row_plan<'a>(
    ctx: &ContextSelectionSet<'a>,
    set: &'a SelectionSet,
) -> Option<Vec<(Name, RowField)>> {
    #[derive(Clone, Copy)]
    enum Leaf {
        Typename,
        Total,
    }
    raw_plan(ctx, [set], "CoverageRow", |name| match name {
        "__typename" => Some(Ok(Leaf::Typename)),
        "total" => Some(Ok(Leaf::Total)),
        "district" => Some(Err("district")),
        "cells" => Some(Err("cells")),
        _ => None,
    })?
    .into_iter()
    .map(|(key, raw)| {
        let field = match raw {
            Raw::Leaf(Leaf::Typename) => RowField::Typename,
            Raw::Leaf(Leaf::Total) => RowField::Total,
            Raw::Object("district", sets) => RowField::District(district_plan(ctx, sets)?),
            Raw::Object(_, sets) => RowField::Cells(cell_plan(ctx, sets)?),
        };
        Some((key, field))
    })
    .collect()
}

/// The plan of a list of gaps, or `None` for the generic path.
fn gap_plan<'a>(
    ctx: &ContextSelectionSet<'a>,
    set: &'a SelectionSet,
) -> Option<Vec<(Name, GapField)>> {
    #[derive(Clone, Copy)]
    enum Leaf {
        Typename,
        Key,
    }
    raw_plan(ctx, [set], "CoverageGap", |name| match name {
        "__typename" => Some(Ok(Leaf::Typename)),
        "key" => Some(Ok(Leaf::Key)),
        "district" => Some(Err("district")),
        _ => None,
    })?
    .into_iter()
    .map(|(key, raw)| {
        let field = match raw {
            Raw::Leaf(Leaf::Typename) => GapField::Typename,
            Raw::Leaf(Leaf::Key) => GapField::Key,
            Raw::Object(_, sets) => GapField::District(district_plan(ctx, sets)?),
        };
        Some((key, field))
    })
    .collect()
}
