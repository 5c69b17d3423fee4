//! Bounded resources: a million notes in bounded memory; `ulimit -n 256` never crashes a
//! strategy (it succeeds, or threads refuses up front).

use crate::common::{TestEnv, assert_books_balance};

#[test]
#[ignore = "slow: a million synthetic notes per strategy"]
fn a_million_notes_fit_in_bounded_memory() {
    let env = TestEnv::new();
    for strategy in ["sequential", "pool", "async"] {
        let summary = env.export_json(
            "out",
            &[
                "--synthetic",
                "1000000",
                "--sink",
                "null",
                "--format",
                "md",
                "--strategy",
                strategy,
            ],
        );
        let (files, failed) = assert_books_balance(&summary);
        assert_eq!((files, failed), (1_000_000, 0), "{strategy}");
        let rss = summary["peak_rss_bytes"]
            .as_u64()
            .expect("peak RSS on Linux");
        eprintln!(
            "{strategy}: 1,000,000 notes, peak RSS {} MB",
            rss / 1_000_000
        );
        assert!(rss < 300_000_000, "{strategy}: peak RSS {rss} bytes");
    }
}

#[test]
#[ignore = "slow: 100,000 notes to disk"]
fn a_hundred_thousand_notes_to_disk_in_bounded_memory() {
    let env = TestEnv::new();
    let summary = env.export_json(
        "out",
        &[
            "--synthetic",
            "100000",
            "--strategy",
            "pool",
            "--format",
            "md",
        ],
    );
    assert_eq!(assert_books_balance(&summary), (100_000, 0));
    let rss = summary["peak_rss_bytes"].as_u64().unwrap();
    assert!(rss < 300_000_000, "peak RSS {rss} bytes");
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
            assert_eq!(out.status.code(), Some(1), "{stderr}");
            assert!(stderr.contains("threads strategy refuses"), "{stderr}");
            assert!(stderr.contains("ulimit -n is 256"), "{stderr}");
            assert!(!env.path("out-threads/md").exists(), "nothing written");
        } else {
            assert!(out.status.success(), "{strategy}: {stderr}");
            let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(assert_books_balance(&summary), (9000, 0), "{strategy}");
        }
    }
}
