//! The shared test environment: a temporary folder with a notebook path, and the binary run
//! against it. Every CLI test goes through [`TestEnv`].
//!
//! Temporary folders are made on a RAM file system when the machine has one with room to spare
//! (`/dev/shm`, 2 GiB free), or under `SMARTNOTES_TEST_TMPDIR` when it is set (to run the suite
//! on a real disk, say). The
//! tests write hundreds of thousands of small files; on the shared disk of a build machine
//! that cost most of the suite's time and made it vary fivefold from run to run, and what the
//! tests prove (what is written, renamed, removed, and when) is the same on either.
#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// What the suite may hold on the RAM file system at once (the 100,000-file test alone takes
/// about 400 MB there: a page per small file): a smaller one (Docker gives containers a
/// 64 MB `/dev/shm`) is not used.
const SHM_NEEDED: u64 = 2 << 30;

/// Where temporary folders go: `SMARTNOTES_TEST_TMPDIR`, else `/dev/shm` where it is a folder
/// this process can write in with [`SHM_NEEDED`] free, else the system's temporary folder.
/// Decided once per test process.
fn scratch_root() -> &'static Path {
    static ROOT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    ROOT.get_or_init(|| {
        if let Some(dir) = std::env::var_os("SMARTNOTES_TEST_TMPDIR") {
            return PathBuf::from(dir);
        }
        let shm = Path::new("/dev/shm");
        let roomy = rustix::fs::statvfs(shm)
            .is_ok_and(|fs| fs.f_bavail.saturating_mul(fs.f_frsize) >= SHM_NEEDED);
        let writable = roomy
            && tempfile::Builder::new()
                .prefix("smartnotes-probe-")
                .tempfile_in(shm)
                .is_ok();
        if writable {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        }
    })
}

/// A new temporary folder (removed when dropped), where [`scratch_root`] says.
pub fn scratch_dir() -> tempfile::TempDir {
    let root = scratch_root();
    tempfile::Builder::new()
        .prefix("smartnotes-test-")
        .tempdir_in(root)
        .unwrap_or_else(|e| panic!("create a temporary folder in {}: {e}", root.display()))
}

/// Whether this process runs as root, whom file modes do not stop (CI runs as root).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("Uid:"))?.to_owned();
            line.split_whitespace().nth(2).map(|euid| euid == "0")
        })
        .unwrap_or(false)
}

/// The smartnotes binary, run so that file modes apply to it: as root, through `setpriv`
/// (util-linux) with the capabilities that override them (`dac_override`, `dac_read_search`,
/// `fowner`) dropped from its bounding set; otherwise as it is. Where `setpriv` is missing as
/// root the command fails to start, and the test fails with it: it never passes unchecked.
pub fn smartnotes_without_override() -> std::process::Command {
    let bin = assert_cmd::cargo::cargo_bin("smartnotes");
    if is_root() {
        let mut cmd = std::process::Command::new("setpriv");
        cmd.arg("--bounding-set=-dac_override,-dac_read_search,-fowner")
            .arg(bin);
        cmd
    } else {
        std::process::Command::new(bin)
    }
}

/// A temporary folder holding a notebook (`notes.db`, created on first use) and exports.
pub struct TestEnv {
    dir: tempfile::TempDir,
    /// Whether commands name the notebook (`SMARTNOTES_DB`), or find it where a user's
    /// would be (the default notebook in the data folder, here inside the temporary folder).
    named_db: bool,
}

impl TestEnv {
    /// An empty environment: no notebook yet; commands name `notes.db` (`SMARTNOTES_DB`), so a
    /// command that needs the notebook fails until one is made.
    pub fn new() -> Self {
        TestEnv {
            dir: scratch_dir(),
            named_db: true,
        }
    }

    /// A fresh machine: no `--db`, no `SMARTNOTES_DB`, and a home (`HOME`, `XDG_DATA_HOME`)
    /// inside the temporary folder whose default notebook does not exist yet, so that
    /// `export` falls back to the built-in sample notebook.
    pub fn first_run() -> Self {
        TestEnv {
            named_db: false,
            ..Self::new()
        }
    }

    /// An environment whose notebook holds `count` seeded notes.
    pub fn seeded(count: usize) -> Self {
        let env = Self::new();
        env.cmd()
            .args(["seed", "--count", &count.to_string(), "--seed", "7"])
            .assert()
            .success();
        env
    }

