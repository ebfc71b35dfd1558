/*
 * options.c - the option tables of `saetm fit` and of the topic stage (one row per option: name,
 * alias, type, field, bounds, choices, help, default), setting and reading an option by name
 * with its checks, and saetm_fit_opts_check: what `saetm fit` does with the flags given. The CLI
 * parses, prints --help and its usage errors from these rows (src/cli/cli.c), so the command
 * line and a program setting options by name cannot disagree.
 */
#include "model_int.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* enum fields are read and written as int */
_Static_assert(sizeof(saetm_input_format) == sizeof(int) && sizeof(saetm_preprocess) == sizeof(int) &&
                   sizeof(saetm_sae_arch) == sizeof(int) && sizeof(saetm_sae_init) == sizeof(int) &&
                   sizeof(saetm_background) == sizeof(int) &&
                   sizeof(saetm_em_accel) == sizeof(int),
               "enum options are stored as int");

#define F_FIT(f) offsetof(saetm_fit_opts, f)
#define F_CORPUS(f) offsetof(saetm_corpus_opts, f)
#define F_SAE(f) offsetof(saetm_sae_config, f)
#define F_INTERP(f) offsetof(saetm_interp_opts, f)
#define F_TOPIC(f) offsetof(saetm_topic_stage, f)
#define CHOICES(...) (const char *const[]){__VA_ARGS__, NULL}
#define VALUES(...) (const int[]){__VA_ARGS__}

/* ---------------------------------------------------------------- the tables */

#define FIT_OWN_OPTIONS                                                                                                \
    {.name = "input", .stage = "fit", .type = SAETM_OPT_STR, .metavar = "PATH", .offset = F_FIT(input),                \
     .help = "documents (.jsonl, .csv, text lines or a directory of .txt; gzip or not)"},                              \
    {.name = "emb", .stage = "fit", .type = SAETM_OPT_STR, .metavar = "FILE", .offset = F_FIT(emb),                    \
     .help = "document embeddings, N x d .npy, row i = document i of --input",                                         \
     .default_text = "the built-in embedder (written to DIR/emb.npy)"},                                                \
    {.name = "sae", .stage = "fit", .type = SAETM_OPT_STR, .metavar = "FILE", .offset = F_FIT(sae_file),               \
     .help = "use this trained SAE (.saem) instead of training one; 'default' = the shipped foundational SAE of the "  \
             "embeddings' embedder (docs/foundation.md)",                                                              \
     .default_text = "train one"},                                                                                     \
    {.name = "out", .stage = "fit", .type = SAETM_OPT_STR, .metavar = "DIR", .offset = F_FIT(out),                     \
     .help = "model directory to write (created if missing)"},                                                         \
    SAE_OPTIONS(NULL),                                                                                                 \
    {.name = "resume", .stage = "fit", .type = SAETM_OPT_FLAG, .offset = F_FIT(resume),                                \
     .help = "continue an interrupted fit into DIR with the same options: reuse DIR/emb.npy (built-in embedder) and "  \
             "a finished DIR/sae.saem, or resume training from DIR/sae.ckpt; the result equals an uninterrupted "      \
             "run's"},                                                                                                 \
    {.name = "holdout", .stage = "fit", .type = SAETM_OPT_DOUBLE, .metavar = "F", .offset = F_FIT(holdout),            \
     .help = "keep the share F in [0, 0.9] of the documents out of every stage (document i iff (i * round(F * 10^6)) " \
             "mod 10^6 < round(F * 10^6); F = 0.2: i % 5 == 0) and score the topics on them: DIR/heldout.stc, "        \
             "scores in topics.json and params.json; 0 = none"},                                                       \
    {.name = "seed", .stage = "fit", .type = SAETM_OPT_U64, .metavar = "S", .offset = F_FIT(seed),                     \
     .help = "random seed (the SAE's and the merge's)"}

/* The SAE's rows of both saetm fit and saetm train; K_ALIAS: train's older --k (in fit, --k is the
 * number of topics). */
