/*
 * test_hostile_files.c - every loader of a saetm file against hostile files: truncated at every
 * length, headers and section tables whose sizes, offsets and shapes lie (with the checksums
 * repaired, so the lie reaches the validation behind them), and every byte flipped. A loader must
 * refuse what is impossible with a message naming the file, and never crash (ASan/UBSan watch).
 *
 * To cover a new file kind, add one entry to the `loaders` table: how to write a small valid
 * file and how to load (and release) one.
 */
#include "saetm_int.h"
#include "test.h"

/* fuzz_fix_container, the checksum repair shared with the fuzz harnesses, and their checks of
 * what an accepted file promises (they abort with the broken condition). */
#include "../../fuzz/common.c"
#include "../../fuzz/fuzz_corpus.h"
#include "../../fuzz/fuzz_interp.h"
#include "../../fuzz/fuzz_sae.h"

#include <unistd.h>

/* ---- the loaders under test --------------------------------------------------------------- */

static void make_acts(saetm_ctx *ctx, const char *path)
{
    uint64_t rp[5] = {0, 2, 2, 5, 6};
    uint32_t idx[6] = {1, 7, 0, 3, 9, 2};
    float val[6] = {0.5f, 1.5f, 2.0f, 0.25f, 3.0f, 1.0f};
    saetm_acts a;
    CHECK(saetm_acts_from_csr(ctx, 4, 10, rp, idx, val, &a) == SAETM_OK);
    CHECK(saetm_acts_save(ctx, &a, path) == SAETM_OK);
    saetm_acts_free(&a);
}

static saetm_status load_acts(saetm_ctx *ctx, const char *path)
{
    saetm_acts a;
    saetm_status st = saetm_acts_load(ctx, path, &a);
    if (st == SAETM_OK) {
        fuzz_touch(a.idx, (size_t)a.row_ptr[a.rows] * sizeof(uint32_t));
        fuzz_touch(a.val, (size_t)a.row_ptr[a.rows] * sizeof(float));
        /* What the loader promises about a file it accepted. */
        for (uint64_t r = 0; r < a.rows && st == SAETM_OK; r++)
            for (uint64_t j = a.row_ptr[r]; j < a.row_ptr[r + 1]; j++)
                if (a.idx[j] >= a.n_features || (j > a.row_ptr[r] && a.idx[j] <= a.idx[j - 1]) ||
                    !(a.val[j] >= 0.0f) || !isfinite(a.val[j]))
                    st = saetm__fail(ctx, SAETM_ERR_INTERNAL, "accepted an invalid entry in row %llu",
                                     (unsigned long long)r);
        saetm_acts_free(&a);
    }
    return st;
}

static saetm_status load_inspect(saetm_ctx *ctx, const char *path)
{
    char buf[4096];
    return saetm_file_inspect(ctx, path, buf, sizeof buf);
}

static void make_npy(saetm_ctx *ctx, const char *path)
{
    float m[12];
    for (int i = 0; i < 12; i++) m[i] = (float)i * 0.5f;
    CHECK(saetm_npy_save(ctx, path, m, 4, 3) == SAETM_OK);
}

static saetm_status load_npy(saetm_ctx *ctx, const char *path)
{
    saetm_matrix m;
    saetm_status st = saetm_npy_load(ctx, path, &m);
    if (st == SAETM_OK) {
        fuzz_touch(m.data, (size_t)(m.rows * m.cols) * sizeof(float));
        saetm_matrix_free(&m);
    }
    return st;
}

static void make_corpus(saetm_ctx *ctx, const char *path)
{
    char src[4096];
    snprintf(src, sizeof src, "%s/docs.jsonl", test_tmpdir());
    FILE *f = fopen(src, "w");
    CHECK(f != NULL);
    if (!f) return;
    fputs("{\"id\":\"a\",\"text\":\"economy taxes budget growth\",\"date\":\"1999\",\"group\":\"x\"}\n"
          "{\"id\":\"b\",\"text\":\"war army peace treaty economy\",\"date\":\"2000\",\"group\":\"y\"}\n"
          "{\"id\":\"c\",\"text\":\"the of and\",\"date\":\"2001\",\"group\":\"x\"}\n"
          "{\"id\":\"d\",\"text\":\"school teacher budget\",\"date\":\"2002\",\"group\":\"z\"}\n",
          f);
    fclose(f);
    saetm_corpus_opts o;
    saetm_corpus_opts_default(&o);
    o.id_field = "id";
    o.date_field = "date";
    o.group_field = "group";
    o.min_df = 1;
    o.max_df = 1.0;
    o.preprocess = SAETM_PREPROCESS_BASIC;
    CHECK(saetm_corpus_build_file(ctx, src, &o, path, NULL) == SAETM_OK);
}

