//! The panic hook (issue 11): a panic caught by `asyncell::panics::catch` reaches only
//! the debug log, and every other panic still reaches the hook that was installed
//! before (Rust's default prints it, with a backtrace under `RUST_BACKTRACE`).
//!
//! A file of its own: the test installs a hook first, and no other test in this binary
//! may install one before it.

use std::panic;
use std::sync::atomic::{AtomicU32, Ordering};

static LOUD: AtomicU32 = AtomicU32::new(0);

#[test]
fn caught_panics_are_quiet_and_others_stay_loud() {
    panic::set_hook(Box::new(|_| {
        LOUD.fetch_add(1, Ordering::SeqCst);
    }));
    asyncell::panics::install_hook();

    let caught = asyncell::panics::catch(|| -> u32 { panic!("inside the parser") });
    assert_eq!(caught.unwrap_err().message, "inside the parser");
    assert_eq!(
        LOUD.load(Ordering::SeqCst),
        0,
        "a caught panic reached the loud hook"
    );

    // Uncaught, on a thread of its own (as a tokio task or a rayon job would be).
    let outcome = std::thread::spawn(|| panic!("a bug elsewhere")).join();
    assert!(outcome.is_err());
    assert_eq!(
        LOUD.load(Ordering::SeqCst),
        1,
        "an uncaught panic was swallowed"
    );

    // The same thread, outside `catch` again, and after one.
    let outcome = panic::catch_unwind(|| panic!("caught by someone else"));
    assert!(outcome.is_err());
    assert_eq!(LOUD.load(Ordering::SeqCst), 2);
}
