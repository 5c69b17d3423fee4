//! The manifest of an incremental export: the file `<out>/.smartnotes-manifest.json` that says
//! which file holds each (note id, format), and the [`note_hash`] of the note it was rendered
//! from. This module is the file format alone (read, check, write); what an export decides from
//! it is [`super::incremental`].
//!
//! The layout (version 2) is built to be read fast: a first line of JSON (version,
//! [`ManifestSettings`], number of entries), then binary records, then a checksum. A record is
//! one note's files, `<id: i64 LE> <hash: 16 bytes> <kind: u8> <length: u16 LE> <text>`: the
//! kind's low four bits are the formats (bit `i` for [`Format::ALL`]`[i]`) and the text is the
//! files' common stem (`12-my-title`, `note_12`), each file being `<stem>.<ext>` in its format's
//! folder; or, kind bit 7 set and one format bit, the text is a file the layout placed
//! (`<path>` from the export folder). A note's files share a record when they share the hash and
//! the stem (nearly always), so 100,000 notes in three formats take about 6 MB, not 22. The
//! checksum is the first 16 bytes of the BLAKE3 of everything before it: a manifest cut short or
//! changed by anything but smartnotes is refused. The name (`.json`) is the first layout's.
//!
//! The first layout (version 1: the JSON line, then one text line per file, `<id> <hash, 32
//! hex digits> <ext>/<name>` or `<ext>:<path>` separated by tabs) is still read, with the same
//! checks; the next manifest written is of version 2.
//!
//! Never trusted blindly: a manifest that is missing, a symbolic link, unreadable, of another
//! version, made with other settings, whose checksum or entry count does not match, or listing a
//! path that is not one smartnotes makes for that note (`../x`, an absolute path, another id,
//! another extension: see [`naming::generated_note`]) is refused as a whole, with the reason.
//!
//! Written safely: to a temporary file with an unpredictable name, created exclusively
//! (`O_EXCL`) in the export folder, synced, then renamed over the manifest, so a link planted
//! at either name is never written through, and a reader sees the old manifest or the new one.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::listing::FolderState;
use super::naming::{self, MANIFEST_NAME, Naming, STAGING_PREFIX};
use crate::format::{Format, RenderOptions};
use crate::model::Note;

/// The manifest layout written (binary records, see the module docs); another number than it or
/// [`TEXT_VERSION`] means a full export. (A manifest written before the settings named the front
/// matter profile and the layout reads them as empty, and is refused for its other settings.)
pub(crate) const MANIFEST_VERSION: u32 = 2;

/// The first layout, one text line per file: still read, never written.
pub(crate) const TEXT_VERSION: u32 = 1;

/// The length of the checksum that ends a manifest of [`MANIFEST_VERSION`].
const CHECKSUM_LEN: usize = 16;

/// The kind bit of a record of a placed file.
const PLACED: u8 = 0x80;

/// A record's fixed part: id, hash, kind, text length.
const RECORD_HEAD: usize = 8 + 16 + 1 + 2;

/// What the manifest keeps of a note: the first 16 bytes of a BLAKE3 hash of all its fields.
pub(crate) type NoteHash = [u8; 16];

/// A (note id, format): one file of the `files` layout.
pub(crate) type Key = (i64, Format);

/// The format folders whose state was taken when every file the manifest lists in them was
/// there ([`super::listing`]): one not changed since still holds them all.
pub(crate) type Folders = BTreeMap<Format, FolderState>;

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
    // How many entries follow.
    files: u64,
    // Of version 2 only (version 1 had none; an old reader ignores it).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    folders: Folders,
}

