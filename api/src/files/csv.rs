//! CSV → one table, with the `csv` crate after decoding with `encoding_rs`.
//!
//! Encoding: UTF-8, with or without a byte-order mark; bytes that are not valid UTF-8 are
//! read as Windows-1252, which is what Excel on Windows writes for "CSV (semikolonavgränsad)"
//! in Swedish settings (å ä ö as single bytes E5 E4 F6). Text with NUL bytes (UTF-16, a
//! binary file) is refused, and so is Windows-1252 decoding that gives control characters
//! (the bytes were no text in either encoding).
//!
//! Delimiter: the one of `;`, `,` and tab found most often, outside quotes, on the first
//! line (ties go to `;`, then tab, then `,`); Swedish Excel writes `;`. Quoted fields may
//! hold the delimiter, doubled quotes and line breaks (read as `\n`).
//!
//! Row numbers are the rows a spreadsheet shows when it opens the file: blank lines count,
//! a line break inside a quoted field does not. Rows whose every cell is empty are left out;
//! all rows have the widest row's number of cells.

use super::xlsx::normalize_breaks;
use super::{Block, FileError, Limits, Row, Table};

pub(super) fn read(bytes: &[u8], limits: &Limits) -> Result<Vec<Block>, FileError> {
    let text = decode(bytes)?;
    let delimiter = sniff_delimiter(&text);
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());

    let too_many = FileError::TooManyCells {
        limit: limits.max_cells,
    };
    let mut rows: Vec<Row> = Vec::new();
    let mut cells_seen = 0usize;
    let raw = text.as_bytes();
    // Line breaks before the current record, and those inside quoted fields so far (they are
    // not rows of a spreadsheet).
    let (mut counted_to, mut breaks_before, mut inner_breaks) = (0usize, 0u64, 0u64);
    let mut record = ::csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(FileError::Corrupt(format!(
                    "the CSV file cannot be read: {e}"
                )));
            }
        }
        let mut start = record
            .position()
            .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX))
            .min(raw.len());
        // The reader's position may be before the terminators it skipped (the `\n` of a
        // `\r\n`, blank lines); a record never starts with one.
        while matches!(raw.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        if start > counted_to {
            breaks_before += line_breaks(&raw[counted_to..start]);
            counted_to = start;
        }
        let number =
            usize::try_from(1 + breaks_before.saturating_sub(inner_breaks)).unwrap_or(usize::MAX);
        inner_breaks += record
            .iter()
            .map(|field| line_breaks(field.as_bytes()))
            .sum::<u64>();
        let cells: Vec<String> = record.iter().map(normalize_breaks).collect();
        cells_seen = cells_seen.saturating_add(cells.len());
        if cells_seen > limits.max_cells {
            return Err(too_many);
        }
        if cells.iter().any(|c| !c.trim().is_empty()) {
            rows.push(Row { number, cells });
        }
    }
    let width = rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
    if width.saturating_mul(rows.len()) > limits.max_cells {
        return Err(too_many);
    }
    for row in &mut rows {
        row.cells.resize(width, String::new());
    }
    Ok(vec![Block::Table(Table { name: None, rows })])
}

/// Line breaks in `bytes`: `\r\n`, `\n` and a lone `\r` each count one.
fn line_breaks(bytes: &[u8]) -> u64 {
    let mut n = 0;
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'\n' => n += 1,
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => n += 1,
            _ => {}
        }
    }
    n
}

/// The file's text: UTF-8 (BOM dropped) or else Windows-1252.
fn decode(bytes: &[u8]) -> Result<String, FileError> {
    if bytes.is_empty() {
        return Err(FileError::NotATable("the file is empty".into()));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(FileError::Encoding(
            "the file is UTF-16 text (Excel's \"Unicode text\"): save it as \"CSV UTF-8\" or \
             \"CSV (semikolonavgränsad)\" and upload it again"
                .into(),
        ));
    }
    if bytes.contains(&0) {
        return Err(FileError::NotATable(
            "the file is not text (it holds NUL bytes) and not an Excel workbook or Word \
             document: upload an .xlsx, a .docx or a CSV file"
                .into(),
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(FileError::Encoding(
            "the file is neither UTF-8 nor Windows-1252 text: save it from Excel as \"CSV \
             UTF-8\" and upload it again"
                .into(),
        ));
    }
    Ok(text.into_owned())
}

/// `;`, tab or `,`: whichever the first line (outside quotes) has most of.
fn sniff_delimiter(text: &str) -> u8 {
    let (mut semi, mut tab, mut comma) = (0usize, 0usize, 0usize);
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            ';' if !quoted => semi += 1,
            '\t' if !quoted => tab += 1,
            ',' if !quoted => comma += 1,
            _ => {}
        }
    }
    if semi >= tab && semi >= comma {
        b';'
    } else if tab >= comma {
        b'\t'
    } else {
        b','
    }
}
