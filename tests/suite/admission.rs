//! Issue 10, item 5 (engine side): limits fail clearly, never abort. The pool gets the same
//! admission as thread-per-job (never more workers than jobs, never more threads than the
//! machine can hold, a refusal up front with the reason), and an address-space limit that
//! the thread stacks would exhaust is a refusal, not "memory allocation failed".

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure

use crate::common::{TestEnv, assert_books_balance, staging_leftovers};

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
    assert_eq!(summary["threads"], 150, "{summary}");
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
