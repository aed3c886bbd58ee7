/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Merge a plan into a libvirt domain, first half (the domain read by libvirt_read.c): find what
 * it already uses (controller indices,
 * chassis and port numbers, root-bus functions, aliases, host devices), and place the plan's
 * ports clear of all that. What a previous run placed stays where it is; pcilink's own ports
 * that lost their devices are dropped. libvirt_edit.c then splices the result into the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libvirt_dom.h"
#include "util.h"

#define MAXN 256                        /* controller indices, chassis and port numbers: 0..255 */

/* --- what the domain already uses ------------------------------------------------------------- */

struct scan {
	xmlNode *root, *devices, *empty;
	bool idx[MAXN], chassis[MAXN], port[MAXN];
	uint8_t fns[32];                /* root-bus functions in use, per slot (0xff: reserved) */
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
	xmlNode *a = lv_child(lv_child(dev, "source"), "address");
	long d = 0, bus, slot, fn;

	if (!a || lv_num(a, "domain", LV_ANY, &d) < 0 || lv_num(a, "bus", LV_ANY, &bus) != 1 ||
	    lv_num(a, "slot", LV_ANY, &slot) != 1 || lv_num(a, "function", LV_ANY, &fn) != 1 || bus > 255 ||
	    slot > 31 || fn > 7)
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
	char *t = lv_prop(n, "type"), *m = lv_prop(n, "model"), qt[PL_EXCERPT_SIZE], qm[PL_EXCERPT_SIZE];

	if (t && m)
		snprintf(buf, len, "<%s type='%s' model='%s'>", (const char *)n->name, pl_excerpt(qt, sizeof(qt), t),
			 pl_excerpt(qm, sizeof(qm), m));
	else if (t)
		snprintf(buf, len, "<%s type='%s'>", (const char *)n->name, pl_excerpt(qt, sizeof(qt), t));
	else
		snprintf(buf, len, "<%s>", (const char *)n->name);
	xmlFree(t);
	xmlFree(m);
	return buf;
}

/* The one element in <devices> whose alias is want, or NULL; -1 when two have it. */
static int by_alias(struct pl_lv *lv, const struct scan *s, const char *want, xmlNode **hit)
{
	*hit = NULL;
	for (xmlNode *d = s->devices->children; d; d = d->next) {
		if (!lv_prop_is(lv_child(d, "alias"), "name", want))
			continue;
		if (*hit) {
			lv_fail(lv, "%s: alias '%s' is on two elements (lines %ld and %ld): aliases must be unique",
			     lv_name(lv), want, line_of(*hit), line_of(d));
			return -1;
		}
		*hit = d;
	}
	return 0;
}

/* The <hostdev> of one host function (kept with its alias and settings), refusing conflicts. */
static int find_hostdev(struct pl_lv *lv, const struct scan *s, const struct pl_plan_fn *f, xmlNode **out)
{
	char want[64], b[16], k[400];
	xmlNode *aliased, *src_hit = NULL;

	pl_bdf_fmt(&f->dev->bdf, b, sizeof(b));
	snprintf(want, sizeof(want), "ua-%s", f->id);
	if (by_alias(lv, s, want, &aliased))
		return PL_EINVAL;
	for (xmlNode *d = s->devices->children; d; d = d->next) {
		struct pl_bdf src;

		if (lv_is(d, "interface") && lv_prop_is(d, "type", "hostdev") && !source_bdf(d, &src) &&
		    same_bdf(&src, &f->dev->bdf)) {
			lv_fail(lv, "%s:%ld: %s is already assigned as an <interface type='hostdev'>: remove it first",
			     lv_name(lv), line_of(d), b);
			return PL_EINVAL;
		}
		if (!lv_is(d, "hostdev") || !lv_prop_is(d, "type", "pci") || source_bdf(d, &src) ||
		    !same_bdf(&src, &f->dev->bdf))
			continue;
		if (src_hit) {
			lv_fail(lv, "%s: two <hostdev> elements for %s (lines %ld and %ld)", lv_name(lv), b,
			     line_of(src_hit), line_of(d));
			return PL_EINVAL;
		}
		src_hit = d;
	}
	if (aliased && aliased != src_hit) {
		lv_fail(lv, "%s:%ld: alias '%s' belongs to a %s that is not %s: rename that alias",
		     lv_name(lv), line_of(aliased), want, dev_kind(aliased, k, sizeof(k)), b);
		return PL_EINVAL;
	}
	*out = src_hit;
	return PL_OK;
}

