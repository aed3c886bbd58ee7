/* SPDX-License-Identifier: GPL-2.0-or-later */
/* NUMA placement: root ports on one expander bus (pxb-pcie) per guest node, and their bus numbers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "util.h"

static int node_num(const char *s, const char **end, int hi)
{
	char *e;
	long v;

	errno = 0;
	v = strtol(s, &e, 10);
	if (errno || e == s || v < 0 || v > hi || (*s < '0' || *s > '9'))
		return -1;
	*end = e;
	return (int)v;
}

int pl_numa_map_parse(const char *s, struct pl_numa_map **map, size_t *n, char *err, size_t errlen)
{
	struct pl_numa_map *m = NULL;
	size_t k = 0;
	const char *p = s;
	char ex[PL_EXCERPT_SIZE];

	*map = NULL;
	*n = 0;
	while (*p) {
		struct pl_numa_map v, *nm;
		const char *e;

		if ((v.host = node_num(p, &e, 1023)) < 0 || *e != '=' ||
		    (v.guest = node_num(e + 1, &e, PL_NUMA_MAX_GUEST)) < 0 || (*e && *e != ',')) {
			snprintf(err, errlen, "'%s': give HOST=GUEST[,HOST=GUEST...], host nodes 0 to 1023, "
				 "guest nodes 0 to %d", pl_excerpt(ex, sizeof(ex), s), PL_NUMA_MAX_GUEST);
			free(m);
			return PL_EINVAL;
		}
		for (size_t i = 0; i < k; i++)
			if (m[i].host == v.host) {
				snprintf(err, errlen, "'%s': host node %d is mapped twice", pl_excerpt(ex, sizeof(ex), s), v.host);
				free(m);
				return PL_EINVAL;
			}
		nm = realloc(m, (k + 1) * sizeof(*m));
		if (!nm) {
			free(m);
			return PL_ENOMEM;
		}
		m = nm;
		m[k++] = v;
		p = *e ? e + 1 : e;
		if (*e && !*p) {
			snprintf(err, errlen, "'%s': a trailing comma", pl_excerpt(ex, sizeof(ex), s));
			free(m);
			return PL_EINVAL;
		}
	}
	*map = m;
	*n = k;
	return PL_OK;
}

static int guest_node(const struct pl_plan_opts *o, int host)
{
	for (size_t i = 0; i < o->nnuma_map; i++)
		if (o->numa_map[i].host == host)
			return o->numa_map[i].guest;
	return host;
}

/* The highest start s >= floor with [s, s+need) below top and clear of every used range. */
static int fit_below(int top, int need, const struct pl_bus_range *used, size_t nused, int floor)
{
	int s = top - need;
	bool moved = true;

	while (moved && s >= floor) {
		moved = false;
		for (size_t i = 0; i < nused; i++)
			if (used[i].lo <= s + need - 1 && used[i].hi >= s) {
				s = used[i].lo - need;
				moved = true;
			}
	}
	return s >= floor ? s : -1;
}

int pl_numa_bus_nr(const int *need, size_t n, const struct pl_bus_range *used, size_t nused, int floor,
		   int *out)
{
	int top = 256;

	for (size_t i = n; i-- > 0;) {
		int s = need[i] < 1 ? -1 : fit_below(top, need[i], used, nused, floor < 1 ? 1 : floor);

		if (s < 0)
			return PL_ERANGE;
		out[i] = s;
		top = s;
	}
	return PL_OK;
}

int pl_numa_group(const struct pl_plan_opts *o, struct pl_plan *plan, char *err, size_t errlen)
{
	bool used[PL_NUMA_MAX_GUEST + 1] = { false };
	int index[PL_NUMA_MAX_GUEST + 1];
	char slot[16];

	for (size_t i = 0; i < plan->nports; i++) {
		struct pl_plan_port *p = &plan->ports[i];
		const struct pl_dev *d = p->fns[0].dev;

		p->host_node = d->numa_node;
		p->guest_node = d->numa_node >= 0 ? guest_node(o, d->numa_node) : -1;
		if (p->guest_node > PL_NUMA_MAX_GUEST) {
			snprintf(err, errlen, "%s: host NUMA node %d has no guest node (QEMU has 0 to %d): "
				 "give --numa-map %d=GUEST", pl_bdf_fmt(&d->bdf, slot, sizeof(slot)), d->numa_node,
				 PL_NUMA_MAX_GUEST, d->numa_node);
			return PL_EINVAL;
		}
		if (p->guest_node < 0) {
			char dev[16];

			pl_bdf_fmt(&d->bdf, slot, sizeof(slot));
			snprintf(dev, sizeof(dev), "%.*s", d->bdf.domain ? 10 : 5, slot + (d->bdf.domain ? 0 : 5));
			pl_diag_add(&plan->warnings, &plan->warn_tail, "%s: no host NUMA node (sysfs numa_node is -1, "
				    "or a dump: give --numa-node %s=N): its root port stays on %s", slot, dev, o->bus);
		}
		else
			used[p->guest_node] = true;
	}
	plan->pxbs = calloc(PL_NUMA_MAX_GUEST + 1, sizeof(*plan->pxbs));
	if (!plan->pxbs)
		return PL_ENOMEM;
	for (int g = 0; g <= PL_NUMA_MAX_GUEST; g++) {
		struct pl_plan_pxb *x = &plan->pxbs[plan->npxb];

		if (!used[g])
			continue;
		index[g] = (int)plan->npxb++;
		x->guest_node = g;
		snprintf(x->id, sizeof(x->id), "pxb-node%d", g);
	}
	for (size_t i = 0; i < plan->nports; i++)
		plan->ports[i].pxb = plan->ports[i].guest_node >= 0 ? index[plan->ports[i].guest_node] : -1;
	return PL_OK;
}

int pl_numa_last_guest(const struct pl_plan *plan)
{
	return plan->npxb ? plan->pxbs[plan->npxb - 1].guest_node : -1;
}
