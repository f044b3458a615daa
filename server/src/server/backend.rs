//! The LSP entry points. Each method delegates to its own file under `api/`.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::lsp_types::*;
use tower_lsp_server::{Client, LanguageServer, LspServiceBuilder};

use super::api::{notifications, requests};
use super::session::{Publish, SharedSession};

pub struct Backend {
    pub client: Client,
    pub session: SharedSession,
}

impl Backend {
    pub fn new(client: Client) -> Self {
        Backend { client, session: SharedSession::default() }
    }

    /// Runs `f` on the session under its lock. Never hold the lock across an `.await`.
    pub fn with_session<T>(&self, f: impl FnOnce(&mut super::session::Session) -> T) -> T {
        let mut session = match self.session.lock() {
            Ok(session) => session,
            // A panic in another handler poisoned the lock; the state is still usable.
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut session)
    }

    pub async fn publish(&self, publishes: Vec<Publish>) {
        for publish in publishes {
            self.client.publish_diagnostics(publish.uri, publish.diagnostics, publish.version).await;
        }
    }
}

/// Registers asyncell's custom methods on the service builder.
pub fn build_service(builder: LspServiceBuilder<Backend>) -> LspServiceBuilder<Backend> {
    builder
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        requests::initialize::handle(self, params)
    }

    async fn initialized(&self, _: InitializedParams) {
        let errors = self.with_session(|s| std::mem::take(&mut s.config_errors));
        for error in errors {
            self.client.show_message(MessageType::WARNING, format!("asyncell: {error}")).await;
        }
    }

    async fn shutdown(&self) -> Result<()> {
        requests::shutdown::handle(self).await
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        notifications::did_open::handle(self, params).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        notifications::did_change::handle(self, params).await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        notifications::did_close::handle(self, params).await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        notifications::did_change_configuration::handle(self, params).await;
    }

    async fn notebook_did_open(&self, params: DidOpenNotebookDocumentParams) {
        notifications::notebook_did_open::handle(self, params).await;
    }

    async fn notebook_did_change(&self, params: DidChangeNotebookDocumentParams) {
        notifications::notebook_did_change::handle(self, params).await;
    }

    async fn notebook_did_save(&self, _: DidSaveNotebookDocumentParams) {}

    async fn notebook_did_close(&self, params: DidCloseNotebookDocumentParams) {
        notifications::notebook_did_close::handle(self, params).await;
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        requests::code_action::handle(self, params)
    }
}
