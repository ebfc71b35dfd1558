#!/bin/bash
# saetm fit's defaults (docs/quality.md chose them): the SAE is sized to the corpus (a power of two
# >= N/2 features within [1024, 64 x d], batch 1024, 40 epochs and at least 200 steps) unless
# --features/--expansion/--epochs/--steps say otherwise; conflicting size options are refused; the
# topics are merged by co-activation (features in >= 20 documents) into 2K candidates, their words
# estimated from the documents' TF-IDF, pruned to the K most coherent (each scored on the half of
# the documents that did not estimate its words, no redundancy term), words ranked by probability;
# the merge starts without the seed (--coact-init pivot): re-merging with other seeds gives the
# same bytes.
source "$(dirname "$0")/../lib.sh"
S="$SAETM"
D="$T/fitdef"
check "synth" $S synth --out "$D" --docs 3000 --topics 6 --vocab 300 --dim 16 -q
param() { $PY -c "import json,sys; p=json.load(open(sys.argv[1])); print(p['$1']['$2'])" "$3/params.json"; }
fit() { $S fit --input "$D/docs.jsonl" --preprocess none --min-df 2 --k 4 -q "$@"; }
check "fit with the default SAE" fit --emb "$D/emb.npy" --out "$D/m"
# 3000 documents want 2048 features (>= N/2), but 64 x d = 1024 caps them
assert "features capped at 64 x d" [ "$(param results features "$D/m")" = 1024 ]
assert "batch 1024" [ "$(param sae batch "$D/m")" = 1024 ]
assert "SAE decoder starts random (data/neighbors lost on validation, docs/quality.md)" [ "$(param sae init "$D/m")" = random ]
assert "40 epochs of 2 steps: raised to 200 steps" [ "$(param sae steps "$D/m")" = 200 ]
assert "topics: co-activation merge" [ "$(param topics merge "$D/m")" = coactivation ]
assert "topics: features in >= 20 documents clustered" [ "$(param topics min_docs "$D/m")" = 20 ]
assert "topics: refit, sharpen 4, background 0.7" [ "$(param topics refit "$D/m") $(param topics sharpen "$D/m") $(param topics refit_pi "$D/m")" = "True 4 0.7" ]
assert "topics: 2K candidates, words by probability" [ "$(param topics candidates "$D/m") $(param topics rank "$D/m")" = "2 prob" ]
assert "topics: tfidf words, cross-fitted pruning, no redundancy term" [ "$(param topics words "$D/m") $(param topics crossfit "$D/m") $(param topics prune_redundancy "$D/m")" = "tfidf on 0" ]
assert "topics: pivoted (seed-independent) merge" [ "$(param topics coact_init "$D/m")" = pivot ]
check "re-merge, seed 1" $S topics --model "$D/m" --k 3 --seed 1 --out "$D/ms1" -q
check "re-merge, seed 7, 1 restart" $S topics --model "$D/m" --k 3 --seed 7 --restarts 1 --out "$D/ms7" -q
for f in top_words.txt topic_word.npy doc_topics.npy; do
  assert "pivoted merge: seed 1 = seed 7: $f" cmp -s "$D/ms1/$f" "$D/ms7/$f"
done
check "re-merge, --coact-init random, seed 7" $S topics --model "$D/m" --k 3 --seed 7 --coact-init random --out "$D/mr7" -q
tj() { $PY -c "import json,sys; print(json.load(open(sys.argv[1] + '/topics.json')).get('coact_init', 'random'))" "$1"; }
assert "topics.json says pivot / random" [ "$(tj "$D/ms7") $(tj "$D/mr7")" = "pivot random" ]
expect_fail "--coact-init bogus" 2 "random or pivot" $S topics --model "$D/m" --k 3 --coact-init bogus --out "$D/x"
check "topics.json: 4 topics, listed by probability" $PY - "$D/m" <<'EOF'
import json, sys
import numpy as np
t = json.load(open(sys.argv[1] + "/topics.json"))
assert t["k"] == 4 and len(t["topics"]) == 4, t["k"]
assert t["rank"] == "prob", t["rank"]
tw = np.load(sys.argv[1] + "/topic_word.npy")
for i, tp in enumerate(t["topics"]):
    p = [w["prob"] for w in tp["words"]]
    assert p == sorted(p, reverse=True), p
    assert abs(p[0] - float(tw[i].max())) < 1e-6, (p[0], tw[i].max())
