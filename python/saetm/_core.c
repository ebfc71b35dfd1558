/*
 * _core.c - the CPython extension module saetm._core: one function per library call that the
 * Python package (saetm/__init__.py) needs, over libsaetm.so and its header include/saetm.h
 * (docs/python.md says why an extension and not ctypes).
 *
 * Rules kept by every function here:
 *  - the library's work runs with the GIL released (Py_BEGIN_ALLOW_THREADS); its callbacks take
 *    the GIL back (PyGILState_Ensure) to call Python;
 *  - arrays come in through the buffer protocol and must already be C-contiguous float32 2-D
 *    (the package converts others with numpy): no copy is made here; results come back as
 *    _core.Matrix objects that own the library's saetm_matrix and export it as a buffer;
 *  - a failing call raises saetm.SaetmError (SaetmInputError, also a ValueError, for bad
 *    arguments, shapes and data) carrying the context's message and the status code;
 *  - the progress callback checks for signals, so Ctrl-C makes the running call return
 *    SAETM_ERR_INTERRUPTED and KeyboardInterrupt is raised.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdlib.h>
#include <string.h>

#include "saetm.h"

static PyObject *SaetmError, *SaetmInputError;

/* ======================================================================
 * Calls: a context with the Python callbacks, and the status turned into an exception
 * ==================================================================== */

typedef struct call {
    saetm_ctx *ctx;
    PyObject *progress; /* callable(stage, done, total) or NULL; a true result asks to stop */
    PyObject *log;      /* callable(level, message) or NULL */
    int stopped;        /* the callback asked to stop (or an exception is saved) */
    PyObject *exc_type, *exc_value, *exc_tb; /* the first exception raised inside a callback */
} call;

/* Keep the first exception raised in a callback (any thread) to raise it after the call. */
static void call_save_exception(call *c)
{
    if (!PyErr_Occurred()) return;
    if (c->exc_type) {
        PyErr_Clear();
        return;
    }
    PyErr_Fetch(&c->exc_type, &c->exc_value, &c->exc_tb);
}

static int on_progress(void *user, const char *stage, uint64_t done, uint64_t total)
{
    call *c = user;
    if (c->stopped) return 1;
    PyGILState_STATE g = PyGILState_Ensure();
    if (PyErr_CheckSignals() < 0) { /* Ctrl-C: KeyboardInterrupt (only the main thread sees signals) */
        call_save_exception(c);
        c->stopped = 1;
    } else if (c->progress) {
        PyObject *r = PyObject_CallFunction(c->progress, "sKK", stage, (unsigned long long)done,
                                            (unsigned long long)total);
        if (!r) {
            call_save_exception(c);
            c->stopped = 1;
        } else {
            int t = PyObject_IsTrue(r);
            if (t < 0) call_save_exception(c);
            if (t != 0) c->stopped = 1;
            Py_DECREF(r);
        }
    }
    PyGILState_Release(g);
    return c->stopped;
}

static void on_log(void *user, saetm_log_level level, const char *message)
{
    call *c = user;
    if (!c->log) return;
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *r = PyObject_CallFunction(c->log, "is", (int)level, message);
    if (!r) call_save_exception(c); /* raised after the call; the library's work goes on */
    Py_XDECREF(r);
    PyGILState_Release(g);
}

/* A context for one call; threads <= 0: all CPUs. @return 0, or -1 with MemoryError set. */
static int call_begin(call *c, int threads, PyObject *progress, PyObject *log)
{
    memset(c, 0, sizeof *c);
    c->ctx = saetm_ctx_create();
    if (!c->ctx) {
        PyErr_NoMemory();
        return -1;
    }
    c->progress = progress && progress != Py_None ? progress : NULL;
    c->log = log && log != Py_None ? log : NULL;
    saetm_ctx_set_threads(c->ctx, threads);
    saetm_ctx_set_progress(c->ctx, on_progress, c); /* always: it also watches for Ctrl-C */
    if (c->log) saetm_ctx_set_log(c->ctx, on_log, c, SAETM_LOG_INFO);
    return 0;
}

/* End a call: @return 0 when st is SAETM_OK and no callback raised; else -1 with the exception
 * set (a callback's own exception first, else SaetmError with the library's message). */
