//! Reports and templates out: XLSX with rust_xlsxwriter, DOCX with docx-rs, CSV with `csv`.
//!
//! Every writer lays a [`Report`] out the same way: the title, its lines, then the table —
//! the heading row, and per section its heading (a merged row across the table in XLSX, a
//! row whose one cell spans the grid in DOCX, a row with the heading in the first cell in
//! CSV) followed by its rows. Reading a written file back with [`super::read`] gives the
//! report's rows again (the round-trip tests in `tests` check it).

use std::io::Cursor;

use docx_rs::{
    BreakType, Docx, PageMargin, PageOrientationType, Paragraph, Run, Shading, Style, StyleType,
    Table as DocxTable, TableCell, TableLayoutType, TableRow,
};
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, Format, FormatAlign, FormatBorder, Formula, Workbook,
    XlsxError,
};

use super::{FileError, Report, Template};

/// The report's sheet in an XLSX.
pub(super) const REPORT_SHEET: &str = "Rapport";
/// The template's sheet for data, and its hidden sheet of allowed values.
pub(super) const TEMPLATE_SHEET: &str = "Mall";
pub(super) const LISTS_SHEET: &str = "Listor";
/// Rows of a template under its filled-in rows that carry the validation lists.
const TEMPLATE_ROWS: u32 = 5000;

/// Column width in characters: the longest line in the column, between these.
const MIN_WIDTH: usize = 8;
const MAX_WIDTH: usize = 60;

fn xlsx_error(e: XlsxError) -> FileError {
    FileError::Corrupt(format!("the workbook could not be written: {e}"))
}

/// Width of each column in characters (the longest line of its heading and cells, clamped).
fn column_widths(report: &Report) -> Vec<usize> {
    let longest = |s: &str| s.split('\n').map(|l| l.chars().count()).max().unwrap_or(0);
    let mut widths: Vec<usize> = report.columns.iter().map(|c| longest(c)).collect();
    for row in report.sections.iter().flat_map(|s| &s.rows) {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(longest(cell));
            }
        }
    }
    widths
        .into_iter()
        .map(|w| w.clamp(MIN_WIDTH, MAX_WIDTH))
        .collect()
}

fn col(i: usize) -> Result<u16, FileError> {
    u16::try_from(i).map_err(|_| FileError::Corrupt("too many columns for a worksheet".into()))
}

fn next_row(r: u32) -> Result<u32, FileError> {
    r.checked_add(1)
        .ok_or_else(|| FileError::Corrupt("too many rows for a worksheet".into()))
}

fn row_num(i: usize) -> Result<u32, FileError> {
    u32::try_from(i).map_err(|_| FileError::Corrupt("too many rows for a worksheet".into()))
}

pub(super) fn xlsx(report: &Report) -> Result<Vec<u8>, FileError> {
    let mut workbook = Workbook::new();
    // Row by row: each row goes to a temporary file (in `std::env::temp_dir()`) once the
    // next is written — rust_xlsxwriter's "low memory" mode, which keeps only the shared
    // strings in memory. A national coverage matrix (130,000 cells) would otherwise hold
    // ~15 MB of cell tables and its sheet's XML while the file is written; the file is the
    // same. Everything below writes rows in order and sets a row's height before the next.
    let sheet = workbook
        .add_worksheet_with_low_memory()
        .map_err(xlsx_error)?;
    sheet.set_name(REPORT_SHEET).map_err(xlsx_error)?;
    sheet.set_landscape();
    // Printed (or converted to PDF): every column on the page's width, as many pages
    // down as it takes.
    sheet.set_print_fit_to_pages(1, 0);

    let title = Format::new().set_bold().set_font_size(14);
    let wrap = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin);
    let heading = wrap.clone().set_bold().set_background_color("D9E1F2");
    let section = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin)
        .set_background_color("F2F2F2");

    let width = report.columns.len().max(1);
    let last_col = col(width - 1)?;
    let mut r: u32 = 0;
    sheet
        .write_string_with_format(r, 0, &report.title, &title)
        .map_err(xlsx_error)?;
    r += 1;
    for line in &report.lines {
        sheet.write_string(r, 0, line).map_err(xlsx_error)?;
        r += 1;
    }
    r += 1; // a blank row before the table

    let widths = column_widths(report);
    let heading_row = r;
    for (i, c) in report.columns.iter().enumerate() {
        sheet
            .write_string_with_format(r, col(i)?, c, &heading)
            .map_err(xlsx_error)?;
    }
    r += 1;
    for s in &report.sections {
        if let Some(h) = &s.heading {
            if last_col > 0 {
                sheet
                    .merge_range(r, 0, r, last_col, h, &section)
                    .map_err(xlsx_error)?;
            } else {
                sheet
                    .write_string_with_format(r, 0, h, &section)
                    .map_err(xlsx_error)?;
            }
            r = next_row(r)?;
        }
        for cells in &s.rows {
            for (i, cell) in cells.iter().enumerate() {
                match whole_number(cell) {
                    Some(n) => sheet.write_number_with_format(r, col(i)?, n, &wrap),
                    None => sheet.write_string_with_format(r, col(i)?, cell, &wrap),
                }
                .map_err(xlsx_error)?;
            }
            fit_height(sheet, r, cells, &widths)?;
            r = next_row(r)?;
        }
    }
    for (i, w) in widths.iter().enumerate() {
        sheet
            .set_column_width(col(i)?, (w + 2) as f64)
            .map_err(xlsx_error)?;
    }
    if !report.columns.is_empty() {
        sheet
            .set_freeze_panes(heading_row + 1, 0)
            .map_err(xlsx_error)?;
        // The heading row on top of every printed page.
        sheet
            .set_repeat_rows(heading_row, heading_row)
            .map_err(xlsx_error)?;
        sheet
            .autofilter(heading_row, 0, (r - 1).max(heading_row), last_col)
            .map_err(xlsx_error)?;
    }
    workbook.save_to_buffer().map_err(xlsx_error)
}

