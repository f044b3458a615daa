//! ASYNC105 trio-sync-call.

use crate::common::first_catalogue::{notebook, python};
use crate::common::*;

#[test]
fn a_trio_async_function_called_without_await_fires() {
    let checked = python(
        r#"
        import trio

        async def tick():
            trio.sleep(1)
        "#,
    );
    assert_eq!(checked.findings(), [("ASYNC105", 4)]);
    assert_eq!(
        checked.fixed("ASYNC105"),
        dedent(
            r#"
            import trio

            async def tick():
                await trio.sleep(1)
            "#
        )
    );
}

#[test]
fn awaited_calls_and_function_references_do_not_fire() {
    let checked = python(
        r#"
        import trio

        async def main():
            await trio.sleep(1)
            await (trio.sleep(2))
            async with trio.open_nursery() as nursery:
                nursery.start_soon(trio.sleep, 1)
            stream = await trio.open_tcp_stream("example.com", 80)
        "#,
    );
    assert_eq!(checked.findings(), []);
}

#[test]
fn aliases_and_from_imports_are_resolved() {
    let checked = python(
        r#"
        import trio as t
        from trio import sleep
        from trio.lowlevel import checkpoint

        async def main():
            t.sleep(1)
            sleep(1)
            checkpoint()
            x = t.open_tcp_stream(host, 80)
        "#,
    );
    assert_eq!(
        checked.findings(),
        [
            ("ASYNC105", 6),
            ("ASYNC105", 7),
            ("ASYNC105", 8),
            ("ASYNC105", 9)
        ]
    );
}

#[test]
fn at_cell_top_level_the_fix_adds_await() {
    let checked = notebook(&["import trio\ntrio.sleep(1)"]);
    assert_eq!(checked.cell_findings(), [("ASYNC105", 1, 2)]);
    assert_eq!(
        checked.fixed_cells("ASYNC105"),
        ["import trio\nawait trio.sleep(1)"]
    );
}

#[test]
fn in_sync_code_it_fires_without_a_fix() {
    let checked = python(
        r#"
        import trio

        def helper():
            trio.sleep(1)

        trio.sleep(2)
        "#,
    );
    assert_eq!(checked.findings(), [("ASYNC105", 4), ("ASYNC105", 6)]);
    assert!(checked
        .diagnostics("ASYNC105")
        .iter()
        .all(|d| d.fix.is_none()));
}

#[test]
fn the_fix_keeps_attribute_access_on_the_result() {
    let checked = python(
        r#"
        import trio

        async def main():
            port = trio.open_tcp_stream(host, 80).socket
        "#,
    );
    assert!(checked
        .fixed("ASYNC105")
        .contains("port = (await trio.open_tcp_stream(host, 80)).socket"));
}

#[test]
fn non_trio_functions_do_not_fire() {
    let checked = python(
        r#"
        import trio
        import time

        async def main():
            time.sleep(1)
            trio.current_time()
            trio.from_thread.run_sync(print)
        "#,
    );
    assert!(!checked.has("ASYNC105"));
}

#[test]
fn no_await_fix_for_a_coroutine_handed_to_a_task_starter() {
    // `start_soon(trio.sleep(1))` is LOOP303, whose fix passes the function; awaiting
    // inside the argument would hand `None` to start_soon.
    let checked = python(
        r#"
        import trio

        async def main(nursery):
            nursery.start_soon(trio.sleep(1))
            print(trio.sleep(2))
        "#,
    );
    assert_eq!(
        checked.findings(),
        [("ASYNC105", 4), ("LOOP303", 4), ("ASYNC105", 5)]
    );
    let diagnostics = checked.diagnostics("ASYNC105");
    assert!(diagnostics[0].fix.is_none());
    assert!(diagnostics[1].fix.is_some());
}

#[test]
fn nursery_start_fixture() {
    assert_named_fixture("ASYNC105", "ASYNC105_nursery_start");
}

#[test]
fn start_is_not_a_nursery_method_outside_trio_code() {
    for library in ["asyncio", "anyio"] {
        let checked = python(&format!(
            "import {library}\n\nasync def main(nursery):\n    nursery.start(child)\n"
        ));
        assert_eq!(checked.findings(), [], "{library}");
    }
}
