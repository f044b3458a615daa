//! Panics the server expects and survives (the parser's, caught around a parse) are
//! reported as diagnostics and logged at debug level; every other panic is as loud as
//! Rust makes it.
//!
//! Rust prints "thread panicked at ..." from the panic hook, before unwinding reaches any
//! `catch_unwind`, so a caught panic would still spill its message onto stderr (an
//! editor's log pane, CI output) and a backtrace with `RUST_BACKTRACE`. [`catch`] marks
//! the thread while its closure runs; the hook installed here sends panics on marked
//! threads to `tracing` and hands all others to the hook that was there before (Rust's
//! default, which prints them).

use std::backtrace::Backtrace;
use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::sync::Once;

thread_local! {
    /// How many [`catch`] calls the current thread is inside.
    static CATCHING: Cell<u32> = const { Cell::new(0) };
}

/// A panic that [`catch`] stopped: what it said, for the caller's own message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caught {
    pub message: String,
}

/// Runs `f`, turning a panic into `Err`. The panic is logged at debug level with its
/// location and a backtrace, and printed nowhere else.
pub fn catch<R>(f: impl FnOnce() -> R) -> Result<R, Caught> {
    install_hook();
    CATCHING.with(|depth| depth.set(depth.get() + 1));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|depth| depth.set(depth.get() - 1));
    result.map_err(|payload| Caught {
        message: message_of(payload.as_ref()),
    })
}

/// Installs the hook, once per process; [`catch`] does it on first use.
pub fn install_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let loud = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if CATCHING.with(Cell::get) > 0 {
                log_caught(info);
            } else {
                loud(info);
            }
        }));
    });
}

fn log_caught(info: &PanicHookInfo<'_>) {
    if !tracing::enabled!(tracing::Level::DEBUG) {
        return;
    }
    let location = info
        .location()
        .map_or_else(String::new, |l| format!(" at {}:{}", l.file(), l.line()));
    tracing::debug!(
        "caught a panic{location}: {}\n{}",
        message_of(info.payload()),
        Backtrace::force_capture()
    );
}

fn message_of(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(a panic without a message)".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caught_panic_is_an_error_with_its_message() {
        let caught = catch(|| -> u32 { panic!("the parser gave up") }).unwrap_err();
        assert_eq!(caught.message, "the parser gave up");
        assert_eq!(catch(|| 7), Ok(7));
        assert_eq!(CATCHING.with(Cell::get), 0);
    }
}
