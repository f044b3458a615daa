#!/usr/bin/env python3
"""`asyncell check` against `ruff check --select ASYNC --isolated` (and, on a subset,
flake8-async) over a corpus of real async code: the sources of nine async packages'
sdists, tests included (see CORPUS_PACKAGES in bench/_common.py). Issue 13's scenarios:

  cold     `asyncell check --no-cache` vs `ruff check --no-cache`.
           Target: asyncell's median wall <= 0.5x Ruff's.
  repeat   nothing changed since the last run; both tools with their caches (each in
           its own temporary --cache-dir, warmed by one unmeasured run). Target <= 1.0x.
  changed  as repeat, but before each round one corpus file (a different one each
           round) gets a comment line appended, so each tool finds exactly one changed
           file behind a warm cache. Target <= 1.0x.
  format   asyncell alone: `--output-format full` vs `--output-format concise`, cold,
           on the same corpus and findings. Target: full adds <= 10%.

    python3 bench/check_vs_ruff.py [--runs 15] [--asyncell target/dist/asyncell]
        [--scenarios cold,repeat,changed,format] [--no-flake8]

The first run creates bench/.cache/ (a venv with ruff and flake8-async, the downloaded
sdists); later runs reuse it. The corpus is extracted afresh into a temporary directory
outside the repository on every run, and the cache directories are temporary too, so
nothing is written to the repository or left behind. Runs are interleaved (asyncell,
ruff, ruff, asyncell, ...: the order flips every round) so that load from other
processes on a shared machine falls on both tools alike; each scenario reports the
median, p99 (nearest rank: the slowest run when there are fewer than 100) and minimum
wall time, the median CPU time and the ratio of the medians.

asyncell runs with its default rules (every default-on LOOP and ASYNC rule; --select
changes that), and in the cold scenario a second time with `--select ALL` for the
record; ruff with `--select ASYNC` (its flake8-async port) and `--isolated`. The rule
sets differ -- this measures what a user of each tool waits for, not work per rule.
flake8-async is about a thousand times slower, so it runs on an evenly spread subset of
files, with all three tools timed on the same files (`--no-flake8` skips it).

A binary without `--no-cache`/`--cache-dir` (its `check --help` does not mention
`--no-cache`) has no cache: then the repeat and changed scenarios are skipped and the
others run without the flag. Exit codes 0 and 1 (findings) of either tool are fine; 2 or
more fails the benchmark.

Standard library only. Exit status: 0 when the benchmark ran (whether or not the
targets were met), 2 on an error.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    CORPUS_PACKAGES,
    FLAKE8_ASYNC_VERSION,
    FLAKE8_VERSION,
    RUFF_VERSION,
    BenchError,
    Sample,
    Tools,
    asyncell_binary,
    corpus,
    count_lines,
    fmt_ms,
    log,
    machine_summary,
    main_wrapper,
    median,
    percentile,
    python_files,
    remove_corpus,
    timed_run,
    tool_venv,
)

SCENARIOS = ("cold", "repeat", "changed", "format")
COLD_TARGET = 0.5  # asyncell / ruff, median wall, no caches
CACHED_TARGET = 1.0  # asyncell / ruff, median wall, warm caches (repeat and changed)
FORMAT_TARGET = 1.10  # full / concise, median wall
FLAKE8_TARGET_SPEEDUP = 100.0
CHANGE_MARKER = "# asyncell-bench: changed file, round"


@dataclass(frozen=True)
class Features:
    """What the asyncell binary offers: the cache flags are newer than the script."""

    no_cache: bool
    cache_dir: bool

    @property
    def cached_scenarios(self) -> bool:
        return self.no_cache and self.cache_dir


@dataclass
class Outcome:
    """One scenario's line in the closing summary."""

    scenario: str
    ratio: float | None  # None when skipped
    target: str
    met: bool | None  # None when skipped
    note: str = ""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each command per scenario (default 15)")
    parser.add_argument("--asyncell", help="the asyncell binary (default target/dist/asyncell)")
    parser.add_argument("--select", help="pass --select to asyncell (default: its default rules)")
    parser.add_argument(
        "--scenarios",
        default=",".join(SCENARIOS),
        help=f"comma-separated, from {','.join(SCENARIOS)} (default: all)",
    )
    parser.add_argument("--timeout", type=float, default=300, help="seconds allowed for one tool run (default 300)")
    parser.add_argument("--no-flake8", action="store_true", help="skip the flake8-async subset comparison")
    parser.add_argument("--flake8-files", type=int, default=12, help="files in the flake8 subset (default 12)")
    parser.add_argument("--flake8-runs", type=int, default=2, help="timed runs on the flake8 subset (default 2)")
    args = parser.parse_args()
    if args.runs < 1 or args.flake8_runs < 1 or args.flake8_files < 1:
        parser.error("--runs, --flake8-runs and --flake8-files must be at least 1")
    chosen = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in SCENARIOS]
    if unknown or not chosen:
        parser.error(f"--scenarios: unknown {', '.join(unknown) or '(none given)'}; choose from {','.join(SCENARIOS)}")
    # Run in the documented order whatever order they were given in: `changed` edits
    # the corpus, and the figures should not depend on how the flag was spelled.
    args.scenarios = [name for name in SCENARIOS if name in chosen]
    return args


