# test_trends_cli.sh - `saetm trends` on a model directory built with `saetm corpus` and numpy
# (tests/report/make_model.py): outputs cross-checked against numpy, and every bad-input path.
source "$ROOT/tests/lib.sh"
source "$ROOT/tests/report/report_lib.sh"
M="$T/model"
check "make the test model" make_test_model "$M"

check "trends --help" $SAETM trends --help
assert "help lists the default bin" grep -q "(default: year)" "$T/.out"
check "trends" $SAETM trends --model "$M"
cp "$T/.out" "$T/trends.out"; cp "$T/.err" "$T/trends.err"
assert "summary names the rising topic" grep -qE "^\s+\+[0-9.]+\s+0: army" "$T/trends.out"
assert "summary names the falling topic" grep -qE "^\s+-[0-9.]+\s+1: bank" "$T/trends.out"
assert "warning counts the bad date" grep -q "have a date that is not a date (first: row 4, 'n/a')" "$T/trends.err"
for f in time.csv movers.csv time.svg movers.svg groups.csv groups.svg; do
  assert "wrote $f" test -s "$M/trends/$f"
done

# Cross-check against the expectation computed with datetime + numpy.
check "numbers match numpy" $PY - "$M" <<'EOF'
import csv, json, sys
import numpy as np
m = sys.argv[1]
exp = json.load(open(m + "/expected.json"))
rows = list(csv.DictReader(open(m + "/trends/time.csv")))
assert [int(r["bin"]) for r in rows] == exp["years"], "bins"
assert [int(r["docs"]) for r in rows] == exp["counts"], "counts"
got = np.array([[float(r["topic_%d" % k]) for k in range(4)] for r in rows])
assert np.allclose(got, exp["time"], atol=2e-6), abs(got - np.array(exp["time"])).max()
mv = {int(r["topic"]): r for r in csv.DictReader(open(m + "/trends/movers.csv"))}
for k in range(4):
    assert abs(float(mv[k]["slope_per_year"]) - exp["slope"][k]) < 1e-5, (k, mv[k], exp["slope"][k])
    assert abs(float(mv[k]["change"]) - exp["change"][k]) < 1e-4
ranks = sorted(mv.values(), key=lambda r: int(r["rank"]))
assert [int(r["topic"]) for r in ranks] == list(np.argsort(-np.array(exp["change"]), kind="stable")), "order"
groups = list(csv.DictReader(open(m + "/trends/groups.csv")))
assert [g["group"] for g in groups] == sorted(exp["groups"], key=lambda g: (-exp["group_docs"][g], g.encode()))
for g in groups:
    assert int(g["docs"]) == exp["group_docs"][g["group"]]
    assert np.allclose([float(g["topic_%d" % k]) for k in range(4)], exp["groups"][g["group"]], atol=2e-6)
print("ok")
EOF

check "trends --bin decade" $SAETM trends -q --model "$M" --bin decade --out "$T/dec"
assert "four decades" test "$(tail -n +2 "$T/dec/time.csv" | cut -d, -f1 | tr '\n' ' ')" = "1900s 1910s 1920s 1930s "
check "trends --bin 3" $SAETM trends -q --model "$M" --bin 3 --out "$T/three"
assert "three bins labelled by years" grep -q "^1900-1912," "$T/three/time.csv"
check "same bytes again" $SAETM trends -q --model "$M" --bin 3 --out "$T/three2"
assert "deterministic" cmp -s "$T/three/time.csv" "$T/three2/time.csv"
assert "deterministic svg" cmp -s "$T/three/time.svg" "$T/three2/time.svg"

