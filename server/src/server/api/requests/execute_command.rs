//! `workspace/executeCommand`: the code lens and code action commands, for editors that
//! have no asyncell plugin (docs/protocol.md, "Plain LSP clients"). Arguments are
//! `[uri, cellIndex]` (`cellIndex` 0-based among code cells; `[uri]` for interrupt and
//! restart); sent without arguments (Helix's `:lsp-workspace-command`), a command means
//! the document and cell of the last code action or code lens request.
//!
//! A run replies as soon as it is queued, with its execution ids; the cell runs in the
//! background. While it runs the client sees `$/progress` (when it supports work-done
//! progress); when it ends, an inlay hint after the cell, a `window/showMessage` and a
//! diagnostic on the failing line if it failed, and its full output in a read-only file
//! that `asyncell.showOutput` opens with `window/showDocument` (`runs.rs`).

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::lsp_types::notification::Progress;
use tower_lsp_server::lsp_types::request::WorkDoneProgressCreate;
use tower_lsp_server::lsp_types::{
    ExecuteCommandParams, LSPAny, MessageType, NumberOrString, ProgressParams, ProgressParamsValue,
    ShowDocumentParams, Uri, WorkDoneProgress, WorkDoneProgressBegin, WorkDoneProgressCreateParams,
    WorkDoneProgressEnd, WorkDoneProgressReport,
};
use tower_lsp_server::{Client, UriExt};

use crate::exec::{render, ExecResult, ExecStatus, HostSpec, Supervisor};
use crate::server::backend::Backend;
use crate::server::execution::{code_cells, host_spec, invalid_params, owner, resolve, What};
use crate::server::runs::{self, ClientFeatures, Watch};
use crate::server::session::{self, SharedSession};

pub const RUN_CELL: &str = "asyncell.runCell";
pub const RUN_BELOW: &str = "asyncell.runBelow";
pub const RUN_ABOVE: &str = "asyncell.runAbove";
pub const INTERRUPT: &str = "asyncell.interrupt";
pub const RESTART: &str = "asyncell.restart";
pub const SHOW_OUTPUT: &str = "asyncell.showOutput";

/// Every command, as advertised in `executeCommandProvider`.
pub const COMMANDS: [&str; 6] = [
    RUN_CELL,
    RUN_BELOW,
    RUN_ABOVE,
    INTERRUPT,
    RESTART,
    SHOW_OUTPUT,
];

/// Text shown in the log for one cell is cut at this many bytes.
const LOG_LIMIT: usize = 8 * 1024;
/// How long a client may take to answer `window/workDoneProgress/create`.
const PROGRESS_CREATE_WAIT: Duration = Duration::from_secs(5);
/// At most one progress report this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(500);
/// A run's result messages go out at least this long after the command was answered.
/// Emacs 28's jsonrpc.el (eglot; lsp-mode reads the same way) stops parsing a read at the
/// response that ends a synchronous request, and leaves the messages after it in that
/// read unparsed until the server writes again: a 1 ms cell's result, written right
/// behind the reply, would show only at the next keystroke's diagnostics. Nobody notices
/// 50 ms; separate reads keep every message seen.
const RESULT_AFTER_REPLY: Duration = Duration::from_millis(50);

