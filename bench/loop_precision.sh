#!/usr/bin/env bash
# LOOP rules on library code (issue 16): the 9-package corpus (bench/loop_corpus.sh: trio's
# sdist, the others' wheels; .py files only, in $CORPUS) and the LOOP findings per rule.
#   bench/loop_precision.sh [ASYNCELL_BIN]   (default: asyncell on PATH)
set -euo pipefail
BIN=${1:-asyncell}
CORPUS=$("$(dirname "$0")/loop_corpus.sh")
cd "$CORPUS"
echo "files: $(find src -name '*.py' | wc -l)"
"$BIN" check --no-cache --select LOOP --output-format concise --exit-zero -q src > loop.txt || true
grep -oE ' LOOP[0-9]+ ' loop.txt | sort | uniq -c || true
echo "findings in $CORPUS/loop.txt"
