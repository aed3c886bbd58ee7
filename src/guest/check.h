/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The check rules: a guest model plus the host's analysis in, findings out. Pure. */
#ifndef PL_CHECK_H
#define PL_CHECK_H

#include "guest.h"
#include "model.h"

enum pl_sev { PL_SEV_INFO, PL_SEV_WARNING, PL_SEV_ERROR };

struct pl_finding {
	const char *code;       /* stable: man/pcilink.1, FINDINGS */
	enum pl_sev sev;
	char host[16];          /* host function DDDD:BB:DD.F, "" when none */
	char guest[64];         /* the guest device: its id, else where it was given */
	char msg[480];          /* one plain sentence */
	char fix[720];          /* the pcilink command that writes a configuration without it (and,
				 * for Proxmox, the lines it writes) */
};

struct pl_check_opts {
	/* the generator command a fix starts with: "pcilink gen-qemu-args --qemu-version 7.2"; the
	 * rules add --split-functions when that keeps AtomicOps, then the host functions */
	const char *fix_cmd;
	const char *fix_tail;   /* appended after the functions: "> new.xml", or NULL */
};

struct pl_findings {
	size_t n, cap;
	struct pl_finding *v;
};

/*
 * Run every rule over g (resolved) against the host sys (each assigned function looked up and
 * analysed; NULL: no host facts). Findings come in guest device order. 0 or PL_ENOMEM.
 */
int pl_check(const struct pl_guest *g, struct pl_system *sys, const struct pl_check_opts *o,
	     struct pl_findings *out);
void pl_findings_free(struct pl_findings *f);
/* A new finding at the end of f, every other field empty; NULL when out of memory. */
struct pl_finding *pl_findings_add(struct pl_findings *f, const char *code, enum pl_sev sev);
/*
 * check --guest: sys is the guest's own PCI view. plan (len bytes, NULL: none) is a generator's
 * --format json output. 0, or PL_EINVAL with err set (the plan is not one).
 */
int pl_check_inside(struct pl_system *sys, const char *plan, size_t len, struct pl_findings *out, char *err,
		    size_t errlen);
const char *pl_sev_name(enum pl_sev s);
/* How many findings of at least severity s. */
size_t pl_findings_count(const struct pl_findings *f, enum pl_sev s);

#endif