#define SAE_OPTIONS(K_ALIAS)                                                                                           \
    {.name = "sae-arch", .alias = "arch", .stage = "sae", .type = SAETM_OPT_STR, .metavar = "NAME",                   \
     .offset = F_SAE(arch), .json = "arch", .help = "SAE training: batchtopk, topk, relu-l1 or jumprelu",                              \
     .choices = CHOICES("batchtopk", "topk", "relu-l1", "jumprelu"),                                                   \
     .choice_values = VALUES(SAETM_SAE_BATCHTOPK, SAETM_SAE_TOPK, SAETM_SAE_RELU_L1, SAETM_SAE_JUMPRELU)},             \
    {.name = "sae-init", .alias = "init", .stage = "sae", .type = SAETM_OPT_STR, .metavar = "NAME", .offset = F_SAE(init), .json = "init",             \
     .help = "SAE training: decoder start, random (from the seed), data (the documents' own embeddings) or "          \
             "neighbors (means of 16 nearest documents); the last two the same for every seed (docs/sae.md)",       \
     .choices = CHOICES("random", "data", "neighbors"),                                                               \
     .choice_values = VALUES(SAETM_SAE_INIT_RANDOM, SAETM_SAE_INIT_DATA, SAETM_SAE_INIT_NEIGHBORS)},                 \
    {.name = "sae-k", .alias = K_ALIAS, .stage = "sae", .type = SAETM_OPT_U32, .metavar = "K", .offset = F_SAE(k), .json = "k",    \
     .help = "SAE training: active features per document (jumprelu: the target mean L0)", .flags = SAETM_OPT_BOUNDED, .min = 1, .max = 4294967295.0}, \
    {.name = "expansion", .stage = "sae", .type = SAETM_OPT_U32, .metavar = "E", .offset = F_SAE(expansion), .json = "expansion",           \
     .help = "SAE training: features = E x embedding dimension (instead of --features)", .default_text = ""},          \
    {.name = "features", .stage = "sae", .type = SAETM_OPT_U32, .metavar = "F", .offset = F_SAE(n_features), .json = "features",          \
     .help = "SAE training: number of features",                                                                       \
     .default_text = "sized to the corpus: the power of two >= N/2 for N documents, within [1024, 64 x d]"},           \
    {.name = "batch", .stage = "sae", .type = SAETM_OPT_U32, .metavar = "B", .offset = F_SAE(batch), .json = "batch",                   \
     .help = "SAE training: rows per step"},                                                                           \
    {.name = "lr", .stage = "sae", .type = SAETM_OPT_DOUBLE, .metavar = "LR", .offset = F_SAE(lr), .json = "lr",                     \
     .help = "SAE training: Adam learning rate"},                                                                      \
    {.name = "epochs", .stage = "sae", .type = SAETM_OPT_U32, .metavar = "E", .offset = F_SAE(epochs), .json = "epochs",                 \
     .help = "SAE training: passes over the documents", .default_text = "40, at least 200 steps"},                     \
    {.name = "steps", .stage = "sae", .type = SAETM_OPT_U64, .metavar = "S", .offset = F_SAE(steps), .json = "steps",                   \
     .help = "SAE training: optimiser steps (instead of --epochs)", .default_text = ""},                               \
    {.name = "checkpoint-every", .stage = "sae", .type = SAETM_OPT_U64, .metavar = "N",                               \
     .offset = F_SAE(checkpoint_every), .json = "checkpoint_every",                                                                                \
     .help = "SAE training: save the training state every N steps (0 = never; fit: to DIR/sae.ckpt)"}

/* The SAE's rows only saetm train takes. */
#define SAE_TRAIN_OPTIONS                                                                                              \
    {.name = "warmup", .stage = "sae", .type = SAETM_OPT_DOUBLE, .metavar = "FRAC", .offset = F_SAE(warmup), .json = "warmup",           \
     .help = "fraction of steps with linear lr warm-up"},                                                              \
    {.name = "l1", .stage = "sae", .type = SAETM_OPT_DOUBLE, .metavar = "BETA", .offset = F_SAE(l1), .json = "l1",                   \
     .help = "relu-l1: L1 coefficient (inputs scaled to mean squared norm d)"},                                        \
    {.name = "l0", .stage = "sae", .type = SAETM_OPT_DOUBLE, .metavar = "LAMBDA", .offset = F_SAE(l0), .json = "l0",                 \
     .help = "jumprelu: weight of (L0/k - 1)^2"},                                                                      \
    {.name = "aux-alpha", .stage = "sae", .type = SAETM_OPT_DOUBLE, .metavar = "A", .offset = F_SAE(auxk_alpha), .json = "aux_alpha",       \
     .help = "weight of the dead-feature auxiliary loss (0 = off)"}

#define CORPUS_OPTIONS                                                                                                 \
    {.name = "format", .stage = "corpus", .type = SAETM_OPT_STR, .metavar = "F", .offset = F_CORPUS(format),           \
     .json = "format",                                                                                                 \
     .help = "input format: auto|jsonl|csv|text|dir (auto: by extension)",                                             \
     .choices = CHOICES("auto", "jsonl", "csv", "text", "dir"),                                                        \
     .choice_values = VALUES(SAETM_INPUT_AUTO, SAETM_INPUT_JSONL, SAETM_INPUT_CSV, SAETM_INPUT_TEXT, SAETM_INPUT_DIR)}, \
    {.name = "text-field", .stage = "corpus", .type = SAETM_OPT_STR, .metavar = "NAME", .offset = F_CORPUS(text_field), \
     .json = "text_field",                                                                                             \
     .help = "JSONL/CSV field holding the text"},                                                                      \
    {.name = "id-field", .stage = "corpus", .type = SAETM_OPT_STR, .metavar = "NAME", .offset = F_CORPUS(id_field),    \
     .json = "id_field",                                                                                               \
     .help = "field holding document ids", .default_text = "the line number"},                                         \
    {.name = "date-field", .stage = "corpus", .type = SAETM_OPT_STR, .metavar = "NAME", .offset = F_CORPUS(date_field), \
     .json = "date_field",                                                                                             \
     .help = "field holding dates (strings or numbers such as 1790)", .default_text = "none"},                         \
    {.name = "group-field", .stage = "corpus", .type = SAETM_OPT_STR, .metavar = "NAME",                               \
     .json = "group_field",                                                                                            \
     .offset = F_CORPUS(group_field), .help = "field holding a group label", .default_text = "none"},                  \
    {.name = "preprocess", .stage = "corpus", .type = SAETM_OPT_STR, .metavar = "MODE", .offset = F_CORPUS(preprocess), \
     .json = "preprocess",                                                                                             \
     .help = "full (Unicode NFKC + case folding, letters only, >= 3 letters, stopwords, WordNet lemmas and only words " \
             "WordNet knows) | basic (full without WordNet) | none (whitespace-separated tokens as given)",            \
     .choices = CHOICES("full", "basic", "none"),                                                                      \
     .choice_values = VALUES(SAETM_PREPROCESS_FULL, SAETM_PREPROCESS_BASIC, SAETM_PREPROCESS_NONE)},                   \
    {.name = "min-df", .stage = "corpus", .type = SAETM_OPT_U32, .metavar = "N", .offset = F_CORPUS(min_df),           \
     .json = "min_df",                                                                                                 \
     .help = "keep words found in at least N documents"},                                                              \
    {.name = "max-df", .stage = "corpus", .type = SAETM_OPT_DOUBLE, .metavar = "X", .offset = F_CORPUS(max_df),        \
     .json = "max_df",                                                                                                 \
     .help = "and in at most X documents (a fraction if <= 1, else a count)"},                                         \
    {.name = "max-vocab", .stage = "corpus", .type = SAETM_OPT_U32, .metavar = "N", .offset = F_CORPUS(max_vocab),     \
     .json = "max_vocab",                                                                                              \
     .help = "keep at most N words, the most frequent by documents (0: no limit)"},                                    \
    {.name = "stopwords", .stage = "corpus", .type = SAETM_OPT_STR, .metavar = "FILE", .offset = F_CORPUS(stopwords),  \
     .json = "stopwords",                                                                                              \
     .help = "stopword list, one word per line", .default_text = "the built-in English list"},                         \
    {.name = "snippet-chars", .stage = "corpus", .type = SAETM_OPT_U32, .metavar = "N",                                \
     .json = "snippet_chars",                                                                                          \
     .offset = F_CORPUS(snippet_chars), .help = "characters of each document's text kept for reports"},                \
    {.name = "tmp-dir", .stage = "corpus", .type = SAETM_OPT_STR, .metavar = "DIR", .offset = F_CORPUS(tmp_dir),       \
     .help = "directory for temporary files", .default_text = "the output's directory"},                               \
    {.name = "skip-bad", .stage = "corpus", .type = SAETM_OPT_FLAG, .offset = F_CORPUS(skip_bad),                      \
     .help = "leave out bad records with a warning instead of failing"}

