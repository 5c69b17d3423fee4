//! Tests of the shared filter ([`Query`]) against a real SQLite store: each filter alone and
//! combined, FTS5 search, keyset paging in every order, and the FTS migration of a database
//! made at schema version 1.

use std::cmp::Ordering;

use super::*;
use crate::model::Timestamp;

/// `2026-01-<day>T<hour>:00:00Z`.
fn at(day: u32, hour: u32) -> Timestamp {
    format!("2026-01-{day:02}T{hour:02}:00:00Z")
        .parse()
        .unwrap()
}

fn new_note(
    title: &str,
    body: &str,
    tags: &[&str],
    created: Timestamp,
    updated: Timestamp,
) -> NewNote {
    NewNote {
        title: title.into(),
        body: body.into(),
        tags: tags.iter().map(|s| s.to_string()).collect(),
        created,
        updated,
        properties: Default::default(),
        source: None,
    }
}

/// Six notes with known titles, bodies, tags and dates; ids 1 to 6.
fn fixture() -> Store {
    let mut store = Store::open_in_memory().unwrap();
    store
        .add_all([
            // id 1
            new_note(
                "Café planning",
                "Where to meet for the thread pool review.",
                &["work", "ideas"],
                at(1, 9),
                at(2, 9),
            ),
            // id 2
            new_note(
                "Groceries",
                "milk, eggs, coffee beans",
                &["personal"],
                at(3, 9),
                at(10, 9),
            ),
            // id 3
            new_note(
                "Rust notes",
                "The pool of threads is a thread pool; c++ is another language. AND so on.",
                &["work", "rust"],
                at(5, 9),
                at(5, 9),
            ),
            // id 4
            new_note(
                "archive me",
                "old text with a:b and \"quotes\"",
                &["archive"],
                at(7, 9),
                at(20, 9),
            ),
            // id 5
            new_note(
                "Threads vs async",
                "asynchronous tasks and threads",
                &["rust", "ideas"],
                at(9, 9),
                at(9, 12),
            ),
            // id 6
            new_note("Untagged", "nothing to see", &[], at(11, 9), at(11, 9)),
        ])
        .unwrap();
    store
}

fn ids(store: &mut Store, query: &Query) -> Vec<i64> {
    let ids: Vec<i64> = store.list(query).unwrap().iter().map(|n| n.id).collect();
    // count and list agree on every query.
    assert_eq!(store.count(query).unwrap(), ids.len() as u64, "{query:?}");
    ids
}

fn search(text: &str) -> Query {
    Query {
        search: Some(text.parse().unwrap()),
        ..Query::default()
    }
}

fn search_ids(store: &mut Store, text: &str) -> Vec<i64> {
    ids(store, &search(text))
}

fn strings(tags: &[&str]) -> Vec<String> {
    tags.iter().map(|s| s.to_string()).collect()
}

#[test]
fn every_tag_filter_alone() {
    let mut store = fixture();
    let q = |tags: &[&str], any: &[&str], not: &[&str]| Query {
        tags: strings(tags),
        any_tags: strings(any),
        not_tags: strings(not),
        ..Query::default()
    };
    assert_eq!(ids(&mut store, &q(&["work"], &[], &[])), [1, 3]);
    assert_eq!(
        ids(&mut store, &q(&["work", "rust"], &[], &[])),
        [3],
        "all of them"
    );
    assert_eq!(
        ids(&mut store, &q(&["work", "personal"], &[], &[])),
        [] as [i64; 0]
    );
    assert_eq!(
        ids(&mut store, &q(&[], &["personal", "rust"], &[])),
        [2, 3, 5]
    );
    assert_eq!(
        ids(&mut store, &q(&[], &[], &["work"])),
        [2, 4, 5, 6],
        "untagged kept"
    );
    assert_eq!(ids(&mut store, &q(&[], &[], &["work", "rust"])), [2, 4, 6]);
    assert_eq!(ids(&mut store, &q(&["nope"], &[], &[])), [] as [i64; 0]);
    // Tags match exactly: no case folding, no prefix.
    assert_eq!(ids(&mut store, &q(&["Work"], &[], &[])), [] as [i64; 0]);
    assert_eq!(ids(&mut store, &q(&["wor"], &[], &[])), [] as [i64; 0]);
}

