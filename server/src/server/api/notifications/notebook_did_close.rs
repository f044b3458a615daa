//! `notebookDocument/didClose`: forget the notebook and clear its cells' diagnostics.

use tower_lsp_server::lsp_types::DidCloseNotebookDocumentParams;

use crate::server::backend::Backend;

pub async fn handle(backend: &Backend, params: DidCloseNotebookDocumentParams) {
    let publishes = backend.with_session(|s| s.close_notebook(&params.notebook_document.uri));
    backend.publish(publishes).await;
}
