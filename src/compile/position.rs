//! Line and column bookkeeping for job sources: oxc works in byte offsets,
//! while OpenFn, V8 and source maps speak in lines and UTF-16 columns.

/// Index of line starts in a source text, used to turn byte offsets into
/// line/column pairs and to print error frames.
pub(crate) struct LineIndex<'s> {
    source: &'s str,
    /// Byte offset at which each line starts (line 1 is `starts[0]`).
    starts: Vec<usize>,
}

impl<'s> LineIndex<'s> {
    /// Scans `source` for ECMAScript line terminators (`\n`, `\r\n`, `\r`,
    /// U+2028, U+2029) — the same set acorn uses to number lines.
    pub(crate) fn new(source: &'s str) -> Self {
        let mut starts = vec![0];
        let mut chars = source.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '\r' => {
                    if let Some((_, '\n')) = chars.peek() {
                        chars.next();
                        starts.push(i + 2);
                    } else {
                        starts.push(i + 1);
                    }
                }
                '\n' | '\u{2028}' | '\u{2029}' => starts.push(i + c.len_utf8()),
                _ => {}
            }
        }
        Self { source, starts }
    }

    /// The indexed source text.
    pub(crate) fn source(&self) -> &'s str {
        self.source
    }

    /// 1-based line and 0-based UTF-16 column of a byte offset.
    pub(crate) fn line_col(&self, offset: u32) -> (u32, u32) {
        let offset = (offset as usize).min(self.source.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column: usize = self.source[start..offset]
            .chars()
            .map(char::len_utf16)
            .sum();
        (to_u32(line + 1), to_u32(column))
    }

    /// UTF-16 offset of a byte offset (a JavaScript string index, as acorn's
    /// `start`/`end`).
    pub(crate) fn utf16_offset(&self, offset: u32) -> u32 {
        let offset = (offset as usize).min(self.source.len());
        to_u32(self.source[..offset].chars().map(char::len_utf16).sum())
    }

    /// Text of a 1-based line, without its terminator.
    pub(crate) fn line_text(&self, line: u32) -> &'s str {
        let idx = (line as usize).saturating_sub(1);
        let Some(&start) = self.starts.get(idx) else {
            return "";
        };
        let end = self
            .starts
            .get(idx + 1)
            .copied()
            .unwrap_or(self.source.len());
        self.source[start..end].trim_end_matches(['\n', '\r', '\u{2028}', '\u{2029}'])
    }

    /// The source line plus a caret line pointing at a 0-based UTF-16 column.
    /// Tabs before the column are kept so the caret lines up in a terminal.
    pub(crate) fn frame(&self, line: u32, column: u32) -> String {
        let text = self.line_text(line);
        let mut pad = String::new();
        let mut seen = 0u32;
        for c in text.chars() {
            if seen >= column {
                break;
            }
            pad.push(if c == '\t' { '\t' } else { ' ' });
            seen += to_u32(c.len_utf16());
        }
        for _ in seen..column {
            pad.push(' ');
        }
        format!("{text}\n{pad}^")
    }
}

/// Converts a length that is known to come from a source text (bounded by
/// oxc's `u32` spans) to `u32`.
pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let idx = LineIndex::new("ab\ncd\r\nef\rg\u{2028}h");
        assert_eq!(idx.line_col(0), (1, 0));
        assert_eq!(idx.line_col(1), (1, 1));
        assert_eq!(idx.line_col(3), (2, 0));
        assert_eq!(idx.line_col(7), (3, 0));
        assert_eq!(idx.line_col(10), (4, 0));
        assert_eq!(idx.line_col(14), (5, 0));
        assert_eq!(idx.line_text(2), "cd");
        assert_eq!(idx.line_text(3), "ef");
    }

    #[test]
    fn columns_are_utf16() {
        // "é" is 2 bytes / 1 UTF-16 unit, "😀" is 4 bytes / 2 units
        let idx = LineIndex::new("é😀x");
        assert_eq!(idx.line_col(6), (1, 3));
    }

    #[test]
    fn frame_points_at_column() {
        let idx = LineIndex::new("first\n\tfn($.x)\n");
        assert_eq!(idx.frame(2, 4), "\tfn($.x)\n\t   ^");
    }
}
