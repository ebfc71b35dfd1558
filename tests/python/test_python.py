"""test_python.py - the Python package (python/saetm, docs/python.md) against the command line:
saetm.fit gives the bytes of `saetm fit --emb` (doc_topics, topic_word, top words), transform of
the training embeddings is doc_topics, remerge(k) is `saetm topics --model DIR --k k`, save/load
round trip, every bad input raises (and the interpreter survives), arrays are not copied, the GIL
is released during the library's work, a progress callback can stop a call and Ctrl-C interrupts."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pyfix  # noqa: E402 (sets sys.path for saetm and testlib)

import numpy as np  # noqa: E402
import saetm  # noqa: E402
from testlib import check, report  # noqa: E402

T = os.environ.get("TEST_TMPDIR") or tempfile.mkdtemp()
S = pyfix.SAETM


def raises(exc, fn, *args, needle=None, **kw):
    """fn(*args) raises exc (with needle in its message)."""
    try:
        fn(*args, **kw)
    except exc as e:
        return needle is None or needle in str(e)
    except BaseException as e:  # noqa: BLE001 (any other exception is a failure, reported)
        print(f"  raised {type(e).__name__}: {e}", file=sys.stderr)
        return False
    return False


def same_file(a, b):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()


texts, docs, emb_path = pyfix.planted(T)
E = np.load(emb_path)
check(E.dtype == np.float32 and E.flags.c_contiguous, "fixture: float32 C-contiguous embeddings")

# ---- the command line's model ------------------------------------------------------------------
cli = os.path.join(T, "cli")
subprocess.run([S, "fit", "--input", docs, "--emb", emb_path, "--k", "4", "--seed", "1", "--out", cli, "-q"],
               check=True)

# ---- saetm.fit from a list of texts, in a worker thread: the GIL is free during the library's work
# With a switch interval of 1000 s the interpreter never takes the GIL from a thread that holds
# it, so the main thread runs while the fit is in flight only if the extension released it.
started, main_ran = threading.Event(), threading.Event()
seen = []
stages = set()


def on_progress(stage, done, total):
    stages.add(stage)
    started.set()
    seen.append(main_ran.is_set())
    return False


box = {}


def worker():
    try:
        box["model"] = saetm.fit(texts, embeddings=E, k=4, seed=1, out=os.path.join(T, "py"), progress=on_progress)
    except BaseException as e:  # noqa: BLE001
        box["error"] = e


old = sys.getswitchinterval()
sys.setswitchinterval(1000.0)
th = threading.Thread(target=worker)
th.start()
started.wait(120)
main_ran.set()  # the main thread runs Python here
th.join()
sys.setswitchinterval(old)
check("error" not in box, f"saetm.fit: {box.get('error')!r}")
m = box.get("model")
check(any(seen), "the main thread ran while saetm_fit was working (GIL released)")
check({"corpus", "train", "interpret"} <= stages, f"progress stages seen: {sorted(stages)}")

if m is not None:
    for f in ("doc_topics.npy", "topic_word.npy", "top_words.txt", "acts.sac", "interp.sti", "sae.saem"):
        check(same_file(os.path.join(cli, f), os.path.join(m.path, f)), f"saetm.fit = saetm fit --emb: {f}")
    cli_model = saetm.load(cli)
    check(m.top_words == cli_model.top_words, "top words as the CLI's")
    dt = m.doc_topics
    check(dt.dtype == np.float32 and dt.shape == (len(texts), 4), f"doc_topics N x K float32: {dt.shape}")
    tw = m.topic_word
    check(tw.shape == (4, len(m.vocabulary)), f"topic_word K x V: {tw.shape}")
    check(len(m.top_words) == 4 and all(isinstance(w, str) for w in m.top_words[0]), "top_words: K lists of str")
    check(m.topics.get("topics") is not None or isinstance(m.topics, dict), "topics: topics.json")
    # the first top word is the topic's most probable word of topic_word
    voc = m.vocabulary
    check(all(m.top_words[t][0] == voc[int(np.argmax(tw[t]))] for t in range(4)) or m.params["topics"]["rank"] != "prob",
          "top_words[t][0] is argmax of topic_word[t] (rank prob)")

    # transform of the training embeddings is doc_topics; float64 the same after conversion
    check(np.array_equal(m.transform(E), dt), "transform(training embeddings) == doc_topics")
    check(np.array_equal(m.transform(E.astype(np.float64)), dt), "transform(float64) == doc_topics")
    check(np.array_equal(m.transform(texts, embeddings=E), dt), "transform(texts, embeddings) == doc_topics")

    # zero copy: a C-contiguous float32 array is the buffer the library reads
    check(saetm._embeddings(E) is E, "C-contiguous float32: passed as it is")
    check(saetm._core.buffer_address(E) == E.ctypes.data, "the library reads the array's own memory")
    out = np.asarray(saetm._core.transform(m.path, E, None))
    check(out.base is not None and out.flags.c_contiguous, "results come back as arrays over the library's memory")

    # remerge(k) is `saetm topics --model DIR --k 3`
    cli3 = os.path.join(T, "cli3")
    shutil.copytree(cli, cli3)
    subprocess.run([S, "topics", "--model", cli3, "--k", "3", "-q"], check=True)
    r3 = m.remerge(3)
    for f in ("doc_topics.npy", "topic_word.npy", "top_words.txt", "topics.json"):
        check(same_file(os.path.join(cli3, f), os.path.join(r3.path, f)), f"remerge(3) = saetm topics --k 3: {f}")
    check(r3.k == 3 and m.k == 4, "remerge gives a new model; the old one is unchanged")
    check(not same_file(os.path.join(r3.path, "topic_word.npy"), os.path.join(m.path, "topic_word.npy")),
          "remerge(3) differs from the K=4 model (the comparison can fail)")

    # save / load round trip
    saved = os.path.join(T, "saved")
    m.save(saved)
    m2 = saetm.load(saved)
    check(m2.top_words == m.top_words and np.array_equal(m2.doc_topics, dt), "save/load: same topics")
    check(np.array_equal(m2.transform(E), dt), "loaded model transforms as the original")
    check(raises(saetm.SaetmError, saetm.load, os.path.join(T, "nomodel"), needle="nomodel"),
          "load of a missing directory raises, naming it")

    # evaluate, trends, report
    ev = m.evaluate()
    check(ev["n_topics"] == 4 and ev["npmi"] is not None and -1 <= ev["npmi"] <= 1, f"evaluate in-sample: {ev['npmi']}")
    ev2 = m.evaluate(texts[:150])
    check(ev2["reference_kind"] == "documents" and ev2["n_docs"] == 150, "evaluate against documents")
    tr = m.trends()
    check(tr["bins"] == [] and tr["groups"] == [] and tr["n_docs"] == len(texts), "trends of a corpus without dates")
    page = m.report(os.path.join(T, "report.html"))
    check(os.path.getsize(page) > 1000 and open(page, encoding="utf-8").read().startswith("<!DOCTYPE html>"),
          "report writes an HTML page")

    # bad inputs to transform
    check(raises(saetm.SaetmInputError, m.transform, E[:, :8]), "transform: wrong width raises")
    check(raises(ValueError, m.transform, E[:, :8]), "... and it is a ValueError")
    check(raises(TypeError, m.transform, E.astype(np.int32)), "transform: int32 raises TypeError")
    check(raises(saetm.SaetmInputError, m.transform, texts[:5]),
          "transform of texts: this model's SAE is not the built-in embedder's (16-d) -> raises")

# ---- bad inputs to fit: each raises, the interpreter goes on --------------------------------------
bad = os.path.join(T, "bad")
check(raises(ValueError, saetm.fit, [], embeddings=E, out=bad), "fit: empty list raises ValueError")
check(raises(TypeError, saetm.fit, [1, 2, 3], embeddings=E, out=bad), "fit: non-str texts raise TypeError")
check(raises(TypeError, saetm.fit, texts, embeddings=E.astype(np.int64), out=bad), "fit: int64 embeddings: TypeError")
check(raises(TypeError, saetm.fit, texts, embeddings=np.array([["a"]]), out=bad), "fit: string array: TypeError")
check(raises(ValueError, saetm.fit, texts, embeddings=E[0], out=bad), "fit: 1-D embeddings: ValueError")
check(raises(saetm.SaetmInputError, saetm.fit, texts, embeddings=E[:-1], k=4, out=bad, needle="rows"),
      "fit: wrong row count raises, the message says rows")
En = E.copy()
En[7, 3] = np.nan
check(raises(saetm.SaetmInputError, saetm.fit, texts, embeddings=En, k=4, out=bad, needle="row 7"),
      "fit: NaN raises, naming the row")
check(raises(saetm.SaetmError, saetm.fit, os.path.join(T, "none.jsonl"), embeddings=E, out=bad, needle="none.jsonl"),
      "fit: missing file raises, naming it")
check(raises((TypeError, saetm.SaetmError), saetm.fit, texts, embeddings=E, out=bad, no_such_option=3),
      "fit: unknown option raises")

# ---- stopping: a callback's true result, and Ctrl-C (SIGINT) -------------------------------------
stopped = os.path.join(T, "stopped")
e = None
try:
    saetm.fit(texts, embeddings=E, k=4, out=stopped, progress=lambda s, d, t: s == "train")
except saetm.SaetmError as ex:
    e = ex
check(e is not None and e.args[1] == saetm._core.ERR_INTERRUPTED, f"a callback returning True stops fit: {e!r}")
check(not os.path.exists(os.path.join(stopped, "topics.json")), "... before the topics")

sent = []


def ctrl_c(stage, done, total):
    if stage == "train" and not sent:
        sent.append(1)
        signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
    return False


got = None
try:
    saetm.fit(texts, embeddings=E, k=4, out=os.path.join(T, "intr"), progress=ctrl_c)
except KeyboardInterrupt:
    got = "KeyboardInterrupt"
except BaseException as ex:  # noqa: BLE001
    got = repr(ex)
check(got == "KeyboardInterrupt", f"Ctrl-C during fit raises KeyboardInterrupt: {got}")
check(not os.path.exists(os.path.join(T, "intr", "topics.json")), "... and stops it before the topics")

sys.exit(report())
