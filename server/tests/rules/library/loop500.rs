//! LOOP500 removed-trio-api.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("LOOP500");
}

#[test]
fn renames_are_fixed_through_aliases_and_imports() {
    let checked = python(
        r#"
        import trio as t
        from trio import hazmat, open_cancel_scope

        async def main():
            await t.hazmat.checkpoint()
            with t.open_cancel_scope():
                await t.run_sync_in_worker_thread(print)
            async with t.open_nursery() as nursery:
                nursery.spawn(main)
        "#,
    );
    assert_eq!(
        checked.fixed("LOOP500"),
        dedent(
            r#"
            import trio as t
            from trio import lowlevel as hazmat, CancelScope as open_cancel_scope

            async def main():
                await t.lowlevel.checkpoint()
                with t.CancelScope():
                    await t.to_thread.run_sync(print)
                async with t.open_nursery() as nursery:
                    nursery.start_soon(main)
            "#
        )
    );
}

#[test]
fn hazmat_module_imports_are_fixed() {
    let checked = python("import trio.hazmat\nfrom trio.hazmat import checkpoint\n");
    assert_eq!(
        checked.fixed("LOOP500"),
        "import trio.lowlevel\nfrom trio.lowlevel import checkpoint\n"
    );
}

#[test]
fn multi_error_and_the_portal_get_advice_but_no_fix() {
    let checked = python("import trio\ntrio.MultiError\ntrio.BlockingTrioPortal\n");
    let diagnostics = checked.diagnostics("LOOP500");
    assert_eq!(diagnostics.len(), 2);
    assert!(diagnostics.iter().all(|d| d.fix.is_none()));
    assert!(diagnostics[0].message.contains("ExceptionGroup"));
    assert!(diagnostics[1].message.contains("trio.from_thread.run"));
}

#[test]
fn cancellable_worker_threads_get_no_fix() {
    let checked =
        python("import trio\n\nasync def f():\n    await trio.run_sync_in_worker_thread(g, cancellable=True)\n");
    assert!(checked.only("LOOP500").fix.is_none());
}
