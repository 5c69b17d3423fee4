//! The real readers of smartnotes' Markdown: Hugo builds a site from the `hugo` profile, pandoc
//! reads the metadata of every YAML profile, PyYAML (a YAML 1.1 reader, like Jekyll's Psych)
//! reads every property back equal, and the `zola` profile is TOML that a TOML parser reads
//! (Zola is not packaged in Debian 12, so it cannot be run here).
//!
//! The tools come from Debian's packages, installed by `.ci/readers` (which `.ci/run` calls
//! first). A missing tool fails the test with that instruction; nothing is skipped.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::TestEnv;
use serde_json::{Value, json};

/// `tool` on the PATH, or a failure that says how to get it.
fn tool(tool: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(tool))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "{tool} is not installed: run .ci/readers (as root; it installs hugo, pandoc and \
             python3-yaml from Debian's packages), as .ci/run does before the tests"
        )
    })
}

/// The system's Python with PyYAML (python3-yaml), or a failure that says how to get it.
fn python_with_yaml() -> PathBuf {
    let system = PathBuf::from("/usr/bin/python3");
    let python = if system.is_file() {
        system
    } else {
        tool("python3")
    };
    let ok = Command::new(&python)
        .args(["-c", "import yaml"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "{} has no PyYAML: run .ci/readers (it installs python3-yaml)",
        python.display()
    );
    python
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Properties no naive writer gets through a YAML 1.1 reader: words it takes for booleans,
/// numbers and dates, floats without a dot, keys that are words too, control characters,
/// line breaks and the Unicode ones YAML folds, nested lists and maps, null.
fn hard_properties() -> Value {
    json!({
        "aliases": ["Headless Sync", "yes", "1:30"],
        "draft": false,
        "date": "2017-01-01",
        "created_at": "2019-05-01 16:54",
        "weight": 1_000,
        "ratio": 1e100,
        "small": -2.5e-8,
        "big": 18_446_744_073_709_551_615u64,
        "on": "off",
        "1": "one",
        "nothing": null,
        "empty list": [],
        "empty map": {},
        "text": "line 1\nline 2\r\n\ttabbed \u{1b}[0m \u{85} \u{2028} \u{feff} ' \" \\ # : - é 日本 💡",
        "nested": {"b": [1, [2, {"deep": "yes"}]], "a": "~"},
        "cssclasses": ["wide", "0x1F", "1_000", ".inf", "null"]
    })
}

/// A notebook of three notes whose titles and tags trip readers, with hard properties.
fn env_with_notes() -> TestEnv {
    let env = TestEnv::new();
    let notes = json!([
        {"id": 1, "title": "Hello: World", "tags": ["#intro", "reading list", "c#", "project/alpha"],
         "created": "2013-05-06T02:12:52Z", "updated": "2014-01-01T08:00:00Z", "body": "Hello body.\n",
         "properties": hard_properties()},
        {"id": 2, "title": "yes", "tags": ["1984", "on"], "created": "2020-02-29T12:00:00Z",
         "updated": "2020-03-01T00:00:00Z", "body": "Second note.\n", "properties": {"author": "Ann"}},
        {"id": 3, "title": "---", "tags": [], "created": "2026-12-01T11:31:05Z",
         "updated": "2026-12-01T11:31:05Z", "body": "---\nnot front matter\n"},
    ]);
    fs::write(env.path("notes.json"), notes.to_string()).unwrap();
    env.cmd()
        .args(["import", "notes.json", "--keep-ids"])
        .assert()
        .success();
    env
}

fn export(env: &TestEnv, out: &str, profile: &str) -> PathBuf {
    env.cmd()
        .args([
            "export",
            "-f",
            "md",
            "--front-matter",
            profile,
            "--out",
            out,
        ])
        .assert()
        .success();
    env.path(out)
}

fn md_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files
}

#[test]
fn hugo_builds_one_page_per_note_with_its_real_dates_and_tags() {
    let hugo = tool("hugo");
    let env = env_with_notes();
    let site = env.path("site");
    export(&env, "site/content", "hugo");
    fs::write(
        site.join("config.toml"),
        "baseURL = \"http://example.org/\"\ntitle = \"notes\"\n",
    )
    .unwrap();
    fs::create_dir_all(site.join("layouts/_default")).unwrap();
    fs::write(
        site.join("layouts/_default/single.html"),
        "<h1>{{ .Title }}</h1><time>{{ .Date.Format \"2006-01-02T15:04:05Z07:00\" }}</time>\
         <lastmod>{{ .Lastmod.Format \"2006-01-02T15:04:05Z07:00\" }}</lastmod>\
         <ul>{{ range .Params.tags }}<li>{{ . }}</li>{{ end }}</ul>{{ .Content }}",
    )
    .unwrap();
    fs::write(
        site.join("layouts/_default/list.html"),
        "{{ range .Pages }}{{ .Title }}\n{{ end }}",
    )
    .unwrap();
    run(Command::new(&hugo).arg("--quiet").current_dir(&site));

    // One page per note, dated by the note (not 0001-01-01).
    let list = run(Command::new(&hugo).args(["list", "all"]).current_dir(&site));
    let mut rows: Vec<Vec<String>> = csv::Reader::from_reader(list.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    rows.sort();
    let got: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (r[0].as_str(), r[2].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "content/md/1-hello-world.md",
                "Hello: World",
                "2013-05-06T02:12:52Z"
            ),
            ("content/md/2-yes.md", "yes", "2020-02-29T12:00:00Z"),
            ("content/md/3-untitled.md", "---", "2026-12-01T11:31:05Z"),
        ]
    );
    let page = fs::read_to_string(site.join("public/md/1-hello-world/index.html")).unwrap();
    assert!(
        page.contains("<time>2013-05-06T02:12:52Z</time><lastmod>2014-01-01T08:00:00Z</lastmod>"),
        "{page}"
    );
    assert!(
        page.contains("<li>intro</li><li>reading list</li><li>c</li><li>project/alpha</li>"),
        "{page}"
    );
    // Every tag is a term page of its own: no `#` in a URL.
    for term in ["intro", "reading-list", "c", "project/alpha", "1984", "on"] {
        assert!(
            site.join("public/tags")
                .join(term)
                .join("index.html")
                .is_file(),
            "tags/{term}"
        );
    }
    let terms = fs::read_dir(site.join("public/tags")).unwrap().count();
    assert!(!site.join("public/tags/#intro").exists() && terms > 0);
}

