//! Changes to notes already in the notebook, several at once: removing a set of notes and
//! changing the tags of a set of notes, each in one transaction, so that `rm 3 5 8` or
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
        tx.commit().map_err(|e| errors.sql(e))?;
        // Links to the removed notes may now name another note (store/links.rs).
        self.resolve_links().map(drop)
    }

    /// Changes the tags of each note of `ids` as `change` says (given its tags, in order, it
    /// returns the new ones), in one transaction that reads the tags under the write lock, so
    /// that a tag another process gave a note meanwhile is not lost. A note whose tags come
    /// back the same is not touched; every other gets `updated` as its last change. Returns
    /// the ids of the notes changed. A tag [`validate_tag`] refuses, or an id not in the
    /// notebook, changes nothing.
    pub fn change_tags(
        &mut self,
        ids: &[i64],
        change: impl Fn(&[String]) -> Vec<String>,
        updated: Timestamp,
    ) -> Result<Vec<i64>, StoreError> {
        let (tx, errors) = self.write()?;
        let mut changed = Vec::new();
        {
            let sql = |e| errors.sql(e);
            let mut read = tx
                .prepare_cached(
                    "SELECT CAST(tag AS TEXT) FROM note_tags WHERE note_id = ?1 ORDER BY position",
                )
                .map_err(sql)?;
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
            for &id in ids {
                let tags: Vec<String> = read
                    .query_map([id], |row| row.get(0))
                    .and_then(|rows| rows.collect())
                    .map_err(|e| match e {
                        rusqlite::Error::FromSqlConversionFailure(..) => StoreError::Corrupt {
                            id,
                            reason: "a tag is not UTF-8".into(),
                        },
                        e => errors.sql(e),
                    })?;
                let new = change(&tags);
                if new == tags {
                    if exists(&tx, id).map_err(sql)? {
                        continue;
                    }
                    return Err(StoreError::NotFound(id));
                }
                for tag in &new {
                    validate_tag(tag)?;
                }
                if touch
                    .execute(params![id, updated.as_micros()])
                    .map_err(sql)?
                    == 0
                {
                    return Err(StoreError::NotFound(id));
                }
                clear.execute([id]).map_err(sql)?;
                for (position, tag) in new.iter().enumerate() {
                    insert
                        .execute(params![id, position as i64, tag])
                        .map_err(sql)?;
                }
                changed.push(id);
            }
        }
        tx.commit().map_err(|e| errors.sql(e))?;
        Ok(changed)
    }
}

/// Whether a note with this id exists.
fn exists(tx: &rusqlite::Transaction<'_>, id: i64) -> rusqlite::Result<bool> {
    tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM notes WHERE id = ?1)",
        [id],
        |r| r.get(0),
    )
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
    fn change_tags_changes_in_order_moves_updated_and_is_all_or_nothing() {
        let mut store = store_with(3);
        let before = store.get(1).unwrap();
        let later: Timestamp = "2030-01-01T00:00:00Z".parse().unwrap();
        let prepend = |tags: &[String]| {
            let mut new = vec!["z".to_owned()];
            new.extend(tags.iter().cloned());
            new
        };
        assert_eq!(
            store.change_tags(&[2, 3], prepend, later).unwrap(),
            vec![2, 3]
        );
        let note = store.get(2).unwrap();
        assert_eq!(
            (note.tags, note.updated),
            (vec!["z".into(), "a".into()], later)
        );
        assert_eq!(store.get(1).unwrap(), before, "not asked: untouched");
        // Unchanged tags: not touched, not counted.
        assert_eq!(
            store.change_tags(&[1], |t| t.to_vec(), later).unwrap(),
            Vec::<i64>::new()
        );
        assert_eq!(store.get(1).unwrap(), before);
        assert!(matches!(
            store.change_tags(&[1, 2], |_| vec!["bad;tag".into()], later),
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            store.change_tags(&[1, 7], |_| vec!["ok".into()], later),
            Err(StoreError::NotFound(7))
        ));
        assert!(matches!(
            store.change_tags(&[7], |t| t.to_vec(), later),
            Err(StoreError::NotFound(7))
        ));
        assert_eq!(
            store.get(1).unwrap(),
            before,
            "nothing changed by the failures"
        );
    }
}
