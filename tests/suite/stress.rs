//! Stress: every strategy, run 50 times on 1,000 notes, writes the same bytes every time.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure

use crate::common::{TestEnv, published};

/// A folder on tmpfs when there is one (fast), else in the test's temporary folder.
fn scratch(env: &TestEnv) -> tempfile::TempDir {
    let shm = std::path::Path::new("/dev/shm");
    if shm.is_dir()
        && let Ok(dir) = tempfile::tempdir_in(shm)
    {
        return dir;
    }
    tempfile::tempdir_in(env.root()).unwrap()
}

#[test]
#[ignore = "slow: 200 exports"]
fn fifty_runs_of_every_strategy_give_the_same_bytes() {
    let env = TestEnv::seeded(1000);
    let dir = scratch(&env);
    let hash_of = |out: &std::path::Path| {
        let mut hasher = blake3::Hasher::new();
        for (path, bytes) in published(out) {
            hasher.update(path.to_string_lossy().as_bytes());
            hasher.update(&(bytes.len() as u64).to_le_bytes());
            hasher.update(&bytes);
        }
        hasher.finalize()
    };
    let reference = {
        let out = dir.path().join("ref");
        env.cmd()
            .args(["export", "--quiet", "--strategy", "sequential", "--out"])
            .arg(&out)
            .assert()
            .success();
        assert_eq!(published(&out).len(), 3000);
        hash_of(&out)
    };
    for strategy in ["sequential", "threads", "pool", "async"] {
        for run in 0..50 {
            let out = dir.path().join(format!("{strategy}-{run}"));
            env.cmd()
                .args(["export", "--quiet", "--strategy", strategy, "--out"])
                .arg(&out)
                .assert()
                .success();
            assert_eq!(hash_of(&out), reference, "{strategy}, run {run}");
            std::fs::remove_dir_all(&out).unwrap();
        }
    }
}
