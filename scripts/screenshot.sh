#!/bin/bash
# screenshot.sh PAGE.html OUT.png [WIDTH,HEIGHT] - render a local HTML page with Debian's headless
# Chromium and save a screenshot (default window 1200,2400). Offline: a fresh profile, no
# background networking, sync or component updates. The browser's log (including console
# messages, as lines with ":CONSOLE") goes to stderr. Used for docs/report.png and by the tests.
set -u
page="$1" out="$2" size="${3:-1200,2400}"
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$chromium" ]; then echo "screenshot.sh: chromium not found (scripts/install-deps.sh installs it)" >&2; exit 1; fi
[ -f "$page" ] || { echo "screenshot.sh: $page: no such file" >&2; exit 1; }
profile=$(mktemp -d "${TMPDIR:-/tmp}/saetm-chromium.XXXXXX")
trap 'rm -rf "$profile"' EXIT
rm -f "$out"
# --no-sandbox: Chromium refuses to start as root with its sandbox; the page is a local file we wrote.
timeout 90 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --disable-extensions --hide-scrollbars \
  --user-data-dir="$profile" --enable-logging=stderr --v=0 --window-size="$size" \
  --screenshot="$(readlink -f "$(dirname "$out")")/$(basename "$out")" "file://$(readlink -f "$page")" >&2
rc=$?
[ $rc -eq 0 ] && [ -s "$out" ] || { echo "screenshot.sh: chromium failed (exit $rc) or wrote no screenshot" >&2; exit 1; }
