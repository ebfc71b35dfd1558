"""Reference EM for the interpretation model (docs/topics.md), in plain numpy, for bench/bench_em.sh.

Reads a problem dumped by `em_trace --dump DIR` and runs plain EM with saetm's defaults (pi 0.3
fixed, learned background, IDF weights, smooth 1e-4, the same start) until the relative NLL change
of an iteration is <= --tol, printing "trace SECONDS ITERATION NLL CPU_SECONDS" per iteration and
"done SECONDS ITERATIONS NLL CPU_SECONDS". Vectorised over (document, word, feature) triples: memory about
40 bytes per triple. Usage: interpret_em_ref.py DIR [--tol 1e-6] [--max-iter 500]
"""
import sys
import time

import numpy as np


def load(d):
    n, v, f = (int(x) for x in open(f"{d}/shape.txt").read().split())
    rp = np.fromfile(f"{d}/bow_ptr.u64", dtype="<u8").astype(np.int64)
    wid = np.fromfile(f"{d}/bow_word.u32", dtype="<u4").astype(np.int64)
    cnt = np.fromfile(f"{d}/bow_count.u32", dtype="<u4").astype(np.float64)
    ap = np.fromfile(f"{d}/act_ptr.u64", dtype="<u8").astype(np.int64)
    ai = np.fromfile(f"{d}/act_idx.u32", dtype="<u4").astype(np.int64)
    av = np.fromfile(f"{d}/act_val.f32", dtype="<f4").astype(np.float64)
    return n, v, f, rp, wid, cnt, ap, ai, av


def main():
    args = sys.argv[1:]
    d = args[0]
    tol = float(args[args.index("--tol") + 1]) if "--tol" in args else 1e-6
    max_iter = int(args[args.index("--max-iter") + 1]) if "--max-iter" in args else 500
    pi, eps = 0.3, 1e-4
    n, V, F, rp, wid, cnt, ap, ai, av = load(d)
    t0, c0 = time.monotonic(), time.process_time()
    # IDF weights over all documents
    doc_of_entry = np.repeat(np.arange(n), np.diff(rp))
    df = np.bincount(wid, minlength=V).astype(np.float64)
    with np.errstate(divide="ignore"):
        lg = np.where(df > 0, np.log(n / np.maximum(df, 1)), 0.0)
    c = lg / lg.max()
    # theta over positive activations; taking part: positive sum and a word
    pos = av > 0
    doc_of_act = np.repeat(np.arange(n), np.diff(ap))
    asum = np.bincount(doc_of_act, weights=av, minlength=n)
    nwords = np.diff(rp)
    part = (asum > 0) & (nwords > 0)
    keep = pos & part[doc_of_act]
    t_doc, t_f = doc_of_act[keep], ai[keep]
    t_theta = av[keep] / asum[t_doc]
    # triples (entry p, feature f, theta): every word of the document with every active feature
    k_per_doc = np.bincount(t_doc, minlength=n)
    reps = k_per_doc[doc_of_entry]  # triples per bow entry
    tp = np.repeat(np.arange(len(wid)), reps)
    act_start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(k_per_doc, out=act_start[1:])
    # offset of each triple within its entry's run, to pick the document's j-th activation
    run_start = np.repeat(np.cumsum(reps) - reps, reps)
    j = np.arange(len(tp)) - run_start
    ta = act_start[doc_of_entry[tp]] + j
    tf, tth = t_f[ta], t_theta[ta]
    tw = wid[tp]
    key = tf * V + tw
    uk, tj = np.unique(key, return_inverse=True)  # support pairs (f, w) ascending
    pair_f = uk // V
    wt = cnt * c[wid]
    in_part = part[doc_of_entry]
    wt_part = np.where(in_part, wt, 0.0)
    W = wt_part.sum()
    # start: psi from theta-weighted counts, chi the weighted unigram
    def norm_rows(x):
        s = np.bincount(pair_f, weights=x, minlength=F)
        return x / s[pair_f]
    psi = norm_rows(np.bincount(tj, weights=tth * wt[tp], minlength=len(uk)))
    chi = np.bincount(wid, weights=wt_part, minlength=V)
    chi /= chi.sum()
    print(f"# setup {time.monotonic() - t0:.2f} s, {len(tp)} triples, {len(uk)} pairs", flush=True)
    a = (1 - pi) * (1 - eps)
    floor = (1 - pi) * eps / V
    prev = None
    it = 0
    while True:
        p0 = (1 - eps) * chi + eps / V
        s = a * np.bincount(tp, weights=tth * psi[tj], minlength=len(wid)) + floor + pi * p0[wid]
        q = np.where(in_part & (wt > 0), wt / s, 0.0)
        nll = -np.sum(np.where(in_part & (wt > 0), wt * np.log(s), 0.0)) / W
        print(f"trace {time.monotonic() - t0:.4f} {it} {nll:.10f} {time.process_time() - c0:.4f}", flush=True)
        if prev is not None and prev - nll <= tol * abs(nll):
            break
        if it == max_iter:
            break
        prev = nll
        psi = norm_rows(psi * np.bincount(tj, weights=tth * q[tp], minlength=len(uk)))
        chi = chi * np.bincount(wid, weights=q, minlength=V)
        chi /= chi.sum()
        it += 1
    print(f"done {time.monotonic() - t0:.4f} {it} {nll:.10f} {time.process_time() - c0:.4f}", flush=True)


if __name__ == "__main__":
    main()
