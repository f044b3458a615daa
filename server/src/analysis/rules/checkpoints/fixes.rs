//! The fixes of the checkpoint rules, prepared as [`Flow`] walks: inserting
//! `await trio.lowlevel.checkpoint()` (or the library's equivalent) before an exit, at
//! the top or end of a body (ASYNC91x), and removing a cancel scope without checkpoints
//! (ASYNC100).

use ruff_python_ast::Stmt;
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::flow::{EmptyScope, Flow};
use crate::analysis::diagnostic::{Edit, Fix};
use crate::positions;

impl<'c, 'a> Flow<'c, 'a> {
    pub(super) fn fix_once(&mut self, loop_rule: bool, edit: Edit) -> Option<Fix> {
        if !self.can_fix || !self.fixed_at.insert((loop_rule, edit.range.start())) {
            return None;
        }
        Some(Fix::new(
            format!("Insert `await {}`", self.library.checkpoint_call()),
            vec![edit],
        ))
    }

    pub(super) fn text(&self) -> &'c str {
        &self.checker.unit.text
    }

    pub(super) fn insertion(&self) -> String {
        format!("await {}", self.library.checkpoint_call())
    }

    /// Whether the ASYNC91x fixes can be offered at all. The edits are prepared at every
    /// exit and loop as the walk passes them, so without this every async function of
    /// every file would format edits that the (opt-in) rules never report.
    pub(super) fn inserts_checkpoints(&self) -> bool {
        self.wanted.async91x && self.can_fix
    }

    /// Inserts a checkpoint on its own line before `stmt`, if `stmt` is alone on its
    /// line.
    pub(super) fn before_stmt_edit(&self, stmt: &Stmt) -> Option<Edit> {
        if !self.inserts_checkpoints() {
            return None;
        }
        let text = self.text();
        let indent = own_line_indent(text, stmt.range())?;
        Some(Edit::insert(
            stmt.start(),
            format!("{}\n{indent}", self.insertion()),
        ))
    }

    /// Inserts a checkpoint as the first statement of a body (after a docstring).
    pub(super) fn body_start_edit(&self, body: &[Stmt]) -> Option<Edit> {
        if !self.inserts_checkpoints() {
            return None;
        }
        match body.first() {
            Some(first) if is_docstring(first) => {
                let text = self.text();
                let indent = own_line_indent(text, first.range())?;
                let at = line_end(text, first.end());
                Some(Edit::insert(at, format!("\n{indent}{}", self.insertion())))
            }
            _ => self.before_first_stmt_edit(body),
        }
    }

    pub(super) fn before_first_stmt_edit(&self, body: &[Stmt]) -> Option<Edit> {
        self.before_stmt_edit(body.first()?)
    }

    /// Appends a checkpoint as the last statement of a body.
    pub(super) fn body_end_edit(&self, body: &[Stmt]) -> Option<Edit> {
        if !self.inserts_checkpoints() {
            return None;
        }
        let text = self.text();
        let indent = own_line_indent(text, body.first()?.range())?;
        let at = line_end(text, body.last()?.end());
        Some(Edit::insert(at, format!("\n{indent}{}", self.insertion())))
    }

    /// ASYNC100's fix: the `with` goes and its body moves out one level, when the cancel
    /// scope is the statement's only item and binds no name.
    pub(super) fn remove_scope_fix(&self, scope: &EmptyScope) -> Option<Fix> {
        let with = scope.with;
        if with.items.len() != 1 || with.items[scope.item].optional_vars.is_some() {
            return None;
        }
        let text = self.text();
        let first = with.body.first()?;
        let last = with.body.last()?;
        let body_range = TextRange::new(first.start(), last.end());
        let body_text = &text[body_range];
        // Dedenting would change the contents of a multi-line string.
        if body_text.contains("\"\"\"") || body_text.contains("'''") {
            return None;
        }
        let with_indent = line_indent(text, with.start())?;
        let title = format!("Remove the `{}` context", scope.name);
        let header_end = line_start(text, first.start());
        if header_end <= with.start() {
            // `with ...: stmt` on one line: keep the statement(s) in its place.
            if text[TextRange::new(with.start(), first.start())].contains('#') {
                return None;
            }
            return Some(Fix::new(
                title,
                vec![Edit::replace(with.range(), body_text.to_string())],
            ));
        }
        // A comment in the header would be lost.
        if text[TextRange::new(with.start(), header_end)].contains('#') {
            return None;
        }
        let body_indent = line_indent(text, first.start())?;
        let extra = body_indent.strip_prefix(with_indent)?.len();
        let with_line = line_start(text, with.start());
        let mut edits = vec![Edit::delete(TextRange::new(with_line, header_end))];
        // Remove one level of indentation from every line of the body.
        let mut at = header_end;
        let end = last.end();
        while at < end {
            let rest = &text[usize::from(at)..];
            let strip = rest
                .bytes()
                .take(extra)
                .take_while(|b| *b == b' ' || *b == b'\t')
                .count();
            if strip > 0 {
                let strip = TextSize::try_from(strip).ok()?;
                edits.push(Edit::delete(TextRange::at(at, strip)));
            }
            match positions::next_line_start(rest, 0) {
                Some(next) => at += TextSize::try_from(next).ok()?,
                None => break,
            }
        }
        Some(Fix::new(title, edits))
    }
}

/// The indentation of the line `range` starts on, if only whitespace precedes it there
/// and nothing but a comment follows its end on its last line.
fn own_line_indent(text: &str, range: TextRange) -> Option<&str> {
    let start = usize::from(range.start());
    let line = usize::from(line_start(text, range.start()));
    let indent = text.get(line..start)?;
    if !indent.chars().all(|c| c == ' ' || c == '\t') {
        return None;
    }
    let end = usize::from(range.end());
    let after = text.get(end..usize::from(line_end(text, range.end())))?;
    let after = after.trim_start();
    if !(after.is_empty() || after.starts_with('#')) {
        return None;
    }
    Some(indent)
}

/// The whitespace before `at` on its line, if only whitespace precedes it.
fn line_indent(text: &str, at: TextSize) -> Option<&str> {
    let indent = text.get(usize::from(line_start(text, at))..usize::from(at))?;
    indent
        .chars()
        .all(|c| c == ' ' || c == '\t')
        .then_some(indent)
}

fn line_start(text: &str, at: TextSize) -> TextSize {
    TextSize::try_from(positions::line_start(text, usize::from(at))).unwrap_or_default()
}

/// The offset of the line break ending the line `at` is on (or the end of the text).
fn line_end(text: &str, at: TextSize) -> TextSize {
    TextSize::try_from(positions::line_end(text, usize::from(at))).unwrap_or_default()
}

fn is_docstring(stmt: &Stmt) -> bool {
    matches!(stmt, Stmt::Expr(e) if e.value.is_string_literal_expr())
}
