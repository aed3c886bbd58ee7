/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Link analysis: path, slot link, bandwidth, diagnosis, host AtomicOps, recommendation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pci/header.h>

#include "access.h"
#include "analysis.h"
#include "device.h"

#define MAX_DEPTH 64

static bool has_link(const struct pl_dev *d)
{
	return d && d->is_pcie && d->pcie.has_link;
}

static int min_known(int a, int b, int unknown)
{
	if (a == unknown)
		return b;
	if (b == unknown)
		return a;
	return a < b ? a : b;
}

static uint32_t bw(int speed, int width)
{
	if (width <= 0)
		return 0;
	return pl_speed_mbps(speed) * (uint32_t)width;
}

static void fill_hop(struct pl_hop *h)
{
	const struct pl_link *up = has_link(h->port) ? &h->port->pcie.link : NULL;
	const struct pl_link *dn = has_link(h->below) ? &h->below->pcie.link : NULL;

	h->max_speed = min_known(up ? up->max_speed : 0, dn ? dn->max_speed : 0, PL_SPEED_UNKNOWN);
	h->max_width = min_known(up ? up->max_width : PL_WIDTH_UNKNOWN,
				 dn ? dn->max_width : PL_WIDTH_UNKNOWN, PL_WIDTH_UNKNOWN);
	/* both ends report the same trained link; the component below is the kernel's first read */
	if (dn && dn->speed && dn->width != PL_WIDTH_UNKNOWN) {
		h->speed = dn->speed;
		h->width = dn->width;
	} else if (up) {
		h->speed = up->speed;
		h->width = up->width;
	} else {
		h->speed = PL_SPEED_UNKNOWN;
		h->width = PL_WIDTH_UNKNOWN;
	}
	h->cap_mbps = bw(h->max_speed, h->max_width);
	h->sta_mbps = bw(h->speed, h->width);
}

/* Everything below br carries vendor v (depth-guarded). */
static bool all_below_vendor(const struct pl_dev *br, uint16_t v, int depth)
{
	if (depth > MAX_DEPTH)
		return false;
	for (const struct pl_dev *c = br->child; c; c = c->sibling)
		if (c->vendor != v || !all_below_vendor(c, v, depth + 1))
			return false;
	return true;
}

static const char *hop_name(const struct pl_hop *h, char *buf, size_t len)
{
	char a[16], b[16];

	/* without a port above in the input, the device's own registers stand for its link */
	if (h->port == h->below)
		snprintf(buf, len, "above %s", pl_bdf_fmt(&h->below->bdf, b, sizeof(b)));
	else
		snprintf(buf, len, "%s -> %s", pl_bdf_fmt(&h->port->bdf, a, sizeof(a)),
			 pl_bdf_fmt(&h->below->bdf, b, sizeof(b)));
	return buf;
}

static const char *link_str(int speed, int width, char *buf, size_t len)
{
	const char *s = pl_speed_gts_str(speed);

	if (width == PL_WIDTH_UNKNOWN)
		snprintf(buf, len, "%sGT/s x?", s ? s : "?");
	else
		snprintf(buf, len, "%sGT/s x%d", s ? s : "?", width);
	return buf;
}

