//! The language server: LSP over stdio, built on tower-lsp-server.
//!
//! Code map: [`transport`] frames messages ([`framing`]) and runs everything in one
//! future. [`backend`] implements the LSP trait and delegates each method to one file
//! under `api/requests/` or `api/notifications/`. [`session::Session`] owns every open
//! document and its analysis; handlers lock it and apply edits synchronously (before any
//! `.await`, because handlers run concurrently) and mark diagnostics due ([`pending`]);
//! the transport computes and publishes them when idle ([`publisher`]), latest version
//! first. [`convert`] turns analysis results into LSP types through `crate::positions`.

pub mod api;
pub mod backend;
pub mod cancellation;
pub mod convert;
pub mod execution;
pub mod extension;
pub mod framing;
pub mod lenient;
pub mod pending;
pub mod publisher;
pub mod runs;
pub mod session;
pub mod stdio;
pub mod text_document;
pub mod transport;

use std::process::ExitCode;

use tower_lsp_server::LspService;

use crate::cli::server::{parse_size, ServerArgs, MAX_MESSAGE_SIZE_ENV};
use framing::Limits;
use transport::Ended;

/// Runs the server on stdin/stdout until the client says `exit` (or closes stdin).
/// Exits with 1 after an `exit` that no `shutdown` preceded (as the LSP specification
/// says), with 2 if it cannot start.
///
/// One thread does it all (see `crate::runtime`): the transport reads and writes the
/// non-blocking stdio fds itself, handlers run as part of it, and the supervisor's host
/// pipes are on the same event loop.
pub fn run(args: ServerArgs) -> ExitCode {
    let limits = match limits(&args) {
        Ok(limits) => limits,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let served = crate::runtime::block_on(async {
        let session = session::SharedSession::default();
        let for_backend = session.clone();
        let (service, socket) = backend::build_service(LspService::build(move |client| {
            backend::Backend::new(client, for_backend)
        }))
        .finish();
        let publisher = publisher::Publisher::new(session);
        transport::serve(
            stdio::stdin(),
            stdio::stdout(),
            service,
            socket,
            limits,
            publisher,
        )
        .await
    });
    match served {
        Ok(Ended::Exit {
            after_shutdown: false,
        }) => {
            tracing::warn!("`exit` came without a `shutdown` first: exiting with code 1");
            ExitCode::from(1)
        }
        Ok(_) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

/// The transport's limits: `--max-message-size`, else `$ASYNCELL_MAX_MESSAGE_SIZE`, else
/// the default.
fn limits(args: &ServerArgs) -> Result<Limits, String> {
    let max_message = match args.max_message_size {
        Some(size) => size,
        None => match std::env::var(MAX_MESSAGE_SIZE_ENV) {
            Ok(value) => {
                parse_size(&value).map_err(|error| format!("{MAX_MESSAGE_SIZE_ENV}: {error}"))?
            }
            Err(_) => return Ok(Limits::default()),
        },
    };
    Ok(Limits { max_message })
}
