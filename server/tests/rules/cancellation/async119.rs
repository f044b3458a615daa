//! ASYNC119 yield-in-cm-in-async-gen.

use asyncell::analysis::Settings;

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC119");
}

#[test]
fn configured_transform_decorators_exempt_the_generator() {
    let mut settings = Settings::default();
    settings.options.transform_async_generator_decorators = vec!["mylib.as_stream".into()];
    let checked = python_with(
        r#"
        import mylib

        @mylib.as_stream
        async def items(lock):
            async with lock:
                yield 1

        async def other(lock):
            async with lock:
                yield 2
        "#,
        &settings,
    );
    assert_eq!(checked.findings(), [("ASYNC119", 10)]);
}
