# test_sae_cli.sh - `saetm train` and `saetm encode`: help, usage errors, bad input, checkpoints.
source "$ROOT/tests/lib.sh"
$PY - "$T" <<'PY'
import sys, numpy as np
t = sys.argv[1]
rng = np.random.default_rng(0)
D = rng.standard_normal((12, 10)); D /= np.linalg.norm(D, axis=1, keepdims=True)
X = (rng.exponential(1.0, (400, 12)) * (rng.random((400, 12)) < 0.2)) @ D + 0.01 * rng.standard_normal((400, 10))
np.save(f'{t}/x.npy', X.astype('f4'))
np.save(f'{t}/x64.npy', X.astype('f8'))
np.save(f'{t}/wide.npy', np.zeros((5, 11), 'f4'))
bad = X.astype('f4').copy(); bad[17, 3] = np.nan
np.save(f'{t}/nan.npy', bad)
np.save(f'{t}/ints.npy', np.zeros((4, 10), 'i4'))
np.save(f'{t}/x2.npy', (X + 1).astype('f4'))
PY
S="$SAETM"
check "train --help" $S train --help
assert "help shows defaults" grep -q "default: batchtopk" "$T/.out"
assert "help shows k default" grep -q -- "--sae-k K.*default: 32.*also --k" "$T/.out"
check "encode --help" $S encode --help
expect_fail "train without --emb" 2 "--emb FILE is required" $S train --out "$T/a.saem"
expect_fail "train without --out" 2 "--out FILE is required" $S train --emb "$T/x.npy"
expect_fail "unknown arch" 2 "--sae-arch must be batchtopk, topk, relu-l1 or jumprelu, not 'relu'" $S train --emb "$T/x.npy" --out "$T/a.saem" --arch relu
expect_fail "features and expansion" 2 "not both" $S train --emb "$T/x.npy" --out "$T/a.saem" --features 8 --expansion 2
expect_fail "steps and epochs" 2 "not both" $S train --emb "$T/x.npy" --out "$T/a.saem" --steps 8 --epochs 2
expect_fail "bad number" 2 "--sae-k: expected an integer in \\[1, 4294967295\\], got 'many'" $S train --emb "$T/x.npy" --out "$T/a.saem" --k many
expect_fail "k zero" 2 "--sae-k: expected an integer in \\[1," $S train --emb "$T/x.npy" --out "$T/a.saem" --k 0
expect_fail "k above F" 2 "k must not exceed.*10 columns" $S train --emb "$T/x.npy" --out "$T/a.saem" --features 8 --k 9
expect_fail "missing embeddings" 1 "cannot open" $S train --emb "$T/none.npy" --out "$T/a.saem"
expect_fail "NaN embeddings" 1 "row 17" $S train --emb "$T/nan.npy" --out "$T/a.saem" --features 24 --k 2
expect_fail "int embeddings" 1 "dtype" $S train --emb "$T/ints.npy" --out "$T/a.saem"
assert "no output on failure" test ! -e "$T/a.saem"

check "train" $S train --emb "$T/x.npy" --out "$T/a.saem" --features 24 --k 2 --batch 64 --steps 30 --embedder toy-emb
assert "epoch lines" grep -q "fvu" "$T/.err"
check "inspect model" $S inspect "$T/a.saem"
assert "model sections" grep -q "W_dec .*24 x 10" "$T/.out"
check "train from float64" $S train --emb "$T/x64.npy" --out "$T/b.saem" --features 24 --k 2 --batch 64 --steps 30 --embedder toy-emb -q
assert "float64 input gives the same model" cmp -s "$T/a.saem" "$T/b.saem"

check "encode" $S encode --sae "$T/a.saem" --emb "$T/x.npy" --out "$T/a.sac" --embedder toy-emb
assert "encode summary" grep -q "encoded 400 rows" "$T/.err"
check "inspect acts" $S inspect "$T/a.sac"
assert "acts rows" grep -q "row_ptr .*401 x 1" "$T/.out"
expect_fail "encode wrong dimension" 1 "11 columns.*10-dimensional" $S encode --sae "$T/a.saem" --emb "$T/wide.npy" --out "$T/w.sac"
expect_fail "encode other embedder" 1 "embedder 'other'.*'toy-emb'" $S encode --sae "$T/a.saem" --emb "$T/x.npy" --out "$T/w.sac" --embedder other
# The embedder named in the embeddings' sidecar (written by saetm embed) is stored and checked.
cp "$T/x.npy" "$T/xs.npy"; printf '{"embedder": "side-emb", "embedder_version": "2.1", "rows": 400, "dim": 10}\n' > "$T/xs.npy.json"
check "train reads the sidecar's embedder" $S train --emb "$T/xs.npy" --out "$T/s.saem" --features 24 --k 2 --batch 64 --steps 5 -q
assert "embedder and version from the sidecar stored" grep -aq "side-emb@2.1" "$T/s.saem"
check "--embedder overrides the sidecar" $S train --emb "$T/xs.npy" --out "$T/s2.saem" --features 24 --k 2 --batch 64 --steps 5 --embedder toy-emb -q
assert "--embedder stored" grep -aq "toy-emb" "$T/s2.saem"
check "encode with the same sidecar" $S encode --sae "$T/s.saem" --emb "$T/xs.npy" --out "$T/s.sac" -q
expect_fail "encode: sidecar embedder differs" 1 "embedder 'side-emb@2.1'.*'toy-emb'" $S encode --sae "$T/a.saem" --emb "$T/xs.npy" --out "$T/w.sac"
expect_fail "encode NaN row" 1 "row 17" $S encode --sae "$T/a.saem" --emb "$T/nan.npy" --out "$T/w.sac"
expect_fail "encode without --sae" 2 "--sae FILE is required" $S encode --emb "$T/x.npy" --out "$T/w.sac"
expect_fail "encode with a .npy as SAE" 1 "not a SAETMSAE file|magic" $S encode --sae "$T/x.npy" --emb "$T/x.npy" --out "$T/w.sac"
assert "no acts on failure" test ! -e "$T/w.sac"

