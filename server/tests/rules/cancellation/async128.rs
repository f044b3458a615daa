//! ASYNC128 task-status-never-started.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC128");
}

#[test]
fn the_message_names_the_function_and_the_parameter() {
    let checked = python(
        r#"
        from anyio.abc import TaskStatus

        async def worker(status: TaskStatus[None]):
            await run()
        "#,
    );
    let message = &checked.only("ASYNC128").message;
    assert!(
        message.starts_with("`worker` takes `status` but never calls `status.started()`"),
        "{message}"
    );
}

#[test]
fn a_positional_only_parameter_counts_when_annotated() {
    // Without the annotation a positional-only `task_status` cannot be passed by
    // `start()`, which uses the keyword; with it, the intent is explicit.
    let checked = python(
        r#"
        import trio

        async def annotated(status: trio.TaskStatus, /):
            await run()

        async def plain(task_status, /):
            await run()
        "#,
    );
    assert_eq!(checked.lines_of("ASYNC128"), [3]);
}
