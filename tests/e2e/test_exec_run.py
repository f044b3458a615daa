"""`asyncell run FILE`: every code cell in order on one persistent loop, from the command
line, with text or JSON output and executed-notebook writing."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from exec_support import host_cache  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "heartbeat.py"


def run(asyncell_bin, cache, *args, cwd=None):
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [str(asyncell_bin), "run", *map(str, args), "--python", sys.executable],
        capture_output=True, text=True, timeout=60, env=env, cwd=cwd,
    )


def test_text_output_streams_cells_of_the_example(asyncell_bin, host_cache):
    done = run(asyncell_bin, host_cache, EXAMPLE, "--loop", "trio")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "heartbeat started"
    assert re.fullmatch(r"\d+ beats while this cell slept", lines[1]) and not lines[1].startswith("0 ")
    assert lines[3] == "counter ready"
    assert lines[4].startswith("still beating:")


def test_json_output_has_nbformat_outputs_per_cell(asyncell_bin, host_cache):
    done = run(asyncell_bin, host_cache, EXAMPLE, "--output-format", "json")  # loop: auto → trio
    assert done.returncode == 0, done.stderr
    cells = [json.loads(line) for line in done.stdout.splitlines()]
    cells = [c for c in cells if not c.get("late")]
    # "cell": 1-based among all cells (the markdown cell on top is cell 1), as `check`
    # and the editor count; "cellIndex": 0-based among code cells.
    assert [c["cell"] for c in cells] == [2, 3, 4, 5, 6]
    assert [c["cellIndex"] for c in cells] == [0, 1, 2, 3, 4]
    assert [c["execution_count"] for c in cells] == [1, 2, 3, 4, 5]
    assert all(c["status"] == "ok" for c in cells)
    assert cells[0]["outputs"] == [{"output_type": "stream", "name": "stdout", "text": "heartbeat started\n"}]
    assert cells[3]["outputs"] == [{"output_type": "stream", "name": "stdout", "text": "counter ready\n"}]
    assert cells[1]["line"] == 28  # 1-based line of its `# %%` marker


LATE = """\
# %%
import trio
async def later():
    await trio.sleep(0.2)
    print("late hello")
    raise ValueError("late failure")
