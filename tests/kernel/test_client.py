"""The kernel through jupyter_client: executions and their messages, queries while a
cell awaits, interrupts, restarts, a crashing host, bad signatures, a dying parent."""

from __future__ import annotations

import json
import os
import platform
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from queue import Empty

import pytest
from jupyter_client import BlockingKernelClient
from jupyter_client.connect import write_connection_file
from jupyter_client.session import Session

from kernel_support import BIN, PYTHON, ask, collect, drain_iopub, reply_to, run, stderr, stdout

HEARTBEAT = textwrap.dedent("""\
    import trio
    beats = []
    async def heartbeat():
        while True:
            beats.append(trio.current_time())
            await trio.sleep(0.05)
    GLOBAL_NURSERY.start_soon(heartbeat)
    """)

BEATING = "n = len(beats)\nawait trio.sleep(0.3)\nprint('beating' if len(beats) > n else 'stopped')"


def test_kernel_info_names_asyncell_and_the_hosts_python(trio_kernel):
    _, kc = trio_kernel
    reply = kc.kernel_info(reply=True, timeout=30)["content"]
    assert reply["implementation"] == "asyncell"
    assert tuple(int(p) for p in reply["protocol_version"].split(".")) >= (5, 3)
    assert reply["language_info"]["name"] == "python"
    assert reply["language_info"]["version"] == platform.python_version()


def test_execute_messages_counts_silent_and_store_history(trio_kernel):
    _, kc = trio_kernel
    reply, messages = run(kc, "x = 41")
    assert reply["content"]["status"] == "ok"
    assert reply["content"]["execution_count"] == 1
    kinds = [m["msg_type"] for m in messages]
    assert kinds[0] == "status" and messages[0]["content"]["execution_state"] == "busy"
    assert kinds[1] == "execute_input" and messages[1]["content"]["execution_count"] == 1

    reply, messages = run(kc, "print('out'); x + 1")
    assert reply["content"]["execution_count"] == 2
    assert stdout(messages) == "out\n"
    results = [m for m in messages if m["msg_type"] == "execute_result"]
    assert results[0]["content"]["data"]["text/plain"] == "42"
    assert results[0]["content"]["execution_count"] == 2

    # silent: no execute_input, no result, no count; its stdout still shows.
    reply, messages = run(kc, "print('quiet'); x", silent=True)
    assert reply["content"]["status"] == "ok"
    assert [m["msg_type"] for m in messages if m["msg_type"] in ("execute_input", "execute_result")] == []
    reply, _ = run(kc, "x", store_history=False)
    assert reply["content"]["execution_count"] == 2
    reply, _ = run(kc, "x")
    assert reply["content"]["execution_count"] == 3

    reply, messages = run(kc, "1/0")
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "ZeroDivisionError"
    errors = [m for m in messages if m["msg_type"] == "error"]
    assert errors and errors[0]["content"]["ename"] == "ZeroDivisionError"



def test_user_expressions_are_answered_from_the_live_namespace(trio_kernel):
    _, kc = trio_kernel
    expressions = {"double": "x * 2", "html": "Bold()", "missing": "nope"}
    code = "x = 41\nclass Bold:\n    def _repr_html_(self):\n        return '<b>x</b>'"
    reply, _ = run(kc, code, user_expressions=expressions)
    values = reply["content"]["user_expressions"]
    assert values["double"] == {"status": "ok", "data": {"text/plain": "82"}, "metadata": {}}
    assert values["html"]["data"]["text/html"] == "<b>x</b>"
    assert values["missing"]["status"] == "error"
    assert values["missing"]["ename"] == "NameError" and values["missing"]["traceback"]
    # A silent execution that only asks (what front ends do to read a value).
    reply, messages = run(kc, "", silent=True, user_expressions={"x": "x"})
    assert reply["content"]["user_expressions"]["x"]["data"]["text/plain"] == "41"
    assert [m for m in messages if m["msg_type"] == "execute_input"] == []
    # After an error nothing is evaluated, as in ipykernel.
    reply, _ = run(kc, "1/0", user_expressions={"x": "x"})
    assert reply["content"]["status"] == "error"
    assert reply["content"]["user_expressions"] == {}


