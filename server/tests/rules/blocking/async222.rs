//! ASYNC222 wait-process.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC222");
}

#[test]
fn the_suggestion_runs_it_in_a_thread() {
    let message = |lib: &str| {
        python(&format!(
            "import os\nimport {lib}\n\nasync def f(p):\n    os.waitpid(p, 0)\n"
        ))
        .only("ASYNC222")
        .message
        .clone()
    };
    assert!(message("trio").contains("`await trio.to_thread.run_sync(os.waitpid, ...)`"));
    assert!(message("anyio").contains("anyio.to_thread.run_sync"));
    assert!(message("asyncio").contains("asyncio.to_thread(os.waitpid"));
}
