//! ASYNC113 start-soon-in-async-cm.

use asyncell::analysis::Settings;

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC113");
}

#[test]
fn configured_startable_functions_are_recognised() {
    let mut settings = Settings::default();
    settings.options.startable_in_context_manager = vec!["mylib.serve_metrics".into()];
    let checked = python_with(
        r#"
        class Metrics:
            async def __aenter__(self):
                self.nursery.start_soon(serve_metrics, 9000)
                self.nursery.start_soon(mylib.serve_metrics, 9001)
                self.nursery.start_soon(collect, 9002)
        "#,
        &settings,
    );
    assert_eq!(checked.lines_of("ASYNC113"), [3, 4]);
}

#[test]
fn anyio_task_groups_are_recognised_by_name() {
    let checked = python(
        r#"
        import anyio

        class Service:
            async def __aenter__(self):
                self.task_group.start_soon(serve, 80)
                self.nursery.start_soon(serve, 81)
        "#,
    );
    assert_eq!(checked.lines_of("ASYNC113"), [5]);
}

#[test]
fn the_message_suggests_start() {
    let checked = python(
        r#"
        import trio

        class Server:
            async def __aenter__(self):
                self.nursery.start_soon(trio.serve_tcp, handler, 80)
        "#,
    );
    let message = &checked.only("ASYNC113").message;
    assert!(
        message.contains("await self.nursery.start(...)"),
        "{message}"
    );
}
