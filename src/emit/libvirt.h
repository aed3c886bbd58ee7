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
#include <stdio.h>

#include <libxml/tree.h>

#include "model.h"
#include "plan.h"

#define PL_LV_QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"
#define PL_LV_FIRST_INDEX 16    /* snippet mode's first controller index */

/*
 * The input's bytes, mapped (libvirt_bytes.c): per element its tags and attributes as byte
 * offsets, paired with libxml2's nodes through node->_private; edits spliced in on output.
 */
#define PL_LVB_DEPTH 256                /* deepest nesting mapped */
#define PL_LVB_LEAD 256                 /* longest indentation kept */

struct pl_lvb_attr {
	size_t n0, n1;                  /* name */
	size_t v0, v1;                  /* value, inside the quotes */
	char quote;
};

struct pl_lvb_el {
	size_t s0, s1;                  /* start tag: '<' .. past '>' */
	size_t e0, e1;                  /* end tag; both s1 for <x/> */
	size_t n0, n1;                  /* qualified name */
	size_t a0, a1;                  /* its attributes in pl_lvb.at */
	size_t tagend;                  /* the '/' of "/>" or the '>' of the start tag */
	bool empty;                     /* <x/> */
};

struct pl_lvb_ed {
	size_t from, to;                /* replace [from, to) by text (from == to: insert) */
	char *text;
	size_t seq;                     /* insertions at one place keep their order */
};

struct pl_lvb {
	const char *buf;
	size_t len;
	struct pl_lvb_el *el;
	size_t nel, elcap;
	struct pl_lvb_attr *at;
	size_t nat, atcap;
	struct pl_lvb_ed *ed;
	size_t ned, edcap;
	const char *nl;                 /* "\n" or "\r\n", as the document has it */
	char quote;                     /* the document's usual attribute quote */
	bool spaced_empty;              /* it writes "<x />" */
	bool oom;
};

/* Scan buf (well-formed: libxml2 said so) and pair its elements with root's tree: 0 or -1. */
int pl_lvb_map(struct pl_lvb *b, const char *buf, size_t len, xmlNode *root);
void pl_lvb_free(struct pl_lvb *b);
const struct pl_lvb_el *pl_lvb_el(const xmlNode *n);
const struct pl_lvb_attr *pl_lvb_attr(const struct pl_lvb *b, const xmlNode *n, const char *name);
/* Replace bytes [from, to) with text (an insertion when from == to). 0 or -1 (no memory). */
int pl_lvb_edit(struct pl_lvb *b, size_t from, size_t to, const char *text);
/* The input with every edit applied. 0 or -1. */
int pl_lvb_write(struct pl_lvb *b, FILE *out);
/* The indentation before n on its line ("" when something else precedes it there). */
void pl_lvb_lead(const struct pl_lvb *b, const xmlNode *n, char *out, size_t len);
/* The offset of the line break before n (n's whole line goes with it), else n's start. */
size_t pl_lvb_line_start(const struct pl_lvb *b, const xmlNode *n);
/* An attribute value escaped for its quote character. */
void pl_lvb_escape(const char *v, char quote, char *out, size_t len);
/* A new element (built with the pl_lv_* builders) as text at indentation ind: malloc'd. */
char *pl_lvb_render(const struct pl_lvb *b, const xmlNode *n, const char *ind, const char *unit);

/* Where one plan port goes in the domain. */
struct pl_lv_port {
	int index;                      /* controller index = the guest bus of its functions */
	int chassis, port;
	int bus;                        /* the index of its bus: 0 pcie-root, else its expander's */
	int slot, fn;                   /* on that bus */
	bool multifunction;
	bool reused;                    /* merge: the controller with this alias was there */
};

/* Where one plan expander (pcie-expander-bus, --numa) goes: on pcie-root, busNr from the plan. */
struct pl_lv_pxb {
	int index;
	int bus_nr;
	int slot;
};

struct pl_lv {
	/* in */
	int first_index;                /* snippet: first controller index; merge: lowest, -1 = any */
	int major, minor;               /* --libvirt-version; 0.0: 8.2 or newer */
	xmlDoc *dom;                    /* merge mode: the domain (edited in place); NULL: snippet */
	const char *dom_name;           /* for messages: the file name, "-" is "standard input" */
	bool addr_given;                /* --first-addr was given: say when it is taken */
	struct pl_lvb src;              /* merge mode: the input's bytes and the edits to them */
	char *buf;                      /* merge mode: a copy of the input */
	const char *qprefix;            /* the qemu namespace's prefix for new elements ("" none;
					 * the document's own string, any length) */
	bool qdecl_root;                /* add xmlns:PREFIX to <domain> */
	bool qdecl_own;                 /* declare it on each new top-level qemu element instead */
	bool stray_qemu;                /* undeclared "qemu:" elements become qemu ones */
	xmlNode **drop;                 /* merge: pcilink's own ports that lost their devices */
	size_t ndrop;
	/* out (pl_lv_prepare) */
	struct pl_lv_port *ports;       /* one per plan port */
	struct pl_lv_pxb *pxbs;         /* one per plan expander */
	bool global;                    /* libvirt < 8.2: -global in <qemu:commandline> */
	int g_speed, g_width;           /* the one link every port has (global) */
	struct pl_diag *warnings, **warn_tail;
	char err[512];                  /* why a call failed */
};

/* Version checks: does the target libvirt have it? (0.0 = new enough) */
bool pl_lv_has(const struct pl_lv *lv, int major, int minor);
/* Does the controller get a hotplug attribute (--hotplug, QEMU and libvirt 6.3+ have it)? */
bool pl_lv_hotplug_attr(const struct pl_plan *plan, const struct pl_lv *lv);

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
/* The pcie-expander-bus of plan expander j: busNr, the guest NUMA node, alias ua-pxb-nodeG. */
xmlNode *pl_lv_expander(const struct pl_plan *plan, const struct pl_lv *lv, size_t j);
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