#[test]
fn date_filters_alone_on_either_date() {
    let mut store = fixture();
    let q = |since: Option<Timestamp>, until: Option<Timestamp>, by| Query {
        since,
        until,
        by,
        ..Query::default()
    };
    // Bounds are inclusive.
    assert_eq!(
        ids(&mut store, &q(Some(at(9, 9)), None, DateField::Created)),
        [5, 6]
    );
    assert_eq!(
        ids(&mut store, &q(None, Some(at(5, 9)), DateField::Created)),
        [1, 2, 3]
    );
    assert_eq!(
        ids(
            &mut store,
            &q(Some(at(3, 9)), Some(at(7, 9)), DateField::Created)
        ),
        [2, 3, 4]
    );
    // By updated (the default), note 2 (updated on the 10th) moves into the window.
    assert_eq!(
        ids(
            &mut store,
            &q(Some(at(9, 0)), Some(at(10, 23)), DateField::Updated)
        ),
        [2, 5]
    );
    assert_eq!(Query::default().by, DateField::Updated);
    // An empty window.
    assert_eq!(
        ids(
            &mut store,
            &q(Some(at(20, 0)), Some(at(1, 0)), DateField::Created)
        ),
        [] as [i64; 0]
    );
}

#[test]
fn day_specs_cover_the_whole_day() {
    let mut store = fixture();
    let now = at(31, 0);
    let day: DateSpec = "2026-01-09".parse().unwrap();
    let q = Query {
        since: Some(day.start(now)),
        until: Some(day.end(now)),
        by: DateField::Updated,
        ..Query::default()
    };
    // Note 5 was updated at 12:00 on the 9th: `--since 2026-01-09 --until 2026-01-09` has it.
    assert_eq!(ids(&mut store, &q), [5]);
    // Relative: 3 weeks before the 31st is the 10th, 09:00 included.
    let age: DateSpec = "21d".parse().unwrap();
    let q = Query {
        since: Some(age.start(at(31, 9))),
        ..Query::default()
    };
    assert_eq!(ids(&mut store, &q), [2, 4, 6]);
}

#[test]
fn search_words_phrases_and_prefixes() {
    let mut store = fixture();
    // Words: all must match, anywhere in title or body, in any order.
    assert_eq!(search_ids(&mut store, "pool thread"), [1, 3]);
    // A phrase: the words next to each other, in that order.
    assert_eq!(search_ids(&mut store, "\"thread pool\""), [1, 3]);
    assert_eq!(search_ids(&mut store, "\"pool thread\""), [] as [i64; 0]);
    assert_eq!(search_ids(&mut store, "\"pool of threads\""), [3]);
    // Words match whole tokens; a prefix needs `*`.
    assert_eq!(search_ids(&mut store, "thread"), [1, 3]);
    assert_eq!(search_ids(&mut store, "thread*"), [1, 3, 5]);
    assert_eq!(search_ids(&mut store, "async*"), [5]);
    assert_eq!(search_ids(&mut store, "\"asynchronous task\"*"), [5]);
    // Titles are searched too, case-insensitively.
    assert_eq!(search_ids(&mut store, "GROCERIES"), [2]);
    assert_eq!(search_ids(&mut store, "untagged"), [6]);
    assert_eq!(search_ids(&mut store, "absent"), [] as [i64; 0]);
}

