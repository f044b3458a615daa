//! `shutdown_request` (on control or shell): answer, stop the host, exit. With
//! `restart: true` jupyter_client starts a new kernel process itself once this one
//! exits, so both cases end this process.

use serde_json::json;

use crate::kernel::connection::{Replier, Request};
use crate::kernel::Kernel;

pub async fn handle(kernel: &Kernel, replier: &Replier, request: &Request) {
    let restart = request.content["restart"].as_bool().unwrap_or(false);
    replier
        .reply(request, json!({"status": "ok", "restart": restart}))
        .await;
    kernel.supervisor.shutdown(&kernel.doc).await;
    kernel.request_exit();
}
