//! `initialize`: negotiate the position encoding, read settings, advertise capabilities.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::lsp_types::*;
use tower_lsp_server::UriExt;

use crate::config::{self, EditorSettings};
use crate::positions::Encoding;
use crate::server::backend::Backend;

pub fn handle(backend: &Backend, params: InitializeParams) -> Result<InitializeResult> {
    let offers_utf8 = params
        .capabilities
        .general
        .as_ref()
        .and_then(|general| general.position_encodings.as_ref())
        .is_some_and(|encodings| encodings.contains(&PositionEncodingKind::UTF8));
    let encoding = if offers_utf8 {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    };
    #[allow(deprecated)]
    let root = params
        .workspace_folders
        .as_ref()
        .and_then(|folders| folders.first())
        .map(|folder| folder.uri.clone())
        .or(params.root_uri.clone())
        .and_then(|uri| uri.to_file_path().map(|p| p.into_owned()));
    let editor = match params
        .initialization_options
        .as_ref()
        .map(EditorSettings::from_json)
    {
        Some(Ok(mut settings)) => {
            let errors = settings.layer.validate_selectors(&config::editor_origin);
            backend.with_session(|s| {
                for error in errors {
                    s.config_error(config::selector_ignored(error));
                }
            });
            settings
        }
        Some(Err(error)) => {
            backend.with_session(|s| s.config_error(error));
            EditorSettings::default()
        }
        None => EditorSettings::default(),
    };
    let features = crate::server::runs::ClientFeatures::from_capabilities(&params.capabilities);
    backend.execution.watch.set_custom(features.asyncell);
    backend.with_session(|session| {
        session.features = features;
        session.encoding = encoding;
        session.workspace_root = root;
        session.set_editor_config(editor);
    });

    Ok(InitializeResult {
        server_info: Some(ServerInfo {
            name: "asyncell".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
        capabilities: ServerCapabilities {
            position_encoding: Some(if offers_utf8 {
                PositionEncodingKind::UTF8
            } else {
                PositionEncodingKind::UTF16
            }),
            text_document_sync: Some(TextDocumentSyncCapability::Kind(
                TextDocumentSyncKind::INCREMENTAL,
            )),
            notebook_document_sync: Some(OneOf::Left(NotebookDocumentSyncOptions {
                notebook_selector: vec![NotebookSelector::ByNotebook {
                    notebook: Notebook::String("jupyter-notebook".into()),
                    cells: Some(vec![NotebookCellSelector {
                        language: "python".into(),
                    }]),
                }],
                save: Some(false),
            })),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    CodeActionKind::QUICKFIX,
                    CodeActionKind::SOURCE_FIX_ALL,
                    CodeActionKind::new(super::code_action::fix_all::KIND),
                    CodeActionKind::new(super::code_action::run::RUN_CELL),
                    CodeActionKind::new(super::code_action::run::RUN_BELOW),
                    CodeActionKind::new(super::code_action::run::RUN_ABOVE),
                    CodeActionKind::new(super::code_action::run::INTERRUPT),
                    CodeActionKind::new(super::code_action::run::SHOW_OUTPUT),
                ]),
                resolve_provider: Some(false),
                work_done_progress_options: Default::default(),
            })),
            code_lens_provider: Some(CodeLensOptions {
                resolve_provider: Some(false),
            }),
            // Live names only (completion.rs, hover.rs): nothing unless the document's
            // host runs, so a Python language server beside asyncell keeps its own.
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(vec![".".into(), "[".into()]),
                ..CompletionOptions::default()
            }),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            // Run results after each cell (runs.rs), for clients without the plugin.
            inlay_hint_provider: Some(OneOf::Left(true)),
            execute_command_provider: Some(ExecuteCommandOptions {
                commands: super::execute_command::COMMANDS
                    .iter()
                    .map(|c| c.to_string())
                    .collect(),
                work_done_progress_options: Default::default(),
            }),
            experimental: Some(serde_json::json!({
                "asyncell": {
                    "execute": true,
                    "methods": [
                        "asyncell/execute", "asyncell/interrupt", "asyncell/restart",
                        "asyncell/shutdown", "asyncell/status", "asyncell/cancelTask",
                    ],
                },
            })),
            ..ServerCapabilities::default()
        },
    })
}
