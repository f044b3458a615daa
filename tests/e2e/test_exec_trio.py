"""Running cells on one persistent trio loop over LSP: background tasks that outlive
their cell, errors, interrupts of every kind of running code, queues and streaming."""

from __future__ import annotations

import json
import time

import pytest

from exec_support import (  # noqa: F401  (fixtures)
    BEATING,
    HEARTBEAT,
    errors_of,
    host_cache,
    session,
    text_of,
)


def test_trio_background_loop_walkthrough(session):
    started = session.run(HEARTBEAT)
    assert started["status"] == "ok", started
    assert started["executionCount"] == 1
    event = session.wait_event("hostStarted")
    assert event["textDocument"]["uri"] == session.uri and event["pid"] > 0

    # The heartbeat keeps beating in later cells: the loop never stops between cells.
    for _ in range(2):
        result = session.run(BEATING)
        assert text_of(result) == "beating True\n", result

    # A sync cell runs on the loop too.
    result = session.run("trio.current_time() > 0")
    assert result["outputs"][0]["data"]["text/plain"] == "True"

    # `await f()` that raises: an error output, the session survives.
    result = session.run("async def f():\n    raise ValueError('boom')\nawait f()\n")
    assert result["status"] == "error"
    [error] = errors_of(result)
    assert error["ename"] == "ValueError" and error["evalue"] == "boom"
    assert any("<cell" in line for line in error["traceback"])

    # `await GLOBAL_NURSERY.start(f)` where f fails after started(): the cell gets the
    # value, the failure arrives as a taskFailed event, and the loop keeps beating.
    result = session.run(
        "async def flaky(task_status=trio.TASK_STATUS_IGNORED):\n"
        "    task_status.started('ready')\n"
        "    await trio.sleep(0.05)\n"
        "    raise RuntimeError('late failure')\n"
        "await GLOBAL_NURSERY.start(flaky, name='flaky')\n"
    )
    assert result["status"] == "ok"
    assert result["outputs"][0]["data"]["text/plain"] == "'ready'"
    failed = session.wait_event("taskFailed")
    assert "late failure" in failed["message"] and "RuntimeError" in failed["traceback"]
    assert failed["taskId"]
    assert text_of(session.run(BEATING)) == "beating True\n"

    status = session.status()
    assert status["state"] == "idle" and status["loop"] == "trio"
    tasks = {t["name"]: t for t in status["tasks"]}
    assert tasks["heartbeat"]["state"] == "running"
    assert tasks["flaky"]["state"] == "failed"
    assert status["executionCount"] == 7

    # Cancelling the heartbeat: taskFinished, and the beats stop.
    cancelled = session.request("asyncell/cancelTask", taskId=tasks["heartbeat"]["id"])
    assert cancelled == {"cancelled": True}
    finished = session.wait_event("taskFinished")
    assert "cancelled" in finished["message"]
    assert text_of(session.run(BEATING)) == "beating False\n"


@pytest.mark.parametrize(
    "body, how",
    [
        ("await trio.sleep(30)", "cancelled"),
        ("while True:\n        pass", "keyboard_interrupt"),
        ("import time\n    time.sleep(30)", "keyboard_interrupt"),
    ],
    ids=["await", "busy-loop", "time-sleep"],
)
def test_interrupts_leave_the_loop_alive(session, body, how):
    assert session.run(HEARTBEAT)["status"] == "ok"
    code = "print('started', flush=True)\nif True:\n    " + body + "\n"
    request = session.submit(code, executionId="victim")
    session.wait_for_text("victim", "started")
    time.sleep(0.1)
    begun = time.monotonic()
    outcome = session.request("asyncell/interrupt")
    latency = time.monotonic() - begun
    assert outcome["interrupted"] is True, outcome
    assert outcome["how"] == how and outcome["executionId"] == "victim"
    assert outcome["restartSuggested"] is False
    assert latency < 2.0, latency
    result = session.response(request)
    assert result["status"] == "cancelled"
    assert errors_of(result)[0]["ename"] == "KeyboardInterrupt"
    assert text_of(session.run(BEATING)) == "beating True\n"


