//! `history_request`: the session's cells (`tail`, `range`, `search`), with their
//! results' text when `output` is asked for.

use serde_json::{json, Value};

use super::{number, text};
use crate::kernel::bridge::lock;
use crate::kernel::connection::{Replier, Request};
use crate::kernel::history::{Entry, SESSION};
use crate::kernel::Kernel;

pub async fn handle(kernel: &Kernel, replier: &Replier, request: &Request) {
    let entries = {
        let history = lock(&kernel.history);
        match text(request, "hist_access_type") {
            "tail" => history.tail(number(request, "n").max(0) as usize),
            "range" => {
                let session = number(request, "session");
                // 0 or 1: this session; negative: earlier ones, which a fresh process has none of.
                if session < 0 || session > SESSION as i64 {
                    Vec::new()
                } else {
                    history.range(number(request, "start"), number(request, "stop"))
                }
            }
            "search" => history.search(
                match text(request, "pattern") {
                    "" => "*",
                    pattern => pattern,
                },
                request.content["unique"].as_bool().unwrap_or(false),
                number(request, "n").max(0) as usize,
            ),
            _ => Vec::new(),
        }
    };
    let output = request.content["output"].as_bool().unwrap_or(false);
    let history: Vec<Value> = entries.iter().map(|entry| row(entry, output)).collect();
    replier
        .reply(request, json!({"status": "ok", "history": history}))
        .await;
}

fn row(entry: &Entry, output: bool) -> Value {
    if output {
        json!([SESSION, entry.line, [entry.input, entry.output]])
    } else {
        json!([SESSION, entry.line, entry.input])
    }
}
