//! Issue 13, attachments: the files of a folder that are not notes, and those given to
//! `attach ID FILE`, are stored once by content and exported with the notes that use them.
//!
//! What each test proves: the same bytes in two notes (and at two paths) are stored once and
//! written once per attachment; `attach` (stored, unchanged, a name taken by other bytes, a
//! note that does not exist); `gc` (dry run, JSON, only the unused); `rm` keeps what other
//! notes use; a FIFO, a file over the limit, an unreadable file and a link out of the folder
//! are each named with what is wrong, and nothing hangs; a 200 MB attachment imported and
//! exported under an address-space limit of about 100 MB (a note of that size is refused under
//! the same limit: the limit bites); an incremental re-export reads none of an unchanged
//! attachment's bytes (the bytes the process read, from `/proc/<pid>/io`); Hugo builds the
//! exported notes with their attachments and pandoc finds every image. The vault round trip
//! with images and a PDF is `vault_roundtrip` (its fixture holds them).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{TestEnv, published, smartnotes_without_override, stderr, stdout};
use serde_json::Value;

fn fixture_png() -> Vec<u8> {
    fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/vault/images/diagram.png"))
        .unwrap()
}

fn fixture_pdf() -> Vec<u8> {
    fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/vault/Guides/manual.pdf"))
        .unwrap()
}

/// Writes `files` (path relative to the test folder, bytes), making their folders.
fn write(env: &TestEnv, files: &[(&str, &[u8])]) {
    for (rel, bytes) in files {
        let path = env.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
}

/// `import <args> --json`: the exit code, the summary, standard error.
fn import(env: &TestEnv, args: &[&str]) -> (Option<i32>, Value, String) {
    let out = env
        .cmd()
        .arg("import")
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    let summary = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&out), stderr(&out)));
    (out.status.code(), summary, stderr(&out))
}

