//! An export is the notebook at one moment (issue 10, item 3), whatever another process
//! writes meanwhile.
//!
//! One process (this test binary, started again as the writer) edits, renames, adds and
//! deletes notes, one transaction at a time, as fast as it can, while the binary exports the
//! notebook again and again: every strategy, one file per note and bundles. Each export is
//! then restored (imported into an empty notebook, format by format) and must equal one
//! state the notebook was in: the same notes, each with the fields of that moment, in every
//! format, and exactly one file per note and format. The writer's transactions are a pure
//! function of their number, so the test replays them to know every state there was; a clock
//! note (note 1, retitled `clock <k>` by transaction k) says which state an export claims.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::common::TestEnv;
use smartnotes::model::{Note, Timestamp};

/// Set in the writer process: the notebook it writes to.
const WRITER_DB: &str = "TRUST_SNAPSHOT_WRITER_DB";
/// Set in the writer process: the file whose existence tells it to stop.
const WRITER_STOP: &str = "TRUST_SNAPSHOT_WRITER_STOP";

const NOTES: usize = 1100;
const STRATEGIES: [&str; 4] = ["sequential", "threads", "pool", "async"];
const FORMATS: [&str; 3] = ["md", "json", "csv"];
const ROUNDS: usize = 2;

/// What transaction `k` does, chosen from the ids in the notebook before it.
#[derive(Debug)]
struct Change {
    k: u64,
    edit: i64,
    rename: i64,
    delete: i64,
    add: i64,
}

/// The `i`-th id of `ids` (note 1 excluded: it is the clock) not already in `taken`.
fn pick(ids: &BTreeSet<i64>, seed: u64, taken: &[i64]) -> i64 {
    let candidates: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|id| *id != 1 && !taken.contains(id))
        .collect();
    candidates[(seed % candidates.len() as u64) as usize]
}

impl Change {
    fn of(k: u64, ids: &BTreeSet<i64>) -> Change {
        let edit = pick(ids, k.wrapping_mul(7919), &[]);
        let rename = pick(ids, k.wrapping_mul(104_729) + 3, &[edit]);
        let delete = pick(ids, k.wrapping_mul(15_485_863) + 11, &[edit, rename]);
        Change {
            k,
            edit,
            rename,
            delete,
            add: NOTES as i64 + k as i64,
        }
    }

    /// The time every note touched by transaction `k` gets.
    fn time(&self) -> Timestamp {
        Timestamp::from_micros(1_900_000_000_000_000 + self.k as i64 * 1_000_000).unwrap()
    }

    /// What the transaction does to a model of the notebook.
    fn apply(&self, notes: &mut BTreeMap<i64, Note>) {
        let t = self.time();
        let clock = notes.get_mut(&1).unwrap();
        clock.title = format!("clock {}", self.k);
        clock.updated = t;
        let edited = notes.get_mut(&self.edit).unwrap();
        edited.body = format!("edited in transaction {}\n", self.k);
        edited.tags = vec!["edited".into()];
        edited.updated = t;
        let renamed = notes.get_mut(&self.rename).unwrap();
        renamed.title = format!("renamed in transaction {}", self.k);
        renamed.updated = t;
        notes.remove(&self.delete);
        notes.insert(
            self.add,
            Note {
                id: self.add,
                title: format!("added in transaction {}", self.k),
                tags: vec!["added".into()],
                created: t,
                updated: t,
                body: "new\n".into(),
                properties: Default::default(),
                source: None,
            },
        );
    }

