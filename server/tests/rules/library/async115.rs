//! ASYNC115 async-zero-sleep.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC115");
}

#[test]
fn the_fix_writes_the_checkpoint_through_the_same_module() {
    let checked = python(
        r#"
        import anyio
        import trio as t

        async def f():
            await t.sleep(0)
            await anyio.sleep(0)
        "#,
    );
    assert_eq!(
        checked.fixed("ASYNC115"),
        dedent(
            r#"
            import anyio
            import trio as t

            async def f():
                await t.lowlevel.checkpoint()
                await anyio.lowlevel.checkpoint()
            "#
        )
    );
}

#[test]
fn a_bare_imported_sleep_gets_no_fix() {
    let checked = python("from trio import sleep\n\nasync def f():\n    await sleep(0)\n");
    let diagnostic = checked.only("ASYNC115");
    assert!(diagnostic.fix.is_none());
    assert!(diagnostic.message.contains("trio.lowlevel.checkpoint()"));
}

#[test]
fn asyncio_sleep_zero_is_the_asyncio_idiom() {
    let checked = python("import asyncio\n\nasync def f():\n    await asyncio.sleep(0)\n");
    assert!(!checked.has("ASYNC115"));
}
