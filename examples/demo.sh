#!/usr/bin/env bash
# The main job, end to end on a fresh machine:
#   1. build asyncell (the `release` profile: the quick optimized build), while pip fills
#      .venv with trio, trio-asyncio and anyio;
#   2. check the examples: event-loop mistakes in a script and a trio notebook;
#   3. run a `# %%` cell file on ONE persistent trio loop: a heartbeat started in one cell
#      keeps beating while later cells run. No --python: asyncell finds the repository's
#      .venv from the file, and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${CARGO_TARGET_DIR:-target}/release/asyncell"

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
echo "== installing trio, trio-asyncio and anyio into .venv (in the background)"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt \
    > .venv/demo-pip.log 2>&1 &
pip_job=$!

echo "== building asyncell (release)"
cargo build --release --locked --bin asyncell 2>&1 | tail -n 1

echo
echo "== asyncell check examples/   (the examples contain mistakes on purpose)"
"$BIN" check examples/ || true

if ! wait "$pip_job"; then
    cat .venv/demo-pip.log >&2
    echo "error: pip install -r tests/requirements.txt failed" >&2
    exit 2
fi
echo
echo "== asyncell run examples/heartbeat.py   (every cell on one persistent trio loop)"
"$BIN" run examples/heartbeat.py --loop trio
