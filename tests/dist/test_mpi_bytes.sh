# test_mpi_bytes.sh - the same bytes at any process count (docs/distributed.md, "Same bytes at
# any process count"): train (every architecture), encode, interpret (from activations, and from
# the SAE and the embeddings), topics, fit with a given SAE, fit that trains its SAE, and fit on
# raw text with the built-in embedder write identical files under mpirun -np 1, 2 and 3 (and at
# 2 threads) as one plain process.
source "$ROOT/tests/dist/mpi_lib.sh"
# same_dir A B: every file of two model directories identical, params.json up to its timings and
# the path of the embeddings (fit on raw text writes them into its own output directory).
same_dir() {
  local f b ok=0
  for f in "$1"/*; do
    b=$(basename "$f")
    if [ "$b" = params.json ]; then
      cmp -s <(grep -v -E '"seconds_|"emb":' "$f") <(grep -v -E '"seconds_|"emb":' "$2/$b") || { echo "differs: $b" >&2; ok=1; }
    else
      cmp -s "$f" "$2/$b" || { echo "differs: $b" >&2; ok=1; }
    fi
  done
  [ "$(ls "$1" | wc -l)" -eq "$(ls "$2" | wc -l)" ] || { echo "different file lists" >&2; ok=1; }
  return $ok
}
check "synth" $S synth --out "$T/syn" --docs 600 --topics 6 --vocab 300 --dim 16 --doc-len 40 -q --seed 3
check "corpus" $S corpus --input "$T/syn/docs.jsonl" --out "$T/c.stc" --preprocess none -q
TA="--emb $T/syn/emb.npy --features 48 --k 3 --batch 64 --steps 60 -q"
check "sae" $S train $TA --out "$T/s.saem"
# Training: exact gradient and loss sums (src/sae/sae_grad.c), so the split of each batch's rows
# over the processes does not show in the bytes. 60 steps of 64 rows: features die (the auxiliary
# loss runs) and BatchTopK's selection crosses the processes' shares.
# (mpirun's start-up is most of this test's time: the per-row architectures run at np 3 only.)
for arch in batchtopk jumprelu topk relu-l1; do
  check "train $arch, 1 process" $S train $TA --arch $arch --out "$T/s-$arch.saem"
  check "train $arch, 1 process, 2 threads" $S train $TA --arch $arch --out "$T/s-$arch-t2.saem" --threads 2
  assert "train $arch: 2 threads, the same bytes" cmp -s "$T/s-$arch.saem" "$T/s-$arch-t2.saem"
  case $arch in batchtopk) nps="1 2 3" ;; jumprelu) nps="2 3" ;; *) nps=3 ;; esac
  for np in $nps; do
    check "train $arch, mpirun -np $np" mpi $np $S train $TA --arch $arch --out "$T/s-$arch-$np.saem"
    assert "train $arch, np $np: the same bytes" cmp -s "$T/s-$arch.saem" "$T/s-$arch-$np.saem"
  done
done
check "train, mpirun -np 2, 2 threads each" mpi 2 $S train $TA --out "$T/s2t2.saem" --threads 2
assert "train, np 2 x 2 threads: the same bytes" cmp -s "$T/s.saem" "$T/s2t2.saem"
# A checkpoint written by 3 processes, resumed by one: the uninterrupted one-process bytes.
check "train with a checkpoint at step 20, mpirun -np 3" mpi 3 $S train $TA --out "$T/ck3.saem" --checkpoint-every 20 --checkpoint "$T/ck3.ckpt"
check "resume it in one process" $S train --emb "$T/syn/emb.npy" --resume "$T/ck3.ckpt" --out "$T/res1.saem" -q
assert "resumed at another process count = uninterrupted one process" cmp -s "$T/s.saem" "$T/res1.saem"
check "encode, 1 process" $S encode --sae "$T/s.saem" --emb "$T/syn/emb.npy" --out "$T/a.sac" -q
check "interpret, 1 process" $S interpret --acts "$T/a.sac" --corpus "$T/c.stc" --out "$T/i.sti" -q
check "interpret, 1 process, 2 threads" $S interpret --acts "$T/a.sac" --corpus "$T/c.stc" --out "$T/i-t2.sti" -q --threads 2
assert "interpret: 2 threads, the same bytes" cmp -s "$T/i.sti" "$T/i-t2.sti"
check "topics, 1 process" $S topics --interp "$T/i.sti" --k 4 --space hellinger --out "$T/t" -q
FS="--input $T/syn/docs.jsonl --emb $T/syn/emb.npy --preprocess none --sae $T/s.saem --k 4 -q"
check "fit --sae, 1 process" $S fit $FS --out "$T/m"
FT="--input $T/syn/docs.jsonl --emb $T/syn/emb.npy --preprocess none --features 48 --sae-k 3 --batch 64 --steps 60 --k 4 -q"
check "fit (training), 1 process" $S fit $FT --out "$T/mt"
# Raw text: the built-in embedder, then training, on 120 of the documents (seconds under ASan).
head -120 "$T/syn/docs.jsonl" > "$T/raw.jsonl"
FR="--input $T/raw.jsonl --preprocess none --features 32 --sae-k 3 --batch 32 --steps 30 --k 3 --space hellinger -q"
check "fit on raw text, 1 process" $S fit $FR --out "$T/mr"
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
  [ $np = 1 ] && continue # (np 1 under mpirun: the fits with --sae and the training above)
  check "fit (training), mpirun -np $np" mpi $np $S fit $FT --out "$T/mt$np"
  assert "fit (training), np $np: every file the same (sae.saem, doc_topics.npy, topic_word.npy, top_words.txt, ...)" \
    same_dir "$T/mt" "$T/mt$np"
  check "fit on raw text, mpirun -np $np" mpi $np $S fit $FR --out "$T/mr$np"
  assert "fit on raw text, np $np: every file the same (emb.npy, sae.saem, ...)" same_dir "$T/mr" "$T/mr$np"
done
assert "fit (training) wrote the files compared" bash -c "for f in sae.saem doc_topics.npy topic_word.npy top_words.txt; do test -s '$T/mt/'\$f || exit 1; done"
assert "fit on raw text wrote its embeddings" test -s "$T/mr/emb.npy"
# The EM's sums are exact, so they do not depend on the split; the NLL history (f64) too.
check "interpret with a learned pi and the unigram background, np 1 and 3" bash -c "
  '$S' interpret --acts '$T/a.sac' --corpus '$T/c.stc' --out '$T/il.sti' -q --learn-pi --background unigram &&
  ASAN_OPTIONS=detect_leaks=0 timeout 120 mpirun -np 3 --oversubscribe '$S' interpret --acts '$T/a.sac' --corpus '$T/c.stc' \
    --out '$T/il3.sti' -q --learn-pi --background unigram && cmp '$T/il.sti' '$T/il3.sti'"
report
