//! LOOP404 state-across-trio-runs.

use asyncell::analysis::Target;

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("LOOP404");
}

fn ipython(cells: &[&str]) -> Checked {
    notebook_with(cells, &with_target(Target::Ipython))
}

#[test]
fn a_nursery_from_an_earlier_cell_is_closed() {
    let checked = ipython(&[
        "%autoawait trio\nimport trio",
        "nursery = trio.open_nursery()",
        "nursery.start_soon(work)",
    ]);
    assert_eq!(
        checked.cell_findings(),
        [("LOOP404", 2, 1), ("LOOP404", 3, 1)]
    );
    let message = &checked.diagnostics("LOOP404")[1].message;
    assert!(
        message.contains("Nursery is closed to new arrivals"),
        "{message}"
    );
}

#[test]
fn only_with_autoawait_trio_under_ipython() {
    let cells = [
        "%autoawait trio\nimport trio\ndone = trio.Event()",
        "n.start_soon(work)",
    ];
    assert_eq!(
        notebook(&cells).cell_findings(),
        [],
        "asyncell keeps one loop"
    );
    let configured = asyncell::analysis::Settings {
        target: Target::Ipython,
        loop_mode: asyncell::analysis::LoopMode::Trio,
        ..Default::default()
    };
    let without_magic = notebook_with(&["import trio\ndone = trio.Event()"], &configured);
    assert_eq!(without_magic.cell_findings(), []);
    assert_eq!(ipython(&cells).cell_findings().len(), 2);
}

#[test]
fn an_object_used_in_its_own_cell_is_fine() {
    let checked = ipython(&[
        "%autoawait trio\nimport trio\nsend, receive = trio.open_memory_channel(1)\nawait send.send(1)\nawait receive.receive()",
    ]);
    assert_eq!(checked.cell_findings(), []);
}

#[test]
fn a_trio_object_used_in_a_later_cell_names_the_cell_that_created_it() {
    let checked = ipython(&[
        "%autoawait trio\nimport trio\ndone = trio.Event()",
        "x = 1\nawait done.wait()",
    ]);
    assert_eq!(
        checked.cell_findings(),
        [("LOOP404", 1, 3), ("LOOP404", 2, 2)]
    );
    let message = &checked.diagnostics("LOOP404")[1].message;
    assert!(
        message.starts_with("`done` is the `trio.Event()` created in cell 1:"),
        "{message}"
    );
    assert!(
        message.contains("each cell is its own `trio.run`"),
        "{message}"
    );
}

#[test]
fn both_ends_of_a_memory_channel_are_followed() {
    let checked = ipython(&[
        "%autoawait trio\nimport trio as t\nsend, receive = t.open_memory_channel(1)\nsend.send_nowait(1)",
        "await receive.receive()\nawait send.aclose()",
    ]);
    // The creation is reported too: `receive` is kept for later cells only.
    assert_eq!(
        checked.cell_findings(),
        [("LOOP404", 1, 3), ("LOOP404", 2, 1), ("LOOP404", 2, 2)]
    );
    assert!(checked.diagnostics("LOOP404")[1]
        .message
        .contains("`trio.open_memory_channel()` created in cell 1"));
}

#[test]
fn a_nursery_an_earlier_cell_opened_is_reported_once_with_its_cell() {
    let checked = ipython(&[
        "%autoawait trio\nimport trio\nasync with trio.open_nursery() as n:\n    n.start_soon(work)",
        "n.start_soon(work)",
    ]);
    assert_eq!(checked.cell_findings_for(&["LOOP404"]), [("LOOP404", 2, 1)]);
    let message = &checked.only("LOOP404").message;
    assert!(message.contains("nursery opened in cell 1"), "{message}");
    assert!(
        message.contains("Nursery is closed to new arrivals"),
        "{message}"
    );
}

#[test]
fn in_a_cell_file_the_message_names_the_line() {
    let checked = python_with(
        r#"
        # %%
        # %autoawait trio
        import trio
        lock = trio.Lock()
        async with lock:
            pass

        # %%
        async with lock:
            pass
        "#,
        &with_target(Target::Ipython),
    );
    assert_eq!(checked.findings(), [("LOOP404", 9)]);
    assert!(checked
        .only("LOOP404")
        .message
        .contains("`lock` is the `trio.Lock()` created at line 4:"));
}

#[test]
fn a_rebinding_replaces_the_object() {
    let in_between = ipython(&[
        "%autoawait trio\nimport trio\nscope = trio.CancelScope()\nwith scope:\n    pass",
        "scope = None",
        "print(scope)",
    ]);
    assert_eq!(in_between.cell_findings(), []);
    let same_cell = ipython(&[
        "%autoawait trio\nimport trio\nscope = trio.CancelScope()\nwith scope:\n    pass",
        "scope = trio.CancelScope()\nwith scope:\n    await work()",
    ]);
    assert_eq!(same_cell.cell_findings(), []);
    let parameter = ipython(&[
        "%autoawait trio\nimport trio\nscope = trio.CancelScope()\nwith scope:\n    pass",
        "def show(scope):\n    return scope\nitems = [scope for scope in range(3)]",
    ]);
    assert_eq!(parameter.cell_findings(), []);
}

#[test]
fn later_uses_are_not_reported_on_a_persistent_loop() {
    let cells = [
        "%autoawait trio\nimport trio\ndone = trio.Event()",
        "await done.wait()",
    ];
    assert_eq!(notebook(&cells).cell_findings(), []);
}

#[test]
fn asyncio_objects_are_not_trio_objects() {
    let checked = ipython(&[
        "%autoawait trio\nimport trio, asyncio\nqueue = asyncio.Queue()",
        "queue.put_nowait(1)",
    ]);
    assert_eq!(checked.cell_findings_for(&["LOOP404"]), []);
}
