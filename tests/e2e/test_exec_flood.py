"""A 100 MB print flood: every byte streams to the client, the reply stays small, the
server's memory stays bounded and other requests stay responsive."""

from __future__ import annotations

import queue
import statistics
import threading
import time

from exec_support import host_cache, rss_peak_kib, session, text_of  # noqa: F401

TOTAL = 100 * 1000 * 1000
FLOOD = f"""\
import sys
line = "x" * 999 + "\\n"
for _ in range({TOTAL // 1000}):
    sys.stdout.write(line)
print("END")
"""


def test_print_flood_is_streamed_with_bounded_memory(session):
    client = session.client
    assert session.run("print('warm')")["status"] == "ok"  # host started
    streamed = {"bytes": 0, "notifications": 0, "end": False}
    done = threading.Event()

    def consume():
        # Count the flood's notifications without keeping them (the test's own memory).
        while not done.is_set():
            try:
                message = client.notifications.get(timeout=0.1)
            except queue.Empty:
                continue
            params = message.get("params") or {}
            if message.get("method") == "asyncell/output" and params.get("executionId") == "flood":
                text = params["output"].get("text", "")
                streamed["bytes"] += len(text)
                streamed["notifications"] += 1
                if text.endswith("END\n"):
                    streamed["end"] = True

    consumer = threading.Thread(target=consume, daemon=True)
    consumer.start()
    started = time.monotonic()
    request = session.submit(FLOOD, executionId="flood")
    status_latencies = []
    while True:
        with client._response_ready:
            finished = request in client._responses
        if finished:
            break
        begun = time.monotonic()
        status = session.status()
        status_latencies.append(time.monotonic() - begun)
        assert status["state"] in ("busy", "idle")
        time.sleep(0.05)
        assert time.monotonic() - started < 60, "the flood did not finish"
    result = session.response(request)
    elapsed = time.monotonic() - started
    assert result["status"] == "ok"
    # The reply keeps about 1 MiB and says what it left out.
    kept = text_of(result)
    assert len(kept) <= (1 << 20) + 100
    notice = text_of(result, "stderr")
    assert "output truncated" in notice
    # Every byte was streamed, in order, before the reply.
    assert wait_for(lambda: streamed["end"]), streamed
    done.set()
    consumer.join()
    assert streamed["bytes"] == TOTAL + len("END\n")
    # Requests stayed responsive during the flood.
    assert status_latencies, "the flood ended before any status request"
    # A release build answers within ~10 ms; an unoptimised debug build spends most of
    # the flood JSON-encoding notifications, hence the generous bounds. (A server that
    # blocked would answer only after the whole flood, many seconds later.)
    assert statistics.median(status_latencies) < 1.0, status_latencies
    assert max(status_latencies) < 3.0, status_latencies
    peak = rss_peak_kib(client.proc.pid)
    assert peak < 150 * 1024, f"server peak RSS {peak} KiB"
    print(
        f"\nflood: {TOTAL / 1e6:.0f} MB in {elapsed:.1f} s, {streamed['notifications']} notifications, "
        f"{len(status_latencies)} status requests answered in max {max(status_latencies) * 1000:.0f} ms, "
        f"server peak RSS {peak / 1024:.0f} MiB"
    )


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()