static int call_end(call *c, saetm_status st)
{
    int rc = 0;
    if (c->exc_type) {
        PyErr_Restore(c->exc_type, c->exc_value, c->exc_tb);
        rc = -1;
    } else if (st) {
        const char *msg = saetm_ctx_errmsg(c->ctx);
        if (!msg || !msg[0]) msg = saetm_strerror(st);
        PyObject *cls = st == SAETM_ERR_ARG || st == SAETM_ERR_SHAPE || st == SAETM_ERR_INPUT ? SaetmInputError
                                                                                               : SaetmError;
        PyObject *args = Py_BuildValue("(si)", msg, (int)st);
        if (args) {
            PyErr_SetObject(cls, args);
            Py_DECREF(args);
        }
        rc = -1;
    }
    saetm_ctx_free(c->ctx);
    c->ctx = NULL;
    return rc;
}

/* ======================================================================
 * Matrix: a saetm_matrix exported through the buffer protocol (numpy.asarray without a copy)
 * ==================================================================== */

typedef struct {
    PyObject_HEAD
    saetm_matrix m;
    Py_ssize_t shape[2], strides[2];
} MatrixObject;

static void matrix_dealloc(MatrixObject *self)
{
    saetm_matrix_free(&self->m);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int matrix_getbuffer(MatrixObject *self, Py_buffer *view, int flags)
{
    self->shape[0] = (Py_ssize_t)self->m.rows;
    self->shape[1] = (Py_ssize_t)self->m.cols;
    self->strides[1] = (Py_ssize_t)sizeof(float);
    self->strides[0] = self->shape[1] * self->strides[1];
    static float empty;
    view->buf = self->m.data ? (void *)self->m.data : (void *)&empty;
    view->obj = (PyObject *)self;
    Py_INCREF(self);
    view->len = self->shape[0] * self->shape[1] * (Py_ssize_t)sizeof(float);
    view->readonly = 0;
    view->itemsize = sizeof(float);
    view->format = (flags & PyBUF_FORMAT) ? "f" : NULL;
    view->ndim = 2;
    view->shape = (flags & PyBUF_ND) ? self->shape : NULL;
    view->strides = (flags & PyBUF_STRIDES) == PyBUF_STRIDES ? self->strides : NULL;
    view->suboffsets = NULL;
    view->internal = NULL;
    return 0;
}

static PyBufferProcs matrix_as_buffer = {(getbufferproc)matrix_getbuffer, NULL};

static PyTypeObject MatrixType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "saetm._core.Matrix",
    .tp_basicsize = sizeof(MatrixObject),
    .tp_dealloc = (destructor)matrix_dealloc,
    .tp_as_buffer = &matrix_as_buffer,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A float32 matrix owned by libsaetm, exported through the buffer protocol (rows x cols).",
};

/* Wrap m (taken over: zeroed). @return a new reference, or NULL (m freed). */
static PyObject *matrix_wrap(saetm_matrix *m)
{
    MatrixObject *o = PyObject_New(MatrixObject, &MatrixType);
    if (!o) {
        saetm_matrix_free(m);
        return NULL;
    }
    o->m = *m;
    memset(m, 0, sizeof *m);
    return (PyObject *)o;
}

/* A read-only view of obj as a saetm_matrix: it must export a C-contiguous 2-D float32 buffer.
 * @return 0 and *view (PyBuffer_Release it), or -1 with TypeError set. */
static int matrix_view(PyObject *obj, Py_buffer *view, saetm_matrix *m)
{
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        PyErr_SetString(PyExc_TypeError, "embeddings: expected a C-contiguous float32 array");
        return -1;
    }
    const char *f = view->format ? view->format : "B";
    if (*f == '<' || *f == '=' || *f == '@') f++;
    if (view->ndim != 2 || view->itemsize != 4 || strcmp(f, "f") != 0) {
        PyErr_Format(PyExc_TypeError, "embeddings: expected a 2-D float32 array, got %d-D of format '%s'", view->ndim,
                     view->format ? view->format : "B");
        PyBuffer_Release(view);
        return -1;
    }
    memset(m, 0, sizeof *m);
    m->rows = (uint64_t)view->shape[0];
    m->cols = (uint64_t)view->shape[1];
    m->data = view->buf;
    return 0;
}

