//! The one place that converts between byte offsets and line/column positions.
//!
//! Analysis works in byte offsets relative to a unit (a cell or a script segment). Editors
//! speak in (line, column) with columns counted in UTF-16 code units by default, UTF-8
//! bytes when negotiated, and the command line prints 1-based character columns like
//! Ruff. Every such conversion goes through [`LineIndex`] (for immutable text) or
//! [`rope_char_at`] (for the server's editable ropes), so there is exactly one definition
//! of "column" per encoding and one clamping policy for positions past the end.

use ruff_text_size::TextSize;

/// How columns are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8 code units (bytes).
    Utf8,
    /// UTF-16 code units: the LSP default.
    #[default]
    Utf16,
    /// Unicode scalar values: what people and Ruff's text output call a column.
    Utf32,
}

/// A zero-based line and column, the column counted in some [`Encoding`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Line starts of one immutable text. Lines end at `\n`, `\r\n` or a lone `\r`, the same
/// line breaks that Python's tokenizer and LSP clients recognise.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    line_starts: Vec<TextSize>,
    ascii: bool,
    len: TextSize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = Vec::with_capacity(bytes.len() / 32 + 1);
        line_starts.push(TextSize::new(0));
        // Built for every unit on every parse: jump between line breaks with memchr
        // (SIMD) rather than testing each byte. Most files have no `\r` at all.
        if memchr::memchr(b'\r', bytes).is_none() {
            line_starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| to_size(i + 1)));
        } else {
            for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
                let is_crlf_head = bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n');
                if !is_crlf_head {
                    line_starts.push(to_size(i + 1));
                }
            }
        }
        LineIndex {
            line_starts,
            ascii: text.is_ascii(),
            len: to_size(text.len()),
        }
    }

    /// Number of lines; a text ending in a newline has an empty last line.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where zero-based `line` starts; past the end, the end of the text.
    pub fn line_start(&self, line: usize) -> TextSize {
        self.line_starts.get(line).copied().unwrap_or(self.len)
    }

    /// Zero-based line containing `offset` (clamped to the text).
    pub fn line_of(&self, offset: TextSize) -> usize {
        let offset = offset.min(self.len);
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// The line and column of `offset` in `text` (which must be the text this index was
    /// built from). Offsets past the end clamp to the end; offsets inside a character clamp
    /// to its start.
    pub fn line_col(&self, text: &str, offset: TextSize, encoding: Encoding) -> LineCol {
        let offset = offset.min(self.len);
        let line = self.line_of(offset);
        let start = usize::from(self.line_start(line));
        let mut end = usize::from(offset);
        while end > start && !text.is_char_boundary(end) {
            end -= 1;
        }
        let prefix = &text[start..end];
        let col = if self.ascii {
            prefix.len()
        } else {
            match encoding {
                Encoding::Utf8 => prefix.len(),
                Encoding::Utf16 => prefix.chars().map(char::len_utf16).sum(),
                Encoding::Utf32 => prefix.chars().count(),
            }
        };
        LineCol {
            line: to_u32(line),
            col: to_u32(col),
        }
    }

    /// The byte offset of a line and column. A line past the end clamps to the end of the
    /// text; a column past the end of its line clamps to the line's end (before its line
    /// break); a column inside a character clamps to that character's start.
    pub fn offset(&self, text: &str, position: LineCol, encoding: Encoding) -> TextSize {
        let line = position.line as usize;
        if line >= self.line_starts.len() {
            return self.len;
        }
        let start = usize::from(self.line_starts[line]);
        let end = self.content_end(text, line);
        let content = &text[start..end];
        let wanted = position.col as usize;
        let within = if self.ascii || encoding == Encoding::Utf8 {
            let mut byte = wanted.min(content.len());
            while byte > 0 && !content.is_char_boundary(byte) {
                byte -= 1;
            }
            byte
        } else {
            let mut units = 0;
            let mut byte = content.len();
            for (index, ch) in content.char_indices() {
                let width = match encoding {
                    Encoding::Utf16 => ch.len_utf16(),
                    _ => 1,
                };
                if units + width > wanted {
                    byte = index;
                    break;
                }
                units += width;
            }
            byte
        };
        to_size(start + within)
    }

    /// Byte offset where `line`'s content ends, before its line break.
    fn content_end(&self, text: &str, line: usize) -> usize {
        let next = self
            .line_starts
            .get(line + 1)
            .map_or(text.len(), |s| usize::from(*s));
        let bytes = text.as_bytes();
        let mut end = next;
        if end > 0 && bytes.get(end - 1) == Some(&b'\n') && line + 1 < self.line_starts.len() {
            end -= 1;
        }
        if end > 0 && bytes.get(end - 1) == Some(&b'\r') && line + 1 < self.line_starts.len() {
            end -= 1;
        }
        end.max(usize::from(self.line_starts[line]))
    }
}

