"""The user chooses what runs, never the repository (issue 11), over LSP with the real
binary and real hosts:

- `python` in a pyproject.toml, in the workspace or in a directory above it, does not
  run: the host runs on the user's interpreter, the marker command never runs, and the
  user is told where to set `python` instead;
- a workspace's `.venv/bin/python` runs only when the client says the workspace is
  trusted (`initializationOptions.trustedWorkspace`); otherwise the first run says what
  it passed over and how to allow it;
- configuration discovery stops at the workspace root, and a pyproject.toml owned by
  another user is never read.

The `.venv` interpreters here are shell scripts that touch a marker file and then exec
the test's own python, so "it ran" is a file on disk, not an inference.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from exec_support import Session, host_cache, stop_server, text_of  # noqa: F401
from lsp_client import LspClient, codes

PRINT_EXECUTABLE = "import sys\nprint(sys.executable)\n"


def marker_argv(marker: Path) -> str:
    """A `python = [...]` TOML value that would touch `marker`, then run a real python."""
    return f'["sh", "-c", "touch {marker}; exec {sys.executable} \\"$@\\"", "sh"]'


def fake_venv(root: Path, marker: Path) -> Path:
    """`root/.venv/bin/python`: touches `marker`, then execs the test's python."""
    bin_dir = root / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    python = bin_dir / "python"
    python.write_text(f'#!/bin/sh\ntouch "{marker}"\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    return python


def serve(binary: Path, root: Path, cache: Path, options: dict | None = None) -> LspClient:
    client = LspClient.start(binary, env={"ASYNCELL_LOG": "info", "XDG_CACHE_HOME": str(cache)}, cwd=root)
    client.initialize(root=root, options=options)
    return client


def open_doc(client: LspClient, path: Path, text: str = "import asyncio\n") -> Session:
    path.write_text(text)
    client.open(path.as_uri(), text)
    return Session(client, path.as_uri())


def shown_messages(session: Session) -> list[str]:
    return [p["message"] for p in session.notifications("window/showMessage")]


@pytest.fixture
def user_venv(monkeypatch) -> Path:
    """The user's activated virtualenv ($VIRTUAL_ENV): the test's own."""
    venv = Path(sys.executable).parent.parent
    monkeypatch.setenv("VIRTUAL_ENV", str(venv))
    return venv / "bin" / "python"


@pytest.fixture
def no_virtualenv(monkeypatch):
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)


@pytest.mark.parametrize("where", ["workspace", "parent"])
def test_python_in_a_pyproject_never_runs(asyncell_bin, tmp_path, host_cache, user_venv, where):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    marker = tmp_path / "MARKER"
    home = workspace if where == "workspace" else tmp_path
    (home / "pyproject.toml").write_text(f"[tool.asyncell]\npython = {marker_argv(marker)}\n")
    client = serve(asyncell_bin, workspace, host_cache)
    try:
        session = open_doc(client, workspace / "cells.py")
        result = session.run(PRINT_EXECUTABLE)
        assert result["status"] == "ok", result
        assert text_of(result).strip() == str(user_venv)
        assert session.status()["python"] == str(user_venv)
        assert not marker.exists(), "the pyproject.toml's command ran"
        if where == "workspace":
            session.wait_for(lambda m: m.get("method") == "window/showMessage"
                             and "ignored `python`" in m["params"]["message"])
            message = next(m for m in shown_messages(session) if "ignored `python`" in m)
            assert str(home / "pyproject.toml") in message and "asyncell.python" in message
    finally:
        stop_server(client)


def test_an_untrusted_workspace_venv_is_not_used_and_the_first_run_says_so(
    asyncell_bin, tmp_path, host_cache, no_virtualenv
):
    marker = tmp_path / "VENV_RAN"
    venv_python = fake_venv(tmp_path, marker)
    client = serve(asyncell_bin, tmp_path, host_cache)
    try:
        session = open_doc(client, tmp_path / "cells.py")
        result = session.run(PRINT_EXECUTABLE)
        assert result["status"] == "ok", result
        assert not marker.exists(), "the untrusted workspace's .venv/bin/python ran"
        assert session.status()["python"] != str(venv_python)
        notice = session.wait_for(lambda m: m.get("method") == "window/showMessage"
                                  and "not trusted" in m["params"]["message"])["params"]["message"]
        assert str(venv_python) in notice and "python3" in notice and "asyncell.python" in notice
        # Said once, not at every run.
        session.run("1")
        assert sum("not trusted" in m for m in shown_messages(session)) == 1
    finally:
        stop_server(client)