/* ======================================================================
 * Options by name (the library's tables: saetm_fit_opts_set, saetm_topic_stage_set)
 * ==================================================================== */

/* Set every (name, value) of the dict options (str -> str) with set(ctx, target, name, value).
 * The strings stay the dict's (alive for the call). @return 0, or -1 with the exception set. */
typedef saetm_status (*option_setter)(saetm_ctx *ctx, void *target, const char *name, const char *value);

static int set_options(call *c, PyObject *options, option_setter set, void *target)
{
    if (!options || options == Py_None) return 0;
    if (!PyDict_Check(options)) {
        PyErr_SetString(PyExc_TypeError, "options: expected a dict of str to str");
        return -1;
    }
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(options, &pos, &key, &value)) {
        const char *k = PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
        const char *v = PyUnicode_Check(value) ? PyUnicode_AsUTF8(value) : NULL;
        if (!k || !v) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "options: names and values must be str");
            return -1;
        }
        saetm_status st = set(c->ctx, target, k, v);
        if (st && PyErr_Occurred()) return -1;
        if (st) {
            const char *msg = saetm_ctx_errmsg(c->ctx);
            PyObject *args = Py_BuildValue("(si)", msg && msg[0] ? msg : saetm_strerror(st), (int)st);
            if (args) PyErr_SetObject(SaetmInputError, args);
            Py_XDECREF(args);
            return -1;
        }
    }
    return 0;
}

#ifdef SAETM_HAVE_OPTION_TABLES
static saetm_status fit_set(saetm_ctx *ctx, void *o, const char *name, const char *value)
{
    return saetm_fit_opts_set(ctx, o, name, value);
}
static saetm_status stage_set(saetm_ctx *ctx, void *s, const char *name, const char *value)
{
    return saetm_topic_stage_set(ctx, s, name, value);
}
#else
/* Until the library has its option tables only k and seed (arguments of their own) are known. */
static saetm_status no_set(saetm_ctx *ctx, void *o, const char *name, const char *value)
{
    (void)ctx, (void)o, (void)value;
    PyErr_Format(PyExc_TypeError, "unknown option '%s' (this libsaetm has no option tables)", name);
    return SAETM_ERR_UNSUPPORTED;
}
#define fit_set no_set
#define stage_set no_set
#endif

static PyObject *scores_dict(const saetm_topics_score *s)
{
    if (!s->scored) return Py_BuildValue("{s:K,s:O,s:O,s:d}", "n_docs", (unsigned long long)s->n_docs, "npmi",
                                         Py_None, "c_v", Py_None, "diversity", s->diversity);
    return Py_BuildValue("{s:K,s:d,s:d,s:d}", "n_docs", (unsigned long long)s->n_docs, "npmi", s->npmi, "c_v", s->c_v,
                         "diversity", s->diversity);
}

/* ======================================================================
 * Module functions
 * ==================================================================== */

