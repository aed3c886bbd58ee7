/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Merge a plan into a libvirt domain: read the domain (libxml2, no network, no entities), find
 * what it already uses (controller indices, chassis and port numbers, root-bus slots, aliases,
 * host devices), place the plan's ports clear of all that, and edit the tree in place. Running
 * it again on its own output changes nothing: the controllers and host devices it added are
 * recognised by their aliases and host addresses and updated where they are. Whitespace,
 * comments and the order of everything else stay as they were.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "libvirt.h"

#define X(s) ((const xmlChar *)(s))
#define LEAD 256                        /* longest indentation kept */
#define MAXN 256                        /* controller indices, chassis and port numbers: 0..255 */

static void fail(struct pl_lv *lv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct pl_lv *lv, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(lv->err, sizeof(lv->err), fmt, ap);
	va_end(ap);
}

static const char *name_of(const struct pl_lv *lv)
{
	return lv->dom_name ? lv->dom_name : "the domain";
}

/* --- reading ------------------------------------------------------------------------------- */

struct xml_err {
	int line;
	char msg[300];
};

/* libxml2 never prints: the first error is kept and reported as one line by the caller */
static void on_error(void *ctx, xmlErrorPtr e)
{
	struct xml_err *x = ctx;
	size_t n;

	if (!e || e->level < XML_ERR_ERROR || e->domain == XML_FROM_NAMESPACE || x->msg[0])
		return;
	x->line = e->line;
	snprintf(x->msg, sizeof(x->msg), "%s", e->message ? e->message : "parse error");
	n = strlen(x->msg);
	while (n && (x->msg[n - 1] == '\n' || x->msg[n - 1] == ' '))
		x->msg[--n] = 0;
	if (x->msg[0] >= 'A' && x->msg[0] <= 'Z' && !(x->msg[1] >= 'A' && x->msg[1] <= 'Z'))
		x->msg[0] = (char)(x->msg[0] - 'A' + 'a');
}

static bool is(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && !n->ns && !strcmp((const char *)n->name, name);
}

static bool is_qemu(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
	       !strcmp((const char *)n->ns->href, PL_LV_QEMU_NS) && !strcmp((const char *)n->name, name);
}

static xmlNode *child(const xmlNode *parent, const char *name)
{
	for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
		if (is(c, name))
			return c;
	return NULL;
}

/* An attribute's text, or NULL; free with xmlFree. */
static char *prop(const xmlNode *n, const char *name)
{
	return (char *)xmlGetNoNsProp(n, X(name));
}

static bool prop_is(const xmlNode *n, const char *name, const char *want)
{
	char *v = prop(n, name);
	bool r = v && !strcmp(v, want);

	xmlFree(v);
	return r;
}

/* A number attribute (decimal or 0x hex): 1 found, 0 absent, -1 not a number. */
static int num(const xmlNode *n, const char *name, long *out)
{
	char *v = prop(n, name), *end;
	int r = 1;

	if (!v)
		return 0;
	errno = 0;
	*out = strtol(v, &end, 0);
	if (errno || end == v || *end || *out < 0)
		r = -1;
	xmlFree(v);
	return r;
}

int pl_lv_read_domain(struct pl_lv *lv, const char *buf, size_t len, const char *name)
{
	struct xml_err x = { 0 };
	xmlParserCtxt *ctxt;
	xmlNode *root, *os, *type;
	char *machine;
	size_t i = 0;

	lv->dom_name = name;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
		i++;
	if (len - i >= 3 && !memcmp(buf + i, "\xef\xbb\xbf", 3))
		i += 3;
	lv->had_decl = len - i >= 5 && !memcmp(buf + i, "<?xml", 5);
	ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return PL_ENOMEM;
	xmlSetStructuredErrorFunc(&x, on_error);
	/* no network, no entity substitution, no DTD loading; whitespace kept as it is */
	lv->dom = xmlCtxtReadMemory(ctxt, buf, (int)len, name, NULL, XML_PARSE_NONET);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (!lv->dom || !ctxt->wellFormed) {
		if (!x.msg[0])
			snprintf(x.msg, sizeof(x.msg), "parse error");
		fail(lv, "%s:%d: not well-formed XML: %s", name, x.line, x.msg);
		xmlFreeParserCtxt(ctxt);
		return PL_EINVAL;
	}
	xmlFreeParserCtxt(ctxt);
	root = xmlDocGetRootElement(lv->dom);
	if (!is(root, "domain")) {
		fail(lv, "%s: not a libvirt domain: the root element is <%s>, not <domain>", name,
		     root ? (const char *)root->name : "");
		return PL_EINVAL;
	}
	os = child(root, "os");
	type = child(os, "type");
	machine = type ? prop(type, "machine") : NULL;
	if (!machine) {
		fail(lv, "%s: no machine type in <os><type machine=...>: libvirt would choose i440fx "
			 "('pc'), which has no PCI Express root ports; use machine='q35'", name);
		return PL_EINVAL;
	}
	if (strcmp(machine, "q35") && strncmp(machine, "pc-q35-", 7)) {
		fail(lv, "%s: machine type '%s' is not q35: PCI Express root ports need a q35 machine "
			 "(machine='q35' or 'pc-q35-*')", name, machine);
		xmlFree(machine);
		return PL_EINVAL;
	}
	xmlFree(machine);
	return PL_OK;
}

