//! Links (issue 13), through the binary: every form is found and stored outside code,
//! resolved the way Obsidian resolves it (also to a note imported later, and no longer to
//! one removed), asked through `show --links` and the graph filters, and rewritten at export
//! by each `--links` and `--embeds` mode. The checker exports in every layout and mode and
//! follows every relative link and image of every Markdown file (found by pulldown-cmark).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{TestEnv, stdout};
use pulldown_cmark::{Event, LinkType, Options, Parser, Tag};
use serde_json::Value;

/// The fixture vault: every link form, code that must not count, names with spaces, accents
/// and `#`, a cycle of embeds, a missing target.
const VAULT: &[(&str, &str)] = &[
    (
        "Home.md",
        "# Home\n\
         Plain [[Other note]] and [[sub/Deep note#Part two|the deep part]].\n\
         A block: [[sub/Deep note#^blk1]]. Accents: [[Café déjà vu]].\n\
         Markdown: [md link](sub/Deep%20note.md#Part%20two) and [hash](C%23%20notes.md).\n\
         Alias: [[Second name]]. Missing: [[Nowhere]] and [gone](gone.md).\n\
         Embed: ![[Cycle A]] and an image ![[pic.png|300]] and ![alt](img/pic%201.png).\n\
         External: [site](https://example.com/x.md) <mailto:me@example.com>\n\
         Code: `[[In span]]` and ``![[Img.png]]``\n\
         \n\
         ```\n\
         [[In fence]] [a](fenced.md)\n\
         ```\n\
         \n\
         ~~~\n\
         ![x](tilde.png)\n\
         ~~~\n",
    ),
    (
        "Other note.md",
        "---\naliases: [Second name]\n---\n# Other note\nBack to [[Home]].\n",
    ),
    (
        "sub/Deep note.md",
        "# Deep note\n## Part one\nfirst\n## Part two\nsecond line ^blk1\n",
    ),
    ("Café déjà vu.md", "# Café déjà vu\nno links here\n"),
    ("C# notes.md", "# C# notes\nsharp\n"),
    ("Cycle A.md", "# Cycle A\nA embeds ![[Cycle B]]\n"),
    ("Cycle B.md", "# Cycle B\nB embeds ![[Cycle A]]\n"),
    ("Lonely.md", "# Lonely\nnobody links here\n"),
];

fn vault_env() -> TestEnv {
    let env = TestEnv::new();
    let dir = env.path("vault");
    for (path, text) in VAULT {
        let file = dir.join(path);
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        fs::write(file, text).unwrap();
    }
    env.cmd().arg("import").arg(&dir).assert().success();
    env
}

fn json(env: &TestEnv, args: &[&str]) -> Value {
    let out = env.cmd().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        crate::common::stderr(&out)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The id of the note titled `title`.
fn id(env: &TestEnv, title: &str) -> i64 {
    let notes = json(env, &["list", "--json"]);
    notes
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["title"] == title)
        .unwrap_or_else(|| panic!("no note {title:?}"))["id"]
        .as_i64()
        .unwrap()
}

