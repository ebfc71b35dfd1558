# test_mpi.sh - data-parallel runs under mpirun (docs/distributed.md): `mpirun -np 2` gives the
# model of one process within float rounding, checkpoints resume under mpirun, a dying or failing
# process stops the whole job with a message instead of hanging. Needs Open MPI (mpi_lib.sh).
source "$ROOT/tests/dist/mpi_lib.sh"
check "built with Open MPI" bash -c "nm '$S' | grep -q ' U MPI_Allreduce\| T MPI_Allreduce' || ldd '$S' | grep -q libmpi"

$PY - "$T" <<'PY'
import sys, numpy as np
t = sys.argv[1]
rng = np.random.default_rng(0)
D = rng.standard_normal((12, 10)); D /= np.linalg.norm(D, axis=1, keepdims=True)
X = (rng.exponential(1.0, (400, 12)) * (rng.random((400, 12)) < 0.2)) @ D + 0.01 * rng.standard_normal((400, 10))
np.save(f'{t}/x.npy', X.astype('f4'))
bad = X.astype('f4').copy(); bad[300, 3] = np.nan   # in rank 1's rows of 2
np.save(f'{t}/nan.npy', bad)
PY
# same_model A B: every section equal, floats within 1e-5 of the largest magnitude.
same_model() { # same_model A B [TOL]: TOL (default 1e-5) relative to the largest magnitude
  $PY - "$1" "$2" "${3:-1e-5}" <<'PY'
import sys
sys.path.insert(0, __import__('os').environ['ROOT'] + '/tests/sae')
import numpy as np
from saetm_file import read_container
ma, va, a = read_container(sys.argv[1]); mb, vb, b = read_container(sys.argv[2])
assert (ma, va, sorted(a)) == (mb, vb, sorted(b)), 'different files'
for k in a:
    x, y = a[k], b[k]
    assert x.shape == y.shape, k
    if x.dtype.kind == 'f':
        tol = float(sys.argv[3]) * max(1.0, float(np.abs(x).max()) if x.size else 1.0)
        d = float(np.abs(x.astype('f8') - y.astype('f8')).max()) if x.size else 0.0
        assert d <= tol, f'{k}: differs by {d:.3g} (tolerance {tol:.3g})'
    else:
        assert np.array_equal(x, y), k
PY
}
A="--features 64 --k 3 --batch 100 --steps 40 -q"
for arch in batchtopk jumprelu; do
  check "train $arch, 1 process" $S train --emb "$T/x.npy" --out "$T/one-$arch.saem" --arch $arch $A
  check "train $arch, mpirun -np 2" mpi 2 $S train --emb "$T/x.npy" --out "$T/two-$arch.saem" --arch $arch $A
  assert "train $arch: 2 processes give the 1-process bytes" cmp -s "$T/one-$arch.saem" "$T/two-$arch.saem"
done
# --init data: rank 0 builds the decoder from the rows and sends it (the others hold only theirs).
check "train --init data, 1 process" $S train --emb "$T/x.npy" --out "$T/one-data.saem" --init data $A
check "train --init data, mpirun -np 2" mpi 2 $S train --emb "$T/x.npy" --out "$T/two-data.saem" --init data $A
check "train --init data: 2 processes give the 1-process model" same_model "$T/one-data.saem" "$T/two-data.saem"
check "train, 3 processes (uneven shards)" mpi 3 $S train --emb "$T/x.npy" --out "$T/three.saem" $A
assert "3 processes give the 1-process bytes" cmp -s "$T/one-batchtopk.saem" "$T/three.saem"

# Checkpoint at step 20 under mpirun, resume under mpirun: the uninterrupted run's bytes.
check "train with checkpoints under mpirun" mpi 2 $S train --emb "$T/x.npy" --out "$T/ck.saem" $A --checkpoint-every 20 --checkpoint "$T/ck.ckpt"
assert "checkpoint written once" test -s "$T/ck.ckpt"
check "resume under mpirun" mpi 2 $S train --emb "$T/x.npy" --out "$T/res.saem" --resume "$T/ck.ckpt" -q
assert "resumed = uninterrupted" cmp -s "$T/ck.saem" "$T/res.saem"

# Failures stop the job: a process that dies mid-training, bad rows on one process only.
SECONDS=0
expect_fail "a dying process stops the job" 137 "rank 1 dies at train step 5" \
  env SAETM_TEST_FAIL=1:train:5 bash -c 'ASAN_OPTIONS=detect_leaks=0 timeout 120 mpirun -np 2 --oversubscribe "$@"; rc=$?; [ $rc -eq 124 ] && echo "mpirun hung" >&2; exit $rc' _ \
  $S train --emb "$T/x.npy" --out "$T/dead.saem" $A
