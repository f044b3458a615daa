//! The language server: LSP over stdio, built on tower-lsp-server.
//!
//! Code map: [`backend`] implements the LSP trait and delegates each method to one file
//! under `api/requests/` or `api/notifications/`. [`session::Session`] owns every open
//! document and its analysis; handlers lock it, apply edits and re-check synchronously
//! (before any `.await`, because handlers run concurrently), then publish. [`convert`]
//! turns analysis results into LSP types through `crate::positions`.

pub mod api;
pub mod backend;
pub mod convert;
pub mod execution;
pub mod session;
pub mod stdio;
pub mod text_document;
pub mod transport;

use std::process::ExitCode;

use tower_lsp_server::LspService;

/// Runs the server on stdin/stdout until the client says `exit` (or closes stdin).
///
/// One thread does it all (see `crate::runtime`): the transport reads and writes the
/// non-blocking stdio fds itself, handlers run as part of it, and the supervisor's host
/// pipes are on the same event loop.
pub fn run() -> ExitCode {
    let served = crate::runtime::block_on(async {
        let (service, socket) =
            backend::build_service(LspService::build(backend::Backend::new)).finish();
        transport::serve(stdio::stdin(), stdio::stdout(), service, socket).await;
    });
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}
