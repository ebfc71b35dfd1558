/*
 * eval_corpus.c - saetm_eval_topics: the evaluation core (eval.c) on a saetm_corpus, and the
 * reference corpora it scores against (a corpus file, or raw documents built into a corpus).
 * Kept apart from eval.c so that programs using only the core do not need the corpus module.
 */
#include "saetm_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

saetm_status saetm_eval_topics(saetm_ctx *ctx, const saetm_corpus *c, uint32_t n_topics, const char *const *words,
                               const uint64_t *word_start, const saetm_eval_opts *opts, saetm_eval_result **out)
{
    *out = NULL;
    if (!c || !word_start || (!words && word_start[n_topics] > 0))
        return saetm__fail(ctx, SAETM_ERR_ARG, "saetm_eval_topics: corpus, words and word_start are required");
    uint32_t nv = saetm_corpus_vocab_size(c);
    const char **vocab = malloc(((size_t)nv + 1) * sizeof *vocab);
    if (!vocab) return saetm__fail(ctx, SAETM_ERR_NOMEM, "eval: out of memory (vocabulary of %u words)", nv);
    for (uint32_t v = 0; v < nv; v++) vocab[v] = saetm_corpus_word(c, v);
    saetm__eval_ref ref = {saetm_corpus_num_docs(c), saetm_corpus_row_ptr(c), saetm_corpus_word_ids(c), nv, vocab};
    saetm_status st = saetm__eval_run(ctx, &ref, n_topics, words, word_start, opts, out);
    free(vocab);
    return st;
}

/* ======================================================================
 * Reference corpora
 * ==================================================================== */

void saetm_eval_reference_opts_default(saetm_corpus_opts *opts)
{
    saetm_corpus_opts_default(opts);
    opts->min_df = 1;
    opts->max_df = 1.0;
    opts->max_vocab = 0;
}

saetm_status saetm_eval_reference_open(saetm_ctx *ctx, const char *path, const saetm_corpus_opts *opts,
                                       saetm_corpus **out, int *built)
{
    *out = NULL;
    if (built) *built = 0;
    if (!path) return saetm__fail(ctx, SAETM_ERR_ARG, "saetm_eval_reference_open: no path");
    saetm_corpus_opts def;
    if (!opts) {
        saetm_eval_reference_opts_default(&def);
        opts = &def;
    }
    /* A regular file starting with a saetm magic is a saetm file: loaded as a corpus, which names
     * the kind of any other saetm file. Everything else (a directory, text, gzip) is documents. */
    struct stat sb;
    if (stat(path, &sb) != 0)
        return saetm__fail(ctx, SAETM_ERR_IO, "%s: cannot open the reference: %s", path, strerror(errno));
    char magic[8] = {0};
    if (S_ISREG(sb.st_mode)) {
        FILE *f = fopen(path, "rb");
        if (!f) return saetm__fail(ctx, SAETM_ERR_IO, "%s: cannot open the reference: %s", path, strerror(errno));
        size_t got = fread(magic, 1, sizeof magic, f);
        fclose(f);
        if (got == sizeof magic && memcmp(magic, SAETM__MAGIC_PREFIX, 5) == 0)
            return saetm_corpus_load(ctx, path, out);
    }
    saetm_status st = saetm_corpus_build(ctx, path, opts, out);
    if (!st && built) *built = 1;
    return st;
}
