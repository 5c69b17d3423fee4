//! Changes to notes already in the notebook, several at once: removing a set of notes and
//! setting the tags of a set of notes, each in one transaction, so that `rm 3 5 8` or
//! `tag rename old new` either happens to every note or to none. (A whole note, as `edit`
//! saves it, goes through [`Store::import`] with [`super::ImportMode::Update`], the one path
//! that writes every field of a note.)

use rusqlite::params;

use super::{Store, StoreError};
use crate::model::{Timestamp, validate_tag};

impl Store {
    /// Removes the notes with these ids, damaged or not, in one transaction: if one of them
    /// is not in the notebook ([`StoreError::NotFound`]), none is removed.
    pub fn remove_all(&mut self, ids: &[i64]) -> Result<(), StoreError> {
        let (tx, errors) = self.write()?;
        {
            let mut delete = tx
                .prepare_cached("DELETE FROM notes WHERE id = ?1")
                .map_err(|e| errors.sql(e))?;
            for &id in ids {
                if delete.execute([id]).map_err(|e| errors.sql(e))? == 0 {
                    return Err(StoreError::NotFound(id));
                }
            }
        }
        tx.commit().map_err(|e| errors.sql(e))
    }

    /// Gives each note its new tags, in order, and `updated` as its last change, in one
    /// transaction: a tag [`validate_tag`] refuses, or an id not in the notebook, changes
    /// nothing.
    pub fn set_tags(
        &mut self,
        changes: &[(i64, Vec<String>)],
        updated: Timestamp,
    ) -> Result<(), StoreError> {
        for tag in changes.iter().flat_map(|(_, tags)| tags) {
            validate_tag(tag)?;
        }
        let (tx, errors) = self.write()?;
        {
            let sql = |e| errors.sql(e);
            let mut touch = tx
                .prepare_cached("UPDATE notes SET updated = ?2 WHERE id = ?1")
                .map_err(sql)?;
            let mut clear = tx
                .prepare_cached("DELETE FROM note_tags WHERE note_id = ?1")
                .map_err(sql)?;
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO note_tags (note_id, position, tag) VALUES (?1, ?2, ?3)",
                )
                .map_err(sql)?;
            for (id, tags) in changes {
                if touch
                    .execute(params![id, updated.as_micros()])
                    .map_err(sql)?
                    == 0
                {
                    return Err(StoreError::NotFound(*id));
                }
                clear.execute([id]).map_err(sql)?;
                for (position, tag) in tags.iter().enumerate() {
                    insert
                        .execute(params![id, position as i64, tag])
                        .map_err(sql)?;
                }
            }
        }
        tx.commit().map_err(|e| errors.sql(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NewNote;

    fn store_with(n: usize) -> Store {
        let mut store = Store::open_in_memory().unwrap();
        store
            .add_all((0..n).map(|i| NewNote::now(format!("n{i}"), "", vec!["a".into()])))
            .unwrap();
        store
    }

    #[test]
    fn remove_all_is_all_or_nothing() {
        let mut store = store_with(3);
        assert!(matches!(
            store.remove_all(&[1, 9]),
            Err(StoreError::NotFound(9))
        ));
        assert_eq!(store.count(&Default::default()).unwrap(), 3);
        store.remove_all(&[1, 3]).unwrap();
        assert_eq!(store.list(&Default::default()).unwrap()[0].id, 2);
    }

    #[test]
    fn set_tags_replaces_tags_in_order_and_moves_updated() {
        let mut store = store_with(2);
        let later: Timestamp = "2030-01-01T00:00:00Z".parse().unwrap();
        store
            .set_tags(&[(2, vec!["z".into(), "b".into()])], later)
            .unwrap();
        let note = store.get(2).unwrap();
        assert_eq!(
            (note.tags, note.updated),
            (vec!["z".into(), "b".into()], later)
        );
        assert_eq!(store.get(1).unwrap().tags, vec!["a".to_owned()]);
        assert!(matches!(
            store.set_tags(
                &[(1, vec!["ok".into()]), (2, vec!["bad;tag".into()])],
                later
            ),
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            store.set_tags(&[(1, vec!["ok".into()]), (7, vec![])], later),
            Err(StoreError::NotFound(7))
        ));
        assert_eq!(store.get(1).unwrap().tags, vec!["a".to_owned()]);
    }
}
