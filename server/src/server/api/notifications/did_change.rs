//! `textDocument/didChange`: apply the edits, before any `.await`. The check and the
//! publish follow when the transport is idle (`server/pending.rs`), for the latest version.

use tower_lsp_server::lsp_types::DidChangeTextDocumentParams;

use crate::server::backend::Backend;

pub async fn handle(backend: &Backend, params: DidChangeTextDocumentParams) {
    backend.edit_session(|s| s.change_file(params.text_document, params.content_changes));
}
