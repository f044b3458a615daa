//! `textDocument/codeAction`: quick fixes and `# noqa` suppressions for the diagnostics
//! under the cursor, `source.fixAll.asyncell` for the whole document, and (for clients
//! without an asyncell plugin) running the cell at the cursor (`run.rs`).
//!
//! Only a safe fix is the preferred action: editors apply the preferred fix on their
//! own ("auto fix", fix-on-save), and an unsafe fix changes what the code does, so it
//! is offered but must be chosen. Display-only fixes are never offered as edits.

pub mod fix_all;
pub mod run;

use std::collections::HashMap;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::lsp_types::*;

use crate::analysis::{noqa, Applicability};
use crate::server::backend::Backend;
use crate::server::convert;

pub fn handle(backend: &Backend, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
    let uri = params.text_document.uri;
    let only = params.context.only;
    let wanted = |kind: &CodeActionKind| {
        only.as_ref().is_none_or(|only| {
            only.iter().any(|asked| {
                kind.as_str() == asked.as_str()
                    || kind
                        .as_str()
                        .strip_prefix(asked.as_str())
                        .is_some_and(|rest| rest.starts_with('.'))
            })
        })
    };
    let fix_all_kind = CodeActionKind::new(fix_all::KIND);
    let actions = backend.with_session(|session| {
        let encoding = session.encoding;
        let mut actions = Vec::new();
        if wanted(&fix_all_kind) {
            actions.extend(fix_all::action(session, &uri).map(CodeActionOrCommand::CodeAction));
        }
        actions.extend(run::actions(session, &uri, params.range.start, &wanted));
        if !wanted(&CodeActionKind::QUICKFIX) {
            return actions;
        }
        let found = session.diagnostics_in(&uri, params.range);
        let Some(document) = session.document_of(&uri) else {
            return actions;
        };
        for (uri, position, diagnostic) in &found {
            let Some(slot) = document.slots().get(*position) else {
                continue;
            };
            let url_base = document.settings().rule_url_base.as_deref();
            let lsp_diagnostic = convert::diagnostic(slot, diagnostic, encoding, url_base);
            let edit_for = |edits: Vec<TextEdit>| WorkspaceEdit {
                changes: Some(HashMap::from([(uri.clone(), edits)])),
                ..WorkspaceEdit::default()
            };
            let offered = diagnostic
                .fix
                .as_ref()
                .filter(|fix| fix.applicability != Applicability::DisplayOnly);
            if let Some(fix) = offered {
                let edits = fix
                    .edits
                    .iter()
                    .map(|e| convert::text_edit(slot, e, encoding))
                    .collect();
                let safe = fix.applicability == Applicability::Safe;
                let title = if safe {
                    format!("{} ({})", fix.message, diagnostic.rule.code())
                } else {
                    format!("{} ({}, unsafe fix)", fix.message, diagnostic.rule.code())
                };
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title,
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![lsp_diagnostic.clone()]),
                    edit: Some(edit_for(edits)),
                    is_preferred: Some(safe),
                    ..CodeAction::default()
                }));
            }
            let suppression = noqa::suppression_edit(&slot.unit, diagnostic);
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Suppress {} with `# noqa`", diagnostic.rule.code()),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp_diagnostic]),
                edit: Some(edit_for(vec![convert::text_edit(
                    slot,
                    &suppression,
                    encoding,
                )])),
                ..CodeAction::default()
            }));
        }
        actions
    });
    Ok(Some(actions))
}
