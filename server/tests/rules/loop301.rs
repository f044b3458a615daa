//! LOOP301 trio-call-outside-run.

use asyncell::analysis::{LoopMode, Target};

use crate::common::first_catalogue::{notebook, notebook_with, python};
use crate::common::*;

#[test]
fn module_level_of_a_plain_script_fires() {
    let checked = python(
        r#"
        import trio

        start = trio.current_time()
        token = trio.lowlevel.current_trio_token()
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP301", 3), ("LOOP301", 4)]);
    assert!(checked
        .first("LOOP301")
        .message
        .contains("must be called from async context"));
    assert!(checked.first("LOOP301").fix.is_none());
}

#[test]
fn every_listed_api_is_recognised() {
    let checked = python(
        r#"
        import trio
        from trio import lowlevel

        trio.current_time()
        trio.lowlevel.current_task()
        lowlevel.current_trio_token()
        trio.current_effective_deadline()
        trio.lowlevel.spawn_system_task(beat)
        "#,
    );
    assert_eq!(checked.lines_of("LOOP301"), [4, 5, 6, 7, 8]);
}

#[test]
fn inside_async_def_of_a_script_does_not_fire() {
    let checked = python(
        r#"
        import trio

        async def main():
            return trio.current_time()

        trio.run(main)
        "#,
    );
    assert_eq!(checked.findings(), []);
}

#[test]
fn sync_functions_handed_to_threads_fire() {
    let checked = python(
        r#"
        import threading
        import anyio
        import trio

        def by_trio():
            return trio.current_time()

        def by_anyio():
            return trio.lowlevel.current_task()

        def by_thread():
            trio.lowlevel.current_trio_token()

        def by_executor():
            return trio.current_effective_deadline()

        async def main(loop):
            await trio.to_thread.run_sync(by_trio)
            await anyio.to_thread.run_sync(by_anyio)
            threading.Thread(target=by_thread).start()
            await loop.run_in_executor(None, by_executor)
        "#,
    );
    assert_eq!(checked.lines_of("LOOP301"), [6, 9, 12, 15]);
    assert!(checked
        .first("LOOP301")
        .message
        .contains("`by_trio`, which runs in another thread"));
}

#[test]
fn a_function_wrapped_in_partial_still_runs_in_the_thread() {
    let checked = python(
        r#"
        import functools
        import trio

        def refresh(n):
            return trio.current_time() + n

        async def main():
            await trio.to_thread.run_sync(functools.partial(refresh, 3))
        "#,
    );
    assert_eq!(checked.lines_of("LOOP301"), [5]);
}

#[test]
fn a_lambda_handed_to_a_thread_fires() {
    let checked = python(
        r#"
        import trio

        async def main():
            await trio.to_thread.run_sync(lambda: trio.current_time())
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP301", 4)]);
}

#[test]
fn a_sync_helper_merely_called_from_async_code_does_not_fire() {
    let checked = python(
        r#"
        import trio

        def elapsed(start):
            return trio.current_time() - start

        async def main():
            start = trio.current_time()
            await trio.sleep(1)
            print(elapsed(start))
        "#,
    );
    assert_eq!(checked.findings(), []);
}

#[test]
fn a_trio_mode_cell_under_target_asyncell_does_not_fire() {
    // asyncell runs every cell, sync or async, on the persistent trio loop.
    let checked = notebook(&[
        "import trio",
        "now = trio.current_time()",
        "task = trio.lowlevel.current_task()\nawait trio.sleep(0)",
    ]);
    assert_eq!(checked.cell_findings(), []);
    let percent = python("# %%\nimport trio\n# %%\nnow = trio.current_time()\n");
    assert_eq!(percent.findings(), []);
}

#[test]
fn an_asyncio_mode_document_fires_anywhere() {
    let checked = notebook_with(
        &[
            "import trio",
            "now = trio.current_time()",
            "async def f():\n    return trio.current_time()",
        ],
        &with_loop(LoopMode::Asyncio),
    );
    assert_eq!(
        checked.cell_findings(),
        [("LOOP301", 2, 1), ("LOOP301", 3, 2)]
    );
    assert!(checked.first("LOOP301").message.contains("asyncio-mode"));
}

#[test]
fn autoawait_asyncio_makes_the_document_asyncio_mode() {
    let checked = notebook(&["%autoawait asyncio\nimport trio", "trio.current_time()"]);
    assert_eq!(checked.cell_findings(), [("LOOP301", 2, 1)]);
}

#[test]
fn a_lambda_handed_to_a_thread_in_an_asyncio_document_fires_once() {
    let checked = notebook_with(
        &["import trio\nawait trio.to_thread.run_sync(lambda: trio.current_time())"],
        &with_loop(LoopMode::Asyncio),
    );
    assert_eq!(checked.cell_findings(), [("LOOP301", 1, 2)]);
}

mod target_ipython {
    use super::*;

    fn ipython(cells: &[&str]) -> Checked {
        notebook_with(cells, &with_target(Target::Ipython))
    }

    #[test]
    fn a_cell_without_top_level_await_fires() {
        let checked = ipython(&["%autoawait trio\nimport trio", "now = trio.current_time()"]);
        assert_eq!(checked.cell_findings(), [("LOOP301", 2, 1)]);
        assert!(checked.only("LOOP301").message.contains("outside the loop"));
    }

    #[test]
    fn a_cell_with_top_level_await_does_not_fire() {
        let checked = ipython(&[
            "%autoawait trio\nimport trio",
            "now = trio.current_time()\nawait trio.sleep(0)",
        ]);
        assert_eq!(checked.cell_findings(), []);
    }

    #[test]
    fn a_cell_whose_only_await_is_in_a_generator_expression_runs_on_the_loop() {
        // CPython compiles such a cell to a coroutine, so IPython runs it on the loop.
        let checked = ipython(&[
            "%autoawait trio\nimport trio",
            "now = trio.current_time()\npending = (await f() for f in fs)",
        ]);
        assert_eq!(checked.cell_findings(), []);
    }

    #[test]
    fn async_def_bodies_do_not_fire() {
        let checked = ipython(&[
            "%autoawait trio\nimport trio",
            "async def f():\n    return trio.current_time()",
        ]);
        assert_eq!(checked.cell_findings(), []);
    }
}
