//! `asyncell/interrupt`: stop the document's running cell and drop its queued ones.

use tower_lsp_server::jsonrpc::Result;

use crate::exec::InterruptOutcome;
use crate::server::backend::Backend;
use crate::server::extension::DocumentParams;

pub async fn handle(backend: &Backend, params: DocumentParams) -> Result<InterruptOutcome> {
    let doc = backend.execution_document(&params.text_document.uri);
    let outcome = backend
        .execution
        .supervisor(&backend.client)
        .interrupt(doc.as_str())
        .await;
    Ok(outcome)
}
