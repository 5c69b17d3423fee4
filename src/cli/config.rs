//! The settings a user can make once instead of on every command line: the notebook, the
//! export folder, the formats and the strategy. Each comes from the first of: a flag, an
//! environment variable (`SMARTNOTES_DB`, `SMARTNOTES_OUT`, `SMARTNOTES_FORMATS`,
//! `SMARTNOTES_STRATEGY`), the config file (TOML, `config.toml` in the per-user config folder,
//! or the file `SMARTNOTES_CONFIG` names), the built-in default. `smartnotes config` prints
//! each with where it came from.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::ValueEnum;
use serde::Deserialize;
use smartnotes::export::StrategyKind;
use smartnotes::format::Format;

use super::args::{ConfigArgs, Defaults};
use super::terminal::quoted;
use super::{ExitCode, usage_error};

/// The variable naming another config file (empty: none at all).
pub const CONFIG_VAR: &str = "SMARTNOTES_CONFIG";

/// Where a setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Built in.
    Default,
    /// The config file, at this line.
    File(usize),
    /// This environment variable.
    Env(&'static str),
    /// A command-line flag.
    Flag(&'static str),
}

impl Origin {
    /// `{"from": "file", "line": 3}`, `{"from": "environment", "variable": "..."}`, ...
    fn json(&self) -> serde_json::Value {
        match self {
            Origin::Default => serde_json::json!({ "from": "default" }),
            Origin::File(line) => serde_json::json!({ "from": "file", "line": line }),
            Origin::Env(name) => serde_json::json!({ "from": "environment", "variable": name }),
            Origin::Flag(name) => serde_json::json!({ "from": "flag", "flag": name }),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::File(line) => write!(f, "file, line {line}"),
            Origin::Env(name) => write!(f, "environment, {name}"),
            Origin::Flag(name) => write!(f, "flag, {name}"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
}

/// Every setting in force for this command.
#[derive(Debug, Clone)]
pub struct Effective {
    /// The config file read, if any, and whether it exists.
    pub file: Option<(PathBuf, bool)>,
    pub db: Setting<PathBuf>,
    pub out: Setting<PathBuf>,
    pub formats: Setting<Vec<Format>>,
    pub strategy: Setting<StrategyKind>,
}

/// What the config file may hold; every key is optional, any other key is an error.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    db: Option<toml::Spanned<PathBuf>>,
    out: Option<toml::Spanned<PathBuf>>,
    formats: Option<toml::Spanned<Formats>>,
    strategy: Option<toml::Spanned<String>>,
}

/// `formats = ["md", "json"]` or `formats = "md,json"`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Formats {
    List(Vec<String>),
    Text(String),
}

impl Formats {
    fn names(&self) -> Vec<&str> {
        match self {
            Formats::List(list) => list.iter().map(String::as_str).collect(),
            Formats::Text(text) => text.split(',').collect(),
        }
    }
}

impl Effective {
    /// The settings from the flags given (`db` is `--db`), the environment and the config
    /// file.
    pub fn load(db: Option<PathBuf>, flags: &Defaults) -> anyhow::Result<Effective> {
        let (file_path, file) = read_file()?;
        let line = |span: std::ops::Range<usize>| {
            1 + file.1[..span.start.min(file.1.len())].matches('\n').count()
        };
        let db = match (db, env("SMARTNOTES_DB")?, &file.0.db) {
            (Some(path), _, _) => flag(path, "--db"),
            (None, Some(path), _) => from_env(PathBuf::from(path), "SMARTNOTES_DB"),
            (None, None, Some(path)) => from_file(expand(path.get_ref()), line(path.span())),
            (None, None, None) => Setting {
                value: default_db()?,
                origin: Origin::Default,
            },
        };
        let out = match (&flags.out, env("SMARTNOTES_OUT")?, &file.0.out) {
            (Some(path), _, _) => flag(path.clone(), "--out"),
            (None, Some(path), _) => from_env(PathBuf::from(path), "SMARTNOTES_OUT"),
            (None, None, Some(path)) => from_file(expand(path.get_ref()), line(path.span())),
            (None, None, None) => Setting {
                value: PathBuf::from("smartnotes-export"),
                origin: Origin::Default,
            },
        };
        let file_error = |at: usize, what: String| {
            let path = file_path.as_deref().unwrap_or(Path::new("config"));
            anyhow::anyhow!("config file {}, line {at}: {what}", quoted(path))
        };
        let formats = match (&flags.format, env("SMARTNOTES_FORMATS")?, &file.0.formats) {
            (Some(list), _, _) => flag(list.clone(), "--format"),
            (None, Some(text), _) => from_env(
                parse_formats(text.split(',').collect())
                    .map_err(|e| usage_error(format!("SMARTNOTES_FORMATS={text:?}: {e}")))?,
                "SMARTNOTES_FORMATS",
            ),
            (None, None, Some(list)) => {
                let at = line(list.span());
                let value = parse_formats(list.get_ref().names())
                    .map_err(|e| file_error(at, format!("formats: {e}")))?;
                from_file(value, at)
            }
            (None, None, None) => Setting {
                value: Format::DEFAULT.to_vec(),
                origin: Origin::Default,
            },
        };
        let strategy = match (
            flags.strategy,
            env("SMARTNOTES_STRATEGY")?,
            &file.0.strategy,
        ) {
            (Some(kind), _, _) => flag(kind, "--strategy"),
            (None, Some(text), _) => from_env(
                parse_strategy(&text)
                    .map_err(|e| usage_error(format!("SMARTNOTES_STRATEGY={text:?}: {e}")))?,
                "SMARTNOTES_STRATEGY",
            ),
            (None, None, Some(text)) => {
                let at = line(text.span());
                let value = parse_strategy(text.get_ref())
                    .map_err(|e| file_error(at, format!("strategy: {e}")))?;
                from_file(value, at)
            }
            (None, None, None) => Setting {
                value: StrategyKind::DEFAULT,
                origin: Origin::Default,
            },
        };
        Ok(Effective {
            file: file_path.map(|p| {
                let exists = p.exists();
                (p, exists)
            }),
            db,
            out,
            formats,
            strategy,
        })
    }
}

fn flag<T>(value: T, name: &'static str) -> Setting<T> {
    Setting {
        value,
        origin: Origin::Flag(name),
    }
}

fn from_env<T>(value: T, name: &'static str) -> Setting<T> {
    Setting {
        value,
        origin: Origin::Env(name),
    }
}

fn from_file<T>(value: T, line: usize) -> Setting<T> {
    Setting {
        value,
        origin: Origin::File(line),
    }
}

/// An environment variable; set but empty is a usage error (`SMARTNOTES_DB=` in a crontab
/// is a mistake, not a request for the default notebook).
fn env(name: &'static str) -> anyhow::Result<Option<String>> {
    match std::env::var_os(name) {
        None => Ok(None),
        Some(value) if value.is_empty() => Err(usage_error(format!(
            "{name} is set but empty: unset it, or give it a value"
        ))),
        Some(value) => match value.into_string() {
            Ok(text) => Ok(Some(text)),
            Err(_) => Err(usage_error(format!("{name} is not valid UTF-8"))),
        },
    }
}

fn parse_formats(names: Vec<&str>) -> Result<Vec<Format>, String> {
    let formats: Vec<Format> = names
        .iter()
        .map(|name| {
            Format::from_str(name.trim(), true)
                .map_err(|_| format!("{name:?} is not a format (md, json, jsonl or csv)"))
        })
        .collect::<Result<_, _>>()?;
    if formats.is_empty() {
        return Err("no format given".into());
    }
    Ok(formats)
}

fn parse_strategy(text: &str) -> Result<StrategyKind, String> {
    StrategyKind::from_str(text.trim(), true)
        .map_err(|_| format!("{text:?} is not a strategy (sequential, threads, pool or async)"))
}

/// `~/x` as a path under the home folder; anything else as written (relative paths are
/// taken from the current folder, as on the command line).
fn expand(path: &Path) -> PathBuf {
    match (path.strip_prefix("~"), directories::BaseDirs::new()) {
        (Ok(rest), Some(dirs)) => dirs.home_dir().join(rest),
        _ => path.to_path_buf(),
    }
}

fn default_db() -> anyhow::Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "smartnotes").context(
        "cannot find a home folder for the notebook; pass --db PATH or set SMARTNOTES_DB",
    )?;
    Ok(dirs.data_dir().join("notes.db"))
}

