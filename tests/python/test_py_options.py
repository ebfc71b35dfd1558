"""test_py_options.py - options by name in Python are the library's (saetm_fit_opts_set,
saetm_topic_stage_set): saetm.fit(..., preprocess="none", min_df=2, steps=50, holdout=0.2) gives
the bytes of `saetm fit --preprocess none --min-df 2 --steps 50 --holdout 0.2` (embeddings in
memory with a holdout), remerge(3, merge=..., no_refit=True) those of `saetm topics --model DIR
--k 3 --merge ... --no-refit`; unknown options and bad values raise with the library's message;
fit_options() and get_params() list every option of `saetm fit` with its default."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pyfix  # noqa: E402

import numpy as np  # noqa: E402
import saetm  # noqa: E402
from testlib import check, report  # noqa: E402

T = os.environ.get("TEST_TMPDIR") or tempfile.mkdtemp()
S = pyfix.SAETM
syn = os.path.join(T, "s")
subprocess.run([S, "synth", "--out", syn, "--docs", "300", "--topics", "4", "--vocab", "150", "--dim", "16", "-q"],
               check=True)
docs, emb = os.path.join(syn, "docs.jsonl"), os.path.join(syn, "emb.npy")
E = np.load(emb)


def same(a, b, f):
    with open(os.path.join(a, f), "rb") as fa, open(os.path.join(b, f), "rb") as fb:
        return fa.read() == fb.read()


# the option tables
fo = saetm.fit_options()
for name in ("min_df", "preprocess", "steps", "holdout", "sae_k", "merge", "no_refit", "em_max_iter"):
    check(name in fo, f"fit_options() has {name}")
check(fo.get("min_df", ("",))[0] == "5" and fo.get("preprocess", ("",))[0] == "full", "fit_options(): fit's defaults")
check(fo.get("skip_bad", ("", "", False))[2] is True, "skip_bad is a flag")
p = saetm.SAETopicModel(min_df=2).get_params()
check(p.get("min_df") == 2 and p.get("max_df") == 0.5 and p.get("preprocess") == "full",
      "get_params: the value set, else the library's default")
check("merge" in saetm.topic_options() and "min_df" not in saetm.topic_options(), "topic_options(): the topic stage")

# fit with options, embeddings in memory, a holdout: the CLI's bytes
cli = os.path.join(T, "cli")
subprocess.run([S, "fit", "--input", docs, "--emb", emb, "--k", "4", "--preprocess", "none", "--min-df", "2", "--steps",
                "50", "--holdout", "0.2", "--out", cli, "-q"], check=True)
m = saetm.fit(docs, embeddings=E, k=4, preprocess="none", min_df=2, steps=50, holdout=0.2,
              out=os.path.join(T, "py"))
for f in ("doc_topics.npy", "topic_word.npy", "top_words.txt", "topics.json", "heldout_doc_topics.npy", "corpus.stc",
          "heldout.stc"):
    check(same(cli, m.path, f), f"fit(options, holdout) = saetm fit: {f}")
check(m.params["corpus"]["min_df"] == 2 and m.params["sae"]["steps"] == 50, "params.json records the options")
check("in_sample" in m.result and "held_out" in m.result, "the result has the held-out scores")

# remerge with options: the CLI's bytes
cli3 = os.path.join(T, "cli3")
shutil.copytree(cli, cli3)
subprocess.run([S, "topics", "--model", cli3, "--k", "3", "--merge", "kmeans-hellinger", "--no-refit", "-q"],
               check=True)
r3 = m.remerge(3, merge="kmeans-hellinger", no_refit=True)
for f in ("doc_topics.npy", "topic_word.npy", "top_words.txt", "topics.json"):
    check(same(cli3, r3.path, f), f"remerge(3, merge, no_refit) = saetm topics: {f}")
check(r3.scores is not None and "held_out" in r3.scores, "remerge of a fit with a holdout scores held out")

# the estimator with the built-in embedder (no embeddings given): the CLI's bytes, and transform of
# the training texts (embedded again) gives its doc_topics
texts, en_docs, _ = pyfix.planted(os.path.join(T, "en"), docs=120, topics=3, vocab=80)
cli_en = os.path.join(T, "cli_en")
subprocess.run([S, "fit", "--input", en_docs, "--k", "3", "--features", "256", "--steps", "20", "--out", cli_en, "-q"],
               check=True)
est = saetm.SAETopicModel(n_components=3, features=256, steps=20)
theta = est.fit_transform(texts)
check(np.array_equal(theta, np.load(os.path.join(cli_en, "doc_topics.npy"))),
      "SAETopicModel(...).fit_transform(texts) = saetm fit with the built-in embedder")
check(same(cli_en, est.model_.path, "emb.npy"), "the built-in embedder's emb.npy: the CLI's bytes")
check(np.array_equal(est.transform(texts), theta), "transform(texts): embedded again, = doc_topics")


def raises(needle, fn, *a, **kw):
    try:
        fn(*a, **kw)
    except saetm.SaetmInputError as e:
        ok = needle in str(e)
        if not ok:
            print(f"  message: {e}", file=sys.stderr)
        return ok
    except BaseException as e:  # noqa: BLE001
        print(f"  raised {type(e).__name__}: {e}", file=sys.stderr)
    return False


bad = os.path.join(T, "bad")
check(raises("no-such", saetm.fit, docs, embeddings=E, out=bad, no_such=1), "an unknown option raises, naming it")
check(raises("sae-k", saetm.fit, docs, embeddings=E, out=bad, sae_k="x"), "a bad value raises, naming the option")
check(raises("holdout", saetm.fit, docs, embeddings=E, out=bad, holdout=2), "holdout out of range raises")
check(raises("merge", m.remerge, 3, merge="nope"), "remerge: a bad merge raises, naming it")
sys.exit(report())
