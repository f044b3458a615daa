//! What `asyncell/complete`, `asyncell/inspect` and `asyncell/variables` share: asking
//! the document's live host, and turning "no host" or a failed answer into an error the
//! client can show.

use serde::de::DeserializeOwned;
use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::lsp_types::{Position, Uri};

use crate::exec::Query;
use crate::server::backend::Backend;

pub async fn ask<T: DeserializeOwned>(backend: &Backend, uri: &Uri, question: Query) -> Result<T> {
    let doc = backend.execution_document(uri);
    let answer = backend
        .execution
        .supervisor(&backend.client)
        .query(doc.as_str(), &question)
        .await;
    answer.and_then(typed).map_err(|message| Error {
        code: ErrorCode::InvalidRequest,
        message: message.into(),
        data: None,
    })
}

/// The host's answer as the protocol types it (`crate::exec::protocol`); one that does not
/// fit is a host from another version, or a bug, and is reported as such.
fn typed<T: DeserializeOwned>(answer: Value) -> std::result::Result<T, String> {
    serde_json::from_value(answer).map_err(|error| {
        format!(
            "the host's answer does not match this server's protocol ({error}); \
             is the host's asyncell package the same version as the server?"
        )
    })
}

/// For `textDocument/completion` and `textDocument/hover`: the question `ask` makes of
/// the line at `position` (the line and the column in characters), put to the document's
/// host. `None` when the document is not open or no host runs (then there is nothing live
/// to say, and the static side belongs to the Python language server).
pub async fn ask_at<T: DeserializeOwned>(
    backend: &Backend,
    uri: &Uri,
    position: Position,
    ask_about: impl FnOnce(String, usize) -> Query,
) -> Option<T> {
    let (code, cursor) = backend.with_session(|session| session.line_at(uri, position))?;
    let doc = backend.execution_document(uri);
    let supervisor = backend.execution.supervisor(&backend.client);
    supervisor
        .query(doc.as_str(), &ask_about(code, cursor))
        .await
        .and_then(typed)
        .ok()
}