EOF
check "re-merge without refit" $S topics --model "$D/m" --k 3 --no-refit --out "$D/m3" -q
check "--merge kmeans-words overrides the default merge" fit --emb "$D/emb.npy" --steps 5 --merge kmeans-hellinger --out "$D/mk"
assert "kmeans recorded" [ "$(param topics method "$D/mk")" = kmeans ]
# --fit-defaults: fit's topic options instead of the model's params.json (the k-means fit above)
check "topics --fit-defaults on a k-means model" $S topics --model "$D/mk" --k 3 --fit-defaults --out "$D/fd1" -q
check "the same with fit's options given" $S topics --model "$D/mk" --k 3 --merge coactivation --min-doc-freq 20 \
  --refit --sharpen 4 --refit-pi 0.7 --candidates 2 --rank prob --words tfidf --crossfit on --prune-redundancy 0 \
  --coact-init pivot \
  --out "$D/fd2" -q
check "params.json's options (k-means)" $S topics --model "$D/mk" --k 3 --out "$D/fd3" -q
for f in top_words.txt topic_word.npy doc_topics.npy; do
  assert "--fit-defaults = fit's options given: $f" cmp -s "$D/fd1/$f" "$D/fd2/$f"
done
assert "--fit-defaults differs from the model's k-means" [ "$(cmp -s "$D/fd1/topic_word.npy" "$D/fd3/topic_word.npy"; echo $?)" = 1 ]
# as in fit, --space alone (with --fit-defaults) means the k-means merge in that space
check "topics --fit-defaults --space hellinger" $S topics --model "$D/mk" --k 3 --fit-defaults --space hellinger --out "$D/fd4" -q
assert "--space alone: k-means recorded" $PY -c "import json,sys; t=json.load(open(sys.argv[1])); sys.exit(t['method'] != 'kmeans' or t['space'] != 'hellinger')" "$D/fd4/topics.json"
check "topics --fit-defaults --space hellinger --method coactivation" $S topics --model "$D/mk" --k 3 --fit-defaults --space hellinger --method coactivation --out "$D/fd5" -q
assert "--space with --method: the method given" $PY -c "import json,sys; t=json.load(open(sys.argv[1])); sys.exit(t['method'] != 'coactivation')" "$D/fd5/topics.json"
check "sweep --fit-defaults" $S sweep --model "$D/mk" --k 2,3 --fit-defaults --out "$D/sw.csv" -q
check "fit, batch 300" fit --emb "$D/emb.npy" --batch 300 --out "$D/mb"
assert "40 epochs of 10 steps" [ "$(param sae steps "$D/mb")" = 400 ]
$PY -c "import numpy as np; e=np.load('$D/emb.npy'); np.save('$D/emb64.npy', np.tile(e, (1, 4)))"
check "fit, 64-d embeddings" fit --emb "$D/emb64.npy" --steps 5 --out "$D/m64"
assert "3000 documents, d = 64: 2048 features (>= N/2)" [ "$(param results features "$D/m64")" = 2048 ]
check "--expansion still works" fit --emb "$D/emb.npy" --expansion 2 --steps 5 --sae-k 4 --out "$D/me"
assert "--expansion 2 x 16 = 32 features" [ "$(param results features "$D/me")" = 32 ]
expect_fail "fit: --features and --expansion" 2 "not both" fit --emb "$D/emb.npy" --features 64 --expansion 2 --out "$D/x"
expect_fail "fit: --epochs and --steps" 2 "not both" fit --emb "$D/emb.npy" --epochs 2 --steps 5 --out "$D/x"
report
