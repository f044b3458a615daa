//! One handler per request type, as the LSP handlers under `server/api/` are. Each
//! handler answers its request on the channel it came from; [`dispatch`] wraps it in the
//! `status` busy/idle pair front ends wait for. `execute_request` goes through the
//! [`execute::Executor`] instead, which does the same around each execution.

pub mod comm_info;
pub mod complete;
pub mod execute;
pub mod history;
pub mod inspect;
pub mod interrupt;
pub mod is_complete;
pub mod kernel_info;
pub mod shutdown;

use super::connection::{Replier, Request};
use super::Kernel;

pub async fn dispatch(kernel: &std::sync::Arc<Kernel>, replier: &Replier, request: Request) {
    let parent = request.header.clone();
    kernel.iopub.status("busy", Some(&parent)).await;
    match request.msg_type() {
        "kernel_info_request" => kernel_info::handle(kernel, replier, &request).await,
        "complete_request" => complete::handle(kernel, replier, &request).await,
        "inspect_request" => inspect::handle(kernel, replier, &request).await,
        "is_complete_request" => is_complete::handle(replier, &request).await,
        "history_request" => history::handle(kernel, replier, &request).await,
        "comm_info_request" => comm_info::handle(replier, &request).await,
        "interrupt_request" => interrupt::handle(kernel, replier, &request).await,
        "shutdown_request" => shutdown::handle(kernel, replier, &request).await,
        other => tracing::info!("kernel: ignoring a {other} (not supported)"),
    }
    kernel.iopub.status("idle", Some(&parent)).await;
}

/// A string field of a request's content.
pub(crate) fn text<'a>(request: &'a Request, field: &str) -> &'a str {
    request.content[field].as_str().unwrap_or("")
}

/// A count field of a request's content (negative or missing: 0).
pub(crate) fn number(request: &Request, field: &str) -> i64 {
    request.content[field].as_i64().unwrap_or(0)
}
