//! Limits fail clearly, never abort (issue 10, item 5), and resources stay bounded: memory
//! does not grow with the notebook; `ulimit -n 256` never crashes a strategy (it succeeds, or
//! threads refuses up front: the one test of that refusal); the pool gets the same admission
//! as thread-per-job (never more workers than jobs, never more threads than the machine can
//! hold, a refusal up front with the reason); an address-space limit the thread stacks would
//! exhaust is a refusal, not "memory allocation failed".

use crate::common::{TestEnv, assert_books_balance, staging_leftovers};

/// Exports `notes` synthetic notes as Markdown with `strategy` and `args`, checks every job
/// was written, and returns (peak RSS, bytes rendered), both from the JSON summary.
fn peak_and_bytes(env: &TestEnv, strategy: &str, notes: u64, args: &[&str]) -> (u64, u64) {
    let count = notes.to_string();
    let summary = env.export_json(
        &format!("out-{strategy}"),
        &[
            &[
                "--synthetic",
                &count,
                "--format",
                "md",
                "--strategy",
                strategy,
            ],
            args,
        ]
        .concat(),
    );
    assert_eq!(assert_books_balance(&summary), (notes, 0), "{strategy}");
    let rss = summary["peak_rss_bytes"]
        .as_u64()
        .expect("peak RSS on Linux");
    let bytes = summary["bytes"].as_u64().unwrap();
    eprintln!(
        "{strategy}: {notes} notes ({} MB rendered), peak RSS {} MB",
        bytes / 1_000_000,
        rss / 1_000_000
    );
    (rss, bytes)
}

/// Notes are streamed and jobs queued in bounded channels, so an export's memory is set by its
/// buffers, not by the notebook. Each strategy exports enough notes to fill its buffers many
/// times over and must stay far below what the notes take (every note kept, as a note or its
/// rendered file, would take at least their rendered size):
/// - sequential and pool hold a few batches: 250,000 notes (205 MB rendered) in under a
///   quarter of that (measured: 7 and 8 MB);
/// - async keeps up to 100,000 jobs in flight, about 1.1 KB each, and levels off there (115
///   MB from 200,000 notes on): 400,000 notes (328 MB rendered, over 440 MB as jobs in
///   flight) in under 200 MB.
///
/// (The test exported 1,000,000 notes per strategy under 300 MB: 3x the work for a bound that
/// proved less for sequential and pool.)
#[test]
#[ignore = "slow: 900,000 synthetic notes"]
fn memory_stays_bounded_whatever_the_number_of_notes() {
    let env = TestEnv::new();
    for strategy in ["sequential", "pool"] {
        let (rss, bytes) = peak_and_bytes(&env, strategy, 250_000, &["--sink", "null"]);
        assert!(rss < bytes / 4, "{strategy}: peak RSS {rss} bytes");
    }
    let (rss, _) = peak_and_bytes(&env, "async", 400_000, &["--sink", "null"]);
    assert!(rss < 200_000_000, "async: peak RSS {rss} bytes");
}

/// Written files too: staging and publishing keep a few dozen bytes per file, never the file.
/// 100,000 notes (82 MB rendered) in under half of that (measured: 13 MB).
#[test]
#[ignore = "slow: 100,000 files written"]
fn a_hundred_thousand_notes_to_disk_in_bounded_memory() {
    let env = TestEnv::new();
    let (rss, bytes) = peak_and_bytes(&env, "pool", 100_000, &[]);
    assert!(rss < bytes / 2, "peak RSS {rss} bytes");
}

