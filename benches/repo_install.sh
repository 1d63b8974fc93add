#!/usr/bin/env bash
# Benchmark (not a test): `fnhost repo install http@7.2.10` into an empty repo against
# `npm install @openfn/language-http@7.2.10` into an empty folder, with cold caches (fnhost's
# content cache / npm's cache emptied before each run) and warm caches (kept from a previous
# run; only the target folder is emptied). Uses the real npm registry and hyperfine.
#
#   benches/repo_install.sh [path/to/fnhost]     (default: $CARGO_TARGET_DIR/release or debug)
#   RUNS=10 SPEC=http@7.2.10 benches/repo_install.sh
set -euo pipefail

FNHOST="${1:-}"
if [ -z "$FNHOST" ]; then
  target="${CARGO_TARGET_DIR:-$(dirname "$0")/../target}"
  for candidate in "$target/release/fnhost" "$target/debug/fnhost"; do
    if [ -x "$candidate" ]; then FNHOST="$candidate"; break; fi
  done
fi
[ -x "$FNHOST" ] || { echo "fnhost binary not found; pass its path" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
command -v npm >/dev/null || { echo "needs npm for the comparison" >&2; exit 2; }

RUNS="${RUNS:-5}"
SPEC="${SPEC:-http@7.2.10}"
NPM_SPEC="${NPM_SPEC:-@openfn/language-http@7.2.10}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export FNHOST_CACHE_DIR="$WORK/fnhost-cache"
NPM_CACHE="$WORK/npm-cache"
NPM="npm install --no-audit --no-fund --no-save --ignore-scripts --loglevel=error --cache $NPM_CACHE --prefix $WORK/npm-dir $NPM_SPEC"
FN="$FNHOST repo install $SPEC --repo-dir $WORK/fnhost-repo"

echo "fnhost: $FNHOST ($("$FNHOST" --version))"
echo "npm: $(npm --version), node: $(node --version)"

hyperfine --runs "$RUNS" --warmup 1 --export-markdown "$WORK/cold.md" \
  --prepare "rm -rf $WORK/fnhost-repo $FNHOST_CACHE_DIR" -n "fnhost cold" "$FN" \
  --prepare "rm -rf $WORK/npm-dir $NPM_CACHE && mkdir -p $WORK/npm-dir" -n "npm cold" "$NPM"

hyperfine --runs "$RUNS" --warmup 1 --export-markdown "$WORK/warm.md" \
  --prepare "rm -rf $WORK/fnhost-repo" -n "fnhost warm" "$FN" \
  --prepare "rm -rf $WORK/npm-dir && mkdir -p $WORK/npm-dir" -n "npm warm" "$NPM"

# Already installed: fnhost makes no request at all.
hyperfine --runs "$RUNS" --warmup 1 --export-markdown "$WORK/noop.md" -n "fnhost already installed" "$FN"

cat "$WORK/cold.md" "$WORK/warm.md" "$WORK/noop.md"
