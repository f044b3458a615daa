//! ASYNC100 cancel-scope-no-checkpoint.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC100");
}

#[test]
fn the_message_names_the_scope_and_the_library_checkpoint() {
    let checked = python(
        r#"
        import anyio

        async def f():
            with anyio.move_on_after(1):
                print("x")
        "#,
    );
    let message = &checked.only("ASYNC100").message;
    assert!(message.contains("`anyio.move_on_after`"), "{message}");
    assert!(message.contains("anyio.lowlevel.checkpoint()"), "{message}");
}

#[test]
fn the_fix_removes_the_with_and_dedents_its_body() {
    let checked = python(
        r#"
        import trio

        async def f(x):
            with trio.move_on_after(1):
                y = x + 1
                if y:
                    print(y)
            return await g(y)
        "#,
    );
    assert_eq!(
        checked.fixed("ASYNC100"),
        dedent(
            r#"
            import trio

            async def f(x):
                y = x + 1
                if y:
                    print(y)
                return await g(y)
            "#
        )
    );
}

#[test]
fn the_fix_keeps_a_one_line_body_in_place() {
    let checked = python(
        "import trio\n\nasync def f():\n    with trio.fail_after(1): x = 1\n    await g(x)\n",
    );
    assert_eq!(
        checked.fixed("ASYNC100"),
        "import trio\n\nasync def f():\n    x = 1\n    await g(x)\n"
    );
}

#[test]
fn nested_empty_scopes_get_one_fix_for_the_outer_one() {
    let checked = python(
        r#"
        import trio

        async def f():
            with trio.move_on_after(1):
                with trio.fail_after(2):
                    pass
        "#,
    );
    assert_eq!(checked.lines_of("ASYNC100"), [4, 5]);
    assert_eq!(
        checked.fixed_only_where_possible("ASYNC100"),
        "import trio\n\nasync def f():\n    with trio.fail_after(2):\n        pass\n"
    );
}

#[test]
fn no_fix_with_other_items_a_name_or_a_multiline_string() {
    let checked = python(
        r#"
        import trio

        async def f():
            with trio.move_on_after(1), open("x") as fh:
                fh.read()
            with trio.CancelScope() as scope:
                pass
            with trio.move_on_after(1):
                text = """a
        b"""
            scope.cancel()
        "#,
    );
    assert_eq!(checked.lines_of("ASYNC100"), [4, 6, 8]);
    assert!(checked
        .diagnostics("ASYNC100")
        .iter()
        .all(|d| d.fix.is_none()));
}

#[test]
fn top_level_await_in_a_notebook_cell_is_a_checkpoint() {
    let checked = notebook(&[
        "import trio",
        "with trio.move_on_after(1):\n    await trio.sleep(2)",
        "with trio.move_on_after(1):\n    print('no await')",
    ]);
    assert_eq!(checked.cell_findings(), [("ASYNC100", 3, 1)]);
}

#[test]
fn asyncio_timeouts_are_checked() {
    let checked = python(
        r#"
        import asyncio

        async def f():
            async with asyncio.timeout(1):
                pass
            async with asyncio.timeout_at(5):
                await asyncio.sleep(1)
        "#,
    );
    // Entering `async with asyncio.timeout()` happens before the deadline applies:
    // an empty body is still flagged, as in flake8-async.
    assert_eq!(checked.lines_of("ASYNC100"), [4]);
    let checked =
        python("import asyncio\n\nasync def f():\n    with asyncio.timeout(1):\n        pass\n");
    assert!(checked
        .first("ASYNC100")
        .message
        .contains("asyncio.sleep(0)"));
}
