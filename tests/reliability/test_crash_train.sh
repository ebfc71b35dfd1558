#!/bin/bash
# Crash safety of `saetm train`: SIGKILL at random points of training, six times; after each kill
# whatever exists under a final name (model, checkpoint) is complete and verifies, `--resume`
# continues from the last checkpoint, and the model finally written equals, byte for byte, an
# uninterrupted run with the same seed; no temporary file is left once a run has completed.
# Uses the release binary to keep the test short: only the process dying matters here (the SAE's
# own tests run resume under the sanitizers).
source "$ROOT/tests/lib.sh"
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
check "uninterrupted reference run" $B train -q "${opts[@]}" --out "$T/ref.saem"
out=$T/model.saem ck=$T/model.ckpt
resumed=0; kills=0; step=0
RANDOM=42
for round in 1 2 3 4 5 6; do
  log=$T/log.$round
  if [ -f "$ck" ]; then
    $B train --emb "$T/syn/emb.npy" --threads 2 --resume "$ck" --checkpoint "$ck" --checkpoint-every 20 \
      --out "$out" >"$log" 2>&1 &
    resumed=$((resumed + 1))
  else
    $B train "${opts[@]}" --checkpoint "$ck" --checkpoint-every 20 --out "$out" >"$log" 2>&1 &
  fi
  pid=$!
  # Kill at a random step between here and 90% of the rest (the log prints a line per epoch;
  # polling every 10 ms adds jitter, so kills also land inside checkpoint writes).
  target=$(( step + 1 + RANDOM % ((total - step) * 9 / 10 + 1) ))
  for _ in $(seq 3000); do
    s=$(grep -oE 'step [0-9]+/' "$log" 2>/dev/null | tail -1 | tr -dc 0-9)
    [ -n "$s" ] && [ "$s" -ge "$target" ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.01
  done
  if kill -9 $pid 2>/dev/null; then kills=$((kills + 1)); fi
  wait $pid 2>/dev/null
  # Whatever exists under a final name is complete and verifies.
  for f in "$out" "$ck"; do
    [ -e "$f" ] && check "round $round: $(basename "$f") complete after SIGKILL near step $target" $B inspect "$f"
  done
  [ -e "$out" ] && break # finished before the kill
  # The step the next run resumes from (the last checkpoint).
  s=$($B inspect "$ck" 2>/dev/null >/dev/null && grep -oE 'step [0-9]+/' "$log" | tail -1 | tr -dc 0-9)
  step=${s:-$step}
done
assert "at least 4 runs were killed ($kills)" test $kills -ge 4
assert "resumed from a checkpoint at least 3 times ($resumed)" test $resumed -ge 3
assert "a resumed run said so" grep -q "resumed" "$T"/log.*
check "final run resumes and completes" $B train --emb "$T/syn/emb.npy" --threads 2 --resume "$ck" \
  --checkpoint "$ck" --checkpoint-every 20 --out "$out"
check "resumed model equals the uninterrupted one byte for byte" cmp "$T/ref.saem" "$out"
assert "no temporary files left behind ($(ls "$T" | grep -c '\.tmp\.'))" test "$(ls "$T" | grep -c '\.tmp\.')" -eq 0
report
