//! `textDocument/codeAction`: quick fixes and `# noqa` suppressions for the diagnostics
//! under the cursor.

use std::collections::HashMap;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::lsp_types::*;

use crate::analysis::noqa;
use crate::server::backend::Backend;
use crate::server::convert;

pub fn handle(backend: &Backend, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
    let uri = params.text_document.uri;
    let actions = backend.with_session(|session| {
        let encoding = session.encoding;
        let found = session.diagnostics_in(&uri, params.range);
        let Some(document) = session.document_of(&uri) else {
            return Vec::new();
        };
        let mut actions = Vec::new();
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
            if let Some(fix) = &diagnostic.fix {
                let edits = fix
                    .edits
                    .iter()
                    .map(|e| convert::text_edit(slot, e, encoding))
                    .collect();
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("{} ({})", fix.message, diagnostic.code),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![lsp_diagnostic.clone()]),
                    edit: Some(edit_for(edits)),
                    is_preferred: Some(true),
                    ..CodeAction::default()
                }));
            }
            let suppression = noqa::suppression_edit(&slot.unit, diagnostic);
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Suppress {} with `# noqa`", diagnostic.code),
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
