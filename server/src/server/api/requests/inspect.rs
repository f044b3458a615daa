//! `asyncell/inspect`: what the name at the cursor is in the live namespace: type,
//! signature, docstring and repr (and the source with `detail: 1`, as `obj??`).

use tower_lsp_server::jsonrpc::Result;

use super::live_namespace::ask;
use crate::exec::Query;
use crate::server::backend::Backend;
use crate::server::extension::{InspectParams, InspectReply};

pub async fn handle(backend: &Backend, params: InspectParams) -> Result<InspectReply> {
    let question = Query::Inspect {
        code: params.code,
        cursor: params.cursor,
        detail: params.detail,
    };
    ask(backend, &params.text_document.uri, question).await
}