#define INTERP_OPTIONS                                                                                                 \
    {.name = "pi", .stage = "interp", .type = SAETM_OPT_DOUBLE, .metavar = "X", .offset = F_INTERP(pi),                \
     .json = "pi",                                                                                                     \
     .help = "background weight in [0, 1) (start value with --learn-pi)"},                                             \
    {.name = "learn-pi", .stage = "interp", .type = SAETM_OPT_FLAG, .offset = F_INTERP(learn_pi),                      \
     .json = "learn_pi",                                                                                               \
     .help = "fit the background weight too"},                                                                         \
    {.name = "background", .stage = "interp", .type = SAETM_OPT_STR, .metavar = "B", .offset = F_INTERP(background),   \
     .json = "background",                                                                                             \
     .help = "learned (fitted with the features) | unigram (the IDF-weighted unigram, fixed)",                         \
     .choices = CHOICES("learned", "unigram"),                                                                         \
     .choice_values = VALUES(SAETM_BACKGROUND_LEARNED, SAETM_BACKGROUND_UNIGRAM)},                                     \
    {.name = "no-idf", .stage = "interp", .type = SAETM_OPT_FLAG, .offset = F_INTERP(idf), .flags = SAETM_OPT_NEGATE,  \
     .json = "idf",                                                                                                    \
     .help = "do not weight the likelihood by IDF"},                                                                   \
    {.name = "smooth", .stage = "interp", .type = SAETM_OPT_DOUBLE, .metavar = "X", .offset = F_INTERP(smooth),        \
     .json = "smooth",                                                                                                 \
     .help = "probability mass spread uniformly over the vocabulary"},                                                 \
    {.name = "em-tol", .stage = "interp", .type = SAETM_OPT_DOUBLE, .metavar = "X", .offset = F_INTERP(tol),           \
     .json = "tol",                                                                                                    \
     .help = "stop when an EM iteration lowers the NLL by a relative amount <= X"},                                    \
    {.name = "em-max-iter", .stage = "interp", .type = SAETM_OPT_U32, .metavar = "N", .offset = F_INTERP(max_iter),    \
     .json = "max_iter",                                                                                               \
     .help = "at most N EM iterations"},                                                                               \
    {.name = "em-accel", .stage = "interp", .type = SAETM_OPT_STR, .metavar = "A", .offset = F_INTERP(accel),          \
     .json = "accel",                                                                                                  \
     .help = "squarem (extrapolated EM steps, each kept only if it lowers the NLL) | off (plain EM); same optimum",    \
     .choices = CHOICES("squarem", "off"), .choice_values = VALUES(SAETM_ACCEL_SQUAREM, SAETM_ACCEL_NONE)},            \
    {.name = "em-top", .stage = "interp", .type = SAETM_OPT_U32, .metavar = "N", .offset = F_INTERP(stable_top),       \
     .json = "stable_top",                                                                                             \
     .flags = SAETM_OPT_BOUNDED, .min = 0, .max = 100,                                                                 \
     .help = "stop only once the N most probable words of every feature also stayed the same over an iteration (0: "  \
             "--em-tol alone; at most 100)"}

