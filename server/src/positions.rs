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

// ---- Line arithmetic on plain text ---------------------------------------------------
//
// For code that asks one question of a text it does not keep (a line number for a
// message, the line around an offset for a fix, the lines of a cell) and so has no
// [`LineIndex`]. The definition of a line break is the one above: `\n`, `\r\n` (once),
// or a lone `\r`, as Python reads source; the tests hold these to [`LineIndex`].

/// Whether byte `i` ends a line: a `\n`, or a `\r` that no `\n` follows.
fn ends_line(bytes: &[u8], i: usize) -> bool {
    match bytes.get(i) {
        Some(b'\n') => true,
        Some(b'\r') => bytes.get(i + 1) != Some(&b'\n'),
        _ => false,
    }
}

/// Zero-based line of byte `offset` in `bytes` (clamped to their end): the number of line
/// breaks that end before it. For source not decoded yet (`source/pep263.rs`).
pub fn line_number_in_bytes(bytes: &[u8], offset: usize) -> usize {
    let prefix = &bytes[..offset.min(bytes.len())];
    let newlines = memchr::memchr_iter(b'\n', prefix).count();
    if memchr::memchr(b'\r', prefix).is_none() {
        return newlines;
    }
    // A `\r` is a line break of its own unless a `\n` follows (in the whole text: an
    // offset between the two is on the `\r`'s line).
    let lone_returns = memchr::memchr_iter(b'\r', prefix)
        .filter(|&i| bytes.get(i + 1) != Some(&b'\n'))
        .count();
    newlines + lone_returns
}

/// Zero-based line of byte `offset` in `text` (clamped to its end), as
/// [`LineIndex::line_of`] gives it.
pub fn line_number(text: &str, offset: usize) -> usize {
    line_number_in_bytes(text.as_bytes(), offset)
}

/// [`line_number`] as the `u32` editors and messages use.
pub fn line_number_u32(text: &str, offset: usize) -> u32 {
    to_u32(line_number(text, offset))
}

/// Byte offset where the line holding `offset` starts (`offset` clamped to the text).
pub fn line_start(text: &str, offset: usize) -> usize {
    let bytes = text.as_bytes();
    let mut end = offset.min(bytes.len());
    while let Some(i) = memchr::memrchr2(b'\n', b'\r', &bytes[..end]) {
        if ends_line(bytes, i) {
            return i + 1;
        }
        // The `\r` of a `\r\n` whose `\n` is at `offset`: keep looking before it.
        end = i;
    }
    0
}

/// Byte offset where the content of the line holding `offset` ends: its line break, or
/// the end of the text on the last line. Never before `offset` (clamped to the text): an
/// offset between a `\r` and its `\n` is its own line's end.
pub fn line_end(text: &str, offset: usize) -> usize {
    line_end_in_bytes(text.as_bytes(), offset)
}

fn line_end_in_bytes(bytes: &[u8], offset: usize) -> usize {
    let offset = offset.min(bytes.len());
    memchr::memchr2(b'\n', b'\r', &bytes[offset..]).map_or(bytes.len(), |i| offset + i)
}

/// Byte offset just past the line break that ends the line holding `offset`; `None` on
/// the last line.
pub fn next_line_start(text: &str, offset: usize) -> Option<usize> {
    next_line_start_in_bytes(text.as_bytes(), offset)
}

/// [`next_line_start`] in source not decoded yet (`source/pep263.rs`).
pub fn next_line_start_in_bytes(bytes: &[u8], offset: usize) -> Option<usize> {
    let at = line_end_in_bytes(bytes, offset);
    match bytes.get(at)? {
        b'\r' if bytes.get(at + 1) == Some(&b'\n') => Some(at + 2),
        _ => Some(at + 1),
    }
}

/// Whether byte offset `at` falls between the `\r` and the `\n` of one line break, where
/// text must not be cut in two (each half would count the line break).
pub fn splits_crlf(bytes: &[u8], at: usize) -> bool {
    at > 0 && bytes.get(at - 1) == Some(&b'\r') && bytes.get(at) == Some(&b'\n')
}

/// Whether a byte is part of a line break.
pub fn is_line_break(byte: u8) -> bool {
    matches!(byte, b'\n' | b'\r')
}

/// The text's first line, without its line break.
pub fn first_line(text: &str) -> &str {
    &text[..line_end(text, 0)]
}

