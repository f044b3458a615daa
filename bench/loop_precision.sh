#!/usr/bin/env bash
# LOOP rules on library code (issue 16): downloads the 9-package corpus (trio's sdist, the
# others' wheels; .py files only) into $CORPUS and prints the LOOP findings per rule.
#   bench/loop_precision.sh [ASYNCELL_BIN]   (default: asyncell on PATH)
set -euo pipefail
BIN=${1:-asyncell}
CORPUS=${CORPUS:-/tmp/asyncell-loop-corpus}
PYTHON=${PYTHON:-python3}
mkdir -p "$CORPUS/dl" "$CORPUS/src"
if [ ! -e "$CORPUS/.done" ]; then
    "$PYTHON" -m pip download --quiet --no-deps --no-binary :all: -d "$CORPUS/dl" "trio==0.35.*"
    for p in "anyio==4.16.*" "httpx==0.28.1" aiohttp starlette trio-websocket asyncpg websockets quart; do
        "$PYTHON" -m pip download --quiet --no-deps -d "$CORPUS/dl" "$p"
    done
    for a in "$CORPUS"/dl/*; do
        case "$a" in
            *.tar.gz) tar xzf "$a" -C "$CORPUS/src" ;;
            *.whl) d="$CORPUS/src/$(basename "$a" | cut -d- -f1)"; mkdir -p "$d"; (cd "$d" && "$PYTHON" -m zipfile -e "$a" .) ;;
        esac
    done
    touch "$CORPUS/.done"
fi
cd "$CORPUS"
echo "files: $(find src -name '*.py' | wc -l)"
"$BIN" check --no-cache --select LOOP --output-format concise --exit-zero -q src > loop.txt || true
grep -oE ' LOOP[0-9]+ ' loop.txt | sort | uniq -c || true
echo "findings in $CORPUS/loop.txt"