/// A cell that is a whole number as a program writes it ("0", "42", "2021": digits, no
/// leading zero, at most 15 of them so a double holds it exactly) is written as a number,
/// so a spreadsheet sums and sorts it (a coverage matrix's counts); read back it is the
/// same text. Anything else ("007", "2020-2022", "1.5") stays text.
fn whole_number(cell: &str) -> Option<f64> {
    let digits = !cell.is_empty() && cell.len() <= 15 && cell.bytes().all(|b| b.is_ascii_digit());
    if !digits || (cell.len() > 1 && cell.starts_with('0')) {
        return None;
    }
    cell.parse().ok()
}

/// The height of a line of the default 11 pt text, in points.
const ROW_POINTS: f64 = 15.0;
/// Rows are never made taller than this many lines (Excel's limit is 409 points).
const MAX_ROW_LINES: usize = 27;

/// Give row `r` the height of its tallest wrapped cell ([`wrapped_lines`]) when that is
/// more than one line.
fn fit_height(
    sheet: &mut rust_xlsxwriter::Worksheet,
    r: u32,
    cells: &[String],
    widths: &[usize],
) -> Result<(), FileError> {
    let lines = wrapped_lines(cells, widths);
    if lines > 1 {
        sheet
            .set_row_height(r, ROW_POINTS * lines as f64)
            .map_err(xlsx_error)?;
    }
    Ok(())
}

/// How many lines the tallest cell of a row takes when wrapped in columns of `widths`
/// characters: readers that do not fit rows to wrapped text themselves (LibreOffice
/// converting to PDF) get the height written.
fn wrapped_lines(cells: &[String], widths: &[usize]) -> usize {
    cells
        .iter()
        .zip(widths)
        .map(|(cell, w)| {
            let w = (*w).max(1);
            cell.split('\n')
                .map(|line| line.chars().count().div_ceil(w).max(1))
                .sum::<usize>()
        })
        .max()
        .unwrap_or(1)
        .clamp(1, MAX_ROW_LINES)
}

