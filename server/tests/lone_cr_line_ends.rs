//! Files whose lines end in a lone `\r` (Python accepts them): cells split at their
//! markers, findings sit on their lines, and the lines that LOOP400 and LOOP404 messages
//! name are the lines an editor shows. The fixtures under `fixtures/lone_cr/` hold no
//! `\n` at all.

use std::process::Command;

use asyncell::analysis::{check_document, Document, Settings, Target};
use asyncell::positions::Encoding;
use serde_json::Value;

const LOOP400: &str = include_str!("fixtures/lone_cr/loop400.py");
const LOOP404: &str = include_str!("fixtures/lone_cr/loop404.py");

/// (code, 1-based line, message) of every finding, through the library.
fn findings(text: &str, settings: &Settings) -> Vec<(&'static str, u32, String)> {
    let mut document = Document::from_python(text.to_string(), settings);
    let per_unit = check_document(&mut document);
    let mut out = Vec::new();
    for (slot, diagnostics) in document.slots().iter().zip(&per_unit) {
        for diagnostic in diagnostics.iter() {
            let at = slot.line_col(diagnostic.range.start(), Encoding::Utf16);
            out.push((
                diagnostic.rule.code(),
                at.line + 1,
                diagnostic.message.clone(),
            ));
        }
    }
    out
}

#[test]
fn the_fixtures_end_their_lines_in_lone_carriage_returns() {
    for text in [LOOP400, LOOP404] {
        assert!(!text.contains('\n') && text.matches('\r').count() > 8);
    }
}

#[test]
fn loop400_names_the_line_of_the_start_in_a_file_with_lone_cr_line_ends() {
    let found = findings(LOOP400, &Settings::default());
    assert_eq!(found.len(), 1, "{found:?}");
    let (code, line, message) = &found[0];
    assert_eq!((*code, *line), ("LOOP400", 11));
    assert!(
        message.contains("started at line 8 (`background.start_soon(beat)`)"),
        "{message}"
    );
}

#[test]
fn loop404_names_the_line_of_the_object_in_a_file_with_lone_cr_line_ends() {
    let settings = Settings {
        target: Target::Ipython,
        ..Settings::default()
    };
    let found = findings(LOOP404, &settings);
    assert_eq!(found.len(), 1, "{found:?}");
    let (code, line, message) = &found[0];
    assert_eq!((*code, *line), ("LOOP404", 10));
    assert!(
        message.contains("`lock` is the `trio.Lock()` created at line 5:"),
        "{message}"
    );
}

#[test]
fn asyncell_check_prints_the_same_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("loop400.py");
    std::fs::write(&path, LOOP400).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_asyncell"))
        .args(["check", "--output-format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let items: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["code"], "LOOP400");
    assert_eq!(items[0]["location"]["row"], 11);
    let message = items[0]["message"].as_str().unwrap();
    assert!(message.contains("started at line 8"), "{message}");
}
