//! `textDocument/didOpen` for `.py` files. Notebook cells arrive through
//! `notebookDocument/didOpen` instead.

use tower_lsp_server::lsp_types::DidOpenTextDocumentParams;

use crate::server::backend::Backend;

pub async fn handle(backend: &Backend, params: DidOpenTextDocumentParams) {
    if params.text_document.language_id != "python" {
        return;
    }
    backend.with_session(|s| s.open_file(params.text_document));
    backend.show_config_errors().await;
}
