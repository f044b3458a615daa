"""What the cheaper output path (sink.py, timer.py) must still do: a cell that runs says
``started`` while it runs, and text printed outside any flood reaches the supervisor
within a few flusher periods, whoever prints it."""

import time

import pytest

# The flusher sends within 10 ms; the allowance is for a loaded 2-core machine.
PROMPT = 0.5


@pytest.mark.parametrize("body", ["import time\ntime.sleep(3)", "while True:\n    pass",
                                  "import trio\nawait trio.sleep(3)"])
def test_a_running_cell_says_started_long_before_it_ends(trio_host, body):
    sent = time.monotonic()
    id = trio_host.submit(body)
    trio_host.started(id, timeout=PROMPT)
    assert time.monotonic() - sent < PROMPT
    with trio_host._cond:
        assert not any(e.get("ev") == "done" and e.get("id") == id for e in trio_host.events)
    trio_host.interrupt(id)
    assert trio_host.result(id).status == "cancelled"


def test_started_comes_first_for_a_short_cell(trio_host):
    for _ in range(20):
        result = trio_host.run("print('x')\n1+1")
        kinds = [e["ev"] for e in result.events]
        assert kinds == ["started", "output", "output", "done"], kinds
        assert result.stdout == "x\n"


def test_a_background_print_arrives_promptly_after_the_cell(trio_host):
    trio_host.run(
        "import trio, time\n"
        "async def later():\n"
        "    for _ in range(5):\n"
        "        await trio.sleep(0.1)\n"
        "        print(time.monotonic())\n"
        "GLOBAL_NURSERY.start_soon(later)\n"
    )
    events = trio_host.events
    mark = len(events)
    lags = []
    while len(lags) < 5:
        event = trio_host.wait_for(lambda e: e.get("ev") == "output"
                                   and e["output"].get("output_type") == "stream",
                                   timeout=5, start=mark)
        with trio_host._cond:
            mark = next(i for i in range(mark, len(events)) if events[i] is event) + 1
        # CLOCK_MONOTONIC is one clock for every process on the machine.
        lags += [time.monotonic() - float(line) for line in event["output"]["text"].split()]
    assert max(lags) < PROMPT, lags