def main() -> int:
    args = parse_args()
    binary = asyncell_binary(args.asyncell)
    features = probe_features(binary)
    tools = tool_venv([f"ruff=={RUFF_VERSION}", f"flake8=={FLAKE8_VERSION}", f"flake8-async=={FLAKE8_ASYNC_VERSION}"])
    root = corpus(tools)
    # Every tool runs from, and caches into, this directory: a tool's default cache
    # location (the current directory) must be neither the repository nor the corpus.
    scratch = Path(tempfile.mkdtemp(prefix="asyncell-bench-scratch-"))
    try:
        return benchmark(args, binary, features, tools, root, scratch)
    finally:
        remove_corpus(root)
        shutil.rmtree(scratch, ignore_errors=True)


def probe_features(binary: Path) -> Features:
    try:
        proc = subprocess.run([str(binary), "check", "--help"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BenchError(f"`{binary} check --help` failed: {error}") from None
    if proc.returncode != 0:
        raise BenchError(f"`{binary} check --help` exited {proc.returncode}:\n{proc.stderr.strip()[-2000:]}")
    return Features(no_cache="--no-cache" in proc.stdout, cache_dir="--cache-dir" in proc.stdout)


def benchmark(args: argparse.Namespace, binary: Path, features: Features, tools: Tools, root: Path, scratch: Path) -> int:
    files = python_files(root)
    if not files:
        raise BenchError(f"the corpus {root} has no .py files")

    print("# asyncell check vs ruff check")
    print(f"machine:   {machine_summary()}")
    print(f"asyncell:  {binary}")
    print(f"  cache flags: --no-cache {'yes' if features.no_cache else 'NO'}, --cache-dir {'yes' if features.cache_dir else 'NO'}")
    print(f"ruff:      {tools.version(tools.ruff)}")
    print(f"runs:      {args.runs} timed runs of each command per scenario, interleaved")
    print(f"scenarios: {','.join(args.scenarios)}")
    print(f"corpus:    {root}")
    for package in sorted(p for p in root.iterdir() if p.is_dir()):
        package_files = python_files(package)
        print(f"  {package.name:<22} {len(package_files):>5} files {count_lines(package_files):>8} lines")
    print(f"  {'total':<22} {len(files):>5} files {count_lines(files):>8} lines")
    print(f"  (the .py files of the sdists of {', '.join(CORPUS_PACKAGES)}, extracted afresh)")

    selection = ["--select", args.select] if args.select else []
    no_cache = ["--no-cache"] if features.no_cache else []
    asyncell_cold = [str(binary), "check", *no_cache, *selection, str(root)]
    ruff_cold = [str(tools.ruff), "check", "--isolated", "--no-cache", "--select", "ASYNC", str(root)]
    sanity(tools, root, scratch, {"asyncell": asyncell_cold, "ruff": ruff_cold}, len(files), args.timeout)

    outcomes: list[Outcome] = []
    for scenario in args.scenarios:
        if scenario == "cold":
            outcomes.append(cold(args, binary, no_cache, asyncell_cold, ruff_cold, root, scratch))
        elif scenario == "format":
            outcomes.append(output_format(args, asyncell_cold, scratch))
        elif not features.cached_scenarios:
            print()
            print(f"## {scenario}: skipped")
            print(f"  {binary} has no cache flags (`asyncell check --help` does not mention --no-cache/--cache-dir)")
            outcomes.append(Outcome(scenario, None, f"<= {CACHED_TARGET:.1f}x ruff", None, "no cache flags"))
        else:
            outcomes.append(cached(scenario, args, binary, selection, tools, root, files, scratch))

    stray = [p for p in root.rglob("*") if p.is_file() and p.suffix != ".py"]
    if stray:
        print()
        print(f"WARNING: {len(stray)} files other than .py appeared in the corpus (a cache?), e.g. {stray[0]}")

    if not args.no_flake8:
        flake8_subset(binary, no_cache, selection, tools, files, scratch, args)

    print()
    print("## summary")
    print(f"{'scenario':<9} {'ratio':>7}  {'target':<22} result")
    for outcome in outcomes:
        ratio = "-" if outcome.ratio is None else f"{outcome.ratio:.2f}"
        result = {True: "MET", False: "NOT MET", None: "skipped"}[outcome.met]
        note = f" ({outcome.note})" if outcome.note else ""
        print(f"{outcome.scenario:<9} {ratio:>7}  {outcome.target:<22} {result}{note}")
    return 0


def sanity(tools: Tools, root: Path, scratch: Path, commands: dict[str, list[str]], file_count: int, timeout: float) -> None:
    """Every tool must see the whole corpus; prints what each found (for the record)."""
    ruff_files = run_output([str(tools.ruff), "check", "--isolated", "--no-cache", "--show-files", str(root)], timeout, scratch)
    ruff_seen = sum(1 for line in ruff_files.splitlines() if line.strip().endswith(".py"))
    asyncell_seen = asyncell_file_count(commands["asyncell"], timeout, scratch)
    print()
    print(f"files checked: asyncell {asyncell_seen if asyncell_seen is not None else '(not reported)'}, ruff {ruff_seen}, of the corpus's {file_count}")
    for tool, seen in (("asyncell", asyncell_seen), ("ruff", ruff_seen)):
        if seen is not None and seen != file_count:
            print(f"  WARNING: {tool} checks {seen} files, the corpus has {file_count}")
    for tool, cmd in commands.items():
        findings = json.loads(run_output(cmd + ["--output-format", "json"], timeout, scratch) or "[]")
        by_code = collections.Counter(str(f.get("code")) for f in findings)
        top = ", ".join(f"{code} {n}" for code, n in by_code.most_common(8)) or "none"
        more = f", ... ({len(by_code)} codes)" if len(by_code) > 8 else ""
        print(f"findings: {tool}: {len(findings)} ({top}{more})")


def asyncell_file_count(cmd: list[str], timeout: float, cwd: Path) -> int | None:
    """How many files asyncell checked, from its closing summary on stderr ("Found N
    errors in K of M files." or "All checks passed (M files)."); None if it says not."""
    summary = run_process(cmd + ["--output-format", "concise"], timeout, cwd).stderr
    found = re.findall(r"(?:of|\() ?([0-9]+) files?\b", summary)
    return int(found[-1]) if found else None


def run_output(cmd: list[str], timeout: float, cwd: Path) -> str:
    return run_process(cmd, timeout, cwd).stdout


def run_process(cmd: list[str], timeout: float, cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=cwd)
    except subprocess.TimeoutExpired:
        raise BenchError(f"timed out after {timeout:.0f}s: {' '.join(cmd)}") from None
    if proc.returncode >= 2 or proc.returncode < 0:
        raise BenchError(f"`{' '.join(cmd)}` exited {proc.returncode}:\n{proc.stderr.strip()[-2000:]}")
    return proc


# -- scenarios ----------------------------------------------------------------------------


def cold(
    args: argparse.Namespace,
    binary: Path,
    no_cache: list[str],
    asyncell_cmd: list[str],
    ruff_cmd: list[str],
    root: Path,
    scratch: Path,
) -> Outcome:
    all_rules = [str(binary), "check", *no_cache, "--select", "ALL", str(root)]
    commands = {"asyncell": asyncell_cmd, "asyncell-all": all_rules, "ruff": ruff_cmd}
    heading = "cold: no caches"
    if not no_cache:
        heading += " (this asyncell has no cache, so it runs without --no-cache)"
    print_commands(heading, commands)
    for cmd in commands.values():  # OS file cache, page-in of the binaries
        timed_run(cmd, timeout=args.timeout, cwd=scratch)
    samples = interleaved(commands, args.runs, args.timeout, scratch)
    print_table(samples)
    ratio = print_ratios(samples, ("asyncell", "asyncell-all"), "ruff")
    met = ratio <= COLD_TARGET
    print(f"target (default rules): median wall ratio <= {COLD_TARGET:.1f}: {'MET' if met else 'NOT MET'}")
    return Outcome("cold", ratio, f"<= {COLD_TARGET:.1f}x ruff", met)


def cached(
    scenario: str,
    args: argparse.Namespace,
    binary: Path,
    selection: list[str],
    tools: Tools,
    root: Path,
    files: list[Path],
    scratch: Path,
) -> Outcome:
    """repeat (nothing changed) or changed (one file changed per round), warm caches."""
    caches = Path(tempfile.mkdtemp(prefix=f"{scenario}-", dir=scratch))
    commands = {
        "asyncell": [str(binary), "check", "--cache-dir", str(caches / "asyncell"), *selection, str(root)],
        "ruff": [str(tools.ruff), "check", "--isolated", "--cache-dir", str(caches / "ruff"), "--select", "ASYNC", str(root)],
    }
    changes = FileChanger(files) if scenario == "changed" else None
    if changes:
        heading = "changed: warm caches, one file changed before each round (a comment line appended)"
    else:
        heading = "repeat: warm caches, nothing changed since the last run"
    print_commands(heading, commands)
    for cmd in commands.values():  # fills each cache: the state a second run finds
        timed_run(cmd, timeout=args.timeout, cwd=scratch)
    for tool in commands:  # a cache that was never written measures a cold run
        cache = caches / tool
        if not cache.is_dir() or not any(p.is_file() for p in cache.rglob("*")):
            print(f"  WARNING: {tool} wrote nothing to its --cache-dir {cache}: this is not a warm-cache run")
    if changes:  # one unmeasured round of the measured kind
        changes.change_one()
        for cmd in commands.values():
            timed_run(cmd, timeout=args.timeout, cwd=scratch)
    samples = interleaved(commands, args.runs, args.timeout, scratch, before_round=changes.change_one if changes else None)
    if changes:
        print(f"changed files: {changes.rounds} rounds over {len(changes.touched)} distinct files, e.g. {changes.example}")
    print_table(samples)
    ratio = print_ratios(samples, ("asyncell",), "ruff")
    met = ratio <= CACHED_TARGET
    print(f"target: median wall ratio <= {CACHED_TARGET:.1f}: {'MET' if met else 'NOT MET'}")
    shutil.rmtree(caches, ignore_errors=True)
    return Outcome(scenario, ratio, f"<= {CACHED_TARGET:.1f}x ruff", met)


def output_format(args: argparse.Namespace, asyncell_cmd: list[str], scratch: Path) -> Outcome:
    """What rendering costs: `full` shows each finding's source line and fix, `concise`
    one line. Both write to /dev/null, so the terminal's speed plays no part."""
    commands = {
        "full": asyncell_cmd + ["--output-format", "full"],
        "concise": asyncell_cmd + ["--output-format", "concise"],
    }
    print_commands("format: asyncell --output-format full vs concise, no cache, same findings", commands)
    for cmd in commands.values():
        timed_run(cmd, timeout=args.timeout, cwd=scratch)
    samples = interleaved(commands, args.runs, args.timeout, scratch)
    print_table(samples)
    ratio = print_ratios(samples, ("full",), "concise")
    met = ratio <= FORMAT_TARGET
    print(f"target: full adds <= {(FORMAT_TARGET - 1) * 100:.0f}% (median wall ratio <= {FORMAT_TARGET:.2f}): {'MET' if met else 'NOT MET'}")
    return Outcome("format", ratio, f"<= {FORMAT_TARGET:.2f}x concise", met)


class FileChanger:
    """Appends a numbered comment line to one corpus file per round, a different file
    each time (a stride through the sorted list reaches every package), so that every
    round each tool's cache is warm but one file is out of date."""

    STRIDE = 7919  # prime: successive rounds land far apart, in different packages

    def __init__(self, files: list[Path]) -> None:
        self.files = files
        self.rounds = 0
        self.touched: set[Path] = set()
        self.example = ""

    def change_one(self) -> None:
        path = self.files[(self.rounds * self.STRIDE) % len(self.files)]
        self.rounds += 1
        data = path.read_bytes()
        separator = b"" if data.endswith(b"\n") or not data else b"\n"
        path.write_bytes(data + separator + f"{CHANGE_MARKER} {self.rounds}\n".encode())
        self.touched.add(path)
        if not self.example:
            self.example = str(path)


# -- running and reporting -----------------------------------------------------------------


def interleaved(
    commands: dict[str, list[str]],
    runs: int,
    timeout: float,
    cwd: Path,
    before_round: Callable[[], None] | None = None,
) -> dict[str, list[Sample]]:
    """`runs` rounds, each running every command once; the order flips every round so
    neither tool always runs right after the other (warm CPU caches, page cache)."""
    log(f"{runs} interleaved rounds of {', '.join(commands)} ...")
    samples: dict[str, list[Sample]] = {tool: [] for tool in commands}
    order = list(commands)
    for round_number in range(runs):
        if before_round:
            before_round()
        for tool in order if round_number % 2 == 0 else reversed(order):
            samples[tool].append(timed_run(commands[tool], timeout=timeout, cwd=cwd))
    return samples


def print_commands(heading: str, commands: dict[str, list[str]]) -> None:
    print()
    print(f"## {heading}")
    for tool, cmd in commands.items():
        print(f"  {tool + ':':<13} {' '.join(cmd)}")


def print_table(samples: dict[str, list[Sample]]) -> None:
    print(f"{'command':<13} {'median wall':>12} {'p99 wall':>10} {'min wall':>10} {'median cpu':>11}")
    for tool, runs in samples.items():
        walls = [s.wall for s in runs]
        cpu = median([s.cpu for s in runs])
        print(
            f"{tool:<13} {fmt_ms(median(walls)):>12} {fmt_ms(percentile(walls, 99)):>10} "
            f"{fmt_ms(min(walls)):>10} {fmt_ms(cpu):>11}"
        )


def print_ratios(samples: dict[str, list[Sample]], tools: tuple[str, ...], baseline: str) -> float:
    """Prints each tool's ratios to the baseline; returns the first tool's median wall ratio."""
    base_wall = median([s.wall for s in samples[baseline]])
    base_cpu = median([s.cpu for s in samples[baseline]])
    base_min = min(s.wall for s in samples[baseline])
    first = None
    for tool in tools:
        wall = median([s.wall for s in samples[tool]]) / base_wall
        cpu = median([s.cpu for s in samples[tool]]) / base_cpu if base_cpu > 0 else float("nan")
        min_ratio = min(s.wall for s in samples[tool]) / base_min
        print(f"ratio {tool}/{baseline}: median wall {wall:.2f}, min wall {min_ratio:.2f}, median cpu {cpu:.2f}")
        first = wall if first is None else first
    assert first is not None
    return first


def flake8_subset(
    binary: Path,
    no_cache: list[str],
    selection: list[str],
    tools: Tools,
    files: list[Path],
    scratch: Path,
    args: argparse.Namespace,
) -> None:
    """flake8-async is pure Python on libcst, around a thousand times slower: compare
    per-file time on a small subset of files spread evenly over the (sorted) corpus, all
    three tools on the same files. flake8 gets no warm-up run (it is too slow to matter)."""
    step = max(1, len(files) // args.flake8_files)
    subset = [str(p) for p in files[::step][: args.flake8_files]]
    lines = count_lines([Path(p) for p in subset])
    commands = {
        "asyncell": [str(binary), "check", *no_cache, "--output-format", "concise", *selection, *subset],
        "ruff": [str(tools.ruff), "check", "--isolated", "--no-cache", "--output-format", "concise", "--select", "ASYNC", *subset],
        "flake8": [str(tools.flake8), "--isolated", "--select", "ASYNC", *subset],
    }
    log(f"flake8 subset: {len(subset)} files, {args.flake8_runs} timed runs of each tool (flake8 takes about a second per file) ...")
    timed_run(commands["asyncell"], timeout=args.timeout, cwd=scratch)
    timed_run(commands["ruff"], timeout=args.timeout, cwd=scratch)
    samples: dict[str, list[Sample]] = {tool: [] for tool in commands}
    for _ in range(args.flake8_runs):
        for tool, cmd in commands.items():
            samples[tool].append(timed_run(cmd, timeout=args.timeout, capture=True, cwd=scratch))
    print()
    print(f"## flake8-async subset: every {step}th file, {len(subset)} files, {lines} lines; {args.flake8_runs} interleaved runs each")
    print(f"flake8:   {tools.version(tools.flake8)}")
    print("command:  flake8 --isolated --select ASYNC FILES (asyncell and ruff as in cold, on the same FILES)")
    print("          (flake8 also runs its bundled pyflakes/pycodestyle; --select only filters their output)")
    print(f"{'tool':<10} {'median wall':>12} {'per file':>10} {'median cpu':>11} {'cpu per file':>13} {'findings':>9}")
    for tool, runs in samples.items():
        wall = median([s.wall for s in runs])
        cpu = median([s.cpu for s in runs])
        findings = sum(
            1 for line in runs[-1].stdout.splitlines() if line.strip() and not line.startswith(("Found", "All checks", "[*]"))
        )
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
