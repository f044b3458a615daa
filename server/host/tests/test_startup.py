"""Start-up, the trio-asyncio bridge, and leaving promptly."""

import sys
import time

import pytest

from conftest import FIGURES, Host


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
        assert 'File "<cell 1>", line 4, in f' in "\n".join(result.errors[0]["traceback"])
        id = host.submit("while True: pass")
        host.started(id)
        time.sleep(0.2)
        assert host.interrupt(id)[0]["how"] == "keyboard_interrupt"
        assert host.result(id).status == "cancelled"
        assert host.run("print('alive')").stdout == "alive\n"
    finally:
        host.close()
