//! Faults: injected (transient, permanent, ENOSPC) and real (a full tmpfs, a file where a
//! folder must be, a read-only folder). Retries cure transient ones only; the books always
//! balance and no file under a final name is ever partial.

use crate::common::{
    TestEnv, assert_all_complete, assert_books_balance, published, smartnotes_without_override,
    staging_leftovers,
};

/// Every transient fault is cured by the retries, and the retries done are exactly two per
/// file that met one (a transient fault fails two attempts at a file, then lets it through).
/// The files that meet one are the same under every strategy (a hash of the seed and the
/// path): a run without retries names them. 60 notes: each retried file waits 10 + 20 ms,
/// which sequential waits in turn.
#[test]
fn transient_faults_are_retried_until_every_file_is_written() {
    let env = TestEnv::seeded(60);
    let reference = {
        env.export_json("ref", &[]);
        published(&env.path("ref"))
    };
    let faults = ["--fail-rate", "0.2", "--fail-kind", "transient"];
    let once = env.export_json("once", &[&faults[..], &["--retries", "0"]].concat());
    let meeting_a_fault = once["failed"].as_u64().unwrap();
    assert!(meeting_a_fault >= 15, "0.2 of 180 jobs: {once}");
    for strategy in ["sequential", "threads", "pool", "async"] {
        let out = format!("out-{strategy}");
        let args = [&faults[..], &["--strategy", strategy, "--retries", "3"]].concat();
        let summary = env.export_json(&out, &args);
        let (files, failed) = assert_books_balance(&summary);
        assert_eq!((files, failed), (180, 0), "{strategy}: {summary}");
        assert_eq!(
            summary["retries_done"].as_u64(),
            Some(2 * meeting_a_fault),
            "{strategy}: two retries per file that met a fault: {summary}"
        );
        assert!(published(&env.path(&out)) == reference, "{strategy}");
    }
}

#[test]
fn without_retries_transient_faults_fail_and_are_listed() {
    let env = TestEnv::seeded(200);
    let out = env
        .cmd()
        .args(["export", "--json", "--out", "out", "--strategy", "pool"])
        .args([
            "--fail-rate",
            "0.2",
            "--fail-kind",
            "transient",
            "--retries",
            "0",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let (files, failed) = assert_books_balance(&summary);
    assert!(failed > 60, "{summary}");
    assert_eq!(summary["retries_done"], 0);
    assert_eq!(published(&env.path("out")).len() as u64, files);
    for f in summary["failures"].as_array().unwrap() {
        assert!(f["error"].as_str().unwrap().contains("transient"), "{f}");
        assert!(!env.path("out").join(f["path"].as_str().unwrap()).exists());
    }
}

#[test]
fn permanent_faults_and_enospc_are_not_retried() {
    let env = TestEnv::seeded(100);
    for kind in ["permanent", "no-space"] {
        let out = format!("out-{kind}");
        let summary = env.export_json(
            &out,
            &["--fail-rate", "0.3", "--fail-kind", kind, "--retries", "5"],
        );
        let (_, failed) = assert_books_balance(&summary);
        assert!(failed > 40, "{kind}: {summary}");
        assert_eq!(summary["retries_done"], 0, "{kind}: reported at once");
        if kind == "no-space" {
            let error = summary["failures"][0]["error"].as_str().unwrap();
            assert!(error.contains("No space left"), "{error}");
        }
        assert!(staging_leftovers(&env.path(&out)).is_empty());
    }
}

#[test]
fn errors_json_keeps_the_kind_of_every_failure() {
    let env = TestEnv::seeded(100);
    for (fail_kind, kind, retries) in [
        ("no-space", "storage_full", "3"),
        ("permanent", "other", "3"),
        ("transient", "interrupted", "0"),
    ] {
        let out = format!("out-{fail_kind}");
        let errors = env.path(&format!("errors-{fail_kind}.json"));
        let status = env
            .cmd()
            .args(["export", "-q", "--out", &out, "--fail-rate", "0.3"])
            .args(["--fail-kind", fail_kind, "--retries", retries])
            .arg("--errors-json")
            .arg(&errors)
            .output()
            .unwrap()
            .status;
        assert_eq!(status.code(), Some(1), "{fail_kind}");
        let failures: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&errors).unwrap()).unwrap();
        let failures = failures.as_array().unwrap();
        assert!(failures.len() > 40, "{fail_kind}: {failures:?}");
        for f in failures {
            assert_eq!(f["kind"], kind, "{f}");
            assert!(
                f["note_id"].as_i64().is_some() && f["path"].is_string(),
                "{f}"
            );
        }
    }
}

