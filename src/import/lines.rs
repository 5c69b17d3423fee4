//! Line numbers from byte offsets, for the readers' messages, and the count of bytes the
//! readers look at.
//!
//! [`Lines`] counts forward from the last offset asked, so asking for the line of every record
//! of a file in order scans the file once. Every reader also reports what else it scans or
//! hands to a parser through [`Lines::charge`]: the total, [`Lines::work`], is how the tests
//! check that an importer's work grows linearly with its input without timing it (a reader that
//! went back to the start for every record would show a total that grows with the square).

/// Line numbers of one text, counted forward.
pub(super) struct Lines<'a> {
    text: &'a [u8],
    /// The offset counted up to, and its line and the offset where that line starts.
    byte: usize,
    line: usize,
    line_start: usize,
    work: u64,
}

impl<'a> Lines<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Lines {
            text: text.as_bytes(),
            byte: 0,
            line: 1,
            line_start: 0,
            work: 0,
        }
    }

    /// The line (1-based) of the byte at `byte`.
    pub(super) fn line_at(&mut self, byte: usize) -> usize {
        self.position(byte).0
    }

    /// The line and column (both 1-based, the column in bytes) of the byte at `byte`.
    pub(super) fn position(&mut self, byte: usize) -> (usize, usize) {
        let byte = byte.min(self.text.len());
        if byte < self.byte {
            // Going back costs a scan from the start: counted, so a reader that does it for
            // every record shows up in `work`.
            self.byte = 0;
            self.line = 1;
            self.line_start = 0;
        }
        let span = &self.text[self.byte..byte];
        self.work += span.len() as u64;
        for (i, &b) in span.iter().enumerate() {
            if b == b'\n' {
                self.line += 1;
                self.line_start = self.byte + i + 1;
            }
        }
        self.byte = byte;
        (self.line, byte - self.line_start + 1)
    }

    /// Counts `bytes` more bytes looked at (scanned, or given to a parser).
    pub(super) fn charge(&mut self, bytes: usize) {
        self.work += bytes as u64;
    }

    /// Bytes looked at so far.
    pub(super) fn work(&self) -> u64 {
        self.work
    }
}

#[cfg(test)]
mod tests {
    use super::Lines;

    #[test]
    fn lines_and_columns_count_forward() {
        let text = "ab\ncd\r\n\nef";
        let mut lines = Lines::new(text);
        assert_eq!(lines.position(0), (1, 1));
        assert_eq!(lines.position(4), (2, 2));
        assert_eq!(lines.position(8), (4, 1));
        assert_eq!(lines.work(), 8);
        assert_eq!(lines.position(3), (2, 1));
        assert_eq!(lines.work(), 11);
        assert_eq!(lines.line_at(100), 4);
    }
}