/* Find which elements are pcilink's own (alias, host address) and refuse conflicts. */
static int find_owned(const struct pl_plan *plan, struct pl_lv *lv, struct scan *s)
{
	char want[64], k[400];

	for (size_t i = 0; i < plan->nports; i++) {
		const struct pl_plan_port *p = &plan->ports[i];
		xmlNode *hit;

		snprintf(want, sizeof(want), "ua-%s", p->id);
		if (by_alias(lv, s, want, &hit))
			return PL_EINVAL;
		if (hit && !(lv_is(hit, "controller") && lv_prop_is(hit, "type", "pci") &&
			     lv_prop_is(hit, "model", "pcie-root-port"))) {
			lv_fail(lv, "%s:%ld: alias '%s' belongs to a %s, but pcilink names its root port so: "
				 "rename that alias", lv_name(lv), line_of(hit), want, dev_kind(hit, k, sizeof(k)));
			return PL_EINVAL;
		}
		s->ctrl[i] = hit;
		for (int j = 0; j < p->nfn; j++)
			if (find_hostdev(lv, s, &p->fns[j], &s->hd[i][j]))
				return PL_EINVAL;
	}
	return PL_OK;
}

static void mark(bool *set, long v)
{
	if (v >= 0 && v < MAXN)
		set[v] = true;
}

/* A guest PCI <address>, read as libvirt reads it: a missing attribute is 0. */
static bool guest_addr(const xmlNode *a, long *bus, long *slot, long *fn)
{
	long dom = 0;

	*bus = *slot = *fn = 0;
	return a && lv_prop_is(a, "type", "pci") && lv_num(a, "domain", LV_ANY, &dom) >= 0 &&
	       lv_num(a, "bus", LV_ANY, bus) >= 0 && lv_num(a, "slot", LV_ANY, slot) >= 0 &&
	       lv_num(a, "function", LV_ANY, fn) >= 0 && dom == 0 && *bus < MAXN && *slot < 32 && *fn < 8;
}

