"""The pre-commit hook as a project uses it: `pre-commit try-repo` installs this
repository with pip (building the wheel from source, as pre-commit does for any
`language: python` hook) and runs `asyncell-check` on a sample repository.

The build inside pre-commit uses `MATURIN_PEP517_ARGS=--profile dev` and the shared
CARGO_TARGET_DIR, so it reuses the compiled dependencies of the debug build.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

MISTAKE = """\
import time


async def poll():
    time.sleep(1)
"""

FIXED = """\
import trio


async def poll():
    await trio.sleep(1)
"""


SAFELY_FIXABLE = """\
import math

import trio


async def main():
    await trio.sleep(math.inf)
"""


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   cwd=cwd, check=True, capture_output=True)


def try_repo(sample: Path, env: dict, hook: str = "asyncell-check") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--all-files"],
        cwd=sample, env=env, capture_output=True, text=True, timeout=1800,
    )


def test_the_hook_fails_on_the_mistake_and_passes_once_it_is_fixed(tmp_path):
    sample = tmp_path / "sample"
    sample.mkdir()
    git(sample, "init", "-q")
    (sample / "poller.py").write_text(MISTAKE)
    (sample / "README.md").write_text("not Python: the hook must not look at it\n")
    git(sample, "add", ".")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "MATURIN_PEP517_ARGS": "--profile dev",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    env.pop("VIRTUAL_ENV", None)

    failing = try_repo(sample, env)
    output = failing.stdout + failing.stderr
    assert failing.returncode == 1, output
    assert "asyncell check" in output and "Failed" in output, output
    assert "poller.py:5:5: ASYNC251" in output, output
    assert "README.md" not in output.split("asyncell check", 1)[1], output

    (sample / "poller.py").write_text(FIXED)
    git(sample, "add", ".")
    passing = try_repo(sample, env)
    output = passing.stdout + passing.stderr
    assert passing.returncode == 0, output
    assert "Passed" in output, output

    # The fixing hook (same environment): it applies the safe fix, fails so that the
    # change gets reviewed, and passes on the next run.
    (sample / "sleeper.py").write_text(SAFELY_FIXABLE)
    (sample / "excluded").mkdir()
    (sample / "excluded" / "poller.py").write_text(MISTAKE)
    (sample / "pyproject.toml").write_text('[tool.asyncell]\nextend-exclude = ["excluded"]\n')
    git(sample, "add", ".")
    fixing = try_repo(sample, env, "asyncell-fix")
    output = fixing.stdout + fixing.stderr
    assert fixing.returncode == 1, output
    assert (sample / "sleeper.py").read_text() == SAFELY_FIXABLE.replace("trio.sleep(math.inf)", "trio.sleep_forever()")
    assert "excluded/poller.py" not in output, "force-exclude: pre-commit names the file, exclude still holds"
    git(sample, "add", ".")
    fixed = try_repo(sample, env, "asyncell-fix")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
