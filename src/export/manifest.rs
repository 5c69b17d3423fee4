//! The manifest of an incremental export: the file `<out>/.smartnotes-manifest.json` that says
//! which file holds each (note id, format), and the [`note_hash`] of the note it was rendered
//! from. This module is the file format alone (read, check, write); what an export decides from
//! it is [`super::incremental`].
//!
//! The layout is built to be read fast: a first line of JSON (version, [`ManifestSettings`],
//! number of entries), then one line per file, `<id> <hash, 32 hex digits> <path>` separated by
//! tabs. A manifest whose line count differs from the header's is damaged.
//!
//! Never trusted blindly: a manifest that is missing, a symbolic link, unreadable, of another
//! version, made with other settings, or listing a path that is not one smartnotes makes for
//! that note (`../x`, an absolute path, another id, another extension: see
//! [`naming::generated_note`]) is refused as a whole, with the reason.
//!
//! Written safely: to a temporary file with an unpredictable name, created exclusively
//! (`O_EXCL`) in the export folder, synced, then renamed over the manifest, so a link planted
//! at either name is never written through, and a reader sees the old manifest or the new one.

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::naming::{self, MANIFEST_NAME, Naming, STAGING_PREFIX};
use crate::format::{Format, RenderOptions};
use crate::model::Note;

/// The manifest layout; another number means a full export. (A manifest written before the
/// settings named the front matter profile and the layout reads them as empty, and is refused
/// for its other settings; placed entries, `<ext>:<path>`, are new lines of the same layout.)
pub(crate) const MANIFEST_VERSION: u32 = 1;

/// What the manifest keeps of a note: the first 16 bytes of a BLAKE3 hash of all its fields.
pub(crate) type NoteHash = [u8; 16];

/// A (note id, format): one file of the `files` layout.
pub(crate) type Key = (i64, Format);

/// One line of the manifest: the file (its name in the format folder, or for a placed file
/// its path from the export folder) and the note's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) name: String,
    pub(crate) hash: NoteHash,
    /// Placed by the layout (the vault, Jekyll's `_posts/`), not in the format's folder.
    pub(crate) placed: bool,
}

/// The hash of every field of `note`: its [`Note::content_hash`] (title, tags, times, body,
/// properties), its id and its whole source (the path names its file in the vault layout,
/// and the front matter and imported hash decide what `--front-matter keep` writes). Two
/// notes with the same hash render to the same bytes in every format, layout and profile.
pub(crate) fn note_hash(note: &Note) -> NoteHash {
    let mut h = blake3::Hasher::new();
    h.update(&note.content_hash());
    h.update(&note.id.to_le_bytes());
    match &note.source {
        None => {
            h.update(&[0]);
        }
        Some(source) => {
            // Each piece length-prefixed, so no two sources share the bytes hashed.
            h.update(&[1]);
            h.update(&(source.path.len() as u64).to_le_bytes());
            h.update(source.path.as_bytes());
            match &source.front_matter {
                None => h.update(&[0]),
                Some(text) => h
                    .update(&[1])
                    .update(&(text.len() as u64).to_le_bytes())
                    .update(text.as_bytes()),
            };
            match &source.imported_hash {
                None => h.update(&[0]),
                Some(hash) => h.update(&[1]).update(hash),
            };
        }
    }
    let mut out = [0u8; 16];
    out.copy_from_slice(&h.finalize().as_bytes()[..16]);
    out
}

/// The key of a note of a notebook: its id and the version the notebook gives it (a new
/// random one whenever the note or its tags change, migration 6), hashed apart from
/// [`note_hash`]'s content hashes so that the two never meet. Equal keys mean the same note
/// as it was: it renders to the same bytes, as with equal [`note_hash`]es.
pub(crate) fn version_key(id: i64, version: i64) -> NoteHash {
    let mut h = blake3::Hasher::new();
    h.update(b"smartnotes note version\0");
    h.update(&id.to_le_bytes());
    h.update(&version.to_le_bytes());
    let mut out = [0u8; 16];
    out.copy_from_slice(&h.finalize().as_bytes()[..16]);
    out
}

/// The settings that decide a file's name and bytes: a manifest made with others is ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ManifestSettings {
    /// `slug` or `id`.
    pub(crate) naming: String,
    /// `--csv-safe`.
    pub(crate) csv_safe: bool,
    /// `--front-matter`: `keep` renders the sample notebook (no sources) as `smartnotes`
    /// does, yet other notes differently, so the profile is named, not only hashed. (Absent
    /// from an older manifest, which is then refused for its other settings.)
    #[serde(default)]
    pub(crate) front_matter: String,
    /// `--layout`: `files` or `vault` (a vault's files are placed, named by the set of notes).
    #[serde(default)]
    pub(crate) layout: String,
    /// `--csv-bom` (absent from manifests written before it existed, which had none).
    #[serde(default)]
    pub(crate) csv_bom: bool,
    /// The smartnotes version, standing for the formats' version: another release may render
    /// differently.
    pub(crate) smartnotes: String,
    /// BLAKE3 (hex, 16 bytes) of the sample notebook rendered and named in every format with
    /// these settings: catches a renderer changed without a new version number.
    pub(crate) renderer: String,
}