#[test]
fn pandoc_reads_the_metadata_of_every_yaml_profile() {
    let pandoc = tool("pandoc");
    let env = env_with_notes();
    let template = env.path("meta.txt");
    fs::write(
        &template,
        "title=$title$\ndate=$date$\ncreated=$created$\nupdated=$updated$\nlastmod=$lastmod$\n\
         tags=$for(tags)$$tags$;$endfor$\nauthor=$author$\n",
    )
    .unwrap();
    let read = |file: &Path| {
        run(Command::new(&pandoc)
            .args(["-f", "markdown", "-t", "plain", "--template"])
            .arg(&template)
            .arg(file))
    };
    let cases = [
        (
            "smartnotes",
            "md/2-yes.md",
            "title=yes\ndate=\ncreated=2020-02-29T12:00:00Z\nupdated=2020-03-01T00:00:00Z\nlastmod=\ntags=1984;on;\nauthor=Ann\n",
        ),
        (
            "obsidian",
            "md/2-yes.md",
            "title=yes\ndate=\ncreated=2020-02-29T12:00:00\nupdated=2020-03-01T00:00:00\nlastmod=\ntags=_1984;on;\nauthor=Ann\n",
        ),
        (
            "hugo",
            "md/2-yes.md",
            "title=yes\ndate=2020-02-29T12:00:00Z\ncreated=\nupdated=\nlastmod=2020-03-01T00:00:00Z\ntags=1984;on;\nauthor=Ann\n",
        ),
        (
            "jekyll",
            "_posts/2020-02-29-yes.md",
            "title=yes\ndate=2020-02-29 12:00:00 +0000\ncreated=\nupdated=\nlastmod=\ntags=1984;on;\nauthor=Ann\n",
        ),
        (
            "keep",
            "md/2-yes.md",
            "title=yes\ndate=\ncreated=2020-02-29T12:00:00Z\nupdated=2020-03-01T00:00:00Z\nlastmod=\ntags=1984;on;\nauthor=Ann\n",
        ),
    ];
    for (profile, file, want) in cases {
        let out = export(&env, profile, profile);
        assert_eq!(read(&out.join(file)), want, "{profile}");
        // Every note's file reads, the hard one too; the body is the body.
        for file in md_files(&out.join(if profile == "jekyll" { "_posts" } else { "md" })) {
            let text = read(&file);
            assert!(
                text.starts_with("title="),
                "{profile}: {}: {text}",
                file.display()
            );
        }
    }
    // A title that is `---` and a body with a `---` line: pandoc keeps them apart.
    let out = env.path("smartnotes/md/3-untitled.md");
    let body = run(Command::new(&pandoc)
        .args(["-f", "markdown", "-t", "plain"])
        .arg(&out));
    assert!(body.contains("not front matter"), "{body}");
    assert!(
        read(&out).starts_with("title=\u{2014}\n") || read(&out).starts_with("title=---\n"),
        "{}",
        read(&out)
    );
}

