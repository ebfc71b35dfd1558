"""interpret_adam.py - the reference method's fit of feature word distributions, for bench_interpret:
phi = softmax(B) by AdamW (lr 1e-2, weight decay 0.01, batch 1024 documents, the recipe of the
reference implementation, docs/method.md 2.3) on the objective saetm's EM solves (fixed pi and the
IDF-weighted unigram background), in numpy.

    interpret_adam.py full DIR EPOCHS       run every epoch; print the final NLL and seconds
    interpret_adam.py estimate DIR ROWS     time one step's dense work on ROWS of the F rows of B and
                                            its sparse work on a real batch; print seconds per epoch

DIR holds the problem written by bench_interpret: meta.txt (N V F pi), bow_ptr.u64, bow_word.u32,
bow_count.u32, act_ptr.u64, act_idx.u32, act_val.f32. Output: one line "key value" per result.
"""
import os
import sys
import time

import numpy as np

BATCH, LR, WD, B1, B2, EPS = 1024, 1e-2, 0.01, 0.9, 0.999, 1e-8


def load(d):
    n, v, f, pi = open(os.path.join(d, "meta.txt")).read().split()
    n, v, f, pi = int(n), int(v), int(f), float(pi)
    r = lambda name, t: np.fromfile(os.path.join(d, name), dtype=t)  # noqa: E731
    return dict(n=n, v=v, f=f, pi=pi, bp=r("bow_ptr.u64", np.uint64).astype(np.int64), bw=r("bow_word.u32", np.uint32),
                bc=r("bow_count.u32", np.uint32).astype(np.float64), ap=r("act_ptr.u64", np.uint64).astype(np.int64),
                ai=r("act_idx.u32", np.uint32), av=r("act_val.f32", np.float32).astype(np.float64))


def prepare(P):
    """IDF weights, theta, taking-part documents and the fixed unigram background (as saetm)."""
    n, v = P["n"], P["v"]
    df = np.bincount(P["bw"], minlength=v)
    idf = np.where(df > 0, np.log(n / np.maximum(df, 1)), 0.0)
    idf /= idf.max()
    doc_of_act = np.repeat(np.arange(n), np.diff(P["ap"]))
    asum = np.bincount(doc_of_act, weights=P["av"], minlength=n)
    blen = np.diff(P["bp"])
    part = (asum > 0) & (blen > 0)
    theta = P["av"] / np.where(asum > 0, asum, 1)[doc_of_act]
    doc_of_bow = np.repeat(np.arange(n), blen)
    wts = P["bc"] * idf[P["bw"]] * part[doc_of_bow]
    uni = np.bincount(P["bw"], weights=wts, minlength=v)
    uni /= uni.sum()
    p0 = (1 - 1e-4) * uni + 1e-4 / v  # saetm's smoothing of the background
    P.update(idf=idf, theta=theta, wts=wts, p0=p0, part=part)


def triples(P, docs, fmod=None):
    """For the documents `docs`: per (doc, word, active feature) triple the feature row, the word,
    the theta, and the index of its (doc, word) entry; per entry its weight and word."""
    bp, ap = P["bp"], P["ap"]
    ent_w, ent_wt, t_e, t_f, t_th = [], [], [], [], []
    base = 0
    for d in docs:
        w = P["bw"][bp[d]:bp[d + 1]]
        f = P["ai"][ap[d]:ap[d + 1]].astype(np.int64)
        th = P["theta"][ap[d]:ap[d + 1]]
        m, k = len(w), len(f)
        if m == 0 or k == 0 or not P["part"][d]:
            continue
        ent_w.append(w)
        ent_wt.append(P["wts"][bp[d]:bp[d + 1]])
        t_e.append(base + np.repeat(np.arange(m), k))
        t_f.append(np.tile(f if fmod is None else f % fmod, m))
        t_th.append(np.tile(th, m))
        base += m
    cat = np.concatenate
    ew = cat(ent_w).astype(np.int64)
    return ew, cat(ent_wt), cat(t_e), cat(t_f), cat(t_th), ew[cat(t_e)]


def softmax_rows(B):
    Z = np.exp(B - B.max(1, keepdims=True))
    Z /= Z.sum(1, keepdims=True)
    return Z


