//! `asyncell/cancelTask`: cancel one background task of the document's host.

use tower_lsp_server::jsonrpc::Result;

use crate::server::backend::Backend;
use crate::server::extension::{CancelReply, CancelTaskParams};

pub async fn handle(backend: &Backend, params: CancelTaskParams) -> Result<CancelReply> {
    let doc = backend.execution_document(&params.text_document.uri);
    let supervisor = backend.execution.supervisor(&backend.client);
    Ok(
        match supervisor.cancel_task(doc.as_str(), &params.task_id).await {
            Ok(cancelled) => CancelReply {
                cancelled,
                message: None,
            },
            Err(message) => CancelReply {
                cancelled: false,
                message: Some(message),
            },
        },
    )
}
