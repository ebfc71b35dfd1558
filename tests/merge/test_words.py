"""The tfidf topic-word estimate (`saetm topics --refit --words tfidf`, src/merge/words.c,
docs/topics.md "Topic words") against an independent reference: numpy builds X and T from the
files saetm wrote (the corpus .stc read by tests/corpus/stc.py, doc_topics.npy) exactly as the docs
define them, and scipy.optimize.nnls solves each word's column exactly; the C code's cyclic
coordinate descent (tol 1e-5) must give the same topic_word.npy within 1e-4 of the largest
probability.

    documents that take part: a word and a non-zero row of doc_topics
    X: tf = 1 + ln count, idf = ln((1 + n) / (1 + df)) + 1 over those n documents, rows at unit L2
    T = [theta rows at unit L2, a constant background column b]
    H >= 0 minimising ||X - T H||_F^2; the background row dropped, topic rows normalised to sum 1

The corpus: planted topics (`saetm synth`) seen through noisy mixed "SAE" activations (features
that mix topics plus junk features firing at random, so the K-means topics are mixtures and the
estimate is not trivially diagonal), a few documents with no activation and one with no
vocabulary word (both take no part), and three generic words in nearly every document. Checked
for b = 0 and b = 0.3 (and b = 1.5: any b > 0 gives the same estimate, the background row just
scales by 1 / b), sublinear tf, after a plain merge and after a cross-fitted pruning (whose last
step estimates the words of the K topics left on all documents). With the background, the generic
words leave the topics; that is also where plain coordinate descent failed: the Gram matrix is
ill-conditioned along "all topics against the background", and 200 sweeps left those words at
about 10 times their weight (8% of the largest probability off), hence the active-set finish in
src/merge/words.c.
"""
import json
import os
import subprocess
import sys

import numpy as np
from scipy.optimize import nnls

