//! `asyncell/status`: the document's host state, loop, python and background tasks.
//! Answered from the supervisor's own bookkeeping, without a round trip to the host, so
//! it stays prompt while a cell floods output or blocks the loop.

use tower_lsp_server::jsonrpc::Result;

use crate::exec::HostStatus;
use crate::server::backend::Backend;
use crate::server::execution::host_spec_preview;
use crate::server::extension::DocumentParams;

pub async fn handle(backend: &Backend, params: DocumentParams) -> Result<HostStatus> {
    let doc = backend.execution_document(&params.text_document.uri);
    let spec = backend.with_session(|session| host_spec_preview(session, &doc));
    Ok(backend
        .execution
        .supervisor(&backend.client)
        .status(doc.as_str(), Some(&spec)))
}
