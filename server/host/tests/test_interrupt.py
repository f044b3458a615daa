"""Interrupts hit exactly the named execution, quickly, and leave the loop alive."""

import time

import pytest
from conftest import ASYNCIO_HEARTBEAT, BEATING, FIGURES, HEARTBEAT


def _interrupt_running(host, code, settle=0.3):
    id = host.submit(code)
    host.started(id)
    time.sleep(settle)  # let the cell reach its await / busy loop
    reply, _ = host.interrupt(id)
    result = host.result(id)
    return reply, result


def _interrupt_and_time(host, code, settle=0.3):
    id = host.submit(code)
    host.started(id)
    time.sleep(settle)
    sent = time.monotonic()
    host.send(op="interrupt", id=id)
    result = host.result(id)
    latency = time.monotonic() - sent
    reply = host.wait_for(lambda e: e.get("ev") == "interrupted" and e.get("id") == id)
    return reply, result, latency


#: interrupt -> done.  Measured on a 2-core machine at load average 7-10: medians of
#: 1.5-6 ms for every case (about 1 ms of a busy cell's is waiting for its GIL; see
#: bench_interrupt_latency.py), single runs inside this suite up to ~60 ms when the OS
#: does not schedule the host (a spare host starting up competes with it).  The bound
#: leaves room for that; the figures are printed in the terminal summary.
MAX_LATENCY = 0.1

CASES = [
    ("trio", "await trio.sleep(100)", "cancelled"),
    ("trio", "while True:\n    pass", "keyboard_interrupt"),
    ("trio", "import time\ntime.sleep(100)", "keyboard_interrupt"),
    ("trio", "while True:\n    print('spam')", "keyboard_interrupt"),
    ("asyncio", "await asyncio.sleep(100)", "cancelled"),
    ("asyncio", "while True:\n    pass", "keyboard_interrupt"),
    ("asyncio", "import time\ntime.sleep(100)", "keyboard_interrupt"),
]


@pytest.mark.parametrize("loop,code,how", CASES,
                         ids=[f"{loop}:{code.splitlines()[-1].strip()}" for loop, code, _ in CASES])
def test_interrupt_stops_the_cell_and_the_loop_keeps_beating(start_host, loop, code, how):
    host = start_host(loop)
    assert host.run(HEARTBEAT if loop == "trio" else ASYNCIO_HEARTBEAT).status == "ok"
    start_host.settle()  # the next test's spare host has started: it does not share the timing
    reply, result, latency = _interrupt_and_time(host, code)
    FIGURES.append("interrupt -> done  %-8s %-34r %6.1f ms (how=%s)"
                   % (loop, code, latency * 1000, reply["how"]))
    assert reply["how"] == how
    assert result.status == "cancelled"
    [error] = result.errors
    assert error["ename"] == "KeyboardInterrupt"
    assert latency < MAX_LATENCY
    sleep = "trio.sleep" if loop == "trio" else "asyncio.sleep"
    assert host.run(BEATING.format(sleep=sleep)).stdout == "beating True\n"
    assert host.request("status")["busy"] is None


def test_keyboard_interrupt_traceback_points_at_the_cell_line(trio_host):
    reply, result = _interrupt_running(trio_host, "import time\nx = 1\ntime.sleep(100)")
    text = "\n".join(result.errors[0]["traceback"])
    assert "line 3" in text and "time.sleep(100)" in text and "asyncell" not in text


def test_stale_interrupt_is_not_running_and_never_hits_the_next_cell(trio_host):
    first = trio_host.submit("1")
    trio_host.result(first)
    second = trio_host.submit("import trio\nawait trio.sleep(0.5)\nprint('finished')")
    trio_host.started(second)
    reply, _ = trio_host.interrupt(first)
    assert reply["how"] == "not_running"
    result = trio_host.result(second)
    assert result.status == "ok" and result.stdout == "finished\n"
    reply, _ = trio_host.interrupt("never-sent")
    assert reply["how"] == "not_running"


def test_interrupting_a_queued_execution_drops_only_it(trio_host):
    running = trio_host.submit("import trio\nawait trio.sleep(0.5)\nprint('ran')")
    queued = trio_host.submit("print('should not run')")
    after = trio_host.submit("print('after')")
    trio_host.started(running)
    reply, _ = trio_host.interrupt(queued)
    assert reply["how"] == "dropped"
    dropped = trio_host.result(queued)
    assert dropped.status == "cancelled" and dropped.outputs == []
    assert not any(e["ev"] == "started" for e in dropped.events)
    assert trio_host.result(running).stdout == "ran\n"
    assert trio_host.result(after).stdout == "after\n"