#define TOPIC_OPTIONS                                                                                                  \
    {.name = "k", .stage = "topics", .type = SAETM_OPT_U32, .metavar = "K", .offset = F_TOPIC(o.k), .json = "k",                    \
     .help = "number of topics"},                                                                                      \
    {.name = "tau", .stage = "topics", .type = SAETM_OPT_DOUBLE, .metavar = "X", .offset = F_TOPIC(o.tau), .json = "tau",             \
     .help = "keep each feature's most probable words up to this mass before embedding"},                             \
    {.name = "space", .stage = "topics", .type = SAETM_OPT_STR, .metavar = "S", .offset = F_TOPIC(space), .json = "space",              \
     .help = "feature embedding: words (phi-weighted word vectors: --word-vectors, else the built-in embedder's "       \
             "embedding of each word) | hellinger (sqrt phi) | decoder (SAE decoder directions) | auto (words when "    \
             "word vectors or the built-in embedder are available, else hellinger)"},                                  \
    {.name = "word-vectors", .stage = "topics", .type = SAETM_OPT_STR, .metavar = "FILE", .offset = F_TOPIC(word_vectors), .json = "word_vectors", \
     .help = "word vectors (.npy, one row per line of --word-list)"},                                                  \
    {.name = "word-list", .stage = "topics", .type = SAETM_OPT_STR, .metavar = "FILE", .offset = F_TOPIC(word_list), .json = "word_list",   \
     .help = "the words of --word-vectors, one per line"},                                                             \
    {.name = "decoder", .stage = "topics", .type = SAETM_OPT_STR, .metavar = "FILE", .offset = F_TOPIC(decoder), .json = "decoder",       \
     .help = "decoder directions (.npy, F x d) for --space decoder"},                                                  \
    {.name = "merge", .stage = "topics", .type = SAETM_OPT_STR, .metavar = "M", .offset = F_TOPIC(merge),              \
     .help = "how features are merged: kmeans-words | kmeans-hellinger | kmeans-decoder (k-means on that feature "     \
             "embedding) | agglomerative (tree in --space, --linkage) | coactivation (spectral clustering of the "      \
             "graph of features that fire in the same documents); sets --method and --space",                          \
     .default_text = "--method in --space"},                                                                           \
    {.name = "method", .stage = "topics", .type = SAETM_OPT_STR, .metavar = "M", .offset = F_TOPIC(method), .json = "method",            \
     .help = "kmeans | agglomerative (every K is a cut of one tree) | coactivation"},                                  \
    {.name = "linkage", .stage = "topics", .type = SAETM_OPT_STR, .metavar = "L", .offset = F_TOPIC(linkage), .json = "linkage",          \
     .help = "agglomerative linkage: ward | average"},                                                                 \
    {.name = "restarts", .stage = "topics", .type = SAETM_OPT_U32, .metavar = "N", .offset = F_TOPIC(o.restarts), .json = "restarts",      \
     .help = "k-means runs; the lowest weighted inertia wins"},                                                        \
    {.name = "coact-init", .stage = "topics", .type = SAETM_OPT_STR, .metavar = "I", .offset = F_TOPIC(coact_init), .json = "coact_init",    \
     .help = "coactivation: random (eigenvector iteration and k-means++ started from --seed, best of --restarts) | "   \
             "pivot (seed-independent: a fixed start and one k-means run from rows chosen by pivoted QR; --seed and "  \
             "--restarts do not change the topics)"},                                                                  \
    {.name = "max-iter", .stage = "topics", .type = SAETM_OPT_U32, .metavar = "N", .offset = F_TOPIC(o.max_iter), .json = "max_iter",      \
     .help = "k-means iterations per run"},                                                                            \
    {.name = "min-doc-freq", .alias = "min-docs", .stage = "topics", .type = SAETM_OPT_U32, .metavar = "N",           \
     .offset = F_TOPIC(o.min_docs), .json = "min_docs",                                                                                    \
     .help = "cluster only features active in >= N documents; the others join a topic (the nearest centroid; "         \
             "coactivation: the topic they co-activate with most) or, with --rare drop, none"},                        \
    {.name = "rare", .stage = "topics", .type = SAETM_OPT_STR, .metavar = "R", .offset = F_TOPIC(rare), .json = "rare",                \
     .help = "features not clustered: join (a topic, as --min-doc-freq says) | drop (in no topic, their mass left "    \
             "out)"},                                                                                                  \
    {.name = "neighbors", .stage = "topics", .type = SAETM_OPT_U32, .metavar = "N", .offset = F_TOPIC(o.neighbors), .json = "neighbors",    \
     .help = "coactivation: each feature keeps its N most correlated partners in the graph"},                         \
    {.name = "max-leaves", .stage = "topics", .type = SAETM_OPT_U32, .metavar = "N", .offset = F_TOPIC(o.max_leaves), .json = "max_leaves",  \
     .help = "agglomerative: above N features, k-means groups them into N leaves first"},                             \
    {.name = "top-n", .stage = "topics", .type = SAETM_OPT_U32, .metavar = "N", .offset = F_TOPIC(o.top_n), .json = "top_n",            \
     .help = "words listed per topic"},                                                                                \
    {.name = "rank", .stage = "topics", .type = SAETM_OPT_STR, .metavar = "R", .offset = F_TOPIC(rank), .json = "rank",                \
     .help = "order topic words by prob | relevance[:LAMBDA] | frex[:W] (FREX, weight W on exclusivity; default W "    \
             "0.5) | diverse[:D] (relevance with the largest LAMBDA in 1, 0.95, ..., 0.5 that makes at least the "      \
             "share D of all topics' first 25 words distinct; default D 0.8)"},                                        \
    {.name = "lambda", .stage = "topics", .type = SAETM_OPT_DOUBLE, .metavar = "X", .offset = F_TOPIC(o.lambda), .json = "lambda",       \
     .help = "relevance: weight of log p(w|t) against the lift p(w|t)/p(w) (relevance:X sets it too)"},               \
    {.name = "refit", .stage = "topics", .type = SAETM_OPT_FLAG, .offset = F_TOPIC(refit), .json = "refit",                             \
     .help = "re-estimate the topic word distributions from the documents (--words; needs the corpus)"},              \
    {.name = "words", .stage = "topics", .type = SAETM_OPT_STR, .metavar = "W", .offset = F_TOPIC(words), .json = "words",              \
     .help = "how the refit estimates topic words: em (the interpretation's EM with the topics as components; "        \
             "--sharpen, --refit-pi, --refit-idf) | tfidf (non-negative least squares of the documents' TF-IDF rows "  \
             "on their topic proportions, with a background column)"},                                                 \
    {.name = "words-background", .stage = "topics", .type = SAETM_OPT_DOUBLE, .metavar = "X",                         \
     .offset = F_TOPIC(words_background), .json = "words_background",                                                                              \
     .help = "refit --words tfidf: value of the background column (0 = none; any value > 0 gives the same words up "   \
             "to rounding)"},                                                                                          \
    {.name = "no-refit", .stage = "topics", .type = SAETM_OPT_FLAG, .offset = F_TOPIC(no_refit),                       \
     .help = "do not re-fit (when --refit is the default: saetm fit, a model's params.json)"},                         \
    {.name = "sharpen", .stage = "topics", .type = SAETM_OPT_DOUBLE, .metavar = "S", .offset = F_TOPIC(sharpen), .json = "sharpen",       \
     .help = "refit: raise document topic proportions to this power (>= 1)"},                                          \
    {.name = "refit-pi", .stage = "topics", .type = SAETM_OPT_DOUBLE, .metavar = "X", .offset = F_TOPIC(refit_pi), .json = "refit_pi",     \
     .help = "refit: background weight"},                                                                              \
    {.name = "refit-idf", .stage = "topics", .type = SAETM_OPT_STR, .metavar = "on|off|P", .offset = F_TOPIC(refit_idf), .json = "refit_idf", \
     .help = "refit: IDF-weight the likelihood (on), or not (off), or with the IDF weights raised to the power P in "   \
             "(0, 4] (on = 1; 0.5 weighs rare words less than on, more than off)"},                                    \
    {.name = "candidates", .stage = "topics", .type = SAETM_OPT_DOUBLE, .metavar = "X", .offset = F_TOPIC(candidates), .json = "candidates", \
     .help = "coherence pruning: merge into X times K topics, then dissolve the least coherent (NPMI of their top 10 "  \
             "words in the corpus) until K remain; their features join the topics they co-activate with most (with "   \
             "the refit only; 1 = off)"},                                                                              \
    {.name = "prune-redundancy", .stage = "topics", .type = SAETM_OPT_DOUBLE, .metavar = "X",                         \
     .offset = F_TOPIC(o.redundancy), .json = "prune_redundancy",                                                                                  \
     .help = "coherence pruning: a candidate's score is its NPMI minus X times its largest cosine similarity of word "  \
             "distributions with another candidate"},                                                                  \
    {.name = "crossfit", .stage = "topics", .type = SAETM_OPT_STR, .metavar = "on|off", .offset = F_TOPIC(crossfit), .json = "crossfit",   \
     .help = "coherence pruning with --words tfidf: score each candidate's words, estimated on one half of the "        \
             "documents (by index parity), on the other half, both ways (on), or on the documents that estimated "     \
             "them (off); ignored with --words em or without pruning (--candidates 1)"}

