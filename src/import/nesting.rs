//! How deeply a YAML text nests flow collections (`[...]`, `{...}`), found without parsing it:
//! the check that runs before the front matter of a Markdown file is given to the YAML parser.
//!
//! libyaml (under serde_yaml_ng) spends time proportional to the flow depth on every token, so
//! `[` x 100,000 then `]` x 100,000 (200 KB) takes minutes; block nesting (`- - - x`, indented
//! mappings) parses in linear time and meets serde_yaml_ng's recursion limit. [`flow_depth_over`]
//! follows the parts of YAML's grammar that decide where a `[` or `{` is a collection: quoted
//! scalars (also across lines), plain scalars (continued on the next line where YAML continues
//! them), comments, block scalars (`|`, `>`) and the block indentation that ends them. Where it
//! cannot be sure it counts: it may report a depth a YAML reader would not reach, never a
//! smaller one, except in text that the YAML reader itself refuses within a line.

/// The first line (1-based) at which `yaml` nests flow collections more than `limit` deep, if
/// it does. Runs in one pass.
pub(super) fn flow_depth_over(yaml: &str, limit: usize) -> Option<usize> {
    Scanner::new(yaml.as_bytes()).run(limit)
}

/// What the scanner is inside of at the end of a line.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    /// Nothing that spans lines.
    Nothing,
    /// A plain scalar, which may continue on the next line.
    Plain,
    /// A single- or double-quoted scalar.
    Quoted(u8),
    /// A block scalar: lines indented more than `above` (or blank) are its text; `content` is
    /// the indentation of its first non-blank line, once seen.
    Block {
        above: isize,
        content: Option<usize>,
    },
}

struct Scanner<'a> {
    b: &'a [u8],
    line: usize,
    /// Flow collections open.
    depth: usize,
    /// Columns of the open block collections, as libyaml's indentation stack.
    indents: Vec<isize>,
    open: Open,
}

