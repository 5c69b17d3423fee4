//! The command line, as clap derive types.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use smartnotes::export::{FaultKind, Layout, Naming, OnError, SinkKind, StrategyKind};
use smartnotes::format::{Format, FrontMatter};
use smartnotes::model::Timestamp;
use smartnotes::store::{DateField, DateSpec, PropFilter, Query, Search, Sort};

/// Keep notes in SQLite; export them to Markdown, JSON and CSV, fast and crash-safe.
#[derive(Debug, Parser)]
#[command(name = "smartnotes", version, about, max_term_width = 100)]
pub struct Cli {
    /// The notebook (SQLite). Default: SMARTNOTES_DB, else the config file's `db`, else
    /// notes.db in your data folder.
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add a note: the body from --body or piped in; without --title and input, in your editor.
    Add(AddArgs),
    /// List notes.
    List(ListArgs),
    /// Show one note as Markdown.
    Show(ShowArgs),
    /// Open a note in your editor ($VISUAL, $EDITOR) as Markdown with front matter.
    Edit(EditArgs),
    /// Remove notes: by id, or every note a filter selects.
    Rm(RmArgs),
    /// Add, remove or rename tags on one note or on every note a filter selects.
    Tag(TagArgs),
    /// Attach files (images, PDFs, anything) to a note: stored once by content, exported
    /// with it.
    Attach(AttachArgs),
    /// Remove the attachments no note uses any more (rm keeps them until then).
    Gc(GcArgs),
    /// Add deterministic, realistic sample notes (demos, benchmarks).
    Seed(SeedArgs),
    /// Export notes to files; uses the built-in sample notebook if no notebook exists yet.
    Export(ExportArgs),
    /// Import notes from Markdown (any tool's: Obsidian, zk, Jekyll, Hugo, Joplin), JSON, JSONL,
    /// CSV and jrnl files or folders (all or nothing).
    Import(ImportArgs),
    /// Run the threading lesson's experiments on this machine; without a name, list them.
    Lab(LabArgs),
    /// Compare the strategies on the lesson's, a large and a disk workload, with pictures.
    Bench(BenchArgs),
    /// Print the effective settings and where each came from (default, file, environment, flag).
    Config(ConfigArgs),
    /// Print a shell completion script: bash, zsh, fish, elvish or powershell.
    Completions(CompletionsArgs),
    /// Write a man page per command (smartnotes.1, smartnotes-export.1, ...) into a folder.
    Man(ManArgs),
}

/// Which workloads `bench` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WorkloadChoice {
    /// 10 notes x 3 formats, 100 ms simulated I/O per file.
    Lesson,
    /// 100,000 notes x 3 formats, 100 ms simulated I/O per file, output discarded.
    Scale,
    /// 100,000 notes x 3 formats of real files into --dir, no simulated latency.
    Disk,
    /// All three.
    All,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The workload.
    #[arg(long, short, value_enum, default_value_t = WorkloadChoice::Lesson)]
    pub workload: WorkloadChoice,
    /// Strategies to compare, comma-separated.
    #[arg(long, short, value_enum, value_delimiter = ',', default_values_t = StrategyKind::ALL)]
    pub strategies: Vec<StrategyKind>,
    /// Measured runs per strategy; the median is reported with the spread.
    #[arg(long, default_value_t = 3, value_parser = at_least_one())]
    pub runs: usize,
    /// Notes of the scale and disk workloads.
    #[arg(long, default_value_t = 100_000)]
    pub notes: u64,
    /// Simulated I/O per file (lesson, scale), at most an hour.
    #[arg(long, default_value = "100ms", value_parser = parse_latency)]
    pub latency: Duration,
    /// Where the disk workload writes: a new folder of its own inside DIR, removed afterwards;
    /// nothing else in DIR is touched (default: /dev/shm).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Where the scale workload writes: nowhere (null) or files in a temporary folder (dir).
    #[arg(long, value_enum, default_value_t = SinkKind::Null)]
    pub sink: SinkKind,
    /// N for pool and async (default: each workload's own).
    #[arg(long, short, value_name = "N", value_parser = at_least_one())]
    pub jobs: Option<usize>,
    /// Scale workload: also time Python's asyncio gathering as many sleeps (the
    /// python-asyncio row), one run right before each measured run of async, with this
    /// interpreter (default: python3).
    #[arg(long, value_name = "PYTHON", num_args = 0..=1, default_missing_value = "python3")]
    pub python: Option<PathBuf>,
    /// Take the scale and disk notes from the notebook (with the filter) instead of
    /// synthetic ones.
    #[arg(long)]
    pub notebook: bool,
    /// Draw wall time per strategy as a bar chart (SVG).
    #[arg(long, value_name = "FILE.svg")]
    pub chart: Option<PathBuf>,
    /// Draw every job of the lesson workload from start to end, per strategy (SVG).
    #[arg(long, value_name = "FILE.svg")]
    pub timeline: Option<PathBuf>,
    /// Print one JSON object with a `results` list instead of the table.
    #[arg(long)]
    pub json: bool,
    /// No progress lines on standard error.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub filter: FilterArgs,
}

