"""Interrupt latency: ``interrupt`` sent -> the cell's ``done`` received, per case and loop.

    /work/venv-dev/bin/python server/host/tests/bench_interrupt_latency.py [--runs 9] [-v]

Not collected by pytest (the suite prints one figure per case in its summary; this gives
a distribution).  Each loop/case gets a fresh host with a background heartbeat task; every
run interrupts a new cell once it has settled, checks it ended ``cancelled``, and at the
end that the heartbeat still beats.  Prints min / median / max in milliseconds.
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from conftest import ASYNCIO_HEARTBEAT, BEATING, HEARTBEAT, Host  # noqa: E402

CASES = [
    ("await", {"trio": "await trio.sleep(100)", "asyncio": "await asyncio.sleep(100)"}),
    ("busy loop", "while True:\n    pass"),
    ("time.sleep", "import time\ntime.sleep(100)"),
    ("print loop", "while True:\n    print('spam')"),
]


def measure(loop, code, runs, settle):
    host = Host(loop)
    try:
        assert host.hello()["ev"] == "hello"
        assert host.run(HEARTBEAT if loop == "trio" else ASYNCIO_HEARTBEAT).status == "ok"
        latencies, hows = [], set()
        for _ in range(runs):
            id = host.submit(code)
            host.started(id)
            time.sleep(settle)
            sent = time.monotonic()
            host.send(op="interrupt", id=id)
            result = host.result(id)
            latencies.append((time.monotonic() - sent) * 1000)
            assert result.status == "cancelled", result
            reply = host.wait_for(lambda e: e.get("ev") == "interrupted" and e.get("id") == id)
            hows.add(reply["how"])
        sleep = "trio.sleep" if loop == "trio" else "asyncio.sleep"
        assert host.run(BEATING.format(sleep=sleep)).stdout == "beating True\n"
        return latencies, hows
    finally:
        host.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--settle", type=float, default=0.2)
    parser.add_argument("--loops", default="trio,asyncio")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every run")
    args = parser.parse_args()
    print("%-8s %-11s %8s %8s %8s  %s" % ("loop", "case", "min", "median", "max", "how"))
    for loop in args.loops.split(","):
        for name, code in CASES:
            code = code[loop] if isinstance(code, dict) else code
            latencies, hows = measure(loop, code, args.runs, args.settle)
            print("%-8s %-11s %8.1f %8.1f %8.1f  %s" % (
                loop, name, min(latencies), statistics.median(latencies), max(latencies),
                ",".join(sorted(hows))), flush=True)
            if args.verbose:
                print("    " + " ".join("%.1f" % x for x in latencies), flush=True)


if __name__ == "__main__":
    main()
