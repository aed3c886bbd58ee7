# pcilink: match QEMU's virtual PCIe root ports to the host's real links.
VERSION = 0.1.0

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
PKG_CONFIG ?= pkg-config
CC ?= cc
CFLAGS ?= -O2 -g
# SANITIZE=1: build everything with AddressSanitizer and UndefinedBehaviorSanitizer
SANITIZE ?=
# Debian's python, not a pyenv shim: the tests need its python3-yaml
PYTHON ?= /usr/bin/python3

PKGS = libpci yaml-0.1 libxml-2.0

# make demo / make check first install what a fresh Debian 12 lacks (as root)
ifeq ($(filter deps clean format check-format,$(MAKECMDGOALS))$(shell $(PKG_CONFIG) --exists $(PKGS) 2>/dev/null && echo ok),)
$(info pcilink: build dependencies missing; run 'make deps' as root (or 'make demo' / 'make check'))
endif

override CFLAGS += -std=gnu11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter -D_GNU_SOURCE -DPL_VERSION='"$(VERSION)"' -MMD -MP $(INCLUDES) \
	$(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LDLIBS += $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
ifneq ($(SANITIZE),)
override CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
override LDFLAGS += -fsanitize=address,undefined
endif

# one folder per stage: host (access, decode, topology, analysis), plan, guest (a VM's own PCIe
# topology), emit, cli; everything but cli/ goes into the library the tests link
SRCDIRS = src src/host src/plan src/guest src/emit src/cli
CORE_SRC = $(sort $(wildcard src/*.c src/host/*.c src/plan/*.c src/guest/*.c src/emit/*.c))
CLI_SRC = $(sort $(wildcard src/cli/*.c))
CORE_OBJ = $(CORE_SRC:.c=.o)
CLI_OBJ = $(CLI_SRC:.c=.o)
INCLUDES = $(SRCDIRS:%=-I%)
UNIT = $(patsubst tests/unit/%.c,tests/unit/%,$(wildcard tests/unit/test_*.c))
FUZZ = $(patsubst tests/fuzz/%.c,tests/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
DEPS = $(CORE_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT:=.d) $(FUZZ:=.d)
# make fuzz: libFuzzer with ASan and UBSan, FUZZ_SECONDS per target (or until FUZZ_RUNS inputs)
FUZZCC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_RUNS ?=
FUZZ_TARGETS ?= $(FUZZ:tests/fuzz/fuzz_%=%)
FUZZ_CFLAGS = -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -DPL_FUZZ -std=gnu11 \
	-D_GNU_SOURCE -DPL_VERSION='"$(VERSION)"' $(INCLUDES) $(shell $(PKG_CONFIG) --cflags $(PKGS))
FUZZ_OBJ = $(CORE_SRC:%.c=tests/fuzz/work/obj/%.o)

ifeq ($(V),1)
Q =
else
Q = @
endif

all: pcilink

# rebuild everything when the flags change (SANITIZE=1 and back)
FLAGS_STAMP = src/.build-flags
$(FLAGS_STAMP): FORCE
	@echo '$(CC) $(CFLAGS) $(LDFLAGS)' | cmp -s - $@ || echo '$(CC) $(CFLAGS) $(LDFLAGS)' > $@
$(CORE_OBJ) $(CLI_OBJ): $(FLAGS_STAMP)
FORCE:

pcilink: $(CLI_OBJ) src/libpcilink.a
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

src/libpcilink.a: $(CORE_OBJ)
	$(Q)$(AR) rcs $@ $^

%.o: %.c
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

tests/unit/test_%: tests/unit/test_%.c src/libpcilink.a tests/unit/harness.h
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< src/libpcilink.a $(LDLIBS)

tests/fuzz/fuzz_%: tests/fuzz/fuzz_%.c src/libpcilink.a tests/fuzz/replay.h
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< src/libpcilink.a $(LDLIBS)

-include $(DEPS) $(FUZZ_OBJ:.o=.d)

# Install the Debian packages the build and the tests need (root only; no-op when present).
deps:
	$(Q)sh tests/deps.sh build

# the sub-make sees the pkg-config flags of the packages deps.sh just installed
demo:
	$(Q)sh tests/deps.sh build
	$(Q)$(MAKE) --no-print-directory pcilink
	./pcilink probe --dump examples/gpu-workstation.lspci --ids examples/pci.ids 03:00 05:00.0 06:00.0 07:00.0
	@echo
	./pcilink gen-qemu-args --dump examples/gpu-workstation.lspci --qemu-version 8.1 --split-functions 03:00 05:00.0 07:00

check: 
	$(Q)sh tests/deps.sh test
	$(Q)$(MAKE) --no-print-directory pcilink $(UNIT) $(FUZZ)
	$(Q)PYTHON=$(PYTHON) SANITIZE=$(SANITIZE) sh tests/run-all.sh $(UNIT)

# The golden runs (dumps and sysfs trees) under valgrind: no error, no definite leak
check-valgrind: pcilink
	$(Q)sh tests/sysfs.sh >/dev/null 2>&1 || true
	$(Q)mkdir -p tests/out
	$(Q)for d in tests/golden tests/golden-sysfs; do \
		VALGRIND=1 GOLDEN_DIR=$$d sh tests/run-golden.sh > tests/out/valgrind-$${d#tests/}.log 2>&1; \
		rc=$$?; echo "valgrind $$d: $$(tail -n 1 tests/out/valgrind-$${d#tests/}.log)"; \
		[ $$rc = 0 ] || { grep -A12 FAIL tests/out/valgrind-$${d#tests/}.log | head -n 40; exit 1; }; \
	done

# Benchmarks against lspci on synthetic hosts; writes BENCHMARKS.md
bench: pcilink
	$(PYTHON) tests/bench.py

# Coverage-guided fuzzing of every target for FUZZ_SECONDS each; new inputs go to tests/fuzz/work,
# findings to tests/fuzz/work/crash-*. Copy a finding into tests/fuzz/corpus/TARGET once fixed.
# Four frames of allocation stack (ASan's default 30) and a 16 MiB quarantine of freed memory
# (256) make malloc-heavy targets 1.6 to 1.8x faster; a finding replays with full stacks.
fuzz: $(FUZZ_TARGETS:%=tests/fuzz/work/lf_%)
	$(Q)for t in $(FUZZ_TARGETS); do \
		echo "  FUZZ    $$t ($(FUZZ_SECONDS) s$(if $(FUZZ_RUNS), or $(FUZZ_RUNS) runs))"; \
		mkdir -p tests/fuzz/work/$$t; \
		ASAN_OPTIONS=$${ASAN_OPTIONS:-malloc_context_size=4:quarantine_size_mb=16} \
		tests/fuzz/work/lf_$$t -max_total_time=$(FUZZ_SECONDS) $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS)) -print_final_stats=1 -timeout=10 \
			-artifact_prefix=tests/fuzz/work/ tests/fuzz/work/$$t tests/fuzz/corpus/$$t \
			$$(case $$t in dump*) echo examples tests/data/bad;; esac) 2>&1 | \
			grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss)|^#[0-9]+ +DONE|ERROR|SUMMARY'; \
		for f in tests/fuzz/work/crash-* tests/fuzz/work/leak-* tests/fuzz/work/timeout-*; do \
			[ ! -e "$$f" ] || { echo "fuzz: finding $$f (see above)"; exit 1; }; done; \
	done

# the library compiled once with coverage and sanitizers; each target links it with libFuzzer
tests/fuzz/work/obj/%.o: %.c
	@mkdir -p $(@D)
	@echo "  FUZZCC  $<"
	$(Q)$(FUZZCC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

tests/fuzz/work/lf_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJ)
	@echo "  FUZZLD  $@"
	$(Q)$(FUZZCC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) $(LDLIBS)

install: pcilink
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 755 pcilink $(DESTDIR)$(BINDIR)/pcilink
	install -m 644 man/pcilink.1 $(DESTDIR)$(MANDIR)/man1/pcilink.1
	install -m 644 completions/pcilink.bash $(DESTDIR)$(BASHCOMPDIR)/pcilink
	install -m 644 completions/_pcilink $(DESTDIR)$(ZSHCOMPDIR)/_pcilink
	install -m 644 completions/pcilink.fish $(DESTDIR)$(FISHCOMPDIR)/pcilink.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/pcilink $(DESTDIR)$(MANDIR)/man1/pcilink.1 \
		$(DESTDIR)$(BASHCOMPDIR)/pcilink $(DESTDIR)$(ZSHCOMPDIR)/_pcilink \
		$(DESTDIR)$(FISHCOMPDIR)/pcilink.fish

format:
	clang-format -i $(wildcard $(SRCDIRS:%=%/*.[ch])) tests/unit/*.c tests/unit/*.h

clean:
	rm -f pcilink $(SRCDIRS:%=%/*.o) $(SRCDIRS:%=%/*.d) src/*.a $(FLAGS_STAMP) $(UNIT) tests/unit/*.d $(FUZZ) tests/fuzz/*.d
	rm -rf tests/out tests/fuzz/work

.PHONY: all deps demo check check-valgrind bench fuzz install uninstall format clean FORCE