# Checkpoint and resume: same bytes as the uninterrupted run.
check "train with checkpoints" $S train --emb "$T/x.npy" --out "$T/c.saem" --features 24 --k 2 --batch 64 --steps 30 --embedder toy-emb --checkpoint-every 12 -q
assert "checkpoint written" test -s "$T/c.saem.ckpt"
assert "checkpoints do not change the model" cmp -s "$T/a.saem" "$T/c.saem"
expect_fail "checkpoint is not a model" 1 "training checkpoint" $S encode --sae "$T/c.saem.ckpt" --emb "$T/x.npy" --out "$T/w.sac"
expect_fail "resume with changed option" 2 "cannot be changed" $S train --emb "$T/x.npy" --out "$T/d.saem" --resume "$T/c.saem.ckpt" --k 3
expect_fail "resume on other data" 1 "other embeddings" $S train --emb "$T/x2.npy" --out "$T/d.saem" --resume "$T/c.saem.ckpt"
check "resume" $S train --emb "$T/x.npy" --out "$T/d.saem" --resume "$T/c.saem.ckpt" -q
assert "resumed model equals the uninterrupted one" cmp -s "$T/a.saem" "$T/d.saem"
# --init data: checkpoints keep it (resume = the uninterrupted run), inspect shows it is stored.
check "train --init data with checkpoints" $S train --emb "$T/x.npy" --out "$T/e.saem" --features 24 --k 2 --batch 64 --steps 30 --init data --checkpoint-every 12 -q
check "train --init random, same options" $S train --emb "$T/x.npy" --out "$T/e0.saem" --features 24 --k 2 --batch 64 --steps 30 -q
assert "--init data changes the model" bash -c "! cmp -s \"$T/e0.saem\" \"$T/e.saem\""
check "resume --init data" $S train --emb "$T/x.npy" --out "$T/f.saem" --resume "$T/e.saem.ckpt" -q
assert "resumed --init data model equals the uninterrupted one" cmp -s "$T/e.saem" "$T/f.saem"
check "inspect --init data model" $S inspect "$T/e.saem"
assert "config_init section" grep -q "config_init" "$T/.out"
expect_fail "unknown init" 2 "random, data or neighbors" $S train --emb "$T/x.npy" --out "$T/g.saem" --init pca
expect_fail "resume with --init" 2 "cannot be changed" $S train --emb "$T/x.npy" --out "$T/g.saem" --resume "$T/c.saem.ckpt" --init data
for arch in topk relu-l1 jumprelu; do
  check "train $arch" $S train --emb "$T/x.npy" --out "$T/$arch.saem" --arch $arch --features 24 --k 2 --batch 64 --steps 20 -q
  check "encode $arch" $S encode --sae "$T/$arch.saem" --emb "$T/x.npy" --out "$T/$arch.sac" -q
done

# The release build selects with vector instructions (AVX-512/AVX2): its encoding must keep
# exactly each row's k largest positive pre-activations, recomputed here in float64.
if [ -x "$SAETM_RELEASE" ]; then
  check "release train topk" $SAETM_RELEASE train --emb "$T/x.npy" --out "$T/rel.saem" --arch topk --features 40 --k 5 --batch 64 --steps 20 -q
  check "release encode topk" $SAETM_RELEASE encode --sae "$T/rel.saem" --emb "$T/x.npy" --out "$T/rel.sac" -q
  check "release top-k is exact" $PY - "$T" "$ROOT" <<'PY'
import sys, numpy as np
t, root = sys.argv[1], sys.argv[2]
sys.path.insert(0, root + '/tests/sae')
import saetm_file as sf
_, _, m = sf.read_container(t + '/rel.saem')
_, _, a = sf.read_container(t + '/rel.sac')
X = np.load(t + '/x.npy').astype(np.float64)
Z = (X - m['b_dec']) @ m['W_enc'].astype(np.float64).T + m['b_enc']
rp, idx = a['row_ptr'], a['idx']
bad = 0
for r in range(X.shape[0]):
    order = np.argsort(-Z[r], kind='stable')
    want = sorted(int(f) for f in order[:5] if Z[r, f] > 0)
    got = sorted(int(f) for f in idx[rp[r]:rp[r + 1]])
    zs = np.sort(Z[r])[::-1]
    if got != want and abs(zs[4] - zs[5]) > 1e-5:  # ignore float near-ties
        bad += 1
sys.exit(1 if bad else 0)
PY
fi

# A memory cap too small for the batch buffers: a clear refusal, not a crash.
SAETM_MEM_LIMIT=2M expect_fail "memory cap" 1 "SAE training.*needs about" $S train --emb "$T/x.npy" --out "$T/m.saem" --features 4000 --k 2 --steps 2
report
