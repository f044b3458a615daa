//! `notebookDocument/didClose`: forget the notebook, clear its cells' diagnostics and
//! stop its host.

use tower_lsp_server::lsp_types::DidCloseNotebookDocumentParams;

use crate::server::backend::Backend;

pub async fn handle(backend: &Backend, params: DidCloseNotebookDocumentParams) {
    let uri = params.notebook_document.uri;
    backend.with_session(|s| s.close_notebook(&uri));
    if let Some(supervisor) = backend.execution.started() {
        supervisor.shutdown(uri.as_str()).await;
    }
}
