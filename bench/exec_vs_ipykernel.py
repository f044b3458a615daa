#!/usr/bin/env python3
"""asyncell's execution benchmarks, side by side with ipykernel (driven by jupyter_client).

    python3 bench/exec_vs_ipykernel.py [--asyncell target/dist/asyncell] [--rounds 10]
    python3 bench/exec_vs_ipykernel.py --scenarios trip,complete --rounds 20

Standard library only. Everything it needs it installs once into a venv of its own,
bench/.cache/exec-venv (git-ignored): trio, trio-asyncio, anyio, ipykernel and
jupyter_client at pinned versions. That venv's python runs both asyncell's host and the
ipykernel kernel, so both sides import the same packages from the same disk.

The two sides are measured in alternating rounds (the order flips every round), so load
from elsewhere on the machine hits both alike. Every figure is given as p50 (the
median) and p99 (nearest rank: the slowest sample when there are fewer than 100).

Scenarios (`--scenarios`, comma-separated; all by default; they run in the order
start, trip, flood, interrupt, complete whatever order they are given in):

  trip       Round trip (warm): `1+1` as `asyncell/execute` request -> reply over LSP,
             vs execute_request -> execute_reply + status idle through jupyter_client.
             Targets: p50 >= 20x ipykernel's p50, p99 >= 10x ipykernel's p99.
  start      Start to first result: spawn `asyncell` + initialize + didOpen + the first
             `1+1` reply (which starts the trio host), vs KernelManager.start_kernel +
             client + wait_for_ready + the first `1+1` reply; both against the floor
             `python -c "import trio"` (same interpreter, measured in the same rounds).
             Target: asyncell p50 <= 1.15x the floor's p50.
  flood      100k printed lines (`for i in range(100_000): print(i)`): request -> the
             reply, with every line of output received (checked).
             Target: asyncell p50 >= 5x faster than ipykernel's p50.
  interrupt  `asyncell/interrupt` request -> the execution's reply, for an await
             (`await trio.sleep(100)`), a busy loop and `time.sleep(100)`; vs
             KernelManager.interrupt_kernel() -> execute_reply (ipykernel's await case
             is `await asyncio.sleep(100)`; its wait is capped, --cap).
             Target: asyncell p50 <= 10 ms each.
  complete   Completion while a cell awaits: a heartbeat cell starts a background trio
             task, then `await trio.sleep(30)` runs, and while it awaits --completions
             `asyncell/complete` requests (`tr`, cursor 2) are timed one after another,
             request -> response. ipykernel: a complete_request while a cell runs
             `await asyncio.sleep(30)`. ipykernel answers shell requests only between
             cells, so that wait is capped (--busy-cap) and reported as "no answer while
             busy"; ipykernel's complete_request when idle is the reference figure.
             Target: asyncell p50 <= 5 ms.

The ipykernel side runs in a driver process on the venv's python (jupyter_client is
imported there before anything is timed, as an editor has its LSP client loaded);
it times itself with the same clock and reports back over a pipe. Next to the round
trip it reports the CPU time per round trip: asyncell's server and host (all threads)
vs ipykernel's kernel process, from /proc/PID/task/*/schedstat.

Exits 0 when the benchmarks ran, whether targets are met or not (the list says), 2 on
an error.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import venv
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BenchError, log, main_wrapper, median, percentile  # noqa: E402
from _common import machine_summary as machine  # noqa: E402

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CACHE = BENCH / ".cache"
VENV = CACHE / "exec-venv"
DEFAULT_BINARY = ROOT / "target" / "dist" / "asyncell"

# Pinned so that runs on different days compare like with like.
REQUIREMENTS = [
    "trio==0.35.0",
    "trio-asyncio==0.16.0",
    "anyio==4.16.0",
    "ipykernel==7.4.0",
    "jupyter_client==8.10.0",
]

TARGET_ROUND_TRIP = 20.0  # asyncell's p50 at least this many times faster than ipykernel's
TARGET_ROUND_TRIP_P99 = 10.0  # asyncell's p99 at least this many times faster than ipykernel's
TARGET_START = 1.15  # asyncell's p50 at most this many times the floor's
TARGET_FLOOD = 5.0  # asyncell's p50 at least this many times faster than ipykernel's
TARGET_INTERRUPT = 0.010  # seconds, asyncell's p50
TARGET_COMPLETE = 0.005  # seconds, asyncell's p50 while a cell awaits

# In the order they run: start first, while no warm server or kernel exists yet.
SCENARIOS = ("start", "trip", "flood", "interrupt", "complete")

FLOOD_LINES = 100_000
FLOOD_CODE = f"for i in range({FLOOD_LINES:_}): print(i)"
FLOOD_CHARS = sum(len(str(i)) + 1 for i in range(FLOOD_LINES))

# label -> (asyncell cell, ipykernel cell); each prints "go" and then blocks.
INTERRUPT_CASES = {
    "await": ("import trio\nprint('go', flush=True)\nawait trio.sleep(100)\n",
              "import asyncio\nprint('go', flush=True)\nawait asyncio.sleep(100)\n"),
    "busy loop": ("print('go', flush=True)\nwhile True:\n    pass\n",
                  "print('go', flush=True)\nwhile True:\n    pass\n"),
    "time.sleep": ("import time\nprint('go', flush=True)\ntime.sleep(100)\n",
                   "import time\nprint('go', flush=True)\ntime.sleep(100)\n"),
}
SETTLE = 0.05  # seconds between seeing "go" and interrupting: the cell is blocked by then

# The completion scenario. The heartbeat is a background trio task, so the loop has
# work of its own while the cell awaits, as in examples/heartbeat.py.
HEARTBEAT_CELL = """\
import trio
beats = []

