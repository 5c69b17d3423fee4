//! The conventions of a Unix command line (issue 15, items 2, 4 and 5): completions and man
//! pages, the config file and its precedence, `-` for standard input and output, broken
//! pipes, `--json` everywhere, one error style, grammatical counts, dates people type, and
//! CSV for spreadsheets.

use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use crate::common::TestEnv;
use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

/// The binary with no config file of the machine's.
fn cmd(env: &TestEnv) -> Command {
    let mut cmd = env.cmd();
    cmd.env("SMARTNOTES_CONFIG", "");
    cmd
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `script` in bash with the bash completion script sourced; returns its output.
fn bash_with_completions(env: &TestEnv, script: &str) -> String {
    let completions = cmd(env).args(["completions", "bash"]).output().unwrap();
    assert!(completions.status.success());
    let file = env.path("smartnotes.bash");
    std::fs::write(&file, &completions.stdout).unwrap();
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("source '{}'\n{script}", file.display()))
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn bash_completions_parse_and_complete_subcommands_and_flags() {
    let env = TestEnv::new();
    let completions = cmd(&env).args(["completions", "bash"]).output().unwrap();
    let file = env.path("smartnotes.bash");
    std::fs::write(&file, &completions.stdout).unwrap();
    let syntax = std::process::Command::new("bash")
        .arg("-n")
        .arg(&file)
        .output()
        .unwrap();
    assert!(syntax.status.success(), "bash -n: {}", stderr(&syntax));
    let registered = bash_with_completions(&env, "complete -p smartnotes");
    assert!(registered.contains("-F _smartnotes"), "{registered}");
    let complete = |words: &str, current: usize| {
        bash_with_completions(
            &env,
            &format!(
                "COMP_WORDS=({words}); COMP_CWORD={current}; COMP_LINE='{words}'; \
                 COMP_POINT=${{#COMP_LINE}}\n\
                 _smartnotes smartnotes \"${{COMP_WORDS[$COMP_CWORD]}}\" \"${{COMP_WORDS[$COMP_CWORD-1]}}\"\n\
                 printf '%s\\n' \"${{COMPREPLY[@]}}\""
            ),
        )
    };
    let subcommands = complete("smartnotes e", 1);
    for name in ["edit", "export"] {
        assert!(
            subcommands.lines().any(|l| l == name),
            "{name}: {subcommands}"
        );
    }
    assert!(!subcommands.lines().any(|l| l == "list"), "{subcommands}");
    let flags = complete("smartnotes export --incr", 2);
    assert_eq!(flags.trim(), "--incremental");
    let tag = complete("smartnotes tag re", 2);
    assert!(
        tag.lines().any(|l| l == "rename") && tag.lines().any(|l| l == "remove"),
        "{tag}"
    );
    let strategies = complete("smartnotes export --strategy ''", 3);
    for s in ["sequential", "threads", "pool", "async"] {
        assert!(strategies.lines().any(|l| l == s), "{strategies}");
    }
}

#[test]
fn every_shell_gets_a_script_naming_the_commands() {
    let env = TestEnv::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = cmd(&env).args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        for word in ["export", "incremental", "rename"] {
            assert!(script.contains(word), "{shell} lacks {word}");
        }
    }
    cmd(&env)
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with("error: invalid value 'tcsh'"));
}

