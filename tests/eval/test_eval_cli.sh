# test_eval_cli.sh - `saetm eval`: help with defaults, usage errors, bad inputs named.
source "$ROOT/tests/lib.sh"
check "eval --help" $SAETM eval --help
assert "help shows defaults" grep -q "default: 10" "$T/.out"
assert "help shows diversity default" grep -q "default: 25" "$T/.out"
expect_fail "no inputs" 2 "--topics and --corpus" $SAETM eval
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
printf 'nothing here\n' > "$T/none.txt"
check "unscorable topics still exit 0" $SAETM eval --topics "$T/none.txt" --corpus "$T/c.stc"
assert "n/a shown" grep -q "n/a" "$T/.out"
assert "warning given" grep -q "not scored" "$T/.err"
report
