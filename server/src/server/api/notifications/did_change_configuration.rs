//! `workspace/didChangeConfiguration`: new editor settings (section `asyncell`), then
//! every open document is re-checked.

use tower_lsp_server::lsp_types::{DidChangeConfigurationParams, MessageType};

use crate::config::EditorSettings;
use crate::server::backend::Backend;

pub async fn handle(backend: &Backend, params: DidChangeConfigurationParams) {
    match EditorSettings::from_json(&params.settings) {
        Ok(settings) => {
            let publishes = backend.with_session(|s| {
                s.set_editor_config(settings);
                s.reload_configuration()
            });
            backend.publish(publishes).await;
        }
        Err(error) => {
            backend
                .client
                .show_message(MessageType::ERROR, format!("asyncell: {error}"))
                .await;
        }
    }
}
