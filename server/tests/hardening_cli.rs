//! `asyncell check`'s messages and exit codes for input that used to pass silently or
//! fail with the wrong message: unknown and empty rule selectors (flags and
//! pyproject.toml), FIFOs, devices and sockets named on the command line, PEP 263 coding
//! lines, a BOM before notebook JSON, and the summary line after an error. Each test
//! runs the real binary and asserts its exit code and the exact lines a user reads.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A coroutine that is never awaited: one LOOP300 finding on line 3.
const UNAWAITED: &str = "import asyncio\nasync def f(): pass\nf()\n";

const FINDING_TEXT: &str =
    "LOOP300 `f()` is async but its coroutine is dropped: the body never runs \
     (RuntimeWarning: coroutine 'f' was never awaited)";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `asyncell check ARGS` in `dir`, killing it (and failing) if it takes over 20 s:
/// a FIFO that is opened for reading blocks forever.
fn check_in(dir: &Path, args: &[&str], stdin: Stdio) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_asyncell"))
        .arg("check")
        .args(args)
        .current_dir(dir)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Keep our end of a piped stdin open while the checker runs, so a read of
    // /dev/stdin would block rather than see end-of-file.
    let _stdin = child.stdin.take();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("asyncell check {args:?} did not finish in 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    Run {
        code: status.code().expect("exited, not killed by a signal"),
        stdout,
        stderr,
    }
}

fn check(dir: &Path, args: &[&str]) -> Run {
    check_in(dir, args, Stdio::null())
}

fn project(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    dir
}

fn stderr_lines(run: &Run) -> Vec<&str> {
    run.stderr.lines().collect()
}

