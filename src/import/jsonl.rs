//! JSON Lines reader: one note object per line; blank lines are allowed and skipped. Each line
//! stands alone, so an error names its line and, with `--skip-invalid`, costs only that note.

use std::path::Path;

use super::Parsed;
use super::json::{error, from_note};
use crate::model::Note;

pub(super) fn read(path: &Path, text: &str) -> Vec<Parsed> {
    text.split('\n')
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            let line_no = index + 1;
            serde_json::from_str::<Note>(line)
                .map_err(|e| error(path, &e, Some(line_no)))
                .and_then(|note| from_note(note).check(path, Some(line_no)))
        })
        .collect()
}
