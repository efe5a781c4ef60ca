//! Unit tests of the reader and the matching rules, on hand-built documents.

use super::catalogue::*;
use super::read::*;
use super::*;
use crate::files::{Block, Document, Format, Row, Table};

fn row(number: usize, cells: &[&str]) -> Row {
    Row {
        number,
        cells: cells.iter().map(|c| (*c).to_owned()).collect(),
    }
}