static void diagnose(struct pl_analysis *an, const struct pl_dev *ld)
{
	char hn[40], l1[24], l2[24];
	const struct pl_hop *h;

	if (an->limit_sta_hop < 0) {
		an->diagnosis = PL_DIAG_UNKNOWN;
		snprintf(an->diag_text, sizeof(an->diag_text), "the link status is unknown");
		return;
	}
	h = &an->hops[an->limit_sta_hop];
	hop_name(h, hn, sizeof(hn));
	if (h->width == 0) {
		an->diagnosis = PL_DIAG_LINK_DOWN;
		snprintf(an->diag_text, sizeof(an->diag_text), "the link %s is down", hn);
		return;
	}
	bool sp = h->speed && h->max_speed && h->speed < h->max_speed;
	bool wd = h->width > 0 && h->max_width > 0 && h->width < h->max_width;

	link_str(h->speed, h->width, l1, sizeof(l1));
	link_str(h->max_speed, h->max_width, l2, sizeof(l2));
	if (sp && wd) {
		an->diagnosis = PL_DIAG_SPEED_WIDTH;
		snprintf(an->diag_text, sizeof(an->diag_text),
			 "the link %s runs at %s of %s: the width reduction means a degraded link "
			 "(seating, riser, bifurcation); the speed may also be power management", hn, l1, l2);
	} else if (wd) {
		an->diagnosis = PL_DIAG_WIDTH;
		snprintf(an->diag_text, sizeof(an->diag_text),
			 "the link %s runs at %s of %s: a width reduction means a degraded link "
			 "(seating, riser, bifurcation)", hn, l1, l2);
	} else if (sp) {
		an->diagnosis = PL_DIAG_SPEED;
		snprintf(an->diag_text, sizeof(an->diag_text),
			 "the link %s runs at %s of %s: a speed-only reduction is usually power "
			 "management; look again under load", hn, l1, l2);
	} else if (an->path_capable_mbps && an->dev_capable_mbps &&
		   an->path_capable_mbps < an->dev_capable_mbps && an->limit_cap_hop >= 0) {
		const struct pl_hop *c = &an->hops[an->limit_cap_hop];
		const struct pl_link *dl = &ld->pcie.link;

		an->diagnosis = PL_DIAG_PARTNER;
		link_str(c->max_speed, c->max_width, l1, sizeof(l1));
		link_str(dl->max_speed, dl->max_width, l2, sizeof(l2));
		snprintf(an->diag_text, sizeof(an->diag_text),
			 "the link %s is capable of %s only, below the device's %s: the port caps it",
			 hop_name(c, hn, sizeof(hn)), l1, l2);
	} else {
		an->diagnosis = PL_DIAG_NONE;
		snprintf(an->diag_text, sizeof(an->diag_text), "running at its capability (%s)", l1);
	}
}

static void atomic_fail(struct pl_analysis *an, int i, const char *fmt, const struct pl_dev *d)
{
	char b[16];

	if (!an->host_atomics[i])
		return;
	an->host_atomics[i] = false;
	snprintf(an->atomic_why_buf[i], sizeof(an->atomic_why_buf[i]), fmt,
		 d ? pl_bdf_fmt(&d->bdf, b, sizeof(b)) : "", pl_atomic_names[i]);
	an->atomic_why[i] = an->atomic_why_buf[i];
}

/* Host support cannot be told: say which function's registers are missing and why. */
static void atomics_unknown(const struct pl_system *sys, struct pl_analysis *an, const struct pl_dev *d,
			    const char *why)
{
	char b[16];

	an->atomics_known = false;
	/* a short read is the cause wherever there is one */
	pl_dev_cfg_gap(sys, d, an->atomics_unknown, sizeof(an->atomics_unknown));
	if (!an->atomics_unknown[0] || (sys->kind == PL_SOURCE_DUMP && d->cfg.len && d->is_pcie))
		snprintf(an->atomics_unknown, sizeof(an->atomics_unknown), why, pl_bdf_fmt(&d->bdf, b, sizeof(b)));
}