static const saetm_option FIT_OPTIONS[] = {FIT_OWN_OPTIONS, CORPUS_OPTIONS, INTERP_OPTIONS, TOPIC_OPTIONS};
static const saetm_option TOPIC_STAGE_OPTIONS[] = {TOPIC_OPTIONS};
static const saetm_option CORPUS_STAGE_OPTIONS[] = {CORPUS_OPTIONS};
static const saetm_option INTERP_STAGE_OPTIONS[] = {INTERP_OPTIONS};
static const saetm_option SAE_STAGE_OPTIONS[] = {SAE_OPTIONS("k"), SAE_TRAIN_OPTIONS};
#define N_OF(a) (sizeof(a) / sizeof(a)[0])
#define N_TOPIC N_OF(TOPIC_STAGE_OPTIONS)
#define N_FIT_OWN (N_OF(FIT_OPTIONS) - N_TOPIC) /* the rows before the topic stage's */
_Static_assert(N_OF(FIT_OPTIONS) - N_OF(TOPIC_STAGE_OPTIONS) <= 64 && N_OF(TOPIC_STAGE_OPTIONS) <= 64,
               "the given masks have 64 bits");

const saetm_option *saetm_fit_options(size_t *n)
{
    if (n) *n = N_OF(FIT_OPTIONS);
    return FIT_OPTIONS;
}

const saetm_option *saetm_topic_stage_options(size_t *n)
{
    if (n) *n = N_TOPIC;
    return TOPIC_STAGE_OPTIONS;
}

const saetm_option *saetm_corpus_options(size_t *n)
{
    if (n) *n = N_OF(CORPUS_STAGE_OPTIONS);
    return CORPUS_STAGE_OPTIONS;
}

