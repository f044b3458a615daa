//! `inspect_request` (Shift-Tab, `obj?` in a pager): the live object at the cursor, from
//! the host's query thread.

use serde_json::{json, Value};

use super::{number, text};
use crate::exec::Query;
use crate::kernel::connection::{Replier, Request};
use crate::kernel::Kernel;

pub async fn handle(kernel: &Kernel, replier: &Replier, request: &Request) {
    let question = Query::Inspect {
        code: text(request, "code").to_string(),
        cursor: number(request, "cursor_pos").max(0) as usize,
        detail: number(request, "detail_level").clamp(0, 1) as u8,
    };
    let answer = kernel.supervisor.query(&kernel.doc, &question).await;
    replier.reply(request, reply(answer.ok())).await;
}

/// The reply: what IPython's inspector shows, as text/plain.
pub fn reply(answer: Option<Value>) -> Value {
    let Some(answer) = answer.filter(|a| a["found"] == true) else {
        return json!({"status": "ok", "found": false, "data": {}, "metadata": {}});
    };
    let mut lines = Vec::new();
    for (label, field) in [
        ("Signature", "signature"),
        ("Type", "type"),
        ("Repr", "repr"),
        ("File", "file"),
    ] {
        if let Some(value) = answer[field].as_str() {
            lines.push(format!("{label}: {value}"));
        }
    }
    if let Some(doc) = answer["doc"].as_str() {
        lines.push(format!("Docstring:\n{doc}"));
    }
    if let Some(source) = answer["source"].as_str() {
        lines.push(format!("Source:\n{source}"));
    }
    json!({
        "status": "ok",
        "found": true,
        "data": {"text/plain": lines.join("\n")},
        "metadata": {},
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn found_objects_are_described() {
        let reply = super::reply(Some(json!({"found": true, "type": "int", "repr": "3"})));
        assert_eq!(reply["data"]["text/plain"], "Type: int\nRepr: 3");
        assert_eq!(super::reply(None)["found"], false);
    }
}