assert "no output after a death" test ! -e "$T/dead.saem"
assert "the job stopped promptly (not by the timeout)" test $SECONDS -lt 100
SECONDS=0
expect_fail "a hanging process: the SAETM_DIST_TIMEOUT watchdog stops the job" 1 "waited more than 2 s" \
  env SAETM_TEST_FAIL=1:train:5:hang SAETM_DIST_TIMEOUT=2 bash -c 'ASAN_OPTIONS=detect_leaks=0 timeout 120 mpirun -np 2 --oversubscribe "$@"; rc=$?; [ $rc -eq 124 ] && echo "mpirun hung" >&2; exit $rc' _ \
  $S train --emb "$T/x.npy" --out "$T/hung.saem" $A
assert "stopped by the watchdog, promptly" test $SECONDS -lt 100
assert "no output after a hang" test ! -e "$T/hung.saem"
expect_fail "bad rows on process 1 stop the job" 1 "row 300, column 3 is NaN" mpi 2 $S train --emb "$T/nan.npy" --out "$T/nan.saem" $A
assert "the others say which process failed" grep -q "process 1 of 2 failed" "$T/.err"
# encode and interpret on planted documents; topics from the 2-process interpretation.
check "synth" $S synth --out "$T/syn" --docs 300 --topics 5 --vocab 200 --dim 16 --doc-len 30 -q
check "corpus" $S corpus --input "$T/syn/docs.jsonl" --out "$T/c.stc" --preprocess none -q
check "sae" $S train --emb "$T/syn/emb.npy" --out "$T/s.saem" --features 40 --k 3 --batch 64 --steps 40 -q
check "encode, 1 process" $S encode --sae "$T/s.saem" --emb "$T/syn/emb.npy" --out "$T/a1.sac" -q
check "encode, mpirun -np 2" mpi 2 $S encode --sae "$T/s.saem" --emb "$T/syn/emb.npy" --out "$T/a2.sac" -q
check "encode: same activations" same_model "$T/a1.sac" "$T/a2.sac"
check "interpret, 1 process" $S interpret --acts "$T/a1.sac" --corpus "$T/c.stc" --out "$T/i1.sti" -q
check "interpret, mpirun -np 2" mpi 2 $S interpret --acts "$T/a1.sac" --corpus "$T/c.stc" --out "$T/i2.sti" -q
check "interpret: 2 processes give the 1-process fit" same_model "$T/i1.sti" "$T/i2.sti"
check "interpret --sae/--emb, mpirun -np 3" mpi 3 $S interpret --sae "$T/s.saem" --emb "$T/syn/emb.npy" --corpus "$T/c.stc" --out "$T/i3.sti" -q
check "3 processes, encoding included: the same fit" same_model "$T/i1.sti" "$T/i3.sti"
check "topics from the 1-process fit" $S topics --interp "$T/i1.sti" --k 4 --space hellinger --out "$T/t1" -q
check "topics from the 2-process fit" $S topics --interp "$T/i2.sti" --k 4 --space hellinger --out "$T/t2" -q
check "same topics" $PY -c "
import numpy as np, sys
for f in ('topic_word.npy', 'doc_topics.npy'):
    a, b = np.load('$T/t1/' + f), np.load('$T/t2/' + f)
    assert a.shape == b.shape and np.abs(a - b).max() < 1e-5, f
