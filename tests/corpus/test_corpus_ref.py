"""test_corpus_ref.py - cross-checks of `saetm corpus` against independent Python code.

1. Basic preprocessing and the vocabulary, recomputed in Python (unicodedata NFKC + casefold,
   letter runs, the shipped stopword list, document-frequency limits and order) on a random
   corpus with accents, capitals, ligatures and full-width letters: the .stc file (read with
   stc.py, following docs/FORMAT.md) must hold exactly the same vocabulary, document
   frequencies and counts.
2. The file format: a corpus file rewritten by stc.py from docs/FORMAT.md alone has the same
   bytes as the one saetm wrote, and a corpus changed in Python loads in saetm with every check.
3. Streaming: about 40 MB of text piped through standard input (never on disk) is ingested by the
   release binary with a peak memory far below the size of the text, and every count agrees
   with Python's.
"""
import os
import random
import re
import subprocess
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(__file__))
import stc  # noqa: E402

ROOT = os.environ["ROOT"]
SAETM = os.environ["SAETM"]
RELEASE = os.environ.get("SAETM_RELEASE", SAETM)
TMP = os.environ.get("TEST_TMPDIR", "/tmp")
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what, file=sys.stderr)


def stopwords():
    words = set()
    for line in open(os.path.join(ROOT, "src/corpus/stopwords_en.txt"), encoding="utf-8"):
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(line)
    return words


LETTERS = re.compile(r"[^\W\d_]+")


def basic_tokens(text, stop):
    t = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return [w for w in LETTERS.findall(t) if len(w) >= 3 and len(w.encode()) <= 64 and w not in stop]


def vocabulary(docs, min_df, max_df, max_vocab):
    df = {}
    for d in docs:
        for w in set(d):
            df[w] = df.get(w, 0) + 1
    limit = int(max_df * len(docs) + 1e-9) if max_df <= 1 else int(max_df)
    cand = [w for w, n in df.items() if min_df <= n <= limit]
    cand.sort(key=lambda w: (-df[w], w.encode()))
    if max_vocab:
        cand = cand[:max_vocab]
    return cand, df


