#!/bin/bash
# foundation_reuse.sh - the foundational SAE reused on two corpora (docs/foundation.md):
#   sotu  6,000 State of the Union paragraphs (shared/data, with the reference USE-lite embeddings;
#         text the SAE never saw), fit --sae default vs. fit with an SAE trained on the corpus itself
#   kjv   the King James Bible passages of the used shards (5 of 8: about 4,500 of 7,173; part of
#         the SAE's training text), fit --sae default vs. the corpus's own SAE
# Each at K=20 (seed 1, SOTU also seed 2; every other fit option at its default), scored with saetm eval (NPMI, C_V,
# diversity), top words printed. Needs build/saetm, the installed default SAE, shared/data (for
# SOTU) and build/foundation (the recipe's corpus and embeddings, for KJV).
# usage: bash bench/foundation_reuse.sh [OUTDIR]   (default build/foundation-reuse)
set -euo pipefail
cd "$(dirname "$0")/.."
S=build/saetm
R=${1:-build/foundation-reuse}
F=${FOUNDATION_OUT:-build/foundation}
SHARED=${SAETM_SHARED_DATA:-/work/shared/data}
K=${REUSE_K:-20}
mkdir -p "$R"

/usr/bin/python3 - "$R" "$F" "$SHARED" <<'EOF'
import json, os, sys
import numpy as np
r, f, shared = sys.argv[1:4]
side = {"embedder": "use-lite-en", "embedder_version": "0.2.0"}
# sotu: the shared paragraphs and their reference embeddings (same model as the built-in embedder)
if not os.path.exists(os.path.join(r, "sotu.npy")):
    x = np.load(os.path.join(shared, "sotu_paragraphs.use.npy"))
    with open(os.path.join(shared, "sotu_paragraphs.jsonl")) as src, open(os.path.join(r, "sotu.jsonl"), "w") as dst:
        dst.write(src.read())
    np.save(os.path.join(r, "sotu.npy"), x)
    json.dump(dict(side, rows=int(x.shape[0]), dim=512), open(os.path.join(r, "sotu.npy.json"), "w"))
# kjv: the Bible rows of the foundation corpus (rows of foundation.npy = the used shards' documents in order)
if not os.path.exists(os.path.join(r, "kjv.npy")):
    docs = []
    for i in range(json.load(open(os.path.join(f, "foundation.npy.json")))["shards"]):
        with open(os.path.join(f, "shard-%d.jsonl" % i)) as fh:
            docs.extend(json.loads(l) for l in fh)
    x = np.load(os.path.join(f, "foundation.npy"), mmap_mode="r")
    assert x.shape[0] == len(docs), (x.shape, len(docs))
    rows = [i for i, d in enumerate(docs) if d["group"] == "kjv"]
    with open(os.path.join(r, "kjv.jsonl"), "w") as fh:
        for i in rows:
            d = docs[i]
            fh.write(json.dumps({"id": d["id"][4:], "text": d["text"], "group": d["id"][4:].rsplit(" ", 1)[0]}) + "\n")
    np.save(os.path.join(r, "kjv.npy"), np.ascontiguousarray(x[rows]))
    json.dump(dict(side, rows=len(rows), dim=512), open(os.path.join(r, "kjv.npy.json"), "w"))
EOF

run() { # run NAME CORPUS SEED FIT-ARGS...: fit, eval, print the scores and topics (cached in $R/NAME)
  local name=$1 corpus=$2 seed=$3; shift 3
  if [ ! -s "$R/$name/eval.txt" ]; then
    local t0=$(date +%s)
    nice -n 10 $S fit --input "$R/$corpus.jsonl" --emb "$R/$corpus.npy" --k "$K" --seed "$seed" --out "$R/$name" -q "$@"
    echo "$(( $(date +%s) - t0 ))" > "$R/$name/fit_seconds.txt"
    nice -n 10 $S eval --topics "$R/$name/top_words.txt" --corpus "$R/$name/corpus.stc" > "$R/$name/eval.txt"
  fi
  echo "== $name (fit $(cat "$R/$name/fit_seconds.txt") s wall)"
  cat "$R/$name/eval.txt"
}
# the corpus's own SAE: the demo's setting (F = 4096, batch 1024, 40 epochs)
OWN=(--features 4096 --batch 1024 --epochs 40)
run sotu-default sotu 1 --sae default
run sotu-own sotu 1 "${OWN[@]}"
run kjv-default kjv 1 --sae default
run kjv-own kjv 1 "${OWN[@]}"
run sotu-default-s2 sotu 2 --sae default
run sotu-own-s2 sotu 2 "${OWN[@]}"
