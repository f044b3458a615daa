//! LOOP200 nested-loop-run.

use asyncell::analysis::{LoopMode, Settings, Target};

use crate::common::first_catalogue::{notebook, notebook_with, python};
use crate::common::*;

#[test]
fn asyncio_run_at_cell_top_level_fires_and_becomes_await() {
    let checked = python(
        r#"
        # %%
        import asyncio

        # %%
        result = asyncio.run(fetch(url))
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP200", 5)]);
    assert!(checked
        .only("LOOP200")
        .message
        .contains("cannot be called from a running event loop"));
    assert_eq!(
        checked.fixed("LOOP200"),
        dedent(
            r#"
            # %%
            import asyncio

            # %%
            result = await fetch(url)
            "#
        )
    );
}

#[test]
fn trio_run_with_arguments_becomes_an_awaited_call() {
    let checked = notebook(&["import trio", "trio.run(main, 3, 'x')"]);
    assert_eq!(checked.cell_findings(), [("LOOP200", 2, 1)]);
    assert_eq!(
        checked.fixed_cells("LOOP200"),
        ["import trio", "await main(3, 'x')"]
    );
}

#[test]
fn trio_run_without_arguments_becomes_an_awaited_call() {
    let checked = notebook(&["import trio\ntrio.run(main)"]);
    assert_eq!(
        checked.fixed_cells("LOOP200"),
        ["import trio\nawait main()"]
    );
}

#[test]
fn anyio_run_fires() {
    let checked = notebook(&["import anyio\nanyio.run(main, backend='trio')"]);
    assert_eq!(checked.cell_findings(), [("LOOP200", 1, 2)]);
    // anyio.run's keywords are its own options: no fix can drop them.
    assert!(checked.only("LOOP200").fix.is_none());
}

#[test]
fn loop_methods_fire() {
    let checked = python(
        r#"
        import asyncio

        async def main():
            loop = asyncio.get_event_loop()
            loop.run_until_complete(job())
            loop.run_forever()
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP200", 5), ("LOOP200", 6)]);
    let diagnostics = checked.diagnostics("LOOP200");
    assert!(diagnostics[0]
        .message
        .contains("This event loop is already running"));
    assert!(diagnostics[1].fix.is_none(), "run_forever has no awaitable");
    let fixed = checked.fixed_only_where_possible("LOOP200");
    assert!(fixed.contains("    await job()\n    loop.run_forever()"));
}

#[test]
fn inside_async_def_of_a_script_fires() {
    let checked = python(
        r#"
        import asyncio

        async def handler():
            return asyncio.run(fetch())

        asyncio.run(handler())
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP200", 4)]);
    assert!(checked
        .fixed("LOOP200")
        .contains("    return await fetch()\n"));
}

#[test]
fn script_top_level_and_sync_functions_do_not_fire() {
    let checked = python(
        r#"
        import asyncio
        import trio

        def main():
            asyncio.run(fetch())
            trio.run(work)

        if __name__ == "__main__":
            asyncio.run(fetch())
            trio.run(work)
        "#,
    );
    assert_eq!(checked.findings(), []);
}

#[test]
fn sync_functions_in_cells_do_not_fire() {
    let checked = notebook(&[
        "import asyncio",
        "def blocking_fetch():\n    return asyncio.run(fetch())",
        "run = lambda: asyncio.run(fetch())",
    ]);
    assert_eq!(checked.cell_findings(), []);
}

#[test]
fn import_aliases_are_resolved() {
    let checked = notebook(&["import asyncio as aio\nfrom trio import run\naio.run(f())\nrun(g)"]);
    assert_eq!(
        checked.cell_findings(),
        [("LOOP200", 1, 3), ("LOOP200", 1, 4)]
    );
}

#[test]
fn the_fix_keeps_attribute_access_on_the_result() {
    let checked = notebook(&["import asyncio\nname = asyncio.run(fetch()).name"]);
    assert_eq!(
        checked.fixed_cells("LOOP200"),
        ["import asyncio\nname = (await fetch()).name"]
    );
}

#[test]
fn the_fix_keeps_subscripts_and_calls_on_the_result() {
    let checked =
        notebook(&["import asyncio\nfirst = asyncio.run(rows())[0]\nasyncio.run(factory())()"]);
    assert_eq!(
        checked.fixed_cells("LOOP200"),
        ["import asyncio\nfirst = (await rows())[0]\n(await factory())()"]
    );
}

#[test]
fn the_fix_parenthesizes_a_compound_awaitable() {
    let checked = notebook(&["import asyncio\nasyncio.run(a() if fast else b())"]);
    assert_eq!(
        checked.fixed_cells("LOOP200"),
        ["import asyncio\nawait (a() if fast else b())"]
    );
}

#[test]
fn no_fix_where_await_would_be_a_syntax_error() {
    // A class body at cell top level runs on the loop, but cannot hold `await`.
    let checked = notebook(&["import asyncio\nclass C:\n    data = asyncio.run(load())"]);
    assert_eq!(checked.cell_findings(), [("LOOP200", 1, 3)]);
    assert!(checked.only("LOOP200").fix.is_none());
}

#[test]
fn no_fix_that_would_turn_a_generator_into_an_async_generator() {
    let checked = notebook(&["import asyncio\nresults = list(asyncio.run(f(x)) for x in xs)"]);
    assert_eq!(checked.cell_findings(), [("LOOP200", 1, 2)]);
    assert!(checked.only("LOOP200").fix.is_none());
}

#[test]
fn a_list_comprehension_at_cell_top_level_may_await() {
    let checked = notebook(&["import asyncio\nresults = [asyncio.run(f(x)) for x in xs]"]);
    assert_eq!(
        checked.fixed_cells("LOOP200"),
        ["import asyncio\nresults = [await f(x) for x in xs]"]
    );
}

#[test]
fn no_fix_for_starred_or_keyword_arguments() {
    let checked = notebook(&[
        "import asyncio, trio\nasyncio.run(main(), debug=True)\ntrio.run(*job)\nasyncio.run(*coros)",
    ]);
    assert_eq!(checked.lines_of("LOOP200"), [2, 3, 4]);
    assert!(checked
        .diagnostics("LOOP200")
        .iter()
        .all(|d| d.fix.is_none()));
}

mod target_ipython {
    use super::*;

    fn ipython(cells: &[&str]) -> Checked {
        notebook_with(cells, &with_target(Target::Ipython))
    }

    #[test]
    fn asyncio_runners_fire_in_every_cell_because_the_kernel_loop_runs() {
        let checked = ipython(&[
            "import asyncio",
            "asyncio.run(main())",
            "asyncio.get_event_loop().run_until_complete(main())",
        ]);
        assert_eq!(
            checked.cell_findings(),
            [("LOOP200", 2, 1), ("LOOP200", 3, 1)]
        );
    }

    #[test]
    fn trio_run_fires_only_in_cells_with_top_level_await() {
        let checked = ipython(&[
            "%autoawait trio\nimport trio",
            "trio.run(main)",
            "await trio.sleep(0)\ntrio.run(main)",
        ]);
        assert_eq!(checked.cell_findings(), [("LOOP200", 3, 2)]);
    }

    #[test]
    fn anyio_run_fires_in_every_cell_because_sniffio_sees_the_kernel_loop() {
        // anyio.run refuses to start while sniffio detects a running library, and in a
        // kernel cell it detects asyncio, whatever backend was asked for.
        let checked = ipython(&["import anyio", "anyio.run(main)"]);
        assert_eq!(checked.cell_findings(), [("LOOP200", 2, 1)]);
    }

    #[test]
    fn async_def_still_fires() {
        let checked = ipython(&["import trio\nasync def f():\n    trio.run(g)"]);
        assert_eq!(checked.cell_findings(), [("LOOP200", 1, 3)]);
    }
}

#[test]
fn asyncio_run_of_an_async_function_becomes_an_awaited_call() {
    // `asyncio.run(main)` is also LOOP303; the LOOP200 fix must not produce `await main`.
    let checked = notebook(&[
        "import asyncio\nasync def main():\n    ...",
        "asyncio.run(main)",
    ]);
    assert_eq!(
        checked.cell_findings(),
        [("LOOP200", 2, 1), ("LOOP303", 2, 1)]
    );
    assert_eq!(checked.fixed_cells("LOOP200")[1], "await main()");
}

#[test]
fn a_lambda_passed_to_trio_run_is_parenthesized() {
    let checked = notebook(&["import trio\ntrio.run(lambda: main(1))"]);
    assert_eq!(
        checked.fixed_cells("LOOP200"),
        ["import trio\nawait (lambda: main(1))()"]
    );
}

#[test]
fn trio_run_of_a_coroutine_becomes_await_of_it() {
    // `trio.run(main(3))` is also LOOP303; the LOOP200 fix must not call the coroutine.
    let checked = notebook(&[
        "import trio\nasync def main(n):\n    ...",
        "trio.run(main(3))\ntrio.run(functools.partial(main, 3))",
    ]);
    assert_eq!(
        checked.fixed_cells("LOOP200")[1],
        "await main(3)\nawait functools.partial(main, 3)()"
    );
}

#[test]
fn a_runner_of_the_other_library_blocks_the_loop_instead_of_raising() {
    let checked = notebook_with(
        &["import asyncio\nresult = asyncio.run(fetch())"],
        &with_loop(LoopMode::Trio),
    );
    let diagnostic = checked.only("LOOP200");
    assert!(
        diagnostic.message.contains("nested asyncio loop")
            && diagnostic
                .message
                .contains("trio loop and its background tasks stand still"),
        "{}",
        diagnostic.message
    );
    assert!(
        diagnostic.fix.is_none(),
        "awaiting an asyncio coroutine on trio fails too"
    );

    let checked = notebook_with(
        &["import trio\ntrio.run(main)"],
        &with_loop(LoopMode::Asyncio),
    );
    assert!(checked.only("LOOP200").message.contains("nested trio loop"));
}

#[test]
fn under_ipython_the_kernel_loop_still_makes_asyncio_run_raise_in_a_trio_notebook() {
    let settings = Settings {
        loop_mode: LoopMode::Trio,
        target: Target::Ipython,
        ..Settings::default()
    };
    let checked = notebook_with(&["import asyncio\nasyncio.run(fetch())"], &settings);
    assert!(checked
        .only("LOOP200")
        .message
        .contains("cannot be called from a running event loop"));
}