#[test]
fn pyyaml_reads_every_property_back_equal_in_every_yaml_profile() {
    let python = python_with_yaml();
    let env = env_with_notes();
    // Prints the front matter of each file as JSON (dates as text), keys in their order.
    let script = r#"
import json, sys, yaml
for path in sys.argv[1:]:
    text = open(path, encoding="utf-8").read()
    assert text.startswith("---\n"), path
    end = text.index("\n---\n", 3)
    data = yaml.safe_load(text[4:end + 1])
    print(json.dumps({"file": path, "front": data}, default=str, ensure_ascii=False))
"#;
    let want = hard_properties();
    for (profile, owned) in [
        (
            "smartnotes",
            &["id", "title", "tags", "created", "updated"][..],
        ),
        ("obsidian", &["title", "tags", "created", "updated"][..]),
        ("hugo", &["title", "date", "lastmod", "tags"][..]),
        ("jekyll", &["title", "date", "last_modified_at", "tags"][..]),
    ] {
        let out = export(&env, profile, profile);
        let dir = out.join(if profile == "jekyll" { "_posts" } else { "md" });
        let files = md_files(&dir);
        let printed = run(Command::new(&python).arg("-c").arg(script).args(&files));
        let first: Value = serde_json::from_str(printed.lines().next().unwrap()).unwrap();
        let front = first["front"].as_object().unwrap();
        let got: serde_json::Map<String, Value> = front
            .iter()
            .filter(|(k, _)| !owned.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut expected = want.as_object().unwrap().clone();
        if profile != "smartnotes" && profile != "obsidian" {
            expected.shift_remove("date");
        }
        if profile == "obsidian" {
            // Obsidian's profile writes aliases first; the rest keep their order.
            let aliases = expected.shift_remove("aliases").unwrap();
            let mut first = serde_json::Map::new();
            first.insert("aliases".into(), aliases);
            first.extend(expected);
            expected = first;
        }
        assert_eq!(
            serde_json::to_string(&got).unwrap(),
            serde_json::to_string(&expected).unwrap(),
            "{profile}: PyYAML read back other properties"
        );
        // Titles and tags that YAML 1.1 takes for booleans stay text.
        let second: Value = serde_json::from_str(printed.lines().nth(1).unwrap()).unwrap();
        assert_eq!(second["front"]["title"], "yes", "{profile}");
        assert!(
            second["front"]["tags"]
                .as_array()
                .unwrap()
                .iter()
                .all(Value::is_string),
            "{profile}"
        );
    }
}

#[test]
fn the_zola_profile_is_toml_a_toml_parser_reads_with_dates_taxonomies_and_extra() {
    // Zola is not packaged in Debian 12 (bookworm): its reader here is the toml crate.
    let env = env_with_notes();
    let out = export(&env, "zola", "zola");
    for file in md_files(&out.join("md")) {
        let text = fs::read_to_string(&file).unwrap();
        let inner = text.strip_prefix("+++\n").unwrap();
        let end = inner.find("\n+++\n").unwrap();
        let table: toml::Table =
            toml::from_str(&inner[..end + 1]).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert!(
            table["date"].is_datetime() && table["updated"].is_datetime(),
            "{text}"
        );
        assert!(table["taxonomies"]["tags"].is_array(), "{text}");
        for key in table.keys() {
            assert!(
                ["title", "date", "updated", "taxonomies", "extra"].contains(&key.as_str()),
                "{key}: Zola refuses unknown keys"
            );
        }
    }
    let text = fs::read_to_string(out.join("md/1-hello-world.md")).unwrap();
    let inner = &text[4..text.find("\n+++\n").unwrap() + 1];
    let table: toml::Table = toml::from_str(inner).unwrap();
    assert_eq!(table["title"].as_str(), Some("Hello: World"));
    assert_eq!(
        table["date"].as_datetime().unwrap().to_string(),
        "2013-05-06T02:12:52Z"
    );
    let tags: Vec<&str> = table["taxonomies"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(tags, ["intro", "reading list", "c#", "project/alpha"]);
    assert_eq!(table["extra"]["ratio"].as_float(), Some(1e100));
    assert_eq!(
        table["extra"]["text"].as_str(),
        hard_properties()["text"].as_str()
    );
    assert!(
        table["extra"].get("nothing").is_none(),
        "TOML has no null: left out"
    );
}
