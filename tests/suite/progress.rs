//! Progress bars (issue 15, item 3): drawn on standard error when it is a terminal (a
//! pseudo-terminal made by `script`, util-linux), with rates people read and an ETA that
//! waits for the rate to settle; nothing of them into a pipe or with `--quiet`.

use crate::common::TestEnv;

/// What a terminal shows of `smartnotes <args>` run on a pseudo-terminal: standard output
/// and standard error together, escape sequences included.
fn on_terminal(env: &TestEnv, args: &str) -> String {
    let binary = assert_cmd::cargo::cargo_bin("smartnotes");
    let out = std::process::Command::new("script")
        .current_dir(env.root())
        .env("SMARTNOTES_DB", env.db())
        .env("SMARTNOTES_CONFIG", "")
        .env("TERM", "xterm")
        .env("COLUMNS", "120")
        .args(["-qec", &format!("{} {args}", binary.display()), "/dev/null"])
        .output()
        .expect("script (util-linux) runs the command on a pseudo-terminal");
    let screen = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{args}: {screen}");
    screen
}

/// Standard error of `smartnotes <args>` into a pipe.
fn piped_stderr(env: &TestEnv, args: &[&str]) -> String {
    let out = env
        .cmd()
        .env("SMARTNOTES_CONFIG", "")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The bar's frames: what lies between carriage returns and line feeds.
fn frames(screen: &str) -> Vec<&str> {
    screen
        .split(['\r', '\n'])
        .filter(|f| !f.trim().is_empty())
        .collect()
}

const BAR: char = '█';

#[test]
fn export_draws_a_bar_with_a_readable_rate_and_a_settled_eta() {
    let env = TestEnv::with_sample_notebook();
    // 30 jobs, two at a time, 100 ms each: 1.5 s, long enough for the ETA to show.
    let screen = on_terminal(
        &env,
        "export --out out --strategy pool --jobs 2 --latency 100ms",
    );
    let bars: Vec<&str> = frames(&screen)
        .into_iter()
        .filter(|f| f.contains("/30 files"))
        .collect();
    assert!(!bars.is_empty(), "no bar: {screen:?}");
    assert!(bars.iter().any(|f| f.contains(BAR)), "{screen:?}");
    let rated: Vec<&&str> = bars.iter().filter(|f| f.contains(" files/s")).collect();
    assert!(!rated.is_empty(), "no rate: {screen:?}");
    for frame in &bars {
        // `10,646.8593/s` was indicatif's own: a rate is at most three significant digits.
        assert!(!frame.contains(".8593"), "{frame}");
        let rate = frame.split(" files/s").next().unwrap_or("");
        let number = rate.rsplit(' ').next().unwrap_or("");
        assert!(
            number.len() <= 5 && !number.contains(','),
            "a rate people read: {number:?} in {frame:?}"
        );
    }
    let etas: Vec<&str> = bars
        .iter()
        .filter_map(|f| f.split("ETA ").nth(1))
        .filter_map(|rest| rest.split_whitespace().next())
        .collect();
    assert!(!etas.is_empty(), "an ETA once the rate settled: {screen:?}");
    for eta in etas {
        assert!(
            eta.ends_with('s')
                && eta
                    .trim_end_matches('s')
                    .bytes()
                    .all(|b| b.is_ascii_digit()),
            "the export takes 1.5 s; the ETA said {eta:?}"
        );
    }
    assert!(
        screen.contains("exported 10 notes x 3 formats"),
        "{screen:?}"
    );
}

#[test]
fn export_draws_nothing_into_a_pipe_or_with_quiet() {
    let env = TestEnv::with_sample_notebook();
    let args = [
        "export",
        "--out",
        "out",
        "--strategy",
        "pool",
        "--jobs",
        "4",
        "--latency",
        "50ms",
    ];
    assert_eq!(piped_stderr(&env, &args), "", "stderr into a pipe");
    let quiet = on_terminal(
        &env,
        "export --out out2 --strategy pool --jobs 4 --latency 50ms --quiet",
    );
    assert!(
        !quiet.contains(BAR) && !quiet.contains("files/s"),
        "{quiet:?}"
    );
    assert_eq!(quiet.trim(), "", "quiet prints nothing: {quiet:?}");
    let json = on_terminal(
        &env,
        "export --out out3 --strategy pool --jobs 4 --latency 50ms --json",
    );
    assert!(!json.contains(BAR), "--json: {json:?}");
    let value: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(value["files"], 30);
}

#[test]
fn seed_counts_its_notes_on_a_terminal_only() {
    let env = TestEnv::new();
    let screen = on_terminal(&env, "seed --count 40000");
    assert!(
        frames(&screen)
            .iter()
            .any(|f| f.contains("/40000 notes") && f.contains(BAR)),
        "{screen:?}"
    );
    assert!(screen.contains("added 40000 notes"), "{screen:?}");
    assert_eq!(
        piped_stderr(&env, &["seed", "--count", "2000", "--yes"]),
        ""
    );
    let quiet = on_terminal(&env, "seed --count 2000 --yes --quiet");
    assert!(!quiet.contains(BAR), "{quiet:?}");
}

#[test]
fn import_counts_its_files_on_a_terminal_only() {
    let env = TestEnv::new();
    env.cmd()
        .env("SMARTNOTES_CONFIG", "")
        .args(["seed", "--count", "6000"])
        .assert()
        .success();
    env.cmd()
        .env("SMARTNOTES_CONFIG", "")
        .args(["export", "--out", "out", "-f", "md", "--quiet"])
        .assert()
        .success();
    let other = TestEnv::new();
    let folder = env.path("out/md");
    let screen = on_terminal(&other, &format!("import '{}'", folder.display()));
    assert!(
        frames(&screen)
            .iter()
            .any(|f| f.contains("/6000 files") || f.contains("finding the files")),
        "{screen:?}"
    );
    assert!(screen.contains("imported 6000 files"), "{screen:?}");
    let third = TestEnv::new();
    let stderr = piped_stderr(&third, &["import", &folder.display().to_string()]);
    assert_eq!(stderr, "");
}

#[test]
fn bench_shows_the_step_under_way_on_a_terminal_and_lines_elsewhere() {
    let env = TestEnv::new();
    let args = "bench --workload lesson --runs 1 --latency 20ms --strategies sequential,pool";
    let screen = on_terminal(&env, args);
    assert!(screen.contains("bench lesson: sequential"), "{screen:?}");
    assert!(
        !screen.contains("bench lesson: sequential ..."),
        "a spinner, not lines: {screen:?}"
    );
    let piped = piped_stderr(
        &env,
        &[
            "bench",
            "--workload",
            "lesson",
            "--runs",
            "1",
            "--latency",
            "20ms",
            "--strategies",
            "sequential",
        ],
    );
    assert!(piped.contains("bench lesson: sequential ..."), "{piped}");
    assert!(
        !piped.contains('\r') && !piped.contains('\x1b'),
        "{piped:?}"
    );
}
