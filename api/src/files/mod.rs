//! Office files in and out: tables read from XLSX, DOCX and CSV, reports written as
//! XLSX, DOCX and CSV. An engine: it knows cells, rows, paragraphs and sheets, and
//! names no domain type — what a column means is the importer's business
//! (`services::imports`), what a report holds the exporter's (`services::exports`).
//!
//! Reading is done by well-kept libraries (calamine for XLSX, docx-rs for DOCX, csv and
//! encoding_rs for CSV); this module adds only the guards every upload needs (size,
//! zip bombs, encrypted files, encodings) and one shape for what was read: a
//! [`Document`] of [`Block`]s in reading order.
//!
//! The types and signatures below are what the importer and exporter code against
//! (issue 15). The work is split by format: `detect` (what the bytes are, and the
//! guards run before any parser), `xlsx`, `docx` and `csv` (reading), `write` (writing).
//!
//! # Guards, in the order they run
//! 1. Size: more than [`Limits::max_bytes`] → [`FileError::TooLarge`], nothing parsed.
//! 2. Kind, from the first bytes (never the name): a ZIP container is an XLSX when it holds
//!    `xl/workbook.xml`, a DOCX when it holds `word/document.xml`; an OLE/CFB container
//!    (`D0 CF 11 E0`) holding an `EncryptionInfo` stream is a password-protected OOXML file
//!    ([`FileError::Encrypted`]), any other is an old binary .xls/.doc ([`FileError::NotATable`]
//!    asking for .xlsx/.docx); PDF, images and other archives → `NotATable`; anything else is
//!    tried as CSV text.
//! 3. ZIP containers, before calamine or docx-rs sees them: the central directory's declared
//!    sizes (total over [`Limits::max_unzipped_bytes`], or an entry over 1 MiB inflating more
//!    than [`Limits::max_ratio`] times) → [`FileError::ZipBomb`]. Declared sizes can lie, so
//!    every entry is then really inflated once into a counter (nothing kept) and stopped as
//!    soon as the real total passes the limit; only a container that really unpacks within
//!    the limits reaches the parser (which inflates the same bytes again: at most
//!    `max_unzipped_bytes` of extra work, paid for certainty).
//! 4. Cells: a table whose rows × columns would pass [`Limits::max_cells`] →
//!    [`FileError::TooManyCells`], counted while reading (a merged region or a `gridSpan` counts
//!    every cell it covers).
//!
//! No input panics: `tests` runs a property test over arbitrary and mutated files.

mod csv;
mod detect;
mod docx;
#[cfg(test)]
mod tests;
mod write;
mod xlsx;

/// What an upload may cost: refused before parsing when over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest file, in bytes (`SAMVERKAN_MAX_UPLOAD_BYTES`, default 10 MiB).
    pub max_bytes: usize,
    /// Largest total uncompressed size of a ZIP container's entries (XLSX, DOCX), in bytes.
    pub max_unzipped_bytes: u64,
    /// Largest uncompressed ÷ compressed ratio of any entry (a zip bomb is far over).
    pub max_ratio: u64,
    /// Most cells read (rows × columns), so a small file cannot ask for a huge grid.
    pub max_cells: usize,
}

impl Default for Limits {
    /// 10 MiB uploads, 100 MiB unpacked, entries inflating at most 100×, one million cells.
    /// An XLSX or DOCX of a national plan (10,000 rows) is about 1 MB packed, 10 MB unpacked,
    /// with entries inflating 5–20×.
    fn default() -> Self {
        Self {
            max_bytes: 10 * 1024 * 1024,
            max_unzipped_bytes: 100 * 1024 * 1024,
            max_ratio: 100,
            max_cells: 1_000_000,
        }
    }
}

/// The file kinds read and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Office Open XML workbook (Excel, LibreOffice Calc).
    Xlsx,
    /// Office Open XML document (Word, LibreOffice Writer): its tables and paragraphs.
    Docx,
    /// Comma- or semicolon-separated text (UTF-8 with or without BOM, or Windows-1252).
    Csv,
}

/// A file read: its blocks in reading order.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// What kind of file it was.
    pub format: Format,
    /// Paragraphs and tables in the order a reader meets them. An XLSX gives one table
    /// per sheet (all of its rows); a CSV one table; a DOCX its body's paragraphs and tables.
    pub blocks: Vec<Block>,
}

/// A part of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A paragraph's text outside any table (DOCX only).
    Paragraph(String),
    /// A table (a sheet, a CSV, a Word table).
    Table(Table),
}

/// A table: its rows as the file has them (heading rows included; the reader does not
/// know which row is the heading).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The sheet's name (XLSX), else `None`.
    pub name: Option<String>,
    /// Its rows, top to bottom.
    pub rows: Vec<Row>,
}

/// A row of cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Where a user finds the row, 1-based: the sheet's row number (XLSX), the line's
    /// record number (CSV), or the row's number counting every table row of the document
    /// from its start (DOCX).
    pub number: usize,
    /// The cells' text, left to right. Line breaks inside a cell are `\n`; a cell covered
    /// by a merged cell (Excel merged regions, Word `vMerge`/`gridSpan`) holds the merged
    /// cell's text; dates are `YYYY-MM-DD`; whole numbers have no decimals; a formula
    /// gives its cached value.
    pub cells: Vec<String>,
}

