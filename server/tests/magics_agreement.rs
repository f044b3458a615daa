//! The checker and the host agree on the magics: `analysis::magics` (what LOOP102 lets
//! through) is the host's `SUPPORTED` (server/host/asyncell/magics.py), read both as the
//! literal in the file and as `python -m asyncell.magics` prints it, and the supported
//! list in LOOP102's messages is the one the host's UsageError gives.

use std::path::{Path, PathBuf};
use std::process::Command;

use asyncell::analysis::magics;
use serde_json::{json, Value};

fn host_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("host")
}

/// A real python: the repository's venv if there is one, else `python3`.
fn python() -> PathBuf {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python");
    if venv.exists() {
        venv
    } else {
        "python3".into()
    }
}

fn rust_list() -> Value {
    json!({
        "line_magics": magics::LINE_MAGICS,
        "cell_magics": magics::CELL_MAGICS,
        "escapes": magics::ESCAPES,
    })
}

fn host_python(args: &[&str]) -> String {
    let output = Command::new(python())
        .args(args)
        .current_dir(host_dir())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_host_prints_the_list_the_checker_holds() {
    let printed: Value = serde_json::from_str(&host_python(&["-m", "asyncell.magics"])).unwrap();
    assert_eq!(
        printed,
        rust_list(),
        "update analysis/magics.rs to the host's SUPPORTED"
    );
}

#[test]
fn the_literal_in_magics_py_is_the_list_the_checker_holds() {
    let source = std::fs::read_to_string(host_dir().join("asyncell/magics.py")).unwrap();
    let start = source
        .find("\nSUPPORTED = {")
        .expect("SUPPORTED in magics.py")
        + 13;
    let end = start + source[start..].find("\n}").expect("the literal's end") + 2;
    let literal: Value = serde_json::from_str(&without_trailing_commas(&source[start..end]))
        .expect("SUPPORTED is a plain literal of strings and lists");
    assert_eq!(literal, rust_list());
}

#[test]
fn loop102_lists_what_the_hosts_usage_error_lists() {
    let host = host_python(&[
        "-c",
        "from asyncell.magics import supported_text; print(supported_text())",
    ]);
    assert_eq!(host.trim_end(), magics::supported_text());
}

/// Python allows `[a, b,]`; JSON does not.
fn without_trailing_commas(literal: &str) -> String {
    let mut out = String::with_capacity(literal.len());
    let mut chars = literal.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ',' {
            let rest: String = chars.clone().collect();
            if rest.trim_start().starts_with(['}', ']']) {
                continue;
            }
        }
        out.push(c);
    }
    out
}
