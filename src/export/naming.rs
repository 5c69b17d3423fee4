//! Where each note's file goes: `<format>/<id>-<slug>.<ext>` or `<format>/note_<id>.<ext>`.
//!
//! A name depends only on the note (its id and title) and the format: never on the order of
//! work, the strategy, or what is already on disk, so re-exports replace files in place and
//! never produce "name (1)" copies. The id in every name makes collisions impossible; the slug
//! is only for people.
//!
//! Two layouts place files by names that carry no id: the vault (a note's remembered path, or
//! [`vault_name`] for a note made in smartnotes) and Jekyll's posts ([`jekyll_post`]). Their
//! names are checked here ([`vault_path_problem`]) and made distinct by `placement.rs`
//! ([`with_suffix`], [`collision_key`]).
//!
//! [`generated_note`] is the mirror: it says whether a file name found in a format folder is
//! one this module makes, and for which note. It is how a plain export recognises a note's
//! file under an older title: only exact generated names (the id without leading zeros, a
//! slug that [`slug`] could have made, the format's own extension) count, so `7-my-draft.txt`,
//! `12.jpg` or `20 things to do.md` beside the exports are never taken for notes.

use std::path::{Path, PathBuf};

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use crate::format::Format;
use crate::model::Note;

/// How per-note files are named.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Naming {
    /// `<id>-<slug>.<ext>`: sortable by id, readable by title.
    #[default]
    Slug,
    /// `note_<id>.<ext>`, as in the lesson.
    Id,
}

/// Name prefix of everything an export keeps for itself in the export folder while it runs:
/// the staging folder (`<prefix><pid>`) and a manifest being written. Whatever carries it
/// belongs to an export that was killed, and the next export removes it.
pub const STAGING_PREFIX: &str = ".smartnotes-staging-";

/// The manifest of an incremental export, in the export folder.
pub const MANIFEST_NAME: &str = ".smartnotes-manifest.json";

/// The longest slug, in bytes. With the id and extension a name stays far below the 255-byte
/// file-name limit of ext4, APFS and NTFS.
pub const MAX_SLUG_BYTES: usize = 80;

/// The slug of a title: lowercase words joined by `-`.
///
/// The title is first brought to Unicode NFC, so the same title typed on macOS (NFD) and Linux
/// (NFC) gives the same slug. A word is a run of letters or digits in any script; everything
/// else (punctuation, spaces, `/`, `\`, `.`, control characters, emoji) separates words. The
/// result is capped at [`MAX_SLUG_BYTES`] on a character boundary and is never empty
/// (`untitled`), so it can hold no path separator, no `..`, no NUL and no control character.
pub fn slug(title: &str) -> String {
    let mut slug = String::with_capacity(title.len().min(MAX_SLUG_BYTES));
    push_slug(&mut slug, title);
    slug
}

/// Appends [`slug`]`(title)` to `out`.
fn push_slug(out: &mut String, title: &str) {
    // An ASCII title needs neither the normalizer nor Unicode's tables: a loop over its bytes
    // gives the same slug (`the_ascii_slug_is_the_general_one` checks it) for a fraction of
    // the cost, and the slug is most of the reading thread's work per note.
    if title.is_ascii() {
        push_ascii_slug(out, title);
    } else if is_nfc_quick(title.chars()) == IsNormalized::Yes {
        // Most titles are NFC already: the quick check spares them the normalizer's buffering.
        push_slug_of(out, title.chars());
    } else {
        push_slug_of(out, title.nfc());
    }
}

/// [`push_slug`] of a title that is all ASCII: the same rules, byte by byte (an ASCII
/// character is alphanumeric exactly when it is an ASCII letter or digit, its lowercase is
/// one byte, and ASCII is NFC).
fn push_ascii_slug(out: &mut String, title: &str) {
    let start = out.len();
    let mut pending_dash = false;
    for &b in title.as_bytes() {
        if !b.is_ascii_alphanumeric() {
            pending_dash = true;
            continue;
        }
        if pending_dash && out.len() > start {
            if out.len() - start + 1 >= MAX_SLUG_BYTES {
                break;
            }
            out.push('-');
        }
        pending_dash = false;
        if out.len() - start + 1 > MAX_SLUG_BYTES {
            break;
        }
        out.push(char::from(b.to_ascii_lowercase()));
    }
    if out.len() == start {
        out.push_str("untitled");
    }
}

