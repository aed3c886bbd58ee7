/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plan as libvirt domain XML: the elements to paste (snippet), or merged into a whole domain.
 * libvirt has no link speed/width of its own: each port is a pcie-root-port controller with a
 * user alias, and a <qemu:override> (libvirt 8.2+) sets x-speed/x-width on that alias; before
 * 8.2 only <qemu:commandline> -global, which changes every root port of the VM.
 */
#ifndef PL_LIBVIRT_H
#define PL_LIBVIRT_H

#include <stdbool.h>

#include <libxml/tree.h>

#include "model.h"
#include "plan.h"

#define PL_LV_QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"
#define PL_LV_FIRST_INDEX 16    /* snippet mode's first controller index */

/* Where one plan port goes in the domain. */
struct pl_lv_port {
	int index;                      /* controller index = the guest bus of its functions */
	int chassis, port;
	int slot, fn;                   /* on pcie-root (bus 0x00) */
	bool multifunction;
	bool reused;                    /* merge: the controller with this alias was there */
};

struct pl_lv {
	/* in */
	int first_index;                /* snippet: first controller index; merge: lowest, -1 = any */
	int major, minor;               /* --libvirt-version; 0.0: 8.2 or newer */
	xmlDoc *dom;                    /* merge mode: the domain (edited in place); NULL: snippet */
	const char *dom_name;           /* for messages: the file name, "-" is "standard input" */
	bool had_decl;                  /* the input began with <?xml ...?> */
	/* out (pl_lv_prepare) */
	struct pl_lv_port *ports;       /* one per plan port */
	bool global;                    /* libvirt < 8.2: -global in <qemu:commandline> */
	int g_speed, g_width;           /* the one link every port has (global) */
	struct pl_diag *warnings, **warn_tail;
	char err[512];                  /* why a call failed */
};

/* Version checks: does the target libvirt have it? (0.0 = new enough) */
bool pl_lv_has(const struct pl_lv *lv, int major, int minor);

/*
 * Merge mode: parse a domain (buf, len; name for messages), no network, no entity expansion;
 * refuse what is not well-formed (with the line), not a <domain>, not q35, or without a
 * PCI Express root. 0 or a negative PL_E* code with lv->err set.
 */
int pl_lv_read_domain(struct pl_lv *lv, const char *buf, size_t len, const char *name);
/* The domain's <emulator>, or NULL (merge mode). Valid until pl_lv_free. */
const char *pl_lv_emulator(const struct pl_lv *lv);

/*
 * Decide where each plan port goes: snippet mode from lv->first_index and the plan's layout;
 * merge mode around what the domain already holds (indices, chassis, ports, root-bus slots,
 * aliases), reusing the controllers and host devices a previous run added. Also decides
 * override or -global and refuses -global when ports differ. 0 or PL_E* with lv->err set.
 */
int pl_lv_prepare(const struct pl_plan *plan, struct pl_lv *lv);
/* Merge mode: add or update the controllers, host devices and override in lv->dom. */
int pl_lv_merge(const struct pl_plan *plan, struct pl_lv *lv);
void pl_lv_free(struct pl_lv *lv);

/* Element builders (no whitespace inside; pl_lv_indent lays them out). ns: the qemu namespace. */
xmlNode *pl_lv_controller(const struct pl_plan *plan, const struct pl_lv *lv, size_t i);
xmlNode *pl_lv_hostdev(const struct pl_lv *lv, size_t i, const struct pl_plan_fn *f);
xmlNode *pl_lv_alias(const char *id);
xmlNode *pl_lv_guest_address(const struct pl_lv *lv, size_t i, const struct pl_plan_fn *f);
xmlNode *pl_lv_override_device(const struct pl_plan_port *p, xmlNs *ns);
xmlNode *pl_lv_property(xmlNs *ns, const char *name, const char *value);
/* "-global" "pcie-root-port.x-speed=16" ...: the commandline's argument values, NULL-ended. */
void pl_lv_global_args(const struct pl_lv *lv, char out[4][48]);
/* Add whitespace text nodes inside n so that it reads as if placed at indent (unit deeper). */
void pl_lv_indent(xmlNode *n, const char *indent, const char *unit);

#endif
