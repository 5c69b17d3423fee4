//! The `smartnotes` binary: parses the command line, runs the library, prints the result.
//!
//! Everything it does is in the `smartnotes` library; this file only turns an error into a
//! message and an exit code.

mod cli;

use std::io::Write;

fn main() -> std::process::ExitCode {
    match cli::run() {
        Ok(code) => code.into(),
        Err(err) => {
            // `smartnotes list | head` closes our stdout early: that is the reader's choice,
            // not a failure.
            if let Some(usage) = err.downcast_ref::<clap::Error>() {
                usage.exit();
            }
            if err.chain().any(|cause| {
                cause
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return cli::ExitCode::Success.into();
            }
            let mut stderr = std::io::stderr().lock();
            // Messages quote paths and values from outside: escaped, like everything printed.
            let _ = writeln!(
                stderr,
                "smartnotes: error: {}",
                cli::escape_lines(&err.to_string())
            );
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
