//! JSON: one pretty-printed object per note, keys in the order of [`Note`]'s fields.

use super::Render;
use crate::model::Note;

pub(super) struct Json;

impl Render for Json {
    fn render(&self, note: &Note, out: &mut Vec<u8>) {
        // A Note holds only strings, integers and lists: serde_json cannot fail on it.
        let _ = serde_json::to_writer_pretty(&mut *out, note);
    }
}
