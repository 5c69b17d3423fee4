//! The map of the library's modules holds no cycle: no two modules of `src/` use each other,
//! directly or through others, and the export engine does not reach into the lab.
//!
//! Each file is a module (`src/export/work.rs` is `crate::export::work`, `src/export/mod.rs` is
//! `crate::export`). A module uses another when its code names a path into it (`use
//! crate::a::b`, `super::b::X`, `crate::a::b::f()`; comments and unit tests do not count). A
//! path is charged to the longest module it names, so `crate::export::naming::slug` is a use of
//! `crate::export::naming` while `crate::export::Summary`, a re-export, is a use of
//! `crate::export` itself. A module contains its descendants and may use them (a trait in
//! `format` and its impls in `format::csv`; the re-exports of `export`'s parts); every other
//! use counts, a child's use of its parent's items included. So `work` using `incremental`
//! while `incremental` uses `work` is a cycle, and so is `export::strategy` using the lab
//! while the lab uses `export::strategy`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

fn module_of(src: &Path, file: &Path) -> Module {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Module = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// The paths a line of code names: `crate::a::b`, `super::c`, and the items of a group
/// (`use super::{d, e::f}` names `super::d` and `super::e`).
fn paths(line: &str) -> Vec<(String, Vec<String>)> {
    let mut found = Vec::new();
    let words: Vec<&str> = line
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':' || c == '{' || c == ','))
        .collect();
    for word in words {
        for head in ["crate::", "super::", "self::"] {
            let Some(start) = word.find(head) else {
                continue;
            };
            let before = &word[..start];
            if before.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &word[start + head.len()..];
            let (prefix, group) = match (rest.strip_prefix('{'), rest.split_once("::{")) {
                (Some(group), _) => ("", Some(group)),
                (None, Some((prefix, group))) => (prefix, Some(group)),
                (None, None) => (rest.trim_end_matches([':', '{', ',']), None),
            };
            let prefix: Vec<String> = prefix
                .split("::")
                .filter(|s| !s.is_empty() && !s.starts_with('{'))
                .map(str::to_owned)
                .collect();
            let head = head.trim_end_matches(':').to_owned();
            match group {
                Some(group) => {
                    for item in group.split(',') {
                        let first = item
                            .split("::")
                            .next()
                            .unwrap_or("")
                            .trim_matches(['{', '}']);
                        if !first.is_empty() && first != "self" {
                            let mut path = prefix.clone();
                            path.push(first.to_owned());
                            found.push((head.clone(), path));
                        }
                    }
                }
                None => found.push((head, prefix)),
            }
        }
    }
    found
}

/// The lines of code of a file, a `use` that spans lines joined into one and its groups
/// written without spaces (`use a::{b,c::d};`); comments, `mod` lines and unit tests left out.
fn statements(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut open: Option<String> = None;
    for line in text.lines() {
        let code = line.trim();
        if code.starts_with("#[cfg(test)]") {
            break; // unit tests sit at the end of a file; they may use anything
        }
        if code.starts_with("//") || code.contains("mod ") && code.ends_with(';') {
            continue;
        }
        let joined = match open.take() {
            Some(mut start) => {
                start.push(' ');
                start.push_str(code);
                start
            }
            None => code.to_owned(),
        };
        let is_use = joined.starts_with("use ") || joined.contains(" use ");
        if is_use && !joined.contains(';') {
            open = Some(joined);
            continue;
        }
        out.push(
            joined
                .replace(", ", ",")
                .replace("{ ", "{")
                .replace(" }", "}")
                .replace(",}", "}"),
        );
    }
    out
}

