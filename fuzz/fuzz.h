/*
 * fuzz.h - shared helpers for the fuzz harnesses in fuzz/fuzz_*.c.
 *
 * Every harness defines the libFuzzer entry point LLVMFuzzerTestOneInput(data, size), so the same
 * file builds three ways: with fuzz/driver.c under AFL++ (persistent mode, `make fuzz`), with
 * fuzz/driver.c under gcc ASan+UBSan as a replay tool (tests/fuzz/test_fuzz_replay.sh runs the
 * seeds and every past crash through it), or with clang -fsanitize=fuzzer (libFuzzer).
 *
 * The loaders take paths, so the input is placed in an anonymous in-memory file (memfd) reached
 * as /proc/self/fd/N: no files are left behind when the fuzzer kills the process.
 */
#ifndef SAETM_FUZZ_H
#define SAETM_FUZZ_H

#include "saetm.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* A promise of the API that an accepted input broke: a finding. Prints the condition, aborts. */
#define FUZZ_REQUIRE(cond)                                                                     \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "%s:%d: accepted input breaks: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Put data into the scratch in-memory file and return its path (static buffer, valid until the
 * next call). `slot` 0..3 picks one of several independent files (for inputs made of parts).
 * Aborts on system errors (they are harness bugs, not findings). */
const char *fuzz_file(int slot, const void *data, size_t size);

/* The shared context (silent). Created on first use, reused by every iteration. */
saetm_ctx *fuzz_ctx(void);

/* Checksum repair for the section container: unless header byte 40 (reserved, ignored by the
 * reader) is non-zero, recompute the file size in the header, every in-bounds section CRC, the
 * table CRC and the header CRC, so mutations reach the loaders' own validation instead of
 * stopping at a checksum mismatch. Returns a malloc'ed copy (caller frees). */
uint8_t *fuzz_fix_container(const uint8_t *data, size_t size);

/* Fold the bytes of a buffer into a value the compiler cannot drop: makes the harness read
 * every byte a loader hands out, so out-of-bounds views are caught. */
uint64_t fuzz_touch(const void *p, size_t n);

#endif
