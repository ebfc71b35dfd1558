#!/bin/bash
# Install the Debian packages saetm needs to build, test and benchmark, if missing.
# Called by the Makefile; safe to run again. Needs root (or sudo) only when something is missing.
# `install-deps.sh --bench` also installs what only the benchmarks need (BENCH_PACKAGES).
set -euo pipefail

PACKAGES=(
  build-essential pkg-config
  libopenblas-openmp-dev      # cblas + OpenBLAS built for OpenMP programs
  libutf8proc-dev             # Unicode normalisation and case folding
  wordnet-dev wordnet-base    # morphy lemmatiser and its database
  libcjson-dev zlib1g-dev
  libopenmpi-dev openmpi-bin  # data parallelism across processes and hosts (docs/distributed.md)
  python3-numpy python3-scipy # reference implementations used by tests
  python3-gensim              # tests/eval: coherence cross-checked against gensim CoherenceModel
  python3-torch               # PyTorch reference SAE step (tests/sae, bench/)
  nodejs npm                  # build-time conversion of npm-packaged data
  chromium python3-pil        # tests/report: the HTML report rendered headless, screenshot checked
  afl++ libomp-14-dev         # fuzzing: `make fuzz`, brief runs in `make test` (docs/fuzzing.md)
)
BENCH_PACKAGES=(
  python3-sklearn             # bench/quality: NMF and k-means baselines (gensim LDA is above)
  bible-kjv bible-kjv-text    # bench/quality: the King James Bible corpus
  xz-utils                    # bench/quality: reading the Debian descriptions index
)
FOUNDATION_PACKAGES=(          # scripts/build-foundation-sae.sh: the foundational SAE's corpus
  bible-kjv bible-kjv-text xz-utils wordnet-base jargon-text dict-foldoc fortunes fortunes-min
)
if [ "${1:-}" = "--bench" ]; then PACKAGES+=("${BENCH_PACKAGES[@]}"); fi
if [ "${1:-}" = "--foundation" ]; then PACKAGES+=("${FOUNDATION_PACKAGES[@]}"); fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from elsewhere than Debian; accept any working node + npm.
if command -v node >/dev/null && command -v npm >/dev/null; then
  m2=(); for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || m2+=("$p"); done; missing=("${m2[@]+"${m2[@]}"}")
fi
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
