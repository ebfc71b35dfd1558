#!/bin/bash
# Disk full and unwritable output through the commands: each writer fails with a clear message
# (exit 1, naming the file and the system's reason) and leaves no file under the final name and
# no temporary file. Disk full is simulated with the file size limit (ulimit -f, SIGXFSZ
# ignored: writes then fail with EFBIG just as they fail with ENOSPC on a full disk); where this
# process may mount a small tmpfs, a real full file system is tested too.
source "$ROOT/tests/lib.sh"
$PY - "$T/docs.jsonl" <<'PY'
import sys, random
random.seed(1)
words = ["economy", "taxes", "budget", "army", "peace", "treaty", "school", "teacher", "trade", "farm"]
with open(sys.argv[1], "w") as f:
    for i in range(3000):
        f.write('{"text": "%s"}\n' % " ".join(random.choice(words) for _ in range(30)))
PY
# no_leftovers DIR NAME: neither DIR/NAME nor DIR/NAME.tmp.* exists.
no_leftovers() { [ ! -e "$1/$2" ] && [ -z "$(ls -a "$1" | grep -F "$2.tmp.")" ]; }

mkdir -p "$T/lim"
expect_fail "corpus: file size limit" 1 "File too large" \
  bash -c "trap '' XFSZ; ulimit -f 8; exec \"\$@\"" _ $SAETM corpus -q --input "$T/docs.jsonl" --min-df 1 \
  --out "$T/lim/corpus.stc" --tmp-dir "$T/lim"
assert "corpus: nothing left after the failed write" no_leftovers "$T/lim" corpus.stc
expect_fail "corpus: missing output directory" 1 "nope.*No such file or directory" \
  $SAETM corpus -q --input "$T/docs.jsonl" --min-df 1 --out "$T/nope/corpus.stc"
touch "$T/afile"
expect_fail "corpus: output directory is a file" 1 "afile.*Not a directory" \
  $SAETM corpus -q --input "$T/docs.jsonl" --min-df 1 --out "$T/afile/corpus.stc"
if [ "$(id -u)" -ne 0 ]; then
  mkdir -p "$T/ro" && chmod 555 "$T/ro"
  expect_fail "corpus: read-only output directory" 1 "ro.*Permission denied" \
    $SAETM corpus -q --input "$T/docs.jsonl" --min-df 1 --out "$T/ro/corpus.stc"
fi

# A real full file system, where a tmpfs can be mounted (root in a privileged environment).
mkdir -p "$T/small"
if mount -t tmpfs -o size=64k tmpfs "$T/small" 2>/dev/null; then
  expect_fail "corpus: full tmpfs" 1 "No space left on device" \
    $SAETM corpus -q --input "$T/docs.jsonl" --min-df 1 --out "$T/small/corpus.stc" --tmp-dir "$T"
  assert "corpus: nothing left on the full tmpfs" no_leftovers "$T/small" corpus.stc
  umount "$T/small"
else
  echo "SKIP real full file system: cannot mount a tmpfs here (the file size limit cases above ran)"
fi
report
