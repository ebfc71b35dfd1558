/*
 * test_corpus.c - corpus ingestion: CSV and JSONL edge cases, UTF-8 normalisation and case
 * folding, lemmatisation spot checks, vocabulary limits and order, empty documents, gzip and
 * directory input, save -> load -> identical bytes, determinism, and every bad-input message.
 */
#include "saetm.h"
#include "corpus/corpus_int.h"
#include "test.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* ---- helpers ------------------------------------------------------------------------------- */

static const char *tmp_path(const char *name)
{
    static char buf[8][4096];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, 4096, "%s/%s", test_tmpdir(), name);
    return p;
}

static const char *write_file(const char *name, const char *data, size_t len)
{
    const char *p = tmp_path(name);
    FILE *f = fopen(p, "wb");
    if (!f) return p;
    fwrite(data, 1, len, f);
    fclose(f);
    return p;
}

static const char *write_str(const char *name, const char *data) { return write_file(name, data, strlen(data)); }

static const char *write_gz(const char *name, const char *data)
{
    const char *p = tmp_path(name);
    gzFile g = gzopen(p, "wb");
    if (g) {
        gzwrite(g, data, (unsigned)strlen(data));
        gzclose(g);
    }
    return p;
}

/* Options that keep every word (no document-frequency limits). */
static saetm_corpus_opts keep_all(saetm_preprocess mode)
{
    saetm_corpus_opts o;
    saetm_corpus_opts_default(&o);
    o.preprocess = mode;
    o.min_df = 1;
    o.max_df = 1.0;
    o.max_vocab = 0;
    o.tmp_dir = test_tmpdir();
    return o;
}

static saetm_corpus *build(saetm_ctx *ctx, const char *path, const saetm_corpus_opts *o)
{
    saetm_corpus *c = NULL;
    saetm_status st = saetm_corpus_build(ctx, path, o, &c);
    if (st) fprintf(stderr, "build %s: %s\n", path, saetm_ctx_errmsg(ctx));
    return c;
}

/* Count of `word` in document d (0 if absent or not in the vocabulary). */
static uint32_t count_of(const saetm_corpus *c, uint64_t d, const char *word)
{
    uint32_t w = saetm_corpus_word_id(c, word);
    if (w == UINT32_MAX) return 0;
    const uint64_t *rp = saetm_corpus_row_ptr(c);
    for (uint64_t j = rp[d]; j < rp[d + 1]; j++)
        if (saetm_corpus_word_ids(c)[j] == w) return saetm_corpus_counts(c)[j];
    return 0;
}

static uint64_t doc_len(const saetm_corpus *c, uint64_t d)
{
    const uint64_t *rp = saetm_corpus_row_ptr(c);
    uint64_t n = 0;
    for (uint64_t j = rp[d]; j < rp[d + 1]; j++) n += saetm_corpus_counts(c)[j];
    return n;
}