/// [`push_slug`] of a title's characters, already in NFC.
fn push_slug_of(out: &mut String, chars: impl Iterator<Item = char>) {
    let start = out.len();
    let mut pending_dash = false;
    'chars: for c in chars {
        if c.is_alphanumeric() {
            if pending_dash && out.len() > start {
                if out.len() - start + 1 >= MAX_SLUG_BYTES {
                    break;
                }
                out.push('-');
            }
            pending_dash = false;
            if c.is_ascii() {
                if out.len() - start + 1 > MAX_SLUG_BYTES {
                    break;
                }
                out.push(c.to_ascii_lowercase());
                continue;
            }
            for lower in c.to_lowercase() {
                if out.len() - start + lower.len_utf8() > MAX_SLUG_BYTES {
                    break 'chars;
                }
                out.push(lower);
            }
        } else {
            pending_dash = true;
        }
    }
    if out.len() == start {
        out.push_str("untitled");
    }
}

/// The name of a note's file in its format folder.
pub fn file_name(note: &Note, format: Format, naming: Naming) -> String {
    with_extension(&stem(note, naming), format)
}

/// What the names of a note's files share before the extension: `<id>-<slug>` or
/// `note_<id>`. An export computes it once per note, for all its formats.
pub fn stem(note: &Note, naming: Naming) -> String {
    let mut stem = String::with_capacity(24 + note.title.len().min(MAX_SLUG_BYTES));
    // itoa rather than `write!`: the id is written once per note on the reading thread, and
    // `core::fmt` costs several times the digits.
    let mut id = itoa::Buffer::new();
    let id = id.format(note.id);
    match naming {
        Naming::Slug => {
            stem.push_str(id);
            stem.push('-');
            push_slug(&mut stem, &note.title);
        }
        Naming::Id => {
            stem.push_str("note_");
            stem.push_str(id);
        }
    }
    stem
}

/// The file name of [`stem`] in `format`: one allocation.
pub(crate) fn with_extension(stem: &str, format: Format) -> String {
    let mut name = String::with_capacity(stem.len() + 1 + format.extension().len());
    push_with_extension(&mut name, stem, format);
    name
}

/// Appends [`with_extension`]'s name to `out`.
pub(crate) fn push_with_extension(out: &mut String, stem: &str, format: Format) {
    out.push_str(stem);
    out.push('.');
    out.push_str(format.extension());
}

/// The path of a note's file, relative to the export folder: `<ext>/<file name>`.
pub fn relative_path(note: &Note, format: Format, naming: Naming) -> PathBuf {
    [format.extension(), file_name(note, format, naming).as_str()]
        .iter()
        .collect()
}

/// The note whose file `name` is, if it is exactly a name [`file_name`] makes for `format`
/// under either naming: `<id>-<slug>.<ext>` with a slug that [`slug`] gives back unchanged,
/// or `note_<id>.<ext>`; the id in decimal without a leading zero. Anything else is not a
/// file smartnotes made.
pub fn generated_note(name: &str, format: Format) -> Option<i64> {
    let stem = name.strip_suffix(format.extension())?.strip_suffix('.')?;
    let (id, slug_part) = match stem.strip_prefix("note_") {
        Some(id) => (id, None),
        None => {
            let (id, slug_part) = stem.split_once('-')?;
            (id, Some(slug_part))
        }
    };
    let canonical =
        !id.is_empty() && !id.starts_with('0') && id.bytes().all(|b| b.is_ascii_digit());
    let id: i64 = id.parse().ok().filter(|_| canonical)?;
    match slug_part {
        Some(part) if !is_plain_slug(part) && slug(part) != part => None,
        _ => Some(id),
    }
}