    /// The same, in SQL, as one transaction.
    fn commit(&self, conn: &mut rusqlite::Connection) -> rusqlite::Result<()> {
        let t = self.time().as_micros();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE notes SET title = ?2, updated = ?3 WHERE id = ?1",
            rusqlite::params![1, format!("clock {}", self.k), t],
        )?;
        tx.execute(
            "UPDATE notes SET body = ?2, updated = ?3 WHERE id = ?1",
            rusqlite::params![self.edit, format!("edited in transaction {}\n", self.k), t],
        )?;
        tx.execute("DELETE FROM note_tags WHERE note_id = ?1", [self.edit])?;
        tx.execute(
            "INSERT INTO note_tags (note_id, position, tag) VALUES (?1, 0, 'edited')",
            [self.edit],
        )?;
        tx.execute(
            "UPDATE notes SET title = ?2, updated = ?3 WHERE id = ?1",
            rusqlite::params![self.rename, format!("renamed in transaction {}", self.k), t],
        )?;
        tx.execute("DELETE FROM notes WHERE id = ?1", [self.delete])?;
        tx.execute(
            "INSERT INTO notes (id, title, body, created, updated) VALUES (?1, ?2, 'new\n', ?3, ?3)",
            rusqlite::params![self.add, format!("added in transaction {}", self.k), t],
        )?;
        tx.execute(
            "INSERT INTO note_tags (note_id, position, tag) VALUES (?1, 0, 'added')",
            [self.add],
        )?;
        tx.commit()
    }
}

