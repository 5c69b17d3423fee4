//! `smartnotes bench`: the JSON report's shape, the human table, the refusal of thread-per-task
//! past the thread limit, and the SVG pictures, on workloads small enough to take seconds.
//! Nothing here asserts a speed: wall times are checked against the exact lower bounds the
//! simulated latency gives, and every derived figure (speedup, efficiency, files per second)
//! against the wall time it comes from.

use std::collections::BTreeMap;

use crate::common::{TestEnv, contents, stderr};
use serde_json::{Value, json};

/// The strategies `bench` runs by default, in order.
const STRATEGIES: [&str; 4] = ["sequential", "threads", "pool", "async"];

/// Simulated latency of the tests' lesson and scale workloads, seconds (`--latency 20ms`).
const LATENCY_S: f64 = 0.020;

/// The fill colour of each strategy in the pictures (src/bench/chart.rs), as plotters writes it.
const FILLS: [(&str, &str); 4] = [
    ("sequential", "#D62728"),
    ("threads", "#1F77B4"),
    ("pool", "#2CA02C"),
    ("async", "#9467BD"),
];

/// Runs `smartnotes bench <args> --json -q`, checks it succeeded, and returns the report.
fn bench_json(env: &TestEnv, args: &[&str]) -> Value {
    let out = env
        .cmd()
        .arg("bench")
        .args(args)
        .args(["--json", "-q"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "bench {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// The rows of `report` for `workload`, in the order run.
fn rows<'a>(report: &'a Value, workload: &str) -> Vec<&'a Value> {
    report["results"]
        .as_array()
        .expect("a results list")
        .iter()
        .filter(|r| r["workload"] == workload)
        .collect()
}

fn strategies(rows: &[&Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["strategy"].as_str().expect("a strategy name").to_owned())
        .collect()
}

/// Whether two figures are equal but for the last digit (serde_json may round a float it
/// reads back by one unit in the last place).
fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
}

/// Checks a row that was measured: its figures are the ones its wall time gives (files per
/// second, efficiency against its ideal), memory and threads read, one run, no failed job.
fn assert_measured(row: &Value) {
    let f = |k: &str| row[k].as_f64().unwrap_or_else(|| panic!("{k} in {row}"));
    assert!(f("wall_s") > 0.0, "{row}");
    assert!(
        f("wall_min_s") <= f("wall_s") && f("wall_s") <= f("wall_max_s"),
        "{row}"
    );
    let jobs = row["jobs"].as_u64().unwrap() as f64;
    assert!(same(f("files_per_s"), jobs / f("wall_s")), "{row}");
    assert!(same(f("efficiency"), f("ideal_s") / f("wall_s")), "{row}");
    assert!(row["peak_rss_bytes"].as_u64().unwrap_or(0) > 0, "{row}");
    assert!(row["threads"].as_u64().unwrap_or(0) >= 1, "{row}");
    assert_eq!(row["computed"], false, "{row}");
    assert_eq!(row["runs"], 1, "{row}");
    assert!(row.get("refused").is_none(), "{row}");
    assert_eq!(row["failed"], 0, "{row}");
}

/// Checks the speedups of one workload's rows: each is the sequential row's wall time over its
/// own, and sequential's is exactly 1.
fn assert_speedups(rows: &[&Value]) {
    let base = rows[0]["wall_s"].as_f64().unwrap();
    assert_eq!(rows[0]["strategy"], "sequential");
    assert_eq!(rows[0]["speedup"], 1.0);
    for row in rows.iter().filter(|r| !r["wall_s"].is_null()) {
        let speedup = row["speedup"].as_f64().unwrap();
        assert!(
            same(speedup, base / row["wall_s"].as_f64().unwrap()),
            "{row}"
        );
    }
}

/// Checks a row whose strategy refused: a reason, no time, nothing failed.
fn assert_refused(row: &Value) {
    let reason = row["refused"].as_str().unwrap_or_default();
    assert!(!reason.is_empty(), "{row}");
    assert!(row["wall_s"].is_null() && row["speedup"].is_null(), "{row}");
    assert_eq!(row["failed"], 0, "{row}");
}