impl ManifestSettings {
    /// The settings of an export.
    pub(crate) fn of(naming: Naming, render: &RenderOptions, layout: &str) -> Self {
        let mut h = blake3::Hasher::new();
        let mut buf = Vec::new();
        for note in crate::store::sample::notes() {
            for format in Format::ALL {
                buf.clear();
                format.render_file(&note, render, &mut buf);
                let path = naming::relative_path(&note, format, naming);
                h.update(path.to_string_lossy().as_bytes());
                h.update(&(buf.len() as u64).to_le_bytes());
                h.update(&buf);
            }
        }
        ManifestSettings {
            naming: match naming {
                Naming::Slug => "slug".into(),
                Naming::Id => "id".into(),
            },
            csv_safe: render.csv_safe,
            front_matter: render.front_matter.name().into(),
            layout: layout.into(),
            csv_bom: render.csv_bom,
            smartnotes: env!("CARGO_PKG_VERSION").into(),
            renderer: hex(&h.finalize().as_bytes()[..16]),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    version: u32,
    settings: ManifestSettings,
    // How many entry lines follow.
    files: u64,
}

/// The entries of the manifest of `out`, sorted by key; `Err` says why there are none to
/// trust.
pub(crate) fn read(out: &Path, settings: &ManifestSettings) -> Result<Vec<(Key, Entry)>, String> {
    let path = out.join(MANIFEST_NAME);
    let text = match read_no_link(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(format!("no manifest at {} yet", path.display()));
        }
        Err(e) if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => {
            return Err(format!(
                "{} is a symbolic link; smartnotes only trusts a manifest it wrote",
                path.display()
            ));
        }
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let damaged = |what: String| format!("{} is damaged: {what}", path.display());
    let text = String::from_utf8(text).map_err(|e| damaged(e.to_string()))?;
    let (header, body) = text.split_once('\n').unwrap_or((&text, ""));
    // Every line ends with a newline: no line at all after the header if there is no entry.
    let body = body.strip_suffix('\n').unwrap_or(body);
    let lines = body.split('\n').filter(|_| !body.is_empty());
    let header: Header =
        serde_json::from_str(header).map_err(|e| damaged(format!("line 1: {e}")))?;
    if header.version != MANIFEST_VERSION {
        return Err(format!(
            "{} has version {}, this smartnotes writes {MANIFEST_VERSION}",
            path.display(),
            header.version
        ));
    }
    if header.settings != *settings {
        return Err(format!(
            "{} was made with other settings ({:?}, now {:?})",
            path.display(),
            header.settings,
            settings
        ));
    }
    let mut entries = Vec::with_capacity(header.files.min(1 << 24) as usize);
    let mut last = Checked::default();
    for (i, line) in lines.enumerate() {
        let entry = parse_line(line, &mut last);
        entries.push(entry.map_err(|what| damaged(format!("line {}: {what}", i + 2)))?);
    }
    // Written sorted; sorted again only if someone reordered it.
    if !entries.is_sorted_by(|a, b| a.0 < b.0) {
        entries.sort_by_key(|e| e.0);
        if let Some(w) = entries.windows(2).find(|w| w[0].0 == w[1].0) {
            let (id, format) = w[0].0;
            return Err(damaged(format!("note {id} [{format}] is listed twice")));
        }
    }
    if entries.len() as u64 != header.files {
        return Err(damaged(format!(
            "{} entries, the header says {}",
            entries.len(),
            header.files
        )));
    }
    Ok(entries)
}

/// Reads a file, refusing a symbolic link at its name (`O_NOFOLLOW`).
pub(crate) fn read_no_link(path: &Path) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let mut file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(path)?;
    let mut text = Vec::new();
    file.read_to_end(&mut text)?;
    Ok(text)
}

/// One entry line, `<id>\t<hash>\t<ext>/<name>` (or `<ext>:<path>` for a placed file), or
/// what is wrong with it.
fn parse_line<'t>(line: &'t str, last: &mut Checked<'t>) -> Result<(Key, Entry), String> {
    let mut fields = line.splitn(3, '\t');
    let (Some(id), Some(hash), Some(rel)) = (fields.next(), fields.next(), fields.next()) else {
        return Err("not <id> <hash> <path>".into());
    };
    let id: i64 = id.parse().map_err(|_| format!("{id:?} is not a note id"))?;
    let mut note_hash = [0u8; 16];
    if !decode_hex(hash.as_bytes(), &mut note_hash) {
        return Err(format!("bad hash for note {id}"));
    }
    let Some((format, name, placed)) = own_path(rel, id, last) else {
        return Err(format!(
            "{rel:?} is not a file smartnotes writes for note {id}"
        ));
    };
    let entry = Entry {
        name: name.to_owned(),
        hash: note_hash,
        placed,
    };
    Ok(((id, format), entry))
}