/// A disk that fills up: a tmpfs of 256 KiB, mounted in a mount namespace of its own
/// (`unshare --mount --map-root-user`, util-linux: allowed to root and, where the kernel lets
/// users make namespaces, to anyone), the export run on it, then what it left copied out
/// before the namespace and its mount go. Where no namespace can be made the test fails with
/// the reason: it never passes without having filled a disk.
#[test]
fn a_full_disk_fails_the_files_that_do_not_fit_and_leaves_no_partial_one() {
    let env = TestEnv::seeded(400);
    env.export_json("ref", &[]);
    let reference = published(&env.path("ref"));
    std::fs::create_dir(env.path("tiny")).unwrap();
    std::fs::create_dir(env.path("copy")).unwrap();
    let script = r#"
        set -e
        mount -t tmpfs -o size=256k smartnotes-test "$MNT"
        status=0
        "$BIN" export --json --out "$MNT/out" --strategy pool >"$SUMMARY" || status=$?
        cp -a "$MNT/out/." "$COPY/"
        exit $status
    "#;
    let out = std::process::Command::new("unshare")
        .args(["--mount", "--map-root-user", "sh", "-c", script])
        .current_dir(env.root())
        .env("SMARTNOTES_DB", env.db())
        .env("MNT", env.path("tiny"))
        .env("BIN", assert_cmd::cargo::cargo_bin("smartnotes"))
        .env("SUMMARY", env.path("summary.json"))
        .env("COPY", env.path("copy"))
        .output()
        .expect("unshare (util-linux) runs the full-disk test");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("unshare:") && !stderr.contains("mount:"),
        "no tiny tmpfs could be mounted in a namespace of its own: {stderr}"
    );
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(env.path("summary.json")).unwrap()).unwrap();
    let (files, failed) = assert_books_balance(&summary);
    assert!(failed > 0 && files > 0, "{summary}");
    assert!(
        summary["failures"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["error"].as_str().unwrap().contains("No space left")),
        "{summary}"
    );
    let tree = published(&env.path("copy"));
    assert_eq!(tree.len() as u64, files);
    for (path, bytes) in &tree {
        assert!(reference[path] == *bytes, "{} is partial", path.display());
    }
    let leftovers = staging_leftovers(&env.path("copy"));
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_file_where_the_output_folder_must_be_is_a_clear_error() {
    let env = TestEnv::first_run();
    std::fs::write(env.path("out"), "not a folder").unwrap();
    let out = env.cmd().args(["export", "--out", "out"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot use the output folder out"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(env.path("out")).unwrap(),
        "not a folder"
    );
}

#[test]
fn a_file_where_a_format_folder_must_be_fails_that_format_only() {
    let env = TestEnv::seeded(30);
    std::fs::create_dir(env.path("out")).unwrap();
    std::fs::write(env.path("out/json"), "mine").unwrap();
    let summary = env.export_json("out", &[]);
    let (files, failed) = assert_books_balance(&summary);
    assert_eq!((files, failed), (60, 30), "{summary}");
    for f in summary["failures"].as_array().unwrap() {
        assert_eq!(f["format"], "json");
        assert!(
            f["error"].as_str().unwrap().contains("is not a folder"),
            "{f}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(env.path("out/json")).unwrap(),
        "mine"
    );
    assert!(staging_leftovers(&env.path("out")).is_empty());
}

/// Run as root (CI), the binary runs without the capabilities that override file modes, so
/// the folder's mode stops it as it stops a user.
#[test]
fn a_read_only_output_folder_is_permission_denied() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::seeded(10);
    std::fs::create_dir(env.path("out")).unwrap();
    std::fs::set_permissions(env.path("out"), std::fs::Permissions::from_mode(0o555)).unwrap();
    let out = smartnotes_without_override()
        .current_dir(env.root())
        .env("SMARTNOTES_DB", env.db())
        .args(["export", "--out", "out"])
        .output()
        .expect("run smartnotes (as root this needs setpriv from util-linux)");
    std::fs::set_permissions(env.path("out"), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ermission denied"), "{stderr}");
    assert!(published(&env.path("out")).is_empty());
}

#[test]
fn injected_enospc_with_every_strategy_leaves_only_complete_files() {
    let env = TestEnv::seeded(100);
    env.export_json("ref", &[]);
    let reference = published(&env.path("ref"));
    for strategy in ["sequential", "threads", "pool", "async"] {
        let out = format!("out-{strategy}");
        let summary = env.export_json(
            &out,
            &[
                "--strategy",
                strategy,
                "--fail-rate",
                "0.5",
                "--fail-kind",
                "no-space",
            ],
        );
        let (files, _) = assert_books_balance(&summary);
        assert_eq!(published(&env.path(&out)).len() as u64, files);
        assert_all_complete(&env.path(&out), &reference);
    }
}

#[test]
fn injected_faults_fail_the_same_jobs_under_every_strategy() {
    let env = TestEnv::seeded(200);
    let mut failed_paths = Vec::new();
    for strategy in ["sequential", "pool", "async"] {
        let summary = env.export_json(
            &format!("out-{strategy}"),
            &[
                "--strategy",
                strategy,
                "--fail-rate",
                "0.1",
                "--fail-seed",
                "3",
            ],
        );
        let failed = summary["failed"].as_u64().unwrap();
        assert_eq!(summary["files"].as_u64().unwrap() + failed, 600);
        assert!(failed > 20 && failed < 100, "{failed}");
        let paths: Vec<String> = summary["failures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].to_string())
            .collect();
        failed_paths.push(paths);
    }
    assert_eq!(failed_paths[0], failed_paths[1]);
    assert_eq!(failed_paths[0], failed_paths[2]);
}
