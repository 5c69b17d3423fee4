//! Measures the two crash-safe ways of publishing files, to choose one for `export`.
//!
//! Run: `cargo run --release --example commit_methods [DIR] [FILES]` (DIR defaults to /dev/shm,
//! a tmpfs, so that the file system's CPU and system-call cost is measured, not a disk).
//!
//! - staging: write every file into a staging folder, then rename the folder into place once
//!   (what `smartnotes export` does on a fresh export);
//! - per-file: write each file to a temporary name beside its target and rename it;
//! - staging, re-export: write into the staging folder, then rename each file over an existing
//!   folder (what `smartnotes export` does when the folder already exists).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let base = PathBuf::from(args.next().unwrap_or_else(|| "/dev/shm".into()));
    let files: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(50_000);
    let body = vec![b'x'; 1500];
    let root = base.join(format!("smartnotes-commit-methods-{}", std::process::id()));
    for round in 1..=3 {
        let staging = time(&root, |dir| {
            write_all(&dir.join(".staging/md"), files, &body, None)?;
            fs::rename(dir.join(".staging/md"), dir.join("md"))
        })?;
        let per_file = time(&root, |dir| {
            write_all(&dir.join("md"), files, &body, Some(&dir.join("md")))
        })?;
        let reexport = time(&root, |dir| {
            fs::create_dir_all(dir.join("md"))?;
            write_all(&dir.join(".staging/md"), files, &body, None)?;
            for i in 0..files {
                let name = format!("{i}-note.md");
                fs::rename(
                    dir.join(".staging/md").join(&name),
                    dir.join("md").join(&name),
                )?;
            }
            Ok(())
        })?;
        let rate = |s: f64| files as f64 / s;
        println!(
            "round {round}: {files} files of 1.5 KB, one thread: staging {:.0}/s, per-file rename {:.0}/s, staging re-export {:.0}/s",
            rate(staging),
            rate(per_file),
            rate(reexport)
        );
    }
    Ok(())
}

/// Writes `files` files into `dir`; with `rename_into`, each goes to a temporary name first and
/// is renamed into that folder.
fn write_all(
    dir: &Path,
    files: usize,
    body: &[u8],
    rename_into: Option<&Path>,
) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    for i in 0..files {
        let name = format!("{i}-note.md");
        let target = match rename_into {
            Some(_) => dir.join(format!(".{name}.tmp")),
            None => dir.join(&name),
        };
        fs::File::create(&target)?.write_all(body)?;
        if let Some(final_dir) = rename_into {
            fs::rename(&target, final_dir.join(&name))?;
        }
    }
    Ok(())
}

/// Seconds taken by `f` in a fresh folder, which is removed afterwards.
fn time(root: &Path, f: impl FnOnce(&Path) -> std::io::Result<()>) -> std::io::Result<f64> {
    let _ = fs::remove_dir_all(root);
    fs::create_dir_all(root)?;
    let started = Instant::now();
    f(root)?;
    let seconds = started.elapsed().as_secs_f64();
    fs::remove_dir_all(root)?;
    Ok(seconds)
}