/* vfio_pci_info_atomic_cap() + pci_enable_atomic_ops_to_root(), per width. */
static void atomics(struct pl_system *sys, struct pl_dev *d, struct pl_analysis *an)
{
	struct pl_dev *a = d->physfn_dev ? d->physfn_dev : d;   /* vfio asks the PF for a VF */
	int depth = 0;

	pl_system_load(sys, a);
	if (a->caps_broken) {
		atomics_unknown(sys, an, a, "the capability list of %s is broken");
		return;
	}
	/* live, the kernel shows link attributes for every PCIe function: none means conventional */
	if (!a->is_pcie && a->cfg.len < (sys->kind == PL_SOURCE_DUMP ? PL_CFG_SIZE : 64)) {
		atomics_unknown(sys, an, a, "the PCI Express capability of %s is not in the input");
		return;
	}
	if (!a->is_pcie)
		return;         /* conventional PCI: vfio reports nothing */
	/* a v1 capability has no DevCap2 (the kernel reads 0); a cut v2 one hides it */
	if (a->pcie.src != PL_SRC_CONFIG || a->pcie.type < 0 || (a->pcie.version >= 2 && !a->pcie.dev2_known)) {
		atomics_unknown(sys, an, a, "DevCap2 of %s is not in the input");
		return;
	}
	an->atomics_known = true;
	for (int i = 0; i < PL_ATOMIC_N; i++)
		an->host_atomics[i] = true;
	if (a->pcie.type != PL_TYPE_ENDPOINT && a->pcie.type != PL_TYPE_LEG_END &&
	    a->pcie.type != PL_TYPE_RC_END) {
		for (int i = 0; i < PL_ATOMIC_N; i++)
			atomic_fail(an, i, "%sonly endpoints request AtomicOps (%s-bit)", NULL);
		return;
	}
	for (int i = 0; i < PL_ATOMIC_N; i++)
		if (!pl_dev_has_completer(a, i))
			atomic_fail(an, i, "%sthe device does not advertise the %s-bit completer "
				    "(vfio reports only widths the device completes)", NULL);
	if (!a->parent && a->pcie.type != PL_TYPE_RC_END &&
	    (!a->parent_known || sys->kind == PL_SOURCE_DUMP)) {
		/* the kernel would see the root port; we cannot, unless the device alone says no */
		for (int i = 0; i < PL_ATOMIC_N; i++)
			if (an->host_atomics[i])
				atomics_unknown(sys, an, a, sys->kind == PL_SOURCE_DUMP
						? "the root port above %s is not in the input"
						: "the bridge above %s is not known");
		return;
	}
	for (struct pl_dev *br = a->parent; br && depth < MAX_DEPTH; br = br->parent, depth++) {
		pl_system_load(sys, br);
		if (!br->is_pcie || br->pcie.src != PL_SRC_CONFIG) {
			if (br->is_pcie || br->caps_broken || br->cfg.len < PL_CFG_SIZE) {
				atomics_unknown(sys, an, br, br->caps_broken
						? "the capability list of %s is broken"
						: "the PCI Express capability of %s is not in the input");
				return;
			}
			continue;       /* not PCIe: the kernel's DEVCAP2 read gives 0 and no type case */
		}
		if (br->pcie.version >= 2 && !br->pcie.dev2_known) {
			atomics_unknown(sys, an, br, "DevCap2 of %s is not in the input");
			return;
		}
		uint32_t cap = br->pcie.dev2_known ? br->pcie.devcap2 : 0;

		switch (br->pcie.type) {
		case PL_TYPE_UPSTREAM:
		case PL_TYPE_DOWNSTREAM:
			if (!(cap & PCI_EXP_DEVCAP2_ATOMICOP_ROUTING))
				for (int i = 0; i < PL_ATOMIC_N; i++)
					atomic_fail(an, i, "switch port %s does not route AtomicOps (%s-bit)", br);
			break;
		case PL_TYPE_ROOT_PORT:
			for (int i = 0; i < PL_ATOMIC_N; i++)
				if (!pl_dev_has_completer(br, i))
					atomic_fail(an, i, "root port %s lacks the %s-bit completer", br);
			break;
		}
		if (br->pcie.type == PL_TYPE_UPSTREAM && br->pcie.dev2_known &&
		    (br->pcie.devctl2 & PCI_EXP_DEVCTL2_ATOMICOP_EGRESS_BLOCK))
			for (int i = 0; i < PL_ATOMIC_N; i++)
				atomic_fail(an, i, "upstream port %s blocks AtomicOp egress (%s-bit)", br);
	}
}

