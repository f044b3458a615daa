//! ASYNC230 blocking-open-call.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC230");
}

#[test]
fn the_suggestion_follows_the_library() {
    let message = |lib: &str| {
        python(&format!("import {lib}\n\nasync def f(p):\n    open(p)\n"))
            .only("ASYNC230")
            .message
            .clone()
    };
    assert!(message("trio").contains("trio.open_file"));
    assert!(message("anyio").contains("anyio.open_file"));
    assert!(message("asyncio").contains("asyncio.to_thread"));
}

#[test]
fn anyio_wrap_file_makes_it_async() {
    let checked = python("import anyio\n\nasync def f(p):\n    anyio.wrap_file(open(p))\n");
    assert_eq!(checked.findings_for(&["ASYNC230"]), []);
}
