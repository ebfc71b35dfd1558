"""quality.py - topic quality of saetm against the tools people use instead, on the same
bag-of-words, vocabulary and embeddings, scored by the same `saetm eval` on documents that no
method saw (docs/quality.md, "Held-out protocol").

For each corpus (bench/quality/corpora.py builds them as JSONL, DATA/NAME.jsonl):
  0. Split by line (heldout.py): --split test holds out line i when i % 5 == 0 and trains on the
     other 80%; --split validation (for tuning) holds out i % 5 == 1 and trains on i % 5 in
     {2, 3, 4}. Each part is written as its own JSONL with its embedding rows (.npy) under
     WORK/data/. --split none is the in-sample bench of before (fit and score on every document).
  1. `saetm corpus` builds the training bag-of-words (WORK/SPLIT/NAME.stc, default options) from
     the training JSONL; every baseline reads that file (stc.py), so all share one vocabulary and
     one preprocessing. The held-out reference WORK/SPLIT/NAME.heldout.stc is `saetm corpus` on
     the held-out JSONL with --min-df 1 --max-df 1.0 --max-vocab 0 (every word kept; the same
     preprocessing otherwise).
  2. Methods, at each K, fitted on the training part only:
       lda     gensim LdaModel on counts (passes 10, iterations 50, symmetric alpha), 3 seeds
       nmf     scikit-learn NMF on TF-IDF (nndsvda init: deterministic, so one run)
       kmeans  k-means on the training documents' embeddings + class-based TF-IDF top words (the
               BERTopic recipe with k-means as the cluster model), 3 seeds; needs embeddings
       saetm   `saetm fit --input TRAIN.jsonl --emb TRAIN.emb.npy`, 3 seeds (one fit per seed; every
               K merged from it by `saetm topics --model DIR --fit-defaults`); needs embeddings
  3. Every method's top 25 words per topic are scored by `saetm eval --json`: held-out NPMI (top 10,
     document co-occurrence in the held-out reference; absent words and never-co-occurring pairs
     at -1: --missing floor --npmi-eps 0) and C_V, topic diversity (top 25), in-sample NPMI on the
     training .stc (the same rule; and with eval's default eps 1e-12, as the in-sample tables of
     before, in the JSON); heldout.py's numpy scorer recomputes the held-out NPMI independently
     (a warning and npmi_check false where they differ by more than 1e-6); the top-10 words
     absent from the held-out documents are counted per 500. Time is the method's own wall time
     (fit + top words), not the evaluation.
Embeddings come from DATA/NAME.emb.npy (row i = document i of NAME.jsonl) or, where that file is
missing and the build has `saetm embed`, from the built-in embedder (WORK/NAME.emb.npy); otherwise
the embedding-based methods are reported as not run.

Usage: quality.py --data DIR --work DIR [--split test|validation|none] [--corpora sotu,debian,kjv,email]
                  [--k 10,20,50,100] [--seeds 3] [--methods lda,nmf,kmeans,saetm]
                  [--saetm-variant NAME=ARGS]... [--json OUT [--update]] [--markdown OUT]
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import heldout  # noqa: E402
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

def evaluate(saetm, topics_path, corpus_path, extra=()):
    r = subprocess.run([saetm, "eval", "--topics", topics_path, "--corpus", corpus_path, "--top", "10",
                        "--diversity-top", str(TOP_WORDS), "--json", "-q"] + list(extra), capture_output=True, text=True)
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


def stale(out, *inputs):
    return not os.path.exists(out) or any(os.path.getmtime(i) > os.path.getmtime(out) for i in inputs)


def build_corpus(saetm, src, path, extra=()):
    """`saetm corpus` of src into path (the corpus options of corpus_args + extra), unless path
    is already there and newer than src."""
    if stale(path, src):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        subprocess.run([saetm, "corpus", "--input", src, "--out", path, "-q"] + corpus_args(src) + list(extra),
                       check=True)
    return path


def embeddings_for(saetm, data, work, name, n_docs):
    """The path of the whole corpus's embeddings (n_docs rows), made by `saetm embed` into WORK
    when DATA has none; None when there are none and the build cannot make them."""
    path = os.path.join(data, name + ".emb.npy")
    if not os.path.exists(path):
        path = os.path.join(work, name + ".emb.npy")
        if not os.path.exists(path):
            if not has_command(saetm, "embed"):
                return None
            subprocess.run([saetm, "embed", "--input", os.path.join(data, name + ".jsonl"), "--out", path, "-q"],
                           check=True)
    emb = np.load(path, mmap_mode="r")
    if emb.shape[0] != n_docs:
        raise RuntimeError("%s: %d rows, corpus has %d documents" % (path, emb.shape[0], n_docs))
    return path


def count_lines(path):
    with open(path, "rb") as f:
        return sum(1 for _ in f)


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


def saetm_fit(saetm, src, work, name, emb_path, k, seed, method, extra):
    """`saetm fit` once per (method, corpus, seed), at the first K asked, into
    WORK/runs/fit-METHOD_CORPUS_sSEED. With --reuse-fits, a model directory whose recorded command
    (DIR/bench_fit.json) is the same but for --out is used again."""
    key = (method, name, seed)
    if key in FITS:
        return FITS[key]
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


def run_saetm(saetm, src, work, name, emb_path, k, seed, method, extra, base_method=None, topics_extra=(),
              fit_defaults=True):
    """`saetm fit` once per (fit, corpus, seed), at the first K asked; every K (that one too) is then
    merged from that model with `saetm topics --model` (seconds, no retraining), which is how a user
    picks K. fit_defaults: the merge takes `saetm fit`'s topic defaults (--fit-defaults), so a fit
    reused from an older build is merged as today's `saetm fit` would; a fit variant (its own fit
    options, which may be topic options) is merged with the options its params.json recorded.
    A topics variant (base_method set) merges base_method's fit with fit's defaults + topics_extra.
    Time reported for a K: the fit's time plus that K's merge time, i.e. from scratch."""
    base, t_fit, _ = saetm_fit(saetm, src, work, name, emb_path, k, seed, base_method or method, extra)
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


SCORES = ("npmi", "npmi_py", "c_v", "diversity", "npmi_in", "npmi_in_gensim", "c_v_in", "absent500", "time")


def summarise(rows):
    """Group runs by (split, corpus, k, method): mean and standard deviation over seeds, and the
    stability of the topics over seeds (mean matched top-10 overlap of every pair of seeds)."""
    groups = {}
    for r in rows:
        groups.setdefault((r.get("split", "none"), r["corpus"], r["k"], r["method"]), []).append(r)
    out = []
    for (sp, c, k, m), rs in groups.items():
        ok = [r for r in rs if "error" not in r]
        s = {"split": sp, "corpus": c, "k": k, "method": m, "runs": len(ok)}
        if not ok:
            s["error"] = rs[0].get("error", "no run")
        st = stability(ok)
        if st:
            s["overlap"], s["overlap_min"], s["overlap_max"] = st
        for key in SCORES:
            v = np.array([r[key] for r in ok if r.get(key) is not None], dtype=np.float64)
            if len(v):
                s[key] = float(v.mean())
                s[key + "_sd"] = float(v.std(ddof=1)) if len(v) > 1 else 0.0
        checks = [r.get("npmi_check") for r in ok if "npmi_check" in r]
        if checks:
            s["npmi_check"] = all(checks)
        out.append(s)
    return out


def fmt(s, key, digits=3):
    if key not in s:
        return "n/a"
    if s["runs"] > 1:
        return "%.*f ± %.*f" % (digits, s[key], digits, s[key + "_sd"])
    return "%.*f" % (digits, s[key])


def corpus_table(corpora_info):
    """One line per split and corpus: the training and held-out parts' sizes and vocabularies."""
    keys = [k for k in corpora_info if "/" in k and not k.startswith("none/")]
    if not keys:
        return []
    lines = ["", "| split | corpus | training documents (non-empty) | training vocabulary | held-out documents "
             "(non-empty) | held-out vocabulary |", "|-------|--------|---:|---:|---:|---:|"]
    for k in sorted(keys, key=lambda k: (k.split("/")[0] != "test", k)):
        i = corpora_info[k]
        sp, c = k.split("/", 1)
        lines.append("| %s | %s | %s (%s) | %s | %s (%s) | %s |" % (
            sp, c, i.get("docs", "?"), i.get("nonempty", "?"), i.get("vocab", "?"), i.get("heldout_docs", "?"),
            i.get("heldout_nonempty", "?"), i.get("heldout_vocab", "?")))
    return lines


