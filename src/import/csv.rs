//! CSV reader: the header `id,title,tags,created,updated,body`, then one record per note, as
//! [`crate::format`]'s CSV writer produces them (RFC 4180 quoting; tags joined by `;`). The
//! newer header goes on with `properties` (a JSON object) and `source` (a JSON object, empty
//! when the note has none); both headers are read. A header of other columns is another
//! tool's CSV: an error naming its columns and the headers read.
//!
//! With `csv_safe`, the `'` that `--csv-safe` put before a cell is removed. The writer adds it
//! to every title, tags and body cell starting with `=`, `+`, `-`, `@`, tab, CR or `'` itself,
//! so in such a file a cell that starts with `'` followed by one of those always had it added:
//! removing exactly one gives the original back, whatever it was. Without `csv_safe` cells are
//! taken as they are: a title that really starts with `'=` stays so.

use std::cell::RefCell;
use std::io::{Cursor, SeekFrom};
use std::path::Path;

use csv::{Position, StringRecord};

use super::fields;
use super::lines::Lines;
use super::{Fields, ImportError, Parsed};
use crate::model::{Properties, Source, validate_tag};

const COLUMNS: [&str; 6] = ["id", "title", "tags", "created", "updated", "body"];

/// The columns after [`COLUMNS`] in the newer header.
const EXTRA: [&str; 2] = ["properties", "source"];

/// The headers read, for messages.
const HEADERS: &str =
    "smartnotes' CSV, whose header is id,title,tags,created,updated,body (then properties,source)";

/// Files up to this size are read by the reader their thread keeps ([`READER`]); a larger one
/// gets a reader of its own, which costs little beside it, and its bytes are not copied.
const REUSED_UP_TO: usize = 64 << 10;

thread_local! {
    /// A reader kept by each thread for small files: making a `csv::Reader` builds its state
    /// machine (the DFA), which cost more than reading a file of one note (57% of the CPU of
    /// reading 100,000 per-note CSV files). Each file is copied into it and read from its start
    /// (`seek_raw` resets the parser, its position and its end of input);
    /// `csv_tests::a_reused_reader_reads_every_file_as_a_new_one_would` checks it against a
    /// new reader per file, errors included.
    static READER: RefCell<Option<csv::Reader<Cursor<Vec<u8>>>>> = const { RefCell::new(None) };
}

fn builder() -> csv::ReaderBuilder {
    let mut builder = csv::ReaderBuilder::new();
    builder.has_headers(false).flexible(true);
    builder
}

pub(super) fn read(path: &Path, text: &str, csv_safe: bool, lines: &mut Lines<'_>) -> Vec<Parsed> {
    if text.len() > REUSED_UP_TO {
        return read_new(path, text, csv_safe, lines);
    }
    READER.with(|kept| {
        let mut kept = kept.borrow_mut();
        match reuse(&mut kept, text) {
            Some(reader) => read_with(reader, path, text, csv_safe, lines),
            None => read_new(path, text, csv_safe, lines),
        }
    })
}

/// Every record of `text` read by a new reader: the behaviour [`READER`] stands in for.
pub(super) fn read_new(
    path: &Path,
    text: &str,
    csv_safe: bool,
    lines: &mut Lines<'_>,
) -> Vec<Parsed> {
    read_with(
        &mut builder().from_reader(text.as_bytes()),
        path,
        text,
        csv_safe,
        lines,
    )
}

/// The thread's reader, made if need be, holding `text` and at its start; `None` should the
/// reader refuse to go back to its start (it never does on bytes in memory).
fn reuse<'r>(
    kept: &'r mut Option<csv::Reader<Cursor<Vec<u8>>>>,
    text: &str,
) -> Option<&'r mut csv::Reader<Cursor<Vec<u8>>>> {
    if kept.is_none() {
        // Seeking reads the header row first if it was never read: done once, on no bytes,
        // so that it never takes a row of a file.
        let mut reader = builder().from_reader(Cursor::new(Vec::new()));
        reader.seek_raw(SeekFrom::Start(0), Position::new()).ok()?;
        *kept = Some(reader);
    }
    let reader = kept.as_mut()?;
    let bytes = reader.get_mut().get_mut();
    bytes.clear();
    bytes.extend_from_slice(text.as_bytes());
    match reader.seek_raw(SeekFrom::Start(0), Position::new()) {
        Ok(()) => kept.as_mut(),
        Err(_) => {
            *kept = None;
            None
        }
    }
}