/// The writer process: transaction after transaction until told to stop.
fn write_until_stopped(db: &Path, stop: &Path) {
    let mut conn = rusqlite::Connection::open(db).unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    let mut ids: BTreeSet<i64> = (1..=NOTES as i64).collect();
    for k in 1.. {
        if stop.exists() || k > 1_000_000 {
            break;
        }
        let change = Change::of(k, &ids);
        change.commit(&mut conn).unwrap();
        ids.remove(&change.delete);
        ids.insert(change.add);
        // Leave a core to the export now and then.
        if k % 4 == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// The full name of this module's test `name` (`snapshot::name`): the test binary's
/// `--exact` filter needs it, and the module path without the crate's name is that prefix.
fn test_name(name: &str) -> String {
    let module = module_path!().split_once("::").map_or("", |(_, m)| m);
    format!("{module}::{name}")
}

/// The writer process, killed if the test ends early.
struct Writer {
    child: Child,
    stop: PathBuf,
}

impl Writer {
    fn start(env: &TestEnv) -> Writer {
        let stop = env.path("stop-writing");
        let child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                &test_name(
                    "every_export_is_the_notebook_at_one_moment_while_another_process_writes",
                ),
                "--include-ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(WRITER_DB, env.db())
            .env(WRITER_STOP, &stop)
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        Writer { child, stop }
    }

    fn stop(mut self) {
        std::fs::write(&self.stop, "").unwrap();
        let status = self.child.wait().unwrap();
        assert!(status.success(), "the writer failed: {status}");
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if !self.stop.exists() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The number of the last transaction committed, read from the clock note.
fn clock_of(notes: &[Note]) -> Option<u64> {
    let clock = notes.iter().find(|n| n.id == 1)?;
    clock.title.strip_prefix("clock ")?.parse().ok()
}

fn committed(db: &Path) -> u64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    let title: String = conn
        .query_row("SELECT title FROM notes WHERE id = 1", [], |r| r.get(0))
        .unwrap();
    title
        .strip_prefix("clock ")
        .and_then(|k| k.parse().ok())
        .unwrap_or(0)
}

/// Every note of the notebook at `db`, as `list --json` prints them.
fn list(env: &TestEnv, db: &Path) -> Vec<Note> {
    let out = env
        .cmd()
        .arg("--db")
        .arg(db)
        .args(["list", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The notes of `path` (a folder of per-note files or a bundle) read back by `import`.
fn restore(env: &TestEnv, path: &Path, scratch: &str) -> Vec<Note> {
    let db = env.path(scratch);
    let out = env
        .cmd()
        .arg("--db")
        .arg(&db)
        .args(["import", "--keep-ids"])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{} cannot be restored: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    list(env, &db)
}

/// One export and what it restored to: (label, notes per format, files per format).
struct Restored {
    label: String,
    formats: Vec<(&'static str, Vec<Note>, Option<usize>)>,
    writes_during: u64,
}

fn export_and_restore(env: &TestEnv, n: usize, strategy: &str, layout: &str) -> Restored {
    let out = env.path(&format!("out-{n}"));
    let before = committed(&env.db());
    let run = env
        .cmd()
        .args(["export", "-q", "-f", "md,json,csv", "-s", strategy])
        .args(["--layout", layout, "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let writes_during = committed(&env.db()) - before;
    let label = format!("export {n} (-s {strategy} --layout {layout})");
    assert!(
        run.status.success(),
        "{label}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let formats = FORMATS
        .iter()
        .map(|&format| {
            let (path, files) = match layout {
                "files" => {
                    let dir = out.join(format);
                    let files = std::fs::read_dir(&dir).unwrap().count();
                    (dir, Some(files))
                }
                _ => (out.join(format!("notes.{format}")), None),
            };
            (
                format,
                restore(env, &path, &format!("restored-{n}-{format}.db")),
                files,
            )
        })
        .collect();
    Restored {
        label,
        formats,
        writes_during,
    }
}

/// The notebook after transaction `k`, replayed from `initial`.
fn state_after(initial: &BTreeMap<i64, Note>, k: u64) -> BTreeMap<i64, Note> {
    let mut notes = initial.clone();
    let mut ids: BTreeSet<i64> = notes.keys().copied().collect();
    for k in 1..=k {
        let change = Change::of(k, &ids);
        change.apply(&mut notes);
        ids.remove(&change.delete);
        ids.insert(change.add);
    }
    notes
}

/// Why `restored` is not the notebook at one moment, if it is not.
fn not_one_moment(initial: &BTreeMap<i64, Note>, restored: &Restored) -> Option<String> {
    // The moment this export claims: the clock as the first format has it (0 before any
    // transaction; a missing note 1 then shows as missing below).
    let (_, first, _) = &restored.formats[0];
    let k = clock_of(first).unwrap_or(0);
    let want = state_after(initial, k);
    for (format, notes, files) in &restored.formats {
        if let Some(files) = files
            && *files != want.len()
        {
            return Some(format!(
                "{format}: {files} files for the {} notes of transaction {k}",
                want.len()
            ));
        }
        let got: BTreeMap<i64, &Note> = notes.iter().map(|n| (n.id, n)).collect();
        if got.len() != want.len() {
            return Some(format!(
                "{format}: {} notes, transaction {k} left {}",
                got.len(),
                want.len()
            ));
        }
        for (id, note) in &want {
            match got.get(id) {
                Some(g) if *g == note => {}
                Some(g) => {
                    return Some(format!(
                        "{format}: note {id} is {:?} / {:?}, at transaction {k} it was {:?} / {:?}",
                        g.title, g.body, note.title, note.body
                    ));
                }
                None => {
                    return Some(format!(
                        "{format}: note {id} is missing, at transaction {k} it existed"
                    ));
                }
            }
        }
    }
    None
}

#[test]

fn every_export_is_the_notebook_at_one_moment_while_another_process_writes() {
    if let (Some(db), Some(stop)) = (std::env::var_os(WRITER_DB), std::env::var_os(WRITER_STOP)) {
        return write_until_stopped(Path::new(&db), Path::new(&stop));
    }
    let env = TestEnv::seeded(NOTES);
    let initial: BTreeMap<i64, Note> = list(&env, &env.db())
        .into_iter()
        .map(|n| (n.id, n))
        .collect();
    assert_eq!(initial.len(), NOTES);

    let writer = Writer::start(&env);
    // Wait for the first commit, so that every export runs while the writer writes.
    while committed(&env.db()) == 0 {
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut restored = Vec::new();
    for round in 0..ROUNDS {
        for (s, strategy) in STRATEGIES.iter().enumerate() {
            for (l, layout) in ["files", "bundle"].iter().enumerate() {
                let n = (round * STRATEGIES.len() + s) * 2 + l;
                restored.push(export_and_restore(&env, n, strategy, layout));
            }
        }
    }
    writer.stop();

    let overlapped = restored.iter().filter(|r| r.writes_during > 0).count();
    assert!(
        overlapped * 2 >= restored.len(),
        "the writer committed during only {overlapped} of {} exports: the test proves little",
        restored.len()
    );
    let broken: Vec<String> = restored
        .iter()
        .filter_map(|r| {
            not_one_moment(&initial, r)
                .map(|why| format!("{} ({} commits during it): {why}", r.label, r.writes_during))
        })
        .collect();
    assert!(
        broken.is_empty(),
        "{} of {} exports are not the notebook at one moment:\n{}",
        broken.len(),
        restored.len(),
        broken.join("\n")
    );
}
