//! What reaches a terminal is text (issue 10, item 7): titles, tags, paths and error messages
//! are printed with control characters and bidirectional overrides escaped, and `show` writes
//! a note's exact bytes into a pipe.

use crate::common::{TestEnv, stderr};

const HOSTILE_TITLE: &str = "\x1b]0;pwned\x07Groceries";
// Tags refuse C0 controls, not the bidirectional overrides that reorder a line.
const HOSTILE_TAG: &str = "tag\u{202e}txt.exe";

#[test]
fn add_list_and_rm_print_titles_and_tags_with_controls_escaped() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args(["add", "-t", HOSTILE_TITLE, "--tag", HOSTILE_TAG, "-b", "x"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text, "added note 1: \\x1b]0;pwned\\x07Groceries\n");

    let out = env.cmd().arg("list").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains(['\x1b', '\x07', '\u{202e}']), "{text:?}");
    assert!(
        text.contains("\\x1b]0;pwned\\x07Groceries  [tag\\u{202e}txt.exe]"),
        "{text:?}"
    );

    let out = env.cmd().args(["rm", "1"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text, "removed note 1: \\x1b]0;pwned\\x07Groceries\n");
}

/// `show` prints the note's bytes as they are into a pipe or a file (`show 1 > n.md` is the
/// note), and escapes control characters only on a terminal, as ls does. The terminal is a
/// pseudo-terminal made by `script` (util-linux). (The title is quoted by the YAML front
/// matter, which escapes it itself; the body is the note's own text.)
#[test]
fn show_is_exact_into_a_pipe_and_escaped_on_a_terminal() {
    let env = TestEnv::new();
    let body = "\x1b]0;pwned\x07line\r\nbell\x07 tab\tend";
    env.cmd()
        .args(["add", "-t", "Groceries", "-b", body])
        .assert()
        .success();
    let piped = env.cmd().args(["show", "1"]).output().unwrap();
    let piped = String::from_utf8(piped.stdout).unwrap();
    assert!(piped.contains(body), "raw into a pipe: {piped:?}");

    let binary = assert_cmd::cargo::cargo_bin("smartnotes");
    let out = std::process::Command::new("script")
        .current_dir(env.root())
        .env("SMARTNOTES_DB", env.db())
        .args(["-qec", &format!("{} show 1", binary.display()), "/dev/null"])
        .output()
        .expect("script (util-linux) runs the command on a pseudo-terminal");
    assert!(out.status.success(), "{}", stderr(&out));
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(
        !screen.contains('\x1b') && !screen.contains('\x07'),
        "{screen:?}"
    );
    assert!(screen.contains("\\x1b]0;pwned\\x07line"), "{screen:?}");
    assert!(screen.contains("line\\r"), "{screen:?}");
    assert!(screen.contains("tab\tend"), "tabs stay: {screen:?}");
}

#[test]
fn the_export_summary_and_errors_escape_paths() {
    let env = TestEnv::seeded(2);
    let out = env
        .cmd()
        .args(["export", "--out", "out\x1b[2Jx"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("to out\\x1b[2Jx"), "{text:?}");
    assert!(!text.contains('\x1b'), "{text:?}");

    let out = env
        .cmd()
        .args(["--db", "no\x1b]0;pwned\x07.db", "export", "--out", "o"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("no notebook at no\\x1b]0;pwned\\x07.db"),
        "{err:?}"
    );
    assert!(!err.contains('\x1b'), "{err:?}");
}
