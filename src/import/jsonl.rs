//! JSON Lines reader: one note object per line; blank lines are allowed and skipped. Each line
//! stands alone, so an error names its line and, with `--skip-invalid`, costs only that note.

use std::path::Path;

use super::Parsed;
use super::json::note;
use super::lines::Lines;

pub(super) fn read(path: &Path, text: &str, lines: &mut Lines<'_>) -> Vec<Parsed> {
    lines.charge(text.len());
    text.split('\n')
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| note(path, line, Some((index + 1, 1)), lines))
        .collect()
}