/// Whether `text` ends with a line break (so its last line, as [`LineIndex`] counts
/// lines, is empty).
pub fn ends_with_line_break(text: &str) -> bool {
    text.ends_with(['\n', '\r'])
}

/// The lines of `text` with their starting byte offsets, line breaks excluded. A line
/// break at the end does not start another line: like Python's `str.splitlines()` for
/// these three line breaks, and Rust's `str::lines()` had it known a lone `\r`.
pub fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    lines_with_breaks(text).map(|(start, line)| (start, line.trim_end_matches(['\n', '\r'])))
}

/// The lines of `text` with their starting byte offsets and their line breaks: they
/// concatenate to `text`.
pub fn lines_with_breaks(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        let end = next_line_start(text, start).unwrap_or(text.len());
        let line = (start, &text[start..end]);
        start = end;
        Some(line)
    })
}

/// How many columns `text` spans in `encoding` (a line's width, the column of its end).
pub fn width(text: &str, encoding: Encoding) -> u32 {
    let n = match encoding {
        Encoding::Utf8 => text.len(),
        Encoding::Utf16 => text.chars().map(char::len_utf16).sum(),
        Encoding::Utf32 => text.chars().count(),
    };
    to_u32(n)
}

/// The line of `rope` at an editor position (without its line break), and the position's
/// column in characters (clamped like [`rope_char_at`]).
pub fn rope_line_and_column(
    rope: &ropey::Rope,
    position: LineCol,
    encoding: Encoding,
) -> (String, usize) {
    let at = rope_char_at(rope, position, encoding);
    let line = rope.char_to_line(at);
    let start = rope.line_to_char(line);
    let text: String = rope.line(line).chars().collect();
    let text = text.trim_end_matches(['\n', '\r']).to_string();
    (text, at - start)
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

        /// The plain-text helpers give the lines [`LineIndex`] gives, at every offset.
        #[test]
        fn line_helpers_agree_with_the_line_index(text in "[a\r\né]{0,40}") {
            let index = LineIndex::new(&text);
            for offset in 0..=text.len() + 1 {
                let line = index.line_of(to_size(offset));
                proptest::prop_assert_eq!(line_number(&text, offset), line);
                let at = offset.min(text.len());
                let start = line_start(&text, offset);
                proptest::prop_assert_eq!(to_size(start), index.line_start(line));
                let end = line_end(&text, offset);
                proptest::prop_assert_eq!(end.max(at), end);
                if end != at {
                    proptest::prop_assert_eq!(end, index.content_end(&text, line));
                }
                let next = next_line_start(&text, offset).map(to_size);
                let expected = (line + 1 < index.line_count()).then(|| index.line_start(line + 1));
                proptest::prop_assert_eq!(next, expected);
            }
            let joined: String = lines_with_breaks(&text).map(|(_, line)| line).collect();
            proptest::prop_assert_eq!(&joined, &text);
            let starts: Vec<TextSize> = lines(&text).map(|(start, _)| to_size(start)).collect();
            let mut expected = index.line_starts.clone();
            if ends_with_line_break(&text) || text.is_empty() {
                expected.pop();
            }
            proptest::prop_assert_eq!(starts, expected);
            for (start, line) in lines(&text) {
                proptest::prop_assert!(!line.contains(['\n', '\r']));
                proptest::prop_assert_eq!(start + line.len(), line_end(&text, start));
            }
        }
    }

    #[test]
    fn a_lone_carriage_return_ends_a_line() {
        let text = "a\rb\r\nc\nd";
        assert_eq!(line_number(text, text.find('b').unwrap()), 1);
        assert_eq!(line_number(text, text.find('c').unwrap()), 2);
        assert_eq!(line_number(text, text.find('d').unwrap()), 3);
        // Between the `\r` and the `\n` of a CRLF: still on the `\r`'s line.
        assert_eq!(line_number(text, text.find('\n').unwrap()), 1);
        assert_eq!(line_start(text, text.find('\n').unwrap()), 2);
        let collected: Vec<_> = lines(text).collect();
        assert_eq!(collected, [(0, "a"), (2, "b"), (5, "c"), (7, "d")]);
        assert_eq!(first_line("# %%\rx = 1"), "# %%");
        assert!(ends_with_line_break("x\r"));
        assert_eq!(width("é😀", Encoding::Utf16), 3);
    }
}