async def heartbeat(interval=0.05):
    while True:
        beats.append(trio.current_time())
        await trio.sleep(interval)

GLOBAL_NURSERY.start_soon(heartbeat, name="heartbeat")
"""
AWAITING_CELLS = ("import trio\nprint('go', flush=True)\nawait trio.sleep(30)\n",
                  "import asyncio\nprint('go', flush=True)\nawait asyncio.sleep(30)\n")
COMPLETE_CODE, COMPLETE_CURSOR, COMPLETE_EXPECTED = "tr", 2, "trio"
COMPLETE_WARMUP = 10  # untimed completions first: jedi's first ones load its caches


# -- the venv -------------------------------------------------------------------------------


def ensure_gitignore() -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    ignore = CACHE / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Benchmark downloads, venv and generated files: never committed.\n*\n")


def bench_venv() -> Path:
    """bench/.cache/exec-venv with REQUIREMENTS installed; returns its python."""
    ensure_gitignore()
    python = VENV / "bin" / "python"
    marker = VENV / ".bench-requirements.json"
    try:
        if python.exists() and json.loads(marker.read_text()) == sorted(REQUIREMENTS):
            return python
    except (OSError, ValueError):
        pass
    if not python.exists():
        log(f"creating {VENV} ...")
        try:
            venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        except (OSError, subprocess.CalledProcessError) as error:
            shutil.rmtree(VENV, ignore_errors=True)
            raise BenchError(f"cannot create a venv with pip ({error}); on Debian/Ubuntu install python3-venv") from None
    log(f"installing {' '.join(REQUIREMENTS)} into {VENV} ...")
    proc = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *REQUIREMENTS],
        capture_output=True, text=True, timeout=1800,
    )
    if proc.returncode != 0:
        raise BenchError(f"pip install failed:\n{(proc.stdout + proc.stderr)[-3000:]}")
    marker.write_text(json.dumps(sorted(REQUIREMENTS)))
    return python


# -- a minimal synchronous LSP client ---------------------------------------------------------


class Lsp:
    """Speaks LSP to one asyncell server over stdio: Content-Length framing, every
    message parsed, notifications passed on, server -> client requests answered.

    Lean on purpose, so the client's own cost stays small: it reads and writes the raw
    pipe fds (os.read/os.write, one buffer, no file objects), on the calling thread (no
    reader thread: no thread hand-off in the measured path), and times out with poll()
    (no watchdog thread per request). A wait that overruns kills the server, which turns
    a hang into an error."""

    def __init__(self, binary: Path, cwd: Path, env: dict):
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([str(binary)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr, cwd=cwd, env=env, bufsize=0)
        self.out_fd = self.proc.stdin.fileno()
        self.in_fd = self.proc.stdout.fileno()
        self.poller = select.poll()
        self.poller.register(self.in_fd, select.POLLIN)
        self.buffer = b""  # bytes read and not parsed yet, from self.pos
        self.pos = 0
        self.ids = itertools.count(1)
        self.responses: dict = {}  # id -> (message, when it arrived)

    def send(self, message: dict) -> None:
        body = json.dumps(message).encode()
        data = b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        while data:
            data = data[os.write(self.out_fd, data):]

    def notify(self, method: str, params) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def submit(self, method: str, params) -> int:
        request_id = next(self.ids)
        self.send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        return request_id

    def read(self, deadline: float) -> dict:
        """The next message; raises BenchError if none is complete by `deadline`."""
        while True:
            buffer, pos = self.buffer, self.pos
            end = buffer.find(b"\r\n\r\n", pos)
            if end >= 0:
                length = None
                for line in buffer[pos:end].split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                if length is None:
                    raise BenchError(f"a message without Content-Length: {buffer[pos:end]!r}")
                start = end + 4
                if len(buffer) >= start + length:
                    self.pos = start + length
                    return json.loads(buffer[start:self.pos])
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self.poller.poll(remaining * 1000):
                self.proc.kill()
                raise BenchError(f"asyncell did not answer in time; stderr ends with:\n{self.stderr_tail()}")
            chunk = os.read(self.in_fd, 1 << 20)
            if not chunk:
                raise BenchError(f"asyncell closed its stdout; stderr ends with:\n{self.stderr_tail()}")
            self.buffer = buffer[pos:] + chunk if pos < len(buffer) else chunk
            self.pos = 0

    def wait(self, request_id: int, on_notification=None, timeout: float = 60.0):
        """Reads until the response to `request_id`; notifications go to `on_notification`."""
        if request_id in self.responses:
            return self.unwrap(self.responses.pop(request_id)[0])
        deadline = time.monotonic() + timeout
        while True:
            message = self.read(deadline)
            if "method" in message:
                if "id" in message:  # a server -> client request: editors accept these
                    self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
                elif on_notification is not None:
                    on_notification(message)
                continue
            if message.get("id") == request_id:
                return self.unwrap(message)
            self.responses[message.get("id")] = (message, time.perf_counter())

    def unwrap(self, message: dict):
        if "error" in message:
            raise BenchError(f"asyncell answered with an error: {message['error']}")
        return message.get("result")

    def request(self, method: str, params, **kw):
        return self.wait(self.submit(method, params), **kw)

    def stderr_tail(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")[-2000:]

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                self.request("shutdown", None, timeout=10)
                self.notify("exit", None)
                self.proc.wait(10)
        except Exception:
            pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.stderr.close()


class Asyncell:
    """An asyncell server with one open document whose host runs trio on `python`."""

    def __init__(self, binary: Path, workdir: Path, python: Path):
        self.binary = binary
        self.workdir = workdir
        self.python = python
        self.env = {**os.environ, "XDG_CACHE_HOME": str(workdir / "cache"), "ASYNCELL_LOG": "warn"}
        for name in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"):
            self.env.pop(name, None)
        self.uri = (workdir / "bench.py").as_uri()
        self.lsp: Lsp | None = None

    def start(self) -> None:
        self.lsp = Lsp(self.binary, self.workdir, self.env)
        self.lsp.request("initialize", {
            "processId": os.getpid(),
            "rootUri": self.workdir.as_uri(),
            "capabilities": {"notebookDocument": {"synchronization": {}}},
            "initializationOptions": {
                "python": self.python if isinstance(self.python, list) else str(self.python),
                "loop": "trio",
            },
        })
        self.lsp.notify("initialized", {})
        self.lsp.notify("textDocument/didOpen", {"textDocument": {
            "uri": self.uri, "languageId": "python", "version": 1, "text": "import trio\n"}})

    def stop(self) -> None:
        if self.lsp is not None:
            self.lsp.close()
            self.lsp = None

    def execute(self, code: str, on_notification=None, timeout: float = 120.0) -> dict:
        return self.lsp.request("asyncell/execute", {"textDocument": {"uri": self.uri}, "code": code},
                                on_notification=on_notification, timeout=timeout)

    # -- measurements ----------------------------------------------------------------------
    def cold_start(self) -> float:
        began = time.perf_counter()
        self.start()
        result = self.execute("1+1")
        elapsed = time.perf_counter() - began
        check_two(result)
        self.stop()
        return elapsed

    def round_trips(self, n: int, cpu: list | None = None) -> list[float]:
        """`n` warm round trips; appends the CPU time per trip of the server and its host
        (all threads) to `cpu`, if given."""
        pids = [self.lsp.proc.pid, *children(self.lsp.proc.pid)]
        used = cpu_seconds(pids)
        samples = []
        for _ in range(n):
            began = time.perf_counter()
            result = self.execute("1+1")
            samples.append(time.perf_counter() - began)
            if result["status"] != "ok":
                raise BenchError(f"asyncell: 1+1 failed: {result}")
        if cpu is not None:
            cpu.append((cpu_seconds(pids) - used) / n)
        return samples

    def flood(self) -> float:
        received = [0]

        def count(message):
            params = message.get("params") or {}
            output = params.get("output") or {}
            if message["method"] == "asyncell/output" and output.get("name") == "stdout":
                received[0] += len(output["text"])

        began = time.perf_counter()
        result = self.execute(FLOOD_CODE, on_notification=count)
        elapsed = time.perf_counter() - began
        in_reply = sum(len(o.get("text", "")) for o in result["outputs"] if o.get("name") == "stdout")
        if result["status"] != "ok" or received[0] != FLOOD_CHARS or in_reply != FLOOD_CHARS:
            raise BenchError(f"asyncell flood: status {result['status']}, {received[0]} chars streamed and "
                             f"{in_reply} in the reply, expected {FLOOD_CHARS}")
        return elapsed

    def start_blocked(self, code: str) -> int:
        """Submits `code` (which prints "go", then blocks) and returns its request id once
        "go" has been seen and SETTLE has passed: the cell is blocked by then."""
        lsp = self.lsp
        execution = lsp.submit("asyncell/execute", {"textDocument": {"uri": self.uri}, "code": code})
        go = threading.Event()

        def watch(message):
            output = (message.get("params") or {}).get("output") or {}
            if message["method"] == "asyncell/output" and "go" in output.get("text", ""):
                go.set()

        # Read until "go": wait() with an id that never comes back would block, so poll
        # with a status request (answered by the server alone, without the host).
        deadline = time.monotonic() + 30
        while not go.is_set():
            if time.monotonic() > deadline:
                raise BenchError("asyncell: the interrupt cell never printed 'go'")
            lsp.wait(lsp.submit("asyncell/status", {"textDocument": {"uri": self.uri}}), on_notification=watch)
            if execution in lsp.responses:
                raise BenchError(f"asyncell: the cell ended before 'go': {lsp.responses[execution][0]}")
        time.sleep(SETTLE)
        return execution

    def interrupt(self, code: str) -> tuple[float, float]:
        """(interrupt request -> execute reply, interrupt request -> interrupt reply)."""
        lsp = self.lsp
        execution = self.start_blocked(code)
        began = time.perf_counter()
        request = lsp.submit("asyncell/interrupt", {"textDocument": {"uri": self.uri}})
        result = lsp.wait(execution, timeout=30)
        to_reply = time.perf_counter() - began
        early = lsp.responses.get(request)
        outcome = lsp.wait(request, timeout=30)
        to_answer = (early[1] if early else time.perf_counter()) - began
        if result["status"] != "cancelled" or not outcome.get("interrupted"):
            raise BenchError(f"asyncell: interrupt did not take: {outcome} / {result['status']}")
        return to_reply, to_answer

    def complete(self) -> float:
        """One `asyncell/complete` round trip; checks that the live `trio` is offered."""
        began = time.perf_counter()
        result = self.lsp.request("asyncell/complete", {"textDocument": {"uri": self.uri},
                                                        "code": COMPLETE_CODE, "cursor": COMPLETE_CURSOR})
        elapsed = time.perf_counter() - began
        texts = [match.get("text") for match in (result or {}).get("matches", [])]
        if COMPLETE_EXPECTED not in texts:
            raise BenchError(f"asyncell: completing {COMPLETE_CODE!r} did not offer {COMPLETE_EXPECTED!r}: {result}")
        return elapsed

    def start_heartbeat(self) -> None:
        result = self.execute(HEARTBEAT_CELL)
        if result["status"] != "ok":
            raise BenchError(f"asyncell: the heartbeat cell failed: {result}")

    def beats(self) -> int:
        result = self.execute("len(beats)")
        texts = [o.get("data", {}).get("text/plain") for o in result.get("outputs", [])]
        if result["status"] != "ok" or not texts or not str(texts[0]).isdigit():
            raise BenchError(f"asyncell: cannot count the heartbeat's beats: {result}")
        return int(texts[0])

    def completions_while_awaiting(self, n: int, warmup: int = 0) -> list[float]:
        """`n` timed completions (after `warmup` untimed ones) while AWAITING_CELLS[0]
        awaits; checks that the cell was still awaiting after the last one, then
        interrupts it."""
        lsp = self.lsp
        execution = self.start_blocked(AWAITING_CELLS[0])
        for _ in range(warmup):
            self.complete()
        samples = [self.complete() for _ in range(n)]
        if execution in lsp.responses:
            raise BenchError(f"asyncell: the awaiting cell ended during the completions: "
                             f"{lsp.responses[execution][0]}")
        outcome = lsp.request("asyncell/interrupt", {"textDocument": {"uri": self.uri}}, timeout=30)
        result = lsp.wait(execution, timeout=30)
        if result["status"] != "cancelled" or not outcome.get("interrupted"):
            raise BenchError(f"asyncell: the awaiting cell did not end on interrupt: {outcome} / {result['status']}")
        return samples


def check_two(result: dict) -> None:
    texts = [o.get("data", {}).get("text/plain") for o in result.get("outputs", [])]
    if result.get("status") != "ok" or "2" not in texts:
        raise BenchError(f"1+1 did not answer 2: {result}")


# -- the ipykernel driver (runs on the venv's python) ---------------------------------------

DRIVER = r'''
import json, os, sys, time
from queue import Empty
from jupyter_client.manager import KernelManager
import ipykernel, jupyter_client, zmq

def cpu_seconds(pid):
    total = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as handle:
                total += int(handle.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total / 1e9

def say(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()

def start():
    km = KernelManager(kernel_name="python3")
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=120)
    return km, kc

def stop(km, kc):
    kc.stop_channels()
    km.shutdown_kernel(now=True)

def finish(kc, msg_id, timeout=120.0, shell_timeout=None):
    """Waits for execute_reply and status idle of msg_id; returns (reply, stdout text, when
    the reply came, when both had come)."""
    deadline = time.perf_counter() + timeout
    text = []
    reply = replied = None
    idle = False
    while reply is None or not idle:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise TimeoutError
        if reply is None and kc.shell_channel.msg_ready():
            msg = kc.get_shell_msg(timeout=0)
            if msg["parent_header"].get("msg_id") == msg_id:
                reply, replied = msg, time.perf_counter()
            continue
        if not idle:
            try:
                msg = kc.get_iopub_msg(timeout=min(remaining, 0.5) if reply is None else remaining)
            except Empty:
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind = msg["msg_type"]
            if kind == "stream" and msg["content"]["name"] == "stdout":
                text.append(msg["content"]["text"])
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
            continue
        msg = kc.get_shell_msg(timeout=remaining)
        if msg["parent_header"].get("msg_id") == msg_id:
            reply, replied = msg, time.perf_counter()
    return reply, "".join(text), replied, time.perf_counter()

def run(kc, code):
    began = time.perf_counter()
    reply, text, _, done = finish(kc, kc.execute(code))
    return done - began, reply, text

def wait_for_go(kc, msg_id):
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=1)
        except Empty:
            continue
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream"
                and "go" in msg["content"]["text"]):
            return
    raise TimeoutError("no 'go'")

stashed = {}  # parent msg_id -> a shell reply read while waiting for another one

def shell_reply(kc, msg_id, timeout):
    """The shell reply to msg_id, or None if none came within `timeout` seconds."""
    if msg_id in stashed:
        return stashed.pop(msg_id)
    deadline = time.perf_counter() + timeout
    while True:
        remaining = deadline - time.perf_counter()
        try:
            msg = kc.get_shell_msg(timeout=max(remaining, 0))
        except Empty:
            return None
        parent = msg["parent_header"].get("msg_id")
        if parent == msg_id:
            return msg
        if len(stashed) < 100:
            stashed[parent] = msg

def complete(kc, code, cursor, expected, timeout=30.0):
    """(seconds from complete_request to complete_reply, or None past `timeout`)."""
    began = time.perf_counter()
    reply = shell_reply(kc, kc.complete(code, cursor), timeout)
    if reply is None:
        return None
    elapsed = time.perf_counter() - began
    matches = reply["content"].get("matches", [])
    assert reply["content"]["status"] == "ok" and expected in matches, reply["content"]
    return elapsed

warm = None
say({"ready": True, "versions": {"ipykernel": ipykernel.__version__,
     "jupyter_client": jupyter_client.__version__, "pyzmq": zmq.__version__}})
for line in sys.stdin:
    cmd = json.loads(line)
    op = cmd["op"]
    try:
        if op == "cold":
            began = time.perf_counter()
            km, kc = start()
            elapsed, reply, _ = run(kc, "1+1")
            elapsed = time.perf_counter() - began
            stop(km, kc)
            assert reply["content"]["status"] == "ok", reply
            say({"sample": elapsed})
        elif op == "warm":
            warm = start()
            for _ in range(20):
                run(warm[1], "1+1")
            say({"ok": True})
        elif op == "trips":
            samples = []
            pid = warm[0].provisioner.process.pid
            used = cpu_seconds(pid)
            for _ in range(cmd["n"]):
                elapsed, reply, _ = run(warm[1], "1+1")
                assert reply["content"]["status"] == "ok", reply
                samples.append(elapsed)
            say({"samples": samples, "cpu": (cpu_seconds(pid) - used) / cmd["n"]})
        elif op == "flood":
            elapsed, reply, text = run(warm[1], cmd["code"])
            assert reply["content"]["status"] == "ok", reply
            say({"sample": elapsed, "chars": len(text)})
        elif op == "interrupt":
            km, kc = warm
            msg_id = kc.execute(cmd["code"])
            wait_for_go(kc, msg_id)
            time.sleep(cmd["settle"])
            began = time.perf_counter()
            km.interrupt_kernel()
            try:
                reply, _, replied, _ = finish(kc, msg_id, timeout=cmd["cap"])
            except TimeoutError:
                # Still running after the cap (an await on asyncio): restart the kernel.
                stop(km, kc)
                warm = start()
                run(warm[1], "1+1")
                say({"sample": None})
                continue
            say({"sample": replied - began, "status": reply["content"]["status"]})
        elif op == "complete_idle":
            kc = warm[1]
            run(kc, cmd["prepare"])  # the names asyncell's namespace has (untimed)
            for _ in range(cmd["warmup"]):
                complete(kc, cmd["code"], cmd["cursor"], cmd["expected"])
            samples = [complete(kc, cmd["code"], cmd["cursor"], cmd["expected"]) for _ in range(cmd["n"])]
            assert None not in samples, "an idle kernel did not answer complete_request in 30 s"
            say({"samples": samples})
        elif op == "complete_busy":
            # One complete_request while a cell awaits, waited for at most `cap` s. The
            # cell goes on awaiting after that, and SIGINT does not end an asyncio await,
            # so the kernel is restarted (and warmed again) either way.
            km, kc = warm
            run(kc, cmd["prepare"])
            msg_id = kc.execute(cmd["cell"])
            wait_for_go(kc, msg_id)
            time.sleep(cmd["settle"])
            sample = complete(kc, cmd["code"], cmd["cursor"], cmd["expected"], timeout=cmd["cap"])
            still_busy = shell_reply(kc, msg_id, 0) is None
            stashed.clear()
            stop(km, kc)
            warm = start()
            run(warm[1], cmd["prepare"])
            for _ in range(cmd["warmup"]):
                complete(warm[1], cmd["code"], cmd["cursor"], cmd["expected"])
            say({"sample": sample, "still_busy": still_busy})
        elif op == "quit":
            if warm:
                stop(*warm)
            say({"ok": True})
            break
    except Exception as exc:
        import traceback
        say({"error": traceback.format_exc()})
'''


class IpyKernel:
    def __init__(self, python: Path, workdir: Path):
        env = {**os.environ}
        for name in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "JUPYTER_PATH", "JUPYTER_CONFIG_DIR",
                     "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
            env.pop(name, None)
        # Private, empty Jupyter/IPython dirs: no user config or startup files.
        for name, sub in (("JUPYTER_CONFIG_DIR", "jupyter-config"), ("JUPYTER_DATA_DIR", "jupyter-data"),
                          ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"), ("IPYTHONDIR", "ipython")):
            (workdir / sub).mkdir(parents=True, exist_ok=True)
            env[name] = str(workdir / sub)
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([str(python), "-c", DRIVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr, cwd=workdir, env=env, text=True)
        self.versions = self.wait()["versions"]

    def wait(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            self.stderr.seek(0)
            raise BenchError(f"the ipykernel driver died:\n{self.stderr.read().decode(errors='replace')[-3000:]}")
        answer = json.loads(line)
        if "error" in answer:
            raise BenchError(f"the ipykernel driver failed:\n{answer['error']}")
        return answer

    def call(self, op: str, **params) -> dict:
        self.proc.stdin.write(json.dumps({"op": op, **params}) + "\n")
        self.proc.stdin.flush()
        return self.wait()

    def close(self) -> None:
        try:
            self.call("quit")
            self.proc.wait(30)
        except Exception:
            self.proc.kill()
            self.proc.wait(10)


# -- CPU time ----------------------------------------------------------------------------------


def cpu_seconds(pids) -> float:
    """CPU time used so far by every thread of `pids` (/proc/PID/task/*/schedstat, ns)."""
    total = 0
    for pid in pids:
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/schedstat") as handle:
                    total += int(handle.read().split()[0])
            except (OSError, ValueError, IndexError):
                pass
    return total / 1e9


def children(pid: int) -> list[int]:
    found = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as handle:
                found += [int(child) for child in handle.read().split()]
    except OSError:
        pass
    return found


# -- the floor ---------------------------------------------------------------------------------


def floor(python: Path) -> float:
    began = time.perf_counter()
    subprocess.run([str(python), "-c", "import trio"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - began


# -- reporting ---------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    value = seconds * 1000
    if value < 10:
        return f"{value:.2f} ms"
    if value < 100:
        return f"{value:.1f} ms"
    return f"{value:,.0f} ms"


def p50(samples: list[float]) -> float:
    return median(samples)


def p99(samples: list[float]) -> float:
    return percentile(samples, 99)


@dataclass
class Row:
    """One figure: both sides' samples (or, for a side without any, the reason as text)."""

    name: str
    ours: list[float] | str
    theirs: list[float] | str = ""
    ratio: str = ""


@dataclass
class Target:
    name: str
    measured: str
    goal: str
    met: bool


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)

    def print(self) -> None:
        print("| benchmark | n | asyncell p50 | asyncell p99 | ipykernel p50 | ipykernel p99 | ratio |")
        print("|---|---|---:|---:|---:|---:|---|")
        for row in self.rows:
            print(f"| {row.name} | {count(row.ours)}{' / ' + count(row.theirs) if row.theirs else ''} "
                  f"| {percentiles(row.ours)} | {percentiles(row.theirs)} | {row.ratio} |")
        if not self.targets:
            return
        print("\n| target | measured | goal | verdict |")
        print("|---|---|---|---|")
        for target in self.targets:
            print(f"| {target.name} | {target.measured} | {target.goal} | {'MET' if target.met else '**NOT MET**'} |")
        missed = [target.name for target in self.targets if not target.met]
        print("\nall targets met" if not missed else f"\ntargets not met: {'; '.join(missed)}")


def count(side: list[float] | str) -> str:
    return str(len(side)) if isinstance(side, list) else "-"


def percentiles(side: list[float] | str) -> str:
    """Two table cells: p50 | p99, or the side's reason spanning the first."""
    if isinstance(side, str):
        return f"{side} | "
    return f"{ms(p50(side))} | {ms(p99(side))}"


def speedup(ours: list[float], theirs: list[float]) -> str:
    return f"p50 {p50(theirs) / p50(ours):.1f}x, p99 {p99(theirs) / p99(ours):.1f}x faster"


def plural(n: int, noun: str, nouns: str | None = None) -> str:
    return f"{n} {noun if n == 1 else nouns or noun + 's'}"


def alternate(r: int) -> tuple[str, str]:
    """The order of the two sides in round `r`: flipped every round."""
    return ("asyncell", "ipykernel") if r % 2 == 0 else ("ipykernel", "asyncell")


# -- the scenarios -----------------------------------------------------------------------------


@dataclass
class Bench:
    args: argparse.Namespace
    binary: Path
    python: Path
    workdir: Path
    ipk: IpyKernel
    report: Report
    warm: Asyncell | None = None

    @property
    def rounds(self) -> int:
        return max(1, self.args.rounds)

    def warm_asyncell(self) -> Asyncell:
        """One warm asyncell server shared by the trip, flood and interrupt scenarios,
        and the warm ipykernel kernel that matches it."""
        if self.warm is None:
            self.warm = Asyncell(self.binary, self.workdir, self.python)
            self.warm.start()
            self.warm.round_trips(20)
            self.ipk.call("warm")
        return self.warm

    def start(self) -> None:
        log(f"start to first result: {self.rounds} rounds ...")
        cold = {"floor": [], "asyncell": [], "ipykernel": []}
        for r in range(self.rounds):
            order = ["floor", "asyncell", "ipykernel"]
            if r % 2:
                order.reverse()
            for side in order:
                if side == "floor":
                    cold["floor"].append(floor(self.python))
                elif side == "asyncell":
                    cold["asyncell"].append(Asyncell(self.binary, self.workdir, self.python).cold_start())
                else:
                    cold["ipykernel"].append(self.ipk.call("cold")["sample"])
        f, a, i = (p50(cold[k]) for k in ("floor", "asyncell", "ipykernel"))
        self.report.rows.append(Row("start to first result: floor `python -c \"import trio\"`", cold["floor"]))
        self.report.rows.append(Row("start to first result (spawn + first `1+1`)", cold["asyncell"],
                                    cold["ipykernel"], f"p50: asyncell {a / f:.2f}x floor, ipykernel {i / f:.2f}x floor"))
        self.report.targets.append(Target("start to first result, p50", f"{a / f:.2f}x the floor",
                                          f"<= {TARGET_START}x the floor", a / f <= TARGET_START))

    def trip(self) -> None:
        warm = self.warm_asyncell()
        log(f"round trip: {self.rounds} rounds x {self.args.trips} ...")
        trips = {"asyncell": [], "ipykernel": []}
        cpu = {"asyncell": [], "ipykernel": []}
        for r in range(self.rounds):
            for side in alternate(r):
                if side == "asyncell":
                    trips[side] += warm.round_trips(self.args.trips, cpu[side])
                else:
                    answer = self.ipk.call("trips", n=self.args.trips)
                    trips[side] += answer["samples"]
                    cpu[side].append(answer["cpu"])
        a, i = trips["asyncell"], trips["ipykernel"]
        self.report.rows.append(Row("execute round trip `1+1` (warm)", a, i, speedup(a, i)))
        self.report.rows.append(Row("  CPU per round trip, per round (asyncell: server + host; ipykernel: kernel)",
                                    cpu["asyncell"], cpu["ipykernel"],
                                    f"p50 {p50(cpu['ipykernel']) / p50(cpu['asyncell']):.1f}x less"))
        self.report.targets.append(Target("round trip, p50", f"{p50(i) / p50(a):.1f}x faster",
                                          f">= {TARGET_ROUND_TRIP:.0f}x faster", p50(i) / p50(a) >= TARGET_ROUND_TRIP))
        self.report.targets.append(Target("round trip, p99", f"{p99(i) / p99(a):.1f}x faster",
                                          f">= {TARGET_ROUND_TRIP_P99:.0f}x faster",
                                          p99(i) / p99(a) >= TARGET_ROUND_TRIP_P99))

    def flood(self) -> None:
        warm = self.warm_asyncell()
        log(f"100k printed lines: {self.rounds} rounds ...")
        flood = {"asyncell": [], "ipykernel": []}
        for r in range(self.rounds):
            for side in alternate(r):
                if side == "asyncell":
                    flood[side].append(warm.flood())
                else:
                    answer = self.ipk.call("flood", code=FLOOD_CODE)
                    if answer["chars"] != FLOOD_CHARS:
                        raise BenchError(f"ipykernel flood: {answer['chars']} chars, expected {FLOOD_CHARS}")
                    flood[side].append(answer["sample"])
        a, i = flood["asyncell"], flood["ipykernel"]
        self.report.rows.append(Row("100k printed lines, until the reply with all output", a, i, speedup(a, i)))
        self.report.targets.append(Target("100k printed lines, p50", f"{p50(i) / p50(a):.1f}x faster",
                                          f">= {TARGET_FLOOD:.0f}x faster", p50(i) / p50(a) >= TARGET_FLOOD))

    def interrupt(self) -> None:
        warm = self.warm_asyncell()
        cap = self.args.cap
        for label, (ours, theirs) in INTERRUPT_CASES.items():
            log(f"interrupt ({label}): {self.rounds} rounds ...")
            samples, answers, peer, capped = [], [], [], 0
            for r in range(self.rounds):
                for side in alternate(r):
                    if side == "asyncell":
                        to_reply, to_answer = warm.interrupt(ours)
                        samples.append(to_reply)
                        answers.append(to_answer)
                    elif capped < 2:  # a capped case costs a kernel restart: two show it
                        sample = self.ipk.call("interrupt", code=theirs, settle=SETTLE, cap=cap)["sample"]
                        if sample is None:
                            capped += 1
                        else:
                            peer.append(sample)
            if capped and not peer:
                theirs_side: list[float] | str = f"no reply within {cap:g} s ({plural(capped, 'run')})"
                ratio = ""
            else:
                theirs_side = peer
                ratio = speedup(samples, peer) + (f"; {plural(capped, 'run')} > {cap:g} s not counted" if capped else "")
            ratio = (ratio + "; " if ratio else "") + f"asyncell/interrupt answered in p50 {ms(p50(answers))}"
            self.report.rows.append(Row(f"interrupt -> reply: {label}", samples, theirs_side, ratio))
            self.report.targets.append(Target(f"interrupt -> reply ({label}), p50", ms(p50(samples)),
                                              f"<= {TARGET_INTERRUPT * 1000:.0f} ms", p50(samples) <= TARGET_INTERRUPT))

    def complete(self) -> None:
        """Completions while a cell awaits, on a server of its own (its heartbeat task
        keeps running after the scenario, which must not touch the others' figures)."""
        n, cap = max(1, self.args.completions), self.args.busy_cap
        self.warm_asyncell()  # the ipykernel side needs its warm kernel
        server = Asyncell(self.binary, self.workdir, self.python)
        server.start()
        try:
            server.start_heartbeat()
            log(f"completion while a cell awaits: {self.rounds} rounds x {n} ...")
            ours, busy, idle, busy_tries = [], [], [], 0
            params = {"code": COMPLETE_CODE, "cursor": COMPLETE_CURSOR, "expected": COMPLETE_EXPECTED,
                      "prepare": "import trio"}
            self.ipk.call("complete_idle", n=0, warmup=COMPLETE_WARMUP, **params)  # jedi's caches
            beats_before = server.beats()
            for r in range(self.rounds):
                for side in alternate(r):
                    if side == "asyncell":
                        ours += server.completions_while_awaiting(n, warmup=COMPLETE_WARMUP if r == 0 else 0)
                        continue
                    idle += self.ipk.call("complete_idle", n=n, warmup=0, **params)["samples"]
                    # Each busy try costs up to `cap` and a kernel restart; when ipykernel
                    # does not answer, two tries show it.
                    if busy or busy_tries < 2:
                        busy_tries += 1
                        answer = self.ipk.call("complete_busy", cell=AWAITING_CELLS[1], settle=SETTLE, cap=cap,
                                               warmup=COMPLETE_WARMUP, **params)
                        if answer["sample"] is not None:
                            busy.append(answer["sample"])
                        elif not answer["still_busy"]:
                            raise BenchError("ipykernel: the awaiting cell ended before the cap")
            beats = server.beats() - beats_before
        finally:
            server.stop()
        if beats <= 0:
            raise BenchError("asyncell: the heartbeat task did not beat while the cells awaited")
        unanswered = busy_tries - len(busy)
        theirs: list[float] | str = busy if busy else f"no answer while busy (waited {cap:g} s, {plural(busy_tries, 'try', 'tries')})"
        note = f"; {unanswered} of {busy_tries} tries unanswered in {cap:g} s" if busy and unanswered else ""
        self.report.rows.append(Row(f"complete `{COMPLETE_CODE}` while a cell awaits (heartbeat task running)",
                                    ours, theirs, (speedup(ours, busy) if busy else "") + note))
        self.report.rows.append(Row("  ipykernel's complete_request when idle (reference)", "", idle,
                                    f"asyncell awaiting vs ipykernel idle: p50 {p50(idle) / p50(ours):.1f}x, "
                                    f"p99 {p99(idle) / p99(ours):.1f}x faster"))
        self.report.targets.append(Target("complete while a cell awaits, p50", ms(p50(ours)),
                                          f"<= {TARGET_COMPLETE * 1000:.0f} ms", p50(ours) <= TARGET_COMPLETE))


def scenario_list(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in SCENARIOS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown scenario(s) {unknown or text!r}; choose from {', '.join(SCENARIOS)}")
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--asyncell", type=Path, default=DEFAULT_BINARY, help="the asyncell binary")
    parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds per benchmark (default 10)")
    parser.add_argument("--trips", type=int, default=50, help="warm round trips per side per round (default 50)")
    parser.add_argument("--completions", type=int, default=50,
                        help="timed completions per side per round in the complete scenario (default 50)")
    parser.add_argument("--cap", type=float, default=3.0,
                        help="seconds to wait for ipykernel's reply to an interrupt (default 3)")
    parser.add_argument("--busy-cap", type=float, default=2.0,
                        help="seconds to wait for ipykernel's complete_reply while a cell runs (default 2)")
    parser.add_argument("--scenarios", type=scenario_list, default=None,
                        help=f"comma-separated scenarios to run, in this order: {','.join(SCENARIOS)} (default all)")
    parser.add_argument("--only", action="append", choices=SCENARIOS,
                        help="run only this scenario (repeatable; same as --scenarios)")
    args = parser.parse_args()
    chosen = set(args.scenarios or ()) | set(args.only or ()) or set(SCENARIOS)

    binary = args.asyncell.resolve()
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        raise BenchError(f"{binary} is not an executable: run `cargo build --profile dist` in {ROOT} or pass --asyncell")
    python = bench_venv()
    workdir = Path(tempfile.mkdtemp(prefix="asyncell-bench-exec-"))
    bench = None
    try:
        bench = Bench(args, binary, python, workdir, IpyKernel(python, workdir), Report())
        versions = bench.ipk.versions
        log(f"asyncell: {binary}")
        log(f"python:   {python} (ipykernel {versions['ipykernel']}, jupyter_client "
            f"{versions['jupyter_client']}, pyzmq {versions['pyzmq']})")
        log(f"machine:  {machine()}")
        # Warm the caches, as any earlier session would have: the OS file cache on both
        # sides, and asyncell's host extraction (its .pyc files are written 2 s after a
        # host's hello, so this first host lives a little longer).
        first = Asyncell(binary, workdir, python)
        first.start()
        check_two(first.execute("1+1"))
        time.sleep(3)
        first.stop()
        bench.ipk.call("cold")
        floor(python)
        for name in SCENARIOS:
            if name in chosen:
                getattr(bench, name)()
    finally:
        if bench is not None:
            if bench.warm is not None:
                bench.warm.stop()
            bench.ipk.close()
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"\nmachine: {machine()}; asyncell {binary}; python {python}")
    print(f"p50 (median) and p99 (nearest rank: the slowest sample below 100 samples) of {plural(bench.rounds, 'interleaved round')}; "
          f"n = samples per side"
          + (f"; {args.trips} round trips per side per round" if "trip" in chosen else "")
          + (f"; {max(1, args.completions)} completions per round" if "complete" in chosen else "") + "\n")
    bench.report.print()
    return 0  # like the other benchmark scripts: 0 when it ran, met or not; 2 on an error


if __name__ == "__main__":
    main_wrapper(main)
