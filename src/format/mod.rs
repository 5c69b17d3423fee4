//! Output formats: a note turned into bytes.
//!
//! Each format is one file in this folder behind the private `Render` trait, whose single
//! method appends one note's record to a buffer. Rendering never touches the file system:
//! writing, naming and crash safety belong to [`crate::export`](mod@crate::export). What surrounds the records
//! (a CSV header, the brackets of a JSON array) is chosen here, in one `match` per layout, so
//! that a per-note file and a bundle hold records rendered by the same code.

mod csv;
mod fast_csv;
mod fast_json;
pub mod front_matter;
mod json;
mod jsonl;
mod markdown;
mod words;

pub use front_matter::{FrontMatter, TagChange};
pub(crate) use markdown::{BODY_BYTES, opens_record};

use std::borrow::Borrow;
use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use crate::model::Note;

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Markdown with front matter (smartnotes' own: id, title, tags, created, updated, then the
    /// properties; or another [`FrontMatter`] profile), then the body.
    Md,
    /// One pretty-printed JSON object per note; a JSON array in a bundle.
    Json,
    /// One compact JSON object per line.
    Jsonl,
    /// RFC 4180 CSV with the header `id,title,tags,created,updated,body,properties,source`;
    /// tags joined by `;`, properties and source as JSON (empty cells when there are none).
    Csv,
}

impl Format {
    /// Every format, in their canonical order.
    pub const ALL: [Format; 4] = [Format::Md, Format::Json, Format::Jsonl, Format::Csv];

    /// The formats exported when none are named: the lesson's three.
    pub const DEFAULT: [Format; 3] = [Format::Md, Format::Json, Format::Csv];

    /// The file extension, also the name of the format's folder in the `files` layout.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Md => "md",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
        }
    }

    /// Bytes of a file holding `note` alone.
    pub fn render_file(self, note: &Note, options: &RenderOptions, out: &mut Vec<u8>) {
        let framing = self.framing(options);
        out.extend_from_slice(framing.header);
        framing.render.render(note, out);
        out.extend_from_slice(framing.record_end);
    }

    /// Writes a bundle: every note of `notes` in one file, in order, streamed to `out`.
    ///
    /// Notes are rendered one at a time into a reused buffer, so memory does not grow with
    /// the number of notes. Returns the number of notes written.
    pub fn write_bundle<N: Borrow<Note>, E>(
        self,
        notes: impl IntoIterator<Item = Result<N, E>>,
        options: &RenderOptions,
        out: &mut impl Write,
    ) -> Result<u64, BundleError<E>> {
        let framing = self.framing(options);
        let (open, separator, close, empty) = match self {
            Format::Json => (&b"[\n"[..], &b",\n"[..], &b"\n]\n"[..], &b"[]\n"[..]),
            Format::Md | Format::Jsonl | Format::Csv => (&b""[..], &b""[..], &b""[..], &b""[..]),
        };
        out.write_all(framing.header)?;
        let mut buf = Vec::with_capacity(8 * 1024);
        let mut count = 0u64;
        for note in notes {
            let note = note.map_err(BundleError::Source)?;
            buf.clear();
            buf.extend_from_slice(if count == 0 { open } else { separator });
            match self {
                // A record that can say where it ends (see markdown.rs).
                Format::Md => markdown::render_bundle_record(note.borrow(), &mut buf),
                // A JSON array's separators and close carry the line breaks.
                Format::Json => framing.render.render(note.borrow(), &mut buf),
                Format::Jsonl | Format::Csv => {
                    framing.render.render(note.borrow(), &mut buf);
                    buf.extend_from_slice(framing.record_end);
                }
            }
            out.write_all(&buf)?;
            count += 1;
        }
        out.write_all(if count == 0 { empty } else { close })?;
        Ok(count)
    }

    fn framing(self, options: &RenderOptions) -> Framing {
        match self {
            Format::Md => Framing {
                header: b"",
                record_end: b"",
                render: match options.front_matter {
                    FrontMatter::Smartnotes => &markdown::Markdown(FrontMatter::Smartnotes),
                    FrontMatter::Keep => &markdown::Markdown(FrontMatter::Keep),
                    FrontMatter::Obsidian => &markdown::Markdown(FrontMatter::Obsidian),
                    FrontMatter::Hugo => &markdown::Markdown(FrontMatter::Hugo),
                    FrontMatter::Jekyll => &markdown::Markdown(FrontMatter::Jekyll),
                    FrontMatter::Zola => &markdown::Markdown(FrontMatter::Zola),
                },
            },
            Format::Json => Framing {
                header: b"",
                record_end: b"\n",
                render: &json::Json,
            },
            Format::Jsonl => Framing {
                header: b"",
                record_end: b"\n",
                render: &jsonl::JsonLines,
            },
            Format::Csv => Framing {
                header: if options.csv_bom {
                    csv::BOM_HEADER
                } else {
                    csv::HEADER
                },
                record_end: b"",
                render: if options.csv_safe {
                    &csv::Csv { safe: true }
                } else {
                    &csv::Csv { safe: false }
                },
            },
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.extension())
    }
}

/// Choices that change how notes are rendered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RenderOptions {
    /// Prefix CSV cells that a spreadsheet would run as a formula.
    pub csv_safe: bool,
    /// The front matter of Markdown files (bundles always get smartnotes' own).
    pub front_matter: FrontMatter,
    /// Start every CSV file (a note's, or a bundle) with a UTF-8 byte-order mark, which Excel
    /// and LibreOffice need to read the file as UTF-8; import reads past it.
    pub csv_bom: bool,
}

/// How one format renders one note.
///
/// Contract: `render` appends exactly one record for `note` to `out` and nothing else; it is
/// a pure function of the note (no clock, no randomness, no file system), so the same note
/// always gives the same bytes whatever strategy, thread or order renders it.
trait Render: Sync {
    fn render(&self, note: &Note, out: &mut Vec<u8>);
}

/// What surrounds a record in a file of one format.
struct Framing {
    header: &'static [u8],
    record_end: &'static [u8],
    render: &'static dyn Render,
}

/// Why a bundle could not be written.
#[derive(Debug, thiserror::Error)]
pub enum BundleError<E> {
    /// Reading the notes failed.
    #[error("reading the notes failed")]
    Source(#[source] E),
    /// Writing failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

#[cfg(test)]
mod fast_csv_tests;
#[cfg(test)]
mod fast_json_tests;
#[cfg(test)]
pub(crate) mod testdata;
#[cfg(test)]
mod tests;
