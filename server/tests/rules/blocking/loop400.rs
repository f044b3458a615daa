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
    assert!(
        message.contains(
            "started in cell 2 (`asyncio.create_task(poll())`) and cell 4 \
             (`asyncio.ensure_future(beat())`)"
        ),
        "{message}"
    );
    assert!(message.contains("`await asyncio.sleep(...)`"), "{message}");
}

#[test]
fn cells_are_numbered_as_asyncell_check_numbers_them_markdown_included() {
    let checked = notebook_mixed(&[
        (true, "import time\nfrom asyncell import background"),
        (false, "# Start the poller"),
        (true, "background.start_soon(poll)"),
        (false, "Now wait"),
        (true, "time.sleep(3)"),
    ]);
    assert_eq!(checked.cell_findings_for(&["LOOP400"]), [("LOOP400", 5, 1)]);
    let message = &checked.only("LOOP400").message;
    assert!(
        message.contains("started in cell 3 (`background.start_soon(poll)`)"),
        "{message}"
    );
}

#[test]
fn inserting_a_cell_above_renumbers_the_message() {
    use asyncell::analysis::document::CellInput;
    use asyncell::analysis::{check_document, Document, Settings};
    let cell = |is_code: bool, text: &str| CellInput {
        is_code,
        text: text.to_string(),
    };
    let mut document = Document::from_cells(
        vec![
            cell(true, "import time\nfrom asyncell import background"),
            cell(true, "background.start_soon(poll)"),
            cell(true, "time.sleep(3)"),
        ],
        &Settings::default(),
    );
    let first = check_document(&mut document);
    assert!(
        first[2][0].message.contains("in cell 2"),
        "{}",
        first[2][0].message
    );
    document.update_cells(vec![
        cell(false, "# Intro"),
        cell(true, "import time\nfrom asyncell import background"),
        cell(true, "background.start_soon(poll)"),
        cell(true, "time.sleep(3)"),
    ]);
    let second = check_document(&mut document);
    assert!(
        second[2][0].message.contains("in cell 3"),
        "{}",
        second[2][0].message
    );
}

#[test]
fn in_a_cell_file_the_message_names_the_line() {
    let checked = python(
        r#"
        # %%
        import time
        from asyncell import background

        # %%
        background.start_soon(beat)

        # %%
        time.sleep(1)
        "#,
    );
    assert_eq!(checked.findings_for(&["LOOP400"]), [("LOOP400", 9)]);
    let message = &checked.only("LOOP400").message;
    assert!(
        message.contains("started at line 6 (`background.start_soon(beat)`)"),
        "{message}"
    );
}

#[test]
fn editing_lines_above_a_start_updates_the_line_in_the_message() {
    use asyncell::analysis::{check_document, Document, Settings};
    let text = "# %%\nimport time\nfrom asyncell import background\n# %%\nbackground.start_soon(beat)\n# %%\ntime.sleep(1)\n";
    let mut document = Document::from_python(text.to_string(), &Settings::default());
    let first = check_document(&mut document);
    assert!(
        first[2][0].message.contains("at line 5"),
        "{}",
        first[2][0].message
    );
    document.update_python(text.replacen("import time\n", "import time\nimport os\n", 1));
    let second = check_document(&mut document);
    assert!(
        second[2][0].message.contains("at line 6"),
        "{}",
        second[2][0].message
    );
}

#[test]
fn many_starts_are_summarised() {
    let checked = notebook(&[
        "import time, asyncio",
        "asyncio.create_task(a())\nasyncio.create_task(b())",
        "asyncio.create_task(c())\nasyncio.create_task(d())",
        "asyncio.create_task(e())\ntime.sleep(1)",
    ]);
    let message = &checked.only("LOOP400").message;
    assert!(
        message.contains(
            "started in cell 2 (`asyncio.create_task(a())`, `asyncio.create_task(b())`), \
             cell 3 (`asyncio.create_task(c())`), and 2 more;"
        ),
        "{message}"
    );
}

#[test]
fn long_starting_calls_are_shortened() {
    let checked = notebook(&[
        "import time\nfrom asyncell import background",
        "background.start_soon(\n    poll_prices,\n    \"https://example.com/api/v2/prices\",\n)",
        "time.sleep(1)",
    ]);
    let message = &checked.only("LOOP400").message;
    assert!(
        message.contains("in cell 2 (`background.start_soon(...)`)"),
        "{message}"
    );
}

#[test]
fn threads_are_not_background_tasks() {
    let checked = notebook(&[
        "import threading, time",
        "worker = threading.Thread(target=work)\nworker.start()\nthreading.Thread(target=work).start()",
        "time.sleep(1)",
    ]);
    assert_eq!(checked.cell_findings_for(&["LOOP400"]), []);
}

#[test]
fn tasks_of_a_nursery_the_cell_opens_end_with_the_cell() {
    let checked = notebook(&[
        "import time, trio",
        "async with trio.open_nursery() as nursery:\n    nursery.start_soon(tick)\n    await nursery.start(serve)",
        "time.sleep(1)",
    ]);
    assert_eq!(checked.cell_findings_for(&["LOOP400"]), []);
}

#[test]
fn a_blocking_call_inside_the_nursery_block_freezes_its_tasks() {
    let checked = notebook(&[
        "import time, trio",
        "async with trio.open_nursery() as nursery:\n    nursery.start_soon(tick)\n    time.sleep(1)\ntime.sleep(1)",
    ]);
    assert_eq!(checked.cell_findings_for(&["LOOP400"]), [("LOOP400", 2, 3)]);
    let message = &checked.only("LOOP400").message;
    assert!(
        message.contains("earlier in this cell (`nursery.start_soon(tick)`)"),
        "{message}"
    );
}

#[test]
fn task_group_tasks_end_with_the_block_but_free_asyncio_tasks_do_not() {
    let checked = notebook(&[
        "import time, asyncio",
        "async with asyncio.TaskGroup() as tg:\n    tg.create_task(poll())\n    watcher = asyncio.create_task(watch())",
        "time.sleep(1)",
    ]);
    assert_eq!(checked.cell_findings_for(&["LOOP400"]), [("LOOP400", 3, 1)]);
    let message = &checked.only("LOOP400").message;
    assert!(
        message.contains("in cell 2 (`asyncio.create_task(watch())`)"),
        "{message}"
    );
    assert!(!message.contains("tg.create_task"), "{message}");
}

#[test]
fn a_global_nursery_outlives_the_cell() {
    let checked = notebook(&[
        "import time, trio",
        "await GLOBAL_NURSERY.start(serve, 8080)",
        "time.sleep(1)",
    ]);
    assert_eq!(checked.cell_findings_for(&["LOOP400"]), [("LOOP400", 3, 1)]);
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
        "import time, trio\nbackground.start_soon(heartbeat)",
        "import trio as t\ntime.sleep(2)",
    ]);
    assert!(checked.only("LOOP400").message.contains("trio.sleep"));
    assert!(checked.only("LOOP400").fix.is_none());
}

#[test]
fn a_notebook_importing_both_loop_libraries_gets_asyncio_the_loop_it_runs_on() {
    let checked = notebook(&[
        "import time, asyncio\nasyncio.create_task(poll())",
        "import trio as t\ntime.sleep(2)",
    ]);
    assert_eq!(
        checked.fixed_cells("LOOP400")[1],
        "import trio as t\nawait asyncio.sleep(2)"
    );
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
        .contains("earlier in this cell (`asyncio.create_task(poll())`)"));
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