static PyObject *py_fit(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"input", "out", "embeddings", "k", "seed", "options", "threads", "progress", "log", NULL};
    const char *input, *out;
    PyObject *emb = Py_None, *options = Py_None, *progress = Py_None, *log = Py_None;
    unsigned int k = 20;
    unsigned long long seed = 1;
    int threads = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "ss|OIKOiOO", names, &input, &out, &emb, &k, &seed, &options, &threads,
                                     &progress, &log))
        return NULL;
    saetm_fit_opts fo;
    saetm_fit_opts_default(&fo);
    fo.input = input;
    fo.out = out;
    fo.topics.o.k = k;
    fo.seed = seed;
    Py_buffer view;
    saetm_matrix m;
    int have_view = 0;
    if (emb != Py_None) {
        if (matrix_view(emb, &view, &m) < 0) return NULL;
        have_view = 1;
        fo.emb_matrix = &m;
    }
    call c;
    if (call_begin(&c, threads, progress, log) < 0) goto fail;
    if (set_options(&c, options, fit_set, &fo) < 0) {
        call_end(&c, SAETM_OK);
        goto fail;
    }
    saetm_fit_result r;
    memset(&r, 0, sizeof r);
    saetm_status st;
    Py_BEGIN_ALLOW_THREADS
    st = saetm_fit(c.ctx, &fo, &r);
    Py_END_ALLOW_THREADS
    if (have_view) PyBuffer_Release(&view);
    have_view = 0;
    if (call_end(&c, st) < 0) return NULL;
    PyObject *res = Py_BuildValue("{s:K,s:K,s:I,s:I,s:I,s:K,s:d,s:d,s:d,s:d}", "docs", (unsigned long long)r.docs,
                                  "empty_docs", (unsigned long long)r.empty_docs, "vocab", r.vocab, "features",
                                  r.features, "k", r.k, "embedding_dim", (unsigned long long)r.embedding_dim,
                                  "seconds_corpus", r.seconds_corpus, "seconds_sae", r.seconds_sae,
                                  "seconds_interpret", r.seconds_interpret, "seconds_topics", r.seconds_topics);
    if (res && r.has_scores) {
        PyObject *a = scores_dict(&r.scores[0]), *b = scores_dict(&r.scores[1]);
        if (!a || !b || PyDict_SetItemString(res, "in_sample", a) < 0 || PyDict_SetItemString(res, "held_out", b) < 0)
            Py_CLEAR(res);
        Py_XDECREF(a);
        Py_XDECREF(b);
    }
    return res;
fail:
    if (have_view) PyBuffer_Release(&view);
    return NULL;
}

static PyObject *py_transform(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"model", "embeddings", "input", "threads", "progress", "log", NULL};
    const char *model, *input = NULL;
    PyObject *emb = Py_None, *progress = Py_None, *log = Py_None;
    int threads = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|OziOO", names, &model, &emb, &input, &threads, &progress, &log))
        return NULL;
    Py_buffer view;
    saetm_matrix m, out = {0};
    int have_view = 0;
    if (emb != Py_None) {
        if (matrix_view(emb, &view, &m) < 0) return NULL;
        have_view = 1;
    }
    call c;
    if (call_begin(&c, threads, progress, log) < 0) {
        if (have_view) PyBuffer_Release(&view);
        return NULL;
    }
    saetm_status st;
    Py_BEGIN_ALLOW_THREADS
    st = saetm_model_transform(c.ctx, model, have_view ? &m : NULL, input, NULL, &out, NULL);
    Py_END_ALLOW_THREADS
    if (have_view) PyBuffer_Release(&view);
    if (call_end(&c, st) < 0) {
        saetm_matrix_free(&out);
        return NULL;
    }
    return matrix_wrap(&out);
}

static PyObject *py_topics(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"model", "out", "k", "seed", "options", "threads", "progress", "log", NULL};
    const char *model, *out;
    unsigned int k;
    unsigned long long seed = 1;
    PyObject *options = Py_None, *progress = Py_None, *log = Py_None;
    int threads = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "ssI|KOiOO", names, &model, &out, &k, &seed, &options, &threads,
                                     &progress, &log))
        return NULL;
    call c;
    if (call_begin(&c, threads, progress, log) < 0) return NULL;
    /* the options the model was made with are the defaults, as `saetm topics --model DIR` has them */
    saetm_topic_stage ts;
    saetm_topic_stage_default(&ts);
    saetm_model_params *params = NULL;
    saetm_status st;
    Py_BEGIN_ALLOW_THREADS
    st = saetm_model_params_load(c.ctx, model, &params);
    Py_END_ALLOW_THREADS
    if (!st) saetm_model_params_topics(params, &ts);
    ts.o.k = k;
    ts.o.seed = seed;
    if (!st && set_options(&c, options, stage_set, &ts) < 0) {
        saetm_model_params_free(params);
        call_end(&c, SAETM_OK);
        return NULL;
    }
    saetm_topics_score sc[2];
    int scored = 0;
    if (!st) {
        Py_BEGIN_ALLOW_THREADS
        st = saetm_model_topics(c.ctx, model, &ts, NULL, out, sc, &scored);
        Py_END_ALLOW_THREADS
    }
    saetm_model_params_free(params);
    if (call_end(&c, st) < 0) return NULL;
    if (!scored) Py_RETURN_NONE;
    PyObject *a = scores_dict(&sc[0]), *b = scores_dict(&sc[1]);
    PyObject *res = a && b ? Py_BuildValue("{s:O,s:O}", "in_sample", a, "held_out", b) : NULL;
    Py_XDECREF(a);
    Py_XDECREF(b);
    return res;
}

