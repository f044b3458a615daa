//! ASYNC912 cancel-scope-no-guaranteed-checkpoint.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC912");
}

#[test]
fn off_by_default_and_names_the_scope() {
    let source = "import anyio\n\nasync def f(x):\n    with anyio.fail_after(1):\n        if x:\n            await anyio.sleep(1)\n";
    assert!(!python(source).has("ASYNC912"));
    let checked = python_with(source, &selecting(&["ASYNC912"]));
    assert!(checked
        .only("ASYNC912")
        .message
        .contains("`anyio.fail_after`"));
}

#[test]
fn asyncio_timeout_with_a_conditional_await() {
    let checked = python_with(
        "import asyncio\n\nasync def f(x):\n    with asyncio.timeout(1):\n        x and await asyncio.sleep(1)\n",
        &selecting(&["ASYNC912"]),
    );
    assert_eq!(checked.lines_of("ASYNC912"), [4]);
}
