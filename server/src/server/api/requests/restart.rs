//! `asyncell/restart`: stop the document's host (if any) and start a fresh one.

use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};

use crate::server::backend::Backend;
use crate::server::execution::host_spec;
use crate::server::extension::{DocumentParams, RestartResult};

pub async fn handle(backend: &Backend, params: DocumentParams) -> Result<RestartResult> {
    let doc = backend.execution_document(&params.text_document.uri);
    let spec = backend.with_session(|session| host_spec(session, &doc));
    backend.show_config_errors().await;
    match backend
        .execution
        .supervisor(&backend.client)
        .restart(doc.as_str(), &spec)
        .await
    {
        Ok(pid) => Ok(RestartResult { pid }),
        Err(message) => Err(Error {
            code: ErrorCode::ServerError(-32803),
            message: message.into(),
            data: None,
        }),
    }
}
