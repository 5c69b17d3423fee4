//! `export --layout vault` and the front matter profiles, through the binary: a vault comes
//! back byte for byte, notes made in smartnotes get safe names, collisions get an id suffix,
//! nothing is written outside `--out` (no `..`, no absolute path, no link on the way), and
//! incremental vault exports keep, move and prune only the files they made.
//!
//! The notes come in through smartnotes' own JSON format, which carries a note's source (the
//! path it came from and its front matter bytes): the Markdown importer of a vault is the
//! vault-in engineer's, and its whole-vault round trip is theirs to run.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{TestEnv, published};
use serde_json::{Value, json};

/// One file of the fixture vault: its path, the front matter bytes it starts with (all of it
/// before the body) and its body.
struct VaultFile {
    path: &'static str,
    front_matter: &'static str,
    body: &'static str,
    title: &'static str,
    tags: &'static [&'static str],
    properties: Value,
}

/// A small vault of every shape the export must give back: nested folders, YAML with a BOM
/// and CRLF, a `...` close, TOML, JSON front matter, no front matter, an empty file, a
/// comment and odd quoting that a YAML writer would never reproduce.
fn fixture() -> Vec<VaultFile> {
    vec![
        VaultFile {
            path: "Guides/Sync/Headless Sync.md",
            front_matter: "\u{feff}---\r\naliases: [HS, 'Sync it']   # kept as typed\r\ntags: sync, cli\r\n---\r\n",
            body: "# Headless Sync\r\n\r\nRun `ob sync`.\r\n",
            title: "Headless Sync",
            tags: &["sync", "cli"],
            properties: json!({"aliases": ["HS", "Sync it"]}),
        },
        VaultFile {
            path: "Guides/Templates.md",
            front_matter: "---\ndate: 2017-01-01\ncssclasses:\n  - wide\n...\n",
            body: "```\n# {{title}}\n```\n",
            title: "Templates",
            tags: &[],
            properties: json!({"date": "2017-01-01", "cssclasses": ["wide"]}),
        },
        VaultFile {
            path: "posts/2013-05-06-hello.md",
            front_matter: "+++\ntitle = \"Hello\"\ndraft = true\n+++\n",
            body: "Hello, Hugo.\n",
            title: "Hello",
            tags: &[],
            properties: json!({"draft": true}),
        },
        VaultFile {
            path: "posts/json front.md",
            front_matter: "{\n  \"title\": \"JSON front\",\n  \"weight\": 3\n}\n",
            body: "Body after JSON.\n",
            title: "JSON front",
            tags: &[],
            properties: json!({"weight": 3}),
        },
        VaultFile {
            path: "No front matter.md",
            front_matter: "",
            body: "Just text, no final newline",
            title: "No front matter",
            tags: &[],
            properties: json!({}),
        },
        VaultFile {
            path: "Empty.md",
            front_matter: "",
            body: "",
            title: "Empty",
            tags: &[],
            properties: json!({}),
        },
        VaultFile {
            path: "Deep/er/and/deeper/Ünïcödé 日本語 #1.md",
            front_matter: "---\nTitle: \"Ünïcödé\"\n---\n",
            body: "deep\n",
            title: "Ünïcödé",
            tags: &[],
            properties: json!({}),
        },
    ]
}

/// The fixture as smartnotes' JSON export of its notes (ids 1, 2, ...), with their sources.
fn fixture_json(files: &[VaultFile]) -> String {
    let notes: Vec<Value> = files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            json!({
                "id": i + 1,
                "title": f.title,
                "tags": f.tags,
                "created": "2026-01-02T03:04:05Z",
                "updated": "2026-01-03T00:00:00Z",
                "body": f.body,
                "properties": f.properties,
                "source": {"path": f.path, "front_matter": f.front_matter},
            })
        })
        .collect();
    serde_json::to_string_pretty(&notes).unwrap()
}

/// The fixture as files: path -> bytes.
fn fixture_tree(files: &[VaultFile]) -> BTreeMap<PathBuf, Vec<u8>> {
    files
        .iter()
        .map(|f| {
            let bytes = format!("{}{}", f.front_matter, f.body).into_bytes();
            (PathBuf::from(f.path), bytes)
        })
        .collect()
}

fn env_with_vault() -> (TestEnv, Vec<VaultFile>) {
    let env = TestEnv::new();
    let files = fixture();
    fs::write(env.path("vault.json"), fixture_json(&files)).unwrap();
    env.cmd()
        .args(["import", "vault.json", "--keep-ids"])
        .assert()
        .success();
    (env, files)
}

fn vault_export(env: &TestEnv, out: &str, extra: &[&str]) -> Value {
    let mut args = vec!["--layout", "vault", "--front-matter", "keep", "-f", "md"];
    args.extend_from_slice(extra);
    env.export_json(out, &args)
}

