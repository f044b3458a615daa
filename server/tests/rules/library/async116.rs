//! ASYNC116 long-sleep-not-forever.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC116");
}

#[test]
fn the_fix_sleeps_forever() {
    let checked = python(
        r#"
        import math
        import trio

        async def f():
            await trio.sleep(math.inf)
        "#,
    );
    assert!(checked
        .fixed("ASYNC116")
        .ends_with("    await trio.sleep_forever()\n"));
}

#[test]
fn anyio_gets_the_anyio_name() {
    let checked = python("import anyio\n\nasync def f():\n    await anyio.sleep(1e9)\n");
    assert!(checked
        .only("ASYNC116")
        .message
        .contains("anyio.sleep_forever()"));
}

#[test]
fn a_day_exactly_is_not_flagged() {
    let checked = python("import trio\n\nasync def f():\n    await trio.sleep(86400)\n");
    assert!(!checked.has("ASYNC116"));
}
