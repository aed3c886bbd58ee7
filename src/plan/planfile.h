/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Plan files: one VM's assignment in YAML (man/pcilink.1, PLAN FILES). The only YAML reader. */
#ifndef PL_PLANFILE_H
#define PL_PLANFILE_H

#include <stdbool.h>

#include "plan.h"

/* One entry of "devices:": a selector (slot and/or id, lspci syntax) and its link settings. */
struct pl_pf_dev {
	char *slot, *id;
	int speed, width;       /* 0 = not set */
	int policy;             /* enum pl_policy, -1 = not set */
	int numa_node;          /* the host NUMA node (for dumps), -1 = not set */
	unsigned line;
};

struct pl_planfile {
	int policy;                     /* -1 = not set */
	char *qemu, *qemu_version, *libvirt_version, *kernel_version;
	char *bus;
	int first_addr, first_chassis;  /* -1 = not set */
	int split;                      /* -1, 0, 1 */
	int hotplug;                    /* -2 not set, 0 off, 1 on */
	int numa;                       /* -1, 0, 1 */
	char *numa_map;                 /* "HOST=GUEST,...", checked by the caller */
	struct pl_pf_dev *devs;
	size_t ndevs;
};

/*
 * Read FILE ("-" = stdin) into pf. Returns 0, or PL_EINVAL/PL_ENOENT with "FILE:LINE:COL: what"
 * in err: unknown keys, wrong types, values QEMU does not have, a schema version not 1.
 */
int pl_planfile_read(const char *file, struct pl_planfile *pf, char *err, size_t errlen);
void pl_planfile_free(struct pl_planfile *pf);

#endif