#[derive(Debug, Args)]
pub struct LabArgs {
    /// The experiment.
    #[command(subcommand)]
    pub experiment: Option<Experiment>,
}

/// Options every experiment takes.
#[derive(Debug, Args, Clone, Copy)]
pub struct LabCommon {
    /// Print one JSON object with the measurements instead of the narration.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum Experiment {
    /// Two simulated I/O tasks on their own threads: the total is the longest, not the sum.
    Threads {
        /// Seconds of simulated I/O per task, comma-separated.
        #[arg(long, default_value = "2,1", value_parser = parse_durations)]
        durations: Durations,
        /// Do not wait for the threads: see the total printed before they finish.
        #[arg(long)]
        no_join: bool,
        #[command(flatten)]
        common: LabCommon,
    },
    /// The lesson's export (10 notes x 3 formats) sequential, threads, pool and async.
    Export {
        /// Simulated I/O per file, at most an hour.
        #[arg(long, default_value = "100ms", value_parser = parse_latency)]
        latency: Duration,
        /// Keep the files here instead of a temporary folder.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        #[command(flatten)]
        common: LabCommon,
    },
    /// CPU-bound sums in sequence and on threads (the GIL experiment).
    Cpu {
        /// Each sum is over 0..N.
        #[arg(long, default_value_t = 5_000_000, value_name = "N")]
        work: u64,
        /// Also compare N sums on N threads (default: the number of cores).
        #[arg(long, value_name = "N")]
        threads: Option<usize>,
        /// Trials per measurement (the fastest is reported). On a shared machine a parallel
        /// trial needs both cores free at once: 15 trials found that reliably here, 7 did not.
        #[arg(long, default_value_t = 15)]
        trials: usize,
        #[command(flatten)]
        common: LabCommon,
    },
    /// Two threads increment a shared counter: unsync loses updates, mutex and atomic do not.
    Race {
        /// Increments per thread.
        #[arg(long, default_value_t = 100_000)]
        increments: u64,
        /// Trials per variant.
        #[arg(long, default_value_t = 5)]
        trials: usize,
        /// Variants to run (default: all).
        #[arg(long, value_enum, value_delimiter = ',')]
        variant: Vec<smartnotes::lab::race::Variant>,
        /// What unsync does between reading the counter and writing it back: yield the core
        /// as an interpreter's thread switch does (the race shows on a busy machine too),
        /// spin a microsecond, or nothing.
        #[arg(long, value_enum, default_value_t = smartnotes::lab::race::Gap::Yield)]
        gap: smartnotes::lab::race::Gap,
        #[command(flatten)]
        common: LabCommon,
    },
    /// The exercise: predict first, last and total for three threads, then run them.
    Predict {
        /// Seconds per thread (A, B, C, ...).
        #[arg(long, default_value = "3,1,2", value_parser = parse_durations)]
        durations: Durations,
        /// Add a thread of this many seconds (or a duration: 500ms).
        #[arg(long, value_name = "SECONDS", value_parser = parse_lab_duration)]
        add: Option<Duration>,
        /// Predictions FIRST,LAST,TOTAL (e.g. B,A,3.0) instead of asking.
        #[arg(long, value_name = "ANSWERS")]
        answers: Option<smartnotes::lab::predict::Predictions>,
        #[command(flatten)]
        common: LabCommon,
    },
    /// The 30-file export with a thread per file against a pool of N workers.
    Pool {
        /// Pool size N.
        #[arg(long, default_value_t = 8, value_parser = at_least_one())]
        workers: usize,
        /// Simulated I/O per file, at most an hour.
        #[arg(long, default_value = "100ms", value_parser = parse_latency)]
        latency: Duration,
        #[command(flatten)]
        common: LabCommon,
    },
    /// The 30-file export as tasks on one OS thread (current-thread tokio runtime).
    Async {
        /// Simulated I/O per file, at most an hour.
        #[arg(long, default_value = "100ms", value_parser = parse_latency)]
        latency: Duration,
        #[command(flatten)]
        common: LabCommon,
    },
    /// Run the experiments briefly and print the lesson's verdict table, measured.
    Verdict {
        /// Simulated I/O per file for the I/O figures, at most an hour.
        #[arg(long, default_value = "50ms", value_parser = parse_latency)]
        latency: Duration,
        #[command(flatten)]
        common: LabCommon,
    },
}

