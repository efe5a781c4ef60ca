//! XLSX → tables, with calamine: every visible worksheet is one [`Table`] named after the
//! sheet, its rows numbered as the sheet numbers them (fully empty rows are left out, the
//! numbers of the others stay), its columns from A. Cells are read in one streaming pass
//! (`XlsxCellReader::next_cell_with_formula_metadata`), so a formula without a saved value is
//! found by its cell and no dense grid is allocated before the cell count is checked.
//!
//! Cell text: strings as written with line breaks as `\n`; whole numbers without decimals,
//! other numbers in Rust's shortest form with a `.` (`96.6`); dates (a number in a date
//! format) as `YYYY-MM-DD`, with ` HH:MM` (`:SS`) when the value has a time of day, and a
//! time alone as `HH:MM`; booleans `TRUE`/`FALSE`; an error value as Excel writes it
//! (`#DIV/0!`); a formula as its cached value. Hidden sheets and chart sheets are not read
//! (the template's list sheet is hidden). Cells covered by a merged region take the text of
//! the region's top-left cell; a region is clipped to the rows and columns the sheet uses.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx, XlsxError};

use super::{Block, FileError, Limits, Row, Table};

pub(super) fn read(bytes: &[u8], limits: &Limits) -> Result<Vec<Block>, FileError> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(corrupt)?;
    let sheets: Vec<String> = workbook
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet && s.visible == SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect();
    let mut blocks = Vec::with_capacity(sheets.len());
    let mut budget = limits.max_cells;
    for name in sheets {
        let table = read_sheet(&mut workbook, &name, &mut budget, limits)?;
        blocks.push(Block::Table(table));
    }
    Ok(blocks)
}

fn read_sheet(
    workbook: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    budget: &mut usize,
    limits: &Limits,
) -> Result<Table, FileError> {
    let merges = workbook.merge_cells_by_sheet_name(name).map_err(corrupt)?;
    let too_many = FileError::TooManyCells {
        limit: limits.max_cells,
    };

    // (row, column) → text of every non-empty cell.
    let mut cells: BTreeMap<(u32, u32), String> = BTreeMap::new();
    {
        let mut reader = workbook.worksheet_cells_reader(name).map_err(corrupt)?;
        let mut seen = 0usize;
        while let Some(cell) = reader.next_cell_with_formula_metadata().map_err(corrupt)? {
            seen += 1;
            if seen > limits.max_cells {
                return Err(too_many);
            }
            if cell.formula.is_some() && cell.value == DataRef::Empty {
                let at = cell_name(cell.pos.0, cell.pos.1);
                return Err(FileError::Formula(format!(
                    "cell {at} of the sheet {name} holds a formula without a saved value: open \
                     and save the file in Excel or LibreOffice, then upload it again"
                )));
            }
            let text = text_of(&cell.value);
            if !text.is_empty() {
                cells.insert(cell.pos, text);
            }
        }
    }

    let Some(last_row) = cells.keys().map(|&(r, _)| r).max() else {
        return Ok(Table {
            name: Some(name.to_string()),
            rows: Vec::new(),
        });
    };
    let last_col = cells.keys().map(|&(_, c)| c).max().unwrap_or(0);

    // Merged regions: every covered cell takes the origin's text (clipped to the used area).
    for region in merges {
        let (r0, c0) = region.start;
        let Some(text) = cells.get(&(r0, c0)).cloned() else {
            continue;
        };
        let r1 = region.end.0.min(last_row);
        let c1 = region.end.1.min(last_col);
        if r0 > r1 || c0 > c1 {
            continue;
        }
        let area = (u64::from(r1 - r0) + 1) * (u64::from(c1 - c0) + 1);
        if area > limits.max_cells as u64 {
            return Err(too_many);
        }
        for r in r0..=r1 {
            for c in c0..=c1 {
                cells.entry((r, c)).or_insert_with(|| text.clone());
            }
        }
        if cells.len() > limits.max_cells {
            return Err(too_many);
        }
    }

    let width = cells.keys().map(|&(_, c)| c).max().unwrap_or(0) as usize + 1;
    let mut rows: Vec<Row> = Vec::new();
    for ((r, c), text) in cells {
        if rows.last().map(|row| row.number) != Some(r as usize + 1) {
            *budget = budget.checked_sub(width).ok_or(FileError::TooManyCells {
                limit: limits.max_cells,
            })?;
            rows.push(Row {
                number: r as usize + 1,
                cells: vec![String::new(); width],
            });
        }
        if let Some(row) = rows.last_mut() {
            row.cells[c as usize] = text;
        }
    }
    Ok(Table {
        name: Some(name.to_string()),
        rows,
    })
}

/// A cell's text as the module documentation describes.
fn text_of(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Empty => String::new(),
        DataRef::String(s) => normalize_breaks(s),
        DataRef::SharedString(s) => normalize_breaks(s),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number(*f),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            let time = if s > 0 {
                format!("{h:02}:{mi:02}:{s:02}")
            } else {
                format!("{h:02}:{mi:02}")
            };
            if dt.as_f64() < 1.0 && dt.as_f64() >= 0.0 {
                time
            } else if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02} {time}")
            }
        }
        DataRef::DateTime(dt) => number(dt.as_f64()),
        DataRef::DateTimeIso(s) => s.strip_suffix("T00:00:00").unwrap_or(s).to_string(),
        DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
    }
}

/// A number as a person reads it: whole numbers without decimals.
pub(super) fn number(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Line breaks as `\n` (Windows' `\r\n` and a lone `\r` included).
pub(super) fn normalize_breaks(s: &str) -> String {
    if s.contains('\r') {
        s.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        s.to_string()
    }
}

/// `A1`-style name of a zero-based (row, column).
pub(super) fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = col as u64 + 1;
    while c > 0 {
        let rem = ((c - 1) % 26) as u8;
        letters.push(char::from(b'A' + rem));
        c = (c - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(u64::from(row) + 1).to_string()
}

fn corrupt(e: XlsxError) -> FileError {
    FileError::Corrupt(format!("the workbook cannot be read: {e}"))
}
