//! ASYNC125 constant-absolute-deadline.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC125");
}

#[test]
fn the_message_points_to_the_relative_form() {
    let checked = python("import anyio\n\nwith anyio.fail_at(5):\n    pass\n");
    let message = &checked.only("ASYNC125").message;
    assert!(message.contains("anyio.fail_after"), "{message}");
    assert!(message.contains("anyio.current_time()"), "{message}");
}
