//! Living in the notebook (issue 15, item 1): `edit` through a scripted `$EDITOR`, `add` on a
//! template, `rm` of several notes or of a filter, `tag add|remove|rename`, `seed` into a
//! notebook that already holds notes.

use std::path::PathBuf;

use crate::common::TestEnv;
use assert_cmd::Command;
use serde_json::Value;

/// The binary with no config file of the machine's, and no editor but the one a test sets.
fn cmd(env: &TestEnv) -> Command {
    let mut cmd = env.cmd();
    cmd.env("SMARTNOTES_CONFIG", "")
        .env_remove("VISUAL")
        .env_remove("EDITOR");
    cmd
}

/// An executable shell script in the test folder: the "editor".
fn script(env: &TestEnv, name: &str, body: &str) -> PathBuf {
    let path = env.path(name);
    std::fs::write(&path, format!("#!/bin/sh\nset -e\n{body}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path
}

fn note(env: &TestEnv, id: i64) -> Value {
    let out = cmd(env)
        .args(["show", "--json", &id.to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn show_md(env: &TestEnv, id: i64) -> Vec<u8> {
    cmd(env)
        .args(["show", &id.to_string()])
        .output()
        .unwrap()
        .stdout
}

fn with_notes(titles: &[(&str, &[&str])]) -> TestEnv {
    let env = TestEnv::new();
    for (title, tags) in titles {
        let mut c = cmd(&env);
        c.args(["add", "--title", title, "--body", "body\n"]);
        for tag in *tags {
            c.args(["--tag", tag]);
        }
        c.assert().success();
    }
    env
}

/// Files the editor left behind in the temporary folder, by the prefix smartnotes gives them.
fn kept_files(stderr: &str) -> Vec<PathBuf> {
    stderr
        .split('\'')
        .filter(|s| s.contains("smartnotes-note-") && s.ends_with(".md"))
        .map(PathBuf::from)
        .collect()
}

#[test]
fn an_edit_is_saved_and_moves_updated() {
    let env = with_notes(&[("Groceries", &["home"])]);
    let before = note(&env, 1);
    std::thread::sleep(std::time::Duration::from_millis(5));
    let editor = script(
        &env,
        "ed.sh",
        r#"sed -i 's/^title: Groceries$/title: Groceries for Sunday/; s/^body$/milk, eggs/' "$1""#,
    );
    let out = cmd(&env)
        .env("EDITOR", &editor)
        .args(["edit", "1"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "saved note 1: Groceries for Sunday\n"
    );
    let after = note(&env, 1);
    assert_eq!(after["title"], "Groceries for Sunday");
    assert_eq!(after["body"], "milk, eggs\n");
    assert_eq!(after["tags"], before["tags"]);
    assert_eq!(after["created"], before["created"]);
    assert!(
        after["updated"].as_str().unwrap() > before["updated"].as_str().unwrap(),
        "updated moved: {before} -> {after}"
    );
    // --since ... --by updated sees the edit.
    let listed = cmd(&env)
        .args(["list", "--count", "--since", "1 minute ago"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&listed.stdout), "1\n");
}

#[test]
fn visual_wins_over_editor_and_an_editor_command_may_hold_arguments() {
    let env = with_notes(&[("One", &[])]);
    // `$VISUAL` is a command with an argument, as `code --wait` is.
    let editor = script(&env, "ed.sh", r#"sed -i "s/^body$/$1/" "$2""#);
    let visual = format!("{} from-visual", editor.display());
    cmd(&env)
        .env("VISUAL", &visual)
        .env("EDITOR", "false")
        .args(["edit", "1"])
        .assert()
        .success();
    assert_eq!(note(&env, 1)["body"], "from-visual\n");
}

#[test]
fn an_edit_that_changes_nothing_leaves_the_note_byte_identical() {
    let env = with_notes(&[("Untouched", &["a", "b"])]);
    let before = show_md(&env, 1);
    let db_before = std::fs::read(env.db()).unwrap();
    for editor in ["true", "touch"] {
        let out = cmd(&env)
            .env("EDITOR", editor)
            .args(["edit", "1"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "unchanged note 1: Untouched\n"
        );
    }
    assert_eq!(show_md(&env, 1), before);
    assert_eq!(
        std::fs::read(env.db()).unwrap(),
        db_before,
        "not even a write"
    );
}

#[test]
fn a_broken_edit_is_reported_with_file_line_and_field_and_nothing_is_lost() {
    let env = with_notes(&[("Keep me", &[])]);
    let before = show_md(&env, 1);
    // A typed body, and a created time the parser cannot read.
    let editor = script(
        &env,
        "ed.sh",
        r#"sed -i 's/^created: .*/created: last tuesday-ish/; s/^body$/three paragraphs typed with care/' "$1""#,
    );
    let out = cmd(&env)
        .env("EDITOR", &editor)
        .args(["edit", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains(".md:5: front matter: created:"), "{stderr}");
    assert!(stderr.contains("your text is kept in '"), "{stderr}");
    assert_eq!(show_md(&env, 1), before, "the note is as it was");
    let kept = kept_files(&stderr);
    assert_eq!(kept.len(), 1, "{stderr}");
    let text = std::fs::read_to_string(&kept[0]).unwrap();
    assert!(text.contains("three paragraphs typed with care"), "{text}");
    assert!(text.contains("created: last tuesday-ish"), "{text}");
    std::fs::remove_file(&kept[0]).unwrap();
}

/// On a terminal a broken edit is offered again, as `crontab -e` does: here the first
/// save breaks the front matter, the user answers `e`, and the second save is good.
#[test]
fn on_a_terminal_a_broken_edit_is_offered_again() {
    let env = with_notes(&[("Try twice", &[])]);
    let editor = script(
        &env,
        "ed.sh",
        &format!(
            r#"if [ -e "{runs}" ]; then sed -i 's/^created: broken$/created: 2026-01-01T00:00:00Z/' "$1"
else touch "{runs}"; sed -i 's/^created: .*/created: broken/; s/^body$/typed once/' "$1"; fi"#,
            runs = env.path("ran-once").display()
        ),
    );
    let command = format!(
        "{} edit 1",
        assert_cmd::cargo::cargo_bin("smartnotes").display()
    );
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("printf 'e\\n' | script -qec \"$0\" /dev/null")
        .arg(&command)
        .env("SMARTNOTES_DB", env.db())
        .env("SMARTNOTES_CONFIG", "")
        .env("EDITOR", &editor)
        .env_remove("VISUAL")
        .output()
        .expect("script (util-linux) runs the command on a pseudo-terminal");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{shown}");
    assert!(shown.contains("(e)dit again, (d)iscard?"), "{shown}");
    assert!(shown.contains("saved note 1: Try twice"), "{shown}");
    let saved = note(&env, 1);
    assert_eq!(
        saved["body"], "typed once\n",
        "what was typed the first time is kept"
    );
    assert_eq!(saved["created"], "2026-01-01T00:00:00Z");
}

#[test]
fn an_edit_cannot_change_the_id_and_an_editor_that_fails_changes_nothing() {
    let env = with_notes(&[("Fixed id", &[])]);
    let before = show_md(&env, 1);
    let editor = script(&env, "ed.sh", r#"sed -i 's/^id: 1$/id: 2/' "$1""#);
    let out = cmd(&env)
        .env("EDITOR", &editor)
        .args(["edit", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("an edit cannot change its id"), "{stderr}");
    for kept in kept_files(&stderr) {
        std::fs::remove_file(kept).unwrap();
    }
    let out = cmd(&env)
        .env("EDITOR", "false")
        .args(["edit", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("the editor \"false\" exited with"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(show_md(&env, 1), before);
    cmd(&env)
        .args(["edit", "9"])
        .env("EDITOR", "true")
        .assert()
        .code(1);
}

#[test]
fn add_without_a_title_opens_the_editor_on_a_template() {
    let env = TestEnv::new();
    let editor = script(
        &env,
        "ed.sh",
        r#"sed -i "s/^title: ''$/title: Written in the editor/" "$1"; printf 'a body\n' >> "$1""#,
    );
    // Standard input must be a terminal for the template (a pipe is a body): `script`.
    let command = format!(
        "{} add --tag drafts",
        assert_cmd::cargo::cargo_bin("smartnotes").display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("SMARTNOTES_DB", env.db())
        .env("SMARTNOTES_CONFIG", "")
        .env("EDITOR", &editor)
        .env_remove("VISUAL")
        .output()
        .expect("script (util-linux) runs the command on a pseudo-terminal");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let added = note(&env, 1);
    assert_eq!(added["title"], "Written in the editor");
    assert_eq!(added["tags"], serde_json::json!(["drafts"]));
    assert_eq!(added["body"], "a body\n");
    assert_eq!(added["created"], added["updated"]);
    // The template left as it was adds nothing.
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("SMARTNOTES_DB", env.db())
        .env("SMARTNOTES_CONFIG", "")
        .env("EDITOR", "true")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("no note added"));
    cmd(&env).args(["list", "--count"]).assert().stdout("1\n");
}

#[test]
fn add_date_sets_created_and_add_json_prints_the_note() {
    let env = TestEnv::new();
    let out = cmd(&env)
        .args([
            "add",
            "-t",
            "Back then",
            "--date",
            "2026-01-15T09:00:00+01:00",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let added: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(added["created"], "2026-01-15T08:00:00Z");
    assert_eq!(added["id"], 1);
    let out = cmd(&env)
        .args([
            "add",
            "-t",
            "A day",
            "--date",
            "2026-01-15",
            "--utc",
            "--json",
        ])
        .output()
        .unwrap();
    let added: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(added["created"], "2026-01-15T00:00:00Z");
    let out = cmd(&env)
        .env("TZ", "Asia/Tokyo")
        .args([
            "add",
            "-t",
            "A day in Tokyo",
            "--date",
            "2026-01-15",
            "--json",
        ])
        .output()
        .unwrap();
    let added: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(added["created"], "2026-01-14T15:00:00Z");
}

#[test]
fn rm_takes_several_ids_and_says_what_it_removed() {
    let env = with_notes(&[("a", &[]), ("b", &[]), ("c", &[]), ("d", &[])]);
    // Without a terminal to ask on, more than one note needs --yes.
    let out = cmd(&env).args(["rm", "1", "3"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("remove 2 notes?"), "{stderr}");
    assert!(stderr.contains("pass --yes"), "{stderr}");
    cmd(&env).args(["list", "--count"]).assert().stdout("4\n");
    // One missing id: nothing removed.
    cmd(&env)
        .args(["rm", "1", "9", "--yes"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("no note with id 9"));
    cmd(&env).args(["list", "--count"]).assert().stdout("4\n");
    cmd(&env)
        .args(["rm", "3", "1", "--yes"])
        .assert()
        .success()
        .stdout("removed note 1: a\nremoved note 3: c\nremoved 2 notes\n");
    let out = cmd(&env).args(["rm", "2", "--json"]).output().unwrap();
    let removed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(removed, serde_json::json!([{ "id": 2, "title": "b" }]));
    cmd(&env).args(["list", "--count"]).assert().stdout("1\n");
    cmd(&env)
        .arg("rm")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("rm needs note ids or a filter"));
}

#[test]
fn rm_with_a_filter_removes_exactly_what_list_shows() {
    let env = with_notes(&[
        ("keep", &["work"]),
        ("go 1", &["old"]),
        ("go 2", &["old", "work"]),
        ("keep too", &[]),
    ]);
    let listed = cmd(&env)
        .args(["list", "--tag", "old", "--json"])
        .output()
        .unwrap();
    let listed: Vec<Value> = serde_json::from_slice(&listed.stdout).unwrap();
    let out = cmd(&env)
        .args(["rm", "--tag", "old", "--yes", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let removed: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let ids = |notes: &[Value]| {
        notes
            .iter()
            .map(|n| n["id"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&removed), ids(&listed));
    assert_eq!(ids(&removed), vec![2, 3]);
    let left = cmd(&env).args(["list", "--json"]).output().unwrap();
    let left: Vec<Value> = serde_json::from_slice(&left.stdout).unwrap();
    assert_eq!(ids(&left), vec![1, 4]);
    // Ids and a filter: the given notes the filter selects.
    cmd(&env)
        .args(["rm", "1", "4", "--tag", "work"])
        .assert()
        .success()
        .stdout("removed note 1: keep\n");
    cmd(&env)
        .args(["rm", "--tag", "nothing-has-this"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("no note matches the filter"));
}

#[test]
fn tag_rename_works_across_notes_in_one_go() {
    let env = with_notes(&[
        ("a", &["proj-x", "work"]),
        ("b", &["home"]),
        ("c", &["work", "proj-x"]),
        ("d", &["proj-x", "project-x"]),
    ]);
    let untouched = note(&env, 2);
    cmd(&env)
        .args(["tag", "rename", "proj-x", "project-x"])
        .assert()
        .success()
        .stdout("renamed tag 'proj-x' to 'project-x' on 3 notes: 1, 3, 4\n");
    let tags = |id| note(&env, id)["tags"].clone();
    assert_eq!(
        tags(1),
        serde_json::json!(["project-x", "work"]),
        "in place"
    );
    assert_eq!(tags(3), serde_json::json!(["work", "project-x"]));
    assert_eq!(tags(4), serde_json::json!(["project-x"]), "never twice");
    assert_eq!(
        note(&env, 2),
        untouched,
        "a note without the tag is not touched"
    );
    cmd(&env)
        .args(["list", "--tag", "proj-x", "--count"])
        .assert()
        .stdout("0\n");
    // A new name that is not a tag changes nothing at all.
    cmd(&env)
        .args(["tag", "rename", "work", "a;b"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("invalid tag"));
    assert_eq!(tags(1), serde_json::json!(["project-x", "work"]));
}

#[test]
fn tag_add_and_remove_on_ids_or_a_filter() {
    let env = with_notes(&[("a", &[]), ("b", &["x"]), ("c", &["x"])]);
    cmd(&env)
        .args(["tag", "add", "urgent", "1"])
        .assert()
        .success()
        .stdout("added tag 'urgent' to 1 note: 1\n");
    let out = cmd(&env)
        .args(["tag", "add", "urgent", "--tag", "x", "--json"])
        .output()
        .unwrap();
    let changed: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(changed.len(), 2);
    assert!(
        changed
            .iter()
            .all(|n| n["tags"] == serde_json::json!(["x", "urgent"]))
    );
    cmd(&env)
        .args(["list", "--tag", "urgent", "--count"])
        .assert()
        .stdout("3\n");
    cmd(&env)
        .args(["tag", "remove", "x", "--tag", "x"])
        .assert()
        .success()
        .stdout("removed tag 'x' from 2 notes: 2, 3\n");
    cmd(&env)
        .args(["tag", "add", "urgent"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("tag needs note ids or a filter"));
}

#[test]
fn seed_into_a_notebook_with_notes_needs_yes() {
    let env = TestEnv::new();
    cmd(&env).args(["seed", "--count", "3"]).assert().success();
    let out = cmd(&env).args(["seed", "--count", "2"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("already holds 3 notes"), "{stderr}");
    assert!(stderr.contains("--yes"), "{stderr}");
    cmd(&env).args(["list", "--count"]).assert().stdout("3\n");
    let out = cmd(&env)
        .args(["seed", "--count", "1", "--yes", "--json"])
        .output()
        .unwrap();
    let seeded: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (seeded["added"].as_u64(), seeded["first"].as_i64()),
        (Some(1), Some(4))
    );
    let out = cmd(&env)
        .args(["seed", "--count", "1", "--yes"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("added 1 note (ids 5 to 5"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn rm_removes_a_damaged_note_by_id_among_others() {
    let env = with_notes(&[("fine", &[]), ("damaged", &[])]);
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute(
        "UPDATE notes SET title = CAST(X'FF' AS TEXT) WHERE id = 2",
        [],
    )
    .unwrap();
    drop(conn);
    cmd(&env)
        .args(["rm", "1", "2", "--yes"])
        .assert()
        .success()
        .stdout(predicates::str::contains("removed note 2: (damaged"));
    cmd(&env).args(["list", "--count"]).assert().stdout("0\n");
}

/// A note's properties and where it was imported from survive an edit of its body (made
/// through the library, the way an import of another tool's files makes them).
#[test]
fn an_edit_keeps_the_notes_properties_and_source() {
    use smartnotes::model::{NewNote, Properties, Source};
    let env = TestEnv::new();
    let mut properties = Properties::new();
    properties.insert("aliases".into(), serde_json::json!(["bank"]));
    properties.insert("draft".into(), serde_json::json!(true));
    let mut store = smartnotes::store::Store::open_or_create(env.db()).unwrap();
    let added = store
        .add(NewNote {
            properties: properties.clone(),
            source: Some(Source::new(
                "Money/Call the bank.md",
                Some("---\naliases: [bank]\ndraft: true\n---\n".into()),
            )),
            ..NewNote::now("Call the bank", "body\n", vec!["finance".into()])
        })
        .unwrap();
    drop(store);
    let editor = script(
        &env,
        "ed.sh",
        r#"sed -i 's/^body$/ask about the rate/' "$1""#,
    );
    cmd(&env)
        .env("EDITOR", &editor)
        .args(["edit", &added.id.to_string()])
        .assert()
        .success();
    let store = smartnotes::store::Store::open(env.db()).unwrap();
    let edited = store.get(added.id).unwrap();
    assert_eq!(edited.body, "ask about the rate\n");
    assert_eq!(edited.properties, properties);
    assert_eq!(
        edited.source.as_ref().map(|s| s.path.as_str()),
        Some("Money/Call the bank.md")
    );
    assert!(edited.updated > added.updated);
}

/// On a terminal, `rm` of several notes lists them and asks; only `y` removes them.
#[test]
fn on_a_terminal_rm_of_several_notes_asks_first() {
    let env = with_notes(&[("a", &[]), ("b", &[]), ("c", &[])]);
    let ask = |answer: &str| {
        let command = format!(
            "{} rm 1 2",
            assert_cmd::cargo::cargo_bin("smartnotes").display()
        );
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "printf '{answer}\\n' | script -qec \"$0\" /dev/null"
            ))
            .arg(&command)
            .env("SMARTNOTES_DB", env.db())
            .env("SMARTNOTES_CONFIG", "")
            .output()
            .expect("script (util-linux) runs the command on a pseudo-terminal");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, shown) = ask("n");
    assert_eq!(code, Some(1), "{shown}");
    assert!(shown.contains("remove 2 notes? [y/N]"), "{shown}");
    assert!(shown.contains("nothing removed"), "{shown}");
    cmd(&env).args(["list", "--count"]).assert().stdout("3\n");
    let (code, shown) = ask("y");
    assert_eq!(code, Some(0), "{shown}");
    assert!(shown.contains("removed 2 notes"), "{shown}");
    cmd(&env).args(["list", "--count"]).assert().stdout("1\n");
}
