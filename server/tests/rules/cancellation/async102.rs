//! ASYNC102 cancelled-not-shielded.

use asyncell::analysis::LoopMode;

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC102");
}

#[test]
fn the_message_says_where_and_names_the_library_scope() {
    let checked = python(
        r#"
        import anyio

        async def session(conn):
            try:
                await conn.serve()
            except anyio.get_cancelled_exc_class():
                await conn.bye()
                raise
        "#,
    );
    let message = &checked.only("ASYNC102").message;
    assert!(
        message.starts_with("`await` inside `except anyio.get_cancelled_exc_class()`"),
        "{message}"
    );
    assert!(message.contains("anyio.move_on_after(<seconds>, shield=True)"));
}

#[test]
fn asyncio_is_exempt_as_in_flake8_async() {
    let source = r#"
        import asyncio

        async def session(conn):
            try:
                await conn.serve()
            finally:
                await conn.bye()
        "#;
    assert!(!python(source).has("ASYNC102"));
    assert!(!python_with(source, &with_loop(LoopMode::Asyncio)).has("ASYNC102"));
}

#[test]
fn in_a_notebook_cell_finally_at_top_level() {
    let checked = notebook(&[
        "import trio",
        "try:\n    await serve()\nfinally:\n    await cleanup()",
    ]);
    assert_eq!(checked.cell_findings(), [("ASYNC102", 2, 4)]);
}

#[test]
fn a_function_local_anyio_import_makes_only_that_function_anyio() {
    assert_named_fixture("ASYNC102", "ASYNC102_function_local_anyio");
}