/// The entries of the manifest of `out`, sorted by key, and its folders' states; `Err` says
/// why there are none to trust.
pub(crate) fn read(
    out: &Path,
    settings: &ManifestSettings,
) -> Result<(Vec<(Key, Entry)>, Folders), String> {
    let path = out.join(MANIFEST_NAME);
    let bytes = match read_no_link(&path) {
        Ok(bytes) => bytes,
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
    // The header holds no raw newline (JSON escapes it): the first one ends it.
    let header_end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    let header: Header = serde_json::from_slice(&bytes[..header_end])
        .map_err(|e| damaged(format!("line 1: {e}")))?;
    if header.version != MANIFEST_VERSION && header.version != TEXT_VERSION {
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
    let body_start = (header_end + 1).min(bytes.len());
    let mut folders = header.folders;
    let mut entries = if header.version == TEXT_VERSION {
        folders.clear();
        read_text(&bytes[body_start..], header.files)
    } else {
        read_records(&bytes, body_start, header.files)
    }
    .map_err(damaged)?;
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
    Ok((entries, folders))
}

/// The entries of the records of a manifest of [`MANIFEST_VERSION`] (`all`, its records from
/// `body_start`, then its checksum), or what is wrong with them.
fn read_records(all: &[u8], body_start: usize, files: u64) -> Result<Vec<(Key, Entry)>, String> {
    let Some(signed_len) = all
        .len()
        .checked_sub(CHECKSUM_LEN)
        .filter(|&n| n >= body_start)
    else {
        return Err("it ends before its checksum".into());
    };
    let (signed, checksum) = all.split_at(signed_len);
    if blake3::hash(signed).as_bytes()[..CHECKSUM_LEN] != *checksum {
        return Err("its checksum does not match: it was cut short or changed".into());
    }
    let mut entries = Vec::with_capacity(files.min(1 << 24) as usize);
    let mut at = body_start;
    let mut number = 0u64;
    while at < signed.len() {
        number += 1;
        let record = |what: String| format!("record {number} (byte {at}): {what}");
        let used = read_record(&signed[at..], &mut entries).map_err(record)?;
        at += used;
    }
    Ok(entries)
}

/// Reads the record at the start of `bytes` into `entries`; how many bytes it took, or what is
/// wrong with it.
fn read_record(bytes: &[u8], entries: &mut Vec<(Key, Entry)>) -> Result<usize, String> {
    let Some(head) = bytes.get(..RECORD_HEAD) else {
        return Err("cut short".into());
    };
    let id = i64::from_le_bytes(head[..8].try_into().unwrap_or_default());
    let mut hash = [0u8; 16];
    hash.copy_from_slice(&head[8..24]);
    let kind = head[24];
    let len = u16::from_le_bytes([head[25], head[26]]) as usize;
    let Some(text) = bytes.get(RECORD_HEAD..RECORD_HEAD + len) else {
        return Err(format!("note {id}: cut short"));
    };
    let text =
        std::str::from_utf8(text).map_err(|e| format!("note {id}: its name is not UTF-8 ({e})"))?;
    let formats: Vec<Format> = (Format::ALL.iter().enumerate())
        .filter(|(i, _)| kind & (1 << i) != 0)
        .map(|(_, &f)| f)
        .collect();
    let placed = kind & PLACED != 0;
    let known_bits = PLACED | ((1 << Format::ALL.len()) - 1);
    if kind & !known_bits != 0 || formats.is_empty() || (placed && formats.len() != 1) {
        return Err(format!(
            "note {id}: kind {kind:#04x} is not one smartnotes writes"
        ));
    }
    let not_ours = |name: &str| format!("{name:?} is not a file smartnotes writes for note {id}");
    if placed {
        if naming::vault_path_problem(text).is_some() {
            return Err(not_ours(text));
        }
        let entry = Entry {
            name: text.to_owned(),
            hash,
            placed: true,
        };
        entries.push(((id, formats[0]), entry));
        return Ok(RECORD_HEAD + len);
    }
    // A stem generated for a note is one in every format: checked once.
    let first = naming::with_extension(text, formats[0]);
    if naming::generated_note(&first, formats[0]) != Some(id) {
        return Err(not_ours(&first));
    }
    for format in formats {
        let name = naming::with_extension(text, format);
        entries.push((
            (id, format),
            Entry {
                name,
                hash,
                placed: false,
            },
        ));
    }
    Ok(RECORD_HEAD + len)
}

/// The entries of the text lines of a manifest of [`TEXT_VERSION`], or what is wrong with them.
fn read_text(body: &[u8], files: u64) -> Result<Vec<(Key, Entry)>, String> {
    let body = std::str::from_utf8(body).map_err(|e| e.to_string())?;
    // Every line ends with a newline: no line at all after the header if there is no entry.
    let body = body.strip_suffix('\n').unwrap_or(body);
    let lines = body.split('\n').filter(|_| !body.is_empty());
    let mut entries = Vec::with_capacity(files.min(1 << 24) as usize);
    let mut last = Checked::default();
    for (i, line) in lines.enumerate() {
        let entry = parse_line(line, &mut last);
        entries.push(entry.map_err(|what| format!("line {}: {what}", i + 2))?);
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

/// One entry line of the text layout, `<id>\t<hash>\t<ext>/<name>` (or `<ext>:<path>` for a placed file), or
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

/// Writes `entries` as the manifest of `out`, with the `folders` whose state holds them all,
/// atomically (see the module docs).
pub(crate) fn write(
    out: &Path,
    settings: &ManifestSettings,
    mut entries: Vec<(Key, &Entry)>,
    folders: &Folders,
) -> io::Result<()> {
    entries.sort_by_key(|(key, _)| *key);
    let (body, files) = records(&entries);
    let header = Header {
        version: MANIFEST_VERSION,
        settings: settings.clone(),
        files,
        folders: folders.clone(),
    };
    let mut bytes = serde_json::to_vec(&header)?;
    bytes.push(b'\n');
    bytes.extend_from_slice(&body);
    let checksum = blake3::hash(&bytes);
    bytes.extend_from_slice(&checksum.as_bytes()[..CHECKSUM_LEN]);
    // The staging prefix: a copy left by a crash is removed by the next export.
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!("{STAGING_PREFIX}manifest-"))
        .tempfile_in(out)?;
    tmp.as_file_mut().write_all(&bytes)?;
    tmp.as_file().sync_all()?;
    // On error the temporary file is removed when `tmp` is dropped.
    tmp.persist(out.join(MANIFEST_NAME)).map_err(|e| e.error)?;
    Ok(())
}

/// The records of `entries` (sorted by key), and how many entries they hold: one record per
/// run of a note's files with one hash and one stem. An entry that fits no record (a text
/// longer than 65,535 bytes, a name without its format's extension) is left out, which only
/// means its file is written again.
fn records(entries: &[(Key, &Entry)]) -> (Vec<u8>, u64) {
    let mut body = Vec::with_capacity(entries.len() * 24);
    let mut files = 0;
    let mut i = 0;
    while i < entries.len() {
        let ((id, format), entry) = entries[i];
        i += 1;
        let stem = if entry.placed {
            Some(entry.name.as_str())
        } else {
            stem_of(&entry.name, format)
        };
        let Some(text) = stem.filter(|t| t.len() <= u16::MAX as usize) else {
            continue;
        };
        let mut kind = format_bit(format) | if entry.placed { PLACED } else { 0 };
        files += 1;
        while !entry.placed && i < entries.len() {
            let ((next_id, next_format), next) = entries[i];
            let same = next_id == id
                && !next.placed
                && next.hash == entry.hash
                && stem_of(&next.name, next_format) == Some(text);
            if !same {
                break;
            }
            kind |= format_bit(next_format);
            files += 1;
            i += 1;
        }
        body.extend_from_slice(&id.to_le_bytes());
        body.extend_from_slice(&entry.hash);
        body.push(kind);
        body.extend_from_slice(&(text.len() as u16).to_le_bytes());
        body.extend_from_slice(text.as_bytes());
    }
    (body, files)
}

/// The stem of a file `name` of `format`: the name without `.<ext>`.
fn stem_of(name: &str, format: Format) -> Option<&str> {
    name.strip_suffix(format.extension())?.strip_suffix('.')
}

/// The bit of `format` in a record's kind.
fn format_bit(format: Format) -> u8 {
    let i = Format::ALL.iter().position(|&f| f == format).unwrap_or(0);
    1 << i
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

/// The manifest of the first layout ([`TEXT_VERSION`]) that smartnotes wrote until version 2,
/// for the tests that check it is still read.
#[cfg(test)]
pub(crate) fn text_manifest(settings: &ManifestSettings, entries: &[(Key, Entry)]) -> String {
    let header = Header {
        version: TEXT_VERSION,
        settings: settings.clone(),
        files: entries.len() as u64,
        folders: Folders::new(),
    };
    let mut text = serde_json::to_string(&header).unwrap_or_default() + "\n";
    for ((id, format), entry) in entries {
        let sep = if entry.placed { ':' } else { '/' };
        text += &format!("{id}\t{}\t{format}{sep}{}\n", hex(&entry.hash), entry.name);
    }
    text
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

    fn entry(name: &str, hash: u8, placed: bool) -> Entry {
        Entry {
            name: name.into(),
            hash: [hash; 16],
            placed,
        }
    }

    fn settings() -> ManifestSettings {
        ManifestSettings::of(Naming::Slug, &RenderOptions::default(), "files")
    }

    /// A manifest of the current layout holding `records` as they are, with a good checksum:
    /// what a hostile program could write.
    fn signed(files: u64, records: &[u8]) -> Vec<u8> {
        let header = Header {
            version: MANIFEST_VERSION,
            settings: settings(),
            files,
            folders: Folders::new(),
        };
        let mut bytes = serde_json::to_vec(&header).unwrap();
        bytes.push(b'\n');
        bytes.extend_from_slice(records);
        let sum = blake3::hash(&bytes);
        bytes.extend_from_slice(&sum.as_bytes()[..CHECKSUM_LEN]);
        bytes
    }

    fn record(id: i64, kind: u8, text: &[u8]) -> Vec<u8> {
        let mut r = id.to_le_bytes().to_vec();
        r.extend_from_slice(&[9; 16]);
        r.push(kind);
        r.extend_from_slice(&(text.len() as u16).to_le_bytes());
        r.extend_from_slice(text);
        r
    }

    fn read_bytes(bytes: &[u8]) -> Result<Vec<(Key, Entry)>, String> {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(MANIFEST_NAME), bytes).unwrap();
        read(dir.path(), &settings()).map(|(entries, _)| entries)
    }

    /// Notes in every shape a manifest holds: one format or all four, a rename half done (two
    /// stems), formats with different hashes, `note_<id>` names, placed files, odd titles.
    fn varied() -> Vec<(Key, Entry)> {
        let mut all = vec![
            ((1, Format::Md), entry("1-a.md", 1, false)),
            ((2, Format::Md), entry("2-b.md", 2, false)),
            ((2, Format::Json), entry("2-b.json", 2, false)),
            ((2, Format::Jsonl), entry("2-b.jsonl", 2, false)),
            ((2, Format::Csv), entry("2-b.csv", 2, false)),
            ((3, Format::Md), entry("3-new-title.md", 3, false)),
            ((3, Format::Json), entry("3-new-title.json", 4, false)),
            ((3, Format::Csv), entry("3-old-title.csv", 3, false)),
            ((4, Format::Json), entry("note_4.json", 5, false)),
            (
                (5, Format::Md),
                entry("notes/Ünïcode title (5).md", 6, true),
            ),
            ((6, Format::Md), entry("6-読書メモ.md", 7, false)),
            ((6, Format::Csv), entry("6-読書メモ.csv", 7, false)),
            (
                (i64::MAX, Format::Csv),
                entry(&format!("{}-x.csv", i64::MAX), 8, false),
            ),
        ];
        all.sort_by_key(|e| e.0);
        all
    }

    fn write_read(entries: &[(Key, Entry)]) -> Result<Vec<(Key, Entry)>, String> {
        let dir = tempfile::tempdir().unwrap();
        let refs = entries.iter().map(|(k, e)| (*k, e)).collect();
        write(dir.path(), &settings(), refs, &Folders::new()).unwrap();
        read(dir.path(), &settings()).map(|(entries, _)| entries)
    }

    #[test]
    fn a_manifest_round_trips_in_records_and_shares_a_record_per_note() {
        let entries = varied();
        assert_eq!(write_read(&entries).unwrap(), entries);
        assert_eq!(write_read(&[]).unwrap(), []);
        // Note 2's four files are one record; note 3's three are three (two stems, two hashes).
        let refs: Vec<_> = entries.iter().map(|(k, e)| (*k, e)).collect();
        let (body, files) = records(&refs);
        assert_eq!(files, entries.len() as u64);
        let stems = [
            "1-a",
            "2-b",
            "3-new-title",
            "3-new-title",
            "3-old-title",
            "note_4",
        ];
        let placed = "notes/Ünïcode title (5).md";
        let long = format!("{}-x", i64::MAX);
        let text_bytes: usize = stems.iter().map(|s| s.len()).sum::<usize>()
            + placed.len()
            + "6-読書メモ".len()
            + long.len();
        assert_eq!(body.len(), 9 * RECORD_HEAD + text_bytes);
        // Many notes, read back in order.
        let many: Vec<(Key, Entry)> = (1..=3000)
            .flat_map(|id| {
                let name = |f: Format| format!("{id}-note-{id}.{}", f.extension());
                [Format::Md, Format::Json, Format::Csv]
                    .map(|f| ((id, f), entry(&name(f), (id % 251) as u8, false)))
            })
            .collect();
        assert_eq!(write_read(&many).unwrap(), many);
    }

    #[test]
    fn a_manifest_cut_short_or_changed_anywhere_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let entries = varied();
        let refs = entries.iter().map(|(k, e)| (*k, e)).collect();
        write(dir.path(), &settings(), refs, &Folders::new()).unwrap();
        let good = fs::read(dir.path().join(MANIFEST_NAME)).unwrap();
        let header_len = good.iter().position(|&b| b == b'\n').unwrap() + 1;
        for len in 0..good.len() {
            let reason = read_bytes(&good[..len]).unwrap_err();
            assert!(reason.contains("damaged"), "cut at {len}: {reason}");
        }
        for at in header_len..good.len() {
            let mut bad = good.clone();
            bad[at] ^= 0x20;
            let reason = read_bytes(&bad).unwrap_err();
            assert!(
                reason.contains("checksum does not match"),
                "byte {at}: {reason}"
            );
        }
        let mut longer = good.clone();
        longer.push(0);
        assert!(read_bytes(&longer).unwrap_err().contains("checksum"));
    }

    #[test]
    fn a_manifest_with_a_good_checksum_and_a_hostile_record_is_refused() {
        let ok = record(1, 0b0001, b"1-a");
        assert_eq!(read_bytes(&signed(1, &ok)).unwrap().len(), 1);
        let two = [ok.clone(), record(2, 0b0011, b"2-b")].concat();
        assert_eq!(read_bytes(&signed(3, &two)).unwrap().len(), 3);
        // Records out of order are put back in order, as lines were.
        let reordered = [record(2, 0b0011, b"2-b"), ok.clone()].concat();
        assert_eq!(
            read_bytes(&signed(3, &reordered)).unwrap(),
            read_bytes(&signed(3, &two)).unwrap()
        );
        for (records, files, why) in [
            (
                record(1, 0b0001, b"../1-a"),
                1,
                "not a file smartnotes writes for note 1",
            ),
            (record(1, 0b0001, b"/etc/passwd"), 1, "not a file"),
            (record(1, 0b0001, b"1-a/../../x"), 1, "not a file"),
            (
                record(1, 0b0001, b"2-a"),
                1,
                "not a file smartnotes writes for note 1",
            ),
            (record(1, 0b0001, b"1-My Draft"), 1, "not a file"),
            (record(1, 0b0001, b"note_01"), 1, "not a file"),
            (record(1, 0b0001, b""), 1, "not a file"),
            (record(1, 0b0001, b"1-\xff"), 1, "UTF-8"),
            (record(1, 0, b"1-a"), 0, "kind 0x00"),
            (record(1, 0b0001_0001, b"1-a"), 1, "kind 0x11"),
            (record(1, PLACED | 0b0011, b"a.md"), 2, "kind 0x83"),
            (record(1, PLACED | 0b0001, b"../a.md"), 1, "not a file"),
            (record(1, PLACED | 0b0001, b"/etc/a.md"), 1, "not a file"),
            (record(1, 0b0001, b"1-a")[..29].to_vec(), 1, "cut short"),
            (record(1, 0b0001, b"1-a")[..20].to_vec(), 1, "cut short"),
            (ok.clone(), 2, "1 entries, the header says 2"),
            ([ok.clone(), ok.clone()].concat(), 2, "listed twice"),
            (
                [ok.clone(), record(1, 0b0001, b"1-b\n")].concat(),
                2,
                "record 2 (byte",
            ),
        ] {
            let reason = read_bytes(&signed(files, &records)).unwrap_err();
            assert!(reason.contains("is damaged"), "{why}: {reason}");
            assert!(reason.contains(why), "{why}: {reason}");
        }
    }

    #[test]
    fn a_manifest_of_the_text_layout_is_still_read() {
        let entries = varied();
        let text = text_manifest(&settings(), &entries);
        assert!(text.starts_with("{\"version\":1,"), "{text}");
        assert_eq!(read_bytes(text.as_bytes()).unwrap(), entries);
        // And checked as it always was.
        let hostile = text.replace("md/1-a.md", "md/../../etc/passwd");
        let reason = read_bytes(hostile.as_bytes()).unwrap_err();
        assert!(
            reason.contains("line 2") && reason.contains("not a file"),
            "{reason}"
        );
        let other = text.replace("\"version\":1", "\"version\":3");
        assert!(
            read_bytes(other.as_bytes())
                .unwrap_err()
                .contains("version 3")
        );
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
        let folders = Folders::new();
        write(
            out.path(),
            &settings,
            vec![((1, Format::Md), &entry)],
            &folders,
        )
        .unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        // ...and is replaced by the real manifest, which reads back.
        let meta = fs::symlink_metadata(out.path().join(MANIFEST_NAME)).unwrap();
        assert!(meta.is_file());
        assert_eq!(
            read(out.path(), &settings).unwrap().0,
            [((1, Format::Md), entry)]
        );
    }
}
