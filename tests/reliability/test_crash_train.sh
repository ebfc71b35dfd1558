#!/bin/bash
# Crash safety of `saetm train`: SIGKILL at random points of training, six times; after each kill
# whatever exists under a final name (model, checkpoint) is complete and verifies, `--resume`
# continues from the last checkpoint, and the model finally written equals, byte for byte, an
# uninterrupted run with the same seed; no temporary file is left once a run has completed.
# Kill points (crash_lib.sh): odd rounds wait for a new checkpoint, then a random delay of up to
# 5% of the uninterrupted run; even rounds kill at a random time from launch. So every odd round
# makes progress, kills also land inside checkpoint writes, and the test does not depend on the
# machine's speed or load.
# Uses the release binary to keep the test short: only the process dying matters here (the SAE's
# own tests run resume under the sanitizers).
source "$ROOT/tests/lib.sh"
source "$ROOT/tests/reliability/crash_lib.sh"
B=${SAETM_RELEASE:-$SAETM}
mkdir -p "$T/syn"
$PY -c "
import numpy as np
r = np.random.default_rng(1)
c = r.standard_normal((8, 32))
x = c[r.integers(0, 8, 3000)] + 0.1 * r.standard_normal((3000, 32))
np.save('$T/syn/emb.npy', x.astype('f4'))"
assert "synthetic embeddings written" test -f "$T/syn/emb.npy"
total=1500
opts=(--emb "$T/syn/emb.npy" --features 512 --k 8 --batch 128 --steps $total --threads 2 --seed 5)
t0=$(now_s)
check "uninterrupted reference run" $B train -q "${opts[@]}" --out "$T/ref.saem"
D=$(awk -v a="$t0" -v b="$(now_s)" 'BEGIN { print b - a }')
out=$T/model.saem ck=$T/model.ckpt
resumed=0; kills=0
RANDOM=42
for round in 1 2 3 4 5 6; do
  log=$T/log.$round
  ino=$(inode "$ck")
  if [ -f "$ck" ]; then
    $B train --emb "$T/syn/emb.npy" --threads 2 --resume "$ck" --checkpoint "$ck" --checkpoint-every 20 \
      --out "$out" >"$log" 2>&1 &
    resumed=$((resumed + 1))
  else
    $B train "${opts[@]}" --checkpoint "$ck" --checkpoint-every 20 --out "$out" >"$log" 2>&1 &
  fi
  pid=$!
  if [ $((round % 2)) -eq 1 ]; then
    wait_new "$ck" "$ino" $pid
    random_sleep "$D" 0.05
  else
    random_sleep "$D" 0.15
  fi
  kill_now $pid && kills=$((kills + 1))
  # Whatever exists under a final name is complete and verifies.
  for f in "$out" "$ck"; do
    [ -e "$f" ] && check "round $round: $(basename "$f") complete after SIGKILL" $B inspect "$f"
  done
  [ -e "$out" ] && break # finished before the kill
done
assert "at least 4 runs were killed ($kills)" test $kills -ge 4
assert "resumed from a checkpoint at least 3 times ($resumed)" test $resumed -ge 3
assert "a resumed run said so" grep -q "resumed" "$T"/log.*
check "final run resumes and completes" $B train --emb "$T/syn/emb.npy" --threads 2 --resume "$ck" \
  --checkpoint "$ck" --checkpoint-every 20 --out "$out"
check "resumed model equals the uninterrupted one byte for byte" cmp "$T/ref.saem" "$out"
assert "no temporary files left behind ($(count_tmp "$T"))" test "$(count_tmp "$T")" -eq 0
report