const char *pl_lv_emulator(const struct pl_lv *lv)
{
	xmlNode *root = lv->dom ? xmlDocGetRootElement(lv->dom) : NULL;
	xmlNode *e = child(child(root, "devices"), "emulator");

	/* the node's text content: one text child in practice */
	if (e && e->children && e->children->type == XML_TEXT_NODE && !e->children->next)
		return (const char *)e->children->content;
	return NULL;
}

/* --- what the domain already uses ------------------------------------------------------------- */

struct scan {
	xmlNode *root, *devices, *empty;
	bool idx[MAXN], chassis[MAXN], port[MAXN];
	bool slot[32];                  /* root-bus slots in use (any function) or reserved */
	bool bus[MAXN];                 /* buses other devices sit on */
	int max_idx;
	xmlNode **ctrl;                 /* per plan port: its controller from a previous run */
	xmlNode ***hd;                  /* per plan port and function: the hostdev for that host function */
};

static long line_of(const xmlNode *n)
{
	return xmlGetLineNo(n);
}

static bool owned(const struct pl_plan *plan, const struct scan *s, const xmlNode *dev)
{
	for (size_t i = 0; i < plan->nports; i++) {
		if (s->ctrl[i] == dev)
			return true;
		for (int j = 0; j < plan->ports[i].nfn; j++)
			if (s->hd[i][j] == dev)
				return true;
	}
	return false;
}

/* Host address of a <hostdev type='pci'> or <interface type='hostdev'>: 0 or -1. */
static int source_bdf(const xmlNode *dev, struct pl_bdf *b)
{
	xmlNode *a = child(child(dev, "source"), "address");
	long d = 0, bus, slot, fn;

	if (!a || num(a, "domain", &d) < 0 || num(a, "bus", &bus) != 1 || num(a, "slot", &slot) != 1 ||
	    num(a, "function", &fn) != 1 || bus > 255 || slot > 31 || fn > 7)
		return -1;
	b->domain = (uint32_t)d;
	b->bus = (uint8_t)bus;
	b->dev = (uint8_t)slot;
	b->fn = (uint8_t)fn;
	return 0;
}

static bool same_bdf(const struct pl_bdf *a, const struct pl_bdf *b)
{
	return a->domain == b->domain && a->bus == b->bus && a->dev == b->dev && a->fn == b->fn;
}

static const char *dev_kind(const xmlNode *n, char *buf, size_t len)
{
	char *t = prop(n, "type"), *m = prop(n, "model");

	if (t && m)
		snprintf(buf, len, "<%s type='%s' model='%s'>", (const char *)n->name, t, m);
	else if (t)
		snprintf(buf, len, "<%s type='%s'>", (const char *)n->name, t);
	else
		snprintf(buf, len, "<%s>", (const char *)n->name);
	xmlFree(t);
	xmlFree(m);
	return buf;
}

/* Find which elements are pcilink's own (alias, host address) and refuse conflicts. */
static int find_owned(const struct pl_plan *plan, struct pl_lv *lv, struct scan *s)
{
	char want[64], k[96];

	for (size_t i = 0; i < plan->nports; i++) {
		const struct pl_plan_port *p = &plan->ports[i];
		xmlNode *hit = NULL;

		snprintf(want, sizeof(want), "ua-%s", p->id);
		for (xmlNode *d = s->devices->children; d; d = d->next) {
			xmlNode *a = child(d, "alias");

			if (!a || !prop_is(a, "name", want))
				continue;
			if (hit) {
				fail(lv, "%s: alias '%s' is on two elements (lines %ld and %ld): aliases must be "
					 "unique", name_of(lv), want, line_of(hit), line_of(d));
				return PL_EINVAL;
			}
			hit = d;
		}
		if (hit && !(is(hit, "controller") && prop_is(hit, "type", "pci") &&
			     prop_is(hit, "model", "pcie-root-port"))) {
			fail(lv, "%s:%ld: alias '%s' belongs to a %s, but pcilink names its root port so: "
				 "rename that alias", name_of(lv), line_of(hit), want, dev_kind(hit, k, sizeof(k)));
			return PL_EINVAL;
		}
		s->ctrl[i] = hit;
		for (int j = 0; j < p->nfn; j++) {
			const struct pl_plan_fn *f = &p->fns[j];
			xmlNode *by_alias = NULL, *by_src = NULL;
			char b[16];

			pl_bdf_fmt(&f->dev->bdf, b, sizeof(b));
			snprintf(want, sizeof(want), "ua-%s", f->id);
			for (xmlNode *d = s->devices->children; d; d = d->next) {
				xmlNode *a = child(d, "alias");
				struct pl_bdf src;

				if (a && prop_is(a, "name", want)) {
					if (by_alias) {
						fail(lv, "%s: alias '%s' is on two elements (lines %ld and %ld): "
							 "aliases must be unique", name_of(lv), want, line_of(by_alias),
						     line_of(d));
						return PL_EINVAL;
					}
					by_alias = d;
				}
				if (is(d, "interface") && prop_is(d, "type", "hostdev") && !source_bdf(d, &src) &&
				    same_bdf(&src, &f->dev->bdf)) {
					fail(lv, "%s:%ld: %s is already assigned as an <interface type='hostdev'>: "
						 "remove it first", name_of(lv), line_of(d), b);
					return PL_EINVAL;
				}
				if (!is(d, "hostdev") || !prop_is(d, "type", "pci") || source_bdf(d, &src) ||
				    !same_bdf(&src, &f->dev->bdf))
					continue;
				if (by_src) {
					fail(lv, "%s: two <hostdev> elements for %s (lines %ld and %ld)", name_of(lv), b,
					     line_of(by_src), line_of(d));
					return PL_EINVAL;
				}
				by_src = d;
			}
			if (by_alias && by_alias != by_src) {
				fail(lv, "%s:%ld: alias '%s' belongs to a %s that is not %s: rename that alias",
				     name_of(lv), line_of(by_alias), want, dev_kind(by_alias, k, sizeof(k)), b);
				return PL_EINVAL;
			}
			s->hd[i][j] = by_src;
		}
	}
	return PL_OK;
}

