//! The command line, as clap derive types.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use smartnotes::export::{Layout, Naming, StrategyKind};
use smartnotes::format::Format;

/// Keep notes in SQLite; export them to Markdown, JSON and CSV, fast and crash-safe.
#[derive(Debug, Parser)]
#[command(name = "smartnotes", version, about, max_term_width = 100)]
pub struct Cli {
    /// The notebook (SQLite). Default: notes.db in your data folder.
    #[arg(long, global = true, env = "SMARTNOTES_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add a note (body from --body, or from standard input when it is not a terminal).
    Add(AddArgs),
    /// List notes.
    List(ListArgs),
    /// Show one note as Markdown.
    Show(ShowArgs),
    /// Remove a note.
    Rm(RmArgs),
    /// Add deterministic, realistic sample notes (demos, benchmarks).
    Seed(SeedArgs),
    /// Export notes to files; uses the built-in sample notebook if no notebook exists yet.
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Title of the note.
    #[arg(long, short)]
    pub title: String,
    /// A tag; repeat for several.
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// The body (Markdown). Without it, the body is read from standard input if piped.
    #[arg(long, short)]
    pub body: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only notes with this tag; repeat to require several.
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Print a JSON array of notes instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The note's id.
    pub id: i64,
    /// Print the note as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RmArgs {
    /// The note's id.
    pub id: i64,
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// How many notes to add.
    #[arg(long, short = 'n', default_value_t = 1000)]
    pub count: usize,
    /// Generator seed: the same seed gives the same notes.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The export folder; nothing is written outside it.
    #[arg(long, short, default_value = "smartnotes-export", value_name = "DIR")]
    pub out: PathBuf,
    /// Formats, comma-separated.
    #[arg(long, short, value_delimiter = ',', default_values_t = Format::DEFAULT)]
    pub format: Vec<Format>,
    /// How jobs run: one after another, a thread each, a pool of N threads, or async tasks.
    #[arg(long, short, value_enum, default_value_t = StrategyKind::DEFAULT)]
    pub strategy: StrategyKind,
    /// N: the most jobs at once (pool workers, async tasks in flight). Default per strategy.
    #[arg(long, short, value_name = "N")]
    pub jobs: Option<usize>,
    /// Add simulated I/O latency to every write, like the lesson's slow disk: 100ms, 1s.
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub latency: Option<Duration>,
    /// One file per note per format, or one bundle file per format.
    #[arg(long, value_enum, default_value_t = Layout::Files)]
    pub layout: Layout,
    /// File names: `<id>-<slug>.<ext>`, or the lesson's `note_<id>.<ext>`.
    #[arg(long, value_enum, default_value_t = Naming::Slug)]
    pub naming: Naming,
    /// Only notes with this tag; repeat to require several.
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Fail about this fraction of writes on purpose (0 to 1), for demos and tests.
    #[arg(long, value_name = "P", hide_short_help = true)]
    pub fail_rate: Option<f64>,
    /// Seed choosing which writes --fail-rate fails.
    #[arg(long, default_value_t = 0, value_name = "S", hide_short_help = true)]
    pub fail_seed: u64,
    /// Print one JSON object with the summary on standard output.
    #[arg(long)]
    pub json: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text).map_err(|e| format!("{e} (write it like 100ms, 1.5s or 2s)"))
}