#[test]
fn search_ignores_diacritics_both_ways() {
    let mut store = fixture();
    assert_eq!(search_ids(&mut store, "cafe"), [1]);
    assert_eq!(search_ids(&mut store, "café"), [1]);
    assert_eq!(search_ids(&mut store, "CAFÉ"), [1]);
    assert_eq!(search_ids(&mut store, "caf*"), [1]);
    // A title in NFD (e + combining acute) is found by an NFC query and the reverse.
    let mut store = store;
    let id = store
        .add(new_note(
            "Re\u{301}sume\u{301}",
            "",
            &[],
            at(1, 0),
            at(1, 0),
        ))
        .unwrap()
        .id;
    assert_eq!(search_ids(&mut store, "r\u{e9}sum\u{e9}"), [id]);
    assert_eq!(search_ids(&mut store, "resume"), [id]);
}

#[test]
fn text_that_looks_like_fts_syntax_searches_for_itself() {
    let mut store = fixture();
    for text in [
        "c++",
        "AND",
        "OR",
        "NOT",
        "NEAR",
        "\"a:b\"",
        "a:b",
        "title:milk",
        "(",
        ")",
        "-x",
        "^",
        "{title}: x",
        "\"\"",
        "'",
        "a\"\"b",
        "*x",
    ] {
        let parsed = text.parse::<Search>();
        let Ok(parsed) = parsed else {
            // Only texts without a single word may be refused, and never as an FTS error.
            assert!(matches!(parsed, Err(QueryError::EmptySearch)), "{text:?}");
            continue;
        };
        let query = Query {
            search: Some(parsed),
            ..Query::default()
        };
        store
            .list(&query)
            .unwrap_or_else(|e| panic!("{text:?} made a bad FTS query: {e}"));
        store.count(&query).unwrap();
    }
    // And they find what they say: `c++` is the token `c`, `AND` the word "and".
    assert_eq!(search_ids(&mut store, "c++"), [3]);
    assert_eq!(search_ids(&mut store, "AND"), [3, 4, 5]);
    assert_eq!(search_ids(&mut store, "\"a:b\""), [4]);
    assert_eq!(
        search_ids(&mut store, "title:milk"),
        [] as [i64; 0],
        "no column filter"
    );
    assert_eq!(search_ids(&mut store, "milk"), [2]);
}

#[test]
fn filters_combine_with_and() {
    let mut store = fixture();
    let q = Query {
        any_tags: strings(&["rust", "ideas"]),
        not_tags: strings(&["work"]),
        search: Some("thread*".parse().unwrap()),
        since: Some(at(2, 0)),
        by: DateField::Created,
        ..Query::default()
    };
    assert_eq!(ids(&mut store, &q), [5]);
    let q = Query {
        tags: strings(&["work"]),
        search: Some("\"thread pool\"".parse().unwrap()),
        until: Some(at(3, 0)),
        by: DateField::Updated,
        ..Query::default()
    };
    assert_eq!(ids(&mut store, &q), [1]);
    let q = Query {
        tags: strings(&["work"]),
        search: Some("groceries".parse().unwrap()),
        ..Query::default()
    };
    assert_eq!(ids(&mut store, &q), [] as [i64; 0]);
}

#[test]
fn sort_reverse_and_limit() {
    let mut store = fixture();
    let q = |sort, descending, limit| Query {
        sort,
        descending,
        limit,
        ..Query::default()
    };
    assert_eq!(
        ids(&mut store, &q(Sort::Id, false, None)),
        [1, 2, 3, 4, 5, 6]
    );
    assert_eq!(
        ids(&mut store, &q(Sort::Id, true, None)),
        [6, 5, 4, 3, 2, 1]
    );
    // Title ignores ASCII case: "archive me" sorts first.
    assert_eq!(
        ids(&mut store, &q(Sort::Title, false, None)),
        [4, 1, 2, 3, 5, 6]
    );
    assert_eq!(
        ids(&mut store, &q(Sort::Created, true, None)),
        [6, 5, 4, 3, 2, 1]
    );
    assert_eq!(
        ids(&mut store, &q(Sort::Updated, false, None)),
        [1, 3, 5, 2, 6, 4]
    );
    assert_eq!(ids(&mut store, &q(Sort::Updated, true, Some(2))), [4, 6]);
    assert_eq!(
        ids(&mut store, &q(Sort::Title, false, Some(0))),
        [] as [i64; 0]
    );
    assert_eq!(ids(&mut store, &q(Sort::Id, false, Some(100))).len(), 6);
    // The limit applies after the filter.
    let tagged = Query {
        limit: Some(1),
        ..Query::tagged("rust")
    };
    assert_eq!(ids(&mut store, &tagged), [3]);
}