static void mark(bool *set, long v)
{
	if (v >= 0 && v < MAXN)
		set[v] = true;
}

/* Everything that is not pcilink's: indices (libvirt numbers unindexed controllers into the
 * lowest free ones, in document order), chassis and port numbers, root-bus slots, buses. */
static int scan_used(const struct pl_plan *plan, struct pl_lv *lv, struct scan *s)
{
	/* q35's own functions (host bridge, LPC/SATA/SMBus), and where libvirt puts the primary
	 * video, ICH9 USB and HDA, and the DMI-to-PCI bridge when it adds them */
	static const int reserved[] = { 0x00, 0x01, 0x1b, 0x1d, 0x1e, 0x1f };
	int unindexed = 0;

	for (size_t r = 0; r < sizeof(reserved) / sizeof(reserved[0]); r++)
		s->slot[reserved[r]] = true;
	s->idx[0] = s->chassis[0] = true;       /* pcie-root, implicit on q35 when not written */
	s->max_idx = -1;
	for (xmlNode *d = s->devices->children; d; d = d->next) {
		long v;

		if (d->type != XML_ELEMENT_NODE || owned(plan, s, d))
			continue;
		if (is(d, "controller") && prop_is(d, "type", "pci")) {
			xmlNode *t = child(d, "target"), *a = child(d, "address");
			int rc = num(d, "index", &v);

			if (rc < 0 || (rc == 1 && v >= MAXN)) {
				fail(lv, "%s:%ld: <controller type='pci'> has an index that is not 0 to 255",
				     name_of(lv), line_of(d));
				return PL_EINVAL;
			}
			if (rc == 1) {
				mark(s->idx, v);
				mark(s->chassis, v);    /* libvirt's default chassis is the index */
				if (v == 0 && !prop_is(d, "model", "pcie-root"))
					goto no_pcie_root;
			} else {
				unindexed++;
			}
			if (prop_is(d, "model", "pci-root"))
				goto no_pcie_root;
			if (t && num(t, "chassis", &v) == 1)
				mark(s->chassis, v);
			if (t && num(t, "chassisNr", &v) == 1)
				mark(s->chassis, v);
			if (t && num(t, "port", &v) == 1) {
				mark(s->port, v);
			} else if (a && prop_is(a, "type", "pci")) {
				long bus = 0, slot = 0, fn = 0;

				/* libvirt's default port: slot << 3 | function of the controller's address */
				if (num(a, "bus", &bus) == 1 && bus == 0 && num(a, "slot", &slot) == 1 &&
				    num(a, "function", &fn) >= 0)
					mark(s->port, (slot << 3) | fn);
			}
		}
	}
	/* the unindexed take the lowest free indices; their chassis default to those */
	for (int i = 0; unindexed > 0 && i < MAXN; i++)
		if (!s->idx[i]) {
			s->idx[i] = s->chassis[i] = true;
			unindexed--;
		}
	/* every PCI address outside pcilink's own elements: slots on bus 0, the buses in use */
	for (xmlNode *d = s->devices->children; d; d = d->next) {
		if (d->type != XML_ELEMENT_NODE || owned(plan, s, d))
			continue;
		for (xmlNode *n = d; n; ) {
			if (is(n, "address") && prop_is(n, "type", "pci") && !is(n->parent, "source")) {
				long dom = 0, bus = 0, slot = 0;

				if (num(n, "domain", &dom) >= 0 && num(n, "bus", &bus) >= 0 && num(n, "slot", &slot) >= 0 &&
				    dom == 0 && bus < MAXN) {
					mark(s->bus, bus);
					mark(s->idx, bus);      /* a bus libvirt would have to create */
					if (bus == 0 && slot < 32)
						s->slot[slot] = true;
				}
			}
			/* depth-first within this device */
			if (n->children && n->type == XML_ELEMENT_NODE) {
				n = n->children;
				continue;
			}
			while (n != d && !n->next)
				n = n->parent;
			if (n == d)
				break;
			n = n->next;
		}
	}
	for (int i = 0; i < MAXN; i++)
		if (s->idx[i])
			s->max_idx = i;
	return PL_OK;
no_pcie_root:
	fail(lv, "%s: the PCI root is a pci-root, not a pcie-root: the domain has no PCI Express root "
		 "bus for root ports", name_of(lv));
	return PL_EINVAL;
}