def step(B, m, s, t, batch, P, rows):
    """One AdamW step on the batch's objective (float32 parameters, as torch would keep them).
    `rows`: B's rows (all F, or a subset for timing)."""
    ew, ewt, te, tf, tth, tw = batch
    pi, v = P["pi"], P["v"]
    phi = softmax_rows(B)
    p = pi * P["p0"][ew] + np.bincount(te, weights=(1 - pi) * tth * phi[tf, tw], minlength=len(ew))
    r = ewt / p / ewt.sum()
    g_pairs = -(1 - pi) * tth * r[te]                       # dNLL/dphi at the triples
    G = np.bincount(tf * v + tw, weights=g_pairs, minlength=B.size).reshape(B.shape).astype(np.float32)
    grad = phi * (G - (phi * G).sum(1, keepdims=True))     # through the softmax
    B *= 1 - LR * WD
    m *= B1
    m += (1 - B1) * grad
    s *= B2
    s += (1 - B2) * grad * grad
    B -= LR * (m / (1 - B1 ** t)) / (np.sqrt(s / (1 - B2 ** t)) + EPS)


def nll(phi, P, docs):
    ew, ewt, te, tf, tth, tw = triples(P, docs)
    pi = P["pi"]
    p = pi * P["p0"][ew] + np.bincount(te, weights=(1 - pi) * tth * phi[tf, tw], minlength=len(ew))
    return -(ewt * np.log(p)).sum() / ewt.sum()


def main():
    mode, d, arg = sys.argv[1], sys.argv[2], int(sys.argv[3])
    P = load(d)
    prepare(P)
    n, v, f = P["n"], P["v"], P["f"]
    rng = np.random.default_rng(0)
    docs = np.arange(n)
    if mode == "full":
        B = rng.normal(0, 0.01, size=(f, v)).astype(np.float32)
        m, s = np.zeros_like(B), np.zeros_like(B)
        secs, t = 0.0, 0
        for ep in range(arg):
            order = rng.permutation(docs)
            for b in range(0, n, BATCH):
                t += 1
                batch = triples(P, order[b:b + BATCH])  # batch assembly is not timed
                t0 = time.time()
                step(B, m, s, t, batch, P, f)
                secs += time.time() - t0
        print("final_nll", nll(softmax_rows(B), P, docs))
        print("seconds", secs)
        print("epoch_seconds", secs / arg)
    else:  # estimate: dense work on `arg` rows of B scaled to F, sparse work on real batches
        rows = min(arg, f)
        B = rng.normal(0, 0.01, size=(rows, v)).astype(np.float32)
        m, s = np.zeros_like(B), np.zeros_like(B)
        order = rng.permutation(docs)
        batches = [triples(P, order[b:b + BATCH], fmod=rows) for b in range(0, 3 * BATCH, BATCH)]
        step(B, m, s, 1, batches[0], P, rows)  # warm-up
        t0 = time.time()
        for i, bt in enumerate(batches[1:]):
            step(B, m, s, 2 + i, bt, P, rows)
        t_step_sub = (time.time() - t0) / (len(batches) - 1)
        # The step's sparse part (gathers at the triples, per-entry sums, the scatter into the
        # gradient) does not grow with F; the rest (softmax, gradient, AdamW over rows x V) grows
        # linearly with the rows. Counting the whole scatter as sparse favours Adam.
        t0 = time.time()
        for bt in batches[1:]:
            ew, ewt, te, tf, tth, tw = bt
            np.bincount(te, weights=tth * B[tf, tw], minlength=len(ew))
            np.bincount(tf * v + tw, weights=tth, minlength=B.size)
        t_sparse = (time.time() - t0) / (len(batches) - 1)
        t_dense_sub = max(t_step_sub - t_sparse, 0.0)
        t_step = t_dense_sub * f / rows + t_sparse
        steps = (n + BATCH - 1) // BATCH
        print("rows_timed", rows)
        print("step_seconds_rows", t_step_sub)
        print("sparse_seconds", t_sparse)
        print("step_seconds", t_step)
        print("epoch_seconds", t_step * steps)


if __name__ == "__main__":
    main()