/// The char index in `rope` for an editor position, clamped like [`LineIndex::offset`].
/// Used to apply incremental edits to the server's ropes.
pub fn rope_char_at(rope: &ropey::Rope, position: LineCol, encoding: Encoding) -> usize {
    let line = position.line as usize;
    if line >= rope.len_lines() {
        return rope.len_chars();
    }
    let line_start = rope.line_to_char(line);
    let line_slice = rope.line(line);
    let mut content_chars = line_slice.len_chars();
    // Exclude the line break so a column past the end stays on this line.
    while content_chars > 0 {
        let ch = line_slice.char(content_chars - 1);
        if ch == '\n' || ch == '\r' {
            content_chars -= 1;
        } else {
            break;
        }
    }
    let content = line_slice.slice(..content_chars);
    let wanted = position.col as usize;
    let chars = match encoding {
        Encoding::Utf32 => wanted.min(content_chars),
        Encoding::Utf16 => {
            let total = content.len_utf16_cu();
            let clamped = wanted.min(total);
            // A column in the middle of a surrogate pair lands on the pair's char.
            content.utf16_cu_to_char(clamped)
        }
        Encoding::Utf8 => {
            let total = content.len_bytes();
            content.byte_to_char(wanted.min(total))
        }
    };
    line_start + chars
}

fn to_size(n: usize) -> TextSize {
    TextSize::try_from(n).unwrap_or(TextSize::new(u32::MAX))
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_code_units_of_the_chosen_encoding() {
        let text = "a = \"é😀\"\nb\r\nc";
        let index = LineIndex::new(text);
        let after_emoji = TextSize::new(text.find("😀").unwrap() as u32 + 4);
        assert_eq!(index.line_col(text, after_emoji, Encoding::Utf8).col, 11);
        assert_eq!(index.line_col(text, after_emoji, Encoding::Utf16).col, 8);
        assert_eq!(index.line_col(text, after_emoji, Encoding::Utf32).col, 7);
        assert_eq!(index.line_count(), 3);
        assert_eq!(
            index.line_col(text, TextSize::new(text.len() as u32), Encoding::Utf16),
            LineCol { line: 2, col: 1 }
        );
    }

    #[test]
    fn positions_past_the_end_clamp() {
        let text = "ab\r\ncd";
        let index = LineIndex::new(text);
        assert_eq!(
            index.offset(text, LineCol { line: 0, col: 99 }, Encoding::Utf16),
            TextSize::new(2)
        );
        assert_eq!(
            index.offset(text, LineCol { line: 9, col: 0 }, Encoding::Utf16),
            TextSize::new(6)
        );
        let rope = ropey::Rope::from_str(text);
        assert_eq!(
            rope_char_at(&rope, LineCol { line: 0, col: 99 }, Encoding::Utf16),
            2
        );
        assert_eq!(
            rope_char_at(&rope, LineCol { line: 9, col: 0 }, Encoding::Utf16),
            6
        );
    }

    #[test]
    fn a_column_inside_a_surrogate_pair_clamps_to_the_character() {
        let text = "😀x";
        let index = LineIndex::new(text);
        assert_eq!(
            index.offset(text, LineCol { line: 0, col: 1 }, Encoding::Utf16),
            TextSize::new(0)
        );
        assert_eq!(
            index.offset(text, LineCol { line: 0, col: 2 }, Encoding::Utf16),
            TextSize::new(4)
        );
    }

    /// The definition the memchr scan must agree with: a line starts after every `\n`,
    /// after every `\r\n` (once) and after every lone `\r`.
    fn line_starts_by_definition(text: &str) -> Vec<TextSize> {
        let bytes = text.as_bytes();
        let mut starts = vec![TextSize::new(0)];
        for (i, byte) in bytes.iter().enumerate() {
            let ends_line = match byte {
                b'\n' => true,
                b'\r' => bytes.get(i + 1) != Some(&b'\n'),
                _ => false,
            };
            if ends_line {
                starts.push(to_size(i + 1));
            }
        }
        starts
    }

    proptest::proptest! {
        #[test]
        fn line_starts_follow_every_kind_of_line_break(text in "[a\r\né]{0,40}") {
            proptest::prop_assert_eq!(
                LineIndex::new(&text).line_starts,
                line_starts_by_definition(&text)
            );
        }
    }
}
