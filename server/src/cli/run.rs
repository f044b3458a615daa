//! `asyncell run FILE`: run every code cell of a `# %%` cell file, a plain script or an
//! .ipynb notebook, in order, on one persistent loop, through the same supervisor as
//! the language server.
//!
//! Text output streams: cell stdout/stderr go to the terminal's stdout/stderr as they are
//! produced, results print as `text/plain`, errors as tracebacks (stderr), images as a
//! one-line `[image/png 640x480]` placeholder. `--output-format json` prints one JSON
//! object per executed cell (JSON Lines) with its nbformat outputs, and one with
//! `"late": true` for each output a background task produced after its cell's record
//! (`--write` appends those to that cell's outputs). The first failing
//! cell stops the run with exit code 1; `--keep-going` runs the remaining cells anyway
//! (the exit code is still 1). Exit code 2: the file or the host could not be used at all;
//! 130: interrupted with Ctrl-C (the running cell is interrupted first).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use clap::Args;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::check::{run_time_findings, run_time_findings_in_cells, OutputFormat};
use crate::analysis::document::CellInput;
use crate::analysis::{ipynb, Document, LoopMode};
use crate::config::{self, ConfigLayer, PythonSetting, SearchLimit};
use crate::exec::notebook::{self, CellRecord};
use crate::exec::render::{self, Stream};
use crate::exec::{
    self, Emit, EventKind, ExecResult, ExecStatus, HostSpec, Options, ProjectVenv, SourceCell,
    Supervisor, EMIT_CAPACITY,
};

#[derive(Debug, Args)]
pub struct RunArgs {
    /// A `# %%` cell file, a plain script, or an .ipynb notebook.
    pub file: PathBuf,
    /// Loop: trio, asyncio or auto (decide from %autoawait and imports; asyncio if
    /// undecided). Default: the `loop` setting of pyproject.toml, else auto.
    #[arg(long = "loop", value_parser = parse_loop)]
    pub loop_mode: Option<LoopMode>,
    /// The interpreter: a path, or a command line such as "ssh box python3".
    /// Default: $VIRTUAL_ENV/bin/python, else the nearest .venv/bin/python from FILE's
    /// directory up to its repository root (wherever you run the command from), else the
    /// python of the environment asyncell is installed in, else python3. pyproject.toml
    /// cannot set it.
    #[arg(long)]
    pub python: Option<String>,
    /// Don't print which interpreter runs the cells.
    #[arg(short, long)]
    pub quiet: bool,
    #[arg(long, value_enum, default_value = "text")]
    pub output_format: OutputFormat,
    /// Run the remaining cells after a cell fails (the exit code is still 1).
    #[arg(long)]
    pub keep_going: bool,
    /// Save the executed notebook (nbformat 4.5, with outputs and execution counts).
    #[arg(long, value_name = "OUT.ipynb")]
    pub write: Option<PathBuf>,
    /// Don't print the findings that would fail when the cells run (a SyntaxError,
    /// `asyncio.run()` inside the running loop, ...) before running them.
    #[arg(long)]
    pub no_check: bool,
}

fn parse_loop(s: &str) -> Result<LoopMode, String> {
    s.parse()
}

/// The file as cells, plus what `--write` needs to rebuild it.
struct Source {
    cells: Vec<SourceCell>,
    /// The original notebook JSON, for .ipynb inputs.
    ipynb: Option<Value>,
    document: Document,
    /// The error-severity findings, as the cells will run (see `check::run_time_findings`).
    run_time_findings: Vec<String>,
}

