//! LOOP400 blocking-call-stalls-background.

use asyncell::analysis::Target;

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("LOOP400");
}

#[test]
fn the_message_names_the_cells_that_started_tasks() {
    let checked = notebook(&[
        "import time, asyncio",
        "task = asyncio.create_task(poll())",
        "x = 1",
        "asyncio.ensure_future(beat())",
        "time.sleep(3)",
    ]);
    assert_eq!(checked.cell_findings_for(&["LOOP400"]), [("LOOP400", 5, 1)]);
    let message = &checked.only("LOOP400").message;
    assert!(message.contains("code cells 2 and 4"), "{message}");
    assert!(message.contains("`await asyncio.sleep(...)`"), "{message}");
}

#[test]
fn the_fix_is_the_loop_native_sleep() {
    let checked = notebook(&[
        "import time\nimport trio\nfrom asyncell import background",
        "background.start_soon(heartbeat)",
        "time.sleep(2)",
    ]);
    assert_eq!(checked.fixed_cells("LOOP400")[2], "await trio.sleep(2)");
}

#[test]
fn no_fix_when_the_library_is_not_imported() {
    let checked = notebook(&[
        "%autoawait asyncio\nimport time",
        "loop.create_task(poll())",
        "time.sleep(2)",
    ]);
    assert!(checked.only("LOOP400").message.contains("asyncio.sleep"));
    assert!(checked.only("LOOP400").fix.is_none());
}

#[test]
fn no_fix_when_this_cell_imports_the_library_under_another_name() {
    let checked = notebook(&[
        "import time, asyncio\nasyncio.create_task(poll())",
        "import trio as t\ntime.sleep(2)",
    ]);
    assert!(checked.only("LOOP400").fix.is_none());
}

#[test]
fn a_task_started_earlier_in_the_same_cell_counts() {
    let checked = notebook(&[
        "import time, asyncio\ntime.sleep(1)\nasyncio.create_task(poll())\ntime.sleep(1)",
    ]);
    assert_eq!(checked.cell_findings_for(&["LOOP400"]), [("LOOP400", 1, 4)]);
    assert!(checked
        .only("LOOP400")
        .message
        .contains("earlier in this cell"));
}

#[test]
fn without_background_tasks_a_sleep_is_normal() {
    let checked = notebook(&[
        "import time",
        "time.sleep(3)",
        "import requests\nrequests.get(u)",
    ]);
    assert_eq!(checked.cell_findings(), []);
}

#[test]
fn later_cells_starting_tasks_do_not_count() {
    let checked = notebook(&[
        "import time, asyncio\ntime.sleep(3)",
        "asyncio.create_task(poll())",
    ]);
    assert_eq!(checked.cell_findings_for(&["LOOP400"]), []);
}

#[test]
fn scripts_are_not_checked() {
    let checked = python("import time, asyncio\nasyncio.ensure_future(x())\ntime.sleep(1)\n");
    assert_eq!(checked.findings_for(&["LOOP400"]), []);
}

#[test]
fn under_ipython_only_cells_that_await_run_on_the_loop() {
    let settings = with_target(Target::Ipython);
    let checked = notebook_with(
        &[
            "import time, asyncio",
            "asyncio.create_task(poll())",
            "time.sleep(1)",
            "time.sleep(1)\nawait asyncio.sleep(0)",
        ],
        &settings,
    );
    assert_eq!(checked.cell_findings_for(&["LOOP400"]), [("LOOP400", 4, 1)]);
}

#[test]
fn other_blocking_calls_suggest_a_thread() {
    let checked = notebook(&[
        "import asyncio, requests",
        "asyncio.create_task(poll())",
        "requests.get(u)",
    ]);
    let message = &checked.only("LOOP400").message;
    assert!(message.contains("waits for an HTTP response"), "{message}");
    assert!(message.contains("asyncio.to_thread"), "{message}");
}
