#!/usr/bin/env bash
# Builds the OpenFn CLI toolchain from an OpenFn/kit git repository and installs it into tests/node/node_modules.
# @openfn/cli and @openfn/compiler are not available from the npm registry reachable here, so they are built
# from source (pinned commit below) in a scratch directory, packed with `pnpm pack`, and installed from the
# tarballs like published packages (so they live under node_modules/@openfn/*, exactly as after `npm i -g`).
#
# Usage: bash tests/node/build-toolchain.sh [path-to-kit-git-dir]
set -euo pipefail

KIT_GIT="${1:-${KIT_GIT:-/work/.mirror/OpenFn+kit/repo}}"
KIT_COMMIT="${KIT_COMMIT:-6421c170b1b70ecb7e8cd39d92e4c9203a52a95f}" # "versions" commit: cli 1.36.0, runtime 1.9.3, compiler 1.2.5
PNPM_VERSION=10.32.1
HERE="$(cd "$(dirname "$0")" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

PKGS="cli compiler runtime logger lexicon describe-package deploy project"
paths="package.json pnpm-workspace.yaml pnpm-lock.yaml tsconfig.common.json tsup.config.js build"
for p in $PKGS; do paths="$paths packages/$p"; done

echo "Extracting OpenFn/kit@$KIT_COMMIT from $KIT_GIT"
# shellcheck disable=SC2086
git -C "$KIT_GIT" archive "$KIT_COMMIT" -- $paths | tar -x -C "$WORK"

# The CLI's devDependency @openfn/language-collections@0.9.0 is not on the registry; it is only used by its tests.
sed -i '/"@openfn\/language-collections"/d' "$WORK/packages/cli/package.json"

mkdir -p "$WORK/bin"
npm install --prefix "$WORK/bin" --no-fund --no-audit "pnpm@$PNPM_VERSION" >/dev/null
export PATH="$WORK/bin/node_modules/.bin:$PATH"

cd "$WORK"
pnpm install --filter "@openfn/cli..." --no-frozen-lockfile --config.minimumReleaseAge=0 >/dev/null
pnpm -r --filter "@openfn/cli..." run build >/dev/null

rm -rf "$HERE/.toolchain"
mkdir -p "$HERE/.toolchain"
for p in $PKGS; do
  (cd "packages/$p" && pnpm pack --pack-destination "$HERE/.toolchain" >/dev/null)
done

cd "$HERE"
rm -rf node_modules package-lock.json
npm install --no-fund --no-audit --no-package-lock
node -e "console.log('installed @openfn/cli', require('./node_modules/@openfn/cli/package.json').version, '/ runtime', require('./node_modules/@openfn/runtime/package.json').version, '/ compiler', require('./node_modules/@openfn/compiler/package.json').version)"
