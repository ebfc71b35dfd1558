#!/bin/bash
# saetm sweep: one model re-merged for a range of K and scored; the scores equal those of
# `saetm topics` + `saetm eval` at the same K; CSV/JSON outputs; same bytes at 1 and 2 threads;
# the report draws the sweep; refusals.
source "$(dirname "$0")/../lib.sh"
S="$SAETM"
D="$T/sw"
check "synth" $S synth --out "$D" --docs 600 --topics 6 --vocab 300 --dim 16 -q
check "fit a small model" $S fit --input "$D/docs.jsonl" --emb "$D/emb.npy" --preprocess none --min-df 2 \
  --features 48 --sae-k 4 --batch 128 --steps 60 --k 4 --space hellinger --out "$D/m" -q
check "sweep K = 2:8:2" $S sweep --model "$D/m" --k 2:8:2 --threads 1
cp "$T/.out" "$D/table.txt"
assert "a table row per K" test "$(grep -cE '^ +[2468] ' "$D/table.txt")" -eq 4
assert "CSV written" test -s "$D/m/sweep.csv" -a -s "$D/m/sweep.json"
cp "$D/m/sweep.csv" "$D/sweep1.csv"; cp "$D/m/sweep.json" "$D/sweep1.json"
check "sweep at 2 threads" $S sweep --model "$D/m" --k 2:8:2 --threads 2 -q
assert "same CSV at 1 and 2 threads" cmp -s "$D/m/sweep.csv" "$D/sweep1.csv"
assert "same JSON at 1 and 2 threads" cmp -s "$D/m/sweep.json" "$D/sweep1.json"
# the scores at K = 6 are those of saetm topics + saetm eval
check "topics at K = 6" $S topics --model "$D/m" --k 6 --top-n 25 --out "$D/k6" -q
check "eval of K = 6" bash -c "$S eval --topics $D/k6/top_words.txt --corpus $D/m/corpus.stc --json > $D/k6/eval.json"
check "sweep = topics + eval" $PY - "$D" <<'PY'
import csv, json, sys
D = sys.argv[1]
rows = list(csv.DictReader(open(f"{D}/m/sweep.csv")))
assert [int(r["k"]) for r in rows] == [2, 4, 6, 8], rows
j = json.load(open(f"{D}/m/sweep.json"))
assert [r["k"] for r in j["rows"]] == [2, 4, 6, 8] and j["npmi_top"] == 10 and j["diversity_top"] == 25
assert j["merge"] == "kmeans-hellinger", j["merge"]
ev = json.load(open(f"{D}/k6/eval.json"))
r6 = [r for r in j["rows"] if r["k"] == 6][0]
for a, b in (("npmi", "npmi"), ("c_v", "c_v"), ("diversity", "diversity")):
    assert abs(r6[a] - ev[b]) < 1e-9, (a, r6[a], ev[b])
    assert abs(float(rows[2][a]) - ev[b]) < 1e-6
for r in j["rows"]:
    assert -1 <= r["npmi"] <= 1 and 0 < r["diversity"] <= 1 and r["n_scored_topics"] == r["k"]
PY
check "sweep with another merge, list of K, --out" $S sweep --model "$D/m" --k 3,5 --merge coactivation --out "$D/co.csv" -q
check "its JSON says so" $PY -c "import json; j=json.load(open('$D/co.json')); assert j['merge']=='coactivation' and [r['k'] for r in j['rows']]==[3,5]"
check "report with the sweep" $S report --model "$D/m" --out "$D/report.html" -q
assert "the report draws the sweep" grep -q "Choosing K (saetm sweep)" "$D/report.html"
assert "as a chart" grep -q "Coherence and diversity by number of topics" "$D/report.html"
check "sweep past the number of features stops there" $S sweep --model "$D/m" --k 2:200:99 --out "$D/big.csv"
assert "it says where it stopped" grep -q "stopped at K = 101" "$T/.err"
assert "and keeps the K done" test "$(cat "$D/big.csv" | wc -l)" -eq 2
expect_fail "no K can be merged" 2 "lower --k" $S sweep --model "$D/m" --k 100:120:10 --out "$D/none.csv"
expect_fail "sweep needs --model" 2 "--model is required" $S sweep --k 2:4
expect_fail "bad range" 2 "--k must be" $S sweep --model "$D/m" --k 8:2
expect_fail "bad list" 2 "--k must be" $S sweep --model "$D/m" --k 4,2
expect_fail "no model there" 1 "nomodel/interp.sti" $S sweep --model "$D/nomodel" --k 2:4
report