fn ids(env: &TestEnv, args: &[&str]) -> BTreeSet<i64> {
    let mut all = vec!["list", "--json"];
    all.extend(args);
    json(env, &all)
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn every_form_is_stored_outside_code_with_what_it_resolves_to() {
    let env = vault_env();
    let home = id(&env, "Home");
    let shown = json(&env, &["show", &home.to_string(), "--links", "--json"]);
    let links = shown["links"].as_array().unwrap();
    let note = |title: &str| serde_json::json!({"note": id(&env, title)});
    let row = |l: &Value| {
        (
            l["kind"].as_str().unwrap().to_owned(),
            l["target"].as_str().unwrap().to_owned(),
            l["anchor"].as_str().map(str::to_owned),
            l["shown"].as_str().map(str::to_owned),
            l["resolved"].clone(),
        )
    };
    let got: Vec<_> = links.iter().map(row).collect();
    let s = |x: &str| x.to_owned();
    let want = vec![
        (
            s("wikilink"),
            s("Other note"),
            None,
            None,
            note("Other note"),
        ),
        (
            s("wikilink"),
            s("sub/Deep note"),
            Some(s("Part two")),
            Some(s("the deep part")),
            note("Deep note"),
        ),
        (
            s("wikilink"),
            s("sub/Deep note"),
            Some(s("^blk1")),
            None,
            note("Deep note"),
        ),
        (
            s("wikilink"),
            s("Café déjà vu"),
            None,
            None,
            note("Café déjà vu"),
        ),
        (
            s("markdown"),
            s("sub/Deep note.md"),
            Some(s("Part two")),
            Some(s("md link")),
            note("Deep note"),
        ),
        (
            s("markdown"),
            s("C# notes.md"),
            None,
            Some(s("hash")),
            note("C# notes"),
        ),
        (
            s("wikilink"),
            s("Second name"),
            None,
            None,
            note("Other note"),
        ),
        (s("wikilink"), s("Nowhere"), None, None, Value::Null),
        (
            s("markdown"),
            s("gone.md"),
            None,
            Some(s("gone")),
            Value::Null,
        ),
        (s("embed"), s("Cycle A"), None, None, note("Cycle A")),
        (s("embed"), s("pic.png"), None, Some(s("300")), Value::Null),
        (
            s("image"),
            s("img/pic 1.png"),
            None,
            Some(s("alt")),
            Value::Null,
        ),
    ];
    assert_eq!(got, want);
    // Positions point at the text as written in the stored body.
    let body = json(&env, &["show", &home.to_string(), "--json"])["body"]
        .as_str()
        .unwrap()
        .to_owned();
    for link in links {
        let at = link["position"].as_u64().unwrap() as usize;
        let written = link["written"].as_str().unwrap();
        assert_eq!(&body[at..at + written.len()], written);
    }
    // And the backlinks of Other note: from Home twice (by name and by alias).
    let other = json(
        &env,
        &[
            "show",
            &id(&env, "Other note").to_string(),
            "--links",
            "--json",
        ],
    );
    let back: Vec<&str> = other["backlinks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["written"].as_str().unwrap())
        .collect();
    assert_eq!(back, ["[[Other note]]", "[[Second name]]"]);
    let text = stdout(
        &env.cmd()
            .args(["show", &home.to_string(), "--links"])
            .output()
            .unwrap(),
    );
    assert!(text.contains("[[Nowhere]]  -> unresolved"), "{text}");
    assert!(text.contains("-> note "), "{text}");
}

#[test]
fn a_note_added_later_resolves_and_a_removed_one_no_longer_does() {
    let env = TestEnv::new();
    env.cmd()
        .args(["add", "-t", "First", "-b", "see [[Later]] soon"])
        .assert()
        .success();
    assert_eq!(ids(&env, &["--broken-links"]), BTreeSet::from([1]));
    env.cmd()
        .args(["add", "-t", "Later", "-b", "here"])
        .assert()
        .success();
    assert_eq!(ids(&env, &["--broken-links"]), BTreeSet::new());
    assert_eq!(ids(&env, &["--links-to", "2"]), BTreeSet::from([1]));
    assert_eq!(ids(&env, &["--linked-from", "1"]), BTreeSet::from([2]));
    env.cmd().args(["rm", "2", "--yes"]).assert().success();
    assert_eq!(ids(&env, &["--broken-links"]), BTreeSet::from([1]));
    let shown = json(&env, &["show", "1", "--links", "--json"]);
    assert_eq!(shown["links"][0]["resolved"], Value::Null);
}

#[test]
fn the_graph_filters_select_through_the_shared_filter() {
    let env = vault_env();
    let n = |t: &str| id(&env, t);
    let home = n("Home").to_string();
    assert_eq!(
        ids(&env, &["--linked-from", &home]),
        BTreeSet::from([
            n("Other note"),
            n("Deep note"),
            n("Café déjà vu"),
            n("C# notes"),
            n("Cycle A")
        ])
    );
    assert_eq!(
        ids(&env, &["--links-to", &home]),
        BTreeSet::from([n("Other note")])
    );
    assert_eq!(
        ids(&env, &["--links-to", &n("Cycle A").to_string()]),
        BTreeSet::from([n("Home"), n("Cycle B")])
    );
    // Orphans: no other note links to them.
    assert_eq!(ids(&env, &["--orphans"]), BTreeSet::from([n("Lonely")]));
    assert_eq!(ids(&env, &["--broken-links"]), BTreeSet::from([n("Home")]));
    // The same filter selects what export writes.
    let out = env.path("orphans");
    env.cmd()
        .args(["export", "-f", "md", "--orphans", "--out"])
        .arg(&out)
        .assert()
        .success();
    let files: Vec<_> = fs::read_dir(out.join("md")).unwrap().collect();
    assert_eq!(files.len(), 1);
}

/// The body of an exported Markdown file (after its front matter).
fn body_of(file: &Path) -> String {
    let text = fs::read_to_string(file).unwrap();
    let rest = text.strip_prefix("---\n").unwrap();
    let end = rest.find("\n---\n").unwrap();
    rest[end + 5..].to_owned()
}

fn export(env: &TestEnv, out: &str, args: &[&str]) -> Value {
    let mut all = vec!["export", "--json", "--out"];
    let dir = env.path(out);
    let dir = dir.to_str().unwrap().to_owned();
    all.push(&dir);
    all.extend(args);
    json(env, &all)
}

fn home_line(env: &TestEnv, out: &str, file: &str, starts: &str) -> String {
    let body = body_of(&env.path(out).join(file));
    body.lines()
        .find(|l| l.starts_with(starts))
        .unwrap_or_else(|| panic!("no line {starts:?} in {body}"))
        .to_owned()
}

#[test]
fn each_links_mode_writes_what_it_says() {
    let env = vault_env();
    let home = id(&env, "Home");
    let file = format!("md/{home}-home.md");
    let n = |t: &str| id(&env, t);
    export(&env, "md", &["-f", "md"]);
    assert_eq!(
        home_line(&env, "md", &file, "Plain"),
        format!(
            "Plain [Other note]({}-other-note.md) and [the deep part]({}-deep-note.md#part-two).",
            n("Other note"),
            n("Deep note")
        )
    );
    assert_eq!(
        home_line(&env, "md", &file, "A block"),
        format!(
            "A block: [sub/Deep note > ^blk1]({}-deep-note.md). Accents: [Café déjà vu]({}-café-déjà-vu.md).",
            n("Deep note"),
            n("Café déjà vu")
        )
        .replace("café-déjà-vu.md", "caf%C3%A9-d%C3%A9j%C3%A0-vu.md")
    );
    assert_eq!(
        home_line(&env, "md", &file, "Alias"),
        format!(
            "Alias: [Second name]({}-other-note.md). Missing: [[Nowhere]] and [gone](gone.md).",
            n("Other note")
        )
    );
    export(&env, "wiki", &["-f", "md", "--links", "wikilink"]);
    assert_eq!(
        home_line(&env, "wiki", &file, "Plain"),
        format!(
            "Plain [[md/{}-other-note|Other note]] and [[md/{}-deep-note#Part two|the deep part]].",
            n("Other note"),
            n("Deep note")
        )
    );
    export(&env, "keep", &["-f", "md", "--links", "keep"]);
    assert_eq!(
        home_line(&env, "keep", &file, "Plain"),
        "Plain [[Other note]] and [[sub/Deep note#Part two|the deep part]]."
    );
    // The vault keeps names and paths: its default (wikilink) leaves every link as written
    // (Markdown links too, which still lead to their files); --links markdown links the
    // remembered paths.
    export(&env, "vault", &["--layout", "vault"]);
    assert_eq!(
        home_line(&env, "vault", "Home.md", "Plain"),
        "Plain [[Other note]] and [[sub/Deep note#Part two|the deep part]]."
    );
    assert_eq!(
        home_line(&env, "vault", "Home.md", "Markdown"),
        "Markdown: [md link](sub/Deep%20note.md#Part%20two) and [hash](C%23%20notes.md)."
    );
    export(
        &env,
        "vault-md",
        &["--layout", "vault", "--links", "markdown"],
    );
    assert_eq!(
        home_line(&env, "vault-md", "Home.md", "Plain"),
        "Plain [Other note](Other%20note.md) and [the deep part](sub/Deep%20note.md#part-two)."
    );
    let deep = body_of(&env.path("vault-md").join("Other note.md"));
    assert!(deep.contains("Back to [Home](Home.md)."), "{deep}");
    // JSON keeps the body as stored.
    export(&env, "json", &["-f", "json"]);
    let stored =
        fs::read_to_string(env.path("json").join(format!("json/{home}-home.json"))).unwrap();
    let stored: Value = serde_json::from_str(&stored).unwrap();
    assert!(
        stored["body"]
            .as_str()
            .unwrap()
            .contains("Plain [[Other note]] and")
    );
}

#[test]
fn broken_links_are_left_as_written_counted_and_listed() {
    let env = vault_env();
    let home = id(&env, "Home");
    let summary = export(&env, "out", &["-f", "md"]);
    let broken: Vec<(&str, &str)> = summary["links"]["broken"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["link"].as_str().unwrap(), b["why"].as_str().unwrap()))
        .collect();
    // Attachments are unknown until the attach work lands: the images count as unresolved.
    assert_eq!(
        broken,
        [
            ("![[pic.png|300]]", "unresolved"),
            ("![alt](img/pic%201.png)", "unresolved"),
            ("[[Nowhere]]", "unresolved"),
            ("[gone](gone.md)", "unresolved"),
        ]
    );
    assert!(
        summary["links"]["broken"]
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b["note"] == home)
    );
    // A note filtered out of the export is not linked to: left as written, listed as such.
    let summary = export(&env, "some", &["-f", "md", "--search", "Home"]);
    let why: BTreeSet<&str> = summary["links"]["broken"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["why"].as_str().unwrap())
        .collect();
    assert!(why.contains("not-in-export"), "{summary}");
    let text = stdout(
        &env.cmd()
            .args(["export", "-f", "md", "--out"])
            .arg(env.path("text"))
            .output()
            .unwrap(),
    );
    assert!(text.contains("4 links left as written"), "{text}");
    assert!(text.contains("[[Nowhere]] (resolves to nothing)"), "{text}");
}

