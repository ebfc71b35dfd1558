#!/bin/bash
# Crash safety of `saetm fit`: SIGKILL at random points of the whole pipeline (corpus, SAE
# training with checkpoints, encoding, interpretation, topics), six times, continuing each time
# with `saetm fit --resume`. After each kill every file under its final name in the model
# directory is complete (binary files verify, JSON parses); the run finally completed with
# --resume writes the same files, byte for byte, as an uninterrupted run with the same seed; no
# checkpoint or temporary file is left. Kill points (crash_lib.sh): rounds 1, 2 and 4 wait for a
# new SAE checkpoint, round 5 for the finished SAE (so the later stages get killed), rounds 3
# and 6 kill at a random time from launch; each then sleeps a random fraction of the
# uninterrupted run's duration. Rounds 2 and 3 therefore start from a checkpoint whatever the
# machine's load (a random kill early on could let training finish when the reference run was
# timed on a busier machine). Release binary, as in test_crash_train.sh.
source "$ROOT/tests/lib.sh"
source "$ROOT/tests/reliability/crash_lib.sh"
B=${SAETM_RELEASE:-$SAETM}
check "synthetic corpus" $B synth -q --docs 1500 --topics 8 --vocab 400 --dim 32 --seed 3 --out "$T/syn"
opts=(--input "$T/syn/docs.jsonl" --emb "$T/syn/emb.npy" --preprocess none --min-df 1 --max-df 1.0
      --features 256 --sae-k 8 --batch 128 --steps 2400 --k 6 --em-max-iter 50 --space hellinger
      --checkpoint-every 20 --threads 2 --seed 5)
files=(corpus.stc sae.saem acts.sac interp.sti top_words.txt topics.json doc_topics.npy topic_word.npy)
t0=$(now_s)
check "uninterrupted reference run" $B fit -q "${opts[@]}" --out "$T/ref"
D=$(awk -v a="$t0" -v b="$(now_s)" 'BEGIN { print b - a }')
M=$T/model ck=$T/model/sae.ckpt
kills=0; resumed_ckpt=0
RANDOM=7
for round in 1 2 3 4 5 6; do
  ino=$(inode "$ck") sino=$(inode "$M/sae.saem")
  [ -f "$ck" ] && resumed_ckpt=$((resumed_ckpt + 1))
  $B fit "${opts[@]}" --resume --out "$M" >"$T/log.$round" 2>&1 &
  pid=$!
  case $round in
    1|2|4) wait_new "$ck" "$ino" $pid; random_sleep "$D" 0.03 ;;
    5) wait_new "$M/sae.saem" "$sino" $pid; random_sleep "$D" 0.15 ;;
    *) random_sleep "$D" 0.3 ;;
  esac
  kill_now $pid && kills=$((kills + 1))
  # Every file under a final name is complete.
  for f in "$M"/*; do
    case $f in
      *.tmp|*.tmp.*) ;;
      *.json) check "round $round: $(basename "$f") parses after SIGKILL" $PY -c "import json,sys; json.load(open(sys.argv[1]))" "$f" ;;
      *.stc|*.saem|*.sac|*.sti|*.ckpt|*.npy) check "round $round: $(basename "$f") verifies after SIGKILL" $B inspect "$f" ;;
    esac
  done
done
assert "at least 4 runs were killed ($kills)" test $kills -ge 4
assert "continued from an SAE checkpoint at least twice ($resumed_ckpt)" test $resumed_ckpt -ge 2
assert "a resumed run said so" grep -q "continuing the SAE training saved in" "$T"/log.*
check "final run with --resume completes" $B fit -q "${opts[@]}" --resume --out "$M"
for f in "${files[@]}"; do
  check "$f equals the uninterrupted run's" cmp "$T/ref/$f" "$M/$f"
done
check "params.json parses" $PY -c "import json,sys; json.load(open(sys.argv[1]))" "$M/params.json"
assert "no checkpoint left once the SAE is saved" test ! -e "$ck"
assert "no temporary files left behind ($(count_tmp "$M"))" test "$(count_tmp "$M")" -eq 0
# --resume with other settings is refused, naming the field.
expect_fail "--resume with another --sae-k is refused" 2 "trained with another k" \
  $B fit "${opts[@]}" --sae-k 9 --resume --out "$M"
report
