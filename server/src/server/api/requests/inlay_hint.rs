//! `textDocument/inlayHint`: each cell's last run result after its last line
//! (`→ 42 · 3 ms`, `✗ RuntimeError: boom`, `⊘ interrupted`; see `runs.rs`).

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::lsp_types::{InlayHint, InlayHintParams};

use crate::server::backend::Backend;
use crate::server::runs;

pub fn handle(backend: &Backend, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
    let uri = params.text_document.uri;
    let range = params.range;
    let hints = backend.with_session(|session| runs::hints(session, &uri));
    Ok(Some(
        hints
            .into_iter()
            .filter(|hint| {
                range.start.line <= hint.position.line && hint.position.line <= range.end.line
            })
            .collect(),
    ))
}