static void recommend(const struct pl_system *sys, struct pl_dev *d, struct pl_analysis *an,
		      const struct pl_dev *ld)
{
	const struct pl_hop *h = an->slot_hop >= 0 ? &an->hops[an->slot_hop] : NULL;
	int speed, width;

	if (!d->is_pcie) {
		/* in sysfs the kernel shows link attributes for every PCIe function; a dump may be cut */
		if (d->caps_broken)
			snprintf(an->rec_why, sizeof(an->rec_why), "the capability list is broken (see the warning)");
		else if (an->atomics_unknown[0])
			snprintf(an->rec_why, sizeof(an->rec_why), "%s", an->atomics_unknown);
		else
			snprintf(an->rec_why, sizeof(an->rec_why), "conventional PCI: no PCI Express link");
		return;
	}
	if (d->pcie.type == PL_TYPE_RC_END || d->pcie.type == PL_TYPE_RC_EC) {
		snprintf(an->rec_why, sizeof(an->rec_why),
			 "root-complex integrated: no link; behind a pcie-root-port QEMU shows it as an "
			 "x1 2.5GT/s endpoint");
		return;
	}
	if (d->pcie.type != PL_TYPE_ENDPOINT && d->pcie.type != PL_TYPE_LEG_END &&
	    d->pcie.type != -1) {
		snprintf(an->rec_why, sizeof(an->rec_why), "a %s is not assigned to guests",
			 pl_port_type_label(d->pcie.type));
		return;
	}
	if (h) {
		speed = h->max_speed;
		width = h->max_width;
	} else if (has_link(ld)) {
		speed = ld->pcie.link.max_speed;
		width = ld->pcie.link.max_width;
		snprintf(an->rec_why, sizeof(an->rec_why),
			 "no upstream port in the input: from the device's own capability");
	} else {
		snprintf(an->rec_why, sizeof(an->rec_why), "no link registers could be read");
		return;
	}
	if (!speed || width <= 0) {
		snprintf(an->rec_why, sizeof(an->rec_why), "the slot link's capability is unknown");
		return;
	}
	an->rec_ok = true;
	an->rec_speed = speed;
	an->rec_width = pl_width_floor(width);
	if (d->physfn_known)
		snprintf(an->rec_why, sizeof(an->rec_why),
			 "an SR-IOV VF: from its PF's link; QEMU shows the port's current link as 2.5GT/s x1 "
			 "for a VF (its LnkSta is reserved)");
}

