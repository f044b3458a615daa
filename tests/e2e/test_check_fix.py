"""`asyncell check --fix / --unsafe-fixes / --diff` as CI and pre-commit run it: on
scripts, `# %%` cell files and notebooks, from files and from stdin."""

from __future__ import annotations

import json
import os
import stat
import subprocess

import pytest

# LOOP303 and LOOP501 have safe fixes, LOOP300 an unsafe one.
SCRIPT = """\
import asyncio

async def tick():
    await asyncio.sleep(0)

async def main():
    task = asyncio.create_task(tick)
    await asyncio.sleep(0, loop=None)
    tick()
    await task
"""

CELLS = """\
# %%
import asyncio

async def main():
    await asyncio.sleep(0)

# %%
result = asyncio.run(main())
main()
"""

# Jupyter's layout is not the only one: 1-space indentation, keys out of nbformat's
# order, outputs, metadata, escaped non-ASCII, a markdown cell, a string source.
NOTEBOOK = """\
{
 "nbformat_minor": 5,
 "metadata": {"language_info": {"name": "python"}, "kernelspec": {"display_name": "Python 3", "name": "python3"}},
 "cells": [
  {
   "source": ["# Caf\\u00e9 notes\\n", "asyncio.run(main()) in prose"],
   "metadata": {},
   "cell_type": "markdown"
  },
  {
   "outputs": [],
   "cell_type": "code",
   "metadata": {"tags": ["setup"]},
   "execution_count": 1,
   "id": "a1",
   "source": [
    "import asyncio\\n",
    "\\n",
    "async def main():\\n",
    "    await asyncio.sleep(0)\\n",
    "    return 42"
   ]
  },
  {
   "id": "b2",
   "cell_type": "code",
   "execution_count": 2,
   "metadata": {"collapsed": false},
   "source": [
    "x = asyncio.run(main())\\n",
    "main()"
   ],
   "outputs": [
    {"output_type": "execute_result", "data": {"text/plain": ["42"]}, "metadata": {}, "execution_count": 2},
    {"output_type": "stream", "name": "stderr", "text": ["RuntimeWarning: coroutine 'main' was never awaited\\n"]}
   ]
  },
  {"cell_type": "code", "source": "print(x)", "metadata": {}, "outputs": [], "execution_count": null, "id": "c3"}
 ],
 "nbformat": 4
}
"""


def run_check(binary, *args, cwd, stdin: str | None = None):
    proc = subprocess.run(
        [str(binary), "check", *args], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=60,
    )
    return proc.returncode, proc.stdout, proc.stderr


def findings(binary, path, *args):
    """The JSON findings for one file, re-checked from disk."""
    code, stdout, stderr = run_check(binary, "--output-format", "json", *args, str(path), cwd=path.parent)
    assert code in (0, 1), stderr
    return json.loads(stdout)


def fixable_codes(items, applicabilities=("safe",)):
    return sorted(i["code"] for i in items if i["fix"] and i["fix"]["applicability"] in applicabilities)


def test_json_states_each_fixs_applicability(asyncell_bin, tmp_path):
    path = tmp_path / "app.py"
    path.write_text(SCRIPT)
    items = findings(asyncell_bin, path)
    by_code = {i["code"]: i["fix"]["applicability"] for i in items if i["fix"]}
    assert by_code == {"LOOP303": "safe", "LOOP501": "safe", "LOOP300": "unsafe"}


def test_the_summary_explains_the_marker_and_the_hidden_fixes(asyncell_bin, tmp_path):
    (tmp_path / "app.py").write_text(SCRIPT)
    code, stdout, stderr = run_check(asyncell_bin, "app.py", cwd=tmp_path)
    assert code == 1
    marked = sorted(line.split()[1] for line in stdout.splitlines() if "[*]" in line)
    assert marked == ["LOOP303", "LOOP501"]
    assert "[*] 2 fixable with `--fix` (1 hidden fix can be enabled with the `--unsafe-fixes` option)." in stderr
    # With --unsafe-fixes the unsafe fix is fixable too.
    code, stdout, stderr = run_check(asyncell_bin, "--unsafe-fixes", "app.py", cwd=tmp_path)
    marked = sorted(line.split()[1] for line in stdout.splitlines() if "[*]" in line)
    assert marked == ["LOOP300", "LOOP303", "LOOP501"]
    assert "[*] 3 fixable with `--fix`." in stderr


