/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target, differential: src/host/dumpread.c against libpci's own dump reader on the same bytes.
 * Where ours reads a dump, libpci must read it too, with the same functions in the reverse order
 * (it prepends), the same length and the same bytes. Where ours defers for a line libpci refuses
 * (too long, unterminated, NUL, malformed bytes), libpci must refuse it. Offsets past 4096 are
 * not given to libpci: 3.9 writes before its buffer for those (pcilink refuses them first).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <pci/pci.h>

#include "dumpread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static jmp_buf jb;

static void on_error(char *fmt, ...) __attribute__((noreturn));
static void on_error(char *fmt, ...)
{
	(void)fmt;
	longjmp(jb, 1);
}

static void on_warning(char *fmt, ...)
{
	(void)fmt;
}

static void differ(const char *what, size_t i)
{
	fprintf(stderr, "dumpread: differs from libpci: %s (function %zu)\n", what, i);
	abort();
}

static void compare(struct pci_access *a, const struct pl_dump *d)
{
	size_t i = d->n;
	uint8_t buf[PL_CFG_SIZE];

	for (struct pci_dev *p = a->devices; p; p = p->next) {
		const struct pl_dump_fn *f;
		unsigned len;

		if (!i)
			differ("libpci has more functions", d->n);
		f = &d->fns[--i];
		if ((unsigned)p->domain != f->bdf.domain || p->bus != f->bdf.bus || p->dev != f->bdf.dev ||
		    p->func != f->bdf.fn)
			differ("slot", i);
		/* libpci's length: a read ending at len works, one byte more does not */
		if (f->len && !pci_read_block(p, 0, (uint8_t[4096]){ 0 }, (int)f->len))
			differ("length too long", i);
		if (f->len < 4096 && pci_read_block(p, 0, (uint8_t[4096]){ 0 }, (int)f->len + 1))
			differ("length too short", i);
		len = f->len < PL_CFG_SIZE ? f->len : PL_CFG_SIZE;
		if (len && (!pci_read_block(p, 0, buf, (int)len) || memcmp(buf, f->bytes, len)))
			differ("bytes", i);
	}
	if (i)
		differ("libpci has fewer functions", i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pl_dump d;
	const char *why;
	int rc = pl_dump_parse((const char *)data, size, &d, &why);
	struct pci_access *volatile a = NULL;
	char path[64];
	int fd;

	if (rc == PL_ENOMEM || (rc == PL_DUMP_DEFER && strstr(why, "4096")))
		goto out;
	fd = memfd_create("fuzz-dumpread", 0);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		goto out_fd;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	a = pci_alloc();
	a->error = on_error;
	a->warning = on_warning;
	a->method = PCI_ACCESS_DUMP;
	if (setjmp(jb)) {
		/* libpci refused the file: ours must have deferred */
		if (rc != PL_DUMP_DEFER)
			differ("libpci refused a dump we read", 0);
		goto out_pci;
	}
	pci_set_param(a, "dump.name", path);
	pci_init(a);
	pci_scan_bus(a);
	if (rc == PL_OK)
		compare(a, &d);
	else if (strstr(why, "too long") || strstr(why, "NUL") || strstr(why, "malformed"))
		differ("libpci read a dump we found broken", 0);
out_pci:
	if (!setjmp(jb))
		pci_cleanup(a);
out_fd:
	if (fd >= 0)
		close(fd);
out:
	pl_dump_free(&d);
	return 0;
}

#ifndef PL_FUZZ
#include "replay.h"
#endif
