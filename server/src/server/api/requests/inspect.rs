//! `asyncell/inspect`: what the name at the cursor is in the live namespace: type,
//! signature, docstring and repr (and the source with `detail: 1`, as `obj??`).

use serde::Deserialize;
use serde_json::Value;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::lsp_types::TextDocumentIdentifier;

use super::live_namespace::ask;
use crate::exec::Query;
use crate::server::backend::Backend;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InspectParams {
    pub text_document: TextDocumentIdentifier,
    pub code: String,
    /// In characters (code points) into `code`.
    pub cursor: usize,
    #[serde(default)]
    pub detail: u8,
}

pub async fn handle(backend: &Backend, params: InspectParams) -> Result<Value> {
    let question = Query::Inspect {
        code: params.code,
        cursor: params.cursor,
        detail: params.detail,
    };
    ask(backend, &params.text_document.uri, question).await
}