static int lowest_free(const bool *set, int from)
{
	for (int v = from < 0 ? 0 : from; v < MAXN; v++)
		if (!set[v])
			return v;
	return -1;
}

/* Keep what a previous run gave a reused controller, where nothing else took it. */
static void keep_reused(struct pl_lv *lv, struct scan *s, size_t i)
{
	struct pl_lv_port *l = &lv->ports[i];
	xmlNode *c = s->ctrl[i], *t = child(c, "target"), *a = child(c, "address");
	long v, bus = -1, slot = -1, fn = -1;

	l->index = l->chassis = l->port = l->slot = -1;
	if (num(c, "index", &v) == 1 && v > 0 && v < MAXN && !s->idx[v]) {
		l->index = (int)v;
		s->idx[v] = true;
	}
	if (t && num(t, "chassis", &v) == 1 && v < MAXN && !s->chassis[v]) {
		l->chassis = (int)v;
		s->chassis[v] = true;
	}
	if (t && num(t, "port", &v) == 1 && v < MAXN && !s->port[v]) {
		l->port = (int)v;
		s->port[v] = true;
	}
	if (a && prop_is(a, "type", "pci") && num(a, "bus", &bus) == 1 && bus == 0 && num(a, "slot", &slot) == 1 &&
	    slot < 32 && !s->slot[slot] && num(a, "function", &fn) >= 0 && fn <= 7) {
		l->slot = (int)slot;
		l->fn = fn < 0 ? 0 : (int)fn;
		l->multifunction = prop_is(a, "multifunction", "on");
	}
	l->reused = true;
}

static int prepare_merge(const struct pl_plan *plan, struct pl_lv *lv, struct scan *s)
{
	const struct pl_plan_opts *o = plan->opts;
	bool slot_taken[32];
	int rc, next_idx;

	s->root = xmlDocGetRootElement(lv->dom);
	s->devices = child(s->root, "devices");
	if (!s->devices)
		s->devices = s->empty;  /* nothing to collide with; pl_lv_merge adds <devices> */
	rc = find_owned(plan, lv, s);
	if (rc)
		return rc;
	rc = scan_used(plan, lv, s);
	if (rc)
		return rc;
	/* pcilink's controllers keep their values where those are still free */
	for (size_t i = 0; i < plan->nports; i++)
		if (s->ctrl[i])
			keep_reused(lv, s, i);
	/* a reused port's bus must hold nothing but pcilink's functions */
	for (size_t i = 0; i < plan->nports; i++)
		if (s->ctrl[i] && lv->ports[i].index >= 0 && s->bus[lv->ports[i].index]) {
			fail(lv, "%s: another device sits on bus 0x%02x of pcilink's root port 'ua-%s': move it "
				 "or remove that controller", name_of(lv), lv->ports[i].index, plan->ports[i].id);
			return PL_EINVAL;
		}
	memcpy(slot_taken, s->slot, sizeof(slot_taken));
	for (size_t i = 0; i < plan->nports; i++)
		if (s->ctrl[i] && lv->ports[i].slot >= 0)
			slot_taken[lv->ports[i].slot] = true;
	/* new indices above everything the domain has, so libvirt's own numbering cannot move */
	next_idx = s->max_idx + 1;
	if (lv->first_index > next_idx)
		next_idx = lv->first_index;
	for (size_t i = 0; i < plan->nports; i++) {
		struct pl_lv_port *l = &lv->ports[i];

		if (!s->ctrl[i])
			l->index = l->chassis = l->port = l->slot = -1;
		if (l->index < 0) {
			l->index = lowest_free(s->idx, next_idx);
			if (l->index < 1) {
				fail(lv, "%s: no free PCI controller index up to 255", name_of(lv));
				return PL_EINVAL;
			}
			s->idx[l->index] = true;
		}
		if (l->chassis < 0) {
			/*
			 * QEMU refuses two root ports with one chassis. libvirt gives its own ports (also
			 * the ones it adds at define time, which no one can count beforehand) the chassis
			 * number of their index: the port's own index is the one chassis they never take.
			 */
			l->chassis = lowest_free(s->chassis, l->index > o->first_chassis ? l->index : o->first_chassis);
			if (l->chassis < 0)
				l->chassis = lowest_free(s->chassis, o->first_chassis);
			if (l->chassis < 0) {
				fail(lv, "%s: no free chassis number from %d to 255: give a lower --first-chassis",
				     name_of(lv), o->first_chassis);
				return PL_EINVAL;
			}
			s->chassis[l->chassis] = true;
		}
	}
	/* new ports go to empty root-bus slots, grouped as the plan groups them (8 to a slot) */
	for (size_t i = 0; i < plan->nports;) {
		size_t end = i, k = 0;
		int slot = -1;

		while (end < plan->nports && plan->ports[end].slot == plan->ports[i].slot)
			end++;
		for (size_t j = i; j < end; j++)
			k += lv->ports[j].slot < 0;
		if (k) {
			for (int n = 0; n < 32 && slot < 0; n++) {
				int c = (o->first_addr + n) % 32;

				if (!slot_taken[c])
					slot = c;
			}
			if (slot < 0) {
				fail(lv, "%s: no free slot on pcie-root (bus 0x00) for %zu more root port%s",
				     name_of(lv), k, k > 1 ? "s" : "");
				return PL_EINVAL;
			}
			slot_taken[slot] = true;
			for (size_t j = i, fn = 0; j < end; j++) {
				struct pl_lv_port *l = &lv->ports[j];

				if (l->slot >= 0)
					continue;
				l->slot = slot;
				l->fn = (int)fn;
				l->multifunction = fn == 0 && k > 1;
				fn++;
			}
		}
		i = end;
	}
	for (size_t i = 0; i < plan->nports; i++) {
		struct pl_lv_port *l = &lv->ports[i];

		if (l->port >= 0)
			continue;
		l->port = (l->slot << 3) | l->fn;
		if (s->port[l->port])
			l->port = lowest_free(s->port, 1);
		if (l->port < 0) {
			fail(lv, "%s: no free root port number up to 255", name_of(lv));
			return PL_EINVAL;
		}
		s->port[l->port] = true;
	}
	return PL_OK;
}

