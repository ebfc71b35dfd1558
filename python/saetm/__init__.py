"""saetm: topic models from sparse autoencoders, in Python over libsaetm (docs/python.md).

    import saetm
    model = saetm.fit(texts, k=20)          # texts: a list of str or a JSONL/CSV/text file
    model.top_words[0]                      # the first topic's words, most probable first
    theta = model.transform(["a new text"]) # n x K topic proportions
    model.save("model/")                    # the same model directory as `saetm fit --out model/`

Every call goes to the library (saetm._core, a CPython extension over libsaetm.so): the same
options and seed give the same bytes as the command line. Errors raise SaetmError with the
library's message (SaetmInputError, also a ValueError, for bad arguments and data). Long calls
show progress bars when tqdm is installed and stderr is a terminal, and stop on Ctrl-C
(KeyboardInterrupt).
"""
import json
import logging
import os
import shutil
import sys
import tempfile
import weakref

import numpy as np

from . import _build

# The built-in embedder's model file: where the build found it, unless the environment says.
if "SAETM_MODEL_DIR" not in os.environ and os.path.isdir(_build.MODEL_DIR):
    os.environ["SAETM_MODEL_DIR"] = _build.MODEL_DIR

from . import _core  # noqa: E402 (after the environment is set)
from ._core import SaetmError, SaetmInputError  # noqa: E402

__version__ = _core.version()
__all__ = ["fit", "load", "Model", "SAETopicModel", "SaetmError", "SaetmInputError", "fit_options"]

_logger = logging.getLogger("saetm")
_LEVELS = {0: logging.ERROR, 1: logging.WARNING, 2: logging.INFO, 3: logging.DEBUG}


def _log(level, message):
    _logger.log(_LEVELS.get(level, logging.INFO), message)


class _Bars:
    """Progress as tqdm bars, one per stage (corpus, embed, train, encode, interpret)."""

    def __init__(self, tqdm):
        self._tqdm, self._bars = tqdm, {}

    def __call__(self, stage, done, total):
        bar = self._bars.get(stage)
        if bar is None:
            bar = self._bars[stage] = self._tqdm(total=total or None, desc=stage, leave=False)
        if total and bar.total != total:
            bar.total = total
        bar.update(done - bar.n)
        return False

    def close(self):
        for bar in self._bars.values():
            bar.close()


def _progress(progress):
    """The callback for progress: a callable as given (stage, done, total; a true result stops the
    call), True for tqdm bars, False for none, None for bars when tqdm is there and stderr a terminal."""
    if callable(progress):
        return progress
    if progress is False or (progress is None and not sys.stderr.isatty()):
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return _Bars(tqdm)


def _call(fn, progress, *args, **kw):
    cb = _progress(progress)
    try:
        return fn(*args, progress=cb, log=_log, **kw)
    finally:
        if isinstance(cb, _Bars):
            cb.close()


