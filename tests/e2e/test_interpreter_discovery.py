"""Which interpreter runs the cells is decided from the file, not from where the command
is typed, and the user is told which one it is (and, when trio is missing, how to fix it
there)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from exec_support import HEARTBEAT, host_cache, start_server, stop_server  # noqa: F401

CELLS = "# %%\nimport sys, trio\nprint('prefix', sys.prefix)\n"


def project_with_venv(root: Path) -> Path:
    """`root/proj/analysis.py` and `root/proj/.venv`, a link to this test's venv (which
    has trio). No pyproject.toml and no .git: nothing but the .venv marks the project."""
    proj = root / "proj"
    proj.mkdir()
    (proj / ".venv").symlink_to(sys.prefix, target_is_directory=True)
    (proj / "analysis.py").write_text(CELLS)
    return proj


def run(asyncell_bin, cache, *args, cwd, env_extra=None):
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), **(env_extra or {})}
    env.pop("VIRTUAL_ENV", None)
    if env_extra and "VIRTUAL_ENV" in env_extra:
        env["VIRTUAL_ENV"] = env_extra["VIRTUAL_ENV"]
    return subprocess.run([str(asyncell_bin), "run", *map(str, args)],
                          capture_output=True, text=True, timeout=90, env=env, cwd=cwd)


def test_the_projects_venv_is_found_from_the_file_wherever_the_command_is_typed(asyncell_bin, host_cache, tmp_path):
    proj = project_with_venv(tmp_path)
    venv_python = proj / ".venv" / "bin" / "python"
    from_parent = run(asyncell_bin, host_cache, "proj/analysis.py", cwd=tmp_path)
    from_inside = run(asyncell_bin, host_cache, "analysis.py", cwd=proj)
    for done in (from_parent, from_inside):
        assert done.returncode == 0, done.stderr
        assert f"running on {venv_python} (Python " in done.stderr, done.stderr
        assert "from the project's .venv" in done.stderr, done.stderr
        prefix = done.stdout.split("prefix ", 1)[1].split()[0]
        assert Path(prefix).resolve() == Path(sys.prefix).resolve(), done.stdout
    quiet = run(asyncell_bin, host_cache, "-q", "proj/analysis.py", cwd=tmp_path)
    assert quiet.returncode == 0 and "running on" not in quiet.stderr, quiet.stderr


def test_version_names_the_interpreter_run_would_use_here(asyncell_bin, tmp_path):
    proj = project_with_venv(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    done = subprocess.run([str(asyncell_bin), "--version"], capture_output=True, text=True,
                          cwd=proj, env=env, check=True)
    lines = done.stdout.splitlines()
    assert lines[0].startswith("asyncell ") and lines[0].split()[1][0].isdigit()
    assert f"interpreter: {proj / '.venv' / 'bin' / 'python'} (from the project's .venv)" in lines
    assert any(line.startswith("host: the embedded host") for line in lines), lines


def test_missing_trio_points_at_the_projects_venv(asyncell_bin, host_cache, tmp_path):
    """An activated venv without trio wins over the project's .venv: the error says the
    project has one and how to use it."""
    proj = project_with_venv(tmp_path)
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    done = run(asyncell_bin, host_cache, "proj/analysis.py", "--loop", "trio", cwd=tmp_path,
               env_extra={"VIRTUAL_ENV": str(bare)})
    assert done.returncode == 2, done.stderr
    assert f"trio is not importable by {bare / 'bin' / 'python'}" in done.stderr, done.stderr
    assert f"This project has a venv: run with `--python {proj / '.venv' / 'bin' / 'python'}`" in done.stderr
    assert "or deactivate $VIRTUAL_ENV" in done.stderr


SYSTEM_PYTHON = Path("/usr/bin/python3")


def _externally_managed_without_trio() -> bool:
    if not SYSTEM_PYTHON.exists():
        return False
    probe = subprocess.run(
        [str(SYSTEM_PYTHON), "-c",
         "import os, sys, sysconfig, importlib.util as u; "
         "print(sys.prefix == sys.base_prefix and u.find_spec('trio') is None and "
         "os.path.isfile(os.path.join(sysconfig.get_path('stdlib'), 'EXTERNALLY-MANAGED')))"],
        capture_output=True, text=True,
    )
    return probe.stdout.strip() == "True"


@pytest.mark.skipif(not _externally_managed_without_trio(),
                    reason="needs a system python3 marked EXTERNALLY-MANAGED (PEP 668) without trio, as Debian's")
def test_a_system_python_that_pip_must_not_touch_gets_the_venv_recipe(asyncell_bin, host_cache, tmp_path):
    script = tmp_path / "cells.py"
    script.write_text(CELLS)
    done = run(asyncell_bin, host_cache, script, "--loop", "trio", "--python", SYSTEM_PYTHON, cwd=tmp_path)
    assert done.returncode == 2
    assert "is managed by the system, so pip cannot install into it" in done.stderr, done.stderr
    assert f"`{SYSTEM_PYTHON} -m venv .venv && .venv/bin/python -m pip install trio`" in done.stderr
    assert "-m pip install trio (" not in done.stderr


def test_the_editor_uses_the_nearest_venv_of_the_document_in_a_trusted_workspace(asyncell_bin, host_cache, tmp_path):
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    proj = project_with_venv(workspace)
    client = start_server(asyncell_bin, workspace, host_cache, python=None, trustedWorkspace=True)
    try:
        uri = (proj / "analysis.py").as_uri()
        client.open(uri, CELLS)
        status = client.request("asyncell/status", {"textDocument": {"uri": uri}})
        venv_python = str(proj / ".venv" / "bin" / "python")
        assert status["interpreter"] == {"argv": [venv_python], "source": "projectVenv"}, status
        assert status["host"]["copy"] == "embedded"
        result = client.request("asyncell/execute", {"textDocument": {"uri": uri}, "cell": 0}, timeout=60)
        assert result["status"] == "ok", result
        status = client.request("asyncell/status", {"textDocument": {"uri": uri}})
        assert status["host"]["copy"] == "embedded" and status["host"]["path"].endswith("/asyncell")
        assert status["interpreter"]["source"] == "projectVenv"
    finally:
        stop_server(client)
