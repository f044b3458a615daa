#!/usr/bin/env bash
# Runs every test suite against the real binary, the real host and real loops:
#   1. cargo test            (unit, rule, CPython-agreement, property and docs tests)
#   2. pytest                (the Python host suite, the LSP end-to-end suites, and the
#                             Jupyter kernel suite driven by real Jupyter clients)
#   3. the wheel             (built from the debug build; installed into a fresh venv, and
#                             through pre-commit try-repo)
#   4. the editor suites     (headless Neovim; VS Code in code-server driven by Chromium)
# It installs what it needs into .venv (created if missing) and runs every suite even
# when an earlier one fails, so one run shows everything that is broken.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

VENV="$ROOT/.venv"
PYTHON=${PYTHON:-python3}
if [ ! -x "$VENV/bin/python" ]; then
    echo "== creating $VENV"
    "$PYTHON" -m venv "$VENV" || { echo "error: cannot create a venv with $PYTHON (is python3-venv installed?)"; exit 2; }
fi
echo "== installing test requirements into $VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt \
    || { echo "error: pip install -r tests/requirements.txt failed"; exit 2; }

# One target dir for every suite, outside the clone so that fresh clones (CI) reuse the
# previous build instead of compiling ~300 crates again; override with CARGO_TARGET_DIR.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/asyncell/target}"
mkdir -p "$CARGO_TARGET_DIR"
BIN="$CARGO_TARGET_DIR/debug/asyncell"
echo "== target dir $CARGO_TARGET_DIR"

failed=()

echo "== cargo build"
cargo build --locked --bins 2>&1 | tail -n 3 || failed+=("cargo build")

echo "== cargo test"
cargo test --locked --workspace --no-fail-fast 2>&1 | tee "$CARGO_TARGET_DIR/cargo-test.log" | grep -E "^(test result|running|error|failures:|    [a-z_:]+$|---- )" 
[ "${PIPESTATUS[0]}" -eq 0 ] || failed+=("cargo test")
passed=$(grep -Eo "[0-9]+ passed" "$CARGO_TARGET_DIR/cargo-test.log" | awk '{s+=$1} END {print s+0}')
failed_count=$(grep -Eo "[0-9]+ failed" "$CARGO_TARGET_DIR/cargo-test.log" | awk '{s+=$1} END {print s+0}')
echo "cargo test: ${passed} passed, ${failed_count} failed"

# Each suite is its own pytest run: they have their own conftest helpers.
echo "== pytest: the Python host (server/host/tests)"
"$VENV/bin/python" -m pytest -q -p no:cacheprovider server/host/tests || failed+=("host suite")

echo "== pytest: end-to-end over LSP (tests/e2e)"
ASYNCELL_BIN="$BIN" "$VENV/bin/python" -m pytest -q -p no:cacheprovider tests/e2e \
    || failed+=("e2e suite")

echo "== pytest: Jupyter kernel (tests/kernel: jupyter_client, jupyter_kernel_test, nbclient)"
ASYNCELL_BIN="$BIN" "$VENV/bin/python" -m pytest -q -p no:cacheprovider tests/kernel \
    --ignore=tests/kernel/test_jupyterlab.py || failed+=("kernel suite")

# The wheel a user installs, built from the debug build (`--profile dev`: no second
# optimized build in a test run); the packaging suite installs it into a fresh venv and
# also tries the pre-commit hook, whose pip build reuses the same target dir.
echo "== wheel (maturin build --profile dev)"
WHEEL_DIR="$CARGO_TARGET_DIR/test-wheel"
rm -rf "$WHEEL_DIR"
WHEEL=""
if "$VENV/bin/python" -m maturin build --quiet --locked --profile dev --out "$WHEEL_DIR" 2>&1 | tail -n 2; then
    WHEEL=$(ls "$WHEEL_DIR"/asyncell-*.whl 2>/dev/null | head -n 1)
    [ -n "$WHEEL" ] && echo "built $(basename "$WHEEL") ($(du -h "$WHEEL" | cut -f1))"
fi
[ -n "$WHEEL" ] || failed+=("wheel build")

echo "== pytest: packaging (tests/packaging: the wheel in a fresh venv, pre-commit try-repo)"
if [ -n "$WHEEL" ]; then
    ASYNCELL_WHEEL="$WHEEL" "$VENV/bin/python" -m pytest -q -p no:cacheprovider tests/packaging \
        || failed+=("packaging suite")
fi

echo "== plain LSP clients (Emacs eglot and lsp-mode, Neovim without the plugin: tests/clients)"
ASYNCELL_BIN="$BIN" ASYNCELL_VENV="$VENV" bash tests/clients/run.sh \
    || failed+=("clients suite")

echo "== Neovim plugin (headless Neovim 0.11.4, editors/nvim/tests)"
ASYNCELL_BIN="$BIN" ASYNCELL_VENV="$VENV" bash editors/nvim/tests/run.sh \
    || failed+=("neovim suite")

echo "== VS Code extension (unit tests; code-server + Chromium e2e, editors/vscode/test)"
ASYNCELL_BIN="$BIN" ASYNCELL_VENV="$VENV" bash editors/vscode/test/run.sh \
    || failed+=("vscode suite")

# After the VS Code suite: it installed playwright-core (editors/vscode/node_modules).
echo "== JupyterLab in Chromium (tests/kernel/test_jupyterlab.py, the asyncell trio kernel)"
ASYNCELL_BIN="$BIN" ASYNCELL_REQUIRE_LAB=1 PLAYWRIGHT_NODE_PATH="$ROOT/editors/vscode/node_modules" \
    "$VENV/bin/python" -m pytest -q -p no:cacheprovider tests/kernel/test_jupyterlab.py \
    || failed+=("jupyterlab suite")

if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED: ${failed[*]}"
    exit 1
fi
echo "all suites passed"