#[test]
fn inline_embeds_put_the_note_in_place_and_a_cycle_ends_in_a_link() {
    let env = vault_env();
    let home = id(&env, "Home");
    export(&env, "inline", &["-f", "md", "--embeds", "inline"]);
    let line = home_line(&env, "inline", &format!("md/{home}-home.md"), "Embed");
    // Home embeds A, A embeds B, B embeds A again: a cycle, written as a link.
    assert_eq!(line, "Embed: # Cycle A");
    let body = body_of(&env.path("inline").join(format!("md/{home}-home.md")));
    assert!(
        body.contains(&format!(
            "# Cycle A\nA embeds # Cycle B\nB embeds [Cycle A]({}-cycle-a.md) and an image",
            id(&env, "Cycle A")
        )),
        "{body}"
    );
}

#[test]
fn an_incremental_export_writes_a_note_again_when_its_target_goes() {
    let env = vault_env();
    let home = id(&env, "Home");
    let first = export(&env, "inc", &["-f", "md", "--incremental"]);
    let again = export(&env, "inc", &["-f", "md", "--incremental"]);
    assert_eq!(
        (again["files"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), first["files"].as_u64())
    );
    env.cmd()
        .args(["rm", &id(&env, "Café déjà vu").to_string(), "--yes"])
        .assert()
        .success();
    let after = export(&env, "inc", &["-f", "md", "--incremental"]);
    // Home's link to the removed note is written as it was, so Home is written again.
    assert_eq!(after["files"].as_u64(), Some(1), "{after}");
    let line = home_line(&env, "inc", &format!("md/{home}-home.md"), "A block");
    assert!(line.ends_with("Accents: [[Café déjà vu]]."), "{line}");
}

