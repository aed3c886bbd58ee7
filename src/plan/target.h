/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What runs the guest: the target QEMU (asked, not assumed) and the host kernel. */
#ifndef PL_TARGET_H
#define PL_TARGET_H

#include "plan.h"

/*
 * Fill q from, in this order: version ("X.Y[.Z]", --qemu-version), binary (--qemu: its
 * --version and "-device pcie-root-port,help"), qemu-system-x86_64 on PATH. With none of them,
 * plan for the newest QEMU and set *guessed. Returns 0, or PL_EINVAL/PL_ENOENT with err set.
 */
int pl_target_qemu(const char *version, const char *binary, struct pl_qemu *q, bool *guessed,
		   char *err, size_t errlen);

/* The running kernel's major.minor (uname); 0.0 when it cannot be read. */
void pl_target_kernel(int *major, int *minor);

#endif
