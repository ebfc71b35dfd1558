/*
 * test_embed.c - the built-in embedder against the JavaScript reference's golden file, thread
 * determinism, robustness on arbitrary bytes, and refusal of bad model files.
 *
 * Golden file (tests/embed/golden.jsonl + golden_emb.npy) made by tools/embed-ref/golden.js with
 * @energetic-ai/embeddings 0.2.0 on TF.js (WebAssembly backend): 237 cases, each the exact input
 * bytes, the reference's token ids and its 512-d embedding.
 */
#include "saetm.h"
#include "test.h"

#include <cJSON.h>
#include <stdint.h>

#define MAX_CASES 1024

static char path_buf[4096];
static const char *root_path(const char *rel)
{
    const char *root = getenv("ROOT");
    snprintf(path_buf, sizeof path_buf, "%s/%s", root && root[0] ? root : ".", rel);
    return path_buf;
}

static saetm_embedder *E;
static int n_cases;
static char *case_bytes[MAX_CASES];
static size_t case_len[MAX_CASES];
static int32_t *case_ids[MAX_CASES];
static int case_nids[MAX_CASES];
static saetm_matrix golden;

static int hexval(char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; }

static int load_golden(void)
{
    FILE *f = fopen(root_path("tests/embed/golden.jsonl"), "rb");
    if (!f) return -1;
    static char line[1 << 20];
    while (fgets(line, sizeof line, f) && n_cases < MAX_CASES) {
        cJSON *o = cJSON_Parse(line);
        if (!o) break;
        const cJSON *hex = cJSON_GetObjectItem(o, "hex"), *ids = cJSON_GetObjectItem(o, "ids");
        if (!cJSON_IsString(hex) || !cJSON_IsArray(ids)) { cJSON_Delete(o); break; }
        size_t hl = strlen(hex->valuestring) / 2;
        char *b = malloc(hl + 1);
        for (size_t i = 0; i < hl; i++)
            b[i] = (char)(hexval(hex->valuestring[2 * i]) * 16 + hexval(hex->valuestring[2 * i + 1]));
        int n = cJSON_GetArraySize(ids);
        int32_t *v = malloc(((size_t)n + 1) * sizeof *v);
        for (int i = 0; i < n; i++) v[i] = (int32_t)cJSON_GetArrayItem(ids, i)->valueint;
        case_bytes[n_cases] = b;
        case_len[n_cases] = hl;
        case_ids[n_cases] = v;
        case_nids[n_cases] = n;
        n_cases++;
        cJSON_Delete(o);
    }
    fclose(f);
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_status st = saetm_npy_load(ctx, root_path("tests/embed/golden_emb.npy"), &golden);
    saetm_ctx_free(ctx);
    return st == SAETM_OK && golden.rows == (uint64_t)n_cases ? 0 : -1;
}

/* ------------------------------------------------------------------------------------------- */

static void test_golden_file(void)
{
    CHECK(n_cases >= 200);
    CHECK_EQ_INT(golden.cols, 512);
}

static void test_api(void)
{
    CHECK_EQ_INT(saetm_embedder_dim(E), 512);
    CHECK(strcmp(saetm_embedder_name(E), "use-lite-en") == 0);
    CHECK(strcmp(saetm_embedder_version(E), "0.2.0") == 0);
    CHECK(strcmp(saetm_embedder_piece(E, 30), "\xe2\x96\x81") == 0); /* U+2581 */
    CHECK(saetm_embedder_piece(E, -1) == NULL);
    CHECK(saetm_embedder_piece(E, 8000) == NULL);
}

static void test_token_ids(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    int bad = 0;
    static int32_t ids[1 << 16];
    for (int c = 0; c < n_cases; c++) {
        size_t n = 0;
        CHECK(saetm_embed_tokenize(ctx, E, case_bytes[c], case_len[c], ids, sizeof ids / sizeof ids[0], &n) == SAETM_OK);
        int same = (int)n == case_nids[c];
        for (int i = 0; same && i < case_nids[c]; i++) same = ids[i] == case_ids[c][i];
        if (!same) {
            if (bad++ < 5) fprintf(stderr, "case %d: token ids differ from the reference (%zu vs %d ids)\n", c, n, case_nids[c]);
        }
    }
    CHECK_EQ_INT(bad, 0);
    /* a count larger than the buffer is reported, not overflowed */
    size_t n = 0;
    int32_t small[2] = {-7, -7};
    CHECK(saetm_embed_tokenize(ctx, E, "the the the the", 15, small, 1, &n) == SAETM_OK);
    CHECK_EQ_INT(n, 4);
    CHECK_EQ_INT(small[1], -7);
    saetm_ctx_free(ctx);
}