#[test]
fn a_vault_comes_back_byte_identical_at_its_paths_and_again_unchanged() {
    let (env, files) = env_with_vault();
    let summary = vault_export(&env, "out", &[]);
    assert_eq!(summary["failed"], 0, "{summary}");
    assert_eq!(published(&env.path("out")), fixture_tree(&files));
    // Again, incrementally: everything unchanged, nothing rewritten.
    let first = vault_export(&env, "inc", &["--incremental"]);
    assert_eq!(first["files"], files.len() as u64, "{first}");
    let again = vault_export(&env, "inc", &["--incremental"]);
    assert_eq!(
        (again["files"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(files.len() as u64)),
        "{again}"
    );
    assert_eq!(published(&env.path("inc")), fixture_tree(&files));
    // The same notes imported again are unchanged, and export the same vault.
    let out = env
        .cmd()
        .args(["import", "vault.json", "--json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["unchanged"], files.len() as u64, "{report}");
    let summary = vault_export(&env, "out2", &[]);
    assert_eq!(
        summary["notes"],
        files.len() as u64,
        "nothing doubled: {summary}"
    );
    assert_eq!(published(&env.path("out2")), fixture_tree(&files));
}

#[test]
fn a_changed_note_gets_its_front_matter_regenerated_with_the_original_keys_in_order() {
    let (env, files) = env_with_vault();
    // Edited the way a user would: smartnotes' own JSON export (which carries the source and
    // its imported hash), changed, imported back with --update.
    env.export_json("json", &["-f", "json", "--naming", "id"]);
    let mut note: Value =
        serde_json::from_str(&fs::read_to_string(env.path("json/json/note_1.json")).unwrap())
            .unwrap();
    assert!(note["source"]["imported_hash"].is_string(), "{note}");
    note["body"] = json!("# Headless Sync\r\n\r\nEdited.\r\n");
    note["properties"]["aliases"] = json!(["HS"]);
    fs::write(env.path("edited.json"), note.to_string()).unwrap();
    env.cmd()
        .args(["import", "edited.json", "--update"])
        .assert()
        .success();
    vault_export(&env, "out", &[]);
    let text = fs::read_to_string(env.path("out/Guides/Sync/Headless Sync.md")).unwrap();
    assert_eq!(
        text,
        "\u{feff}---\r\naliases:\r\n  - HS\r\ntags:\r\n  - sync\r\n  - cli\r\ntitle: Headless Sync\r\n\
         created: 2026-01-02T03:04:05Z\r\nupdated: 2026-01-03T00:00:00Z\r\n---\r\n\
         # Headless Sync\r\n\r\nEdited.\r\n"
    );
    // Every other file is as it came.
    let mut want = fixture_tree(&files);
    want.remove(Path::new("Guides/Sync/Headless Sync.md"));
    let mut got = published(&env.path("out"));
    got.remove(Path::new("Guides/Sync/Headless Sync.md"));
    assert_eq!(got, want);
}

#[test]
fn notes_made_in_smartnotes_get_safe_names_and_collisions_an_id_suffix() {
    let env = TestEnv::new();
    for title in [
        "Réunion: café? <1/2>",
        "réunion café 1 2",
        "CON",
        "[[Link]] #tag ^block | x",
        "  .hidden. ",
        "",
    ] {
        env.cmd()
            .args(["add", "-t", title, "-b", "x"])
            .assert()
            .success();
    }
    let summary = env.export_json("out", &["--layout", "vault"]);
    assert_eq!(
        summary["formats"],
        json!(["md"]),
        "the vault layout defaults to md: {summary}"
    );
    let names: Vec<String> = published(&env.path("out"))
        .keys()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "CON_.md",
            "Link tag block x.md",
            "Réunion café 1 2.md",
            "Untitled.md",
            "hidden.md",
            "réunion café 1 2 (2).md"
        ]
    );
}

#[test]
fn a_remembered_path_outside_out_or_through_a_link_is_refused_for_that_note_alone() {
    let env = TestEnv::new();
    let outside = tempfile::tempdir().unwrap();
    let note = |id: u64, path: &str| {
        json!({"id": id, "title": format!("n{id}"), "created": "2026-01-01T00:00:00Z",
               "updated": "2026-01-01T00:00:00Z", "body": "x\n",
               "source": {"path": path, "front_matter": ""}})
    };
    let notes = json!([
        note(1, "../escape.md"),
        note(2, "/etc/absolute.md"),
        note(3, "a//b.md"),
        note(4, "Linked/inside.md"),
        note(5, ".smartnotes-manifest.json"),
        note(6, "fine/ok.md"),
    ]);
    fs::write(env.path("n.json"), notes.to_string()).unwrap();
    env.cmd()
        .args(["import", "n.json", "--keep-ids"])
        .assert()
        .success();
    fs::create_dir_all(env.path("out")).unwrap();
    std::os::unix::fs::symlink(outside.path(), env.path("out/Linked")).unwrap();
    let summary = vault_export(&env, "out", &[]);
    let failures: BTreeMap<u64, String> = summary["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["note_id"].as_u64().unwrap(),
                f["error"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        failures.keys().copied().collect::<Vec<_>>(),
        [1, 2, 3, 4, 5],
        "{summary}"
    );
    assert!(failures[&1].contains(".. part"), "{}", failures[&1]);
    assert!(failures[&2].contains("absolute"), "{}", failures[&2]);
    assert!(failures[&3].contains("empty"), "{}", failures[&3]);
    assert!(failures[&4].contains("symbolic link"), "{}", failures[&4]);
    assert!(failures[&5].contains(".smartnotes-"), "{}", failures[&5]);
    assert_eq!(
        fs::read_dir(outside.path()).unwrap().count(),
        0,
        "nothing written through the link"
    );
    assert!(!env.path("escape.md").exists());
    assert_eq!(
        fs::read_to_string(env.path("out/fine/ok.md")).unwrap(),
        "x\n"
    );
}

#[test]
fn an_incremental_vault_moves_a_freed_name_and_prunes_only_its_own_files() {
    let env = TestEnv::new();
    for title in ["Same", "same"] {
        env.cmd()
            .args(["add", "-t", title, "-b", "x"])
            .assert()
            .success();
    }
    let inc = ["--layout", "vault", "--incremental"];
    env.export_json("out", &inc);
    fs::write(env.path("out/mine.md"), "my own file").unwrap();
    fs::write(env.path("out/Same (3).md"), "looks like ours, is not").unwrap();
    assert!(env.path("out/same (2).md").exists());
    env.cmd().args(["rm", "1"]).assert().success();
    let summary = env.export_json("out", &["--layout", "vault", "--incremental", "--prune"]);
    assert_eq!(
        (summary["files"].as_u64(), summary["removed"].as_u64()),
        (Some(1), Some(2)),
        "{summary}"
    );
    let names: Vec<String> = published(&env.path("out"))
        .keys()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["Same (3).md", "mine.md", "same.md"]);
    assert_eq!(
        fs::read_to_string(env.path("out/mine.md")).unwrap(),
        "my own file"
    );
}

#[test]
fn jekyll_posts_are_named_by_date_and_slug_and_tags_changes_are_counted() {
    let env = TestEnv::new();
    let notes = json!([
        {"id": 1, "title": "Hello World", "tags": ["#intro", "reading list"], "created": "2013-05-06T02:12:52Z", "updated": "2013-05-06T02:12:52Z", "body": "a\n"},
        {"id": 2, "title": "hello, world", "tags": ["1984"], "created": "2013-05-06T09:00:00Z", "updated": "2013-05-06T09:00:00Z", "body": "b\n"},
    ]);
    fs::write(env.path("n.json"), notes.to_string()).unwrap();
    env.cmd()
        .args(["import", "n.json", "--keep-ids"])
        .assert()
        .success();
    env.export_json("site", &["-f", "md,json", "--front-matter", "jekyll"]);
    let names: Vec<String> = published(&env.path("site"))
        .keys()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "_posts/2013-05-06-hello-world-2.md",
            "_posts/2013-05-06-hello-world.md",
            "json/1-hello-world.json",
            "json/2-hello-world.json"
        ]
    );
    let post = fs::read_to_string(env.path("site/_posts/2013-05-06-hello-world.md")).unwrap();
    assert!(
        post.starts_with("---\ntitle: Hello World\ndate: 2013-05-06 02:12:52 +0000\n"),
        "{post}"
    );

    let summary = env.export_json("obsidian", &["-f", "md", "--front-matter", "obsidian"]);
    assert_eq!(summary["front_matter"], "obsidian");
    assert_eq!(
        summary["tags_changed"],
        json!({"hash-removed": 1, "replaced": 1, "digits-prefixed": 1}),
        "{summary}"
    );
    assert_eq!(summary["notes_with_tags_changed"], 2);
    let out = env
        .cmd()
        .args([
            "export",
            "--out",
            "obsidian2",
            "-f",
            "md",
            "--front-matter",
            "obsidian",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("tags written otherwise for obsidian: 3 change(s) in 2 note(s)"),
        "{text}"
    );
}

