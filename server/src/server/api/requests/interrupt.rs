//! `asyncell/interrupt`: stop the document's running cell and drop its queued ones.

use serde::Deserialize;
use serde_json::Value;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::lsp_types::TextDocumentIdentifier;

use crate::server::backend::Backend;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentParams {
    pub text_document: TextDocumentIdentifier,
}

pub async fn handle(backend: &Backend, params: DocumentParams) -> Result<Value> {
    let doc = backend.execution_document(&params.text_document.uri);
    let outcome = backend
        .execution
        .supervisor(&backend.client)
        .interrupt(doc.as_str())
        .await;
    Ok(serde_json::to_value(outcome).unwrap_or(Value::Null))
}