#[test]
fn an_empty_store_and_an_empty_result() {
    let mut empty = Store::open_in_memory().unwrap();
    assert_eq!(ids(&mut empty, &Query::default()), [] as [i64; 0]);
    assert_eq!(ids(&mut empty, &search("anything")), [] as [i64; 0]);
    let mut store = fixture();
    let none = Query::tagged("no-such-tag");
    assert_eq!(store.count(&none).unwrap(), 0);
    assert!(
        store
            .snapshot()
            .unwrap()
            .notes(&none)
            .unwrap()
            .next()
            .is_none()
    );
}

/// The order SQLite's `NOCASE` collation gives: ASCII letters folded, everything else by byte.
fn nocase(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// `n` notes whose titles and dates repeat a lot, so that many pages start inside a run of
/// equal sort keys and only the id tiebreak orders them.
fn many_with_ties(n: usize) -> Store {
    let mut store = Store::open_in_memory().unwrap();
    let titles = [
        "beta", "Alpha", "alpha", "ALPHA", "gamma", "Émile", "zeta", "Beta",
    ];
    store
        .add_all((0..n).map(|i| {
            let created = at(1 + (i % 7) as u32, 0);
            let updated = at(1 + (i % 5) as u32, (i % 3) as u32);
            let tags: &[&str] = if i % 4 == 0 { &["even"] } else { &[] };
            new_note(
                titles[(i * 7) % titles.len()],
                "same body",
                tags,
                created,
                updated,
            )
        }))
        .unwrap();
    store
}

#[test]
fn keyset_paging_gives_the_order_of_a_full_sort() {
    let n = PAGE_SIZE * 3 + 37;
    let mut store = many_with_ties(n);
    let all: Vec<Note> = store.list(&Query::default()).unwrap();
    assert_eq!(all.len(), n);
    for sort in [Sort::Id, Sort::Created, Sort::Updated, Sort::Title] {
        for descending in [false, true] {
            let mut expected = all.clone();
            expected.sort_by(|a, b| {
                let key = match sort {
                    Sort::Id => Ordering::Equal,
                    Sort::Created => a.created.cmp(&b.created),
                    Sort::Updated => a.updated.cmp(&b.updated),
                    Sort::Title => nocase(&a.title, &b.title),
                };
                key.then(a.id.cmp(&b.id))
            });
            if descending {
                expected.reverse();
            }
            let expected: Vec<i64> = expected.iter().map(|n| n.id).collect();
            let query = Query {
                sort,
                descending,
                ..Query::default()
            };
            let got: Vec<i64> = store.list(&query).unwrap().iter().map(|n| n.id).collect();
            assert_eq!(got, expected, "{sort:?} descending={descending}");
            // A limit that ends inside the third page takes a prefix of the same order.
            let limit = PAGE_SIZE * 2 + 5;
            let limited = Query {
                limit: Some(limit as u64),
                ..query.clone()
            };
            let got: Vec<i64> = store.list(&limited).unwrap().iter().map(|n| n.id).collect();
            assert_eq!(
                got,
                expected[..limit],
                "{sort:?} descending={descending} limited"
            );
            assert_eq!(store.count(&limited).unwrap(), limit as u64);
            // And a filter over pages keeps the order too.
            let filtered = Query {
                tags: vec!["even".into()],
                ..query
            };
            let got: Vec<i64> = store
                .list(&filtered)
                .unwrap()
                .iter()
                .map(|n| n.id)
                .collect();
            let even: Vec<i64> = expected
                .iter()
                .copied()
                .filter(|id| (id - 1) % 4 == 0)
                .collect();
            assert_eq!(got, even, "{sort:?} descending={descending} filtered");
        }
    }
}

#[test]
fn a_limit_of_exactly_a_page_and_just_over() {
    let mut store = many_with_ties(PAGE_SIZE * 2);
    for limit in [
        PAGE_SIZE - 1,
        PAGE_SIZE,
        PAGE_SIZE + 1,
        PAGE_SIZE * 2,
        PAGE_SIZE * 5,
    ] {
        let q = Query {
            limit: Some(limit as u64),
            sort: Sort::Title,
            ..Query::default()
        };
        let got: Vec<i64> = store.list(&q).unwrap().iter().map(|n| n.id).collect();
        assert_eq!(got.len(), limit.min(PAGE_SIZE * 2), "limit {limit}");
        let mut unique = got.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), got.len(), "no note twice at limit {limit}");
    }
}

