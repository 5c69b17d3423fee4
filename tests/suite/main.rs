//! Every integration test of smartnotes, as the modules of one test binary (`cargo test --test
//! suite`; one module: `cargo test --test suite faults::`).
//!
//! One binary instead of one per file: cargo links and runs test binaries one after another,
//! each waiting for its slowest test, so a test that waits (a lock held 5 s, a simulated
//! latency, a signal) used to leave the machine idle; here the harness runs it beside the
//! others. Each module is one subject, named for it; `common` is the shared `TestEnv`, kept
//! at `tests/common/` so that a test file of its own (`tests/<name>.rs`, its own binary) can
//! still say `mod common;`.

// Test code: a panic is the failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod attachments;
mod bench;
mod bench_python;
mod conventions;
mod crash;
mod dry_run;
mod edit;
mod errors_json;
mod export;
mod faults;
mod filter;
mod first_run;
mod import;
mod incremental;
mod lab;
mod library;
mod limits;
mod links;
mod module_map;
mod naming;
mod notebook;
mod notes;
mod on_error;
mod output_folder;
mod progress;
mod readers;
mod reading;
mod same_bytes;
mod signals;
mod snapshot;
mod terminal;
mod usage;
mod vault_export;
mod vault_import;
mod vault_properties;
mod vault_roundtrip;
mod versions;