def test_second_interrupt_escalates_to_keyboard_interrupt(start_host):
    host = start_host("trio", args=["--grace", "3"])
    host.run(HEARTBEAT)
    id = host.submit(
        "try:\n"
        "    await trio.sleep(100)\n"
        "except trio.Cancelled:\n"
        "    while True:\n"   # ignores the cancellation, busy
        "        pass\n"
    )
    host.started(id)
    time.sleep(0.3)
    host.send(op="interrupt", id=id)
    time.sleep(0.3)
    with host._cond:
        assert not any(e.get("ev") == "done" and e.get("id") == id for e in host.events)
    sent = time.monotonic()
    host.send(op="interrupt", id=id)
    result = host.result(id)
    latency = time.monotonic() - sent
    FIGURES.append("second interrupt (escalation) -> done             %6.1f ms" % (latency * 1000))
    assert latency < MAX_LATENCY
    replies = [e["how"] for e in result.events if e["ev"] == "interrupted"]
    assert replies == ["cancelled", "keyboard_interrupt"]
    assert result.status == "cancelled"
    assert host.run(BEATING.format(sleep="trio.sleep")).stdout == "beating True\n"


def test_work_that_ignores_interrupts_is_reported_stuck_after_the_grace(start_host):
    host = start_host("trio", args=["--grace", "0.5"])
    host.run(HEARTBEAT)
    id = host.submit("import time\nawait trio.to_thread.run_sync(time.sleep, 1.0)\nprint('thread done')")
    host.started(id)
    time.sleep(0.2)
    reply, elapsed = host.interrupt(id)
    assert reply["how"] == "stuck"
    assert 0.4 < elapsed < 1.2
    result = host.result(id)  # the thread finishes on its own later
    assert [e["how"] for e in result.events if e["ev"] == "interrupted"] == ["stuck"]
    assert host.run(BEATING.format(sleep="trio.sleep")).stdout == "beating True\n"


def test_background_tasks_survive_interrupts_of_sync_code(trio_host):
    trio_host.run(HEARTBEAT)
    for code in ("while True: pass", "import time\ntime.sleep(100)"):
        _interrupt_running(trio_host, code)
    tasks = trio_host.request("status")["tasks"]
    assert [(t["name"], t["state"]) for t in tasks] == [("heartbeat", "running")]
    assert trio_host.run(BEATING.format(sleep="trio.sleep")).stdout == "beating True\n"


def test_user_code_can_catch_the_interrupt_and_finish_normally(trio_host):
    reply, result = _interrupt_running(
        trio_host,
        "import time\ntry:\n    time.sleep(100)\nexcept KeyboardInterrupt:\n    print('caught')\n",
    )
    assert reply["how"] == "keyboard_interrupt"
    assert result.status == "ok" and result.stdout == "caught\n"


def test_busy_child_task_of_the_cell_is_interrupted_trio(trio_host):
    trio_host.run(HEARTBEAT)
    reply, result = _interrupt_running(
        trio_host,
        "async def spin():\n"
        "    await trio.sleep(0)\n"
        "    while True:\n"
        "        pass\n"
        "async with trio.open_nursery() as nursery:\n"
        "    nursery.start_soon(spin)\n",
    )
    assert reply["how"] == "keyboard_interrupt"
    assert result.status == "cancelled"
    assert trio_host.run(BEATING.format(sleep="trio.sleep")).stdout == "beating True\n"


def test_busy_child_task_of_the_cell_is_interrupted_asyncio(asyncio_host):
    asyncio_host.run(ASYNCIO_HEARTBEAT)
    reply, result = _interrupt_running(
        asyncio_host,
        "async def spin():\n"
        "    await asyncio.sleep(0)\n"
        "    while True:\n"
        "        pass\n"
        "await asyncio.gather(spin())\n",
    )
    assert reply["how"] == "keyboard_interrupt"
    assert result.status == "cancelled"
    assert asyncio_host.run(BEATING.format(sleep="asyncio.sleep")).stdout == "beating True\n"


HOG = (
    "import time, {loop}\n"
    "async def hog():\n"
    "    while True:\n"
    "        time.sleep(0.2)\n"  # blocks the loop in 200 ms slices
    "        await {loop}.sleep(0)\n"
    "background.start_soon(hog, name='hog')\n"
)