pub(super) fn template(template: &Template) -> Result<Vec<u8>, FileError> {
    let columns = &template.columns;
    let mut workbook = Workbook::new();
    let heading = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_background_color("D9E1F2")
        .set_border(FormatBorder::Thin);
    let title = Format::new().set_bold().set_font_size(14);
    let plain = Format::new();
    let wrap = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin);

    let sheet = workbook.add_worksheet();
    sheet.set_name(TEMPLATE_SHEET).map_err(xlsx_error)?;
    // Printed: every column on the page's width, as the reports.
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    let mut r: u32 = 0;
    for (i, line) in template.lines.iter().enumerate() {
        let format = if i == 0 { &title } else { &plain };
        sheet
            .write_string_with_format(r, 0, line, format)
            .map_err(xlsx_error)?;
        r = next_row(r)?;
    }
    if !template.lines.is_empty() {
        r = next_row(r)?;
    }
    let heading_row = r;
    let mut list_col: u16 = 0;
    let mut validations = Vec::new();
    let mut widths = Vec::with_capacity(columns.len());
    for (i, c) in columns.iter().enumerate() {
        let ci = col(i)?;
        sheet
            .write_string_with_format(heading_row, ci, &c.heading, &heading)
            .map_err(xlsx_error)?;
        let longest = c
            .choices
            .iter()
            .map(|v| v.chars().count())
            .chain(std::iter::once(c.heading.chars().count()))
            .chain(
                template
                    .rows
                    .iter()
                    .filter_map(|row| row.get(i))
                    .flat_map(|cell| cell.split('\n').map(|l| l.chars().count())),
            )
            .max()
            .unwrap_or(0)
            .clamp(MIN_WIDTH, MAX_WIDTH);
        widths.push(longest);
        sheet
            .set_column_width(ci, (longest + 2) as f64)
            .map_err(xlsx_error)?;
        if !c.choices.is_empty() {
            validations.push((ci, list_col, c));
            list_col = list_col
                .checked_add(1)
                .ok_or_else(|| FileError::Corrupt("too many columns".into()))?;
        }
    }
    if !columns.is_empty() {
        sheet
            .set_freeze_panes(next_row(heading_row)?, 0)
            .map_err(xlsx_error)?;
    }
    let first = next_row(heading_row)?;
    let mut at = first;
    for row in &template.rows {
        let row = row.get(..columns.len()).unwrap_or(row);
        for (i, cell) in row.iter().enumerate() {
            // A blank cell gets its border too: the place to fill in.
            if cell.is_empty() {
                sheet.write_blank(at, col(i)?, &wrap)
            } else {
                sheet.write_string_with_format(at, col(i)?, cell, &wrap)
            }
            .map_err(xlsx_error)?;
        }
        fit_height(sheet, at, row, &widths)?;
        at = next_row(at)?;
    }
    let last = at
        .checked_add(TEMPLATE_ROWS - 1)
        .ok_or_else(|| FileError::Corrupt("too many rows for a worksheet".into()))?;
    for (ci, lc, c) in &validations {
        let letters = super::xlsx::cell_name(0, u32::from(*lc));
        let letters = letters.trim_end_matches(|ch: char| ch.is_ascii_digit());
        let formula = format!("={LISTS_SHEET}!${letters}$1:${letters}${}", c.choices.len());
        let validation = DataValidation::new()
            .allow_list_formula(Formula::new(formula))
            .set_error_style(DataValidationErrorStyle::Warning);
        sheet
            .add_data_validation(first, *ci, last, *ci, &validation)
            .map_err(xlsx_error)?;
    }

    let lists = workbook.add_worksheet();
    lists.set_name(LISTS_SHEET).map_err(xlsx_error)?;
    for (_, lc, c) in &validations {
        for (r, v) in c.choices.iter().enumerate() {
            lists
                .write_string(row_num(r)?, *lc, v)
                .map_err(xlsx_error)?;
        }
    }
    lists.set_hidden(true);
    workbook.save_to_buffer().map_err(xlsx_error)
}

/// A4 in twentieths of a point (twips), landscape.
const A4_LONG: u32 = 16_838;
const A4_SHORT: u32 = 11_906;
const MARGIN: i32 = 1_134; // 2 cm

/// About the width of a character of the documents' 10–11 pt text, and a cell's margins,
/// in twips.
const CHAR_TWIPS: usize = 100;
const CELL_MARGINS: usize = 200;
/// A column is at least as wide as its longest word up to this many characters, so short
/// columns ("Tidplan", "Status") do not break "2020-2025" or "Pågår" letter by letter.
const MIN_WORD: usize = 16;

/// The DOCX table's column widths in twips, summing to `usable`: each column first gets
/// room for its longest word (at most [`MIN_WORD`] characters), the rest is shared in
/// proportion to [`column_widths`].
fn docx_grid(report: &Report, usable: usize) -> Vec<usize> {
    let longest_word = |s: &str| {
        s.split_whitespace()
            .map(|w| w.chars().count())
            .max()
            .unwrap_or(0)
    };
    let mut words: Vec<usize> = report.columns.iter().map(|c| longest_word(c)).collect();
    for row in report.sections.iter().flat_map(|s| &s.rows) {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = words.get_mut(i) {
                *w = (*w).max(longest_word(cell));
            }
        }
    }
    let mins: Vec<usize> = words
        .iter()
        .map(|w| (*w).min(MIN_WORD) * CHAR_TWIPS + CELL_MARGINS)
        .collect();
    let fixed: usize = mins.iter().sum();
    if fixed >= usable {
        let fixed = fixed.max(1);
        return mins.iter().map(|m| usable * m / fixed).collect();
    }
    let extra = usable - fixed;
    let widths = column_widths(report);
    let total: usize = widths.iter().sum::<usize>().max(1);
    mins.iter()
        .zip(&widths)
        .map(|(m, w)| m + extra * w / total)
        .collect()
}

/// Runs of a cell's text, `\n` as line breaks.
fn text_runs(text: &str, bold: bool) -> Paragraph {
    let mut p = Paragraph::new();
    for (i, line) in text.split('\n').enumerate() {
        let mut run = Run::new();
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        run = run.add_text(line);
        if bold {
            run = run.bold();
        }
        p = p.add_run(run);
    }
    p
}

