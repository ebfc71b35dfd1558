/*
 * lemma.c - lemmatisation with WordNet's morphy (libwordnet from Debian's wordnet-dev, database
 * from wordnet-base), and the "does WordNet know this word" test of full preprocessing.
 *
 * The WordNet library keeps global state and static buffers, so every call into it is made under
 * one process-wide lock. Callers cache results per distinct word (build.c), so the lock and the
 * on-disk index searches are paid once per word type, not per token.
 *
 * The rule (documented in docs/CORPUS.md), for a lower-case word w:
 *   1. morphy gives a noun base form             -> that form  (children -> child, years -> year)
 *   2. w is a noun in WordNet                    -> w          (running, housing, gas, data)
 *   3. morphy gives a verb base form             -> that form  (united -> unite, went -> go)
 *   4. w is a verb, adjective or adverb in WordNet -> w        (better, economic)
 *   5. morphy gives an adjective or adverb base  -> that form  (largest -> large)
 *   6. otherwise WordNet does not know w: the token is dropped.
 * Base forms shorter than 3 letters are not taken ("gas" is not "ga"). Nouns come first because
 * topics are mostly carried by nouns: "housing" or "spending" should not become "house" or
 * "spend". Plurals that WordNet also lists as nouns of their own ("years") still become singular.
 */
#include "corpus_int.h"

#include <pthread.h>
#include <stdio_ext.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <wn.h>

static pthread_mutex_t wn_lock = PTHREAD_MUTEX_INITIALIZER;
static int wn_state; /* 0 not tried, 1 open, -1 failed */

static int quiet_message(char *msg)
{
    (void)msg;
    return 0;
}

/* Serve one of the library's database streams from memory: WordNet answers each lookup with a
 * binary search of fseek/getc calls, each of which is a system call on a plain FILE; over a
 * memory mapping (fmemopen) the same calls cost nothing. The library's code is unchanged; only
 * the stream it reads from is swapped. On any failure the original stream is kept. */
static void stream_from_memory(FILE **fpp)
{
    FILE *fp = *fpp;
    if (!fp) return;
    struct stat st;
    int fd = fileno(fp);
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size <= 0) return;
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) return;
    FILE *mem = fmemopen(p, (size_t)st.st_size, "r");
    if (!mem) {
        munmap(p, (size_t)st.st_size);
        return;
    }
    setvbuf(mem, NULL, _IOFBF, 256);            /* every seek refills the buffer: keep it small */
    __fsetlocking(mem, FSETLOCKING_BYCALLER);   /* we hold wn_lock: no per-getc stream locking */
    fclose(fp);
    *fpp = mem; /* the mapping lives as long as the process, like the library's streams */
}

saetm_status saetm__wordnet_open(saetm_ctx *ctx)
{
    pthread_mutex_lock(&wn_lock);
    if (wn_state == 0) {
        display_message = quiet_message; /* the library must not print */
        wn_state = wninit() == 0 ? 1 : -1;
        if (wn_state == 1)
            for (int pos = 1; pos <= NUMPARTS; pos++) {
                stream_from_memory(&indexfps[pos]);
                stream_from_memory(&datafps[pos]);
            }
    }
    int ok = wn_state == 1;
    pthread_mutex_unlock(&wn_lock);
    if (!ok)
        return saetm__fail(ctx, SAETM_ERR_IO,
                           "cannot open the WordNet database (install Debian's wordnet-base, or set WNSEARCHDIR to "
                           "its dict directory; or use --preprocess basic)");
    return SAETM_OK;
}

/* w is a lemma of part of speech pos. */
static int is_lemma(char *w, int pos)
{
    IndexPtr idx = index_lookup(w, pos);
    if (!idx) return 0;
    free_index(idx);
    return 1;
}

/* Copy morphy's first base form of the single word w in pos to out. morphword is morphstr for
 * one word (morphstr splits collocations and looks the exception list up once more). */
static int base_form(char *w, int pos, char *out, size_t cap)
{
    char *b = morphword(w, pos);
    if (!b || strlen(b) < SAETM__MIN_TOKEN_CHARS || strcmp(b, w) == 0 || strlen(b) >= cap) return 0;
    /* Collocations ("be_on") are not single tokens. */
    if (strchr(b, '_') || strchr(b, ' ')) return 0;
    memcpy(out, b, strlen(b) + 1);
    return 1;
}

int saetm__lemma(const char *word, size_t len, char *out, size_t cap)
{
    char w[SAETM__MAX_TOKEN_BYTES + 1];
    if (len == 0 || len > SAETM__MAX_TOKEN_BYTES || cap <= len) return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)word[i] >= 0x80) return 0; /* WordNet's lemmas are ASCII */
    memcpy(w, word, len);
    w[len] = 0;
    int found = 0;
    pthread_mutex_lock(&wn_lock);
    if (wn_state == 1) {
        if (base_form(w, NOUN, out, cap)) {
            found = 1;
        } else if (is_lemma(w, NOUN)) {
            memcpy(out, w, len + 1);
            found = 1;
        } else if (base_form(w, VERB, out, cap)) {
            found = 1;
        } else if (is_lemma(w, VERB) || is_lemma(w, ADJ) || is_lemma(w, ADV)) {
            memcpy(out, w, len + 1);
            found = 1;
        } else {
            found = base_form(w, ADJ, out, cap) || base_form(w, ADV, out, cap);
        }
    }
    pthread_mutex_unlock(&wn_lock);
    return found;
}
