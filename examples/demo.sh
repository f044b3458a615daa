#!/usr/bin/env bash
# The main job, end to end on a fresh machine:
#   1. build asyncell (release);
#   2. check the examples: event-loop mistakes in a script and a trio notebook;
#   3. run a `# %%` cell file on ONE persistent trio loop: a heartbeat started in one cell
#      keeps beating while later cells run.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== building asyncell (release)"
cargo build --release --locked --bin asyncell 2>&1 | tail -n 1
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
echo "== installing trio, trio-asyncio and anyio into .venv"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt

echo
echo "== asyncell check examples/   (the examples contain mistakes on purpose)"
./target/release/asyncell check examples/ || true

echo
echo "== asyncell run examples/heartbeat.py   (every cell on one persistent trio loop)"
./target/release/asyncell run examples/heartbeat.py --python .venv/bin/python --loop trio