/// A list of durations (a named type, so clap takes it as one value).
#[derive(Debug, Clone)]
pub struct Durations(pub Vec<Duration>);

/// `2,1` or `2s,500ms`: at least one duration, each at most an hour.
fn parse_durations(text: &str) -> Result<Durations, String> {
    let list = smartnotes::lab::parse_durations(text)?;
    if list.is_empty() {
        return Err(format!(
            "{text:?}: expected durations such as 2,1 or 2s,500ms"
        ));
    }
    list.into_iter()
        .map(|d| at_most_an_hour(d, text))
        .collect::<Result<_, _>>()
        .map(Durations)
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Title of the note. Without it and without piped input, your editor opens on a template.
    #[arg(long, short)]
    pub title: Option<String>,
    /// A tag; repeat for several.
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// The body (Markdown). Without it, the body is read from standard input if piped.
    #[arg(long, short)]
    pub body: Option<String>,
    /// When the note was created (default now): 2026-11-24, 2026-11-24T08:00:00+01:00,
    /// yesterday, 3 days ago.
    #[arg(long, value_name = "DATE")]
    pub date: Option<DateSpec>,
    /// With --date: a bare day is the UTC day, not your time zone's.
    #[arg(long)]
    pub utc: bool,
    /// Print the note added as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    /// The note's id.
    pub id: i64,
    /// Print the note as JSON once saved.
    #[arg(long)]
    pub json: bool,
}

