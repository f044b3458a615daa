#!/usr/bin/env python3
"""didChange -> publishDiagnostics latency of `asyncell server` and `ruff server`, on
the same stream of edits, as an editor sees it.

    python3 bench/lsp_latency.py [--edits 200] [--asyncell target/dist/asyncell]

Two scenarios, each with a generated file opened in both servers:

  script  a 10,000-line plain script (imports, dataclasses, classes with async methods,
          async defs with await / async with / async for, comprehensions; no syntax
          errors). Target for asyncell: p50 <= 5 ms.
  cells   a `# %%` cell file of 300 cells of about 10 lines each. Target for
          asyncell: p50 <= 1 ms.

The edits type into an identifier (an attribute name, so the file stays valid and the
diagnostics stay the same) inside a function in the middle of the file: ten characters
typed one by one, then ten backspaces, and so on, one didChange per keystroke. After
each edit the client waits for the publishDiagnostics carrying that edit's version
before it sends the next, alternating between the two servers edit by edit so that load
from other processes falls on both alike. Latency is from just before the didChange is
written to the server's stdin until the matching notification has been read and parsed
(timestamped on the client's reader thread), so it includes the client's own JSON work
and the pipe; the "round trip" column shows that floor for each server (an unknown
request, answered at once). "cpu/edit" is the server's CPU time (all threads, from
/proc) over the measured edits divided by their number: on a busy machine latency
percentiles move with the load, CPU per edit much less.

ruff runs with `lint.select = ["ASYNC"]` (the same rules as bench/check_vs_ruff.py; use
--ruff-select default for ruff's default rules). ruff server pushes diagnostics to
clients that do not declare pull-diagnostics support; should it not push, the script
falls back to a `textDocument/diagnostic` request after every didChange and says so.

ruff is installed into bench/.cache/venv on first use. Standard library only, plus the
repository's own tests/lsp_client.py. Exit status: 0 when the benchmark ran (whether or
not the targets were met), 2 on an error.
"""

from __future__ import annotations

import argparse
import os
import queue
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    ROOT,
    RUFF_VERSION,
    BenchError,
    asyncell_binary,
    fmt_ms,
    log,
    machine_summary,
    main_wrapper,
    median,
    percentile,
    tool_venv,
)

sys.path.insert(0, str(ROOT / "tests"))
try:
    from lsp_client import LspClient, LspError  # noqa: E402
except ImportError as error:  # pragma: no cover - a broken checkout
    raise SystemExit(f"error: cannot import tests/lsp_client.py from {ROOT / 'tests'}: {error}")

TARGETS = {"script": 5e-3, "cells": 1e-3}
WAIT_TIMEOUT = 30.0  # seconds for one publishDiagnostics (or pull answer)
OPEN_TIMEOUT = 60.0  # seconds for the first diagnostics after didOpen


# -- the client -------------------------------------------------------------------------


class StampedQueue(queue.Queue):
    """Stamps each notification with the time the reader thread handed it over."""

    def put(self, item, block=True, timeout=None):  # noqa: ANN001 - queue.Queue's signature
        if isinstance(item, dict) and isinstance(item.get("params"), dict):
            item["params"]["$received"] = time.perf_counter()
        super().put(item, block, timeout)