def table(summary, corpora_info):
    lines = corpus_table(corpora_info)
    for sp, c in dict.fromkeys((s["split"], s["corpus"]) for s in summary):
        info = corpora_info.get("%s/%s" % (sp, c), corpora_info.get(c, {}))
        cells = [s for s in summary if s["split"] == sp and s["corpus"] == c]
        lines.append("")
        if sp == "none":
            lines.append("### %s, in-sample (%s documents, %s non-empty, vocabulary %s)" % (
                c, info.get("docs", "?"), info.get("nonempty", "?"), info.get("vocab", "?")))
            head = ["in-sample NPMI", "in-sample C_V", "TD", "top-10 overlap", "time (s)", "runs"]
        else:
            lines.append("### %s, %s split (trained on %s documents, vocabulary %s; scored on %s held-out "
                         "documents, %s non-empty, vocabulary %s)" % (
                             c, sp, info.get("docs", "?"), info.get("vocab", "?"), info.get("heldout_docs", "?"),
                             info.get("heldout_nonempty", "?"), info.get("heldout_vocab", "?")))
            head = ["held-out NPMI", "held-out C_V", "TD", "in-sample NPMI", "top-10 overlap",
                    "absent top-10 / 500", "time (s)", "runs"]
        lines.append("")
        lines.append("| K | method | " + " | ".join(head) + " |")
        lines.append("|--:|--------|" + "|".join("-" * (len(h) + 1) + ":" for h in head) + "|")
        for s in sorted(cells, key=lambda s: (s["k"], s["method"])):
            if "error" in s:
                lines.append("| %d | %s | not run: %s |%s 0 |" % (s["k"], s["method"], s["error"], " |" * (len(head) - 2)))
                continue
            ov = "%.2f (%.2f-%.2f)" % (s["overlap"], s["overlap_min"], s["overlap_max"]) if "overlap" in s else "-"
            if sp == "none":
                vals = [fmt(s, "npmi_in_gensim"), fmt(s, "c_v_in"), fmt(s, "diversity", 2), ov, fmt(s, "time", 1)]
            else:
                vals = [fmt(s, "npmi") + ("" if s.get("npmi_check", True) else " (!)"), fmt(s, "c_v"),
                        fmt(s, "diversity", 2), fmt(s, "npmi_in"), ov, fmt(s, "absent500", 1), fmt(s, "time", 1)]
            lines.append("| %d | %s | %s | %d |" % (s["k"], s["method"], " | ".join(vals), s["runs"]))
        if sp != "none":
            bad = [s for s in cells if s.get("npmi_check") is False]
            lines.append("")
            lines.append("Held-out NPMI: `saetm eval --npmi-eps 0`; heldout.py's numpy scorer %s." % (
                "agrees to 1e-6 in every run" if not bad else "DIFFERS by more than 1e-6 in the cells marked (!)"))
    return "\n".join(lines) + "\n"


