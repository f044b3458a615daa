"""Which files `asyncell check` looks at, as Ruff decides it: default exclusions
(virtualenvs, build output, VCS metadata), `exclude` / `extend-exclude` /
`per-file-ignores` / `force-exclude` in `[tool.asyncell]`, `--isolated`, and a named file
that is not Python."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

# One ASYNC251 (time.sleep in async def) and one ASYNC124 (never awaits) at lines 5 / 4.
MISTAKE = "import time\n\n\nasync def poll():\n    time.sleep(1)\n"


def check(asyncell_bin, *args, cwd):
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    return subprocess.run([str(asyncell_bin), "check", "--output-format", "json", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=60)


def findings(done) -> set[tuple[str, str]]:
    return {(Path(item["filename"]).as_posix(), item["code"]) for item in json.loads(done.stdout or "[]")}


def files_of(done) -> set[str]:
    return {name for name, _ in findings(done)}


def write(root: Path, relative: str, text: str = MISTAKE) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_plain_venv_and_build_output_are_not_walked(asyncell_bin, tmp_path):
    write(tmp_path, "src/app.py")
    write(tmp_path, "venv/lib/python3.11/site-packages/dep/mod.py")
    write(tmp_path, ".venv/lib/python3.11/site-packages/dep/mod.py")
    write(tmp_path, "build/lib/app.py")
    write(tmp_path, "node_modules/x/y.py")
    done = check(asyncell_bin, ".", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert files_of(done) == {"src/app.py"}


def test_exclude_replaces_the_defaults_and_extend_exclude_adds_to_them(asyncell_bin, tmp_path):
    write(tmp_path, "src/app.py")
    write(tmp_path, "src/generated/api_pb2.py")
    write(tmp_path, "venv/dep.py")
    (tmp_path / "pyproject.toml").write_text('[tool.asyncell]\nextend-exclude = ["*_pb2.py"]\n')
    assert files_of(check(asyncell_bin, ".", cwd=tmp_path)) == {"src/app.py"}
    (tmp_path / "pyproject.toml").write_text('[tool.asyncell]\nexclude = ["src/generated"]\n')
    assert files_of(check(asyncell_bin, ".", cwd=tmp_path)) == {"src/app.py", "venv/dep.py"}


def test_a_named_file_is_checked_even_if_excluded_unless_force_exclude(asyncell_bin, tmp_path):
    write(tmp_path, "venv/dep.py")
    named = check(asyncell_bin, "venv/dep.py", cwd=tmp_path)
    assert files_of(named) == {"venv/dep.py"}
    forced = check(asyncell_bin, "--force-exclude", "venv/dep.py", cwd=tmp_path)
    assert forced.returncode == 0 and files_of(forced) == set(), forced.stderr
    (tmp_path / "pyproject.toml").write_text("[tool.asyncell]\nforce-exclude = true\n")
    assert files_of(check(asyncell_bin, "venv/dep.py", cwd=tmp_path)) == set()
    assert files_of(check(asyncell_bin, "--no-force-exclude", "venv/dep.py", cwd=tmp_path)) == {"venv/dep.py"}


def test_cli_patterns_are_relative_to_the_current_directory(asyncell_bin, tmp_path):
    write(tmp_path, "src/app.py")
    write(tmp_path, "src/legacy/old.py")
    done = check(asyncell_bin, "--extend-exclude", "src/legacy", ".", cwd=tmp_path)
    assert files_of(done) == {"src/app.py"}
    done = check(asyncell_bin, "--exclude", "app.py", ".", cwd=tmp_path)
    assert files_of(done) == {"src/legacy/old.py"}


def test_per_file_ignores_skip_codes_in_matching_files_only(asyncell_bin, tmp_path):
    write(tmp_path, "src/app.py")
    write(tmp_path, "tests/test_app.py")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.asyncell]\n[tool.asyncell.per-file-ignores]\n"tests/*.py" = ["async251"]\n"app.py" = ["ASYNC1"]\n'
    )
    done = check(asyncell_bin, ".", cwd=tmp_path)
    assert findings(done) == {("src/app.py", "ASYNC251"), ("tests/test_app.py", "ASYNC124")}, done.stdout


def test_a_typo_in_per_file_ignores_is_an_error_not_a_wider_ignore(asyncell_bin, tmp_path):
    write(tmp_path, "src/app.py")
    (tmp_path / "pyproject.toml").write_text('[tool.asyncell.per-file-ignores]\n"*.py" = ["ASYNC2511"]\n')
    done = check(asyncell_bin, ".", cwd=tmp_path)
    assert done.returncode == 2
    assert 'per-file-ignores "*.py"' in done.stderr and "ASYNC2511" in done.stderr, done.stderr


def test_a_pyproject_without_an_asyncell_table_does_not_hide_the_parents(asyncell_bin, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.asyncell]\nignore = ["ASYNC124"]\n')
    write(tmp_path, "pkg/pyproject.toml", '[project]\nname = "pkg"\n')
    write(tmp_path, "pkg/a.py")
    done = check(asyncell_bin, "pkg/a.py", cwd=tmp_path)
    assert findings(done) == {("pkg/a.py", "ASYNC251")}, done.stdout
    isolated = check(asyncell_bin, "--isolated", "pkg/a.py", cwd=tmp_path)
    assert findings(isolated) == {("pkg/a.py", "ASYNC251"), ("pkg/a.py", "ASYNC124")}, isolated.stdout


def test_a_named_file_that_is_not_python_is_skipped_with_a_warning(asyncell_bin, tmp_path):
    write(tmp_path, "README.md", "# Title\n\nSome *prose* with `code` and (unbalanced parens.\n")
    write(tmp_path, "app.py")
    done = check(asyncell_bin, "README.md", "app.py", cwd=tmp_path)
    assert done.returncode == 1
    assert "warning: README.md: skipped: not a Python file (.py, .pyi) or notebook (.ipynb)" in done.stderr
    assert files_of(done) == {"app.py"}
    assert not any(code == "E999" for _, code in findings(done))


def test_the_editor_applies_per_file_ignores_too(lsp, tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.asyncell.per-file-ignores]\n"tests/*.py" = ["ASYNC251"]\n'
    )
    test_file = write(tmp_path, "tests/test_app.py")
    app = write(tmp_path, "src/app.py")
    lsp.open(test_file.as_uri(), MISTAKE)
    lsp.open(app.as_uri(), MISTAKE)
    in_tests = lsp.diagnostics_for(test_file.as_uri(), lambda d: len(d) > 0)
    in_src = lsp.diagnostics_for(app.as_uri(), lambda d: len(d) > 1)
    assert sorted(d["code"] for d in in_tests) == ["ASYNC124"]
    assert sorted(d["code"] for d in in_src) == ["ASYNC124", "ASYNC251"]
