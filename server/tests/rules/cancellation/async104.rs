//! ASYNC104 cancelled-not-raised.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC104");
}

#[test]
fn messages_distinguish_raising_something_else_from_leaving() {
    let checked = python(
        r#"
        import trio

        async def fetch(conn):
            try:
                await conn.get()
            except trio.Cancelled:
                if conn.x:
                    raise TimeoutError()
                return None
        "#,
    );
    let diagnostics = checked.diagnostics("ASYNC104");
    assert_eq!(diagnostics.len(), 2);
    assert!(diagnostics[0]
        .message
        .starts_with("raising another exception inside `except trio.Cancelled`"));
    assert!(diagnostics[1]
        .message
        .starts_with("`return` inside `except trio.Cancelled` swallows"));
}

#[test]
fn a_nested_function_in_the_handler_is_not_the_handler() {
    let checked = python(
        r#"
        import trio

        async def fetch(conn):
            try:
                await conn.get()
            except trio.Cancelled:
                def callback():
                    return 1
                conn.on_close(callback)
                raise
        "#,
    );
    assert!(!checked.has("ASYNC104"));
}
