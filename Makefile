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

PKGS = libpci yaml-0.1 json-c libxml-2.0

# make demo / make check first install what a fresh Debian 12 lacks (as root)
ifeq ($(filter deps clean format check-format,$(MAKECMDGOALS))$(shell $(PKG_CONFIG) --exists $(PKGS) 2>/dev/null && echo ok),)
$(info pcilink: build dependencies missing; run 'make deps' as root (or 'make demo' / 'make check'))
endif

override CFLAGS += -std=gnu11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter -D_GNU_SOURCE -DPL_VERSION='"$(VERSION)"' -MMD -MP \
	$(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LDLIBS += $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
ifneq ($(SANITIZE),)
override CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
override LDFLAGS += -fsanitize=address,undefined
endif

CORE = model decode device access topology analysis plan target util emit emit_report emit_yaml \
	emit_text emit_plan emit_qemu
CLI = main cli cli_plan cmd_probe cmd_gen_qemu
CORE_OBJ = $(CORE:%=src/%.o)
CLI_OBJ = $(CLI:%=src/%.o)
UNIT = $(patsubst tests/unit/%.c,tests/unit/%,$(wildcard tests/unit/test_*.c))
DEPS = $(CORE_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT:=.d)

ifeq ($(V),1)
Q =
else
Q = @
endif

all: pcilink

pcilink: $(CLI_OBJ) src/libpcilink.a
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

src/libpcilink.a: $(CORE_OBJ)
	$(Q)$(AR) rcs $@ $^

src/%.o: src/%.c
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

tests/unit/test_%: tests/unit/test_%.c src/libpcilink.a tests/unit/harness.h
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) -Isrc $(LDFLAGS) -o $@ $< src/libpcilink.a $(LDLIBS)

-include $(DEPS)

# Install the Debian packages the build and the tests need (root only; no-op when present).
deps:
	$(Q)sh tests/deps.sh build

demo: deps pcilink
	./pcilink probe --dump examples/gpu-workstation.lspci --ids examples/pci.ids --all
	@echo
	./pcilink probe --dump examples/gpu-workstation.lspci --ids examples/pci.ids 01:00.0 --format json | head -40

check: 
	$(Q)sh tests/deps.sh test
	$(Q)$(MAKE) --no-print-directory pcilink $(UNIT)
	$(Q)PYTHON=$(PYTHON) SANITIZE=$(SANITIZE) sh tests/run-all.sh $(UNIT)

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
	clang-format -i src/*.c src/*.h tests/unit/*.c tests/unit/*.h

clean:
	rm -f pcilink src/*.o src/*.d src/*.a $(UNIT) tests/unit/*.d
	rm -rf tests/out

.PHONY: all deps demo check install uninstall format clean
