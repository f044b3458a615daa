"""Start-up, the trio-asyncio bridge, and leaving promptly."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FIGURES, HOST_SCRIPT, Host


def test_trio_asyncio_bridge_lets_cells_await_asyncio_code(trio_host):
    assert trio_host.events[0]["bridge"] is True
    result = trio_host.run(
        "import asyncio, trio, trio_asyncio\n"
        "start = trio.current_time()\n"
        "await trio_asyncio.aio_as_trio(asyncio.sleep)(0.1)\n"
        "print(trio.current_time() - start >= 0.09)\n"
    )
    assert result.status == "ok", result
    assert result.stdout == "True\n"


def _fresh_trio_host():
    """A host started just now (the spare pool's hosts have been idle: their bridge is
    open already)."""
    return Host("trio")


def test_a_first_cell_that_imports_trio_asyncio_opens_the_bridge_itself():
    host = _fresh_trio_host()
    try:
        # Queued before hello: the runner takes it at once, long before the idle timer.
        id = host.submit(
            "import asyncio, trio, trio_asyncio\n"
            "async def aio_task():\n"
            "    await trio_asyncio.aio_as_trio(asyncio.sleep)(0.01)\n"
            "    print('task used asyncio', flush=True)\n"
            "background.start_soon(aio_task)\n"
            "await trio_asyncio.aio_as_trio(asyncio.sleep)(0.01)\n"
            "print(type(asyncio.get_running_loop()).__name__)\n"
        )
        assert host.hello()["bridge"] is True
        result = host.result(id)
        assert result.status == "ok", result
        assert result.stdout.startswith("TrioEventLoop\n")
        host.wait_for(lambda e: e.get("ev") == "output" and "task used asyncio" in e["output"].get("text", ""))
    finally:
        host.close()


def test_a_cell_importing_a_library_waits_for_the_bridge():
    host = _fresh_trio_host()
    try:
        host.hello()
        # A module nobody loaded yet, which uses trio-asyncio without naming it in the cell.
        result = host.run(
            "import json\n"  # loaded already: no reason to wait by itself
            "import xml.dom.minidom\n"  # not loaded: the cell waits for the bridge
            "import sys\n"
            "print(sys.modules['trio_asyncio'].current_loop.get() is not None)\n"
        )
        assert result.status == "ok", result
        assert result.stdout == "True\n"
    finally:
        host.close()


def test_the_bridge_opens_by_itself_once_the_host_is_idle():
    host = _fresh_trio_host()
    try:
        host.hello()
        time.sleep(0.5)
        # `sys` is loaded and the cell imports nothing new: it does not ask for the
        # bridge, yet finds it open and in its context.
        result = host.run("import sys\nprint(sys.modules['trio_asyncio'].current_loop.get() is not None)")
        assert result.stdout == "True\n", result
    finally:
        host.close()


def test_asyncio_frames_stay_hidden_when_the_bridge_opens_after_a_traceback():
    host = _fresh_trio_host()
    try:
        host.hello()
        assert host.run("1/0").status == "error"  # a traceback before trio_asyncio loads
        result = host.run(
            "import asyncio, trio_asyncio\n"
            "async def boom():\n"
            "    await asyncio.sleep(0)\n"
            "    raise ValueError('boom')\n"
            "await trio_asyncio.aio_as_trio(boom)()\n"
        )
        text = "\n".join(result.errors[0]["traceback"])
        assert "ValueError: boom" in text
        assert "trio_asyncio" not in text.replace("trio_asyncio.aio_as_trio(boom)", "")
        assert "asyncio/" not in text
    finally:
        host.close()


def test_without_epoll_the_reader_thread_reads_every_command(tmp_path):
    """Where select.epoll is missing (macOS), the loop thread never reads commands.
    (asyncio only: on Linux trio itself needs epoll.)"""
    (tmp_path / "sitecustomize.py").write_text("import select\ndel select.epoll\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    host = Host("asyncio", env=env)
    try:
        assert host.hello()["ev"] == "hello"
        assert host.run("import select\nprint(hasattr(select, 'epoll'))").stdout == "False\n"
        assert host.run("6 * 7").results[0]["data"]["text/plain"] == "42"
        id = host.submit("while True:\n    pass")
        host.started(id)
        time.sleep(0.1)
        assert host.interrupt(id)[0]["how"] == "keyboard_interrupt"
        assert host.result(id).status == "cancelled"
    finally:
        host.close()


@pytest.mark.parametrize("code, expected", [
    ("1 + 1", False),
    ("x = [i for i in range(3)]\nprint(x)", False),
    ("import sys, os.path\nfrom os import path", False),
    ("import trio\nawait trio.sleep(0)", False),
    ("import asyncio", True),
    ("import not_loaded_module_xyz", True),
    ("def f():\n    import not_loaded_module_xyz\n", True),
    ("from . import x", True),
    ("from os import *", True),
    ("from xml import dom", True),
    ("__import__('x')", True),
    ("exec('import x')", True),
    ("import importlib\nimportlib.import_module('x')", True),
    ("trio_asyncio.aio_as_trio(f)", True),
])
def test_which_cells_may_import(code, expected):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    try:
        from asyncell import cells
    finally:
        sys.path.pop(0)
    sys.modules.pop("xml.dom", None)
    assert cells.may_import(cells.prepare(code, 1, "trio")) is expected


def test_missing_trio_is_fatal_with_the_install_command():
    # -I -S: no site-packages, so trio is not importable by this very interpreter
    host = Host("trio", python_flags=["-I", "-S"])
    fatal = host.hello()
    assert fatal["ev"] == "fatal"
    assert sys.executable in fatal["message"]
    assert "%s -m pip install trio" % sys.executable in fatal["message"]
    assert host.proc.wait(10) == 3


def test_asyncio_mode_needs_no_third_party_packages():
    host = Host("asyncio", python_flags=["-I", "-S"])
    try:
        hello = host.hello()
        assert hello["ev"] == "hello" and hello["bridge"] is False
        result = host.run("import asyncio\nawait asyncio.sleep(0)\n6*7")
        assert result.results[0]["data"]["text/plain"] == "42"
    finally:
        host.close()


def test_stdin_eof_makes_the_host_exit_promptly(trio_host):
    trio_host.run("import trio\nbackground.start_soon(trio.sleep_forever)")
    started = time.monotonic()
    trio_host.proc.stdin.close()
    assert trio_host.proc.wait(5) == 0
    FIGURES.append("stdin EOF -> host exited: %.0f ms" % ((time.monotonic() - started) * 1000))
    assert time.monotonic() - started < 2


def test_stdin_eof_while_a_cell_spins_still_exits(trio_host):
    id = trio_host.submit("while True: pass")
    trio_host.started(id)
    started = time.monotonic()
    trio_host.proc.stdin.close()
    assert trio_host.proc.wait(5) == 0
    assert time.monotonic() - started < 3


def test_shutdown_op_exits_zero(asyncio_host):
    asyncio_host.run("import asyncio\nbackground.start_soon(asyncio.sleep, 100)")
    asyncio_host.send(op="shutdown")
    assert asyncio_host.proc.wait(5) == 0


def test_noise_before_hello_is_tolerated_and_nothing_follows_on_stdout(trio_host):
    assert all(e.get("ev") for e in trio_host.events)
    trio_host.run("print('x' * 10)")
    assert trio_host.noise == []


def _other_interpreters():
    """Other CPython 3.10+ interpreters on this machine: on PATH, or pyenv-installed."""
    import glob
    import os
    import shutil
    import subprocess

    candidates = [shutil.which("python3.%d" % minor) for minor in range(10, 15)]
    pyenv_root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates += sorted(glob.glob(os.path.join(pyenv_root, "versions", "3.1*", "bin", "python3")))
    found, seen = [], {tuple(sys.version_info[:2])}
    for path in filter(None, candidates):
        probe = subprocess.run([path, "-I", "-c", "import sys; print(*sys.version_info[:2])"],
                               capture_output=True, text=True)
        if probe.returncode != 0:
            continue
        version = tuple(int(part) for part in probe.stdout.split())
        if version >= (3, 10) and version not in seen:
            seen.add(version)
            found.append(path)
    return found or [None]


@pytest.mark.parametrize("python", _other_interpreters())
def test_asyncio_mode_on_other_python_versions(python):
    """The host is stdlib-only and must run on any 3.10+ interpreter the user picks."""
    if python is None:
        pytest.skip("no other Python 3.10+ interpreter on this machine")
    host = Host("asyncio", python=python, python_flags=["-I"])
    try:
        assert host.hello()["ev"] == "hello"
        result = host.run(
            "import asyncio\nasync def f():\n    await asyncio.sleep(0)\n    raise ValueError(1)\nawait f()"
        )
        assert 'File "<cell [1]>", line 4, in f' in "\n".join(result.errors[0]["traceback"])
        id = host.submit("while True: pass")
        host.started(id)
        time.sleep(0.2)
        assert host.interrupt(id)[0]["how"] == "keyboard_interrupt"
        assert host.result(id).status == "cancelled"
        assert host.run("print('alive')").stdout == "alive\n"
    finally:
        host.close()


def _alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"  # a zombie is dead
    except FileNotFoundError:
        return False


_GRANDCHILD = ("import subprocess\n"
               "p = subprocess.Popen(['sh', '-c', 'sleep 1000 & echo $!; wait'],"
               " stdout=subprocess.PIPE)\n"
               "print(p.pid, p.stdout.readline().decode().strip())\n")


def _all_gone(pids, timeout=1.0):
    deadline = time.monotonic() + timeout
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.02)
    return not any(_alive(pid) for pid in pids)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_stdin_eof_kills_the_processes_cells_started(trio_host):
    pids = [int(pid) for pid in trio_host.run(_GRANDCHILD).stdout.split()]
    assert len(pids) == 2 and all(_alive(pid) for pid in pids)
    trio_host.proc.stdin.close()
    assert trio_host.proc.wait(5) == 0
    assert _all_gone(pids), pids


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_SET_PDEATHSIG)")
def test_parent_death_kills_the_processes_cells_started(tmp_path):
    # The host's parent dies but stdin stays open (pytest holds the pipe): only the
    # parent-death signal can tell the host, as when a SIGKILLed server's pipes linger.
    parent = subprocess.Popen(
        [sys.executable, "-c",
         "import subprocess, sys, time\n"
         "subprocess.Popen(sys.argv[1:])\n"
         "time.sleep(1000)\n",
         sys.executable, str(HOST_SCRIPT), "--loop", "trio"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert json.loads(parent.stdout.readline())["ev"] == "hello"
        parent.stdin.write(b'{"op":"execute","id":"e1","code":%s,"count":1}\n'
                           % json.dumps(_GRANDCHILD).encode())
        parent.stdin.flush()
        pids = []
        for line in parent.stdout:
            event = json.loads(line)
            if event.get("ev") == "output":
                pids += [int(pid) for pid in event["output"]["text"].split()]
            if event.get("ev") == "done":
                break
        assert len(pids) == 2 and all(_alive(pid) for pid in pids), pids
        parent.kill()
        parent.wait()
        assert _all_gone(pids), pids
    finally:
        parent.kill()
        parent.stdin.close()


_SYSTEM_TASK = ("import trio\n"
                "async def boom():\n"
                "    await trio.sleep({delay})\n"
                "    raise ValueError('system boom')\n"
                "trio.lowlevel.spawn_system_task(boom)\n")


def test_a_raising_system_task_fails_the_running_cell_and_the_host_says_why(trio_host):
    result = trio_host.run(_SYSTEM_TASK.format(delay=0.1) + "await trio.sleep(5)\n")
    assert result.status == "error"
    error = result.errors[0]
    assert error["ename"] == "SystemTaskFailed" and "system boom" in error["evalue"], error
    assert any("raise ValueError('system boom')" in line for line in error["traceback"])
    fatal = trio_host.wait_for(lambda e: e.get("ev") == "fatal")
    assert fatal["reason"] == "system-task-failed" and "system boom" in fatal["message"]
    assert trio_host.proc.wait(5) == 4
    trio_host.wait_for(lambda e: e.get("ev") == "__eof__")
    assert b"system boom" in trio_host.stderr  # the server shows these lines with HostDied


def test_a_system_task_failing_between_cells_reports_to_the_cell_that_spawned_it(trio_host):
    id = trio_host.run(_SYSTEM_TASK.format(delay=0.2)).id
    trio_host.wait_for(lambda e: e.get("ev") == "fatal")
    assert trio_host.proc.wait(5) == 4
    text = "".join(e["output"]["text"] for e in trio_host.events
                   if e.get("ev") == "output" and e.get("id") == id
                   and e["output"]["output_type"] == "stream")
    assert "System task 'boom' failed" in text and "ValueError: system boom" in text
