//! A computed coverage matrix laid out densely: one count per district × key, the row
//! and column sums, the empty cells. The GraphQL objects of a matrix (rows, cells, gaps)
//! are an index into it, shared through an `Arc`, so a national matrix (~3,000 rows,
//! ~33,000 cells, ~30,000 gaps) costs one allocation per object and no copies of its
//! strings.

use std::collections::BTreeMap;
use std::sync::Arc;

use entity::district;

use super::{CoverageCell, CoverageGap, CoverageRow, District};
use crate::gate::Pass;
use crate::services::coverage;

/// A computed coverage matrix, shared by its rows, cells and gaps.
#[derive(Debug)]
pub struct Matrix {
    /// What the cells count.
    pub(super) measure: coverage::Measure,
    /// The columns' keys, in order.
    pub(super) keys: Vec<String>,
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
    /// Held while the matrix lives: bounds how many big matrices exist at once.
    _pass: Pass,
}

impl Matrix {
    /// Lay out a computed coverage densely; `pass` (of the server's gate) is given back
    /// with the matrix.
    pub fn new(m: coverage::Coverage, pass: Pass) -> Self {
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
            keys: m.keys.into_iter().map(|k| k.key).collect(),
            districts: m.districts,
            counts,
            row_totals,
            items: m.cells,
            gaps,
            _pass: pass,
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

    /// The number of rows.
    fn rows(&self) -> usize {
        self.districts.len()
    }

    /// Every row.
    pub(super) fn all_rows(self: &Arc<Self>) -> Vec<CoverageRow> {
        (0..self.rows())
            .map(|row| CoverageRow {
                matrix: self.clone(),
                row,
            })
            .collect()
    }

    /// The cells of one row, in the order of the keys.
    pub(super) fn cells(self: &Arc<Self>, row: usize) -> Vec<CoverageCell> {
        (0..self.keys.len())
            .map(|key| CoverageCell {
                matrix: self.clone(),
                row,
                key,
            })
            .collect()
    }

    /// Every empty cell, row after row.
    pub(super) fn all_gaps(self: &Arc<Self>) -> Vec<CoverageGap> {
        self.gaps
            .iter()
            .map(|&(row, key)| CoverageGap {
                matrix: self.clone(),
                row: row as usize,
                key: key as usize,
            })
            .collect()
    }
}