#[test]
fn with_ulimit_n_256_every_strategy_succeeds_or_refuses_up_front() {
    let env = TestEnv::seeded(3000);
    let bin = assert_cmd::cargo::cargo_bin("smartnotes");
    for strategy in ["sequential", "threads", "pool", "async"] {
        let out = std::process::Command::new("sh")
            .current_dir(env.root())
            .env("SMARTNOTES_DB", env.db())
            .arg("-c")
            .arg(format!(
                "ulimit -n 256 && exec \"$0\" export --json --out out-{strategy} --strategy {strategy}"
            ))
            .arg(&bin)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_ne!(
            out.status.code(),
            Some(101),
            "{strategy} panicked: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{strategy}: {stderr}");
        if strategy == "threads" {
            // Refused before anything is written, with the reason and what to do instead.
            assert_eq!(out.status.code(), Some(1), "{stderr}");
            assert!(stderr.contains("threads strategy refuses"), "{stderr}");
            assert!(stderr.contains("9000 threads"), "{stderr}");
            assert!(stderr.contains("ulimit -n is 256"), "{stderr}");
            assert!(stderr.contains("use --strategy pool or async"), "{stderr}");
            assert!(!env.path("out-threads").exists(), "nothing written");
        } else {
            assert!(out.status.success(), "{strategy}: {stderr}");
            let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(assert_books_balance(&summary), (9000, 0), "{strategy}");
        }
    }
}

#[test]
fn a_pool_of_more_workers_than_jobs_starts_one_worker_per_job() {
    // The reproduction: `export -s pool -j 20000` on 150 jobs started 20,000 threads and
    // aborted (exit 134, staging folder left).
    let env = TestEnv::seeded(50);
    let out = env
        .cmd()
        .args([
            "export", "--json", "--out", "out", "-s", "pool", "-j", "20000",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(assert_books_balance(&summary), (150, 0));
    assert_eq!(summary["concurrency"], 150, "{summary}");
    // 150 workers: the calling thread and 149 helpers (its jobs do not wait: see pool.rs).
    assert_eq!(summary["threads"], 149, "{summary}");
    assert!(staging_leftovers(&env.path("out")).is_empty());
}

#[test]
fn a_pool_past_the_thread_limit_is_refused_up_front_with_the_reason() {
    // `ulimit -n 256` allows (256 - 64) x 2 / 2 = 192 threads: 500 workers on 900 jobs is past
    // it, whatever the rest of the machine allows.
    let env = TestEnv::seeded(300);
    let out = env
        .cmd_with_limits("ulimit -n 256")
        .args(["export", "--out", "out", "-s", "pool", "-j", "500"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("pool strategy refuses"), "{stderr}");
    assert!(stderr.contains("a pool of 500 workers"), "{stderr}");
    assert!(stderr.contains("ulimit -n is 256"), "{stderr}");
    assert!(
        stderr.contains("use fewer --jobs or --strategy async"),
        "{stderr}"
    );
    assert!(!env.path("out/md").exists(), "nothing written");
    assert!(staging_leftovers(&env.path("out")).is_empty());
}

#[test]
fn thread_per_job_under_an_address_space_limit_is_refused_not_aborted() {
    // The reproduction: `-s threads` under `ulimit -v 200000` aborted with "memory allocation
    // failed" (exit 134): the stacks of 3,000 threads filled the address space and the next
    // allocation anywhere could not be served. Now the limit is counted before starting.
    let env = TestEnv::seeded(1000);
    let out = env
        .cmd_with_limits("ulimit -v 200000")
        .args(["export", "--out", "out", "-s", "threads"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("threads strategy refuses"), "{stderr}");
    assert!(stderr.contains("ulimit -v is 200000 KiB"), "{stderr}");
    assert!(!env.path("out/md").exists(), "nothing written");
    // The strategies that do not need a thread per job still export under that limit.
    for strategy in ["sequential", "pool"] {
        let out = env
            .cmd_with_limits("ulimit -v 200000")
            .args(["export", "-q", "--out", strategy, "-s", strategy])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{strategy}: {stderr}");
        assert_eq!(
            std::fs::read_dir(env.path(strategy).join("md"))
                .unwrap()
                .count(),
            1000
        );
    }
}
