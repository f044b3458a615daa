//! LOOP100 top-level-await-in-script.

use crate::common::first_catalogue::{notebook, python};

#[test]
fn await_at_module_level_of_a_script_fires() {
    let checked = python(
        r#"
        import trio

        await trio.sleep(1)
        x = await fetch()
        print(await fetch())
        "#,
    );
    assert_eq!(checked.lines_of("LOOP100"), [3, 4, 5]);
    assert!(checked
        .first("LOOP100")
        .message
        .contains("'await' outside function"));
}

#[test]
fn async_with_and_async_for_at_module_level_fire() {
    let checked = python(
        r#"
        async with lock:
            pass
        async for item in stream:
            print(item)
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP100", 1), ("LOOP100", 3)]);
}

#[test]
fn async_comprehensions_at_module_level_fire() {
    let checked = python(
        r#"
        items = [x async for x in stream]
        values = [await f() for f in fs]
        table = {k: await v for k, v in pairs}
        "#,
    );
    assert_eq!(checked.lines_of("LOOP100"), [1, 2, 3]);
}

#[test]
fn await_nested_in_module_level_blocks_fires() {
    let checked = python(
        r#"
        if ready:
            try:
                await go()
            finally:
                pass
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP100", 3)]);
}

#[test]
fn await_in_defaults_decorators_and_bases_at_module_level_fires() {
    // These are evaluated in module scope, where `await` is illegal in a script.
    let checked = python(
        r#"
        def f(x=await default()):
            pass

        @(await decorator())
        def g():
            pass

        class C(await base()):
            pass
        "#,
    );
    assert_eq!(checked.lines_of("LOOP100"), [1, 4, 8]);
    assert!(!checked.has("LOOP101"));
}

#[test]
fn await_inside_async_def_does_not_fire() {
    let checked = python(
        r#"
        import trio

        async def main():
            await trio.sleep(1)
            async with lock:
                async for x in stream:
                    print([await y async for y in x])

        trio.run(main)
        "#,
    );
    assert_eq!(checked.findings(), []);
}

#[test]
fn async_generator_expressions_at_module_level_do_not_fire() {
    let checked = python(
        r#"
        pending = (await f() for f in fs)
        lines = (line async for line in stream)
        "#,
    );
    assert_eq!(checked.findings(), []);
}

#[test]
fn cell_files_do_not_fire() {
    let checked = python(
        r#"
        # %%
        import trio

        # %%
        await trio.sleep(1)
        async with lock:
            pass
        items = [x async for x in stream]
        "#,
    );
    assert_eq!(checked.findings(), []);
}

#[test]
fn notebooks_do_not_fire() {
    let checked = notebook(&[
        "import trio",
        "await trio.sleep(1)\nasync for x in stream:\n    print(x)",
    ]);
    assert_eq!(checked.cell_findings(), []);
}

#[test]
fn await_in_a_class_body_is_loop101_not_loop100() {
    let checked = python(
        r#"
        class Config:
            value = await load()
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP101", 2)]);
}

#[test]
fn has_no_fix() {
    let checked = python("await main()\n");
    assert!(checked.only("LOOP100").fix.is_none());
}