/// The format and file name of `rel` if it is a path smartnotes makes for note `id`:
/// `<ext>/<name>` with `name` a generated name of that note in that format, nothing else (no
/// `..`, no root, no deeper path); or a placed file, `<ext>:<path>`, with a path the vault
/// layout would write (see [`naming::vault_path_problem`]). The last item says which.
fn own_path<'t>(rel: &'t str, id: i64, last: &mut Checked<'t>) -> Option<(Format, &'t str, bool)> {
    // One scan: a `:` before any `/` makes a placed file's entry.
    let first = rel.find(['/', ':']);
    if let Some(colon) = first.filter(|&i| rel.as_bytes()[i] == b':') {
        let (ext, path) = (&rel[..colon], &rel[colon + 1..]);
        let format = Format::ALL.into_iter().find(|f| f.extension() == ext)?;
        return naming::vault_path_problem(path)
            .is_none()
            .then_some((format, path, true));
    }
    let (dir, name) = rel.split_once('/')?;
    let format = Format::ALL.into_iter().find(|f| f.extension() == dir)?;
    // A note's files in its formats have one stem: checked once per note, not per format.
    let stem = name.strip_suffix(format.extension())?.strip_suffix('.')?;
    if *last == (Checked { id, stem }) {
        return Some((format, name, false));
    }
    (naming::generated_note(name, format) == Some(id)).then(|| {
        *last = Checked { id, stem };
        (format, name, false)
    })
}

/// The stem of the last file name found generated for note `id` (`<id>-<slug>` or
/// `note_<id>`): the next lines, the note's other formats, have the same one.
#[derive(Debug, Default, PartialEq, Eq)]
struct Checked<'t> {
    id: i64,
    stem: &'t str,
}

/// Writes `entries` as the manifest of `out`, atomically (see the module docs).
pub(crate) fn write(
    out: &Path,
    settings: &ManifestSettings,
    mut entries: Vec<(Key, &Entry)>,
) -> io::Result<()> {
    entries.sort_by_key(|(key, _)| *key);
    // Generated names hold no tab and no newline. A placed path is a remembered one and
    // could: such an entry is left out, which only means its file is written again.
    entries.retain(|(_, entry)| !(entry.placed && entry.name.contains(['\t', '\n', '\r'])));
    let header = Header {
        version: MANIFEST_VERSION,
        settings: settings.clone(),
        files: entries.len() as u64,
    };
    // The staging prefix: a copy left by a crash is removed by the next export.
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!("{STAGING_PREFIX}manifest-"))
        .tempfile_in(out)?;
    let mut w = io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
    serde_json::to_writer(&mut w, &header)?;
    w.write_all(b"\n")?;
    for ((id, format), entry) in &entries {
        let sep = if entry.placed { ':' } else { '/' };
        writeln!(w, "{id}\t{}\t{format}{sep}{}", hex(&entry.hash), entry.name)?;
    }
    w.flush()?;
    drop(w);
    tmp.as_file().sync_all()?;
    // On error the temporary file is removed when `tmp` is dropped.
    tmp.persist(out.join(MANIFEST_NAME)).map_err(|e| e.error)?;
    Ok(())
}