/* Topic word lists as (list of lists of str, list of lists of float or None). */
static PyObject *topic_words_tuple(const saetm_topic_words *tw)
{
    PyObject *words = PyList_New(tw->n_topics), *probs = tw->prob ? PyList_New(tw->n_topics) : (Py_INCREF(Py_None), Py_None);
    if (!words || !probs) goto fail;
    for (uint32_t t = 0; t < tw->n_topics; t++) {
        uint64_t a = tw->word_start[t], b = tw->word_start[t + 1];
        PyObject *w = PyList_New((Py_ssize_t)(b - a));
        if (!w) goto fail;
        PyList_SET_ITEM(words, t, w);
        PyObject *p = NULL;
        if (tw->prob) {
            if (!(p = PyList_New((Py_ssize_t)(b - a)))) goto fail;
            PyList_SET_ITEM(probs, t, p);
        }
        for (uint64_t i = a; i < b; i++) {
            PyObject *s = PyUnicode_FromString(tw->words[i]);
            if (!s) goto fail;
            PyList_SET_ITEM(w, (Py_ssize_t)(i - a), s);
            if (p) {
                PyObject *f = PyFloat_FromDouble(tw->prob[i]);
                if (!f) goto fail;
                PyList_SET_ITEM(p, (Py_ssize_t)(i - a), f);
            }
        }
    }
    PyObject *res = PyTuple_Pack(2, words, probs);
    Py_DECREF(words);
    Py_DECREF(probs);
    return res;
fail:
    Py_XDECREF(words);
    Py_XDECREF(probs);
    return NULL;
}

static PyObject *py_topic_words(PyObject *self, PyObject *args)
{
    (void)self;
    const char *path;
    if (!PyArg_ParseTuple(args, "s", &path)) return NULL;
    call c;
    if (call_begin(&c, 1, NULL, NULL) < 0) return NULL;
    saetm_topic_words *tw = NULL;
    saetm_status st;
    Py_BEGIN_ALLOW_THREADS
    st = saetm_topics_read_words(c.ctx, path, 0, &tw);
    Py_END_ALLOW_THREADS
    if (call_end(&c, st) < 0) return NULL;
    PyObject *res = topic_words_tuple(tw);
    saetm_topic_words_free(tw);
    return res;
}

static PyObject *py_vocabulary(PyObject *self, PyObject *args)
{
    (void)self;
    const char *path;
    if (!PyArg_ParseTuple(args, "s", &path)) return NULL;
    call c;
    if (call_begin(&c, 1, NULL, NULL) < 0) return NULL;
    saetm_corpus *corpus = NULL;
    saetm_status st;
    Py_BEGIN_ALLOW_THREADS
    st = saetm_corpus_load(c.ctx, path, &corpus);
    Py_END_ALLOW_THREADS
    if (call_end(&c, st) < 0) return NULL;
    uint32_t V = saetm_corpus_vocab_size(corpus);
    PyObject *res = PyList_New(V);
    for (uint32_t w = 0; res && w < V; w++) {
        PyObject *s = PyUnicode_FromString(saetm_corpus_word(corpus, w));
        if (!s) Py_CLEAR(res);
        else PyList_SET_ITEM(res, w, s);
    }
    saetm_corpus_free(corpus);
    return res;
}

