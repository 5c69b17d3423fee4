//! Which notes to read: a typed query turned into SQL.
//!
//! The store never loads every note to filter them in Rust; a [`Query`] becomes a `WHERE`
//! clause with bound parameters, and results come back in pages keyed on the note id.

use rusqlite::types::Value;

/// Which notes to read. The default matches every note.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    /// Notes carrying every one of these tags.
    pub tags: Vec<String>,
}

impl Query {
    /// A query for notes carrying `tag`.
    pub fn tagged(tag: impl Into<String>) -> Self {
        Query {
            tags: vec![tag.into()],
        }
    }

    /// The SQL condition on `notes AS n` and its parameters, `1` when nothing is filtered.
    pub(crate) fn condition(&self) -> (String, Vec<Value>) {
        let mut clauses = Vec::new();
        let mut params = Vec::new();
        for tag in &self.tags {
            clauses.push(
                "EXISTS (SELECT 1 FROM note_tags t WHERE t.note_id = n.id AND t.tag = ?)"
                    .to_owned(),
            );
            params.push(Value::Text(tag.clone()));
        }
        if clauses.is_empty() {
            ("1".to_owned(), params)
        } else {
            (clauses.join(" AND "), params)
        }
    }
}