const saetm_option *saetm_interp_options(size_t *n)
{
    if (n) *n = N_OF(INTERP_STAGE_OPTIONS);
    return INTERP_STAGE_OPTIONS;
}

const saetm_option *saetm_sae_options(size_t *n)
{
    if (n) *n = N_OF(SAE_STAGE_OPTIONS);
    return SAE_STAGE_OPTIONS;
}

/* ---------------------------------------------------------------- one field by its row */

/* The row called name (or alias) in t[0..n), or -1. */
static long find(const saetm_option *t, size_t n, const char *name)
{
    if (!name) return -1;
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].name, name) == 0 || (t[i].alias && strcmp(t[i].alias, name) == 0)) return (long)i;
    return -1;
}

/* Where the row's field is in a saetm_fit_opts (the topic stage's rows: in a saetm_topic_stage). */
static size_t stage_base(const saetm_option *r)
{
    if (strcmp(r->stage, "corpus") == 0) return offsetof(saetm_fit_opts, corpus);
    if (strcmp(r->stage, "sae") == 0) return offsetof(saetm_fit_opts, sae);
    if (strcmp(r->stage, "interp") == 0) return offsetof(saetm_fit_opts, interp);
    return 0;
}

static const char *type_words(saetm_opt_type t)
{
    return t == SAETM_OPT_DOUBLE ? "a number" : "an integer";
}

/* Fail naming row r and value v, with the accepted range. */
static saetm_status bad_number(saetm_ctx *ctx, const saetm_option *r, const char *v)
{
    double lo = 0, hi = 0;
    int bounded = 1;
    if (r->flags & SAETM_OPT_BOUNDED) lo = r->min, hi = r->max;
    else if (r->type == SAETM_OPT_INT) lo = -2147483647.0, hi = 2147483647.0;
    else if (r->type == SAETM_OPT_U32) hi = 4294967295.0;
    else bounded = 0;
    if (!bounded && r->type == SAETM_OPT_U64)
        return saetm__fail(ctx, SAETM_ERR_ARG, "--%s: expected an integer in [0, 18446744073709551615], got '%s'",
                           r->name, v);
    if (!bounded) return saetm__fail(ctx, SAETM_ERR_ARG, "--%s: expected a number, got '%s'", r->name, v);
    return saetm__fail(ctx, SAETM_ERR_ARG, "--%s: expected %s in [%.15g, %.15g], got '%s'", r->name,
                       type_words(r->type), lo, hi, v);
}

static saetm_status bad_choice(saetm_ctx *ctx, const saetm_option *r, const char *v)
{
    char list[256];
    size_t at = 0, n = 0;
    while (r->choices[n]) n++;
    list[0] = 0;
    for (size_t i = 0; i < n && at < sizeof list; i++)
        at += (size_t)snprintf(list + at, sizeof list - at, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ",
                               r->choices[i]);
    return saetm__fail(ctx, SAETM_ERR_ARG, "--%s must be %s, not '%s'", r->name, list, v);
}

static saetm_status set_field(saetm_ctx *ctx, const saetm_option *r, void *field, const char *v)
{
    if (r->type == SAETM_OPT_FLAG) {
        int on;
        if (!v || strcmp(v, "1") == 0 || strcmp(v, "true") == 0) on = 1;
        else if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0) on = 0;
        else return saetm__fail(ctx, SAETM_ERR_ARG, "--%s: expected 1, true, 0 or false, got '%s'", r->name, v);
        *(int *)field = (r->flags & SAETM_OPT_NEGATE) ? !on : on;
        return SAETM_OK;
    }
    if (!v && r->type != SAETM_OPT_STR) return saetm__fail(ctx, SAETM_ERR_ARG, "--%s needs a value", r->name);
    if (r->type == SAETM_OPT_STR && r->choices) {
        for (size_t i = 0; v && r->choices[i]; i++)
            if (strcmp(r->choices[i], v) == 0) {
                *(int *)field = r->choice_values[i];
                return SAETM_OK;
            }
        return bad_choice(ctx, r, v ? v : "");
    }
    if (r->type == SAETM_OPT_STR) {
        *(const char **)field = v && *v ? v : NULL;
        return SAETM_OK;
    }
    char *end = NULL;
    errno = 0;
    if (r->type == SAETM_OPT_DOUBLE) {
        double d = strtod(v, &end);
        if (errno || end == v || *end) return bad_number(ctx, r, v);
        if ((r->flags & SAETM_OPT_BOUNDED) && !(d >= r->min && d <= r->max)) return bad_number(ctx, r, v);
        *(double *)field = d;
        return SAETM_OK;
    }
    if (r->type != SAETM_OPT_INT && strchr(v, '-')) return bad_number(ctx, r, v);
    long long x = 0;
    unsigned long long u = 0;
    if (r->type == SAETM_OPT_INT) x = strtoll(v, &end, 10);
    else u = strtoull(v, &end, 10);
    if (errno || end == v || *end) return bad_number(ctx, r, v);
    double as = r->type == SAETM_OPT_INT ? (double)x : (double)u;
    if ((r->flags & SAETM_OPT_BOUNDED) && !(as >= r->min && as <= r->max)) return bad_number(ctx, r, v);
    if (r->type == SAETM_OPT_INT) {
        if (x < -2147483647LL || x > 2147483647LL) return bad_number(ctx, r, v);
        *(int *)field = (int)x;
    } else if (r->type == SAETM_OPT_U32) {
        if (u > 4294967295ULL) return bad_number(ctx, r, v);
        *(uint32_t *)field = (uint32_t)u;
    } else {
        *(uint64_t *)field = (uint64_t)u;
    }
    return SAETM_OK;
}

