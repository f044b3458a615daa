#!/usr/bin/env bash
# The 9-package corpus of issue 16 (trio's sdist, the others' wheels; .py files only),
# downloaded and extracted once into $CORPUS/src (default /tmp/asyncell-loop-corpus).
# Prints the directory holding src/. Used by bench/loop_precision.sh and
# bench/async_agreement.py, so both measure the same files.
#   bench/loop_corpus.sh   (PYTHON=python3 CORPUS=/tmp/asyncell-loop-corpus)
set -euo pipefail
CORPUS=${CORPUS:-/tmp/asyncell-loop-corpus}
PYTHON=${PYTHON:-python3}
mkdir -p "$CORPUS/dl" "$CORPUS/src"
if [ ! -e "$CORPUS/.done" ]; then
    "$PYTHON" -m pip download --quiet --no-deps --no-binary :all: -d "$CORPUS/dl" "trio==0.35.*" >&2
    for p in "anyio==4.16.*" "httpx==0.28.1" aiohttp starlette trio-websocket asyncpg websockets quart; do
        "$PYTHON" -m pip download --quiet --no-deps -d "$CORPUS/dl" "$p" >&2
    done
    for a in "$CORPUS"/dl/*; do
        case "$a" in
            *.tar.gz) tar --no-same-owner -xzf "$a" -C "$CORPUS/src" ;;
            *.whl) d="$CORPUS/src/$(basename "$a" | cut -d- -f1)"; mkdir -p "$d"; (cd "$d" && "$PYTHON" -m zipfile -e "$a" .) ;;
        esac
    done
    touch "$CORPUS/.done"
fi
echo "$CORPUS"