    /// An environment whose notebook (`notes.db`, named) holds the built-in sample notebook's
    /// ten notes with their ids, imported from `src/store/sample.json`: for tests that export
    /// the sample's notes more than once into one folder (the sample itself is for a first
    /// run only).
    pub fn with_sample_notebook() -> Self {
        let env = Self::new();
        let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store/sample.json");
        env.cmd()
            .arg("import")
            .arg(sample)
            .arg("--keep-ids")
            .assert()
            .success();
        env
    }

    /// The temporary folder.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The notebook file: `notes.db`, or for [`TestEnv::first_run`] the default notebook of
    /// its home.
    pub fn db(&self) -> PathBuf {
        if self.named_db {
            self.root().join("notes.db")
        } else {
            self.root().join("home/.local/share/smartnotes/notes.db")
        }
    }

    /// Sets the notebook's environment on `cmd`: `SMARTNOTES_DB`, or a home without it.
    fn notebook_env<'a>(&self, cmd: &'a mut Command) -> &'a mut Command {
        cmd.env_remove("SMARTNOTES_DB").env_remove("XDG_DATA_HOME");
        if self.named_db {
            cmd.env("SMARTNOTES_DB", self.db())
        } else {
            cmd.env("HOME", self.root().join("home"))
        }
    }

    /// A path inside the temporary folder.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    /// The smartnotes binary, run in the temporary folder against its notebook.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("smartnotes").expect("the smartnotes binary is built");
        cmd.current_dir(self.root()).env_remove("RUST_LOG");
        self.notebook_env(&mut cmd);
        cmd
    }

    /// The smartnotes binary like [`TestEnv::cmd`], started by `sh` after `ulimit -n <files>`:
    /// the open-file limit the threads strategy derives its limit from. Add arguments to it
    /// as to [`TestEnv::cmd`].
    pub fn cmd_with_ulimit_n(&self, files: u32) -> Command {
        let mut cmd = Command::new("sh");
        self.notebook_env(&mut cmd);
        cmd.current_dir(self.root())
            .env_remove("RUST_LOG")
            .arg("-c")
            .arg(format!("ulimit -n {files} && exec \"$0\" \"$@\""))
            .arg(assert_cmd::cargo::cargo_bin("smartnotes"));
        cmd
    }

    /// The smartnotes binary like [`TestEnv::cmd`], started by `sh` after the shell's
    /// `limits` (`"ulimit -v 200000"`, `"ulimit -n 256"`). Add arguments to it as to
    /// [`TestEnv::cmd`].
    pub fn cmd_with_limits(&self, limits: &str) -> Command {
        let mut cmd = Command::new("sh");
        cmd.current_dir(self.root())
            .env("SMARTNOTES_DB", self.db())
            .env_remove("RUST_LOG")
            .arg("-c")
            .arg(format!("{limits} && exec \"$0\" \"$@\""))
            .arg(assert_cmd::cargo::cargo_bin("smartnotes"));
        cmd
    }

    /// Runs `smartnotes export --out <rel> <args>` and returns its JSON summary.
    pub fn export_json(&self, rel: &str, args: &[&str]) -> serde_json::Value {
        let out = self
            .cmd()
            .args(["export", "--json", "--out", rel])
            .args(args)
            .output()
            .expect("run");
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "no JSON summary ({e}); stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
    }

    /// What `smartnotes list --count <args>` prints, as a number; fails naming its stderr if
    /// the command failed.
    pub fn count(&self, args: &[&str]) -> u64 {
        let out = self
            .cmd()
            .args(["list", "--count"])
            .args(args)
            .output()
            .expect("run");
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out).trim().parse().unwrap()
    }

    /// Runs `smartnotes lab <args> --json`, checks it succeeded, and returns its JSON report.
    pub fn lab_json(&self, args: &[&str]) -> serde_json::Value {
        let out = self
            .cmd()
            .arg("lab")
            .args(args)
            .arg("--json")
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "lab {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
    }
}

/// Every file under `dir`, by relative path, with its bytes.
pub fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("read a folder") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                walk(root, &path, files);
            } else {
                let rel = path.strip_prefix(root).expect("under root").to_path_buf();
                files.insert(rel, std::fs::read(&path).expect("read a file"));
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

/// Like [`tree`], without smartnotes' own bookkeeping (`.smartnotes-*`: the manifest, staging
/// folders): the files an export published.
pub fn published(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    tree(dir)
        .into_iter()
        .filter(|(p, _)| {
            !p.components()
                .any(|c| c.as_os_str().to_string_lossy().starts_with(".smartnotes-"))
        })
        .collect()
}

/// The names of staging folders and staged manifests left in `dir`.
pub fn staging_leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(".smartnotes-staging-"))
                .collect()
        })
        .unwrap_or_default()
}

