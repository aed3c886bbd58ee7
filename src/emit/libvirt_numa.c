/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --numa in merge mode: the domain must have a NUMA cell for each guest node; the plan's expander
 * buses (pcie-expander-bus, alias ua-pxb-nodeG, kept from a previous run) get free indices,
 * root-bus slots and bus numbers clear of the domain's own expanders, and the root ports on them
 * their slots there.
 */
#include <stdlib.h>
#include <string.h>

#include "libvirt_dom.h"

#define MAXN 256

static const char *const root_models[] = {
	"pcie-root-port", "pcie-switch-upstream-port", "pcie-switch-downstream-port", "pcie-to-pci-bridge",
	"pci-bridge", "dmi-to-pci-bridge",
};

static bool is_expander(const xmlNode *d)
{
	return lv_is(d, "controller") && lv_prop_is(d, "type", "pci") &&
	       (lv_prop_is(d, "model", "pcie-expander-bus") || lv_prop_is(d, "model", "pci-expander-bus"));
}

static long addr_bus(const xmlNode *d)
{
	xmlNode *a = lv_child(d, "address");
	long bus = 0;

	return a && lv_prop_is(a, "type", "pci") && lv_num(a, "bus", LV_ANY, &bus) == 1 ? bus : 0;
}

static bool has_cell(const xmlNode *root, int id)
{
	for (xmlNode *c = lv_child(lv_child(lv_child(root, "cpu"), "numa"), "cell"); c; c = c->next) {
		long v;

		if (lv_is(c, "cell") && lv_num(c, "id", LV_DEC, &v) == 1 && v == id)
			return true;
	}
	return false;
}

/* An expander's own bus and one below each controller on it: [busNr, busNr + children]. */
static int add_range(struct pl_bus_range *r, int n, const xmlNode *devices, const xmlNode *x, int at_least)
{
	long nr, idx;
	int kids = 0;

	if (lv_num(lv_child(x, "target"), "busNr", LV_ANY, &nr) != 1 || lv_num(x, "index", LV_DEC, &idx) != 1)
		return n;
	for (const xmlNode *d = devices->children; d; d = d->next)
		kids += lv_is(d, "controller") && addr_bus(d) == idx;
	r[n].lo = (int)nr;
	r[n].hi = (int)nr + (kids > at_least ? kids : at_least);
	return n + 1;
}

