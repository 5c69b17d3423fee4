//! The sample notebook compiled into the binary.
//!
//! `smartnotes export` uses it when no database exists yet, so a newcomer's first command
//! writes real files: 10 notes (the lesson's count) that include the titles and bodies that
//! break other exporters: `: ` and ` #` in a title, a leading `- `, a `---` line and CRLF in a
//! body, an empty body, accents, CJK and emoji.

use crate::model::Note;

const SAMPLE_JSON: &str = include_str!("sample.json");

/// The sample notes, ids 1 to 10.
pub fn notes() -> Vec<Note> {
    // The file is part of the source tree and checked by a test; should it ever fail to parse,
    // an empty notebook is a safer answer than a panic in a user's first command.
    serde_json::from_str(SAMPLE_JSON).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_sample_has_ten_valid_notes_with_ids_one_to_ten() {
        let notes: Vec<crate::model::Note> = serde_json::from_str(super::SAMPLE_JSON).unwrap();
        assert_eq!(notes.len(), 10);
        for (i, n) in notes.iter().enumerate() {
            assert_eq!(n.id, i as i64 + 1);
            crate::model::validate(&n.title, &n.body, &n.tags).unwrap();
        }
        assert_eq!(super::notes(), notes);
    }
}