/// The pages under docs/man are what the code makes: regenerate them (`cargo run --
/// man --out docs/man`) when this fails.
#[test]
fn the_committed_man_pages_are_what_the_code_generates() {
    let env = TestEnv::new();
    let out = cmd(&env).args(["man", "--out", "pages"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("wrote "), "{}", stdout(&out));
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/man");
    let generated = crate::common::tree(&env.path("pages"));
    let shipped = crate::common::tree(&committed);
    let names = |t: &std::collections::BTreeMap<std::path::PathBuf, Vec<u8>>| {
        t.keys().cloned().collect::<Vec<_>>()
    };
    assert_eq!(
        names(&shipped),
        names(&generated),
        "docs/man lists other pages than the code makes: run `cargo run -- man --out docs/man`"
    );
    for (name, bytes) in &generated {
        assert!(
            shipped[name] == *bytes,
            "docs/man/{} differs from what the code generates: run `cargo run -- man --out docs/man`",
            name.display()
        );
    }
    for page in [
        "smartnotes.1",
        "smartnotes-edit.1",
        "smartnotes-tag-rename.1",
        "smartnotes-export.1",
    ] {
        assert!(generated.contains_key(Path::new(page)), "{page}");
    }
}

#[test]
fn man_renders_the_shipped_page() {
    let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/man/smartnotes.1");
    let out = std::process::Command::new("man")
        .args(["--warnings", "-P", "cat", "-l"])
        .arg(&page)
        .env("MANWIDTH", "80")
        .output()
        .expect("this test needs man (apt-get install man-db)");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "", "groff warnings");
    let text = stdout(&out);
    for section in [
        "NAME",
        "SYNOPSIS",
        "OPTIONS",
        "SUBCOMMANDS",
        "smartnotes-export(1)",
    ] {
        assert!(text.contains(section), "{section}: {text}");
    }
    let export = page.with_file_name("smartnotes-export.1");
    let out = std::process::Command::new("man")
        .args(["-P", "cat", "-l"])
        .arg(export)
        .output()
        .unwrap();
    assert!(stdout(&out).contains("--incremental"), "{}", stdout(&out));
}

