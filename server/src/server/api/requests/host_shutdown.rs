//! `asyncell/shutdown`: stop the document's host (it starts again on the next execute).

use tower_lsp_server::jsonrpc::Result;

use crate::server::backend::Backend;
use crate::server::extension::{DocumentParams, ShutdownResult};

pub async fn handle(backend: &Backend, params: DocumentParams) -> Result<ShutdownResult> {
    let doc = backend.execution_document(&params.text_document.uri);
    let stopped = match backend.execution.started() {
        Some(supervisor) => supervisor.shutdown(doc.as_str()).await,
        None => false,
    };
    Ok(ShutdownResult { stopped })
}
