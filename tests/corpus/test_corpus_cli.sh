# test_corpus_cli.sh - `saetm corpus`: formats, summary, every bad-input message with its file,
# line and field and exit code 1, --skip-bad, usage errors (exit 2), inspect of the output.
source "$ROOT/tests/lib.sh"

# --- good input in every format ---------------------------------------------------------------
cat > "$T/docs.jsonl" <<'EOF'
{"id": "d1", "text": "The budget and the deficit were debated in Congress.", "year": 1990, "party": "A"}
{"id": "d2", "text": "Taxes on income and the budget deficit grew.", "year": 1991, "party": "B"}
{"id": "d3", "text": "Congress passed the tax bill; the deficit shrank.", "year": 1992}
{"id": "d4", "text": "and the of", "year": 1993, "party": "A"}
EOF
check "jsonl" $SAETM corpus --input "$T/docs.jsonl" --out "$T/docs.stc" --id-field id --date-field year \
  --group-field party --min-df 2 --max-df 1.0
assert "summary: documents and empty" grep -q "^corpus: 4 documents (1 empty), vocabulary [0-9]* words" "$T/.out"
assert "summary: speed" grep -q "documents/s" "$T/.out"
check "inspect the corpus" $SAETM inspect "$T/docs.stc"
assert "inspect lists sections" grep -q "SAETMCRP file" "$T/.out"
assert "inspect lists word ids" grep -q "word_ids" "$T/.out"

gzip -c "$T/docs.jsonl" > "$T/docs.jsonl.gz"
check "gzip jsonl" $SAETM corpus -q --input "$T/docs.jsonl.gz" --out "$T/gz.stc" --id-field id --date-field year \
  --group-field party --min-df 2 --max-df 1.0
assert "gzip summary" grep -q "^corpus: 4 documents (1 empty)" "$T/.out"

printf 'id,text\r\n1,"budget, deficit"\r\n2,"tax ""bill""\nbudget"\r\n' > "$T/docs.csv"
check "csv" $SAETM corpus --input "$T/docs.csv" --out "$T/csv.stc" --min-df 1 --max-df 1.0
assert "csv summary" grep -q "^corpus: 2 documents (0 empty)" "$T/.out"

printf 'budget deficit\n\ntax budget\n' > "$T/docs.txt"
check "text" $SAETM corpus --input "$T/docs.txt" --out "$T/txt.stc" --min-df 1 --max-df 1 --preprocess basic
assert "text summary" grep -q "^corpus: 3 documents (1 empty), vocabulary 3 words" "$T/.out"
mkdir -p "$T/dir/sub"
printf 'budget deficit' > "$T/dir/one.txt"; printf 'tax budget' > "$T/dir/sub/two.txt"
check "dir" $SAETM corpus --input "$T/dir" --out "$T/dir.stc" --min-df 1 --max-df 1.0 --preprocess none
assert "dir summary" grep -q "^corpus: 2 documents (0 empty), vocabulary 3 words" "$T/.out"
check "standard input" bash -c "gzip -c '$T/docs.jsonl' | '$SAETM' corpus --input - --format jsonl --out '$T/stdin.stc' --min-df 2 --max-df 1.0"
assert "stdin summary" grep -q "^corpus: 4 documents (1 empty)" "$T/.out"
check "inspect checks every index" $SAETM inspect "$T/docs.stc"
assert "inspect: corpus summary" grep -q "^corpus: 4 documents (1 empty), vocabulary .* all indices OK" "$T/.out"
assert "inspect: how it was made" grep -q '"id_field":"id"' "$T/.out"
check "forced format" $SAETM corpus --input "$T/docs.txt" --format text --out "$T/f.stc" --min-df 1 --preprocess basic
check "help" $SAETM corpus --help
assert "help shows defaults" grep -q "default: 20000" "$T/.out"
assert "help shows min-df default" grep -q "default: 5" "$T/.out"

# --- bad input: message names file, line and field; exit code 1 -------------------------------
bad() { # bad DESCRIPTION PATTERN FILE-CONTENT(printf format) NAME [extra options]
  local d="$1" pat="$2" content="$3" name="$4"; shift 4
  printf "$content" > "$T/$name"
  expect_fail "$d" 1 "$pat" $SAETM corpus --input "$T/$name" --out "$T/bad.stc" "$@"
  assert "$d: no output left behind" test ! -e "$T/bad.stc"
}
bad "invalid UTF-8 (jsonl)" "bad1\\.jsonl:2: field 'text': invalid UTF-8" '{"text": "ok"}\n{"text": "caf\xe9"}\n' bad1.jsonl
bad "missing field" "bad2\\.jsonl:1: field 'body' \\(the text field\\) is missing" '{"text": "x"}\n' bad2.jsonl --text-field body
bad "wrong type" "bad3\\.jsonl:1: field 'text' \\(the text field\\) must be a string, got an array" '{"text": ["x"]}\n' bad3.jsonl
bad "wrong date type" "bad4\\.jsonl:2: field 'when' \\(the date field\\) must be a string or a number, got an object" \
  '{"text": "a", "when": 1}\n{"text": "b", "when": {}}\n' bad4.jsonl --date-field when
