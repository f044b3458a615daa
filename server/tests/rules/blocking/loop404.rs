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