pub async fn handle(backend: &Backend, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
    let command = params.command.as_str();
    if !COMMANDS.contains(&command) {
        return Err(invalid_params(format!(
            "unknown command `{command}`; asyncell provides {}",
            COMMANDS.join(", ")
        )));
    }
    let needs_cell = matches!(command, RUN_CELL | RUN_BELOW | RUN_ABOVE | SHOW_OUTPUT);
    let (uri, index) = target(backend, command, &params.arguments, needs_cell)?;
    match command {
        RUN_CELL | RUN_BELOW | RUN_ABOVE => {
            let index = index.unwrap_or(0);
            let count = backend
                .with_session(|session| {
                    let doc = owner(session, &uri).map(|(doc, _)| doc)?;
                    Ok(code_cells(session, &doc).map_or(0, |cells| cells.len()))
                })
                .map_err(|e: tower_lsp_server::jsonrpc::Error| e)?;
            let cells: Vec<usize> = match command {
                RUN_CELL => vec![index],
                RUN_BELOW => (index..count.max(index + 1)).collect(),
                _ => (0..index).collect(),
            };
            start(backend, &uri, cells).await.map(Some)
        }
        INTERRUPT => {
            let doc = backend.execution_document(&uri);
            let outcome = backend
                .execution
                .supervisor(&backend.client)
                .interrupt(doc.as_str())
                .await;
            if outcome.restart_suggested {
                backend
                    .client
                    .show_message(
                        MessageType::WARNING,
                        format!("asyncell: {}", outcome.message),
                    )
                    .await;
            }
            Ok(Some(serde_json::to_value(outcome).unwrap_or(Value::Null)))
        }
        RESTART => {
            let doc = backend.execution_document(&uri);
            let spec = backend.with_session(|session| host_spec(session, &doc));
            backend.show_config_errors().await;
            match backend
                .execution
                .supervisor(&backend.client)
                .restart(doc.as_str(), &spec)
                .await
            {
                Ok(pid) => Ok(Some(json!({ "pid": pid }))),
                Err(message) => {
                    backend
                        .client
                        .show_message(
                            MessageType::ERROR,
                            format!("asyncell: restart failed: {message}"),
                        )
                        .await;
                    Ok(Some(json!({ "pid": null, "message": message })))
                }
            }
        }
        _ => show_output(backend, &uri, index.unwrap_or(0))
            .await
            .map(Some),
    }
}

/// The document and cell a command means: its arguments, else the last code action or
/// code lens request's.
fn target(
    backend: &Backend,
    command: &str,
    arguments: &[Value],
    needs_cell: bool,
) -> Result<(Uri, Option<usize>)> {
    let usage = if needs_cell {
        format!(
            "`{command}` takes [uri, cellIndex] (cellIndex: 0-based among the document's code cells; \
             cell 1 of a file whose cells are all code is index 0)"
        )
    } else {
        format!("`{command}` takes [uri] (the document's URI)")
    };
    if arguments.is_empty() {
        let last = backend.with_session(|session| session.runs.last().cloned());
        return match last {
            Some((uri, Some(cell))) => Ok((uri, Some(cell))),
            Some((uri, None)) if !needs_cell => Ok((uri, None)),
            _ => Err(invalid_params(format!(
                "{usage}; sent without arguments it runs on the cell of the last code action \
                 request, and there was none{}: ask for code actions with the cursor in a cell first",
                if needs_cell { " naming a cell" } else { "" }
            ))),
        };
    }
    let uri = arguments
        .first()
        .and_then(Value::as_str)
        .and_then(|text| text.parse::<Uri>().ok())
        .ok_or_else(|| invalid_params(format!("{usage}: the first argument is not a URI")))?;
    if !needs_cell {
        return Ok((uri, None));
    }
    let index = arguments
        .get(1)
        .and_then(Value::as_u64)
        .and_then(|index| usize::try_from(index).ok())
        .ok_or_else(|| {
            invalid_params(format!(
                "{usage}: the second argument is missing or not a number"
            ))
        })?;
    Ok((uri, Some(index)))
}

/// One queued cell run.
struct Job {
    doc: Uri,
    index: usize,
    code: String,
    spec: HostSpec,
    execution_id: String,
    name: String,
    number: usize,
}

/// What a background run needs of the backend.
struct Context {
    client: Client,
    session: SharedSession,
    supervisor: Supervisor,
    watch: std::sync::Arc<Watch>,
    features: ClientFeatures,
}