/// The `<rect` elements of an SVG file, counted by fill colour.
fn rects_by_fill(svg: &str) -> BTreeMap<String, usize> {
    let mut fills = BTreeMap::new();
    for rect in svg.split("<rect").skip(1) {
        let tag = &rect[..rect.find('>').expect("a closed tag")];
        let fill = tag
            .split("fill=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or("none");
        *fills.entry(fill.to_owned()).or_insert(0) += 1;
    }
    fills
}

/// Reads `path` and checks that it is a whole SVG document.
fn read_svg(path: &std::path::Path) -> String {
    let svg = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{} was not written: {e}", path.display()));
    assert!(svg.trim_start().starts_with("<svg"), "{}", &svg[..80]);
    assert!(svg.trim_end().ends_with("</svg>"), "not a whole SVG");
    svg
}

#[test]
fn lesson_json_has_one_span_per_job_and_pictures_with_one_bar_per_job() {
    let env = TestEnv::new();
    let report = bench_json(
        &env,
        &[
            "--workload",
            "lesson",
            "--runs",
            "1",
            "--latency",
            "20ms",
            "--timeline",
            "timeline.svg",
            "--chart",
            "chart.svg",
        ],
    );
    let lesson = rows(&report, "lesson");
    assert_eq!(strategies(&lesson), STRATEGIES);
    for row in &lesson {
        assert_eq!(row["jobs"], 30, "{row}");
        assert_measured(row);
    }
    assert_speedups(&lesson);
    assert_eq!(lesson[0]["concurrency"], 1);
    assert_eq!(lesson[1]["concurrency"], 30, "one thread per job");
    // The fake latency gives exact figures: the ideal is one wait, sequential waits 30 in turn,
    // and no strategy beats one wait.
    for row in &lesson {
        assert_eq!(row["ideal_s"], LATENCY_S, "{row}");
        assert!(row["wall_min_s"].as_f64().unwrap() >= LATENCY_S, "{row}");
    }
    assert!(lesson[0]["wall_min_s"].as_f64().unwrap() >= 30.0 * LATENCY_S);

    // The spans: one per job and strategy, each at least the simulated latency long.
    let timeline = report["timeline"].as_array().expect("a timeline list");
    let names: Vec<&str> = timeline
        .iter()
        .map(|t| t["strategy"].as_str().unwrap())
        .collect();
    assert_eq!(names, STRATEGIES);
    for run in timeline {
        let spans = run["spans"].as_array().unwrap();
        let mut indices: Vec<u64> = spans.iter().map(|s| s["index"].as_u64().unwrap()).collect();
        indices.sort_unstable();
        assert_eq!(
            indices,
            (0..30).collect::<Vec<u64>>(),
            "{}",
            run["strategy"]
        );
        for span in spans {
            let (start, end) = (
                span["start_s"].as_f64().unwrap(),
                span["end_s"].as_f64().unwrap(),
            );
            assert!(0.0 <= start && start < end, "{span}");
            // A job sleeps its latency between its start and its end; 1 µs for rounding.
            assert!(end - start >= LATENCY_S - 1e-6, "{span}");
        }
    }
    // Sequential runs one job after another: its spans never overlap (the staircase).
    let mut sequential: Vec<(f64, f64)> = timeline[0]["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["start_s"].as_f64().unwrap(), s["end_s"].as_f64().unwrap()))
        .collect();
    sequential.sort_by(|a, b| a.0.total_cmp(&b.0));
    for pair in sequential.windows(2) {
        assert!(pair[0].1 <= pair[1].0, "overlap in sequential: {pair:?}");
    }

    // The timeline: the white background, then one bar per job per strategy in its colour.
    let fills = rects_by_fill(&read_svg(&env.path("timeline.svg")));
    for (strategy, fill) in FILLS {
        assert_eq!(fills.get(fill), Some(&30), "{strategy} bars: {fills:?}");
    }
    assert_eq!(fills.get("#FFFFFF"), Some(&1), "{fills:?}");
    assert_eq!(fills.values().sum::<usize>(), 1 + 30 * 4, "{fills:?}");

    // The chart: the background and one bar per strategy.
    let fills = rects_by_fill(&read_svg(&env.path("chart.svg")));
    for (strategy, fill) in FILLS {
        assert_eq!(fills.get(fill), Some(&1), "{strategy} bar: {fills:?}");
    }
    assert_eq!(fills.values().sum::<usize>(), 1 + 4, "{fills:?}");
}

#[test]
#[ignore = "slow: every workload, 900 real files on disk (about 10 s on a loaded machine)"]
fn all_workloads_json_reports_every_strategy() {
    let env = TestEnv::new();
    let disk = env.path("disk");
    let report = bench_json(
        &env,
        &[
            "--workload",
            "all",
            "--notes",
            "300",
            "--runs",
            "1",
            "--latency",
            "20ms",
            "--dir",
            disk.to_str().unwrap(),
            "--chart",
            "chart.svg",
        ],
    );
    assert!(
        report["machine"]["cores"].as_u64().unwrap_or(0) >= 1,
        "{report}"
    );
    assert!(report["machine"]["os"].as_str().is_some(), "{report}");
    assert!(
        report.get("timeline").is_none(),
        "only asked for with --timeline"
    );
    assert_eq!(
        report["results"].as_array().unwrap().len(),
        4 + 4 + 6,
        "{report}"
    );

    let lesson = rows(&report, "lesson");
    assert_eq!(strategies(&lesson), STRATEGIES);
    for row in &lesson {
        assert_eq!(row["jobs"], 30, "{row}");
        assert_measured(row);
    }

    let scale = rows(&report, "scale");
    assert_eq!(strategies(&scale), STRATEGIES);
    let sequential = scale[0];
    assert_eq!(sequential["computed"], true, "{sequential}");
    assert_eq!(sequential["runs"], 0, "{sequential}");
    let computed = sequential["wall_s"].as_f64().unwrap();
    assert!((computed - 900.0 * LATENCY_S).abs() < 1e-9, "{sequential}");
    for row in &scale {
        assert_eq!(row["jobs"], 900, "{row}");
        assert_eq!(row["failed"], 0, "{row}");
    }
    assert_speedups(&scale);
    // Thread-per-task runs where this machine can hold 900 threads, else it says why not
    // (the refusal itself is checked under `ulimit -n` below).
    if scale[1]["refused"].is_null() {
        assert_measured(scale[1]);
    } else {
        assert_refused(scale[1]);
    }
    for row in &scale[2..] {
        assert_measured(row);
    }

    let disk_rows = rows(&report, "disk");
    let mut expected: Vec<&str> = STRATEGIES.to_vec();
    expected.extend(["floor", "floor-c"]);
    assert_eq!(strategies(&disk_rows), expected);
    for row in &disk_rows[..5] {
        assert_eq!(row["jobs"], 900, "{row}");
        if row["strategy"] == "threads" && !row["refused"].is_null() {
            assert_refused(row);
        } else {
            assert_measured(row);
        }
    }
    assert_speedups(&disk_rows);
    // The C floor runs wherever a C compiler does (it is built at bench time), and is then
    // the ideal of every row; without one, its row says why and the Rust floor is the ideal.
    let c_floor = disk_rows[5];
    assert_eq!(c_floor["jobs"], 900, "{c_floor}");
    let cc = std::process::Command::new("cc").arg("--version").output();
    let ideal = if cc.is_ok_and(|o| o.status.success()) {
        let f = |k: &str| {
            c_floor[k]
                .as_f64()
                .unwrap_or_else(|| panic!("{k} in {c_floor}"))
        };
        assert!(f("wall_min_s") <= f("wall_s") && f("wall_s") <= f("wall_max_s"));
        assert!(same(f("files_per_s"), 900.0 / f("wall_s")), "{c_floor}");
        assert_eq!(c_floor["efficiency"], 1.0, "the C floor is the ideal");
        assert_eq!(
            (&c_floor["runs"], &c_floor["failed"]),
            (&json!(1), &json!(0))
        );
        c_floor["wall_s"].clone()
    } else {
        assert_refused(c_floor);
        assert!(
            c_floor["refused"].as_str().unwrap().contains("C"),
            "{c_floor}"
        );
        disk_rows[4]["wall_s"].clone()
    };
    for row in &disk_rows[..5] {
        if row["refused"].is_null() {
            assert_eq!(row["ideal_s"], ideal, "{row}");
        }
    }
    assert!(
        std::fs::read_dir(&disk).unwrap().next().is_none(),
        "the disk workload clears its runs out of --dir"
    );

    // The chart: one bar per strategy that ran (not the computed one, not a refused one).
    let ran = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["computed"] == false && r["refused"].is_null())
        .count();
    let fills = rects_by_fill(&read_svg(&env.path("chart.svg")));
    assert_eq!(fills.values().sum::<usize>(), 1 + ran, "{fills:?}");
}

#[test]
fn the_table_has_a_header_and_one_row_per_strategy() {
    let env = TestEnv::new();
    let disk = env.path("disk");
    let out = env
        .cmd()
        .args(["bench", "--workload", "all", "--notes", "20", "--runs", "1"])
        .args(["--latency", "5ms", "-q", "--dir", disk.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("machine: "), "{text}");
    let header: Vec<&str> = lines[1].split_whitespace().collect();
    for column in [
        "workload", "strategy", "jobs", "N", "wall", "speedup", "eff.", "files/s", "peak", "RSS",
        "threads",
    ] {
        assert!(header.contains(&column), "{column} missing: {}", lines[1]);
    }
    let mut table: BTreeMap<(String, String), &str> = BTreeMap::new();
    for line in &lines[2..] {
        let cells: Vec<&str> = line.split_whitespace().collect();
        if let [workload @ ("lesson" | "scale" | "disk"), strategy, ..] = cells[..]
            && !line.contains(" refused: ")
        {
            let previous = table.insert((workload.to_owned(), strategy.to_owned()), line);
            assert!(
                previous.is_none(),
                "two rows for {workload} {strategy}: {text}"
            );
        }
    }
    let mut expected = Vec::new();
    for workload in ["lesson", "scale", "disk"] {
        for strategy in STRATEGIES {
            expected.push((workload.to_owned(), strategy.to_owned()));
        }
    }
    expected.push(("disk".to_owned(), "floor".to_owned()));
    expected.push(("disk".to_owned(), "floor-c".to_owned()));
    expected.sort();
    assert_eq!(
        table.keys().cloned().collect::<Vec<_>>(),
        expected,
        "{text}"
    );
    assert!(table[&("lesson".into(), "threads".into())].contains(" 30 "));
    assert!(table[&("scale".into(), "sequential".into())].contains("(computed)"));
    assert!(
        text.contains("(computed: jobs x latency, not run"),
        "{text}"
    );
}

#[test]
fn threads_is_refused_with_its_reason_past_the_open_file_limit() {
    // `ulimit -n 256` allows (256 - 64) x 2 / 2 = 192 job threads: 300 notes x 3 formats is
    // 900 jobs, far past it, whatever the rest of the machine allows.
    let env = TestEnv::new();
    let args = [
        "bench",
        "--workload",
        "scale",
        "--notes",
        "300",
        "--runs",
        "1",
        "--latency",
        "1ms",
        "--strategies",
        "sequential,threads,async",
        "-q",
    ];
    let out = env
        .cmd_with_ulimit_n(256)
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "a refusal is reported, not an error: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let scale = rows(&report, "scale");
    assert_eq!(strategies(&scale), ["sequential", "threads", "async"]);
    let threads = scale[1];
    assert_refused(threads);
    assert_eq!(threads["jobs"], 900, "{threads}");
    let reason = threads["refused"].as_str().unwrap();
    assert!(reason.contains("900 threads"), "{reason}");
    assert!(reason.contains("ulimit -n is 256"), "{reason}");
    assert_measured(scale[2]);

    // The table says so too: `refused` in the wall column and the reason below.
    let out = env.cmd_with_ulimit_n(256).args(args).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let row = text
        .lines()
        .find(|l| l.starts_with("scale    threads "))
        .unwrap_or_else(|| panic!("no threads row: {text}"));
    assert!(row.contains("refused"), "{row}");
    assert!(
        text.contains(&format!("scale threads refused: {reason}")),
        "{text}"
    );
}

#[test]
fn a_timeline_without_the_lesson_workload_is_an_error() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args(["bench", "--workload", "scale", "--notes", "10"])
        .args(["--timeline", "timeline.svg"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--timeline draws the lesson workload: use --workload lesson or all"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "nothing measured");
    assert!(!env.path("timeline.svg").exists());
}

#[test]
fn bench_dir_removes_only_the_folder_it_made() {
    let env = TestEnv::new();
    let dir = env.path("dir");
    for (path, bytes) in [
        ("run-2024-marathon-photos/finish.jpg", &b"jpeg"[..]),
        ("floor-plans/kitchen.pdf", b"pdf"),
        ("smartnotes-bench-mine/keep.txt", b"mine"),
        ("notes.txt", b"text"),
    ] {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let before = contents(&dir);
    for workload in [
        &["--workload", "disk"][..],
        &["--workload", "scale", "--sink", "dir"],
    ] {
        let out = env
            .cmd()
            .arg("bench")
            .args(workload)
            .args(["--notes", "10", "--runs", "1", "--latency", "1ms", "-q"])
            .args(["--strategies", "sequential,pool", "--dir"])
            .arg(&dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{workload:?}: {}", stderr(&out));
        assert!(
            contents(&dir) == before,
            "{workload:?}: --dir holds exactly what it held before"
        );
    }
}