pub fn run(args: RunArgs) -> ExitCode {
    match crate::runtime::block_on(run_async(args)) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

async fn run_async(args: RunArgs) -> u8 {
    let path = args.file.clone();
    let file_layer = match config::find_pyproject(&absolute(&path), SearchLimit::Repository) {
        Some(pyproject) => match config::read_pyproject(&pyproject) {
            Ok(project) => project.warn_on_stderr(),
            Err(error) => {
                eprintln!("warning: {error}");
                ConfigLayer::default()
            }
        },
        None => ConfigLayer::default(),
    };
    let cli_layer = ConfigLayer {
        loop_mode: args.loop_mode,
        ..ConfigLayer::default()
    };
    let layer = file_layer.merged(&cli_layer);
    let source = match read_source(&path, &layer) {
        Ok(source) => source,
        Err(error) => {
            eprintln!("error: {}: {error}", path.display());
            return 2;
        }
    };
    if !args.no_check && !source.run_time_findings.is_empty() {
        for line in &source.run_time_findings {
            eprintln!("{line}");
        }
        let count = source.run_time_findings.len();
        eprintln!(
            "asyncell run: {} above will fail when the cells run; running anyway \
             (`asyncell rule CODE` explains each; --no-check skips this check)",
            if count == 1 {
                "1 finding".to_string()
            } else {
                format!("{count} findings")
            }
        );
    }
    // The user's own command: the project's `.venv` runs without asking, as with `uv run`.
    // A relative `--python` is relative to the current directory, like any path on the
    // command line; the `.venv` is looked for from the file, not from where we are.
    let setting = args.python.as_deref().map(python_setting);
    let cwd = std::env::current_dir().ok();
    let document_dir = absolute(&path).parent().map(Path::to_path_buf);
    let interpreter = exec::choose_python(&exec::Discovery {
        setting: setting.as_ref(),
        relative_to: cwd.as_deref(),
        document_dir: document_dir.as_deref(),
        limit: SearchLimit::Repository,
        venv: ProjectVenv::Allowed,
    });
    let spec = HostSpec {
        interpreter: interpreter.clone(),
        loop_kind: exec::loop_kind(source.document.index().loop_),
        loop_chosen: false,
        cwd: absolute(&path).parent().map(Path::to_path_buf),
    };

    let json_mode = args.output_format == OutputFormat::Json;
    let (sender, receiver) = mpsc::channel(EMIT_CAPACITY);
    let late = Arc::new(Mutex::new(LateOutputs {
        // Only `--write` needs them kept; JSON prints each as it comes.
        keep: args.write.is_some(),
        ..LateOutputs::default()
    }));
    let printer = tokio::spawn(print_emits(receiver, json_mode, late.clone()));
    let supervisor = Supervisor::new(
        sender,
        Options {
            reply_cap: 32 << 20,
            ..Options::default()
        },
    );
    let doc = absolute(&path).to_string_lossy().into_owned();

    // (number, cell): "cell N" is 1-based among all cells, markdown included, as
    // `asyncell check` and the language server number them; `index` below counts code
    // cells from 0 (the records `--write` fills, the JSON's `cellIndex`).
    let code_cells: Vec<(usize, &SourceCell)> = source
        .cells
        .iter()
        .enumerate()
        .filter(|(_, c)| c.is_code)
        .map(|(position, c)| (position + 1, c))
        .collect();
    let mut records: Vec<Option<CellRecord>> = vec![None; code_cells.len()];
    let mut exit = 0u8;
    // Start the host first, to name the interpreter before any output. A failed start
    // becomes the first cell's result, as in the editor, so `--write` and JSON keep it.
    let mut start_failure = match supervisor.restart(&doc, &spec).await {
        Ok(_) => {
            let status = supervisor.status(&doc, None);
            // The argv as chosen (`.venv/bin/python`, `ssh box python3`), not the host's
            // `sys.executable`, which may be what a wrapper script exec'd.
            if !args.quiet {
                eprintln!(
                    "asyncell run: running on {} (Python {}, from {}; {} host)",
                    spec.argv().join(" "),
                    status
                        .python_version
                        .as_deref()
                        .and_then(|version| version.split_whitespace().next())
                        .unwrap_or("?"),
                    interpreter.source.describe(),
                    status.host.map_or("?", |host| host.copy.as_str()),
                );
            }
            None
        }
        Err(message) => Some(ExecResult::failed(
            supervisor.next_execution_id(),
            ExecStatus::Error,
            exec::START_FAILED,
            message,
            Vec::new(),
        )),
    };
    if code_cells.is_empty() {
        if let Some(failure) = start_failure.take() {
            eprintln!("error: {}", failure.error_summary().unwrap_or_default());
            exit = 2;
        }
    }
    for (index, &(number, cell)) in code_cells.iter().enumerate() {
        let mut interrupted = false;
        let result = match start_failure.take() {
            // Reported below like any start failure: JSON line, record, exit 2.
            Some(failure) => failure,
            None => {
                // The id is known before the cell runs, so output that arrives after its
                // reply (a background task it started) is filed under this cell.
                let id = supervisor.next_execution_id();
                if let Ok(mut late) = late.lock() {
                    late.cell_of.insert(id.clone(), (index, number));
                }
                let execution = supervisor.execute(
                    &doc,
                    &spec,
                    exec::runnable(&cell.text),
                    Some(id),
                    u32::try_from(number).ok(),
                );
                tokio::pin!(execution);
                let result = tokio::select! {
                    result = &mut execution => result,
                    _ = tokio::signal::ctrl_c() => {
                        interrupted = true;
                        interrupt_until_done(&supervisor, &doc, number, &mut execution).await
                    }
                };
                match result {
                    Ok(result) => result,
                    Err(error) => {
                        eprintln!("error: {error}");
                        exit = 2;
                        break;
                    }
                }
            }
        };
        if json_mode {
            print_json_line(index, number, cell, &result);
        }
        let start_failed = result.start_failure().is_some();
        records[index] = Some(CellRecord {
            execution_count: result.execution_count,
            outputs: result.outputs.clone(),
        });
        if start_failed {
            if !json_mode {
                eprintln!("error: {}", result.error_summary().unwrap_or_default());
            }
            exit = 2;
            break;
        }
        if interrupted {
            exit = 130;
            break;
        }
        if result.status != ExecStatus::Ok {
            exit = 1;
            let summary = result
                .error_summary()
                .unwrap_or_else(|| result.status.as_str().to_string());
            let location = if source.ipynb.is_some() {
                format!("cell {number}")
            } else {
                format!("cell {number} (line {})", cell.start_line + 1)
            };
            if !json_mode {
                if args.keep_going {
                    eprintln!("asyncell run: {location} failed: {summary}");
                } else {
                    eprintln!(
                        "asyncell run: {location} failed: {summary}; stopping (--keep-going runs the remaining cells)"
                    );
                }
            }
            if !args.keep_going {
                break;
            }
        }
    }
    supervisor.shutdown_all().await;
    drop(supervisor);
    let _ = printer.await;
    // What background tasks printed after their cell's reply goes under that cell, after
    // its own outputs, as Jupyter shows it when the task outlives the cell.
    let (late, dropped) = late
        .lock()
        .map(|mut late| (std::mem::take(&mut late.by_cell), late.dropped))
        .unwrap_or_default();
    if dropped > 0 {
        eprintln!(
            "asyncell run: {dropped} later output(s) of background tasks are not in the written \
             notebook: they went past {} MiB",
            LATE_KEPT_BYTES >> 20
        );
    }
    for (index, outputs) in late {
        if let Some(Some(record)) = records.get_mut(index) {
            record.outputs.extend(outputs);
        }
    }

    if let Some(out) = &args.write {
        let notebook = match &source.ipynb {
            Some(original) => notebook::from_ipynb(original, &records),
            None => notebook::from_python(&source.cells, &records),
        };
        if let Err(error) = notebook::write_replacing(out, &notebook::to_string(&notebook)) {
            eprintln!("error: cannot write {}: {error}", out.display());
            return 2;
        }
    }
    exit
}

/// After the first Ctrl-C: interrupts the cell and waits for it to end. A second Ctrl-C
/// escalates (the host raises KeyboardInterrupt into the running code, even where the
/// cell catches the first one or shields its await); a third kills the host.
async fn interrupt_until_done<F>(
    supervisor: &Supervisor,
    doc: &str,
    number: usize,
    execution: &mut std::pin::Pin<&mut F>,
) -> F::Output
where
    F: std::future::Future,
{
    eprintln!(
        "\nasyncell run: interrupting cell {} ... (Ctrl-C again to force it, a third time to \
         kill the host)",
        number
    );
    let mut presses = 1;
    loop {
        // Each interrupt waits for its outcome in the background, so the cell's end and the
        // next Ctrl-C are seen meanwhile.
        let (interrupting, target) = (supervisor.clone(), doc.to_string());
        if presses <= 2 {
            tokio::spawn(async move { interrupting.interrupt(&target).await });
        } else {
            eprintln!("asyncell run: killing the host");
            supervisor.kill(doc, "the host was killed (Ctrl-C three times)");
        }
        tokio::select! {
            result = execution.as_mut() => return result,
            _ = tokio::signal::ctrl_c() => {
                presses += 1;
                if presses == 2 {
                    eprintln!("asyncell run: forcing cell {number} (KeyboardInterrupt) ...");
                }
            }
        }
        if presses > 3 {
            // Already killed: wait for the host's death to end the execution.
            return execution.as_mut().await;
        }
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// `--python`: a path (possibly with spaces) if it exists, else a command line.
pub(crate) fn python_setting(text: &str) -> PythonSetting {
    if Path::new(text).exists() || !text.contains(char::is_whitespace) {
        PythonSetting::Path(text.to_string())
    } else {
        PythonSetting::Argv(text.split_whitespace().map(str::to_string).collect())
    }
}

fn read_source(path: &Path, layer: &ConfigLayer) -> Result<Source, String> {
    let text = crate::source::read_source_text(path)?;
    let settings = layer.settings();
    if path.extension().is_some_and(|ext| ext == "ipynb") {
        let cells = ipynb::parse(&text)?;
        let original: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        let inputs = cells
            .iter()
            .map(|c| CellInput {
                is_code: c.is_code,
                text: c.source.clone(),
            })
            .collect();
        let document = Document::from_cells(inputs, &settings);
        let run_time_findings = run_time_findings_in_cells(
            path,
            cells
                .iter()
                .map(|c| CellInput {
                    is_code: c.is_code,
                    text: c.source.clone(),
                })
                .collect(),
            &settings,
        );
        let cells = cells
            .into_iter()
            .map(|c| SourceCell {
                is_code: c.is_code,
                text: c.source,
                start_line: 0,
            })
            .collect();
        return Ok(Source {
            cells,
            ipynb: Some(original),
            document,
            run_time_findings,
        });
    }
    let cells = exec::python_cells(&text);
    let document = Document::from_python(text, &settings);
    let run_time_findings = run_time_findings(path, document.text(), document.kind(), &settings);
    Ok(Source {
        cells,
        ipynb: None,
        document,
        run_time_findings,
    })
}

/// Outputs that arrive after their cell's reply: what a background task prints, and the
/// traceback of one that fails. They belong to the cell that started the task.
#[derive(Default)]
struct LateOutputs {
    /// Execution id → (index among code cells, number among all cells) of the cell it ran.
    cell_of: HashMap<String, (usize, usize)>,
    /// Executions whose reply has been delivered.
    finished: HashSet<String>,
    /// Code cell index → outputs that came after its reply, in arrival order.
    by_cell: BTreeMap<usize, Vec<Value>>,
    /// Whether to keep them (for `--write`), and how many bytes are kept: a background
    /// task that prints for as long as the run lasts must not grow memory without bound.
    keep: bool,
    kept_bytes: usize,
    dropped: usize,
}

/// Bytes of late outputs `--write` keeps, as one execution's reply keeps at most this much.
const LATE_KEPT_BYTES: usize = 32 << 20;

/// Prints outputs as they stream (text mode), or, in JSON mode, each output that comes
/// after its cell's record as a record of its own (`"late": true`); files late outputs
/// for `--write`; answers executions.
async fn print_emits(
    mut receiver: mpsc::Receiver<Emit>,
    json_mode: bool,
    late: Arc<Mutex<LateOutputs>>,
) {
    while let Some(message) = receiver.recv().await {
        match message {
            Emit::Output {
                execution_id,
                task_id,
                output,
                ..
            } => {
                // A terminal and a saved notebook cannot replace or clear what they hold.
                let Some(output) = crate::exec::display_updates::as_nbformat(output) else {
                    continue;
                };
                if !json_mode {
                    print_output(&output);
                }
                let Ok(mut late) = late.lock() else { continue };
                if !late.finished.contains(&execution_id) {
                    continue;
                }
                let Some(&(cell, number)) = late.cell_of.get(&execution_id) else {
                    continue;
                };
                if json_mode {
                    print_late_json_line(cell, number, task_id.as_deref(), &output);
                }
                if !late.keep {
                    continue;
                }
                let size = output.to_string().len();
                if late.kept_bytes + size > LATE_KEPT_BYTES {
                    late.dropped += 1;
                    continue;
                }
                late.kept_bytes += size;
                late.by_cell.entry(cell).or_default().push(output);
            }
            // `run` executes without stdin: the host raises in input() instead of asking.
            Emit::InputRequest(_) => {}
            Emit::Event(event) => {
                if event.kind == EventKind::HostExited && !event.stopped {
                    tracing::info!("{}", event.message);
                }
            }
            Emit::Finished { result, reply, .. } => {
                if let Ok(mut late) = late.lock() {
                    late.finished.insert(result.execution_id.clone());
                }
                let _ = std::io::stdout().flush();
                let _ = reply.send(result);
            }
        }
    }
}

fn print_output(output: &Value) {
    let Some((stream, text)) = render::output_text(output) else {
        return;
    };
    match stream {
        Stream::Stdout => {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(text.as_bytes());
            let _ = stdout.flush();
        }
        Stream::Stderr => {
            let _ = std::io::stdout().flush();
            let mut stderr = std::io::stderr().lock();
            let _ = stderr.write_all(text.as_bytes());
        }
    }
}

/// A late output's record: the cell it belongs to, the task that produced it, the output.
fn print_late_json_line(index: usize, number: usize, task: Option<&str>, output: &Value) {
    let line = json!({
        "cell": number,
        "cellIndex": index,
        "late": true,
        "task": task,
        "outputs": [output],
    });
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
    let _ = stdout.flush();
}

/// One cell's record: `cell` is its number among all cells (1-based, markdown included),
/// `cellIndex` its index among code cells (0-based, as `asyncell/execute` takes it).
fn print_json_line(index: usize, number: usize, cell: &SourceCell, result: &ExecResult) {
    let line = json!({
        "cell": number,
        "cellIndex": index,
        "line": cell.start_line + 1,
        "execution_count": result.execution_count,
        "status": result.status,
        "duration_ms": result.duration_ms,
        "outputs": result.outputs,
    });
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
    let _ = stdout.flush();
}