#[test]
fn an_unknown_select_on_the_command_line_is_exit_2_and_nothing_is_checked() {
    let dir = project(&[("bad.py", UNAWAITED.as_bytes())]);
    let run = check(dir.path(), &["--select", "ZZZ999", "bad.py"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        stderr_lines(&run),
        [
            "error: unknown rule selector `ZZZ999` in --select; selectors are `ALL`, a rule code \
          or a code prefix such as `LOOP` or `ASYNC9`; `asyncell rule --all` lists the rules"
        ]
    );
    assert_eq!(run.stdout, "");

    let run = check(dir.path(), &["--select", "LOOOP", "bad.py"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        stderr_lines(&run),
        ["error: unknown rule selector `LOOOP` in --select; did you mean `LOOP`?"]
    );
}

#[test]
fn an_unknown_ignore_names_the_rules_of_its_family() {
    let dir = project(&[("bad.py", UNAWAITED.as_bytes())]);
    let run = check(dir.path(), &["--ignore", "LOOP999", "bad.py"]);
    assert_eq!(run.code, 2);
    let lines = stderr_lines(&run);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with(
            "error: unknown rule selector `LOOP999` in --ignore; the LOOP rules are LOOP100, \
             LOOP101, LOOP102, LOOP200,"
        ),
        "{lines:?}"
    );
}

#[test]
fn selectors_are_case_insensitive() {
    let dir = project(&[("bad.py", UNAWAITED.as_bytes())]);
    let run = check(dir.path(), &["--select", "loop300", "bad.py"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout, format!("bad.py:3:1: {FINDING_TEXT}\n"));
    assert_eq!(stderr_lines(&run), ["Found 1 error in 1 file."]);
}

#[test]
fn empty_selectors_are_refused() {
    let dir = project(&[("bad.py", UNAWAITED.as_bytes())]);
    let run = check(dir.path(), &["--ignore", "", "bad.py"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        stderr_lines(&run),
        [
            "error: empty rule selector in --ignore; remove it (a stray comma?): an empty \
          selector would match every rule"
        ]
    );
    let run = check(dir.path(), &["--select", "LOOP,", "bad.py"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        stderr_lines(&run),
        [
            "error: empty rule selector in --select; remove it (a stray comma?): an empty \
          selector would match every rule"
        ]
    );
}

#[test]
fn an_unknown_selector_in_pyproject_is_exit_2_with_the_file_named_once() {
    let dir = project(&[
        (
            "pyproject.toml",
            b"[tool.asyncell]\nselect = [\"LOOOP\"]\nignore = [\"\"]\n",
        ),
        ("a.py", UNAWAITED.as_bytes()),
        ("sub/b.py", UNAWAITED.as_bytes()),
    ]);
    let run = check(dir.path(), &["."]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(
        stderr_lines(&run),
        [
            "error: unknown rule selector `LOOOP` in ./pyproject.toml [tool.asyncell] select; \
             did you mean `LOOP`?",
            "error: empty rule selector in ./pyproject.toml [tool.asyncell] ignore; remove it \
             (a stray comma?): an empty selector would match every rule",
            "  (2 files under it not checked)",
            "No files checked: 1 problem (above).",
        ]
    );
}

#[test]
fn a_valid_lower_case_selector_in_pyproject_applies() {
    let dir = project(&[
        ("pyproject.toml", b"[tool.asyncell]\nignore = [\"loop3\"]\n"),
        ("a.py", UNAWAITED.as_bytes()),
    ]);
    let run = check(dir.path(), &["a.py"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(stderr_lines(&run), ["All checks passed (1 file)."]);
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let name = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
}

#[cfg(unix)]
#[test]
fn a_fifo_named_on_the_command_line_is_reported_and_never_opened() {
    let dir = project(&[("ok.py", b"x = 1\n")]);
    mkfifo(&dir.path().join("pipe.py"));
    let run = check(dir.path(), &["pipe.py"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        stderr_lines(&run),
        [
            "error: pipe.py: is a FIFO (named pipe), not a regular file: asyncell reads only \
             regular files (save the content to a file first)",
            "No files checked: 1 problem (above).",
        ]
    );
    // Met during a directory walk, it is skipped like any other non-regular file.
    let run = check(dir.path(), &["."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(stderr_lines(&run), ["All checks passed (1 file)."]);
}

#[cfg(unix)]
#[test]
fn dev_stdin_devices_and_sockets_are_reported() {
    let dir = project(&[]);
    // stdin is a pipe whose writer stays open: reading it would block forever.
    let run = check_in(dir.path(), &["/dev/stdin"], Stdio::piped());
    assert_eq!(run.code, 2);
    assert_eq!(
        stderr_lines(&run)[0],
        "error: /dev/stdin: is a FIFO (named pipe), not a regular file: asyncell reads only \
         regular files (save the content to a file first)"
    );
    let run = check(dir.path(), &["/dev/null"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("error: /dev/null: is a character device, not a regular file"),
        "{}",
        run.stderr
    );
    let socket = dir.path().join("server.py");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let run = check(dir.path(), &["server.py"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("error: server.py: is a socket, not a regular file"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_summary_never_says_all_checks_passed_after_an_error() {
    let dir = project(&[("ok.py", b"x = 1\n"), ("bad.py", UNAWAITED.as_bytes())]);
    let run = check(dir.path(), &["missing.py", "ok.py"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        stderr_lines(&run),
        [
            "error: missing.py: no such file or directory",
            "No findings in the 1 file checked, but 1 problem (above) stopped checking.",
        ]
    );
    let run = check(dir.path(), &["missing.py", "bad.py"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        stderr_lines(&run).last(),
        Some(&"Found 1 error in 1 file; 1 problem (above) stopped checking.")
    );
    assert!(!run.stderr.contains("All checks passed"));
}

#[test]
fn a_latin_1_file_with_a_coding_line_is_checked_in_decoded_characters() {
    // `é` is one byte in Latin-1 and one character: `f()` starts at column 10.
    let dir = project(&[(
        "latin.py",
        b"# -*- coding: latin-1 -*-\nimport asyncio\nasync def f(): pass\nx = '\xe9'; f()\n",
    )]);
    let run = check(dir.path(), &["latin.py"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout, format!("latin.py:4:10: {FINDING_TEXT}\n"));
}

#[test]
fn a_cp1252_file_and_a_vim_modeline_are_honoured() {
    let dir = project(&[
        (
            "cp.py",
            b"#!/usr/bin/env python\n# coding: cp1252\nimport asyncio\nasync def f(): pass\nx = '\x80'; f()\n",
        ),
        (
            "vim.py",
            b"# vim: set fileencoding=iso8859-15 :\nimport asyncio\nasync def f(): pass\nf()\n",
        ),
    ]);
    let run = check(dir.path(), &["cp.py", "vim.py"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        format!("cp.py:5:10: {FINDING_TEXT}\nvim.py:4:1: {FINDING_TEXT}\n")
    );
}

#[test]
fn what_python_rejects_is_reported_in_its_words() {
    let dir = project(&[
        ("undefined.py", b"# coding: cp1252\nx = '\x81'\n"),
        ("unknown.py", b"# coding: foo\nx = 1\n"),
        ("bom.py", b"\xef\xbb\xbf# coding: latin-1\nx = 1\n"),
        ("plain.py", b"x = 1\ny = '\xe9'\n"),
    ]);
    let run = check(dir.path(), &["."]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        stderr_lines(&run),
        [
            "error: ./bom.py: encoding problem: iso-8859-1 with BOM (the file starts with a \
             UTF-8 byte order mark but its coding line declares iso-8859-1; Python rejects it \
             too): remove the coding line or the BOM",
            "error: ./plain.py: not valid UTF-8 (byte 0xE9 at offset 11, line 2) and no coding \
             line declares another encoding: re-save the file as UTF-8, or declare its \
             encoding on line 1 or 2 (`# -*- coding: latin-1 -*-`, PEP 263)",
            "error: ./undefined.py: not valid cp1252 (byte 0x81 at offset 22, line 2), the \
             encoding its coding line declares (Python rejects it too): fix the coding line \
             or re-save the file as UTF-8",
            "error: ./unknown.py: unknown encoding: foo (in the coding line; Python rejects it \
             too): name a codec Python knows, such as utf-8, latin-1 or cp1252",
            "No files checked: 4 problems (above).",
        ]
    );
}

#[test]
fn a_bom_before_notebook_json_is_accepted() {
    let notebook = "\u{feff}{\"cells\": [{\"cell_type\": \"code\", \"metadata\": {}, \
        \"source\": [\"import asyncio\\n\", \"async def f(): pass\\n\", \"f()\\n\"]}], \
        \"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 5}";
    let dir = project(&[("bom.ipynb", notebook.as_bytes())]);
    let run = check(dir.path(), &["bom.ipynb"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("bom.ipynb:cell 1:3:1: LOOP300 "),
        "{}",
        run.stdout
    );
}