static int str_eq(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

static int files_equal(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int eq = fa && fb;
    while (eq) {
        int x = fgetc(fa), y = fgetc(fb);
        if (x != y) eq = 0;
        if (x == EOF || y == EOF) break;
    }
    if (fa) fclose(fa);
    if (fb) fclose(fb);
    return eq;
}

/* ---- CSV ----------------------------------------------------------------------------------- */

static void test_csv_edge_cases(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    const char *csv = "\xEF\xBB\xBF" /* byte order mark */
                      "id,text,year,party\r\n"
                      "a1,\"hello, world\",1790,fed\r\n"
                      "\r\n" /* blank line: skipped */
                      "a2,\"line one\nline two \"\"quoted\"\"\",,\r\n"
                      "a3,plain text,1801,\"\"\n"
                      "a4,\"\",1802,dem"; /* no final newline; empty quoted text */
    const char *p = write_str("edge.csv", csv);
    saetm_corpus_opts o = keep_all(SAETM_PREPROCESS_NONE);
    o.id_field = "id";
    o.date_field = "year";
    o.group_field = "party";
    /* The reader gives the raw fields. */
    saetm_docreader *r = NULL;
    CHECK(saetm_docreader_open(ctx, p, &o, &r) == SAETM_OK);
    saetm_doc d;
    int got;
    CHECK(r && saetm_docreader_next(ctx, r, &d, &got) == SAETM_OK && got);
    CHECK(str_eq(d.text, "hello, world") && str_eq(d.id, "a1") && str_eq(d.date, "1790") && str_eq(d.group, "fed"));
    CHECK_EQ_INT(d.line, 2);
    CHECK(saetm_docreader_next(ctx, r, &d, &got) == SAETM_OK && got);
    CHECK(str_eq(d.text, "line one\nline two \"quoted\""));
    CHECK(d.date == NULL && d.group == NULL); /* empty cells: no value */
    CHECK_EQ_INT(d.line, 4);
    CHECK(saetm_docreader_next(ctx, r, &d, &got) == SAETM_OK && got);
    CHECK(str_eq(d.text, "plain text") && str_eq(d.id, "a3") && d.group == NULL);
    CHECK_EQ_INT(d.line, 6);
    CHECK(saetm_docreader_next(ctx, r, &d, &got) == SAETM_OK && got);
    CHECK(str_eq(d.text, "") && d.text_len == 0 && str_eq(d.group, "dem"));
    CHECK(saetm_docreader_next(ctx, r, &d, &got) == SAETM_OK && !got);
    saetm_docreader_close(r);

    saetm_corpus *c = build(ctx, p, &o);
    CHECK(c != NULL);
    if (c) {
        CHECK_EQ_INT(saetm_corpus_num_docs(c), 4);
        CHECK(str_eq(saetm_corpus_doc_id(c, 1), "a2"));
        CHECK(str_eq(saetm_corpus_doc_date(c, 2), "1801"));
        CHECK(saetm_corpus_doc_date(c, 1) == NULL);
        CHECK(str_eq(saetm_corpus_doc_group(c, 3), "dem"));
        CHECK_EQ_INT(count_of(c, 0, "hello,"), 1);
        CHECK_EQ_INT(count_of(c, 1, "\"quoted\""), 1);
        CHECK(str_eq(saetm_corpus_doc_snippet(c, 1), "line one line two \"quoted\""));
        CHECK(saetm_corpus_doc_empty(c, 3));
        CHECK_EQ_INT(saetm_corpus_num_empty(c), 1);
        saetm_corpus_free(c);
    }
    /* Header names are matched exactly; the text column may be anywhere. */
    p = write_str("cols.csv", "body,title\nsome words here,ignored\n");
    o = keep_all(SAETM_PREPROCESS_NONE);
    o.text_field = "body";
    c = build(ctx, p, &o);
    CHECK(c && saetm_corpus_vocab_size(c) == 3 && count_of(c, 0, "words") == 1);
    saetm_corpus_free(c);
    saetm_ctx_free(ctx);
}

/* ---- JSONL --------------------------------------------------------------------------------- */

static void test_jsonl_edge_cases(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    const char *js = "{\"id\": 7, \"text\": \"caf\\u00e9 na\\u00efve\", \"date\": 1790, \"g\": \"x\"}\n"
                     "   \n" /* blank: skipped */
                     "{\"text\": \"second one\", \"id\": \"b\", \"date\": null, \"extra\": [1, 2, {\"a\": 3}]}\r\n"
                     "{\"id\": \"c\", \"text\": \"third\", \"date\": 17.5, \"g\": 3}";
    const char *p = write_str("edge.jsonl", js);
    saetm_corpus_opts o = keep_all(SAETM_PREPROCESS_BASIC);
    o.id_field = "id";
    o.date_field = "date";
    o.group_field = "g";
    saetm_corpus *c = build(ctx, p, &o);
    CHECK(c != NULL);
    if (c) {
        CHECK_EQ_INT(saetm_corpus_num_docs(c), 3);
        CHECK(str_eq(saetm_corpus_doc_id(c, 0), "7"));
        CHECK(str_eq(saetm_corpus_doc_date(c, 0), "1790")); /* a number, stored as text */
        CHECK(saetm_corpus_doc_date(c, 1) == NULL);          /* null: no date */
        CHECK(str_eq(saetm_corpus_doc_date(c, 2), "17.5"));
        CHECK(saetm_corpus_doc_group(c, 1) == NULL);         /* missing: no group */
        CHECK(str_eq(saetm_corpus_doc_group(c, 2), "3"));
        CHECK_EQ_INT(count_of(c, 0, "café"), 1);
        CHECK_EQ_INT(count_of(c, 0, "naïve"), 1);
        CHECK_EQ_INT(count_of(c, 1, "second"), 1);
        CHECK(str_eq(saetm_corpus_doc_snippet(c, 0), "café naïve"));
        saetm_corpus_free(c);
    }
    /* Without an id field the id is the line number. */
    o.id_field = NULL;
    c = build(ctx, p, &o);
    CHECK(c && str_eq(saetm_corpus_doc_id(c, 0), "1") && str_eq(saetm_corpus_doc_id(c, 1), "3") &&
          str_eq(saetm_corpus_doc_id(c, 2), "4"));
    saetm_corpus_free(c);
    saetm_ctx_free(ctx);
}

/* ---- UTF-8 and normalisation --------------------------------------------------------------- */

static void test_unicode(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    /* Case folding (ß -> ss), NFKC (ligature, full-width, composed accents), ignorable soft hyphen,
     * letters only (digits and punctuation split), minimum length 3. */
    const char *text = "Straße STRASSE strasse\n"
                       "Cafe\xCC\x81 CAFÉ café\n"
                       "\xEF\xAC\x81nance FINANCE\n"
                       "\xEF\xBC\xA1\xEF\xBC\xA2\xEF\xBC\xA3\xEF\xBC\xA4 abcd\n"
                       "co\xC2\xADoperate cooperate\n"
                       "it's x1y2z3 ab abc d'abc 1790s Ελλάδα ΕΛΛΆΔΑ\n";
    const char *p = write_str("unicode.txt", text);
    saetm_corpus_opts o = keep_all(SAETM_PREPROCESS_BASIC);
    saetm_corpus *c = build(ctx, p, &o);
    CHECK(c != NULL);
    if (c) {
        CHECK_EQ_INT(saetm_corpus_num_docs(c), 6);
        CHECK_EQ_INT(count_of(c, 0, "strasse"), 3);
        CHECK_EQ_INT(doc_len(c, 0), 3);
        CHECK_EQ_INT(count_of(c, 1, "café"), 3);
        CHECK_EQ_INT(count_of(c, 2, "finance"), 2);
        CHECK_EQ_INT(count_of(c, 3, "abcd"), 2);
        CHECK_EQ_INT(count_of(c, 4, "cooperate"), 2);
        CHECK_EQ_INT(count_of(c, 5, "abc"), 2); /* "d'abc" splits at the apostrophe */
        CHECK_EQ_INT(count_of(c, 5, "ελλάδα"), 2);
        CHECK_EQ_INT(doc_len(c, 5), 4);         /* it, s, x, y, z, ab, d, s are too short */
        saetm_corpus_free(c);
    }
    /* The raw UTF-8 check: overlong forms, surrogates, truncated sequences, stray continuation
     * bytes and NUL are refused; everything else passes. */
    CHECK(saetm__utf8_check("plain ascii", 11) < 0);
    CHECK(saetm__utf8_check("caf\xC3\xA9 \xF0\x9F\x98\x80", 10) < 0);
    CHECK_EQ_INT(saetm__utf8_check("ab\xC0\xAF", 4), 2);         /* overlong '/' */
    CHECK_EQ_INT(saetm__utf8_check("a\xED\xA0\x80z", 5), 1);     /* UTF-16 surrogate */
    CHECK_EQ_INT(saetm__utf8_check("abc\xE2\x82", 5), 3);        /* cut short */
    CHECK_EQ_INT(saetm__utf8_check("\x80zzzzzzzzzz", 11), 0);   /* stray continuation */
    CHECK_EQ_INT(saetm__utf8_check("abcdefghij\xFF", 11), 10);
    CHECK_EQ_INT(saetm__utf8_check("abcdefgh\0ij", 11), 8);      /* NUL inside text */
    saetm_ctx_free(ctx);
}

/* ---- lemmatisation ------------------------------------------------------------------------- */

static void test_lemmas(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    CHECK(saetm__wordnet_open(ctx) == SAETM_OK);
    static const char *const cases[][2] = {
        {"children", "child"}, {"geese", "goose"},     {"mice", "mouse"},       {"women", "woman"},
        {"years", "year"},     {"nations", "nation"},  {"analyses", "analysis"}, {"lives", "life"},
        {"running", "running"}, /* a noun of its own: nouns are kept as they are */
        {"housing", "housing"}, {"gas", "gas"},        /* not "ga": base forms need 3 letters */
        {"united", "unite"},   {"increased", "increase"}, {"largest", "large"}, {"better", "better"},
        {"economic", "economic"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[256] = "";
        int known = saetm__lemma(cases[i][0], strlen(cases[i][0]), out, sizeof out);
        if (!known || strcmp(out, cases[i][1]) != 0)
            fprintf(stderr, "lemma(%s) = %s, want %s\n", cases[i][0], known ? out : "(unknown)", cases[i][1]);
        CHECK(known && strcmp(out, cases[i][1]) == 0);
    }
    char out[256];
    CHECK(!saetm__lemma("xyzzyq", 6, out, sizeof out)); /* WordNet does not know it */
    CHECK(!saetm__lemma("washington's", 12, out, sizeof out));
    CHECK(!saetm__lemma("caf\xC3\xA9", 5, out, sizeof out));

    /* Through the pipeline: stopwords go, lemmas merge, unknown words go. */
    const char *p = write_str("lemma.txt", "The children were running with the geese and a child\n"
                                           "Xyzzyq qwzx blorft\n");
    saetm_corpus_opts o = keep_all(SAETM_PREPROCESS_FULL);
    saetm_corpus *c = build(ctx, p, &o);
    CHECK(c != NULL);
    if (c) {
        CHECK_EQ_INT(count_of(c, 0, "child"), 2);
        CHECK_EQ_INT(count_of(c, 0, "goose"), 1);
        CHECK_EQ_INT(count_of(c, 0, "running"), 1);
        CHECK_EQ_INT(doc_len(c, 0), 4);
        CHECK(saetm_corpus_doc_empty(c, 1)); /* nothing WordNet knows: empty but kept */
        CHECK_EQ_INT(saetm_corpus_num_docs(c), 2);
        saetm_corpus_free(c);
    }
    saetm_ctx_free(ctx);
}

/* ---- vocabulary limits --------------------------------------------------------------------- */

static void test_vocabulary(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    /* Document frequencies: a 10, b 8, c 5, d 5, e 5, f 2, g 1 over 10 documents. */
    char text[2048] = "";
    for (int d = 0; d < 10; d++) {
        strcat(text, "a");
        if (d < 8) strcat(text, " b b");
        if (d < 5) strcat(text, " e d c");
        if (d < 2) strcat(text, " f");
        if (d == 0) strcat(text, " g");
        strcat(text, "\n");
    }
    const char *p = write_str("vocab.txt", text);
    saetm_corpus_opts o = keep_all(SAETM_PREPROCESS_NONE);
    saetm_corpus *c = build(ctx, p, &o);
    CHECK(c && saetm_corpus_vocab_size(c) == 7);
    if (c) {
        /* By document frequency, ties by bytes. */
        static const char *const order[] = {"a", "b", "c", "d", "e", "f", "g"};
        static const uint32_t df[] = {10, 8, 5, 5, 5, 2, 1};
        for (uint32_t w = 0; w < 7; w++) {
            CHECK(str_eq(saetm_corpus_word(c, w), order[w]));
            CHECK_EQ_INT(saetm_corpus_df(c, w), df[w]);
        }
        CHECK_EQ_INT(count_of(c, 0, "b"), 2);
        CHECK_EQ_INT(saetm_corpus_num_tokens(c), 10 + 16 + 15 + 2 + 1);
        /* The bag-of-words view and the word array are the corpus's own arrays and words. */
        saetm_bow bow;
        saetm_corpus_bow(c, &bow);
        CHECK(bow.rows == 10 && bow.vocab_size == 7 && bow.row_ptr == saetm_corpus_row_ptr(c) &&
              bow.word_ids == saetm_corpus_word_ids(c) && bow.counts == saetm_corpus_counts(c));
        const char **words = saetm_corpus_words(c);
        CHECK(words != NULL);
        for (uint32_t w = 0; words && w < 7; w++) CHECK(words[w] == saetm_corpus_word(c, w));
        free(words);
        saetm_corpus_free(c);
    }
    o.min_df = 2; /* drops g */
    o.max_df = 0.8; /* drops a (10 > 8) */
    c = build(ctx, p, &o);
    CHECK(c && saetm_corpus_vocab_size(c) == 5 && str_eq(saetm_corpus_word(c, 0), "b") &&
          saetm_corpus_word_id(c, "g") == UINT32_MAX && saetm_corpus_word_id(c, "a") == UINT32_MAX);
    saetm_corpus_free(c);
    o.max_df = 7; /* a count: drops a and b */
    o.max_vocab = 2; /* then the two most frequent of c, d, e, f: c and d (tie broken by bytes) */
    c = build(ctx, p, &o);
    CHECK(c && saetm_corpus_vocab_size(c) == 2 && str_eq(saetm_corpus_word(c, 0), "c") &&
          str_eq(saetm_corpus_word(c, 1), "d"));
    if (c) {
        /* Documents 5..9 now hold no vocabulary word: kept, flagged empty. */
        CHECK_EQ_INT(saetm_corpus_num_docs(c), 10);
        CHECK_EQ_INT(saetm_corpus_num_empty(c), 5);
        CHECK(!saetm_corpus_doc_empty(c, 4) && saetm_corpus_doc_empty(c, 5) && saetm_corpus_doc_empty(c, 9));
    }
    saetm_corpus_free(c);
    /* min_df above every frequency: an empty vocabulary is still a valid corpus. */
    o = keep_all(SAETM_PREPROCESS_NONE);
    o.min_df = 11;
    c = build(ctx, p, &o);
    CHECK(c && saetm_corpus_vocab_size(c) == 0 && saetm_corpus_num_empty(c) == 10);
    if (c) {
        const char **none = saetm_corpus_words(c); /* an empty vocabulary: still an array to free */
        CHECK(none != NULL);
        free(none);
    }
    saetm_corpus_free(c);
    saetm_ctx_free(ctx);
}

/* ---- empty documents, text format ---------------------------------------------------------- */

static void test_empty_documents(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    const char *p = write_str("empty.txt", "budget deficit tax\n\nthe and of\nbudget tax\n   \n");
    saetm_corpus_opts o = keep_all(SAETM_PREPROCESS_BASIC);
    saetm_corpus *c = build(ctx, p, &o);
    CHECK(c != NULL);
    if (c) {
        CHECK_EQ_INT(saetm_corpus_num_docs(c), 5); /* one document per line, empty ones too */
        CHECK(!saetm_corpus_doc_empty(c, 0) && saetm_corpus_doc_empty(c, 1) && saetm_corpus_doc_empty(c, 2) &&
              !saetm_corpus_doc_empty(c, 3) && saetm_corpus_doc_empty(c, 4));
        CHECK(str_eq(saetm_corpus_doc_id(c, 2), "3"));
        CHECK(str_eq(saetm_corpus_doc_snippet(c, 2), "the and of"));
        CHECK(str_eq(saetm_corpus_doc_snippet(c, 4), ""));
        const uint64_t *rp = saetm_corpus_row_ptr(c);
        CHECK(rp[1] == rp[2] && rp[2] == rp[3]);
        saetm_corpus_free(c);
    }
    saetm_ctx_free(ctx);
}

/* ---- gzip and directories ------------------------------------------------------------------ */

static void test_gzip_and_dir(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    const char *js = "{\"text\": \"alpha beta gamma\"}\n{\"text\": \"beta gamma delta\"}\n";
    const char *plain = write_str("g.jsonl", js);
    const char *gz = write_gz("g.jsonl.gz", js);
    saetm_corpus_opts o = keep_all(SAETM_PREPROCESS_BASIC);
    saetm_corpus *a = build(ctx, plain, &o), *b = build(ctx, gz, &o);
    CHECK(a && b);
    if (a && b) {
        CHECK_EQ_INT(saetm_corpus_num_docs(b), 2);
        CHECK_EQ_INT(saetm_corpus_vocab_size(a), saetm_corpus_vocab_size(b));
        for (uint32_t w = 0; w < saetm_corpus_vocab_size(a); w++) CHECK(str_eq(saetm_corpus_word(a, w), saetm_corpus_word(b, w)));
        CHECK(memcmp(saetm_corpus_counts(a), saetm_corpus_counts(b), 6 * sizeof(uint32_t)) == 0);
    }
    saetm_corpus_free(a);
    saetm_corpus_free(b);

    /* A directory tree: .txt and .txt.gz files, sorted by path; other and hidden files ignored. */
    const char *dir = tmp_path("docs");
    char sub[4096];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    mkdir(dir, 0755);
    mkdir(sub, 0755);
    write_str("docs/b.txt", "second document here\nwith two lines\n");
    write_str("docs/a.txt", "first document\n");
    write_gz("docs/sub/c.txt.gz", "third document compressed\n");
    write_str("docs/notes.md", "not a document\n");
    write_str("docs/.hidden.txt", "hidden\n");
    write_str("docs/empty.txt", "");
    saetm_corpus *c = build(ctx, dir, &o);
    CHECK(c != NULL);
    if (c) {
        CHECK_EQ_INT(saetm_corpus_num_docs(c), 4);
        CHECK(str_eq(saetm_corpus_doc_id(c, 0), "a.txt"));
        CHECK(str_eq(saetm_corpus_doc_id(c, 1), "b.txt"));
        CHECK(str_eq(saetm_corpus_doc_id(c, 2), "empty.txt"));
        CHECK(str_eq(saetm_corpus_doc_id(c, 3), "sub/c.txt.gz"));
        CHECK(saetm_corpus_doc_empty(c, 2));
        CHECK_EQ_INT(count_of(c, 1, "lines"), 1);
        CHECK_EQ_INT(count_of(c, 3, "compressed"), 1);
        CHECK(str_eq(saetm_corpus_doc_snippet(c, 1), "second document here with two lines"));
        CHECK(saetm_corpus_word_id(c, "hidden") == UINT32_MAX);
        saetm_corpus_free(c);
    }
    saetm_ctx_free(ctx);
}

/* ---- files: round trip, determinism, corruption -------------------------------------------- */

static void test_round_trip(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    const char *js = "{\"id\": \"x\", \"text\": \"The economy grew and taxes fell.\", \"year\": 2001}\n"
                     "{\"id\": \"y\", \"text\": \"Taxes rose; the economy shrank.\", \"year\": 2002, \"p\": \"r\"}\n"
                     "{\"id\": \"z\", \"text\": \"\", \"p\": \"d\"}\n";
    const char *in = write_str("rt.jsonl", js);
    saetm_corpus_opts o = keep_all(SAETM_PREPROCESS_FULL);
    o.id_field = "id";
    o.date_field = "year";
    o.group_field = "p";
    const char *f1 = tmp_path("rt1.stc"), *f2 = tmp_path("rt2.stc"), *f3 = tmp_path("rt3.stc");
    saetm_corpus_stats s;
    CHECK(saetm_corpus_build_file(ctx, in, &o, f1, &s) == SAETM_OK);
    CHECK_EQ_INT(s.docs, 3);
    CHECK_EQ_INT(s.empty_docs, 1);
    CHECK(saetm_corpus_build_file(ctx, in, &o, f2, NULL) == SAETM_OK);
    CHECK(files_equal(f1, f2)); /* same input and options: same bytes */
    saetm_corpus *c = NULL;
    CHECK(saetm_corpus_load(ctx, f1, &c) == SAETM_OK);
    if (c) {
        CHECK_EQ_INT(saetm_corpus_vocab_size(c), s.vocab_size);
        CHECK_EQ_INT(saetm_corpus_num_tokens(c), s.tokens);
        CHECK(saetm_corpus_word_id(c, "tax") != UINT32_MAX && saetm_corpus_word_id(c, "economy") != UINT32_MAX);
        CHECK(str_eq(saetm_corpus_doc_group(c, 1), "r") && saetm_corpus_doc_group(c, 0) == NULL);
        CHECK(saetm_corpus_doc_date(c, 2) == NULL);
        CHECK_CONTAINS(saetm_corpus_info_json(c), "\"preprocess\":\"full\"");
        CHECK(saetm_corpus_save(ctx, c, f3) == SAETM_OK);
        CHECK(files_equal(f1, f3)); /* save -> load -> identical bytes */
        saetm_corpus_free(c);
    }
    /* A flipped byte is caught by the checksums. */
    FILE *f = fopen(f3, "r+b");
    if (f) {
        fseek(f, 200, SEEK_SET);
        int ch = fgetc(f);
        fseek(f, 200, SEEK_SET);
        fputc(ch ^ 0x40, f);
        fclose(f);
    }
    c = NULL;
    CHECK(saetm_corpus_load(ctx, f3, &c) != SAETM_OK && c == NULL);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "rt3.stc");
    saetm_corpus_free(NULL);
    saetm_ctx_free(ctx);
}

/* ---- bad input ----------------------------------------------------------------------------- */

/* Build from `content` written to `name`; expect status `want` and a message containing each of
 * the NULL-terminated needles. */
static void expect_bad(const char *name, const char *content, size_t len, const saetm_corpus_opts *o,
                       saetm_status want, const char *n1, const char *n2)
{
    saetm_ctx *ctx = saetm_ctx_create();
    const char *p = content ? write_file(name, content, len) : tmp_path(name);
    saetm_corpus *c = NULL;
    saetm_status st = saetm_corpus_build(ctx, p, o, &c);
    if (st != want) fprintf(stderr, "%s: status %d, want %d (%s)\n", name, st, want, saetm_ctx_errmsg(ctx));
    CHECK(st == want && c == NULL);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), name);
    if (n1) CHECK_CONTAINS(saetm_ctx_errmsg(ctx), n1);
    if (n2) CHECK_CONTAINS(saetm_ctx_errmsg(ctx), n2);
    saetm_corpus_free(c);
    saetm_ctx_free(ctx);
}

