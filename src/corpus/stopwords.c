/*
 * stopwords.c - the built-in English stopword list, src/corpus/stopwords_en.txt, compiled into
 * the library as one NUL-terminated string (the assembler includes the file; the Makefile makes
 * this object depend on it).
 */
#include "corpus_int.h"

__asm__(".section .rodata\n"
        ".global saetm__stopwords_en\n"
        ".hidden saetm__stopwords_en\n"
        ".type saetm__stopwords_en, @object\n"
        "saetm__stopwords_en:\n"
        ".incbin \"src/corpus/stopwords_en.txt\"\n"
        ".byte 0\n"
        ".size saetm__stopwords_en, . - saetm__stopwords_en\n"
        ".previous\n");
