"""Execution latency figures over real LSP (not collected by pytest).

    python tests/e2e/bench_exec.py [path/to/asyncell]     # default: target/release, else debug

Prints: start-to-first-result (server spawn → initialize → first `asyncell/execute` reply,
which includes starting the host), the warm execute round trip, and interrupt latency
(`asyncell/interrupt` request → reply) for an await, a busy loop and `time.sleep`.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from exec_support import HEARTBEAT, Session, start_server, stop_server  # noqa: E402

ROOT = HERE.parents[1]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def main() -> None:
    if len(sys.argv) > 1:
        binary = Path(sys.argv[1]).resolve()
    else:
        release = ROOT / "target" / "release" / "asyncell"
        binary = release if release.exists() else ROOT / "target" / "debug" / "asyncell"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cache = root / "cache"
        # Warm the extraction cache and the OS file cache once.
        client = start_server(binary, root, cache, loop="trio")
        uri = (root / "a.py").as_uri()
        client.open(uri, "")
        Session(client, uri).run("import trio")
        stop_server(client)

        cold = []
        for _ in range(5):
            began = time.perf_counter()
            client = start_server(binary, root, cache, loop="trio")
            client.open(uri, "")
            result = Session(client, uri).run("1 + 1")
            cold.append(time.perf_counter() - began)
            assert result["status"] == "ok"
            stop_server(client)

        client = start_server(binary, root, cache, loop="trio")
        client.open(uri, "")
        session = Session(client, uri)
        session.run(HEARTBEAT)
        trips = []
        for _ in range(300):
            began = time.perf_counter()
            session.run("1")
            trips.append(time.perf_counter() - began)
            session.drain()
            session.seen.clear()

        interrupts = {}
        bodies = {
            "await trio.sleep(30)": "await",
            "while True:\n        pass": "busy loop",
            "import time\n    time.sleep(30)": "time.sleep",
        }
        for body, label in bodies.items():
            samples = []
            for i in range(10):
                execution = f"{label}-{i}"
                request = session.submit(f"print('go', flush=True)\nif True:\n    {body}\n", executionId=execution)
                session.wait_for_text(execution, "go")
                time.sleep(0.05)
                began = time.perf_counter()
                outcome = session.request("asyncell/interrupt")
                samples.append(time.perf_counter() - began)
                assert outcome["interrupted"], outcome
                session.response(request)
                session.seen.clear()
            interrupts[label] = samples
        stop_server(client)

    ms = lambda seconds: f"{seconds * 1000:.1f} ms"  # noqa: E731
    print(f"binary: {binary}")
    print(f"start-to-first-result (server + trio host start + execute): median {ms(statistics.median(cold))}, "
          f"max {ms(max(cold))} over {len(cold)}")
    print(f"execute round trip (warm, heartbeat running): median {ms(statistics.median(trips))}, "
          f"p95 {ms(percentile(trips, 0.95))} over {len(trips)}")
    for label, samples in interrupts.items():
        print(f"interrupt latency ({label}): median {ms(statistics.median(samples))}, max {ms(max(samples))} over {len(samples)}")


if __name__ == "__main__":
    main()