static saetm_status load_corpus(saetm_ctx *ctx, const char *path)
{
    saetm_corpus *c = NULL;
    saetm_status st = saetm_corpus_load(ctx, path, &c);
    if (st == SAETM_OK) {
        fuzz_check_corpus(c);
        saetm_corpus_free(c);
    }
    return st;
}

static void make_interp(saetm_ctx *ctx, const char *path)
{
    /* 6 documents, 4 features, 8 words. */
    uint64_t arp[7] = {0, 2, 3, 5, 6, 8, 8};
    uint32_t aidx[8] = {0, 1, 1, 2, 3, 0, 1, 3};
    float aval[8] = {1.0f, 0.5f, 2.0f, 0.3f, 1.2f, 0.7f, 0.9f, 0.4f};
    uint64_t brp[7] = {0, 3, 5, 7, 9, 12, 13};
    uint32_t bw[13] = {0, 1, 2, 1, 3, 4, 5, 6, 7, 0, 2, 7, 5};
    uint32_t bc[13] = {2, 1, 1, 3, 1, 1, 2, 1, 1, 1, 1, 2, 4};
    static const char *const vocab[8] = {"tax", "war", "school", "budget", "peace", "army", "teacher", "trade"};
    saetm_acts a;
    CHECK(saetm_acts_from_csr(ctx, 6, 4, arp, aidx, aval, &a) == SAETM_OK);
    saetm_bow bow = {6, 8, brp, bw, bc};
    saetm_interp_opts o;
    saetm_interp_opts_default(&o);
    o.max_iter = 20;
    saetm_interp *it = NULL;
    CHECK(saetm_interp_fit(ctx, &a, &bow, vocab, &o, &it) == SAETM_OK);
    if (it) CHECK(saetm_interp_save(ctx, it, path) == SAETM_OK);
    saetm_interp_free(it);
    saetm_acts_free(&a);
}

static saetm_status load_interp(saetm_ctx *ctx, const char *path)
{
    saetm_interp *it = NULL;
    saetm_status st = saetm_interp_load(ctx, path, &it);
    if (st == SAETM_OK) {
        fuzz_check_interp(it);
        saetm_interp_free(it);
    }
    return st;
}

static void make_sae(saetm_ctx *ctx, const char *path)
{
    /* 200 rows of 8 dims, 32 features, a few steps: small but a real trained model. */
    float *x = malloc(200 * 8 * sizeof *x);
    for (int i = 0; i < 200 * 8; i++) x[i] = (float)((i * 7919) % 101) / 50.0f - 1.0f;
    saetm_matrix m = {200, 8, x, NULL};
    saetm_sae_config cfg;
    saetm_sae_config_default(&cfg);
    cfg.n_features = 32;
    cfg.k = 4;
    cfg.batch = 50;
    cfg.steps = 8;
    cfg.embedder = "test-embedder";
    saetm_sae *sae = NULL;
    CHECK(saetm_sae_train(ctx, &cfg, &m, &sae) == SAETM_OK);
    if (sae) CHECK(saetm_sae_save(ctx, sae, path) == SAETM_OK);
    saetm_sae_free(sae);
    free(x);
}

static saetm_status load_sae(saetm_ctx *ctx, const char *path)
{
    saetm_sae *sae = NULL;
    saetm_status st = saetm_sae_load(ctx, path, &sae);
    if (st == SAETM_OK) {
        fuzz_check_sae(sae);
        saetm_sae_free(sae);
    }
    return st;
}

typedef struct loader {
    const char *name;
    int container;   /* a section container (header/table lies apply) */
    int any_version; /* accepts every format version (inspect) */
    void (*make)(saetm_ctx *ctx, const char *path);
    saetm_status (*load)(saetm_ctx *ctx, const char *path);
} loader;

static const loader loaders[] = {
    {"acts.sac", 1, 0, make_acts, load_acts},
    {"inspect.sac", 1, 1, make_acts, load_inspect},
    {"matrix.npy", 0, 0, make_npy, load_npy},
    {"corpus.stc", 1, 0, make_corpus, load_corpus},
    {"interp.sti", 1, 0, make_interp, load_interp},
    {"model.saem", 1, 0, make_sae, load_sae},
};

/* ---- helpers ------------------------------------------------------------------------------ */

static uint8_t *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(len > 0 ? (size_t)len : 1);
    *n = len > 0 && b ? fread(b, 1, (size_t)len, f) : 0;
    fclose(f);
    return b;
}

static void write_all(const char *path, const uint8_t *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    CHECK(fwrite(b, 1, n, f) == n);
    fclose(f);
}

