#!/usr/bin/env python3
"""`asyncell check` on flake8-async's own test files (tests/eval_files of its sdist),
scored against their expected-error markers the way flake8-async's test suite reads
them, so the parity figures of issue 16 can be rerun by anyone:

  - each file enables the rule its name starts with (`async103_trio.py` → ASYNC103), or
    the codes of its last `# ARG --enable=...` line;
  - an expected finding is a `# error: ...` (the file's own code) or `# ASYNCNNN: ...`
    (`# ASYNCNNN_variant: ...`) marker on a line that is not a comment itself; several
    markers on one line are several findings;
  - `# ARG` options become asyncell settings through `--config`: startable functions,
    blocking calls, the checkpoint and generator decorators and the suppressing context
    managers keep their flake8-async names (without the `asyncNNN-` prefix);
  - each file is scored once, as written, for its `# BASE_LIBRARY` (trio unless it says
    otherwise; asyncio files are checked with `--loop asyncio`, trio files with
    `--loop trio`, anyio files with the loop left to the file); a file marked
    `# NO<LIBRARY>` for its own library is skipped, one marked `# <LIBRARY>_NO_ERROR`
    expects nothing. The suite's other runs (the file rewritten for the other two
    libraries, `# noqa` variants, autofix) are not scored.

A finding counts as found when asyncell reports the same code on the same line (columns
are not compared: several of asyncell's ranges start elsewhere on purpose). Prints
recall and precision overall and per code, and with --verbose every missed and extra
finding.

    python3 bench/flake8_async_parity.py [--asyncell target/debug/asyncell] [--verbose]
        [--json FILE]

The sdist is downloaded once with `pip download --no-deps --no-binary :all:` into
bench/.cache/flake8-async/ (git-ignored) and its eval files are extracted afresh into a
temporary directory outside the repository on every run (so no pyproject.toml of this
repository configures the check). Standard library only. Exit status: 0 when it ran, 2
on an error.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    CACHE,
    FLAKE8_ASYNC_VERSION,
    PIP_TIMEOUT,
    BenchError,
    asyncell_binary,
    ensure_gitignore,
    log,
    main_wrapper,
    run_checked,
)

LIBRARIES = ("trio", "anyio", "asyncio")

# flake8-async option → asyncell `[tool.asyncell]` key. Lists are comma-separated;
# `async200-blocking-calls` is `pattern->replacement` pairs.
LIST_OPTIONS = {
    "startable-in-context-manager": "startable-in-context-manager",
    "no-checkpoint-warning-decorators": "no-checkpoint-warning-decorators",
    "transform-async-generator-decorators": "transform-async-generator-decorators",
    "exception-suppress-context-managers": "exception-suppress-context-managers",
}

MARKER = re.compile(r"(error|ASYNC\d\d\d)(_\w*)?:([^#]*)(?=#|$)")


@dataclass
class EvalFile:
    path: Path
    codes: list[str]
    library: str
    config: list[str]
    expected: collections.Counter = field(default_factory=collections.Counter)
    skipped: str | None = None


def sdist_eval_files(workdir: Path) -> list[Path]:
    """The eval files of flake8-async's sdist, extracted into `workdir`."""
    cache = CACHE / "flake8-async"
    cache.mkdir(parents=True, exist_ok=True)
    ensure_gitignore()
    spec = f"flake8-async=={FLAKE8_ASYNC_VERSION}"
    archives = sorted(cache.glob(f"flake8_async-{FLAKE8_ASYNC_VERSION}.tar.gz"))
    if not archives:
        log(f"downloading the {spec} sdist ...")
        run_checked(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:", spec, "-d", str(cache)],
            timeout=PIP_TIMEOUT,
            what=f"pip download {spec}",
        )
        archives = sorted(cache.glob(f"flake8_async-{FLAKE8_ASYNC_VERSION}.tar.gz"))
        if not archives:
            raise BenchError(f"pip download {spec} left no flake8_async-{FLAKE8_ASYNC_VERSION}.tar.gz in {cache}")
    with tarfile.open(archives[0]) as tar:
        for member in tar.getmembers():
            parts = Path(member.name).parts
            # NAME-VERSION/tests/eval_files/FILE.py
            if member.isfile() and parts[1:3] == ("tests", "eval_files") and len(parts) == 4 and parts[3].endswith(".py"):
                data = tar.extractfile(member).read()  # type: ignore[union-attr]
                (workdir / parts[3]).write_bytes(data)
    files = sorted(workdir.glob("*.py"))
    if not files:
        raise BenchError(f"{archives[0]} holds no tests/eval_files/*.py")
    return files


def toml_string(value: str) -> str:
    return json.dumps(value)