GLOBAL_NURSERY.start_soon(later)
# %%
await trio.sleep(1)
print("second")
"""


def test_output_after_a_cells_reply_is_kept_under_that_cell(asyncell_bin, host_cache, tmp_path):
    """A background task prints, then fails, after the cell that started it has answered:
    JSON output gives each late output its own record, and --write appends them to the
    starting cell, as Jupyter shows output of a task that outlives its cell."""
    script = tmp_path / "late.py"
    script.write_text(LATE)
    done = run(asyncell_bin, host_cache, script, "--output-format", "json")
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    late = [r for r in records if r.get("late")]
    assert [(r["cell"], r["cellIndex"]) for r in late] == [(1, 0), (1, 0)]
    assert late[0]["outputs"] == [{"output_type": "stream", "name": "stdout", "text": "late hello\n"}]
    assert "ValueError: late failure" in late[1]["outputs"][0]["text"]
    assert all(r["task"] for r in late)

    out = tmp_path / "late.ipynb"
    done = run(asyncell_bin, host_cache, script, "--write", out)
    assert done.returncode == 0, done.stderr
    first, second = [c for c in json.loads(out.read_text())["cells"] if c["cell_type"] == "code"]
    texts = [o.get("text", "") for o in first["outputs"]]
    assert "late hello\n" in texts
    assert any("ValueError: late failure" in t for t in texts)
    assert second["outputs"] == [{"output_type": "stream", "name": "stdout", "text": "second\n"}]


def test_failures_stop_the_run_unless_keep_going(asyncell_bin, host_cache, tmp_path):
    script = tmp_path / "fails.py"
    script.write_text("# %%\nprint('one')\n# %%\nraise ValueError('two')\n# %%\nprint('three')\n")
    done = run(asyncell_bin, host_cache, script)
    assert done.returncode == 1
    assert done.stdout == "one\n"
    assert "ValueError: two" in done.stderr and "cell 2 (line 3) failed" in done.stderr
    assert "--keep-going" in done.stderr
    done = run(asyncell_bin, host_cache, script, "--keep-going")
    assert done.returncode == 1
    assert done.stdout == "one\nthree\n"


def test_write_saves_an_executed_notebook(asyncell_bin, host_cache, tmp_path):
    script = tmp_path / "plot.py"
    script.write_text(
        "# %% [markdown]\n# # A plot\n"
        "# %%\nimport matplotlib.pyplot as plt\nfig = plt.figure(figsize=(4, 3), dpi=100)\nplt.plot([1, 2, 3])\n"
        "# %%\nimport asyncio\nawait asyncio.sleep(0)\n6 * 7\n"
    )
    out = tmp_path / "out.ipynb"
    done = run(asyncell_bin, host_cache, script, "--loop", "asyncio", "--write", out)
    assert done.returncode == 0, done.stderr
    # Images print as a one-line placeholder with their size.
    assert re.search(r"^\[image/png \d+x\d+\]$", done.stdout, re.M), done.stdout
    assert done.stdout.rstrip().endswith("42")
    notebook = json.loads(out.read_text())
    assert (notebook["nbformat"], notebook["nbformat_minor"]) == (4, 5)
    cells = notebook["cells"]
    assert [c["cell_type"] for c in cells] == ["markdown", "code", "code"]
    assert all(c["id"] for c in cells)
    assert cells[0]["source"] == ["# A plot"]
    assert [c["execution_count"] for c in cells[1:]] == [1, 2]
    assert any("image/png" in o.get("data", {}) for o in cells[1]["outputs"])
    assert cells[2]["outputs"] == [{"output_type": "execute_result", "execution_count": 2, "data": {"text/plain": "42"}, "metadata": {}}]
    try:
        import nbformat
    except ImportError:
        return
    nbformat.validate(nbformat.reads(out.read_text(), as_version=4))


def test_notebooks_and_scripts_run_too(asyncell_bin, host_cache, tmp_path):
    notebook = tmp_path / "in.ipynb"
    notebook.write_text(json.dumps({
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Title"]},
            {"cell_type": "code", "metadata": {}, "source": ["import trio\n", "x = 2"], "outputs": [], "execution_count": None},
            {"cell_type": "code", "metadata": {"keep": True}, "source": "await trio.sleep(0)\nprint(x * 21)", "outputs": [], "execution_count": None},
        ],
        "metadata": {"custom": 1}, "nbformat": 4, "nbformat_minor": 4,
    }))
    out = tmp_path / "out.ipynb"
    done = run(asyncell_bin, host_cache, notebook, "--write", out)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "42\n"
    written = json.loads(out.read_text())
    assert written["metadata"] == {"custom": 1}
    assert written["cells"][2]["metadata"] == {"keep": True}
    assert written["cells"][2]["outputs"] == [{"output_type": "stream", "name": "stdout", "text": "42\n"}]

    script = tmp_path / "plain.py"
    script.write_text("import asyncio\nprint('plain', asyncio.get_running_loop() is not None)\n")
    done = run(asyncell_bin, host_cache, script)
    assert (done.returncode, done.stdout) == (0, "plain True\n")


def test_a_failing_notebook_cell_is_named_as_check_names_it(asyncell_bin, host_cache, tmp_path):
    """Markdown cells count: the second code cell below a markdown cell is cell 3 (it was
    "code cell 2" here while `check` and the editor said cell 3)."""
    notebook = tmp_path / "fails.ipynb"
    code = lambda source: {"cell_type": "code", "metadata": {}, "source": source,
                           "outputs": [], "execution_count": None}
    notebook.write_text(json.dumps({
        "cells": [{"cell_type": "markdown", "metadata": {}, "source": "# Title"},
                  code("x = 1"), code("raise ValueError('three')")],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 4,
    }))
    done = run(asyncell_bin, host_cache, notebook)
    assert done.returncode == 1
    assert "asyncell run: cell 3 failed: ValueError: three" in done.stderr, done.stderr
    done = run(asyncell_bin, host_cache, notebook, "--output-format", "json")
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["cell"], r["cellIndex"], r["status"]) for r in records] == [(2, 0, "ok"), (3, 1, "error")]


def test_unusable_interpreter_exits_2(asyncell_bin, host_cache, tmp_path):
    script = tmp_path / "a.py"
    script.write_text("print(1)\n")
    env = {**os.environ, "XDG_CACHE_HOME": str(host_cache)}
    done = subprocess.run([str(asyncell_bin), "run", str(script), "--python", str(tmp_path / "no-python")],
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 2
    assert "cannot start the host" in done.stderr and "no-python" in done.stderr


MAIN_GUARD = """\
import asyncio

