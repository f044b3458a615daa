#!/usr/bin/env python3
"""asyncell's execution benchmarks, side by side with ipykernel (driven by jupyter_client).

    python3 bench/exec_vs_ipykernel.py [--asyncell target/dist/asyncell] [--rounds 10]

Standard library only. Everything it needs it installs once into a venv of its own,
bench/.cache/exec-venv (git-ignored): trio, trio-asyncio, anyio, ipykernel and
jupyter_client at pinned versions. That venv's python runs both asyncell's host and the
ipykernel kernel, so both sides import the same packages from the same disk.

The two sides are measured in alternating rounds (the order flips every round), so load
from elsewhere on the machine hits both alike. Each figure is a median.

1. Round trip (warm): `1+1` as `asyncell/execute` request -> reply over LSP, vs
   execute_request -> execute_reply + status idle through jupyter_client.
   Target: asyncell >= 20x faster.
2. Start to first result: spawn `asyncell` + initialize + didOpen + the first `1+1`
   reply (which starts the trio host), vs KernelManager.start_kernel + client +
   wait_for_ready + the first `1+1` reply; both against the floor
   `python -c "import trio"` (same interpreter, measured in the same rounds).
   Target: asyncell <= 1.15x the floor.
3. 100k printed lines (`for i in range(100_000): print(i)`): request -> the reply,
   with every line of output received (checked). Target: asyncell >= 3x faster.
4. Interrupt latency: `asyncell/interrupt` request -> the execution's reply, for an
   await (`await trio.sleep(100)`), a busy loop and `time.sleep(100)`; vs
   KernelManager.interrupt_kernel() -> execute_reply (ipykernel's await case is
   `await asyncio.sleep(100)`; its wait is capped). Target: <= 10 ms each.

The ipykernel side runs in a driver process on the venv's python (jupyter_client is
imported there before anything is timed, as an editor has its LSP client loaded);
it times itself with the same clock and reports back over a pipe. Next to the round
trip it reports the CPU time per round trip: asyncell's server and host (all threads)
vs ipykernel's kernel process, from /proc/PID/task/*/schedstat.

Exits 0 whether targets are met or not (the table says), 2 on an error.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine_summary as machine, median  # noqa: E402

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

TARGET_ROUND_TRIP = 20.0  # asyncell at least this many times faster
TARGET_START = 1.15  # asyncell at most this many times the floor
TARGET_FLOOD = 3.0  # asyncell at least this many times faster
TARGET_INTERRUPT = 0.010  # seconds

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


class BenchError(Exception):
    """A problem the user must fix; printed without a traceback."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


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

    def interrupt(self, code: str) -> tuple[float, float]:
        """(interrupt request -> execute reply, interrupt request -> interrupt reply)."""
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
        time.sleep(SETTLE)
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
    return f"{value:.0f} ms"




