//! What a file is, from its bytes, and the guards every upload passes before a parser
//! sees it: ZIP containers unpacking beyond the limits, encrypted Office files, old binary
//! Office files and other non-tables.

use std::io::{Cursor, Read};

use super::{FileError, Format, Limits};

/// Entries at most this large (declared and real) are not held to [`Limits::max_ratio`]:
/// small XML parts (styles, an empty sheet) compress far better than 100× and are harmless;
/// the total limit still bounds them together.
pub(super) const RATIO_FLOOR_BYTES: u64 = 1024 * 1024;

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const ZIP_EMPTY_MAGIC: &[u8] = b"PK\x05\x06";
const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

const SAVE_AS: &str =
    "save it as an Excel workbook (.xlsx), a Word document (.docx) or CSV and upload that";

/// The format of `bytes`, after the container guards (ZIP sizes, encryption, old Office
/// formats). `Csv` means "no known binary signature": the CSV reader decides whether it is
/// text.
///
/// # Errors
/// [`FileError::ZipBomb`], [`FileError::Encrypted`], [`FileError::NotATable`] and
/// [`FileError::Corrupt`] as described in the module documentation of [`super`].
pub(super) fn detect(bytes: &[u8], limits: &Limits) -> Result<Format, FileError> {
    if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(ZIP_EMPTY_MAGIC) {
        return check_zip(bytes, limits);
    }
    if bytes.starts_with(CFB_MAGIC) {
        return Err(cfb_error(bytes));
    }
    if let Some(kind) = other_binary(bytes) {
        return Err(FileError::NotATable(format!(
            "the file is {kind}, not a table: {SAVE_AS}"
        )));
    }
    Ok(Format::Csv)
}

/// Known non-table signatures, named for the message.
fn other_binary(bytes: &[u8]) -> Option<&'static str> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"%PDF", "a PDF"),
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"II*\x00", "a TIFF image"),
        (b"MM\x00*", "a TIFF image"),
        (b"BM", "a bitmap image"),
        (b"{\\rtf", "an RTF document"),
        (b"\x1F\x8B", "a gzip archive"),
        (b"Rar!", "a RAR archive"),
        (b"7z\xBC\xAF\x27\x1C", "a 7-Zip archive"),
        (b"\x7FELF", "a program"),
        (b"MZ", "a program"),
    ];
    SIGNATURES
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map(|(_, kind)| *kind)
}

/// A ZIP container: its kind from the entries it holds, after the declared-size and
/// real-inflation guards.
fn check_zip(bytes: &[u8], limits: &Limits) -> Result<Format, FileError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        FileError::Corrupt(format!(
            "the file is a damaged ZIP container (an .xlsx or .docx is one): {e}"
        ))
    })?;

    let format = if archive.index_for_name("xl/workbook.xml").is_some() {
        Format::Xlsx
    } else if archive.index_for_name("word/document.xml").is_some() {
        Format::Docx
    } else if archive.index_for_name("mimetype").is_some()
        && archive.index_for_name("content.xml").is_some()
    {
        return Err(FileError::NotATable(format!(
            "the file is an OpenDocument file (.ods/.odt): {SAVE_AS}"
        )));
    } else {
        return Err(FileError::NotATable(format!(
            "the file is a ZIP archive but not an Excel workbook or Word document: {SAVE_AS}"
        )));
    };

    // Declared sizes first: cheap, and a container that admits to being a bomb stops here.
    let mut declared: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(corrupt_zip)?;
        if entry.encrypted() {
            return Err(FileError::Encrypted);
        }
        let size = entry.size();
        declared = declared.saturating_add(size);
        if declared > limits.max_unzipped_bytes {
            return Err(too_large_unpacked(limits));
        }
        if size > RATIO_FLOOR_BYTES && size / entry.compressed_size().max(1) > limits.max_ratio {
            return Err(too_compressed(&entry.name().unwrap_or_default(), limits));
        }
    }

    // Then the real sizes: inflate every entry into a counter, stopping at the limit.
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(corrupt_zip)?;
        if entry.is_dir() {
            continue;
        }
        let compressed = entry.compressed_size().max(1);
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        let mut size: u64 = 0;
        loop {
            let n = entry.read(&mut buf).map_err(|e| {
                // The zip crate stops an entry that inflates past its declared size.
                if e.to_string().contains("declared uncompressed size") {
                    FileError::ZipBomb(format!(
                        "the part {name} of the file unpacks to more than it declares: it is \
                         refused as a possible zip bomb"
                    ))
                } else {
                    FileError::Corrupt(format!("the part {name} of the file is damaged: {e}"))
                }
            })?;
            if n == 0 {
                break;
            }
            size += n as u64;
            total += n as u64;
            if total > limits.max_unzipped_bytes {
                return Err(too_large_unpacked(limits));
            }
            if size > RATIO_FLOOR_BYTES && size / compressed > limits.max_ratio {
                return Err(too_compressed(&name, limits));
            }
        }
    }
    Ok(format)
}

fn corrupt_zip(e: zip::result::ZipError) -> FileError {
    match e {
        zip::result::ZipError::UnsupportedArchive(msg)
            if msg == zip::result::ZipError::PASSWORD_REQUIRED =>
        {
            FileError::Encrypted
        }
        e => FileError::Corrupt(format!("the file is a damaged ZIP container: {e}")),
    }
}

fn too_large_unpacked(limits: &Limits) -> FileError {
    FileError::ZipBomb(format!(
        "the file would unpack to more than {} bytes (an .xlsx or .docx is a ZIP container): \
         it is refused as a possible zip bomb; split it into smaller files",
        limits.max_unzipped_bytes
    ))
}

fn too_compressed(name: &str, limits: &Limits) -> FileError {
    FileError::ZipBomb(format!(
        "the part {name} of the file unpacks to more than {} times its packed size: it is \
         refused as a possible zip bomb",
        limits.max_ratio
    ))
}

/// An OLE compound file (CFB): Office's encrypted container, or an old binary Office file.
fn cfb_error(bytes: &[u8]) -> FileError {
    let Ok(file) = cfb::CompoundFile::open(Cursor::new(bytes)) else {
        return FileError::Corrupt(
            "the file looks like an Office file of the old binary kind but is damaged".into(),
        );
    };
    if file.is_stream("/EncryptionInfo") || file.is_stream("/EncryptedPackage") {
        return FileError::Encrypted;
    }
    let kind = if file.is_stream("/Workbook") || file.is_stream("/Book") {
        "an Excel 97–2003 workbook (.xls)"
    } else if file.is_stream("/WordDocument") {
        "a Word 97–2003 document (.doc)"
    } else {
        "an old binary Office file"
    };
    FileError::NotATable(format!(
        "the file is {kind}, which is not read: open it in Excel, Word or LibreOffice and save it \
         as .xlsx or .docx"
    ))
}