#define BAD(name, s, o, st, n1, n2) expect_bad(name, s, sizeof(s) - 1, o, st, n1, n2)

static void test_bad_input(void)
{
    saetm_corpus_opts o = keep_all(SAETM_PREPROCESS_BASIC);
    BAD("u.jsonl", "{\"text\": \"ok\"}\n{\"text\": \"bad \xff byte\"}\n", &o, SAETM_ERR_INPUT, "u.jsonl:2: field 'text'",
        "invalid UTF-8");
    BAD("m.jsonl", "{\"text\": \"ok\"}\n{\"body\": \"x\"}\n", &o, SAETM_ERR_INPUT, "m.jsonl:2: field 'text'", "missing");
    BAD("t.jsonl", "{\"text\": 42}\n", &o, SAETM_ERR_INPUT, "t.jsonl:1: field 'text'", "must be a string, got a number");
    BAD("j.jsonl", "{\"text\": \"a\"}\n{\"text\": \"b\"\n", &o, SAETM_ERR_INPUT, "j.jsonl:2:", "invalid JSON");
    BAD("o.jsonl", "[\"text\"]\n", &o, SAETM_ERR_INPUT, "o.jsonl:1:", "expected a JSON object");
    BAD("x.jsonl", "{\"text\": \"a\"} junk\n", &o, SAETM_ERR_INPUT, "x.jsonl:1:", "unexpected text");
    BAD("e.jsonl", "", &o, SAETM_ERR_INPUT, "empty file", NULL);
    BAD("w.jsonl", "\n  \n", &o, SAETM_ERR_INPUT, "no documents", NULL);
    BAD("q.csv", "id,text\n1,\"fine\"\n2,\"never closed\nmore\n", &o, SAETM_ERR_INPUT, "q.csv:3: field 2",
        "unterminated quoted field");
    BAD("a.csv", "id,text\n1,\"closed\"x\n", &o, SAETM_ERR_INPUT, "a.csv:2: field 2", "after a closing quote");
    BAD("n.csv", "id,text\n1,two,three\n", &o, SAETM_ERR_INPUT, "n.csv:2:", "3 fields, the header row has 2");
    BAD("h.csv", "id,body\n1,x\n", &o, SAETM_ERR_INPUT, "h.csv:1: field 'text'", "header row has 'id', 'body'");
    BAD("v.csv", "id,text\n1,caf\xe9\n", &o, SAETM_ERR_INPUT, "v.csv:2: field 'text'", "invalid UTF-8");
    BAD("c.csv", "", &o, SAETM_ERR_INPUT, "empty file", NULL);
    BAD("l.txt", "fine\nalso fine\nbad \xc3 here\n", &o, SAETM_ERR_INPUT, "l.txt:3:", "invalid UTF-8 at column 5");
    BAD("z.txt", "nul \0 byte\n", &o, SAETM_ERR_INPUT, "z.txt:1:", "NUL byte");
    BAD("trunc.jsonl.gz", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xab\x56\x2a\x49\xad", &o, SAETM_ERR_IO, "read error",
        NULL);
    expect_bad("missing.jsonl", NULL, 0, &o, SAETM_ERR_IO, "cannot open", "No such file");
    saetm_corpus_opts oi = o;
    oi.id_field = "id";
    BAD("i.jsonl", "{\"id\": \"a\", \"text\": \"x\"}\n{\"text\": \"y\"}\n", &oi, SAETM_ERR_INPUT, "i.jsonl:2: field 'id'",
        "missing");
    BAD("b.jsonl", "{\"id\": true, \"text\": \"x\"}\n", &oi, SAETM_ERR_INPUT, "b.jsonl:1: field 'id'", "got a boolean");

    /* skip_bad: the bad records are left out and counted. */
    saetm_ctx *ctx = saetm_ctx_create();
    const char *p = write_str("skip.jsonl", "{\"text\": \"one good\"}\n{\"text\": 5}\nnot json\n{\"text\": \"two good\"}\n");
    saetm_corpus_opts os = o;
    os.skip_bad = 1;
    saetm_corpus_stats s;
    const char *out = tmp_path("skip.stc");
    CHECK(saetm_corpus_build_file(ctx, p, &os, out, &s) == SAETM_OK);
    CHECK_EQ_INT(s.docs, 2);
    CHECK_EQ_INT(s.skipped, 2);
    p = write_str("skipq.csv", "text\nfine\n\"open\n");
    saetm_corpus *c = NULL;
    CHECK(saetm_corpus_build(ctx, p, &os, &c) == SAETM_OK && c && saetm_corpus_num_docs(c) == 1);
    saetm_corpus_free(c);
    p = write_str("allbad.jsonl", "{\"text\": 1}\n");
    CHECK(saetm_corpus_build(ctx, p, &os, &c) == SAETM_ERR_INPUT);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "no valid document (1 bad records skipped)");

    /* Invalid options are refused before any work. */
    saetm_corpus_opts ob = o;
    ob.max_df = 0;
    CHECK(saetm_corpus_build(ctx, p, &ob, &c) == SAETM_ERR_ARG);
    CHECK(saetm_corpus_opts_check(&ob) != NULL);
    ob = o;
    ob.text_field = "";
    CHECK(saetm_corpus_opts_check(&ob) != NULL);
    CHECK(saetm_corpus_opts_check(&o) == NULL);
    saetm_ctx_free(ctx);
}

