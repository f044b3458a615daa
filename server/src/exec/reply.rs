//! Reply assembly: what an execution's answer ([`ExecResult`]) holds. While an execution
//! is in flight its outputs are kept in order, consecutive streams merged as in a saved
//! notebook, up to the reply cap (`Options::reply_cap`; errors are always kept); what the
//! cap drops is said in one note at the end, since it was streamed anyway. Executions
//! that never ran, or whose host went away, are answered with one error output.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::sync::oneshot;

use super::display_updates;
use super::protocol::{ExecStatus, NbOutput, OutputType, StreamName, UserExpression};

/// The `ename` of the error output of an execution whose host could not start.
pub const START_FAILED: &str = "HostStartFailed";

/// The answer to an execution.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExecResult {
    pub execution_id: String,
    /// Null when the code never ran (the host could not start, the execution was dropped).
    pub execution_count: Option<u64>,
    pub status: ExecStatus,
    /// Every output (up to the reply cap, 1 MiB by default); clients that showed the
    /// streamed `asyncell/output`s can ignore these.
    #[schemars(with = "Vec<NbOutput>")]
    pub outputs: Vec<Value>,
    pub duration_ms: f64,
    /// The values of the user expressions it was asked for (a Jupyter kernel's
    /// `user_expressions`), when it ended `ok`; not part of the LSP result.
    #[serde(skip)]
    pub user_expressions: Option<BTreeMap<String, UserExpression>>,
}

/// The fields of an error output that name it.
#[derive(Deserialize)]
struct ErrorName {
    #[serde(default)]
    ename: Option<String>,
    #[serde(default)]
    evalue: Option<String>,
}

impl ExecResult {
    /// An execution that ended before or without running its code: one error output.
    pub fn failed(
        execution_id: String,
        status: ExecStatus,
        ename: &str,
        evalue: String,
        details: Vec<String>,
    ) -> ExecResult {
        let mut traceback = vec![format!("{ename}: {evalue}")];
        traceback.extend(details);
        ExecResult {
            execution_id,
            execution_count: None,
            status,
            outputs: vec![
                json!({"output_type": "error", "ename": ename, "evalue": evalue, "traceback": traceback}),
            ],
            duration_ms: 0.0,
            user_expressions: None,
        }
    }

    /// An execution an interrupt dropped while it waited for the document's gate.
    pub(super) fn cancelled_before_start(id: String) -> ExecResult {
        ExecResult::failed(
            id,
            ExecStatus::Cancelled,
            "KeyboardInterrupt",
            "dropped from the queue by an interrupt before it started".into(),
            Vec::new(),
        )
    }

    /// An execution whose host went away without answering it.
    pub(super) fn host_died(id: String, evalue: &str) -> ExecResult {
        ExecResult::failed(id, ExecStatus::Error, "HostDied", evalue.into(), Vec::new())
    }

    /// The error outputs, by name.
    fn errors(&self) -> impl Iterator<Item = ErrorName> + '_ {
        self.outputs
            .iter()
            .filter(|o| OutputType::of(o) == OutputType::Error)
            .filter_map(|o| ErrorName::deserialize(o).ok())
    }

    /// Why the host could not start, when that is what ended this execution.
    pub fn start_failure(&self) -> Option<String> {
        self.errors()
            .find(|error| error.ename.as_deref() == Some(START_FAILED))
            .map(|error| error.evalue.unwrap_or_default())
    }

    /// The first error output, as `ename: evalue`.
    pub fn error_summary(&self) -> Option<String> {
        self.errors().next().map(|error| {
            let ename = error.ename.unwrap_or_else(|| "Error".into());
            match error.evalue {
                Some(evalue) if !evalue.is_empty() => format!("{ename}: {evalue}"),
                _ => ename,
            }
        })
    }
}

/// An execution sent to the host and not yet answered: its reply being assembled.
pub(super) struct InFlight {
    pub id: String,
    pub count: u64,
    outputs: Vec<Value>,
    /// Bytes of outputs kept, against the cap.
    kept: usize,
    dropped_bytes: usize,
    dropped_outputs: usize,
    /// Kept displays that have an id (index into `outputs`, display id), for updates.
    displays: Vec<(usize, String)>,
    /// A `clear_output` with `wait`: clear when the next output arrives.
    clear_pending: bool,
    /// Where the result goes (the caller of `Supervisor::execute`, through the consumer).
    pub done: oneshot::Sender<ExecResult>,
}

