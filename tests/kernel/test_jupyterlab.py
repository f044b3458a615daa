"""JupyterLab in a real browser: JupyterLab on 127.0.0.1 with a token, driven by
Chromium through playwright-core (lab/drive.mjs). Skipped when JupyterLab, node,
playwright-core (editors/vscode/node_modules, or $PLAYWRIGHT_NODE_PATH) or Chromium
is missing, unless $ASYNCELL_REQUIRE_LAB is set (tests/run-all.sh runs it after the VS Code
suite has installed playwright-core): then that is a failure."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from kernel_support import ROOT

HERE = Path(__file__).parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
NODE_PATH = os.environ.get("PLAYWRIGHT_NODE_PATH", str(ROOT / "editors" / "vscode" / "node_modules"))
JUPYTER_LAB = os.environ.get("JUPYTER_LAB_PYTHON", sys.executable)
SCREENSHOT = os.environ.get("KERNEL_SCREENSHOT")

CELLS = [
    "import trio\nbeats = []\n\nasync def heartbeat():\n    while True:\n        beats.append(trio.current_time())\n        await trio.sleep(0.05)\n\nGLOBAL_NURSERY.start_soon(heartbeat)\nprint('heartbeat started')",
    "await trio.sleep(0.5)\nprint('beating' if len(beats) >= 5 else 'stopped')",
    "async def later():\n    await trio.sleep(1.5)\n    print('late output from a background task')\n\nGLOBAL_NURSERY.start_soon(later)\nprint('scheduled')",
    "await trio.sleep(600)",
    "n = len(beats)\nawait trio.sleep(0.5)\nprint('still beating' if len(beats) > n else 'stopped')",
]


def missing() -> str | None:
    if subprocess.run([JUPYTER_LAB, "-c", "import jupyterlab"], capture_output=True).returncode:
        return "JupyterLab is not installed"
    if not shutil.which("node"):
        return "node is not installed"
    if not (Path(NODE_PATH) / "playwright-core").is_dir():
        return f"playwright-core is not in {NODE_PATH}"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM}"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_jupyterlab_runs_the_heartbeat_notebook_in_chromium(tmp_path):
    why = missing()
    if why and os.environ.get("ASYNCELL_REQUIRE_LAB"):
        pytest.fail(why)
    if why:
        pytest.skip(why)
    logs, tmp_path = tmp_path, tmp_path / "lab"
    tmp_path.mkdir()
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "asyncell-trio", "display_name": "Python (asyncell, trio)", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    nbformat.write(notebook, tmp_path / "heartbeat.ipynb")
    token, port = secrets.token_hex(16), free_port()
    lab = subprocess.Popen(
        [JUPYTER_LAB, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp_path}",
         "--ServerApp.disable_check_xsrf=False", "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        stdout=subprocess.DEVNULL, stderr=open(logs / "lab.log", "w"), cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or lab.poll() is not None:
                    pytest.fail("JupyterLab did not start:\n" + (logs / "lab.log").read_text()[-3000:])
                time.sleep(0.3)
        shot = SCREENSHOT or str(logs / "jupyterlab.png")
        url = f"http://127.0.0.1:{port}/lab/tree/heartbeat.ipynb?token={token}"
        done = subprocess.run(["node", str(HERE / "lab" / "drive.mjs"), url, shot], capture_output=True,
                              text=True, timeout=180, env=dict(os.environ, NODE_PATH=NODE_PATH))
        assert done.stdout.strip(), done.stderr
        seen = json.loads(done.stdout.strip().splitlines()[-1])
        if "error" in seen:
            # Printed whole (pytest shows a failing test's stdout): an assertion message
            # would be cut in the middle.
            print("== what the page showed\n" + json.dumps(seen.get("page"), indent=1))
            print("== drive.mjs\n" + done.stderr)
            print("== JupyterLab's log (the kernel's stderr is in it)\n" + (logs / "lab.log").read_text()[-20000:])
            pytest.fail(f"JupyterLab: {seen['error'].splitlines()[0]}")
        assert "asyncell" in seen["kernel"]
        assert seen["beating"] == "beating"
        assert seen["late_under_own_cell"] and seen["late_not_under_running_cell"]
        assert seen["after_interrupt"] == "still beating"
    finally:
        lab.terminate()
        try:
            lab.wait(10)
        except subprocess.TimeoutExpired:
            lab.kill()
