"""`asyncell check` as a user runs it: walking a project, bad files named, exit codes."""

from __future__ import annotations

import json
import subprocess


def run_check(binary, *args, cwd):
    proc = subprocess.run([str(binary), "check", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


def test_a_clean_project_exits_zero(asyncell_bin, tmp_path):
    (tmp_path / "ok.py").write_text("import trio\n\nasync def main():\n    await trio.sleep(1)\n\ntrio.run(main)\n")
    code, stdout, stderr = run_check(asyncell_bin, cwd=tmp_path)
    assert code == 0, stderr
    assert stdout == ""
    assert "All checks passed (1 file)." in stderr


def test_unreadable_files_are_named_and_the_rest_still_checked(asyncell_bin, tmp_path):
    (tmp_path / "latin1.py").write_bytes(b"s = '\xe9t\xe9'\n")
    (tmp_path / "broken.ipynb").write_text('{"cells": [')
    (tmp_path / "real.py").write_text("import asyncio\n\nasync def main(): ...\n\nmain()\n")
    code, stdout, stderr = run_check(asyncell_bin, cwd=tmp_path)
    assert code == 2
    assert "latin1.py: not valid UTF-8 (byte 0xE9 at offset 5, line 1)" in stderr
    assert "re-save the file as UTF-8" in stderr
    assert "broken.ipynb: not valid notebook JSON" in stderr
    assert "real.py:5:1: LOOP300" in stdout


def test_gitignored_files_are_skipped_but_named_files_are_checked(asyncell_bin, tmp_path):
    (tmp_path / ".gitignore").write_text("build/\n")
    (tmp_path / "build").mkdir()
    mistake = "# %%\nimport asyncio\nasync def f(): ...\nasyncio.run(f())\n"
    (tmp_path / "build" / "generated.py").write_text(mistake)
    (tmp_path / "cells.py").write_text(mistake)
    code, stdout, _ = run_check(asyncell_bin, ".", cwd=tmp_path)
    assert code == 1
    assert "cells.py:4:1: LOOP200" in stdout
    assert "generated.py" not in stdout
    code, stdout, _ = run_check(asyncell_bin, "build/generated.py", cwd=tmp_path)
    assert code == 1 and "generated.py:4:1: LOOP200" in stdout


def test_notebook_json_rows_are_relative_to_their_cell(asyncell_bin, tmp_path):
    notebook = {
        "cells": [
            {"cell_type": "markdown", "source": ["# Title\n"]},
            {"cell_type": "code", "source": ["%autoawait trio\n", "import trio\n"]},
            {"cell_type": "code", "source": ["x = 1\n", "trio.run(main)\n"]},
        ],
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
    }
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook))
    code, stdout, _ = run_check(asyncell_bin, "--output-format", "json", cwd=tmp_path)
    assert code == 1
    [finding] = json.loads(stdout)
    assert finding["code"] == "LOOP200"
    assert finding["cell"] == 3
    assert finding["location"] == {"row": 2, "column": 1}
    assert finding["filename"].endswith("nb.ipynb")
    assert finding["fix"]["edits"][0]["content"] == "await main()"


def test_pyproject_configuration_and_flags_layer(asyncell_bin, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.asyncell]\nignore = ["LOOP300"]\n')
    (tmp_path / "cells.py").write_text("# %%\nasync def f(): ...\n# %%\nf()\n")
    code, stdout, _ = run_check(asyncell_bin, cwd=tmp_path)
    assert code == 0, stdout
    # A flag replaces the file's list (layers override, as documented).
    code, stdout, _ = run_check(asyncell_bin, "--ignore", "LOOP2", cwd=tmp_path)
    assert code == 1 and "LOOP300" in stdout
    (tmp_path / "pyproject.toml").write_text('[tool.asyncell]\nloop = "uvloop"\n')
    code, _, stderr = run_check(asyncell_bin, cwd=tmp_path)
    assert code == 2
    assert "pyproject.toml" in stderr and "uvloop" in stderr


def test_usage_errors_exit_two(asyncell_bin, tmp_path):
    code, _, stderr = run_check(asyncell_bin, "missing_dir", cwd=tmp_path)
    assert code == 2 and "missing_dir: no such file or directory" in stderr
    code, _, stderr = run_check(asyncell_bin, "--loop", "curio", cwd=tmp_path)
    assert code == 2 and "curio" in stderr
