//! Publishing diagnostics when the transport is idle, latest wins.
//!
//! The transport asks for the next publish only when no input is waiting and its outbox
//! is below the high-water mark (`transport.rs`), one document at a time, and reads
//! again in between. So a request is never queued behind checks, a version superseded
//! before its turn is never checked, and nothing waits in a queue but one entry per
//! document (`pending.rs`).

use serde::Serialize;
use tower_lsp_server::lsp_types::PublishDiagnosticsParams;

use super::session::{self, SharedSession};
use super::transport::Background;

pub struct Publisher {
    session: SharedSession,
}

impl Publisher {
    pub fn new(session: SharedSession) -> Publisher {
        Publisher { session }
    }
}

/// A `textDocument/publishDiagnostics` notification, serialized straight to the wire.
#[derive(Serialize)]
pub struct PublishDiagnostics {
    jsonrpc: &'static str,
    method: &'static str,
    params: PublishDiagnosticsParams,
}

impl Background for Publisher {
    type Message = PublishDiagnostics;

    fn next(&mut self) -> Option<Vec<PublishDiagnostics>> {
        let started = std::time::Instant::now();
        let publishes = session::lock(&self.session).next_publish()?;
        if let Some(first) = publishes.first() {
            tracing::debug!(
                "diagnostics for {} (and {} more) computed in {:?}",
                first.uri.as_str(),
                publishes.len() - 1,
                started.elapsed()
            );
        }
        Some(
            publishes
                .into_iter()
                .map(|publish| PublishDiagnostics {
                    jsonrpc: "2.0",
                    method: "textDocument/publishDiagnostics",
                    params: PublishDiagnosticsParams::new(
                        publish.uri,
                        publish.diagnostics,
                        publish.version,
                    ),
                })
                .collect(),
        )
    }
}
