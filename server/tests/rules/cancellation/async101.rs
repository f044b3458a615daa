//! ASYNC101 yield-in-cancel-scope.

use asyncell::analysis::Settings;

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC101");
}

#[test]
fn the_message_names_the_scope() {
    let checked = python(
        r#"
        import trio as t

        async def ticks():
            with t.move_on_after(10):
                yield 1
        "#,
    );
    assert!(checked
        .only("ASYNC101")
        .message
        .starts_with("`yield` inside `trio.move_on_after()`"));
}

#[test]
fn an_inner_block_does_not_hide_the_scope_around_it() {
    // flake8-async misses this one: its state resets at the inner `with`.
    let checked = python(
        r#"
        import trio

        async def records(path):
            async with trio.open_nursery():
                with open(path) as f:
                    yield f.readline()
        "#,
    );
    assert_eq!(checked.lines_of("ASYNC101"), [6]);
}

#[test]
fn configured_transform_decorators_are_exempt() {
    let mut settings = Settings::default();
    settings.options.transform_async_generator_decorators = vec!["trio.as_safe_channel".into()];
    let checked = python_with(
        r#"
        import trio

        @trio.as_safe_channel
        async def ticks():
            async with trio.open_nursery():
                yield 1
        "#,
        &settings,
    );
    assert!(!checked.has("ASYNC101"));
}
