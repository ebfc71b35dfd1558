"""quality.py - topic quality of saetm against the tools people use instead, on the same
bag-of-words, vocabulary and embeddings, scored by the same `saetm eval`.

For each corpus (bench/quality/corpora.py builds them as JSONL):
  1. `saetm corpus` builds the bag-of-words (.stc); every method reads that file (stc.py), so all
     share one vocabulary and one preprocessing.
  2. Methods, at each K:
       lda     gensim LdaModel on counts (passes 10, iterations 50, symmetric alpha), 3 seeds
       nmf     scikit-learn NMF on TF-IDF (nndsvda init: deterministic, so one run)
       kmeans  k-means on the document embeddings + class-based TF-IDF top words (the BERTopic
               recipe with k-means as the cluster model), 3 seeds; needs embeddings
       saetm   `saetm fit` with the same embeddings, 3 seeds (one fit per seed; every K merged from it
               by `saetm topics --model DIR --fit-defaults`); needs embeddings and `saetm fit`
  3. Every method's top 25 words per topic go through `saetm eval --json` against the corpus:
     NPMI (top 10, document co-occurrence), C_V, topic diversity (top 25). Time is the method's
     own wall time (fit + top words), not the evaluation.
Embeddings come from DATA/NAME.emb.npy (row i = document i of NAME.jsonl) or, where that file is
missing and the build has `saetm embed`, from the built-in embedder; otherwise the
embedding-based methods are reported as not run.

Usage: quality.py --data DIR --work DIR [--corpora sotu,debian,kjv] [--k 10,20,50,100]
                  [--seeds 3] [--methods lda,nmf,kmeans,saetm] [--saetm-variant NAME=ARGS]...
                  [--json OUT [--update]] [--markdown OUT]
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stc  # noqa: E402

TOP_WORDS = 25
DETERMINISTIC = {"nmf"}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def has_command(saetm, cmd):
    r = subprocess.run([saetm, cmd, "--help"], capture_output=True, text=True)
    return r.returncode == 0


# ---- methods: each returns a list of K lists of word ids, best first ---------------------------

def top_ids(weights, n=TOP_WORDS):
    return [list(np.argsort(-row, kind="stable")[:n]) for row in weights]


def run_lda(bow, k, seed, **_):
    from gensim.models import LdaModel
    from gensim.matutils import Sparse2Corpus
    corpus = Sparse2Corpus(bow, documents_columns=False)
    id2word = {i: str(i) for i in range(bow.shape[1])}  # ids are the vocabulary's; names unused
    lda = LdaModel(corpus=corpus, id2word=id2word, num_topics=k, passes=10, iterations=50, chunksize=2000,
                   alpha="symmetric", random_state=seed, eval_every=None)
    return top_ids(lda.get_topics())


def run_nmf(bow, k, seed, **_):
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfTransformer
    x = TfidfTransformer().fit_transform(bow)
    nmf = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=400)
    nmf.fit(x)
    return top_ids(nmf.components_)


def ctfidf_top(bow, labels, k):
    """BERTopic's class-based TF-IDF: per class, l1-normalised word counts times
    log(1 + A / f_w), A the mean number of words per class, f_w the word's total count."""
    import scipy.sparse as sp
    onehot = sp.csr_matrix((np.ones(len(labels)), (labels, np.arange(len(labels)))), shape=(k, len(labels)))
    tf = np.asarray((onehot @ bow).todense())
    fw = tf.sum(axis=0)
    avg = tf.sum(axis=1).mean()
    with np.errstate(divide="ignore"):
        idf = np.log(1.0 + avg / np.where(fw > 0, fw, np.inf))
    rows = tf / np.maximum(tf.sum(axis=1, keepdims=True), 1e-300)
    return top_ids(rows * idf)


def run_kmeans(bow, k, seed, emb=None, **_):
    from sklearn.cluster import KMeans
    km = KMeans(n_clusters=k, n_init=3, random_state=seed)
    labels = km.fit_predict(emb)
    return ctfidf_top(bow, labels, k)