static PyObject *eval_dict(const saetm_eval_result *r, int built, const char *reference)
{
    PyObject *topics = PyList_New(r->n_topics), *missing = PyList_New(r->n_missing);
    if (!topics || !missing) goto fail;
    for (uint32_t t = 0; t < r->n_topics; t++) {
        const saetm_eval_topic *s = &r->topics[t];
        PyObject *d = s->scored ? Py_BuildValue("{s:d,s:d,s:I,s:I,s:I}", "npmi", s->npmi, "c_v", s->cv, "n_words",
                                                s->n_words, "n_scored", s->n_scored, "n_distinct", s->n_distinct)
                                : Py_BuildValue("{s:O,s:O,s:I,s:I,s:I}", "npmi", Py_None, "c_v", Py_None, "n_words",
                                                s->n_words, "n_scored", s->n_scored, "n_distinct", s->n_distinct);
        if (!d) goto fail;
        PyList_SET_ITEM(topics, t, d);
    }
    for (uint32_t i = 0; i < r->n_missing; i++) {
        PyObject *s = PyUnicode_FromString(r->missing[i]);
        if (!s) goto fail;
        PyList_SET_ITEM(missing, i, s);
    }
    PyObject *npmi = r->n_scored_topics ? PyFloat_FromDouble(r->npmi_mean) : (Py_INCREF(Py_None), Py_None);
    PyObject *cv = r->n_scored_topics ? PyFloat_FromDouble(r->cv_mean) : (Py_INCREF(Py_None), Py_None);
    PyObject *res = npmi && cv ? Py_BuildValue("{s:s,s:s,s:K,s:I,s:I,s:O,s:O,s:d,s:K,s:K,s:O,s:O}", "reference",
                                               reference, "reference_kind", built ? "documents" : "corpus", "n_docs",
                                               (unsigned long long)r->n_docs, "n_topics", r->n_topics,
                                               "n_scored_topics", r->n_scored_topics, "npmi", npmi, "c_v", cv,
                                               "diversity", r->diversity, "diversity_words",
                                               (unsigned long long)r->diversity_words, "diversity_distinct",
                                               (unsigned long long)r->diversity_distinct, "missing_words", missing,
                                               "topics", topics)
                               : NULL;
    Py_XDECREF(npmi);
    Py_XDECREF(cv);
    Py_DECREF(topics);
    Py_DECREF(missing);
    return res;
fail:
    Py_XDECREF(topics);
    Py_XDECREF(missing);
    return NULL;
}

static PyObject *py_evaluate(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"model", "topics", "reference", "top_n", "diversity_n", "missing", "npmi_eps", "threads",
                            NULL};
    const char *model, *topics, *reference, *missing = "floor";
    unsigned int top_n = 10, diversity_n = 25;
    double eps = 0;
    int threads = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "sss|IIsdi", names, &model, &topics, &reference, &top_n, &diversity_n,
                                     &missing, &eps, &threads))
        return NULL;
    saetm_eval_opts eo;
    saetm_eval_opts_default(&eo);
    eo.top_n = top_n;
    eo.diversity_n = diversity_n;
    eo.npmi_eps = eps;
    if (saetm_eval_missing_parse(missing, &eo.missing)) {
        PyErr_Format(PyExc_ValueError, "missing must be 'floor' or 'skip', not '%s'", missing);
        return NULL;
    }
    call c;
    if (call_begin(&c, threads, NULL, NULL) < 0) return NULL;
    saetm_model_params *params = NULL;
    saetm_topic_words *tw = NULL;
    saetm_corpus *ref = NULL;
    saetm_eval_result *r = NULL;
    int built = 0;
    saetm_status st;
    Py_BEGIN_ALLOW_THREADS
    /* a reference of documents is tokenised as the model's corpus was (as `saetm eval --model DIR`) */
    saetm_corpus_opts mo, ro;
    saetm_eval_reference_opts_default(&ro);
    st = saetm_model_params_load(c.ctx, model, &params);
    if (!st) st = saetm_model_corpus_opts(c.ctx, params, &mo);
    ro.text_field = mo.text_field;
    ro.preprocess = mo.preprocess;
    ro.stopwords = mo.stopwords;
    if (!st) st = saetm_topic_words_read(c.ctx, topics, &tw);
    if (!st) st = saetm_eval_reference_open(c.ctx, reference, &ro, &ref, &built);
    if (!st)
        st = saetm_eval_topics(c.ctx, ref, tw->n_topics, (const char *const *)tw->words, tw->word_start, &eo, &r);
    Py_END_ALLOW_THREADS
    PyObject *res = NULL;
    if (call_end(&c, st) == 0) res = eval_dict(r, built, reference);
    saetm_eval_result_free(r);
    saetm_corpus_free(ref);
    saetm_topic_words_free(tw);
    saetm_model_params_free(params);
    return res;
}

