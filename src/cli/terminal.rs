//! What the binary prints for people: text from a notebook or a file system (titles, tags,
//! paths, error messages) with its control characters made visible, so that a title holding
//! `ESC ] 0 ; ... BEL` shows as text instead of retitling the terminal, as `ls` and `fd` do.
//!
//! One place for the whole binary. The store's `model::quote` (which also shortens a bad
//! value for an error) is for messages about a value; this is for everything printed.

use std::borrow::Cow;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use smartnotes::model::escape_for_terminal_keeping;

/// `text` with every hostile character escaped: `\n`, `\r`, `\t`, `\x1b`, `\x9b`, ... (C0
/// and C1 controls, DEL, and the Unicode bidirectional marks, overrides and isolates, which
/// reorder what a line shows: CVE-2021-42574). Backslashes already in the text are left alone:
/// this is for reading, not for parsing back.
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_for_terminal_keeping(text, &[])
}

/// Like [`escape`], but lines stay lines: `\n` is printed as it is (multi-line messages, the
/// export summary).
pub fn escape_lines(text: &str) -> Cow<'_, str> {
    escape_for_terminal_keeping(text, &['\n'])
}

/// A Markdown note for a terminal: newlines and tabs are the note's layout and stay; every
/// other control character (a carriage return that hides a line, escape sequences) is escaped.
pub fn escape_document(text: &str) -> Cow<'_, str> {
    escape_for_terminal_keeping(text, &['\n', '\t'])
}

/// A path for a message: in single quotes, escaped (`'/home/me/my notes.db'`), as clap quotes
/// the values it names.
pub fn quoted(path: &Path) -> String {
    format!("'{}'", escape(&path.display().to_string()))
}

/// Whether both standard input and standard error are terminals: a person is there to answer
/// a question.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Asks `question` on standard error and reads the answer from standard input: true for `y`
/// or `yes` (any case), false for anything else, an empty line or the end of input.
pub fn confirm(question: &str) -> std::io::Result<bool> {
    let mut err = std::io::stderr().lock();
    write!(err, "{question} [y/N] ")?;
    err.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// `1 note`, `2 notes`: a count with its noun, singular for one. `noun` is the singular;
/// `plural` its plural.
pub fn count(n: u64, noun: &str, plural: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {plural}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(escape("Réunion: café ☕"), Cow::Borrowed(_)));
        assert_eq!(escape("tabs\tare not plain"), "tabs\\tare not plain");
    }

    #[test]
    fn escape_sequences_and_controls_are_made_visible() {
        assert_eq!(escape("\x1b]0;pwned\x07title"), "\\x1b]0;pwned\\x07title");
        assert_eq!(escape("a\r\nb\u{7f}"), "a\\r\\nb\\x7f");
        assert_eq!(escape("\u{9b}31m"), "\\x9b31m", "C1 CSI");
        assert_eq!(escape("abc\u{202e}fed"), "abc\\u{202e}fed", "bidi override");
    }

    #[test]
    fn lines_and_documents_keep_their_layout() {
        assert_eq!(escape_lines("one\ntwo\x1b[2J"), "one\ntwo\\x1b[2J");
        assert_eq!(escape_document("# T\n\tcode\r\n"), "# T\n\tcode\\r\n");
    }
}
