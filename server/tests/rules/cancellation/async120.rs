//! ASYNC120 await-in-except.

use asyncell::analysis::LoopMode;

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC120");
}

#[test]
fn applies_to_asyncio_too() {
    let checked = python_with(
        r#"
        import asyncio

        async def save(db):
            try:
                await db.insert()
            except ValueError:
                await db.rollback()
                raise
        "#,
        &with_loop(LoopMode::Asyncio),
    );
    assert_eq!(checked.lines_of("ASYNC120"), [7]);
    assert!(checked
        .only("ASYNC120")
        .message
        .contains("the cancellation replaces the exception"));
}
