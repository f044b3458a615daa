//! LOOP302 from-thread-on-loop-thread.

use asyncell::analysis::{LoopMode, Settings, Target};

use crate::common::first_catalogue::{notebook, notebook_with, python};

#[test]
fn from_thread_run_inside_async_def_fires_and_becomes_await() {
    let checked = python(
        r#"
        import trio

        async def handler():
            trio.from_thread.run(refresh, 1)
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP302", 4)]);
    assert!(checked
        .only("LOOP302")
        .message
        .contains("this thread wasn't created by Trio"));
    assert!(checked.fixed("LOOP302").ends_with("    await refresh(1)\n"));
}

#[test]
fn from_thread_run_sync_becomes_a_direct_call() {
    let checked = python(
        r#"
        import trio

        async def handler():
            value = trio.from_thread.run_sync(compute, 1, 2)
        "#,
    );
    assert!(checked
        .fixed("LOOP302")
        .ends_with("    value = compute(1, 2)\n"));
}

#[test]
fn anyio_from_thread_fires() {
    let checked = python(
        r#"
        import anyio
        from anyio import from_thread

        async def handler():
            anyio.from_thread.run(refresh)
            from_thread.run_sync(compute)
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP302", 5), ("LOOP302", 6)]);
}

#[test]
fn cell_top_level_fires() {
    let checked = notebook(&["import trio", "trio.from_thread.run(refresh)"]);
    assert_eq!(checked.cell_findings(), [("LOOP302", 2, 1)]);
    assert_eq!(checked.fixed_cells("LOOP302")[1], "await refresh()");
}

#[test]
fn functions_handed_to_to_thread_do_not_fire() {
    let checked = python(
        r#"
        import trio

        def work():
            trio.from_thread.run(refresh)
            return trio.from_thread.run_sync(compute)

        async def main():
            await trio.to_thread.run_sync(work)
            await trio.to_thread.run_sync(lambda: trio.from_thread.run_sync(compute))
        "#,
    );
    assert_eq!(checked.findings(), []);
}

#[test]
fn script_top_level_does_not_fire() {
    let checked = python("import trio\ntrio.from_thread.run_sync(compute, trio_token=token)\n");
    assert_eq!(checked.findings(), []);
}

#[test]
fn no_fix_with_keyword_arguments() {
    let checked = python(
        r#"
        import trio

        async def handler():
            trio.from_thread.run(refresh, trio_token=token)
        "#,
    );
    assert!(checked.only("LOOP302").fix.is_none());
}

#[test]
fn no_await_fix_where_await_is_illegal() {
    // A class body inside an async def runs on the loop thread but cannot await.
    let checked = python(
        r#"
        import trio

        async def handler():
            class Snapshot:
                value = trio.from_thread.run(refresh)
                now = trio.from_thread.run_sync(compute)
        "#,
    );
    let diagnostics = checked.diagnostics("LOOP302");
    assert_eq!(checked.lines_of("LOOP302"), [5, 6]);
    assert!(diagnostics[0].fix.is_none());
    assert!(checked
        .fixed_only_where_possible("LOOP302")
        .contains("        now = compute()\n"));
}

#[test]
fn the_await_fix_keeps_attribute_access_on_the_result() {
    let checked = python(
        r#"
        import trio

        async def handler():
            name = trio.from_thread.run(load).name
        "#,
    );
    assert!(checked
        .fixed("LOOP302")
        .ends_with("    name = (await load()).name\n"));
}

#[test]
fn under_ipython_a_cell_without_await_has_no_trio_run_at_all() {
    let settings = Settings {
        target: Target::Ipython,
        loop_mode: LoopMode::Trio,
        ..Settings::default()
    };
    let checked = notebook_with(
        &[
            "import trio\ntrio.from_thread.run_sync(refresh)",
            "trio.from_thread.run_sync(refresh, trio_token=token)",
        ],
        &settings,
    );
    assert_eq!(checked.cell_findings(), [("LOOP302", 1, 2)]);
    let diagnostic = checked.only("LOOP302");
    assert!(
        diagnostic.message.contains("outside any Trio run"),
        "{}",
        diagnostic.message
    );
}
