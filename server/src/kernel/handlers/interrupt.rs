//! `interrupt_request` on control (kernelspec `interrupt_mode: message`): interrupts the
//! running cell — cancelling its await, or raising KeyboardInterrupt into running code —
//! without touching background tasks or the loop.

use serde_json::json;

use crate::kernel::connection::{Replier, Request};
use crate::kernel::Kernel;

pub async fn handle(kernel: &Kernel, replier: &Replier, request: &Request) {
    let outcome = kernel.supervisor.interrupt(&kernel.doc).await;
    tracing::info!("kernel: interrupt: {}", outcome.message);
    replier.reply(request, json!({"status": "ok"})).await;
}
