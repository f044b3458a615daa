"""A small, strict LSP client for end-to-end tests: it speaks to the real `asyncell`
binary over stdio exactly as an editor does (Content-Length framing, JSON-RPC 2.0)."""

from __future__ import annotations

import itertools
import json
import os
import queue
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable


class LspError(Exception):
    """The server answered a request with a JSON-RPC error."""

    def __init__(self, error: dict):
        super().__init__(f"{error.get('code')}: {error.get('message')}")
        self.error = error


@dataclass
class LspClient:
    proc: subprocess.Popen
    stderr_lines: list[str] = field(default_factory=list)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _responses: dict = field(default_factory=dict)
    _response_ready: threading.Condition = field(default_factory=threading.Condition)
    notifications: "queue.Queue[dict]" = field(default_factory=queue.Queue)
    _seen: list = field(default_factory=list)
    _write_lock: threading.Lock = field(default_factory=threading.Lock)
    # Requests the server sent (each answered with a null result), in order.
    server_requests: list = field(default_factory=list)

    @classmethod
    def start(cls, binary: str | Path, *args: str, env: dict | None = None, cwd: str | Path | None = None) -> "LspClient":
        proc = subprocess.Popen(
            [str(binary), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})},
            cwd=cwd,
        )
        client = cls(proc)
        threading.Thread(target=client._read_stdout, daemon=True).start()
        threading.Thread(target=client._read_stderr, daemon=True).start()
        return client

    # -- wire ---------------------------------------------------------------------------

    def _send(self, message: dict) -> None:
        body = json.dumps(message).encode()
        with self._write_lock:
            assert self.proc.stdin is not None
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.proc.stdin.flush()

    def _read_stdout(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            headers = {}
            while True:
                line = stream.readline()
                if not line:
                    self.notifications.put({"method": "$/eof"})
                    return
                line = line.decode().strip()
                if not line:
                    break
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            self._dispatch(stream.read(int(headers["content-length"])))

    def _dispatch(self, body: bytes) -> None:
        """One message body from the server: a request to answer, a response, or a
        notification."""
        message = json.loads(body)
        if "id" in message and "method" in message:
            self.server_requests.append(message)
            self._answer_server_request(message)
        elif "id" in message:
            with self._response_ready:
                self._responses[message["id"]] = message
                self._response_ready.notify_all()
        else:
            self.notifications.put(message)

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr_lines.append(line.decode(errors="replace"))

    def _answer_server_request(self, message: dict) -> None:
        # Editors accept these; tests don't care about their content.
        self._send({"jsonrpc": "2.0", "id": message["id"], "result": None})

    # -- API ----------------------------------------------------------------------------

    def request(self, method: str, params: Any = None, timeout: float = 10.0) -> Any:
        request_id = next(self._ids)
        self._send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        with self._response_ready:
            while request_id not in self._responses:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no answer to {method} within {timeout}s; stderr: {''.join(self.stderr_lines)[-2000:]}")
                self._response_ready.wait(remaining)
            response = self._responses.pop(request_id)
        if "error" in response:
            raise LspError(response["error"])
        return response.get("result")

    def notify(self, method: str, params: Any = None) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_for(self, method: str, predicate: Callable[[dict], bool] = lambda p: True, timeout: float = 10.0) -> dict:
        """Waits for a notification (already received or future) and returns its params.
        Each notification is returned at most once."""
        for i, seen in enumerate(self._seen):
            if seen.get("method") == method and predicate(seen.get("params")):
                return self._seen.pop(i)["params"]
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no {method} matching within {timeout}s; stderr: {''.join(self.stderr_lines)[-2000:]}")
            try:
                message = self.notifications.get(timeout=remaining)
            except queue.Empty:
                continue
            if message.get("method") == method and predicate(message.get("params")):
                return message["params"]
            self._seen.append(message)

    def diagnostics_for(self, uri: str, predicate: Callable[[list], bool] = lambda d: True, timeout: float = 10.0) -> list:
        """The next published diagnostics for `uri` that satisfy `predicate`."""
        params = self.wait_for(
            "textDocument/publishDiagnostics",
            lambda p: p["uri"] == uri and predicate(p["diagnostics"]),
            timeout,
        )
        return params["diagnostics"]

    def initialize(
        self,
        root: str | Path | None = None,
        options: dict | None = None,
        encodings: list[str] | None = None,
        plugin: bool = True,
        extra_capabilities: dict | None = None,
    ) -> dict:
        """`plugin`: declare `experimental.asyncell` as the editor plugins do (the server
        then sends `asyncell/*` notifications); False acts as a plain LSP client."""
        capabilities = {
            "general": {"positionEncodings": encodings or ["utf-16"]},
            "textDocument": {"publishDiagnostics": {"versionSupport": True}},
            "notebookDocument": {"synchronization": {}},
            **(extra_capabilities or {}),
        }
        if plugin:
            capabilities["experimental"] = {"asyncell": {"notifications": True}}
        result = self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": Path(root).as_uri() if root else None,
                "capabilities": capabilities,
                "initializationOptions": options,
            },
        )
        self.notify("initialized", {})
        return result

    def open(self, uri: str, text: str, version: int = 1, language: str = "python") -> None:
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": language, "version": version, "text": text}})

    def change(self, uri: str, version: int, changes: list[dict]) -> None:
        self.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes})

    def shutdown_and_exit(self, timeout: float = 10.0) -> int:
        self.request("shutdown")
        self.notify("exit")
        return self.proc.wait(timeout=timeout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


def edit(start: tuple[int, int], end: tuple[int, int], text: str) -> dict:
    """An incremental content change."""
    return {
        "range": {"start": {"line": start[0], "character": start[1]}, "end": {"line": end[0], "character": end[1]}},
        "text": text,
    }


def codes(diagnostics: list) -> list[str]:
    return sorted(d["code"] for d in diagnostics)
