"""The host process as the server manages it: crashes, restarts, a killed server, fd-level
output, start-up failures, bad requests, notebooks and remote (bootstrapped) hosts."""

from __future__ import annotations

import os
import signal
import sys

import pytest

from exec_support import (  # noqa: F401  (fixtures)
    Session,
    errors_of,
    host_cache,
    process_alive,
    session,
    start_server,
    stop_server,
    text_of,
    wait_until,
)
from lsp_client import LspError


@pytest.mark.parametrize(
    "code, how",
    [
        ("import os\nos._exit(3)", "exit code 3"),
        ("import ctypes\nctypes.string_at(0)", "signal SIGSEGV"),
    ],
    ids=["exit-3", "sigsegv"],
)
def test_host_death_is_reported_and_the_next_execute_starts_fresh(session, code, how):
    assert session.run("x = 41\nprint('set')")["status"] == "ok"
    first_pid = session.status()["pid"]
    result = session.run(code)
    assert result["status"] == "error"
    [error] = errors_of(result)
    assert error["ename"] == "HostDied" and how in error["evalue"], error
    exited = session.wait_event("hostExited")
    assert how in exited["message"] and exited["pid"] == first_pid
    assert wait_until(lambda: not process_alive(first_pid))
    status = session.status()
    assert status["state"] == "dead" and how in status["lastExit"]
    # The server is fine and the next execute gets a fresh host (x is gone).
    result = session.run("print('x' in globals())")
    assert text_of(result) == "False\n"
    assert session.status()["pid"] != first_pid
    assert session.status()["executionCount"] == 1


def test_restart_and_shutdown(session):
    session.run("x = 1")
    old_pid = session.status()["pid"]
    pid = session.request("asyncell/restart")["pid"]
    assert pid != old_pid and wait_until(lambda: not process_alive(old_pid))
    assert session.status()["state"] == "idle" and session.status()["pid"] == pid
    assert text_of(session.run("print('x' in globals())")) == "False\n"
    assert session.request("asyncell/shutdown") == {"stopped": True}
    assert wait_until(lambda: not process_alive(pid))
    assert session.status()["state"] == "none"
    assert session.request("asyncell/shutdown") == {"stopped": False}


def test_closing_the_document_stops_its_host(session):
    session.run("x = 1")
    pid = session.status()["pid"]
    assert process_alive(pid)
    session.client.notify("textDocument/didClose", {"textDocument": {"uri": session.uri}})
    assert wait_until(lambda: not process_alive(pid))


