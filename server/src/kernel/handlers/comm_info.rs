//! `comm_info_request`: the kernel opens no comms (widgets need a comm manager the host
//! does not have), so the answer is always empty.

use serde_json::json;

use crate::kernel::connection::{Replier, Request};

pub async fn handle(replier: &Replier, request: &Request) {
    replier
        .reply(request, json!({"status": "ok", "comms": {}}))
        .await;
}
