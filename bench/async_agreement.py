#!/usr/bin/env python3
"""asyncell's ASYNC findings against flake8-async's on the 9-package corpus of issue 16
(bench/loop_corpus.sh: trio's sdist, the other eight packages' wheels, .py files only),
matched by (file, line, code):

    python3 bench/async_agreement.py [--asyncell target/debug/asyncell] [--jobs N]
        [--venv /tmp/asyncell-flake8-async-venv] [--json FILE]

flake8 and flake8-async (pinned in _common.py) are installed from PyPI into a throwaway
venv under /tmp, reused by later runs. Both tools get the same file list and their
defaults apart from the selection:

    flake8 --isolated --select ASYNC --format '%(path)s:%(row)d:%(col)d: %(code)s %(text)s' FILES
    asyncell check --isolated --no-cache --select ASYNC1,ASYNC2,ASYNC3,ASYNC4,ASYNC9 \
        --output-format json --exit-zero -q FILES

(no `--anyio` for flake8-async, no `--loop` for asyncell: each decides the library from
the file). flake8's `--select ASYNC` turns on every flake8-async rule, the ones it leaves
off by default (ASYNC9xx) included; asyncell's `--select ASYNC` keeps its own opt-in
rules (ASYNC106, ASYNC113, ASYNC9xx) off, while a narrower prefix such as `ASYNC9`
selects them, hence the prefix list. `--flake8-json FILE` takes flake8-async's findings
from an earlier run's `--json FILE` instead of running flake8 again (minutes). Prints, per code, how many findings both report, only flake8-async, only
asyncell, then every disagreement with its location and both messages where there are
any. Exit status: 0 when it ran, 2 on an error.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    BENCH,
    FLAKE8_ASYNC_VERSION,
    FLAKE8_VERSION,
    BenchError,
    asyncell_binary,
    log,
    main_wrapper,
    corpus,
    python_files,
    remove_corpus,
    tool_venv,
)

FLAKE8_LINE = re.compile(r"^(?P<path>.+?):(?P<row>\d+):(?P<col>\d+): (?P<code>ASYNC\d+) (?P<text>.*)$")

# Every ASYNC rule of asyncell, opt-in ones included (see the docstring).
ASYNCELL_SELECT = "ASYNC1,ASYNC2,ASYNC3,ASYNC4,ASYNC9"

Key = tuple[str, int, str]  # (file relative to the corpus, line, code)


def corpus_root() -> Path:
    out = subprocess.run(["bash", str(BENCH / "loop_corpus.sh")], capture_output=True, text=True, timeout=1800)
    if out.returncode != 0:
        raise BenchError(f"bench/loop_corpus.sh exited {out.returncode}:\n{out.stderr[-2000:]}")
    return Path(out.stdout.strip().splitlines()[-1])


def flake8_findings(flake8: Path, files: list[str], cwd: Path, jobs: int) -> dict[Key, list[str]]:
    fmt = "%(path)s:%(row)d:%(col)d: %(code)s %(text)s"
    cmd = [str(flake8), "--isolated", "--select", "ASYNC", f"--jobs={jobs}", f"--format={fmt}", *files]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=3600)
    if out.returncode not in (0, 1):
        raise BenchError(f"flake8 exited {out.returncode}:\n{out.stderr[-2000:]}")
    found: dict[Key, list[str]] = collections.defaultdict(list)
    for line in out.stdout.splitlines():
        m = FLAKE8_LINE.match(line)
        if m is None:
            if line.strip():
                log(f"flake8: unparsed line: {line}")
            continue
        found[(m["path"], int(m["row"]), m["code"])].append(m["text"])
    return found


def asyncell_findings(binary: Path, files: list[str], cwd: Path) -> dict[Key, list[str]]:
    cmd = [str(binary), "check", "--isolated", "--no-cache", "--select", ASYNCELL_SELECT, "--output-format", "json", "--exit-zero", "-q", *files]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=1800)
    if out.returncode != 0:
        raise BenchError(f"asyncell exited {out.returncode}:\n{out.stderr[-2000:]}")
    found: dict[Key, list[str]] = collections.defaultdict(list)
    for item in json.loads(out.stdout):
        found[(item["filename"], item["location"]["row"], item["code"])].append(item["message"])
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--asyncell", help="the asyncell binary (default: target/dist/asyncell)")
    parser.add_argument("--venv", default="/tmp/asyncell-flake8-async-venv", help="the throwaway flake8 venv")
    parser.add_argument("--jobs", type=int, default=2, help="flake8 --jobs (default 2)")
    parser.add_argument(
        "--sdists", action="store_true", help="use the sdist corpus of _common.CORPUS_PACKAGES (tests included) instead"
    )
    parser.add_argument("--flake8-json", help="reuse flake8-async's findings from an earlier --json FILE")
    parser.add_argument("--json", help="also write the findings of both tools and the comparison here")
    args = parser.parse_args()
    binary = asyncell_binary(args.asyncell)
    tools = tool_venv([f"flake8=={FLAKE8_VERSION}", f"flake8-async=={FLAKE8_ASYNC_VERSION}"], at=Path(args.venv))
    if args.sdists:
        root = corpus(tools)
        files = [str(p.relative_to(root)) for p in python_files(root)]
    else:
        root = corpus_root()
        files = [str(p.relative_to(root)) for p in python_files(root / "src")]
    try:
        return compare(binary, tools, root, files, args)
    finally:
        if args.sdists:
            remove_corpus(root)


def compare(binary: Path, tools, root: Path, files: list[str], args: argparse.Namespace) -> int:
    log(f"{len(files)} files under {root}; asyncell ...")
    mine = asyncell_findings(binary, files, root)
    if args.flake8_json:
        theirs: dict[Key, list[str]] = {(p, r, c): m for p, r, c, m in json.loads(Path(args.flake8_json).read_text())["flake8"]}
    else:
        log("flake8-async (about a second per file) ...")
        theirs = flake8_findings(tools.flake8, files, root, args.jobs)

    # Several findings of one code on one line count once: the key is (file, line, code).
    both = mine.keys() & theirs.keys()
    only_flake8 = sorted(theirs.keys() - mine.keys())
    only_asyncell = sorted(mine.keys() - theirs.keys())
    per_code: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0, 0])
    for key in both:
        per_code[key[2]][0] += 1
    for key in only_flake8:
        per_code[key[2]][1] += 1
    for key in only_asyncell:
        per_code[key[2]][2] += 1

    print(f"## ASYNC agreement on {len(files)} files: asyncell vs {tools.version(tools.flake8)}")
    print("| code | both | only flake8-async | only asyncell |")
    print("|---|---|---|---|")
    for code in sorted(per_code):
        b, f, a = per_code[code]
        print(f"| {code} | {b} | {f} | {a} |")
    print(f"| total | {len(both)} | {len(only_flake8)} | {len(only_asyncell)} |")
    for title, keys, source in (("only flake8-async", only_flake8, theirs), ("only asyncell", only_asyncell, mine)):
        print(f"\n### {title} ({len(keys)})")
        for path, row, code in keys:
            print(f"{path}:{row}: {code} {' | '.join(source[(path, row, code)])}")
    if args.json:
        def dump(found: dict[Key, list[str]]) -> list:
            return [[p, r, c, m] for (p, r, c), m in sorted(found.items())]

        Path(args.json).write_text(
            json.dumps({"asyncell": dump(mine), "flake8": dump(theirs), "only_flake8": only_flake8, "only_asyncell": only_asyncell}, indent=1)
        )
    return 0


if __name__ == "__main__":
    main_wrapper(main)