static float *embed_all(int threads)
{
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_ctx_set_threads(ctx, threads);
    float *out = malloc((size_t)n_cases * 512 * sizeof *out);
    saetm_status st = saetm_embed_texts(ctx, E, (const char *const *)case_bytes, case_len, (uint64_t)n_cases, out);
    if (st) fprintf(stderr, "embed: %s\n", saetm_ctx_errmsg(ctx));
    saetm_ctx_free(ctx);
    if (st) { free(out); return NULL; }
    return out;
}

static float *out2; /* all cases embedded with 2 threads, shared by the tests below */

static void test_embeddings_match_reference(void)
{
    float *out = out2 = embed_all(2);
    CHECK(out != NULL);
    if (!out) return;
    double worst_abs = 0, worst_cos = 1;
    int worst_case = -1;
    for (int c = 0; c < n_cases; c++) {
        const float *a = out + (size_t)c * 512, *b = golden.data + (size_t)c * 512;
        double dot = 0, na = 0, nb = 0, mx = 0;
        for (int j = 0; j < 512; j++) {
            double d = fabs((double)a[j] - (double)b[j]);
            if (d > mx) mx = d;
            dot += (double)a[j] * b[j];
            na += (double)a[j] * a[j];
            nb += (double)b[j] * b[j];
        }
        double cs = dot / sqrt(na * nb);
        if (mx > worst_abs) { worst_abs = mx; worst_case = c; }
        if (cs < worst_cos) worst_cos = cs;
    }
    printf("# embeddings vs reference: max abs diff %.3g (case %d), min cosine %.9f\n", worst_abs, worst_case, worst_cos);
    CHECK(worst_abs < 1e-4);
    CHECK(worst_cos >= 0.99999);
}

static void test_thread_count_does_not_change_bytes(void)
{
    float *a = embed_all(1), *b = out2, *c = embed_all(3);
    CHECK(a && b && c);
    if (a && b && c) {
        CHECK(memcmp(a, b, (size_t)n_cases * 512 * sizeof(float)) == 0);
        CHECK(memcmp(b, c, (size_t)n_cases * 512 * sizeof(float)) == 0);
    }
    free(a);
    free(c);
}

