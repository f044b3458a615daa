//! ASYNC103 cancelled-not-reraised.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC103");
}

#[test]
fn handlers_after_a_catch_all_that_reraises_are_not_checked() {
    assert_named_fixture("ASYNC103", "ASYNC103_after_catch_all");
}

#[test]
fn a_catch_all_gets_the_library_cancellation_suggestion() {
    let trio = python(
        r#"
        import trio

        async def poll(conn):
            try:
                await conn.fetch()
            except BaseException:
                pass
        "#,
    );
    assert!(trio
        .only("ASYNC103")
        .message
        .ends_with("or add `except trio.Cancelled: raise` before this handler"));
    let anyio = python(
        r#"
        import anyio

        async def poll(conn):
            try:
                await conn.fetch()
            except:
                pass
        "#,
    );
    let message = &anyio.only("ASYNC103").message;
    assert!(
        message.starts_with("bare `except:` catches cancellation"),
        "{message}"
    );
    assert!(message.contains("except anyio.get_cancelled_exc_class(): raise"));
}

#[test]
fn a_specific_handler_gets_no_suggestion() {
    let checked = python(
        r#"
        import trio

        async def poll(conn):
            try:
                await conn.fetch()
            except trio.Cancelled:
                pass
        "#,
    );
    let message = &checked.only("ASYNC103").message;
    assert!(message.starts_with("`except trio.Cancelled`"));
    assert!(!message.contains("before this handler"));
}

#[test]
fn aliased_cancellation_exceptions_are_resolved() {
    let checked = python(
        r#"
        import trio as t
        from asyncio import CancelledError as CE

        async def poll(conn):
            try:
                await conn.fetch()
            except t.Cancelled:
                pass
            try:
                await conn.fetch()
            except CE:
                pass
        "#,
    );
    assert_eq!(checked.lines_of("ASYNC103"), [7, 11]);
}

#[test]
fn except_star_handlers_are_checked_too() {
    let checked = python(
        r#"
        import trio

        async def poll(conn):
            try:
                await conn.fetch()
            except* BaseException:
                log()
        "#,
    );
    assert_eq!(checked.lines_of("ASYNC103"), [6]);
}