/// Queues the cells and replies: the run goes on in the background.
async fn start(backend: &Backend, uri: &Uri, cells: Vec<usize>) -> Result<Value> {
    let jobs = backend.with_session(|session| {
        let mut jobs = Vec::with_capacity(cells.len());
        for index in cells {
            let resolved = resolve(session, uri, What::Cell(index))?;
            let place = runs::place(session, &resolved.doc, index);
            // Run again: the last result is gone.
            if let Some(text_uri) = session.runs.clear(&resolved.doc, index) {
                session.diagnostics_due(&text_uri);
            }
            jobs.push(Job {
                execution_id: session.runs.next_execution_id(),
                name: runs::cell_name(session, &resolved.doc, index),
                number: place.map_or(index + 1, |p| p.number),
                doc: resolved.doc,
                index,
                code: resolved.code,
                spec: resolved.spec,
            });
        }
        Ok::<_, tower_lsp_server::jsonrpc::Error>(jobs)
    })?;
    // Before the host starts: why it runs on the interpreter it does, when that is news.
    backend.show_config_errors().await;
    let executions: Vec<Value> = jobs
        .iter()
        .map(|job| json!({ "executionId": job.execution_id, "cell": job.number, "cellIndex": job.index }))
        .collect();
    let context = Context {
        client: backend.client.clone(),
        session: backend.session.clone(),
        supervisor: backend.execution.supervisor(&backend.client).clone(),
        watch: backend.execution.watch.clone(),
        features: backend.with_session(|session| session.features),
    };
    for job in &jobs {
        context.watch.follow(&job.execution_id);
    }
    let results_from = Instant::now() + RESULT_AFTER_REPLY;
    tokio::spawn(async move {
        let mut jobs = jobs.into_iter();
        for job in jobs.by_ref() {
            let status = run_one(&context, &job, results_from).await;
            if status != ExecStatus::Ok {
                break;
            }
        }
        // The cells after a failure never run.
        for job in jobs {
            context.watch.forget(&job.execution_id);
        }
    });
    Ok(json!({
        "queued": true,
        "executionId": executions.first().and_then(|e| e.get("executionId")).cloned(),
        "executions": executions,
    }))
}

