//! Analysis results → LSP types. Positions go through [`UnitSlot::line_col`], which uses
//! `crate::positions`.

use tower_lsp_server::lsp_types::{self as lsp, NumberOrString};

use crate::analysis::{Diagnostic, Severity, UnitSlot};
use crate::positions::Encoding;

pub fn range(slot: &UnitSlot, range: ruff_text_size::TextRange, encoding: Encoding) -> lsp::Range {
    let start = slot.line_col(range.start(), encoding);
    let end = slot.line_col(range.end(), encoding);
    lsp::Range {
        start: lsp::Position {
            line: start.line,
            character: start.col,
        },
        end: lsp::Position {
            line: end.line,
            character: end.col,
        },
    }
}

/// `rule_url_base` is the `rule-url-base` setting: without one the diagnostic has no
/// code link, since there are no rule pages online to link to.
pub fn diagnostic(
    slot: &UnitSlot,
    diagnostic: &Diagnostic,
    encoding: Encoding,
    rule_url_base: Option<&str>,
) -> lsp::Diagnostic {
    let href =
        rule_url_base.and_then(|base| diagnostic.rule.url_under(base).parse::<lsp::Uri>().ok());
    lsp::Diagnostic {
        range: range(slot, diagnostic.range, encoding),
        severity: Some(match diagnostic.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(diagnostic.rule.code().to_string())),
        code_description: href.map(|href| lsp::CodeDescription { href }),
        source: Some("asyncell".to_string()),
        message: diagnostic.message.clone(),
        ..lsp::Diagnostic::default()
    }
}

pub fn text_edit(
    slot: &UnitSlot,
    edit: &crate::analysis::Edit,
    encoding: Encoding,
) -> lsp::TextEdit {
    lsp::TextEdit {
        range: range(slot, edit.range, encoding),
        new_text: edit.content.clone(),
    }
}
