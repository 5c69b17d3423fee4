//! Rendering cost per note and format: a typical seeded note and a 4 KB one.
//!
//! `cargo bench --bench render`. Rendering is pure CPU (no file system), so these figures are
//! the floor under every export strategy.
// criterion_group! defines a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use smartnotes::format::{Format, RenderOptions};
use smartnotes::model::{NewNote, Note};
use smartnotes::store::seed;

fn with_id(note: NewNote, id: i64) -> Note {
    note.with_id(id)
}

/// The seeded note whose body is closest to the median size of the first 200, and a note whose
/// body is grown to 4 KB from the same text (commas, quotes, newlines included).
fn notes() -> [(&'static str, Note); 2] {
    let mut pool: Vec<NewNote> = seed::notes(200, 42).collect();
    pool.sort_by_key(|n| n.body.len());
    let typical = pool[pool.len() / 2].clone();
    let mut big = pool[pool.len() - 1].clone();
    while big.body.len() < 4096 {
        let more = big.body.clone();
        big.body.push_str(&more);
    }
    let cut = (0..=4096)
        .rev()
        .find(|&i| big.body.is_char_boundary(i))
        .unwrap_or(0);
    big.body.truncate(cut);
    [
        ("typical", with_id(typical, 1234)),
        ("4KB", with_id(big, 5678)),
    ]
}

fn render(c: &mut Criterion) {
    let mut group = c.benchmark_group("render");
    group
        .sample_size(50)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .throughput(Throughput::Elements(1));
    let options = RenderOptions::default();
    for (label, note) in notes() {
        let label = format!("{label} ({} B body)", note.body.len());
        for format in Format::ALL {
            let mut out = Vec::with_capacity(16 * 1024);
            group.bench_with_input(
                BenchmarkId::new(format.extension(), &label),
                &note,
                |b, note| {
                    b.iter(|| {
                        out.clear();
                        format.render_file(black_box(note), &options, &mut out);
                        black_box(out.len())
                    })
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, render);
criterion_main!(benches);