@pytest.mark.parametrize("loop", ["trio", "asyncio"])
@pytest.mark.parametrize("same_cell", [False, True], ids=["earlier-cell", "same-cell"])
def test_busy_background_task_is_not_the_cells_to_interrupt(start_host, loop, same_cell):
    """SIGINT never lands in a background task (not even one the interrupted cell
    started); the cell's await is cancelled instead."""
    host = start_host(loop, args=["--grace", "1"])
    code = "await %s.sleep(100)" % loop
    if same_cell:
        code = HOG.format(loop=loop) + code
    else:
        host.run(HOG.format(loop=loop))
    reply, result = _interrupt_running(host, code)
    assert reply["how"] == "cancelled" and result.status == "cancelled"
    tasks = host.request("status")["tasks"]
    assert [(t["name"], t["state"]) for t in tasks] == [("hog", "running")]
    assert host.task_events("cancelled") == [] and host.task_events("failed") == []


IDLE_BACKGROUND = """
import {loop}
waiting = {loop}.Event()
woken = []
async def waiter():
    await waiting.wait()
    woken.append(True)
background.start_soon(waiter, name="waiter")
"""


@pytest.mark.parametrize("loop", ["trio", "asyncio"])
def test_interrupt_while_idle_in_the_loop_cancels_only_the_cell(start_host, loop):
    """The main thread sits in the selector (the cell awaits, the background tasks
    await): the signal must not raise anywhere, only the cell's await is cancelled."""
    host = start_host(loop)
    host.run(HEARTBEAT if loop == "trio" else ASYNCIO_HEARTBEAT)
    host.run(IDLE_BACKGROUND.format(loop=loop))
    start_host.settle()
    latencies = []
    for _ in range(5):
        reply, result, latency = _interrupt_and_time(host, "await %s.sleep(100)" % loop,
                                                     settle=0.1)
        latencies.append(latency)
        assert reply["how"] == "cancelled"
        assert result.status == "cancelled"
        assert [e["ename"] for e in result.errors] == ["KeyboardInterrupt"]
        assert result.stderr == ""
    FIGURES.append("interrupt -> done  %-8s idle loop + background tasks   %6.1f ms (max of 5)"
                   % (loop, max(latencies) * 1000))
    assert max(latencies) < MAX_LATENCY
    tasks = host.request("status")["tasks"]
    assert [(t["name"], t["state"]) for t in tasks] == [("heartbeat", "running"),
                                                        ("waiter", "running")]
    assert host.task_events("cancelled") == [] and host.task_events("failed") == []
    sleep = "trio.sleep" if loop == "trio" else "asyncio.sleep"
    assert host.run(BEATING.format(sleep=sleep)).stdout == "beating True\n"
    woke = host.run("waiting.set()\nawait %s(0.1)\nprint(woken)" % sleep)
    assert woke.stdout == "[True]\n"


@pytest.mark.parametrize("loop", ["trio", "asyncio"])
def test_late_interrupts_never_hit_the_next_cell(start_host, loop):
    """Interrupts racing the end of their cell (the signal may arrive after it finished)
    leave the queued next cell alone."""
    host = start_host(loop)
    for delay in (0.0, 0.005, 0.01, 0.015, 0.02, 0.025, 0.03):
        short = host.submit("import time\ntime.sleep(0.02)")
        following = host.submit("import time\ntime.sleep(0.05)\nprint('next ok')")
        host.started(short)
        time.sleep(delay)
        host.send(op="interrupt", id=short)
        reply = host.wait_for(lambda e: e.get("ev") == "interrupted" and e.get("id") == short)
        assert reply["how"] in ("cancelled", "keyboard_interrupt", "not_running")
        result = host.result(following)
        assert result.status == "ok" and result.stdout == "next ok\n", (delay, result)


@pytest.mark.parametrize("loop", ["trio", "asyncio"])
def test_awaiting_cell_is_cancelled_even_if_a_cell_replaced_the_sigint_handler(start_host, loop):
    host = start_host(loop)
    host.run("import signal, %s\nsignal.signal(signal.SIGINT, lambda signum, frame: None)" % loop)
    reply, result, latency = _interrupt_and_time(host, "await %s.sleep(100)" % loop, settle=0.1)
    assert reply["how"] == "cancelled" and result.status == "cancelled"
    assert latency < MAX_LATENCY