"
# Sharded loading (docs/distributed.md "Reading the inputs"): each process checksums and checks
# its own documents' part; a damaged byte anywhere is still found, by the job as a whole.
# patch FILE SECTION WHERE VALUE [fix]: set element WHERE (negative: from the end) of SECTION to
# VALUE; with fix, the CRCs are recomputed (a well-formed file with a bad value).
patch() {
  $PY - "$@" <<'PY'
import sys, struct, zlib
import numpy as np
path, name, where, value = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
fix = len(sys.argv) > 5
b = bytearray(open(path, 'rb').read())
n, toff = struct.unpack_from('<IQ', b, 12)
types = {1: 'u1', 2: '<u4', 3: '<u8', 4: '<f4'}
for i in range(n):
    e = toff + 64 * i
    nm, dt, crc, off, nb = struct.unpack_from('<16sIIQQ', b, e)
    if nm.rstrip(b'\0').decode() != name: continue
    a = np.frombuffer(b, dtype=types[dt], count=nb // np.dtype(types[dt]).itemsize, offset=off).copy()
    a[where] = value
    b[off:off + nb] = a.tobytes()
    if fix: struct.pack_into('<I', b, e + 20, zlib.crc32(bytes(b[off:off + nb])))
if fix:
    struct.pack_into('<I', b, 32, zlib.crc32(bytes(b[toff:toff + 64 * n])))
    struct.pack_into('<I', b, 36, zlib.crc32(bytes(b[:36])))
open(path, 'wb').write(bytes(b))
PY
}
cp "$T/c.stc" "$T/c-bad1.stc"; patch "$T/c-bad1.stc" word_ids -2 7
expect_fail "a damaged byte in process 1's documents: the job stops" 1 "c-bad1.stc: checksum mismatch in section 'word_ids'" \
  mpi 2 $S interpret --acts "$T/a1.sac" --corpus "$T/c-bad1.stc" --out "$T/bad.sti" -q
assert "both processes report it (the combined CRC)" test "$(grep -c "checksum mismatch in section 'word_ids'" "$T/.err")" -eq 2
cp "$T/c.stc" "$T/c-bad0.stc"; patch "$T/c-bad0.stc" counts 1 9
expect_fail "a damaged byte in process 0's documents" 1 "checksum mismatch in section 'counts'" \
  mpi 2 $S interpret --acts "$T/a1.sac" --corpus "$T/c-bad0.stc" --out "$T/bad.sti" -q
cp "$T/a1.sac" "$T/a-bad.sac"; patch "$T/a-bad.sac" val -1 0.125
expect_fail "a damaged activation in process 2's rows (of 3)" 1 "a-bad.sac: checksum mismatch in section 'val'" \
  mpi 3 $S interpret --acts "$T/a-bad.sac" --corpus "$T/c.stc" --out "$T/bad.sti" -q
cp "$T/c.stc" "$T/c-host.stc"; patch "$T/c-host.stc" word_ids -1 100000 fix
expect_fail "a well-formed corpus with a bad word id in process 1's documents" 1 "c-host.stc: word ids must be ascending in each document and below the vocabulary size \(at 299\)" \
  mpi 2 $S interpret --acts "$T/a1.sac" --corpus "$T/c-host.stc" --out "$T/bad.sti" -q
assert "process 0 says process 1 failed" grep -q "process 1 of 2 failed" "$T/.err"
expect_fail "the same file, one process" 1 "word ids must be ascending in each document and below the vocabulary size \(at 299\)" \
  $S interpret --acts "$T/a1.sac" --corpus "$T/c-host.stc" --out "$T/bad.sti" -q
cp "$T/a1.sac" "$T/a-host.sac"; patch "$T/a-host.sac" val 0 -1 fix
expect_fail "well-formed activations with a negative value in process 0's rows" 1 "a-host.sac: row [0-9]+: activation must be finite" \
  mpi 2 $S interpret --acts "$T/a-host.sac" --corpus "$T/c.stc" --out "$T/bad.sti" -q
# What each process reads: SAETM_MEM_REPORT=1 prints, per process, the resident pages of its
# mappings of the inputs. One process maps the whole corpus; each of two about half (page-cache
# folios make the count coarse: the activations file here is too small to show it).
R="${SAETM_RELEASE:-$S}"
check "a 20000-document corpus" bash -c "'$R' synth --out '$T/big' --docs 20000 --topics 10 --vocab 2000 --dim 16 --doc-len 40 -q &&
  '$R' corpus --input '$T/big/docs.jsonl' --out '$T/big/c.stc' --preprocess none -q &&
  '$R' train --emb '$T/big/emb.npy' --out '$T/big/s.saem' --features 64 --k 4 --batch 256 --steps 20 -q &&
  '$R' encode --sae '$T/big/s.saem' --emb '$T/big/emb.npy' --out '$T/big/a.sac' -q"
resident_share() { # resident_share LOG: the largest share of the corpus resident in one process
  $PY -c "
import re, sys
v = [float(a) / float(b) for a, b in re.findall(r'c\.stc ([0-9.]+) of ([0-9.]+) MB resident', open(sys.argv[1]).read())]
assert v, 'no memory report'
print(max(v))" "$1"
}
check "interpret, 1 process, memory report" env SAETM_MEM_REPORT=1 "$R" interpret --acts "$T/big/a.sac" --corpus "$T/big/c.stc" --out "$T/big/i1.sti" -q --em-max-iter 3
one=$(resident_share "$T/.err")
check "interpret, mpirun -np 2, memory report" env SAETM_MEM_REPORT=1 bash -c 'ASAN_OPTIONS=detect_leaks=0 timeout 120 mpirun -np 2 --oversubscribe -x SAETM_MEM_REPORT "$@"' _ \
  "$R" interpret --acts "$T/big/a.sac" --corpus "$T/big/c.stc" --out "$T/big/i2.sti" -q --em-max-iter 3
assert "two reports" test "$(grep -c 'memory of process' "$T/.err")" -eq 2
two=$(resident_share "$T/.err")
echo "corpus resident: one process $one of the file, the larger of two processes $two" >&2
assert "one process reads the whole corpus" awk -v x="$one" 'BEGIN { exit !(x > 0.95) }'
assert "each of two processes reads about half (< 0.7)" awk -v x="$two" 'BEGIN { exit !(x < 0.7) }'
check "and the sharded run's model is the one process's" same_model "$T/big/i1.sti" "$T/big/i2.sti"
expect_fail "a process dying during EM stops the job" 137 "rank 1 dies at interpret step 3" \
  env SAETM_TEST_FAIL=1:interpret:3 bash -c 'ASAN_OPTIONS=detect_leaks=0 timeout 120 mpirun -np 2 --oversubscribe "$@"' _ \
  $S interpret --acts "$T/a1.sac" --corpus "$T/c.stc" --out "$T/dead.sti" -q
assert "no interpretation written" test ! -e "$T/dead.sti"
# The whole pipeline: rank 0 builds the corpus and merges the topics, the rest runs across both.
FA="--input $T/syn/docs.jsonl --emb $T/syn/emb.npy --preprocess none --features 40 --sae-k 3 --batch 64 --steps 40 --k 4 --space hellinger -q"
check "fit, 1 process" $S fit $FA --out "$T/m1"
check "fit, mpirun -np 2" mpi 2 $S fit $FA --out "$T/m2"
# Training is byte-exact across processes too (exact gradient sums), so every stage after it is
# (test_mpi_bytes.sh checks every file at np 1, 2 and 3).
for f in sae.saem interp.sti topic_word.npy doc_topics.npy; do
  assert "fit: the same $f" cmp -s "$T/m1/$f" "$T/m2/$f"
done
assert "fit: same top words" cmp -s "$T/m1/top_words.txt" "$T/m2/top_words.txt"
# mpirun -np 1 initialises MPI with one process: it must finalise it too, or Open MPI reports
# the process as exiting improperly and mpirun exits 1 after every file was written (issue 16).
check "fit, mpirun -np 1: exit 0" mpi 1 $S fit $FA --out "$T/mp1"
for f in sae.saem acts.sac interp.sti topic_word.npy doc_topics.npy top_words.txt topics.json params.json; do
  assert "fit, mpirun -np 1 wrote $f" test -s "$T/mp1/$f"
done
assert "fit, mpirun -np 1: the one-process topic-word matrix" cmp -s "$T/m1/topic_word.npy" "$T/mp1/topic_word.npy"
expect_fail "mpirun -np 1: a failing command keeps its exit code" 2 "unknown option|--no-such" mpi 1 $S fit $FA --out "$T/mp1b" --no-such
# Embedding across processes: each embeds the batches starting in its share of the documents,
# cut as one process cuts them, so the rows have the same bytes at any process count. Documents
# of very different lengths (0 to 150 words) put batch boundaries away from the shares' edges.
$PY - "$T" <<'PY'
import json, random, sys
random.seed(1)
words = [w + s for w in ('river', 'stone', 'market', 'vote', 'cell', 'gene', 'tax', 'song') for s in ('', 's', 'ing')]
with open(sys.argv[1] + '/var.jsonl', 'w') as f:
    for i in range(120):
        n = random.choice([0, 1, 3, 10, 40, 90, 150])
        f.write(json.dumps({'text': ' '.join(random.choice(words) for _ in range(n))}) + '\n')
PY
check "embed, 1 process" $S embed --input "$T/var.jsonl" --out "$T/v1.npy" -q
for np in 1 2 3; do
  check "embed, mpirun -np $np" mpi $np $S embed --input "$T/var.jsonl" --out "$T/v$np-p.npy" -q
  assert "embed, mpirun -np $np: the one-process bytes" cmp -s "$T/v1.npy" "$T/v$np-p.npy"
  assert "embed, mpirun -np $np: the sidecar" cmp -s "$T/v1.npy.json" "$T/v$np-p.npy.json"
done
expect_fail "a process dying while embedding stops the job" 137 "rank 1 dies at embed step 0" \
  env SAETM_TEST_FAIL=1:embed:0 bash -c 'ASAN_OPTIONS=detect_leaks=0 timeout 120 mpirun -np 2 --oversubscribe "$@"' _ \
  $S embed --input "$T/var.jsonl" --out "$T/vdead.npy" -q
assert "no embeddings written after a death" test ! -e "$T/vdead.npy"
check "fit with the built-in embedder, mpirun -np 2" mpi 2 $S fit --input "$T/var.jsonl" --preprocess none --features 16 \
  --sae-k 2 --batch 32 --steps 5 --k 2 -q --out "$T/mv"
assert "fit's embedding stage across 2 processes: the one-process bytes" cmp -s "$T/v1.npy" "$T/mv/emb.npy"
expect_fail "one-process commands refuse mpirun" 2 "does not run across processes" mpi 2 $S inspect "$T/x.npy"
report
