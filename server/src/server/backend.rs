//! The LSP entry points. Each method delegates to its own file under `api/`.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::lsp_types::*;
use tower_lsp_server::{Client, LanguageServer, LspServiceBuilder};

use super::api::{notifications, requests};
use super::cancellation::CANCEL_EXECUTION;
use super::extension as ext;
use super::session::{ConfigSeverity, SharedSession};
use tower_lsp_server::lsp_types::request::Request as _;

pub struct Backend {
    pub client: Client,
    pub session: SharedSession,
    /// Hosts and their output forwarding (`asyncell/*` methods).
    pub execution: super::execution::Execution,
}

impl Backend {
    /// A backend on `session`, which the transport shares to publish diagnostics.
    pub fn new(client: Client, session: SharedSession) -> Self {
        Backend {
            client,
            session,
            execution: Default::default(),
        }
    }

    /// The document whose host serves a URI: a notebook cell's notebook, else the URI.
    pub fn execution_document(&self, uri: &Uri) -> Uri {
        self.with_session(|session| super::execution::owner(session, uri).map(|(doc, _)| doc))
            .unwrap_or_else(|_| uri.clone())
    }

    /// Runs `f` on the session under its lock, with every document's analysis up to
    /// date with its text. Never hold the lock across an `.await`.
    pub fn with_session<T>(&self, f: impl FnOnce(&mut super::session::Session) -> T) -> T {
        self.edit_session(|session| {
            session.refresh();
            f(session)
        })
    }

    /// Runs `f` on the session as it is, analyses possibly behind their texts: for the
    /// edit notifications, which only change texts (so a burst of edits is parsed once).
    pub fn edit_session<T>(&self, f: impl FnOnce(&mut super::session::Session) -> T) -> T {
        let mut session = super::session::lock(&self.session);
        f(&mut session)
    }

    /// Shows, once each, the configuration problems and notices queued in the session
    /// (a pyproject.toml that failed to parse or names an unknown rule, a `python` key it
    /// may not set, an untrusted `.venv` passed over). A pyproject.toml is read when the
    /// first document under it opens, after `initialized`, so handlers call this too.
    pub async fn show_config_errors(&self) {
        let messages = self.edit_session(|s| s.take_config_messages());
        for message in messages {
            let kind = match message.severity {
                ConfigSeverity::Error => MessageType::ERROR,
                ConfigSeverity::Warning => MessageType::WARNING,
            };
            self.client
                .show_message(kind, format!("asyncell: {}", message.text))
                .await;
        }
    }
}

/// Registers asyncell's custom methods on the service builder.
pub fn build_service(builder: LspServiceBuilder<Backend>) -> LspServiceBuilder<Backend> {
    builder
        .custom_method(ext::Execute::METHOD, Backend::asyncell_execute)
        .custom_method(ext::Interrupt::METHOD, Backend::asyncell_interrupt)
        .custom_method(ext::Restart::METHOD, Backend::asyncell_restart)
        .custom_method(ext::Shutdown::METHOD, Backend::asyncell_shutdown)
        .custom_method(ext::Status::METHOD, Backend::asyncell_status)
        .custom_method(ext::CancelTask::METHOD, Backend::asyncell_cancel_task)
        .custom_method(CANCEL_EXECUTION, Backend::asyncell_cancel_execution)
        .custom_method(ext::Complete::METHOD, Backend::asyncell_complete)
        .custom_method(ext::Inspect::METHOD, Backend::asyncell_inspect)
        .custom_method(ext::Variables::METHOD, Backend::asyncell_variables)
}

/// asyncell's custom methods (docs/protocol.md section 1; their types are
/// `server::extension`'s), each in its own file.
impl Backend {
    async fn asyncell_execute(&self, params: ext::ExecuteParams) -> Result<ext::ExecResult> {
        requests::execute::handle(self, params).await
    }

    async fn asyncell_interrupt(
        &self,
        params: ext::DocumentParams,
    ) -> Result<ext::InterruptOutcome> {
        requests::interrupt::handle(self, params).await
    }

    async fn asyncell_restart(&self, params: ext::DocumentParams) -> Result<ext::RestartResult> {
        requests::restart::handle(self, params).await
    }

    async fn asyncell_shutdown(&self, params: ext::DocumentParams) -> Result<ext::ShutdownResult> {
        requests::host_shutdown::handle(self, params).await
    }

    async fn asyncell_status(&self, params: ext::DocumentParams) -> Result<ext::HostStatus> {
        requests::status::handle(self, params).await
    }

    async fn asyncell_cancel_task(
        &self,
        params: ext::CancelTaskParams,
    ) -> Result<ext::CancelReply> {
        requests::cancel_task::handle(self, params).await
    }

    async fn asyncell_complete(&self, params: ext::CompleteParams) -> Result<ext::CompleteReply> {
        requests::complete::handle(self, params).await
    }

    async fn asyncell_inspect(&self, params: ext::InspectParams) -> Result<ext::InspectReply> {
        requests::inspect::handle(self, params).await
    }

    async fn asyncell_variables(
        &self,
        params: ext::VariablesParams,
    ) -> Result<ext::VariablesReply> {
        requests::variables::handle(self, params).await
    }

    async fn asyncell_cancel_execution(
        &self,
        params: notifications::cancel_execution::CancelExecutionParams,
    ) {
        notifications::cancel_execution::handle(self, params).await
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        requests::initialize::handle(self, params)
    }

    async fn initialized(&self, _: InitializedParams) {
        self.show_config_errors().await;
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

    /// Nothing to do: diagnostics follow the buffer, not the file on disk.
    async fn did_save(&self, _: DidSaveTextDocumentParams) {}

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

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        requests::code_lens::handle(self, params)
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        requests::execute_command::handle(self, params).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        requests::code_action::handle(self, params)
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        requests::completion::handle(self, params).await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        requests::inlay_hint::handle(self, params)
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        requests::hover::handle(self, params).await
    }
}