def test_basic_reference():
    rng = random.Random(7)
    stop = stopwords()
    stems = ["budget", "Tax", "ÉCOLE", "über", "niño", "straße", "STRASSE", "ﬁnance", "ＡＢＣＤ", "peace",
             "war", "the", "and", "of", "Congress", "café", "Café", "x", "ab", "don't", "1790s", "re-form",
             "naïve", "ÆON", "økonomi", "Δημοκρατία", "city", "cities", "Wörter"]
    docs = []
    for i in range(400):
        n = rng.randint(0, 30)
        docs.append(" ".join(rng.choice(stems) + rng.choice(["", "", ",", ".", "s", "ed"]) for _ in range(n)))
    path = os.path.join(TMP, "ref.txt")
    with open(path, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(d + "\n")
    out = os.path.join(TMP, "ref.stc")
    for min_df, max_df, max_vocab in [(1, 1.0, 0), (3, 0.5, 0), (2, 0.9, 10), (5, 120, 7)]:
        r = subprocess.run([SAETM, "corpus", "-q", "--input", path, "--out", out, "--preprocess", "basic",
                            "--min-df", str(min_df), "--max-df", str(max_df), "--max-vocab", str(max_vocab)],
                           capture_output=True, text=True)
        check(r.returncode == 0, "saetm corpus ran: " + r.stderr)
        if r.returncode:
            continue
        c = stc.Corpus(out)
        toks = [basic_tokens(d, stop) for d in docs]
        vocab, df = vocabulary(toks, min_df, max_df, max_vocab)
        tag = "(min_df %s, max_df %s, max_vocab %s)" % (min_df, max_df, max_vocab)
        check(c.vocab == vocab, "vocabulary and its order " + tag)
        check([int(x) for x in c.df] == [df[w] for w in vocab], "document frequencies " + tag)
        check(c.n_docs == len(docs), "one row per line " + tag)
        keep = set(vocab)
        ok = all(c.doc(d) == {w: toks[d].count(w) for w in set(toks[d]) if w in keep} for d in range(len(docs)))
        check(ok, "every document's counts " + tag)
        empty = [int(not any(w in keep for w in t)) for t in toks]
        check(list(c.empty) == empty and c.n_empty == sum(empty), "empty flags " + tag)
        check(c.ids[:3] == ["1", "2", "3"], "ids are line numbers")
        check(all(s == " ".join(d.split())[:300] for s, d in zip(c.snippets, docs)), "snippets " + tag)


def test_streaming():
    rng = random.Random(11)
    words = ["w" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9)))
             for _ in range(3000)]
    cum, acc = [], 0.0
    for i in range(len(words)):
        acc += 1.0 / (i + 1)
        cum.append(acc)
    n_docs, target = 0, 40_000_000
    df, tokens = {}, 0
    p = subprocess.Popen([RELEASE, "corpus", "--input", "-", "--format", "text", "--preprocess", "basic",
                          "--min-df", "1", "--max-df", "1", "--max-vocab", "0", "--snippet-chars", "40",
                          "--out", os.path.join(TMP, "big.stc"), "--tmp-dir", TMP],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    written = 0
    batch = []
    while written < target:
        doc = rng.choices(words, cum_weights=cum, k=rng.randint(20, 200))
        for w in set(doc):
            df[w] = df.get(w, 0) + 1
        tokens += len(doc)
        line = " ".join(doc) + "\n"
        batch.append(line)
        written += len(line)
        n_docs += 1
        if len(batch) == 2000:
            p.stdin.write("".join(batch).encode())
            batch = []
    p.stdin.write("".join(batch).encode())
    p.stdin.close()
    out = p.stdout.read().decode()
    err = p.stderr.read().decode()
    p.wait()
    check(p.returncode == 0, "streamed ingestion ran: " + err)
    # The peak (VmHWM, since exec) as saetm reports it in its summary.
    m = re.search(r"peak memory ([0-9.]+) MB", out)
    check(m is not None, "summary gives the peak memory: " + out)
    peak = float(m.group(1)) * 1e6 if m else float("inf")
    print("streamed %.1f MB of text, %d documents; peak memory of saetm %.1f MB" % (written / 1e6, n_docs, peak / 1e6))
    check(peak < written / 4, "peak memory (%.0f bytes) far below the text size (%d bytes)" % (peak, written))
    if p.returncode:
        return
    c = stc.Corpus(os.path.join(TMP, "big.stc"))
    check(c.n_docs == n_docs, "document count %d == %d" % (c.n_docs, n_docs))
    check(c.n_tokens == tokens, "token count %d == %d" % (c.n_tokens, tokens))
    check(all(df[w] == int(n) for w, n in zip(c.vocab, c.df)) and len(c.vocab) == len(df), "document frequencies")


def test_format():
    src = os.path.join(TMP, "fmt.jsonl")
    with open(src, "w", encoding="utf-8") as f:
        f.write('{"id": "a", "text": "Budget and taxes; the budget grew.", "y": 1790, "g": "fed"}\n')
        f.write('{"id": "b", "text": "of the and", "y": "1791"}\n')
        f.write('{"id": "c", "text": "Taxes fell, war came.", "g": "dem"}\n')
    out = os.path.join(TMP, "fmt.stc")
    r = subprocess.run([SAETM, "corpus", "-q", "--input", src, "--out", out, "--min-df", "1", "--max-df", "1",
                        "--id-field", "id", "--date-field", "y", "--group-field", "g"], capture_output=True, text=True)
    check(r.returncode == 0, "saetm corpus ran: " + r.stderr)
    c = stc.Corpus(out)
    check(c.ids == ["a", "b", "c"] and c.dates == ["1790", "1791", None] and c.groups == ["fed", None, "dem"],
          "ids, dates, groups")
    check(c.doc(0) == {"budget": 2, "tax": 1, "grow": 1} and c.doc(1) == {} and c.empty.tolist() == [0, 1, 0],
          "bag-of-words and empty flags: %s %s" % (c.doc(0), c.doc(1)))
    again = os.path.join(TMP, "fmt_py.stc")
    stc.write(again, c)
    check(open(again, "rb").read() == open(out, "rb").read(), "FORMAT.md describes every byte of a .stc file")
    # Change the corpus in Python (drop word 0 from document 0) and let saetm verify it.
    c.vocab[0] = "changed"
    stc.write(again, c)
    r = subprocess.run([SAETM, "inspect", again], capture_output=True, text=True)
    check(r.returncode == 0 and "all indices OK" in r.stdout and "changed (" in r.stdout, "saetm loads it: " + r.stderr)
    c.word_ids = c.word_ids.copy()
    c.word_ids[0] = 99  # beyond the vocabulary
    stc.write(again, c)
    r = subprocess.run([SAETM, "inspect", again], capture_output=True, text=True)
    check(r.returncode == 1 and "word ids must be ascending" in r.stderr, "a bad word id is refused: " + r.stderr)


test_streaming()
test_basic_reference()
test_format()
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
