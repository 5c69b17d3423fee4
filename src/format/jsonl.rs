//! JSON Lines: one compact JSON object per line, for streaming tools (`jq`, `grep`).

use super::Render;
use crate::model::Note;

pub(super) struct JsonLines;

impl Render for JsonLines {
    fn render(&self, note: &Note, out: &mut Vec<u8>) {
        // Compact JSON never contains a raw newline: strings escape it. The hand-written
        // writer takes a note without properties or source.
        if !super::fast_json::write(note, false, out) {
            let _ = serde_json::to_writer(&mut *out, note);
        }
    }
}
