//! LOOP101 await-outside-async-function.

use crate::common::first_catalogue::{notebook, python};
use crate::common::*;

#[test]
fn await_in_a_sync_def_fires_and_the_fix_makes_it_async() {
    let source = r#"
        def fetch_all(urls):
            return [await fetch(url) for url in urls]
        "#;
    let checked = python(source);
    assert_eq!(checked.findings(), [("LOOP101", 2)]);
    assert_eq!(
        checked.fixed("LOOP101"),
        dedent(
            r#"
            async def fetch_all(urls):
                return [await fetch(url) for url in urls]
            "#
        )
    );
}

#[test]
fn the_fix_lands_after_decorators() {
    let checked = python(
        r#"
        @app.route("/")
        @cached
        def index():
            async with session:
                pass
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP101", 4)]);
    assert_eq!(
        checked.fixed("LOOP101"),
        dedent(
            r#"
            @app.route("/")
            @cached
            async def index():
                async with session:
                    pass
            "#
        )
    );
}

#[test]
fn async_for_and_async_with_in_a_sync_def_fire() {
    let checked = python(
        r#"
        def consume(stream):
            async for item in stream:
                print(item)
            async with lock:
                pass
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP101", 2), ("LOOP101", 4)]);
}

#[test]
fn fires_in_every_kind_of_file() {
    let script = python("def f():\n    await g()\n");
    assert_eq!(script.findings(), [("LOOP101", 2)]);
    let percent = python("# %%\ndef f():\n    await g()\n");
    assert_eq!(percent.findings(), [("LOOP101", 3)]);
    let cells = notebook(&["x = 1", "def f():\n    await g()"]);
    assert_eq!(cells.cell_findings(), [("LOOP101", 2, 2)]);
}

#[test]
fn lambdas_fire_without_a_fix() {
    let checked = notebook(&["handler = lambda: await refresh()"]);
    assert_eq!(checked.cell_findings(), [("LOOP101", 1, 1)]);
    assert!(checked.only("LOOP101").fix.is_none());
    assert!(checked.only("LOOP101").message.contains("lambda"));
}

#[test]
fn class_bodies_fire_without_a_fix_even_in_cells() {
    let checked = notebook(&["class Settings:\n    token = await load_token()"]);
    assert_eq!(checked.cell_findings(), [("LOOP101", 1, 2)]);
    let diagnostic = checked.only("LOOP101");
    assert!(diagnostic.fix.is_none());
    assert!(diagnostic.message.contains("class `Settings`"));
}

#[test]
fn a_sync_comprehension_nested_in_a_sync_def_fires() {
    let source = r#"
        def table(keys):
            return {k: [await v for v in k] for k in keys}
        "#;
    let checked = python_with(source, &with_target_version(PythonVersion::Py311));
    assert_eq!(checked.findings(), [("LOOP101", 2)]);
    assert!(checked.fixed("LOOP101").starts_with("async def table"));
    // On 3.10 `async def` would not help: the inner comprehension needs the outer one to
    // be async too. The message says so, and no fix is offered.
    let checked = python_with(source, &with_target_version(PythonVersion::Py310));
    let diagnostic = checked.only("LOOP101");
    assert!(
        diagnostic.message.contains("Python 3.10"),
        "{}",
        diagnostic.message
    );
    assert!(diagnostic.fix.is_none());
}

#[test]
fn the_target_version_decides_whether_a_nested_async_comprehension_compiles() {
    let cells = ["rows = [[await fetch(x) for x in row] for row in table]"];
    let on = |version| notebook_with(&cells, &with_target_version(version)).cell_findings();
    assert_eq!(on(PythonVersion::Py310), [("LOOP101", 1, 1)]);
    assert_eq!(on(PythonVersion::Py311), []);
    assert_eq!(on(PythonVersion::Py314), []);
    // An outer comprehension that is async by itself makes the inner one legal on 3.10.
    let both_async = ["rows = [[await fetch(x) for x in row] async for row in table]"];
    assert_eq!(
        notebook_with(&both_async, &with_target_version(PythonVersion::Py310)).cell_findings(),
        []
    );
}

#[test]
fn a_default_of_a_nested_def_belongs_to_the_outer_function() {
    // `g`'s default is evaluated when `f` runs: `f` is the function to make async.
    let checked = python(
        r#"
        def f():
            def g(x=await h()):
                return x
            return g
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP101", 2)]);
    assert!(checked
        .fixed("LOOP101")
        .starts_with("async def f():\n    def g("));
}

#[test]
fn await_inside_async_def_does_not_fire() {
    let checked = python(
        r#"
        async def f(urls):
            data = [await fetch(u) for u in urls]
            nested = [[await y for y in x] async for x in data]
            async with lock:
                async for item in stream:
                    pass
            return lambda x=await default(): x
        "#,
    );
    assert_eq!(checked.findings(), []);
}

#[test]
fn an_async_def_nested_in_a_sync_def_may_await() {
    let checked = python(
        r#"
        def factory():
            async def worker():
                await work()
            return worker
        "#,
    );
    assert_eq!(checked.findings(), []);
}

#[test]
fn a_sync_def_nested_in_an_async_def_may_not() {
    let checked = python(
        r#"
        async def outer():
            def inner():
                return await work()
            return inner
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP101", 3)]);
    assert_eq!(
        checked.fixed("LOOP101"),
        dedent(
            r#"
            async def outer():
                async def inner():
                    return await work()
                return inner
            "#
        )
    );
}

#[test]
fn async_generator_expressions_in_sync_code_do_not_fire() {
    let checked = python(
        r#"
        def f(fs):
            return (await g() for g in fs)

        class C:
            pending = (x async for x in stream)
        "#,
    );
    assert_eq!(checked.findings(), []);
}

#[test]
fn top_level_await_in_a_cell_is_not_loop101() {
    let checked = notebook(&["data = [await fetch(u) for u in urls]\nawait save(data)"]);
    assert_eq!(checked.cell_findings(), []);
}

#[test]
fn lines_in_a_cell_file_count_blank_lines_before_the_first_marker() {
    // `python` dedents, which drops the first newline: one blank line remains.
    let checked = python("\n\n# %%\ndef f():\n    await g()\n");
    assert_eq!(checked.document.text(), "\n# %%\ndef f():\n    await g()\n");
    assert_eq!(checked.findings(), [("LOOP101", 4)]);
}

#[test]
fn the_fix_finds_the_def_keyword_after_a_comment_that_says_def() {
    let checked = python(
        r#"
        @cached  # undefined until the first call
        def value():
            return await compute()
        "#,
    );
    assert_eq!(
        checked.fixed("LOOP101"),
        dedent(
            r#"
            @cached  # undefined until the first call
            async def value():
                return await compute()
            "#
        )
    );
}

#[test]
fn await_in_a_postponed_annotation_fires_in_cells_and_async_defs() {
    let cell = notebook(&[
        "from __future__ import annotations\nimport trio\nx: await trio.sleep(0) = 1\ny: int = await trio.sleep(0)",
    ]);
    assert_eq!(cell.cell_findings(), [("LOOP101", 1, 3)]);
    assert!(cell
        .first("LOOP101")
        .message
        .contains("await expression cannot be used within an annotation"));
    let script = python(
        r#"
        from __future__ import annotations

        async def f(x: await g()) -> int:
            y: await g()
            z: lambda: await g()
        "#,
    );
    assert_eq!(script.findings(), [("LOOP101", 3), ("LOOP101", 4)]);
    // Without the future import, annotations are ordinary expressions.
    let plain = notebook(&["import trio\nx: await trio.sleep(0)"]);
    assert_eq!(plain.cell_findings(), []);
}

#[test]
fn an_earlier_cells_future_import_postpones_the_annotations_of_the_cells_after_it() {
    // The host (as IPython) keeps a cell's future imports for the cells run after it.
    let later = notebook(&[
        "import trio",
        "from __future__ import annotations",
        "x: await trio.sleep(0) = 1",
    ]);
    assert_eq!(later.cell_findings(), [("LOOP101", 3, 1)]);
    // A cell before the future import still has ordinary annotations.
    let earlier = notebook(&[
        "import trio\nx: await trio.sleep(0) = 1",
        "from __future__ import annotations",
    ]);
    assert_eq!(earlier.cell_findings(), []);
}
