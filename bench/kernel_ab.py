"""Two asyncell kernel binaries against each other, interleaved: the `1+1` round trip
(execute_request until `status: idle`, as kernel_vs_ipykernel.py times it), never in CI.

    .venv/bin/python bench/kernel_ab.py BEFORE AFTER [--rounds 6] [--trips 200]

Each round starts a kernel of each binary in turn (asyncio loop), runs 20 unmeasured
round trips, then `--trips` measured ones; prints p50/p99 per round and the medians.
On a shared machine the load moves ipykernel's figures more than a kernel change does,
so a before/after comparison is made here, binary against binary.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jupyter_client.manager import start_new_kernel

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kernel_vs_ipykernel import run  # noqa: E402


def trips(name, count):
    km, kc = start_new_kernel(kernel_name=name, startup_timeout=120)
    try:
        for _ in range(20):
            run(kc, "1+1")
        samples = []
        for _ in range(count):
            started = time.perf_counter()
            run(kc, "1+1")
            samples.append((time.perf_counter() - started) * 1000)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    samples.sort()
    return samples[len(samples) // 2], samples[int(len(samples) * 0.99) - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--trips", type=int, default=200)
    args = parser.parse_args()
    jupyter = Path(tempfile.mkdtemp(prefix="asyncell-kernel-ab-"))
    os.environ["JUPYTER_PATH"] = str(jupyter / "share" / "jupyter")
    binaries = {"before": args.before, "after": args.after}
    for label, binary in binaries.items():
        subprocess.run([binary, "kernel", "install", "--prefix", str(jupyter), "--loop", "asyncio",
                        "--name", f"ab-{label}", "--python", sys.executable], check=True,
                       capture_output=True)
    results = {label: [] for label in binaries}
    for round_ in range(args.rounds):
        for label in binaries:
            p50, p99 = trips(f"ab-{label}", args.trips)
            results[label].append((p50, p99))
            print(f"round {round_ + 1} {label}: p50 {p50:.3f} ms, p99 {p99:.3f} ms", flush=True)
    for label, rounds in results.items():
        print(f"{label}: median p50 {statistics.median(r[0] for r in rounds):.3f} ms, "
              f"median p99 {statistics.median(r[1] for r in rounds):.3f} ms")


if __name__ == "__main__":
    main()
