//! `asyncell/variables`: the user's names in the live namespace, a page at a time, with
//! type, a short repr (user `__repr__` time-bounded), size and async kind.

use tower_lsp_server::jsonrpc::Result;

use super::live_namespace::ask;
use crate::exec::Query;
use crate::server::backend::Backend;
use crate::server::extension::{VariablesParams, VariablesReply};

pub async fn handle(backend: &Backend, params: VariablesParams) -> Result<VariablesReply> {
    let question = Query::Variables {
        offset: params.offset,
        limit: params.limit.unwrap_or(100),
    };
    ask(backend, &params.text_document.uri, question).await
}
