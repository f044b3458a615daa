//! ASYNC900 unsafe-async-generator.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC900");
}

#[test]
fn off_by_default() {
    assert!(!python("async def g():\n    yield 1\n").has("ASYNC900"));
}

#[test]
fn decorators_from_the_options_make_it_safe() {
    let mut settings = selecting(&["ASYNC900"]);
    settings.options.transform_async_generator_decorators = vec!["fastapi.Depends".to_string()];
    let checked = python_with(
        "import fastapi\n\n@Depends\nasync def dep():\n    yield 1\n\nasync def other():\n    yield 2\n",
        &settings,
    );
    assert_eq!(checked.lines_of("ASYNC900"), [7]);
    let message = &checked.only("ASYNC900").message;
    assert!(message.contains("fastapi.Depends"), "{message}");
}

#[test]
fn as_safe_channel_is_only_suggested_with_trio() {
    let checked = python_with(
        "import asyncio\n\nasync def g():\n    yield 1\n",
        &selecting(&["ASYNC900"]),
    );
    let message = &checked.only("ASYNC900").message;
    assert!(!message.contains("as_safe_channel"), "{message}");
    assert!(
        message.contains("contextlib.asynccontextmanager"),
        "{message}"
    );
}
