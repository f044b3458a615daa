//! The user chooses what runs, never the repository (issue 11), for the CLI: the real
//! binary on real files, with real interpreters.
//!
//! - `asyncell run` ignores `python` in pyproject.toml (a warning says where to set it),
//!   uses the project's own `.venv` as `uv run` does, and names the interpreter;
//! - `asyncell check` and `asyncell run` look for configuration up to the first directory
//!   that holds `.git`, and never read a pyproject.toml another user owns.
//!
//! "It ran" is a marker file that the would-be interpreter touches before it execs a
//! real python.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const NESTED: &str = "import nest_asyncio\nnest_asyncio.apply()\n";
const IGNORE_LOOP201: &str = "[tool.asyncell]\nignore = [\"LOOP201\"]\n";

/// A real python to exec into: the repository's venv if there is one, else `python3`.
fn real_python() -> String {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python");
    if venv.exists() {
        venv.to_string_lossy().into_owned()
    } else {
        "python3".into()
    }
}

/// `root/.venv/bin/python`: touches `marker`, then execs a real python.
fn fake_venv(root: &Path, marker: &Path) -> PathBuf {
    let bin = root.join(".venv").join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let python = bin.join("python");
    std::fs::write(
        &python,
        format!(
            "#!/bin/sh\ntouch '{}'\nexec '{}' \"$@\"\n",
            marker.display(),
            real_python()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();
    python
}

fn asyncell(args: &[&str], cwd: &Path) -> Output {
    let cache = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_asyncell"))
        .args(args)
        .current_dir(cwd)
        .env_remove("VIRTUAL_ENV")
        .env("XDG_CACHE_HOME", cache.path())
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The codes `asyncell check --output-format json` reports for `path`.
fn check_codes(path: &Path, cwd: &Path) -> (Vec<String>, String) {
    let output = asyncell(
        &["check", "--output-format", "json", path.to_str().unwrap()],
        cwd,
    );
    let items: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(&output), stderr(&output)));
    let codes = items
        .iter()
        .map(|item| item["code"].as_str().unwrap().to_string())
        .collect();
    (codes, stderr(&output))
}

fn running_as_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

#[test]
fn run_ignores_python_in_pyproject_and_says_where_to_set_it() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("MARKER");
    std::fs::write(
        dir.path().join("pyproject.toml"),
        format!(
            "[tool.asyncell]\npython = [\"sh\", \"-c\", \"touch {}; exec python3 \\\"$@\\\"\", \"sh\"]\n",
            marker.display()
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("a.py"), "print('ran', 6 * 7)\n").unwrap();
    let output = asyncell(&["run", "a.py"], dir.path());
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("ran 42"), "{}", stdout(&output));
    assert!(!marker.exists(), "the pyproject.toml's command ran");
    let warning = stderr(&output);
    assert!(
        warning.contains("ignored `python`") && warning.contains("--python"),
        "{warning}"
    );
    assert!(
        warning.contains("running on python3"),
        "the interpreter is named: {warning}"
    );
}

#[test]
fn run_uses_the_projects_venv_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    std::fs::create_dir_all(project.join("src")).unwrap();
    std::fs::write(project.join("pyproject.toml"), "[project]\nname = 'p'\n").unwrap();
    let marker = dir.path().join("VENV_RAN");
    let python = fake_venv(&project, &marker);
    std::fs::write(project.join("src").join("a.py"), "print('ok')\n").unwrap();
    // Run from outside the project: the project is found from the file.
    let output = asyncell(&["run", "project/src/a.py"], dir.path());
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        marker.exists(),
        "the project's .venv/bin/python did not run"
    );
    let header = stderr(&output);
    assert!(
        header.contains(&format!("running on {} (Python 3.", python.display()))
            && header.contains("from the project's .venv"),
        "{header}"
    );
}

#[test]
fn check_looks_for_configuration_up_to_the_repository_root() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pyproject.toml"), IGNORE_LOOP201).unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join("pkg")).unwrap();
    let file = repo.join("pkg").join("a.py");
    std::fs::write(&file, NESTED).unwrap();
    // Control: without a repository boundary the pyproject.toml above applies.
    let (codes, _) = check_codes(&file, dir.path());
    assert!(!codes.contains(&"LOOP201".to_string()), "{codes:?}");
    std::fs::create_dir(repo.join(".git")).unwrap();
    let (codes, _) = check_codes(&file, dir.path());
    assert!(codes.contains(&"LOOP201".to_string()), "{codes:?}");
}

#[test]
fn check_never_reads_a_pyproject_owned_by_another_user() {
    if !running_as_root() {
        eprintln!("skipped: needs root to chown a directory to nobody");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let foreign = dir.path().join("theirs");
    std::fs::create_dir(&foreign).unwrap();
    let pyproject = foreign.join("pyproject.toml");
    std::fs::write(&pyproject, IGNORE_LOOP201).unwrap();
    let file = foreign.join("a.py");
    std::fs::write(&file, NESTED).unwrap();
    let (codes, _) = check_codes(&file, dir.path());
    assert!(
        !codes.contains(&"LOOP201".to_string()),
        "control: {codes:?}"
    );
    const NOBODY: u32 = 65534;
    std::os::unix::fs::chown(&foreign, Some(NOBODY), None).unwrap();
    let (codes, warning) = check_codes(&file, dir.path());
    assert!(codes.contains(&"LOOP201".to_string()), "{codes:?}");
    assert!(
        warning.contains(&pyproject.display().to_string())
            && warning.contains("another user (uid 65534)"),
        "{warning}"
    );
}

#[test]
fn run_skips_a_venv_owned_by_another_user() {
    if !running_as_root() {
        eprintln!("skipped: needs root to chown a directory to nobody");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let marker = dir.path().join("VENV_RAN");
    fake_venv(dir.path(), &marker);
    std::os::unix::fs::chown(dir.path().join(".venv"), Some(65534), None).unwrap();
    std::fs::write(dir.path().join("a.py"), "print('ok')\n").unwrap();
    let output = asyncell(&["run", "a.py"], dir.path());
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!marker.exists(), "another user's .venv ran");
    assert!(
        stderr(&output).contains("running on python3"),
        "{}",
        stderr(&output)
    );
}
