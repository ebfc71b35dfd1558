/*
 * test_kinds.c - the file kinds (common/kinds.c): every stage's kind has an 8-byte magic with the
 * container prefix, no two share one, each is found by its magic, an unknown magic by none; a
 * file written by a stage carries its kind's magic, and saetm_file_inspect adds the kind's
 * description (the corpus's) while io/ knows no format.
 */
#include "saetm_int.h"
#include "test.h"

static const saetm__file_kind *const all[] = {&saetm__corpus_kind, &saetm__sae_kind, &saetm__ckpt_kind,
                                              &saetm__acts_kind, &saetm__interp_kind, &saetm__embed_kind};
enum { N_KINDS = sizeof all / sizeof all[0] };

static void test_magics(void)
{
    for (int i = 0; i < N_KINDS; i++) {
        CHECK_EQ_INT(strlen(all[i]->magic), 8);
        CHECK(memcmp(all[i]->magic, SAETM__MAGIC_PREFIX, 5) == 0);
        CHECK(saetm__file_kind_find((const uint8_t *)all[i]->magic) == all[i]);
        for (int j = 0; j < i; j++) CHECK(strcmp(all[i]->magic, all[j]->magic) != 0);
    }
    CHECK(saetm__file_kind_find((const uint8_t *)"SAETMTST") == NULL);
    CHECK(saetm__corpus_kind.describe != NULL);
}

/* A written activations file and a written corpus start with their kinds' magics; inspecting the
 * corpus gives its description, the activations only their sections. */
static void test_written_files(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    char acts_path[4096], corpus_path[4096], docs_path[4096];
    snprintf(acts_path, sizeof acts_path, "%s/a.sac", test_tmpdir());
    snprintf(corpus_path, sizeof corpus_path, "%s/c.stc", test_tmpdir());
    snprintf(docs_path, sizeof docs_path, "%s/d.txt", test_tmpdir());
    uint64_t ptr[3] = {0, 1, 2};
    uint32_t idx[2] = {0, 1};
    float val[2] = {1, 2};
    saetm_acts a;
    CHECK(saetm_acts_from_csr(ctx, 2, 2, ptr, idx, val, &a) == SAETM_OK);
    CHECK(saetm_acts_save(ctx, &a, acts_path) == SAETM_OK);
    saetm_acts_free(&a);
    FILE *f = fopen(docs_path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("apple banana cherry\nbanana cherry date\n", f);
        fclose(f);
    }
    saetm_corpus_opts co;
    saetm_corpus_opts_default(&co);
    co.min_df = 1;
    co.max_df = 1.0;
    CHECK(saetm_corpus_build_file(ctx, docs_path, &co, corpus_path, NULL) == SAETM_OK);
    const char *paths[2] = {acts_path, corpus_path};
    const saetm__file_kind *kinds[2] = {&saetm__acts_kind, &saetm__corpus_kind};
    for (int i = 0; i < 2; i++) {
        uint8_t head[8] = {0};
        FILE *g = fopen(paths[i], "rb");
        CHECK(g && fread(head, 1, 8, g) == 8);
        if (g) fclose(g);
        CHECK(saetm__file_kind_find(head) == kinds[i]);
    }
    static char buf[16384];
    CHECK(saetm_file_inspect(ctx, corpus_path, buf, sizeof buf) == SAETM_OK);
    CHECK_CONTAINS(buf, "SAETMCRP file");
    CHECK_CONTAINS(buf, "corpus: 2 documents");
    CHECK(saetm_file_inspect(ctx, acts_path, buf, sizeof buf) == SAETM_OK);
    CHECK_CONTAINS(buf, "SAETMACT file");
    CHECK(strstr(buf, "corpus:") == NULL);
    saetm_ctx_free(ctx);
}

int main(void)
{
    RUN(test_magics);
    RUN(test_written_files);
    return TEST_REPORT();
}
