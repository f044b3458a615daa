"""The Jupyter kernel suite: real Jupyter clients (jupyter_client, jupyter_kernel_test,
nbclient) against `asyncell kernel`, found through kernel specs that `asyncell kernel
install --prefix` writes into a temporary Jupyter path for this run.

The specs are written when this file is imported, before any test module: the
jupyter_kernel_test classes start their kernels in ``setUpClass``, outside fixtures.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kernel_support import BIN, install  # noqa: E402

JUPYTER_DIR = Path(tempfile.mkdtemp(prefix="asyncell-kernel-tests-"))
PREFIX = JUPYTER_DIR / "prefix"
# Only our specs (and no user's) are visible to the clients started from here.
os.environ["JUPYTER_PATH"] = str(PREFIX / "share" / "jupyter")
os.environ["JUPYTER_DATA_DIR"] = str(JUPYTER_DIR / "data")
os.environ["JUPYTER_RUNTIME_DIR"] = str(JUPYTER_DIR / "runtime")
os.environ["JUPYTER_PLATFORM_DIRS"] = "1"
os.environ.setdefault("ASYNCELL_LOG", "info")


if BIN.exists():
    for _loop in ("trio", "asyncio"):
        _done = install(_loop, prefix=PREFIX)
        assert _done.returncode == 0, _done.stderr


@pytest.fixture(scope="session", autouse=True)
def _binary_exists():
    if not BIN.exists():
        pytest.fail(f"{BIN} does not exist: run `cargo build` first (or set ASYNCELL_BIN)")


@pytest.fixture
def trio_kernel():
    """A started trio kernel and a blocking client with its channels running."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="asyncell-trio", startup_timeout=60)
    yield km, kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)