/// Which notes: the one filter `list`, `export` and `bench` share, so what `list` shows is
/// what `export` writes.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Filter")]
pub struct FilterArgs {
    /// Only notes with this tag; repeat to require all of them.
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Only notes with at least one of these tags; repeatable.
    #[arg(long = "any-tag", value_name = "TAG")]
    pub any_tags: Vec<String>,
    /// Leave out notes with this tag; repeatable.
    #[arg(long = "not-tag", value_name = "TAG")]
    pub not_tags: Vec<String>,
    /// Only notes dated on or after: a day (2026-11-24, yesterday, last monday), an RFC 3339
    /// time, or an age (7d, 2w, 3 days ago, 2 weeks).
    #[arg(long, value_name = "DATE")]
    pub since: Option<DateSpec>,
    /// Only notes dated on or before (a day includes all of it).
    #[arg(long, value_name = "DATE")]
    pub until: Option<DateSpec>,
    /// A bare day in --since and --until is the UTC day, not your time zone's.
    #[arg(long)]
    pub utc: bool,
    /// The date --since and --until look at.
    #[arg(long, value_enum, default_value_t = DateField::Updated)]
    pub by: DateField,
    /// Full-text search in titles and bodies: words, "a phrase", prefix*; all must match.
    #[arg(long, value_name = "TEXT")]
    pub search: Option<Search>,
    // vault-out: properties (issue 12).
    /// Only notes with this property (KEY), or with this value or a list holding it
    /// (KEY=VALUE, compared as text: exact case); repeat to require all of them.
    #[arg(long = "prop", value_name = "KEY[=VALUE]")]
    pub props: Vec<PropFilter>,
    // links (issue 13): the graph.
    /// Only notes that link to note ID.
    #[arg(long, value_name = "ID")]
    pub links_to: Option<i64>,
    /// Only notes that note ID links to.
    #[arg(long, value_name = "ID")]
    pub linked_from: Option<i64>,
    /// Only notes no other note links to.
    #[arg(long)]
    pub orphans: bool,
    /// Only notes with a link that resolves to nothing.
    #[arg(long)]
    pub broken_links: bool,
    /// At most N notes (after sorting).
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// The order of notes.
    #[arg(long, value_enum, default_value_t = Sort::Id)]
    pub sort: Sort,
    /// Largest first (newest, last id, Z before A).
    #[arg(long)]
    pub reverse: bool,
}

impl FilterArgs {
    /// The typed query; relative dates are taken from `now`.
    pub fn query(&self, now: Timestamp) -> Query {
        let zone = day_zone(self.utc);
        Query {
            tags: self.tags.clone(),
            any_tags: self.any_tags.clone(),
            not_tags: self.not_tags.clone(),
            since: self.since.as_ref().map(|d| d.start_in(now, &zone)),
            until: self.until.as_ref().map(|d| d.end_in(now, &zone)),
            by: self.by,
            search: self.search.clone(),
            props: self.props.clone(),
            links_to: self.links_to,
            linked_from: self.linked_from,
            orphans: self.orphans,
            broken_links: self.broken_links,
            limit: self.limit,
            sort: self.sort,
            descending: self.reverse,
        }
    }

    /// Whether any option narrows the notes (the sort options do not): `rm` and `tag` need
    /// ids or this, never every note by default.
    pub fn selects(&self) -> bool {
        !(self.tags.is_empty()
            && self.any_tags.is_empty()
            && self.not_tags.is_empty()
            && self.since.is_none()
            && self.until.is_none()
            && self.search.is_none()
            && self.links_to.is_none()
            && self.linked_from.is_none()
            && !self.orphans
            && !self.broken_links
            && self.limit.is_none())
    }
}

/// The time zone a bare day is read in: the user's (TZ, else the system's), or UTC.
pub fn day_zone(utc: bool) -> jiff::tz::TimeZone {
    if utc {
        jiff::tz::TimeZone::UTC
    } else {
        jiff::tz::TimeZone::system()
    }
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print only the number of matching notes (with --json: `{"count": N}`).
    #[arg(long)]
    pub count: bool,
    /// Print a JSON array of notes instead of a table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub filter: FilterArgs,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The note's id.
    pub id: i64,
    /// Print the note as JSON.
    #[arg(long)]
    pub json: bool,
    // links (issue 13).
    /// List the note's links and backlinks (what each resolves to) instead of the note.
    #[arg(long)]
    pub links: bool,
}

#[derive(Debug, Args)]
pub struct RmArgs {
    /// The notes' ids; with a filter too, only those of them it selects.
    #[arg(value_name = "ID")]
    pub ids: Vec<i64>,
    /// Remove without asking, also when standard input is not a terminal.
    #[arg(long, short)]
    pub yes: bool,
    /// Print the notes removed as a JSON array.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub filter: FilterArgs,
}