bad "invalid JSON" "bad5\\.jsonl:3: invalid JSON near column" '{"text": "a"}\n{"text": "b"}\n{"text": "c"\n' bad5.jsonl
bad "unterminated CSV quote" "bad6\\.csv:3: field 2: unterminated quoted field \\(opened on line 3" \
  'id,text\n1,fine\n2,"never closed\nand more\n' bad6.csv
bad "CSV field count" "bad7\\.csv:2: record has 1 field, the header row has 2" 'id,text\nlonely\n' bad7.csv
bad "CSV missing column" "bad8\\.csv:1: field 'text' \\(the text field\\) is missing: the header row has 'a', 'b'" 'a,b\n1,2\n' bad8.csv
bad "invalid UTF-8 (csv)" "bad9\\.csv:2: field 'text': invalid UTF-8" 'text\n\xff\n' bad9.csv
bad "invalid UTF-8 (text)" "bad10\\.txt:2: invalid UTF-8 at column 3" 'good line\nok\xc0\xafx\n' bad10.txt
bad "empty file" "bad11\\.jsonl: empty file" '' bad11.jsonl
bad "empty csv" "bad12\\.csv: empty file" '' bad12.csv
bad "no documents" "bad13\\.jsonl: no documents" '\n\n' bad13.jsonl
bad "missing id" "bad14\\.jsonl:2: field 'id' \\(the id field\\) is missing" '{"id": "a", "text": "x"}\n{"text": "y"}\n' bad14.jsonl --id-field id
expect_fail "unreadable file" 1 "no-such-file\\.jsonl: cannot open: No such file" \
  $SAETM corpus --input "$T/no-such-file.jsonl" --out "$T/bad.stc"
printf 'this is not gzip data at all' | gzip -c | head -c 20 > "$T/trunc.jsonl.gz"
expect_fail "truncated gzip" 1 "trunc\\.jsonl\\.gz: read error" $SAETM corpus --input "$T/trunc.jsonl.gz" --out "$T/bad.stc"
mkdir -p "$T/emptydir"
expect_fail "directory without .txt" 1 "emptydir: no \\.txt files" $SAETM corpus --input "$T/emptydir" --out "$T/bad.stc"
expect_fail "unwritable output" 1 "cannot create output file" \
  $SAETM corpus --input "$T/docs.jsonl" --out "$T/no-such-dir/x.stc" --tmp-dir "$T"

# --- --skip-bad: errors become counted warnings -------------------------------------------------
printf '{"text": "budget deficit"}\n{"text": 1}\nnot json\n{"text": "tax budget"}\n{"text": "x\xff"}\n' > "$T/mixed.jsonl"
expect_fail "mixed without --skip-bad" 1 "mixed\\.jsonl:2: field 'text'" $SAETM corpus --input "$T/mixed.jsonl" --out "$T/m.stc"
check "mixed with --skip-bad" $SAETM corpus --input "$T/mixed.jsonl" --out "$T/m.stc" --skip-bad --min-df 1
assert "skip-bad summary" grep -q "^corpus: 2 documents" "$T/.out"
assert "skip-bad warning names line 3" grep -q "warning: skipped: .*mixed.jsonl:3: invalid JSON" "$T/.err"
assert "skip-bad warning names line 5" grep -q "warning: skipped: .*mixed.jsonl:5: field 'text': invalid UTF-8" "$T/.err"
assert "skip-bad count" grep -q "warning: 3 bad records left out" "$T/.err"

# --- usage errors: exit 2 ------------------------------------------------------------------------
expect_fail "no input" 2 "--input is required" $SAETM corpus --out "$T/x.stc"
expect_fail "no output" 2 "--out is required" $SAETM corpus --input "$T/docs.jsonl"
expect_fail "bad format" 2 "--format must be" $SAETM corpus --input "$T/docs.jsonl" --out "$T/x.stc" --format xml
expect_fail "bad preprocess" 2 "--preprocess must be" $SAETM corpus --input "$T/docs.jsonl" --out "$T/x.stc" --preprocess lots
expect_fail "bad max-df" 2 "max_df must be > 0" $SAETM corpus --input "$T/docs.jsonl" --out "$T/x.stc" --max-df 0
expect_fail "bad min-df" 2 "--min-df: expected an integer in \[0, 4294967295\], got .-1." $SAETM corpus --input "$T/docs.jsonl" --out "$T/x.stc" --min-df -1
report
