//! The JSON Schemas of asyncell's two protocols, generated from their Rust types: the
//! host protocol (`crate::exec::protocol`, supervisor ↔ Python host) and the LSP extension
//! (`crate::server::extension`, server ↔ editor). They are committed under docs/schema/;
//! `tests/protocol_schema.rs` fails when a committed copy is stale, and the editor
//! clients' contract tests read them (editors/vscode/test/unit/protocol.test.ts,
//! editors/nvim/tests/test_contract.lua).
//!
//! Each document is a JSON Schema 2020-12 whose `$defs` hold every type; the top-level
//! `requests`/`notifications` (LSP) and `commands`/`events`/`replies` (host) name which
//! definition each message uses. Validators ignore those keys; tools read them.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{json, Map, Value};

use crate::exec::protocol::{
    CancelReply, Command, CompleteReply, Event, HostOutput, InspectReply, StatusReply, TaskInfo,
    VariablesReply,
};
use crate::server::extension as ext;
use tower_lsp_server::lsp_types::notification::Notification;
use tower_lsp_server::lsp_types::request::Request;

/// Where the schemas live in the repository, relative to its root.
pub const LSP_EXTENSION_PATH: &str = "docs/schema/lsp-extension.schema.json";
pub const HOST_PROTOCOL_PATH: &str = "docs/schema/host-protocol.schema.json";

fn generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12().into_generator()
}

fn reference<T: JsonSchema>(generator: &mut SchemaGenerator) -> Value {
    generator.subschema_for::<T>().to_value()
}

fn document(
    title: &str,
    description: &str,
    mut generator: SchemaGenerator,
    top: Map<String, Value>,
) -> Value {
    let mut doc = Map::new();
    doc.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    doc.insert("title".into(), json!(title));
    doc.insert("description".into(), json!(description));
    doc.extend(top);
    let definitions: Map<String, Value> = generator.take_definitions(true);
    // Sorted, so the committed file changes only where a type does.
    let sorted: std::collections::BTreeMap<String, Value> = definitions.into_iter().collect();
    doc.insert("$defs".into(), json!(sorted));
    Value::Object(doc)
}

fn request<R: Request>(generator: &mut SchemaGenerator) -> (String, Value)
where
    R::Params: JsonSchema,
    R::Result: JsonSchema,
{
    let params = reference::<R::Params>(generator);
    let result = reference::<R::Result>(generator);
    (
        R::METHOD.to_string(),
        json!({"params": params, "result": result}),
    )
}

fn notification<N: Notification>(generator: &mut SchemaGenerator) -> (String, Value)
where
    N::Params: JsonSchema,
{
    let params = reference::<N::Params>(generator);
    (N::METHOD.to_string(), json!({"params": params}))
}

/// The image MIME types every front end shows as an image: base64 data, but for
/// `image/svg+xml`, which is XML text. The server's text rendering
/// (`crate::exec::render::data_text`, `asyncell run`) shows these and no others as images
/// (the test below holds it to this list); the schema's `imageMimeTypes` carries the list
/// to the editor clients, which derive theirs from it or are checked against it.
pub const IMAGE_MIME_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/gif", "image/svg+xml"];

/// The LSP extension: every `asyncell/*` request and notification.
pub fn lsp_extension() -> Value {
    let mut generator = generator();
    let g = &mut generator;
    let requests: Map<String, Value> = [
        request::<ext::Execute>(g),
        request::<ext::Interrupt>(g),
        request::<ext::Restart>(g),
        request::<ext::Shutdown>(g),
        request::<ext::Status>(g),
        request::<ext::CancelTask>(g),
        request::<ext::Complete>(g),
        request::<ext::Inspect>(g),
        request::<ext::Variables>(g),
    ]
    .into_iter()
    .collect();
    let notifications: Map<String, Value> = [
        notification::<ext::Output>(g),
        notification::<ext::Event>(g),
    ]
    .into_iter()
    .collect();
    let mut top = Map::new();
    top.insert("requests".into(), Value::Object(requests));
    top.insert("notifications".into(), Value::Object(notifications));
    top.insert("imageMimeTypes".into(), json!(IMAGE_MIME_TYPES));
    document(
        "asyncell LSP extension",
        "The asyncell/* requests (client → server) and notifications (server → client), \
         as docs/protocol.md section 1 describes them. Generated from server/src/server/extension.rs.",
        generator,
        top,
    )
}

/// The host protocol: one JSON object per line each way.
pub fn host_protocol() -> Value {
    let mut generator = generator();
    let g = &mut generator;
    let mut top = Map::new();
    top.insert("commands".into(), reference::<Command<'static>>(g));
    top.insert("events".into(), reference::<Event>(g));
    let replies: Map<String, Value> = [
        ("status", reference::<StatusReply>(g)),
        ("cancel_task", reference::<CancelReply>(g)),
        ("complete", reference::<CompleteReply>(g)),
        ("inspect", reference::<InspectReply>(g)),
        ("variables", reference::<VariablesReply>(g)),
    ]
    .into_iter()
    .map(|(op, schema)| (op.to_string(), schema))
    .collect();
    top.insert("replies".into(), Value::Object(replies));
    top.insert("outputs".into(), reference::<HostOutput>(g));
    top.insert("tasks".into(), reference::<TaskInfo>(g));
    document(
        "asyncell host protocol",
        "Supervisor → host commands (`op`) and host → supervisor events (`ev`), one JSON \
         object per line, as docs/protocol.md section 2 describes them; `replies` gives the \
         fields a `reply` event carries for each request op. Generated from \
         server/src/exec/protocol.rs.",
        generator,
        top,
    )
}

/// A schema as committed: pretty-printed with a final newline.
pub fn render(schema: &Value) -> String {
    let mut text = serde_json::to_string_pretty(schema).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::IMAGE_MIME_TYPES;
    use crate::exec::render::data_text;
    use serde_json::json;

    #[test]
    fn the_server_renders_exactly_the_listed_image_types_as_images() {
        for mime in IMAGE_MIME_TYPES {
            let text = data_text(&json!({ mime: "iVBORw0KGgo=", "text/plain": "<Figure>" }));
            assert!(
                text.as_deref()
                    .is_some_and(|t| t.starts_with(&format!("[{mime}"))),
                "{mime}: {text:?}"
            );
        }
        for other in ["image/webp", "image/bmp"] {
            let text = data_text(&json!({ other: "AAAA", "text/plain": "<Figure>" }));
            assert_eq!(
                text.as_deref(),
                Some("<Figure>"),
                "{other} is not in IMAGE_MIME_TYPES"
            );
        }
    }
}
