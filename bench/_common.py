"""Shared plumbing for the benchmark scripts: paths, the cached tool venv, the source
corpus, process timing and statistics. Standard library only: the scripts run with a
plain `python3` (3.11+) on a machine that has nothing but the asyncell binary (`cargo build --profile dist`).

Everything downloaded lives under bench/.cache/ (git-ignored) and is reused by later
runs; delete that directory to start afresh.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CACHE = BENCH / ".cache"
DEFAULT_BINARY = ROOT / "target" / "dist" / "asyncell"

# Pinned so that figures from different days compare like with like. Override with
# --ruff-version etc. where a script offers it; the cache notices a changed pin.
RUFF_VERSION = "0.17.6"
FLAKE8_ASYNC_VERSION = "26.8.1"
FLAKE8_VERSION = "7.5.0"
# The benchmark corpus (issue 13): async libraries on trio, anyio and asyncio, from
# clients and servers to a database driver, so that no one codebase's style decides the
# figures. Exact pins, each with an sdist on PyPI (checked with `pip download --no-deps
# --no-binary :all: PKG==VER`): 814 .py files, 286,396 lines. The one list every bench
# script takes its corpus from.
CORPUS_PACKAGES = (
    "trio==0.35.0",
    "anyio==4.16.0",
    "httpx==0.28.1",
    "aiohttp==3.14.5",
    "starlette==1.10.0",
    "trio-websocket==0.12.2",
    "asyncpg==0.32.0",
    "websockets==17.4",
    "quart==0.22.0",
)

PIP_TIMEOUT = 900  # seconds for one pip command (sdist metadata builds are slow)


class BenchError(Exception):
    """A problem the user must fix; printed without a traceback."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_checked(cmd: list[str], *, timeout: float, what: str, cwd: Path | None = None) -> str:
    """Runs a setup command; raises BenchError with its output if it fails."""
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=cwd)
    except subprocess.TimeoutExpired:
        raise BenchError(f"{what}: timed out after {timeout:.0f}s: {' '.join(cmd)}") from None
    except OSError as error:
        raise BenchError(f"{what}: cannot run {cmd[0]}: {error}") from None
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr).strip()[-3000:]
        raise BenchError(f"{what}: `{' '.join(cmd)}` exited {proc.returncode}:\n{tail}")
    return proc.stdout


# -- the asyncell binary ----------------------------------------------------------------


def asyncell_binary(path: str | None) -> Path:
    binary = Path(path) if path else DEFAULT_BINARY
    if not binary.is_file() or not os.access(binary, os.X_OK):
        raise BenchError(
            f"{binary} is not an executable file: build it with `cargo build --profile dist` "
            f"from {ROOT} (or pass --asyncell PATH)"
        )
    return binary


# -- the tool venv ------------------------------------------------------------------------


