//! `textDocument/didChange`: apply the edits and re-check, before any `.await`.

use tower_lsp_server::lsp_types::DidChangeTextDocumentParams;

use crate::server::backend::Backend;

pub async fn handle(backend: &Backend, params: DidChangeTextDocumentParams) {
    let publishes =
        backend.with_session(|s| s.change_file(params.text_document, params.content_changes));
    backend.publish(publishes).await;
}
