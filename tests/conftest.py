"""Shared fixtures for the end-to-end suites: the built binary and a live server."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from lsp_client import LspClient  # noqa: E402


@pytest.fixture(scope="session")
def asyncell_bin() -> Path:
    """The binary under test: $ASYNCELL_BIN, else the workspace's debug build."""
    path = Path(os.environ.get("ASYNCELL_BIN", ROOT / "target" / "debug" / "asyncell"))
    if not path.exists():
        pytest.fail(f"{path} does not exist: run `cargo build` first (or set ASYNCELL_BIN)")
    return path


@pytest.fixture
def lsp(asyncell_bin, tmp_path):
    """A running server, initialized with `tmp_path` as the workspace root."""
    client = LspClient.start(asyncell_bin, env={"ASYNCELL_LOG": "info"}, cwd=tmp_path)
    client.initialize(root=tmp_path)
    yield client
    client.kill()