// attach: `attach ID FILE...` and `gc`.
#[derive(Debug, Args)]
pub struct AttachArgs {
    /// The note's id.
    pub id: i64,
    /// The files: each is kept under its file name (a name already kept with other bytes is
    /// refused: rename the file).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Refuse files larger than this: 1MB, 512MiB (at most 1GB).
    #[arg(long, value_name = "SIZE", default_value = "512MiB", value_parser = smartnotes::import::parse_attachment_size)]
    pub max_attachment_size: u64,
    /// Print what was attached as a JSON array.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct GcArgs {
    /// Say what would be removed; remove nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print one JSON object with what was (or would be) removed.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TagArgs {
    #[command(subcommand)]
    pub action: TagAction,
}

/// The notes a `tag` action changes, and how it reports.
#[derive(Debug, Args)]
pub struct TagTarget {
    /// The notes' ids; with a filter too, only those of them it selects.
    #[arg(value_name = "ID")]
    pub ids: Vec<i64>,
    /// Print the notes changed as a JSON array.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub filter: FilterArgs,
}

#[derive(Debug, Subcommand)]
pub enum TagAction {
    /// Add TAG to the notes given by id or selected by a filter.
    Add {
        /// The tag to add.
        tag: String,
        #[command(flatten)]
        target: TagTarget,
    },
    /// Remove TAG from the notes given by id or selected by a filter.
    Remove {
        /// The tag to remove.
        tag: String,
        #[command(flatten)]
        target: TagTarget,
    },
    /// Rename the tag OLD to NEW on every note that has it (or on those given or selected).
    Rename {
        /// The tag as it is.
        old: String,
        /// The tag as it becomes.
        new: String,
        #[command(flatten)]
        target: TagTarget,
    },
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// How many notes to add.
    #[arg(long, short = 'n', default_value_t = 1000)]
    pub count: usize,
    /// Generator seed: the same seed gives the same notes.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Add to a notebook that already holds notes without asking.
    #[arg(long, short)]
    pub yes: bool,
    /// Print one JSON object with what was added.
    #[arg(long)]
    pub json: bool,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Print the settings as one JSON object.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub defaults: Defaults,
}

