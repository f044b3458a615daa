//! LOOP100 and LOOP101 claim to follow CPython's compiler exactly. This test holds them
//! to it: every snippet of `fixtures/await_placement.txt` is compiled by the machine's
//! `python3` (one process for all of them), with and without
//! `ast.PyCF_ALLOW_TOP_LEVEL_AWAIT`, and asyncell must agree:
//!
//! - compiles as a plain module  ⇔  no LOOP100/LOOP101 when checked as a script;
//! - compiles with the flag      ⇔  no LOOP101 when checked as a cell (notebook cell and
//!   `# %%` cell), and LOOP100 never fires in a cell;
//! - the compiled cell is a coroutine (what IPython tests to decide whether a cell runs
//!   on the loop)  ⇔  the cell's `awaits_at_top_level` fact, which `target = "ipython"`
//!   semantics rely on.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use asyncell::analysis::document::CellInput;
use asyncell::analysis::{check_document, Document, Settings};
use serde_json::Value;

const FIXTURE: &str = include_str!("fixtures/await_placement.txt");

/// Compiles each snippet twice and reports `[plain_error, flagged_error, is_coroutine]`,
/// errors as strings or null. Snippets that need a newer Python come back as "skip".
const JUDGE: &str = r#"
import ast, inspect, json, sys
out = []
for item in json.load(sys.stdin):
    if tuple(sys.version_info[:2]) < tuple(item["requires"]):
        out.append("skip")
        continue
    src = item["source"]
    ast.parse(src)  # the snippet itself must be valid syntax
    verdict = []
    code = None
    for flags in (0, ast.PyCF_ALLOW_TOP_LEVEL_AWAIT):
        try:
            code = compile(src, "<snippet>", "exec", flags=flags, dont_inherit=True)
            verdict.append(None)
        except SyntaxError as error:
            verdict.append(f"{error.msg} (line {error.lineno})")
    verdict.append(bool(verdict[1] is None and code.co_flags & inspect.CO_COROUTINE))
    out.append(verdict)
json.dump({"version": sys.version.split()[0], "results": out}, sys.stdout)
"#;

struct Snippet {
    title: String,
    requires: (u32, u32),
    source: String,
}

fn snippets() -> Vec<Snippet> {
    let mut snippets: Vec<Snippet> = Vec::new();
    for line in FIXTURE.split_inclusive('\n') {
        if let Some(title) = line.strip_prefix("## ") {
            let title = title.trim();
            let (requires, title) = match title.strip_prefix('[') {
                Some(rest) => {
                    let (version, title) = rest.split_once("+]").expect("`[3.N+]` tag");
                    let (major, minor) = version.split_once('.').expect("3.N");
                    (
                        (major.parse().unwrap(), minor.parse().unwrap()),
                        title.trim(),
                    )
                }
                None => ((3, 0), title),
            };
            snippets.push(Snippet {
                title: title.to_string(),
                requires,
                source: String::new(),
            });
        } else if let Some(snippet) = snippets.last_mut() {
            snippet.source.push_str(line);
        }
    }
    for snippet in &mut snippets {
        snippet.source = format!("{}\n", snippet.source.trim_end());
        assert!(
            !snippet.source.contains("%%"),
            "{}: a snippet must not hold a cell marker",
            snippet.title
        );
    }
    snippets
}

fn run_python(snippets: &[Snippet]) -> (String, Vec<Value>) {
    let input = Value::Array(
        snippets
            .iter()
            .map(|s| {
                serde_json::json!({
                    "source": s.source,
                    "requires": [s.requires.0, s.requires.1],
                })
            })
            .collect(),
    );
    let mut child = match Command::new("python3")
        .arg("-c")
        .arg(JUDGE)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(error) => panic!(
            "cpython_agreement needs `python3` on PATH to compile the snippets \
             (could not start it: {error}). Install Python 3.11 or newer."
        ),
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "python3 failed judging the snippets (a snippet that is not valid syntax?):\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let value: Value = serde_json::from_slice(&output.stdout).unwrap();
    let version = value["version"].as_str().unwrap().to_string();
    let results = value["results"].as_array().unwrap().clone();
    assert_eq!(results.len(), snippets.len());
    (version, results)
}

fn codes(document: &mut Document) -> Vec<&'static str> {
    check_document(document)
        .iter()
        .flat_map(|ds| ds.iter().map(|d| d.code).collect::<Vec<_>>())
        .collect()
}

#[test]
fn await_legality_agrees_with_cpython() {
    let snippets = snippets();
    assert!(snippets.len() >= 60, "the fixture should hold 60+ snippets");
    let (version, results) = run_python(&snippets);
    let settings = Settings::default();
    let mut failures = Vec::new();
    let mut judged = 0;
    for (snippet, result) in snippets.iter().zip(&results) {
        if result == "skip" {
            continue;
        }
        judged += 1;
        let plain_error = result[0].as_str();
        let flagged_error = result[1].as_str();
        let is_coroutine = result[2].as_bool().unwrap();
        for error in [plain_error, flagged_error].into_iter().flatten() {
            assert!(
                error.contains("await") || error.contains("async"),
                "{}: the fixture may only hold await-related errors, got `{error}`",
                snippet.title
            );
        }

        let mut script = Document::from_python(snippet.source.clone(), &settings);
        let script_codes = codes(&mut script);
        let mut notebook = Document::from_cells(
            vec![CellInput {
                is_code: true,
                text: snippet.source.clone(),
            }],
            &settings,
        );
        let notebook_codes = codes(&mut notebook);
        let mut percent = Document::from_python(format!("# %%\n{}", snippet.source), &settings);
        let percent_codes = codes(&mut percent);

        let mut problems = Vec::new();
        for (kind, codes) in [
            ("script", &script_codes),
            ("notebook cell", &notebook_codes),
            ("percent cell", &percent_codes),
        ] {
            if codes.contains(&"E999") {
                problems.push(format!("E999 as a {kind}: asyncell cannot parse it"));
            }
        }
        let script_flags = script_codes
            .iter()
            .any(|c| matches!(*c, "LOOP100" | "LOOP101"));
        if script_flags != plain_error.is_some() {
            problems.push(format!(
                "as a script: python says {:?}, asyncell reports {script_codes:?}",
                plain_error
            ));
        }
        for (kind, codes) in [
            ("notebook cell", &notebook_codes),
            ("percent cell", &percent_codes),
        ] {
            if codes.contains(&"LOOP100") {
                problems.push(format!("LOOP100 in a {kind}"));
            }
            if codes.contains(&"LOOP101") != flagged_error.is_some() {
                problems.push(format!(
                    "as a {kind}: python (top-level await allowed) says {:?}, asyncell reports \
                     {codes:?}",
                    flagged_error
                ));
            }
        }
        let awaits = notebook.slots()[0].unit.facts.awaits_at_top_level;
        if flagged_error.is_none() && awaits != is_coroutine {
            problems.push(format!(
                "the compiled cell is {}a coroutine, but awaits_at_top_level = {awaits}",
                if is_coroutine { "" } else { "not " }
            ));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "## {}\n{}  -> {}",
                snippet.title,
                snippet.source,
                problems.join("\n  -> ")
            ));
        }
    }
    assert!(
        judged >= 60,
        "python {version} judged only {judged} snippets"
    );
    assert!(
        failures.is_empty(),
        "asyncell disagrees with CPython {version} on {} of {judged} snippets:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