int pl_lv_numa_place(const struct pl_plan *plan, struct pl_lv *lv, xmlNode *root, xmlNode *devices, bool *idx,
		     uint8_t *rootfns, int next_idx)
{
	struct pl_bus_range used[MAXN];
	int nused = 0, floor = 1, nnew = 0, need[MAXN], out[MAXN], which[MAXN];
	bool expander_bus[MAXN] = { false };
	xmlNode *mine[MAXN] = { NULL };

	for (size_t j = 0; j < plan->npxb; j++) {
		const struct pl_plan_pxb *x = &plan->pxbs[j];
		char want[48];

		if (!has_cell(root, x->guest_node)) {
			lv_fail(lv, "%s: no NUMA cell %d in <cpu><numa> for expander bus '%s': add <cell id='%d' "
				    "cpus='...' memory='...'/> (cells numbered from 0), or map the host node to a cell "
				    "the domain has with --numa-map", lv_name(lv), x->guest_node, x->id, x->guest_node);
			return PL_EINVAL;
		}
		snprintf(want, sizeof(want), "ua-%s", x->id);
		for (xmlNode *d = devices->children; d; d = d->next)
			if (is_expander(d) && lv_prop_is(lv_child(d, "alias"), "name", want))
				mine[j] = d;
	}
	for (xmlNode *d = devices->children; d; d = d->next) {
		long v;

		if (is_expander(d) && lv_num(d, "index", LV_DEC, &v) == 1 && v < MAXN)
			expander_bus[v] = true;
	}
	for (xmlNode *d = devices->children; d; d = d->next) {
		bool ours = false;

		for (size_t j = 0; j < plan->npxb; j++)
			if (mine[j] == d) {
				ours = true;
				nused = add_range(used, nused, devices, d, plan->pxbs[j].nports);
			}
		if (is_expander(d) && !ours && nused < MAXN)
			nused = add_range(used, nused, devices, d, 0);
		for (size_t m = 0; m < sizeof(root_models) / sizeof(root_models[0]); m++)
			floor += lv_is(d, "controller") && lv_prop_is(d, "model", root_models[m]) &&
				 !expander_bus[addr_bus(d) & (MAXN - 1)];
	}
	for (size_t i = 0; i < plan->nports; i++)
		floor += plan->ports[i].pxb < 0;
	for (size_t j = 0; j < plan->npxb; j++) {
		struct pl_lv_pxb *l = &lv->pxbs[j];
		long v;

		if (mine[j] && lv_num(mine[j], "index", LV_DEC, &v) == 1 &&
		    lv_num(lv_child(mine[j], "target"), "busNr", LV_ANY, &v) == 1) {
			lv_num(mine[j], "index", LV_DEC, &v);
			l->index = (int)v;
			lv_num(lv_child(mine[j], "target"), "busNr", LV_ANY, &v);
			l->bus_nr = (int)v;
			lv_num(lv_child(mine[j], "address"), "slot", LV_ANY, &v);
			l->slot = (int)v;
			continue;
		}
		l->index = -1;
		for (int k = next_idx; k < MAXN && l->index < 0; k++)
			if (!idx[k])
				l->index = k;
		l->slot = -1;
		for (int k = 0; k < 32 && l->slot < 0; k++)
			if (!rootfns[(plan->opts->first_addr + k) % 32])
				l->slot = (plan->opts->first_addr + k) % 32;
		if (l->index < 0 || l->slot < 0) {
			lv_fail(lv, "%s: no free %s for expander bus '%s'", lv_name(lv),
				l->index < 0 ? "controller index up to 255" : "slot on pcie-root", plan->pxbs[j].id);
			return PL_EINVAL;
		}
		idx[l->index] = true;
		rootfns[l->slot] |= 1;
		which[nnew] = (int)j;
		need[nnew++] = 1 + plan->pxbs[j].nports;
	}
	if (nnew && pl_numa_bus_nr(need, (size_t)nnew, used, (size_t)nused, floor, out)) {
		lv_fail(lv, "%s: no room for %d expander bus%s in bus numbers %d to 255 beside the domain's own",
			lv_name(lv), nnew, nnew > 1 ? "es" : "", floor);
		return PL_EINVAL;
	}
	for (int k = 0; k < nnew; k++)
		lv->pxbs[which[k]].bus_nr = out[k];
	/* ports on their expander from slot 0, around what else sits there */
	for (size_t j = 0; j < plan->npxb; j++) {
		uint8_t fns[32] = { 0 };
		int next = 0;

		for (xmlNode *d = devices->children; d; d = d->next)
			if (d->type == XML_ELEMENT_NODE && !lv_pcilink_port(d) && addr_bus(d) == lv->pxbs[j].index) {
				long slot = 0, fn = 0;
				xmlNode *a = lv_child(d, "address");

				if (lv_num(a, "slot", LV_ANY, &slot) == 1 && slot < 32 && lv_num(a, "function", LV_ANY, &fn) >= 0 &&
				    fn < 8)
					fns[slot] |= (uint8_t)(1u << fn);
			}
		for (size_t i = 0; i < plan->nports; i++) {
			struct pl_lv_port *l = &lv->ports[i];

			if (plan->ports[i].pxb != (int)j)
				continue;
			while (next < 256 && (fns[next / 8] & (1u << (next % 8))))
				next++;
			if (next >= 256) {
				lv_fail(lv, "%s: no free slot on expander bus '%s'", lv_name(lv), plan->pxbs[j].id);
				return PL_EINVAL;
			}
			l->bus = lv->pxbs[j].index;
			l->slot = next / 8;
			l->fn = next % 8;
			fns[l->slot] |= (uint8_t)(1u << l->fn);
		}
		for (size_t i = 0; i < plan->nports; i++) {
			struct pl_lv_port *l = &lv->ports[i];

			if (plan->ports[i].pxb == (int)j)
				l->multifunction = l->fn == 0 && (fns[l->slot] & ~1u);
		}
	}
	return PL_OK;
}