def test_a_trusted_workspace_venv_is_used(asyncell_bin, tmp_path, host_cache, no_virtualenv):
    marker = tmp_path / "VENV_RAN"
    venv_python = fake_venv(tmp_path, marker)
    client = serve(asyncell_bin, tmp_path, host_cache, {"trustedWorkspace": True})
    try:
        session = open_doc(client, tmp_path / "cells.py")
        assert session.status()["python"] == str(venv_python)
        result = session.run(PRINT_EXECUTABLE)
        assert result["status"] == "ok", result
        assert marker.exists(), "the trusted workspace's .venv/bin/python did not run"
        assert not any("not trusted" in m for m in shown_messages(session))
    finally:
        stop_server(client)


def test_trust_granted_later_applies_to_the_next_host(asyncell_bin, tmp_path, host_cache, no_virtualenv):
    marker = tmp_path / "VENV_RAN"
    fake_venv(tmp_path, marker)
    client = serve(asyncell_bin, tmp_path, host_cache, {"asyncell": {}, "trustedWorkspace": False})
    try:
        session = open_doc(client, tmp_path / "cells.py")
        assert session.run("1")["status"] == "ok"
        assert not marker.exists()
        # As the VS Code extension does on onDidGrantWorkspaceTrust.
        client.notify("workspace/didChangeConfiguration", {"settings": {"asyncell": {}, "trustedWorkspace": True}})
        # A settings change that does not mention trust keeps it.
        client.notify("workspace/didChangeConfiguration", {"settings": {"asyncell": {"loop": "asyncio"}}})
        session.request("asyncell/restart")
        assert session.run("1")["status"] == "ok"
        assert marker.exists()
    finally:
        stop_server(client)


def test_discovery_stops_at_the_workspace_root(asyncell_bin, tmp_path):
    # Above the workspace: a pyproject.toml that would silence the finding.
    (tmp_path / "pyproject.toml").write_text('[tool.asyncell]\nignore = ["LOOP201"]\n')
    workspace = tmp_path / "ws"
    (workspace / "pkg").mkdir(parents=True)
    client = LspClient.start(asyncell_bin, env={"ASYNCELL_LOG": "info"}, cwd=workspace)
    try:
        client.initialize(root=workspace)
        uri = (workspace / "pkg" / "a.py").as_uri()
        client.open(uri, "import nest_asyncio\nnest_asyncio.apply()\n")
        assert "LOOP201" in codes(client.diagnostics_for(uri))
        # Control: the same file under a pyproject.toml inside the workspace is silenced.
        (workspace / "inner").mkdir()
        (workspace / "inner" / "pyproject.toml").write_text('[tool.asyncell]\nignore = ["LOOP201"]\n')
        other = (workspace / "inner" / "b.py").as_uri()
        client.open(other, "import nest_asyncio\nnest_asyncio.apply()\n")
        assert "LOOP201" not in codes(client.diagnostics_for(other))
    finally:
        client.kill()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to chown a directory to nobody")
def test_a_pyproject_owned_by_another_user_is_not_read(asyncell_bin, tmp_path):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "pyproject.toml").write_text('[tool.asyncell]\nignore = ["LOOP201"]\n')
    shutil.chown(workspace, "nobody")
    shutil.chown(workspace / "pyproject.toml", "nobody")
    client = LspClient.start(asyncell_bin, env={"ASYNCELL_LOG": "info"}, cwd=tmp_path)
    try:
        client.initialize(root=workspace)
        uri = (workspace / "a.py").as_uri()
        client.open(uri, "import nest_asyncio\nnest_asyncio.apply()\n")
        assert "LOOP201" in codes(client.diagnostics_for(uri))
        message = client.wait_for("window/showMessage", lambda p: "another user" in p["message"])["message"]
        assert str(workspace / "pyproject.toml") in message and "65534" in message
    finally:
        client.kill()