/// How many rows `table` of the notebook holds.
fn rows(env: &TestEnv, table: &str) -> i64 {
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// The files under `attachments/` of an export, with their bytes.
fn attachments_of(out: &Path) -> Vec<(String, Vec<u8>)> {
    published(out)
        .into_iter()
        .filter(|(p, _)| p.starts_with("attachments"))
        .map(|(p, b)| (p.to_string_lossy().into_owned(), b))
        .collect()
}

#[test]
fn the_same_image_in_two_notes_is_stored_once_and_exported_once_per_attachment() {
    let env = TestEnv::new();
    let png = fixture_png();
    write(
        &env,
        &[
            ("v/a.md", b"# A\n\n![[shared.png]]\n"),
            ("v/sub/b.md", b"# B\n\n![shared](../img/shared.png)\n"),
            ("v/c.md", b"# C\n\n![[copy.png]]\n"),
            ("v/img/shared.png", &png),
            ("v/other/copy.png", &png),
        ],
    );
    let (code, summary, err) = import(&env, &["v"]);
    assert_eq!(code, Some(0), "{err}");
    let counts = &summary["attachments"];
    assert_eq!(counts["added"], 2, "{summary}");
    assert_eq!(
        counts["new_bytes"],
        png.len() as u64,
        "one copy of the bytes"
    );
    assert_eq!(counts["unused"], 0);
    assert_eq!(rows(&env, "attachment_contents"), 1);
    assert_eq!(rows(&env, "attachments"), 2);
    assert_eq!(rows(&env, "note_attachments"), 3);

    let summary = env.export_json("out", &["-f", "md"]);
    assert_eq!(summary["attachments"]["written"], 2, "{summary}");
    assert_eq!(
        attachments_of(&env.path("out")),
        [
            ("attachments/copy.png".to_owned(), png.clone()),
            ("attachments/shared.png".to_owned(), png.clone()),
        ]
    );
    // Again: nothing doubled.
    let (_, summary, _) = import(&env, &["v"]);
    assert_eq!(summary["attachments"]["unchanged"], 2, "{summary}");
    assert_eq!(summary["attachments"]["added"], 0);
    assert_eq!(rows(&env, "attachment_contents"), 1);
    assert_eq!(rows(&env, "attachments"), 2);
    // In the vault layout each is at its remembered path.
    env.export_json("vault", &["--layout", "vault", "-f", "md"]);
    assert_eq!(fs::read(env.path("vault/img/shared.png")).unwrap(), png);
    assert_eq!(fs::read(env.path("vault/other/copy.png")).unwrap(), png);
}

#[test]
fn two_attachments_of_one_name_and_other_bytes_get_their_hash_in_the_name() {
    let env = TestEnv::new();
    write(
        &env,
        &[
            ("v/n.md", b"![[x/logo.png]] ![[y/logo.png]]\n"),
            ("v/x/logo.png", b"first logo"),
            ("v/y/logo.png", b"second logo"),
        ],
    );
    assert_eq!(import(&env, &["v"]).0, Some(0));
    env.export_json("out", &["-f", "md"]);
    let short = |bytes: &[u8]| blake3::hash(bytes).to_hex()[..8].to_owned();
    let want: BTreeSet<(String, Vec<u8>)> = [
        (
            format!("attachments/logo-{}.png", short(b"first logo")),
            b"first logo".to_vec(),
        ),
        (
            format!("attachments/logo-{}.png", short(b"second logo")),
            b"second logo".to_vec(),
        ),
    ]
    .into();
    let got: BTreeSet<_> = attachments_of(&env.path("out")).into_iter().collect();
    assert_eq!(got, want);
}

fn attach(env: &TestEnv, args: &[&str]) -> std::process::Output {
    env.cmd().arg("attach").args(args).output().unwrap()
}

#[test]
fn attach_stores_a_file_once_under_its_name_and_never_replaces_another_notes_file() {
    let env = TestEnv::new();
    for title in ["one", "two"] {
        env.cmd()
            .args(["add", "--title", title, "--body", "see the report"])
            .assert()
            .success();
    }
    let pdf = fixture_pdf();
    write(
        &env,
        &[("f/report.pdf", &pdf), ("g/report.pdf", b"another report")],
    );
    let out = attach(&env, &["1", "f/report.pdf", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let done: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(done[0]["path"], "report.pdf");
    assert_eq!(done[0]["stored"], "added");
    assert_eq!(done[0]["new_bytes"], true);
    assert_eq!(done[0]["size"], pdf.len() as u64);
    assert_eq!(done[0]["hash"], blake3::hash(&pdf).to_hex().as_str());
    // The same file for the second note: the same attachment, no new bytes.
    let out = attach(&env, &["2", "f/report.pdf"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("as report.pdf"), "{}", stdout(&out));
    assert!(stdout(&out).contains("already kept"), "{}", stdout(&out));
    assert_eq!(rows(&env, "attachment_contents"), 1);
    assert_eq!(rows(&env, "note_attachments"), 2);
    // Another file of that name is refused, naming the notes that use the one kept.
    let out = attach(&env, &["1", "g/report.pdf"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "already has an attachment \"report.pdf\" with other bytes (used by notes 1, 2)"
        ),
        "{}",
        stderr(&out)
    );
    let out = attach(&env, &["99", "f/report.pdf"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no note with id 99"),
        "{}",
        stderr(&out)
    );
    assert_eq!(rows(&env, "attachment_contents"), 1, "nothing stored");
    // Exported with the notes that use it, once.
    env.export_json("out", &["-f", "md,json"]);
    assert_eq!(
        attachments_of(&env.path("out")),
        [("attachments/report.pdf".to_owned(), pdf)]
    );
}

#[test]
fn gc_removes_only_what_no_note_uses_and_says_so_first_with_dry_run() {
    let env = TestEnv::new();
    let png = fixture_png();
    write(
        &env,
        &[
            ("v/n.md", b"![[used.png]]\n"),
            ("v/used.png", &png),
            ("v/unused.pdf", b"%PDF-1.4 nobody links here"),
        ],
    );
    let (code, summary, _) = import(&env, &["v"]);
    assert_eq!(code, Some(0));
    assert_eq!(summary["attachments"]["unused"], 1, "{summary}");
    let gc = |args: &[&str]| -> Value {
        let out = env
            .cmd()
            .arg("gc")
            .args(args)
            .arg("--json")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let dry = gc(&["--dry-run"]);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["attachments"][0]["path"], "unused.pdf", "{dry}");
    assert_eq!(dry["attachments"].as_array().unwrap().len(), 1);
    assert_eq!(dry["bytes"], 26);
    assert_eq!(rows(&env, "attachments"), 2, "a dry run removes nothing");
    let done = gc(&[]);
    assert_eq!(done["attachments"][0]["path"], "unused.pdf");
    assert_eq!(
        (done["contents"].as_u64(), done["bytes"].as_u64()),
        (Some(1), Some(26))
    );
    assert_eq!(rows(&env, "attachments"), 1);
    assert_eq!(rows(&env, "attachment_contents"), 1);
    assert_eq!(gc(&[])["attachments"].as_array().unwrap().len(), 0);
    let out = env.cmd().arg("gc").output().unwrap();
    assert!(
        stdout(&out).contains("removed 0 attachments no note uses"),
        "{}",
        stdout(&out)
    );
    env.export_json("out", &["-f", "md"]);
    assert_eq!(
        attachments_of(&env.path("out")),
        [("attachments/used.png".to_owned(), png)]
    );
}

#[test]
fn removing_a_note_keeps_the_attachments_other_notes_still_use() {
    let env = TestEnv::new();
    let png = fixture_png();
    write(
        &env,
        &[
            ("v/a.md", b"# A\n![[pic.png]]\n"),
            ("v/b.md", b"# B\n![[pic.png]]\n"),
            ("v/pic.png", &png),
        ],
    );
    assert_eq!(import(&env, &["v"]).0, Some(0));
    let out = env.cmd().args(["rm", "-y", "1"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&out).contains("no note uses"), "{}", stdout(&out));
    let gc = env.cmd().args(["gc", "--json"]).output().unwrap();
    let gc: Value = serde_json::from_slice(&gc.stdout).unwrap();
    assert_eq!(gc["attachments"].as_array().unwrap().len(), 0, "{gc}");
    env.export_json("out", &["-f", "md"]);
    assert_eq!(
        attachments_of(&env.path("out")),
        [("attachments/pic.png".to_owned(), png.clone())]
    );
    // The last note that used it: rm says so (it does not remove it), gc does.
    let out = env.cmd().args(["rm", "-y", "2"]).output().unwrap();
    assert!(
        stdout(&out).contains("1 attachment no note uses any more: `smartnotes gc` removes it"),
        "{}",
        stdout(&out)
    );
    assert_eq!(rows(&env, "attachments"), 1);
    let gc = env.cmd().args(["gc", "--json"]).output().unwrap();
    let gc: Value = serde_json::from_slice(&gc.stdout).unwrap();
    assert_eq!(gc["bytes"], png.len() as u64, "{gc}");
    assert_eq!(rows(&env, "attachment_contents"), 0);
}

/// `cmd` run under `timeout 60`: a test that would hang fails instead.
fn with_timeout(cmd: &Command) -> Command {
    let mut timed = Command::new("timeout");
    timed.arg("60").arg(cmd.get_program()).args(cmd.get_args());
    timed
}

#[test]
fn a_fifo_a_file_too_large_an_unreadable_file_and_a_link_out_are_each_named_and_nothing_hangs() {
    let env = TestEnv::new();
    let outside = env.path("outside.png");
    fs::write(&outside, b"not in the vault").unwrap();
    write(
        &env,
        &[
            ("v/n.md", b"# N\n![[ok.png]]\n"),
            ("v/ok.png", b"small"),
            ("v/big.bin", &[7u8; 100]),
            ("v/secret.pdf", b"private"),
        ],
    );
    let fifo = Command::new("mkfifo")
        .arg(env.path("v/pipe.png"))
        .status()
        .unwrap();
    assert!(fifo.success());
    std::os::unix::fs::symlink(&outside, env.path("v/out.png")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(env.path("v/secret.pdf"), fs::Permissions::from_mode(0o000)).unwrap();
    let mut cmd = smartnotes_without_override();
    cmd.args(["import", "v", "--max-attachment-size", "50"]);
    let out = with_timeout(&cmd)
        .current_dir(env.root())
        .env("SMARTNOTES_DB", env.db())
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for said in [
        "pipe.png: skipped, a FIFO is not a note file (never opened)",
        "big.bin: 100 bytes is over the attachment size limit of 50 bytes (see --max-attachment-size)",
        "secret.pdf: cannot read: Permission denied",
        "out.png: skipped: a link to a file outside the folder imported (never followed)",
    ] {
        assert!(err.contains(said), "{said:?} not in {err}");
    }
    assert!(
        stdout(&out).contains("nothing imported"),
        "{}",
        stdout(&out)
    );
    assert_eq!(rows(&env, "attachments"), 0, "all or nothing, as for notes");
    // --skip-invalid keeps the good ones.
    let mut cmd = smartnotes_without_override();
    cmd.args([
        "import",
        "v",
        "--max-attachment-size",
        "50",
        "--skip-invalid",
    ]);
    let out = with_timeout(&cmd)
        .current_dir(env.root())
        .env("SMARTNOTES_DB", env.db())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let paths: Vec<String> = conn
        .prepare("SELECT path FROM attachments")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(paths, ["ok.png"]);
    // attach says the same of a FIFO and of a file over its limit, at once.
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("smartnotes"));
    cmd.args([
        "attach",
        "1",
        "v/pipe.png",
        "v/big.bin",
        "--max-attachment-size",
        "50",
    ]);
    let out = with_timeout(&cmd)
        .current_dir(env.root())
        .env("SMARTNOTES_DB", env.db())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("pipe.png: is a FIFO, not a regular file"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("big.bin: 100 bytes is over the attachment size limit"));
    // A limit above what the notebook can hold is a usage error.
    let out = attach(&env, &["1", "v/ok.png", "--max-attachment-size", "2GB"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// 200 MiB of bytes that do not compress: 1 MiB of a simple generator, repeated.
fn write_big(path: &Path, mib: usize) -> blake3::Hash {
    let mut block = vec![0u8; 1 << 20];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for b in &mut block {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    let mut file = fs::File::create(path).unwrap();
    let mut hasher = blake3::Hasher::new();
    for i in 0..mib {
        block[0] = i as u8;
        std::io::Write::write_all(&mut file, &block).unwrap();
        hasher.update(&block);
    }
    hasher.finalize()
}

fn hash_file(path: &Path) -> blake3::Hash {
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(fs::File::open(path).unwrap()).unwrap();
    hasher.finalize()
}

/// An address-space limit of about 100 MB, half the attachment. One malloc arena: glibc
/// reserves 64 MiB of address space per thread arena, which the limit counts though it is
/// never used; with one, the limit measures what the process maps.
const LIMIT: &str = "ulimit -v 100000 && export MALLOC_ARENA_MAX=1";

#[test]
fn a_200_mb_attachment_is_imported_and_exported_in_bounded_memory() {
    let env = TestEnv::new();
    fs::create_dir_all(env.path("v")).unwrap();
    fs::write(env.path("v/n.md"), "# Big\n\n![[big.bin]]\n").unwrap();
    let hash = write_big(&env.path("v/big.bin"), 200);
    let out = env
        .cmd_with_limits(LIMIT)
        .args(["import", "v", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["attachments"]["new_bytes"], 200u64 << 20);
    let out = env
        .cmd_with_limits(LIMIT)
        .args(["export", "-f", "md", "--out", "out", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["attachments"]["bytes"], 200u64 << 20, "{summary}");
    let rss = summary["peak_rss_bytes"].as_u64().unwrap();
    assert!(rss < 60 << 20, "peak RSS {rss} bytes exporting 200 MiB");
    assert_eq!(hash_file(&env.path("out/attachments/big.bin")), hash);
    // The limit bites: a note file of that size, which is read whole, cannot be imported
    // under it.
    fs::create_dir_all(env.path("w")).unwrap();
    fs::rename(env.path("v/big.bin"), env.path("w/big.md")).unwrap();
    let out = env
        .cmd_with_limits(LIMIT)
        .args(["import", "w", "--max-size", "300MiB"])
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "a 200 MiB note read whole under the limit"
    );
}

/// Runs `cmd` to its end and returns its output and how many bytes it (and its children)
/// read through system calls (`rchar` of `/proc/<pid>/io`, read before the process is reaped).
fn run_counting_reads(cmd: &mut Command) -> (std::process::Output, u64) {
    use rustix::process::{Pid, WaitId, WaitIdOptions, waitid};
    let child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = Pid::from_child(&child);
    // Pipes could fill before the child ends: read them on other threads meanwhile.
    let mut child = child;
    let (mut o, mut e) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut o, &mut v).unwrap();
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut v).unwrap();
        v
    });
    waitid(
        WaitId::Pid(pid),
        WaitIdOptions::EXITED | WaitIdOptions::NOWAIT,
    )
    .unwrap();
    let io = fs::read_to_string(format!("/proc/{}/io", pid.as_raw_nonzero())).unwrap();
    let rchar = io
        .lines()
        .find_map(|l| l.strip_prefix("rchar: "))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let status = child.wait().unwrap();
    let output = std::process::Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    (output, rchar)
}

#[test]
fn an_incremental_re_export_reads_none_of_the_bytes_of_an_unchanged_attachment() {
    let env = TestEnv::new();
    fs::create_dir_all(env.path("v")).unwrap();
    // In name order: note 1 uses the big attachment, note 2 the small one.
    fs::write(env.path("v/a-big.md"), "# Big\n\n![[big.bin]]\n").unwrap();
    fs::write(env.path("v/b-small.md"), "# Small\n\n![[small.png]]\n").unwrap();
    fs::write(env.path("v/small.png"), fixture_png()).unwrap();
    let hash = write_big(&env.path("v/big.bin"), 20);
    assert_eq!(import(&env, &["v"]).0, Some(0));
    let export = || {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("smartnotes"));
        cmd.current_dir(env.root())
            .env("SMARTNOTES_DB", env.db())
            .args([
                "export",
                "-f",
                "md",
                "--out",
                "out",
                "--incremental",
                "--json",
            ]);
        let (out, read) = run_counting_reads(&mut cmd);
        assert!(out.status.success(), "{}", stderr(&out));
        (serde_json::from_slice::<Value>(&out.stdout).unwrap(), read)
    };
    let (first, read_first) = export();
    assert_eq!(first["attachments"]["written"], 2, "{first}");
    // The measure sees an attachment's bytes when they are read.
    assert!(
        read_first > 20 << 20,
        "the first export read {read_first} bytes"
    );
    let (second, read_second) = export();
    assert_eq!(second["attachments"]["unchanged"], 2, "{second}");
    assert_eq!(second["attachments"]["written"], 0);
    assert!(
        read_second < 2 << 20,
        "the re-export read {read_second} bytes: an unchanged attachment of 20 MiB was read"
    );
    assert_eq!(hash_file(&env.path("out/attachments/big.bin")), hash);
    // A file removed from the export is written again; --prune removes what no note uses.
    fs::remove_file(env.path("out/attachments/small.png")).unwrap();
    let (third, read_third) = export();
    assert_eq!(third["attachments"]["written"], 1, "{third}");
    assert!(read_third < 2 << 20, "{read_third}");
    assert_eq!(
        fs::read(env.path("out/attachments/small.png")).unwrap(),
        fixture_png()
    );
    env.cmd().args(["rm", "-y", "2"]).assert().success();
    let summary = env.export_json("out", &["-f", "md", "--incremental", "--prune"]);
    assert_eq!(summary["attachments"]["removed"], 1, "{summary}");
    assert!(!env.path("out/attachments/small.png").exists());
    assert!(env.path("out/attachments/big.bin").exists());
}

/// `tool` on the PATH, or a failure that says how to get it (as `readers.rs` does).
fn tool(tool: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(tool))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| panic!("{tool} is not installed: run .ci/readers (as root)"))
}

fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        stdout(&out),
        stderr(&out)
    );
    out
}

/// A vault whose notes link their attachments where the export puts them in the vault layout
/// (`attachments/`, relative to each note): no link needs rewriting.
fn vault_with_pictures(env: &TestEnv) {
    let png = fixture_png();
    let pdf = fixture_pdf();
    write(
        env,
        &[
            (
                "v/pictures.md",
                b"---\ntitle: Pictures\ndate: 2024-01-02T10:00:00Z\n---\n\n![diagram](attachments/diagram.png)\n\n[the manual](attachments/manual.pdf)\n",
            ),
            (
                "v/guides/deep.md",
                b"---\ntitle: Deep\ndate: 2024-01-03T10:00:00Z\n---\n\n![diagram](../attachments/diagram.png)\n",
            ),
            ("v/attachments/diagram.png", &png),
            ("v/attachments/manual.pdf", &pdf),
        ],
    );
    assert_eq!(import(env, &["v"]).0, Some(0));
}

/// The values of `attr="..."` in `html`.
fn attribute_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let key = format!("{attr}=\"");
    html.match_indices(&key)
        .filter_map(|(at, _)| {
            let rest = &html[at + key.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

#[test]
fn hugo_builds_the_exported_notes_with_their_attachments_as_section_resources() {
    let hugo = tool("hugo");
    let env = TestEnv::new();
    vault_with_pictures(&env);
    env.cmd()
        .args([
            "export",
            "--layout",
            "vault",
            "--front-matter",
            "hugo",
            "-f",
            "md",
            "-q",
        ])
        .args(["--out", "site/content"])
        .assert()
        .success();
    let site = env.path("site");
    // uglyURLs: a page is `pictures.html`, not `pictures/index.html`, so a link relative to
    // its Markdown file is relative to its page too.
    fs::write(
        site.join("config.toml"),
        "baseURL = \"http://example.org/\"\ntitle = \"notes\"\nuglyURLs = true\n",
    )
    .unwrap();
    fs::create_dir_all(site.join("layouts/_default")).unwrap();
    fs::write(
        site.join("layouts/_default/single.html"),
        "<h1>{{ .Title }}</h1>{{ .Content }}",
    )
    .unwrap();
    fs::write(
        site.join("layouts/_default/list.html"),
        "{{ range .Pages }}{{ .Title }}{{ end }}",
    )
    .unwrap();
    run(Command::new(&hugo).arg("--quiet").current_dir(&site));
    let public = site.join("public");
    let mut checked = 0;
    for page in ["pictures.html", "guides/deep.html"] {
        let html = fs::read_to_string(public.join(page)).unwrap();
        let dir = public.join(page).parent().unwrap().to_path_buf();
        let links: Vec<&str> = (attribute_values(&html, "src").into_iter())
            .chain(attribute_values(&html, "href"))
            .collect();
        assert!(!links.is_empty(), "{page}: {html}");
        for link in links {
            let file = dir.join(link);
            assert!(file.is_file(), "{page} links {link}, not in the site");
            let name = Path::new(link).file_name().unwrap();
            let source = env.path("v/attachments").join(name);
            assert_eq!(
                fs::read(&file).unwrap(),
                fs::read(source).unwrap(),
                "{link}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 3, "two images and a PDF link");
}

#[test]
fn pandoc_finds_every_image_of_an_exported_note() {
    let pandoc = tool("pandoc");
    let env = TestEnv::new();
    vault_with_pictures(&env);
    // A note whose image is missing: pandoc must say so, or the check below proves nothing.
    write(
        &env,
        &[(
            "v/broken.md",
            b"# Broken\n\n![gone](attachments/gone.png)\n",
        )],
    );
    assert_eq!(import(&env, &["v"]).0, Some(0));
    env.cmd()
        .args([
            "export", "--layout", "vault", "-f", "md", "-q", "--out", "out",
        ])
        .assert()
        .success();
    let out = env.path("out");
    let convert = |note: &str| {
        Command::new(&pandoc)
            .arg(out.join(note))
            .arg("--resource-path")
            .arg(&out)
            // Debian 12's pandoc (2.17) has --self-contained; later ones call it deprecated.
            .args(["--self-contained", "--metadata", "title=t"])
            .args(["-f", "markdown", "-t", "html"])
            .output()
            .unwrap()
    };
    let html = convert("pictures.md");
    assert!(html.status.success(), "pandoc: {}", stderr(&html));
    let said = stderr(&html);
    let warnings: Vec<&str> = said.lines().filter(|l| !l.contains("Deprecated")).collect();
    assert!(warnings.is_empty(), "pandoc: {said}");
    let body = stdout(&html);
    let png = fixture_png();
    let embedded = format!("data:image/png;base64,{}", base64(&png));
    assert!(
        body.contains(&embedded),
        "the image is not embedded: {body}"
    );
    let broken = convert("broken.md");
    assert!(
        stderr(&broken).contains("gone.png not found in resource path")
            || stderr(&broken).contains("Could not fetch resource"),
        "pandoc said nothing of a missing image: {}",
        stderr(&broken)
    );
}

/// Standard base64, as pandoc embeds an image.
fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                s.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

#[test]
fn kill_9_while_an_attachment_is_copied_leaves_the_old_file_whole_and_a_re_run_writes_the_new() {
    use std::os::unix::process::ExitStatusExt;
    let env = TestEnv::new();
    fs::create_dir_all(env.path("v")).unwrap();
    fs::write(env.path("v/n.md"), "# Big\n\n![[big.bin]]\n").unwrap();
    let old = write_big(&env.path("v/big.bin"), 100);
    assert_eq!(import(&env, &["v"]).0, Some(0));
    env.export_json("out", &["-f", "md", "--incremental"]);
    // The file changes; the next export is killed while it copies the new bytes.
    let new = write_big(&env.path("v/big.bin"), 101);
    assert_eq!(import(&env, &["v"]).1["attachments"]["updated"], 1);
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("smartnotes"))
        .current_dir(env.root())
        .env("SMARTNOTES_DB", env.db())
        .args(["export", "-f", "md", "--incremental", "--out", "out"])
        .spawn()
        .unwrap();
    let stage = env.path(&format!(
        "out/.smartnotes-staging-{}-attachments",
        child.id()
    ));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !stage.exists() && child.try_wait().unwrap().is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "the export never began"
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let _ = child.kill();
    let status = child.wait().unwrap();
    assert_eq!(
        status.signal(),
        Some(9),
        "killed while it copied (it ran to its end)"
    );
    // The old file is whole at its name: never a part of the new one.
    assert_eq!(hash_file(&env.path("out/attachments/big.bin")), old);
    // The re-run cleans up the staging folder and writes the new bytes.
    let summary = env.export_json("out", &["-f", "md", "--incremental"]);
    assert_eq!(summary["attachments"]["written"], 1, "{summary}");
    assert_eq!(hash_file(&env.path("out/attachments/big.bin")), new);
    assert!(crate::common::staging_leftovers(&env.path("out")).is_empty());
}

#[test]
fn verify_rewrites_an_attachment_edited_in_place_and_no_manifest_is_made_without_attachments() {
    let env = TestEnv::new();
    let png = fixture_png();
    write(&env, &[("v/n.md", b"![[pic.png]]\n"), ("v/pic.png", &png)]);
    assert_eq!(import(&env, &["v"]).0, Some(0));
    let inc = ["-f", "md", "--incremental"];
    env.export_json("out", &inc);
    // Edited in place, same size: trusted without --verify, rewritten with it.
    let edited = vec![b'x'; png.len()];
    fs::write(env.path("out/attachments/pic.png"), &edited).unwrap();
    let summary = env.export_json("out", &inc);
    assert_eq!(summary["attachments"]["unchanged"], 1, "{summary}");
    assert_eq!(
        fs::read(env.path("out/attachments/pic.png")).unwrap(),
        edited
    );
    let summary = env.export_json("out", &["-f", "md", "--incremental", "--verify"]);
    assert_eq!(summary["attachments"]["written"], 1, "{summary}");
    assert_eq!(fs::read(env.path("out/attachments/pic.png")).unwrap(), png);
    // A plain export removes the manifest (it would vouch for files about to change).
    env.export_json("out", &["-f", "md"]);
    assert!(!env.path("out/.smartnotes-attachments.json").exists());
    // An export without attachments makes none.
    let plain = TestEnv::seeded(3);
    plain.export_json("out", &inc);
    assert!(plain.path("out/.smartnotes-manifest.json").exists());
    assert!(!plain.path("out/.smartnotes-attachments.json").exists());
}

// ---- Found by breaking it (round 3's tester): each failed before its fix ----

#[test]
fn an_attachment_never_takes_the_file_of_a_note_in_the_vault_layout() {
    let env = TestEnv::new();
    write(&env, &[("Plans.md", b"attachment bytes\n")]);
    env.cmd()
        .args(["add", "--title", "Plans", "--body", "my plans"])
        .assert()
        .success();
    env.cmd()
        .args(["add", "--title", "Other", "--body", "see ![[Plans.md]]"])
        .assert()
        .success();
    env.cmd()
        .arg("attach")
        .arg("2")
        .arg(env.path("Plans.md"))
        .assert()
        .success();
    let out = env
        .cmd()
        .args(["export", "--layout", "vault", "-o", "out"])
        .output()
        .unwrap();
    // It was written over the note's file, with exit 0 and "0 failed".
    let note = fs::read_to_string(env.path("out/Plans.md")).unwrap();
    assert!(note.contains("my plans"), "the note's file holds: {note}");
    assert_eq!(
        out.status.code(),
        Some(1),
        "a file not written is a failure"
    );
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(said.contains("a note's file takes Plans.md"), "{said}");
}

#[test]
fn gc_keeps_an_attachment_that_a_note_added_later_links_to() {
    let env = TestEnv::new();
    write(&env, &[("pic.png", &fixture_png())]);
    env.cmd()
        .args(["add", "--title", "first", "--body", "a ![[pic.png]]"])
        .assert()
        .success();
    env.cmd()
        .arg("attach")
        .arg("1")
        .arg(env.path("pic.png"))
        .assert()
        .success();
    env.cmd()
        .args(["add", "--title", "second", "--body", "b ![[pic.png]]"])
        .assert()
        .success();
    env.cmd().args(["rm", "-y", "1"]).assert().success();
    // gc removed it: `add` resolved the link but never recorded that note 2 uses the file.
    env.cmd().arg("gc").assert().success();
    assert_eq!(
        rows(&env, "attachments"),
        1,
        "note 2 still links to pic.png"
    );
    env.cmd()
        .args(["export", "-f", "md", "-o", "out", "-q"])
        .assert()
        .success();
    assert_eq!(
        fs::read(env.path("out/attachments/pic.png")).unwrap(),
        fixture_png()
    );
    let note = fs::read_to_string(env.path("out/md/2-second.md")).unwrap();
    assert!(note.contains("../attachments/pic.png"), "{note}");
}

#[test]
fn a_note_file_that_links_out_of_the_folder_is_never_read() {
    let env = TestEnv::new();
    write(&env, &[("secret", b"the key\n"), ("v/hi.md", b"# hi\n")]);
    std::os::unix::fs::symlink(env.path("secret"), env.path("v/pw.md")).unwrap();
    let (code, summary, said) = import(&env, &[env.path("v").to_str().unwrap()]);
    assert_eq!(code, Some(0), "{said}");
    assert_eq!(summary["added"], 1, "{summary}");
    assert!(said.contains("pw.md"), "the link is named: {said}");
    let listed = env.cmd().args(["list", "--json"]).output().unwrap();
    assert!(!stdout(&listed).contains("the key"));
    let shown = env
        .cmd()
        .args(["export", "-f", "md", "-o", "out", "-q"])
        .output()
        .unwrap();
    assert!(shown.status.success());
    for (_, bytes) in published(&env.path("out")) {
        assert!(!String::from_utf8_lossy(&bytes).contains("the key"));
    }
}