def test_an_error_aborts_the_queued_executions(trio_kernel):
    _, kc = trio_kernel
    first = kc.execute("import trio\nawait trio.sleep(0.3)\nraise ValueError('stop here')")
    second = kc.execute("print('should not run')")
    third = kc.execute("print('nor this')")
    assert reply_to(kc, first)["content"]["status"] == "error"
    assert reply_to(kc, second)["content"]["status"] == "aborted"
    assert reply_to(kc, third)["content"]["status"] == "aborted"

    first = kc.execute("raise ValueError('go on')", stop_on_error=False)
    second = kc.execute("print('ran')")
    assert reply_to(kc, first)["content"]["status"] == "error"
    assert reply_to(kc, second)["content"]["status"] == "ok"


def test_complete_and_inspect_answer_while_a_cell_awaits(trio_kernel):
    _, kc = trio_kernel
    run(kc, "heartbeat_count = 7")
    busy = kc.execute("import trio\nawait trio.sleep(5)")
    time.sleep(0.5)
    started = time.monotonic()
    reply = kc.complete("heartbeat_c", 11, reply=True, timeout=10)["content"]
    assert "heartbeat_count" in reply["matches"]
    assert reply["cursor_start"] == 0 and reply["cursor_end"] == 11
    inspected = kc.inspect("heartbeat_count", 3, reply=True, timeout=10)["content"]
    assert inspected["found"] and "int" in inspected["data"]["text/plain"]
    assert time.monotonic() - started < 3, "queries waited for the cell"
    assert reply_to(kc, busy, timeout=15)["content"]["status"] == "ok"


def test_is_complete_comm_info_and_history(trio_kernel):
    _, kc = trio_kernel
    assert ask(kc, kc.is_complete("for i in range(3):")) == {"status": "incomplete", "indent": "    "}
    assert ask(kc, kc.is_complete("x = 1"))["status"] == "complete"
    assert ask(kc, kc.is_complete("x = = 1"))["status"] == "invalid"
    assert kc.comm_info(reply=True)["content"]["comms"] == {}
    run(kc, "a = 1")
    run(kc, "a + 1")
    history = kc.history(hist_access_type="tail", n=2, output=True, raw=True, reply=True)["content"]["history"]
    assert [row[2] for row in history] == [["a = 1", None], ["a + 1", "2"]]


def test_interrupt_stops_an_awaiting_cell_and_the_heartbeat_beats_on(trio_kernel):
    km, kc = trio_kernel
    run(kc, HEARTBEAT)
    sleeping = kc.execute("await trio.sleep(600)")
    time.sleep(0.5)
    started = time.monotonic()
    km.interrupt_kernel()  # interrupt_mode message: an interrupt_request on control
    reply = reply_to(kc, sleeping, timeout=10)["content"]
    latency = time.monotonic() - started
    assert reply["status"] == "error"
    assert latency < 2, f"interrupt took {latency:.2f} s"
    reply, messages = run(kc, BEATING)
    assert stdout(messages) == "beating\n"

    # SIGINT to the kernel process does the same.
    sleeping = kc.execute("await trio.sleep(600)")
    time.sleep(0.5)
    os.kill(km.provisioner.process.pid, signal.SIGINT)
    assert reply_to(kc, sleeping, timeout=10)["content"]["status"] == "error"
    reply, messages = run(kc, BEATING)
    assert stdout(messages) == "beating\n"


def test_background_output_goes_under_the_cell_that_started_it(trio_kernel):
    _, kc = trio_kernel
    code = textwrap.dedent("""\
        import trio
        async def later():
            await trio.sleep(0.5)
            print('late hello')
            raise RuntimeError('background boom')
        GLOBAL_NURSERY.start_soon(later)
        """)
    starter = kc.execute(code)
    collect(kc, starter)
    other = kc.execute("await trio.sleep(1.5)")
    seen = drain_iopub(kc, 3)
    late = [m for m in seen if m["msg_type"] == "stream" and "late hello" in m["content"]["text"]]
    failed = [m for m in seen if m["msg_type"] == "stream" and "background boom" in m["content"]["text"]]
    assert late and failed
    assert {m["parent_header"]["msg_id"] for m in late + failed} == {starter}
    assert reply_to(kc, other)["content"]["status"] == "ok"
    reply, messages = run(kc, "print('loop alive')")
    assert stdout(messages) == "loop alive\n"


