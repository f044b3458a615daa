//! `asyncell/variables`: the user's names in the live namespace, a page at a time, with
//! type, a short repr (user `__repr__` time-bounded), size and async kind.

use serde::Deserialize;
use serde_json::Value;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::lsp_types::TextDocumentIdentifier;

use super::live_namespace::ask;
use crate::exec::Query;
use crate::server::backend::Backend;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VariablesParams {
    pub text_document: TextDocumentIdentifier,
    #[serde(default)]
    pub offset: usize,
    /// At most 1000 a page (default 100).
    #[serde(default)]
    pub limit: Option<usize>,
}

pub async fn handle(backend: &Backend, params: VariablesParams) -> Result<Value> {
    let question = Query::Variables {
        offset: params.offset,
        limit: params.limit.unwrap_or(100),
    };
    ask(backend, &params.text_document.uri, question).await
}
