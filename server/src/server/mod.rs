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
pub mod text_document;

use std::process::ExitCode;

use tower_lsp_server::{LspService, Server};

/// Runs the server on stdin/stdout until the client says `exit`.
pub fn run() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(async {
        let (service, socket) =
            backend::build_service(LspService::build(backend::Backend::new)).finish();
        // Executions are long-running requests: a small limit would let four queued cells
        // stall every other message (status, interrupt, didChange) behind them.
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
            .concurrency_level(256)
            .serve(service)
            .await;
    });
    // Don't wait for stray blocking tasks (e.g. a host being killed) to finish.
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    ExitCode::SUCCESS
}
