//! ASYNC911 async-generator-no-checkpoint.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC911");
}

#[test]
fn loops_over_huge_ranges_and_bytes_surely_run() {
    assert_named_fixture("ASYNC911", "ASYNC911_literal_loops");
}

#[test]
fn yields_in_a_loop_get_a_checkpoint_before_them_and_at_the_end() {
    let checked = python_with(
        r#"
        import trio

        async def numbers(limit):
            for i in range(limit):
                yield i
        "#,
        &selecting(&["ASYNC911"]),
    );
    let message = &checked.first("ASYNC911").message;
    assert!(message.contains("async generator `numbers`"), "{message}");
    assert_eq!(
        checked.fixed_only_where_possible("ASYNC911"),
        dedent(
            r#"
            import trio

            async def numbers(limit):
                for i in range(limit):
                    await trio.lowlevel.checkpoint()
                    yield i
                await trio.lowlevel.checkpoint()
            "#
        )
    );
    let after = python_with(
        &checked.fixed_only_where_possible("ASYNC911"),
        &selecting(&["ASYNC911"]),
    );
    assert_eq!(after.findings(), []);
}

#[test]
fn the_message_says_since_the_previous_yield() {
    let checked = python_with(
        "import trio\n\nasync def g():\n    await trio.sleep(0)\n    yield 1\n    yield 2\n    await trio.sleep(0)\n",
        &selecting(&["ASYNC911"]),
    );
    assert_eq!(checked.lines_of("ASYNC911"), [6]);
    assert!(checked
        .only("ASYNC911")
        .message
        .contains("since the previous `yield`"));
}

#[test]
fn a_yield_inside_an_expression_line_is_fixed_before_the_line() {
    let checked = python_with(
        "import anyio\n\nasync def g():\n    await anyio.sleep(0)\n    yield 0\n    received = yield 1\n    await anyio.sleep(received)\n",
        &selecting(&["ASYNC911"]),
    );
    assert_eq!(
        checked.fixed("ASYNC911"),
        "import anyio\n\nasync def g():\n    await anyio.sleep(0)\n    yield 0\n    await anyio.lowlevel.checkpoint()\n    received = yield 1\n    await anyio.sleep(received)\n"
    );
}
