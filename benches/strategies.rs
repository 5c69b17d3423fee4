//! Export strategies and the store, measured without the disk in the way.
//!
//! `cargo bench --bench strategies`:
//! - `strategies/*`: 300 synthetic notes x 3 formats through each strategy into the Null sink,
//!   so the figure is rendering plus scheduling, not the file system.
//! - `store/stream_10k`: every note of a 10,000-note database file, page by page.
//! - `filter_100k/*`: one query on a 100,000-note database file (built once, its build time
//!   printed): counting and listing the first page of a tag filter and of FTS5 searches.
// criterion_group! defines a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use smartnotes::export::{self, ExportConfig, Hooks, NoteSource, SinkKind, StrategyKind};
use smartnotes::store::{Query, Store, seed};

const NOTES: u64 = 300;

fn strategies(c: &mut Criterion) {
    let mut group = c.benchmark_group("strategies");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(NOTES * 3));
    let source = NoteSource::Synthetic {
        count: NOTES,
        seed: 42,
    };
    for strategy in StrategyKind::ALL {
        let mut config = ExportConfig::new("unused-null-sink");
        config.strategy = strategy;
        config.sink = SinkKind::Null;
        group.bench_function(BenchmarkId::new("300x3_null", strategy.name()), |b| {
            b.iter(|| {
                let summary = export::export(&source, &config, &Hooks::default())
                    .unwrap_or_else(|e| panic!("{strategy}: {e}"));
                assert_eq!(summary.files, NOTES * 3);
                black_box(summary.bytes)
            })
        });
    }
    group.finish();
}

/// A database file at `path` holding `count` seeded notes; prints how long it took.
fn build(path: &Path, count: usize) -> Store {
    let started = Instant::now();
    let mut store = Store::open_or_create(path).unwrap_or_else(|e| panic!("{e}"));
    store
        .add_all(seed::notes(count, 42))
        .unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "built a {count}-note database (with its FTS5 index) in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    store
}

fn stream(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("10k.db");
    drop(build(&path, 10_000));
    let mut store = Store::open(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut group = c.benchmark_group("store");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(10_000));
    group.bench_function("stream_10k", |b| {
        b.iter(|| {
            let mut n = 0u64;
            let snapshot = store.snapshot().unwrap_or_else(|e| panic!("{e}"));
            let notes = snapshot
                .notes(&Query::default())
                .unwrap_or_else(|e| panic!("{e}"));
            for note in notes {
                black_box(note.unwrap_or_else(|e| panic!("{e}")));
                n += 1;
            }
            assert_eq!(n, 10_000);
        })
    });
    group.finish();
}

fn filter(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("100k.db");
    drop(build(&path, 100_000));
    let mut store = Store::open(&path).unwrap_or_else(|e| panic!("{e}"));
    let search = |text: &str| Query {
        search: Some(text.parse().unwrap_or_else(|e| panic!("{e}"))),
        ..Query::default()
    };
    let queries = [
        ("tag rust", Query::tagged("rust")),
        (
            "tag rust and not work",
            Query {
                not_tags: vec!["work".into()],
                ..Query::tagged("rust")
            },
        ),
        ("search cafe", search("cafe")),
        ("search \"atomic rename\"", search("\"atomic rename\"")),
        ("search jala*", search("jala*")),
    ];
    let mut group = c.benchmark_group("filter_100k");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for (label, query) in &queries {
        let matches = store.count(query).unwrap_or_else(|e| panic!("{e}"));
        eprintln!("filter_100k: {label} matches {matches} notes");
        group.bench_function(BenchmarkId::new("count", label), |b| {
            b.iter(|| black_box(store.count(query).unwrap_or_else(|e| panic!("{e}"))))
        });
        let first_page = Query {
            limit: Some(50),
            ..query.clone()
        };
        group.bench_function(BenchmarkId::new("list_first_50", label), |b| {
            b.iter(|| {
                black_box(
                    store
                        .list(&first_page)
                        .unwrap_or_else(|e| panic!("{e}"))
                        .len(),
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, strategies, stream, filter);
criterion_main!(benches);
