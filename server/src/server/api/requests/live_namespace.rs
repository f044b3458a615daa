//! What `asyncell/complete`, `asyncell/inspect` and `asyncell/variables` share: asking
//! the document's live host, and turning "no host" or a failed answer into an error the
//! client can show.

use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::lsp_types::Uri;

use crate::exec::Query;
use crate::server::backend::Backend;

pub async fn ask(backend: &Backend, uri: &Uri, question: Query) -> Result<Value> {
    let doc = backend.execution_document(uri);
    backend
        .execution
        .supervisor(&backend.client)
        .query(doc.as_str(), &question)
        .await
        .map_err(|message| Error {
            code: ErrorCode::InvalidRequest,
            message: message.into(),
            data: None,
        })
}