def test_interrupt_drops_queued_executions(session):
    first = session.submit("import trio\nprint('first', flush=True)\nawait trio.sleep(30)\n", executionId="first")
    queued = [session.submit("print('must not run')", executionId=f"q{i}") for i in range(3)]
    session.wait_for_text("first", "first")
    outcome = session.request("asyncell/interrupt")
    assert outcome["interrupted"] and outcome["dropped"] == 3, outcome
    assert session.response(first)["status"] == "cancelled"
    for request in queued:
        result = session.response(request)
        assert result["status"] == "cancelled"
        assert "must not run" not in text_of(result)
    # FIFO and alive afterwards.
    results = [session.submit(f"print({i})") for i in range(5)]
    assert [text_of(session.response(r)) for r in results] == [f"{i}\n" for i in range(5)]
    assert session.request("asyncell/interrupt")["how"] == "not_running"


def test_outputs_stream_before_the_reply(session):
    request = session.submit("import trio\nprint('early', flush=True)\nawait trio.sleep(0.5)\nprint('late')\n", executionId="s1")
    session.wait_for_text("s1", "early", timeout=10)
    # The first output arrived while the cell was still running...
    with session.client._response_ready:
        assert request not in session.client._responses
    result = session.response(request)
    # ...and every output was on the wire before the reply.
    streamed = "".join(o.get("text", "") for o in session.outputs("s1"))
    assert streamed == "early\nlate\n"
    assert text_of(result) == "early\nlate\n"
    assert result["durationMs"] >= 400


def test_autoawait_mismatch_names_the_fix(session):
    result = session.run("%autoawait asyncio\nprint(1)\n")
    assert result["status"] == "error"
    assert "restart" in errors_of(result)[0]["evalue"]
    assert text_of(session.run("%autoawait trio\nprint(2)\n")) == "2\n"


def test_stuck_interrupt_suggests_a_restart(session):
    request = session.submit(
        "import trio\nprint('shielded', flush=True)\nwith trio.CancelScope(shield=True):\n    await trio.sleep(60)\n",
        executionId="stuck",
    )
    session.wait_for_text("stuck", "shielded")
    begun = time.monotonic()
    outcome = session.request("asyncell/interrupt", timeout=20)
    waited = time.monotonic() - begun
    assert outcome["how"] == "stuck" and outcome["interrupted"] is False, outcome
    assert outcome["restartSuggested"] is True and "restart" in outcome["message"]
    assert 4.5 < waited < 9, waited
    # Restarting gets control back: the stuck cell is answered, the new host works.
    old_pid = session.status()["pid"]
    assert session.request("asyncell/restart")["pid"] != old_pid
    result = session.response(request)
    assert result["status"] == "cancelled"
    assert errors_of(result)[-1]["ename"] == "HostStopped"
    assert text_of(session.run("print('fresh')")) == "fresh\n"


def test_cancel_request_interrupts_that_execution_and_keeps_its_output(session):
    """`$/cancelRequest` of a running `asyncell/execute` stops that cell (its request is
    not just forgotten while the cell runs on) and the reply carries what it printed; a
    queued execution behind it still runs."""
    running = session.submit("import trio\nprint('before', flush=True)\nawait trio.sleep(30)\nprint('never')")
    queued = session.submit("print('next')")
    session.client.wait_for("asyncell/output", lambda p: "before" in json.dumps(p))
    started = time.monotonic()
    session.client.notify("$/cancelRequest", {"id": running})
    result = session.response(running, timeout=10)
    assert time.monotonic() - started < 5
    assert result["status"] in ("cancelled", "error"), result
    assert text_of(result) == "before\n"
    assert any(o["output_type"] == "error" and o["ename"] == "KeyboardInterrupt" for o in result["outputs"])
    assert text_of(session.response(queued)) == "next\n"