/// The config file's path (`None`: none is used) and what it holds: nothing when the default
/// file does not exist; a file named by `SMARTNOTES_CONFIG` must exist.
fn read_file() -> anyhow::Result<(Option<PathBuf>, (File, String))> {
    let (path, named) = match std::env::var_os(CONFIG_VAR) {
        Some(value) if value.is_empty() => return Ok((None, (File::default(), String::new()))),
        Some(value) => (PathBuf::from(value), true),
        None => match directories::ProjectDirs::from("", "", "smartnotes") {
            Some(dirs) => (dirs.config_dir().join("config.toml"), false),
            None => return Ok((None, (File::default(), String::new()))),
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !named => {
            return Ok((Some(path), (File::default(), String::new())));
        }
        Err(e) => {
            return Err(e)
                .with_context(|| format!("cannot read the config file {}", quoted(&path)));
        }
    };
    let file: File = toml::from_str(&text).map_err(|e| {
        let at = e.span().map_or(1, |s| {
            1 + text[..s.start.min(text.len())].matches('\n').count()
        });
        anyhow::anyhow!(
            "config file {}, line {at}: {}",
            quoted(&path),
            e.message().trim_end()
        )
    })?;
    for (key, value) in [("db", &file.db), ("out", &file.out)] {
        if let Some(value) = value
            .as_ref()
            .filter(|v| v.get_ref().as_os_str().is_empty())
        {
            let at = 1 + text[..value.span().start.min(text.len())]
                .matches('\n')
                .count();
            anyhow::bail!(
                "config file {}, line {at}: {key}: the path is empty",
                quoted(&path)
            );
        }
    }
    Ok((Some(path), (file, text)))
}

/// `smartnotes config`: every setting, its value and where it came from.
pub fn show(settings: &Effective, args: &ConfigArgs) -> anyhow::Result<ExitCode> {
    let formats = settings
        .formats
        .value
        .iter()
        .map(|f| f.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let strategy = settings.strategy.value.to_possible_value().map_or_else(
        || format!("{:?}", settings.strategy.value),
        |v| v.get_name().to_owned(),
    );
    let rows = [
        (
            "db",
            settings.db.value.display().to_string(),
            &settings.db.origin,
        ),
        (
            "out",
            settings.out.value.display().to_string(),
            &settings.out.origin,
        ),
        ("formats", formats, &settings.formats.origin),
        ("strategy", strategy, &settings.strategy.origin),
    ];
    let mut out = std::io::stdout().lock();
    if args.json {
        let mut value = serde_json::json!({
            "file": settings.file.as_ref().map(|(p, _)| p.display().to_string()),
            "file_exists": settings.file.as_ref().is_some_and(|(_, e)| *e),
        });
        for (key, shown, origin) in &rows {
            let mut entry = origin.json();
            entry["value"] = shown.as_str().into();
            value[*key] = entry;
        }
        serde_json::to_writer_pretty(&mut out, &value)?;
        writeln!(out)?;
        return Ok(ExitCode::Success);
    }
    match &settings.file {
        Some((path, true)) => writeln!(out, "config file: {}", quoted(path))?,
        Some((path, false)) => writeln!(out, "config file: {} (none there)", quoted(path))?,
        None => writeln!(out, "config file: none ({CONFIG_VAR} is empty)")?,
    }
    for (key, shown, origin) in rows {
        writeln!(out, "{key:<9} = {:<40} ({origin})", toml_string(&shown))?;
    }
    Ok(ExitCode::Success)
}

/// A value written as TOML writes a string, so the lines can be pasted into the file.
fn toml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}"))
}