impl InFlight {
    pub fn new(id: String, count: u64, done: oneshot::Sender<ExecResult>) -> InFlight {
        InFlight {
            id,
            count,
            outputs: Vec::new(),
            kept: 0,
            dropped_bytes: 0,
            dropped_outputs: 0,
            displays: Vec::new(),
            clear_pending: false,
            done,
        }
    }

    /// `clear_output`: what the cell showed so far is gone from its reply too.
    fn clear(&mut self) {
        self.outputs.clear();
        self.displays.clear();
        self.kept = 0;
        self.dropped_bytes = 0;
        self.dropped_outputs = 0;
        self.clear_pending = false;
    }

    /// `update_display_data`: the kept displays with its id show its data instead.
    fn update(&mut self, update: &Value) {
        let Some(id) = display_updates::display_id(update) else {
            return;
        };
        for (index, _) in self.displays.iter().filter(|(_, shown)| shown == id) {
            let Some(shown) = self.outputs.get_mut(*index) else {
                continue;
            };
            let before = approximate_size(shown);
            shown["data"] = update["data"].clone();
            shown["metadata"] = update.get("metadata").cloned().unwrap_or_else(|| json!({}));
            self.kept = (self.kept + approximate_size(shown)).saturating_sub(before);
        }
    }

    /// Adds an output to the reply within `cap` bytes. Consecutive stream outputs of the
    /// same name are merged, as in a saved notebook. Errors are always kept.
    pub fn keep(&mut self, output: &Value, cap: usize) {
        let kind = OutputType::of(output);
        match kind {
            OutputType::ClearOutput => {
                if output["wait"].as_bool() == Some(true) {
                    self.clear_pending = true;
                } else {
                    self.clear();
                }
                return;
            }
            OutputType::UpdateDisplayData => return self.update(output),
            _ if self.clear_pending => self.clear(),
            _ => {}
        }
        if kind == OutputType::Stream {
            let name = StreamName::of(output).unwrap_or(StreamName::Stdout);
            let text = output["text"].as_str().unwrap_or("");
            let room = cap.saturating_sub(self.kept);
            let (kept, dropped) = if text.len() <= room {
                (text, "")
            } else {
                text.split_at(floor_char_boundary(text, room))
            };
            if !dropped.is_empty() {
                self.dropped_bytes += dropped.len();
                self.dropped_outputs += 1;
            }
            if kept.is_empty() {
                return;
            }
            self.kept += kept.len();
            if let Some(last) = self.outputs.last_mut() {
                if StreamName::of(last) == Some(name) {
                    if let Some(Value::String(existing)) = last.get_mut("text") {
                        existing.push_str(kept);
                        return;
                    }
                }
            }
            self.outputs
                .push(json!({"output_type": "stream", "name": name, "text": kept}));
            return;
        }
        let size = approximate_size(output);
        if kind != OutputType::Error && self.kept + size > cap {
            self.dropped_bytes += size;
            self.dropped_outputs += 1;
            return;
        }
        self.kept += size;
        if let Some(id) = display_updates::display_id(output) {
            self.displays.push((self.outputs.len(), id.to_string()));
        }
        // A reply holds nbformat outputs: a display's id is not part of one.
        let saved = display_updates::as_nbformat(output.clone()).unwrap_or_default();
        self.outputs.push(saved);
    }

    /// The reply to an execution the host answered `done`, with a note of what the cap
    /// (`cap` bytes) left out.
    pub fn finish(
        mut self,
        status: ExecStatus,
        duration_ms: f64,
        cap: usize,
    ) -> (ExecResult, oneshot::Sender<ExecResult>) {
        if self.dropped_bytes > 0 || self.dropped_outputs > 0 {
            self.outputs.push(json!({
                "output_type": "stream",
                "name": "stderr",
                "text": format!(
                    "\n[asyncell: output truncated: {} more in {} output(s) were produced than one reply keeps ({} KiB); \
                     all of it was streamed as it was produced]\n",
                    human_bytes(self.dropped_bytes),
                    self.dropped_outputs,
                    cap / 1024
                ),
            }));
        }
        let result = ExecResult {
            execution_id: self.id,
            execution_count: Some(self.count),
            status,
            outputs: self.outputs,
            duration_ms,
            user_expressions: None,
        };
        (result, self.done)
    }

    /// The reply to an execution its host never answered: what it printed, then
    /// `failure`'s error output.
    pub fn fail(self, mut failure: ExecResult) -> (ExecResult, oneshot::Sender<ExecResult>) {
        let mut outputs = self.outputs;
        outputs.append(&mut failure.outputs);
        failure.outputs = outputs;
        failure.execution_count = Some(self.count);
        (failure, self.done)
    }
}