def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--asyncell", type=Path, default=DEFAULT_BINARY, help="the asyncell binary")
    parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds per benchmark (default 10)")
    parser.add_argument("--trips", type=int, default=50, help="warm round trips per side per round (default 50)")
    parser.add_argument("--cap", type=float, default=3.0,
                        help="seconds to wait for ipykernel's reply to an interrupt (default 3)")
    parser.add_argument("--only", action="append", choices=("trip", "start", "flood", "interrupt"),
                        help="run only these benchmarks (repeatable)")
    args = parser.parse_args()
    only = set(args.only or ("trip", "start", "flood", "interrupt"))

    binary = args.asyncell.resolve()
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        raise BenchError(f"{binary} is not an executable: run `cargo build --profile dist` in {ROOT} or pass --asyncell")
    python = bench_venv()
    rounds = max(1, args.rounds)
    workdir = Path(tempfile.mkdtemp(prefix="asyncell-bench-exec-"))
    ipk = None
    warm = None
    rows = []  # (benchmark, asyncell, ipykernel, ratio text, target text, met)
    try:
        ipk = IpyKernel(python, workdir)
        log(f"asyncell: {binary}")
        log(f"python:   {python} (ipykernel {ipk.versions['ipykernel']}, jupyter_client "
            f"{ipk.versions['jupyter_client']}, pyzmq {ipk.versions['pyzmq']})")
        log(f"machine:  {machine()}")
        # Warm the caches, as any earlier session would have: the OS file cache on both
        # sides, and asyncell's host extraction (its .pyc files are written 2 s after a
        # host's hello, so this first host lives a little longer).
        first = Asyncell(binary, workdir, python)
        first.start()
        check_two(first.execute("1+1"))
        time.sleep(3)
        first.stop()
        ipk.call("cold")
        floor(python)

        if "start" in only:
            log(f"start to first result: {rounds} rounds ...")
            cold = {"floor": [], "asyncell": [], "ipykernel": []}
            for r in range(rounds):
                order = ["floor", "asyncell", "ipykernel"]
                if r % 2:
                    order.reverse()
                for side in order:
                    if side == "floor":
                        cold["floor"].append(floor(python))
                    elif side == "asyncell":
                        cold["asyncell"].append(Asyncell(binary, workdir, python).cold_start())
                    else:
                        cold["ipykernel"].append(ipk.call("cold")["sample"])
            f, a, i = (median(cold[k]) for k in ("floor", "asyncell", "ipykernel"))
            rows.append(("start to first result: floor `python -c \"import trio\"`", ms(f), "", "", "", None))
            rows.append(("start to first result (spawn + first `1+1`)", ms(a), ms(i),
                         f"asyncell {a / f:.2f}x floor, ipykernel {i / f:.2f}x floor",
                         f"asyncell <= {TARGET_START}x floor", a / f <= TARGET_START))

        if only & {"trip", "flood", "interrupt"}:
            warm = Asyncell(binary, workdir, python)
            warm.start()
            warm.round_trips(20)
            ipk.call("warm")

        if "trip" in only:
            log(f"round trip: {rounds} rounds x {args.trips} ...")
            trips = {"asyncell": [], "ipykernel": []}
            cpu = {"asyncell": [], "ipykernel": []}
            for r in range(rounds):
                for side in (("asyncell", "ipykernel") if r % 2 == 0 else ("ipykernel", "asyncell")):
                    if side == "asyncell":
                        trips[side] += warm.round_trips(args.trips, cpu[side])
                    else:
                        answer = ipk.call("trips", n=args.trips)
                        trips[side] += answer["samples"]
                        cpu[side].append(answer["cpu"])
            a, i = median(trips["asyncell"]), median(trips["ipykernel"])
            rows.append(("execute round trip `1+1` (warm)", ms(a), ms(i), f"{i / a:.1f}x faster",
                         f">= {TARGET_ROUND_TRIP:.0f}x faster", i / a >= TARGET_ROUND_TRIP))
            ca, ci = median(cpu["asyncell"]), median(cpu["ipykernel"])
            rows.append(("  CPU per round trip (asyncell: server + host; ipykernel: kernel)", ms(ca), ms(ci),
                         f"{ci / ca:.1f}x less", "", None))

        if "flood" in only:
            log(f"100k printed lines: {rounds} rounds ...")
            flood = {"asyncell": [], "ipykernel": []}
            for r in range(rounds):
                for side in (("asyncell", "ipykernel") if r % 2 == 0 else ("ipykernel", "asyncell")):
                    if side == "asyncell":
                        flood[side].append(warm.flood())
                    else:
                        answer = ipk.call("flood", code=FLOOD_CODE)
                        if answer["chars"] != FLOOD_CHARS:
                            raise BenchError(f"ipykernel flood: {answer['chars']} chars, expected {FLOOD_CHARS}")
                        flood[side].append(answer["sample"])
            a, i = median(flood["asyncell"]), median(flood["ipykernel"])
            rows.append(("100k printed lines, until the reply with all output", ms(a), ms(i),
                         f"{i / a:.1f}x faster", f">= {TARGET_FLOOD:.0f}x faster", i / a >= TARGET_FLOOD))

        if "interrupt" in only:
            for label, (ours, theirs) in INTERRUPT_CASES.items():
                log(f"interrupt ({label}): {rounds} rounds ...")
                samples, answers, peer, capped = [], [], [], 0
                for r in range(rounds):
                    for side in (("asyncell", "ipykernel") if r % 2 == 0 else ("ipykernel", "asyncell")):
                        if side == "asyncell":
                            to_reply, to_answer = warm.interrupt(ours)
                            samples.append(to_reply)
                            answers.append(to_answer)
                        elif capped < 2:  # a capped case costs a kernel restart: two show it
                            sample = ipk.call("interrupt", code=theirs, settle=SETTLE, cap=args.cap)["sample"]
                            if sample is None:
                                capped += 1
                            else:
                                peer.append(sample)
                a = median(samples)
                if capped and not peer:
                    theirs_text = f"> {args.cap:g} s (never within the cap)"
                elif capped:
                    theirs_text = f"{ms(median(peer))} ({capped} runs > {args.cap:g} s)"
                else:
                    theirs_text = ms(median(peer))
                rows.append((f"interrupt -> reply: {label}", f"{ms(a)} (max {ms(max(samples))})", theirs_text,
                             f"asyncell/interrupt answered in {ms(median(answers))}",
                             f"<= {TARGET_INTERRUPT * 1000:.0f} ms", a <= TARGET_INTERRUPT))
    finally:
        if warm is not None:
            warm.stop()
        if ipk is not None:
            ipk.close()
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"\nmachine: {machine()}; asyncell {binary.name}; python {python}")
    print(f"medians of {rounds} interleaved rounds"
          + (f" ({args.trips} round trips per side per round)" if "trip" in only else "") + "\n")
    print("| benchmark | asyncell | ipykernel | ratio | target | met |")
    print("|---|---|---|---|---|---|")
    for name, ours, theirs, ratio, target, met in rows:
        verdict = "" if met is None else ("yes" if met else "**no**")
        print(f"| {name} | {ours} | {theirs} | {ratio} | {target} | {verdict} |")
    missed = [row[0] for row in rows if row[5] is False]
    print("\nall targets met" if not missed else f"\ntargets missed: {'; '.join(missed)}")
    return 0  # like the other benchmark scripts: 0 either way, 2 on an error


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        log(f"error: {error}")
        sys.exit(2)
    except KeyboardInterrupt:
        log("interrupted")
        sys.exit(130)
