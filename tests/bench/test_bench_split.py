"""test_bench_split.py - the quality bench's held-out split is exactly the one docs/quality.md
states (bench/quality/heldout.py): line i (0-based) of a corpus is held out for the test split iff
i % 5 == 0, trained on otherwise; the validation split holds out i % 5 == 1 and trains on
i % 5 in {2, 3, 4}; each part's JSONL lines are the corpus's lines byte for byte, in order, and its
embedding rows are the rows of those lines. Also checks heldout.py's NPMI scorer on a hand-made
corpus and, where `saetm eval` has --npmi-eps, that it agrees with `saetm eval --npmi-eps 0`."""
import json
import os
import subprocess
import sys

import numpy as np

ROOT = os.environ.get("ROOT", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TMP = os.environ.get("TEST_TMPDIR", "/tmp")
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "bench", "quality"))
from testlib import check, report  # noqa: E402
import heldout  # noqa: E402
import stc  # noqa: E402


def split_files():
    n, d = 23, 4
    src = os.path.join(TMP, "c.jsonl")
    docs = [{"id": "d%d" % i, "text": "document number %d é" % i, "group": "g%d" % (i % 3)} for i in range(n)]
    with open(src, "w", encoding="utf-8") as f:
        for doc in docs:
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    emb = os.path.join(TMP, "c.emb.npy")
    rows = np.arange(n * d, dtype=np.float32).reshape(n, d)
    np.save(emb, rows)
    with open(src, "rb") as f:
        lines = f.read().split(b"\n")[:-1]
    for split, held, train in (("test", [i for i in range(n) if i % 5 == 0], [i for i in range(n) if i % 5 != 0]),
                               ("validation", [i for i in range(n) if i % 5 == 1],
                                [i for i in range(n) if i % 5 in (2, 3, 4)])):
        tr, he = heldout.split_indices(n, split)
        check(list(tr) == train and list(he) == held, "%s: split_indices" % split)
        check(all(heldout.part_of(i, split) == ("heldout" if i in held else "train" if i in train else None)
                  for i in range(n)), "%s: part_of" % split)
        paths = heldout.write_split(src, emb, os.path.join(TMP, "out"), "c", split)
        for part, want in (("train", train), ("heldout", held)):
            j, e = paths[part]
            with open(j, "rb") as f:
                got = f.read().split(b"\n")
            check(got[-1] == b"" and got[:-1] == [lines[i] for i in want], "%s %s: JSONL lines" % (split, part))
            ids = [json.loads(l)["id"] for l in got[:-1]]
            check(ids == ["d%d" % i for i in want], "%s %s: ids" % (split, part))
            r = np.load(e)
            check(r.shape == (len(want), d) and r.dtype == np.float32 and np.array_equal(r, rows[want]),
                  "%s %s: embedding rows follow the lines" % (split, part))
        if split == "test":
            check(len(held) + len(train) == n, "test: every line in one part")
        else:
            check(not set(held) & {i for i in range(n) if i % 5 == 0} and
                  not set(train) & {i for i in range(n) if i % 5 == 0}, "validation: no test line in either part")
    # the 20% / 80% of a corpus of 6,000 lines
    tr, he = heldout.split_indices(6000, "test")
    check(len(he) == 1200 and len(tr) == 4800, "test split of 6000: 1200 / 4800")
    # a wrong number of embedding rows is an error
    np.save(os.path.join(TMP, "bad.emb.npy"), rows[:-1])
    try:
        heldout.write_split(src, os.path.join(TMP, "bad.emb.npy"), os.path.join(TMP, "bad"), "c", "test")
        check(False, "rows != lines: no error")
    except ValueError:
        check(True, "")


class FakeCorpus:
    def __init__(self, docs, vocab):
        import scipy.sparse as sp
        self.vocab = vocab
        r, c = [], []
        for i, d in enumerate(docs):
            for w in set(d):
                r.append(i)
                c.append(vocab.index(w))
        self.bow = sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(len(docs), len(vocab)))


def scorer():
    vocab = ["a", "b", "c", "d", "z"]  # z: in the vocabulary, in no document
    docs = [["a", "b"], ["a", "b", "c"], ["c"], ["d"], [], ["a"]]
    ref = heldout.Reference(FakeCorpus(docs, vocab))
    check(ref.n == 5, "empty documents are not counted")
    n = 5.0
    pa, pb, pab = 3 / n, 2 / n, 2 / n
    e = 1e-12
    ab = np.log((pab + e) / (pa * pb)) / -np.log(pab + e)
    got, per = heldout.npmi_topics([["a", "b"], ["a", "b", "d"], ["a", "q"], ["a", "z", "a"], ["a"]], ref)
    check(abs(per[0] - ab) < 1e-12, "pair NPMI")
    check(abs(per[1] - (ab - 1 - 1) / 3) < 1e-12, "never-co-occurring pairs score -1")
    check(per[2] == -1.0 and per[3] == -1.0, "absent words (unknown, in no document) score -1; repeats count once")
    check(per[4] is None, "a one-word topic is not scored")
    check(abs(got - np.mean(per[:4])) < 1e-12, "mean over the scored topics")
    check(abs(heldout.absent_per_500([["a", "q"], ["z", "b"]], ref) - 250.0) < 1e-12, "absent per 500")
    allin = heldout.Reference(FakeCorpus([["a", "b"], ["a", "b", "c"]], ["a", "b", "c"]))
    check(heldout.npmi_topic(["a", "b"], allin) == 1.0, "both words in every document: 1")


def against_saetm_eval():
    saetm = os.environ.get("SAETM_RELEASE", os.path.join(ROOT, "build", "saetm"))
    if not os.path.exists(saetm):
        print("SKIP: no %s" % saetm)
        return
    h = subprocess.run([saetm, "eval", "--help"], capture_output=True, text=True).stdout
    if "--npmi-eps" not in h:
        print("SKIP: saetm eval has no --npmi-eps (the floor rule)")
        return
    rng = np.random.default_rng(7)
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
             "kilo", "lima", "mike", "november", "oscar", "papa"]
    src = os.path.join(TMP, "ref.txt")
    with open(src, "w") as f:
        for _ in range(60):
            f.write(" ".join(rng.choice(words[:12], size=rng.integers(1, 6))) + "\n")
    ref_stc = os.path.join(TMP, "ref.stc")
    subprocess.run([saetm, "corpus", "--input", src, "--format", "text", "--preprocess", "none", "--min-df", "1",
                    "--max-df", "1.0", "--out", ref_stc, "-q"], check=True)
    topics = [list(rng.choice(words, size=10, replace=False)) for _ in range(8)]
    tpath = os.path.join(TMP, "topics.txt")
    with open(tpath, "w") as f:
        for t in topics:
            f.write(" ".join(t) + "\n")
    r = subprocess.run([saetm, "eval", "--topics", tpath, "--corpus", ref_stc, "--top", "10", "--json", "-q",
                        "--npmi-eps", "0"], capture_output=True, text=True)
    check(r.returncode == 0, "saetm eval ran: " + r.stderr[-300:])
    if r.returncode:
        return
    ev = json.loads(r.stdout)
    py, _ = heldout.npmi_topics(topics, heldout.Reference(stc.Corpus(ref_stc)))
    check(abs(ev["npmi"] - py) <= 1e-9, "saetm eval --npmi-eps 0 %r == heldout.py %r" % (ev["npmi"], py))


split_files()
scorer()
against_saetm_eval()
sys.exit(report())
