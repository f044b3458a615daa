//! `notebookDocument/didOpen`.

use tower_lsp_server::lsp_types::DidOpenNotebookDocumentParams;

use crate::server::backend::Backend;

pub async fn handle(backend: &Backend, params: DidOpenNotebookDocumentParams) {
    backend.with_session(|s| s.open_notebook(params));
    backend.show_config_errors().await;
}
