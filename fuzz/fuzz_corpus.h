/*
 * fuzz_corpus.h - shared by the corpus harnesses: build a corpus from fuzzed bytes in a given
 * input format, and check every promise of the corpus API on what was built or loaded.
 */
#ifndef SAETM_FUZZ_CORPUS_H
#define SAETM_FUZZ_CORPUS_H

#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Abort (a finding) if an accepted corpus breaks what saetm.h promises. */
static inline void fuzz_check_corpus(const saetm_corpus *c)
{
    uint64_t n = saetm_corpus_num_docs(c);
    uint32_t v = saetm_corpus_vocab_size(c);
    const uint64_t *rp = saetm_corpus_row_ptr(c);
    const uint32_t *ids = saetm_corpus_word_ids(c);
    const uint32_t *cnt = saetm_corpus_counts(c);
    FUZZ_REQUIRE(rp[0] == 0);
    for (uint32_t w = 0; w < v; w++) {
        const char *s = saetm_corpus_word(c, w);
        FUZZ_REQUIRE(s != NULL);
        fuzz_touch(s, strlen(s));
        FUZZ_REQUIRE(saetm_corpus_df(c, w) >= 1 && saetm_corpus_df(c, w) <= n);
    }
    for (uint64_t d = 0; d < n; d++) {
        FUZZ_REQUIRE(rp[d + 1] >= rp[d]);
        for (uint64_t j = rp[d]; j < rp[d + 1]; j++)
            FUZZ_REQUIRE(ids[j] < v && cnt[j] > 0 && (j == rp[d] || ids[j] > ids[j - 1]));
        FUZZ_REQUIRE(!saetm_corpus_doc_empty(c, d) == (rp[d + 1] > rp[d]));
        const char *s = saetm_corpus_doc_id(c, d);
        FUZZ_REQUIRE(s != NULL);
        fuzz_touch(s, strlen(s));
        s = saetm_corpus_doc_snippet(c, d);
        FUZZ_REQUIRE(s != NULL);
        fuzz_touch(s, strlen(s));
        if ((s = saetm_corpus_doc_date(c, d)) != NULL) fuzz_touch(s, strlen(s));
        if ((s = saetm_corpus_doc_group(c, d)) != NULL) fuzz_touch(s, strlen(s));
    }
}

/* The reader's promises on one document. */
static inline void fuzz_check_doc(const saetm_doc *d)
{
    FUZZ_REQUIRE(d->text && d->id && strlen(d->text) == d->text_len);
    fuzz_touch(d->id, strlen(d->id));
    if (d->date) fuzz_touch(d->date, strlen(d->date));
    if (d->group) fuzz_touch(d->group, strlen(d->group));
}

/* Scratch directory for the corpus builder's temporary files. */
static inline const char *fuzz_tmp_dir(void)
{
    static char dir[256];
    if (!dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/saetm-fuzz-tmp", t && t[0] ? t : "/tmp");
        mkdir(dir, 0700);
    }
    return dir;
}

/* First byte: options (bit 0 skip_bad, bits 1-2 preprocessing, bit 3 metadata fields, bit 4 build
 * a whole corpus besides reading the documents); the rest is the file. */
static inline int fuzz_corpus_build(const uint8_t *data, size_t size, saetm_input_format format)
{
    if (size < 1) return 0;
    saetm_ctx *ctx = fuzz_ctx();
    saetm_corpus_opts o;
    saetm_corpus_opts_default(&o);
    o.format = format;
    o.skip_bad = data[0] & 1;
    o.preprocess = (saetm_preprocess)((data[0] >> 1) % 3);
    o.min_df = 1;
    o.max_df = 1.0;
    o.tmp_dir = fuzz_tmp_dir();
    if (data[0] & 8) {
        o.id_field = "id";
        o.date_field = "date";
        o.group_field = "group";
    }
    const char *path = fuzz_file(0, data + 1, size - 1);
    saetm_docreader *r = NULL;
    if (saetm_docreader_open(ctx, path, &o, &r) == SAETM_OK) {
        saetm_doc doc;
        int got = 0;
        while (saetm_docreader_next(ctx, r, &doc, &got) == SAETM_OK && got) fuzz_check_doc(&doc);
        saetm_docreader_close(r);
    }
    if (data[0] & 16) {
        saetm_corpus *c = NULL;
        if (saetm_corpus_build(ctx, path, &o, &c) == SAETM_OK) {
            fuzz_check_corpus(c);
            saetm_corpus_free(c);
        }
    }
    return 0;
}

#endif
