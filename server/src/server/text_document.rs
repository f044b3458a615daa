//! An open text document: a rope that takes incremental edits.

use ropey::Rope;
use tower_lsp_server::lsp_types::TextDocumentContentChangeEvent;

use crate::positions::{rope_char_at, rope_line_and_column, Encoding, LineCol};

#[derive(Clone, Debug)]
pub struct TextDocument {
    rope: Rope,
    pub version: i32,
}

impl TextDocument {
    pub fn new(text: &str, version: i32) -> Self {
        TextDocument {
            rope: Rope::from_str(text),
            version,
        }
    }

    /// Applies changes in order. Positions past the end clamp to the end, as clients
    /// occasionally send them after a fast sequence of edits; a range whose end precedes
    /// its start is treated as an insertion at the start.
    pub fn apply_changes(
        &mut self,
        changes: Vec<TextDocumentContentChangeEvent>,
        version: i32,
        encoding: Encoding,
    ) {
        for change in changes {
            match change.range {
                None => self.rope = Rope::from_str(&change.text),
                Some(range) => {
                    let start = rope_char_at(
                        &self.rope,
                        LineCol {
                            line: range.start.line,
                            col: range.start.character,
                        },
                        encoding,
                    );
                    let end = rope_char_at(
                        &self.rope,
                        LineCol {
                            line: range.end.line,
                            col: range.end.character,
                        },
                        encoding,
                    );
                    let end = end.max(start);
                    self.rope.remove(start..end);
                    self.rope.insert(start, &change.text);
                }
            }
        }
        self.version = version;
    }

    pub fn text(&self) -> String {
        self.rope.to_string()
    }

    /// The line at an editor position (without its line break) and the position's column
    /// in characters: what a question to the live namespace takes as `code` and `cursor`.
    pub fn line_and_cursor(&self, position: LineCol, encoding: Encoding) -> (String, usize) {
        rope_line_and_column(&self.rope, position, encoding)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use tower_lsp_server::lsp_types::{Position, Range, TextDocumentContentChangeEvent};

    use super::*;

    /// An independent model of an editor buffer: a Vec of chars, positions resolved by
    /// walking lines. Clamping rules: a line past the end means the end of the text; a
    /// column past the line's content means the end of the content; a column inside a
    /// character means that character's start.
    fn model_offset(chars: &[char], line: u32, col: u32, encoding: Encoding) -> usize {
        let mut starts = vec![0usize];
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '\n' => starts.push(i + 1),
                '\r' if chars.get(i + 1) == Some(&'\n') => {
                    starts.push(i + 2);
                    i += 1;
                }
                '\r' => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        let Some(&start) = starts.get(line as usize) else {
            return chars.len();
        };
        let mut end = starts
            .get(line as usize + 1)
            .copied()
            .unwrap_or(chars.len());
        while end > start && matches!(chars[end - 1], '\n' | '\r') {
            end -= 1;
        }
        let mut units = 0usize;
        for (index, ch) in chars[start..end].iter().enumerate() {
            let width = match encoding {
                Encoding::Utf16 => ch.len_utf16(),
                Encoding::Utf8 => ch.len_utf8(),
                Encoding::Utf32 => 1,
            };
            if units + width > col as usize {
                return start + index;
            }
            units += width;
        }
        end
    }

    fn piece() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(vec![
                "a",
                "é",
                "😀",
                "\n",
                "\r\n",
                "\r",
                " ",
                "# %%\n",
                "await f()",
                "(",
                "'",
            ]),
            0..6,
        )
        .prop_map(|parts| parts.concat())
    }

    fn change() -> impl Strategy<Value = (u32, u32, u32, u32, String, bool)> {
        (
            0u32..8,
            0u32..12,
            0u32..8,
            0u32..12,
            piece(),
            prop::bool::weighted(0.05),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn random_edits_match_the_reference_model(
            initial in piece(),
            changes in prop::collection::vec(change(), 1..25),
            utf8 in any::<bool>(),
        ) {
            let encoding = if utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
            let mut document = TextDocument::new(&initial, 0);
            let mut model: Vec<char> = initial.chars().collect();
            for (version, (l1, c1, l2, c2, text, full)) in changes.into_iter().enumerate() {
                let event = if full {
                    model = text.chars().collect();
                    TextDocumentContentChangeEvent { range: None, range_length: None, text }
                } else {
                    let start = model_offset(&model, l1, c1, encoding);
                    let end = model_offset(&model, l2, c2, encoding).max(start);
                    model.splice(start..end, text.chars());
                    TextDocumentContentChangeEvent {
                        range: Some(Range {
                            start: Position { line: l1, character: c1 },
                            end: Position { line: l2, character: c2 },
                        }),
                        range_length: None,
                        text,
                    }
                };
                document.apply_changes(vec![event], version as i32, encoding);
                prop_assert_eq!(document.text(), model.iter().collect::<String>());
            }
        }
    }
}
