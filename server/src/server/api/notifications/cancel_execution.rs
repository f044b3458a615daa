//! `asyncell/cancelExecution`: what the transport makes of a `$/cancelRequest` of an
//! `asyncell/execute` in flight (server/cancellation.rs). Interrupts that execution only;
//! its request then answers with what the cell printed and the interruption.

use serde::Deserialize;
use tower_lsp_server::lsp_types::TextDocumentIdentifier;

use crate::server::backend::Backend;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelExecutionParams {
    pub text_document: TextDocumentIdentifier,
    pub execution_id: String,
}

pub async fn handle(backend: &Backend, params: CancelExecutionParams) {
    let doc = backend.execution_document(&params.text_document.uri);
    let supervisor = backend.execution.supervisor(&backend.client);
    let outcome = supervisor
        .interrupt_execution(doc.as_str(), &params.execution_id)
        .await;
    tracing::debug!(
        execution = %params.execution_id,
        how = outcome.how.as_str(),
        "cancelled by the client"
    );
}
