"""split_half.py - is saetm's coherence pruning fitting the metric? (docs/quality.md, session 4)

saetm's pruning (`saetm topics --candidates`) keeps the candidate topics whose top words co-occur
most in the corpus's documents, the statistic the bench then reports. This check re-does the
pruning in numpy with the coherence counted on the even-numbered documents only, and scores
saetm's topics (pruned on all documents, pruned on the even ones) and the baselines' topics of the
last bench run on the odd-numbered documents, which the even-pruned merge never saw.

The numpy prune follows docs/topics.md item 8 without the redundancy term and with probability
ranking: 2K candidates from `saetm topics --fit-defaults --no-refit --candidates 1` (the same
co-activation merge), the refit by EM (sharpen 4, background 0.7, IDF weights), the lower-scoring
half of the excess dissolved per round, their features joined to the topic they co-activate with
most. Its numbers differ a little from the C merge's.

Usage: /usr/bin/python3 bench/quality/split_half.py --corpus debian --k 20,50 --seeds 1,2,3
       [--work build/bench-quality] [--saetm build/saetm]
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stc  # noqa: E402


class Fit:
    def __init__(self, model):
        self.model = model
        _, _, s = stc.read_container(os.path.join(model, "interp.sti"))
        n, f = len(s["theta_ptr"]) - 1, len(s["theta_avg"])
        self.theta = sp.csr_matrix((s["theta_val"].astype(np.float64), s["theta_idx"], s["theta_ptr"]), shape=(n, f))
        corpus = stc.Corpus(os.path.join(model, "corpus.stc"))
        self.vocab = corpus.vocab
        self.X = sp.csr_matrix(corpus.bow, dtype=np.float64)
        self.N, self.V = self.X.shape
        self.F = f
        df = np.asarray((self.X > 0).sum(0)).ravel()
        idf = np.log(self.N / np.maximum(df, 1))
        self.idf = idf / idf.max()
        self.G = np.asarray((self.theta.T @ self.theta).todense())

    def doc_topics(self, ft, k):
        ok = ft >= 0
        m = sp.csr_matrix((np.ones(ok.sum()), (np.nonzero(ok)[0], ft[ok])), shape=(self.F, k))
        dt = np.asarray((self.theta @ m).todense())
        return dt / np.maximum(dt.sum(1, keepdims=True), 1e-300)

    def refit(self, dt, pi=0.7, sharpen=4.0, iters=300, tol=1e-6):
        w = sp.csr_matrix(self.X.multiply(self.idf[None, :]))
        p = dt ** sharpen
        p /= np.maximum(p.sum(1, keepdims=True), 1e-300)
        rows, cols = w.nonzero()
        wv = np.asarray(w[rows, cols]).ravel()
        keep = p.sum(1)[rows] > 0
        rows, cols, wv = rows[keep], cols[keep], wv[keep]
        phi = np.asarray(p.T @ w) + 1e-12
        phi /= phi.sum(1, keepdims=True)
        p0 = np.asarray(w.sum(0)).ravel()
        p0 /= p0.sum()
        last = None
        for _ in range(iters):
            pw = (1 - pi) * np.einsum("ik,ik->i", p[rows], phi[:, cols].T) + pi * p0[cols]
            nll = -(wv * np.log(pw)).sum() / wv.sum()
            q = sp.csr_matrix((wv / pw, (rows, cols)), shape=w.shape)
            phi = phi * np.asarray((q.T @ p).T)
            phi = phi / np.maximum(phi.sum(1, keepdims=True), 1e-300) + 1e-4 / self.V
            phi /= phi.sum(1, keepdims=True)
            p0 = p0 * np.asarray(q.sum(0)).ravel()
            p0 /= p0.sum()
            if last is not None and abs(last - nll) < tol * abs(nll):
                break
            last = nll
        return phi


class Cooc:
    """Document co-occurrence of the words over some documents: NPMI as `saetm eval` computes it."""

    def __init__(self, X, rows):
        b = (X[rows] > 0).astype(np.float64)
        self.C = np.asarray((b.T @ b).todense())
        self.n = len(rows)
        self.p = np.diag(self.C) / self.n

    def npmi(self, words):
        w = [x for x in dict.fromkeys(words) if self.p[x] > 0]
        s = []
        for i in range(len(w)):
            for j in range(i + 1, len(w)):
                p12 = self.C[w[i], w[j]] / self.n + 1e-12
                s.append(np.log(p12 / (self.p[w[i]] * self.p[w[j]])) / -np.log(p12))
        return float(np.mean(s)) if s else 0.0


def prune(fit, ft, k, cooc):
    kc = int(ft.max()) + 1
    while kc > k:
        beta = fit.refit(fit.doc_topics(ft, kc))
        top = np.argsort(-beta, 1, kind="stable")[:, :10]
        score = np.array([cooc.npmi(t) for t in top])
        drop = np.argsort(score, kind="stable")[: (kc - k + 1) // 2]
        kept = np.setdiff1d(np.arange(kc), drop)
        remap = -np.ones(kc, dtype=np.int64)
        remap[kept] = np.arange(len(kept))
        members = np.nonzero(np.isin(ft, drop))[0]
        ft = np.where(ft >= 0, remap[np.maximum(ft, 0)], -1)
        ft[members] = -2
        kc = len(kept)
        inside = np.nonzero(ft >= 0)[0]
        m = sp.csr_matrix((np.ones(len(inside)), (inside, ft[inside])), shape=(fit.F, kc)).toarray()
        g = fit.G[members].copy()
        g[np.arange(len(members)), members] = 0
        s = g @ m
        ft[members] = np.where(s.max(1) > 0, s.argmax(1), -1)
    return ft


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--k", default="20,50")
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--work", default="build/bench-quality")
    ap.add_argument("--saetm", default="build/saetm")
    a = ap.parse_args()
    for k in [int(x) for x in a.k.split(",")]:
        rows = {}
        for seed in [int(x) for x in a.seeds.split(",")]:
            model = os.path.join(a.work, "runs", "fit-saetm_%s_s%d" % (a.corpus, seed))
            fit = Fit(model)
            even, odd = np.arange(0, fit.N, 2), np.arange(1, fit.N, 2)
            held_out = Cooc(fit.X, odd)
            cand = os.path.join(a.work, "runs", "split-candidates_%s_s%d_k%d" % (a.corpus, seed, 2 * k))
            subprocess.run([a.saetm, "topics", "--model", model, "--k", str(2 * k), "--out", cand, "--seed", str(seed),
                            "-q", "--fit-defaults", "--no-refit", "--candidates", "1"], check=True)
            ft0 = -np.ones(fit.F, dtype=np.int64)
            for t in json.load(open(os.path.join(cand, "topics.json")))["topics"]:
                ft0[np.array(t["features"], dtype=np.int64)] = t["id"]
            for name, rows_sel in (("pruned on all", np.arange(fit.N)), ("pruned on even", even)):
                ft = prune(fit, ft0.copy(), k, Cooc(fit.X, rows_sel))
                top = np.argsort(-fit.refit(fit.doc_topics(ft, k)), 1, kind="stable")[:, :10]
                rows.setdefault(name, []).append(np.mean([held_out.npmi(t) for t in top]))
            index = {w: i for i, w in enumerate(fit.vocab)}
            for method in ("nmf", "kmeans", "lda"):
                path = os.path.join(a.work, "topics", a.corpus, "%s_k%d_s%d.txt" % (method, k, 1 if method == "nmf" else seed))
                if os.path.exists(path):
                    tops = [[index[w] for w in line.split()[:10] if w in index] for line in open(path, encoding="utf-8")]
                    rows.setdefault(method, []).append(np.mean([held_out.npmi(t) for t in tops if t]))
        print("%s K=%d, NPMI on the odd documents (mean over seeds): %s" % (
            a.corpus, k, ", ".join("%s %.3f" % (n, np.mean(v)) for n, v in rows.items())), flush=True)


if __name__ == "__main__":
    main()