/// Removes the manifest of `out` (a link at its name is removed, never followed); no manifest
/// is fine.
pub(crate) fn remove(out: &Path) -> io::Result<()> {
    match fs::remove_file(out.join(MANIFEST_NAME)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

fn decode_hex(hex: &[u8], out: &mut [u8]) -> bool {
    let val = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    if hex.len() != out.len() * 2 {
        return false;
    }
    for (i, pair) in hex.chunks(2).enumerate() {
        match (val(pair[0]), val(pair[1])) {
            (Some(h), Some(l)) => out[i] = h << 4 | l,
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(id: i64, title: &str, body: &str) -> Note {
        serde_json::from_value(serde_json::json!({
            "id": id, "title": title, "tags": ["a"], "created": "2026-01-01T00:00:00Z",
            "updated": "2026-01-01T00:00:00Z", "body": body
        }))
        .unwrap()
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = note(1, "t", "b");
        let h = note_hash(&base);
        assert_eq!(h, note_hash(&base.clone()));
        let mut changed = vec![note(2, "t", "b"), note(1, "T", "b"), note(1, "t", "B")];
        // Moving bytes between fields is a change too.
        changed.push(note(1, "tb", ""));
        let mut n = base.clone();
        n.tags.push("b".into());
        changed.push(n);
        let mut n = base.clone();
        n.tags = vec!["ab".into()];
        changed.push(n);
        let mut n = base.clone();
        n.created = crate::model::Timestamp::from_micros(1).unwrap();
        changed.push(n);
        let mut n = base.clone();
        n.updated = crate::model::Timestamp::from_micros(1).unwrap();
        changed.push(n);
        let mut n = base.clone();
        n.properties.insert("draft".into(), true.into());
        changed.push(n.clone());
        // The order of properties is part of the note.
        n.properties.insert("author".into(), "Ann".into());
        let mut reordered = base.clone();
        reordered.properties.insert("author".into(), "Ann".into());
        reordered.properties.insert("draft".into(), true.into());
        assert_ne!(note_hash(&n), note_hash(&reordered));
        // The source: its path, its front matter and its imported hash each.
        let sourced = |path: &str, front: Option<&str>, hash: Option<[u8; 16]>| {
            let mut n = base.clone();
            let mut source = crate::model::Source::new(path, front.map(str::to_owned));
            source.imported_hash = hash;
            n.source = Some(source);
            n
        };
        changed.push(sourced("a.md", None, None));
        let a = note_hash(&sourced("a.md", None, None));
        for other in [
            sourced("b.md", None, None),
            sourced("a.md", Some(""), None),
            sourced("a.md", None, Some([0; 16])),
        ] {
            assert_ne!(note_hash(&other), a);
        }
        for n in changed {
            assert_ne!(note_hash(&n), h, "{n:?}");
        }
    }

    #[test]
    fn own_paths_only() {
        let own = |rel: &str, id: i64, format: Format| {
            own_path(rel, id, &mut Checked::default()).map(|o| o.0) == Some(format)
        };
        assert!(own("md/12-x.md", 12, Format::Md));
        assert!(own("csv/note_12.csv", 12, Format::Csv));
        assert!(!own("md/12-x.md", 13, Format::Md));
        assert!(!own("json/12-x.md", 12, Format::Md));
        assert!(!own("md/../12-x.md", 12, Format::Md));
        assert!(!own("md/a/12-x.md", 12, Format::Md));
        assert!(!own("/md/12-x.md", 12, Format::Md));
        assert!(!own("md/12-x.xmd", 12, Format::Md));
        assert!(!own("md/12-x\\y.md", 12, Format::Md));
        assert!(!own("md/12-my own draft.md", 12, Format::Md));
    }

    #[test]
    fn hex_round_trips() {
        let bytes: Vec<u8> = (0..=255).collect();
        let mut back = vec![0u8; 256];
        assert!(decode_hex(hex(&bytes).as_bytes(), &mut back));
        assert_eq!(back, bytes);
        assert!(!decode_hex(b"0g", &mut [0u8; 1]));
        assert!(!decode_hex(b"00", &mut [0u8; 2]));
    }

    #[cfg(unix)]
    #[test]
    fn a_link_planted_at_the_manifest_or_a_predictable_temporary_name_is_never_written_through() {
        let out = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let victim = outside.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        // The names main wrote to: the manifest itself, and `<staging prefix><pid>.manifest`.
        let planted = format!("{STAGING_PREFIX}{}.manifest", std::process::id());
        std::os::unix::fs::symlink(&victim, out.path().join(&planted)).unwrap();
        std::os::unix::fs::symlink(&victim, out.path().join(MANIFEST_NAME)).unwrap();
        let settings = ManifestSettings::of(Naming::Slug, &RenderOptions::default(), "files");
        // A link at the manifest's name is not trusted when read...
        let refused = read(out.path(), &settings).unwrap_err();
        assert!(refused.contains("symbolic link"), "{refused}");
        let entry = Entry {
            name: "1-a.md".into(),
            hash: [7; 16],
            placed: false,
        };
        write(out.path(), &settings, vec![((1, Format::Md), &entry)]).unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        // ...and is replaced by the real manifest, which reads back.
        let meta = fs::symlink_metadata(out.path().join(MANIFEST_NAME)).unwrap();
        assert!(meta.is_file());
        assert_eq!(
            read(out.path(), &settings).unwrap(),
            [((1, Format::Md), entry)]
        );
    }
}