/// Why a file could not be read. Each is the uploader's problem, with a message that
/// says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// Larger than [`Limits::max_bytes`].
    #[error("the file is {size} bytes; at most {limit} bytes may be uploaded")]
    TooLarge {
        /// The file's size, in bytes.
        size: usize,
        /// The largest size allowed, in bytes.
        limit: usize,
    },
    /// Not XLSX, DOCX or CSV (e.g. a PDF, an image, an old binary .xls/.doc).
    #[error("{0}")]
    NotATable(String),
    /// Password-protected (an encrypted Office file).
    #[error("the file is password-protected: save it without a password and upload it again")]
    Encrypted,
    /// A ZIP container that would unpack beyond the limits.
    #[error("{0}")]
    ZipBomb(String),
    /// A table with more cells (rows × columns, merged cells counted) than
    /// [`Limits::max_cells`].
    #[error("the file holds more than {limit} cells (rows × columns): split it into smaller files")]
    TooManyCells {
        /// The most cells allowed.
        limit: usize,
    },
    /// A CSV whose bytes are not text in a supported encoding.
    #[error("{0}")]
    Encoding(String),
    /// A formula cell without a cached value (saved by a tool that does not compute).
    #[error("{0}")]
    Formula(String),
    /// The file is damaged or not what its container says.
    #[error("{0}")]
    Corrupt(String),
}

impl FileError {
    /// The code a client sees for this problem (`extensions.code` / a problem's `code`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "FILE_TOO_LARGE",
            Self::NotATable(_) => "UNSUPPORTED_FILE",
            Self::Encrypted => "FILE_ENCRYPTED",
            Self::ZipBomb(_) => "FILE_TOO_LARGE_UNPACKED",
            Self::TooManyCells { .. } => "FILE_TOO_MANY_CELLS",
            Self::Encoding(_) => "FILE_ENCODING",
            Self::Formula(_) => "FILE_FORMULA",
            Self::Corrupt(_) => "FILE_CORRUPT",
        }
    }
}

/// Read a file (its kind found from its bytes, not its name) into blocks.
///
/// # Errors
/// Every [`FileError`] but the writers' [`FileError::Corrupt`] uses: see the guards in the
/// module documentation.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Document, FileError> {
    if bytes.len() > limits.max_bytes {
        return Err(FileError::TooLarge {
            size: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let (format, blocks) = match detect::detect(bytes, limits)? {
        Format::Xlsx => (Format::Xlsx, xlsx::read(bytes, limits)?),
        Format::Docx => (Format::Docx, docx::read(bytes, limits)?),
        Format::Csv => (Format::Csv, csv::read(bytes, limits)?),
    };
    Ok(Document { format, blocks })
}

/// A report to write: a title, lines under it, and sections of rows under headings.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    /// The document's title (first line, bold / heading).
    pub title: String,
    /// Lines under the title (e.g. the district, the period, the date it was made).
    pub lines: Vec<String>,
    /// The table's column headings.
    pub columns: Vec<String>,
    /// Sections; each starts with its heading (a row across the table in XLSX/DOCX, a
    /// row with the heading in the first cell in CSV) then its rows.
    pub sections: Vec<Section>,
}

/// A group of rows under a heading (e.g. a priority area).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Section {
    /// The heading; `None` for rows under no heading.
    pub heading: Option<String>,
    /// Rows, each with as many cells as [`Report::columns`]; `\n` breaks a cell's lines.
    pub rows: Vec<Vec<String>>,
}

/// A column of a blank template: its heading and, when given, the values a cell may take
/// (an Excel data-validation list).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TemplateColumn {
    /// The heading as the documents write it.
    pub heading: String,
    /// Allowed values, or empty for free text.
    pub choices: Vec<String>,
}

/// Write `report` as an XLSX workbook.
///
/// # Errors
/// [`FileError::Corrupt`] when the writer refuses the content (e.g. a cell over a format's
/// length limit); never for well-formed reports of ordinary size.
pub fn write_xlsx(report: &Report) -> Result<Vec<u8>, FileError> {
    write::xlsx(report)
}

/// Write `report` as a DOCX document (landscape, the table with a repeated heading row).
///
/// # Errors
/// [`FileError::Corrupt`] when the writer refuses the content (e.g. a cell over a format's
/// length limit); never for well-formed reports of ordinary size.
pub fn write_docx(report: &Report) -> Result<Vec<u8>, FileError> {
    write::docx(report)
}

/// Write `report` as CSV: UTF-8 with a BOM (so Excel opens it as UTF-8), `;`-separated
/// as Excel expects in Swedish settings, the title and lines first, one per row.
///
/// # Errors
/// [`FileError::Corrupt`] when the writer refuses the content (e.g. a cell over a format's
/// length limit); never for well-formed reports of ordinary size.
pub fn write_csv(report: &Report) -> Result<Vec<u8>, FileError> {
    write::csv(report)
}

/// A template to fill in and import: lines above the table, the columns, and rows already
/// filled in (none for a blank template).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Template {
    /// Lines above the heading row, one cell each (e.g. a plan's title, which an importer
    /// may read as the file's title); none: the headings are row 1.
    pub lines: Vec<String>,
    /// The columns.
    pub columns: Vec<TemplateColumn>,
    /// Rows filled in under the headings, each with as many cells as `columns` (an empty
    /// cell is left blank).
    pub rows: Vec<Vec<String>>,
}

/// Write an XLSX template: its lines, the headings (bold, frozen), its rows, and
/// validation lists for the columns that have choices (the lists on a second, hidden
/// sheet) on the rows below the headings — the filled-in rows and 5,000 more.
///
/// # Errors
/// [`FileError::Corrupt`] when the writer refuses the content (e.g. more than 16,384 columns).
pub fn write_template(template: &Template) -> Result<Vec<u8>, FileError> {
    write::template(template)
}
