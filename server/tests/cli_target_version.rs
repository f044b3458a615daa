//! `--target-version` end to end: the version comes from the flag, `--config`,
//! `target-version` in [tool.asyncell], or the configuring pyproject.toml's
//! `requires-python`, and decides what CPython's rules and removed APIs mean.

use std::path::Path;
use std::process::{Command, Output};

/// A cell that Python 3.10 rejects and 3.11 accepts (bpo-33346).
const NESTED_CELL: &str = "rows = [[await fetch(x) for x in row] for row in table]";

fn notebook(cell: &str) -> String {
    serde_json::json!({
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null,
                   "source": [cell]}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5
    })
    .to_string()
}

fn check(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_asyncell"))
        .current_dir(dir)
        .args(["check", "--output-format", "concise"])
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn project(pyproject: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join("nested.ipynb"), notebook(NESTED_CELL)).unwrap();
    if let Some(text) = pyproject {
        std::fs::write(dir.path().join("pyproject.toml"), text).unwrap();
    }
    dir
}

#[test]
fn the_default_target_is_the_oldest_supported_python() {
    let dir = project(None);
    let output = check(dir.path(), &["nested.ipynb"]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let text = stdout(&output);
    assert!(
        text.contains("LOOP101") && text.contains("Python 3.10"),
        "{text}"
    );
    let output = check(dir.path(), &["--target-version", "py311", "nested.ipynb"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn requires_python_sets_the_target_and_the_flag_overrides_it() {
    let dir = project(Some(
        "[project]\nname = \"p\"\nrequires-python = \">=3.11\"\n\n[tool.asyncell]\n",
    ));
    let output = check(dir.path(), &["nested.ipynb"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let output = check(dir.path(), &["--target-version", "py310", "nested.ipynb"]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    // The table's own `target-version` wins over `requires-python`.
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[project]\nrequires-python = \">=3.11\"\n[tool.asyncell]\ntarget-version = \"py310\"\n",
    )
    .unwrap();
    let output = check(dir.path(), &["nested.ipynb"]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
}

#[test]
fn the_loop501_message_follows_the_target_version() {
    let dir = project(None);
    std::fs::write(
        dir.path().join("script.py"),
        "import asyncio\nloop = asyncio.get_event_loop()\n",
    )
    .unwrap();
    let output = check(
        dir.path(),
        &["--config", "target-version = \"py314\"", "script.py"],
    );
    let text = stdout(&output);
    assert!(
        text.contains("raises RuntimeError on Python 3.14"),
        "{text}"
    );
    let output = check(dir.path(), &["--target-version", "py312", "script.py"]);
    let text = stdout(&output);
    assert!(
        text.contains("DeprecationWarning") && text.contains("Python 3.12"),
        "{text}"
    );
}

#[test]
fn an_unsupported_version_is_a_usage_error_that_names_the_choices() {
    let dir = project(None);
    let output = check(dir.path(), &["--target-version", "py39", "nested.ipynb"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("py39") && stderr.contains("py310"),
        "{stderr}"
    );
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.asyncell]\ntarget-version = \"3.12\"\n",
    )
    .unwrap();
    let output = check(dir.path(), &["nested.ipynb"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("pyproject.toml") && stderr.contains("py312"),
        "{stderr}"
    );
}
