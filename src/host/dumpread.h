/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fast reader for lspci -x/-xxx/-xxxx dumps that finds exactly what libpci's reader
 * (lib/dump.c, pciutils 3.9) finds, or steps aside. Pure: text in, functions out. Whatever
 * libpci would refuse, warn about or read oddly (long or unterminated lines, malformed bytes,
 * offsets past 4096, a hex function digit) makes it defer, and libpci
 * then reads the file and reports as it always did: libpci stays the authority.
 */
#ifndef PL_DUMPREAD_H
#define PL_DUMPREAD_H

#include "model.h"

/* One function of a dump: its first PL_CFG_SIZE bytes, 0xff where the dump is silent. */
struct pl_dump_fn {
	struct pl_bdf bdf;
	unsigned len;                   /* libpci's length: the highest offset given + 1 (<= 4096) */
	uint8_t bytes[PL_CFG_SIZE];
};

struct pl_dump {
	struct pl_dump_fn *fns;         /* in file order; a slot listed twice is here twice, as in
					 * libpci, and pl_system_index() reports it */
	size_t n, cap;
};

/*
 * Parse a whole dump of size bytes. PL_OK: d holds every function. 1: deferred, *why says
 * what libpci must judge (d is empty). PL_ENOMEM. Free d with pl_dump_free() in every case.
 */
#define PL_DUMP_DEFER 1
int pl_dump_parse(const char *text, size_t size, struct pl_dump *d, const char **why);

void pl_dump_free(struct pl_dump *d);

#endif
