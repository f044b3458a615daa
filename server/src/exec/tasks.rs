//! Background tasks as the supervisor sees them: the host's `task` events keep a list
//! (every running task and the most recent finished ones, for `asyncell/status`), and
//! each end of a task becomes an `asyncell/event` for the front end.

use std::sync::Arc;

use super::events::{EventKind, HostEvent};
use super::protocol::{TaskChange, TaskInfo, TaskState};
use super::slot::HostState;

/// Finished tasks kept in the list, as the host keeps them (`background._KEEP_FINISHED`).
const KEEP_FINISHED: usize = 200;

impl HostState {
    /// Records a `task` event: a task the host announced is listed and updated; tasks it
    /// never announced (asyncio tasks from a bare `create_task` that failed unobserved)
    /// are events only, not listed.
    pub(super) fn task_changed(&mut self, kind: TaskChange, task: &TaskInfo) {
        match self.tasks.iter_mut().find(|t| t.id == task.id) {
            Some(existing) => *existing = task.clone(),
            None if kind == TaskChange::Started => self.tasks.push(task.clone()),
            None => {}
        }
        // Keep every running task and the most recent finished ones.
        let finished = self
            .tasks
            .iter()
            .filter(|t| t.state != TaskState::Running)
            .count();
        let mut excess = finished.saturating_sub(KEEP_FINISHED);
        self.tasks.retain(|t| {
            if excess > 0 && t.state != TaskState::Running {
                excess -= 1;
                return false;
            }
            true
        });
    }
}

/// The `asyncell/event` for a task's change (none for its start).
pub(super) fn task_event(
    doc: Arc<str>,
    pid: u32,
    kind: TaskChange,
    task: TaskInfo,
    message: Option<String>,
    traceback: Option<String>,
) -> Option<HostEvent> {
    let label = format!("background task {:?} ({})", task.name, task.id);
    let (event_kind, text) = match kind {
        TaskChange::Failed => {
            let summary = message.unwrap_or_else(|| "failed".into());
            (EventKind::TaskFailed, format!("{label} failed: {summary}"))
        }
        TaskChange::Finished => (EventKind::TaskFinished, format!("{label} finished")),
        TaskChange::Cancelled => (EventKind::TaskFinished, format!("{label} was cancelled")),
        TaskChange::Started => return None,
    };
    Some(HostEvent {
        doc,
        kind: event_kind,
        stopped: false,
        task_id: Some(task.id),
        message: text,
        traceback,
        pid: Some(pid),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: &str, state: TaskState) -> TaskInfo {
        TaskInfo {
            id: id.into(),
            name: format!("job {id}"),
            state,
            started_by: Some("e1".into()),
            started_at: 1.0,
        }
    }

    #[test]
    fn the_list_keeps_running_tasks_and_the_last_finished_ones() {
        let mut state = HostState::default();
        state.task_changed(TaskChange::Started, &task("t0", TaskState::Running));
        for n in 1..=KEEP_FINISHED + 5 {
            let id = format!("t{n}");
            state.task_changed(TaskChange::Started, &task(&id, TaskState::Running));
            state.task_changed(TaskChange::Finished, &task(&id, TaskState::Done));
        }
        assert_eq!(state.tasks.len(), KEEP_FINISHED + 1);
        assert_eq!(state.tasks[0].id, "t0", "a running task is never pruned");
        assert_eq!(state.tasks[1].id, "t6", "the oldest finished ones go first");
        // A failure of a task never announced is news, not a list entry.
        state.task_changed(TaskChange::Failed, &task("a1", TaskState::Failed));
        assert!(state.tasks.iter().all(|t| t.id != "a1"));
    }

    #[test]
    fn ends_of_tasks_are_events_and_starts_are_not() {
        let doc: Arc<str> = Arc::from("file:///d.py");
        let started = task_event(
            doc.clone(),
            7,
            TaskChange::Started,
            task("t1", TaskState::Running),
            None,
            None,
        );
        assert!(started.is_none());
        let failed = task_event(
            doc,
            7,
            TaskChange::Failed,
            task("t1", TaskState::Failed),
            Some("RuntimeError: boom".into()),
            Some("Traceback ...".into()),
        )
        .unwrap();
        assert_eq!(failed.kind, EventKind::TaskFailed);
        assert_eq!(failed.task_id.as_deref(), Some("t1"));
        assert_eq!(
            failed.message,
            "background task \"job t1\" (t1) failed: RuntimeError: boom"
        );
    }
}