#[test]
fn settings_that_cannot_go_together_are_refused() {
    let env = TestEnv::seeded(2);
    let out = env
        .cmd()
        .args(["export", "--out", "o", "--layout", "vault", "-f", "md,json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Markdown files only"));
    let out = env
        .cmd()
        .args([
            "export",
            "--out",
            "o",
            "--layout",
            "bundle",
            "--front-matter",
            "hugo",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("smartnotes' own front matter"));
}

#[test]
fn the_sample_notebook_never_lands_in_a_vault_on_a_first_run() {
    let env = TestEnv::first_run();
    fs::create_dir_all(env.path("My Vault")).unwrap();
    fs::write(env.path("My Vault/Welcome.md"), "my own note").unwrap();
    let out = env
        .cmd()
        .args(["export", "--layout", "vault", "--out", "My Vault"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let files: Vec<_> = fs::read_dir(env.path("My Vault")).unwrap().collect();
    assert_eq!(files.len(), 1, "nothing written beside the user's note");
    assert_eq!(
        fs::read_to_string(env.path("My Vault/Welcome.md")).unwrap(),
        "my own note"
    );
    // Into a fresh folder, the first run still shows the sample, as a vault.
    env.cmd()
        .args(["export", "--layout", "vault", "--out", "fresh"])
        .assert()
        .success();
    assert!(published(&env.path("fresh")).len() >= 10);
}
