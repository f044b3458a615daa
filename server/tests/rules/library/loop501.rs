//! LOOP501 removed-asyncio-api.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("LOOP501");
}

#[test]
fn the_loop_argument_is_removed_with_its_comma() {
    let checked = python(
        r#"
        import asyncio

        async def main(loop):
            await asyncio.sleep(1, loop=loop)
            q = asyncio.Queue(loop=loop)
            e = asyncio.Event(loop=loop,)
            await asyncio.wait_for(main(loop), loop=loop, timeout=3)
            await asyncio.open_connection(
                "host",
                80,
                loop=loop,
            )
        "#,
    );
    assert_eq!(
        checked.fixed("LOOP501"),
        dedent(
            r#"
            import asyncio

            async def main(loop):
                await asyncio.sleep(1)
                q = asyncio.Queue()
                e = asyncio.Event()
                await asyncio.wait_for(main(loop), timeout=3)
                await asyncio.open_connection(
                    "host",
                    80,
                )
            "#
        )
    );
}

#[test]
fn get_event_loop_at_script_level_fires_without_fix() {
    let checked = python("import asyncio\nloop = asyncio.get_event_loop()\n");
    let diagnostic = checked.only("LOOP501");
    assert!(diagnostic.fix.is_none());
    assert!(diagnostic.message.contains("3.14"));
}

#[test]
fn the_get_event_loop_message_says_what_happens_on_the_target_version() {
    let source = "import asyncio\nloop = asyncio.get_event_loop()\n";
    let message = |version| {
        python_with(source, &with_target_version(version))
            .only("LOOP501")
            .message
            .clone()
    };
    let on_312 = message(PythonVersion::Py312);
    assert!(
        on_312.contains("DeprecationWarning") && on_312.contains("Python 3.12"),
        "{on_312}"
    );
    assert!(on_312.contains("RuntimeError from 3.14"), "{on_312}");
    let on_314 = message(PythonVersion::Py314);
    assert!(
        on_314.contains("raises RuntimeError on Python 3.14"),
        "{on_314}"
    );
    assert!(!on_314.contains("DeprecationWarning"), "{on_314}");
}

#[test]
fn get_event_loop_in_cells_is_left_alone() {
    let checked = notebook(&["import asyncio", "loop = asyncio.get_event_loop()"]);
    assert!(!checked.has("LOOP501"));
    let checked = python("# %%\nimport asyncio\n# %%\nloop = asyncio.get_event_loop()\n");
    assert!(!checked.has("LOOP501"));
}

#[test]
fn yield_from_in_async_def_is_reported_once() {
    let checked = python("async def f(g):\n    yield from g\n");
    assert_eq!(checked.findings_for(&["LOOP501"]), [("LOOP501", 2)]);
    assert!(checked.only("LOOP501").message.starts_with("SyntaxError"));
}

#[test]
fn asyncio_dot_async_is_left_to_e999() {
    let checked = python("import asyncio\nasyncio.async(f())\n");
    assert!(checked.has("E999"));
    assert!(!checked.has("LOOP501"));
}

#[test]
fn version_and_feature_guards_are_understood() {
    assert_named_fixture("LOOP501", "LOOP501_guards");
}

#[test]
fn get_event_loop_in_async_def_is_not_an_error() {
    let checked = python("import asyncio\n\nasync def f():\n    loop = asyncio.get_event_loop()\n");
    assert!(!checked.has("LOOP501"));
}

#[test]
fn get_event_loop_in_a_constructor_that_may_run_on_the_loop_is_left_alone() {
    let checked = python(
        r#"
        import asyncio

        class Pool:
            def __init__(self, loop=None):
                if loop is None:
                    loop = asyncio.get_event_loop()
                self._loop = loop
        "#,
    );
    assert!(!checked.has("LOOP501"));
}

#[test]
fn a_removed_decorator_behind_a_guard_is_reported_when_the_target_reaches_it() {
    let source = "import asyncio\nimport sys\n\nif sys.version_info < (3, 12):\n    @asyncio.coroutine\n    def f():\n        yield\n";
    // On 3.10 the branch runs where `asyncio.coroutine` exists, but it also runs on 3.11,
    // where it was removed.
    assert_eq!(python(source).lines_of("LOOP501"), [5]);
    let guarded = source.replace("(3, 12)", "(3, 11)");
    assert!(!python(&guarded).has("LOOP501"));
}

#[test]
fn a_guarded_get_event_loop_names_the_python_it_runs_on() {
    let checked = python(
        "import asyncio\nimport sys\nif sys.version_info >= (3, 14):\n    loop = asyncio.get_event_loop()\n",
    );
    let message = &checked.only("LOOP501").message;
    assert!(
        message.contains("raises RuntimeError on Python 3.14"),
        "{message}"
    );
}
