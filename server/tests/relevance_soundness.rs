//! `asyncell check` does not parse files that `relevance::may_have_findings` rules out.
//! That is sound only while every rule needs one of its words in the source. This test
//! holds every rule to it: each top-level statement of each rule fixture is checked on
//! its own (without the fixture's imports, so only rules that need no import can fire),
//! as a script and as a `# %%` cell, under every loop mode, with every rule selected; a
//! statement with any finding but E999/E998 must pass the filter.

mod common;

use asyncell::analysis::relevance::may_have_findings;
use asyncell::analysis::{check_document, Document, LoopMode, Settings};
use ruff_text_size::Ranged;

#[test]
fn every_statement_with_a_finding_passes_the_filter() {
    let fixtures = common::rule_fixtures();
    assert!(
        fixtures.len() >= 40,
        "only {} rule fixtures",
        fixtures.len()
    );
    let mut statements_with_findings = 0;
    let mut unsound = Vec::new();
    for fixture in &fixtures {
        let text = std::fs::read_to_string(fixture).unwrap();
        let Ok(parsed) = ruff_python_parser::parse_module(&text) else {
            continue;
        };
        for statement in &parsed.syntax().body {
            let source = format!("{}\n", &text[statement.range()]);
            for loop_mode in [LoopMode::Auto, LoopMode::Trio, LoopMode::Asyncio] {
                let settings = Settings {
                    loop_mode,
                    select: Some(vec!["ALL".into()]),
                    ..Settings::default()
                };
                for document_text in [source.clone(), format!("# %%\n{source}")] {
                    let mut document = Document::from_python(document_text, &settings);
                    let codes: Vec<&str> = check_document(&mut document)
                        .iter()
                        .flat_map(|unit| unit.iter().map(|d| d.rule.code()))
                        .filter(|code| !matches!(*code, "E999" | "E998"))
                        .collect();
                    if codes.is_empty() {
                        continue;
                    }
                    statements_with_findings += 1;
                    if !may_have_findings(&source) {
                        unsound.push(format!(
                            "{} ({loop_mode:?}): {codes:?} in\n{source}",
                            fixture.file_name().unwrap().to_string_lossy()
                        ));
                    }
                }
            }
        }
    }
    assert!(
        statements_with_findings > 100,
        "only {statements_with_findings} statements had findings: is the test still checking?"
    );
    assert!(
        unsound.is_empty(),
        "findings in statements the relevance filter skips (add the word the rule needs \
         to analysis/relevance.rs):\n\n{}",
        unsound.join("\n")
    );
}
