"""`check` and `run` agree on IPython magics: a notebook (and the same cells as a `# %%`
file) holding every magic and escape the host supports plus one it does not gets exactly
one finding from `asyncell check`, the same finding from `asyncell run` before it runs
anything, and then runs as that finding said: the supported magics work, the unsupported
line is one UsageError naming it, and the rest of its cell runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from exec_support import host_cache  # noqa: F401

CELLS = [
    "%autoawait asyncio\nimport asyncio, os\n%matplotlib inline\n!echo shell-hi\n"
    "files = !printf 'a\\nb\\n'\nprint(files)",
    "x = 41\n%time y = x + 1\nprint(y)",
    "%%time\nawait asyncio.sleep(0)\nprint('timed')",
    "x?\nx??",
    "home = %env HOME\nprint(home == os.environ['HOME'])",
    "%cd .\n%who",
    "for i in range(2):\n    !echo loop-$i",
    "%timeit x + 1",
    "%pip --version",
    "print('before')\n%load_ext autoreload\nprint('after')",
]
UNSUPPORTED_CELL = len(CELLS)  # 1-based, as findings number cells
UNSUPPORTED_LINE = 2


def write_notebook(path):
    path.write_text(json.dumps({
        "cells": [{"cell_type": "code", "metadata": {}, "source": cell, "outputs": [],
                   "execution_count": None} for cell in CELLS],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }))


def write_cell_file(path):
    path.write_text("".join(f"# %%\n{cell}\n\n" for cell in CELLS))


def unsupported_row(kind):
    """Where the finding is, as `check` prints it: notebook rows count from the cell."""
    if kind == "ipynb":
        return UNSUPPORTED_CELL, UNSUPPORTED_LINE
    above = sum(cell.count("\n") + 3 for cell in CELLS[:-1])  # marker, cell, blank line
    return None, above + 1 + UNSUPPORTED_LINE


def make(tmp_path, kind):
    path = tmp_path / f"magics.{'ipynb' if kind == 'ipynb' else 'py'}"
    (write_notebook if kind == "ipynb" else write_cell_file)(path)
    return path


def env_for(cache):
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    env.pop("VIRTUAL_ENV", None)
    return env


@pytest.mark.parametrize("kind", ["ipynb", "percent"])
def test_check_reports_exactly_the_unsupported_magic(asyncell_bin, tmp_path, kind):
    path = make(tmp_path, kind)
    done = subprocess.run([str(asyncell_bin), "check", "--no-cache", "--output-format", "json", path.name],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    findings = json.loads(done.stdout)
    assert [(f["code"], f.get("cell"), f["location"]["row"]) for f in findings] == [
        ("LOOP102", *unsupported_row(kind))
    ], findings
    message = findings[0]["message"]
    assert message.startswith("unknown magic `%load_ext`: this line fails with UsageError"), message
    assert "asyncell supports %autoawait, %cd, %env, %matplotlib, %pip, %time" in message


def stdout_of(record):
    return "".join(o["text"] for o in record["outputs"]
                   if o["output_type"] == "stream" and o["name"] == "stdout")


@pytest.mark.parametrize("kind", ["ipynb", "percent"])
def test_run_prints_the_finding_first_and_runs_as_it_said(asyncell_bin, host_cache, tmp_path, kind):
    path = make(tmp_path, kind)
    done = subprocess.run(
        [str(asyncell_bin), "run", "-q", "--output-format", "json", str(path), "--python", sys.executable],
        capture_output=True, text=True, timeout=120, env=env_for(host_cache), cwd=tmp_path,
    )
    # What check found, before anything ran: the first line of stderr, in check's form.
    cell, row = unsupported_row(kind)
    where = f"{path}:cell {cell}:{row}:1" if cell else f"{path}:{row}:1"
    lines = done.stderr.splitlines()
    assert lines[0].startswith(f"{where}: LOOP102 unknown magic `%load_ext`"), done.stderr
    assert lines[1].startswith("asyncell run: 1 finding above will fail when the cells run")
    assert done.returncode == 1, done.stderr

    records = [json.loads(line) for line in done.stdout.splitlines()]
    records = [r for r in records if not r.get("late")]
    # Every cell is code: "cell" counts them from 1 as check does, "cellIndex" from 0.
    assert [r["cell"] for r in records] == list(range(1, len(CELLS) + 1)), records
    assert [r["cellIndex"] for r in records] == list(range(len(CELLS))), records
    *supported, unsupported = records
    assert all(r["status"] == "ok" for r in supported), [(r["cell"], r["outputs"]) for r in supported if r["status"] != "ok"]
    out = [stdout_of(r) for r in records]
    assert out[0] == "shell-hi\n['a', 'b']\n"  # %autoawait, %matplotlib, !cmd, x = !cmd
    assert "Wall time:" in out[1] and out[1].endswith("42\n")  # %time statement
    assert "timed\n" in out[2] and "Wall time:" in out[2]  # %%time
    assert out[3].count("Type: int") == 2  # x?, x??
    assert out[4] == "True\n"  # x = %env HOME
    assert out[5].startswith(str(tmp_path)) and "files" in out[5]  # %cd, %who
    assert out[6] == "loop-0\nloop-1\n"  # an indented escape, with $name expanded
    assert "per loop" in out[7]  # %timeit
    assert out[8].startswith("pip ")  # %pip
    # The unsupported line: one UsageError naming it, at its place; the rest of the cell ran.
    assert unsupported["status"] == "error"
    kinds = [(o["output_type"], o.get("ename")) for o in unsupported["outputs"]]
    assert kinds == [("stream", None), ("error", "UsageError"), ("stream", None)], unsupported["outputs"]
    error = unsupported["outputs"][1]
    assert "unknown magic %load_ext" in error["evalue"]
    assert [o.get("text") for o in unsupported["outputs"][::2]] == ["before\n", "after\n"]
