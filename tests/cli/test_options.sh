#!/bin/bash
# Option names (docs/cli.md "One name per option"): older spellings are aliases of one name
# (--min-docs = --min-doc-freq, --arch = --sae-arch) with the same bytes out, and --help prints
# the defaults the library's option structs hold (fit's tuned topic defaults, the plain ones for
# topics, a model's params.json with --model), so the help cannot disagree with what runs.
source "$(dirname "$0")/../lib.sh"
S="$SAETM"
D="$T/options"
mkdir -p "$D"
check "synth" $S synth --out "$D/s" --docs 300 --topics 4 --vocab 120 --dim 16 -q
help_has() { "$@" --help 2>&1 | grep -qF -- "$HAS"; }
HAS="(default: 20) (also --min-docs)" assert "fit --help: --min-doc-freq 20, alias --min-docs" help_has $S fit
HAS="coactivation (default: coactivation)" assert "fit --help: --method coactivation" help_has $S fit
HAS="(default: pivot)" assert "fit --help: --coact-init pivot" help_has $S fit
HAS="(default: batchtopk) (also --arch)" assert "fit --help: --sae-arch, alias --arch" help_has $S fit
HAS="coactivation (default: kmeans)" assert "topics --help: the plain method's --method kmeans" help_has $S topics
HAS="(default: 1) (also --min-docs)" assert "topics --help: --min-doc-freq 1" help_has $S topics
HAS="(default: batchtopk) (also --arch)" assert "train --help: --sae-arch, alias --arch" help_has $S train
check "train --arch topk" $S train --emb "$D/s/emb.npy" --out "$D/a.saem" --arch topk --features 64 --steps 20 -q
check "train --sae-arch topk" $S train --emb "$D/s/emb.npy" --out "$D/b.saem" --sae-arch topk --features 64 --steps 20 -q
assert "--arch = --sae-arch, same bytes" cmp -s "$D/a.saem" "$D/b.saem"
check "train --sae-arch relu-l1 (control)" $S train --emb "$D/s/emb.npy" --out "$D/c.saem" --sae-arch relu-l1 --features 64 --steps 20 -q
assert "another --sae-arch gives other bytes" bash -c "! cmp -s '$D/a.saem' '$D/c.saem'"
fit() { $S fit --input "$D/s/docs.jsonl" --emb "$D/s/emb.npy" --preprocess none --min-df 2 --k 4 --steps 30 -q "$@"; }
check "fit --merge kmeans-hellinger" fit --merge kmeans-hellinger --out "$D/m"
HAS="coactivation (default: kmeans)" assert "topics --model --help: the model's --method" help_has $S topics --model "$D/m"
check "topics --min-docs 3" $S topics --model "$D/m" --k 3 --min-docs 3 --out "$D/t1" -q
check "topics --min-doc-freq 3" $S topics --model "$D/m" --k 3 --min-doc-freq 3 --out "$D/t2" -q
for f in topics.json doc_topics.npy topic_word.npy top_words.txt; do
  assert "--min-docs = --min-doc-freq: $f" cmp -s "$D/t1/$f" "$D/t2/$f"
done
expect_fail "an unknown option is still refused" 2 "unknown option '--min-doc'" $S topics --model "$D/m" --min-doc 3
report
