//! ASYNC251 blocking-sleep.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC251");
}

#[test]
fn the_fix_awaits_the_library_sleep() {
    let checked = python(
        r#"
        import time
        import trio

        async def tick(n):
            time.sleep(n * 2)
        "#,
    );
    assert!(checked
        .only("ASYNC251")
        .message
        .contains("await trio.sleep(...)"));
    assert_eq!(
        checked.fixed("ASYNC251"),
        dedent(
            r#"
            import time
            import trio

            async def tick(n):
                await trio.sleep(n * 2)
            "#
        )
    );
}

#[test]
fn asyncio_and_anyio_get_their_own_sleep() {
    let fixed = |lib: &str| {
        python(&format!(
            "import time\nimport {lib}\n\nasync def f():\n    time.sleep(1)\n"
        ))
        .fixed("ASYNC251")
    };
    assert!(fixed("asyncio").contains("    await asyncio.sleep(1)\n"));
    assert!(fixed("anyio").contains("    await anyio.sleep(1)\n"));
}

#[test]
fn no_fix_when_the_module_is_not_bound_by_its_name() {
    for imports in ["import trio as t", "from trio import sleep", ""] {
        let checked = python(&format!(
            "import time\n{imports}\n\nasync def f():\n    time.sleep(1)\n"
        ));
        assert!(checked.only("ASYNC251").fix.is_none(), "{imports}");
    }
}

#[test]
fn no_fix_in_a_generator_expression_or_with_keywords() {
    let checked = python(
        "import time\nimport trio\n\nasync def f():\n    list(time.sleep(i) for i in x)\n    time.sleep(secs=1)\n",
    );
    assert!(checked
        .diagnostics("ASYNC251")
        .iter()
        .all(|d| d.fix.is_none()));
}

#[test]
fn the_fix_keeps_attribute_access_on_the_result() {
    let checked = python("import time\nimport trio\n\nasync def f():\n    time.sleep(1).x\n");
    assert!(checked
        .fixed("ASYNC251")
        .contains("(await trio.sleep(1)).x"));
}

#[test]
fn a_function_local_import_binds_its_name_in_that_function_only() {
    assert_named_fixture("ASYNC251", "ASYNC251_function_local_import");
}

#[test]
fn a_sibling_function_local_import_leaves_no_fix_behind() {
    // `from time import sleep` inside `pause` must not turn `nap`'s `sleep` (trio's)
    // into `time.sleep`: no finding there, so no fix that would write
    // `pending = await trio.sleep(1)` and then await `None`. The function that imports
    // it does get the fix.
    let checked = python(
        r#"
        import trio
        from trio import sleep

        def pause():
            from time import sleep
            sleep(0.1)

        async def nap():
            pending = sleep(1)
            await pending

        async def stall():
            from time import sleep
            sleep(1)
        "#,
    );
    assert_eq!(checked.findings_for(&["ASYNC251"]), [("ASYNC251", 14)]);
    assert_eq!(
        checked.fixed("ASYNC251"),
        dedent(
            r#"
            import trio
            from trio import sleep

            def pause():
                from time import sleep
                sleep(0.1)

            async def nap():
                pending = sleep(1)
                await pending

            async def stall():
                from time import sleep
                await trio.sleep(1)
            "#
        )
    );
}
