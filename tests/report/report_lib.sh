# report_lib.sh - helpers for the trends/report tests (sourced, not run): a test model directory,
# and checks of an HTML page the way a user's browser sees it, offline, with headless Chromium.
#
#   make_test_model DIR       tests/report/make_model.py's files + DIR/corpus.stc from `saetm corpus`
#   page_static_ok FILE       well-formed XML, no scripts, no external resources
#   page_render FILE PNG LOG  render FILE in headless Chromium: screenshot to PNG, browser log to LOG
#   png_nonblank PNG          the screenshot has content (see png_check.py)
# (scripts/screenshot.sh runs Chromium: fresh profile, no sandbox as root, nothing network-facing.)

page_static_ok() {
  $PY - "$1" <<'EOF'
import re, sys, xml.etree.ElementTree as ET
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
body = text.split("\n", 1)[1] if text.startswith("<!DOCTYPE html>") else None
if body is None:
    sys.exit("no <!DOCTYPE html> first line")
root = ET.fromstring(body)            # raises on any unclosed tag, stray '<' or '&', bad entity
ns = "{http://www.w3.org/2000/svg}"
bad = []
for el in root.iter():
    tag = el.tag.replace(ns, "")
    if tag in ("script", "link", "img", "iframe", "object", "embed", "base", "image", "use", "foreignObject"):
        bad.append("element <%s>" % tag)
    for k, v in el.attrib.items():
        if k.lower().startswith("on"):
            bad.append("event attribute %s" % k)
        if k in ("href", "src", "{http://www.w3.org/1999/xlink}href") and not v.startswith("#"):
            bad.append("external reference %s=%s" % (k, v))
if re.search(r"url\(|@import|@font-face", text):
    bad.append("CSS loads a resource")
if bad:
    sys.exit("; ".join(sorted(set(bad))))
EOF
}

page_render() { bash "$ROOT/scripts/screenshot.sh" "$1" "$2" >"$3" 2>&1; }

# Console messages (console.* calls, uncaught errors, CSP/mixed-content warnings) show up in the
# browser log as lines with ":CONSOLE".
console_lines() { grep -a ':CONSOLE' "$1" || true; }

png_nonblank() { $PY "$ROOT/tests/report/png_check.py" "$1"; }

make_test_model() {
  $PY "$ROOT/tests/report/make_model.py" "$1" &&
    $SAETM corpus -q --input "$1/docs.jsonl" --id-field id --date-field date --group-field group \
      --min-df 2 --max-df 1 --out "$1/corpus.stc"
}