static int prepare_link(const struct pl_plan *plan, struct pl_lv *lv)
{
	const struct pl_plan_port *first = NULL;
	char a[64] = "", b[64] = "";

	if (pl_lv_has(lv, 8, 2))
		return PL_OK;
	for (size_t i = 0; i < plan->nports; i++) {
		const struct pl_plan_port *p = &plan->ports[i];

		if (!p->link_props)
			continue;
		if (!first) {
			first = p;
			continue;
		}
		if (p->speed != first->speed || p->width != first->width) {
			snprintf(a, sizeof(a), "%s x-speed=%s x-width=%d", first->id, pl_speed_qemu(first->speed),
				 first->width);
			snprintf(b, sizeof(b), "%s x-speed=%s x-width=%d", p->id, pl_speed_qemu(p->speed), p->width);
			fail(lv, "libvirt %d.%d has no <qemu:override> (8.2+), and -global in "
				 "<qemu:commandline> gives every root port one link, but the ports differ (%s, "
				 "%s): give the same --speed and --width to all, plan for libvirt 8.2 or newer, "
				 "or use gen-qemu-args", lv->major, lv->minor, a, b);
			return PL_EINVAL;
		}
	}
	if (!first)
		return PL_OK;
	lv->global = true;
	lv->g_speed = first->speed;
	lv->g_width = first->width;
	pl_diag_add(&lv->warnings, &lv->warn_tail,
		    "libvirt %d.%d has no <qemu:override> (8.2+): -global pcie-root-port.x-speed=%s "
		    "and x-width=%d in <qemu:commandline> set that link on every pcie-root-port of "
		    "the VM, not only on pcilink's", lv->major, lv->minor, pl_speed_qemu(first->speed),
		    first->width);
	return PL_OK;
}

int pl_lv_prepare(const struct pl_plan *plan, struct pl_lv *lv)
{
	const struct pl_plan_opts *o = plan->opts;
	struct scan s = { 0 };
	int rc = PL_OK;

	if (!lv->warn_tail)
		lv->warn_tail = &lv->warnings;
	free(lv->ports);
	lv->ports = calloc(plan->nports ? plan->nports : 1, sizeof(*lv->ports));
	if (!lv->ports)
		return PL_ENOMEM;
	if (o->hotplug >= 0 && o->qemu.has_hotplug && !pl_lv_has(lv, 6, 3))
		pl_diag_add(&lv->warnings, &lv->warn_tail, "libvirt %d.%d has no hotplug attribute on "
			    "<target> (6.3+): --hotplug ignored", lv->major, lv->minor);
	rc = prepare_link(plan, lv);
	if (rc)
		return rc;
	if (!lv->dom) {
		/*
		 * QEMU refuses two root ports with one chassis number, and libvirt numbers the chassis
		 * of its own root ports like their indices: counting from the first index keeps clear of
		 * them. The port number is libvirt's default, slot << 3 | function.
		 */
		int chassis = o->first_chassis > lv->first_index ? o->first_chassis : lv->first_index;

		for (size_t i = 0; i < plan->nports; i++) {
			const struct pl_plan_port *p = &plan->ports[i];
			struct pl_lv_port *l = &lv->ports[i];

			*l = (struct pl_lv_port){ .index = lv->first_index + (int)i, .chassis = chassis + (int)i,
						  .port = p->slot << 3 | p->fn, .slot = p->slot, .fn = p->fn,
						  .multifunction = p->multifunction };
			if (l->index > 255 || l->chassis > 255) {
				fail(lv, "%s from %d run past 255: give a lower %s", l->index > 255 ?
				     "controller indices" : "chassis numbers", l->index > 255 ? lv->first_index :
				     chassis, l->index > 255 ? "--first-index" : "--first-chassis");
				return PL_EINVAL;
			}
		}
		return PL_OK;
	}
	s.ctrl = calloc(plan->nports + 1, sizeof(*s.ctrl));
	s.hd = calloc(plan->nports + 1, sizeof(*s.hd));
	s.empty = xmlNewNode(NULL, X("devices"));
	if (!s.ctrl || !s.hd || !s.empty) {
		rc = PL_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < plan->nports; i++) {
		s.hd[i] = calloc(PL_PLAN_MAX_FN, sizeof(**s.hd));
		if (!s.hd[i]) {
			rc = PL_ENOMEM;
			goto out;
		}
	}
	rc = prepare_merge(plan, lv, &s);
out:
	if (s.empty)
		xmlFreeNode(s.empty);
	free(s.ctrl);
	for (size_t i = 0; s.hd && i < plan->nports; i++)
		free(s.hd[i]);
	free(s.hd);
	return rc;
}

