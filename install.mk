# install.mk - `make install` and `make uninstall`; included by the Makefile (docs/install.md).
#
#   make install [PREFIX=/usr/local] [DESTDIR=/staging]
#
# installs PREFIX/bin/saetm, PREFIX/lib/libsaetm.so (soname libsaetm.so.MAJOR, file
# libsaetm.so.MAJOR.MINOR.PATCH) and libsaetm.a, PREFIX/include/saetm.h,
# PREFIX/lib/pkgconfig/saetm.pc, the model files under PREFIX/share/saetm and the man page
# PREFIX/share/man/man1/saetm.1. DESTDIR is prepended to every path written (packaging) but is
# not part of the paths compiled in. The installed library is the release objects except
# modelpath.o, recompiled here with SAETM_DATADIR = PREFIX/share/saetm so that any program linked
# with it (not only bin/saetm, which also looks next to itself) finds the models.
PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR    ?= $(PREFIX)/share/saetm
MAN1DIR    ?= $(PREFIX)/share/man/man1
PCDIR      ?= $(LIBDIR)/pkgconfig

# The version comes from include/saetm.h (one definition).
hdr_num = $(shell sed -n 's/^\#define SAETM_VERSION_$(1) \([0-9]*\).*/\1/p' include/saetm.h)
SO_MAJOR   = $(call hdr_num,MAJOR)
SO_VERSION = $(SO_MAJOR).$(call hdr_num,MINOR).$(call hdr_num,PATCH)
SO_NAME    = libsaetm.so.$(SO_MAJOR)

INST_DIR = build/install
INST_OBJ = $(filter-out build/release/src/common/modelpath.o,$(REL_OBJ)) $(INST_DIR)/modelpath.o
# The model files `make` builds (Makefile: EMBED_MODEL, FOUNDATION_SAE); uninstall removes them
# by name whether or not this checkout has the foundational SAE.
INST_MODELS = $(EMBED_MODEL) $(FOUNDATION_SAE)
INST_MODEL_NAMES = use-lite-en.stm foundation-use-lite-en.saem

.PHONY: install uninstall install-build FORCE
FORCE:

# Rewritten only when DATADIR changes, so that modelpath.o is recompiled exactly then.
$(INST_DIR)/datadir.txt: FORCE
	@mkdir -p $(dir $@)
	@[ "$$(cat $@ 2>/dev/null)" = "$(DATADIR)" ] || echo "$(DATADIR)" > $@

$(INST_DIR)/modelpath.o: src/common/modelpath.c $(INST_DIR)/datadir.txt | $(DEPS_STAMP)
	@echo "CC  $@ (SAETM_DATADIR=$(DATADIR))"
	@$(CC) $(CPPFLAGS) $(REL_CFLAGS) -DSAETM_DATADIR='"$(DATADIR)"' -c $< -o $@

$(INST_DIR)/libsaetm.a: $(INST_OBJ)
	@rm -f $@
	@ar rcs $@ $^

# Only the SAETM_API symbols are exported (-fvisibility=hidden); the soname carries the major
# version, which changes when the ABI does.
$(INST_DIR)/libsaetm.so.$(SO_VERSION): $(INST_OBJ)
	@echo "LD  $@"
	@$(CC) $(REL_CFLAGS) -shared -Wl,-soname,$(SO_NAME) -Wl,--no-undefined -o $@ $^ $(LDLIBS)

$(INST_DIR)/saetm: $(CLI_SRC:%.c=build/release/%.o) $(INST_DIR)/libsaetm.a
	@echo "LD  $@"
	@$(CC) $(REL_CFLAGS) -o $@ $^ $(LDLIBS)

$(INST_DIR)/saetm.pc: scripts/saetm.pc.in include/saetm.h $(INST_DIR)/datadir.txt
	@mkdir -p $(dir $@)
	@sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	  -e 's|@DATADIR@|$(DATADIR)|' -e 's|@VERSION@|$(SO_VERSION)|' -e 's|@LIBS_PRIVATE@|-fopenmp $(LDLIBS)|' $< > $@

$(INST_DIR)/saetm.1: docs/saetm.1 include/saetm.h
	@mkdir -p $(dir $@)
	@sed -e 's|@VERSION@|$(SO_VERSION)|' $< > $@

install-build: $(INST_DIR)/saetm.1 $(INST_DIR)/saetm $(INST_DIR)/libsaetm.a $(INST_DIR)/libsaetm.so.$(SO_VERSION) $(INST_DIR)/saetm.pc \
               $(INST_MODELS)

install: install-build
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PCDIR) \
	  $(DESTDIR)$(DATADIR) $(DESTDIR)$(MAN1DIR)
	install -m 755 $(INST_DIR)/saetm $(DESTDIR)$(BINDIR)/saetm
	install -m 755 $(INST_DIR)/libsaetm.so.$(SO_VERSION) $(DESTDIR)$(LIBDIR)/libsaetm.so.$(SO_VERSION)
	ln -sf libsaetm.so.$(SO_VERSION) $(DESTDIR)$(LIBDIR)/$(SO_NAME)
	ln -sf $(SO_NAME) $(DESTDIR)$(LIBDIR)/libsaetm.so
	install -m 644 $(INST_DIR)/libsaetm.a $(DESTDIR)$(LIBDIR)/libsaetm.a
	install -m 644 include/saetm.h $(DESTDIR)$(INCLUDEDIR)/saetm.h
	install -m 644 $(INST_DIR)/saetm.pc $(DESTDIR)$(PCDIR)/saetm.pc
	install -m 644 $(INST_MODELS) $(DESTDIR)$(DATADIR)/
	install -m 644 $(INST_DIR)/saetm.1 $(DESTDIR)$(MAN1DIR)/saetm.1
	@# the dynamic linker's cache, when installing for real as root
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi

# Removes what install wrote (the model files by name: whatever else is in DATADIR stays, and
# DATADIR itself then too) and the directories left empty under PREFIX by that.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/saetm $(DESTDIR)$(LIBDIR)/libsaetm.so $(DESTDIR)$(LIBDIR)/$(SO_NAME) \
	  $(DESTDIR)$(LIBDIR)/libsaetm.so.$(SO_VERSION) $(DESTDIR)$(LIBDIR)/libsaetm.a \
	  $(DESTDIR)$(INCLUDEDIR)/saetm.h $(DESTDIR)$(PCDIR)/saetm.pc $(DESTDIR)$(MAN1DIR)/saetm.1 \
	  $(addprefix $(DESTDIR)$(DATADIR)/,$(INST_MODEL_NAMES))
	-rmdir $(DESTDIR)$(DATADIR) 2>/dev/null
