# test_report_page.sh - the HTML report as a browser sees it: well-formed, self-contained, loads in
# headless Chromium without console messages, and renders to a non-blank screenshot. The page is
# the in-memory fixture of test_report.c (hostile strings in every field). The checkers are tested
# on pages that must fail, so a broken checker cannot pass silently.
source "$ROOT/tests/lib.sh"
source "$ROOT/tests/report/browser.sh"
UNIT="$ROOT/build/test/tests/report/test_report"

check "write the fixture report" "$UNIT" --write-html "$T/fixture.html"
check "write the minimal report" "$UNIT" --write-html "$T/minimal.html" --no-extras
check "fixture report: well-formed and self-contained" page_static_ok "$T/fixture.html"
check "minimal report: well-formed and self-contained" page_static_ok "$T/minimal.html"

# The static checker rejects what it must.
printf '<!DOCTYPE html>\n<html><body><p>a & b</p></body></html>\n' > "$T/amp.html"
printf '<!DOCTYPE html>\n<html><body><p><b>open</p></body></html>\n' > "$T/unclosed.html"
printf '<!DOCTYPE html>\n<html><body><img src="http://example.com/x.png"/></body></html>\n' > "$T/external.html"
printf '<!DOCTYPE html>\n<html><head><style>@font-face{src:url(x.woff)}</style></head><body/></html>\n' > "$T/font.html"
for f in amp unclosed external font; do
  assert "static checker rejects $f.html" bash -c "! (source '$ROOT/tests/report/browser.sh'; PY=$PY page_static_ok '$T/$f.html') 2>/dev/null"
done

# Chromium: the console detector sees a deliberate error (negative control) ...
printf '<!DOCTYPE html>\n<html><body><p>x</p><script>console.error("planted"); notDefined();</script></body></html>\n' > "$T/bad.html"
check "render the planted-error page" page_render "$T/bad.html" "$T/bad.png" "$T/bad.log"
assert "console detector sees the planted error" grep -q 'CONSOLE.*planted' "$T/bad.log"
assert "console detector sees the uncaught error" grep -q 'CONSOLE.*notDefined' "$T/bad.log"

# ... and the report has none.
check "render the fixture report" page_render "$T/fixture.html" "$T/fixture.png" "$T/fixture.log"
msgs=$(console_lines "$T/fixture.log")
assert "no console messages from the report${msgs:+: $msgs}" test -z "$msgs"
check "screenshot is a rendered page" png_nonblank "$T/fixture.png"
cat "$T/.out"

# The PNG checker fails on a blank page and on a flat two-colour image (made with PIL, to spare a
# third browser start).
$PY -c "
from PIL import Image, ImageDraw
Image.new('RGB', (1200, 2400), 'white').save('$T/blank.png')
im = Image.new('RGB', (1200, 2400), 'white'); ImageDraw.Draw(im).rectangle([0, 0, 1199, 600], fill='black'); im.save('$T/flat.png')"
for f in blank flat; do
  assert "$f screenshot is rejected" bash -c "! $PY '$ROOT/tests/report/png_check.py' '$T/$f.png' >/dev/null 2>&1"
done
report
