//! `docs/rules/` is generated from the rules' doc comments: one `CODE.md` per rule
//! (`asyncell::cli::rule::render_page`) and `README.md` (`render_index`). This test fails
//! when a file is stale, missing or left over from a removed rule; run it with
//! `UPDATE_RULE_DOCS=1` to regenerate them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use asyncell::analysis::rules::Rule;
use asyncell::cli::rule::{render_index, render_page};

const UPDATE_HINT: &str =
    "regenerate with: UPDATE_RULE_DOCS=1 cargo test -p asyncell --test rule_docs";

fn docs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("docs")
        .join("rules")
}

/// File name → expected content.
fn expected() -> BTreeMap<String, String> {
    let mut files: BTreeMap<String, String> = Rule::ALL
        .iter()
        .map(|rule| (format!("{}.md", rule.code), render_page(rule)))
        .collect();
    files.insert("README.md".into(), render_index());
    files
}

#[test]
fn generated_rule_docs_are_up_to_date() {
    let dir = docs_dir();
    let expected = expected();
    if std::env::var_os("UPDATE_RULE_DOCS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if name.ends_with(".md") && !expected.contains_key(&name) {
                std::fs::remove_file(&path).unwrap();
            }
        }
        for (name, content) in &expected {
            std::fs::write(dir.join(name), content).unwrap();
        }
        return;
    }
    let mut problems = Vec::new();
    for (name, content) in &expected {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(actual) if actual == *content => {}
            Ok(_) => problems.push(format!("docs/rules/{name} is stale")),
            Err(_) => problems.push(format!("docs/rules/{name} is missing")),
        }
    }
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries {
            let name = entry.unwrap().file_name().to_string_lossy().to_string();
            if name.ends_with(".md") && !expected.contains_key(&name) {
                problems.push(format!("docs/rules/{name} belongs to no rule"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{}\n{UPDATE_HINT}",
        problems.join("\n")
    );
}

#[test]
fn every_rule_doc_has_the_standard_sections() {
    const SECTIONS: &[&str] = &[
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Use instead",
        "## Fix safety",
    ];
    let mut problems = Vec::new();
    for rule in Rule::ALL.iter() {
        let page = render_page(rule);
        let mut last = 0;
        for section in SECTIONS {
            match page.lines().position(|line| line == *section) {
                None => problems.push(format!("{}: no `{section}` section", rule.code)),
                Some(at) if at < last => {
                    problems.push(format!("{}: `{section}` is out of order", rule.code))
                }
                Some(at) => last = at,
            }
        }
        if !page.contains("```python") {
            problems.push(format!("{}: no python example", rule.code));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_index_lists_every_rule_in_order() {
    let index = render_index();
    let listed: Vec<&str> = index
        .lines()
        .filter_map(|line| line.strip_prefix("| ["))
        .filter_map(|rest| rest.split(']').next())
        .collect();
    let codes: Vec<&str> = Rule::ALL.iter().map(|rule| rule.code).collect();
    assert_eq!(listed, codes);
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(codes, sorted, "Rule::ALL should be in code order");
}

/// The words of the "Fix safety" section that grade a fix, as written in the doc comment
/// (not the generated header line, which is rendered from the code).
fn safety_words(documentation: &str) -> std::collections::BTreeSet<&'static str> {
    let section = documentation
        .split("## Fix safety")
        .nth(1)
        .unwrap_or_default()
        .split("\n## ")
        .next()
        .unwrap_or_default();
    section
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter_map(|word| match word.to_ascii_lowercase().as_str() {
            "safe" => Some("safe"),
            "unsafe" => Some("unsafe"),
            "display-only" => Some("display-only"),
            _ => None,
        })
        .collect()
}

#[test]
fn every_fix_safety_section_names_the_applicabilities_the_code_declares() {
    use asyncell::analysis::rules::FixAvailability;
    let mut problems = Vec::new();
    for rule in Rule::ALL.iter() {
        let declared: std::collections::BTreeSet<&str> =
            rule.fix_safety.iter().map(|a| a.as_str()).collect();
        let written = safety_words(&rule.documentation());
        if declared != written {
            problems.push(format!(
                "{}: the code declares {declared:?}, the \"Fix safety\" section says {written:?}",
                rule.code
            ));
        }
        if (rule.fix == FixAvailability::None) != rule.fix_safety.is_empty() {
            problems.push(format!(
                "{}: `fix: {:?}` with fix safety {:?}",
                rule.code, rule.fix, rule.fix_safety
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The first ```python block after a heading.
fn code_after(page: &str, heading: &str) -> String {
    let after = &page[page.find(heading).unwrap_or_else(|| panic!("no {heading}"))..];
    let start = after.find("```python\n").expect("a python block") + "```python\n".len();
    let end = after[start..].find("```").expect("a closed block");
    after[start..start + end].to_string()
}

/// The codes reported for `code` with only `rule` selected (so opt-in rules run too), as
/// the file kind its markers imply and as a notebook cell, under both targets (LOOP404
/// is about stock IPython), with the `blocking-calls` option the ASYNC200 page shows.
fn codes_for(rule: &str, code: &str) -> (Vec<&'static str>, Vec<&'static str>) {
    use asyncell::analysis::document::CellInput;
    use asyncell::analysis::{check_document, Document, RuleOptions, Settings, Target};
    let collect = |document: &mut Document| -> Vec<&'static str> {
        check_document(document)
            .iter()
            .flat_map(|ds| ds.iter().map(|d| d.rule.code()).collect::<Vec<_>>())
            .collect()
    };
    let options = RuleOptions {
        blocking_calls: [("mylib.fetch".to_string(), "mylib.async_fetch".to_string())].into(),
        ..RuleOptions::default()
    };
    let (mut python, mut cell) = (Vec::new(), Vec::new());
    for target in [Target::Asyncell, Target::Ipython] {
        let settings = Settings {
            select: Some(vec![rule.to_string()]),
            target,
            options: options.clone(),
            ..Settings::default()
        };
        let mut as_python = Document::from_python(code.to_string(), &settings);
        let mut as_cell = Document::from_cells(
            vec![CellInput {
                is_code: true,
                text: code.to_string(),
            }],
            &settings,
        );
        python.extend(collect(&mut as_python));
        cell.extend(collect(&mut as_cell));
    }
    (python, cell)
}

#[test]
fn every_example_fires_its_rule_and_every_fix_does_not() {
    let mut problems = Vec::new();
    for rule in Rule::ALL.iter() {
        let page = render_page(rule);
        let example = code_after(&page, "## Example");
        let (python, cell) = codes_for(rule.code, &example);
        if !python.contains(&rule.code) && !cell.contains(&rule.code) {
            problems.push(format!(
                "{}: the example does not fire it (as .py: {python:?}, as a cell: {cell:?})",
                rule.code
            ));
        }
        let instead = code_after(&page, "## Use instead");
        let (python, cell) = codes_for(rule.code, &instead);
        let fires = |codes: &[&str]| codes.contains(&rule.code);
        // The example and its correction run in the same kind of place: compare like
        // with like.
        let example_kinds = codes_for(rule.code, &example);
        if (fires(&example_kinds.0) && fires(&python)) || (fires(&example_kinds.1) && fires(&cell))
        {
            problems.push(format!(
                "{}: `Use instead` still fires it (as .py: {python:?}, as a cell: {cell:?})",
                rule.code
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