int pl_analyze(struct pl_system *sys, struct pl_dev *d)
{
	struct pl_analysis *an = &d->an;
	struct pl_dev *chain[MAX_DEPTH + 1], *ld = d, *prev;
	int n = 0;

	if (an->done)
		return PL_OK;
	an->done = true;
	an->slot_hop = an->limit_cap_hop = an->limit_sta_hop = -1;
	an->diagnosis = PL_DIAG_UNKNOWN;
	for (struct pl_dev *p = d; p && n <= MAX_DEPTH; p = p->parent)
		chain[n++] = p;
	/* root first, so types inferred from sysfs see their parent's type */
	for (int i = n; i-- > 0;) {
		pl_system_load(sys, chain[i]);
		pl_dev_infer_type(chain[i]);
	}
	an->link_dev = ld;
	if (pl_dev_is_bridge(d) || !d->cfg.len || d->vendor == 0xffff) {
		/* ports are not assigned to guests; a silent function has nothing to analyse */
		if (pl_dev_is_bridge(d))
			snprintf(an->rec_why, sizeof(an->rec_why), "a bridge or port is not assigned to guests");
		else if (!d->cfg.len)
			atomics_unknown(sys, an, d, "");
		else
			snprintf(an->rec_why, sizeof(an->rec_why), "config space reads as all ones");
		if (!d->cfg.len)
			snprintf(an->rec_why, sizeof(an->rec_why), "%s", an->atomics_unknown);
		return PL_OK;
	}
	if (d->physfn_dev) {
		/* an SR-IOV VF's link registers are reserved: its PF's link is the one on the wire */
		pl_system_load(sys, d->physfn_dev);
		pl_dev_infer_type(d->physfn_dev);
		if (has_link(d->physfn_dev))
			ld = d->physfn_dev;
	} else if (d->bdf.fn) {
		struct pl_bdf f0 = d->bdf;
		struct pl_dev *z;

		f0.fn = 0;
		z = pl_system_find(sys, &f0);
		if (z) {
			pl_system_load(sys, z);
			pl_dev_infer_type(z);
			/* function 0 owns the link of a multi-function device */
			if (has_link(z) && !pl_dev_is_bridge(z))
				ld = z;
		}
	}
	an->link_dev = ld;
	an->hops = calloc(n ? n : 1, sizeof(*an->hops));
	if (!an->hops)
		return PL_ENOMEM;
	prev = ld;
	for (int i = 1; i < n; i++) {
		struct pl_dev *a = chain[i];

		if (a->is_pcie && (a->pcie.type == PL_TYPE_ROOT_PORT || a->pcie.type == PL_TYPE_DOWNSTREAM)) {
			struct pl_hop *h = &an->hops[an->nhops++];

			h->port = a;
			h->below = prev;
			fill_hop(h);
			if (a->pcie.type == PL_TYPE_ROOT_PORT) {
				an->root_port = a;
				break;
			}
		}
		prev = a;
	}
	if (d->is_pcie && an->nhops) {
		/* a switch of the device's own vendor, with nothing foreign below, is part of it */
		int s = 0;

		while (s < an->nhops && an->hops[s].port->pcie.type == PL_TYPE_DOWNSTREAM) {
			const struct pl_dev *usp = an->hops[s].port->parent;

			if (!usp || usp->vendor != d->vendor || !all_below_vendor(usp, d->vendor, 0) ||
			    s + 1 >= an->nhops || an->hops[s + 1].below != usp)
				break;
			an->hops[s].internal = true;
			s++;
		}
		an->slot_hop = s;
	}
	/* bandwidth over the physical links, nearest the root wins ties like the kernel */
	for (int i = an->slot_hop < 0 ? an->nhops : an->slot_hop; i < an->nhops; i++) {
		struct pl_hop *h = &an->hops[i];

		if (h->cap_mbps && (!an->path_capable_mbps || h->cap_mbps <= an->path_capable_mbps)) {
			an->path_capable_mbps = h->cap_mbps;
			an->limit_cap_hop = i;
		}
		if (h->sta_mbps && (!an->available_mbps || h->sta_mbps <= an->available_mbps)) {
			an->available_mbps = h->sta_mbps;
			an->limit_sta_hop = i;
		}
		if (h->width == 0 && an->limit_sta_hop < 0)
			an->limit_sta_hop = i;
	}
	if (an->slot_hop >= 0) {
		const struct pl_dev *b = an->hops[an->slot_hop].below;

		if (has_link(b))
			an->dev_capable_mbps = bw(b->pcie.link.max_speed, b->pcie.link.max_width);
	} else if (has_link(ld)) {
		an->dev_capable_mbps = bw(ld->pcie.link.max_speed, ld->pcie.link.max_width);
	}
	if (!an->nhops && has_link(ld)) {
		/* no port above in the input: judge the device's own registers */
		struct pl_hop *h = &an->hops[0];

		h->port = h->below = ld;
		fill_hop(h);
		an->available_mbps = h->sta_mbps;
		an->limit_sta_hop = 0;
		an->nhops = 1;
		diagnose(an, ld);
		an->nhops = 0;
		an->limit_sta_hop = -1;
		snprintf(an->diag_text + strlen(an->diag_text), sizeof(an->diag_text) - strlen(an->diag_text),
			 " (no upstream port in the input)");
	} else if (an->nhops) {
		diagnose(an, an->slot_hop >= 0 ? an->hops[an->slot_hop].below : ld);
	} else {
		an->diagnosis = PL_DIAG_UNKNOWN;
		snprintf(an->diag_text, sizeof(an->diag_text), "no PCI Express link");
	}
	atomics(sys, d, an);
	recommend(sys, d, an, an->slot_hop >= 0 ? an->hops[an->slot_hop].below : ld);
	return PL_OK;
}
