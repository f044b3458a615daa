//! LOOP303 coroutine-function-mixup.

use crate::common::first_catalogue::{notebook, python};

#[test]
fn start_soon_with_a_coroutine_fires_and_passes_the_function() {
    let checked = python(
        r#"
        import trio

        async def fetch(url, retries):
            ...

        async def main():
            async with trio.open_nursery() as nursery:
                nursery.start_soon(fetch(url, 5))
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP303", 8)]);
    assert!(checked
        .only("LOOP303")
        .message
        .contains("Trio was expecting an async function"));
    assert!(checked
        .fixed("LOOP303")
        .contains("nursery.start_soon(fetch, url, 5)"));
}

#[test]
fn nursery_start_and_task_group_start_soon_fire() {
    let checked = python(
        r#"
        import anyio

        async def fetch():
            ...

        async def serve(port, task_status=anyio.TASK_STATUS_IGNORED):
            ...

        async def main():
            async with anyio.create_task_group() as tg:
                await tg.start(serve(port))
                tg.start_soon(fetch())
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP303", 11), ("LOOP303", 12)]);
    let fixed = checked.fixed("LOOP303");
    assert!(fixed.contains("await tg.start(serve, port)"));
    assert!(fixed.contains("tg.start_soon(fetch)"));
}

#[test]
fn trio_run_with_a_coroutine_fires() {
    let checked = python(
        r#"
        import trio

        async def main(n):
            ...

        trio.run(main(3))
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP303", 6)]);
    assert!(checked.fixed("LOOP303").ends_with("trio.run(main, 3)\n"));
}

#[test]
fn create_task_with_a_function_fires_and_calls_it() {
    let checked = python(
        r#"
        import asyncio

        async def refresh():
            ...

        async def main():
            task = asyncio.create_task(refresh)
            asyncio.ensure_future(refresh)
            loop.create_task(refresh)
        "#,
    );
    assert_eq!(
        checked.findings(),
        [("LOOP303", 7), ("LOOP303", 8), ("LOOP303", 9)]
    );
    assert!(checked
        .first("LOOP303")
        .message
        .contains("a coroutine was expected"));
    let fixed = checked.fixed("LOOP303");
    assert!(fixed.contains("asyncio.create_task(refresh())"));
    assert!(fixed.contains("asyncio.ensure_future(refresh())"));
    assert!(fixed.contains("loop.create_task(refresh())"));
}

#[test]
fn asyncio_run_with_a_function_fires() {
    let checked = python(
        r#"
        import asyncio

        async def main():
            ...

        asyncio.run(main)
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP303", 6)]);
    assert!(checked.fixed("LOOP303").ends_with("asyncio.run(main())\n"));
}

#[test]
fn correct_calls_do_not_fire() {
    let checked = python(
        r#"
        import asyncio
        import functools
        import trio

        async def fetch(url):
            ...

        async def main():
            async with trio.open_nursery() as nursery:
                nursery.start_soon(fetch, url)
                nursery.start_soon(functools.partial(fetch, url))
                await nursery.start(fetch, url)
            asyncio.create_task(fetch(url))
            thread.start()
            server.start(config())

        trio.run(main)
        asyncio.run(main())
        "#,
    );
    assert_eq!(checked.findings(), []);
}

#[test]
fn create_task_with_an_unknown_function_does_not_fire() {
    let checked = python("import asyncio\n\nasync def main():\n    asyncio.create_task(coro)\n");
    assert_eq!(checked.findings(), []);
}

#[test]
fn no_fix_when_the_coroutine_call_passes_keywords() {
    let checked = python(
        r#"
        async def fetch(url, timeout):
            ...

        async def main(nursery):
            nursery.start_soon(fetch(url, timeout=5))
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP303", 5)]);
    assert!(checked.only("LOOP303").fix.is_none());
}

#[test]
fn the_fix_keeps_starred_arguments() {
    let checked = python(
        r#"
        async def fetch(*urls):
            ...

        async def main(nursery):
            nursery.start_soon(fetch(*urls))
        "#,
    );
    assert!(checked
        .fixed("LOOP303")
        .contains("nursery.start_soon(fetch, *urls)"));
}

#[test]
fn fires_in_cells_too() {
    let checked = notebook(&[
        "import asyncio\nasync def tick():\n    ...",
        "task = asyncio.create_task(tick)",
    ]);
    assert_eq!(checked.cell_findings(), [("LOOP303", 2, 1)]);
    assert_eq!(
        checked.fixed_cells("LOOP303")[1],
        "task = asyncio.create_task(tick())"
    );
}

#[test]
fn a_parameter_shadowing_an_async_def_is_not_assumed_async() {
    let checked = python(
        r#"
        import asyncio

        async def handler():
            ...

        async def main(handler):
            asyncio.create_task(handler)
            [asyncio.create_task(handler) for handler in handlers]
            spawn = lambda handler: asyncio.create_task(handler)
        "#,
    );
    assert_eq!(checked.findings(), []);
}

#[test]
fn factories_that_return_functions_do_not_fire() {
    let checked = python(
        r#"
        def make_handler(name):
            async def handler():
                ...
            return handler

        async def main(nursery, server):
            nursery.start_soon(getattr(server, "serve"))
            nursery.start_soon(make_handler("a"))
            nursery.start_soon(functools.partial(fetch, url))
            nursery.start_soon(wrap(fetch)())
        "#,
    );
    assert_eq!(checked.findings(), []);
}

#[test]
fn an_imported_factory_is_not_guessed_but_known_async_apis_still_fire() {
    let checked = python(
        r#"
        import trio
        from handlers import make_handler
        import handlers

        async def main(nursery):
            nursery.start_soon(make_handler(3))
            nursery.start_soon(handlers.build("x"))
            nursery.start_soon(trio.sleep(1))
        "#,
    );
    assert_eq!(checked.lines_of("LOOP303"), [8]);
}

/// A coroutine of a known async function always raised, so passing the function is
/// safe; a callee it knows nothing about may be a factory or decorator that returns a
/// function (trio's `enable_ki_protection(f)`, relative-imported in trio's tests): no
/// finding.
#[test]
fn the_fix_is_safe_and_unknown_callees_get_no_finding() {
    use asyncell::analysis::Applicability::Safe;

    let known = crate::common::python(
        "import trio\n\nasync def fetch(url):\n    ...\n\nasync def main():\n    async with trio.open_nursery() as nursery:\n        nursery.start_soon(fetch(1))\n",
    );
    assert_eq!(
        known.first("LOOP303").fix.as_ref().unwrap().applicability,
        Safe
    );
    let unknown = crate::common::python(
        "import trio\n\nasync def main(raiser):\n    async with trio.open_nursery() as nursery:\n        nursery.start_soon(protect(raiser))\n",
    );
    assert!(!unknown.has("LOOP303"));
    let relative = crate::common::python(
        "import trio\nfrom .. import _core\n\nasync def main(raiser):\n    async with trio.open_nursery() as nursery:\n        nursery.start_soon(_core.enable_ki_protection(raiser))\n",
    );
    assert!(!relative.has("LOOP303"));
}
