"""Helpers for the execution end-to-end suites (tests/e2e/test_exec_*.py): a server whose
hosts run on the test interpreter, and a small session object that executes code over
`asyncell/execute` and collects the `asyncell/output` / `asyncell/event` notifications."""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
from pathlib import Path

import pytest

from lsp_client import LspClient

HEARTBEAT = """\
import trio
beats = []
async def heartbeat():
    while True:
        beats.append(trio.current_time())
        await trio.sleep(0.01)
GLOBAL_NURSERY.start_soon(heartbeat, name="heartbeat")
"""

# A cell that proves the loop and its background tasks are alive.
BEATING = """\
n = len(beats)
await trio.sleep(0.15)
print("beating", len(beats) > n)
"""


def start_server(binary: Path, root: Path, cache: Path, **options) -> LspClient:
    """A server in `root` whose hosts run on this interpreter, extracting to `cache`."""
    client = LspClient.start(
        binary, env={"ASYNCELL_LOG": "info", "XDG_CACHE_HOME": str(cache)}, cwd=root
    )
    client.initialize(root=root, options={"python": sys.executable, **options})
    return client


def stop_server(client: LspClient) -> None:
    """Shuts the server down cleanly (which stops its hosts); kills it if that fails."""
    try:
        if client.proc.poll() is None:
            client.shutdown_and_exit(timeout=10)
    except Exception:
        pass
    client.kill()


@pytest.fixture(scope="session")
def host_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


class Session:
    """One open document on a live server, with notification bookkeeping."""

    def __init__(self, client: LspClient, uri: str):
        self.client = client
        self.uri = uri
        self.seen: list[dict] = []
        self._lock = threading.Lock()

    # -- notifications ---------------------------------------------------------------
    def drain(self) -> list[dict]:
        """Moves every notification received so far into `seen`."""
        with self._lock:
            while True:
                try:
                    self.seen.append(self.client.notifications.get_nowait())
                except queue.Empty:
                    break
            return list(self.seen)

    def notifications(self, method: str) -> list[dict]:
        return [m["params"] for m in self.drain() if m.get("method") == method]

    def outputs(self, execution_id: str) -> list[dict]:
        return [p["output"] for p in self.notifications("asyncell/output") if p["executionId"] == execution_id]

    def events(self, kind: str | None = None) -> list[dict]:
        return [p for p in self.notifications("asyncell/event") if kind is None or p["kind"] == kind]

    def wait_for(self, predicate, timeout: float = 10.0) -> dict:
        """Waits for a notification (message dict) matching `predicate`."""
        deadline = time.monotonic() + timeout
        index = 0
        while True:
            seen = self.drain()
            for message in seen[index:]:
                if predicate(message):
                    return message
            index = len(seen)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no matching notification; last ones: {seen[-5:]}")
            try:
                message = self.client.notifications.get(timeout=min(remaining, 0.05))
            except queue.Empty:
                continue
            with self._lock:
                self.seen.append(message)

    def wait_for_text(self, execution_id: str, text: str, timeout: float = 10.0) -> None:
        def matches(message):
            params = message.get("params") or {}
            output = params.get("output") or {}
            return (message.get("method") == "asyncell/output" and params.get("executionId") == execution_id
                    and text in output.get("text", ""))
        self.wait_for(matches, timeout)

    def wait_event(self, kind: str, timeout: float = 10.0) -> dict:
        return self.wait_for(
            lambda m: m.get("method") == "asyncell/event" and m["params"]["kind"] == kind, timeout
        )["params"]

    # -- requests --------------------------------------------------------------------
    def send(self, method: str, params: dict) -> int:
        """Sends a request without waiting; returns its id (see `response`)."""
        request_id = next(self.client._ids)
        self.client._send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        return request_id

    def response(self, request_id: int, timeout: float = 30.0) -> dict:
        client = self.client
        deadline = time.monotonic() + timeout
        with client._response_ready:
            while request_id not in client._responses:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no response to {request_id}; stderr: {''.join(client.stderr_lines)[-2000:]}")
                client._response_ready.wait(remaining)
            response = client._responses.pop(request_id)
        if "error" in response:
            raise AssertionError(f"error response: {response['error']}")
        return response["result"]

    def submit(self, code: str, **extra) -> int:
        return self.send("asyncell/execute", {"textDocument": {"uri": self.uri}, "code": code, **extra})

    def run(self, code: str, timeout: float = 30.0, **extra) -> dict:
        return self.response(self.submit(code, **extra), timeout)

    def request(self, method: str, timeout: float = 30.0, **params) -> dict:
        return self.client.request(method, {"textDocument": {"uri": self.uri}, **params}, timeout=timeout)

    def status(self) -> dict:
        return self.request("asyncell/status")


def text_of(result: dict, name: str = "stdout") -> str:
    return "".join(o["text"] for o in result["outputs"] if o["output_type"] == "stream" and o["name"] == name)


def errors_of(result: dict) -> list[dict]:
    return [o for o in result["outputs"] if o["output_type"] == "error"]


def process_alive(pid: int) -> bool:
    """Whether `pid` runs (zombies, which only wait to be reaped, count as dead)."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("State:"):
                    return "Z" not in line.split()[1]
    except FileNotFoundError:
        return False
    return True


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


@pytest.fixture
def session(asyncell_bin, tmp_path, host_cache):
    """A server with an open (empty) `.py` document whose host runs trio."""
    client = start_server(asyncell_bin, tmp_path, host_cache, loop="trio")
    uri = (tmp_path / "cells.py").as_uri()
    client.open(uri, "import trio\n")
    yield Session(client, uri)
    stop_server(client)


@pytest.fixture
def asyncio_session(asyncell_bin, tmp_path, host_cache):
    """Same, on an asyncio host."""
    client = start_server(asyncell_bin, tmp_path, host_cache, loop="asyncio")
    uri = (tmp_path / "cells.py").as_uri()
    client.open(uri, "import asyncio\n")
    yield Session(client, uri)
    stop_server(client)


def rss_peak_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


__all__ = [name for name in dir() if not name.startswith("_")] + ["os"]
