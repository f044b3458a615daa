//! ASYNC910 async-function-no-checkpoint.

use asyncell::analysis::Settings;

use crate::common::*;

fn select_910() -> Settings {
    selecting(&["ASYNC910"])
}

#[test]
fn fixture() {
    assert_fixture("ASYNC910");
}

#[test]
fn a_star_import_from_contextlib_binds_suppress_and_asynccontextmanager() {
    assert_named_fixture("ASYNC910", "ASYNC910_import_star");
}

#[test]
fn asynccontextmanager_is_exempt_by_default() {
    assert_named_fixture("ASYNC910", "ASYNC910_default_decorators");
}

#[test]
fn a_configured_decorator_list_replaces_the_default() {
    let source = r#"
        from contextlib import asynccontextmanager

        @asynccontextmanager
        async def opened():
            yield

        @app.route
        async def page():
            return
        "#;
    let mut settings = selecting(&["ASYNC910", "ASYNC911"]);
    assert_eq!(python_with(source, &settings).findings(), [("ASYNC910", 9)]);
    settings.options.no_checkpoint_warning_decorators = vec!["app.route".to_string()];
    assert_eq!(
        python_with(source, &settings).findings(),
        [("ASYNC911", 4), ("ASYNC911", 5)]
    );
}

#[test]
fn off_by_default() {
    let checked = python(
        "import trio\n\nasync def f(x):\n    if x:\n        return\n    await trio.sleep(0)\n",
    );
    assert!(!checked.has("ASYNC910"));
}

#[test]
fn the_fix_inserts_a_trio_checkpoint_before_the_return_and_at_the_end() {
    let checked = python_with(
        r#"
        import trio

        async def get(cache, key):
            if key in cache:
                return cache[key]
            value = compute(key)
            if value:
                print(value)
                await trio.sleep(0)
        "#,
        &select_910(),
    );
    assert_eq!(checked.lines_of("ASYNC910"), [3, 5]);
    let message = &checked.diagnostics("ASYNC910")[1].message;
    assert!(
        message.contains("`return` from async function `get`"),
        "{message}"
    );
    assert!(message.contains("since the function started"), "{message}");
    assert!(
        message.contains("await trio.lowlevel.checkpoint()"),
        "{message}"
    );
    assert_eq!(
        checked.fixed("ASYNC910"),
        dedent(
            r#"
            import trio

            async def get(cache, key):
                if key in cache:
                    await trio.lowlevel.checkpoint()
                    return cache[key]
                value = compute(key)
                if value:
                    print(value)
                    await trio.sleep(0)
                await trio.lowlevel.checkpoint()
            "#
        )
    );
}

#[test]
fn anyio_and_asyncio_get_their_own_checkpoint() {
    let checked = python_with(
        "import anyio\n\nasync def f(x):\n    print(x)\n",
        &select_910(),
    );
    assert_eq!(
        checked.fixed("ASYNC910"),
        "import anyio\n\nasync def f(x):\n    print(x)\n    await anyio.lowlevel.checkpoint()\n"
    );
    let checked = python_with(
        "import asyncio\n\nasync def f(x):\n    print(x)\n",
        &select_910(),
    );
    assert_eq!(
        checked.fixed("ASYNC910"),
        "import asyncio\n\nasync def f(x):\n    print(x)\n    await asyncio.sleep(0)\n"
    );
}

#[test]
fn no_fix_when_the_library_is_not_imported_or_the_return_shares_its_line() {
    let checked = python_with(
        "async def f(x):\n    if x: return\n    print(x)\n",
        &select_910(),
    );
    assert_eq!(checked.lines_of("ASYNC910"), [1, 2]);
    assert!(checked
        .diagnostics("ASYNC910")
        .iter()
        .all(|d| d.fix.is_none()));
}

#[test]
fn a_return_in_an_except_clause_gets_the_checkpoint_at_the_top_of_the_function() {
    let checked = python_with(
        r#"
        import trio

        async def f(x):
            """Doc."""
            try:
                x.run()
            except ValueError:
                return None
            await trio.sleep(0)
        "#,
        &select_910(),
    );
    assert_eq!(checked.lines_of("ASYNC910"), [8]);
    assert_eq!(
        checked.fixed("ASYNC910"),
        dedent(
            r#"
            import trio

            async def f(x):
                """Doc."""
                await trio.lowlevel.checkpoint()
                try:
                    x.run()
                except ValueError:
                    return None
                await trio.sleep(0)
            "#
        )
    );
}

#[test]
fn decorators_from_the_options_exempt_a_function() {
    let mut settings = select_910();
    settings.options.no_checkpoint_warning_decorators = vec!["app.*".to_string()];
    let checked = python_with(
        "import app\n\n@app.route('/')\nasync def index():\n    return 'hi'\n\n@other\nasync def g():\n    return 1\n",
        &settings,
    );
    assert_eq!(checked.lines_of("ASYNC910"), [9]);
}

#[test]
fn context_manager_methods_lean_on_their_partner() {
    let checked = python_with(
        r#"
        import trio

        class Lock:
            async def __aenter__(self):
                return self

            async def __aexit__(self, *exc):
                await self.release()

        class Both:
            async def __aenter__(self):
                return self

            async def __aexit__(self, *exc):
                return None

        class Inherited(Base):
            async def __aenter__(self):
                return self
        "#,
        &select_910(),
    );
    assert_eq!(checked.lines_of("ASYNC910"), [12]);
}

#[test]
fn a_suppressing_context_manager_from_the_options_voids_its_checkpoints() {
    let mut settings = select_910();
    settings.options.exception_suppress_context_managers = vec!["mylib.ignore".to_string()];
    let checked = python_with(
        "import trio\nimport mylib\n\nasync def f():\n    with mylib.ignore():\n        await trio.sleep(0)\n",
        &settings,
    );
    assert_eq!(checked.lines_of("ASYNC910"), [4]);
}

#[test]
fn every_fix_applied_leaves_no_finding() {
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/rules/ASYNC910.py"
    ))
    .unwrap();
    let before = python_with(&source, &select_910());
    let fixed = before.fixed_only_where_possible("ASYNC910");
    let after = python_with(&fixed, &select_910());
    assert!(!after.has("E999"), "{fixed}");
    let fixable = before
        .diagnostics("ASYNC910")
        .iter()
        .filter(|d| d.fix.is_some())
        .count();
    assert!(fixable >= 10, "only {fixable} fixes");
    assert!(
        after.diagnostics("ASYNC910").len() <= before.diagnostics("ASYNC910").len() - fixable,
        "{fixed}\n{:?}",
        after.findings()
    );
}

#[test]
fn a_function_local_suppress_alias_suppresses_in_that_function_only() {
    assert_named_fixture("ASYNC910", "ASYNC910_function_local_import");
}
