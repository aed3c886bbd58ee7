/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What runs the guest: the target QEMU (asked, not assumed) and the host kernel. */
#ifndef PL_TARGET_H
#define PL_TARGET_H

#include "plan.h"

/* Where the target QEMU is named. */
struct pl_target_req {
	const char *version;    /* "X.Y[.Z]" (--qemu-version, a plan's qemu_version): nothing runs */
	const char *binary;     /* --qemu: the user's own choice, run as given */
	const char *named;      /* named by an input file (a plan's qemu, a domain's <emulator>) */
	const char *named_by;   /* where, for messages: "vm.xml: <emulator>" */
};

/*
 * Fill q from, in this order: version, binary (its --version and "-device pcie-root-port,help"),
 * named (only when pl_target_trusted() passes; else skipped says why and what was named),
 * qemu-system-x86_64 on PATH. With none of them, plan for the newest QEMU and set *guessed.
 * Returns 0, or PL_EINVAL/PL_ENOENT with err set.
 */
int pl_target_qemu(const struct pl_target_req *r, struct pl_qemu *q, bool *guessed, char *skipped,
		   size_t skiplen, char *err, size_t errlen);

/*
 * OpenSSH's rule for helper programs: NAME (a path, or looked up on PATH) resolves to a regular
 * executable file owned by root and writable by no one else, and so is every directory above it
 * up to /. Returns 0 with the resolved path, PL_ENOENT (it does not exist) or PL_EACCES, with
 * why set.
 */
int pl_target_trusted(const char *name, char *resolved, size_t len, char *why, size_t whylen);

/* The running kernel's major.minor (uname); 0.0 when it cannot be read. */
void pl_target_kernel(int *major, int *minor);

#endif