/* Same document alone or among others: same vector (batches never mix documents). */
static void test_document_independent_of_batch(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    float alone[512], *all = out2;
    int c = n_cases - 1;
    CHECK(saetm_embed_texts(ctx, E, (const char *const *)&case_bytes[c], &case_len[c], 1, alone) == SAETM_OK);
    if (all) {
        double mx = 0;
        for (int j = 0; j < 512; j++) mx = fmax(mx, fabs((double)alone[j] - all[(size_t)c * 512 + j]));
        CHECK(mx < 1e-6);
    }
    saetm_ctx_free(ctx);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

static int unit_and_finite(const float *v)
{
    double ss = 0;
    for (int j = 0; j < 512; j++) {
        if (!isfinite(v[j])) return 0;
        ss += (double)v[j] * v[j];
    }
    return fabs(ss - 1.0) < 1e-4;
}

/* Any bytes give a unit vector: random bytes, random UTF-8-ish mixes, long and pathological
 * inputs. (Every byte sequence is valid input: invalid UTF-8 decodes to U+FFFD.) */
static void test_fuzz_arbitrary_bytes(void)
{
    enum { N = 600 };
    static const char *frags[] = {"\xe2\x96\x81", " ", "a", "the", ":", "30", "\xc3\xa9", "e\xcc\x81", "\xef\xac\x81",
                                  "\xf0\x9f\x98\x80", "\xed\xa0\x80", "\xc0\x80", "\xff", "\xf4\x90\x80\x80", "\xe2\x82",
                                  "\x00", "\t", "\n", "\xef\xbb\xbf", "\xe3\x80\x80", "\xef\xbc\xa1"};
    char *texts[N];
    size_t lens[N];
    for (int i = 0; i < N; i++) {
        size_t n = i < N / 2 ? rnd() % 300 : 0;
        char *t = malloc(2048);
        if (i < N / 2) {
            for (size_t k = 0; k < n; k++) t[k] = (char)(rnd() & 0xFF);
        } else {
            int parts = (int)(rnd() % 60);
            for (int k = 0; k < parts; k++) {
                const char *f = frags[rnd() % (sizeof frags / sizeof frags[0])];
                size_t fl = f[0] ? strlen(f) : 1;
                memcpy(t + n, f, fl);
                n += fl;
            }
        }
        texts[i] = t;
        lens[i] = n;
    }
    saetm_ctx *ctx = saetm_ctx_create();
    float *out = malloc((size_t)N * 512 * sizeof *out);
    CHECK(saetm_embed_texts(ctx, E, (const char *const *)texts, lens, N, out) == SAETM_OK);
    int bad = 0;
    for (int i = 0; i < N; i++) bad += !unit_and_finite(out + (size_t)i * 512);
    CHECK_EQ_INT(bad, 0);
    /* pathological: 256 KB of invalid bytes, 256 KB of one letter (long Viterbi), 128 KB of NULs */
    size_t big = 256u << 10;
    char *p = malloc(big);
    const char *bt[3] = {p, p, p};
    size_t bl[3] = {big, big, big / 2};
    float o3[3 * 512];
    memset(p, 0xFF, big);
    CHECK(saetm_embed_texts(ctx, E, bt, bl, 1, o3) == SAETM_OK);
    memset(p, 'x', big);
    CHECK(saetm_embed_texts(ctx, E, bt + 1, bl + 1, 1, o3 + 512) == SAETM_OK);
    memset(p, 0, big);
    CHECK(saetm_embed_texts(ctx, E, bt + 2, bl + 2, 1, o3 + 1024) == SAETM_OK);
    for (int i = 0; i < 3; i++) CHECK(unit_and_finite(o3 + i * 512));
    /* NULL text pointer counts as empty; NUL-terminated strings when lens is NULL */
    const char *nt[2] = {NULL, "hello"};
    float o2[2 * 512];
    CHECK(saetm_embed_texts(ctx, E, nt, NULL, 2, o2) == SAETM_OK);
    CHECK(memcmp(o2, out, 0) == 0);
    CHECK(unit_and_finite(o2) && unit_and_finite(o2 + 512));
    free(p);
    free(out);
    for (int i = 0; i < N; i++) free(texts[i]);
    saetm_ctx_free(ctx);
}

static void test_bad_model_files(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_embedder *e = NULL;
    char p[4096];
    snprintf(p, sizeof p, "%s/missing.stm", test_tmpdir());
    CHECK(saetm_embedder_load(ctx, p, &e) == SAETM_ERR_IO && e == NULL);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "missing.stm");
    /* a file of another kind */
    CHECK(saetm_embedder_load(ctx, root_path("tests/embed/golden_emb.npy"), &e) != SAETM_OK && e == NULL);
    /* a corrupted copy of the real model: one flipped byte in the weights */
    FILE *in = fopen(root_path("build/models/use-lite-en.stm"), "rb");
    CHECK(in != NULL);
    if (in) {
        fseek(in, 0, SEEK_END);
        long sz = ftell(in);
        fseek(in, 0, SEEK_SET);
        char *buf = malloc((size_t)sz);
        CHECK(fread(buf, 1, (size_t)sz, in) == (size_t)sz);
        fclose(in);
        buf[sz / 2] ^= 0x10;
        snprintf(p, sizeof p, "%s/corrupt.stm", test_tmpdir());
        FILE *out = fopen(p, "wb");
        fwrite(buf, 1, (size_t)sz, out);
        fclose(out);
        CHECK(saetm_embedder_load(ctx, p, &e) == SAETM_ERR_CHECKSUM && e == NULL);
        /* truncated */
        out = fopen(p, "wb");
        fwrite(buf, 1, (size_t)sz / 3, out);
        fclose(out);
        CHECK(saetm_embedder_load(ctx, p, &e) != SAETM_OK && e == NULL);
        free(buf);
    }
    saetm_embedder_free(NULL);
    saetm_ctx_free(ctx);
}

int main(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_status st = saetm_embedder_load(ctx, root_path("build/models/use-lite-en.stm"), &E);
    if (st) {
        fprintf(stderr, "cannot load the embedder model (built by 'make'): %s\n", saetm_ctx_errmsg(ctx));
        saetm_ctx_free(ctx);
        printf("0 passed, 1 failed\n");
        return 1;
    }
    saetm_ctx_free(ctx);
    if (load_golden()) {
        fprintf(stderr, "cannot read tests/embed/golden.jsonl / golden_emb.npy\n");
        printf("0 passed, 1 failed\n");
        return 1;
    }
    RUN(test_golden_file);
    RUN(test_api);
    RUN(test_token_ids);
    RUN(test_embeddings_match_reference);
    RUN(test_thread_count_does_not_change_bytes);
    RUN(test_document_independent_of_batch);
    RUN(test_fuzz_arbitrary_bytes);
    RUN(test_bad_model_files);
    free(out2);
    saetm_embedder_free(E);
    saetm_matrix_free(&golden);
    for (int c = 0; c < n_cases; c++) {
        free(case_bytes[c]);
        free(case_ids[c]);
    }
    return TEST_REPORT();
}