METHODS = {"lda": run_lda, "nmf": run_nmf, "kmeans": run_kmeans}


# ---- the benchmark ----------------------------------------------------------------------------

def evaluate(saetm, topics_path, corpus_path):
    r = subprocess.run([saetm, "eval", "--topics", topics_path, "--corpus", corpus_path, "--top", "10",
                        "--diversity-top", str(TOP_WORDS), "--json", "-q"], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("saetm eval failed: " + r.stderr.strip())
    return json.loads(r.stdout)


def write_topics(path, topics, vocab):
    with open(path, "w", encoding="utf-8") as f:
        for t in topics:
            f.write(" ".join(vocab[i] for i in t) + "\n")


def corpus_args(src):
    """The corpus options every saetm command gets for this input (so `saetm fit` builds the same
    bag-of-words as `saetm corpus`): default preprocessing, group and date fields where present."""
    args = ["--group-field", "group"]
    with open(src, encoding="utf-8") as f:
        if '"date"' in f.readline():
            args += ["--date-field", "date"]
    return args


def build_corpus(saetm, data, work, name):
    path = os.path.join(work, name + ".stc")
    if not os.path.exists(path):
        src = os.path.join(data, name + ".jsonl")
        subprocess.run([saetm, "corpus", "--input", src, "--out", path, "-q"] + corpus_args(src), check=True)
    return path


def embeddings_for(saetm, data, work, name, n_docs):
    path = os.path.join(data, name + ".emb.npy")
    if not os.path.exists(path):
        path = os.path.join(work, name + ".emb.npy")
        if not os.path.exists(path):
            if not has_command(saetm, "embed"):
                return None, None
            subprocess.run([saetm, "embed", "--input", os.path.join(data, name + ".jsonl"), "--out", path, "-q"],
                           check=True)
    emb = np.load(path, mmap_mode="r")
    if emb.shape[0] != n_docs:
        raise RuntimeError("%s: %d rows, corpus has %d documents" % (path, emb.shape[0], n_docs))
    return np.asarray(emb, dtype=np.float32), path


def run_cmd(cmd):
    """Run a saetm command; on failure raise RuntimeError with its last error line."""
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        err = [l for l in r.stderr.strip().split("\n") if l.strip()]
        raise RuntimeError("%s %s: %s" % (os.path.basename(cmd[0]), cmd[1], err[-1] if err else "exit %d" % r.returncode))


FITS = {}  # (method, corpus, seed) -> (model directory, fit seconds, K of the fit): one SAE per seed, re-merged per K
REUSE_FITS = False


def without_out(cmd):
    """A fit command without its --out value, to compare two fits' commands."""
    return [x for i, x in enumerate(cmd) if not (i > 0 and cmd[i - 1] == "--out")]


def saetm_fit(saetm, data, work, name, emb_path, k, seed, method, extra):
    """`saetm fit` once per (method, corpus, seed), at the first K asked, into
    WORK/runs/fit-METHOD_CORPUS_sSEED. With --reuse-fits, a model directory whose recorded command
    (DIR/bench_fit.json) is the same but for --out is used again."""
    key = (method, name, seed)
    if key in FITS:
        return FITS[key]
    src = os.path.join(data, name + ".jsonl")
    os.makedirs(os.path.join(work, "runs"), exist_ok=True)
    base = os.path.join(work, "runs", "fit-%s_%s_s%d" % (method, name, seed))
    cmd = [saetm, "fit", "--input", src, "--emb", emb_path, "--k", str(k), "--out", base, "--seed", str(seed),
           "--top-n", str(TOP_WORDS), "-q"] + corpus_args(src) + extra
    record = os.path.join(base, "bench_fit.json")
    if REUSE_FITS and os.path.exists(record):
        with open(record) as f:
            rec = json.load(f)
        if without_out(rec["cmd"])[1:] == without_out(cmd)[1:]:
            log("quality: reusing the fit in %s (%.1f s when made)" % (base, rec["seconds"]))
            FITS[key] = (base, rec["seconds"], k)
            return FITS[key]
        log("quality: %s was made by another command; fitting again" % base)
    t0 = time.time()
    run_cmd(cmd)
    FITS[key] = (base, time.time() - t0, k)
    with open(record, "w") as f:
        json.dump({"cmd": cmd, "seconds": FITS[key][1]}, f)
    return FITS[key]


def run_saetm(saetm, data, work, name, emb_path, k, seed, method, extra, base_method=None, topics_extra=(),
              fit_defaults=True):
    """`saetm fit` once per (fit, corpus, seed), at the first K asked; every K (that one too) is then
    merged from that model with `saetm topics --model` (seconds, no retraining), which is how a user
    picks K. fit_defaults: the merge takes `saetm fit`'s topic defaults (--fit-defaults), so a fit
    reused from an older build is merged as today's `saetm fit` would; a fit variant (its own fit
    options, which may be topic options) is merged with the options its params.json recorded.
    A topics variant (base_method set) merges base_method's fit with fit's defaults + topics_extra.
    Time reported for a K: the fit's time plus that K's merge time, i.e. from scratch."""
    base, t_fit, _ = saetm_fit(saetm, data, work, name, emb_path, k, seed, base_method or method, extra)
    out = os.path.join(work, "runs", "%s_%s_s%d_k%d" % (method, name, seed, k))
    t0 = time.time()
    run_cmd([saetm, "topics", "--model", base, "--k", str(k), "--out", out, "--top-n", str(TOP_WORDS),
             "--seed", str(seed), "-q"] + (["--fit-defaults"] if fit_defaults else []) + list(topics_extra))
    t_merge = time.time() - t0
    tpath = os.path.join(out, "top_words.txt")
    with open(tpath, encoding="utf-8") as f:
        short = any(len(line.split()) < TOP_WORDS for line in f)
    if short:
        # fewer words listed than diversity needs: rank topic_word.npy (by probability) instead
        vocab = stc.Corpus(os.path.join(base, "corpus.stc")).vocab
        tpath = os.path.join(out, "top%d_words.txt" % TOP_WORDS)
        write_topics(tpath, top_ids(np.load(os.path.join(out, "topic_word.npy"))), vocab)
    return tpath, t_fit + t_merge, t_fit, t_merge


def read_top(path, n=10):
    with open(path, encoding="utf-8") as f:
        return [line.split()[:n] for line in f if line.strip()]


def matched_overlap(a, b, n=10):
    """Match the topics of two runs one-to-one (Hungarian, on the number of shared top-n words) and
    return the mean share of top-n words the matched pairs have in common (unmatched topics of the
    larger run are left out)."""
    from scipy.optimize import linear_sum_assignment
    shared = np.array([[len(set(x[:n]) & set(y[:n])) for y in b] for x in a], dtype=np.float64)
    ri, ci = linear_sum_assignment(-shared)
    return float(shared[ri, ci].mean() / n)


def stability(runs, n=10):
    """Mean matched top-n overlap over every pair of seeds (None for fewer than two runs)."""
    tops = [read_top(r["topics_file"], n) for r in runs if os.path.exists(r.get("topics_file", ""))]
    pairs = [matched_overlap(tops[i], tops[j], n) for i in range(len(tops)) for j in range(i + 1, len(tops))]
    return (float(np.mean(pairs)), float(np.min(pairs)), float(np.max(pairs))) if pairs else None


def summarise(rows):
    """Group runs by (corpus, k, method): mean and standard deviation over seeds, and the
    stability of the topics over seeds (mean matched top-10 overlap of every pair of seeds)."""
    groups = {}
    for r in rows:
        groups.setdefault((r["corpus"], r["k"], r["method"]), []).append(r)
    out = []
    for (c, k, m), rs in groups.items():
        ok = [r for r in rs if "error" not in r]
        s = {"corpus": c, "k": k, "method": m, "runs": len(ok)}
        if not ok:
            s["error"] = rs[0].get("error", "no run")
        st = stability(ok)
        if st:
            s["overlap"], s["overlap_min"], s["overlap_max"] = st
        for key in ("npmi", "c_v", "diversity", "time"):
            v = np.array([r[key] for r in ok], dtype=np.float64)
            if len(v):
                s[key] = float(v.mean())
                s[key + "_sd"] = float(v.std(ddof=1)) if len(v) > 1 else 0.0
        out.append(s)
    return out


def fmt(s, key, digits=3):
    if key not in s:
        return "n/a"
    if s["runs"] > 1:
        return "%.*f ± %.*f" % (digits, s[key], digits, s[key + "_sd"])
    return "%.*f" % (digits, s[key])


def table(summary, corpora_info):
    lines = []
    for c in dict.fromkeys(s["corpus"] for s in summary):
        info = corpora_info.get(c, {})
        lines.append("")
        lines.append("### %s (%s documents, %s non-empty, vocabulary %s)" % (
            c, info.get("docs", "?"), info.get("nonempty", "?"), info.get("vocab", "?")))
        lines.append("")
        lines.append("| K | method | NPMI | C_V | TD | top-10 overlap | time (s) | runs |")
        lines.append("|--:|--------|-----:|----:|---:|---------------:|---------:|-----:|")
        for s in sorted((s for s in summary if s["corpus"] == c), key=lambda s: (s["k"], s["method"])):
            if "error" in s:
                lines.append("| %d | %s | not run: %s | | | | | 0 |" % (s["k"], s["method"], s["error"]))
                continue
            ov = "%.2f (%.2f-%.2f)" % (s["overlap"], s["overlap_min"], s["overlap_max"]) if "overlap" in s else "-"
            lines.append("| %d | %s | %s | %s | %s | %s | %s | %d |" % (
                s["k"], s["method"], fmt(s, "npmi"), fmt(s, "c_v"), fmt(s, "diversity", 2), ov, fmt(s, "time", 1),
                s["runs"]))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--saetm", default=os.environ.get("SAETM", "build/saetm"))
    ap.add_argument("--corpora", default="sotu,debian,kjv")
    ap.add_argument("--k", default="10,20,50,100")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--methods", default="lda,nmf,kmeans,saetm")
    ap.add_argument("--saetm-fit-args", default="",
                    help="options given to every `saetm fit` of the benchmark (e.g. a smaller SAE for 2 cores)")
    ap.add_argument("--saetm-variant", action="append", default=[], metavar="NAME=ARGS",
                    help="also run `saetm fit ARGS` as method NAME (e.g. saetm-coact='--merge coactivation')")
    ap.add_argument("--saetm-name", default="saetm",
                    help="the method name of the plain `saetm fit` rows (with --saetm-fit-args)")
    ap.add_argument("--saetm-topics-variant", action="append", default=[], metavar="NAME=ARGS",
                    help="also re-merge each plain saetm fit with `saetm topics --model DIR --fit-defaults ARGS` as "
                         "method NAME (no retraining: same SAE and interpretation, fit's topic defaults but for ARGS)")
    ap.add_argument("--reuse-fits", action="store_true",
                    help="reuse a saetm model directory made by the same `saetm fit` command before")
    ap.add_argument("--json", default=None)
    ap.add_argument("--markdown", default=None)
    ap.add_argument("--update", action="store_true",
                    help="keep the runs already in --json, replacing those run again (same corpus, K, method, seed)")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    ks = [int(x) for x in a.k.split(",")]
    methods = a.methods.split(",")
    global REUSE_FITS
    REUSE_FITS = a.reuse_fits
    methods = [a.saetm_name if m == "saetm" else m for m in methods]
    variants = {a.saetm_name: []}
    for v in a.saetm_variant:
        vname, _, vargs = v.partition("=")
        variants[vname] = vargs.split()
        methods.append(vname)
    topics_variants = {}
    for v in a.saetm_topics_variant:
        vname, _, vargs = v.partition("=")
        topics_variants[vname] = vargs.split()
        variants[vname] = []
        if a.saetm_name not in methods:
            ap.error("--saetm-topics-variant needs the plain saetm fits (method saetm in --methods)")
        methods.append(vname)
    have_fit = has_command(a.saetm, "fit")
    rows, corpora_info = [], {}
    for name in a.corpora.split(","):
        stc_path = build_corpus(a.saetm, a.data, a.work, name)
        corpus = stc.Corpus(stc_path)
        keep = ~corpus.empty
        bow = corpus.bow[keep]
        corpora_info[name] = {"docs": corpus.n_docs, "nonempty": int(keep.sum()), "vocab": len(corpus.vocab)}
        emb, emb_path = (None, None)
        if ({"kmeans"} | set(variants)) & set(methods):
            emb, emb_path = embeddings_for(a.saetm, a.data, a.work, name, corpus.n_docs)
        log("quality: %s: %d documents (%d non-empty), %d words, embeddings: %s" % (
            name, corpus.n_docs, keep.sum(), len(corpus.vocab), emb_path or "none"))
        run_dir = os.path.join(a.work, "topics", name)
        os.makedirs(run_dir, exist_ok=True)
        for k in ks:
            for m in methods:
                seeds = [1] if m in DETERMINISTIC else list(range(1, a.seeds + 1))
                for seed in seeds:
                    row = {"corpus": name, "k": k, "method": m, "seed": seed}
                    rows.append(row)
                    if (m == "kmeans" or m in variants) and emb is None:
                        row["error"] = "no embeddings for this corpus"
                        continue
                    if m in variants and not have_fit:
                        row["error"] = "`saetm fit` not in this build"
                        continue
                    try:
                        if m in variants:
                            tv = m in topics_variants
                            tpath, dt, t_fit, t_merge = run_saetm(
                                a.saetm, a.data, a.work, name, emb_path, k, seed, m,
                                a.saetm_fit_args.split() + variants[m], base_method=a.saetm_name if tv else None,
                                topics_extra=topics_variants.get(m, ()), fit_defaults=tv or not variants[m])
                            row.update({"fit_time": t_fit, "merge_time": t_merge})
                        else:
                            t0 = time.time()
                            topics = METHODS[m](bow, k, seed, emb=emb[keep] if emb is not None else None)
                            dt = time.time() - t0
                            tpath = os.path.join(run_dir, "%s_k%d_s%d.txt" % (m, k, seed))
                            write_topics(tpath, topics, corpus.vocab)
                        ev = evaluate(a.saetm, tpath, stc_path)
                        row.update({"npmi": ev["npmi"], "c_v": ev["c_v"], "diversity": ev["diversity"], "topics_file": tpath,
                                    "time": dt, "missing": len(ev["missing_words"])})
                        log("quality: %s K=%d %s seed %d: NPMI %.3f C_V %.3f TD %.2f (%.1f s)" % (
                            name, k, m, seed, ev["npmi"], ev["c_v"], ev["diversity"], dt))
                    except (RuntimeError, subprocess.CalledProcessError, ValueError) as e:
                        row["error"] = str(e).split("\n")[0][:120]
                        log("quality: %s K=%d %s seed %d failed: %s" % (name, k, m, seed, row["error"]))
    if a.update and a.json and os.path.exists(a.json):
        with open(a.json) as f:
            old = json.load(f)
        new_keys = {(r["corpus"], r["k"], r["method"], r["seed"]) for r in rows}
        rows = [r for r in old["runs"] if (r["corpus"], r["k"], r["method"], r["seed"]) not in new_keys] + rows
        corpora_info = {**old.get("corpora", {}), **corpora_info}
    summary = summarise(rows)
    text = table(summary, corpora_info)
    print(text)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"runs": rows, "summary": summary, "corpora": corpora_info}, f, indent=1)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
