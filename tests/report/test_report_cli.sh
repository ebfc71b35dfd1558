# test_report_cli.sh - `saetm report` on a model directory built with `saetm corpus` and numpy
# (tests/report/make_model.py): content, escaping, scores equal to `saetm eval`, determinism, bad
# input; and the page in headless Chromium: no console messages, a non-blank screenshot. The
# console detector is first shown to catch a planted error, the PNG checker to reject blank images.
source "$ROOT/tests/lib.sh"
source "$ROOT/tests/report/report_lib.sh"
M="$T/model"
check "make the test model" make_test_model "$M"

check "report --help" $SAETM report --help
assert "help lists defaults" grep -q "(default: MODEL/report.html)" "$T/.out"
check "report" $SAETM report --model "$M"
assert "says where" grep -q "wrote $M/report.html" "$T/.out"
P="$M/report.html"
check "well-formed and self-contained" page_static_ok "$P"
assert "topic words" grep -q '<span class="w w1" title="p = 0.[0-9]*">army</span>' "$P"
assert "snippets escaped" grep -q '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;' "$P"
assert "groups escaped" grep -q '<td>Alpha &amp; Co</td>' "$P"
assert "parameters escaped" grep -q 'docs.jsonl &lt;test &amp; &quot;fixture&quot;&gt;' "$P"
assert "map drawn" grep -q '<circle ' "$P"
assert "rising topic 0 first" bash -c "sed -n '/Rising most/,/Falling most/p' '$P' | grep -m1 'href=\"#topic-' | grep -q 'topic-0'"
assert "falling topic 1 first" bash -c "sed -n '/Falling most/,\$p' '$P' | grep -m1 'href=\"#topic-' | grep -q 'topic-1'"
assert "bad dates counted" grep -q "Left out: 10 without a date, 10 with a date in an unknown form" "$P"
$SAETM eval -q --model "$M" --json > "$T/eval.json"
check "report shows saetm eval's scores" $PY - "$T/eval.json" "$P" <<'PYEOF'
import json, re, sys
ev = json.load(open(sys.argv[1]))
page = open(sys.argv[2]).read()
for name, key in (("NPMI (mean over topics)", "npmi"), ("C_V (mean over topics)", "c_v"), ("topic diversity", "diversity")):
    want = "%s</td><td class=\"n\">%.4f</td>" % (name, ev[key])
    assert want in page, (want, re.findall(re.escape(name) + r".{0,40}", page))
for t in ev["topics"]:
    cell = "<td class=\"n\">%.3f</td><td class=\"n\">%.3f</td>" % (t["npmi"], t["c_v"])
    row = re.search(r'<tr id="topic-%d">.*?</tr>' % t["id"], page).group(0)
    assert cell in row, (cell, row)
print("ok")
PYEOF
check "report again" $SAETM report -q --model "$M" --out "$T/again.html"
assert "same bytes" cmp -s "$P" "$T/again.html"
check "report --bin decade --title" $SAETM report -q --model "$M" --bin decade --title 'A <b>&</b> "title"' --out "$T/dec.html"
assert "title escaped" grep -q '<title>A &lt;b&gt;&amp;&lt;/b&gt; &quot;title&quot;</title>' "$T/dec.html"
assert "decade bins" grep -q "4 time bins (one per decade, from 1900s to 1930s)" "$T/dec.html"

expect_fail "no --model" 2 "--model is required" $SAETM report
expect_fail "bad --bin" 2 "--bin expects" $SAETM report --model "$M" --bin x
expect_fail "--top 1" 2 "--top must be at least 2" $SAETM report --model "$M" --top 1
expect_fail "missing directory" 1 "cannot open" $SAETM report --model "$T/nope"
expect_fail "unwritable output" 1 "cannot create" $SAETM report --model "$M" --out "$T/no/such/dir/r.html"
mkdir -p "$T/plain"; cp "$M/doc_topics.npy" "$M/top_words.txt" "$T/plain/"
check "corpus without dates or groups" $SAETM corpus -q --input "$M/docs.jsonl" --min-df 2 --max-df 1 --out "$T/plain/corpus.stc"
check "report without dates, groups, topic_word, params" $SAETM report -q --model "$T/plain"
assert "says the corpus has no dates" grep -q "The corpus has no dates" "$T/plain/report.html"
assert "says there is no map" grep -q "no <code>topic_word.npy</code>" "$T/plain/report.html"
check "plain report well-formed" page_static_ok "$T/plain/report.html"

# The browser. Negative control first: a planted console error must be seen.
printf '<!DOCTYPE html>\n<html><body><p>x</p><script>console.error("planted"); notDefined();</script></body></html>\n' > "$T/bad.html"
check "render the planted-error page" page_render "$T/bad.html" "$T/bad.png" "$T/bad.log"
assert "console detector sees the planted error" grep -q 'CONSOLE.*planted' "$T/bad.log"
assert "console detector sees the uncaught error" grep -q 'CONSOLE.*notDefined' "$T/bad.log"
check "render the report" page_render "$P" "$T/report.png" "$T/report.log"
msgs=$(console_lines "$T/report.log")
assert "no console messages from the report${msgs:+: $msgs}" test -z "$msgs"
check "screenshot shows a rendered page" png_nonblank "$T/report.png"
cat "$T/.out"
$PY -c "
from PIL import Image, ImageDraw
Image.new('RGB', (1200, 2400), 'white').save('$T/blank.png')
im = Image.new('RGB', (1200, 2400), 'white'); ImageDraw.Draw(im).rectangle([0, 0, 1199, 600], fill='black'); im.save('$T/flat.png')"
for f in blank flat; do
  assert "PNG checker rejects a $f image" bash -c "! $PY '$ROOT/tests/report/png_check.py' '$T/$f.png' >/dev/null 2>&1"
done
report