/* Each PCI guest address inside d (not a host <source> address): fn(bus, slot, function). */
static void each_address(const xmlNode *d, void (*fn)(void *, long, long, long), void *ctx)
{
	for (const xmlNode *n = d; n;) {
		long bus, slot, f;

		if (lv_is(n, "address") && !lv_is(n->parent, "source") && guest_addr(n, &bus, &slot, &f))
			fn(ctx, bus, slot, f);
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

static void use_address(void *ctx, long bus, long slot, long fn)
{
	struct scan *s = ctx;

	mark(s->bus, bus);
	mark(s->idx, bus);      /* a bus libvirt would have to create */
	if (bus == 0)
		s->fns[slot] |= (uint8_t)(1u << fn);
}

/* A controller's numbers: index (decimal), chassis, chassisNr and port (libvirt's defaults). */
static int use_controller(struct pl_lv *lv, struct scan *s, const xmlNode *d, int *unindexed)
{
	xmlNode *t = lv_child(d, "target"), *a = lv_child(d, "address");
	long v;
	int rc = lv_num(d, "index", LV_DEC, &v);

	if (rc < 0 || (rc == 1 && v >= MAXN)) {
		lv_fail(lv, "%s:%ld: <controller type='pci'> has an index that is not 0 to 255", lv_name(lv), line_of(d));
		return PL_EINVAL;
	}
	if ((rc == 1 && v == 0 && !lv_prop_is(d, "model", "pcie-root")) || lv_prop_is(d, "model", "pci-root")) {
		lv_fail(lv, "%s: the PCI root is a pci-root, not a pcie-root: the domain has no PCI Express root "
			 "bus for root ports", lv_name(lv));
		return PL_EINVAL;
	}
	if (rc == 1) {
		mark(s->idx, v);
		mark(s->chassis, v);    /* libvirt's default chassis is the index */
	} else if (!lv_prop_is(d, "model", "pcie-root")) {
		(*unindexed)++;         /* (a pcie-root without one is index 0) */
	}
	if (t && lv_num(t, "chassis", LV_ANY, &v) == 1)
		mark(s->chassis, v);
	if (t && lv_num(t, "chassisNr", LV_ANY, &v) == 1)
		mark(s->chassis, v);
	if (t && lv_num(t, "port", LV_ANY, &v) == 1) {
		mark(s->port, v);
	} else if (a && lv_prop_is(a, "type", "pci")) {
		long bus = 0, slot = 0, fn = 0;

		/* libvirt's default port: slot << 3 | function of the controller's address */
		if (lv_num(a, "bus", LV_ANY, &bus) == 1 && bus == 0 && lv_num(a, "slot", LV_ANY, &slot) == 1 &&
		    lv_num(a, "function", LV_ANY, &fn) >= 0)
			mark(s->port, (slot << 3) | fn);
	}
	return PL_OK;
}

/* Everything that is not pcilink's: indices (libvirt numbers unindexed controllers into the
 * lowest free ones, in document order), chassis and port numbers, root-bus functions, buses. */
static int scan_used(const struct pl_plan *plan, struct pl_lv *lv, struct scan *s)
{
	/* q35's own functions (host bridge, LPC/SATA/SMBus), and where libvirt puts the primary
	 * video, ICH9 USB and HDA, and the DMI-to-PCI bridge when it adds them */
	static const int reserved[] = { 0x00, 0x01, 0x1b, 0x1d, 0x1e, 0x1f };
	int unindexed = 0;

	for (size_t r = 0; r < sizeof(reserved) / sizeof(reserved[0]); r++)
		s->fns[reserved[r]] = 0xff;
	s->idx[0] = s->chassis[0] = true;       /* pcie-root, implicit on q35 when not written */
	s->max_idx = -1;
	for (xmlNode *d = s->devices->children; d; d = d->next)
		if (d->type == XML_ELEMENT_NODE && !owned(plan, s, d) && lv_is(d, "controller") &&
		    lv_prop_is(d, "type", "pci") && use_controller(lv, s, d, &unindexed))
			return PL_EINVAL;
	/* the unindexed take the lowest free indices; their chassis default to those */
	for (int i = 0; unindexed > 0 && i < MAXN; i++)
		if (!s->idx[i]) {
			s->idx[i] = s->chassis[i] = true;
			unindexed--;
		}
	for (xmlNode *d = s->devices->children; d; d = d->next)
		if (d->type == XML_ELEMENT_NODE && !owned(plan, s, d))
			each_address(d, use_address, s);
	for (int i = 0; i < MAXN; i++)
		if (s->idx[i])
			s->max_idx = i;
	return PL_OK;
}

/* --- pcilink's own ports that lost their devices ------------------------------------------- */

/* pcilink's ua-rp-* root ports that are not in this plan: candidates to drop (keep_needed_orphans). */
static int find_orphans(const struct pl_plan *plan, struct pl_lv *lv, struct scan *s)
{
	size_t n = 0;
	long idx;

	for (xmlNode *d = s->devices->children; d; d = d->next)
		n += d->type == XML_ELEMENT_NODE;
	free(lv->drop);
	lv->ndrop = 0;
	lv->drop = calloc(n + 1, sizeof(*lv->drop));
	if (!lv->drop)
		return PL_ENOMEM;
	for (xmlNode *d = s->devices->children; d; d = d->next)
		if (lv_pcilink_port(d) && !owned(plan, s, d) && lv_num(d, "index", LV_DEC, &idx) == 1)
			lv->drop[lv->ndrop++] = d;
	return PL_OK;
}

/* A controller's root-bus slot and function: the slot, or -1 when it is not on bus 0. */
static long root_slot(const xmlNode *d, long *fn)
{
	long bus, slot;

	/* the same reading as each_address(), which filled s->fns */
	return guest_addr(lv_child(d, "address"), &bus, &slot, fn) && bus == 0 ? slot : -1;
}

static int ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(const void *const *)a, y = (uintptr_t)*(const void *const *)b;

	return x < y ? -1 : x > y;
}

/* What the elements that stay use: buses, and root-bus functions of those not pcilink's. */
struct orphan_use {
	bool bus[MAXN];
	uint8_t gone[32], stay[32];     /* root-bus functions of what goes and of what stays */
};

static void use_bus(void *ctx, long bus, long slot, long fn)
{
	struct orphan_use *u = ctx;

	(void)slot, (void)fn;
	u->bus[bus] = true;
}

static void use_fn(void *ctx, long bus, long slot, long fn)
{
	uint8_t *fns = ctx;

	if (bus == 0)
		fns[slot] |= (uint8_t)(1u << fn);
}

/* Drop candidate i stays after all: out of lv->drop. */
static void undrop(struct pl_lv *lv, size_t i)
{
	lv->drop[i] = lv->drop[--lv->ndrop];
}

/*
 * Of the candidates, a port stays when something that stays sits on its bus (a device, or a
 * port that stays itself), or when it is function 0 of a root-bus slot whose other functions
 * stay in use (8.2). What only dropped elements use does not count (every address inside
 * them, read as s->fns was), so a second run finds the same ports and drops nothing more;
 * keeping one port can make another needed, hence the rounds (at most one per bus or slot).
 */
static int keep_needed_orphans(const struct pl_plan *plan, struct pl_lv *lv, struct scan *s)
{
	xmlNode **sorted = calloc(lv->ndrop + 1, sizeof(*sorted));
	struct orphan_use *u = malloc(sizeof(*u));
	bool changed = true;

	if (!sorted || !u) {
		free(sorted);
		free(u);
		return PL_ENOMEM;
	}
	while (changed) {
		size_t before = lv->ndrop;

		memset(u, 0, sizeof(*u));
		memcpy(sorted, lv->drop, lv->ndrop * sizeof(*sorted));
		qsort(sorted, lv->ndrop, sizeof(*sorted), ptr_cmp);
		for (xmlNode *d = s->devices->children; d; d = d->next) {
			bool goes, own;

			if (d->type != XML_ELEMENT_NODE)
				continue;
			goes = bsearch(&d, sorted, lv->ndrop, sizeof(*sorted), ptr_cmp);
			own = owned(plan, s, d);
			/* the plan's hostdevs move to the plan's ports */
			if (!goes && !(own && lv_is(d, "hostdev")))
				each_address(d, use_bus, u);
			if (!own)
				each_address(d, use_fn, goes ? u->gone : u->stay);
		}
		for (size_t i = 0; i < lv->ndrop;) {
			long idx;

			if (lv_num(lv->drop[i], "index", LV_DEC, &idx) == 1 && idx < MAXN && u->bus[idx])
				undrop(lv, i);
			else
				i++;
		}
		changed = lv->ndrop != before;
		/* devices first: the warning below is for ports that have none */
		for (size_t i = 0; !changed && i < lv->ndrop;) {
			long fn, slot = root_slot(lv->drop[i], &fn);
			char *alias, q[PL_EXCERPT_SIZE];

			if (slot < 0 || fn != 0 || !(s->fns[slot] & ~1u & ~(u->gone[slot] & ~u->stay[slot]))) {
				i++;
				continue;
			}
			alias = lv_prop(lv_child(lv->drop[i], "alias"), "name");
			lv_warn(lv, "%s: pcilink's root port '%s' has no devices left, but it is kept: it is function 0 "
				 "of root-bus slot 0x%02lx, and a guest sees the slot's other functions only with it",
			     lv_name(lv), pl_excerpt(q, sizeof(q), alias), slot);
			xmlFree(alias);
			undrop(lv, i);
		}
		changed |= lv->ndrop != before;
	}
	free(sorted);
	free(u);
	return PL_OK;
}

/* --- placement ------------------------------------------------------------------------------- */

static int lowest_free(const bool *set, int from)
{
	for (int v = from < 0 ? 0 : from; v < MAXN; v++)
		if (!set[v])
			return v;
	return -1;
}

static int highest_free(const bool *set)
{
	for (int v = MAXN - 1; v > 0; v--)
		if (!set[v])
			return v;
	return -1;
}

/* Keep what a previous run gave a reused controller, where nothing else took it. */
static void keep_reused(struct pl_lv *lv, struct scan *s, size_t i)
{
	struct pl_lv_port *l = &lv->ports[i];
	xmlNode *c = s->ctrl[i], *t = lv_child(c, "target"), *a = lv_child(c, "address");
	long v, bus = -1, slot = -1, fn = -1;

	l->index = l->chassis = l->port = l->slot = -1;
	if (lv_num(c, "index", LV_DEC, &v) == 1 && v > 0 && v < MAXN && !s->idx[v]) {
		l->index = (int)v;
		s->idx[v] = true;
	}
	if (t && lv_num(t, "chassis", LV_ANY, &v) == 1 && v < MAXN && !s->chassis[v]) {
		l->chassis = (int)v;
		s->chassis[v] = true;
	}
	if (t && lv_num(t, "port", LV_ANY, &v) == 1 && v < MAXN && !s->port[v]) {
		l->port = (int)v;
		s->port[v] = true;
	}
	if (a && lv_prop_is(a, "type", "pci") && lv_num(a, "bus", LV_ANY, &bus) == 1 && bus == 0 &&
	    lv_num(a, "slot", LV_ANY, &slot) == 1 && slot < 32 && lv_num(a, "function", LV_ANY, &fn) >= 0 &&
	    fn <= 7 && !(s->fns[slot] & (1u << (fn < 0 ? 0 : fn)))) {
		l->slot = (int)slot;
		l->fn = fn < 0 ? 0 : (int)fn;
		s->fns[slot] |= (uint8_t)(1u << l->fn);
	}
	l->reused = true;
}

static int new_index(struct pl_lv *lv, struct scan *s, struct pl_lv_port *l, int next_idx)
{
	l->index = lowest_free(s->idx, next_idx);
	if (l->index < 1) {
		lv_fail(lv, "%s: no free PCI controller index up to 255", lv_name(lv));
		return PL_EINVAL;
	}
	s->idx[l->index] = true;
	return PL_OK;
}

/*
 * QEMU refuses two root ports with one chassis. libvirt gives every root port it numbers
 * (also those it adds at define time for devices without an address, at indices above all
 * others) the chassis of its index, so a port's own index is the chassis libvirt never gives
 * another; when that is taken, the highest free one, which libvirt's numbering from the top
 * index up does not reach. --first-chassis raises the floor.
 */
static int new_chassis(struct pl_lv *lv, struct scan *s, struct pl_lv_port *l, int first)
{
	l->chassis = l->index >= first && !s->chassis[l->index] ? l->index : highest_free(s->chassis);
	if (l->chassis < first) {
		lv_fail(lv, "%s: no free chassis number from %d to 255: give a lower --first-chassis",
		     lv_name(lv), first);
		return PL_EINVAL;
	}
	s->chassis[l->chassis] = true;
	return PL_OK;
}

/* A root-bus slot with n free functions 0..n-1 for a group of new ports, from first on. */
static int free_slot(const struct scan *s, int first, int n, int group_slot)
{
	/* next to the group's ports from a previous run, when their slot has room */
	if (group_slot >= 0) {
		int have = 0;

		for (int f = 0; f < 8; f++)
			have += !(s->fns[group_slot] & (1u << f));
		if (have >= n)
			return group_slot;
	}
	for (int k = 0; k < 32; k++) {
		int c = (first + k) % 32;

		if (!s->fns[c])
			return c;
	}
	return -1;
}

/* New ports of one plan slot (ports[i..end)): a free root-bus slot, functions in plan order. */
static int place_group(const struct pl_plan *plan, struct pl_lv *lv, struct scan *s, size_t i, size_t end)
{
	const struct pl_plan_opts *o = plan->opts;
	int k = 0, slot, group_slot = -1;

	for (size_t j = i; j < end; j++) {
		k += lv->ports[j].slot < 0;
		if (lv->ports[j].slot >= 0)
			group_slot = lv->ports[j].slot;
	}
	if (!k)
		return PL_OK;
	slot = free_slot(s, o->first_addr, k, group_slot);
	if (slot < 0) {
		lv_fail(lv, "%s: no free slot on pcie-root (bus 0x00) for %d more root port%s", lv_name(lv), k,
		     k > 1 ? "s" : "");
		return PL_EINVAL;
	}
	if (lv->addr_given && slot != o->first_addr && slot != group_slot) {
		lv_warn(lv, "%s: root-bus slot 0x%02x (--first-addr) is taken: the new root ports go to slot 0x%02x",
		     lv_name(lv), o->first_addr, slot);
		lv->addr_given = false;         /* said once */
	}
	for (size_t j = i; j < end; j++) {
		struct pl_lv_port *l = &lv->ports[j];
		int fn = 0;

		if (l->slot >= 0)
			continue;
		while (s->fns[slot] & (1u << fn))
			fn++;
		l->slot = slot;
		l->fn = fn;
		s->fns[slot] |= (uint8_t)(1u << fn);
	}
	return PL_OK;
}

/* A slot's function 0 says multifunction='on' when other functions of the slot are in use. */
static void set_multifunction(const struct pl_plan *plan, struct pl_lv *lv, const struct scan *s)
{
	for (size_t i = 0; i < plan->nports; i++) {
		struct pl_lv_port *l = &lv->ports[i];

		if (!l->bus)    /* an expander's ports: pl_lv_numa_place */
			l->multifunction = l->fn == 0 && (s->fns[l->slot] & ~1u) && s->fns[l->slot] != 0xff;
	}
}

static void use_address_all(void *ctx, long bus, long slot, long fn)
{
	uint8_t *all = ctx;

	if (bus == 0)
		all[slot] |= (uint8_t)(1u << fn);
}

/* Root-bus slots with functions in use and function 0 empty: a Linux guest sees none (8.2). */
static void warn_holes(struct pl_lv *lv, const struct scan *s)
{
	static const int implicit_fn0[] = { 0x00, 0x1f };  /* q35's host bridge and LPC */
	uint8_t all[32] = { 0 };

	for (xmlNode *d = s->devices->children; d; d = d->next)
		if (d->type == XML_ELEMENT_NODE)
			each_address(d, use_address_all, all);
	for (size_t k = 0; k < sizeof(implicit_fn0) / sizeof(implicit_fn0[0]); k++)
		all[implicit_fn0[k]] |= 1;
	for (int slot = 0; slot < 32; slot++)
		if (all[slot] && !(all[slot] & 1))
			lv_warn(lv, "%s: root-bus slot 0x%02x has devices at function%s but nothing at function 0: "
				 "a Linux guest sees none of them; give one of them function 0", lv_name(lv), slot,
			     (all[slot] & (all[slot] - 1)) ? "s" : "");
}

static int prepare_merge(const struct pl_plan *plan, struct pl_lv *lv, struct scan *s)
{
	const struct pl_plan_opts *o = plan->opts;
	int rc, next_idx;

	s->root = xmlDocGetRootElement(lv->dom);
	s->devices = lv_child(s->root, "devices");
	if (!s->devices)
		s->devices = s->empty;  /* nothing to collide with; pl_lv_merge adds <devices> */
	rc = find_owned(plan, lv, s);
	if (rc)
		return rc;
	warn_holes(lv, s);
	rc = scan_used(plan, lv, s);
	if (rc)
		return rc;
	rc = find_orphans(plan, lv, s);
	if (rc)
		return rc;
	/* pcilink's controllers keep their values where those are still free */
	for (size_t i = 0; i < plan->nports; i++)
		if (s->ctrl[i])
			keep_reused(lv, s, i);
	/* a reused port's bus must hold nothing but pcilink's functions */
	for (size_t i = 0; i < plan->nports; i++)
		if (s->ctrl[i] && lv->ports[i].index >= 0 && s->bus[lv->ports[i].index]) {
			lv_fail(lv, "%s: another device sits on bus 0x%02x of pcilink's root port 'ua-%s': move it "
				 "or remove that controller", lv_name(lv), lv->ports[i].index, plan->ports[i].id);
			return PL_EINVAL;
		}
	/* new indices above everything the domain has, so libvirt's own numbering cannot move */
	next_idx = s->max_idx + 1;
	if (lv->first_index > next_idx)
		next_idx = lv->first_index;
	/* expanders first: libvirt orders -device by index, and a port needs its bus to exist */
	if (plan->npxb && pl_lv_numa_place(plan, lv, s->root, s->devices, s->idx, s->fns, next_idx))
		return PL_EINVAL;
	for (size_t i = 0; i < plan->nports; i++) {
		struct pl_lv_port *l = &lv->ports[i];

		if (!s->ctrl[i]) {
			l->index = l->chassis = l->port = -1;
			if (!l->bus)
				l->slot = -1;
		}
		if (l->index < 0 && new_index(lv, s, l, next_idx))
			return PL_EINVAL;
		if (l->chassis < 0 && new_chassis(lv, s, l, o->first_chassis))
			return PL_EINVAL;
	}
	/* new ports to free root-bus functions, grouped as the plan groups them (8 to a slot) */
	for (size_t i = 0, end; i < plan->nports; i = end) {
		for (end = i; end < plan->nports && plan->ports[end].slot == plan->ports[i].slot; end++)
			;
		if (place_group(plan, lv, s, i, end))
			return PL_EINVAL;
	}
	set_multifunction(plan, lv, s);
	rc = keep_needed_orphans(plan, lv, s);
	if (rc)
		return rc;
	for (size_t i = 0; i < plan->nports; i++) {
		struct pl_lv_port *l = &lv->ports[i];

		if (l->port >= 0)
			continue;
		l->port = (l->slot << 3) | l->fn;
		if (s->port[l->port])
			l->port = lowest_free(s->port, 1);
		if (l->port < 0) {
			lv_fail(lv, "%s: no free root port number up to 255", lv_name(lv));
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
			lv_fail(lv, "libvirt %d.%d has no <qemu:override> (8.2+), and -global in "
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
	lv_warn(lv, "libvirt %d.%d has no <qemu:override> (8.2+): -global pcie-root-port.x-speed=%s "
		 "and x-width=%d in <qemu:commandline> set that link on every pcie-root-port of "
		 "the VM, not only on pcilink's", lv->major, lv->minor, pl_speed_qemu(first->speed), first->width);
	return PL_OK;
}

/* Snippet mode: indices from lv->first_index, chassis from there or --first-chassis. */
static int prepare_snippet(const struct pl_plan *plan, struct pl_lv *lv)
{
	const struct pl_plan_opts *o = plan->opts;
	/*
	 * QEMU refuses two root ports with one chassis number, and libvirt numbers the chassis of
	 * its own root ports like their indices: counting from the first index keeps clear of them.
	 * The port number is libvirt's default, slot << 3 | function.
	 */
	int chassis = o->first_chassis > lv->first_index ? o->first_chassis : lv->first_index;
	int first = lv->first_index + (int)plan->npxb;

	/* expanders first: a root port names its expander's index as its bus */
	for (size_t j = 0; j < plan->npxb; j++)
		lv->pxbs[j] = (struct pl_lv_pxb){ .index = lv->first_index + (int)j, .bus_nr = plan->pxbs[j].bus_nr,
						  .slot = plan->pxbs[j].slot };
	if (plan->npxb)
		lv_warn(lv, "the domain must define NUMA cells 0 to %d (<cpu><numa><cell id='N' cpus='...' "
			 "memory='...'/>): libvirt refuses an expander bus on a node it lacks",
		     pl_numa_last_guest(plan));
	for (size_t i = 0; i < plan->nports; i++) {
		const struct pl_plan_port *p = &plan->ports[i];
		struct pl_lv_port *l = &lv->ports[i];

		/* libvirt's default port on an expander (slot << 3 | function again) would repeat: the chassis */
		*l = (struct pl_lv_port){ .index = first + (int)i, .chassis = chassis + (int)i,
					  .port = p->pxb >= 0 ? chassis + (int)i : p->slot << 3 | p->fn,
					  .slot = p->slot, .fn = p->fn,
					  .bus = p->pxb >= 0 ? lv->pxbs[p->pxb].index : 0,
					  .multifunction = p->multifunction };
		if (l->index > 255 || l->chassis > 255) {
			lv_fail(lv, "%s from %d run past 255: give a lower %s", l->index > 255 ?
			     "controller indices" : "chassis numbers", l->index > 255 ? lv->first_index :
			     chassis, l->index > 255 ? "--first-index" : "--first-chassis");
			return PL_EINVAL;
		}
	}
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
	free(lv->pxbs);
	lv->pxbs = calloc(plan->npxb ? plan->npxb : 1, sizeof(*lv->pxbs));
	if (!lv->ports || !lv->pxbs)
		return PL_ENOMEM;
	if (o->hotplug >= 0 && o->qemu.has_hotplug && !pl_lv_has(lv, 6, 3))
		lv_warn(lv, "libvirt %d.%d has no hotplug attribute on <target> (6.3+): --hotplug ignored",
		     lv->major, lv->minor);
	rc = prepare_link(plan, lv);
	if (rc)
		return rc;
	if (!lv->dom)
		return prepare_snippet(plan, lv);
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

void pl_lv_free(struct pl_lv *lv)
{
	pl_diag_free(lv->warnings);
	free(lv->ports);
	free(lv->pxbs);
	free(lv->drop);
	pl_lvb_free(&lv->src);
	if (lv->dom)
		xmlFreeDoc(lv->dom);
	free(lv->buf);
	lv->warnings = NULL;
	lv->warn_tail = &lv->warnings;
	lv->ports = NULL;
	lv->pxbs = NULL;
	lv->drop = NULL;
	lv->ndrop = 0;
	lv->dom = NULL;
	lv->buf = NULL;
}