/// Asserts that every file published in `out` is byte for byte the file of the same name in
/// `reference` (a clean export): nothing partial, nothing foreign.
pub fn assert_all_complete(out: &Path, reference: &BTreeMap<PathBuf, Vec<u8>>) {
    for (path, bytes) in published(out) {
        let want = reference
            .get(&path)
            .unwrap_or_else(|| panic!("{} is not a file a clean export writes", path.display()));
        assert!(
            *want == bytes,
            "{} differs from a clean export ({} bytes, want {})",
            path.display(),
            bytes.len(),
            want.len()
        );
    }
}

/// Checks the books of a JSON summary: written + unchanged + failed + skipped = planned jobs, and every
/// failure is listed. Returns (files, failed).
pub fn assert_books_balance(summary: &serde_json::Value) -> (u64, u64) {
    let n = |k: &str| summary[k].as_u64().unwrap_or(0);
    let (files, failed, jobs) = (n("files"), n("failed"), n("planned_jobs"));
    assert_eq!(
        summary["failures"].as_array().map(Vec::len),
        Some(failed as usize),
        "every failure is listed: {summary}"
    );
    assert!(files + n("unchanged") + failed <= jobs, "{summary}");
    if !summary["interrupted"].as_bool().unwrap_or(false)
        && !summary["stopped_early"].as_bool().unwrap_or(false)
    {
        assert_eq!(files + n("unchanged") + failed, jobs, "{summary}");
    }
    (files, failed)
}

/// Every file, folder and link under `dir` (links as links, never followed), with a file's
/// bytes or a link's target (`None` for a folder): two listings are equal only if nothing was
/// added, removed or changed.
pub fn contents(dir: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    fn walk(root: &Path, dir: &Path, all: &mut BTreeMap<PathBuf, Option<Vec<u8>>>) {
        for entry in std::fs::read_dir(dir).expect("read a folder") {
            let path = entry.expect("a folder entry").path();
            let rel = path.strip_prefix(root).expect("under root").to_path_buf();
            let meta = std::fs::symlink_metadata(&path).expect("look at an entry");
            if meta.is_symlink() {
                let target = std::fs::read_link(&path).expect("read a link");
                all.insert(rel, Some(target.into_os_string().into_encoded_bytes()));
            } else if meta.is_dir() {
                all.insert(rel, None);
                walk(root, &path, all);
            } else {
                all.insert(rel, Some(std::fs::read(&path).expect("read a file")));
            }
        }
    }
    let mut all = BTreeMap::new();
    walk(dir, dir, &mut all);
    all
}

/// The note id at the start of an exported file name (`md/7-groceries.md` is note 7).
pub fn id_of_file(path: &Path) -> i64 {
    let name = path.file_name().unwrap().to_str().unwrap();
    name.split('-').next().unwrap().parse().unwrap()
}

/// A finished command's standard error, as text.
pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A finished command's standard output, as text.
pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The manifest at `path` (binary records, version 2) decoded from its documented layout and
/// written as the first, text layout (version 1) that smartnotes still reads, each hash
/// replaced by `hash` when one is given: for the tests of an old or hand-made manifest.
pub fn manifest_as_text(path: &Path, hash: Option<&str>) -> String {
    const FORMATS: [&str; 4] = ["md", "json", "jsonl", "csv"];
    let bytes = std::fs::read(path).unwrap();
    let end = bytes.iter().position(|&b| b == b'\n').unwrap();
    let header = std::str::from_utf8(&bytes[..end]).unwrap();
    assert!(header.starts_with("{\"version\":2,"), "{header}");
    let mut text = header.replacen("\"version\":2", "\"version\":1", 1) + "\n";
    let records = &bytes[end + 1..bytes.len() - 16];
    let mut at = 0;
    while at < records.len() {
        let id = i64::from_le_bytes(records[at..at + 8].try_into().unwrap());
        let own_hash: String = records[at + 8..at + 24]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let kind = records[at + 24];
        let len = u16::from_le_bytes([records[at + 25], records[at + 26]]) as usize;
        let name = std::str::from_utf8(&records[at + 27..at + 27 + len]).unwrap();
        at += 27 + len;
        let hash = hash.unwrap_or(&own_hash);
        for (_, ext) in FORMATS
            .iter()
            .enumerate()
            .filter(|(i, _)| kind & (1 << i) != 0)
        {
            if kind & 0x80 != 0 {
                text += &format!("{id}\t{hash}\t{ext}:{name}\n");
            } else {
                text += &format!("{id}\t{hash}\t{ext}/{name}.{ext}\n");
            }
        }
    }
    text
}
