//! Snapshot tests of the rule fixtures, in Ruff's style: each fixture under
//! `tests/fixtures/rules/` is checked with its rule selected (from the file name, and the
//! fixture's `# asyncell:` header, as `assert_fixture` does), and every diagnostic is
//! rendered as `asyncell check --output-format full` prints it, followed for a fix by its
//! applicability and the `--diff` of the fixture with that one fix applied. The result is
//! compared with the reviewed snapshot `tests/snapshots/<fixture>.snap`.
//!
//! Update after a deliberate change, then review the diff of the `.snap` files:
//! `INSTA_UPDATE=always cargo test --test rule_snapshots` (or `cargo insta review`).
//! With `CI=true` (as in CI) a changed rendering fails and nothing is written.

mod common;

use std::path::Path;

use asyncell::analysis::{check_document, Applicability, Document};
use asyncell::cli::check::render;

/// What a fixture's snapshot holds: each diagnostic in document order, then its fix.
fn rendered(path: &Path) -> String {
    let name = path.file_name().unwrap().to_str().unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let settings = common::fixture_settings(common::fixture_rule(path), &text);
    let mut document = Document::from_python(text.clone(), &settings);
    let per_unit = check_document(&mut document);
    let mut out = String::new();
    for (slot, diagnostics) in document.slots().iter().zip(&per_unit) {
        for diagnostic in diagnostics.iter() {
            let safe = diagnostic
                .fix
                .as_ref()
                .is_some_and(|fix| fix.applicability == Applicability::Safe);
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&render::full(Path::new(name), slot, diagnostic, safe));
            let Some(fix) = &diagnostic.fix else { continue };
            let edits = fix
                .edits
                .iter()
                .map(|edit| (edit.range + slot.offset, edit.content.clone()))
                .collect();
            let fixed = common::apply_edits(&text, edits);
            out.push_str(&format!("\n{:?} fix\n", fix.applicability));
            out.push_str(&render::diff(name, &text, &fixed));
        }
    }
    if out.is_empty() {
        out.push_str("(no diagnostics)\n");
    }
    out
}

#[test]
fn rule_fixtures_match_their_snapshots() {
    let fixtures = common::rule_fixtures();
    assert!(
        fixtures.len() >= 40,
        "only {} rule fixtures",
        fixtures.len()
    );
    let mut failed = Vec::new();
    for path in &fixtures {
        let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
        let output = rendered(path);
        // Every fixture is compared (and with INSTA_UPDATE written) before failing.
        let outcome = std::panic::catch_unwind(|| {
            insta::with_settings!({
                snapshot_path => "snapshots",
                prepend_module_to_snapshot => false,
                input_file => path,
                omit_expression => true,
            }, {
                insta::assert_snapshot!(stem.as_str(), output);
            });
        });
        if outcome.is_err() {
            failed.push(stem);
        }
    }
    assert!(failed.is_empty(), "snapshots differ: {failed:?}");

    // A snapshot without its fixture is stale: the fixture was renamed or removed.
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let stems: Vec<String> = fixtures
        .iter()
        .map(|p| p.file_stem().unwrap().to_str().unwrap().to_string())
        .collect();
    for entry in std::fs::read_dir(&snapshots).unwrap().flatten() {
        let file = entry.file_name().to_str().unwrap().to_string();
        if let Some(stem) = file.strip_suffix(".snap") {
            assert!(
                stems.iter().any(|s| s == stem),
                "{} has no fixture tests/fixtures/rules/{stem}.py: remove it",
                entry.path().display()
            );
        }
    }
}