# Bad command lines.
expect_fail "no --model" 2 "--model is required" $SAETM trends
expect_fail "bad --bin" 2 "--bin expects year, decade or a number" $SAETM trends --model "$M" --bin weekly
expect_fail "zero bins" 2 "--bin expects" $SAETM trends --model "$M" --bin 0
# Bad model directories.
expect_fail "missing directory" 1 "$T/nope/doc_topics.npy: cannot open" $SAETM trends --model "$T/nope"
mkdir -p "$T/rows"; cp "$M/corpus.stc" "$M/topics.json" "$T/rows/"
$PY -c "import numpy as np; np.save('$T/rows/doc_topics.npy', np.full((7, 4), 0.25, 'f4'))"
expect_fail "row mismatch" 1 "doc_topics.npy has 7 rows but .*corpus.stc has 120 documents" $SAETM trends --model "$T/rows"
mkdir -p "$T/neg"; cp "$M/corpus.stc" "$M/topics.json" "$T/neg/"
$PY -c "
import numpy as np; a = np.load('$M/doc_topics.npy'); a[3, 2] = float('nan'); np.save('$T/neg/doc_topics.npy', a)"
expect_fail "NaN in doc_topics" 1 "row 3" $SAETM trends --model "$T/neg"
mkdir -p "$T/nowords"; cp "$M/corpus.stc" "$M/doc_topics.npy" "$T/nowords/"
expect_fail "no topic words" 1 "neither topics.json nor top_words.txt" $SAETM trends --model "$T/nowords"
printf '{"topics": [\n{"id": 0, "words": ["a"]},\n{"id": 1 "words": []}]}\n' > "$T/nowords/topics.json"
expect_fail "topics.json syntax" 1 "topics.json: line 3: not valid JSON" $SAETM trends --model "$T/nowords"
printf '{"topics": [{"id": 0, "words": ["a"]}, {"id": 1}, {"id": 2, "words": []}, {"id": 3, "words": []}]}' > "$T/nowords/topics.json"
expect_fail "topics.json field" 1 "topics.json: topic 1: missing \"words\" array" $SAETM trends --model "$T/nowords"
printf '{"topics": [{"id": 0, "words": [{"w0": "a"}]}, {"id": 1, "words": []}, {"id": 2, "words": []}, {"id": 3, "words": []}]}' > "$T/nowords/topics.json"
expect_fail "topics.json word" 1 "topic 0, word 0: expected a string" $SAETM trends --model "$T/nowords"
printf '{"topics": [{"id": 0, "words": []}]}' > "$T/nowords/topics.json"
expect_fail "topics.json count" 1 "lists 1 topics but doc_topics.npy has 4 columns" $SAETM trends --model "$T/nowords"
rm "$T/nowords/topics.json"; printf 'a b\nc\n' > "$T/nowords/top_words.txt"
expect_fail "top_words.txt count" 1 "top_words.txt: has 2 topic lines but doc_topics.npy has 4" $SAETM trends --model "$T/nowords"
printf 'army navy\nbank tax\nschool\nriver\n' > "$T/nowords/top_words.txt"
check "top_words.txt instead of topics.json" $SAETM trends -q --model "$T/nowords"
assert "labels from top_words.txt" grep -q "0: army navy" "$T/nowords/trends/movers.csv"

# Corpora without dates and/or groups.
mkdir -p "$T/plain"; cp "$M/doc_topics.npy" "$M/topics.json" "$T/plain/"
check "corpus without dates or groups" $SAETM corpus -q --input "$M/docs.jsonl" --min-df 2 --out "$T/plain/corpus.stc"
expect_fail "no dates, no groups" 1 "has neither dates nor groups; build it with 'saetm corpus --date-field" \
  $SAETM trends --model "$T/plain"
check "corpus with groups only" $SAETM corpus -q --input "$M/docs.jsonl" --group-field group --min-df 2 --out "$T/plain/corpus.stc"
check "groups only" $SAETM trends --model "$T/plain"
assert "says dates are missing" grep -q "no dates: only groups" "$T/.err"
assert "groups written, no time" bash -c "test -s '$T/plain/trends/groups.csv' && ! test -e '$T/plain/trends/time.csv'"
printf '{"text": "army navy", "d": "soon"}\n{"text": "bank tax", "d": "later"}\n' > "$T/bad.jsonl"
mkdir -p "$T/bad"
check "corpus with bad dates" $SAETM corpus -q --input "$T/bad.jsonl" --date-field d --min-df 1 --max-df 1 --out "$T/bad/corpus.stc"
$PY -c "import numpy as np; np.save('$T/bad/doc_topics.npy', np.eye(2, dtype='f4'))"
printf 'army\nbank\n' > "$T/bad/top_words.txt"
expect_fail "no parsable date" 1 "no document .* has a date in a known form" $SAETM trends --model "$T/bad"
report