#[test]
fn updates_and_deletes_keep_the_search_index_in_step() {
    let mut store = fixture();
    assert_eq!(search_ids(&mut store, "groceries"), [2]);
    store.remove(2).unwrap();
    assert_eq!(search_ids(&mut store, "groceries"), [] as [i64; 0]);
    assert_eq!(search_ids(&mut store, "milk"), [] as [i64; 0]);
    // There is no update method yet; a direct UPDATE is what one will do, and the trigger
    // must follow it.
    store
        .conn
        .execute(
            "UPDATE notes SET title = 'Shopping list', body = 'bread' WHERE id = 6",
            [],
        )
        .unwrap();
    assert_eq!(search_ids(&mut store, "untagged"), [] as [i64; 0]);
    assert_eq!(search_ids(&mut store, "nothing"), [] as [i64; 0]);
    assert_eq!(search_ids(&mut store, "shopping"), [6]);
    assert_eq!(search_ids(&mut store, "bread"), [6]);
    // Changing only the date leaves the index alone and search still finds the note.
    store
        .conn
        .execute("UPDATE notes SET updated = updated + 1 WHERE id = 6", [])
        .unwrap();
    assert_eq!(search_ids(&mut store, "bread"), [6]);
    let added = store
        .add(new_note(
            "Fresh",
            "brand new words",
            &[],
            at(1, 0),
            at(1, 0),
        ))
        .unwrap();
    assert_eq!(search_ids(&mut store, "brand"), [added.id]);
    // The index agrees with the table it indexes.
    store
        .conn
        .execute(
            "INSERT INTO notes_fts(notes_fts, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .unwrap();
}

#[test]
fn a_version_1_database_gets_its_search_index_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(migrations::MIGRATIONS[0]).unwrap();
        conn.execute(
            "INSERT INTO notes (title, body, created, updated) VALUES
                ('Old café', 'written before search existed', 0, 0),
                ('Another', 'a thread pool', 1, 1)",
            [],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO note_tags (note_id, position, tag) VALUES (2, 0, 'legacy')",
            [],
        )
        .unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        let fts: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'notes_fts'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(fts, 0, "a real v1 database: no search index");
    }
    let mut store = Store::open(&path).unwrap();
    let version: u32 = store
        .conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    assert_eq!(search_ids(&mut store, "cafe"), [1]);
    assert_eq!(search_ids(&mut store, "\"thread pool\""), [2]);
    assert_eq!(search_ids(&mut store, "existed"), [1]);
    let q = Query {
        search: Some("pool".parse().unwrap()),
        ..Query::tagged("legacy")
    };
    assert_eq!(ids(&mut store, &q), [2]);
    // Old notes stay searchable and removable after the migration.
    store.remove(1).unwrap();
    assert_eq!(search_ids(&mut store, "cafe"), [] as [i64; 0]);
    drop(store);
    // Reopening does not migrate again.
    let mut store = Store::open(&path).unwrap();
    assert_eq!(search_ids(&mut store, "thread"), [2]);
}
