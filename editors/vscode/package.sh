#!/usr/bin/env bash
# Packages a platform .vsix: the extension with the `asyncell` binary at bin/asyncell, for
# one VS Code target. The extension uses that binary unless `asyncell.path` or the selected
# Python environment provides one (src/binary.ts).
#
#   editors/vscode/package.sh --target linux-x64 --binary PATH [--out FILE]
#
#   --target  a VS Code platform: linux-x64, linux-arm64, linux-armhf, alpine-x64,
#             alpine-arm64, darwin-x64, darwin-arm64
#   --binary  the asyncell binary built for that platform (e.g. target/release/asyncell)
#   --out     the .vsix to write (default editors/vscode/asyncell-<version>-<target>.vsix)
#
# Needs the extension's npm packages (npm ci in editors/vscode). `npm run vsix` still builds
# the development .vsix without a binary (it then needs `asyncell` in the selected Python
# environment or on PATH).
set -euo pipefail

EXT=$(cd "$(dirname "$0")" && pwd)
TARGETS="linux-x64 linux-arm64 linux-armhf alpine-x64 alpine-arm64 darwin-x64 darwin-arm64"

die() {
    echo "package.sh: $*" >&2
    exit 2
}
usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }

target="" binary="" out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --target) target=${2:-}; shift 2 || die "--target needs a value" ;;
        --binary) binary=${2:-}; shift 2 || die "--binary needs a value" ;;
        --out) out=${2:-}; shift 2 || die "--out needs a value" ;;
        -h | --help) usage; exit 0 ;;
        *) die "unknown argument '$1' (usage: package.sh --target linux-x64 --binary PATH [--out FILE])" ;;
    esac
done

# ---- the target -------------------------------------------------------------------------
[ -n "$target" ] || die "--target is required: one of $TARGETS"
case " $TARGETS " in
    *" $target "*) ;;
    *)
        case "$target" in
            win32-*) die "target '$target': the asyncell server runs on Linux and macOS only; use one of $TARGETS" ;;
            web) die "target 'web': a web extension cannot start a binary; use one of $TARGETS" ;;
            *) die "unknown target '$target': use one of $TARGETS (VS Code's platform names)" ;;
        esac
        ;;
esac

# ---- the binary: a regular executable file built for that target ------------------------
[ -n "$binary" ] || die "--binary is required: the asyncell binary built for $target (e.g. target/release/asyncell)"
[ -e "$binary" ] || die "--binary $binary: no such file (build it with \`cargo build --release --locked\`, or pass the right path)"
[ -f "$binary" ] || die "--binary $binary: not a regular file"
[ -x "$binary" ] || die "--binary $binary: not executable (chmod +x $binary, or pass the built binary)"

# The first 20 bytes as hex pairs: the ELF or Mach-O header says the architecture.
header=$(od -An -tx1 -N20 -v "$binary" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
read -r -a byte <<<"$header"
case "$target" in
    linux-x64 | alpine-x64) want="ELF x86-64" ;;
    linux-arm64 | alpine-arm64) want="ELF aarch64" ;;
    linux-armhf) want="ELF arm" ;;
    darwin-x64) want="Mach-O x86-64" ;;
    darwin-arm64) want="Mach-O arm64" ;;
esac
have="unknown format"
if [ "${byte[*]:0:4}" = "7f 45 4c 46" ]; then
    case "${byte[18]:-}${byte[19]:-}" in
        3e00) have="ELF x86-64" ;;
        b700) have="ELF aarch64" ;;
        2800) have="ELF arm" ;;
        *) have="ELF machine 0x${byte[19]:-}${byte[18]:-}" ;;
    esac
elif [ "${byte[*]:0:4}" = "cf fa ed fe" ]; then
    case "${byte[*]:4:4}" in
        "07 00 00 01") have="Mach-O x86-64" ;;
        "0c 00 00 01") have="Mach-O arm64" ;;
        *) have="Mach-O cpu ${byte[*]:4:4}" ;;
    esac
elif [ "${byte[*]:0:4}" = "ca fe ba be" ] && [[ $target == darwin-* ]]; then
    have=$want # a universal binary holds both macOS architectures
fi
[ "$have" = "$want" ] || die "--binary $binary is $have, but target $target needs $want: build it for $target, or pass --target for the platform it was built for"
if [[ $target == alpine-* ]] && head -c 8192 "$binary" | grep -qa 'ld-linux'; then
    die "--binary $binary links against glibc, which Alpine does not have: build it for the *-unknown-linux-musl Rust target"
fi

# ---- versions: the binary should be the extension's release -----------------------------
version=$(node -p "require('$EXT/package.json').version")
host="$(uname -s)-$(uname -m)"
case "$target/$host" in
    linux-x64/Linux-x86_64 | linux-arm64/Linux-aarch64 | darwin-x64/Darwin-x86_64 | darwin-arm64/Darwin-arm64)
        output=$("$binary" --version 2>&1) || die "--binary $binary does not run here: \`$binary --version\` said: $output"
        reported=${output%%$'\n'*} # the first line; asyncell goes on with its interpreter and host
        [ "$reported" = "asyncell $version" ] ||
            die "--binary $binary says '$reported', but the extension is version $version (package.json): package the binary built from the same commit"
        ;;
    *) echo "package.sh: a $target binary cannot run on $host: not checking that it is version $version" >&2 ;;
esac

# ---- bundle, stage, package ------------------------------------------------------------
[ -x "$EXT/node_modules/.bin/vsce" ] || die "no vsce in $EXT/node_modules: run \`npm ci\` in editors/vscode first"
out=${out:-$EXT/asyncell-$version-$target.vsix}
case "$out" in
    *.vsix) ;;
    *) die "--out $out: the file name must end in .vsix" ;;
esac
out=$(realpath -m "$out")
mkdir -p "$(dirname "$out")"

(cd "$EXT" && node esbuild.mjs --minify)

# vsce packages a directory. Packaging a copy keeps the binary out of the source tree, so
# a later `npm run vsix` can never pick up a stale bin/asyncell.
stage=$(mktemp -d "${TMPDIR:-/tmp}/asyncell-vsix.XXXXXX")
trap 'rm -rf "$stage"' EXIT
cp "$EXT/package.json" "$EXT/README.md" "$stage/"
mkdir -p "$stage/dist" "$stage/images" "$stage/bin"
cp "$EXT/dist/extension.js" "$stage/dist/"
cp "$EXT"/images/*.png "$stage/images/"
[ -f "$EXT/LICENSE.txt" ] && cp "$EXT/LICENSE.txt" "$stage/"
{ cat "$EXT/.vscodeignore"; echo '!bin/asyncell'; } >"$stage/.vscodeignore"
cp "$binary" "$stage/bin/asyncell"
chmod 0755 "$stage/bin/asyncell"

(cd "$stage" && "$EXT/node_modules/.bin/vsce" package --target "$target" --skip-license --allow-missing-repository \
    --no-dependencies --no-rewrite-relative-links -o "$out" >&2)
echo "$out"
