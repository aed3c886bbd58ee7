/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The only door to the system: libpci (live sysfs, another sysfs root, dump files). Read-only. */
#ifndef PL_ACCESS_H
#define PL_ACCESS_H

#include "model.h"

struct pl_access_opts {
	enum pl_source_kind kind;
	const char *path;       /* dump file ("-" = stdin) or sysfs root (the folder holding bus/pci) */
	const char *ids_file;   /* pci.ids to use, NULL for libpci's default */
	bool names;             /* look up vendor and device names */
	bool drivers_at_scan;   /* read every function's driver while scanning (default selection) */
};

/*
 * Scan the source into a new system: every function with its identity; config space and OS
 * properties are read later by pl_system_load(). On failure returns a PL_E* code and leaves
 * a message in err ("dump: ...", "cannot open ...").
 */
int pl_access_open(const struct pl_access_opts *o, struct pl_system **out, char *err, size_t errlen);

/* Release libpci; the system stays valid but can load nothing more. */
void pl_access_close(struct pl_system *sys);

/*
 * Mark functions matching an lspci selector as selected: slot is -s syntax
 * ([[[[dom]:]bus]:][slot][.[func]]), id is -d syntax ([vendor]:[device][:class]); either may be
 * NULL. Returns the number matched, or PL_EINVAL with the parser's complaint in err.
 */
int pl_access_select(struct pl_system *sys, const char *slot, const char *id, char *err, size_t errlen);

/* 1 when d matches the selector (either part may be NULL), 0 when not, PL_EINVAL on bad syntax. */
int pl_access_matches(struct pl_system *sys, struct pl_dev *d, const char *slot, const char *id, char *err,
		      size_t errlen);

/* Read config space, OS properties and decode one function (idempotent). */
int pl_system_load(struct pl_system *sys, struct pl_dev *d);

#endif
