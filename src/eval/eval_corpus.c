/*
 * eval_corpus.c - saetm_eval_topics: the evaluation core (eval.c) on a saetm_corpus.
 * Kept apart from eval.c so that programs using only the core do not need the corpus module.
 */
#include "saetm_int.h"

#include <stdlib.h>

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