def prepare(a, name, need_emb):
    """Split the corpus and build its bag-of-words files. Returns a dict: train (JSONL), emb
    (training embeddings or None), stc (training .stc), heldout_stc (None for --split none),
    work (this split's work directory)."""
    src = os.path.join(a.data, name + ".jsonl")
    n_lines = count_lines(src)
    emb_full = embeddings_for(a.saetm, a.data, a.work, name, n_lines) if need_emb else None
    if a.split == "none":
        return {"train": src, "emb": emb_full, "stc": build_corpus(a.saetm, src, os.path.join(a.work, name + ".stc")),
                "heldout_stc": None, "work": a.work}
    paths = heldout.write_split(src, emb_full, os.path.join(a.work, "data"), name, a.split)
    swork = os.path.join(a.work, a.split)
    train, train_emb = paths["train"]
    held = paths["heldout"][0]
    return {"train": train, "emb": train_emb if emb_full else None,
            "stc": build_corpus(a.saetm, train, os.path.join(swork, name + ".stc")),
            "heldout_stc": build_corpus(a.saetm, held, os.path.join(swork, name + ".heldout.stc"),
                                        ["--min-df", "1", "--max-df", "1.0", "--max-vocab", "0"]),
            "work": swork}


def score(a, row, tpath, prep, ref, eval_floor):
    """Score one run's topics (file tpath) into row."""
    ev_in = evaluate(a.saetm, tpath, prep["stc"])
    row.update({"npmi_in_gensim": ev_in["npmi"], "c_v_in": ev_in["c_v"], "diversity": ev_in["diversity"],
                "topics_file": tpath})
    if prep["heldout_stc"] is None:
        row["npmi_in"] = evaluate(a.saetm, tpath, prep["stc"], eval_floor)["npmi"] if eval_floor else None
        return
    row["npmi_in"] = evaluate(a.saetm, tpath, prep["stc"], eval_floor)["npmi"]
    ev = evaluate(a.saetm, tpath, prep["heldout_stc"], eval_floor)
    topics = read_top(tpath, 10)
    py, _ = heldout.npmi_topics(topics, ref)
    row.update({"npmi": ev["npmi"], "c_v": ev["c_v"], "npmi_py": py, "missing": len(ev["missing_words"]),
                "absent500": heldout.absent_per_500(topics, ref)})
    if eval_floor:
        row["npmi_check"] = ev["npmi"] is not None and py is not None and abs(ev["npmi"] - py) <= 1e-6
        if not row["npmi_check"]:
            log("quality: WARNING: held-out NPMI of %s: saetm eval %s, heldout.py %s (differ by > 1e-6)" % (
                tpath, ev["npmi"], py))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--saetm", default=os.environ.get("SAETM", "build/saetm"))
    ap.add_argument("--split", default="test", choices=["test", "validation", "none"],
                    help="test: train on lines i %% 5 != 0, score on i %% 5 == 0; validation (for tuning): train on "
                         "i %% 5 in {2,3,4}, score on i %% 5 == 1; none: fit and score on every document (in-sample)")
    ap.add_argument("--corpora", default="sotu,debian,kjv,email")
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
                    help="keep the runs already in --json, replacing those run again (same split, corpus, K, method, seed)")
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
        if a.saetm_name not in methods:  # a topics variant re-merges the plain saetm fits: none without them
            continue
        topics_variants[vname] = vargs.split()
        variants[vname] = []
        methods.append(vname)
    have_fit = has_command(a.saetm, "fit")
    help_eval = subprocess.run([a.saetm, "eval", "--help"], capture_output=True, text=True).stdout
    eval_floor = ["--missing", "floor", "--npmi-eps", "0"] if "--npmi-eps" in help_eval else None
    if not eval_floor and a.split != "none":
        log("quality: WARNING: this saetm eval has no --npmi-eps/--missing: its held-out NPMI skips absent words "
            "and scores never-co-occurring pairs above -1; heldout.py's scorer (npmi_py) follows the protocol")
    rows, corpora_info = [], {}
    for name in a.corpora.split(","):
        need_emb = bool(({"kmeans"} | set(variants)) & set(methods))
        prep = prepare(a, name, need_emb)
        corpus = stc.Corpus(prep["stc"])
        keep = ~corpus.empty
        bow = corpus.bow[keep]
        info = {"docs": corpus.n_docs, "nonempty": int(keep.sum()), "vocab": len(corpus.vocab)}
        ref = None
        if prep["heldout_stc"]:
            hc = stc.Corpus(prep["heldout_stc"])
            ref = heldout.Reference(hc)
            info.update({"heldout_docs": hc.n_docs, "heldout_nonempty": ref.n, "heldout_vocab": len(hc.vocab)})
        corpora_info["%s/%s" % (a.split, name)] = info
        emb = None
        if prep["emb"]:
            emb = np.asarray(np.load(prep["emb"], mmap_mode="r"), dtype=np.float32)
            if emb.shape[0] != corpus.n_docs:
                raise RuntimeError("%s: %d rows, %s has %d documents" % (prep["emb"], emb.shape[0], prep["stc"],
                                                                          corpus.n_docs))
        log("quality: %s (%s split): %d training documents (%d non-empty), %d words, embeddings: %s%s" % (
            name, a.split, corpus.n_docs, keep.sum(), len(corpus.vocab), prep["emb"] or "none",
            "; held out: %d documents, %d words" % (info["heldout_docs"], info["heldout_vocab"]) if ref else ""))
        run_dir = os.path.join(prep["work"], "topics", name)
        os.makedirs(run_dir, exist_ok=True)
        for k in ks:
            for m in methods:
                seeds = [1] if m in DETERMINISTIC else list(range(1, a.seeds + 1))
                for seed in seeds:
                    row = {"split": a.split, "corpus": name, "k": k, "method": m, "seed": seed}
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
                                a.saetm, prep["train"], prep["work"], name, prep["emb"], k, seed, m,
                                a.saetm_fit_args.split() + variants[m], base_method=a.saetm_name if tv else None,
                                topics_extra=topics_variants.get(m, ()), fit_defaults=tv or not variants[m])
                            row.update({"fit_time": t_fit, "merge_time": t_merge})
                        else:
                            t0 = time.time()
                            topics = METHODS[m](bow, k, seed, emb=emb[keep] if emb is not None else None)
                            dt = time.time() - t0
                            tpath = os.path.join(run_dir, "%s_k%d_s%d.txt" % (m, k, seed))
                            write_topics(tpath, topics, corpus.vocab)
                        row["time"] = dt
                        score(a, row, tpath, prep, ref, eval_floor)
                        if ref:
                            log("quality: %s K=%d %s seed %d: held-out NPMI %.3f (py %.3f) C_V %.3f, TD %.2f, "
                                "in-sample NPMI %.3f, absent %.1f/500 (%.1f s)" % (
                                    name, k, m, seed, row["npmi"], row["npmi_py"], row["c_v"], row["diversity"],
                                    row["npmi_in"], row["absent500"], dt))
                        else:
                            log("quality: %s K=%d %s seed %d: in-sample NPMI %.3f C_V %.3f TD %.2f (%.1f s)" % (
                                name, k, m, seed, row["npmi_in_gensim"], row["c_v_in"], row["diversity"], dt))
                    except (RuntimeError, subprocess.CalledProcessError, ValueError) as e:
                        row["error"] = str(e).split("\n")[0][:120]
                        log("quality: %s K=%d %s seed %d failed: %s" % (name, k, m, seed, row["error"]))
    if a.update and a.json and os.path.exists(a.json):
        with open(a.json) as f:
            old = json.load(f)
        for r in old["runs"]:
            if "split" not in r:  # a results.json of the in-sample bench before the split: its scores were in-sample
                r["split"] = "none"
                for o, n in (("npmi", "npmi_in_gensim"), ("c_v", "c_v_in")):
                    if o in r:
                        r[n] = r.pop(o)

        def key(r):
            return (r.get("split", "none"), r["corpus"], r["k"], r["method"], r["seed"])
        new_keys = {key(r) for r in rows}
        rows = [r for r in old["runs"] if key(r) not in new_keys] + rows
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