/// The settings a config file, the environment and flags can give `export` (see
/// `smartnotes config`).
#[derive(Debug, Args, Clone, Default)]
pub struct Defaults {
    /// The export folder; nothing is written outside it (default: smartnotes-export, or
    /// SMARTNOTES_OUT, or the config file's `out`). `-` with --layout bundle and one format:
    /// standard output.
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Formats, comma-separated (default: md,json,csv, or SMARTNOTES_FORMATS, or the config
    /// file's `formats`).
    #[arg(long, short, value_delimiter = ',')]
    pub format: Option<Vec<Format>>,
    /// How jobs run: one after another, a thread each, a pool of N threads, or async tasks
    /// (default: async, or SMARTNOTES_STRATEGY, or the config file's `strategy`).
    #[arg(long, short, value_enum)]
    pub strategy: Option<StrategyKind>,
}

/// The shells `completions` writes a script for.
pub use clap_complete::Shell;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The folder the pages go to (created if missing).
    #[arg(long, value_name = "DIR", default_value = "docs/man")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub defaults: Defaults,
    /// N: the most jobs at once (pool workers, async tasks in flight). Default per strategy.
    #[arg(long, short, value_name = "N", value_parser = at_least_one())]
    pub jobs: Option<usize>,
    /// Add simulated I/O latency to every write, like the lesson's slow disk: 100ms, 1s (at
    /// most an hour).
    #[arg(long, value_parser = parse_latency, value_name = "DURATION")]
    pub latency: Option<Duration>,
    /// One file per note per format, or one bundle file per format.
    #[arg(long, value_enum, default_value_t = Layout::Files)]
    pub layout: Layout,
    /// File names: `<id>-<slug>.<ext>`, or the lesson's `note_<id>.<ext>`.
    #[arg(long, value_enum, default_value_t = Naming::Slug)]
    pub naming: Naming,
    /// After a failed job: run the rest (continue) or schedule nothing more (fail-fast).
    #[arg(long, value_enum, default_value_t = OnError::Continue)]
    pub on_error: OnError,
    /// Also write the failures as a JSON array to this file (an empty array if none).
    #[arg(long, value_name = "FILE")]
    pub errors_json: Option<PathBuf>,
    /// Print what would be written (paths and sizes) and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// CSV: prefix cells a spreadsheet would run as a formula (=, +, -, @, tab, CR) with '.
    #[arg(long)]
    pub csv_safe: bool,
    // vault-out: front matter profiles (issue 12).
    /// Markdown front matter for its reader: smartnotes' own (what import reads back), keep
    /// (as imported, byte for byte while unchanged), obsidian, hugo, jekyll, or zola (TOML).
    #[arg(long, value_enum, default_value_t = FrontMatter::Smartnotes, value_name = "PROFILE")]
    pub front_matter: FrontMatter,
    // links (issue 13).
    /// How links are written in Markdown files: relative Markdown links to the exported files
    /// (default outside --layout vault), wikilinks naming them (default in the vault), or as
    /// written.
    #[arg(long, value_enum, value_name = "MODE")]
    pub links: Option<smartnotes::links::LinkMode>,
    /// How embedded notes (![[Note]]) are written in Markdown files: as a link, or the note's
    /// text in place (at most 5 deep; a cycle ends in a link).
    #[arg(long, value_enum, default_value_t = smartnotes::links::EmbedMode::Link, value_name = "MODE")]
    pub embeds: smartnotes::links::EmbedMode,
    /// CSV: start each file with a UTF-8 byte-order mark, so that Excel and LibreOffice read
    /// accents and CJK right (import reads past it).
    #[arg(long)]
    pub csv_bom: bool,
    /// Fail about this fraction of writes on purpose (0 to 1), for demos and tests.
    #[arg(long, value_name = "P", hide_short_help = true, value_parser = parse_fraction)]
    pub fail_rate: Option<f64>,
    /// Seed choosing which writes --fail-rate fails.
    #[arg(long, default_value_t = 0, value_name = "S", hide_short_help = true)]
    pub fail_seed: u64,
    /// What --fail-rate injects: a permanent error, a full disk, or a transient error.
    #[arg(long, value_enum, default_value_t = FaultKind::Permanent, hide_short_help = true)]
    pub fail_kind: FaultKind,
    /// Retry a write that failed with a transient error (EINTR, EAGAIN, a timeout) N times,
    /// waiting 10 ms, 20 ms, 40 ms, ... in between.
    #[arg(long, default_value_t = smartnotes::export::DEFAULT_RETRY_LIMIT, value_name = "N")]
    pub retries: u32,
    /// Write only new and changed notes, by a manifest kept in the output folder.
    #[arg(long)]
    pub incremental: bool,
    /// With --incremental: remove the files of notes deleted (or filtered out) since.
    #[arg(long, requires = "incremental")]
    pub prune: bool,
    /// With --incremental: also compare every file with what it should hold, and write again
    /// the files edited by hand since (slower: every file is read).
    #[arg(long, requires = "incremental")]
    pub verify: bool,
    /// Where bytes go: files (dir), or nowhere (null, for measurements).
    #[arg(long, value_enum, default_value_t = SinkKind::Dir, hide = true)]
    pub sink: SinkKind,
    /// Export N synthetic notes instead of the notebook (scale tests).
    #[arg(long, value_name = "N", hide = true)]
    pub synthetic: Option<u64>,
    /// Print one JSON object with the summary on standard output.
    #[arg(long)]
    pub json: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub filter: FilterArgs,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files and folders to import; folders are walked recursively for .md, .markdown, .json,
    /// .jsonl, .csv files and .txt or .journal jrnl journals. `-` is standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Keep the notes' ids; an id already in the notebook is an error naming both notes.
    #[arg(long)]
    pub keep_ids: bool,
    /// Keep the notes' ids and replace the notes whose id already exists.
    #[arg(long)]
    pub update: bool,
    /// Import the valid notes and list the invalid ones (the exit code is still 1).
    #[arg(long)]
    pub skip_invalid: bool,
    /// Check everything and print what would be added, updated or unchanged; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Refuse files larger than this: 1024, 1KB, 512KiB, 16MiB.
    #[arg(long, value_name = "SIZE", default_value = "16MiB", value_parser = smartnotes::import::parse_size)]
    pub max_size: u64,
    /// The CSV files were exported with --csv-safe: remove the ' it put before cells.
    #[arg(long)]
    pub csv_safe: bool,
    // attach: the files of a folder that are not notes are its attachments.
    /// Refuse attachments (files of a folder that are not notes) larger than this: 1MB,
    /// 512MiB (at most 1GB, the most the notebook holds in one).
    #[arg(long, value_name = "SIZE", default_value = "512MiB", value_parser = smartnotes::import::parse_attachment_size)]
    pub max_attachment_size: u64,
    /// The format of `-` (standard input): md, json, jsonl or csv; detected from the content
    /// when not given.
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<Format>,
    // vault-in: reading other tools' notes.
    /// Read only the files smartnotes writes and make every problem an error (without it,
    /// notes of Obsidian, zk, Jekyll, Hugo, Joplin and jrnl are read, problems are warnings).
    #[arg(long)]
    pub strict: bool,
    /// The time zone of dates that give none (`2019-05-01 16:54`): an IANA name
    /// (Europe/Paris), UTC, or an offset (+02:00). Default: the local time zone.
    #[arg(long, value_name = "ZONE", value_parser = clap::value_parser!(smartnotes::import::Zone))]
    pub timezone: Option<smartnotes::import::Zone>,
    /// Print one JSON object with the summary on standard output.
    #[arg(long)]
    pub json: bool,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// How long to wait for a notebook locked by another process, in milliseconds.
    #[arg(
        long,
        env = "SMARTNOTES_BUSY_TIMEOUT_MS",
        default_value_t = 5000,
        value_name = "MS",
        hide = true
    )]
    pub busy_timeout_ms: u64,
}