/* The shortest "%.Ng" that reads back as d. */
static void format_double(double d, char *buf, size_t cap)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, cap, "%.*g", prec, d);
        if (strtod(buf, NULL) == d || isnan(d)) return;
    }
}

static saetm_status get_field(saetm_ctx *ctx, const saetm_option *r, const void *field, char *buf, size_t cap)
{
    char tmp[64];
    const char *text = tmp;
    switch (r->type) {
    case SAETM_OPT_STR:
        if (r->choices) {
            int v = *(const int *)field;
            text = "?";
            for (size_t i = 0; r->choices[i]; i++)
                if (r->choice_values[i] == v) text = r->choices[i];
        } else {
            text = *(const char *const *)field;
            if (!text) text = "";
        }
        break;
    case SAETM_OPT_FLAG: {
        int on = *(const int *)field != 0;
        text = ((r->flags & SAETM_OPT_NEGATE) ? !on : on) ? "1" : "0";
        break;
    }
    case SAETM_OPT_INT: snprintf(tmp, sizeof tmp, "%d", *(const int *)field); break;
    case SAETM_OPT_U32: snprintf(tmp, sizeof tmp, "%u", *(const uint32_t *)field); break;
    case SAETM_OPT_U64: snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)*(const uint64_t *)field); break;
    case SAETM_OPT_DOUBLE: format_double(*(const double *)field, tmp, sizeof tmp); break;
    }
    if (!buf || strlen(text) >= cap)
        return saetm__fail(ctx, SAETM_ERR_ARG, "--%s: its value does not fit in %zu bytes", r->name, cap);
    memcpy(buf, text, strlen(text) + 1);
    return SAETM_OK;
}

static saetm_status unknown(saetm_ctx *ctx, const char *name)
{
    return saetm__fail(ctx, SAETM_ERR_ARG, "unknown option '--%s'", name ? name : "(null)");
}

/* ---------------------------------------------------------------- by name */

saetm_status saetm_topic_stage_set(saetm_ctx *ctx, saetm_topic_stage *s, const char *name, const char *value)
{
    long i = find(TOPIC_STAGE_OPTIONS, N_TOPIC, name);
    if (i < 0) return unknown(ctx, name);
    saetm_status st = set_field(ctx, &TOPIC_STAGE_OPTIONS[i], (char *)s + TOPIC_STAGE_OPTIONS[i].offset, value);
    if (!st) s->given |= (uint64_t)1 << i;
    return st;
}

saetm_status saetm_topic_stage_get(saetm_ctx *ctx, const saetm_topic_stage *s, const char *name, char *buf, size_t cap)
{
    long i = find(TOPIC_STAGE_OPTIONS, N_TOPIC, name);
    if (i < 0) return unknown(ctx, name);
    return get_field(ctx, &TOPIC_STAGE_OPTIONS[i], (const char *)s + TOPIC_STAGE_OPTIONS[i].offset, buf, cap);
}

saetm_status saetm_fit_opts_set(saetm_ctx *ctx, saetm_fit_opts *o, const char *name, const char *value)
{
    long i = find(FIT_OPTIONS, N_FIT_OWN, name);
    if (i < 0) return saetm_topic_stage_set(ctx, &o->topics, name, value);
    const saetm_option *r = &FIT_OPTIONS[i];
    saetm_status st = set_field(ctx, r, (char *)o + stage_base(r) + r->offset, value);
    if (!st) o->given |= (uint64_t)1 << i;
    return st;
}

saetm_status saetm_fit_opts_get(saetm_ctx *ctx, const saetm_fit_opts *o, const char *name, char *buf, size_t cap)
{
    long i = find(FIT_OPTIONS, N_FIT_OWN, name);
    if (i < 0) return saetm_topic_stage_get(ctx, &o->topics, name, buf, cap);
    const saetm_option *r = &FIT_OPTIONS[i];
    return get_field(ctx, r, (const char *)o + stage_base(r) + r->offset, buf, cap);
}

saetm_status saetm_corpus_opts_set(saetm_ctx *ctx, saetm_corpus_opts *o, const char *name, const char *value)
{
    long i = find(CORPUS_STAGE_OPTIONS, N_OF(CORPUS_STAGE_OPTIONS), name);
    if (i < 0) return unknown(ctx, name);
    return set_field(ctx, &CORPUS_STAGE_OPTIONS[i], (char *)o + CORPUS_STAGE_OPTIONS[i].offset, value);
}

saetm_status saetm_corpus_opts_get(saetm_ctx *ctx, const saetm_corpus_opts *o, const char *name, char *buf, size_t cap)
{
    long i = find(CORPUS_STAGE_OPTIONS, N_OF(CORPUS_STAGE_OPTIONS), name);
    if (i < 0) return unknown(ctx, name);
    return get_field(ctx, &CORPUS_STAGE_OPTIONS[i], (const char *)o + CORPUS_STAGE_OPTIONS[i].offset, buf, cap);
}

saetm_status saetm_interp_opts_set(saetm_ctx *ctx, saetm_interp_opts *o, const char *name, const char *value)
{
    long i = find(INTERP_STAGE_OPTIONS, N_OF(INTERP_STAGE_OPTIONS), name);
    if (i < 0) return unknown(ctx, name);
    return set_field(ctx, &INTERP_STAGE_OPTIONS[i], (char *)o + INTERP_STAGE_OPTIONS[i].offset, value);
}

