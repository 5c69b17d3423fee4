//! The `smartnotes` binary: parses the command line, runs the library, prints the result.
//!
//! Everything it does is in the `smartnotes` library; this file only turns an error into a
//! message and an exit code: `error: ...`, then one `  caused by: ...` line per cause, exit 1;
//! a usage error as clap prints it, exit 2; a closed pipe (`smartnotes list | head -1`)
//! quietly, exit 0.

mod cli;

use std::io::Write;

// mimalloc instead of the system's allocator (the `mimalloc` feature, on by default), for the
// binary only: the library leaves the choice to the program that links it. An export
// allocates notes on the reading thread and frees them on the workers; glibc's malloc costs a
// fifth of an export's instructions there, mimalloc a tenth, and the scale workload ends in
// 0.34-0.38 s instead of 0.42-0.43 s (see docs/PERFORMANCE.md).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    match cli::run() {
        Ok(code) => code.into(),
        Err(err) => {
            if let Some(usage) = err.downcast_ref::<clap::Error>() {
                // A closed standard error leaves nothing to tell.
                let _ = usage.print();
                return std::process::ExitCode::from(u8::try_from(usage.exit_code()).unwrap_or(2));
            }
            // `smartnotes list | head` closes our stdout early: that is the reader's choice,
            // not a failure.
            if err.chain().any(is_broken_pipe) {
                return cli::ExitCode::Success.into();
            }
            let mut stderr = std::io::stderr().lock();
            // Messages quote paths and values from outside: escaped, like everything printed.
            let _ = writeln!(stderr, "error: {}", cli::escape_lines(&err.to_string()));
            for cause in err.chain().skip(1) {
                let _ = writeln!(
                    stderr,
                    "  caused by: {}",
                    cli::escape_lines(&cause.to_string())
                );
            }
            cli::ExitCode::Failure.into()
        }
    }
}

/// A write into a pipe whose reader has gone, however it is wrapped: a plain `io::Error`, or
/// serde_json's error around one (`list --json | head -1`).
fn is_broken_pipe(cause: &(dyn std::error::Error + 'static)) -> bool {
    if let Some(e) = cause.downcast_ref::<std::io::Error>() {
        return e.kind() == std::io::ErrorKind::BrokenPipe;
    }
    cause
        .downcast_ref::<serde_json::Error>()
        .and_then(serde_json::Error::io_error_kind)
        == Some(std::io::ErrorKind::BrokenPipe)
}
