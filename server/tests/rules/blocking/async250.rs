//! ASYNC250 blocking-input.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC250");
}

#[test]
fn the_suggestion_follows_the_library() {
    let message = |lib: &str| {
        python(&format!("import {lib}\n\nasync def f():\n    input()\n"))
            .only("ASYNC250")
            .message
            .clone()
    };
    assert!(message("trio").contains("`await trio.to_thread.run_sync(input, ...)`"));
    assert!(message("anyio").contains("anyio.to_thread.run_sync"));
    assert!(message("asyncio").contains("asyncio.to_thread(input"));
}
