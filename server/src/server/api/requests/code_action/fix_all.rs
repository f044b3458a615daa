//! `source.fixAll.asyncell`: every safe fix of a file or notebook at once, as an editor's
//! fix-on-save asks for (`editor.codeActionsOnSave: {"source.fixAll": "explicit"}`).
//! The fixes are applied to a fixed point by the same engine as `asyncell check --fix`,
//! so the editor and the command line leave the same text.

use std::collections::HashMap;

use ruff_text_size::TextSize;
use tower_lsp_server::lsp_types::*;

use crate::analysis::document::CellInput;
use crate::analysis::fix::{fix_document, Sources};
use crate::analysis::Applicability;
use crate::positions::{self, Encoding, LineIndex};
use crate::server::session::{Location, Session};

pub const KIND: &str = "source.fixAll.asyncell";

/// The fix-all action for the file or notebook `uri` belongs to, or `None` when no safe
/// fix would change it. For a notebook cell the edit covers every changed cell.
pub fn action(session: &Session, uri: &Uri) -> Option<CodeAction> {
    let encoding = session.encoding;
    let (before, uris) = match session.locate(uri)? {
        Location::File(file) => (
            Sources::Python(file.analysis.text().to_string()),
            vec![file.uri.clone()],
        ),
        Location::Cell { notebook, .. } => (
            Sources::Cells(
                notebook
                    .cells
                    .iter()
                    .map(|cell| CellInput {
                        is_code: cell.is_code,
                        text: cell.text.text(),
                    })
                    .collect(),
            ),
            notebook.cells.iter().map(|cell| cell.uri.clone()).collect(),
        ),
    };
    let settings = session.document_of(uri)?.settings().clone();
    let fixed = fix_document(before.clone(), &settings, Applicability::Safe);
    let pairs: Vec<(&str, &str)> = match (&before, &fixed.sources) {
        (Sources::Python(old), Sources::Python(new)) => vec![(old, new)],
        (Sources::Cells(old), Sources::Cells(new)) => old
            .iter()
            .zip(new)
            .map(|(old, new)| (old.text.as_str(), new.text.as_str()))
            .collect(),
        _ => return None,
    };
    let changes: Vec<(Uri, Vec<TextEdit>)> = uris
        .into_iter()
        .zip(pairs)
        .filter(|(_, (old, new))| old != new)
        .map(|(uri, (old, new))| (uri, vec![changed_lines(old, new, encoding)]))
        .collect();
    if changes.is_empty() {
        return None;
    }
    Some(CodeAction {
        title: format!("Fix all safe asyncell findings ({})", fixed.total()),
        kind: Some(CodeActionKind::new(KIND)),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from_iter(changes)),
            ..WorkspaceEdit::default()
        }),
        ..CodeAction::default()
    })
}

/// One edit replacing the lines that differ, so the editor keeps the cursor, folds and
/// marks elsewhere (a whole-text replacement would reset them). The edit starts and
/// ends at line starts, never between a `\r` and its `\n`.
fn changed_lines(old: &str, new: &str, encoding: Encoding) -> TextEdit {
    let common_prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let start = positions::line_start(old, common_prefix);
    let max_suffix = (old.len() - start).min(new.len() - start);
    let common_suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    // The kept tail begins right after a line break (or is empty).
    let tail = &old[old.len() - common_suffix..];
    let kept = positions::next_line_start(tail, 0).map_or(0, |at| common_suffix - at);
    let (old_end, new_end) = (old.len() - kept, new.len() - kept);
    let index = LineIndex::new(old);
    let position = |offset: usize| {
        let at = index.line_col(
            old,
            TextSize::try_from(offset).unwrap_or_default(),
            encoding,
        );
        Position {
            line: at.line,
            character: at.col,
        }
    };
    TextEdit {
        range: Range {
            start: position(start),
            end: position(old_end),
        },
        new_text: new[start..new_end].to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(old: &str, edit: &TextEdit) -> String {
        let index = LineIndex::new(old);
        let offset = |p: Position| {
            usize::from(index.offset(
                old,
                crate::positions::LineCol {
                    line: p.line,
                    col: p.character,
                },
                Encoding::Utf16,
            ))
        };
        let (start, end) = (offset(edit.range.start), offset(edit.range.end));
        format!("{}{}{}", &old[..start], edit.new_text, &old[end..])
    }

    #[test]
    fn the_edit_covers_only_the_changed_lines_and_applies_back() {
        let cases = [
            ("a\nb\nc\n", "a\nB\nc\n"),
            ("a\nf(1)\nc\n", "a\nawait f(1)\nc\n"),
            ("x", "await x"),
            ("a\r\nb\r\nc", "a\r\nbb\r\nc"),
            ("a\nb\n", "a\nb\nc\n"),
            ("é\nb\n", "é\nb2\n"),
            ("same\nsame\n", "same\nsame\nsame\n"),
        ];
        for (old, new) in cases {
            let edit = changed_lines(old, new, Encoding::Utf16);
            assert_eq!(apply(old, &edit), new, "{old:?} -> {new:?}: {edit:?}");
            assert_eq!(edit.range.start.character, 0, "{old:?}");
        }
        let edit = changed_lines("a\nb\nc\n", "a\nB\nc\n", Encoding::Utf16);
        assert_eq!(edit.new_text, "B\n");
    }
}