@dataclass
class Tools:
    venv: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    @property
    def python(self) -> Path:
        return self.bin / "python"

    @property
    def ruff(self) -> Path:
        return self.bin / "ruff"

    @property
    def flake8(self) -> Path:
        return self.bin / "flake8"

    def version(self, executable: Path) -> str:
        try:
            out = subprocess.run([str(executable), "--version"], capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"unknown ({error})"
        return " ".join((out.stdout or out.stderr).split()) or "unknown"


def tool_venv(requirements: list[str], at: Path | None = None) -> Tools:
    """A venv with `requirements` installed, created or reused: bench/.cache/venv, or
    `at` (e.g. a throwaway directory under /tmp)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    ensure_gitignore()
    tools = Tools(at or CACHE / "venv")
    marker = tools.venv / ".bench-requirements.json"
    wanted = sorted(requirements)
    installed: list[str] = []
    if marker.is_file() and tools.python.exists():
        try:
            installed = json.loads(marker.read_text())
        except ValueError:
            installed = []
    if set(wanted) <= set(installed):
        return tools
    if not tools.python.exists():
        log(f"creating the benchmark venv in {tools.venv} ...")
        try:
            venv.EnvBuilder(with_pip=True, clear=True).create(tools.venv)
        except (OSError, subprocess.CalledProcessError) as error:
            shutil.rmtree(tools.venv, ignore_errors=True)
            raise BenchError(
                f"cannot create a venv with pip ({error}); on Debian/Ubuntu install python3-venv"
            ) from None
    log(f"installing {' '.join(wanted)} into the benchmark venv ...")
    run_checked(
        [str(tools.python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *wanted],
        timeout=PIP_TIMEOUT,
        what="pip install",
    )
    marker.write_text(json.dumps(sorted(set(installed) | set(wanted))))
    return tools


def ensure_gitignore() -> None:
    ignore = CACHE / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Benchmark downloads, venv and generated files: never committed.\n*\n")


# -- the corpus ----------------------------------------------------------------------------


def corpus(tools: Tools, packages: tuple[str, ...] = CORPUS_PACKAGES) -> Path:
    """A fresh directory of real async Python: the .py files of each package's sdist
    (tests included), or of its wheel when the sdist cannot be downloaded.

    The archives are cached under bench/.cache/downloads; the files are extracted anew
    into a temporary directory outside the repository on every run, because both tools
    honour .gitignore files in parent directories (and bench/.cache is ignored). Only
    .py files are kept, so no pyproject.toml or setup.cfg changes what either tool
    checks. The caller removes the directory (see `remove_corpus`)."""
    downloads = CACHE / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    archives = [(spec, download(tools, spec, downloads)) for spec in packages]
    root = Path(tempfile.mkdtemp(prefix="asyncell-bench-corpus-"))
    for spec, archive in archives:
        extract_python(spec, archive, root)
    return root


def remove_corpus(root: Path) -> None:
    if root.name.startswith("asyncell-bench-corpus-"):
        shutil.rmtree(root, ignore_errors=True)


def download(tools: Tools, spec: str, into: Path) -> Path:
    """The sdist of `spec` (or its wheel if the sdist can't be had), downloaded once."""
    slot = into / spec.replace("=", "_").replace("/", "_")
    if slot.is_dir():
        found = [p for p in slot.iterdir() if p.is_file()]
        if len(found) == 1:
            return found[0]
        shutil.rmtree(slot)
    with tempfile.TemporaryDirectory(dir=into) as scratch:
        log(f"downloading {spec} (sdist: pip builds its metadata, which can take a minute) ...")
        try:
            run_checked(
                [str(tools.python), "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:", spec, "-d", scratch],
                timeout=PIP_TIMEOUT,
                what=f"pip download {spec} (sdist)",
            )
        except BenchError as error:
            log(f"  the sdist failed ({str(error).splitlines()[0]}); using the wheel instead")
            run_checked(
                [str(tools.python), "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:", spec, "-d", scratch],
                timeout=PIP_TIMEOUT,
                what=f"pip download {spec} (wheel)",
            )
        files = [p for p in Path(scratch).iterdir() if p.is_file()]
        if len(files) != 1:
            raise BenchError(f"pip download {spec} produced {[f.name for f in files]}, expected one archive")
        slot.mkdir()
        target = slot / files[0].name
        shutil.move(str(files[0]), target)
        return target


def extract_python(spec: str, archive: Path, root: Path) -> None:
    """Extracts the .py members of an sdist or wheel into root/NAME-VERSION/."""
    target = root / spec.replace("==", "-")
    if archive.name.endswith((".tar.gz", ".tgz")):
        with tarfile.open(archive) as tar:
            members = [m for m in tar.getmembers() if m.isfile() and m.name.endswith(".py")]
            # An sdist wraps everything in one NAME-VERSION/ directory: drop it.
            tops = {Path(m.name).parts[0] for m in members}
            strip = 1 if len(tops) == 1 and all(len(Path(m.name).parts) > 1 for m in members) else 0
            for member in members:
                data = tar.extractfile(member).read()  # type: ignore[union-attr]
                write_member(target, Path(member.name).parts[strip:], data)
    else:
        with zipfile.ZipFile(archive) as zf:
            for member in zf.namelist():
                if member.endswith(".py"):
                    write_member(target, Path(member).parts, zf.read(member))


def write_member(target: Path, parts: tuple[str, ...], data: bytes) -> None:
    if not parts or any(part in ("..", "", "/") for part in parts) or parts[0].startswith("/"):
        raise BenchError(f"refusing an archive member with an unsafe path: {'/'.join(parts)}")
    path = target.joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def python_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if p.is_file())


def count_lines(files: list[Path]) -> int:
    return sum(p.read_bytes().count(b"\n") for p in files)


# -- timing ---------------------------------------------------------------------------------


@dataclass
class Sample:
    wall: float  # seconds
    cpu: float  # user + system seconds of the child (all its threads)
    exit_code: int
    stdout: str = ""


def timed_run(
    cmd: list[str], *, timeout: float, ok_codes: tuple[int, ...] = (0, 1), cwd: Path | None = None, capture: bool = False
) -> Sample:
    """Runs cmd: wall-clock time, and the child's CPU time (user + system over all its
    threads, from wait4). stdout is discarded unless `capture`. Exit codes outside
    ok_codes are errors."""
    result: dict = {}
    start = time.perf_counter()
    try:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE if capture else subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd
        )
    except OSError as error:
        raise BenchError(f"cannot run {cmd[0]}: {error}") from None

    def reap() -> None:
        _, status, usage = os.wait4(proc.pid, 0)
        result["wall"] = time.perf_counter() - start
        result["status"] = status
        result["usage"] = usage

    stderr: list[bytes] = []
    stdout: list[bytes] = []
    readers = [threading.Thread(target=lambda: stderr.append(proc.stderr.read()), daemon=True)]  # type: ignore[union-attr]
    if capture:
        readers.append(threading.Thread(target=lambda: stdout.append(proc.stdout.read()), daemon=True))  # type: ignore[union-attr]
    reaper = threading.Thread(target=reap, daemon=True)
    for reader in readers:
        reader.start()
    reaper.start()
    reaper.join(timeout)
    if reaper.is_alive():
        proc.kill()
        reaper.join(10)
        raise BenchError(f"timed out after {timeout:.0f}s: {' '.join(cmd)}")
    for reader in readers:
        reader.join(10)
    code = os.waitstatus_to_exitcode(result["status"])
    proc.returncode = code  # reaped above; keep Popen from waiting again
    if code not in ok_codes:
        err = b"".join(stderr).decode(errors="replace").strip()[-2000:]
        raise BenchError(f"`{' '.join(cmd)}` exited {code} (expected one of {ok_codes}):\n{err}")
    usage = result["usage"]
    return Sample(
        wall=result["wall"],
        cpu=usage.ru_utime + usage.ru_stime,
        exit_code=code,
        stdout=b"".join(stdout).decode(errors="replace"),
    )


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    return statistics.median(values)


def fmt_ms(seconds: float) -> str:
    ms = seconds * 1000
    if ms < 10:
        return f"{ms:.2f} ms"
    if ms < 100:
        return f"{ms:.1f} ms"
    return f"{ms:.0f} ms"


def machine_summary() -> str:
    cores = os.cpu_count() or 0
    try:
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "n/a"
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cores} cores{f' ({model})' if model else ''}, load average {load}"


def main_wrapper(main) -> None:
    """Runs a benchmark's `main`: exit 0 when it ran, 2 on an error (a `BenchError` as one
    line, anything else with its traceback), 130 on Ctrl-C."""
    try:
        sys.exit(main())
    except BenchError as error:
        log(f"error: {error}")
        sys.exit(2)
    except KeyboardInterrupt:
        log("interrupted")
        sys.exit(130)
    except Exception:  # noqa: BLE001 -- a bug or an unexpected answer is still "an error": exit 2
        import traceback

        traceback.print_exc()
        sys.exit(2)
