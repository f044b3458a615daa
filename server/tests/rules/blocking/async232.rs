//! ASYNC232 blocking-file-call.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC232");
}

#[test]
fn module_level_enclosing_and_aliased_objects_are_known() {
    assert_named_fixture("ASYNC232", "ASYNC232_outer_scopes");
}

#[test]
fn the_message_names_the_variable_and_method() {
    let checked = python("import trio\n\nasync def f(p):\n    fh = open(p)\n    fh.read()\n");
    let diagnostics = checked.diagnostics("ASYNC232");
    assert_eq!(diagnostics.len(), 1);
    let message = &diagnostics[0].message;
    assert!(message.contains("`fh.read()`"), "{message}");
    assert!(message.contains("`trio.wrap_file(fh)`"), "{message}");
}

#[test]
fn asyncio_suggests_a_thread() {
    let checked = python("import asyncio\n\nasync def f(p):\n    fh = open(p)\n    fh.read()\n");
    assert!(checked
        .only("ASYNC232")
        .message
        .contains("asyncio.to_thread(fh.read"));
}
