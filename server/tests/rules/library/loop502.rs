//! LOOP502 get-event-loop-in-coroutine.

use asyncell::analysis::{Applicability, Severity};

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("LOOP502");
}

#[test]
fn is_opt_in_and_informational() {
    let source = "import asyncio\n\nasync def f():\n    loop = asyncio.get_event_loop()\n";
    assert!(!python(source).has("LOOP502"));
    let checked = python_with(source, &selecting(&["LOOP502"]));
    let diagnostic = checked.only("LOOP502");
    assert_eq!(diagnostic.severity, Severity::Information);
    assert_eq!(
        diagnostic.fix.as_ref().unwrap().applicability,
        Applicability::Safe
    );
}

#[test]
fn the_fix_renames_to_get_running_loop() {
    let checked = python_with(
        "import asyncio\n\nasync def f():\n    loop = asyncio.get_event_loop()\n",
        &selecting(&["LOOP502"]),
    );
    assert_eq!(
        checked.fixed("LOOP502"),
        "import asyncio\n\nasync def f():\n    loop = asyncio.get_running_loop()\n"
    );
}
