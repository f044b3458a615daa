//! `textDocument/didClose`: forget the document, clear its diagnostics and stop its
//! host, whose namespace and tasks belong to the closed document.

use tower_lsp_server::lsp_types::DidCloseTextDocumentParams;

use crate::server::backend::Backend;

pub async fn handle(backend: &Backend, params: DidCloseTextDocumentParams) {
    let uri = params.text_document.uri;
    backend.with_session(|s| s.close_file(&uri));
    if let Some(supervisor) = backend.execution.started() {
        supervisor.shutdown(uri.as_str()).await;
    }
}
