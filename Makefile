# lklab build. Targets: deps all test asan fuzz bench demo clean.  V=1 shows commands.
# Objects live in build/<flavour>/, binaries in bin/; generated data goes under out/.

CC      ?= cc
PKGS    := sqlite3 libcjson
DEB_PKGS := libsqlite3-dev sqlite3 libcjson-dev gnuplot-nox libcriterion-dev pkg-config clang libclang-rt-14-dev
WARN    := -Wall -Wextra -Werror -Wshadow -Wwrite-strings -Wcast-qual -Wformat=2 -Wvla \
           -Wstrict-prototypes -Wmissing-prototypes -fno-common
# -ffp-contract=off: the generator's floating point must give the same bits on every machine.
BASE_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -ffp-contract=off -pthread -MMD -MP \
           -Ishared -Idatasets -Icli -Ikappa -Ilambda -Iplots -Itests
OPT     ?= -O2 -g
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_SRC := $(wildcard shared/*.c datasets/*.c kappa/*.c lambda/*.c plots/*.c)
CLI_SRC := $(wildcard cli/*.c)
TEST_SRC := $(wildcard tests/test_*.c) tests/lk_test.c

FLAVOUR ?= release
BUILD   := build/$(FLAVOUR)
ifeq ($(FLAVOUR),asan)
EXTRA_CFLAGS := -O1 -g $(SAN)
EXTRA_LDFLAGS := $(SAN)
BIN := bin/asan
else
EXTRA_CFLAGS := $(OPT)
BIN := bin
endif

# pkg-config is asked only when a build runs (so `make deps` works before it exists).
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lsqlite3 -lcjson)
CFLAGS_ALL = $(BASE_CFLAGS) $(EXTRA_CFLAGS) $(PKG_CFLAGS) $(CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lm -pthread

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)

.PHONY: all deps test unit e2e asan fuzz bench demo clean lklab
all: deps
	$(Q)$(MAKE) --no-print-directory lklab

lklab: $(BIN)/lklab

$(BIN)/lklab: $(LIB_OBJ) $(CLI_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(EXTRA_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_ALL)

$(BIN)/lklab-tests: $(LIB_OBJ) $(TEST_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(EXTRA_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_ALL) -lcriterion

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -c -o $@ $<

# Installs what is missing from the Debian packages; a no-op when everything is present.
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null || \
	  { echo "make deps: apt-get failed for$$missing" >&2; exit 1; }; \
	fi

# Criterion runs each test in its own process; e2e tests run bin/lklab (LKLAB_BIN).
test: deps
	$(Q)$(MAKE) --no-print-directory lklab $(BIN)/lklab-tests
	LKLAB_BIN=$(CURDIR)/$(BIN)/lklab LKLAB_ROOT=$(CURDIR) ./$(BIN)/lklab-tests --jobs=2

asan: deps
	$(Q)$(MAKE) --no-print-directory FLAVOUR=asan test

FUZZ_SECONDS ?= 30
FUZZ_TARGETS := event spec
fuzz: deps
	@mkdir -p bin/fuzz out/fuzz
	@for t in $(FUZZ_TARGETS); do \
	  echo "  FUZZ    $$t ($(FUZZ_SECONDS)s)"; \
	  clang -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $(WARN) \
	    -Ishared $(PKG_CFLAGS) tests/fuzz/fuzz_$$t.c $(wildcard shared/*.c) \
	    -o bin/fuzz/fuzz_$$t $(PKG_LIBS) -lm || exit 1; \
	  mkdir -p out/fuzz/corpus_$$t; \
	  ./bin/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -max_len=4096 \
	    -artifact_prefix=out/fuzz/$$t- out/fuzz/corpus_$$t tests/fuzz/seeds_$$t \
	    2> out/fuzz/$$t.log || { tail -40 out/fuzz/$$t.log; exit 1; }; \
	  tail -1 out/fuzz/$$t.log; \
	done

bench: all
	$(Q)tests/bench.sh

demo: all
	$(Q)./bin/lklab demo --out out/demo

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)