/// Every relative link and image destination in the Markdown files under `out` (by
/// pulldown-cmark, wikilinks too when asked), with the text it is written as.
fn destinations(out: &Path, wikilinks: bool) -> Vec<(PathBuf, String, String)> {
    let mut found = Vec::new();
    let mut stack = vec![out.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                let text = fs::read_to_string(&path).unwrap();
                let mut options = Options::empty();
                if wikilinks {
                    options |= Options::ENABLE_WIKILINKS;
                }
                for (event, range) in Parser::new_ext(&text, options).into_offset_iter() {
                    if let Event::Start(
                        Tag::Link {
                            link_type,
                            dest_url,
                            ..
                        }
                        | Tag::Image {
                            link_type,
                            dest_url,
                            ..
                        },
                    ) = event
                        && matches!(link_type, LinkType::Inline | LinkType::WikiLink { .. })
                    {
                        found.push((path.clone(), dest_url.to_string(), text[range].to_owned()));
                    }
                }
            }
        }
    }
    found
}

#[test]
fn every_relative_link_of_every_export_leads_to_an_exported_file() {
    let env = vault_env();
    // files x keep is left out: links kept as written in a vault's shape cannot lead to the
    // files layout's md/<id>-<slug>.md names; that is what the other modes are for.
    let cases: &[(&str, &[&str])] = &[
        ("files", &["markdown", "wikilink"]),
        ("vault", &["markdown", "wikilink", "keep"]),
    ];
    let mut checked = 0;
    for (layout, modes) in cases {
        for mode in *modes {
            for embeds in ["link", "inline"] {
                let out = format!("check-{layout}-{mode}-{embeds}");
                let summary = export(
                    &env,
                    &out,
                    &[
                        "--layout", layout, "-f", "md", "--links", mode, "--embeds", embeds,
                    ],
                );
                let broken: BTreeSet<String> = summary["links"]["broken"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|b| b["link"].as_str().unwrap().to_owned())
                    .collect();
                let root = env.path(&out);
                for (file, dest, written) in destinations(&root, *mode == "wikilink") {
                    if broken.contains(&written)
                        || dest.contains("://")
                        || dest.starts_with("mailto:")
                    {
                        continue;
                    }
                    let path = dest.split('#').next().unwrap();
                    let path = percent_encoding::percent_decode_str(path)
                        .decode_utf8()
                        .unwrap();
                    let target = if written.starts_with("[[") || written.starts_with("![[") {
                        let bare = root.join(path.as_ref());
                        if bare.is_file() {
                            bare
                        } else {
                            root.join(format!("{path}.md"))
                        }
                    } else if path.is_empty() {
                        file.clone()
                    } else {
                        file.parent().unwrap().join(path.as_ref())
                    };
                    assert!(
                        target.is_file(),
                        "{out}: {} links to {written:?}, and {} is not a file",
                        file.display(),
                        target.display()
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 40, "only {checked} links were checked");
}

#[test]
fn a_notebook_made_before_links_has_its_links_indexed_when_opened() {
    let env = TestEnv::new();
    env.cmd()
        .args(["add", "-t", "Target", "-b", "here"])
        .assert()
        .success();
    env.cmd()
        .args(["add", "-t", "Source", "-b", "to [[Target]] and [[Missing]]"])
        .assert()
        .success();
    // Back to schema 3: no links table, nor what the later migrations made (attachments, the
    // notes' versions).
    {
        let conn = rusqlite::Connection::open(env.db()).unwrap();
        conn.execute_batch(
            "DROP TABLE links; DROP TABLE note_attachments; DROP TABLE attachments;
             DROP TABLE attachment_contents;
             DROP TRIGGER notes_version_insert; DROP TRIGGER notes_version_update;
             DROP TRIGGER note_tags_version_insert; DROP TRIGGER note_tags_version_delete;
             DROP TRIGGER note_tags_version_update; DROP INDEX notes_versions;
             ALTER TABLE notes DROP COLUMN version; PRAGMA user_version = 3;",
        )
        .unwrap();
    }
    assert_eq!(ids(&env, &["--links-to", "1"]), BTreeSet::from([2]));
    assert_eq!(ids(&env, &["--broken-links"]), BTreeSet::from([2]));
    let version: u32 = rusqlite::Connection::open(env.db())
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, smartnotes::store::SCHEMA_VERSION);
    assert_eq!(version, 6, "links 4, attachments 5, versions 6");
}

#[test]
fn pandoc_gives_each_heading_the_anchor_a_rewritten_link_names() {
    // The heading anchors are GitHub's: pandoc's gfm reader (CommonMark, as the notes are)
    // must give the target's headings exactly the ids the rewritten links name (pandoc is
    // installed by .ci/readers; a missing pandoc fails here, it does not skip).
    let env = vault_env();
    let home = id(&env, "Home");
    export(&env, "md", &["-f", "md"]);
    let dir = env.path("md").join("md");
    let body = body_of(&dir.join(format!("{home}-home.md")));
    let mut checked = 0;
    for (event, _) in Parser::new(&body).into_offset_iter() {
        let Event::Start(Tag::Link { dest_url, .. }) = event else {
            continue;
        };
        let Some((file, anchor)) = dest_url.split_once('#') else {
            continue;
        };
        let file = percent_encoding::percent_decode_str(file)
            .decode_utf8()
            .unwrap();
        let html = std::process::Command::new("pandoc")
            .args(["-f", "gfm+yaml_metadata_block", "-t", "html"])
            .arg(dir.join(file.as_ref()))
            .output()
            .expect("pandoc runs (installed by .ci/readers)");
        assert!(html.status.success(), "{}", crate::common::stderr(&html));
        let html = String::from_utf8(html.stdout).unwrap();
        assert!(
            html.contains(&format!("id=\"{anchor}\"")),
            "#{anchor} not in {file}:\n{html}"
        );
        checked += 1;
    }
    assert_eq!(checked, 2, "two links to a heading in {body}");
}

/// The vault fixture with images and a PDF (`tests/testdata/vault`), imported.
fn vault_with_attachments() -> (TestEnv, PathBuf) {
    let vault = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/vault");
    let env = TestEnv::new();
    env.cmd().arg("import").arg(&vault).assert().success();
    (env, vault)
}

#[test]
fn every_link_to_an_attachment_leads_to_its_bytes_in_every_layout_and_mode() {
    // The checker's other half: links that resolve to attachments (an embed, a URL-encoded
    // image, a relative image, a wikilink to a PDF) are rewritten to where the export wrote
    // the attachment, and what is there is the source file, byte for byte.
    let (env, vault) = vault_with_attachments();
    let sources: Vec<PathBuf> = [
        "images/diagram.png",
        "images/photo one.png",
        "Guides/manual.pdf",
    ]
    .iter()
    .map(|p| vault.join(p))
    .collect();
    let cases: &[(&str, &[&str])] = &[
        ("files", &["markdown", "wikilink"]),
        ("vault", &["markdown", "wikilink", "keep"]),
    ];
    for (layout, modes) in cases {
        for mode in *modes {
            let out = format!("att-{layout}-{mode}");
            let summary = export(
                &env,
                &out,
                &["--layout", layout, "-f", "md", "--links", mode],
            );
            let broken = summary["links"]["broken"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for b in &broken {
                let link = b["link"].as_str().unwrap();
                assert!(
                    ![".png", ".pdf"].iter().any(|e| link.contains(e)),
                    "{out}: a link to an attachment is broken: {b}"
                );
            }
            let root = env.path(&out);
            let mut reached = BTreeSet::new();
            for (file, dest, written) in destinations(&root, *mode != "markdown") {
                let path = dest.split('#').next().unwrap();
                let path = percent_encoding::percent_decode_str(path)
                    .decode_utf8()
                    .unwrap();
                if ![".png", ".pdf"].iter().any(|e| path.ends_with(e)) {
                    continue;
                }
                // A wikilink names its target from the vault's top (or by name, which
                // Obsidian finds anywhere); a Markdown link from the file's folder.
                let target = if written.starts_with("[[") || written.starts_with("![[") {
                    let at_top = root.join(path.as_ref());
                    match at_top.is_file() {
                        true => at_top,
                        false => find_by_name(&root, path.as_ref()),
                    }
                } else {
                    file.parent().unwrap().join(path.as_ref())
                };
                let bytes = fs::read(&target).unwrap_or_else(|e| {
                    panic!("{out}: {} links to {written:?}: {e}", file.display())
                });
                let source = sources
                    .iter()
                    .find(|s| fs::read(s).unwrap() == bytes)
                    .unwrap_or_else(|| panic!("{out}: {} is no source's bytes", target.display()));
                reached.insert(source.clone());
            }
            assert_eq!(
                reached.len(),
                sources.len(),
                "{out}: every attachment reached: {reached:?}"
            );
        }
    }
}

/// The one file named `name` under `root` (how Obsidian finds `[[name]]`).
fn find_by_name(root: &Path, name: &str) -> PathBuf {
    let mut stack = vec![root.to_path_buf()];
    let mut found = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n == name) {
                found.push(path);
            }
        }
    }
    assert_eq!(found.len(), 1, "{name} under {}: {found:?}", root.display());
    found.remove(0)
}

#[test]
fn pandoc_finds_every_image_of_a_note_whose_links_were_rewritten() {
    // `--links markdown` in the files layout: `![[diagram.png]]` and `images/photo%20one.png`
    // become links to `../attachments/...` from `md/`; pandoc, given the note's folder in the
    // export as its resource path, embeds both (and complains of any it cannot find).
    let (env, _) = vault_with_attachments();
    let summary = export(&env, "out", &["-f", "md"]);
    assert_eq!(summary["failures"].as_array().unwrap().len(), 0);
    let md = env.path("out/md");
    let note = fs::read_dir(&md)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .ends_with("-attachments.md")
        })
        .expect("the Attachments note's file");
    let html = std::process::Command::new("pandoc")
        .arg(&note)
        .arg("--resource-path")
        .arg(&md)
        .args([
            "--self-contained",
            "--metadata",
            "title=t",
            "-f",
            "markdown",
            "-t",
            "html",
        ])
        .output()
        .expect("pandoc is installed by .ci/readers");
    let said = crate::common::stderr(&html);
    assert!(html.status.success(), "pandoc: {said}");
    let warnings: Vec<&str> = said.lines().filter(|l| !l.contains("eprecated")).collect();
    assert!(warnings.is_empty(), "pandoc: {said}");
    let body = stdout(&html);
    assert_eq!(
        body.matches("data:image/png;base64,").count(),
        2,
        "two images embedded: {body}"
    );
}

#[test]
fn a_limited_export_rewrites_links_to_the_notes_it_holds_and_lists_the_others() {
    let env = TestEnv::new();
    env.cmd()
        .args(["add", "-t", "Target", "-b", "here"])
        .assert()
        .success();
    env.cmd()
        .args(["add", "-t", "Source", "-b", "to [[Target]]"])
        .assert()
        .success();
    let held = export(&env, "both", &["-f", "md", "--limit", "2"]);
    assert_eq!(held["links"]["broken"], serde_json::json!([]));
    assert!(body_of(&env.path("both/md/2-source.md")).contains("[Target](1-target.md)"));
    let one = export(&env, "one", &["-f", "md", "--limit", "1", "--reverse"]);
    assert_eq!(
        one["links"]["broken"],
        serde_json::json!([{"note": 2, "link": "[[Target]]", "why": "not-in-export"}])
    );
    assert!(body_of(&env.path("one/md/2-source.md")).contains("to [[Target]]"));
}
