"""eval_vs_gensim.py SAETM CORPUS.stc WORKDIR - time `saetm eval` and gensim's CoherenceModel on
the same bag-of-words and the same 50 topics of 10 words (c_npmi, c_v), and compare the scores."""
import json
import os
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "quality"))
import stc  # noqa: E402


def main():
    saetm, cpath, work = sys.argv[1:4]
    c = stc.Corpus(cpath)
    bow = c.bow.tocsr()
    texts = [[c.vocab[j] for j in bow.indices[bow.indptr[i]:bow.indptr[i + 1]]] for i in range(c.n_docs)]
    texts = [t for t in texts if t]
    # topics: 50 groups of 10 words that co-occur (seeded from random documents), as a model would give
    rng = np.random.default_rng(1)
    df = np.asarray((bow > 0).sum(axis=0)).ravel()
    topics = []
    while len(topics) < 50:
        d = texts[rng.integers(len(texts))]
        if len(d) >= 10:
            topics.append(sorted(d, key=lambda w: -df[c.vocab.index(w)])[:10])
    tpath = os.path.join(work, "topics.txt")
    with open(tpath, "w") as f:
        f.write("\n".join(" ".join(t) for t in topics) + "\n")
    best = {}
    for threads in ("1", "2"):
        for _ in range(3):  # best of 3 (the first run also warms the page cache)
            t0 = time.perf_counter()
            r = subprocess.run([saetm, "eval", "--topics", tpath, "--corpus", cpath, "--json", "-q",
                                "--threads", threads], capture_output=True, text=True, check=True)
            best[threads] = min(best.get(threads, 1e9), time.perf_counter() - t0)
    ours = json.loads(r.stdout)
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel
    t0 = time.perf_counter()
    dictionary = Dictionary(texts)
    window = max(len(t) for t in texts)
    g = {}
    for m in ("c_npmi", "c_v"):
        g[m] = CoherenceModel(topics=topics, texts=texts, dictionary=dictionary, coherence=m, window_size=window,
                              topn=10, processes=1).get_coherence()
    t_gensim = time.perf_counter() - t0
    print("eval of 50 topics x 10 words, %d documents, vocabulary %d" % (len(texts), len(c.vocab)))
    print("%-34s %10s %10s" % ("", "NPMI", "C_V"))
    print("%-34s %10.6f %10.6f" % ("saetm eval", ours["npmi"], ours["c_v"]))
    print("%-34s %10.6f %10.6f" % ("gensim CoherenceModel", g["c_npmi"], g["c_v"]))
    print("time: saetm eval %.3f s (1 thread, whole process incl. corpus load, best of 3), %.3f s (2 threads); "
          "gensim %.2f s (dictionary + both measures)" % (best["1"], best["2"], t_gensim))
    print("ratio gensim / saetm (1 thread): %.0fx" % (t_gensim / best["1"]))
    agree = abs(ours["npmi"] - g["c_npmi"]) < 1e-6 and abs(ours["c_v"] - g["c_v"]) < 1e-6
    print("scores agree to 1e-6:", "yes" if agree else "NO")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
