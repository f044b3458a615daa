//! `workspace/didChangeConfiguration`: new editor settings (section `asyncell`), then
//! every open document is re-checked.

use tower_lsp_server::lsp_types::{DidChangeConfigurationParams, MessageType};

use crate::config::{self, EditorSettings};
use crate::server::backend::Backend;

pub async fn handle(backend: &Backend, params: DidChangeConfigurationParams) {
    match EditorSettings::from_json(&params.settings) {
        Ok(mut settings) => {
            let errors = settings.layer.validate_selectors(&config::editor_origin);
            backend.with_session(|s| {
                s.set_editor_config(settings);
                s.reload_configuration();
                for error in errors {
                    s.config_error(config::selector_ignored(error));
                }
            });
            backend.show_config_errors().await;
        }
        Err(error) => {
            backend
                .client
                .show_message(MessageType::ERROR, format!("asyncell: {error}"))
                .await;
        }
    }
}