/// The longest simulated wait any option accepts: an hour is already far past any lesson or
/// benchmark, and it keeps every sum of waits far from `Duration`'s overflow.
pub const MAX_LATENCY: Duration = Duration::from_secs(3600);

/// A simulated latency: `100ms`, `1.5s`, `2s`; at most [`MAX_LATENCY`].
fn parse_latency(text: &str) -> Result<Duration, String> {
    let latency = humantime::parse_duration(text)
        .map_err(|e| format!("{e} (write it like 100ms, 1.5s or 2s)"))?;
    at_most_an_hour(latency, text)
}

fn at_most_an_hour(d: Duration, text: &str) -> Result<Duration, String> {
    if d > MAX_LATENCY {
        return Err(format!(
            "{} is longer than the most allowed, {}",
            text.trim(),
            humantime::format_duration(MAX_LATENCY)
        ));
    }
    Ok(d)
}

/// One lab duration: plain seconds (`0.5`) or with a unit (`500ms`); at most an hour.
fn parse_lab_duration(text: &str) -> Result<Duration, String> {
    let mut list = smartnotes::lab::parse_durations(text)?;
    match (list.pop(), list.is_empty()) {
        (Some(d), true) => at_most_an_hour(d, text),
        _ => Err(format!(
            "{text:?}: expected one duration such as 0.5 or 500ms"
        )),
    }
}

/// A fraction from 0 to 1 (NaN and infinities are not).
fn parse_fraction(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        Ok(_) => Err(format!("{text} is not a number from 0 to 1")),
        Err(e) => Err(format!("{e}: expected a number from 0 to 1, like 0.1")),
    }
}

/// A count of at least 1 (clap's own range check, so `0` is a usage error).
fn at_least_one() -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::<usize>::new().range(1..)
}
