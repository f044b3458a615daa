//! `asyncell check` end to end: the binary run on the files of `fixtures/check` (copied
//! into a temporary directory with their pyproject.toml), for a script, a `# %%` cell
//! file and a notebook, reading findings back from `--output-format json`.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const FILES: &[(&str, &str)] = &[
    ("script.py", include_str!("fixtures/check/script.py")),
    ("cells.py", include_str!("fixtures/check/cells.py")),
    (
        "notebook.ipynb",
        include_str!("fixtures/check/notebook.ipynb"),
    ),
    (
        "pyproject.toml",
        include_str!("fixtures/check/pyproject.toml"),
    ),
];

/// `(file, cell, code, row, column)`, rows and columns 1-based as printed.
type Finding = (String, Option<u64>, String, u64, u64);

fn check(args: &[&str]) -> (i32, Vec<Finding>, Vec<Value>) {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in FILES {
        std::fs::write(dir.path().join(name), content).unwrap();
    }
    let output = Command::new(env!("CARGO_BIN_EXE_asyncell"))
        .arg("check")
        .args(["--output-format", "json"])
        .args(args)
        .arg(dir.path())
        .output()
        .unwrap();
    let items: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let findings = items
        .iter()
        .map(|item| {
            let file = Path::new(item["filename"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            (
                file,
                item["cell"].as_u64(),
                item["code"].as_str().unwrap().to_string(),
                item["location"]["row"].as_u64().unwrap(),
                item["location"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    (output.status.code().unwrap(), findings, items)
}

fn finding(file: &str, cell: Option<u64>, code: &str, row: u64, column: u64) -> Finding {
    (file.into(), cell, code.into(), row, column)
}

#[test]
fn check_reports_every_kind_of_file_at_its_position() {
    let (status, findings, _) = check(&[]);
    assert_eq!(status, 1, "findings exit with 1");
    assert_eq!(
        findings,
        [
            finding("cells.py", None, "LOOP300", 13, 1),
            finding("cells.py", None, "LOOP200", 14, 10),
            // Cells are numbered among all cells, markdown included.
            finding("notebook.ipynb", Some(5), "LOOP300", 1, 1),
            // LOOP201 (nest_asyncio) is ignored by the pyproject.toml.
            finding("script.py", None, "LOOP100", 5, 1),
            finding("script.py", None, "LOOP101", 9, 5),
        ]
    );
}

#[test]
fn fixes_and_urls_are_in_the_json() {
    let (_, _, items) = check(&["--select", "LOOP300"]);
    let notebook = items
        .iter()
        .find(|item| item["filename"].as_str().unwrap().ends_with(".ipynb"))
        .unwrap();
    assert_eq!(notebook["fix"]["edits"][0]["content"], "await ");
    assert_eq!(notebook["fix"]["edits"][0]["location"]["row"], 1);
    // No rule pages are online, so without a configured base there is no link at all.
    assert_eq!(notebook["url"], Value::Null);
    assert_eq!(notebook["severity"], "warning");
}

#[test]
fn urls_follow_the_configured_rule_url_base() {
    let (_, _, items) = check(&[
        "--select",
        "LOOP300",
        "--rule-url-base",
        "https://example.org/docs/rules/{code}.md",
    ]);
    assert_eq!(items[0]["url"], "https://example.org/docs/rules/LOOP300.md");
    // `--config` is above the flag; a base without `{code}` gets the code appended.
    let (_, _, items) = check(&[
        "--select",
        "LOOP300",
        "--rule-url-base",
        "https://ignored.example/",
        "--config",
        "rule-url-base = 'https://example.org/rules'",
    ]);
    assert_eq!(items[0]["url"], "https://example.org/rules/LOOP300");
}

#[test]
fn target_ipython_runs_cells_without_top_level_await_off_the_loop() {
    let (_, findings, _) = check(&["--target", "ipython", "--select", "LOOP301"]);
    assert_eq!(
        findings,
        [finding("notebook.ipynb", Some(5), "LOOP301", 2, 7)]
    );
}

#[test]
fn command_line_selection_narrows_the_findings() {
    let (_, findings, _) = check(&["--select", "LOOP1"]);
    let codes: Vec<&str> = findings.iter().map(|f| f.2.as_str()).collect();
    assert_eq!(codes, ["LOOP100", "LOOP101"]);
    let (status, findings, _) = check(&["--select", "LOOP303"]);
    assert_eq!((status, findings), (0, vec![]));
}
