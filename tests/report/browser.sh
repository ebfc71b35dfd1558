# browser.sh - helpers for report tests (sourced, not run): check an HTML page the way a user's
# browser sees it, offline, with Debian's headless Chromium.
#
#   page_static_ok FILE       well-formed XML, no scripts, no external resources
#   page_render FILE PNG LOG  render FILE in headless Chromium: screenshot to PNG, browser log to LOG
#   png_nonblank PNG          the screenshot has content (see png_check.py)
#
# Chromium runs as root here, so it needs --no-sandbox; every run gets a fresh profile directory and
# no network-facing background services.

CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}

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

page_render() {
  local file="$1" png="$2" log="$3" profile
  [ -x "$CHROMIUM" ] || { echo "chromium not found (scripts/install-deps.sh installs it)" >&2; return 1; }
  profile=$(mktemp -d "$T/chromium-profile.XXXXXX")
  rm -f "$png"
  timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --disable-extensions --hide-scrollbars \
    --user-data-dir="$profile" --enable-logging=stderr --v=0 --window-size=1200,2400 \
    --screenshot="$png" "file://$(readlink -f "$file")" >"$log" 2>&1
  local rc=$?
  rm -rf "$profile"
  return $rc
}

# Console messages (console.* calls, uncaught errors, CSP/mixed-content warnings) show up in the
# browser log as lines with ":CONSOLE".
console_lines() { grep -a ':CONSOLE' "$1" || true; }

png_nonblank() { $PY "$ROOT/tests/report/png_check.py" "$1"; }
