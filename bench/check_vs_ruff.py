#!/usr/bin/env python3
"""`asyncell check` against `ruff check --select ASYNC` and `flake8 --select ASYNC`
(flake8-async) over a corpus of real async code: the sources of trio, anyio and httpx,
tests included. Targets: no slower than Ruff, at least 100x faster than flake8-async.

    python3 bench/check_vs_ruff.py [--runs 15] [--asyncell target/dist/asyncell]

The first run creates bench/.cache/ (a venv with ruff and flake8-async, the downloaded
sdists, the extracted corpus); later runs reuse it. Runs are interleaved (asyncell,
ruff, asyncell, ruff, ...) so that load from other processes on a shared machine falls
on both tools alike; medians and minimums are reported, with the ratio of the medians.

asyncell runs with its default rules (every default-on LOOP and ASYNC rule), and a
second time with `--select ALL` (opt-in rules too); ruff with `--select ASYNC` (its
flake8-async port), each with its caches and configuration out of the way
(`--no-cache --isolated`). The rule sets differ -- this measures what a user of each
tool waits for, not work per rule. flake8-async is about a thousand times slower, so it
runs on an evenly spread subset of files, with all three tools timed on the same files. Exit codes 0 and 1 (findings) are fine; 2 or more fails the benchmark.

Standard library only. Exit status: 0 when the benchmark ran (whether or not the target
was met), 2 on an error.
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    CORPUS_PACKAGES,
    FLAKE8_ASYNC_VERSION,
    FLAKE8_VERSION,
    RUFF_VERSION,
    BenchError,
    asyncell_binary,
    corpus,
    count_lines,
    fmt_ms,
    log,
    machine_summary,
    main_wrapper,
    median,
    python_files,
    remove_corpus,
    timed_run,
    tool_venv,
)

TARGET_RATIO = 1.0
FLAKE8_TARGET_SPEEDUP = 100.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each tool (default 15)")
    parser.add_argument("--asyncell", help="the asyncell binary (default target/dist/asyncell)")
    parser.add_argument("--select", help="pass --select to asyncell (default: its default rules)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds allowed for one tool run (default 300)")
    parser.add_argument("--no-flake8", action="store_true", help="skip the flake8-async subset comparison")
    parser.add_argument("--flake8-files", type=int, default=12, help="files in the flake8 subset (default 12)")
    parser.add_argument("--flake8-runs", type=int, default=2, help="timed runs on the flake8 subset (default 2)")
    args = parser.parse_args()
    if args.runs < 1 or args.flake8_runs < 1 or args.flake8_files < 1:
        parser.error("--runs, --flake8-runs and --flake8-files must be at least 1")
    return args


def main() -> int:
    args = parse_args()
    binary = asyncell_binary(args.asyncell)
    tools = tool_venv([f"ruff=={RUFF_VERSION}", f"flake8=={FLAKE8_VERSION}", f"flake8-async=={FLAKE8_ASYNC_VERSION}"])
    root = corpus(tools)
    try:
        return benchmark(args, binary, tools, root)
    finally:
        remove_corpus(root)


def benchmark(args: argparse.Namespace, binary: Path, tools, root: Path) -> int:
    files = python_files(root)
    if not files:
        raise BenchError(f"the corpus {root} has no .py files: delete {root} and run again")

    print("# asyncell check vs ruff check")
    print(f"machine:  {machine_summary()}")
    print(f"asyncell: {binary}")
    print(f"ruff:     {tools.version(tools.ruff)}")
    print(f"corpus:   {root}")
    for package in sorted(p for p in root.iterdir() if p.is_dir()):
        package_files = python_files(package)
        print(f"  {package.name:<16} {len(package_files):>5} files {count_lines(package_files):>8} lines")
    print(f"  {'total':<16} {len(files):>5} files {count_lines(files):>8} lines")
    print(f"  (the .py files of the sdists of {', '.join(CORPUS_PACKAGES)}, extracted afresh)")

    asyncell_cmd = [str(binary), "check", str(root)] + (["--select", args.select] if args.select else [])
    all_rules_cmd = [str(binary), "check", str(root), "--select", "ALL"]
    ruff_cmd = [str(tools.ruff), "check", "--isolated", "--no-cache", "--select", "ASYNC", str(root)]
    commands = {"asyncell": asyncell_cmd, "asyncell-all": all_rules_cmd, "ruff": ruff_cmd}
    print()
    print("commands:")
    for tool, cmd in commands.items():
        print(f"  {tool + ':':<13} {' '.join(cmd)}")

    sanity(binary, tools, root, commands, len(files), args.timeout)

    log(f"1 warm-up run and {args.runs} timed runs of each command, interleaved ...")
    for cmd in commands.values():
        timed_run(cmd, timeout=args.timeout)
    samples: dict[str, list] = {tool: [] for tool in commands}
    for _ in range(args.runs):
        for tool, cmd in commands.items():
            samples[tool].append(timed_run(cmd, timeout=args.timeout))

    print()
    print(f"## whole corpus, {args.runs} interleaved runs each (wall = elapsed; cpu = user+sys of all threads)")
    print(f"{'tool':<13} {'median wall':>12} {'min wall':>10} {'max wall':>10} {'median cpu':>11}")
    for tool, runs in samples.items():
        walls = [s.wall for s in runs]
        cpus = [s.cpu for s in runs]
        print(f"{tool:<13} {fmt_ms(median(walls)):>12} {fmt_ms(min(walls)):>10} {fmt_ms(max(walls)):>10} {fmt_ms(median(cpus)):>11}")
    ruff_wall = median([s.wall for s in samples["ruff"]])
    ruff_cpu = median([s.cpu for s in samples["ruff"]])
    for tool in ("asyncell", "asyncell-all"):
        wall_ratio = median([s.wall for s in samples[tool]]) / ruff_wall
        cpu_ratio = median([s.cpu for s in samples[tool]]) / ruff_cpu
        min_ratio = min(s.wall for s in samples[tool]) / min(s.wall for s in samples["ruff"])
        print(f"ratio {tool}/ruff: median wall {wall_ratio:.2f}, min wall {min_ratio:.2f}, median cpu {cpu_ratio:.2f}")
        if tool == "asyncell":
            met = "MET" if wall_ratio <= TARGET_RATIO else "NOT MET"
            print(f"target (default rules): median wall ratio <= {TARGET_RATIO:.1f}: {met}")

    if not args.no_flake8:
        flake8_subset(binary, tools, files, args)
    return 0


def sanity(binary: Path, tools, root: Path, commands: dict[str, list[str]], file_count: int, timeout: float) -> None:
    """Every tool must see the whole corpus; prints what each found (for the record)."""
    ruff_files = run_output([str(tools.ruff), "check", "--isolated", "--show-files", str(root)], timeout)
    ruff_seen = sum(1 for line in ruff_files.splitlines() if line.strip().endswith(".py"))
    print()
    print(f"files checked: asyncell {file_count} (every .py under the corpus), ruff {ruff_seen}")
    if ruff_seen != file_count:
        print(f"  WARNING: ruff checks {ruff_seen} files, the corpus has {file_count}")
    for tool, cmd in commands.items():
        findings = json.loads(run_output(cmd + ["--output-format", "json"], timeout) or "[]")
        by_code = collections.Counter(str(f.get("code")) for f in findings)
        summary = ", ".join(f"{code} {n}" for code, n in sorted(by_code.items())) or "none"
        print(f"findings: {tool}: {len(findings)} ({summary})")


def run_output(cmd: list[str], timeout: float) -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise BenchError(f"timed out after {timeout:.0f}s: {' '.join(cmd)}") from None
    if proc.returncode >= 2 or proc.returncode < 0:
        raise BenchError(f"`{' '.join(cmd)}` exited {proc.returncode}:\n{proc.stderr.strip()[-2000:]}")
    return proc.stdout


def flake8_subset(binary: Path, tools, files: list[Path], args: argparse.Namespace) -> None:
    """flake8-async is pure Python on libcst, around a thousand times slower: compare
    per-file time on a small subset of files spread evenly over the (sorted) corpus, all
    three tools on the same files. flake8 gets no warm-up run (it is too slow to matter)."""
    step = max(1, len(files) // args.flake8_files)
    subset = [str(p) for p in files[::step][: args.flake8_files]]
    lines = count_lines([Path(p) for p in subset])
    commands = {
        "asyncell": [str(binary), "check", *subset] + (["--select", args.select] if args.select else []),
        "ruff": [str(tools.ruff), "check", "--isolated", "--no-cache", "--output-format", "concise", "--select", "ASYNC", *subset],
        "flake8": [str(tools.flake8), "--isolated", "--select", "ASYNC", *subset],
    }
    log(f"flake8 subset: {len(subset)} files, {args.flake8_runs} timed runs of each tool (flake8 takes about a second per file) ...")
    timed_run(commands["asyncell"], timeout=args.timeout)
    timed_run(commands["ruff"], timeout=args.timeout)
    samples: dict[str, list] = {tool: [] for tool in commands}
    for _ in range(args.flake8_runs):
        for tool, cmd in commands.items():
            samples[tool].append(timed_run(cmd, timeout=args.timeout, capture=True))
    print()
    print(f"## subset: every {step}th file, {len(subset)} files, {lines} lines; {args.flake8_runs} interleaved runs each")
    print(f"flake8:   {tools.version(tools.flake8)}")
    print("command:  flake8 --isolated --select ASYNC FILES (asyncell and ruff as above, on the same FILES)")
    print("          (flake8 also runs its bundled pyflakes/pycodestyle; --select only filters their output)")
    print(f"{'tool':<10} {'median wall':>12} {'per file':>10} {'median cpu':>11} {'cpu per file':>13} {'findings':>9}")
    for tool, runs in samples.items():
        wall = median([s.wall for s in runs])
        cpu = median([s.cpu for s in runs])
        findings = sum(1 for line in runs[-1].stdout.splitlines() if line.strip() and not line.startswith(("Found", "All checks", "[*]")))
        print(
            f"{tool:<10} {fmt_ms(wall):>12} {fmt_ms(wall / len(subset)):>10} {fmt_ms(cpu):>11} "
            f"{fmt_ms(cpu / len(subset)):>13} {findings:>9}"
        )
    flake8_wall = median([s.wall for s in samples["flake8"]])
    speedup = flake8_wall / median([s.wall for s in samples["asyncell"]])
    print(f"ratio asyncell/flake8 (median wall): {1 / speedup:.4f}: asyncell {speedup:.0f}x faster")
    met = "MET" if speedup >= FLAKE8_TARGET_SPEEDUP else "NOT MET"
    print(f"target: at least {FLAKE8_TARGET_SPEEDUP:.0f}x faster than flake8-async: {met}")


if __name__ == "__main__":
    main_wrapper(main)
