"""The wheel as a user gets it: `pip install` into a fresh venv, then every front end from
that venv alone, with nothing from this repository on PATH.

The wheel is $ASYNCELL_WHEEL (tests/run-all.sh builds it with `maturin build --profile
dev`, reusing the debug build); without it, this suite builds one the same way.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from lsp_client import LspClient  # noqa: E402

VERSION = tomllib.loads((ROOT / "server" / "Cargo.toml").read_text())["package"]["version"]
HOST_MODULES = sorted(p.name for p in (ROOT / "server" / "host" / "asyncell").glob("*.py"))


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    given = os.environ.get("ASYNCELL_WHEEL")
    if given:
        return Path(given)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "maturin", "build", "--profile", "dev", "--out", str(out)],
        cwd=ROOT, check=True,
    )
    (built,) = out.glob("asyncell-*.whl")
    return built


@pytest.fixture(scope="session")
def venv(tmp_path_factory, wheel) -> Path:
    """A fresh venv with `asyncell[trio]` installed from the wheel (and mypy, to see the
    package's types as an editor does)."""
    venv = tmp_path_factory.mktemp("user") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         f"{wheel}[trio]", "mypy"],
        check=True,
    )
    return venv


@pytest.fixture
def user_env(venv, tmp_path) -> dict:
    """What a user's shell would have: the venv's bin and the system, nothing from this
    repository, no $VIRTUAL_ENV, and a cache that shows whether anything was extracted."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "ASYNCELL_BIN", "PYTHONPATH")}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), "/usr/local/bin", "/usr/bin", "/bin"])
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    env["HOME"] = str(tmp_path / "home")
    (tmp_path / "home").mkdir()
    return env


def extracted_hosts(env: dict) -> list[str]:
    cache = Path(env["XDG_CACHE_HOME"]) / "asyncell"
    return sorted(p.name for p in cache.glob("host-*")) if cache.is_dir() else []


def site_packages(venv: Path) -> Path:
    (site,) = (venv / "lib").glob("python3*/site-packages")
    return site


# -- the wheel itself -------------------------------------------------------------------

def test_the_wheel_holds_the_binary_and_the_typed_package_and_nothing_else(wheel):
    with zipfile.ZipFile(wheel) as archive:
        infos = {info.filename: info for info in archive.infolist()}
    names = sorted(infos)
    binary = f"asyncell-{VERSION}.data/scripts/asyncell"
    assert binary in names, names
    assert stat.S_IMODE(infos[binary].external_attr >> 16) & 0o111, "the binary must be executable"
    package = sorted(n.removeprefix("asyncell/") for n in names if n.startswith("asyncell/"))
    assert package == sorted(HOST_MODULES + ["py.typed"]), package
    dist_info = sorted(n for n in names if n.startswith(f"asyncell-{VERSION}.dist-info/"))
    assert {Path(n).name for n in dist_info} >= {"METADATA", "WHEEL", "RECORD"}
    others = set(names) - {binary} - {f"asyncell/{n}" for n in package} - set(dist_info)
    assert not others, f"unexpected files in the wheel: {sorted(others)}"
    assert not any("tests/" in n or "__pycache__" in n or n.endswith(".pyc") for n in names)


def test_the_metadata_has_no_dependencies_and_a_trio_extra(wheel):
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"asyncell-{VERSION}.dist-info/METADATA").decode()
    assert re.search(rf"^Version: {re.escape(VERSION)}$", metadata, re.M)
    assert re.search(r"^Provides-Extra: trio$", metadata, re.M)
    requires = re.findall(r"^Requires-Dist: (.*)$", metadata, re.M)
    assert requires, metadata
    assert all(re.search(r"extra == [\"']trio[\"']", r) for r in requires), f"runtime dependencies: {requires}"
    assert {r.split(";")[0].strip().split("=")[0].split(" ")[0] for r in requires} == {"trio", "trio-asyncio"}
    assert re.search(r"^Requires-Python: >=3\.10$", metadata, re.M)


# -- from the installed venv ------------------------------------------------------------

def test_version_names_the_interpreter_and_the_installed_host(venv, user_env, tmp_path):
    result = subprocess.run(["asyncell", "--version"], env=user_env, cwd=tmp_path,
                            capture_output=True, text=True, check=True)
    lines = result.stdout.splitlines()
    assert lines[0] == f"asyncell {VERSION}"
    assert f"interpreter: {venv / 'bin' / 'python'} (from the environment asyncell is installed in)" in lines
    assert f"host: the installed asyncell package in {site_packages(venv) / 'asyncell'}" in lines
    assert shutil.which("asyncell", path=user_env["PATH"]) == str(venv / "bin" / "asyncell")


def test_check_finds_the_examples_mistakes(user_env, tmp_path):
    examples = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", examples)
    result = subprocess.run(["asyncell", "check", "--output-format", "json", str(examples)],
                            env=user_env, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 1, result.stderr
    found = {(Path(d["filename"]).name, d["code"]) for d in json.loads(result.stdout)}
    assert ("script_mistakes.py", "LOOP100") in found, found
    assert ("loop_mistakes.ipynb", "LOOP201") in found or any(f == "loop_mistakes.ipynb" for f, _ in found), found


def test_run_finds_the_venv_and_runs_the_installed_host(venv, user_env, tmp_path):
    """No --python, no activated venv: the interpreter is the environment asyncell is
    installed in, and its host is the installed package (nothing is extracted)."""
    script = tmp_path / "heartbeat.py"
    shutil.copy(ROOT / "examples" / "heartbeat.py", script)
    result = subprocess.run(["asyncell", "run", str(script)], env=user_env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(
        rf"running on {re.escape(str(venv / 'bin' / 'python'))} \(Python 3\.\d+\.\d+, from the environment "
        r"asyncell is installed in; installed host\)",
        result.stderr,
    ), result.stderr
    beats = re.search(r"(\d+) beats while this cell slept", result.stdout)
    assert beats and int(beats.group(1)) >= 2, result.stdout
    assert "counter ready" in result.stdout
    assert extracted_hosts(user_env) == [], "an installed host must not be extracted"


def test_an_activated_venv_is_used_the_same_way(venv, user_env, tmp_path):
    env = {**user_env, "VIRTUAL_ENV": str(venv)}
    script = tmp_path / "cells.py"
    script.write_text("# %%\nimport sys, asyncell\nprint(sys.prefix, asyncell.__file__)\n")
    result = subprocess.run(["asyncell", "run", "-q", str(script), "--loop", "asyncio"], env=env,
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", "-q prints nothing about the interpreter"
    prefix, module = result.stdout.split()
    assert Path(prefix) == venv
    assert Path(module) == site_packages(venv) / "asyncell" / "__init__.py"


def test_the_package_imports_and_type_checks(venv, tmp_path):
    python = venv / "bin" / "python"
    shown = subprocess.run([str(python), "-c", "from asyncell import background; print(background)"],
                           cwd=tmp_path, capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "<asyncell background (no host)>"
    user_code = tmp_path / "uses_background.py"
    user_code.write_text(
        "from asyncell import background\n"
        "async def beat() -> None: ...\n"
        "task_id: str = background.start_soon(beat, name='beat')\n"
        "reveal_type(background)\n"
        "background.start_soon(42)\n"
    )
    typed = subprocess.run([str(python), "-m", "mypy", "--no-incremental", str(user_code)],
                           cwd=tmp_path, capture_output=True, text=True)
    assert "py.typed" not in typed.stdout and "missing library stubs" not in typed.stdout, typed.stdout
    assert 'Revealed type is "asyncell.background.BackgroundTasks"' in typed.stdout, typed.stdout
    # A wrong argument is caught: the types are real, not Any.
    assert re.search(r"uses_background\.py:5: error: Argument 1 to \"start_soon\"", typed.stdout), typed.stdout


def test_an_editor_session_runs_a_cell_with_no_python_setting(venv, user_env, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    path = project / "cells.py"
    text = "# %%\nimport trio\nawait trio.sleep(0)\nprint('ran on', trio.__name__)\n"
    path.write_text(text)
    client = LspClient.start(venv / "bin" / "asyncell", env={**user_env, "ASYNCELL_LOG": "info"}, cwd=project)
    try:
        client.initialize(root=project)
        uri = path.as_uri()
        client.open(uri, text)
        result = client.request("asyncell/execute", {"textDocument": {"uri": uri}, "cell": 0}, timeout=60)
        assert result["status"] == "ok", result
        shown = "".join(o.get("text", "") for o in result["outputs"])
        assert "ran on trio" in shown, result
        status = client.request("asyncell/status", {"textDocument": {"uri": uri}})
        assert status["interpreter"] == {"argv": [str(venv / "bin" / "python")], "source": "installed"}
        assert status["host"] == {"copy": "installed", "path": str(site_packages(venv) / "asyncell")}
        assert extracted_hosts(user_env) == []
    finally:
        try:
            client.shutdown_and_exit()
        finally:
            client.kill()
