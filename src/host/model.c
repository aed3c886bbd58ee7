/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Model lifetime, BDF helpers and the name tables every emitter shares. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pci/header.h>

#include "model.h"

const char *const pl_atomic_names[PL_ATOMIC_N] = { "32", "64", "128" };

int pl_bdf_cmp(const struct pl_bdf *a, const struct pl_bdf *b)
{
	if (a->domain != b->domain)
		return a->domain < b->domain ? -1 : 1;
	if (a->bus != b->bus)
		return a->bus < b->bus ? -1 : 1;
	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	if (a->fn != b->fn)
		return a->fn < b->fn ? -1 : 1;
	return 0;
}

char *pl_bdf_fmt(const struct pl_bdf *b, char *buf, size_t len)
{
	static const char x[] = "0123456789abcdef";
	char t[24], *p = t;
	int nd = 4;

	/* by hand: a report formats a slot a dozen times per function */
	while (nd < 8 && b->domain >> (4 * nd))
		nd++;
	for (int i = nd - 1; i >= 0; i--)
		*p++ = x[(b->domain >> (4 * i)) & 15];
	*p++ = ':';
	*p++ = x[(b->bus >> 4) & 15];
	*p++ = x[b->bus & 15];
	*p++ = ':';
	*p++ = x[(b->dev >> 4) & 15];
	*p++ = x[b->dev & 15];
	*p++ = '.';
	*p++ = x[b->fn & 15];
	*p++ = 0;
	if (len) {
		size_t n = (size_t)(p - t) < len ? (size_t)(p - t) : len;

		memcpy(buf, t, n);
		buf[n - 1] = 0;
	}
	return buf;
}

