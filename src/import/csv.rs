//! CSV reader: the header `id,title,tags,created,updated,body`, then one record per note, as
//! [`crate::format`]'s CSV writer produces them (RFC 4180 quoting; tags joined by `;`).
//!
//! With `csv_safe`, the `'` that `--csv-safe` put before a cell is removed. The writer adds it
//! to every title, tags and body cell starting with `=`, `+`, `-`, `@`, tab, CR or `'` itself,
//! so in such a file a cell that starts with `'` followed by one of those always had it added:
//! removing exactly one gives the original back, whatever it was. Without `csv_safe` cells are
//! taken as they are: a title that really starts with `'=` stays so.

use std::path::Path;

use super::{Fields, ImportError, Parsed};

const COLUMNS: [&str; 6] = ["id", "title", "tags", "created", "updated", "body"];

pub(super) fn read(path: &Path, text: &str, csv_safe: bool) -> Vec<Parsed> {
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
    match records.next() {
        Some(Ok(header)) if header.iter().eq(COLUMNS) => {}
        Some(Ok(header)) => {
            return vec![Err(fail(
                Some(1),
                format!(
                    "the header is {:?}, expected exactly id,title,tags,created,updated,body",
                    header.iter().collect::<Vec<_>>().join(",")
                ),
            ))];
        }
        Some(Err(e)) => return vec![Err(fail(Some(1), e.to_string()))],
        None => return vec![Err(fail(None, "no header row".into()))],
    }
    let mut results = Vec::new();
    let mut lines = Lines {
        text: text.as_bytes(),
        byte: 0,
        line: 1,
    };
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                // A broken quote leaves the reader unsure where records start: stop here.
                let line = e.position().map(|p| lines.at(p.byte()));
                results.push(Err(fail(line, e.to_string())));
                break;
            }
        };
        let line = record.position().map(|p| lines.at(p.byte()));
        if record.len() != COLUMNS.len() {
            let which = if record.len() < COLUMNS.len() {
                "missing"
            } else {
                "extra"
            };
            results.push(Err(fail(
                line,
                format!(
                    "{which} columns: {} fields, expected 6 (id,title,tags,created,updated,body)",
                    record.len()
                ),
            )));
            continue;
        }
        let cell = |i: usize| {
            let c = &record[i];
            if csv_safe { unprefix(c) } else { c }
        };
        let parsed = (|| {
            let id = record[0]
                .parse::<i64>()
                .map_err(|_| format!("id {:?} is not a number", &record[0]))?;
            let created = record[3].parse().map_err(|e| format!("created: {e}"))?;
            let updated = record[4].parse().map_err(|e| format!("updated: {e}"))?;
            let tags = cell(2);
            let tags = if tags.is_empty() {
                Vec::new()
            } else {
                tags.split(';').map(str::to_owned).collect()
            };
            Ok::<_, String>(Fields {
                id: Some(id),
                title: cell(1).to_owned(),
                tags,
                created,
                updated,
                body: cell(5).to_owned(),
            })
        })();
        results.push(
            parsed
                .map_err(|message| fail(line, message))
                .and_then(|fields| fields.check(path, line)),
        );
    }
    results
}

/// Line numbers from byte offsets, counted forward from the last one asked, so a file is
/// scanned once. The csv crate's own line counts lag by one after a CRLF terminator.
struct Lines<'a> {
    text: &'a [u8],
    byte: usize,
    line: usize,
}

impl Lines<'_> {
    /// The line of the first character at or after `byte` that is not a line break: where
    /// the record starting at `byte` really starts.
    fn at(&mut self, byte: u64) -> usize {
        let mut start = (byte as usize).min(self.text.len());
        while start < self.text.len() && matches!(self.text[start], b'\r' | b'\n') {
            start += 1;
        }
        if start >= self.byte {
            self.line += self.text[self.byte..start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.byte = start;
        }
        self.line
    }
}

/// The cell without the `'` that `--csv-safe` added (the inverse of `spreadsheet_safe`).
pub(super) fn unprefix(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']) => rest,
        _ => cell,
    }
}
