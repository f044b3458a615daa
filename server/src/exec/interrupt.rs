//! Interrupts. The supervisor sends `interrupt` for an execution; the host drops it if
//! it is queued, and if it runs, cancels the await it is in or, when the cell is busy in
//! Python, raises KeyboardInterrupt into it; a second interrupt of the same execution
//! escalates (it only raises KeyboardInterrupt into running code, never cancels through
//! the loop). If the cell has not stopped after the grace period the host answers `stuck`. The supervisor waits the same
//! grace ([`Options::grace`](super::Options), the one value passed to the host as
//! `--grace` and named in the `stuck` message) plus a margin, and a host that dies
//! meanwhile answers `host_died`.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

use super::host::Host;
use super::protocol::Command;
use super::slot::{lock, HostState};

/// The default interrupt grace period (the host answers `stuck` after it).
pub const INTERRUPT_GRACE: Duration = Duration::from_secs(5);
/// How much longer than the grace the supervisor waits for the host's answer.
const ANSWER_MARGIN: Duration = Duration::from_secs(3);

/// How an interrupt took effect: what the host answered (`cancelled`,
/// `keyboard_interrupt`, `stuck`, `dropped`), or what the supervisor found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum InterruptHow {
    /// An await of the running cell was cancelled.
    Cancelled,
    /// KeyboardInterrupt was raised into running code.
    KeyboardInterrupt,
    /// The cell did not stop within the grace period.
    Stuck,
    /// The execution was dropped from the queue before it started.
    Dropped,
    NotRunning,
    NoHost,
    HostDied,
}

impl InterruptHow {
    pub fn as_str(self) -> &'static str {
        match self {
            InterruptHow::Cancelled => "cancelled",
            InterruptHow::KeyboardInterrupt => "keyboard_interrupt",
            InterruptHow::Stuck => "stuck",
            InterruptHow::Dropped => "dropped",
            InterruptHow::NotRunning => "not_running",
            InterruptHow::NoHost => "no_host",
            InterruptHow::HostDied => "host_died",
        }
    }
}

/// What an interrupt did.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InterruptOutcome {
    /// Whether the running cell was stopped.
    pub interrupted: bool,
    pub how: InterruptHow,
    pub execution_id: Option<String>,
    /// Queued executions dropped (answered `cancelled`).
    pub dropped: usize,
    pub restart_suggested: bool,
    pub message: String,
}

impl InterruptOutcome {
    /// The outcome of an interrupt, with the message the user reads; `grace` is the
    /// period the host was given (named when the cell was stuck).
    pub(super) fn new(
        how: InterruptHow,
        execution_id: Option<String>,
        dropped: usize,
        grace: Duration,
    ) -> InterruptOutcome {
        let message = match how {
            InterruptHow::Cancelled => {
                "cancelled the running cell while it was awaiting".to_string()
            }
            InterruptHow::KeyboardInterrupt => {
                "raised KeyboardInterrupt in the running cell".to_string()
            }
            InterruptHow::Stuck => format!(
                "the running cell did not stop within {} s (a thread, C code or a shielded \
                 await?); restart the host (asyncell/restart) to get control back",
                grace.as_secs_f64()
            ),
            InterruptHow::NotRunning => "nothing was running".to_string(),
            InterruptHow::Dropped => "stopped the next execution before it started".to_string(),
            InterruptHow::HostDied => "the host died while being interrupted".to_string(),
            InterruptHow::NoHost => "no host is running for this document".to_string(),
        };
        let message = if dropped > 0 {
            format!("{message}; dropped {dropped} queued execution(s)")
        } else {
            message
        };
        InterruptOutcome {
            interrupted: matches!(
                how,
                InterruptHow::Cancelled | InterruptHow::KeyboardInterrupt | InterruptHow::Dropped
            ),
            how,
            execution_id,
            dropped,
            restart_suggested: how == InterruptHow::Stuck,
            message,
        }
    }
}

impl HostState {
    /// The executions to drop from the host's queue: every one in flight but the
    /// running one, in the order sent.
    pub(super) fn queued_behind(&self, running: Option<&String>) -> Vec<String> {
        self.in_flight
            .iter()
            .map(|f| f.id.clone())
            .filter(|id| Some(id) != running)
            .collect()
    }

    /// The host answered how the interrupt of `id` took effect: tell whoever waits.
    pub(super) fn interrupted(&mut self, id: &str, how: InterruptHow) {
        for waiter in self.interrupt_waiters.remove(id).unwrap_or_default() {
            let _ = waiter.send(how);
        }
    }
}

/// Interrupts the running execution `running` and waits (the grace and a margin) for
/// the host to say how that went.
pub(super) async fn interrupt_running(
    host: &Host,
    running: String,
    dropped: usize,
    grace: Duration,
) -> InterruptOutcome {
    let (sender, receiver) = oneshot::channel();
    lock(&host.state)
        .interrupt_waiters
        .entry(running.clone())
        .or_default()
        .push(sender);
    host.send(&Command::Interrupt { id: &running }).await;
    let how = match tokio::time::timeout(grace + ANSWER_MARGIN, receiver).await {
        Ok(Ok(how)) => how,
        Ok(Err(_)) => InterruptHow::HostDied,
        Err(_) => InterruptHow::Stuck,
    };
    InterruptOutcome::new(how, Some(running), dropped, grace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stuck_cell_names_the_grace_it_was_given() {
        let outcome = InterruptOutcome::new(
            InterruptHow::Stuck,
            Some("e1".into()),
            2,
            Duration::from_millis(1500),
        );
        assert!(
            outcome.message.contains("within 1.5 s"),
            "{}",
            outcome.message
        );
        assert!(outcome.message.ends_with("dropped 2 queued execution(s)"));
        assert!(outcome.restart_suggested && !outcome.interrupted);
    }
}
