/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small readers of a libvirt domain's tree, shared by the merge's allocation and its edits. */
#ifndef PL_LIBVIRT_DOM_H
#define PL_LIBVIRT_DOM_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libvirt.h"

#define X(s) ((const xmlChar *)(s))

/* How libvirt reads each number: controller index in decimal (virXMLPropInt base 10), chassis,
 * port, busNr and PCI addresses like strtol base 0 ("0x10", "010" is octal 8). */
enum { LV_DEC = 10, LV_ANY = 0 };

static inline bool lv_is(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && !n->ns && !strcmp((const char *)n->name, name);
}

/* An element of the qemu namespace, by URI; with stray, also an undeclared "qemu:name". */
static inline bool lv_is_qemu(const xmlNode *n, const char *name, bool stray)
{
	if (!n || n->type != XML_ELEMENT_NODE)
		return false;
	if (n->ns && n->ns->href && !strcmp((const char *)n->ns->href, PL_LV_QEMU_NS))
		return !strcmp((const char *)n->name, name);
	return stray && !n->ns && !strncmp((const char *)n->name, "qemu:", 5) &&
	       !strcmp((const char *)n->name + 5, name);
}

static inline xmlNode *lv_child(const xmlNode *parent, const char *name)
{
	for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
		if (lv_is(c, name))
			return c;
	return NULL;
}

/* An attribute's text, or NULL; free with xmlFree. */
static inline char *lv_prop(const xmlNode *n, const char *name)
{
	return n ? (char *)xmlGetNoNsProp(n, X(name)) : NULL;
}

static inline bool lv_prop_is(const xmlNode *n, const char *name, const char *want)
{
	char *v = lv_prop(n, name);
	bool r = v && !strcmp(v, want);

	xmlFree(v);
	return r;
}

/* A number attribute read as libvirt reads it: 1 found, 0 absent, -1 not a number. */
static inline int lv_num(const xmlNode *n, const char *name, int base, long *out)
{
	char *v = lv_prop(n, name), *end;
	int r = 1;

	if (!v)
		return 0;
	errno = 0;
	*out = strtol(v, &end, base);
	if (errno || end == v || *end || *out < 0)
		r = -1;
	xmlFree(v);
	return r;
}

static inline xmlNode *lv_first_element(const xmlNode *parent)
{
	for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return c;
	return NULL;
}

/* pcilink's own root ports are named so (the plan's port ids all start with "rp-"). */
static inline bool lv_pcilink_port(const xmlNode *d)
{
	char *a = lv_prop(lv_child(d, "alias"), "name");
	bool r = a && !strncmp(a, "ua-rp-", 6) && lv_is(d, "controller") && lv_prop_is(d, "type", "pci") &&
		 lv_prop_is(d, "model", "pcie-root-port");

	xmlFree(a);
	return r;
}

static inline void lv_fail(struct pl_lv *lv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Why a call failed, into lv->err. */
static inline void lv_fail(struct pl_lv *lv, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(lv->err, sizeof(lv->err), fmt, ap);
	va_end(ap);
}

#define lv_warn(lv, ...) pl_diag_add(&(lv)->warnings, &(lv)->warn_tail, __VA_ARGS__)

/* The domain's name for messages. */
static inline const char *lv_name(const struct pl_lv *lv)
{
	return lv->dom_name ? lv->dom_name : "the domain";
}

/* libvirt_numa.c: --numa in merge mode (cells, expanders, ports on them); idx and rootfns updated. */
int pl_lv_numa_place(const struct pl_plan *plan, struct pl_lv *lv, xmlNode *root, xmlNode *devices, bool *idx,
		     uint8_t *rootfns, int next_idx);

#endif
