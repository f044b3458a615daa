#!/usr/bin/env python3
"""The Python host alone, without the server: where a round trip's and a print flood's
time goes on the host side.  A development tool for the host's output path, not a
comparison (bench/exec_vs_ipykernel.py is that).

    python3 bench/host_only.py [--python PY] [--loop trio|asyncio] [--rounds 10] [--trips 200] [--profile]
    python3 bench/host_only.py --host OLD/server/host --host server/host   # interleaved

It starts ``server/host/asyncell_host.py`` with PY (default: this interpreter; it needs
trio), speaks the host protocol (docs/protocol.md section 2) over the pipes from the
calling thread with raw ``os.read``/``os.write``, and reports:

* ``1+1``: execute -> done, p50 / p99 / max over rounds x --trips trips, and the host's
  CPU per trip (/proc/PID/task/*/schedstat);
* 100k printed lines: execute -> done with every character received, p50 / p99, one per
  round, and the host's CPU per flood by thread (the loop thread is the main one).

With several --host directories the hosts run side by side, round by round, the order
flipping every round, so that the machine's load falls on all alike.

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
    def __init__(self, python: str, script: Path = HOST, loop: str = "trio"):
        self.proc = subprocess.Popen([python, str(script), "--loop", loop], stdin=subprocess.PIPE,
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

    def threads(self) -> dict:
        """CPU seconds so far by thread (schedstat)."""
        by_name = {}
        for task in os.listdir("/proc/%d/task" % self.proc.pid):
            base = "/proc/%d/task/%s/" % (self.proc.pid, task)
            try:
                with open(base + "schedstat") as f:
                    ns = int(f.read().split()[0])
                # Python 3.11 does not name its threads for the OS: the loop thread is
                # the main one (its id is the pid), the others are told apart by id.
                name = "loop" if int(task) == self.proc.pid else "thread %s" % task
            except OSError:
                continue
            by_name[name] = by_name.get(name, 0) + ns / 1e9
        return by_name

    def cpu(self) -> float:
        return sum(self.threads().values())

    def close(self):
        self.proc.kill()
        self.proc.wait()


def ms(value: float) -> str:
    return "%.3f ms" % (value * 1000)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--host", action="append", type=Path, default=None,
                        help="a host directory (with asyncell_host.py) to compare; repeat it to "
                             "compare several, interleaved round by round (default: this checkout's)")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--trips", type=int, default=200, help="1+1 trips per round and host")
    parser.add_argument("--loop", choices=("trio", "asyncio"), default="trio")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    dirs = args.host or [HOST.parent]
    hosts = [HostPipe(args.python, d / "asyncell_host.py", args.loop) for d in dirs]
    trips = [[] for _ in hosts]
    trip_cpu = [0.0 for _ in hosts]
    floods = [[] for _ in hosts]
    flood_cpu = [dict() for _ in hosts]
    try:
        for host in hosts:
            for _ in range(50):
                host.execute("1+1")
            host.execute(FLOOD)
        for round_ in range(args.rounds):
            order = list(range(len(hosts)))
            if round_ % 2:
                order.reverse()
            for k in order:
                host = hosts[k]
                cpu0 = host.cpu()
                for _ in range(args.trips):
                    t0 = time.perf_counter()
                    host.execute("1+1")
                    trips[k].append(time.perf_counter() - t0)
                trip_cpu[k] += host.cpu() - cpu0
            for k in order:
                host = hosts[k]
                threads0 = host.threads()
                t0 = time.perf_counter()
                chars, _done = host.execute(FLOOD)
                floods[k].append(time.perf_counter() - t0)
                assert chars == FLOOD_CHARS, (chars, FLOOD_CHARS)
                for name, seconds in host.threads().items():
                    flood_cpu[k][name] = flood_cpu[k].get(name, 0) + seconds - threads0.get(name, 0)
        for k, d in enumerate(dirs):
            t = sorted(trips[k])
            print("%s" % d)
            print("  1+1 x%d: p50 %s  p99 %s  p99.9 %s  max %s  over 2 ms %d  host CPU/trip %s" % (
                len(t), ms(median(t)), ms(percentile(t, 99)), ms(percentile(t, 99.9)), ms(t[-1]),
                sum(1 for x in t if x > 0.002), ms(trip_cpu[k] / len(t))))
            f = floods[k]
            cpu = flood_cpu[k]
            print("  100k lines x%d: p50 %s  p99 %s  min %s  host CPU/flood %s (%s)" % (
                len(f), ms(median(f)), ms(percentile(f, 99)), ms(min(f)),
                ms(sum(cpu.values()) / len(f)),
                ", ".join("%s %s" % (n, ms(v / len(f))) for n, v in sorted(cpu.items()) if v > 0)))
        if args.profile:
            host = hosts[0]
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
        for host in hosts:
            host.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