@dataclass
class TimedClient(LspClient):
    notifications: "queue.Queue[dict]" = field(default_factory=StampedQueue)

    def next_diagnostics(self, uri: str, version: int | None, timeout: float) -> dict:
        """The next publishDiagnostics for uri with this version (any version when the
        server sends none). Other notifications are dropped."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no publishDiagnostics for version {version} within {timeout:.0f}s")
            try:
                message = self.notifications.get(timeout=remaining)
            except queue.Empty:
                continue
            if message.get("method") == "$/eof":
                raise BenchError(f"the server exited; stderr:\n{''.join(self.stderr_lines)[-2000:]}")
            if message.get("method") != "textDocument/publishDiagnostics":
                continue
            params = message["params"]
            if params.get("uri") != uri:
                continue
            got = params.get("version")
            if version is None or got is None or got == version:
                return params


@dataclass
class Server:
    name: str
    client: TimedClient
    pull: bool = False
    note: str = ""


def start_server(name: str, cmd: list[str], workdir: Path, options: dict | None, pull: bool) -> Server:
    try:
        client = TimedClient.start(cmd[0], *cmd[1:], cwd=workdir)
    except OSError as error:
        raise BenchError(f"cannot start {name} ({' '.join(cmd)}): {error}") from None
    text_document: dict = {"publishDiagnostics": {"versionSupport": True}}
    if pull:
        text_document["diagnostic"] = {"dynamicRegistration": False}
    try:
        client.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": workdir.as_uri(),
                "workspaceFolders": [{"uri": workdir.as_uri(), "name": workdir.name}],
                "capabilities": {"general": {"positionEncodings": ["utf-16"]}, "textDocument": text_document},
                "initializationOptions": options,
            },
            timeout=OPEN_TIMEOUT,
        )
    except (TimeoutError, LspError) as error:
        client.kill()
        raise BenchError(f"{name} did not initialize: {error}\nstderr:\n{''.join(client.stderr_lines)[-2000:]}") from None
    client.notify("initialized", {})
    return Server(name, client, pull=pull)


def stop(server: Server) -> None:
    try:
        server.client.shutdown_and_exit(timeout=10)
    except Exception:  # noqa: BLE001 - stopping is best effort
        pass
    server.client.kill()


def open_document(server: Server, uri: str, text: str) -> None:
    server.client.open(uri, text, version=1)
    if server.pull:
        server.client.request("textDocument/diagnostic", {"textDocument": {"uri": uri}}, timeout=OPEN_TIMEOUT)
    else:
        server.client.next_diagnostics(uri, 1, OPEN_TIMEOUT)


def change(server: Server, uri: str, version: int, line: int, col: int, insert: str | None) -> float:
    """One keystroke (insert a character, or delete the one before col); its latency."""
    if insert is None:
        change_event = {"range": {"start": {"line": line, "character": col - 1}, "end": {"line": line, "character": col}}, "text": ""}
    else:
        change_event = {"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col}}, "text": insert}
    client = server.client
    if server.pull:
        start = time.perf_counter()
        client.change(uri, version, [change_event])
        client.request("textDocument/diagnostic", {"textDocument": {"uri": uri}}, timeout=WAIT_TIMEOUT)
        return time.perf_counter() - start
    start = time.perf_counter()
    client.change(uri, version, [change_event])
    try:
        params = client.next_diagnostics(uri, version, WAIT_TIMEOUT)
    except TimeoutError as error:
        raise BenchError(f"{server.name}: {error}; stderr:\n{''.join(client.stderr_lines)[-2000:]}") from None
    return params["$received"] - start


def cpu_seconds(server: Server) -> float | None:
    """CPU time the server process has used so far, summed over its threads (Linux
    schedstat, nanoseconds); None where /proc does not tell. Unlike latency, this hardly
    moves when other processes compete for the cores."""
    total = 0
    try:
        for task in Path(f"/proc/{server.client.proc.pid}/task").iterdir():
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):
                continue
    except OSError:
        return None
    return total / 1e9


def round_trip(server: Server, count: int = 30) -> float | None:
    """Median time of a request the server rejects at once (unknown method): the floor
    of client + pipe + JSON-RPC overhead."""
    times = []
    for _ in range(count):
        start = time.perf_counter()
        try:
            server.client.request("asyncellBench/ping", {}, timeout=5)
        except LspError:
            pass
        except TimeoutError:
            return None
        times.append(time.perf_counter() - start)
    return median(times)


# -- the generated files ----------------------------------------------------------------

EDIT_MARK = "last_batch"


def script_text(lines: int) -> tuple[str, int, int]:
    """A realistic plain script of about `lines` lines. Returns the text and the (line,
    column) just after the identifier the edits type into, in a function halfway down."""
    parts = [HEADER]
    middle = blocks_before_edit(lines)
    i = 0
    while sum(p.count("\n") for p in parts) < lines - 40:
        if i == middle:
            parts.append(EDIT_FUNCTION)
        parts.append(BLOCKS[i % len(BLOCKS)].format(i=i))
        i += 1
    parts.append(FOOTER.format(n=i))
    text = "".join(parts)
    return text, *locate_edit(text)


def blocks_before_edit(lines: int) -> int:
    average = sum(b.count("\n") for b in BLOCKS) / len(BLOCKS)
    return int(lines / 2 / average)


def locate_edit(text: str) -> tuple[int, int]:
    offset = text.index(f"stats.{EDIT_MARK} =") + len("stats.") + len(EDIT_MARK)
    line = text.count("\n", 0, offset)
    col = offset - (text.rfind("\n", 0, offset) + 1)
    return line, col


HEADER = '''"""Generated by bench/lsp_latency.py: a large asyncio service module."""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import functools
import itertools
import json
import logging
import time
from collections.abc import AsyncIterator, Iterable
from typing import Any

log = logging.getLogger(__name__)

RETRIES = 3
TIMEOUT = 10.0

'''

BLOCKS = [
    '''
@dataclasses.dataclass
class Record{i}:
    key: str
    value: int = 0
    tags: list[str] = dataclasses.field(default_factory=list)

    def weight(self) -> float:
        return sum(len(tag) for tag in self.tags) / (1 + self.value)

    def to_json(self) -> str:
        return json.dumps({{"key": self.key, "value": self.value, "tags": self.tags}})

''',
    '''
async def fetch_{i}(client: Any, url: str) -> dict[str, Any]:
    for attempt in range(RETRIES):
        try:
            async with asyncio.timeout(TIMEOUT):
                response = await client.get(url, params={{"page": attempt}})
                response.raise_for_status()
                return await response.json()
        except (OSError, TimeoutError) as error:
            log.warning("fetch_{i} %s failed (%s), attempt %d", url, error, attempt)
            await asyncio.sleep(0.1 * 2**attempt)
    raise RuntimeError(f"giving up on {{url}}")

''',
    '''
def summarize_{i}(items: Iterable[dict[str, Any]]) -> dict[str, Any]:
    rows = [item for item in items if item.get("ok")]
    by_kind = collections.defaultdict(list)
    for row in rows:
        by_kind[row["kind"]].append(row)
    totals = {{kind: sum(r["size"] for r in group) for kind, group in by_kind.items()}}
    largest = max(totals, key=totals.__getitem__, default=None)
    names = sorted({{row["name"] for row in rows}})
    pairs = list(itertools.islice(itertools.pairwise(names), 10))
    return {{"count": len(rows), "totals": totals, "largest": largest, "pairs": pairs}}

''',
    '''
class Worker{i}:
    """Takes jobs from a queue until cancelled."""

    def __init__(self, jobs: asyncio.Queue, name: str = "worker-{i}") -> None:
        self.jobs = jobs
        self.name = name
        self.done = 0

    async def run(self) -> None:
        while True:
            job = await self.jobs.get()
            try:
                await self.handle(job)
                self.done += 1
            finally:
                self.jobs.task_done()

    async def handle(self, job: dict[str, Any]) -> None:
        started = time.monotonic()
        await asyncio.sleep(job.get("delay", 0))
        log.debug("%s handled %s in %.3fs", self.name, job, time.monotonic() - started)

''',
    '''
async def stream_{i}(source: AsyncIterator[bytes], limit: int = 1000) -> list[str]:
    lines: list[str] = []
    async for chunk in source:
        lines.extend(part.decode() for part in chunk.split(b"\\n") if part)
        if len(lines) >= limit:
            break
    return [line.strip() for line in lines[:limit]]


@functools.lru_cache(maxsize=128)
def parse_header_{i}(raw: str) -> tuple[str, str]:
    name, _, value = raw.partition(":")
    return name.strip().lower(), value.strip()

''',
    '''
async def gather_{i}(urls: list[str], client: Any) -> list[dict[str, Any]]:
    tasks = [asyncio.create_task(fetch_1(client, url)) for url in urls]
    results = await asyncio.gather(*tasks, return_exceptions=True)
    good = [r for r in results if not isinstance(r, BaseException)]
    failures = {{url: r for url, r in zip(urls, results) if isinstance(r, BaseException)}}
    if failures:
        log.error("gather_{i}: %d of %d failed", len(failures), len(urls))
    return good

''',
]

EDIT_FUNCTION = '''
class Stats:
    last_batch = 0
    batches = 0


async def record_batch(stats: Stats, client: Any, urls: list[str]) -> Stats:
    """The function the benchmark types into."""
    results = await gather_5(urls, client) if urls else []
    stats.last_batch = len(results)
    stats.batches += 1
    await asyncio.sleep(0)
    return stats

'''

FOOTER = '''

async def main() -> None:
    jobs: asyncio.Queue = asyncio.Queue()
    workers = [asyncio.create_task(Worker3(jobs).run()) for _ in range(4)]
    for n in range({n}):
        await jobs.put({{"delay": 0, "n": n}})
    await jobs.join()
    for worker in workers:
        worker.cancel()


if __name__ == "__main__":
    asyncio.run(main())
'''


def cells_text(cells: int) -> tuple[str, int, int]:
    """A `# %%` cell file of `cells` cells of about 10 lines; the edit point is in a
    function in the middle cell."""
    parts = ["# %% [markdown]\n# Generated by bench/lsp_latency.py: a long exploratory notebook.\n\n"]
    parts.append(CELL_IMPORTS)
    parts.append(CELLS[0].format(i=0))  # probe_0, which later cells use
    parts.append(CELLS[2].format(i=0))  # Counter0, likewise
    middle = cells // 2
    for i in range(4, cells):
        if i == middle:
            parts.append(CELL_EDIT)
        else:
            parts.append(CELLS[i % len(CELLS)].format(i=i))
    text = "".join(parts)
    return text, *locate_edit(text)


CELL_IMPORTS = '''# %%
import asyncio
import json
import statistics
import time

results: dict[str, float] = {}

'''

CELLS = [
    '''# %%
async def probe_{i}(delay: float = 0.0) -> float:
    started = time.perf_counter()
    await asyncio.sleep(delay)
    return time.perf_counter() - started


results["probe_{i}"] = await probe_{i}()
print(f"probe_{i}: {{results['probe_{i}']:.6f}}s")

''',
    '''# %%
samples_{i} = [n * n for n in range(100) if n % 3]
summary_{i} = {{
    "mean": statistics.mean(samples_{i}),
    "max": max(samples_{i}),
    "count": len(samples_{i}),
}}
print(json.dumps(summary_{i}))

''',
    '''# %%
class Counter{i}:
    def __init__(self) -> None:
        self.hits = 0

    async def hit(self) -> int:
        self.hits += 1
        await asyncio.sleep(0)
        return self.hits

''',
    '''# %%
counter_{i} = Counter0()
for _ in range(3):
    await counter_{i}.hit()
tasks_{i} = [asyncio.create_task(probe_0(0)) for _ in range(2)]
done_{i} = await asyncio.gather(*tasks_{i})
print(counter_{i}.hits, len(done_{i}))

''',
]

CELL_EDIT = '''# %%
class Stats:
    last_batch = 0


async def record_batch(stats: Stats) -> Stats:
    stats.last_batch = len(results)
    await asyncio.sleep(0)
    return stats

'''


# -- the benchmark ----------------------------------------------------------------------


def keystrokes(count: int, word: str = "abcdefghij") -> list[str | None]:
    """Type `word`, then delete it, repeatedly: a letter, or None for a backspace."""
    strokes: list[str | None] = []
    while len(strokes) < count:
        strokes.extend(word)
        strokes.extend([None] * len(word))
    return strokes[:count]


@dataclass
class Result:
    scenario: str
    lines: int
    latencies: dict[str, list[float]]
    cpu_per_edit: dict[str, float | None]
    notes: dict[str, str]
    floors: dict[str, float | None]


def run_scenario(
    scenario: str, text: str, line: int, col: int, servers: list[Server], workdir: Path, edits: int, warmup: int
) -> Result:
    path = workdir / f"{scenario}.py"
    path.write_text(text)
    uri = path.as_uri()
    for server in servers:
        open_document(server, uri, text)
    strokes = keystrokes(warmup + edits)
    latencies: dict[str, list[float]] = {server.name: [] for server in servers}
    column = col
    # Track the text locally too, to check at the end that every edit kept it valid.
    chars = list(text.splitlines(keepends=True)[line])
    cpu_start: dict[str, float | None] = {}
    for n, stroke in enumerate(strokes):
        version = n + 2
        if n == warmup:
            cpu_start = {server.name: cpu_seconds(server) for server in servers}
        for server in servers:
            latency = change(server, uri, version, line, column, stroke)
            if n >= warmup:
                latencies[server.name].append(latency)
        if stroke is None:
            column -= 1
            del chars[column]
        else:
            chars.insert(column, stroke)
            column += 1
    cpu_per_edit: dict[str, float | None] = {}
    for server in servers:
        start, end = cpu_start.get(server.name), cpu_seconds(server)
        cpu_per_edit[server.name] = (end - start) / edits if start is not None and end is not None else None
    lines = text.splitlines(keepends=True)
    lines[line] = "".join(chars)
    compile("".join(lines), str(path), "exec", flags=0x2000 if scenario == "cells" else 0, dont_inherit=True)
    for server in servers:
        server.client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    return Result(
        scenario,
        text.count("\n"),
        latencies,
        cpu_per_edit,
        {server.name: server.note for server in servers},
        {server.name: round_trip(server) for server in servers},
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=200, help="measured edits per scenario (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured edits first (default 20)")
    parser.add_argument("--asyncell", help="the asyncell binary (default target/dist/asyncell)")
    parser.add_argument("--script-lines", type=int, default=10_000, help="lines of the plain script (default 10000)")
    parser.add_argument("--cells", type=int, default=300, help="cells of the cell file (default 300)")
    parser.add_argument("--only", choices=["script", "cells"], help="run one scenario")
    parser.add_argument("--no-ruff", action="store_true", help="measure asyncell alone")
    parser.add_argument("--ruff-select", default="ASYNC", help="ruff's lint.select, comma-separated, or 'default' (default ASYNC)")
    parser.add_argument(
        "--ruff-diagnostics",
        choices=["auto", "push", "pull"],
        default="auto",
        help="how to get ruff's diagnostics: push (publishDiagnostics), pull (textDocument/diagnostic), "
        "or auto: push, falling back to pull if ruff does not push (default)",
    )
    args = parser.parse_args()
    if args.edits < 1 or args.warmup < 0 or args.script_lines < 200 or args.cells < 8:
        parser.error("need --edits >= 1, --warmup >= 0, --script-lines >= 200, --cells >= 8")
    return args


def main() -> int:
    args = parse_args()
    binary = asyncell_binary(args.asyncell)
    ruff = None if args.no_ruff else tool_venv([f"ruff=={RUFF_VERSION}"])
    workdir = Path(tempfile.mkdtemp(prefix="asyncell-bench-lsp-"))
    servers: list[Server] = []
    try:
        servers.append(start_server("asyncell", [str(binary), "server"], workdir, None, pull=False))
        if ruff is not None:
            options = None if args.ruff_select == "default" else {"settings": {"lint": {"select": args.ruff_select.split(",")}}}
            servers.append(start_ruff(ruff.ruff, workdir, options, args.ruff_diagnostics))
        print("# LSP latency: didChange -> diagnostics")
        print(f"machine:  {machine_summary()}")
        print(f"asyncell: {binary} server")
        if ruff is not None:
            print(f"ruff:     {ruff.version(ruff.ruff)} server, lint.select = {args.ruff_select}")
            print(f"          diagnostics by {'pull (textDocument/diagnostic after each didChange)' if servers[1].pull else 'push (publishDiagnostics)'}{servers[1].note}")
        print(f"edits:    {args.edits} measured keystrokes per scenario after {args.warmup} unmeasured, alternating servers")
        scenarios = [("script", lambda: script_text(args.script_lines)), ("cells", lambda: cells_text(args.cells))]
        results = []
        for name, make in scenarios:
            if args.only and name != args.only:
                continue
            text, line, col = make()
            compile(text, name, "exec", flags=0x2000 if name == "cells" else 0, dont_inherit=True)
            log(f"{name}: {text.count(chr(10))} lines, typing at line {line + 1} ...")
            results.append(run_scenario(name, text, line, col, servers, workdir, args.edits, args.warmup))
        report(results)
    finally:
        for server in servers:
            stop(server)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def start_ruff(ruff: Path, workdir: Path, options: dict | None, mode: str) -> Server:
    server = start_server("ruff", [str(ruff), "server"], workdir, options, pull=(mode == "pull"))
    if mode != "auto":
        return server
    # Does ruff push to a client without pull support? Probe with a small document.
    probe = workdir / "probe.py"
    probe.write_text("import asyncio\n")
    server.client.open(probe.as_uri(), probe.read_text(), version=1)
    try:
        server.client.next_diagnostics(probe.as_uri(), 1, 10)
        server.client.notify("textDocument/didClose", {"textDocument": {"uri": probe.as_uri()}})
        return server
    except TimeoutError:
        stop(server)
    server = start_server("ruff", [str(ruff), "server"], workdir, options, pull=True)
    server.note = " -- ruff did not push diagnostics, so they are pulled"
    return server


def report(results: list[Result]) -> None:
    for result in results:
        target = TARGETS[result.scenario]
        print()
        print(f"## {result.scenario}: {result.lines} lines" + (" in `# %%` cells" if result.scenario == "cells" else ", plain script"))
        print(f"{'server':<10} {'p50':>9} {'p90':>9} {'p99':>9} {'min':>9} {'max':>9} {'round trip':>11} {'cpu/edit':>9}")
        for name, values in result.latencies.items():
            floor = result.floors.get(name)
            cpu = result.cpu_per_edit.get(name)
            print(
                f"{name:<10} {fmt_ms(percentile(values, 50)):>9} {fmt_ms(percentile(values, 90)):>9} "
                f"{fmt_ms(percentile(values, 99)):>9} {fmt_ms(min(values)):>9} {fmt_ms(max(values)):>9} "
                f"{fmt_ms(floor) if floor is not None else 'n/a':>11} {fmt_ms(cpu) if cpu is not None else 'n/a':>9}"
            )
        p50 = percentile(result.latencies["asyncell"], 50)
        if "ruff" in result.latencies:
            print(f"ratio of p50s asyncell/ruff: {p50 / percentile(result.latencies['ruff'], 50):.3f}")
        print(f"target: asyncell p50 <= {fmt_ms(target)}: {'MET' if p50 <= target else 'NOT MET'}")


if __name__ == "__main__":
    main_wrapper(main)