/* Hex digits only, at least one and at most max: sscanf's %x would take "0x" and signs. */
static const char *hexnum(const char *s, int max, unsigned *out)
{
	unsigned v = 0;
	int n = 0;

	for (; n < max && ((*s >= '0' && *s <= '9') || ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')); s++, n++)
		v = v * 16 + (unsigned)(*s <= '9' ? *s - '0' : (*s | 0x20) - 'a' + 10);
	if (!n)
		return NULL;
	*out = v;
	return s;
}

int pl_bdf_parse(const char *s, struct pl_bdf *out)
{
	unsigned dom = 0, bus, dev, fn;
	const char *p = hexnum(s, 8, &bus);

	/* BB:DD.F or DDDD:BB:DD.F */
	if (!p || *p++ != ':' || !(p = hexnum(p, 8, &dev)))
		return PL_EINVAL;
	if (*p == ':') {
		dom = bus;
		bus = dev;
		if (!(p = hexnum(p + 1, 2, &dev)))
			return PL_EINVAL;
	}
	if (*p++ != '.' || !(p = hexnum(p, 1, &fn)) || *p)
		return PL_EINVAL;
	if (bus > 0xff || dev > 0x1f || fn > 7 || dom > 0x7fffffff)
		return PL_EINVAL;
	*out = (struct pl_bdf){ .domain = dom, .bus = bus, .dev = dev, .fn = fn };
	return PL_OK;
}

struct pl_system *pl_system_new(void)
{
	struct pl_system *sys = calloc(1, sizeof(*sys));

	if (sys)
		sys->diag_tail = &sys->diags;
	return sys;
}

struct pl_dev *pl_dev_new(const struct pl_bdf *bdf)
{
	struct pl_dev *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->bdf = *bdf;
	d->sec_bus = d->sub_bus = -1;
	d->numa_node = -1;
	d->diag_tail = &d->diags;
	d->pcie.version = d->pcie.type = -1;
	return d;
}

void pl_diag_free(struct pl_diag *g)
{
	while (g) {
		struct pl_diag *n = g->next;
		free(g);
		g = n;
	}
}

static void dev_free(struct pl_dev *d)
{
	free(d->driver);
	free(d->iommu_group);
	free(d->vendor_name);
	free(d->device_name);
	free(d->sys_max_speed);
	free(d->sys_max_width);
	free(d->sys_cur_speed);
	free(d->sys_cur_width);
	free(d->an.hops);
	pl_diag_free(d->diags);
	free(d);
}

void pl_system_free(struct pl_system *sys)
{
	if (!sys)
		return;
	for (size_t i = 0; i < sys->ndev; i++)
		dev_free(sys->devs[i]);
	free(sys->devs);
	free(sys->htab);
	free(sys->source_path);
	pl_diag_free(sys->diags);
	free(sys);
}

int pl_system_add(struct pl_system *sys, struct pl_dev *dev)
{
	if ((sys->ndev & (sys->ndev + 1)) == 0 || sys->ndev < 16) {
		size_t cap = sys->ndev < 16 ? 32 : (sys->ndev + 1) * 2;
		struct pl_dev **n = realloc(sys->devs, cap * sizeof(*n));

		if (!n)
			return PL_ENOMEM;
		sys->devs = n;
	}
	sys->devs[sys->ndev++] = dev;
	return PL_OK;
}

/* qsort is not stable: the order of adding breaks ties, so the first of a slot comes first */
struct dev_pos {
	struct pl_dev *d;
	size_t pos;
};

static int dev_cmp(const void *a, const void *b)
{
	const struct dev_pos *x = a, *y = b;
	int c = pl_bdf_cmp(&x->d->bdf, &y->d->bdf);

	return c ? c : x->pos < y->pos ? -1 : x->pos > y->pos;
}

static size_t bdf_hash(const struct pl_bdf *b)
{
	uint64_t k = (uint64_t)b->domain << 16 | b->bus << 8 | b->dev << 3 | b->fn;

	k *= 0x9e3779b97f4a7c15ull;
	return (size_t)(k >> 17);
}

int pl_system_index(struct pl_system *sys)
{
	size_t cap = 64, out = 0;
	struct dev_pos *t = calloc(sys->ndev ? sys->ndev : 1, sizeof(*t));

	if (!t)
		return PL_ENOMEM;
	for (size_t i = 0; i < sys->ndev; i++)
		t[i] = (struct dev_pos){ sys->devs[i], i };
	qsort(t, sys->ndev, sizeof(*t), dev_cmp);
	/* a slot listed more than once (a spliced dump): its first block, one diagnostic */
	for (size_t i = 0, j; i < sys->ndev; i = j) {
		struct pl_dev *d = t[i].d;
		char b[16];

		for (j = i + 1; j < sys->ndev && !pl_bdf_cmp(&t[j].d->bdf, &d->bdf); j++)
			dev_free(t[j].d);
		d->blocks = (unsigned)(j - i);
		if (j - i > 1)
			pl_sys_diag(sys, "slot %s is listed %zu times; its first block is used", pl_bdf_fmt(&d->bdf, b, sizeof(b)), j - i);
		sys->devs[out++] = d;
	}
	free(t);
	sys->ndev = out;
	while (cap < sys->ndev * 2)
		cap *= 2;
	free(sys->htab);
	sys->htab = calloc(cap, sizeof(*sys->htab));
	if (!sys->htab)
		return PL_ENOMEM;
	sys->hcap = cap;
	for (size_t i = 0; i < sys->ndev; i++) {
		size_t h = bdf_hash(&sys->devs[i]->bdf) & (cap - 1);

		while (sys->htab[h])
			h = (h + 1) & (cap - 1);
		sys->htab[h] = sys->devs[i];
	}
	return PL_OK;
}

struct pl_dev *pl_system_find(const struct pl_system *sys, const struct pl_bdf *bdf)
{
	if (!sys->hcap)
		return NULL;
	for (size_t h = bdf_hash(bdf) & (sys->hcap - 1); sys->htab[h]; h = (h + 1) & (sys->hcap - 1))
		if (!pl_bdf_cmp(&sys->htab[h]->bdf, bdf))
			return sys->htab[h];
	return NULL;
}

void pl_diag_add(struct pl_diag **head, struct pl_diag ***tail, const char *fmt, ...)
{
	va_list ap;
	int n;
	struct pl_diag *g;

	(void)head;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(g = malloc(sizeof(*g) + n + 1)))
		return;
	va_start(ap, fmt);
	vsnprintf(g->msg, n + 1, fmt, ap);
	va_end(ap);
	g->next = NULL;
	**tail = g;
	*tail = &g->next;
}

static const struct {
	const char *name, *label;
} port_types[16] = {
	[PL_TYPE_ENDPOINT] = { "endpoint", "Endpoint" },
	[PL_TYPE_LEG_END] = { "legacy_endpoint", "Legacy Endpoint" },
	[PL_TYPE_ROOT_PORT] = { "root_port", "Root Port" },
	[PL_TYPE_UPSTREAM] = { "upstream_port", "Upstream Port" },
	[PL_TYPE_DOWNSTREAM] = { "downstream_port", "Downstream Port" },
	[PL_TYPE_PCIE_PCI] = { "pcie_to_pci_bridge", "PCI-Express to PCI/PCI-X Bridge" },
	[PL_TYPE_PCI_PCIE] = { "pci_to_pcie_bridge", "PCI/PCI-X to PCI-Express Bridge" },
	[PL_TYPE_RC_END] = { "rc_integrated_endpoint", "Root Complex Integrated Endpoint" },
	[PL_TYPE_RC_EC] = { "rc_event_collector", "Root Complex Event Collector" },
};

const char *pl_port_type_name(int type)
{
	if (type < 0 || type > 15 || !port_types[type].name)
		return NULL;
	return port_types[type].name;
}

const char *pl_port_type_label(int type)
{
	if (type < 0 || type > 15 || !port_types[type].label)
		return "Unknown type";
	return port_types[type].label;
}

static const struct {
	const char *gts, *qemu;
	double val;
	uint32_t mbps;
} speeds[PL_SPEED_MAX + 1] = {
	[PL_SPEED_2_5] = { "2.5", "2_5", 2.5, 2500 * 8 / 10 },
	[PL_SPEED_5] = { "5", "5", 5.0, 5000 * 8 / 10 },
	[PL_SPEED_8] = { "8", "8", 8.0, 8000 * 128 / 130 },
	[PL_SPEED_16] = { "16", "16", 16.0, 16000 * 128 / 130 },
	[PL_SPEED_32] = { "32", "32", 32.0, 32000 * 128 / 130 },
	/* 64 GT/s is 1:1 since "PCI: Fix 64GT/s effective data rate calculation" */
	[PL_SPEED_64] = { "64", "64", 64.0, 64000 },
};

static bool speed_ok(int s)
{
	return s > 0 && s <= PL_SPEED_MAX;
}

const char *pl_speed_gts_str(int s)
{
	return speed_ok(s) ? speeds[s].gts : NULL;
}

double pl_speed_gts(int s)
{
	return speed_ok(s) ? speeds[s].val : 0;
}

const char *pl_speed_qemu(int s)
{
	return speed_ok(s) ? speeds[s].qemu : NULL;
}

int pl_speed_from_qemu(const char *str)
{
	for (int s = 1; s <= PL_SPEED_MAX; s++)
		if (!strcmp(str, speeds[s].qemu))
			return s;
	return PL_SPEED_UNKNOWN;
}

uint32_t pl_speed_mbps(int s)
{
	return speed_ok(s) ? speeds[s].mbps : 0;
}

bool pl_width_valid(int w)
{
	return w == 1 || w == 2 || w == 4 || w == 8 || w == 12 || w == 16 || w == 32;
}

int pl_width_floor(int w)
{
	static const int legal[] = { 32, 16, 12, 8, 4, 2, 1 };

	for (size_t i = 0; i < sizeof(legal) / sizeof(legal[0]); i++)
		if (w >= legal[i])
			return legal[i];
	return 0;
}

const char *pl_diagnosis_name(enum pl_diagnosis d)
{
	static const char *const names[] = {
		[PL_DIAG_NONE] = "full",
		[PL_DIAG_UNKNOWN] = "unknown",
		[PL_DIAG_LINK_DOWN] = "link_down",
		[PL_DIAG_SPEED] = "speed_reduced",
		[PL_DIAG_WIDTH] = "width_reduced",
		[PL_DIAG_SPEED_WIDTH] = "speed_and_width_reduced",
		[PL_DIAG_PARTNER] = "partner_limited",
	};
	return names[d];
}

bool pl_dev_is_bridge(const struct pl_dev *d)
{
	return (d->header_type & 0x7f) == PCI_HEADER_TYPE_BRIDGE ||
	       (d->header_type & 0x7f) == PCI_HEADER_TYPE_CARDBUS;
}

bool pl_dev_has_completer(const struct pl_dev *d, int i)
{
	static const uint32_t bits[PL_ATOMIC_N] = {
		PCI_EXP_DEVCAP2_32BIT_ATOMICOP_COMP,
		PCI_EXP_DEVCAP2_64BIT_ATOMICOP_COMP,
		PCI_EXP_DEVCAP2_128BIT_CAS_COMP,
	};
	return d->is_pcie && d->pcie.dev2_known && (d->pcie.devcap2 & bits[i]);
}

void pl_dev_cfg_gap(const struct pl_system *sys, const struct pl_dev *d, char *buf, size_t len)
{
	unsigned n = d->cfg.len;
	const char *fmt = n >= PL_CFG_SIZE ? ""
			  : sys->kind == PL_SOURCE_DUMP ? (n ? "the PCI Express capability of %s is not in the input"
							     : "config space of %s is not in the input")
			  : !n ? "config space of %s could not be read"
			  : n == 64 || n == 128 ? "config space of %s beyond the header needs root"
						: "config space of %s could not be read in full";
	char b[16];

	snprintf(buf, len, fmt, pl_bdf_fmt(&d->bdf, b, sizeof(b)));
}