def test_restart_gives_a_fresh_namespace(trio_kernel):
    km, kc = trio_kernel
    run(kc, "survivor = 1")
    km.restart_kernel(now=False)
    kc.wait_for_ready(timeout=60)
    reply, messages = run(kc, "survivor")
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "NameError"


def test_a_crashed_host_is_reported_and_replaced(trio_kernel):
    _, kc = trio_kernel
    _, messages = run(kc, "import os\nprint(os.getpid())")
    first_pid = int(stdout(messages))
    crash = kc.execute("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    others = []
    messages = collect(kc, crash, others=others)
    errors = [m["content"] for m in messages if m["msg_type"] == "error"]
    assert errors and errors[0]["ename"] == "HostDied"
    assert "SIGKILL" in errors[0]["evalue"] or "signal 9" in errors[0]["evalue"], errors[0]["evalue"]
    assert reply_to(kc, crash)["content"]["status"] == "error"
    others += drain_iopub(kc, 2)
    states = [m["content"]["execution_state"] for m in others if m["msg_type"] == "status"]
    assert "restarting" in states
    _, messages = run(kc, "import os\nprint(os.getpid())")
    assert int(stdout(messages)) != first_pid


def start_by_hand(tmp_path: Path, key: bytes = b"the-right-key", python: str = PYTHON):
    """A kernel started from a connection file we wrote, its stderr kept."""
    connection_file, info = write_connection_file(str(tmp_path / "kernel.json"), key=key)
    log = open(tmp_path / "kernel.log", "w")
    process = subprocess.Popen([str(BIN), "kernel", "-f", connection_file, "--python", python],
                               stdout=subprocess.DEVNULL, stderr=log, cwd=tmp_path)
    kc = BlockingKernelClient(connection_file=connection_file)
    kc.load_connection_file()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    return process, kc, tmp_path / "kernel.log"


def leftovers(kc) -> list[str]:
    """The types of the shell messages waiting now."""
    found = []
    while True:
        try:
            found.append(kc.get_shell_msg(timeout=0.5)["msg_type"])
        except Empty:
            return found


def test_a_badly_signed_message_is_dropped_and_logged(tmp_path):
    process, kc, log = start_by_hand(tmp_path)
    try:
        leftovers(kc)  # wait_for_ready's extra kernel_info replies
        forger = Session(key=b"not-the-key")
        forger.send(kc.shell_channel.socket, "execute_request",
                    {"code": "open('pwned', 'w')", "silent": False, "store_history": True,
                     "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
        time.sleep(1)
        assert leftovers(kc) == []
        assert not (tmp_path / "pwned").exists()
        assert "bad HMAC signature" in log.read_text()
        assert kc.kernel_info(reply=True, timeout=10)["content"]["status"] == "ok"
    finally:
        kc.stop_channels()
        process.kill()
        process.wait()


def test_a_host_that_cannot_start_is_an_error_in_the_cell(tmp_path):
    process, kc, _ = start_by_hand(tmp_path, python=str(tmp_path / "no-such-python"))
    try:
        reply, messages = run(kc, "1 + 1")
        assert reply["content"]["status"] == "error"
        errors = [m["content"] for m in messages if m["msg_type"] == "error"]
        assert errors and errors[0]["ename"] == "HostStartFailed"
        assert "no-such-python" in errors[0]["evalue"]
    finally:
        kc.stop_channels()
        process.kill()
        process.wait()


def gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        # A zombie of ours counts as gone.
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split(") ")[1].startswith("Z"):
                    return True
        except OSError:
            return True
        time.sleep(0.1)
    return False


PARENT = textwrap.dedent("""\
    import json, sys, time
    from jupyter_client.manager import start_new_kernel
    km, kc = start_new_kernel(kernel_name="asyncell-trio", startup_timeout=60)
    msg_id = kc.execute("import os; print(os.getpid())")
    host = None
    while host is None:
        msg = kc.get_iopub_msg(timeout=30)
        if msg["msg_type"] == "stream":
            host = int(msg["content"]["text"])
    print(json.dumps({"kernel": km.provisioner.process.pid, "host": host}), flush=True)
    time.sleep(600)
    """)


def test_the_kernel_and_its_host_exit_with_their_parent():
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    try:
        pids = json.loads(parent.stdout.readline())
        parent.kill()
        parent.wait()
        assert gone(pids["kernel"], 10), "the kernel outlived its parent"
        assert gone(pids["host"], 10), "the host outlived the kernel"
    finally:
        parent.kill()


def test_shutdown_stops_kernel_and_host(trio_kernel):
    km, kc = trio_kernel
    _, messages = run(kc, "import os\nprint(os.getpid())")
    host = int(stdout(messages))
    km.shutdown_kernel(now=False)
    assert not km.is_alive()
    assert gone(host, 10)


@pytest.mark.parametrize("code", ["await asyncio.sleep(600)", "while True:\n    pass", "time.sleep(600)"])
def test_the_asyncio_kernel_interrupts_awaits_busy_loops_and_sleeps(code):
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="asyncell-asyncio", startup_timeout=60)
    try:
        run(kc, "import asyncio, time\nticks = []\nasync def tick():\n    while True:\n        ticks.append(1)\n        await asyncio.sleep(0.05)\ntask = asyncio.ensure_future(tick())")
        running = kc.execute(code)
        time.sleep(0.5)
        started = time.monotonic()
        km.interrupt_kernel()
        reply = reply_to(kc, running, timeout=10)["content"]
        assert reply["status"] == "error" and time.monotonic() - started < 2
        _, messages = run(kc, "n = len(ticks)\nawait asyncio.sleep(0.3)\nprint(len(ticks) > n)")
        assert stdout(messages) == "True\n"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_displays_are_updated_and_cleared(trio_kernel):
    from jupyter_kernel_test.msgspec_v5 import validate_message

    _, kc = trio_kernel
    code = textwrap.dedent("""\
        from IPython.display import clear_output, display
        bar = display('10%', display_id=True)
        bar.update('100%')
        clear_output(wait=True)
        print('done')
        """)
    msg_id = kc.execute(code)
    messages = collect(kc, msg_id)
    shown = [m for m in messages if m["msg_type"] in ("display_data", "update_display_data", "clear_output")]
    assert [m["msg_type"] for m in shown] == ["display_data", "update_display_data", "clear_output"]
    for message in shown:
        validate_message(message, message["msg_type"], msg_id)
    display_id = shown[0]["content"]["transient"]["display_id"]
    assert shown[1]["content"]["transient"] == {"display_id": display_id}
    assert shown[1]["content"]["data"]["text/plain"] == "'100%'"
    assert shown[2]["content"] == {"wait": True}
    assert stdout(messages) == "done\n"
    assert reply_to(kc, msg_id)["content"]["status"] == "ok"
    # A later cell updates the display in the earlier one, under its own parent.
    reply, messages = run(kc, "bar.update('again')")
    updates = [m for m in messages if m["msg_type"] == "update_display_data"]
    assert updates and updates[0]["content"]["transient"] == {"display_id": display_id}


def test_background_tasks_show_as_a_table(trio_kernel):
    _, kc = trio_kernel
    run(kc, HEARTBEAT)
    _, messages = run(kc, "GLOBAL_NURSERY.tasks()")
    [result] = [m["content"] for m in messages if m["msg_type"] == "execute_result"]
    html = result["data"]["text/html"]
    assert html.startswith("<table") and "heartbeat" in html and "running" in html
    assert result["data"]["text/plain"].splitlines()[-1] == "1 running, 0 finished"
