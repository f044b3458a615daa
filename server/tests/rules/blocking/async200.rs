//! ASYNC200 blocking-configured-call.

use asyncell::analysis::Settings;

use crate::common::*;

fn configured(patterns: &[(&str, &str)]) -> Settings {
    let mut settings = selecting(&["ASYNC200"]);
    for (pattern, replacement) in patterns {
        settings
            .options
            .blocking_calls
            .insert(pattern.to_string(), replacement.to_string());
    }
    settings
}

#[test]
fn fixture() {
    // Nothing is configured there: the rule stays silent.
    assert_fixture("ASYNC200");
}

#[test]
fn patterns_match_as_fnmatch_does() {
    assert_named_fixture("ASYNC200", "ASYNC200_patterns");
}

#[test]
fn configured_calls_fire_with_their_replacement() {
    let checked = python_with(
        r#"
        import mylib
        from mylib import api

        async def refresh():
            mylib.fetch()
            api.save()
            mylib.deep.nested.save()
            mylib.other()

        def sync():
            mylib.fetch()
        "#,
        &configured(&[
            ("mylib.fetch", "mylib.afetch"),
            ("mylib.*.save", "mylib.aio.save"),
        ]),
    );
    assert_eq!(
        checked.findings(),
        [("ASYNC200", 5), ("ASYNC200", 6), ("ASYNC200", 7)],
        "`*` matches any run of characters, dots included, as in fnmatch"
    );
    let diagnostics = checked.diagnostics("ASYNC200");
    assert!(diagnostics[0]
        .message
        .contains("use `mylib.afetch` instead"));
    assert!(diagnostics[1].message.contains("`api.save()`"));
    assert!(diagnostics[1]
        .message
        .contains("use `mylib.aio.save` instead"));
}

#[test]
fn the_written_spelling_matches_too() {
    let checked = python_with(
        "import db as database\n\nasync def f():\n    database.query()\n",
        &configured(&[("database.query", "database.aquery")]),
    );
    assert_eq!(checked.findings(), [("ASYNC200", 4)]);
}