/// Whether `part` is plainly a slug [`slug`] gives back unchanged: ASCII lowercase letters and
/// digits in words joined by single dashes, at most [`MAX_SLUG_BYTES`]. The quick test of
/// [`generated_note`] (a manifest of 300,000 names spent a third of its reading time in
/// [`slug`]); `false` only means "ask [`slug`]". Checked against [`slug`] by
/// `tests::a_plain_slug_is_one_slug_gives_back`.
fn is_plain_slug(part: &str) -> bool {
    let bytes = part.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_SLUG_BYTES
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
        && !part.contains("--")
        && bytes
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The longest file name stem the vault layout makes from a title, in bytes: with a collision
/// suffix (` (9007199254740991)`, 19 bytes) and `.md` a name stays far below the 255-byte
/// file-name limit of ext4, APFS and NTFS.
pub const MAX_VAULT_STEM_BYTES: usize = 200;

/// The file name the vault layout gives a note made in smartnotes: `<title>.md`, the title
/// made safe for Windows, macOS and Linux file names and for Obsidian's links.
///
/// In NFC; `/ \ : * ? " < > |` (path separators and what Windows refuses), Obsidian's link
/// syntax `[ ] # ^ |` and control characters become spaces, runs of white space one space;
/// no space or `.` at either end (Windows drops a trailing one, and a leading `.` hides the
/// file from Obsidian); a name Windows reserves (`CON`, `NUL`, `COM1`, `LPT9`, ... in any
/// case, with or without an extension) gets a `_`; capped at [`MAX_VAULT_STEM_BYTES`] on a
/// character boundary; `Untitled` when nothing is left.
pub fn vault_name(title: &str) -> String {
    let refused = |c: char| {
        c.is_control()
            || matches!(
                c,
                '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' | '[' | ']' | '#' | '^'
            )
    };
    let mut stem = String::with_capacity(title.len().min(MAX_VAULT_STEM_BYTES));
    for c in title.nfc() {
        let c = if refused(c) || c.is_whitespace() {
            ' '
        } else {
            c
        };
        if c == ' ' && (stem.is_empty() || stem.ends_with(' ')) {
            continue;
        }
        if stem.len() + c.len_utf8() > MAX_VAULT_STEM_BYTES {
            break;
        }
        stem.push(c);
    }
    let stem = stem.trim_matches(|c: char| c == ' ' || c == '.');
    let mut stem = if stem.is_empty() {
        "Untitled".to_owned()
    } else {
        stem.to_owned()
    };
    if windows_reserved(&stem) {
        stem.push('_');
    }
    stem.push_str(".md");
    stem
}

/// Whether Windows reserves `stem` as a device name (`CON`, `PRN`, `AUX`, `NUL`, `COM0`-`COM9`,
/// `LPT0`-`LPT9`, also with superscript digits), whatever its case and extension.
fn windows_reserved(stem: &str) -> bool {
    let base = stem
        .split('.')
        .next()
        .unwrap_or(stem)
        .trim_end()
        .to_ascii_uppercase();
    match base.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" => true,
        _ => {
            let (prefix, digit) = base.split_at(base.len().min(3));
            matches!(prefix, "COM" | "LPT")
                && matches!(
                    digit,
                    "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "¹" | "²" | "³"
                )
        }
    }
}

/// The name Jekyll wants for a post: `_posts/YYYY-MM-DD-<slug>.md`, dated by creation (UTC).
pub fn jekyll_post(note: &Note) -> String {
    format!(
        "_posts/{}-{}.md",
        note.created.as_datetime().format("%Y-%m-%d"),
        slug(&note.title)
    )
}

/// `path` with ` (<id>)` (vault) or `-<id>` (Jekyll) before its extension: the name of a note
/// whose own name another note already has.
pub fn with_suffix(path: &str, id: i64, jekyll: bool) -> String {
    let (stem, ext) = match path.rfind('.') {
        Some(dot) if dot > path.rfind('/').map_or(0, |s| s + 1) => path.split_at(dot),
        _ => (path, ""),
    };
    if jekyll {
        format!("{stem}-{id}{ext}")
    } else {
        format!("{stem} ({id}){ext}")
    }
}

/// Why a remembered source path cannot be written inside the export folder, if it cannot:
/// it is absolute, a part of it is empty, `.` or `..`, a part is longer than 255 bytes, or it
/// starts with the names smartnotes keeps for itself (`.smartnotes-`). A symbolic link on
/// the way is found when the file is published.
pub fn vault_path_problem(path: &str) -> Option<&'static str> {
    if path.starts_with('/') {
        return Some("it is an absolute path");
    }
    for part in path.split('/') {
        match part {
            "" => return Some("a part of it is empty (a leading, doubled or trailing /)"),
            "." | ".." => {
                return Some("it holds a . or .. part, which could lead outside the export folder");
            }
            part if part.len() > 255 => return Some("a part of it is longer than 255 bytes"),
            _ => {}
        }
    }
    if path.starts_with(".smartnotes-") {
        return Some("names starting with .smartnotes- are the export's own");
    }
    None
}

/// The key two paths collide on in a folder that ignores case or normalization (macOS,
/// Windows): NFC, lowercase.
pub fn collision_key(path: &str) -> String {
    path.nfc().flat_map(char::to_lowercase).collect()
}

/// The name of a bundle file.
pub fn bundle_name(format: Format) -> String {
    format!("notes.{}", format.extension())
}