def test_fix_applies_safe_fixes_and_unsafe_fixes_only_when_asked(asyncell_bin, tmp_path):
    path = tmp_path / "app.py"
    path.write_text(SCRIPT)
    os.chmod(path, 0o640)
    code, stdout, stderr = run_check(asyncell_bin, "--fix", "app.py", cwd=tmp_path)
    assert code == 1, stderr  # LOOP300 remains
    fixed = path.read_text()
    assert "asyncio.create_task(tick())" in fixed
    assert "await asyncio.sleep(0)\n    tick()" in fixed
    assert "\n    tick()\n" in fixed
    assert [line.split()[1] for line in stdout.splitlines()] == ["LOOP300"]
    assert "Found 3 errors (2 fixed, 1 remaining) in 1 file." in stderr
    assert "(1 hidden fix can be enabled with the `--unsafe-fixes` option)" in stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(os.listdir(tmp_path)) == ["app.py"]  # no temporary file left
    # Re-checked, no finding with a safe fix is left.
    assert fixable_codes(findings(asyncell_bin, path)) == []

    code, _, stderr = run_check(asyncell_bin, "--fix", "--unsafe-fixes", "app.py", cwd=tmp_path)
    assert code == 0, stderr
    assert "\n    await tick()\n" in path.read_text()
    assert fixable_codes(findings(asyncell_bin, path), ("safe", "unsafe")) == []


def test_diff_prints_a_unified_diff_and_writes_nothing(asyncell_bin, tmp_path):
    path = tmp_path / "app.py"
    path.write_text(SCRIPT)
    before = path.stat().st_mtime_ns
    code, stdout, stderr = run_check(asyncell_bin, "--diff", "app.py", cwd=tmp_path)
    assert code == 1, stderr
    assert stdout.startswith("--- app.py\n+++ app.py\n@@ ")
    assert "\n-    task = asyncio.create_task(tick)\n" in stdout
    assert "\n+    task = asyncio.create_task(tick())\n" in stdout
    assert "+    tick()" not in stdout and "await tick()" not in stdout  # unsafe: not without --unsafe-fixes
    assert "Would fix 2 errors in 1 file; 1 error would remain." in stderr
    assert path.read_text() == SCRIPT and path.stat().st_mtime_ns == before

    code, stdout, _ = run_check(asyncell_bin, "--diff", "--unsafe-fixes", "app.py", cwd=tmp_path)
    assert code == 1
    assert "+    await tick()\n" in stdout

    # Once fixed, there is nothing to diff: exit 0, even though LOOP300 remains.
    run_check(asyncell_bin, "--fix", "app.py", cwd=tmp_path)
    code, stdout, stderr = run_check(asyncell_bin, "--diff", "app.py", cwd=tmp_path)
    assert (code, stdout) == (0, ""), stderr


def test_cell_files_are_fixed_in_place(asyncell_bin, tmp_path):
    path = tmp_path / "cells.py"
    path.write_text(CELLS)
    code, stdout, stderr = run_check(asyncell_bin, "--fix", "cells.py", cwd=tmp_path)
    assert code == 1, stderr
    assert path.read_text() == CELLS.replace("asyncio.run(main())", "await main()")
    assert fixable_codes(findings(asyncell_bin, path)) == []
    code, _, _ = run_check(asyncell_bin, "--fix", "--unsafe-fixes", "cells.py", cwd=tmp_path)
    assert code == 0
    assert path.read_text().endswith("result = await main()\nawait main()\n")


def test_notebook_json_outside_the_changed_cells_is_kept_byte_for_byte(asyncell_bin, tmp_path):
    path = tmp_path / "nb.ipynb"
    path.write_text(NOTEBOOK)
    code, stdout, stderr = run_check(asyncell_bin, "--diff", "nb.ipynb", cwd=tmp_path)
    assert code == 1, stderr
    assert stdout == (
        "--- nb.ipynb:cell 3\n+++ nb.ipynb:cell 3\n@@ -1,2 +1,2 @@\n"
        "-x = asyncio.run(main())\n+x = await main()\n main()\n"
    )
    assert path.read_text() == NOTEBOOK

    code, stdout, stderr = run_check(asyncell_bin, "--fix", "nb.ipynb", cwd=tmp_path)
    assert code == 1, stderr  # the unsafe LOOP300 on `main()` remains
    assert "nb.ipynb:cell 3:2:1: LOOP300" in stdout
    expected = NOTEBOOK.replace('"x = asyncio.run(main())\\n"', '"x = await main()\\n"')
    assert expected != NOTEBOOK
    assert path.read_text() == expected
    assert fixable_codes(findings(asyncell_bin, path)) == []

    code, _, stderr = run_check(asyncell_bin, "--fix", "--unsafe-fixes", "nb.ipynb", cwd=tmp_path)
    assert code == 0, stderr
    assert path.read_text() == expected.replace('    "main()"\n', '    "await main()"\n')
    notebook = json.loads(path.read_text())
    assert notebook["cells"][2]["outputs"] == json.loads(NOTEBOOK)["cells"][2]["outputs"]


