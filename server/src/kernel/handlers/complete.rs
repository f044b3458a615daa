//! `complete_request`: the live namespace's names and attributes (and jedi's), from the
//! host's query thread, so it is answered while a cell runs or awaits.

use serde_json::{json, Value};

use super::{number, text};
use crate::exec::Query;
use crate::kernel::connection::{Replier, Request};
use crate::kernel::Kernel;

pub async fn handle(kernel: &Kernel, replier: &Replier, request: &Request) {
    let code = text(request, "code").to_string();
    let cursor = number(request, "cursor_pos").max(0) as usize;
    let question = Query::Complete { code, cursor };
    let answer = kernel.supervisor.query(&kernel.doc, &question).await;
    replier.reply(request, reply(answer, cursor)).await;
}

/// The reply from the host's answer; with no host, no matches (still `ok`: typing in a
/// fresh notebook is not an error).
pub fn reply(answer: Result<Value, String>, cursor: usize) -> Value {
    let Ok(answer) = answer else {
        return json!({"status": "ok", "matches": [], "cursor_start": cursor, "cursor_end": cursor, "metadata": {}});
    };
    let empty = Vec::new();
    let matches = answer["matches"].as_array().unwrap_or(&empty);
    let start = answer["cursorStart"].as_u64().unwrap_or(cursor as u64);
    let end = answer["cursorEnd"].as_u64().unwrap_or(cursor as u64);
    let texts: Vec<&str> = matches.iter().filter_map(|m| m["text"].as_str()).collect();
    let types: Vec<Value> = matches
        .iter()
        .filter_map(|m| {
            Some(json!({"text": m["text"].as_str()?, "type": m["kind"].as_str().unwrap_or(""), "start": start, "end": end}))
        })
        .collect();
    json!({
        "status": "ok",
        "matches": texts,
        "cursor_start": start,
        "cursor_end": end,
        "metadata": {"_jupyter_types_experimental": types},
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn host_matches_become_jupyter_matches() {
        let answer = json!({"matches": [{"text": "heartbeat", "kind": "function"}], "cursorStart": 0, "cursorEnd": 5});
        let reply = super::reply(Ok(answer), 5);
        assert_eq!(reply["matches"], json!(["heartbeat"]));
        assert_eq!(reply["cursor_start"], 0);
        assert_eq!(super::reply(Err("no host".into()), 3)["cursor_end"], 3);
    }
}
