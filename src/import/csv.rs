//! CSV reader: the header `id,title,tags,created,updated,body,properties,source` (or the six
//! columns before `properties`, as smartnotes wrote them before properties existed), then one
//! record per note, as [`crate::format`]'s CSV writer produces them (RFC 4180 quoting; tags
//! joined by `;`; properties and source as JSON objects, an empty cell for none).
//!
//! With `csv_safe`, the `'` that `--csv-safe` put before a cell is removed. The writer adds it
//! to every title, tags and body cell starting with `=`, `+`, `-`, `@`, tab, CR or `'` itself,
//! so in such a file a cell that starts with `'` followed by one of those always had it added:
//! removing exactly one gives the original back, whatever it was. Without `csv_safe` cells are
//! taken as they are: a title that really starts with `'=` stays so.

use std::path::Path;

use csv::StringRecord;

use super::fields;
use super::lines::Lines;
use super::{Fields, ImportError, Parsed};
use crate::model::{Properties, validate_tag};

const COLUMNS: [&str; 8] = [
    "id",
    "title",
    "tags",
    "created",
    "updated",
    "body",
    "properties",
    "source",
];

/// The headers read: today's, and the six columns of files written before properties.
const HEADERS: [usize; 2] = [8, 6];

pub(super) fn read(path: &Path, text: &str, csv_safe: bool, lines: &mut Lines<'_>) -> Vec<Parsed> {
    // The csv crate reads every byte once.
    lines.charge(text.len());
    let fail = |line: Option<usize>, message: String| ImportError::Csv {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let columns = match records.next() {
        Some(Ok(header))
            if let Some(&n) = HEADERS
                .iter()
                .find(|&&n| header.iter().eq(COLUMNS[..n].iter().copied())) =>
        {
            n
        }
        Some(Ok(header)) => {
            let header = header.iter().collect::<Vec<_>>().join(",");
            return vec![Err(fail(
                Some(1),
                format!(
                    "the header is {}, expected exactly {} (or its first six columns)",
                    crate::model::quote(&header),
                    COLUMNS.join(",")
                ),
            ))];
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
        if record.len() != columns {
            let which = if record.len() < columns {
                "missing"
            } else {
                "extra"
            };
            results.push(Err(fail(
                Some(line),
                format!(
                    "{which} columns: {} fields, expected {columns} ({})",
                    record.len(),
                    COLUMNS[..columns].join(",")
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
    let json_cell = |i: usize| record.get(i).filter(|c| !c.is_empty());
    let properties = match json_cell(6) {
        None => Properties::new(),
        Some(c) => serde_json::from_str(c).map_err(|e| {
            (
                line_of(6),
                fields::shorten(format!("properties: not a JSON object of properties: {e}")),
            )
        })?,
    };
    let source = match json_cell(7) {
        None => None,
        Some(c) => Some(serde_json::from_str(c).map_err(|e| {
            (
                line_of(7),
                fields::shorten(format!("source: not a JSON source object: {e}")),
            )
        })?),
    };
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
