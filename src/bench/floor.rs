//! The disk workload's floors: the same files (count, names, bytes) written by the simplest
//! loops there are, no rendering, no staging, no renames, so that each strategy's efficiency
//! is the real ratio to what the machine can do.
//!
//! Two floors, measured in the same run as the strategies:
//! - `floor`: Rust, one thread per core, each thread writing its share into folders of its
//!   own (`w<thread>/<format>/`) through held folder handles (`openat`, `write`, `close`);
//! - `floor-c`: a C loop doing only `openat`/`write`/`close`, compiled here at bench time with
//!   `cc` and run as one process per core, each into folders of its own, as in
//!   `/work/shared/FACTS.md`'s measurement of the syscall floor. Without a C compiler the row
//!   says so instead (a refusal, with the reason).
//!
//! Each process of the C floor reads its list of files before it starts its clock and prints
//! when it started and ended writing (`CLOCK_MONOTONIC`); the floor's wall time is from the
//! first start to the last end, so neither `exec` nor the reading of its list is counted, as
//! the Rust floor does not count preparing its names and bytes.

use std::io::Write as _;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use rustix::fs::{Mode, OFlags};

use super::BenchError;
use crate::format::Format;

/// The files to write: each a (format, name) and the index of its bytes in the pool.
pub(super) struct Files {
    pub(super) formats: Vec<Format>,
    pub(super) pool: Vec<Vec<u8>>,
    /// (index into `formats`, file name, index into `pool`)
    pub(super) files: Vec<(usize, String, usize)>,
}

/// The C loop: `floor LIST DIR`, where LIST holds the bytes of the pool and the files, and
/// DIR (made by the bench) gets one folder per format. Prints `<start ns> <end ns>`.
const FLOOR_C: &str = r#"
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 3) return 2;
    FILE *list = fopen(argv[1], "rb");
    if (!list) return 3;
    int formats, pool, files;
    if (fscanf(list, "%d %d %d\n", &formats, &pool, &files) != 3) return 4;
    int *dirs = malloc(sizeof(int) * formats);
    for (int f = 0; f < formats; f++) {
        char name[64];
        if (fscanf(list, "%63s\n", name) != 1) return 5;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[2], name);
        dirs[f] = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dirs[f] < 0) return 6;
    }
    char **bytes = malloc(sizeof(char *) * pool);
    long *sizes = malloc(sizeof(long) * pool);
    for (int p = 0; p < pool; p++) {
        if (fscanf(list, "%ld", &sizes[p]) != 1 || fgetc(list) != '\n') return 7;
        bytes[p] = malloc(sizes[p] + 1);
        if (fread(bytes[p], 1, sizes[p], list) != (size_t)sizes[p]) return 8;
    }
    int *dir = malloc(sizeof(int) * files), *data = malloc(sizeof(int) * files);
    char **names = malloc(sizeof(char *) * files);
    for (int i = 0; i < files; i++) {
        char name[1024];
        if (fscanf(list, "%d %d %1023[^\n]\n", &dir[i], &data[i], name) != 3) return 9;
        names[i] = strdup(name);
    }
    fclose(list);
    long long start = now();
    int failed = 0;
    for (int i = 0; i < files; i++) {
        int fd = openat(dirs[dir[i]], names[i], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (fd < 0) { failed++; continue; }
        if (write(fd, bytes[data[i]], sizes[data[i]]) != sizes[data[i]]) failed++;
        close(fd);
    }
    long long end = now();
    printf("%lld %lld %d\n", start, end, failed);
    return failed ? 1 : 0;
}
"#;