/* --- editing, keeping the document's own layout ---------------------------------------------- */

struct layout {
	char unit[LEAD];                /* one level of indentation in this document */
};

/* buf = a b, cut to len */
static void cat(char *buf, size_t len, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la >= len)
		la = len - 1;
	if (lb >= len - la)
		lb = len - la - 1;
	memcpy(buf, a, la);
	memcpy(buf + la, b, lb);
	buf[la + lb] = 0;
}

static bool blank(const xmlNode *n)
{
	return n && n->type == XML_TEXT_NODE && xmlIsBlankNode((xmlNode *)n);
}

/* The whitespace that puts n on its own line ("\n    "), or "" when n sits inline. */
static const char *lead(const xmlNode *n, char *buf, size_t len)
{
	const char *t, *nl;

	buf[0] = 0;
	if (!n || !blank(n->prev))
		return buf;
	t = (const char *)n->prev->content;
	nl = strrchr(t, '\n');
	if (nl)
		cat(buf, len, nl, "");
	return buf;
}

static xmlNode *last_element(const xmlNode *parent)
{
	xmlNode *last = NULL;

	for (xmlNode *c = parent->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			last = c;
	return last;
}

static xmlNode *first_element(const xmlNode *parent)
{
	for (xmlNode *c = parent->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return c;
	return NULL;
}

static void detect_unit(xmlNode *root, struct layout *ly)
{
	char a[LEAD];
	xmlNode *first = first_element(root);

	cat(ly->unit, sizeof(ly->unit), "  ", "");
	if (!first)
		return;
	lead(first, a, sizeof(a));      /* "\n  " before <name>; <domain> itself is at column 0 */
	if (strlen(a) > 1)
		cat(ly->unit, sizeof(ly->unit), a + 1, "");
	else if (!a[0]) {
		ly->unit[0] = 0;        /* a one-line document stays one line */
	}
}

/* The lead a new last child of parent needs. */
static void child_lead(const xmlNode *parent, const struct layout *ly, char *buf, size_t len)
{
	char pl[LEAD];
	xmlNode *last = last_element(parent);

	if (last) {
		lead(last, buf, len);
		return;
	}
	if (!ly->unit[0]) {
		buf[0] = 0;
		return;
	}
	lead(parent, pl, sizeof(pl));
	cat(buf, len, pl[0] ? pl : "\n", ly->unit);
}

static void insert_after(xmlNode *anchor, xmlNode *n, const struct layout *ly)
{
	char l[LEAD];

	lead(anchor, l, sizeof(l));
	pl_lv_indent(n, l, ly->unit);
	xmlAddNextSibling(anchor, n);
	if (l[0])
		xmlAddPrevSibling(n, xmlNewText(X(l)));
}

static void insert_before(xmlNode *anchor, xmlNode *n, const struct layout *ly)
{
	char l[LEAD];

	lead(anchor, l, sizeof(l));
	pl_lv_indent(n, l, ly->unit);
	xmlAddPrevSibling(anchor, n);
	if (l[0])
		xmlAddPrevSibling(anchor, xmlNewText(X(l)));
}

static void append(xmlNode *parent, xmlNode *n, const struct layout *ly)
{
	char l[LEAD], pl[LEAD];
	xmlNode *last = last_element(parent);

	if (last) {
		insert_after(last, n, ly);
		return;
	}
	child_lead(parent, ly, l, sizeof(l));
	pl_lv_indent(n, l, ly->unit);
	/* an empty parent: the child on its own line, the end tag back at the parent's column */
	for (xmlNode *c = parent->children, *next; c; c = next) {
		next = c->next;
		if (blank(c)) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		}
	}
	if (l[0])
		xmlAddChild(parent, xmlNewText(X(l)));
	xmlAddChild(parent, n);
	lead(parent, pl, sizeof(pl));
	if (l[0])
		xmlAddChild(parent, xmlNewText(X(pl[0] ? pl : "\n")));
}

static void replace(xmlNode *old, xmlNode *n, const struct layout *ly)
{
	char l[LEAD];

	lead(old, l, sizeof(l));
	pl_lv_indent(n, l, ly->unit);
	xmlReplaceNode(old, n);
	xmlFreeNode(old);
}

static void drop(xmlNode *n)
{
	if (blank(n->prev)) {
		xmlNode *ws = n->prev;

		xmlUnlinkNode(ws);
		xmlFreeNode(ws);
	}
	xmlUnlinkNode(n);
	xmlFreeNode(n);
}

static xmlNode *last_child_named(xmlNode *parent, const char *name)
{
	xmlNode *last = NULL;

	for (xmlNode *c = parent->children; c; c = c->next)
		if (is(c, name))
			last = c;
	return last;
}

/* The qemu namespace on <domain>: found by its URI, declared when missing; elements written
 * with an undeclared qemu: prefix (libvirt drops them silently) are put into it. */
static xmlNs *qemu_ns(struct pl_lv *lv, xmlNode *root)
{
	xmlNs *ns = xmlSearchNsByHref(lv->dom, root, X(PL_LV_QEMU_NS));

	if (!ns) {
		xmlNs *other = xmlSearchNs(lv->dom, root, X("qemu"));

		if (other) {
			fail(lv, "%s: <domain> binds the prefix 'qemu' to '%s', not to libvirt's %s",
			     name_of(lv), (const char *)other->href, PL_LV_QEMU_NS);
			return NULL;
		}
		ns = xmlNewNs(root, X(PL_LV_QEMU_NS), X("qemu"));
		if (!ns) {
			fail(lv, "out of memory");
			return NULL;
		}
	}
	for (xmlNode *n = root; n;) {
		if (n->type == XML_ELEMENT_NODE && !n->ns && !strncmp((const char *)n->name, "qemu:", 5)) {
			xmlNodeSetName(n, X((const char *)n->name + 5));
			xmlSetNs(n, ns);
		}
		if (n->children && n->type == XML_ELEMENT_NODE) {
			n = n->children;
			continue;
		}
		while (n && n != root && !n->next)
			n = n->parent;
		if (!n || n == root)
			break;
		n = n->next;
	}
	return ns;
}

static xmlNode *qemu_child(xmlNode *parent, const char *name, const char *attr, const char *value)
{
	for (xmlNode *c = parent->children; c; c = c->next)
		if (is_qemu(c, name) && (!attr || prop_is(c, attr, value)))
			return c;
	return NULL;
}

static void set_property(xmlNode *fe, const char *name, const char *value, const struct layout *ly)
{
	xmlNode *old = qemu_child(fe, "property", "name", name), *n;

	if (!value) {
		if (old)
			drop(old);
		return;
	}
	n = pl_lv_property(fe->ns, name, value);
	if (old)
		replace(old, n, ly);
	else
		append(fe, n, ly);
}

static void merge_override(const struct pl_plan *plan, struct pl_lv *lv, xmlNode *root, xmlNs *ns,
			   const struct layout *ly)
{
	xmlNode *ov = qemu_child(root, "override", NULL, NULL);
	bool any = false;

	for (size_t i = 0; i < plan->nports; i++)
		any |= plan->ports[i].link_props;
	if (!ov && !any)
		return;
	if (!ov) {
		ov = xmlNewNode(ns, X("override"));
		for (size_t i = 0; i < plan->nports; i++)
			if (plan->ports[i].link_props)
				xmlAddChild(ov, pl_lv_override_device(&plan->ports[i], ns));
		append(root, ov, ly);
		return;
	}
	for (size_t i = 0; i < plan->nports; i++) {
		const struct pl_plan_port *p = &plan->ports[i];
		char alias[64], w[8];
		xmlNode *dev, *fe;

		snprintf(alias, sizeof(alias), "ua-%s", p->id);
		dev = qemu_child(ov, "device", "alias", alias);
		if (!dev) {
			if (p->link_props)
				append(ov, pl_lv_override_device(p, ov->ns), ly);
			continue;
		}
		fe = qemu_child(dev, "frontend", NULL, NULL);
		if (!fe) {
			if (!p->link_props)
				continue;
			fe = xmlNewNode(dev->ns, X("frontend"));
			append(dev, fe, ly);
		}
		snprintf(w, sizeof(w), "%d", p->width);
		set_property(fe, "x-speed", p->link_props ? pl_speed_qemu(p->speed) : NULL, ly);
		set_property(fe, "x-width", p->link_props ? w : NULL, ly);
		/* an empty <qemu:device> crashed libvirtd (libvirt issue 321): never leave one */
		if (!first_element(fe))
			drop(fe);
		if (!first_element(dev))
			drop(dev);
	}
	if (!first_element(ov))
		drop(ov);
}

static void merge_commandline(struct pl_lv *lv, xmlNode *root, xmlNs *ns, const struct layout *ly)
{
	xmlNode *cl = qemu_child(root, "commandline", NULL, NULL);
	char args[4][48];

	pl_lv_global_args(lv, args);
	if (!cl) {
		cl = xmlNewNode(ns, X("commandline"));
		for (int k = 0; k < 4; k++)
			xmlNewProp(xmlNewChild(cl, ns, X("arg"), NULL), X("value"), X(args[k]));
		append(root, cl, ly);
		return;
	}
	for (int k = 1; k < 4; k += 2) {
		size_t keylen = strchr(args[k], '=') - args[k] + 1;
		bool done = false;

		/* a "-global" "pcie-root-port.x-speed=..." pair from before: set its value */
		for (xmlNode *c = cl->children, *prev = NULL; c && !done; c = c->next) {
			char *v;

			if (!is_qemu(c, "arg"))
				continue;
			v = prop(c, "value");
			if (v && prev && prop_is(prev, "value", "-global") && !strncmp(v, args[k], keylen)) {
				xmlSetProp(c, X("value"), X(args[k]));
				done = true;
			}
			xmlFree(v);
			prev = c;
		}
		if (done)
			continue;
		for (int m = k - 1; m <= k; m++) {
			xmlNode *a = xmlNewNode(cl->ns, X("arg"));

			xmlNewProp(a, X("value"), X(args[m]));
			append(cl, a, ly);
		}
	}
}

/* Update pcilink's own <hostdev>: its alias and guest address; the rest is the user's. */
static void update_hostdev(struct pl_lv *lv, size_t i, const struct pl_plan_fn *f, xmlNode *h,
			   const struct layout *ly)
{
	xmlNode *alias = child(h, "alias"), *addr = NULL;

	for (xmlNode *c = h->children; c; c = c->next)
		if (is(c, "address"))
			addr = c;
	if (alias)
		replace(alias, pl_lv_alias(f->id), ly);
	else if (addr)
		insert_before(addr, pl_lv_alias(f->id), ly);
	else
		append(h, pl_lv_alias(f->id), ly);
	if (addr)
		replace(addr, pl_lv_guest_address(lv, i, f), ly);
	else
		append(h, pl_lv_guest_address(lv, i, f), ly);
}

static xmlNode *find_hostdev(xmlNode *devices, const struct pl_bdf *b)
{
	for (xmlNode *d = devices->children; d; d = d->next) {
		struct pl_bdf src;

		if (is(d, "hostdev") && prop_is(d, "type", "pci") && !source_bdf(d, &src) && same_bdf(&src, b))
			return d;
	}
	return NULL;
}

static xmlNode *find_controller(xmlNode *devices, const char *id)
{
	char want[64];

	snprintf(want, sizeof(want), "ua-%s", id);
	for (xmlNode *d = devices->children; d; d = d->next)
		if (is(d, "controller") && prop_is(child(d, "alias"), "name", want))
			return d;
	return NULL;
}

int pl_lv_merge(const struct pl_plan *plan, struct pl_lv *lv)
{
	xmlNode *root = xmlDocGetRootElement(lv->dom), *devices = child(root, "devices");
	struct layout ly;
	bool any = false;
	xmlNs *ns = NULL;

	if (!lv->ports) {
		fail(lv, "internal error: merge before prepare");
		return PL_EINVAL;
	}
	detect_unit(root, &ly);
	if (!devices) {
		devices = xmlNewNode(NULL, X("devices"));
		append(root, devices, &ly);
	}
	for (size_t i = 0; i < plan->nports; i++)
		any |= plan->ports[i].link_props;
	if (any || lv->global) {
		ns = qemu_ns(lv, root);
		if (!ns)
			return PL_EINVAL;
	}
	/* controllers: pcilink's own updated in place, new ones after the last <controller> */
	for (size_t i = 0; i < plan->nports; i++) {
		xmlNode *old = find_controller(devices, plan->ports[i].id), *n = pl_lv_controller(plan, lv, i);
		xmlNode *anchor = last_child_named(devices, "controller");

		if (old)
			replace(old, n, &ly);
		else if (anchor)
			insert_after(anchor, n, &ly);
		else
			append(devices, n, &ly);
	}
	/* host devices: the one for the same host function updated, new ones after the last <hostdev> */
	for (size_t i = 0; i < plan->nports; i++)
		for (int j = 0; j < plan->ports[i].nfn; j++) {
			const struct pl_plan_fn *f = &plan->ports[i].fns[j];
			xmlNode *old = find_hostdev(devices, &f->dev->bdf), *anchor;

			if (old) {
				update_hostdev(lv, i, f, old, &ly);
				continue;
			}
			anchor = last_child_named(devices, "hostdev");
			if (anchor)
				insert_after(anchor, pl_lv_hostdev(lv, i, f), &ly);
			else
				append(devices, pl_lv_hostdev(lv, i, f), &ly);
		}
	if (lv->global)
		merge_commandline(lv, root, ns, &ly);
	else if (ns || qemu_child(root, "override", NULL, NULL))
		merge_override(plan, lv, root, ns, &ly);
	return PL_OK;
}

void pl_lv_free(struct pl_lv *lv)
{
	pl_diag_free(lv->warnings);
	free(lv->ports);
	if (lv->dom)
		xmlFreeDoc(lv->dom);
	lv->warnings = NULL;
	lv->warn_tail = &lv->warnings;
	lv->ports = NULL;
	lv->dom = NULL;
}
