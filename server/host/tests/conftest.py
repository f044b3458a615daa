"""Test harness: the real host script, started with the test interpreter, over the
real protocol (newline-delimited JSON on stdin/stdout)."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

HOST_SCRIPT = Path(__file__).resolve().parents[1] / "asyncell_host.py"

HEARTBEAT = """
import trio
beats = []
async def heartbeat():
    while True:
        beats.append(trio.current_time())
        await trio.sleep(0.02)
GLOBAL_NURSERY.start_soon(heartbeat, name="heartbeat")
"""

ASYNCIO_HEARTBEAT = """
import asyncio
beats = []
async def heartbeat():
    while True:
        beats.append(asyncio.get_running_loop().time())
        await asyncio.sleep(0.02)
background.start_soon(heartbeat, name="heartbeat")
"""

BEATING = """
n = len(beats)
await {sleep}(0.2)
print("beating", len(beats) > n)
"""


#: Measurements tests want to show (interrupt latencies, flood figures), printed in the
#: terminal summary so they are visible without ``-s``.
FIGURES = []


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("asyncell host measurements")
        for line in FIGURES:
            terminalreporter.write_line(line)


class Result:
    """Everything the host said about one execution."""

    def __init__(self, id, events):
        self.id = id
        self.events = events
        self.outputs = [e["output"] for e in events if e.get("ev") == "output"]
        self.done = next((e for e in events if e.get("ev") == "done"), None)

    @property
    def status(self):
        return self.done["status"] if self.done else None

    def stream(self, name):
        return "".join(o["text"] for o in self.outputs
                       if o["output_type"] == "stream" and o["name"] == name)

    @property
    def stdout(self):
        return self.stream("stdout")

    @property
    def stderr(self):
        return self.stream("stderr")

    def of_type(self, output_type):
        return [o for o in self.outputs if o["output_type"] == output_type]

    @property
    def errors(self):
        return self.of_type("error")

    @property
    def results(self):
        return self.of_type("execute_result")

    @property
    def displays(self):
        return self.of_type("display_data")

    def __repr__(self):
        return "Result(%s, %r)" % (self.id, self.events)


class Host:
    _ids = itertools.count(1)

    def __init__(self, loop="trio", args=(), python=None, python_flags=(), env=None,
                 keep_text=True):
        argv = [python or sys.executable, *python_flags, str(HOST_SCRIPT), "--loop", loop, *args]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env)
        self.keep_text = keep_text
        self.events = []
        self.noise = []
        self.stderr = b""
        self._cond = threading.Condition()
        self._count = itertools.count(1)
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    # -- plumbing ------------------------------------------------------------------------
    def _read_stdout(self):
        for line in self.proc.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                self.noise.append(line)
                continue
            if not self.keep_text and event.get("ev") == "output":
                output = event["output"]
                if output.get("output_type") == "stream":
                    output["length"] = len(output.pop("text"))
            with self._cond:
                self.events.append(event)
                self._cond.notify_all()
        with self._cond:
            self.events.append({"ev": "__eof__"})
            self._cond.notify_all()

    def _read_stderr(self):
        self.stderr = self.proc.stderr.read()

    def send(self, **message):
        self.proc.stdin.write((json.dumps(message) + "\n").encode())
        self.proc.stdin.flush()

    def wait_for(self, predicate, timeout=10.0, start=0):
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for event in self.events[start:]:
                    if predicate(event):
                        return event
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError("timed out waiting; events so far:\n%s\nstderr: %s"
                                         % ("\n".join(map(repr, self.events[-30:])), self.stderr))
                self._cond.wait(remaining)

    def hello(self, timeout=15.0):
        return self.wait_for(lambda e: e.get("ev") in ("hello", "fatal"), timeout)

    # -- executions ------------------------------------------------------------------------
    def submit(self, code, id=None, count=None, **fields):
        id = id or "e%d" % next(self._ids)
        self.send(op="execute", id=id, code=code,
                  count=count if count is not None else next(self._count), **fields)
        return id

    def result(self, id, timeout=10.0):
        self.wait_for(lambda e: e.get("ev") == "done" and e.get("id") == id, timeout)
        with self._cond:
            return Result(id, [e for e in self.events if e.get("id") == id])

    def run(self, code, timeout=10.0, **kwargs):
        return self.result(self.submit(code, **kwargs), timeout)

    def started(self, id, timeout=10.0):
        return self.wait_for(lambda e: e.get("ev") == "started" and e.get("id") == id, timeout)

    def interrupt(self, id, timeout=10.0):
        """Send ``interrupt``; returns (interrupted event, seconds until the cell's done)."""
        mark = len(self.events)
        sent = time.monotonic()
        self.send(op="interrupt", id=id)
        reply = self.wait_for(lambda e: e.get("ev") == "interrupted" and e.get("id") == id,
                              timeout, start=mark)
        return reply, time.monotonic() - sent

    def request(self, op, timeout=10.0, **fields):
        req = next(self._count) + 10_000
        self.send(op=op, req=req, **fields)
        return self.wait_for(lambda e: e.get("ev") == "reply" and e.get("req") == req, timeout)

    def task_events(self, kind=None):
        with self._cond:
            return [e for e in self.events
                    if e.get("ev") == "task" and (kind is None or e["kind"] == kind)]

    def close(self):
        if self.proc.poll() is None:
            try:
                self.send(op="shutdown")
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class _SparePool:
    """Hosts with default options are started one test ahead: a host takes ~0.4 s to
    import trio and say hello, which then overlaps with the previous test instead of
    adding up over the whole suite.  Every test still gets a fresh host."""

    PREWARMED = ("trio", "asyncio")

    def __init__(self):
        self._spare = {}

    def take(self, loop):
        host = self._spare.pop(loop, None) or Host(loop)
        self._spare[loop] = Host(loop)
        return host

    def settle(self):
        """Waits until every spare host has started: a start-up competes for the CPU with
        whatever a test times next (on 2 cores, 240 ms of an interrupt's latency)."""
        for host in self._spare.values():
            host.hello()

    def close(self):
        for host in self._spare.values():
            host.close()


@pytest.fixture(scope="session")
def _spares():
    pool = _SparePool()
    yield pool
    pool.close()


@pytest.fixture
def start_host(_spares):
    hosts = []

    def start(loop="trio", **kwargs):
        if not kwargs and loop in _SparePool.PREWARMED:
            host = _spares.take(loop)
        else:
            host = Host(loop, **kwargs)
        hosts.append(host)
        hello = host.hello()
        assert hello["ev"] == "hello", hello
        return host

    start.settle = _spares.settle

    yield start
    for host in hosts:
        host.close()


@pytest.fixture
def trio_host(start_host):
    return start_host("trio")


@pytest.fixture
def asyncio_host(start_host):
    return start_host("asyncio")
