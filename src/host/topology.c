/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Topology: parents from sysfs or from bridge bus numbers, child lists, consistency checks. */
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "device.h"
#include "topology.h"


/* bridges by (domain, secondary bus), sorted */
struct sec_entry {
	uint32_t domain;
	int sec;
	struct pl_dev *br;
};

static int sec_cmp(const void *a, const void *b)
{
	const struct sec_entry *x = a, *y = b;

	if (x->domain != y->domain)
		return x->domain < y->domain ? -1 : 1;
	if (x->sec != y->sec)
		return x->sec - y->sec;
	return pl_bdf_cmp(&x->br->bdf, &y->br->bdf);
}

static struct sec_entry *sec_find(struct sec_entry *t, size_t n, uint32_t domain, int bus)
{
	struct sec_entry key = { .domain = domain, .sec = bus };
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = key.domain != t[mid].domain ? (key.domain < t[mid].domain ? -1 : 1)
						       : key.sec - t[mid].sec;
		if (c > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && t[lo].domain == domain && t[lo].sec == bus ? &t[lo] : NULL;
}

/*
 * A device on a bus inside some bridge's range, yet no bridge leads to that bus. Per domain,
 * each bus notes the first bridge (in t's order) whose range holds it: linear in functions
 * and bridges (the scan of parentless devices x bridges took 11 s for 40,000 root ports).
 * sys->devs and t are both sorted by domain first.
 */
static void orphans(struct pl_system *sys, const struct sec_entry *t, size_t n)
{
	const struct sec_entry *cover[256];
	bool mapped = false;
	uint32_t dom = 0;
	size_t j = 0;
	char a[16], b[16];

	for (size_t i = 0; i < sys->ndev; i++) {
		struct pl_dev *d = sys->devs[i];
		const struct sec_entry *e;

		if (d->parent)
			continue;
		if (!mapped || d->bdf.domain != dom) {
			dom = d->bdf.domain;
			mapped = true;
			memset(cover, 0, sizeof(cover));
			while (j < n && t[j].domain < dom)
				j++;
			for (; j < n && t[j].domain == dom; j++)
				for (int bus = t[j].sec + 1; bus <= t[j].br->sub_bus && bus < 256; bus++)
					if (!cover[bus])
						cover[bus] = &t[j];
		}
		e = cover[d->bdf.bus];
		if (e)
			pl_sys_diag(sys, "%s is on bus %02x inside %s's range [%02x-%02x], "
				    "but no bridge leads to that bus",
				    pl_bdf_fmt(&d->bdf, a, sizeof(a)), d->bdf.bus,
				    pl_bdf_fmt(&e->br->bdf, b, sizeof(b)), e->sec, e->br->sub_bus);
	}
}

static int place_by_bus(struct pl_system *sys)
{
	struct sec_entry *t;
	size_t n = 0;
	char a[16], b[16];

	t = calloc(sys->ndev ? sys->ndev : 1, sizeof(*t));
	if (!t)
		return PL_ENOMEM;
	for (size_t i = 0; i < sys->ndev; i++) {
		struct pl_dev *d = sys->devs[i];

		if (d->parent_known && sys->kind != PL_SOURCE_DUMP)
			continue;
		pl_system_load(sys, d);
	}
	for (size_t i = 0; i < sys->ndev; i++) {
		struct pl_dev *d = sys->devs[i];

		if (!pl_dev_is_bridge(d) || d->sec_bus < 0)
			continue;
		if (d->sec_bus == 0 && d->sub_bus == 0)
			continue;       /* not programmed: leads nowhere */
		if (d->sec_bus <= d->bdf.bus || d->sub_bus < d->sec_bus) {
			pl_sys_diag(sys, "bridge %s has buses [%02x-%02x], not above its own bus %02x; "
				    "ignored for the topology", pl_bdf_fmt(&d->bdf, a, sizeof(a)),
				    d->sec_bus, d->sub_bus, d->bdf.bus);
			continue;
		}
		t[n++] = (struct sec_entry){ .domain = d->bdf.domain, .sec = d->sec_bus, .br = d };
	}
	qsort(t, n, sizeof(*t), sec_cmp);
	for (size_t i = 1; i < n; i++)
		if (t[i].domain == t[i - 1].domain && t[i].sec == t[i - 1].sec)
			pl_sys_diag(sys, "bus %04x:%02x is claimed by both %s and %s; %s is used",
				    t[i].domain, t[i].sec, pl_bdf_fmt(&t[i - 1].br->bdf, a, sizeof(a)),
				    pl_bdf_fmt(&t[i].br->bdf, b, sizeof(b)), a);
	for (size_t i = 0; i < sys->ndev; i++) {
		struct pl_dev *d = sys->devs[i];
		struct sec_entry *e;

		if (d->parent_known)
			continue;
		e = sec_find(t, n, d->bdf.domain, d->bdf.bus);
		if (e && e->br != d) {
			d->parent = e->br;
			d->parent_known = true;
		}
	}
	/* ranges must nest: a child bridge's buses lie inside its parent's */
	for (size_t i = 0; i < n; i++) {
		struct pl_dev *br = t[i].br, *p = br->parent;

		if (p && p->sec_bus >= 0 && (br->sec_bus < p->sec_bus || br->sub_bus > p->sub_bus))
			pl_sys_diag(sys, "bridge %s buses [%02x-%02x] leave its parent %s's [%02x-%02x]",
				    pl_bdf_fmt(&br->bdf, a, sizeof(a)), br->sec_bus, br->sub_bus,
				    pl_bdf_fmt(&p->bdf, b, sizeof(b)), p->sec_bus, p->sub_bus);
	}
	orphans(sys, t, n);
	free(t);
	return PL_OK;
}

/* Break any parent cycle (only possible with a corrupt source) so every walk ends. */
static void break_cycles(struct pl_system *sys)
{
	char a[16];

	for (size_t i = 0; i < sys->ndev; i++) {
		struct pl_dev *d = sys->devs[i], *slow = d, *fast = d;

		while (fast && fast->parent) {
			slow = slow->parent;
			fast = fast->parent->parent;
			if (slow == fast) {
				pl_sys_diag(sys, "parent chain of %s loops; cut at %s",
					    pl_bdf_fmt(&d->bdf, a, sizeof(a)), a);
				d->parent = NULL;
				break;
			}
		}
	}
}

int pl_topo_build(struct pl_system *sys)
{
	bool need_bus = false;
	int rc;

	for (size_t i = 0; i < sys->ndev; i++)
		if (!sys->devs[i]->parent_known)
			need_bus = true;
	if (need_bus && (rc = place_by_bus(sys)))
		return rc;
	break_cycles(sys);
	/* children in BDF order: walk backwards and push to the front */
	for (size_t i = sys->ndev; i-- > 0;) {
		struct pl_dev *d = sys->devs[i];

		if (d->parent) {
			d->sibling = d->parent->child;
			d->parent->child = d;
		}
	}
	return PL_OK;
}