/// Whether the folder `out` holds something an export made: a manifest or staging folder
/// (`.smartnotes-*`), a bundle (`notes.<ext>`), or a format folder with a file named exactly as
/// a note's file (`<id>-<slug>.<ext>` or `note_<id>.<ext>`, exactly as generated); or a
/// Markdown file at its top (a vault, or an export of one: the vault layout's names carry no
/// id, so any such folder counts, which errs on the safe side). A folder that cannot be read counts as holding one (it
/// is safer to assume so); a missing folder, or a file in its place, does not.
///
/// This is how the command line tells a first run (where the sample notebook may be exported)
/// from an existing backup (where a missing notebook must be an error).
pub fn holds_export(out: &Path) -> bool {
    let entries = match std::fs::read_dir(out) {
        Ok(entries) => entries,
        Err(e) => {
            use std::io::ErrorKind::{NotADirectory, NotFound};
            return !matches!(e.kind(), NotFound | NotADirectory);
        }
    };
    entries.into_iter().any(|entry| {
        let Ok(entry) = entry else { return true };
        let name = entry.file_name();
        let name = name.to_string_lossy();
        name.starts_with(".smartnotes-")
            || name.ends_with(".md")
            || Format::ALL.into_iter().any(|format| {
                name == bundle_name(format)
                    || (name == format.extension() && holds_note_files(&entry.path(), format))
            })
    })
}

