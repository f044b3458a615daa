//! `asyncell/shutdown`: stop the document's host (it starts again on the next execute).

use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::Result;

use super::interrupt::DocumentParams;
use crate::server::backend::Backend;

pub async fn handle(backend: &Backend, params: DocumentParams) -> Result<Value> {
    let doc = backend.execution_document(&params.text_document.uri);
    let stopped = match backend.execution.started() {
        Some(supervisor) => supervisor.shutdown(doc.as_str()).await,
        None => false,
    };
    Ok(json!({ "stopped": stopped }))
}
