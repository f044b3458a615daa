//! LOOP100 and LOOP101 claim to follow CPython's compiler exactly, for the configured
//! `target-version`. This test holds them to it: every snippet of
//! `fixtures/await_placement.txt` is compiled by every CPython 3.10+ the machine has
//! (`python3`, `python3.N` on PATH, pyenv's versions; one process each for all snippets),
//! with and without `ast.PyCF_ALLOW_TOP_LEVEL_AWAIT`, and asyncell checking with that
//! interpreter's version as its target must agree:
//!
//! - compiles as a plain module  ⇔  no LOOP100/LOOP101 when checked as a script;
//! - compiles with the flag      ⇔  no LOOP101 when checked as a cell (notebook cell and
//!   `# %%` cell), and LOOP100 never fires in a cell;
//! - `'return' outside function` (with or without the flag)  ⇔  E999, which is otherwise
//!   never reported (every snippet parses);
//! - the compiled cell is a coroutine (what IPython tests to decide whether a cell runs
//!   on the loop)  ⇔  the cell's `awaits_at_top_level` fact, which `target = "ipython"`
//!   semantics rely on.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use asyncell::analysis::document::CellInput;
use asyncell::analysis::{check_document, Document, PythonVersion, Settings};
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
    /// Syntax older interpreters lack: they skip the snippet.
    requires: (u32, u32),
    /// The version whose verdict differs from the one before (informational: each
    /// interpreter judges it, and the target version decides asyncell's answer).
    changed_in: Option<(u32, u32)>,
    source: String,
}

fn parse_version(version: &str) -> (u32, u32) {
    let (major, minor) = version.split_once('.').expect("3.N");
    (major.parse().unwrap(), minor.parse().unwrap())
}