/// Whether the format folder `dir` holds a note's file of `format` (or cannot be read).
fn holds_note_files(dir: &Path, format: Format) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return true;
    };
    entries.flatten().any(|entry| {
        entry
            .file_name()
            .to_str()
            .is_some_and(|name| generated_note(name, format).is_some())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        // The ASCII fast path gives the slug of the general path, on any ASCII string
        // (punctuation runs, long titles past the cap, digits, nothing alphanumeric).
        #[test]
        fn the_ascii_slug_is_the_general_one(title in "[ -~\\t\\n]{0,120}|[a-zA-Z0-9 ,.:#-]{70,100}") {
            let (mut fast, mut general) = (String::from("7-"), String::from("7-"));
            push_ascii_slug(&mut fast, &title);
            push_slug_of(&mut general, title.chars());
            proptest::prop_assert_eq!(fast, general);
        }

        // The quick test never says yes where `slug` would say no: on strings of slug bytes
        // (most of them plain slugs, some not) and on any string.
        #[test]
        fn a_plain_slug_is_one_slug_gives_back(
            part in "[a-z0-9-]{0,90}|[a-zA-Z0-9 _.-]{0,12}|\\PC{0,20}"
        ) {
            if is_plain_slug(&part) {
                proptest::prop_assert_eq!(slug(&part), part);
            }
        }
    }

    #[test]
    fn the_ascii_slug_is_the_general_one_on_real_titles() {
        let long = "a".repeat(MAX_SLUG_BYTES);
        let edges = [
            String::new(),
            "!!!".to_owned(),
            long.clone(),
            format!("{long}b"),
            format!("{} b", "a".repeat(MAX_SLUG_BYTES - 2)),
            format!("{} b", "a".repeat(MAX_SLUG_BYTES - 1)),
            format!("{} bc", "a".repeat(MAX_SLUG_BYTES - 3)),
            "  Leading, trailing  ".to_owned(),
        ];
        let seeded = crate::store::seed::notes(1024, 42).map(|n| n.title);
        let sample = crate::store::sample::notes().into_iter().map(|n| n.title);
        let mut ascii = 0;
        for title in edges.into_iter().chain(seeded).chain(sample) {
            if !title.is_ascii() {
                continue;
            }
            ascii += 1;
            let (mut fast, mut general) = (String::new(), String::new());
            push_ascii_slug(&mut fast, &title);
            push_slug_of(&mut general, title.chars());
            assert_eq!(fast, general, "{title:?}");
        }
        assert!(ascii > 100, "only {ascii} ASCII titles were compared");
    }

    #[test]
    fn plain_slugs_at_the_edges() {
        let long = "a".repeat(MAX_SLUG_BYTES);
        let dash_late = format!("{}-b", "a".repeat(MAX_SLUG_BYTES - 2));
        for (part, plain) in [
            ("hello-world", true),
            ("untitled", true),
            ("a", true),
            (long.as_str(), true),
            (dash_late.as_str(), true),
            ("-a", false),
            ("a-", false),
            ("a--b", false),
            ("", false),
            ("Hello", false),
            ("café", false),
        ] {
            assert_eq!(is_plain_slug(part), plain, "{part:?}");
            if plain {
                assert_eq!(slug(part), part);
            }
        }
        assert!(!is_plain_slug(&format!("{long}a")));
        assert_eq!(generated_note("7-café.md", Format::Md), Some(7));
        assert_eq!(generated_note("7-Café.md", Format::Md), None);
    }

    #[test]
    fn slugs_are_lowercase_words() {
        assert_eq!(slug("Hello, World!"), "hello-world");
        assert_eq!(
            slug("Réunion: café & croissants ☕"),
            "réunion-café-croissants"
        );
        assert_eq!(slug("読書メモ: 並行"), "読書メモ-並行");
        assert_eq!(slug("  spaced   out  "), "spaced-out");
    }

    #[test]
    fn hostile_titles_give_safe_slugs() {
        for title in [
            "../../etc/passwd",
            "/etc/passwd",
            "a/b\\c",
            "..",
            "CON",
            "a\0b",
            "x\u{7}y",
        ] {
            let s = slug(title);
            assert!(!s.is_empty());
            assert!(
                !s.contains(['/', '\\', '\0']) && !s.contains(".."),
                "{title:?} -> {s:?}"
            );
            assert!(!s.chars().any(char::is_control), "{title:?} -> {s:?}");
        }
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
    }

    #[test]
    fn empty_and_emoji_only_titles_are_untitled() {
        assert_eq!(slug(""), "untitled");
        assert_eq!(slug("🚀🎉"), "untitled");
        assert_eq!(slug("---"), "untitled");
    }

    #[test]
    fn long_titles_are_capped_on_a_char_boundary() {
        for title in [
            "word ".repeat(300),
            "日本語".repeat(200),
            "é".repeat(10_000),
        ] {
            let s = slug(&title);
            assert!(s.len() <= MAX_SLUG_BYTES, "{}", s.len());
            assert!(!s.ends_with('-'));
        }
    }

    #[test]
    fn nfc_and_nfd_titles_give_the_same_slug() {
        let nfc = "Caf\u{e9}";
        let nfd = "Cafe\u{301}";
        assert_ne!(nfc, nfd);
        assert_eq!(slug(nfc), slug(nfd));
    }

    #[test]
    fn paths_follow_the_layout_and_give_back_the_id() {
        let note: Note = serde_json::from_value(serde_json::json!({
            "id": 7, "title": "Key: Value", "tags": [], "created": "2026-01-01T00:00:00Z",
            "updated": "2026-01-01T00:00:00Z", "body": ""
        }))
        .unwrap();
        let p = relative_path(&note, Format::Md, Naming::Slug);
        assert_eq!(p, PathBuf::from("md/7-key-value.md"));
        assert_eq!(
            relative_path(&note, Format::Csv, Naming::Id),
            PathBuf::from("csv/note_7.csv")
        );
        assert_eq!(generated_note("7-key-value.md", Format::Md), Some(7));
        assert_eq!(generated_note("note_12.csv", Format::Csv), Some(12));
        assert_eq!(generated_note("12-2026-plan.md", Format::Md), Some(12));
        assert_eq!(generated_note("notes.md", Format::Md), None);
    }

    #[test]
    fn only_exact_generated_names_are_taken_for_a_notes_file() {
        let note = |id: i64, title: &str| -> Note {
            serde_json::from_value(serde_json::json!({
                "id": id, "title": title, "tags": [], "created": "2026-01-01T00:00:00Z",
                "updated": "2026-01-01T00:00:00Z", "body": ""
            }))
            .unwrap()
        };
        for (id, title) in [
            (7, "Key: Value"),
            (1, "Réunion café"),
            (42, ""),
            (3, "読書メモ"),
        ] {
            for format in Format::ALL {
                for naming in [Naming::Slug, Naming::Id] {
                    let name = file_name(&note(id, title), format, naming);
                    assert_eq!(generated_note(&name, format), Some(id), "{name}");
                }
            }
        }
        // A user's files beside the exports (issue 10): none is a note's file.
        for name in [
            "7-my-own-draft.txt",
            "12.jpg",
            "20 things to do.md",
            "12.md",
            "007-x.md",
            "7-My-Draft.md",
            "7-my--draft.md",
            "7-draft-.md",
            "7-.md",
            "-7-x.md",
            "note_07.md",
            "note_.md",
            "note_7-x.md",
            "7-x.md.bak",
            ".7-x.md",
            "7-x.MD",
            "99999999999999999999-x.md",
        ] {
            assert_eq!(generated_note(name, Format::Md), None, "{name}");
        }
        assert_eq!(
            generated_note("7-x.json", Format::Md),
            None,
            "another format"
        );
        assert_eq!(generated_note("7-x.jsonl", Format::Json), None);
    }
}