async def main():
    print("main ran")

if __name__ == "__main__":
    asyncio.run(main())
"""


def test_run_says_first_what_will_fail_when_the_cells_run(asyncell_bin, host_cache, tmp_path):
    """A plain script runs as one cell on a running loop: `asyncio.run()` at its end fails
    there (though `check`, judging a script, accepts it). `run` says so before running."""
    script = tmp_path / "main_guard.py"
    script.write_text(MAIN_GUARD)
    done = run(asyncell_bin, host_cache, script, "-q")
    assert done.returncode == 1
    first = done.stderr.splitlines()[0]
    assert first.startswith(f"{script}:7:5: LOOP200 "), done.stderr
    assert "1 finding above will fail when the cells run" in done.stderr
    done = run(asyncell_bin, host_cache, script, "-q", "--no-check")
    assert "LOOP200" not in done.stderr
    assert "cannot be called from a running event loop" in done.stderr


STUBBORN = """\
# %%
import time
print("ready", flush=True)
while True:
    try:
        time.sleep(30)
    except KeyboardInterrupt:
        print("caught", flush=True)
"""


def test_ctrl_c_interrupts_then_forces_then_kills_the_host(asyncell_bin, host_cache, tmp_path):
    """A cell that swallows KeyboardInterrupt: the first Ctrl-C interrupts, the second
    forces, the third kills the host, and `run` ends at once with 130."""
    import signal
    import time as clock

    script = tmp_path / "stubborn.py"
    script.write_text(STUBBORN)
    env = {**os.environ, "XDG_CACHE_HOME": str(host_cache)}
    env.pop("VIRTUAL_ENV", None)
    proc = subprocess.Popen(
        [str(asyncell_bin), "run", "-q", str(script), "--python", sys.executable],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        assert proc.stdout.readline() == "ready\n"
        proc.send_signal(signal.SIGINT)
        assert proc.stdout.readline() == "caught\n"
        proc.send_signal(signal.SIGINT)
        clock.sleep(0.5)
        started = clock.monotonic()
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=10)
        assert clock.monotonic() - started < 5
    finally:
        proc.kill()
    assert proc.returncode == 130, stderr
    assert "interrupting cell 1" in stderr and "forcing cell 1" in stderr
    assert "killing the host" in stderr


def test_display_updates_clears_and_input_under_run(asyncell_bin, host_cache, tmp_path):
    """A terminal cannot replace or clear what it printed: an update prints as the display
    it became, a clear prints nothing; the saved notebook holds the cell as it ended.
    input() has no one to ask and says so."""
    script = tmp_path / "progress.py"
    script.write_text(
        "# %%\nfrom asyncell import clear_output, display\n"
        "print('old line')\nclear_output()\n"
        "bar = display('10%', display_id=True)\nbar.update('100%')\n"
        "# %%\ninput('Name: ')\n"
    )
    out = tmp_path / "out.ipynb"
    done = run(asyncell_bin, host_cache, script, "--keep-going", "--write", out)
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines()[:3] == ["old line", "'10%'", "'100%'"], done.stdout
    assert "StdinNotImplementedError" in done.stderr and "asyncell run" in done.stderr
    cells = json.loads(out.read_text())["cells"]
    assert cells[0]["outputs"] == [
        {"output_type": "display_data", "data": {"text/plain": "'100%'"}, "metadata": {}}]
    assert cells[1]["outputs"][0]["ename"] == "StdinNotImplementedError"