fn approximate_size(value: &Value) -> usize {
    match value {
        Value::String(s) => s.len() + 2,
        Value::Array(items) => items.iter().map(approximate_size).sum::<usize>() + 2,
        Value::Object(map) => {
            map.iter()
                .map(|(k, v)| k.len() + 3 + approximate_size(v))
                .sum::<usize>()
                + 2
        }
        _ => 8,
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// `1.5 MiB`, `3.0 KiB`, `12 bytes`.
pub(super) fn human_bytes(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
    } else if bytes >= 1 << 10 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flight() -> (InFlight, oneshot::Receiver<ExecResult>) {
        let (done, receiver) = oneshot::channel();
        (InFlight::new("e1".into(), 1, done), receiver)
    }

    #[test]
    fn replies_merge_streams_and_stop_at_the_cap() {
        let (mut flight, _receiver) = flight();
        let chunk = json!({"output_type": "stream", "name": "stdout", "text": "x".repeat(600)});
        flight.keep(&chunk, 1000);
        flight.keep(&chunk, 1000);
        flight.keep(&chunk, 1000);
        assert_eq!(flight.outputs.len(), 1);
        assert_eq!(flight.outputs[0]["text"].as_str().unwrap().len(), 1000);
        assert_eq!(flight.dropped_bytes, 800);
        let error = json!({"output_type": "error", "ename": "E", "evalue": "", "traceback": []});
        flight.keep(&error, 1000);
        assert_eq!(flight.outputs.len(), 2, "errors are kept beyond the cap");
        let (result, _done) = flight.finish(ExecStatus::Ok, 1.0, 1000);
        let note = result.outputs.last().unwrap()["text"].as_str().unwrap();
        assert!(note.contains("800 bytes more in 2 output(s)"), "{note}");
    }

    #[test]
    fn replies_apply_display_updates_and_clears() {
        let (mut flight, _receiver) = flight();
        let text = |t: &str| json!({"output_type": "stream", "name": "stdout", "text": t});
        let shown = |kind: &str, value: &str| {
            json!({"output_type": kind, "data": {"text/plain": value}, "metadata": {},
                   "transient": {"display_id": "bar"}})
        };
        flight.keep(&text("before\n"), 1000);
        flight.keep(&json!({"output_type": "clear_output", "wait": false}), 1000);
        flight.keep(&shown("display_data", "10%"), 1000);
        flight.keep(&text("working\n"), 1000);
        flight.keep(&shown("update_display_data", "100%"), 1000);
        assert_eq!(flight.outputs.len(), 2, "{:?}", flight.outputs);
        assert_eq!(
            flight.outputs[0],
            json!({"output_type": "display_data", "data": {"text/plain": "100%"}, "metadata": {}}),
            "updated in place, saved without its id"
        );
        // wait: the clear happens when the next output arrives.
        flight.keep(&json!({"output_type": "clear_output", "wait": true}), 1000);
        assert_eq!(flight.outputs.len(), 2);
        flight.keep(&text("after\n"), 1000);
        let (result, _done) = flight.finish(ExecStatus::Ok, 1.0, 1000);
        assert_eq!(result.outputs, vec![text("after\n")]);
    }

    #[test]
    fn streams_of_different_names_stay_apart() {
        let (mut flight, _receiver) = flight();
        flight.keep(
            &json!({"output_type": "stream", "name": "stdout", "text": "a"}),
            100,
        );
        flight.keep(
            &json!({"output_type": "stream", "name": "stderr", "text": "b"}),
            100,
        );
        flight.keep(
            &json!({"output_type": "stream", "name": "stderr", "text": "c"}),
            100,
        );
        assert_eq!(
            flight.outputs,
            [
                json!({"output_type": "stream", "name": "stdout", "text": "a"}),
                json!({"output_type": "stream", "name": "stderr", "text": "bc"}),
            ]
        );
    }

    #[test]
    fn start_failures_and_error_summaries_are_read_from_error_outputs() {
        let failed = ExecResult::failed(
            "e1".into(),
            ExecStatus::Error,
            START_FAILED,
            "no python".into(),
            Vec::new(),
        );
        assert_eq!(failed.start_failure().as_deref(), Some("no python"));
        assert_eq!(
            failed.error_summary().as_deref(),
            Some("HostStartFailed: no python")
        );
        let died = ExecResult::host_died("e2".into(), "gone");
        assert_eq!(died.start_failure(), None);
        assert_eq!(died.error_summary().as_deref(), Some("HostDied: gone"));
    }
}