/// Runs one queued cell; its result messages go out no sooner than `results_from`.
async fn run_one(context: &Context, job: &Job, results_from: Instant) -> ExecStatus {
    let client = &context.client;
    let started = Instant::now();
    let execute = context.supervisor.execute(
        job.doc.as_str(),
        &job.spec,
        job.code.clone(),
        Some(job.execution_id.clone()),
        u32::try_from(job.number).ok(),
    );
    tokio::pin!(execute);
    // The progress token is created while the execution waits its turn, in a task of its
    // own: the execution takes its place in the document's queue in the order the
    // commands came, whatever the client's answer to the create request costs.
    let queued = context
        .supervisor
        .running_execution(job.doc.as_str())
        .is_some_and(|id| id != job.execution_id);
    let begin = match queued {
        true => format!("{} is queued behind a running cell", job.name),
        false => format!("Running {}", job.name),
    };
    let mut create = context.features.work_done_progress.then(|| {
        tokio::spawn(begin_progress(
            client.clone(),
            job.execution_id.clone(),
            begin,
        ))
    });
    let mut token: Option<NumberOrString> = None;
    let mut ticks = tokio::time::interval(PROGRESS_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    // "Running" only once the host runs it: until then the cell waits behind another
    // execution of the same document and the progress says so.
    let mut running_since: Option<Instant> = None;
    let outcome = loop {
        tokio::select! {
            biased;
            outcome = &mut execute => break outcome,
            created = async { create.as_mut().expect("polled only while creating").await }, if create.is_some() => {
                create = None;
                token = created.ok().flatten();
            }
            _ = ticks.tick(), if token.is_some() => {
                let running = context.supervisor.running_execution(job.doc.as_str());
                let ours = running.as_deref().is_none_or(|id| id == job.execution_id);
                if ours && running.is_some() && running_since.is_none() {
                    running_since = Some(Instant::now());
                }
                if let Some(token) = &token {
                    let message = match ours {
                        true => {
                            let since = running_since.unwrap_or(started);
                            let mut message = format!("Running {} · {}", job.name, runs::duration(since.elapsed().as_secs_f64() * 1000.0));
                            let last = context.watch.last_line(&job.execution_id);
                            if !last.is_empty() {
                                message.push_str(" · ");
                                message.push_str(&last);
                            }
                            message
                        }
                        false => format!("{} is queued behind a running cell · {}", job.name, runs::duration(started.elapsed().as_secs_f64() * 1000.0)),
                    };
                    progress(client, token, WorkDoneProgress::Report(WorkDoneProgressReport {
                        message: Some(message),
                        ..WorkDoneProgressReport::default()
                    })).await;
                }
            }
        }
    };
    context.watch.forget(&job.execution_id);
    tokio::time::sleep_until(results_from.into()).await;
    let result = match outcome {
        Ok(result) => result,
        Err(message) => {
            finish_progress(client, token, create, format!("✗ {message}")).await;
            client
                .show_message(
                    MessageType::ERROR,
                    format!("asyncell: {} did not run: {message}", job.name),
                )
                .await;
            return ExecStatus::Error;
        }
    };
    let label = runs::label(&result);
    let header = format!(
        "asyncell: the output of {}{} of {}\n{label}\n\n",
        job.name,
        result
            .execution_count
            .map(|c| format!(" [{c}]"))
            .unwrap_or_default(),
        job.doc.as_str()
    );
    let output_file = match runs::write_output(&job.doc, job.number, &result, &header) {
        Ok(path) => {
            context
                .watch
                .output_written(&job.execution_id, path.clone());
            Some(path)
        }
        Err(error) => {
            tracing::warn!("{error}");
            None
        }
    };
    session::lock(&context.session).refresh();
    {
        let mut session = session::lock(&context.session);
        if let Some(mark) = runs::mark(
            &session,
            &job.doc,
            job.index,
            job.code.clone(),
            &result,
            output_file,
        ) {
            let text_uri = mark.text_uri.clone();
            session.runs.set(&job.doc, job.index, mark);
            session.diagnostics_due(&text_uri);
        }
    }
    finish_progress(client, token, create, format!("{}: {label}", job.name)).await;
    tell(client, job, &result, &label).await;
    if context.features.inlay_hint_refresh {
        let _ = client.inlay_hint_refresh().await;
    }
    result.status
}

/// The user-facing messages of a finished run: the output in the log, a failure shown.
async fn tell(client: &Client, job: &Job, result: &ExecResult, label: &str) {
    let text = outputs_text(result);
    let mut log = format!("asyncell: {} {label}", job.name);
    if !text.is_empty() {
        log.push('\n');
        log.push_str(&text);
    }
    client.log_message(MessageType::LOG, log).await;
    if let Some(summary) = result.start_failure() {
        client
            .show_message(MessageType::ERROR, format!("asyncell: {summary}"))
            .await;
    } else if runs::interrupted(result) {
        client
            .show_message(
                MessageType::INFO,
                format!("asyncell: {} was interrupted", job.name),
            )
            .await;
    } else if result.status != ExecStatus::Ok {
        let summary = result
            .error_summary()
            .unwrap_or_else(|| result.status.as_str().to_string());
        client
            .show_message(
                MessageType::ERROR,
                format!("asyncell: {} failed: {summary}", job.name),
            )
            .await;
    } else {
        // Not every client shows inlay hints (eglot before 1.10; Neovim until
        // `vim.lsp.inlay_hint.enable()`): the result is said once too.
        client
            .show_message(MessageType::INFO, format!("asyncell: {} {label}", job.name))
            .await;
    }
}

/// Creates the run's progress token and begins it; `None` when the client refused or did
/// not answer within [`PROGRESS_CREATE_WAIT`] (no progress may be sent for that token).
async fn begin_progress(
    client: Client,
    execution_id: String,
    message: String,
) -> Option<NumberOrString> {
    let token = NumberOrString::String(format!("asyncell/{execution_id}"));
    let create = client.send_request::<WorkDoneProgressCreate>(WorkDoneProgressCreateParams {
        token: token.clone(),
    });
    tokio::time::timeout(PROGRESS_CREATE_WAIT, create)
        .await
        .ok()?
        .ok()?;
    progress(
        &client,
        &token,
        WorkDoneProgress::Begin(WorkDoneProgressBegin {
            title: "asyncell".into(),
            message: Some(message),
            cancellable: Some(false),
            percentage: None,
        }),
    )
    .await;
    Some(token)
}

/// Ends the run's progress. A run that ended before the client answered the create
/// request (a fast cell on a busy client) is not held back for it: its progress ends in
/// the background once the answer comes, so the client still sees begin and end.
async fn finish_progress(
    client: &Client,
    token: Option<NumberOrString>,
    create: Option<tokio::task::JoinHandle<Option<NumberOrString>>>,
    message: String,
) {
    if let Some(token) = token {
        end_progress(client, &token, message).await;
    } else if let Some(create) = create {
        let client = client.clone();
        tokio::spawn(async move {
            if let Ok(Some(token)) = create.await {
                end_progress(&client, &token, message).await;
            }
        });
    }
}

async fn end_progress(client: &Client, token: &NumberOrString, message: String) {
    progress(
        client,
        token,
        WorkDoneProgress::End(WorkDoneProgressEnd {
            message: Some(message),
        }),
    )
    .await;
}

async fn progress(client: &Client, token: &NumberOrString, value: WorkDoneProgress) {
    client
        .send_notification::<Progress>(ProgressParams {
            token: token.clone(),
            value: ProgressParamsValue::WorkDone(value),
        })
        .await;
}

/// Opens a cell's output file (`window/showDocument`), or says where it is.
async fn show_output(backend: &Backend, uri: &Uri, index: usize) -> Result<Value> {
    let (path, name, supported) = backend.with_session(|session| {
        let doc = owner(session, uri).map(|(doc, _)| doc)?;
        Ok::<_, tower_lsp_server::jsonrpc::Error>((
            runs::output_file(session, &doc, index),
            runs::cell_name(session, &doc, index),
            session.features.show_document,
        ))
    })?;
    let Some(path) = path else {
        return Err(invalid_params(format!(
            "{name} has no output to show: run it first (its output is kept until the cell is edited)"
        )));
    };
    let Some(file_uri) = Uri::from_file_path(&path) else {
        return Err(invalid_params(format!(
            "cannot name {} as a URI",
            path.display()
        )));
    };
    let mut shown = false;
    if supported {
        shown = backend
            .client
            .show_document(ShowDocumentParams {
                uri: file_uri.clone(),
                external: Some(false),
                take_focus: Some(true),
                selection: None,
            })
            .await
            .unwrap_or(false);
    }
    if !shown {
        backend
            .client
            .show_message(
                MessageType::INFO,
                format!("asyncell: the output of {name} is in {}", path.display()),
            )
            .await;
    }
    Ok(json!({ "uri": file_uri.as_str(), "path": path.display().to_string(), "shown": shown }))
}

fn outputs_text(result: &ExecResult) -> String {
    let mut text = String::new();
    for output in &result.outputs {
        if let Some((_, piece)) = render::output_text(output) {
            text.push_str(&runs::plain(&piece));
            if text.len() > LOG_LIMIT {
                let mut cut = LOG_LIMIT;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
                text.push_str("\n[... cut; \"Show output\" opens all of it]\n");
                break;
            }
        }
    }
    text
}
