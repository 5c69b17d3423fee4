//! The library driven as a library, without the binary: a notebook made with the store API,
//! exported through `smartnotes::export` with a progress hook and a cancel handle, and the
//! admission asked for beforehand with `smartnotes::plan`.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use smartnotes::model::{NewNote, Timestamp};
use smartnotes::store::{Query, Store};
use smartnotes::{
    Cancel, ExportConfig, ExportError, Format, Hooks, Layout, NoteSource, Progress, StrategyKind,
    export, plan,
};

/// Counts what the engine reports.
#[derive(Default)]
struct Counter {
    planned: AtomicU64,
    done: AtomicU64,
    finished: AtomicU64,
}

impl Progress for Counter {
    fn planned(&self, jobs: u64) {
        self.planned.store(jobs, Ordering::SeqCst);
    }

    fn advance(&self, jobs: u64) {
        self.done.fetch_add(jobs, Ordering::SeqCst);
    }

    fn finish(&self) {
        self.finished.fetch_add(1, Ordering::SeqCst);
    }
}

fn notebook(dir: &Path, count: usize) -> NoteSource {
    let path = dir.join("notes.db");
    let mut store = Store::open_or_create(&path).unwrap();
    let t: Timestamp = "2026-11-24T09:00:00Z".parse().unwrap();
    let notes = (0..count).map(|i| NewNote {
        title: format!("Note number {i}"),
        body: format!("body {i}"),
        tags: vec!["lib".into()],
        created: t,
        updated: t,
        properties: Default::default(),
        source: None,
    });
    store.add_all(notes).unwrap();
    NoteSource::Store {
        path,
        query: Query::default(),
    }
}

fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| entries.count())
}

#[test]
fn a_program_exports_a_notebook_with_progress_and_reads_the_summary() {
    let dir = crate::common::scratch_dir();
    let source = notebook(dir.path(), 40);
    let mut config = ExportConfig::new(dir.path().join("out"));
    config.formats = vec![Format::Md, Format::Jsonl];
    config.strategy = StrategyKind::Pool;
    let config = config.validate().unwrap();
    let admitted = plan(&source, &config).unwrap();
    assert_eq!((admitted.notes, admitted.planned_jobs), (40, 80));

    let counter = Arc::new(Counter::default());
    let hooks = Hooks::default().with_progress(counter.clone());
    let summary = export(&source, &config, &hooks).unwrap();
    assert!(summary.ok(), "{summary}");
    assert_eq!(
        (summary.files, summary.planned_jobs, summary.failed),
        (80, 80, 0)
    );
    assert_eq!(counter.planned.load(Ordering::SeqCst), 80);
    assert_eq!(counter.done.load(Ordering::SeqCst), 80);
    assert_eq!(counter.finished.load(Ordering::SeqCst), 1);
    assert_eq!(files_in(&dir.path().join("out/md")), 40);
    assert!(dir.path().join("out/jsonl/1-note-number-0.jsonl").is_file());
    let text = summary.to_string();
    assert!(text.contains("files written: 80"), "{text}");
}

#[test]
fn plan_refuses_before_anything_is_written() {
    let dir = crate::common::scratch_dir();
    let source = NoteSource::Synthetic {
        count: 1_000_000,
        seed: 1,
    };
    let mut config = ExportConfig::new(dir.path().join("out"));
    config.strategy = StrategyKind::Threads;
    match plan(&source, &config) {
        Err(ExportError::Refused {
            strategy,
            planned_jobs,
            reason,
        }) => {
            assert_eq!((strategy, planned_jobs), ("threads", 3_000_000));
            assert!(reason.contains("3000000 threads"), "{reason}");
        }
        other => panic!("not refused: {other:?}"),
    }
    assert!(matches!(
        export(&source, &config, &Hooks::default()),
        Err(ExportError::Refused { .. })
    ));
    assert!(
        !dir.path().join("out").exists(),
        "nothing written, not even the folder"
    );
}

#[test]
fn abort_cuts_the_waits_in_flight_short_and_leaves_only_complete_files() {
    // Every job waits 60 s after its write: stop() lets them wait, abort() ends the waits.
    let dir = crate::common::scratch_dir();
    let clean = dir.path().join("clean");
    export(
        &NoteSource::sample(),
        &ExportConfig::new(&clean),
        &Hooks::default(),
    )
    .unwrap();
    for strategy in StrategyKind::ALL {
        let out = dir.path().join(strategy.name());
        let mut config = ExportConfig::new(&out);
        config.strategy = strategy;
        config.latency = Duration::from_secs(60);
        let cancel = Cancel::new();
        let hooks = Hooks::default().with_cancel(cancel.clone());
        let started = Instant::now();
        let summary = std::thread::scope(|s| {
            let running = s.spawn(|| export(&NoteSource::sample(), &config, &hooks));
            std::thread::sleep(Duration::from_millis(300));
            cancel.stop();
            std::thread::sleep(Duration::from_millis(100));
            assert!(
                !running.is_finished(),
                "{strategy}: stop() waits for the jobs in flight"
            );
            cancel.abort();
            running.join().unwrap().unwrap()
        });
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{strategy}: abort did not cut the waits short"
        );
        assert!(summary.interrupted, "{strategy}");
        assert!(
            summary.files > 0,
            "{strategy}: the jobs in flight are published"
        );
        assert_eq!(summary.failed, 0, "{strategy}");
        let mut published = 0;
        for folder in ["md", "json", "csv"] {
            let Ok(entries) = std::fs::read_dir(out.join(folder)) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                let name = path.strip_prefix(&out).unwrap();
                assert_eq!(
                    std::fs::read(&path).unwrap(),
                    std::fs::read(clean.join(name)).unwrap(),
                    "{strategy}: {} is not complete",
                    name.display()
                );
                published += 1;
            }
        }
        assert_eq!(published, summary.files, "{strategy}");
        let leftovers = std::fs::read_dir(&out)
            .unwrap()
            .filter(|e| {
                let name = e.as_ref().unwrap().file_name();
                name.to_string_lossy().starts_with(".smartnotes-staging-")
            })
            .count();
        assert_eq!(leftovers, 0, "{strategy}: staging removed");
    }
}

#[test]
fn bundles_of_a_notebook_hold_the_same_notes_in_every_format() {
    let dir = crate::common::scratch_dir();
    let source = notebook(dir.path(), 700);
    let mut config = ExportConfig::new(dir.path().join("out"));
    config.layout = Layout::Bundle;
    config.formats = vec![Format::Json, Format::Jsonl, Format::Csv];
    config.strategy = StrategyKind::Async;
    let summary = export(&source, &config, &Hooks::default()).unwrap();
    assert!(summary.ok(), "{summary}");
    assert_eq!((summary.files, summary.threads), (3, 3));
    let json: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/notes.json")).unwrap()).unwrap();
    let jsonl = std::fs::read_to_string(dir.path().join("out/notes.jsonl")).unwrap();
    let csv = std::fs::read_to_string(dir.path().join("out/notes.csv")).unwrap();
    assert_eq!(json.len(), 700);
    assert_eq!(jsonl.lines().count(), 700);
    assert_eq!(csv.lines().count(), 701, "header and one line per note");
}
