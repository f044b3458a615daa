"""From `pip install` to the first diagnostic, asyncell's wheel next to Ruff's.

    python3 bench/install_to_diagnostic.py --wheel dist/asyncell-*.whl [--runs 7]

Each run makes a fresh venv (not timed), then times `pip install <wheel>` from a local
file (no network: Ruff's wheel is downloaded once into bench/.cache/wheels) and the first
`check` of examples/script_mistakes.py with the freshly installed binary. The two tools
alternate run by run, so machine load falls on both alike. Prints medians, p99 and the
asyncell/Ruff ratio of the medians, and the wheel sizes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import venv
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    CACHE,
    PIP_TIMEOUT,
    RUFF_VERSION,
    ROOT,
    BenchError,
    fmt_ms,
    log,
    machine_summary,
    main_wrapper,
    median,
    percentile,
    run_checked,
    timed_run,
)

TARGET = ROOT / "examples" / "script_mistakes.py"


def ruff_wheel() -> Path:
    wheels = CACHE / "wheels"
    found = sorted(wheels.glob(f"ruff-{RUFF_VERSION}-*.whl"))
    if not found:
        wheels.mkdir(parents=True, exist_ok=True)
        log(f"downloading ruff {RUFF_VERSION} into {wheels} ...")
        run_checked(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
             "--dest", str(wheels), f"ruff=={RUFF_VERSION}"],
            timeout=PIP_TIMEOUT, what="pip download ruff",
        )
        found = sorted(wheels.glob(f"ruff-{RUFF_VERSION}-*.whl"))
    if not found:
        raise BenchError(f"no ruff {RUFF_VERSION} wheel for this platform")
    return found[-1]


def one_run(wheel: Path, check: list[str]) -> tuple[float, float]:
    """(pip install seconds, first check seconds) in a fresh venv."""
    with tempfile.TemporaryDirectory(prefix="asyncell-bench-install-") as tmp:
        env_dir = Path(tmp) / "venv"
        venv.EnvBuilder(with_pip=True).create(env_dir)
        python = env_dir / "bin" / "python"
        install = timed_run(
            [str(python), "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
             "--disable-pip-version-check", str(wheel)],
            timeout=PIP_TIMEOUT, ok_codes=(0,),
        )
        first = timed_run([str(env_dir / "bin" / check[0]), *check[1:]], timeout=120, ok_codes=(0, 1))
        return install.wall, first.wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wheel", required=True, help="the asyncell wheel (maturin build --out dist)")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    wheel = Path(args.wheel)
    if not wheel.is_file():
        raise BenchError(f"{wheel} does not exist: build it with `maturin build --out dist`")
    ruff = ruff_wheel()
    tools = {
        "asyncell": (wheel, ["asyncell", "check", str(TARGET)]),
        f"ruff {RUFF_VERSION}": (ruff, ["ruff", "check", "--no-cache", "--select", "ASYNC", str(TARGET)]),
    }
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in tools}
    log(f"{machine_summary()}; {args.runs} runs each, interleaved")
    started = time.monotonic()
    for run in range(args.runs):
        for name, (tool_wheel, check) in tools.items():
            results[name].append(one_run(tool_wheel, check))
        log(f"  run {run + 1}/{args.runs} ({time.monotonic() - started:.0f} s)")

    print(f"\n{machine_summary()}; {args.runs} interleaved runs; install from a local wheel, then the first check")
    print(f"\n| tool | wheel | pip install (median / p99) | first check (median / p99) | install to first diagnostic (median) |")
    print("|---|---|---|---|---|")
    totals = {}
    for name, samples in results.items():
        installs = [s[0] for s in samples]
        checks = [s[1] for s in samples]
        total = [a + b for a, b in samples]
        totals[name] = median(total)
        size = tools[name][0].stat().st_size / 1e6
        print(f"| {name} | {size:.1f} MB | {fmt_ms(median(installs))} / {fmt_ms(percentile(installs, 99))} "
              f"| {fmt_ms(median(checks))} / {fmt_ms(percentile(checks, 99))} | {fmt_ms(totals[name])} |")
    names = list(totals)
    print(f"\nratio of medians, install to first diagnostic, {names[0]} / {names[1]}: "
          f"{totals[names[0]] / totals[names[1]]:.2f}x")
    return 0


if __name__ == "__main__":
    main_wrapper(main)