fn blank(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn flow_indicator(c: u8) -> bool {
    matches!(c, b'[' | b']' | b'{' | b'}' | b',')
}

impl<'a> Scanner<'a> {
    fn new(b: &'a [u8]) -> Self {
        Scanner {
            b,
            line: 1,
            depth: 0,
            indents: Vec::new(),
            open: Open::Nothing,
        }
    }

    fn indent(&self) -> isize {
        self.indents.last().copied().unwrap_or(-1)
    }

    fn run(mut self, limit: usize) -> Option<usize> {
        let mut start = 0;
        while start < self.b.len() {
            let end = self.b[start..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(self.b.len(), |p| start + p);
            if self.line_over(start, end, limit) {
                return Some(self.line);
            }
            self.line += 1;
            start = end + 1;
        }
        None
    }

    /// Scans the line `b[start..end]`; true once the depth passes `limit`.
    fn line_over(&mut self, start: usize, end: usize, limit: usize) -> bool {
        let line = &self.b[start..end];
        let col0 = line.iter().take_while(|&&c| c == b' ').count();
        let is_blank = line[col0..].iter().all(|&c| c == b'\r' || c == b' ');
        let mut i = 0;
        let marker = line.starts_with(b"---") || line.starts_with(b"...");
        if marker && line.get(3).is_none_or(|&c| blank(c)) {
            // A document marker ends whatever was open but the flow collections (which a
            // YAML reader refuses to see cut there).
            self.indents.clear();
            self.open = Open::Nothing;
            return self.tokens(line, 3, limit);
        }
        match self.open {
            Open::Block { above, content } => {
                let inside = match content {
                    Some(content) => col0 >= content,
                    None => col0 as isize > above,
                };
                if is_blank || inside {
                    if !is_blank && content.is_none() {
                        self.open = Open::Block {
                            above,
                            content: Some(col0),
                        };
                    }
                    return false;
                }
                self.open = Open::Nothing;
            }
            Open::Quoted(q) => match self.close_quote(line, 0, q) {
                Some(after) => {
                    self.open = Open::Nothing;
                    i = after;
                }
                None => return false,
            },
            Open::Plain if self.depth > 0 || col0 as isize > self.indent() || is_blank => {
                // The plain scalar goes on: in a flow collection always, in block context on a
                // line indented more than its collection.
                i = col0;
            }
            Open::Plain | Open::Nothing => {
                self.open = Open::Nothing;
            }
        }
        if i == 0 {
            i = col0;
            if self.depth == 0 && !is_blank && self.open == Open::Nothing {
                let col = col0 as isize;
                while self.indent() > col {
                    self.indents.pop();
                }
            }
        }
        self.tokens(line, i, limit)
    }

    /// The tokens of `line` from byte `i` on.
    fn tokens(&mut self, line: &[u8], mut i: usize, limit: usize) -> bool {
        let plain_before = self.open == Open::Plain;
        let mut token = !plain_before;
        let mut plain = plain_before;
        // Where the current token (a key, if a `:` follows) started.
        let mut token_col = i;
        while i < line.len() {
            let c = line[i];
            let next = line.get(i + 1).copied();
            let next_blank = next.is_none_or(blank);
            let after_blank = i == 0 || blank(line[i - 1]);
            match c {
                b' ' | b'\t' | b'\r' => {
                    if !plain {
                        token = true;
                    }
                }
                b'#' if after_blank => {
                    // A comment: the rest of the line. It ends a plain scalar.
                    self.open = Open::Nothing;
                    return false;
                }
                b'\'' | b'"' if token && !plain => {
                    token_col = i;
                    match self.close_quote(line, i + 1, c) {
                        Some(after) => i = after,
                        None => {
                            self.open = Open::Quoted(c);
                            return false;
                        }
                    }
                    token = false;
                    continue;
                }
                b'[' | b'{' if self.depth > 0 || (token && !plain) => {
                    self.depth += 1;
                    if self.depth > limit {
                        return true;
                    }
                    token = true;
                    plain = false;
                }
                b']' | b'}' if self.depth > 0 => {
                    self.depth -= 1;
                    token = false;
                    plain = false;
                }
                b',' if self.depth > 0 => {
                    token = true;
                    plain = false;
                }
                b'|' | b'>' if self.depth == 0 && token && !plain => {
                    self.open = self.block_scalar(&line[i + 1..]);
                    return false;
                }
                b':' if next_blank || (self.depth > 0 && next.is_some_and(flow_indicator)) => {
                    if self.depth == 0 {
                        self.roll(token_col);
                    }
                    token = true;
                    plain = false;
                }
                b'-' | b'?' if token && !plain && next_blank => {
                    if self.depth == 0 {
                        self.roll(i);
                    }
                    token = true;
                }
                _ => {
                    if token && !plain {
                        token_col = i;
                        // Anchors, aliases and tags end at white space like plain scalars.
                        plain = true;
                    }
                    token = false;
                }
            }
            i += 1;
        }
        self.open = if plain { Open::Plain } else { Open::Nothing };
        false
    }

    /// The block scalar whose header (after `|` or `>`) is `header`: its text is indented more
    /// than the collection holding it, by exactly the digit of the header if it has one.
    fn block_scalar(&self, header: &[u8]) -> Open {
        let above = self.indent();
        let digit = header
            .iter()
            .take(2)
            .find(|c| c.is_ascii_digit())
            .map(|c| (c - b'0') as isize);
        Open::Block {
            above,
            content: digit.map(|d| (above.max(0) + d) as usize),
        }
    }

    /// A block collection starting at column `col`.
    fn roll(&mut self, col: usize) {
        let col = col as isize;
        if col > self.indent() {
            self.indents.push(col);
        }
    }

    /// Where the quoted scalar opened by `q` before `from` ends on this line (the byte after
    /// its closing quote), if it does.
    fn close_quote(&self, line: &[u8], mut from: usize, q: u8) -> Option<usize> {
        while from < line.len() {
            match line[from] {
                b'\\' if q == b'"' => from += 2,
                b'\'' if q == b'\'' && line.get(from + 1) == Some(&b'\'') => from += 2,
                c if c == q => return Some(from + 1),
                _ => from += 1,
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_yaml_ng::Value;

    use super::flow_depth_over;

    /// A flow collection nested `depth` deep at most, with scalars that hold brackets, quotes,
    /// `#` and line breaks, and line breaks between its items.
    fn flow() -> impl Strategy<Value = String> {
        let scalar = prop_oneof![
            "[a-z]{1,3}",
            prop::collection::vec(
                prop::sample::select(vec!["[", "]", "{", "}", "''", "#", " #", "\n  ", ",", "x"]),
                0..5
            )
            .prop_map(|p| format!("'{}'", p.concat())),
            prop::collection::vec(
                prop::sample::select(vec!["[", "]", "\\\"", "'", "#", "\n  ", "x"]),
                0..5
            )
            .prop_map(|p| format!("\"{}\"", p.concat())),
        ];
        let gap = prop::sample::select(vec!["", " ", "\n  ", " # [[[ {{\n  "]);
        scalar.prop_recursive(8, 48, 4, move |inner| {
            let gap = gap.clone();
            prop_oneof![
                (
                    prop::collection::vec((gap.clone(), inner.clone()), 0..4),
                    gap.clone()
                )
                    .prop_map(|(items, end)| {
                        let items: Vec<String> =
                            items.into_iter().map(|(g, i)| format!("{g}{i}")).collect();
                        format!("[{}{end}]", items.join(", "))
                    }),
                (prop::collection::vec(("[a-z]{1,3}", inner), 0..3), gap).prop_map(
                    |(items, end)| {
                        let items: Vec<String> = items
                            .into_iter()
                            .map(|(k, v)| format!("{k}: {v}"))
                            .collect();
                        format!("{{{}{end}}}", items.join(", "))
                    }
                ),
            ]
        })
    }

    /// What may come before the flow collection: scalars of every kind with brackets in them.
    fn before() -> impl Strategy<Value = String> {
        let line = prop::sample::select(vec![
            "a: |\n  [[[\n   [[[\n\n",
            "b: >-\n  {{{\n",
            "c: '[[[\n  [[['\n",
            "d: \"[[[\\\"\n  [[[\"\n",
            "# [[[[\n",
            "e: it's [[[\n",
            "f: [x, [y]]\n",
            "- |2\n   [[[\n  [[[\n",
        ]);
        prop::collection::vec(line, 0..4).prop_map(|l| l.concat())
    }

    fn depth(v: &Value) -> usize {
        match v {
            Value::Sequence(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
            Value::Mapping(map) => 1 + map.values().map(depth).max().unwrap_or(0),
            Value::Tagged(t) => depth(&t.value),
            _ => 0,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        /// Whenever a YAML reader finds flow collections nested `d` deep, the scanner finds
        /// at least `d`: it can refuse too much, never too little.
        #[test]
        fn the_scanner_never_sees_less_nesting_than_the_reader(before in before(), flow in flow()) {
            let yaml = format!("{before}k: {flow}\n");
            let parsed = serde_yaml_ng::from_str::<Value>(&yaml);
            let d = match &parsed {
                Ok(Value::Mapping(map)) => map.get("k").map_or(0, depth),
                _ => 0,
            };
            if d > 0 {
                prop_assert!(flow_depth_over(&yaml, d - 1).is_some(), "depth {} missed in\n{}", d, yaml);
            }
        }
    }

    #[test]
    fn flow_collections_count_block_ones_do_not() {
        assert_eq!(flow_depth_over("a: [[[x]]]\n", 3), None);
        assert_eq!(flow_depth_over("a: [[[[x]]]]\n", 3), Some(1));
        assert_eq!(flow_depth_over("a: {b: [c, {d: [e]}]}\n", 3), Some(1));
        assert_eq!(
            flow_depth_over("a:\n  b:\n    c:\n      - - - x\n", 3),
            None
        );
        assert_eq!(flow_depth_over("a: [\n[\n[\n[\n", 3), Some(4));
        let bomb = format!("title: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(flow_depth_over(&bomb, 32), Some(1));
    }

    #[test]
    fn brackets_in_scalars_and_comments_do_not_count() {
        for yaml in [
            "title: '[[[[ ''[[[[ '\n",
            "title: \"[[[[ \\\" [[[[\"\n",
            "title: a [[[[ b\n",
            "title: it's [[[[\n",
            "title: x # [[[[\n",
            "title: |-\n  [[[[\n   [[[[\n\n  x\ntags:\n- |2-\n   [[[[\n  [[[[\n",
            "title: 'two\n  [[[[ lines'\n",
            "title: a\n  [[[[ continued\n",
        ] {
            assert_eq!(flow_depth_over(yaml, 3), None, "{yaml}");
        }
    }

    #[test]
    fn what_only_looks_like_a_scalar_is_counted() {
        for yaml in [
            // A quote inside a plain scalar opens nothing: the flow list after it counts.
            "k: [a 'x, [[[[y]]]]]\n",
            "a 'x: [[[[y]]]]\n",
            // A plain scalar in a flow list goes on across lines, quote and all.
            "k: [a\n 'x, [[[[y]]]] ]\n",
            // A quoted scalar that closes on a later line, then a list.
            "k: [ 'a\n', [[[[y]]]] ]\n",
            // A block scalar ends at the first line indented as its key.
            "k: |\n  text\nj: [[[[y]]]]\n",
            "- - |\n    text\n  - [[[[y]]]]\n",
            "- k: |\n    text\n  j: [[[[y]]]]\n",
            // `#` right after a character is not a comment.
            "k: [a#b, [[[[y]]]]]\n",
        ] {
            assert!(flow_depth_over(yaml, 3).is_some(), "{yaml}");
        }
    }
}