static int failures_reported; /* limit the noise when a loader is badly broken */

/* Load a variant; it must fail with a message naming the file when must_fail is set, and in any
 * case either succeed or fail with such a message. */
static void try_variant(const loader *L, saetm_ctx *ctx, const char *path, const uint8_t *b, size_t n,
                        int repair, int must_fail, const char *what)
{
    uint8_t *v = repair ? fuzz_fix_container(b, n) : NULL;
    write_all(path, v ? v : b, n);
    free(v);
    saetm_status st = L->load(ctx, path);
    int ok = st != SAETM_ERR_INTERNAL; /* the loader accepted something it promises to refuse */
    if (must_fail && st == SAETM_OK) ok = 0;
    if (st != SAETM_OK && !strstr(saetm_ctx_errmsg(ctx), path)) ok = 0;
    if (!ok) {
        test_checks_failed_++;
        if (failures_reported++ < 20)
            fprintf(stderr, "%s: %s: status %d, message '%s'\n", L->name, what, (int)st, saetm_ctx_errmsg(ctx));
    }
}

static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static uint64_t get64v(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static uint32_t get32v(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

/* ---- tests -------------------------------------------------------------------------------- */

static void test_loader(const loader *L)
{
    saetm_ctx *ctx = saetm_ctx_create();
    char good[4096], bad[4096];
    snprintf(good, sizeof good, "%s/good-%s", test_tmpdir(), L->name);
    snprintf(bad, sizeof bad, "%s/bad-%s", test_tmpdir(), L->name);
    L->make(ctx, good);
    CHECK(L->load(ctx, good) == SAETM_OK);
    size_t n = 0;
    uint8_t *b = read_all(good, &n);
    CHECK(b != NULL && n > 0);
    if (!b) return;
    char what[128];
    /* Truncated at every length, and padded with junk. */
    for (size_t len = 0; len < n; len += (len < 128 ? 1 : n / 256 + 1)) {
        snprintf(what, sizeof what, "truncated to %zu bytes", len);
        try_variant(L, ctx, bad, b, len, 0, 1, what);
    }
    uint8_t *longer = calloc(n + 100, 1);
    memcpy(longer, b, n);
    try_variant(L, ctx, bad, longer, n + 100, 0, 1, "100 junk bytes appended");
    free(longer);
    /* Every byte flipped: without repair the checksums catch it (or it hits padding); with repair
     * the loader's own validation must cope. Either way no crash, and refusals name the file. */
    uint8_t *v = malloc(n);
    size_t stride = n / 512 + 1; /* larger files: a sample of the bytes */
    for (size_t i = 0; i < n; i += stride) {
        memcpy(v, b, n);
        v[i] ^= 0xff;
        snprintf(what, sizeof what, "byte %zu flipped", i);
        try_variant(L, ctx, bad, v, n, 0, 0, what);
        if (L->container) try_variant(L, ctx, bad, v, n, 1, 0, what);
    }
    if (L->container) {
        /* Header lies (checksums repaired afterwards except where the lie is the size itself). */
        static const struct { size_t off; int width; uint64_t value; const char *what; } hdr[] = {
            {12, 4, 4097, "4097 sections"},
            {12, 4, 0xffffffffu, "2^32-1 sections"},
            {16, 8, 0, "table offset 0"},
            {16, 8, 8, "table offset inside the header"},
            {16, 8, 1ull << 62, "table offset far beyond the end"},
            {8, 4, 0, "version 0"},
            {8, 4, 999, "version 999"},
        };
        for (size_t k = 0; k < sizeof hdr / sizeof hdr[0]; k++) {
            memcpy(v, b, n);
            if (hdr[k].width == 4) put32(v + hdr[k].off, (uint32_t)hdr[k].value);
            else put64(v + hdr[k].off, hdr[k].value);
            try_variant(L, ctx, bad, v, n, 1, !(L->any_version && hdr[k].off == 8 && hdr[k].value), hdr[k].what);
        }
        memcpy(v, b, n);
        put64(v + 16, get64v(b + 16) + 8);
        try_variant(L, ctx, bad, v, n, 1, 1, "unaligned table offset");
        memcpy(v, b, n);
        put32(v + 12, get32v(b + 12) + 1);
        try_variant(L, ctx, bad, v, n, 1, 1, "one section more than the table holds");
        for (int delta = -64; delta <= 64; delta += 128) {
            memcpy(v, b, n);
            put64(v + 24, (uint64_t)((int64_t)n + delta));
            v[40] = 1; /* keep the lying size: no repair of the size field... */
            put32(v + 36, saetm__crc32(0, v, 36)); /* ...but a valid header CRC */
            try_variant(L, ctx, bad, v, n, 1, 1, "file size in header lies");
        }
        /* Section entry lies, checksums repaired. */
        uint32_t ns = get32v(b + 12);
        uint64_t toff = get64v(b + 16);
        for (uint32_t s = 0; s < ns; s++) {
            size_t e = (size_t)toff + (size_t)s * 64;
            uint64_t off = get64v(b + e + 24), nb = get64v(b + e + 32), rows = get64v(b + e + 40);
            struct { size_t f; int width; uint64_t val; int must; const char *what; } lies[] = {
                {24, 8, toff, nb > 0, "data offset at the table"},
                {24, 8, off + 1, 1, "unaligned data offset"},
                {24, 8, UINT64_MAX - 63, 1, "data offset near 2^64"},
                {24, 8, 0, 1, "data offset 0"},
                {32, 8, nb + 1, 1, "size not rows*cols*elem"},
                {32, 8, UINT64_MAX, 1, "size 2^64-1"},
                {40, 8, rows + 1, 1, "one row more than the bytes"},
                {40, 8, 1ull << 61, 1, "2^61 rows"},
                {48, 8, 0, 1, "zero columns"},
                {48, 8, 1ull << 62, 1, "2^62 columns"},
                {16, 4, 99, 1, "unknown element type"},
                {16, 4, 0, 1, "element type 0"},
                {56, 8, 12345, 0, "reserved field set"},
            };
            for (size_t k = 0; k < sizeof lies / sizeof lies[0]; k++) {
                memcpy(v, b, n);
                if (lies[k].width == 4) put32(v + e + lies[k].f, (uint32_t)lies[k].val);
                else put64(v + e + lies[k].f, lies[k].val);
                snprintf(what, sizeof what, "section %u: %s", s, lies[k].what);
                try_variant(L, ctx, bad, v, n, 1, lies[k].must, what);
            }
            memcpy(v, b, n);
            memset(v + e, 'x', 16);
            snprintf(what, sizeof what, "section %u: name without terminator", s);
            try_variant(L, ctx, bad, v, n, 1, 1, what);
        }
    }
    free(v);
    free(b);
    unlink(bad);
    saetm_ctx_free(ctx);
}

static void test_all_loaders(void)
{
    for (size_t i = 0; i < sizeof loaders / sizeof loaders[0]; i++) {
        int before = test_checks_failed_;
        test_loader(&loaders[i]);
        if (test_checks_failed_ != before) fprintf(stderr, "loader %s failed\n", loaders[i].name);
    }
}

/* .npy headers whose shape lies about the data. */
static void test_npy_lies(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    char path[4096];
    snprintf(path, sizeof path, "%s/lie.npy", test_tmpdir());
    static const char *shapes[] = {"(5, 3)", "(3, 5)", "(18446744073709551615, 2)", "(4611686018427387904, 4)",
                                   "(2, 0)", "(1, 2, 3)", "(-4, 3)", "(4, 3", "4, 3)", "(4,, 3)", "(0x4, 3)"};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        char dict[256];
        int len = snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }", shapes[i]);
        uint8_t file[512] = {0};
        size_t hl = 118 - 10; /* header padded so the data start is 16-aligned */
        memcpy(file, "\x93NUMPY\x01\x00", 8);
        file[8] = (uint8_t)hl;
        memset(file + 10, ' ', hl);
        memcpy(file + 10, dict, (size_t)len);
        file[10 + hl - 1] = '\n';
        float data[12] = {0};
        memcpy(file + 10 + hl, data, sizeof data);
        write_all(path, file, 10 + hl + sizeof data);
        saetm_matrix m;
        saetm_status st = saetm_npy_load(ctx, path, &m);
        CHECK(st == SAETM_ERR_FORMAT);
        CHECK_CONTAINS(saetm_ctx_errmsg(ctx), path);
        if (st == SAETM_OK) saetm_matrix_free(&m);
    }
    saetm_ctx_free(ctx);
}

/* `test_hostile_files --write-seeds DIR`: write each loader's valid file into DIR (used by
 * fuzz/make_seeds.py for the seeds of the file-kind harnesses). */
static int write_seeds(const char *dir)
{
    saetm_ctx *ctx = saetm_ctx_create();
    for (size_t i = 0; i < sizeof loaders / sizeof loaders[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, loaders[i].name);
        loaders[i].make(ctx, path);
    }
    saetm_ctx_free(ctx);
    return test_checks_failed_ != 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write-seeds") == 0) return write_seeds(argv[2]);
    RUN(test_all_loaders);
    RUN(test_npy_lies);
    return TEST_REPORT();
}