static PyObject *float_rows(const float *v, uint32_t rows, uint32_t cols)
{
    PyObject *l = PyList_New(rows);
    for (uint32_t i = 0; l && i < rows; i++) {
        PyObject *row = PyList_New(cols);
        if (!row) {
            Py_CLEAR(l);
            break;
        }
        PyList_SET_ITEM(l, i, row);
        for (uint32_t j = 0; j < cols; j++) {
            PyObject *f = PyFloat_FromDouble(v[(size_t)i * cols + j]);
            if (!f) {
                Py_CLEAR(l);
                break;
            }
            PyList_SET_ITEM(row, j, f);
        }
    }
    return l;
}

static PyObject *str_list(char **s, uint32_t n)
{
    PyObject *l = PyList_New(n);
    for (uint32_t i = 0; l && i < n; i++) {
        PyObject *o = PyUnicode_FromString(s[i]);
        if (!o) Py_CLEAR(l);
        else PyList_SET_ITEM(l, i, o);
    }
    return l;
}

static PyObject *py_trends(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"model", "bin", "n_bins", "out", NULL};
    const char *model, *bin = "year", *out = NULL;
    unsigned int n_bins = 10;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|sIz", names, &model, &bin, &n_bins, &out)) return NULL;
    saetm_trends_opts to;
    saetm_trends_opts_default(&to);
    if (strcmp(bin, "year") == 0) to.bin = SAETM_BIN_YEAR;
    else if (strcmp(bin, "decade") == 0) to.bin = SAETM_BIN_DECADE;
    else if (strcmp(bin, "equal") == 0) to.bin = SAETM_BIN_EQUAL, to.n_bins = n_bins;
    else {
        PyErr_Format(PyExc_ValueError, "bin must be 'year', 'decade' or 'equal', not '%s'", bin);
        return NULL;
    }
    call c;
    if (call_begin(&c, 0, NULL, NULL) < 0) return NULL;
    saetm_modeldir *md = NULL;
    saetm_trends *t = NULL;
    saetm_status st;
    Py_BEGIN_ALLOW_THREADS
    st = saetm_modeldir_open(c.ctx, model, &md);
    if (!st) st = saetm_modeldir_trends(c.ctx, md, &to, &t);
    if (!st && out) st = saetm_trends_write(c.ctx, t, saetm_modeldir_labels(md), out);
    Py_END_ALLOW_THREADS
    PyObject *res = NULL;
    if (call_end(&c, st) == 0) {
        PyObject *bl = str_list(t->bin_label, t->n_bins), *tm = float_rows(t->time, t->n_bins, t->n_topics);
        PyObject *gl = str_list(t->group_label, t->n_groups), *gm = float_rows(t->group, t->n_groups, t->n_topics);
        PyObject *ch = PyList_New(t->n_bins ? t->n_topics : 0);
        for (uint32_t k = 0; ch && t->n_bins && k < t->n_topics; k++) PyList_SET_ITEM(ch, k, PyFloat_FromDouble(t->change[k]));
        if (bl && tm && gl && gm && ch)
            res = Py_BuildValue("{s:O,s:O,s:O,s:O,s:O,s:K,s:K,s:K,s:K}", "bins", bl, "time", tm, "change", ch,
                                "groups", gl, "group", gm, "n_docs", (unsigned long long)t->n_docs, "n_empty",
                                (unsigned long long)t->n_empty, "n_undated", (unsigned long long)t->n_undated,
                                "n_bad_date", (unsigned long long)t->n_bad_date);
        Py_XDECREF(bl);
        Py_XDECREF(tm);
        Py_XDECREF(gl);
        Py_XDECREF(gm);
        Py_XDECREF(ch);
    }
    saetm_trends_free(t);
    saetm_modeldir_free(md);
    return res;
}