pub(super) fn docx(report: &Report) -> Result<Vec<u8>, FileError> {
    let width = report.columns.len().max(1);
    let usable = (A4_LONG as i32 - 2 * MARGIN) as usize;
    let mut grid = docx_grid(report, usable);
    if grid.is_empty() {
        grid.push(usable);
    }

    let mut doc = Docx::new()
        .page_size(A4_LONG, A4_SHORT)
        .page_orient(PageOrientationType::Landscape)
        .page_margin(
            PageMargin::new()
                .top(MARGIN)
                .bottom(MARGIN)
                .left(MARGIN)
                .right(MARGIN),
        )
        .add_style(
            Style::new("Heading1", StyleType::Paragraph)
                .name("heading 1")
                .based_on("Normal")
                .next("Normal")
                .bold()
                .size(32)
                .outline_lvl(0),
        )
        .add_paragraph(
            Paragraph::new()
                .style("Heading1")
                .add_run(Run::new().add_text(&report.title)),
        );
    for line in &report.lines {
        doc = doc.add_paragraph(text_runs(line, false));
    }

    let shade = |hex: &str| Shading::new().fill(hex.to_string());
    let heading_cells = report
        .columns
        .iter()
        .map(|c| {
            TableCell::new()
                .add_paragraph(text_runs(c, true))
                .shading(shade("D9E1F2"))
        })
        .collect();
    // `cant_split` marks the heading row; `mark_header_row` adds `w:tblHeader` next to it.
    let mut rows = vec![TableRow::new(heading_cells).cant_split()];
    for s in &report.sections {
        if let Some(h) = &s.heading {
            rows.push(TableRow::new(vec![
                TableCell::new()
                    .add_paragraph(text_runs(h, true))
                    .grid_span(width)
                    .shading(shade("F2F2F2")),
            ]));
        }
        for cells in &s.rows {
            let mut row: Vec<TableCell> = cells
                .iter()
                .map(|c| TableCell::new().add_paragraph(text_runs(c, false)))
                .collect();
            while row.len() < width {
                row.push(TableCell::new().add_paragraph(Paragraph::new()));
            }
            rows.push(TableRow::new(row));
        }
    }
    doc = doc.add_table(
        DocxTable::new(rows)
            .set_grid(grid)
            .layout(TableLayoutType::Fixed),
    );

    let mut xml = doc.build();
    xml.document = mark_header_row(&xml.document);
    let mut out = Cursor::new(Vec::new());
    xml.pack(&mut out)
        .map_err(|e| FileError::Corrupt(format!("the document could not be written: {e}")))?;
    Ok(out.into_inner())
}

/// docx-rs has no builder for `w:tblHeader` (repeat the row at the top of every page): the
/// heading row is the only row written with `w:cantSplit`, and the element is added beside
/// it (`w:trPr`'s children may come in any order).
fn mark_header_row(document: &[u8]) -> Vec<u8> {
    const MARK: &[u8] = b"<w:cantSplit />";
    match document.windows(MARK.len()).position(|w| w == MARK) {
        Some(at) => {
            let mut out = Vec::with_capacity(document.len() + 16);
            out.extend_from_slice(&document[..at + MARK.len()]);
            out.extend_from_slice(b"<w:tblHeader />");
            out.extend_from_slice(&document[at + MARK.len()..]);
            out
        }
        None => document.to_vec(),
    }
}

pub(super) fn csv(report: &Report) -> Result<Vec<u8>, FileError> {
    fn error(e: impl std::fmt::Display) -> FileError {
        FileError::Corrupt(format!("the CSV could not be written: {e}"))
    }
    fn writer(out: &mut Vec<u8>) -> ::csv::Writer<&mut Vec<u8>> {
        ::csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(::csv::Terminator::CRLF)
            .flexible(true)
            .from_writer(out)
    }
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = writer(&mut out);
        w.write_record([&report.title]).map_err(error)?;
        for line in &report.lines {
            w.write_record([line]).map_err(error)?;
        }
        w.flush().map_err(error)?;
    }
    // A blank line (the csv writer would write an empty record as `""`).
    out.extend_from_slice(b"\r\n");
    {
        let mut w = writer(&mut out);
        w.write_record(&report.columns).map_err(error)?;
        let width = report.columns.len().max(1);
        for s in &report.sections {
            if let Some(h) = &s.heading {
                let mut row = vec![h.as_str()];
                row.resize(width, "");
                w.write_record(&row).map_err(error)?;
            }
            for cells in &s.rows {
                w.write_record(cells).map_err(error)?;
            }
        }
        w.flush().map_err(error)?;
    }
    Ok(out)
}
