#!/usr/bin/env python3
"""The Python host alone, without the server: where a round trip's and a print flood's
time goes on the host side.  A development tool for the host's output path, not a
comparison (bench/exec_vs_ipykernel.py is that).

    python3 bench/host_only.py [--python PY] [--trips 2000] [--floods 10] [--profile]

It starts ``server/host/asyncell_host.py`` with PY (default: this interpreter; it needs
trio), speaks the host protocol (docs/protocol.md section 2) over the pipes from the
calling thread with raw ``os.read``/``os.write``, and reports:

* ``1+1``: execute -> done, p50 / p99 / max over --trips trips, and the host's CPU per
  trip (/proc/PID/task/*/schedstat);
* 100k printed lines: execute -> done with every character received, p50 / p99.

``--profile`` runs the same cells once more under cProfile on the host's loop thread
(enabled by a cell, so only cell-and-host code on that thread is profiled) and prints the
top functions by internal time.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import median, percentile  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HOST = ROOT / "server" / "host" / "asyncell_host.py"
FLOOD = "for i in range(100_000): print(i)"
FLOOD_CHARS = sum(len(str(i)) + 1 for i in range(100_000))


class HostPipe:
    def __init__(self, python: str):
        self.proc = subprocess.Popen([python, str(HOST), "--loop", "trio"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, bufsize=0)
        self.out = self.proc.stdin.fileno()
        self.inp = self.proc.stdout.fileno()
        self.buf = b""
        self.poller = select.poll()
        self.poller.register(self.inp, select.POLLIN)
        self.ids = 0
        self.wait(lambda e: e.get("ev") == "hello")

    def events(self, timeout: float = 30.0):
        deadline = time.monotonic() + timeout
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                yield json.loads(line)
            left = deadline - time.monotonic()
            if left <= 0 or not self.poller.poll(left * 1000):
                raise TimeoutError("host did not answer")
            data = os.read(self.inp, 1 << 20)
            if not data:
                raise EOFError("host exited")
            self.buf += data

    def wait(self, predicate):
        for event in self.events():
            if predicate(event):
                return event

    def execute(self, code: str):
        self.ids += 1
        ident = "e%d" % self.ids
        os.write(self.out, (json.dumps({"op": "execute", "id": ident, "code": code,
                                        "count": self.ids}) + "\n").encode())
        chars = 0
        for event in self.events():
            if event.get("id") != ident:
                continue
            if event["ev"] == "output" and event["output"].get("output_type") == "stream":
                chars += len(event["output"]["text"])
            if event["ev"] == "done":
                return chars, event

    def cpu(self) -> float:
        total = 0
        for task in os.listdir("/proc/%d/task" % self.proc.pid):
            try:
                with open("/proc/%d/task/%s/schedstat" % (self.proc.pid, task)) as f:
                    total += int(f.read().split()[0])
            except OSError:
                pass
        return total / 1e9

    def close(self):
        self.proc.kill()
        self.proc.wait()


def ms(value: float) -> str:
    return "%.3f ms" % (value * 1000)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--trips", type=int, default=2000)
    parser.add_argument("--floods", type=int, default=10)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    host = HostPipe(args.python)
    try:
        for _ in range(50):
            host.execute("1+1")
        times = []
        cpu0 = host.cpu()
        for _ in range(args.trips):
            t0 = time.perf_counter()
            host.execute("1+1")
            times.append(time.perf_counter() - t0)
        cpu = (host.cpu() - cpu0) / args.trips
        times.sort()
        print("1+1 x%d: p50 %s  p99 %s  p99.9 %s  max %s  host CPU/trip %s" % (
            args.trips, ms(median(times)), ms(percentile(times, 99)),
            ms(percentile(times, 99.9)), ms(times[-1]), ms(cpu)))
        slow = sum(1 for t in times if t > 0.002)
        print("   trips over 2 ms: %d" % slow)
        floods = []
        for _ in range(args.floods):
            t0 = time.perf_counter()
            chars, _done = host.execute(FLOOD)
            floods.append(time.perf_counter() - t0)
            assert chars == FLOOD_CHARS, (chars, FLOOD_CHARS)
        print("100k lines x%d: p50 %s  p99 %s  min %s" % (
            args.floods, ms(median(floods)), ms(percentile(floods, 99)), ms(min(floods))))
        if args.profile:
            host.execute("import cProfile as _cp\n_prof = _cp.Profile()\n_prof.enable()")
            host.execute(FLOOD)
            host.execute("_prof.disable()\nimport pstats as _ps\n_ps.Stats(_prof).dump_stats('/tmp/host-flood.prof')")
            host.execute("_prof = _cp.Profile()\n_prof.enable()")
            for _ in range(2000):
                host.execute("1+1")
            host.execute("_prof.disable()\n_ps.Stats(_prof).dump_stats('/tmp/host-trip.prof')")
            import pstats

            for name in ("flood", "trip"):
                print("== %s (loop thread, tottime)" % name)
                pstats.Stats("/tmp/host-%s.prof" % name).sort_stats("tottime").print_stats(18)
    finally:
        host.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
