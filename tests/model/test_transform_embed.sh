#!/bin/bash
# saetm transform --input without --emb embeds the new documents with the built-in embedder, the
# one fit used (saetm_model_transform): on the training documents it gives DIR/doc_topics.npy;
# a model whose SAE was trained on other embeddings refuses them, naming the dimensions.
source "$(dirname "$0")/../lib.sh"
S="$SAETM"
D="$T/tremb"
mkdir -p "$D"
check "planted corpus in English nouns" $PY -c "
import sys; sys.path.insert(0, '$ROOT/tests/python'); import pyfix; pyfix.planted('$D', docs=120, topics=3, vocab=80)"
check "fit with the built-in embedder" $S fit --input "$D/docs.jsonl" --k 3 --steps 20 --features 256 --out "$D/m" -q
check "transform --input, no --emb" $S transform --model "$D/m" --input "$D/docs.jsonl" --out "$D/t.npy" -q
assert "transform of the training texts = doc_topics.npy" cmp "$D/t.npy" "$D/m/doc_topics.npy"
check "fit on 16-d embeddings" $S fit --input "$D/docs.jsonl" --emb "$D/synth/emb.npy" --k 3 --steps 20 --features 256 \
  --out "$D/m16" -q
expect_fail "transform --input with a model of other embeddings: refused" 1 "512|16" \
  $S transform --model "$D/m16" --input "$D/docs.jsonl" --out "$D/t16.npy" -q
expect_fail "transform without --input and --emb: usage" 2 "give --input" $S transform --model "$D/m" --out "$D/x.npy"
report
