//! JSON: one pretty-printed object per note, keys in the order of [`Note`]'s fields, by
//! serde_json or, for a note without properties or source, by `fast_json.rs`.

use super::Render;
use crate::model::Note;

pub(super) struct Json;

impl Render for Json {
    fn render(&self, note: &Note, out: &mut Vec<u8>) {
        // The hand-written writer takes a note without properties or source.
        if !super::fast_json::write(note, true, out) {
            // A Note holds only strings, integers and lists: serde_json cannot fail on it.
            let _ = serde_json::to_writer_pretty(&mut *out, note);
        }
    }
}