/* ---- stopword files ------------------------------------------------------------------------ */

static void test_stopwords(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    saetm__stopwords sw;
    CHECK(saetm__stopwords_load(ctx, NULL, &sw) == SAETM_OK);
    CHECK(saetm__stopwords_has(&sw, "the", 3) && saetm__stopwords_has(&sw, "yourselves", 10));
    CHECK(!saetm__stopwords_has(&sw, "government", 10) && !saetm__stopwords_has(&sw, "#", 1));
    CHECK(sw.set.count > 250);
    saetm__stopwords_free(&sw);
    const char *list = write_str("stop.txt", "# my list\nBudget\n  TAX  \n\n");
    const char *p = write_str("sw.txt", "the budget and the tax and spending\n");
    saetm_corpus_opts o = keep_all(SAETM_PREPROCESS_BASIC);
    o.stopwords = list;
    saetm_corpus *c = build(ctx, p, &o);
    CHECK(c && saetm_corpus_word_id(c, "budget") == UINT32_MAX && saetm_corpus_word_id(c, "tax") == UINT32_MAX &&
          count_of(c, 0, "the") == 2 && count_of(c, 0, "spending") == 1);
    saetm_corpus_free(c);
    o.stopwords = tmp_path("no-such-list.txt");
    CHECK(saetm_corpus_build(ctx, p, &o, &c) == SAETM_ERR_IO);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "stopword list");
    saetm_ctx_free(ctx);
}

int main(void)
{
    RUN(test_csv_edge_cases);
    RUN(test_jsonl_edge_cases);
    RUN(test_unicode);
    RUN(test_lemmas);
    RUN(test_vocabulary);
    RUN(test_empty_documents);
    RUN(test_gzip_and_dir);
    RUN(test_round_trip);
    RUN(test_bad_input);
    RUN(test_stopwords);
    return TEST_REPORT();
}
