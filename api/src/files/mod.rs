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
//! CONTRACT (issue 15, session 9): the types and signatures below are what the
//! importer and exporter code against. The files helper fills in the bodies.

/// What an upload may cost: refused before parsing when over.
#[derive(Debug, Clone, Copy)]
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
    TooLarge { size: usize, limit: usize },
    /// Not XLSX, DOCX or CSV (e.g. a PDF, an image, an old binary .xls/.doc).
    #[error("{0}")]
    NotATable(String),
    /// Password-protected (an encrypted Office file).
    #[error("the file is password-protected: save it without a password and upload it again")]
    Encrypted,
    /// A ZIP container that would unpack beyond the limits.
    #[error("{0}")]
    ZipBomb(String),
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
            Self::Encoding(_) => "FILE_ENCODING",
            Self::Formula(_) => "FILE_FORMULA",
            Self::Corrupt(_) => "FILE_CORRUPT",
        }
    }
}

/// Read a file (its kind found from its bytes, not its name) into blocks.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Document, FileError> {
    let _ = (bytes, limits);
    Err(FileError::NotATable("not yet".into()))
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
pub fn write_xlsx(report: &Report) -> Result<Vec<u8>, FileError> {
    let _ = report;
    Err(FileError::Corrupt("not yet".into()))
}

/// Write `report` as a DOCX document (landscape, the table with a repeated heading row).
pub fn write_docx(report: &Report) -> Result<Vec<u8>, FileError> {
    let _ = report;
    Err(FileError::Corrupt("not yet".into()))
}

/// Write `report` as CSV: UTF-8 with a BOM (so Excel opens it as UTF-8), `;`-separated
/// as Excel expects in Swedish settings, the title and lines first, one per row.
pub fn write_csv(report: &Report) -> Result<Vec<u8>, FileError> {
    let _ = report;
    Err(FileError::Corrupt("not yet".into()))
}

/// Write a blank XLSX template: the headings in row 1, validation lists for the columns
/// that have choices (the lists on a second, hidden sheet).
pub fn write_template(columns: &[TemplateColumn]) -> Result<Vec<u8>, FileError> {
    let _ = columns;
    Err(FileError::Corrupt("not yet".into()))
}
