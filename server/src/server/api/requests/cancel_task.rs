//! `asyncell/cancelTask`: cancel one background task of the document's host.

use serde::Deserialize;
use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::lsp_types::TextDocumentIdentifier;

use crate::server::backend::Backend;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelTaskParams {
    pub text_document: TextDocumentIdentifier,
    pub task_id: String,
}

pub async fn handle(backend: &Backend, params: CancelTaskParams) -> Result<Value> {
    let doc = backend.execution_document(&params.text_document.uri);
    let supervisor = backend.execution.supervisor(&backend.client);
    Ok(
        match supervisor.cancel_task(doc.as_str(), &params.task_id).await {
            Ok(cancelled) => json!({ "cancelled": cancelled }),
            Err(message) => json!({ "cancelled": false, "message": message }),
        },
    )
}
