"""Helpers shared by the kernel tests: run a cell through a client and collect what the
kernel published for it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from queue import Empty
from typing import Any

TIMEOUT = 30
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("ASYNCELL_BIN", ROOT / "target" / "debug" / "asyncell"))
PYTHON = sys.executable  # the test venv: it has trio


def install(loop: str, prefix: Path, name: str | None = None) -> subprocess.CompletedProcess:
    """`asyncell kernel install --prefix PREFIX` for `loop`, running the test venv's Python."""
    argv = [str(BIN), "kernel", "install", "--prefix", str(prefix), "--loop", loop, "--python", PYTHON]
    if name:
        argv += ["--name", name]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


def collect(kc, msg_id: str, timeout: float = TIMEOUT, others: list | None = None) -> list[dict[str, Any]]:
    """iopub messages whose parent is `msg_id`, up to its `status: idle`; the rest go to
    `others` if given."""
    deadline = time.monotonic() + timeout
    messages = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no idle for {msg_id}; got {[m['msg_type'] for m in messages]}")
        try:
            msg = kc.get_iopub_msg(timeout=remaining)
        except Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            if others is not None:
                others.append(msg)
            continue
        messages.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return messages


def reply_to(kc, msg_id: str, timeout: float = TIMEOUT) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        msg = kc.get_shell_msg(timeout=max(0.01, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


def run(kc, code: str, timeout: float = TIMEOUT, **options) -> tuple[dict, list[dict]]:
    """Executes `code`; its execute_reply and its iopub messages."""
    msg_id = kc.execute(code, **options)
    messages = collect(kc, msg_id, timeout)
    return reply_to(kc, msg_id, timeout), messages


def ask(kc, msg_id: str, timeout: float = TIMEOUT) -> dict[str, Any]:
    """The content of the shell reply to `msg_id`."""
    return reply_to(kc, msg_id, timeout)["content"]


def stdout(messages: list[dict]) -> str:
    return "".join(m["content"]["text"] for m in messages
                   if m["msg_type"] == "stream" and m["content"]["name"] == "stdout")


def stderr(messages: list[dict]) -> str:
    return "".join(m["content"]["text"] for m in messages
                   if m["msg_type"] == "stream" and m["content"]["name"] == "stderr")


def drain_iopub(kc, seconds: float) -> list[dict]:
    """Every iopub message for `seconds`."""
    deadline = time.monotonic() + seconds
    messages = []
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            messages.append(kc.get_iopub_msg(timeout=remaining))
        except Empty:
            break
    return messages