def test_stdin_round_trip(asyncell_bin, tmp_path):
    # The name only says what kind of file it is and what to call it: never written.
    (tmp_path / "app.py").write_text("# the file on disk\n")
    code, stdout, stderr = run_check(asyncell_bin, "-", "--stdin-filename", "app.py", cwd=tmp_path, stdin=SCRIPT)
    assert code == 1
    assert all(line.startswith("app.py:") for line in stdout.splitlines()), stdout

    code, stdout, stderr = run_check(
        asyncell_bin, "-", "--stdin-filename", "app.py", "--fix", cwd=tmp_path, stdin=SCRIPT,
    )
    assert code == 1
    assert stdout == SCRIPT.replace("create_task(tick)", "create_task(tick())").replace(
        ", loop=None", "")
    assert "app.py:9:5: LOOP300" in stderr
    assert (tmp_path / "app.py").read_text() == "# the file on disk\n"

    # --stdin-filename alone implies stdin, as in Ruff.
    code, implied, _ = run_check(asyncell_bin, "--stdin-filename", "app.py", "--fix", cwd=tmp_path, stdin=SCRIPT)
    assert implied == stdout

    # Fixing what is already fixed gives the text back unchanged.
    code, again, _ = run_check(asyncell_bin, "-", "--stdin-filename", "app.py", "--fix", cwd=tmp_path, stdin=stdout)
    assert again == stdout

    # A notebook on stdin comes back with only its changed cell's source rewritten.
    code, stdout, stderr = run_check(
        asyncell_bin, "-", "--stdin-filename", "nb.ipynb", "--fix", cwd=tmp_path, stdin=NOTEBOOK,
    )
    assert stdout == NOTEBOOK.replace('"x = asyncio.run(main())\\n"', '"x = await main()\\n"'), stderr


def test_show_fixes_and_exit_non_zero_on_fix(asyncell_bin, tmp_path):
    only_safe = "import asyncio\n\nasync def main():\n    await asyncio.sleep(0, loop=None)\n    await asyncio.sleep(0)\n"
    path = tmp_path / "app.py"
    path.write_text(only_safe)
    code, stdout, stderr = run_check(asyncell_bin, "--fix", "--show-fixes", "app.py", cwd=tmp_path)
    assert code == 0, stderr
    assert "Fixed 1 error:\n- app.py:\n    1 × LOOP501 (removed-asyncio-api)\n" in stdout
    path.write_text(only_safe)
    code, _, stderr = run_check(asyncell_bin, "--fix", "--exit-non-zero-on-fix", "app.py", cwd=tmp_path)
    assert code == 1, stderr
    assert "Found 1 error (1 fixed, 0 remaining) in 1 file." in stderr
    # Nothing left to fix: exit 0 again.
    code, _, _ = run_check(asyncell_bin, "--fix", "--exit-non-zero-on-fix", "app.py", cwd=tmp_path)
    assert code == 0


def test_a_file_in_another_encoding_is_not_rewritten(asyncell_bin, tmp_path):
    source = ("# -*- coding: latin-1 -*-\n" + SCRIPT + "s = 'caf\xe9'\n").encode("latin-1")
    path = tmp_path / "latin.py"
    path.write_bytes(source)
    code, _, stderr = run_check(asyncell_bin, "--fix", "latin.py", cwd=tmp_path)
    assert code == 2
    assert "latin.py: not fixed: the file is not UTF-8" in stderr
    assert path.read_bytes() == source


@pytest.mark.parametrize("flag", ["--fix", "--unsafe-fixes", "--diff", "--show-fixes", "--exit-non-zero-on-fix", "--stdin-filename"])
def test_every_fix_flag_is_documented_in_help(asyncell_bin, tmp_path, flag):
    proc = subprocess.run([str(asyncell_bin), "check", "--help"], capture_output=True, text=True, timeout=60)
    assert flag in proc.stdout