saetm_status saetm_interp_opts_get(saetm_ctx *ctx, const saetm_interp_opts *o, const char *name, char *buf, size_t cap)
{
    long i = find(INTERP_STAGE_OPTIONS, N_OF(INTERP_STAGE_OPTIONS), name);
    if (i < 0) return unknown(ctx, name);
    return get_field(ctx, &INTERP_STAGE_OPTIONS[i], (const char *)o + INTERP_STAGE_OPTIONS[i].offset, buf, cap);
}

saetm_status saetm_sae_config_set(saetm_ctx *ctx, saetm_sae_config *c, const char *name, const char *value)
{
    long i = find(SAE_STAGE_OPTIONS, N_OF(SAE_STAGE_OPTIONS), name);
    if (i < 0) return unknown(ctx, name);
    return set_field(ctx, &SAE_STAGE_OPTIONS[i], (char *)c + SAE_STAGE_OPTIONS[i].offset, value);
}

saetm_status saetm_sae_config_get(saetm_ctx *ctx, const saetm_sae_config *c, const char *name, char *buf, size_t cap)
{
    long i = find(SAE_STAGE_OPTIONS, N_OF(SAE_STAGE_OPTIONS), name);
    if (i < 0) return unknown(ctx, name);
    return get_field(ctx, &SAE_STAGE_OPTIONS[i], (const char *)c + SAE_STAGE_OPTIONS[i].offset, buf, cap);
}

/* ---------------------------------------------------------------- params.json */

void saetm__options_json(const saetm_option *t, size_t n, const void *obj, struct cJSON *out)
{
    for (size_t i = 0; i < n; i++) {
        const saetm_option *r = &t[i];
        const void *f = (const char *)obj + r->offset;
        if (!r->json) continue;
        if (r->type == SAETM_OPT_STR && r->choices) {
            const char *name = "?";
            for (size_t c = 0; r->choices[c]; c++)
                if (r->choice_values[c] == *(const int *)f) name = r->choices[c];
            cJSON_AddStringToObject(out, r->json, name);
        } else if (r->type == SAETM_OPT_STR) {
            if (*(const char *const *)f) cJSON_AddStringToObject(out, r->json, *(const char *const *)f);
        } else if (r->type == SAETM_OPT_FLAG) {
            cJSON_AddBoolToObject(out, r->json, *(const int *)f != 0); /* the field: "idf" for --no-idf */
        } else {
            double v = r->type == SAETM_OPT_INT      ? (double)*(const int *)f
                       : r->type == SAETM_OPT_U32    ? (double)*(const uint32_t *)f
                       : r->type == SAETM_OPT_U64    ? (double)*(const uint64_t *)f
                                                     : *(const double *)f;
            cJSON_AddNumberToObject(out, r->json, v);
        }
    }
}

/* ---------------------------------------------------------------- the rules of the given options */

/* Was option name of table t given (its bit in mask)? */
static int given(const saetm_option *t, size_t n, uint64_t mask, const char *name)
{
    long i = find(t, n, name);
    return i >= 0 && (mask >> i & 1);
}

int saetm__topic_stage_given(const saetm_topic_stage *s, const char *name)
{
    return given(TOPIC_STAGE_OPTIONS, N_TOPIC, s->given, name);
}

#define BAD(...) return saetm__fail(ctx, SAETM_ERR_ARG, __VA_ARGS__)

void saetm_topic_stage_space_rule(saetm_topic_stage *s)
{
    /* --space alone asks for a feature embedding, which only k-means uses: the plain merge in that space */
    if (saetm__topic_stage_given(s, "space") && !saetm__topic_stage_given(s, "method") &&
        !saetm__topic_stage_given(s, "merge"))
        s->method = "kmeans";
}

saetm_status saetm_fit_opts_check(saetm_ctx *ctx, saetm_fit_opts *o)
{
    /* the rules of `saetm fit` that look at which options were given */
    int features = given(FIT_OPTIONS, N_FIT_OWN, o->given, "features") && o->sae.n_features > 0;
    int expansion = given(FIT_OPTIONS, N_FIT_OWN, o->given, "expansion");
    if (!o->input) BAD("--input is required");
    if (!o->out) BAD("--out is required");
    const char *bad = saetm_holdout_check(o->holdout);
    if (bad) BAD("--holdout %g: %s", o->holdout, bad);
    saetm_corpus_opts co = o->corpus;
    co.holdout = o->holdout; /* as saetm_fit builds corpus.stc: the training documents */
    co.holdout_part = SAETM_HOLDOUT_TRAIN;
    if ((bad = saetm_corpus_opts_check(&co))) BAD("%s", bad);
    if ((bad = saetm_interp_opts_check(&o->interp))) BAD("%s", bad);
    saetm_topic_stage_space_rule(&o->topics);
    saetm_topic_stage ts = o->topics;
    saetm_status st = saetm_topic_stage_resolve(ctx, &ts);
    if (st) return st;
    if (ts.o.space == SAETM_SPACE_DECODER && ts.decoder)
        BAD("--decoder is not needed: fit uses its SAE's decoder for --space decoder");
    if (features && expansion) BAD("give --features or --expansion, not both");
    if (o->sae.steps && o->sae.epochs) BAD("give --epochs or --steps, not both");
    if (features || expansion) o->size_features = 0;
    return SAETM_OK;
}