fn snippets() -> Vec<Snippet> {
    let mut snippets: Vec<Snippet> = Vec::new();
    for line in FIXTURE.split_inclusive('\n') {
        if let Some(title) = line.strip_prefix("## ") {
            let title = title.trim();
            let (mut requires, mut changed_in) = ((3, 0), None);
            let title = match title.strip_prefix('[') {
                Some(rest) => {
                    let (tag, title) = rest.split_once(']').expect("`[3.N+]` or `[3.N]` tag");
                    match tag.strip_suffix('+') {
                        Some(version) => requires = parse_version(version),
                        None => changed_in = Some(parse_version(tag)),
                    }
                    title.trim()
                }
                None => title,
            };
            snippets.push(Snippet {
                title: title.to_string(),
                requires,
                changed_in,
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

/// Every CPython interpreter of a version asyncell supports, one per minor version:
/// `python3` first, then `python3.N` on PATH, then pyenv's.
fn interpreters() -> Vec<(String, PythonVersion)> {
    let mut candidates: Vec<String> = vec!["python3".into()];
    candidates.extend(
        PythonVersion::ALL
            .iter()
            .map(|v| format!("python{}", v.dotted())),
    );
    let pyenv = std::env::var_os("PYENV_ROOT")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| std::path::Path::new(&home).join(".pyenv"))
        });
    if let Some(Ok(entries)) = pyenv.map(|root| std::fs::read_dir(root.join("versions"))) {
        let mut found: Vec<String> = entries
            .flatten()
            .map(|entry| entry.path().join("bin").join("python3"))
            .filter(|path| path.is_file())
            .map(|path| path.display().to_string())
            .collect();
        found.sort();
        candidates.extend(found);
    }
    let mut interpreters: Vec<(String, PythonVersion)> = Vec::new();
    for candidate in candidates {
        let Ok(output) = Command::new(&candidate)
            .args(["-c", "import sys, platform; print(platform.python_implementation(), sys.version_info[0], sys.version_info[1])"])
            .output()
        else {
            continue;
        };
        let text = String::from_utf8_lossy(&output.stdout);
        let fields: Vec<&str> = text.split_whitespace().collect();
        let [implementation, major, minor] = fields[..] else {
            continue;
        };
        if implementation != "CPython" || major != "3" {
            continue;
        }
        let Some(version) = minor.parse().ok().and_then(PythonVersion::from_minor) else {
            continue;
        };
        if interpreters.iter().all(|(_, known)| *known != version) {
            interpreters.push((candidate, version));
        }
    }
    interpreters
}

fn run_python(python: &str, snippets: &[Snippet]) -> (String, Vec<Value>) {
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
    let mut child = match Command::new(python)
        .arg("-c")
        .arg(JUDGE)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(error) => panic!("cannot start {python} to compile the snippets: {error}"),
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
        "{python} failed judging the snippets (a snippet that is not valid syntax?):\n{}",
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
        .flat_map(|ds| ds.iter().map(|d| d.rule.code()).collect::<Vec<_>>())
        .collect()
}

#[test]
fn await_legality_agrees_with_every_cpython_on_the_machine() {
    let snippets = snippets();
    assert!(snippets.len() >= 60, "the fixture should hold 60+ snippets");
    let interpreters = interpreters();
    assert!(
        !interpreters.is_empty(),
        "cpython_agreement needs a CPython 3.10 or newer (`python3`, `python3.N` or pyenv's) \
         to compile the snippets"
    );
    let (mut report, mut disagreed) = (Vec::new(), Vec::new());
    for (python, target_version) in &interpreters {
        let (version, results) = run_python(python, &snippets);
        let failures = disagreements(&snippets, &results, *target_version);
        if failures.is_empty() {
            report.push(format!("{version} ({python})"));
        } else {
            disagreed.push(format!(
                "asyncell (target-version {target_version}) disagrees with CPython {version} \
                 ({python}) on {} snippets:\n\n{}",
                failures.len(),
                failures.join("\n\n")
            ));
        }
    }
    assert!(disagreed.is_empty(), "{}", disagreed.join("\n\n"));
    eprintln!("agreed with CPython {}", report.join(", "));
}

/// Python 3.10 rejects an async comprehension nested in a sync one, in cells and in
/// `async def`; 3.11 accepts it (a class body rejects it on every version, since the
/// outer comprehension becomes async there). Checked whatever interpreters exist.
#[test]
fn py310_rejects_the_nested_async_comprehensions_that_py311_accepts() {
    let changed: Vec<Snippet> = snippets()
        .into_iter()
        .filter(|s| s.changed_in == Some((3, 11)))
        .collect();
    assert_eq!(changed.len(), 6, "the six nested async comprehensions");
    for snippet in &changed {
        for (target_version, rejected) in [
            (PythonVersion::Py310, true),
            (
                PythonVersion::Py311,
                snippet.title.starts_with("class body"),
            ),
            (
                PythonVersion::Py314,
                snippet.title.starts_with("class body"),
            ),
        ] {
            let settings = Settings {
                target_version,
                ..Settings::default()
            };
            let mut cell = Document::from_cells(
                vec![CellInput {
                    is_code: true,
                    text: snippet.source.clone(),
                }],
                &settings,
            );
            let cell_codes = codes(&mut cell);
            assert_eq!(
                cell_codes.contains(&"LOOP101"),
                rejected,
                "{} as a cell, target {target_version}: {cell_codes:?}",
                snippet.title
            );
        }
    }
}

/// CPython's error for a `return` at module level or in a class body.
fn is_return_error(error: &str) -> bool {
    error.starts_with("'return' outside function")
}

/// What asyncell, checking for `target_version`, says differently from the interpreter's
/// `results`.
fn disagreements(
    snippets: &[Snippet],
    results: &[Value],
    target_version: PythonVersion,
) -> Vec<String> {
    let settings = Settings {
        target_version,
        ..Settings::default()
    };
    let mut failures = Vec::new();
    let mut judged = 0;
    for (snippet, result) in snippets.iter().zip(results) {
        if result == "skip" {
            continue;
        }
        judged += 1;
        let plain_error = result[0].as_str();
        let flagged_error = result[1].as_str();
        let is_coroutine = result[2].as_bool().unwrap();
        for error in [plain_error, flagged_error].into_iter().flatten() {
            assert!(
                error.contains("await") || error.contains("async") || is_return_error(error),
                "{}: the fixture may only hold await-related and `return` errors, got \
                 `{error}`",
                snippet.title
            );
        }
        // `'return' outside function` is E999's; the await errors are LOOP100/101's.
        let awaits_error = |error: Option<&str>| error.is_some_and(|e| !is_return_error(e));
        let returns_error = |error: Option<&str>| error.is_some_and(is_return_error);

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
        for (kind, codes, error) in [
            ("script", &script_codes, plain_error),
            ("notebook cell", &notebook_codes, flagged_error),
            ("percent cell", &percent_codes, flagged_error),
        ] {
            if codes.contains(&"E999") != returns_error(error) {
                problems.push(format!(
                    "as a {kind}: python says {error:?}, asyncell reports {codes:?} (E999 is \
                     for a parse error or `return` outside a function)"
                ));
            }
        }
        let script_flags = script_codes
            .iter()
            .any(|c| matches!(*c, "LOOP100" | "LOOP101"));
        if script_flags != awaits_error(plain_error) {
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
            if codes.contains(&"LOOP101") != awaits_error(flagged_error) {
                problems.push(format!(
                    "as a {kind}: python (top-level await allowed) says {:?}, asyncell reports \
                     {codes:?}",
                    flagged_error
                ));
            }
        }
        let awaits = notebook.slots()[0]
            .unit
            .facts
            .awaits_at_top_level(target_version);
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
    assert!(judged >= 60, "only {judged} snippets were judged");
    failures
}
