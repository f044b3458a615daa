//! `asyncell/complete`: completions from the document's live namespace (names, attributes
//! of live objects, dict keys; jedi's too when the host has jedi), while cells run.

use serde::Deserialize;
use serde_json::Value;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::lsp_types::TextDocumentIdentifier;

use super::live_namespace::ask;
use crate::exec::Query;
use crate::server::backend::Backend;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompleteParams {
    pub text_document: TextDocumentIdentifier,
    /// The code being typed (a cell, or a line of it).
    pub code: String,
    /// Where in `code`, in characters (code points).
    pub cursor: usize,
}

pub async fn handle(backend: &Backend, params: CompleteParams) -> Result<Value> {
    let question = Query::Complete {
        code: params.code,
        cursor: params.cursor,
    };
    ask(backend, &params.text_document.uri, question).await
}
