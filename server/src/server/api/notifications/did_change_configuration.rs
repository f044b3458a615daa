//! `workspace/didChangeConfiguration`: new editor settings (section `asyncell`), then
//! every open document is re-checked.

use tower_lsp_server::lsp_types::{DidChangeConfigurationParams, MessageType};

use crate::config::{self, ConfigLayer};
use crate::server::backend::Backend;

pub async fn handle(backend: &Backend, params: DidChangeConfigurationParams) {
    match ConfigLayer::from_editor_json(&params.settings) {
        Ok(mut layer) => {
            let errors = layer.validate_selectors(&config::editor_origin);
            let publishes = backend.with_session(|s| {
                s.set_editor_config(layer);
                let publishes = s.reload_configuration();
                s.config_errors
                    .extend(errors.into_iter().map(config::selector_ignored));
                publishes
            });
            backend.report_config_errors().await;
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
