"""asyncell's Jupyter kernel against ipykernel, through the same jupyter_client code,
interleaved (one round of each kernel, then the next round), never in CI.

    .venv/bin/python bench/kernel_vs_ipykernel.py [--rounds 5] [--binary target/debug/asyncell]

Measures per kernel: start → first result (`1+1`), the `1+1` round trip (p50/p99 over
200), 100k printed lines (until idle), and interrupt latency (interrupt sent → reply) for
a cell awaiting `sleep(600)`, a busy Python loop and `time.sleep(600)`. ipykernel runs
its asyncio `%autoawait`; asyncell runs its asyncio loop (both: `await asyncio.sleep`).
Needs jupyter_client and ipykernel in the running Python (tests/requirements.txt).

`--floor` adds two kernels that execute nothing: bench/kernel_floor.py (pyzmq) and
bench/kernel_floor.c (libzmq and OpenSSL, compiled here with `cc`). Each answers every
`execute_request` with the messages asyncell's sends for `1+1`, so the C one's round trip
is the floor this client code and machine allow (start and round trip only).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from queue import Empty

from jupyter_client.manager import start_new_kernel

ROOT = Path(__file__).resolve().parent.parent


def wait_idle(kc, msg_id, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=1)
        except Empty:
            continue
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"):
            return
    raise TimeoutError(msg_id)


def run(kc, code, timeout=120):
    msg_id = kc.execute(code)
    wait_idle(kc, msg_id, timeout)


def reply(kc, msg_id, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg = kc.get_shell_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg
    raise TimeoutError(msg_id)


def interrupt_latency(km, kc, code):
    msg_id = kc.execute(code)
    time.sleep(0.5)
    started = time.perf_counter()
    km.interrupt_kernel()
    reply(kc, msg_id)
    elapsed = time.perf_counter() - started
    wait_idle(kc, msg_id)
    return elapsed


def one_round(name, full=True):
    figures = {}
    started = time.perf_counter()
    km, kc = start_new_kernel(kernel_name=name, startup_timeout=120)
    try:
        run(kc, "1+1")
        figures["start_to_first_result_s"] = time.perf_counter() - started
        trips = []
        for _ in range(200):
            t = time.perf_counter()
            run(kc, "1+1")
            trips.append(time.perf_counter() - t)
        trips.sort()
        figures["roundtrip_p50_ms"] = trips[len(trips) // 2] * 1000
        figures["roundtrip_p99_ms"] = trips[int(len(trips) * 0.99) - 1] * 1000
        if not full:  # the floor executes nothing: no output, nothing to interrupt
            return figures
        t = time.perf_counter()
        run(kc, "for i in range(100_000):\n    print(i)")
        figures["100k_lines_s"] = time.perf_counter() - t
        run(kc, "import asyncio, time")
        # The first interrupt_request connects jupyter_client's control socket: not timed.
        km.interrupt_kernel()
        time.sleep(0.5)
        # The median of 3 each: the first interrupt of a fresh host runs cold code paths.
        for case, code in (("await", "await asyncio.sleep(10)"), ("busy", "while True:\n    pass"),
                           ("time_sleep", "time.sleep(10)")):
            samples = [interrupt_latency(km, kc, code) for _ in range(3)]
            figures[f"interrupt_{case}_ms"] = statistics.median(samples) * 1000
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return figures


def floors(scratch):
    """The floor kernels: (label, argv). The C one is built against the libzmq pyzmq
    carries (jupyter_client's own), and left out, with a note, if that fails."""
    found = [("floor-py", [sys.executable, str(ROOT / "bench" / "kernel_floor.py")])]
    import zmq

    libs = sorted(Path(zmq.__file__).parent.parent.glob("pyzmq.libs/libzmq*.so*"))
    binary = scratch / "kernel_floor"
    if libs:
        built = subprocess.run(["cc", "-O2", "-o", str(binary), str(ROOT / "bench" / "kernel_floor.c"),
                                str(libs[0]), "-lcrypto", "-lpthread", f"-Wl,-rpath,{libs[0].parent}"],
                               capture_output=True, text=True)
        if built.returncode == 0:
            return [("floor-c", [str(binary)]), *found]
        print(f"note: bench/kernel_floor.c did not build: {built.stderr.strip()}", file=sys.stderr)
    else:
        print("note: no libzmq beside pyzmq: the C floor is left out", file=sys.stderr)
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--binary", default=str(ROOT / "target" / "debug" / "asyncell"))
    parser.add_argument("--floor", action="store_true",
                        help="also measure bench/kernel_floor.py, a kernel that executes nothing")
    args = parser.parse_args()
    jupyter = Path(tempfile.mkdtemp(prefix="asyncell-kernel-bench-"))
    os.environ["JUPYTER_PATH"] = str(jupyter / "share" / "jupyter")
    subprocess.run([args.binary, "kernel", "install", "--prefix", str(jupyter), "--loop", "asyncio",
                    "--name", "bench-asyncell", "--python", sys.executable], check=True)
    subprocess.run([sys.executable, "-m", "ipykernel", "install", "--prefix", str(jupyter),
                    "--name", "bench-ipykernel"], check=True, capture_output=True)
    sides = [("asyncell", "bench-asyncell"), ("ipykernel", "bench-ipykernel")]
    if args.floor:
        for label, argv in floors(jupyter):
            spec = jupyter / "share" / "jupyter" / "kernels" / f"bench-{label}"
            spec.mkdir(parents=True)
            (spec / "kernel.json").write_text(json.dumps({
                "argv": [*argv, "-f", "{connection_file}"], "display_name": label, "language": "python"}))
            sides.append((label, f"bench-{label}"))
    results = {label: [] for label, _ in sides}
    for round_ in range(args.rounds):
        for label, name in sides:
            figures = one_round(name, full=not label.startswith("floor"))
            results[label].append(figures)
            print(f"round {round_ + 1} {label}: " + ", ".join(f"{k}={v:.2f}" for k, v in figures.items()), flush=True)
    print("\nmedian of rounds:")
    for label, rounds in results.items():
        medians = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
        print(json.dumps({label: {k: round(v, 2) for k, v in medians.items()}}))


if __name__ == "__main__":
    main()