fn read_with<R: std::io::Read>(
    reader: &mut csv::Reader<R>,
    path: &Path,
    text: &str,
    csv_safe: bool,
    lines: &mut Lines<'_>,
) -> Vec<Parsed> {
    // The csv crate reads every byte once.
    lines.charge(text.len());
    let fail = |line: Option<usize>, message: String| ImportError::Csv {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut records = reader.records();
    let width = match records.next() {
        Some(Ok(header)) if header.iter().eq(COLUMNS) => COLUMNS.len(),
        Some(Ok(header)) if header.iter().eq(COLUMNS.iter().chain(&EXTRA).copied()) => {
            COLUMNS.len() + EXTRA.len()
        }
        Some(Ok(header)) => {
            let columns = header.iter().collect::<Vec<_>>().join(",");
            // Smartnotes' columns misspelt, missing or out of order, or another tool's CSV.
            let ours = header.get(0) == Some("id")
                && header
                    .iter()
                    .all(|c| COLUMNS.contains(&c) || EXTRA.contains(&c));
            return vec![Err(if ours {
                fail(
                    Some(1),
                    format!(
                        "the header is {}, expected exactly id,title,tags,created,updated,body (then properties,source)",
                        crate::model::quote(&columns)
                    ),
                )
            } else {
                ImportError::UnknownShape {
                    path: path.to_path_buf(),
                    line: Some(1),
                    found: format!(
                        "a CSV file with the columns {}, which are not smartnotes' columns",
                        crate::model::quote(&columns)
                    ),
                    known: HEADERS,
                }
            })];
        }
        Some(Err(e)) => return vec![Err(fail(Some(1), e.to_string()))],
        None => return vec![Err(fail(None, "no header row".into()))],
    };
    let mut results = Vec::new();
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                // A broken quote leaves the reader unsure where records start: stop here.
                let line = e.position().map(|p| record_line(text, p.byte(), lines));
                results.push(Err(fail(line, e.to_string())));
                break;
            }
        };
        let line = record
            .position()
            .map_or(1, |p| record_line(text, p.byte(), lines));
        if record.len() != width {
            let which = if record.len() < width {
                "missing"
            } else {
                "extra"
            };
            let header = COLUMNS
                .iter()
                .chain(&EXTRA)
                .take(width)
                .copied()
                .collect::<Vec<_>>();
            results.push(Err(fail(
                Some(line),
                format!(
                    "{which} columns: {} fields, expected {width} ({})",
                    record.len(),
                    header.join(",")
                ),
            )));
            continue;
        }
        results.push(
            note(&record, csv_safe, line)
                .map_err(|(line, message)| fail(Some(line), message))
                .and_then(|fields| fields.check(path, Some(line))),
        );
    }
    results
}

/// The fields of a record that starts on line `line`, or the line of the field that is wrong
/// (a cell's line breaks count: a title may span lines) and what is wrong with it.
fn note(record: &StringRecord, csv_safe: bool, line: usize) -> Result<Fields, (usize, String)> {
    let cell = |i: usize| {
        let c = &record[i];
        if csv_safe { unprefix(c) } else { c }
    };
    // The line of column `i`: the record's, plus the line breaks of the cells before it.
    let line_of = |i: usize| {
        line + (0..i)
            .map(|j| record[j].matches('\n').count())
            .sum::<usize>()
    };
    let id = fields::parse_id(&record[0]).map_err(|e| (line, format!("id: {e}")))?;
    let tags = cell(2);
    let tags: Vec<String> = if tags.is_empty() {
        Vec::new()
    } else {
        tags.split(';').map(str::to_owned).collect()
    };
    if let Some(e) = tags.iter().find_map(|t| validate_tag(t).err()) {
        return Err((line_of(2), fields::shorten(format!("tags: {e}"))));
    }
    let created =
        fields::parse_timestamp(&record[3]).map_err(|e| (line_of(3), format!("created: {e}")))?;
    let updated =
        fields::parse_timestamp(&record[4]).map_err(|e| (line_of(4), format!("updated: {e}")))?;
    let (properties, source) = extra(record, &line_of)?;
    Ok(Fields {
        id: Some(id),
        title: cell(1).to_owned(),
        tags,
        created,
        updated,
        body: cell(5).to_owned(),
        properties,
        source,
    })
}

/// The `properties` and `source` cells of the newer header: JSON objects, or empty.
fn extra(
    record: &StringRecord,
    line_of: &dyn Fn(usize) -> usize,
) -> Result<(Properties, Option<Source>), (usize, String)> {
    let json = |i: usize| -> Option<&str> { record.get(i).filter(|c| !c.is_empty()) };
    let properties = match json(6) {
        Some(cell) => serde_json::from_str(cell)
            .map_err(|e| (line_of(6), fields::shorten(format!("properties: {e}"))))?,
        None => Properties::new(),
    };
    let source = match json(7) {
        Some(cell) => Some(
            serde_json::from_str(cell)
                .map_err(|e| (line_of(7), fields::shorten(format!("source: {e}"))))?,
        ),
        None => None,
    };
    Ok((properties, source))
}

/// The line of the record the csv crate places at `byte`: that of the first character at or
/// after it that is not a line break (the crate's own line counts lag by one after a CRLF).
fn record_line(text: &str, byte: u64, lines: &mut Lines<'_>) -> usize {
    let b = text.as_bytes();
    let mut start = (byte as usize).min(b.len());
    while start < b.len() && matches!(b[start], b'\r' | b'\n') {
        start += 1;
    }
    lines.line_at(start)
}

/// The cell without the `'` that `--csv-safe` added (the inverse of `spreadsheet_safe`).
pub(super) fn unprefix(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']) => rest,
        _ => cell,
    }
}