/// Every module of `src/` (the binary's `cli` and `main` left out) and the modules it uses.
fn uses(src: &Path) -> BTreeMap<Module, BTreeSet<Module>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeMap<Module, PathBuf> = files
        .into_iter()
        .map(|f| (module_of(src, &f), f))
        .filter(|(m, _)| !matches!(m.first().map(String::as_str), Some("cli" | "main")))
        .collect();
    let mut edges = BTreeMap::new();
    for (module, file) in &modules {
        let mut used = BTreeSet::new();
        for code in statements(&std::fs::read_to_string(file).unwrap()) {
            for (head, path) in paths(&code) {
                let mut target: Module = match head.as_str() {
                    "crate" => Vec::new(),
                    "self" => module.clone(),
                    _ => module[..module.len().saturating_sub(1)].to_vec(),
                };
                target.extend(path);
                while !target.is_empty() && !modules.contains_key(&target) {
                    target.pop();
                }
                // A module contains its descendants and may use them; any other use counts.
                if !target.starts_with(module) && modules.contains_key(&target) {
                    used.insert(target);
                }
            }
        }
        edges.insert(module.clone(), used);
    }
    edges
}

fn name(module: &Module) -> String {
    std::iter::once("crate")
        .chain(module.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("::")
}

fn find_cycle(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Option<Vec<Module>> {
    fn visit(
        node: &Module,
        edges: &BTreeMap<Module, BTreeSet<Module>>,
        done: &mut BTreeSet<Module>,
        stack: &mut Vec<Module>,
    ) -> Option<Vec<Module>> {
        stack.push(node.clone());
        for next in &edges[node] {
            if let Some(i) = stack.iter().position(|m| m == next) {
                let mut cycle = stack[i..].to_vec();
                cycle.push(next.clone());
                return Some(cycle);
            }
            if !done.contains(next)
                && let Some(cycle) = visit(next, edges, done, stack)
            {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(node.clone());
        None
    }
    let mut done = BTreeSet::new();
    for node in edges.keys() {
        if !done.contains(node)
            && let Some(cycle) = visit(node, edges, &mut done, &mut Vec::new())
        {
            return Some(cycle);
        }
    }
    None
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_module_uses_itself_through_others() {
    let edges = uses(&src());
    assert!(edges.len() > 40, "the map was not read: {}", edges.len());
    if let Some(cycle) = find_cycle(&edges) {
        let names: Vec<String> = cycle.iter().map(name).collect();
        panic!("module cycle: {}", names.join(" -> "));
    }
}

#[test]
fn the_export_engine_does_not_reach_into_the_lab() {
    let edges = uses(&src());
    let engine_uses = edges
        .iter()
        .filter(|(module, _)| module.first().map(String::as_str) == Some("export"))
        .map(|(_, used)| used.len())
        .sum::<usize>();
    assert!(
        engine_uses > 10,
        "the engine's uses were not read: {engine_uses}"
    );
    for (module, used) in &edges {
        if module.first().map(String::as_str) == Some("export") {
            for target in used {
                assert_ne!(
                    target.first().map(String::as_str),
                    Some("lab"),
                    "{} uses {}",
                    name(module),
                    name(target)
                );
            }
        }
    }
}

#[test]
fn the_checker_sees_a_cycle_and_a_path_through_a_group() {
    let dir = crate::common::scratch_dir();
    let src = dir.path();
    std::fs::create_dir(src.join("a")).unwrap();
    std::fs::write(src.join("lib.rs"), "mod a;\nmod b;\n").unwrap();
    std::fs::write(
        src.join("a/mod.rs"),
        "mod x;\nmod y;\nuse self::x::Thing;\n",
    )
    .unwrap();
    std::fs::write(
        src.join("a/x.rs"),
        "use super::{\n    y::Thing,\n    z,\n};\n",
    )
    .unwrap();
    std::fs::write(src.join("a/y.rs"), "fn f() { crate::b::g() }\n").unwrap();
    std::fs::write(
        src.join("b.rs"),
        "use crate::a::x::*; // comment: crate::a::y\n",
    )
    .unwrap();
    let edges = uses(src);
    let m = |s: &str| -> Module { s.split('/').map(str::to_owned).collect() };
    assert_eq!(edges[&m("a/x")], BTreeSet::from([m("a/y"), m("a")]));
    assert_eq!(edges[&m("a/y")], BTreeSet::from([m("b")]));
    assert!(
        edges[&m("a")].is_empty(),
        "a module may use what it contains"
    );
    let cycle: Vec<String> = find_cycle(&edges).unwrap().iter().map(name).collect();
    assert_eq!(
        cycle,
        ["crate::a::x", "crate::a::y", "crate::b", "crate::a::x"]
    );
}
