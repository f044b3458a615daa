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
