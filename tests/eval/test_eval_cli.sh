# test_eval_cli.sh - `saetm eval`: help with defaults, usage errors, bad inputs named (topic files,
# reference corpora and reference documents), absent words under --missing floor and skip.
source "$ROOT/tests/lib.sh"
check "eval --help" $SAETM eval --help
assert "help shows defaults" grep -q "default: 10" "$T/.out"
assert "help shows diversity default" grep -q "default: 25" "$T/.out"
assert "help: reference documents" grep -q -- "--reference PATH" "$T/.out"
assert "help: min_df 1 for a reference" grep -q "min-df N.*default: 1: every word of the reference" "$T/.out"
assert "help: the floor" grep -q "floor (every pair" "$T/.out"
assert "help: corpus options" grep -q -- "--preprocess MODE" "$T/.out"
assert "help: eps default 0" grep -qE -- "--npmi-eps X .*\(default: 0\)" "$T/.out"
assert "help: gensim's eps named" grep -q -- "--npmi-eps 1e-12" "$T/.out"
expect_fail "no inputs" 2 "--topics and --reference" $SAETM eval
expect_fail "bad --missing" 2 "--missing must be floor or skip" $SAETM eval --topics x --reference y --missing none
expect_fail "both --reference and --corpus" 2 "not both" $SAETM eval --topics x --reference y --corpus z
expect_fail "bad --npmi-eps" 2 "npmi-eps" $SAETM eval --topics x --reference y --npmi-eps 1
expect_fail "bad --preprocess" 2 "--preprocess must be" $SAETM eval --topics x --reference y --preprocess odd
expect_fail "bad --top" 2 "at least 2" $SAETM eval --topics x --corpus y --top 1
expect_fail "bad --top value" 2 "integer" $SAETM eval --topics x --corpus y --top ten
printf '{"text": "alpha beta gamma"}\n{"text": "alpha beta delta"}\n{"text": "gamma delta"}\n' > "$T/d.jsonl"
check "corpus" $SAETM corpus --input "$T/d.jsonl" --out "$T/c.stc" --preprocess none --min-df 1 --max-df 1.0 -q
expect_fail "missing topic file" 1 "missing.txt: cannot open" $SAETM eval --topics "$T/missing.txt" --corpus "$T/c.stc"
printf 'alpha beta\nbad \xff\n' > "$T/bad.txt"
expect_fail "invalid UTF-8 named with line" 1 "bad.txt:2: invalid UTF-8" $SAETM eval --topics "$T/bad.txt" --corpus "$T/c.stc"
printf 'alpha beta\n' > "$T/t.txt"
expect_fail "topic file as corpus" 1 "t.txt" $SAETM eval --topics "$T/t.txt" --corpus "$T/t.txt"
check "eval" $SAETM eval --topics "$T/t.txt" --corpus "$T/c.stc"
# alpha and beta: 2 of 3 documents each, together in 2: NPMI = log(2/3 / (4/9)) / -log(2/3) = 1
assert "perfect pair scores 1" grep -qE "^ +0 +1\.0000" "$T/.out"
printf 'nothing here\nalone\n' > "$T/none.txt"
check "absent words at the floor" $SAETM eval --topics "$T/none.txt" --corpus "$T/c.stc"
assert "two absent words score -1" grep -qE "^ +0 +-1\.0000 +-1\.0000" "$T/.out"
assert "one distinct word: n/a" grep -qE "^ +1 +n/a" "$T/.out"
assert "floor warning" grep -q "scored at NPMI's floor" "$T/.err"
check "unscorable topics still exit 0" $SAETM eval --topics "$T/none.txt" --corpus "$T/c.stc" --missing skip
assert "n/a shown" grep -qE "^ +0 +n/a" "$T/.out"
assert "warning given" grep -q "not scored" "$T/.err"
# a pair that never co-occurs: NPMI's floor by default, above it with gensim's eps
printf '{"text": "alpha beta"}\n{"text": "gamma delta"}\n' > "$T/apart.jsonl"
printf 'beta delta\n' > "$T/apart.txt"
check "never-co-occurring pair" $SAETM eval --topics "$T/apart.txt" --reference "$T/apart.jsonl" --preprocess none
assert "scores -1 by default (C_V 0)" grep -qE "^ +0 +-1\.0000 +0\.0000 +2/2" "$T/.out"
check "never-co-occurring pair, gensim's eps" $SAETM eval --topics "$T/apart.txt" --reference "$T/apart.jsonl" \
  --preprocess none --npmi-eps 1e-12
# -1 + log(1/4) / log(1e-12) = -0.9498
assert "above -1 with --npmi-eps 1e-12" grep -qE "^ +0 +-0\.9498 " "$T/.out"
# reference documents: bad input named, exit 1
expect_fail "missing reference file" 1 "nope.jsonl: cannot open" $SAETM eval --topics "$T/t.txt" --reference "$T/nope.jsonl"
printf '{"text": "alpha beta"}\n{"body": "gamma"}\n' > "$T/bad.jsonl"
expect_fail "JSONL line without the text field" 1 "bad.jsonl:2: field 'text'" \
  $SAETM eval --topics "$T/t.txt" --reference "$T/bad.jsonl" --preprocess none
printf 'not json\n' > "$T/bad2.jsonl"
expect_fail "JSONL line that is not JSON" 1 "bad2.jsonl:1" $SAETM eval --topics "$T/t.txt" --reference "$T/bad2.jsonl"
expect_fail "a model file as reference" 1 "SAETMSAE" $SAETM eval --topics "$T/t.txt" --reference "$ROOT/build/models/foundation-use-lite-en.saem"
# the same documents as a reference: same scores as the corpus built from them
check "reference of documents" $SAETM eval --topics "$T/t.txt" --reference "$T/d.jsonl" --preprocess none
assert "perfect pair scores 1 (documents)" grep -qE "^ +0 +1\.0000" "$T/.out"
assert "header says built from documents, 3 documents" grep -q "built from documents: 3 documents" "$T/.out"
cp "$T/c.stc" "$T/c.data"
check "corpus file under another name: by its magic" $SAETM eval --topics "$T/t.txt" --reference "$T/c.data" --min-df 3
assert "header says corpus file" grep -q "corpus file: 3 documents" "$T/.out"
assert "unused corpus options warned about" grep -q "corpus options such as --min-df are not used" "$T/.err"
printf '{"text": "alpha beta gamma"}\n{"text": "alpha beta delta"}\n' | gzip > "$T/d2.jsonl.gz"
check "gzip reference" $SAETM eval --topics "$T/t.txt" --reference "$T/d2.jsonl.gz" --preprocess none --json
assert "gzip: 2 documents" grep -q '"reference_docs":2' "$T/.out"
report
