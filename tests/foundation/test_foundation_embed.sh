# test_foundation_embed.sh - the embedding stage of scripts/build-foundation-sae.sh (docs/foundation.md)
# on a tiny corpus: shards are embedded atomically (a failing or killed embed leaves no shard file),
# a rerun embeds only the missing shards and gives the same bytes, a changed corpus starts afresh,
# shards embedded two at a time or under mpirun equal the sequential ones. No package is read or
# installed (FOUNDATION_DEPS=0; the corpus is given).
source "$ROOT/tests/lib.sh"
S="$SAETM"
O="$T/f"
mkdir -p "$O"
$PY - "$O/foundation.jsonl" <<'PY'
import json, sys
topics = ["The kernel schedules each thread on a processor and keeps a queue of runnable tasks.",
          "Bake the bread in a hot oven until the crust is brown and the kitchen smells of flour.",
          "The team scored a late goal and the coach praised the players after the match.",
          "The band played the old song again and the singer thanked the crowd for coming."]
with open(sys.argv[1], "w") as f:
    for i in range(22):
        f.write(json.dumps({"id": "d%d" % i, "text": "%s Entry %d." % (topics[i % 4], i), "group": "t"}) + "\n")
PY
build() { env FOUNDATION_OUT="$O" FOUNDATION_DEPS=0 FOUNDATION_SHARDS=4 FOUNDATION_UNTIL=embed SAETM="$S" "$@" \
  bash "$ROOT/scripts/build-foundation-sae.sh"; }
rows() { $PY -c 'import sys, numpy as np; print(np.load(sys.argv[1]).shape[0])' "$1"; }

check "embed 4 shards" build
assert "4 shard files" test "$(ls "$O"/shards/shard-*.npy | wc -l)" -eq 4
assert "shard 1 has 6 rows (documents 1, 5, ..., 21)" test "$(rows "$O/shards/shard-1.npy")" -eq 6
assert "shard 3 has 5 rows" test "$(rows "$O/shards/shard-3.npy")" -eq 5
assert "one timing line per shard" test "$(wc -l < "$O/shards/times.tsv")" -eq 4
assert "no temporary file left" test -z "$(ls "$O"/shards | grep tmp)"
mkdir -p "$T/ref" && cp "$O"/shards/shard-*.npy "$T/ref/"

# resume: shard 2 lost, a half-written temporary of a killed run left: only shard 2 is embedded again
rm "$O/shards/shard-2.npy"; head -c 100 "$T/ref/shard-2.npy" > "$O/shards/shard-2.tmp999.npy"
touch -d '2001-01-01' "$O/shards/shard-0.npy"
check "resume" build
assert "the other shards are not redone" test "$(stat -c %Y "$O/shards/shard-0.npy")" = "$(date -d 2001-01-01 +%s)"
assert "shard 2 embedded again, one more timing line" test "$(wc -l < "$O/shards/times.tsv")" -eq 5
assert "the rerun gives the same bytes" cmp -s "$O/shards/shard-2.npy" "$T/ref/shard-2.npy"
assert "the half file is gone" test ! -e "$O/shards/shard-2.tmp999.npy"

# an embed that dies after writing part of its output leaves no shard file; the next run completes
cat > "$T/dying" <<'SH'
#!/bin/bash
while [ $# -gt 0 ]; do [ "$1" = --out ] && { head -c 50 /dev/zero > "$2"; echo '{}' > "$2.json"; }; shift; done
kill -9 $$
SH
chmod +x "$T/dying"
rm "$O/shards/shard-3.npy"
expect_fail "a killed embed fails the stage" 1 "a shard failed; rerun to resume" env SAETM="$T/dying" bash -c \
  'FOUNDATION_OUT="$0" FOUNDATION_DEPS=0 FOUNDATION_SHARDS=4 FOUNDATION_UNTIL=embed bash "$1"' "$O" "$ROOT/scripts/build-foundation-sae.sh"
assert "no shard file from the killed embed" test ! -e "$O/shards/shard-3.npy"
check "rerun after the kill" build
assert "shard 3 complete, same bytes" cmp -s "$O/shards/shard-3.npy" "$T/ref/shard-3.npy"

# two shards at a time, and under mpirun: the same bytes
rm "$O"/shards/shard-*.npy
check "two shards at a time" build FOUNDATION_JOBS=2
for i in 0 1 2 3; do assert "shard $i, 2 jobs: same bytes" cmp -s "$O/shards/shard-$i.npy" "$T/ref/shard-$i.npy"; done
rm "$O/shards/shard-1.npy"
check "a shard under mpirun -np 2" build FOUNDATION_NP=2 ASAN_OPTIONS=detect_leaks=0 OMPI_MCA_btl_vader_single_copy_mechanism=none
assert "shard 1, mpirun -np 2: same bytes" cmp -s "$O/shards/shard-1.npy" "$T/ref/shard-1.npy"

# a different corpus: the shards are redone from scratch
echo '{"id": "x", "text": "One more document about the kernel and its queue of runnable tasks.", "group": "t"}' >> "$O/foundation.jsonl"
check "changed corpus" build
assert "the change was noticed" grep -q "embedding afresh" "$T/.err"
assert "shard 2 now has 6 rows" test "$(rows "$O/shards/shard-2.npy")" -eq 6
report
