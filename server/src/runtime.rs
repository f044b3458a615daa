//! The one async runtime set-up, shared by the language server and `asyncell run`.
//!
//! Both run on a single-threaded (`current_thread`) tokio runtime: the LSP transport, the
//! request handlers, the supervisor's host pipes and the output forwarding all take turns
//! on the main thread, so a request, the host's answer and the reply pass between them
//! without waking another thread (docs/architecture.md, "Threads"). Nothing on it may
//! block for long: CPU-heavy work (a whole-workspace `asyncell check`) has its own
//! threads, and the only blocking calls left on it are short, bounded ones.

use std::future::Future;
use std::time::Duration;

/// Runs `future` to completion on a fresh single-threaded runtime; `Err` with a message
/// if the runtime cannot be built. Stray tasks (a host being killed) get 500 ms to finish.
pub fn block_on<F: Future>(future: F) -> Result<F::Output, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| format!("cannot start the async runtime: {error}"))?;
    let output = runtime.block_on(future);
    runtime.shutdown_timeout(Duration::from_millis(500));
    Ok(output)
}
