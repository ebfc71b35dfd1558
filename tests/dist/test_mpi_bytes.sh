# test_mpi_bytes.sh - the same bytes at any process count (docs/distributed.md, "Same bytes at
# any process count"): embed, encode, interpret (from activations, and from the SAE and the
# embeddings), topics and fit with a given SAE write identical files under mpirun -np 1, 2 and 3
# (and at 2 threads) as one plain process. SAE training is not byte-exact across process counts
# (its gradient sums are float sums of each process's rows): test_mpi.sh checks it within 1e-5,
# and this file asserts that it is not byte-identical, so that the docs' table stays true.
source "$ROOT/tests/dist/mpi_lib.sh"
# same_dir A B: every file of two model directories identical, params.json up to its timings.
same_dir() {
  local f b ok=0
  for f in "$1"/*; do
    b=$(basename "$f")
    if [ "$b" = params.json ]; then
      cmp -s <(grep -v '"seconds_' "$f") <(grep -v '"seconds_' "$2/$b") || { echo "differs: $b" >&2; ok=1; }
    else
      cmp -s "$f" "$2/$b" || { echo "differs: $b" >&2; ok=1; }
    fi
  done
  [ "$(ls "$1" | wc -l)" -eq "$(ls "$2" | wc -l)" ] || { echo "different file lists" >&2; ok=1; }
  return $ok
}
check "synth" $S synth --out "$T/syn" --docs 600 --topics 6 --vocab 300 --dim 16 --doc-len 40 -q --seed 3
check "corpus" $S corpus --input "$T/syn/docs.jsonl" --out "$T/c.stc" --preprocess none -q
check "sae" $S train --emb "$T/syn/emb.npy" --out "$T/s.saem" --features 48 --k 3 --batch 64 --steps 60 -q
check "encode, 1 process" $S encode --sae "$T/s.saem" --emb "$T/syn/emb.npy" --out "$T/a.sac" -q
check "interpret, 1 process" $S interpret --acts "$T/a.sac" --corpus "$T/c.stc" --out "$T/i.sti" -q
check "interpret, 1 process, 2 threads" $S interpret --acts "$T/a.sac" --corpus "$T/c.stc" --out "$T/i-t2.sti" -q --threads 2
assert "interpret: 2 threads, the same bytes" cmp -s "$T/i.sti" "$T/i-t2.sti"
check "topics, 1 process" $S topics --interp "$T/i.sti" --k 4 --space hellinger --out "$T/t" -q
FS="--input $T/syn/docs.jsonl --emb $T/syn/emb.npy --preprocess none --sae $T/s.saem --k 4 -q"
check "fit --sae, 1 process" $S fit $FS --out "$T/m"
for np in 1 2 3; do
  check "encode, mpirun -np $np" mpi $np $S encode --sae "$T/s.saem" --emb "$T/syn/emb.npy" --out "$T/a$np.sac" -q
  assert "encode, np $np: the same bytes" cmp -s "$T/a.sac" "$T/a$np.sac"
  check "interpret, mpirun -np $np" mpi $np $S interpret --acts "$T/a.sac" --corpus "$T/c.stc" --out "$T/i$np.sti" -q
  assert "interpret, np $np: the same bytes" cmp -s "$T/i.sti" "$T/i$np.sti"
  check "interpret --sae --emb, mpirun -np $np, 2 threads each" mpi $np $S interpret --sae "$T/s.saem" \
    --emb "$T/syn/emb.npy" --corpus "$T/c.stc" --out "$T/ie$np.sti" -q --threads 2
  assert "interpret with its encoding, np $np: the same bytes" cmp -s "$T/i.sti" "$T/ie$np.sti"
  check "topics from the np $np interpretation" $S topics --interp "$T/i$np.sti" --k 4 --space hellinger --out "$T/t$np" -q
  assert "topics, np $np: the same files" same_dir "$T/t" "$T/t$np"
  check "fit --sae, mpirun -np $np" mpi $np $S fit $FS --out "$T/m$np"
  assert "fit --sae, np $np: every file the same (params.json up to timings)" same_dir "$T/m" "$T/m$np"
done
# The EM's sums are exact, so they do not depend on the split; the NLL history (f64) too.
check "interpret with a learned pi and the unigram background, np 1 and 3" bash -c "
  '$S' interpret --acts '$T/a.sac' --corpus '$T/c.stc' --out '$T/il.sti' -q --learn-pi --background unigram &&
  ASAN_OPTIONS=detect_leaks=0 timeout 120 mpirun -np 3 --oversubscribe '$S' interpret --acts '$T/a.sac' --corpus '$T/c.stc' \
    --out '$T/il3.sti' -q --learn-pi --background unigram && cmp '$T/il.sti' '$T/il3.sti'"
# Training is the exception (docs/distributed.md): the 2-process SAE is close to, not equal to,
# the 1-process one. If this starts to pass byte-for-byte, update the docs and this test.
check "train, mpirun -np 2" mpi 2 $S train --emb "$T/syn/emb.npy" --out "$T/s2.saem" --features 48 --k 3 --batch 64 --steps 60 -q
assert "train, np 2: not claimed byte-exact (it differs in the last bits)" bash -c "! cmp -s '$T/s.saem' '$T/s2.saem'"
report
