#!/usr/bin/env bash
# Real LSP clients without an asyncell plugin, against the real server and host:
#   Emacs eglot and lsp-mode (Debian's emacs-nox, elpa-eglot, elpa-lsp-mode) in batch mode,
#   and plain Neovim 0.11 with only vim.lsp.config/enable. Each runs cells from code
#   actions and checks what the user sees (docs/protocol.md, "Plain LSP clients").
# Needs ASYNCELL_BIN and ASYNCELL_VENV (a venv with trio; its nvim if it has one). A
# client that is not installed is reported as skipped.
# Prints one summary line: "clients: N passed, M failed, K skipped".
set -uo pipefail
cd "$(dirname "$0")"
HERE=$(pwd)
BIN=${ASYNCELL_BIN:?set ASYNCELL_BIN}
VENV=${ASYNCELL_VENV:?set ASYNCELL_VENV}
PY="$VENV/bin/python"
NVIM=${NVIM:-$( [ -x "$VENV/bin/nvim" ] && echo "$VENV/bin/nvim" || command -v nvim )}
passed=0; failed=0; skipped=0; failures=()

# Debian's Emacs, eglot and lsp-mode, only the missing ones (as editors/vscode/test/run.sh
# installs chromium).
missing=()
for pkg in emacs-nox elpa-eglot elpa-lsp-mode; do
    dpkg -s "$pkg" > /dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
    echo "== apt-get install ${missing[*]}"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") \
        > /dev/null 2>&1 || echo "error: apt-get install ${missing[*]} failed"
fi

# One client run in a fresh workspace (a git repo: Emacs's project.el needs a root).
run_client() {
    local name=$1; shift
    local work
    work=$(mktemp -d)
    cp "$HERE/fixture.py" "$work/cells.py"
    git -C "$work" init -q .
    echo "== $name"
    if ASYNCELL_BIN="$BIN" ASYNCELL_PYTHON="$PY" WORKDIR="$work" XDG_CACHE_HOME="$work/cache" HOME="$work" \
        timeout 120 "$@" > "$work/log" 2>&1; then
        grep -E "^(ok|FAIL)" "$work/log"
        passed=$((passed + 1))
    else
        grep -E "^(ok|FAIL)" "$work/log"; tail -n 20 "$work/log"
        failed=$((failed + 1)); failures+=("$name")
    fi
    [ -n "${KEEP:-}" ] || rm -rf "$work"
}

if command -v emacs > /dev/null && emacs --batch --eval "(progn (package-initialize) (require 'eglot))" > /dev/null 2>&1; then
    run_client "Emacs $(emacs --batch --eval '(princ emacs-version)') eglot" emacs --batch -l "$HERE/eglot.el"
else
    echo "== Emacs eglot: skipped (apt-get install emacs-nox elpa-eglot)"; skipped=$((skipped + 1))
fi
if command -v emacs > /dev/null && emacs --batch --eval "(progn (package-initialize) (require 'lsp-mode))" > /dev/null 2>&1; then
    run_client "Emacs lsp-mode" emacs --batch -l "$HERE/lsp_mode.el"
else
    echo "== Emacs lsp-mode: skipped (apt-get install emacs-nox elpa-lsp-mode)"; skipped=$((skipped + 1))
fi
if [ -n "$NVIM" ] && "$NVIM" --headless --clean -l /dev/stdin <<< 'os.exit(vim.fn.has("nvim-0.11") == 1 and 0 or 1)' > /dev/null 2>&1; then
    run_client "Neovim $("$NVIM" --version | head -n 1 | cut -d' ' -f2) (no plugin)" "$NVIM" --headless --clean -l "$HERE/nvim_plain.lua"
else
    echo "== plain Neovim: skipped (needs Neovim 0.11)"; skipped=$((skipped + 1))
fi
# In CI every client must run: a skipped one is a failure there.
if [ -n "${CI:-}" ] && [ "$skipped" -gt 0 ]; then
    failed=$((failed + skipped)); failures+=("skipped in CI")
fi
echo "clients: ${passed} passed, ${failed} failed, ${skipped} skipped${failures[*]:+ (failed: ${failures[*]})}"
[ "$failed" -eq 0 ]