ROOT = os.environ.get("ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "corpus"))
sys.path.insert(0, os.path.join(ROOT, "tests"))
import stc  # noqa: E402
from testlib import check, report  # noqa: E402

S = os.environ.get("SAETM", os.path.join(ROOT, "build/test/saetm"))
TMP = os.environ.get("TEST_TMPDIR", "/tmp")
TOL = 1e-4
GENERIC = ("genax", "genbex", "genox")  # coordinate descent at tol 1e-5 against exact NNLS, relative to the largest probability


def run(*args):
    subprocess.run([S, *args], check=True)


def reference(corpus, theta, b):
    """The estimate of docs/topics.md from scratch: K x V topic_word (float64)."""
    N, K = theta.shape
    V = corpus.n_vocab
    rp, ids, cnt = corpus.row_ptr, corpus.word_ids, corpus.counts.astype(np.float64)
    rows = [d for d in range(N) if rp[d + 1] > rp[d] and (theta[d] > 0).any()]
    n = len(rows)
    X = np.zeros((n, V))
    for i, d in enumerate(rows):
        X[i, ids[rp[d]:rp[d + 1]]] = 1 + np.log(cnt[rp[d]:rp[d + 1]])
    df = (X > 0).sum(0)
    X *= np.log((1 + n) / (1 + df)) + 1
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    th = theta[rows].astype(np.float64)
    th /= np.linalg.norm(th, axis=1, keepdims=True)
    T = np.hstack([th, np.full((n, 1), b)]) if b > 0 else th
    H = np.stack([nnls(T, X[:, w])[0] for w in range(V)], axis=1)[:K]
    s = H.sum(1, keepdims=True)
    return np.where(s > 0, H / np.where(s > 0, s, 1), 1.0 / V), n


def compare(corpus, out, b, what, n_expected):
    tw = np.load(f"{out}/topic_word.npy").astype(np.float64)
    theta = np.load(f"{out}/doc_topics.npy")
    ref, n = reference(corpus, theta, b)
    err = np.abs(ref - tw).max() / ref.max()
    print(f"{what}: {n} documents take part, K = {tw.shape[0]}, max |C - NNLS| / max p = {err:.2e}", file=sys.stderr)
    check(n == n_expected, f"{what}: {n} documents take part, want {n_expected}")
    check(tw.shape == ref.shape, f"{what}: topic_word shape {tw.shape}")
    check(err <= TOL, f"{what}: topic_word within {TOL} of the exact NNLS (relative error {err:.2e})")
    check(np.all(tw >= 0) and np.allclose(tw.sum(1), 1, atol=1e-5), f"{what}: rows are distributions")
    # the listed words (--rank prob) follow topic_word
    vocab = corpus.vocab
    for k, line in enumerate(open(f"{out}/top_words.txt").read().splitlines()):
        check(line.split()[0] == vocab[int(np.argmax(tw[k]))], f"{what}: topic {k}'s first word is its most probable")
    return ref


def main():
    d = f"{TMP}/words"
    run("synth", "--out", d, "--docs", "700", "--topics", "5", "--vocab", "220", "--dim", "16", "--seed", "4", "-q")
    # three generic words in (nearly) every document, whatever its topics; and one more document with
    # no vocabulary word (a token of one document only, cut by --min-df 2: an empty row of the corpus)
    rng = np.random.default_rng(11)
    lines = []
    for line in open(f"{d}/docs.jsonl"):
        j = json.loads(line)
        extra = [w for w in GENERIC for _ in range(int(rng.integers(0, 4)))]
        j["text"] += " " + " ".join(extra)
        lines.append(json.dumps(j) + "\n")
    lines.append('{"id": "empty", "text": "qqqqzz"}\n')
    open(f"{d}/docs.jsonl", "w").write("".join(lines))
    st = np.load(f"{d}/true_strengths.npy")
    F, J = 12, 3
    mix = rng.uniform(0, 1, size=(st.shape[1], F)) * (rng.uniform(size=(st.shape[1], F)) < 0.35)
    mix[np.arange(st.shape[1]), rng.permutation(F)[:st.shape[1]]] += 1.0  # every topic has a main feature
    acts = st @ mix
    acts[:, F - J:] = rng.uniform(0.2, 0.6, size=(len(acts), J)) * (rng.uniform(size=(len(acts), 1)) < 0.15)
    acts *= rng.uniform(0.7, 1.3, size=acts.shape)
    acts[:6] = 0  # no activation: these documents take no part
    acts = np.vstack([acts, np.full((1, F), 0.5)]).astype(np.float32)  # the empty document has activations
    np.save(f"{d}/acts.npy", acts)
    run("corpus", "--input", f"{d}/docs.jsonl", "--out", f"{d}/c.stc", "--preprocess", "none", "--min-df", "2",
        "--max-df", "1.0", "-q")
    run("interpret", "--corpus", f"{d}/c.stc", "--acts", f"{d}/acts.npy", "--out", f"{d}/i.sti", "-q")
    corpus = stc.Corpus(f"{d}/c.stc")
    check(corpus.n_docs == 701 and corpus.row_ptr[701] == corpus.row_ptr[700], "the last document is empty")
    n_part = 701 - 6 - 1
    base = ["topics", "--interp", f"{d}/i.sti", "--corpus", f"{d}/c.stc", "--merge", "kmeans-hellinger", "--refit",
            "--words", "tfidf", "--rank", "prob", "-q"]
    refs = {}
    for b in ("0", "0.3", "1.5"):
        out = f"{d}/b{b}"
        run(*base, "--k", "4", "--words-background", b, "--out", out)
        refs[b] = compare(corpus, out, float(b), f"--words-background {b}", n_part)
    # the default background is 0.3
    run(*base, "--k", "4", "--out", f"{d}/bdef")
    check(open(f"{d}/bdef/topic_word.npy", "rb").read() == open(f"{d}/b0.3/topic_word.npy", "rb").read(),
          "--words-background defaults to 0.3")
    # the background column takes the words every document uses: the generic words' mass in the
    # topics falls (b = 0: the topics must carry them)
    gen = [corpus.vocab.index(w) for w in GENERIC]
    m = {b: refs[b][:, gen].sum(1).mean() for b in refs}
    print("mean mass of the generic words per topic: " + ", ".join(f"b = {b} {v:.4f}" for b, v in m.items()),
          file=sys.stderr)
    check(m["0.3"] < 0.2 * m["0"], "the background column takes the generic words off the topics")
    # any b > 0 is the same estimate (the background's weight scales by 1/b): only b = 0 vs b > 0 matters
    check(np.abs(refs["0.3"] - refs["1.5"]).max() < 1e-9 * refs["0.3"].max(), "reference: b = 0.3 and 1.5 agree")
    tw3, tw15 = np.load(f"{d}/b0.3/topic_word.npy"), np.load(f"{d}/b1.5/topic_word.npy")
    check(np.abs(tw3 - tw15).max() <= TOL * tw3.max(), "saetm: b = 0.3 and 1.5 agree")
    # after a cross-fitted pruning, the K topics left have their words estimated on all documents
    out = f"{d}/cf"
    run(*base, "--k", "3", "--candidates", "2", "--crossfit", "on", "--out", out)
    compare(corpus, out, 0.3, "pruned, cross-fitted", n_part)
    return report()


if __name__ == "__main__":
    sys.exit(main())