/// The Rust floor: `threads` threads, thread `t` writing files `t, t + threads, ...` into
/// `out/w<t>/<format>/`. Returns the wall time.
pub(super) fn rust(files: &Files, out: &Path, threads: usize) -> Result<f64, BenchError> {
    let mut folders: Vec<Vec<OwnedFd>> = Vec::with_capacity(threads);
    for t in 0..threads {
        let mut mine = Vec::new();
        for format in &files.formats {
            let dir = out.join(format!("w{t}")).join(format.extension());
            mine.push(make_dir(&dir)?);
        }
        folders.push(mine);
    }
    let started = Instant::now();
    let failed = std::thread::scope(|scope| {
        let handles: Vec<_> = folders
            .iter()
            .enumerate()
            .map(|(t, mine)| {
                scope.spawn(move || {
                    let mut failed = 0u64;
                    for (format, name, data) in files.files.iter().skip(t).step_by(threads) {
                        if write_at(&mine[*format], name, &files.pool[*data]).is_err() {
                            failed += 1;
                        }
                    }
                    failed
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(u64::MAX))
            .fold(0u64, u64::saturating_add)
    });
    let wall = started.elapsed().as_secs_f64();
    if failed > 0 {
        return Err(raw_failed(out, failed));
    }
    Ok(wall)
}

fn write_at(folder: &OwnedFd, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::TRUNC | OFlags::CLOEXEC;
    let fd = rustix::fs::openat(folder, name, flags, Mode::from_raw_mode(0o666))?;
    std::fs::File::from(fd).write_all(bytes)
}

fn make_dir(dir: &Path) -> Result<OwnedFd, BenchError> {
    let err = |source| BenchError::Dir {
        path: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(err)?;
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    rustix::fs::openat(rustix::fs::CWD, dir, flags, Mode::empty()).map_err(|e| err(e.into()))
}

fn raw_failed(out: &Path, failed: u64) -> BenchError {
    BenchError::Dir {
        path: out.to_path_buf(),
        source: std::io::Error::other(format!("{failed} raw writes failed")),
    }
}

/// The C floor, compiled once per bench run into `work`.
pub(super) struct CFloor {
    binary: PathBuf,
}

impl CFloor {
    /// Compiles the C loop with `cc -O2` into `work`; `Err` says why it cannot run here.
    pub(super) fn compile(work: &Path) -> Result<CFloor, String> {
        let source = work.join("floor.c");
        let binary = work.join("floor-c");
        std::fs::write(&source, FLOOR_C)
            .map_err(|e| format!("cannot write {}: {e}", source.display()))?;
        let done = Command::new("cc")
            .arg("-O2")
            .arg("-o")
            .arg(&binary)
            .arg(&source)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output();
        match done {
            Err(e) => Err(format!("no C compiler to build the C floor (cc: {e})")),
            Ok(out) if !out.status.success() => Err(format!(
                "cc could not build the C floor: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )),
            Ok(_) => Ok(CFloor { binary }),
        }
    }

    /// Writes the lists of `processes` processes into `work` (untimed), then runs them at once,
    /// process `p` writing files `p, p + processes, ...` into `out/w<p>/<format>/`. Returns the
    /// wall time from the first process's start of writing to the last one's end.
    pub(super) fn run(
        &self,
        files: &Files,
        work: &Path,
        out: &Path,
        processes: usize,
    ) -> Result<f64, BenchError> {
        let mut children = Vec::with_capacity(processes);
        for p in 0..processes {
            let list = work.join(format!("floor-c-{p}.list"));
            write_list(files, &list, p, processes)?;
            let dir = out.join(format!("w{p}"));
            for format in &files.formats {
                make_dir(&dir.join(format.extension()))?;
            }
            let child = Command::new(&self.binary)
                .arg(&list)
                .arg(&dir)
                .stdout(Stdio::piped())
                .spawn()
                .map_err(|source| BenchError::Dir {
                    path: self.binary.clone(),
                    source,
                })?;
            children.push(child);
        }
        let (mut first, mut last, mut failed) = (i64::MAX, i64::MIN, 0u64);
        for child in children {
            let done = child.wait_with_output().map_err(|source| BenchError::Dir {
                path: self.binary.clone(),
                source,
            })?;
            let text = String::from_utf8_lossy(&done.stdout);
            let fields: Vec<i64> = text
                .split_whitespace()
                .filter_map(|f| f.parse().ok())
                .collect();
            match fields[..] {
                [start, end, f] => {
                    first = first.min(start);
                    last = last.max(end);
                    failed += f as u64;
                }
                _ => failed += 1,
            }
        }
        if failed > 0 || last < first {
            return Err(raw_failed(out, failed.max(1)));
        }
        Ok((last - first) as f64 / 1e9)
    }
}

/// The list of process `p` of `processes`: a header, the format folders, the pool's bytes,
/// then one line per file (`<format> <pool index> <name>`).
fn write_list(files: &Files, list: &Path, p: usize, processes: usize) -> Result<(), BenchError> {
    let err = |source| BenchError::Dir {
        path: list.to_path_buf(),
        source,
    };
    let mine: Vec<_> = files.files.iter().skip(p).step_by(processes).collect();
    let mut w = std::io::BufWriter::new(std::fs::File::create(list).map_err(err)?);
    writeln!(
        w,
        "{} {} {}",
        files.formats.len(),
        files.pool.len(),
        mine.len()
    )
    .map_err(err)?;
    for format in &files.formats {
        writeln!(w, "{}", format.extension()).map_err(err)?;
    }
    for bytes in &files.pool {
        writeln!(w, "{}", bytes.len()).map_err(err)?;
        // Read with `fread` right after the size's newline: they may start with anything.
        w.write_all(bytes).map_err(err)?;
    }
    for (format, name, data) in mine {
        writeln!(w, "{format} {data} {name}").map_err(err)?;
    }
    w.flush().map_err(err)
}
