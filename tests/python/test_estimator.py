"""test_estimator.py - saetm.SAETopicModel, the scikit-learn style estimator: fit_transform gives
saetm fit's doc_topics (same bytes as the command line), transform the same rows, components_ is
topic_word; get_params/set_params work without scikit-learn (and sklearn.base.clone, where
scikit-learn is installed, rebuilds it from them)."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pyfix  # noqa: E402

import numpy as np  # noqa: E402
import saetm  # noqa: E402
from testlib import check, report  # noqa: E402

T = os.environ.get("TEST_TMPDIR") or tempfile.mkdtemp()
texts, docs, emb_path = pyfix.planted(T, docs=200, topics=3, vocab=100)
E = np.load(emb_path)
cli = os.path.join(T, "cli")
subprocess.run([pyfix.SAETM, "fit", "--input", docs, "--emb", emb_path, "--k", "3", "--seed", "2", "--out", cli, "-q"],
               check=True)

est = saetm.SAETopicModel(n_components=3, seed=2)
p = est.get_params()
check(p["n_components"] == 3 and p["seed"] == 2, f"get_params: {p}")
est.set_params(n_components=5)
check(est.get_params()["n_components"] == 5, "set_params changes n_components")
est.set_params(n_components=3)
check(est.set_params(seed=2) is est, "set_params returns the estimator")
check("sklearn" not in sys.modules, "scikit-learn was not imported")

theta = est.fit_transform(texts, embeddings=E)
cli_dt = np.load(os.path.join(cli, "doc_topics.npy"))
check(theta.shape == (len(texts), 3) and np.array_equal(theta, cli_dt), "fit_transform = saetm fit's doc_topics")
check(np.array_equal(est.components_, np.load(os.path.join(cli, "topic_word.npy"))), "components_ = topic_word")
check(np.array_equal(est.transform(E), theta), "transform(training embeddings) = fit_transform")
check(est.model_.top_words == saetm.load(cli).top_words, "the model's top words are the CLI's")
try:
    saetm.SAETopicModel().transform(E)
    check(False, "transform before fit raises")
except RuntimeError:
    check(True, "transform before fit raises")

try:
    import sklearn.base
except ImportError:
    sklearn = None
if sklearn is not None:
    c = sklearn.base.clone(est)
    check(type(c) is saetm.SAETopicModel and c.get_params() == est.get_params(), "sklearn clone keeps the params")
sys.exit(report())
