//! LOOP300 unawaited-coroutine.

use crate::common::first_catalogue::{notebook, python};
use crate::common::*;

#[test]
fn an_async_def_called_and_dropped_fires_with_an_await_fix() {
    let checked = python(
        r#"
        # %%
        async def refresh():
            ...

        # %%
        refresh()
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP300", 6)]);
    let diagnostic = checked.only("LOOP300");
    assert!(diagnostic
        .message
        .contains("coroutine 'refresh' was never awaited"));
    assert!(checked
        .fixed("LOOP300")
        .ends_with("# %%\nawait refresh()\n"));
}

#[test]
fn an_async_def_from_cell_1_called_in_cell_3_fires() {
    let checked = notebook(&[
        "async def load(path):\n    ...",
        "import json",
        "load('data.json')",
    ]);
    assert_eq!(checked.cell_findings(), [("LOOP300", 3, 1)]);
    assert_eq!(checked.fixed_cells("LOOP300")[2], "await load('data.json')");
}

#[test]
fn asyncio_and_anyio_coroutine_apis_fire() {
    let checked = python(
        r#"
        import anyio
        import asyncio

        async def main():
            asyncio.sleep(1)
            anyio.sleep(1)
            asyncio.wait_for(job(), 5)
        "#,
    );
    assert_eq!(
        checked.findings(),
        [("LOOP300", 5), ("LOOP300", 6), ("LOOP300", 7)]
    );
    assert_eq!(
        checked.fixed("LOOP300"),
        dedent(
            r#"
            import anyio
            import asyncio

            async def main():
                await asyncio.sleep(1)
                await anyio.sleep(1)
                await asyncio.wait_for(job(), 5)
            "#
        )
    );
}

#[test]
fn stored_passed_or_awaited_coroutines_do_not_fire() {
    let checked = notebook(&[
        "import asyncio\nasync def fetch():\n    ...",
        "coro = fetch()\ntask = asyncio.create_task(fetch())\nresult = await fetch()\nprint(fetch())\nawait asyncio.gather(fetch(), fetch())",
    ]);
    assert_eq!(checked.cell_findings(), []);
}

#[test]
fn trio_apis_are_left_to_async105() {
    let checked = python("import trio\n\nasync def f():\n    trio.sleep(1)\n");
    assert_eq!(checked.findings(), [("ASYNC105", 4)]);
}

#[test]
fn no_fix_where_await_is_illegal() {
    let checked = python(
        r#"
        async def refresh():
            ...

        def sync_helper():
            refresh()

        refresh()
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP300", 5), ("LOOP300", 7)]);
    assert!(checked
        .diagnostics("LOOP300")
        .iter()
        .all(|d| d.fix.is_none()));
}

#[test]
fn the_fix_is_offered_inside_async_def_of_a_script() {
    let checked = python(
        r#"
        async def refresh():
            ...

        async def main():
            refresh()
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP300", 5)]);
    assert!(checked.fixed("LOOP300").ends_with("    await refresh()\n"));
}

#[test]
fn a_name_rebound_synchronously_is_not_assumed_async() {
    let checked = notebook(&[
        "async def refresh():\n    ...",
        "def refresh():\n    ...",
        "refresh()",
    ]);
    assert_eq!(checked.cell_findings(), []);
}

#[test]
fn methods_and_unknown_functions_do_not_fire() {
    let checked = notebook(&["client.refresh()\nprint('x')\nlogger.info('y')"]);
    assert_eq!(checked.cell_findings(), []);
}

#[test]
fn a_dropped_coroutine_in_a_sync_comprehension_body_is_not_an_expression_statement() {
    let checked = notebook(&["async def ping():\n    ...", "[ping() for _ in range(3)]"]);
    // The list holds the coroutines: LOOP300 only flags expression statements that are
    // calls.
    assert_eq!(checked.cell_findings(), []);
}

#[test]
fn cells_are_numbered_counting_markdown_cells() {
    let checked = notebook_mixed(&[
        (false, "# Setup"),
        (true, "async def load():\n    ..."),
        (false, "Now load it:"),
        (true, "load()"),
    ]);
    assert_eq!(checked.cell_findings(), [("LOOP300", 4, 1)]);
}

#[test]
fn a_parameter_or_local_of_the_same_name_shadows_the_async_def() {
    let checked = python(
        r#"
        async def fetch():
            ...

        def call_with(fetch):
            fetch()

        def rebind():
            fetch = make_sync_fetch()
            fetch()

        def loop(fetchers):
            for fetch in fetchers:
                fetch()

        def uses_global():
            global fetch
            fetch = fetch
            fetch()

        def after_import():
            from client import fetch
            fetch()
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP300", 18)]);
}

#[test]
fn a_local_of_another_function_does_not_shadow() {
    let checked = python(
        r#"
        async def fetch():
            ...

        def other():
            fetch = 1

        async def main():
            fetch()
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP300", 8)]);
}

#[test]
fn an_async_method_called_through_self_without_await_fires() {
    let checked = python(
        r#"
        class Client:
            async def refresh(self):
                ...

            @property
            async def state(self):
                ...

            async def run(self):
                self.refresh()
                self.state()
                await self.refresh()
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP300", 10)]);
    assert!(checked
        .fixed("LOOP300")
        .contains("        await self.refresh()\n        self.state()"));
}

#[test]
fn a_nested_async_def_called_without_await_fires() {
    let checked = python(
        r#"
        async def main():
            async def step():
                ...

            def sync_step():
                ...

            step()
            sync_step()
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP300", 8)]);
}

#[test]
fn a_method_rebound_synchronously_is_not_guessed() {
    let checked = python(
        r#"
        class Client:
            async def refresh(self):
                ...

            refresh = sync_version

            def run(self):
                self.refresh()
        "#,
    );
    assert_eq!(checked.findings(), []);
}
