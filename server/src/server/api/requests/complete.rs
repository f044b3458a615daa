//! `asyncell/complete`: completions from the document's live namespace (names, attributes
//! of live objects, dict keys; jedi's too when the host has jedi), while cells run.

use tower_lsp_server::jsonrpc::Result;

use super::live_namespace::ask;
use crate::exec::Query;
use crate::server::backend::Backend;
use crate::server::extension::{CompleteParams, CompleteReply};

pub async fn handle(backend: &Backend, params: CompleteParams) -> Result<CompleteReply> {
    let question = Query::Complete {
        code: params.code,
        cursor: params.cursor,
    };
    ask(backend, &params.text_document.uri, question).await
}
