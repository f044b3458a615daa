//! `textDocument/didClose`: forget the document and clear its diagnostics.

use tower_lsp_server::lsp_types::DidCloseTextDocumentParams;

use crate::server::backend::Backend;

pub async fn handle(backend: &Backend, params: DidCloseTextDocumentParams) {
    let publishes = backend.with_session(|s| s.close_file(&params.text_document.uri));
    backend.publish(publishes).await;
}
