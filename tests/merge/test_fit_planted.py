"""Planted-model validation of the whole pipeline (issue 5): data from the continuous topic model
(`saetm synth`: T planted topic directions with word distributions, sparse Dirichlet mixtures,
embeddings = strength-weighted directions + noise, words drawn from the mixture), `saetm fit` with
K = T (the published merge: k-means in Hellinger space, no refit; fit's defaults are chosen on real
corpora in docs/quality.md), then:
  - the found topic-word distributions match the planted ones: mean best cosine >= 0.9, every planted
    topic matched by a different found topic;
  - the document proportions match: mean correlation with the planted proportions >= 0.8;
  - `saetm transform` on the same embeddings and documents reproduces doc_topics.npy;
  - a run over a range of K (the reference's K ablation), scored by `saetm eval`: NPMI peaks at the
    planted K, and topic diversity falls once K exceeds it.
"""
import json
import os
import subprocess
import sys

import numpy as np

ROOT = os.environ.get("ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "corpus"))
sys.path.insert(0, os.path.join(ROOT, "tests"))
import stc  # noqa: E402
from testlib import check, report  # noqa: E402

S = os.environ.get("SAETM", os.path.join(ROOT, "build/test/saetm"))
TMP = os.environ.get("TEST_TMPDIR", "/tmp")
T = 8

def run(*args):
    subprocess.run([S, *args], check=True)


def recovery(d, m):
    vocab = stc.Corpus(f"{m}/corpus.stc").vocab
    sv = {w: i for i, w in enumerate(open(f"{d}/vocab.txt").read().split())}
    tw, tt = np.load(f"{m}/topic_word.npy"), np.load(f"{d}/true_topic_word.npy")
    full = np.zeros((tw.shape[0], tt.shape[1]))
    full[:, [sv[w] for w in vocab]] = tw
    cos = (tt / np.linalg.norm(tt, axis=1, keepdims=True)) @ (full / np.linalg.norm(full, axis=1, keepdims=True)).T
    best = cos.argmax(1)
    dt, td = np.load(f"{m}/doc_topics.npy"), np.load(f"{d}/true_doc_topics.npy")
    corr = [np.corrcoef(td[:, t], dt[:, best[t]])[0, 1] for t in range(tt.shape[0])]
    return cos.max(1).mean(), np.mean(corr), len(set(best))


def main():
    d, m = f"{TMP}/planted", f"{TMP}/model"
    run("synth", "--out", d, "--docs", "2000", "--topics", str(T), "--vocab", "400", "--dim", "32", "--seed", "3", "-q")
    run("fit", "--input", f"{d}/docs.jsonl", "--emb", f"{d}/emb.npy", "--k", str(T), "--preprocess", "none",
        "--min-df", "1", "--max-df", "1.0", "--features", "48", "--sae-k", "3", "--steps", "300",
        "--merge", "kmeans-hellinger", "--no-refit", "--min-doc-freq", "1", "--out", m, "-q")
    for f in ("corpus.stc", "sae.saem", "acts.sac", "interp.sti", "params.json", "top_words.txt", "topics.json",
              "doc_topics.npy", "topic_word.npy"):
        check(os.path.exists(f"{m}/{f}"), f"fit wrote {f}")
    params = json.load(open(f"{m}/params.json"))
    check(params["topics"]["k"] == T and params["corpus"]["preprocess"] == "none", "params.json records the run")
    cos, corr, distinct = recovery(d, m)
    print(f"K = T = {T}: topic-word mean best cosine {cos:.3f}, document proportion correlation {corr:.3f}, "
          f"{distinct} distinct matches", file=sys.stderr)
    check(cos >= 0.9, f"planted topics recovered: mean best cosine {cos:.3f} >= 0.9")
    check(corr >= 0.8, f"planted proportions recovered: mean correlation {corr:.3f} >= 0.8")
    check(distinct == T, "every planted topic has its own found topic")
    # transform == fit on the same documents
    run("transform", "--model", m, "--emb", f"{d}/emb.npy", "--input", f"{d}/docs.jsonl", "--out", f"{TMP}/tr.npy", "-q")
    check(np.array_equal(np.load(f"{TMP}/tr.npy"), np.load(f"{m}/doc_topics.npy")), "transform reproduces doc_topics")
    # the K ablation
    rows = {}
    for k in (4, 8, 12, 16):
        out = f"{TMP}/k{k}"
        run("topics", "--model", m, "--k", str(k), "--out", out, "-q")
        r = subprocess.run([S, "eval", "--topics", f"{out}/top_words.txt", "--corpus", f"{m}/corpus.stc", "--json",
                            "--diversity-top", "20", "-q"], check=True, capture_output=True, text=True)
        j = json.loads(r.stdout)
        rows[k] = (j["npmi"], j["c_v"], j["diversity"])
    print("K ablation on planted data (T = 8):   K   NPMI    C_V   diversity(top 20)", file=sys.stderr)
    for k, (npmi, cv, div) in rows.items():
        print(f"                                    {k:3d}  {npmi:.3f}  {cv:.3f}  {div:.3f}", file=sys.stderr)
    check(all(np.isfinite(v) for r in rows.values() for v in r), "scores are finite")
    check(rows[8][0] == max(r[0] for r in rows.values()), "NPMI peaks at the planted K")
    check(rows[16][2] < rows[8][2], "diversity falls above the planted K")
    return report()


if __name__ == "__main__":
    sys.exit(main())
