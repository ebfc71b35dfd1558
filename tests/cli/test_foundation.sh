# test_foundation.sh - `--sae default` (the foundational SAE, docs/foundation.md): where it is
# looked for ($SAETM_MODEL_DIR, then next to the binary), the error when there is none, refusal of
# an SAE made for another embedder, half-precision SAE files, and `fit --sae default` with the
# shipped model on a small real-text corpus.
source "$ROOT/tests/lib.sh"
S="$SAETM"
D="$T/found"
mkdir -p "$D/models" "$D/empty" "$D/iso/bin"

# a small corpus of four themes with its 512-d "embeddings" (random, named as the built-in embedder's)
$PY - "$D" <<'PY'
import json, sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(5)
themes = [["football", "goal", "match", "team", "player", "season", "coach", "league"],
          ["recipe", "oven", "flour", "butter", "sugar", "bake", "kitchen", "dinner"],
          ["kernel", "compiler", "memory", "thread", "program", "debug", "server", "linux"],
          ["guitar", "concert", "melody", "song", "band", "album", "singer", "music"]]
centers = rng.normal(size=(4, 512))
docs, emb = [], []
for i in range(120):
    t = i % 4
    words = list(rng.choice(themes[t], 12)) + list(rng.choice(sum(themes, []), 3))
    docs.append({"id": "d%d" % i, "text": "The " + " and the ".join(words) + "."})
    emb.append(centers[t] + 0.5 * rng.normal(size=512))
with open(d + "/docs.jsonl", "w") as f:
    f.write("".join(json.dumps(x) + "\n" for x in docs))
emb = np.array(emb, dtype="f4")
np.save(d + "/emb.npy", emb)
json.dump({"embedder": "use-lite-en", "rows": 120, "dim": 512}, open(d + "/emb.npy.json", "w"))
np.save(d + "/other.npy", emb)
json.dump({"embedder": "other-embedder", "rows": 120, "dim": 512}, open(d + "/other.npy.json", "w"))
PY

# an SAE trained here stands in for the shipped one (the embedder's name comes from emb.npy.json)
check "train a small SAE (half precision)" $S train --emb "$D/emb.npy" --features 64 --k 4 --batch 60 --steps 40 \
  --half --out "$D/models/foundation-use-lite-en.saem" -q
check "inspect shows f16 weights" $S inspect "$D/models/foundation-use-lite-en.saem"
assert "W_enc is f16" grep -Eq "W_enc.*f16" "$T/.out"
check "train the same SAE in float32" $S train --emb "$D/emb.npy" --features 64 --k 4 --batch 60 --steps 40 \
  --out "$D/full.saem" -q
assert "half precision file is smaller" test "$(stat -c %s "$D/models/foundation-use-lite-en.saem")" -lt \
  "$(stat -c %s "$D/full.saem")"

# SAETM_MODEL_DIR: fit, interpret and encode find the default SAE there
SAETM_MODEL_DIR="$D/models" check "fit --sae default (SAETM_MODEL_DIR)" $S fit --input "$D/docs.jsonl" \
  --emb "$D/emb.npy" --sae default --k 3 --min-df 2 --out "$D/m" -q
assert "params.json names the default SAE's file" grep -q "models/foundation-use-lite-en.saem" "$D/m/params.json"
assert "four topics files written" test -s "$D/m/top_words.txt" -a -s "$D/m/doc_topics.npy"
assert "its 64 features were used" grep -q '"features":\s*64' "$D/m/params.json"
SAETM_MODEL_DIR="$D/models" check "encode --sae default" $S encode --sae default --emb "$D/emb.npy" --out "$D/a.sac" -q
SAETM_MODEL_DIR="$D/models" check "interpret --sae default" $S interpret --sae default --emb "$D/emb.npy" \
  --corpus "$D/m/corpus.stc" --out "$D/i.sti" -q
check "interpret from the model's acts" $S interpret --acts "$D/m/acts.sac" --corpus "$D/m/corpus.stc" --out "$D/i2.sti" -q
assert "interpret --sae default = the fit's interpretation" cmp -s "$D/i.sti" "$D/i2.sti"

# another embedder's embeddings are refused: by a given SAE, and by `default` (no SAE for it)
expect_fail "fit: SAE of another embedder refused (its name was stored)" 1 "'other-embedder' but .* from 'use-lite-en'" \
  $S fit --input "$D/docs.jsonl" --emb "$D/other.npy" --sae "$D/models/foundation-use-lite-en.saem" --k 3 --out "$D/x" -q
expect_fail "encode: SAE of another embedder refused" 1 "other-embedder" \
  $S encode --sae "$D/full.saem" --emb "$D/other.npy" --out "$D/x.sac" -q
SAETM_MODEL_DIR="$D/models" expect_fail "default for another embedder: none" 1 "foundation-other-embedder.saem" \
  $S encode --sae default --emb "$D/other.npy" --out "$D/x.sac" -q

# no default SAE anywhere: a clear error naming the make target, before any embedding is done
cp "$S" "$D/iso/bin/saetm"
SAETM_MODEL_DIR="$D/empty" expect_fail "no default SAE: error names make foundation-sae" 1 \
  "no default SAE.*make foundation-sae" "$D/iso/bin/saetm" fit --input "$D/docs.jsonl" --sae default --k 3 --out "$D/y"
assert "nothing was embedded" test ! -e "$D/y/emb.npy"

# the shipped foundational SAE: installed by make next to the binaries, found with no setting, used
# by fit on real text embedded by the built-in embedder
assert "the shipped SAE is installed (make)" test -s "$ROOT/build/models/foundation-use-lite-en.saem"
check "inspect the shipped SAE" $S inspect "$ROOT/build/models/foundation-use-lite-en.saem"
assert "shipped SAE: 4096 x 512 half-precision weights" grep -Eq "W_enc +f16 +4096 x 512" "$T/.out"
check "fit --sae default with the shipped SAE" env -u SAETM_MODEL_DIR $S fit --input "$D/docs.jsonl" --sae default \
  --k 4 --min-df 2 --out "$D/shipped" -q
check "shipped SAE used; its topics" $PY - "$D/shipped" "$ROOT" <<'PY'
import json, os, sys, numpy as np
d, root = sys.argv[1:3]
p = json.load(open(d + "/params.json"))
assert os.path.realpath(p["sae"]["file"]) == os.path.realpath(root + "/build/models/foundation-use-lite-en.saem"), p["sae"]
assert p["results"]["features"] == 4096, p["results"]
dt = np.load(d + "/doc_topics.npy")
assert dt.shape == (120, 4), dt.shape
lines = open(d + "/top_words.txt").read().split("\n")
assert len([l for l in lines if l.strip()]) == 4, lines
PY
expect_fail "shipped SAE: made for use-lite-en 0.2.0, refuses another embedder" 1 "'other-embedder' but .* from 'use-lite-en@0.2.0'" \
  $S fit --input "$D/docs.jsonl" --emb "$D/other.npy" --sae "$ROOT/build/models/foundation-use-lite-en.saem" --k 3 --out "$D/z" -q

report
