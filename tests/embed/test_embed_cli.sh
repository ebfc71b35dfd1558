# test_embed_cli.sh - `saetm embed`: JSONL and text input, output shape and sidecar, agreement
# with the library call's golden values, clear errors on bad input.
source "$ROOT/tests/lib.sh"
M="$ROOT/build/models/use-lite-en.stm"
printf '{"text": "Hello world."}\n\n{"text": "", "id": 2}\n{"text": "Sparse autoencoders are topic models."}\n' > "$T/d.jsonl"
check "embed jsonl" $SAETM embed -q --model "$M" --input "$T/d.jsonl" --out "$T/e.npy"
check "output is 3 x 512 unit rows" $PY -c "
import numpy as np, json
a = np.load('$T/e.npy'); assert a.shape == (3, 512) and a.dtype == np.float32, a.shape
assert np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)
g = np.load('$ROOT/tests/embed/golden_emb.npy')
rows = [json.loads(l)['text'] for l in open('$ROOT/tests/embed/golden.jsonl', encoding='utf-8')]
for i, t in enumerate(['Hello world.', '', 'Sparse autoencoders are topic models.']):
    assert np.abs(a[i] - g[rows.index(t)]).max() < 1e-4, t
m = json.load(open('$T/e.npy.json'))
assert m['embedder'] == 'use-lite-en' and m['embedder_version'] == '0.2.0' and m['rows'] == 3 and m['dim'] == 512, m
"
printf 'Hello world.\nSparse autoencoders are topic models.\n' > "$T/d.txt"
check "embed text lines, 1 thread" $SAETM embed -q --threads 1 --model "$M" --input "$T/d.txt" --out "$T/t.npy"
check "text rows equal jsonl rows" $PY -c "
import numpy as np
a = np.load('$T/e.npy'); b = np.load('$T/t.npy')
assert b.shape == (2, 512) and (a[0] == b[0]).all() and (a[2] == b[1]).all()
"
SAETM_EMBEDDER="$M" check "model from SAETM_EMBEDDER" $SAETM embed -q --input "$T/d.txt" --out "$T/t2.npy"
check "default model next to the executable" $SAETM embed -q --input "$T/d.txt" --out "$T/t3.npy"
printf '{"text": "ok"}\n{"body": "no text"}\n' > "$T/bad1.jsonl"
expect_fail "missing field" 1 "bad1.jsonl:2: field 'text'.* is missing" $SAETM embed -q --model "$M" --input "$T/bad1.jsonl" --out "$T/x.npy"
printf '{"text": "ok"}\n{"text": 5}\n' > "$T/bad2.jsonl"
expect_fail "field not a string" 1 "bad2.jsonl:2: field 'text'.* must be a string" $SAETM embed -q --model "$M" --input "$T/bad2.jsonl" --out "$T/x.npy"
printf '{"text": "ok"\n' > "$T/bad3.jsonl"
expect_fail "broken JSON" 1 "bad3.jsonl:1: invalid JSON" $SAETM embed -q --model "$M" --input "$T/bad3.jsonl" --out "$T/x.npy"
assert "no output after failure" test ! -e "$T/x.npy"
$PY -c "import random; random.seed(6); open('$T/rand.txt', 'wb').write(b'\\n'.join(bytes(random.choice(list(range(0x80, 0xC0)) + [0xFF]) for _ in range(60)) for _ in range(20)) + b'\\nvalid line\\n')"
printf 'caf\xc3\xa9\nbad \xff byte\nok\n' > "$T/u.txt"
expect_fail "invalid UTF-8 named" 1 "u.txt:2: invalid UTF-8" $SAETM embed -q --model "$M" --format text --input "$T/u.txt" --out "$T/r.npy"
check "--skip-bad leaves the record out" $SAETM embed -q --skip-bad --model "$M" --format text --input "$T/u.txt" --out "$T/r.npy"
check "two rows" $PY -c "import numpy as np; assert np.load('$T/r.npy').shape == (2, 512)"
expect_fail "garbage bytes: clear error" 1 "rand.txt:1: invalid UTF-8" $SAETM embed -q --model "$M" --format text --input "$T/rand.txt" --out "$T/r2.npy"
check "garbage bytes, --skip-bad" $SAETM embed -q --skip-bad --model "$M" --format text --input "$T/rand.txt" --out "$T/r2.npy"
check "only the valid line" $PY -c "import numpy as np; assert np.load('$T/r2.npy').shape == (1, 512)"
expect_fail "missing input file" 1 "missing.jsonl: cannot open" $SAETM embed -q --model "$M" --input "$T/missing.jsonl" --out "$T/x.npy"
expect_fail "missing model" 1 "nomodel.stm" $SAETM embed -q --model "$T/nomodel.stm" --input "$T/d.txt" --out "$T/x.npy"
expect_fail "no --out" 2 "--out is required" $SAETM embed --input "$T/d.txt"
expect_fail "bad --format" 2 "--format must be" $SAETM embed --input "$T/d.txt" --out "$T/x.npy" --format xml
# --corpus: the corpus's documents re-read from its source (with a skipped record and CSV fields),
# rows equal to --input's; a source edited since the corpus was built is refused.
printf 'id,body\na,Hello world.\nb,"bad \xff byte"\nc,Sparse autoencoders are topic models.\n' > "$T/s.csv"
check "corpus of a CSV with a bad record" $SAETM corpus -q --skip-bad --min-df 1 --text-field body --id-field id --input "$T/s.csv" --out "$T/c.stc"
check "embed --corpus" $SAETM embed -q --model "$M" --corpus "$T/c.stc" --out "$T/c.npy"
check "same rows as --input" $PY -c "
import numpy as np, json
a = np.load('$T/c.npy'); t = np.load('$T/t.npy')
assert a.shape == (2, 512) and (a == t).all()
assert json.load(open('$T/c.npy.json'))['input'].endswith('c.stc')
"
sed -i 's/Hello world/Hello World/' "$T/s.csv"
expect_fail "edited source refused" 1 "s.csv:2: document 0 \(id 'a'\) does not match the corpus: the texts differ" $SAETM embed -q --model "$M" --corpus "$T/c.stc" --out "$T/x.npy"
printf 'id,body\na,Hello world.\n' > "$T/s.csv"
expect_fail "shortened source refused" 1 "has 1 documents now, the corpus built from it has 2" $SAETM embed -q --model "$M" --corpus "$T/c.stc" --out "$T/x.npy"
rm "$T/s.csv"
expect_fail "missing source named" 1 "built from '.*s.csv', which cannot be read now" $SAETM embed -q --model "$M" --corpus "$T/c.stc" --out "$T/x.npy"
expect_fail "--input and --corpus" 2 "exactly one of --input and --corpus" $SAETM embed --input "$T/d.txt" --corpus "$T/c.stc" --out "$T/x.npy"
assert "no output after failures" test ! -e "$T/x.npy"
report