static PyObject *py_report(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"model", "path", "title", "top_words", "top_docs", NULL};
    const char *model, *path, *title = NULL;
    saetm_report_opts ro;
    saetm_report_opts_default(&ro);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "ss|zII", names, &model, &path, &title, &ro.top_words, &ro.top_docs))
        return NULL;
    ro.title = title;
    call c;
    if (call_begin(&c, 0, NULL, NULL) < 0) return NULL;
    saetm_modeldir *md = NULL;
    saetm_status st;
    Py_BEGIN_ALLOW_THREADS
    st = saetm_modeldir_open(c.ctx, model, &md);
    if (!st) st = saetm_report_write(c.ctx, md, &ro, path);
    Py_END_ALLOW_THREADS
    saetm_modeldir_free(md);
    if (call_end(&c, st) < 0) return NULL;
    Py_RETURN_NONE;
}

/* For the tests of zero copy: the address the library would read obj's rows from. */
static PyObject *py_buffer_address(PyObject *self, PyObject *obj)
{
    (void)self;
    Py_buffer view;
    saetm_matrix m;
    if (matrix_view(obj, &view, &m) < 0) return NULL;
    PyObject *r = PyLong_FromVoidPtr(m.data);
    PyBuffer_Release(&view);
    return r;
}

static PyObject *py_version(PyObject *self, PyObject *args)
{
    (void)self, (void)args;
    return PyUnicode_FromString(saetm_version());
}

static PyMethodDef methods[] = {
    {"fit", (PyCFunction)(void (*)(void))py_fit, METH_VARARGS | METH_KEYWORDS,
     "fit(input, out, embeddings=None, k=20, seed=1, options=None, threads=0, progress=None, log=None) -> dict: "
     "saetm_fit into the model directory out."},
    {"transform", (PyCFunction)(void (*)(void))py_transform, METH_VARARGS | METH_KEYWORDS,
     "transform(model, embeddings=None, input=None, threads=0, progress=None, log=None) -> Matrix: "
     "saetm_model_transform."},
    {"topics", (PyCFunction)(void (*)(void))py_topics, METH_VARARGS | METH_KEYWORDS,
     "topics(model, out, k, seed=1, options=None, threads=0, progress=None, log=None) -> dict or None: "
     "saetm_model_topics with the model's options as defaults."},
    {"topic_words", py_topic_words, METH_VARARGS, "topic_words(topics_json) -> (words, probs)"},
    {"vocabulary", py_vocabulary, METH_VARARGS, "vocabulary(corpus_stc) -> list of str"},
    {"evaluate", (PyCFunction)(void (*)(void))py_evaluate, METH_VARARGS | METH_KEYWORDS,
     "evaluate(model, topics, reference, top_n=10, diversity_n=25, missing='floor', npmi_eps=0, threads=0) -> dict"},
    {"trends", (PyCFunction)(void (*)(void))py_trends, METH_VARARGS | METH_KEYWORDS,
     "trends(model, bin='year', n_bins=10, out=None) -> dict"},
    {"report", (PyCFunction)(void (*)(void))py_report, METH_VARARGS | METH_KEYWORDS,
     "report(model, path, title=None, top_words=10, top_docs=3)"},
    {"version", py_version, METH_NOARGS, "the library's version"},
    {"buffer_address", py_buffer_address, METH_O, "buffer_address(array) -> the address libsaetm reads (no copy)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "saetm._core", "libsaetm bindings (see saetm/__init__.py)",
                                    -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__core(void)
{
    if (PyType_Ready(&MatrixType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    SaetmError = PyErr_NewExceptionWithDoc("saetm.SaetmError",
                                           "An error returned by libsaetm: args = (message, status code).", NULL, NULL);
    PyObject *bases = SaetmError ? PyTuple_Pack(2, SaetmError, PyExc_ValueError) : NULL;
    SaetmInputError = bases ? PyErr_NewExceptionWithDoc("saetm.SaetmInputError",
                                                        "A bad argument, shape or value (SAETM_ERR_ARG, _SHAPE, _INPUT).",
                                                        bases, NULL)
                            : NULL;
    Py_XDECREF(bases);
    if (!SaetmInputError || PyModule_AddObjectRef(m, "SaetmError", SaetmError) < 0 ||
        PyModule_AddObjectRef(m, "SaetmInputError", SaetmInputError) < 0 ||
        PyModule_AddObjectRef(m, "Matrix", (PyObject *)&MatrixType) < 0 ||
        PyModule_AddIntConstant(m, "ERR_INTERRUPTED", SAETM_ERR_INTERRUPTED) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
