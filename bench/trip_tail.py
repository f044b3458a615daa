#!/usr/bin/env python3
"""Where the slow `1+1` round trips lose their time: on the way to the cell or back.

    python3 bench/trip_tail.py [--asyncell BINARY] [--trips 2000]

A development tool next to bench/exec_vs_ipykernel.py (it reuses that script's LSP
client, server set-up and venv). It runs `time.monotonic()` as the cell, warm, --trips
times. CLOCK_MONOTONIC is one clock for every process on the machine, so each trip
splits into the request path (client -> server -> host -> the cell runs) and the reply
path (the cell's value -> host frames -> server -> the client has the reply), besides
the total. It prints p50 / p99 of each and, for the trips over 3 ms, which path held
most of the time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import exec_vs_ipykernel as bench  # noqa: E402
from _common import median, percentile  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--asyncell", type=Path, default=bench.DEFAULT_BINARY)
    parser.add_argument("--trips", type=int, default=2000)
    args = parser.parse_args()
    python = bench.bench_venv()
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        server = bench.Asyncell(args.asyncell.resolve(), Path(workdir), python)
        server.start()
        try:
            server.execute("import time")
            server.round_trips(50)
            for _ in range(args.trips):
                sent = time.monotonic()
                result = server.execute("time.monotonic()")
                got = time.monotonic()
                ran = float(result["outputs"][0]["data"]["text/plain"])
                rows.append((got - sent, ran - sent, got - ran))
        finally:
            server.stop()

    def figures(index: int) -> str:
        values = [row[index] for row in rows]
        return "p50 %.3f ms, p99 %.3f ms" % (median(values) * 1e3, percentile(values, 99) * 1e3)

    print("total:        " + figures(0))
    print("request path: " + figures(1))
    print("reply path:   " + figures(2))
    slow = [row for row in rows if row[0] > 0.003]
    by_request = sum(1 for row in slow if row[1] > row[2])
    print("%d of %d trips over 3 ms: the request path held most of it in %d, the reply path in %d"
          % (len(slow), len(rows), by_request, len(slow) - by_request))
    return 0


if __name__ == "__main__":
    sys.exit(main())