def config_for(option: str, value: str) -> str | None:
    """The `--config` setting for one `# ARG --option=value`, or None if not one we map."""
    name = option.lstrip("-")
    # argparse accepts unambiguous prefixes; the eval files use the singular form.
    matches = [full for full in (*LIST_OPTIONS, "async200-blocking-calls") if full.startswith(name)]
    if len(matches) != 1:
        return None
    name = matches[0]
    items = [item.strip() for item in value.split(",") if item.strip()]
    if name == "async200-blocking-calls":
        pairs = []
        for item in items:
            pattern, _, replacement = (part.strip() for part in item.partition("->"))
            pairs.append(f"{toml_string(pattern)} = {toml_string(replacement)}")
        return f"blocking-calls = {{ {', '.join(pairs)} }}"
    return f"{LIST_OPTIONS[name]} = [{', '.join(toml_string(item) for item in items)}]"


def parse(path: Path) -> EvalFile:
    content = path.read_text()
    test = path.stem.split("_", 1)[0].upper()
    codes = [test] if re.fullmatch(r"ASYNC\d\d\d", test) else []
    base = re.search(r"# BASE_LIBRARY (\w+)", content)
    library = base.group(1).lower() if base else "trio"
    config: list[str] = []
    parsed = EvalFile(path, codes, library, config)
    for option, value in re.findall(r"# ARG (--[\w-]+)=(.*)", content):
        if option == "--enable":
            parsed.codes = [code.strip() for code in value.split(",") if code.strip()]
        elif (setting := config_for(option, value.strip())) is not None:
            config.append(setting)
    if f"# NO{library.upper()}" in content:
        parsed.skipped = f"marked NO{library.upper()}"
    # `async123_py311.py`: the suite skips it on older interpreters.
    if (version := re.search(r"_py3(\d+)", path.stem)) and sys.version_info < (3, int(version.group(1))):
        parsed.skipped = f"needs Python 3.{version.group(1)}"
    if f"# {library.upper()}_NO_ERROR" in content:
        return parsed
    for lineno, line in enumerate(content.split("\n"), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or "#" not in stripped:
            continue
        for code, _variant, _args in MARKER.findall(stripped):
            parsed.expected[(test if code == "error" else code, lineno)] += 1
    return parsed


def run_asyncell(binary: Path, item: EvalFile) -> collections.Counter:
    cmd = [
        str(binary), "check", "--no-cache", "--output-format", "json-lines", "--exit-zero",
        "--select", ",".join(item.codes),
    ]
    if item.library in ("trio", "asyncio"):
        cmd += ["--loop", item.library]
    for setting in item.config:
        cmd += ["--config", setting]
    cmd.append(str(item.path))
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise BenchError(f"`{' '.join(cmd)}` exited {proc.returncode}:\n{proc.stderr.strip()[-2000:]}")
    found: collections.Counter = collections.Counter()
    for line in proc.stdout.splitlines():
        if line.strip():
            finding = json.loads(line)
            found[(finding["code"], finding["location"]["row"])] += 1
    return found


def ratio(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "  -  "


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--asyncell", help="the asyncell binary (default target/dist/asyncell)")
    parser.add_argument("--verbose", action="store_true", help="list every missed and extra finding")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON to this file")
    args = parser.parse_args()
    binary = asyncell_binary(args.asyncell)
    workdir = Path(tempfile.mkdtemp(prefix="asyncell-flake8-async-eval-"))
    try:
        items = [parse(path) for path in sdist_eval_files(workdir)]
        per_code: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        misses: list[str] = []
        scored = 0
        for item in items:
            if item.skipped:
                log(f"  skipped {item.path.name}: {item.skipped}")
                continue
            if not item.codes:
                log(f"  skipped {item.path.name}: no code enabled")
                continue
            scored += 1
            found = run_asyncell(binary, item)
            true = item.expected & found
            for (code, line), count in true.items():
                per_code[code]["true"] += count
            for (code, line), count in (item.expected - found).items():
                per_code[code]["missed"] += count
                misses.append(f"missed {code} {item.path.name}:{line}")
            for (code, line), count in (found - item.expected).items():
                per_code[code]["false"] += count
                misses.append(f"extra  {code} {item.path.name}:{line}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    total = collections.Counter()
    for counts in per_code.values():
        total.update(counts)
    print(f"flake8-async {FLAKE8_ASYNC_VERSION} eval files: {scored} scored of {len(items)}; {binary}")
    print(f"{'code':<10}{'expected':>9}{'true':>6}{'false':>6}{'missed':>7}{'recall':>8}{'precision':>10}")
    rows = sorted(per_code.items()) + [("overall", total)]
    for code, counts in rows:
        expected = counts["true"] + counts["missed"]
        reported = counts["true"] + counts["false"]
        print(
            f"{code:<10}{expected:>9}{counts['true']:>6}{counts['false']:>6}{counts['missed']:>7}"
            f"{ratio(counts['true'], expected):>8}{ratio(counts['true'], reported):>10}"
        )
    if args.verbose:
        print("\n".join(sorted(misses)))
    if args.json:
        args.json.write_text(json.dumps({code: dict(counts) for code, counts in rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    main_wrapper(main)
