//! An open text document: a rope that takes incremental edits.

use ropey::Rope;
use tower_lsp_server::lsp_types::TextDocumentContentChangeEvent;

use crate::positions::{rope_char_at, Encoding, LineCol};

#[derive(Clone, Debug)]
pub struct TextDocument {
    rope: Rope,
    pub version: i32,
}

impl TextDocument {
    pub fn new(text: &str, version: i32) -> Self {
        TextDocument { rope: Rope::from_str(text), version }
    }

    /// Applies changes in order. Positions past the end clamp to the end, as clients
    /// occasionally send them after a fast sequence of edits; a range whose end precedes
    /// its start is treated as an insertion at the start.
    pub fn apply_changes(&mut self, changes: Vec<TextDocumentContentChangeEvent>, version: i32, encoding: Encoding) {
        for change in changes {
            match change.range {
                None => self.rope = Rope::from_str(&change.text),
                Some(range) => {
                    let start = rope_char_at(&self.rope, LineCol { line: range.start.line, col: range.start.character }, encoding);
                    let end = rope_char_at(&self.rope, LineCol { line: range.end.line, col: range.end.character }, encoding);
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
}