def test_killing_the_server_leaves_no_host_and_no_cell_process(asyncell_bin, tmp_path, host_cache):
    client = start_server(asyncell_bin, tmp_path, host_cache, loop="trio")
    uri = (tmp_path / "a.py").as_uri()
    client.open(uri, "")
    session = Session(client, uri)
    # A process the cell started: nobody but the host knows it exists.
    child_pid = int(text_of(session.run(
        "import subprocess\nchild = subprocess.Popen(['sleep', '1000'])\nprint(child.pid)")))
    host_pid = session.status()["pid"]
    assert process_alive(host_pid) and process_alive(child_pid)
    client.proc.send_signal(signal.SIGKILL)
    client.proc.wait(timeout=10)
    try:
        assert wait_until(lambda: not process_alive(child_pid), timeout=1.5), \
            "the cell's process survived the server"
        assert wait_until(lambda: not process_alive(host_pid), timeout=5), "host survived its server"
    finally:
        try:
            os.kill(child_pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_lsp_shutdown_stops_hosts_and_their_process_groups(asyncell_bin, tmp_path, host_cache):
    client = start_server(asyncell_bin, tmp_path, host_cache, loop="trio")
    uri = (tmp_path / "a.py").as_uri()
    client.open(uri, "")
    session = Session(client, uri)
    child_pid = int(text_of(session.run("import subprocess\nchild = subprocess.Popen(['sleep', '60'])\nprint(child.pid)")))
    host_pid = session.status()["pid"]
    assert client.shutdown_and_exit() == 0
    assert wait_until(lambda: not process_alive(host_pid) and not process_alive(child_pid), timeout=5)


def test_fd_level_output_reaches_outputs(session):
    result = session.run(
        "import os, ctypes, subprocess\n"
        "os.write(1, b'from fd 1\\n')\n"
        "libc = ctypes.CDLL(None)\n"
        "libc.printf(b'from C printf\\n')\n"
        "libc.fflush(None)\n"
        "subprocess.run(['echo', 'from a subprocess'])\n"
        "os.write(2, b'from fd 2\\n')\n"
    )
    assert result["status"] == "ok", result
    stdout = text_of(result)
    for text in ("from fd 1\n", "from C printf\n", "from a subprocess\n"):
        assert text in stdout
    assert "from fd 2\n" in text_of(result, "stderr")


def test_missing_trio_is_a_clear_error(asyncell_bin, tmp_path, host_cache):
    # `-S` skips site-packages: trio is not importable by that interpreter.
    client = start_server(asyncell_bin, tmp_path, host_cache, loop="trio", python=[sys.executable, "-S"])
    try:
        uri = (tmp_path / "a.py").as_uri()
        client.open(uri, "")
        session = Session(client, uri)
        result = session.run("print(1)")
        assert result["status"] == "error"
        [error] = errors_of(result)
        assert error["ename"] == "HostStartFailed"
        assert "trio" in error["evalue"] and "pip install trio" in error["evalue"]
        assert session.status()["state"] == "dead"
        # Said to the user too, not only in the reply: a client without the plugin shows
        # window/showMessage, and plugins see the host's end as for one that died.
        shown = client.wait_for("window/showMessage", lambda p: "pip install trio" in p["message"])
        assert shown["type"] == 1 and shown["message"].startswith("asyncell: ")
        exited = client.wait_for("asyncell/event", lambda p: p["kind"] == "hostExited")
        assert exited["textDocument"]["uri"] == uri and "could not start" in exited["message"]
        # A document that asks for asyncio (`# %autoawait` beats the loop setting) runs.
        other = (tmp_path / "b.py").as_uri()
        client.open(other, "# %autoawait asyncio\n# %%\nprint(2)\n")
        assert text_of(Session(client, other).run("print(2)")) == "2\n"
    finally:
        stop_server(client)


def test_bad_params_name_the_problem_and_the_fix(session):
    def error_of(params):
        with pytest.raises(LspError) as caught:
            session.client.request("asyncell/execute", params)
        assert caught.value.error["code"] == -32602
        return caught.value.error["message"]

    unopened = session.uri.replace("cells.py", "nope.py")
    message = error_of({"textDocument": {"uri": unopened}, "code": "1"})
    assert "not open" in message and "didOpen" in message
    message = error_of({"textDocument": {"uri": session.uri}, "cell": 5})
    assert "out of range" in message and "1 code cell" in message
    message = error_of({"textDocument": {"uri": session.uri}, "code": "1", "cell": 0})
    assert "exactly one" in message and "code and cell" in message
    message = error_of({"textDocument": {"uri": session.uri}})
    assert "one of" in message


def test_cells_and_positions_of_a_cell_file(session):
    text = "import trio\nx = 1\n# %%\nx += 1\n# %% [markdown]\n# notes\n# %%\nprint(x)\n"
    session.client.change(session.uri, 2, [{"text": text}])
    request = lambda **params: session.client.request(  # noqa: E731
        "asyncell/execute", {"textDocument": {"uri": session.uri}, **params}
    )
    assert request(cell=0)["status"] == "ok"
    assert request(position={"line": 3, "character": 0})["status"] == "ok"  # x += 1
    assert text_of(request(cell=2)) == "2\n"
    with pytest.raises(LspError) as caught:
        request(position={"line": 5, "character": 0})
    assert "markdown" in caught.value.error["message"]


def test_notebook_cells_run_in_order_on_one_host(session):
    client = session.client
    notebook = session.uri.replace("cells.py", "nb.ipynb")
    cells = [
        ("a", 2, "import trio\nvalue = 20"),
        ("b", 1, "# Markdown"),
        ("c", 2, "await trio.sleep(0)\nvalue * 2 + 2"),
    ]
    client.notify("notebookDocument/didOpen", {
        "notebookDocument": {
            "uri": notebook, "notebookType": "jupyter-notebook", "version": 1,
            "cells": [{"kind": kind, "document": f"{notebook}#{name}"} for name, kind, _ in cells],
        },
        "cellTextDocuments": [
            {"uri": f"{notebook}#{name}", "languageId": "python" if kind == 2 else "markdown", "version": 1, "text": text}
            for name, kind, text in cells
        ],
    })
    nb = Session(client, notebook)
    assert nb.run("value = 0")["status"] == "ok"
    assert client.request("asyncell/execute", {"textDocument": {"uri": notebook}, "cell": 0})["status"] == "ok"
    # A cell's own URI with a position runs that cell, on the notebook's host.
    result = client.request("asyncell/execute", {"textDocument": {"uri": f"{notebook}#c"}, "position": {"line": 0, "character": 0}})
    assert result["outputs"][0]["data"]["text/plain"] == "42"
    assert nb.status()["executionCount"] == 3
    # The notebook and the .py file have separate hosts.
    assert nb.status()["pid"] != session.status().get("pid")


def test_remote_hosts_are_bootstrapped_over_stdin(asyncell_bin, tmp_path, host_cache):
    # A stand-in for ssh: joins its arguments into one shell command, as ssh does.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    ssh = bin_dir / "ssh"
    ssh.write_text('#!/bin/sh\nshift\nexec sh -c "$*"\n')
    ssh.chmod(0o755)
    client = start_server(asyncell_bin, tmp_path, host_cache, loop="trio", python=[str(ssh), "box", sys.executable])
    try:
        uri = (tmp_path / "a.py").as_uri()
        client.open(uri, "")
        session = Session(client, uri)
        result = session.run("import trio, asyncell\nprint(asyncell.__file__)\nawait trio.sleep(0)\n'remote'")
        assert result["status"] == "ok", result
        assert result["outputs"][-1]["data"]["text/plain"] == "'remote'"
        # The package came over stdin, not from the local extraction directory.
        assert str(host_cache) not in text_of(result)
    finally:
        stop_server(client)


def test_remote_hosts_run_in_the_documents_directory(asyncell_bin, tmp_path, host_cache):
    """ssh starts the remote command in the remote home; the host `cd`s to the document's
    directory when that path exists there (the same checkout on both sides), so relative
    paths in cells mean what they mean locally. A path with a space survives ssh's shell."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    ssh = bin_dir / "ssh"
    ssh.write_text('#!/bin/sh\nshift\ncd "$HOME" || cd /\nexec sh -c "$*"\n')
    ssh.chmod(0o755)
    project = tmp_path / "my project"
    project.mkdir()
    (project / "data.txt").write_text("local data\n")
    client = start_server(asyncell_bin, tmp_path, host_cache, loop="trio", python=[str(ssh), "box", sys.executable])
    try:
        uri = (project / "a.py").as_uri()
        client.open(uri, "")
        session = Session(client, uri)
        result = session.run("import os\nprint(os.getcwd())\nprint(open('data.txt').read(), end='')")
        assert result["status"] == "ok", result
        assert text_of(result) == f"{project}\nlocal data\n"
        status = session.status()
        assert status["cwd"] == str(project)
        assert isinstance(status["pid"], int) and isinstance(status["processPid"], int)
    finally:
        stop_server(client)


def test_a_raising_trio_system_task_says_what_happened(session):
    result = session.run(
        "import trio\n"
        "async def boom():\n"
        "    await trio.sleep(0.05)\n"
        "    raise ValueError('system boom')\n"
        "trio.lowlevel.spawn_system_task(boom)\n"
        "await trio.sleep(5)\n"
    )
    assert result["status"] == "error"
    [error] = errors_of(result)
    assert error["ename"] == "SystemTaskFailed" and "system boom" in error["evalue"], error
    exited = session.wait_event("hostExited")
    assert "exit code 4" in exited["message"], exited  # not "died (exit code 0)"
    assert "exit code 4" in session.status()["lastExit"]
    assert text_of(session.run("print('fresh')")) == "fresh\n"


def test_magics_and_shell_escapes_run_through_the_server(session):
    result = session.run("!echo from shell\n%nosuchmagic\n%time x = 6 * 7\nx")
    assert result["status"] == "error"  # the unknown magic; the rest of the cell ran
    assert text_of(result).startswith("from shell\nCPU times: user")
    [error] = errors_of(result)
    assert error["ename"] == "UsageError" and "%nosuchmagic" in error["evalue"]
    assert any(o["output_type"] == "execute_result" and o["data"]["text/plain"] == "42"
               for o in result["outputs"])
