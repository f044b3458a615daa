//! `workspace/didChangeConfiguration`: new editor settings (section `asyncell`), then
//! every open document is re-checked.

use tower_lsp_server::lsp_types::{DidChangeConfigurationParams, MessageType};

use crate::config::ConfigLayer;
use crate::server::backend::Backend;

pub async fn handle(backend: &Backend, params: DidChangeConfigurationParams) {
    match ConfigLayer::from_editor_json(&params.settings) {
        Ok(layer) => {
            backend.with_session(|s| {
                s.set_editor_config(layer);
                s.reload_configuration();
            });
        }
        Err(error) => {
            backend
                .client
                .show_message(MessageType::ERROR, format!("asyncell: {error}"))
                .await;
        }
    }
}
