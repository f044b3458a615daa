//! ASYNC114 startable-not-in-config.

use asyncell::analysis::Settings;

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC114");
}

#[test]
fn listed_functions_do_not_fire_and_dotted_options_match_their_last_name() {
    let mut settings = Settings::default();
    settings.options.startable_in_context_manager =
        vec!["serve_metrics".into(), "mylib.Server.run".into()];
    let checked = python_with(
        r#"
        async def serve_metrics(port, task_status):
            task_status.started()

        class Server:
            async def run(self, task_status):
                task_status.started()

        async def other(task_status):
            task_status.started()
        "#,
        &settings,
    );
    assert_eq!(checked.findings_for(&["ASYNC114"]), [("ASYNC114", 8)]);
    assert!(checked.first("ASYNC114").message.contains("`other`"));
}