def _texts_input(texts, tmpdir, what="texts"):
    """A path for the documents: texts itself when it is one, else texts written to a JSONL file
    (field "text") in tmpdir."""
    if isinstance(texts, (str, os.PathLike)):
        return os.fspath(texts)
    if isinstance(texts, (bytes, bytearray)) or not hasattr(texts, "__iter__"):
        raise TypeError(f"{what}: expected a list of str or a path, got {type(texts).__name__}")
    texts = list(texts)
    if not texts:
        raise ValueError(f"{what}: the list is empty")
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"{what}[{i}] is {type(t).__name__}, expected str")
    path = os.path.join(tmpdir, "input.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
    return path


def _embeddings(e):
    """e as a C-contiguous float32 matrix: the array itself when it is one (no copy), else converted."""
    a = np.asarray(e)
    if a.dtype not in (np.float32, np.float64):
        raise TypeError(f"embeddings: dtype {a.dtype}; expected float32 or float64")
    if a.ndim != 2:
        raise ValueError(f"embeddings: expected a 2-D array (documents x dimensions), got {a.ndim}-D")
    return np.ascontiguousarray(a, dtype=np.float32)


def _option_value(v):
    if v is True:
        return "on"
    if v is False:
        return "off"
    return str(v)


def _options(options):
    """Keyword options as the library's names (`_` for `-`) and values as text."""
    return {name.replace("_", "-"): _option_value(v) for name, v in options.items()}


def fit_options():
    """The options of saetm.fit: {name: (default, help)} with names as keyword arguments (`_` for `-`)."""
    if not hasattr(_core, "fit_options"):
        return {}
    return {name.replace("-", "_"): (default, text) for name, default, text in _core.fit_options()}


def _link_or_copy(src, dst):
    """Model files are written once, by rename (never changed in place): a hard link is a copy."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


class Model:
    """A fitted model: a model directory (the files `saetm fit` writes, docs/pipeline.md)."""

    def __init__(self, path, _owned=False):
        self.path = os.fspath(path)
        if _owned:  # a temporary directory of this object: removed with it
            self._cleanup = weakref.finalize(self, shutil.rmtree, self.path, True)

    def __repr__(self):
        return f"saetm.Model({self.path!r}, k={self.k})"

    def _file(self, name):
        return os.path.join(self.path, name)

    @property
    def topics(self):
        """What topics.json holds (a dict)."""
        with open(self._file("topics.json"), encoding="utf-8") as f:
            return json.load(f)

    @property
    def params(self):
        """What params.json holds: the options of the run."""
        with open(self._file("params.json"), encoding="utf-8") as f:
            return json.load(f)

    @property
    def top_words(self):
        """K lists of words, most probable first (topics.json)."""
        return _core.topic_words(self._file("topics.json"))[0]

    @property
    def topic_word(self):
        """K x V topic-word probabilities (topic_word.npy)."""
        return np.load(self._file("topic_word.npy"))

    @property
    def doc_topics(self):
        """N x K topic proportions of the training documents (doc_topics.npy, float32)."""
        return np.load(self._file("doc_topics.npy"))

    @property
    def vocabulary(self):
        """The V words of the corpus, in topic_word's column order."""
        return _core.vocabulary(self._file("corpus.stc"))

    @property
    def k(self):
        return int(np.load(self._file("doc_topics.npy"), mmap_mode="r").shape[1])

    def transform(self, docs, embeddings=None, progress=None, threads=0):
        """Topic proportions (n x K float32) of documents: docs are their embeddings (a numpy array,
        by the embedder the model was fitted with), or texts (a list of str or a path; embedded with
        the built-in embedder unless embeddings are given). Documents with no word of the model's
        vocabulary get all-zero rows, as in fit."""
        if embeddings is None and not isinstance(docs, (str, os.PathLike, list, tuple)):
            embeddings, docs = docs, None
        emb = None if embeddings is None else _embeddings(embeddings)
        with tempfile.TemporaryDirectory(prefix="saetm-") as tmp:
            path = None if docs is None else _texts_input(docs, tmp, "docs")
            m = _call(_core.transform, progress, self.path, emb, path, threads=threads)
        return np.asarray(m)

    def remerge(self, k, seed=1, out=None, progress=None, threads=0, **options):
        """The features merged into k topics again (`saetm topics --model DIR --k k`), the model's own
        options as defaults: a new Model in out (None: a temporary directory); this one is unchanged."""
        owned = out is None
        out = tempfile.mkdtemp(prefix="saetm-") if owned else os.fspath(out)
        try:
            shutil.copytree(self.path, out, copy_function=_link_or_copy, dirs_exist_ok=True)
            new = Model(out, _owned=owned)
            new.scores = _call(_core.topics, progress, out, out, int(k), seed=int(seed), options=_options(options),
                               threads=threads)
        except BaseException:
            if owned:
                shutil.rmtree(out, True)
            raise
        return new

    def evaluate(self, reference=None, top_n=10, diversity_n=25, missing="floor", npmi_eps=0.0, threads=0):
        """Coherence (NPMI, C_V) and diversity of the topics' top words (`saetm eval --model DIR`):
        against reference documents (a list of str, a file, a .stc corpus), tokenised as the model's
        corpus was, or with None in-sample against the model's corpus. @return a dict."""
        with tempfile.TemporaryDirectory(prefix="saetm-") as tmp:
            ref = self._file("corpus.stc") if reference is None else _texts_input(reference, tmp, "reference")
            return _core.evaluate(self.path, self._file("top_words.txt"), ref, top_n=top_n, diversity_n=diversity_n,
                                  missing=missing, npmi_eps=float(npmi_eps), threads=threads)

    def trends(self, bin="year", out=None):
        """Topic prevalence per time bin ("year", "decade" or a number of equal bins) and per group
        (`saetm trends`); with out the CSV and SVG files too. @return a dict (bins, time: bins x K,
        change per topic, groups, group: groups x K)."""
        if isinstance(bin, int) and not isinstance(bin, bool):
            r = _core.trends(self.path, "equal", bin, None if out is None else os.fspath(out))
        else:
            r = _core.trends(self.path, bin, 10, None if out is None else os.fspath(out))
        for key in ("time", "group"):
            r[key] = np.array(r[key], dtype=np.float32).reshape(len(r[key]), self.k)
        return r

    def report(self, path=None, title=None, top_words=10, top_docs=3):
        """One self-contained HTML page about the model (`saetm report`). @return its path."""
        path = self._file("report.html") if path is None else os.fspath(path)
        _core.report(self.path, path, title=title, top_words=top_words, top_docs=top_docs)
        return path

    def save(self, path):
        """Copy the model directory to path (created); `saetm.load(path)` and the CLI read it back."""
        path = os.fspath(path)
        if os.path.abspath(path) != os.path.abspath(self.path):
            shutil.copytree(self.path, path, copy_function=_link_or_copy, dirs_exist_ok=True)
        return Model(path)


def load(path):
    """The model in directory path (from saetm.fit(...).save, or `saetm fit --out`)."""
    m = Model(path)
    _core.topic_words(m._file("topics.json"))  # fails naming the file when it is no model
    return m


def fit(texts, embeddings=None, k=20, seed=1, out=None, progress=None, threads=0, **options):
    """Fit a topic model (`saetm fit`): texts a list of str or a path to a JSONL/CSV/text file;
    embeddings a float32/float64 array (N x d, row i = document i) or None for the built-in
    embedder; every option of `saetm fit` by name with `_` for `-` (min_df=2, preprocess="none",
    steps=100, ...; True/False for on/off). The model directory is out, or a temporary directory
    removed with the Model (keep it with Model.save). @return a Model."""
    owned = out is None
    out = tempfile.mkdtemp(prefix="saetm-") if owned else os.fspath(out)
    try:
        os.makedirs(out, exist_ok=True)
        emb = None if embeddings is None else _embeddings(embeddings)
        input_path = _texts_input(texts, out)
        model = Model(out, _owned=owned)
        model.result = _call(_core.fit, progress, input_path, out, emb, k=int(k), seed=int(seed),
                             options=_options(options), threads=threads)
    except BaseException:
        if owned:
            shutil.rmtree(out, True)
        raise
    return model


class SAETopicModel:
    """A scikit-learn style estimator over saetm.fit (no scikit-learn needed):

        est = saetm.SAETopicModel(n_components=20)
        theta = est.fit_transform(texts)       # N x K; est.components_ is K x V
        est.get_params(); est.set_params(min_df=2)

    Parameters: n_components (K), seed, threads, progress, and any option of saetm.fit by name."""

    _own = ("n_components", "seed", "threads", "progress")

    def __init__(self, n_components=20, seed=1, threads=0, progress=False, **options):
        self.n_components = n_components
        self.seed = seed
        self.threads = threads
        self.progress = progress
        self._options = dict(options)

    def get_params(self, deep=True):
        params = {name: getattr(self, name) for name in self._own}
        for name, (default, _) in fit_options().items():
            if name not in ("k", "seed", "input", "out", "emb"):
                params.setdefault(name, default)
        params.update(self._options)
        return params

    def set_params(self, **params):
        for name, value in params.items():
            if name in self._own:
                setattr(self, name, value)
            else:
                known = fit_options()
                if known and name not in known:
                    raise ValueError(f"unknown parameter {name!r} of SAETopicModel")
                self._options[name] = value
        return self

    def __repr__(self):
        return f"SAETopicModel(n_components={self.n_components}, seed={self.seed})"

    def fit(self, X, y=None, embeddings=None):
        """Fit on documents X (a list of str or a path) with their embeddings (None: built-in)."""
        defaults = fit_options()
        opts = {n: v for n, v in self._options.items() if n not in defaults or str(defaults[n][0]) != str(v)}
        self.model_ = fit(X, embeddings=embeddings, k=self.n_components, seed=self.seed, progress=self.progress,
                          threads=self.threads, **opts)
        self.components_ = self.model_.topic_word
        return self

    def fit_transform(self, X, y=None, embeddings=None):
        return self.fit(X, embeddings=embeddings).model_.doc_topics

    def transform(self, X, embeddings=None):
        if not hasattr(self, "model_"):
            raise RuntimeError("SAETopicModel: call fit first")
        return self.model_.transform(X, embeddings=embeddings, progress=self.progress, threads=self.threads)