/// Writes a config file and returns the path.
fn config(env: &TestEnv, text: &str) -> std::path::PathBuf {
    let path = env.path("config.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn effective(env: &TestEnv, config: &Path, vars: &[(&str, &str)], flags: &[&str]) -> Value {
    let mut c = env.cmd();
    c.env("SMARTNOTES_CONFIG", config)
        .env_remove("SMARTNOTES_OUT")
        .env_remove("SMARTNOTES_FORMATS")
        .env_remove("SMARTNOTES_STRATEGY");
    for (k, v) in vars {
        c.env(k, v);
    }
    let out = c.args(["config", "--json"]).args(flags).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_setting_comes_from_the_flag_then_the_environment_then_the_file_then_the_default() {
    let env = TestEnv::new();
    let file = config(
        &env,
        "# mine\nout = \"from-file\"\nformats = [\"md\", \"jsonl\"]\nstrategy = \"pool\"\n",
    );
    let none: &[(&str, &str)] = &[];
    let got = effective(&env, &file, none, &[]);
    assert_eq!(got["file"], file.display().to_string());
    assert_eq!(
        got["out"],
        serde_json::json!({"value": "from-file", "from": "file", "line": 2})
    );
    assert_eq!(got["formats"]["value"], "md,jsonl");
    assert_eq!(
        got["strategy"],
        serde_json::json!({"value": "pool", "from": "file", "line": 4})
    );
    // TestEnv names the notebook with SMARTNOTES_DB.
    assert_eq!(got["db"]["from"], "environment");
    let vars = [
        ("SMARTNOTES_STRATEGY", "sequential"),
        ("SMARTNOTES_OUT", "from-env"),
    ];
    let got = effective(&env, &file, &vars, &[]);
    assert_eq!(got["strategy"]["value"], "sequential");
    assert_eq!(got["strategy"]["variable"], "SMARTNOTES_STRATEGY");
    assert_eq!(got["out"]["value"], "from-env");
    assert_eq!(got["formats"]["from"], "file");
    let got = effective(
        &env,
        &file,
        &vars,
        &["--strategy", "threads", "-o", "flag", "-f", "csv"],
    );
    assert_eq!(
        got["strategy"],
        serde_json::json!({"value": "threads", "from": "flag", "flag": "--strategy"})
    );
    assert_eq!(got["out"]["value"], "flag");
    assert_eq!(got["formats"]["value"], "csv");
    let empty = config(&env, "");
    let got = effective(&env, &empty, none, &[]);
    assert_eq!(
        got["out"],
        serde_json::json!({"value": "smartnotes-export", "from": "default"})
    );
    assert_eq!(got["formats"]["value"], "md,json,csv");
    assert_eq!(got["strategy"]["from"], "default");
}

#[test]
fn the_config_file_drives_export_and_a_bad_one_is_named_by_line() {
    let env = TestEnv::seeded(3);
    let file = config(&env, "out = \"backup\"\nformats = \"jsonl\"\n");
    let out = env
        .cmd()
        .env("SMARTNOTES_CONFIG", &file)
        .args(["export", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(crate::common::published(&env.path("backup")).len(), 3);
    assert!(env.path("backup/jsonl").is_dir());
    // The notebook from the file (no SMARTNOTES_DB).
    let file = config(
        &env,
        &format!("db = {:?}\n", env.db().display().to_string()),
    );
    let mut c = env.cmd();
    c.env_remove("SMARTNOTES_DB")
        .env("SMARTNOTES_CONFIG", &file);
    c.args(["list", "--count"]).assert().success().stdout("3\n");
    for (text, want) in [
        (
            "strategy = \"fast\"\n",
            "line 1: strategy: \"fast\" is not a strategy",
        ),
        (
            "out = \"x\"\ncolour = true\n",
            "line 2: unknown field `colour`",
        ),
        (
            "formats = [\"md\", \"docx\"]\n",
            "line 1: formats: \"docx\" is not a format",
        ),
        ("out = \n", "line 1:"),
        ("out = \"x\"\ndb = \"\"\n", "line 2: db: the path is empty"),
    ] {
        let file = config(&env, text);
        let out = env
            .cmd()
            .env("SMARTNOTES_CONFIG", &file)
            .args(["list", "--count"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{text}");
        let message = stderr(&out);
        assert!(message.starts_with("error: config file '"), "{message}");
        assert!(message.contains(want), "{text}: {message}");
    }
    // A config file named by SMARTNOTES_CONFIG must exist; the default one may be missing.
    env.cmd()
        .env("SMARTNOTES_CONFIG", env.path("missing.toml"))
        .args(["list", "--count"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot read the config file"));
    let home = env.path("home");
    env.cmd()
        .env_remove("SMARTNOTES_CONFIG")
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("HOME", &home)
        .args(["list", "--count"])
        .assert()
        .success();
}

#[test]
fn an_empty_variable_is_a_clear_usage_error() {
    let env = TestEnv::seeded(1);
    for var in ["SMARTNOTES_DB", "SMARTNOTES_STRATEGY", "SMARTNOTES_OUT"] {
        let out = cmd(&env)
            .env(var, "")
            .args(["list", "--count"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{var}");
        assert!(
            stderr(&out).starts_with(&format!("error: {var} is set but empty")),
            "{var}: {}",
            stderr(&out)
        );
    }
    cmd(&env)
        .env("SMARTNOTES_FORMATS", "md,docx")
        .args(["export", "--dry-run"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("\"docx\" is not a format"));
}

#[test]
fn import_dash_reads_standard_input_in_the_format_given_or_seen() {
    let env = TestEnv::seeded(4);
    for (format, flag) in [
        ("json", None),
        ("jsonl", None),
        ("csv", None),
        ("md", None),
        ("json", Some("json")),
    ] {
        let bundle = cmd(&env)
            .args(["export", "--layout", "bundle", "-f", format, "--out", "-"])
            .output()
            .unwrap();
        assert!(bundle.status.success(), "{}", stderr(&bundle));
        let other = TestEnv::new();
        let mut c = cmd(&other);
        c.args(["import", "-", "--keep-ids"]);
        if let Some(flag) = flag {
            c.args(["--format", flag]);
        }
        let out = c.write_stdin(bundle.stdout.clone()).output().unwrap();
        assert!(out.status.success(), "{format}: {}", stderr(&out));
        assert!(
            stdout(&out).starts_with("imported 1 file: 4 added"),
            "{}",
            stdout(&out)
        );
        // And back out, byte for byte.
        let again = cmd(&other)
            .args(["export", "--layout", "bundle", "-f", format, "--out", "-"])
            .output()
            .unwrap();
        assert_eq!(again.stdout, bundle.stdout, "{format} round trip");
    }
    // A note from `show` and a plain Markdown text.
    let shown = cmd(&env).args(["show", "2"]).output().unwrap().stdout;
    let other = TestEnv::new();
    cmd(&other)
        .args(["import", "-"])
        .write_stdin(shown)
        .assert()
        .success();
    cmd(&other)
        .args(["import", "-"])
        .write_stdin("# A heading\n\ntext\n")
        .assert()
        .success();
    cmd(&other).args(["list", "--count"]).assert().stdout("2\n");
    // Errors name standard input, not a temporary file.
    let out = cmd(&other)
        .args(["import", "-"])
        .write_stdin("{\"id\": 1, \"nope\": 2}\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("error: (standard input):1: JSON:"),
        "{}",
        stderr(&out)
    );
    assert!(
        !stderr(&out).contains("smartnotes-stdin-"),
        "{}",
        stderr(&out)
    );
    cmd(&other)
        .args(["import", "-", "-"])
        .write_stdin("")
        .assert()
        .code(2);
    // Standard input is held to --max-size like a file.
    cmd(&other)
        .args(["import", "-", "--max-size", "10"])
        .write_stdin("# A heading\n\nmore than ten bytes\n")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "(standard input): over the size limit of 10 bytes",
        ));
    cmd(&other).args(["list", "--count"]).assert().stdout("2\n");
}

#[test]
fn export_out_dash_writes_one_bundle_to_standard_output() {
    let env = TestEnv::seeded(3);
    let out = cmd(&env)
        .args(["export", "--layout", "bundle", "-f", "json", "--out", "-"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let notes: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(notes.len(), 3);
    assert_eq!(stderr(&out), "");
    // The same bytes as the bundle file.
    cmd(&env)
        .args([
            "export", "--layout", "bundle", "-f", "json", "--out", "dir", "-q",
        ])
        .assert()
        .success();
    assert_eq!(
        std::fs::read(env.path("dir/notes.json")).unwrap(),
        out.stdout
    );
    assert!(!env.path("-").exists(), "no folder named -");
    for (args, why) in [
        (&["export", "--out", "-"][..], "add --layout bundle"),
        (
            &["export", "--out", "-", "--layout", "bundle"],
            "one format",
        ),
        (
            &[
                "export",
                "--out",
                "-",
                "--layout",
                "bundle",
                "-f",
                "md",
                "--incremental",
            ],
            "not with --incremental",
        ),
    ] {
        cmd(&env)
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(why));
    }
    assert!(!env.path("-").exists(), "no folder named -");
}

/// `cmd | head -1` with the reader gone after one line: exit 0, nothing on standard error.
fn into_head(env: &TestEnv, args: &[&str]) -> (Option<i32>, String) {
    let bin = assert_cmd::cargo::cargo_bin("smartnotes");
    let mut child = std::process::Command::new(bin)
        .args(args)
        .current_dir(env.root())
        .env("SMARTNOTES_DB", env.db())
        .env("SMARTNOTES_CONFIG", "")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    std::io::Read::read_exact(&mut out, &mut first).unwrap();
    drop(out);
    let output = child.wait_with_output().unwrap();
    (output.status.code(), stderr(&output))
}

#[test]
fn a_closed_pipe_ends_quietly_with_exit_0_on_every_output_path() {
    let env = TestEnv::seeded(3000);
    for args in [
        &["list", "--json"][..],
        &["list"],
        &["export", "--layout", "bundle", "-f", "json", "--out", "-"],
        &["export", "--layout", "bundle", "-f", "md", "--out", "-"],
        &["completions", "bash"],
        &["lab"],
    ] {
        let (code, err) = into_head(&env, args);
        assert_eq!(code, Some(0), "{args:?}: {err}");
        assert_eq!(err, "", "{args:?}");
    }
    // The shell's own pipeline, as the issue wrote it.
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg("set -o pipefail; \"$0\" list --json | head -1")
        .arg(assert_cmd::cargo::cargo_bin("smartnotes"))
        .env("SMARTNOTES_DB", env.db())
        .env("SMARTNOTES_CONFIG", "")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "[\n");
    assert_eq!(stderr(&out), "");
}

#[test]
fn every_command_that_prints_data_has_json() {
    let env = TestEnv::new();
    let json = |args: &[&str]| -> Value {
        let out = cmd(&env).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", stdout(&out)))
    };
    assert_eq!(json(&["add", "-t", "a", "--json"])["id"], 1);
    assert_eq!(json(&["seed", "-n", "2", "--yes", "--json"])["added"], 2);
    assert_eq!(
        json(&["list", "--count", "--json"]),
        serde_json::json!({"count": 3})
    );
    assert_eq!(json(&["list", "--json"]).as_array().unwrap().len(), 3);
    assert_eq!(
        json(&["tag", "add", "t", "1", "--json"])[0]["tags"],
        serde_json::json!(["t"])
    );
    assert_eq!(json(&["rm", "1", "--json"])[0]["id"], 1);
    assert_eq!(json(&["show", "2", "--json"])["id"], 2);
    assert_eq!(json(&["config", "--json"])["strategy"]["value"], "async");
    let edited = cmd(&env)
        .env("EDITOR", "true")
        .args(["edit", "2", "--json"])
        .output()
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&edited.stdout).unwrap()["id"],
        2
    );
}

#[test]
fn errors_have_one_style_with_paths_quoted() {
    let env = TestEnv::new();
    let missing = env.path("no/such.db");
    let out = cmd(&env)
        .arg("--db")
        .arg(&missing)
        .arg("list")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!("error: no notebook at {}\n", missing.display())
    );
    // A cause comes on its own line.
    let out = cmd(&env)
        .arg("--db")
        .arg(env.path("notes.db"))
        .args(["export", "--out", "x", "--incremental"])
        .output()
        .unwrap();
    assert!(stderr(&out).starts_with("error: "), "{}", stderr(&out));
    std::fs::write(env.path("f.json"), "[").unwrap();
    let out = cmd(&env).args(["import", "f.json"]).output().unwrap();
    assert!(
        stderr(&out).starts_with("error: f.json:"),
        "{}",
        stderr(&out)
    );
    for args in [&["list", "--nope"][..], &["export", "--jobs", "0"]] {
        let out = cmd(&env).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).starts_with("error: "),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let none = cmd(&env).output().unwrap();
    assert_eq!(none.status.code(), Some(2));
    assert!(!stderr(&none).contains("smartnotes: error"));
}

#[test]
fn counts_are_grammatical_for_one_and_for_many() {
    let env = TestEnv::new();
    cmd(&env).args(["add", "-t", "only"]).assert().success();
    let one = cmd(&env)
        .args(["export", "--out", "one", "-f", "md"])
        .output()
        .unwrap();
    let text = stdout(&one);
    assert!(
        text.starts_with("exported 1 note x 1 format (md)"),
        "{text}"
    );
    assert!(text.contains("files written: 1 "), "{text}");
    assert!(
        !text.contains(" 1 files") && !text.contains(" 1 formats") && !text.contains(" 1 notes"),
        "{text}"
    );
    std::fs::write(
        env.path("n.json"),
        stdout(&cmd(&env).args(["show", "1", "--json"]).output().unwrap()),
    )
    .unwrap();
    let other = TestEnv::new();
    let out = cmd(&other)
        .args(["import"])
        .arg(env.path("n.json"))
        .output()
        .unwrap();
    assert!(
        stdout(&out).starts_with("imported 1 file: 1 added"),
        "{}",
        stdout(&out)
    );
    cmd(&other)
        .args(["seed", "-n", "1", "--yes"])
        .assert()
        .stdout(predicate::str::starts_with("added 1 note (ids 2 to 2"));
    cmd(&env)
        .args(["tag", "add", "x", "1"])
        .assert()
        .stdout("added tag 'x' to 1 note: 1\n");
    cmd(&env).args(["add", "-t", "two"]).assert().success();
    let many = cmd(&env)
        .args(["export", "--out", "many", "-f", "md,json"])
        .output()
        .unwrap();
    assert!(
        stdout(&many).starts_with("exported 2 notes x 2 formats (md, json)"),
        "{}",
        stdout(&many)
    );
}

#[test]
fn since_yesterday_and_other_dates_people_type() {
    let env = TestEnv::new();
    let old = r#"[{"id": 1, "title": "old", "tags": [], "created": "2020-01-01T00:00:00Z", "updated": "2020-01-01T00:00:00Z", "body": ""}]"#;
    std::fs::write(env.path("old.json"), old).unwrap();
    cmd(&env)
        .args(["import", "old.json", "--keep-ids"])
        .assert()
        .success();
    cmd(&env).args(["add", "-t", "today"]).assert().success();
    let count = |args: &[&str]| {
        let out = cmd(&env)
            .args(["list", "--count"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out).trim().to_owned()
    };
    assert_eq!(count(&["--since", "yesterday"]), "1");
    assert_eq!(count(&["--since", "3 days ago"]), "1");
    assert_eq!(count(&["--since", "2 weeks"]), "1");
    assert_eq!(count(&["--since", "last monday"]), "1");
    assert_eq!(count(&["--until", "yesterday"]), "1");
    assert_eq!(
        count(&["--since", "2020-01-01", "--until", "2020-01-01"]),
        "1"
    );
    assert_eq!(
        count(&["--since", "2020-01-01", "--until", "2020-01-01", "--utc"]),
        "1"
    );
    // 2020-01-01T00:00Z is still 2019-12-31 in New York: that day holds it, not the 1st.
    let ny = |args: &[&str]| {
        let out = cmd(&env)
            .env("TZ", "America/New_York")
            .args(["list", "--count"])
            .args(args)
            .output()
            .unwrap();
        stdout(&out).trim().to_owned()
    };
    assert_eq!(ny(&["--since", "2020-01-01", "--until", "2020-01-01"]), "0");
    assert_eq!(ny(&["--since", "2019-12-31", "--until", "2019-12-31"]), "1");
    assert_eq!(
        ny(&["--since", "2020-01-01", "--until", "2020-01-01", "--utc"]),
        "1"
    );
}

#[test]
fn csv_bom_opens_in_spreadsheets_and_still_imports() {
    let env = TestEnv::seeded(3);
    cmd(&env)
        .args(["export", "-f", "csv", "--csv-bom", "--out", "bom", "-q"])
        .assert()
        .success();
    let files = crate::common::published(&env.path("bom"));
    assert_eq!(files.len(), 3);
    for bytes in files.values() {
        assert!(
            bytes.starts_with(b"\xEF\xBB\xBFid,title,"),
            "a BOM, then the header"
        );
    }
    cmd(&env)
        .args([
            "export",
            "-f",
            "csv",
            "--layout",
            "bundle",
            "--csv-bom",
            "--out",
            "bundle",
            "-q",
        ])
        .assert()
        .success();
    let bundle = std::fs::read(env.path("bundle/notes.csv")).unwrap();
    assert!(bundle.starts_with(b"\xEF\xBB\xBFid,"));
    assert_eq!(
        bundle.windows(3).filter(|w| w == b"\xEF\xBB\xBF").count(),
        1,
        "one BOM"
    );
    // Round trip: import reads past the mark, and the export without it is what it was.
    let other = TestEnv::new();
    cmd(&other)
        .args(["import", "--keep-ids"])
        .arg(env.path("bundle/notes.csv"))
        .assert()
        .success();
    let plain = |e: &TestEnv| {
        cmd(e)
            .args(["export", "-f", "csv", "--layout", "bundle", "--out", "-"])
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(plain(&other), plain(&env));
    assert_eq!(&bundle[3..], &plain(&env)[..]);
}

#[test]
fn csv_bom_is_a_setting_of_the_incremental_manifest() {
    let env = TestEnv::seeded(3);
    let run = |extra: &[&str]| {
        let out = cmd(&env)
            .args([
                "export",
                "-f",
                "csv",
                "--incremental",
                "--out",
                "inc",
                "--json",
            ])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    assert_eq!(run(&[])["files"], 3);
    assert_eq!(run(&[])["files"], 0, "nothing changed");
    assert_eq!(
        run(&["--csv-bom"])["files"],
        3,
        "other bytes: written again"
    );
    assert_eq!(run(&["--csv-bom"])["files"], 0);
    for bytes in crate::common::published(&env.path("inc")).values() {
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    }
    assert_eq!(run(&[])["files"], 3);
}

#[test]
fn stdin_with_a_closed_write_end_is_not_an_error() {
    // `import -` with nothing piped in: the empty input is named, exit 1.
    let env = TestEnv::new();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("smartnotes"))
        .args(["import", "-"])
        .env("SMARTNOTES_DB", env.db())
        .env("SMARTNOTES_CONFIG", "")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("(standard input): the file is empty"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn two_texts_piped_in_are_two_notes_not_one_updated() {
    // Standard input is kept in a temporary file for the import; its name is no source path,
    // or the second text would update the first note (matched by that path).
    let env = TestEnv::new();
    for text in ["first text\n", "second text\n"] {
        cmd(&env)
            .args(["import", "-"])
            .write_stdin(text)
            .assert()
            .success()
            .stdout(predicate::str::contains("1 added"));
    }
    let out = cmd(&env).args(["list", "--json"]).output().unwrap();
    let notes: Value = serde_json::from_slice(&out.stdout).unwrap();
    let bodies: Vec<&str> = notes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["first text\n", "second text\n"]);
    assert!(notes[0].get("source").is_none(), "{notes}");
}
