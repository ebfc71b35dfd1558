# test_report_page.sh - the HTML report of the in-memory fixture of test_report.c (hostile strings
# in every field: markup, quotes, invalid UTF-8, control characters) is well-formed XML and
# self-contained; the checker itself rejects pages it must reject. (The browser checks run on the
# report of a real model directory in test_report_cli.sh.)
source "$ROOT/tests/lib.sh"
source "$ROOT/tests/report/report_lib.sh"
UNIT="$ROOT/build/test/tests/report/test_report"

check "write the fixture report" "$UNIT" --write-html "$T/fixture.html"
check "write the minimal report" "$UNIT" --write-html "$T/minimal.html" --no-extras
check "fixture report: well-formed and self-contained" page_static_ok "$T/fixture.html"
check "minimal report: well-formed and self-contained" page_static_ok "$T/minimal.html"

printf '<!DOCTYPE html>\n<html><body><p>a & b</p></body></html>\n' > "$T/amp.html"
printf '<!DOCTYPE html>\n<html><body><p><b>open</p></body></html>\n' > "$T/unclosed.html"
printf '<!DOCTYPE html>\n<html><body><img src="http://example.com/x.png"/></body></html>\n' > "$T/external.html"
printf '<!DOCTYPE html>\n<html><head><style>@font-face{src:url(x.woff)}</style></head><body/></html>\n' > "$T/font.html"
printf '<!DOCTYPE html>\n<html><body><p onclick="x()">x</p></body></html>\n' > "$T/handler.html"
printf '<!DOCTYPE html>\n<html><body><script>1</script></body></html>\n' > "$T/script.html"
for f in amp unclosed external font handler script; do
  assert "static checker rejects $f.html" bash -c "! (source '$ROOT/tests/report/report_lib.sh'; PY=$PY page_static_ok '$T/$f.html') 2>/dev/null"
done
report
