//! `notebookDocument/didChange`: cell structure, kinds and text edits, applied before any
//! `.await`; only the touched cells are re-parsed.

use tower_lsp_server::lsp_types::DidChangeNotebookDocumentParams;

use crate::server::backend::Backend;

pub async fn handle(backend: &Backend, params: DidChangeNotebookDocumentParams) {
    backend.edit_session(|s| s.change_notebook(params));
}
