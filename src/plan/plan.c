/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Planning: guest slots, root ports, link values per policy and target QEMU, AtomicOps verdicts. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

#define W(x) (1ull << (x))
#define ALL_WIDTHS (W(1) | W(2) | W(4) | W(8) | W(12) | W(16) | W(32))

const char *pl_policy_name(enum pl_policy p)
{
	static const char *const n[] = { "host", "device", "max" };
	return n[p];
}

const char *pl_atomics_verdict_name(enum pl_atomics_verdict v)
{
	static const char *const n[] = { "yes", "if_kernel_6_5", "no", "none_on_host", "unknown" };
	return n[v];
}

/* One decimal component of a version: digits only, no sign, no overflow. */
static const char *version_part(const char *s, int max, int *out)
{
	long v = 0;

	if (*s < '0' || *s > '9')
		return NULL;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((v = v * 10 + (*s - '0')) > max)
			return NULL;
	*out = (int)v;
	return s;
}

int pl_parse_version(const char *s, int *major, int *minor, int *micro)
{
	*micro = 0;
	if (!(s = version_part(s, 99, major)) || *s++ != '.' || !(s = version_part(s, 9999, minor)))
		return PL_EINVAL;
	if (*s == '.' && !(s = version_part(s + 1, 9999, micro)))
		return PL_EINVAL;
	return *s ? PL_EINVAL : PL_OK;
}

static bool at_least(const struct pl_qemu *q, int major, int minor)
{
	return q->major > major || (q->major == major && q->minor >= minor);
}

void pl_qemu_from_version(struct pl_qemu *q, int major, int minor, int micro)
{
	q->major = major;
	q->minor = minor;
	q->micro = micro;
	q->known = true;
	/* x-speed/x-width: 4.0 (Alex Williamson's link series); 32/64 GT/s: 9.0 */
	q->has_link_props = at_least(q, 4, 0);
	q->speeds = q->has_link_props ? W(PL_SPEED_2_5) | W(PL_SPEED_5) | W(PL_SPEED_8) | W(PL_SPEED_16) : 0;
	if (at_least(q, 9, 0))
		q->speeds |= W(PL_SPEED_32) | W(PL_SPEED_64);
	q->widths = q->has_link_props ? ALL_WIDTHS : 0;
	q->has_hotplug = at_least(q, 5, 0);
	q->rp_atomics = at_least(q, 8, 1);     /* vfio_pci_enable_rp_atomics() */
}

/* "x-speed=<PCIELinkSpeed> - 2_5/5/8/16 (default: "16")" (7.2) or "... (default: 16)" (10.0) */
static uint64_t parse_enum_line(const char *help, const char *prop, bool speed, bool *found)
{
	const char *p = strstr(help, prop);
	uint64_t bits = 0;

	*found = false;
	if (!p || !(p = strstr(p, " - ")))
		return 0;
	*found = true;
	p += 3;
	while (*p && *p != ' ' && *p != '\n') {
		char tok[8];
		size_t n = strcspn(p, "/ \n");

		if (n && n < sizeof(tok)) {
			memcpy(tok, p, n);
			tok[n] = 0;
			if (speed && pl_speed_from_qemu(tok))
				bits |= W(pl_speed_from_qemu(tok));
			else if (!speed && pl_width_valid(atoi(tok)))
				bits |= W(atoi(tok));
		}
		p += n;
		if (*p == '/')
			p++;
	}
	return bits;
}

void pl_qemu_parse_help(struct pl_qemu *q, const char *help)
{
	bool fs, fw, fh;

	q->speeds = parse_enum_line(help, "x-speed=", true, &fs);
	q->widths = parse_enum_line(help, "x-width=", false, &fw);
	q->has_link_props = fs && fw && q->speeds && q->widths;
	fh = strstr(help, "\n  hotplug=") || !strncmp(help, "  hotplug=", 10);
	q->has_hotplug = fh;
}

static bool speed_ok(const struct pl_qemu *q, int s)
{
	return s > 0 && s <= PL_SPEED_MAX && (q->speeds & W(s));
}

static int highest_speed(const struct pl_qemu *q, int below_or_eq)
{
	for (int s = below_or_eq; s >= 1; s--)
		if (speed_ok(q, s))
			return s;
	return 0;
}

static int highest_width(const struct pl_qemu *q, int below_or_eq)
{
	for (int w = below_or_eq > 32 ? 32 : below_or_eq; w >= 1; w--)
		if (q->widths & W(w))
			return w;
	return 0;
}

static void qemu_name(const struct pl_qemu *q, char *buf, size_t len)
{
	if (q->known)
		snprintf(buf, len, "QEMU %d.%d", q->major, q->minor);
	else
		snprintf(buf, len, "the newest QEMU");
}

static void warn(struct pl_plan *plan, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct pl_plan *plan, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pl_diag_add(&plan->warnings, &plan->warn_tail, "%s", buf);
}

enum ovr_kind { OVR_SPEED, OVR_WIDTH, OVR_POLICY };

static bool ovr_has(const struct pl_override *v, enum ovr_kind k)
{
	return k == OVR_SPEED ? v->speed != 0 : k == OVR_WIDTH ? v->width != 0 : v->policy >= 0;
}

/* The override that applies to d: the command line beats a plan file, then a device's own
 * beats one for every device, then the last given wins. */
static const struct pl_override *find_ovr(const struct pl_plan_opts *o, const struct pl_dev *d, enum ovr_kind k)
{
	const struct pl_override *hit = NULL;
	int best = -1;

	for (size_t i = 0; i < o->novr; i++) {
		const struct pl_override *v = &o->ovr[i];
		int score;

		if (!ovr_has(v, k) || (!v->all && (v->bdf.domain != d->bdf.domain || v->bdf.bus != d->bdf.bus ||
						   v->bdf.dev != d->bdf.dev)))
			continue;
		score = (v->from_cli ? 2 : 0) + !v->all;
		if (score >= best) {
			best = score;
			hit = v;
		}
	}
	return hit;
}

/* The device's own capability at its slot boundary (the upstream port of its own switch). */
static bool device_cap(const struct pl_dev *d, int *speed, int *width)
{
	const struct pl_analysis *an = &d->an;
	const struct pl_dev *b = an->slot_hop >= 0 ? an->hops[an->slot_hop].below : an->link_dev;

	if (!b || !b->is_pcie || !b->pcie.has_link || !b->pcie.link.max_speed || b->pcie.link.max_width <= 0)
		return false;
	*speed = b->pcie.link.max_speed;
	*width = b->pcie.link.max_width;
	return true;
}

static int port_link(const struct pl_plan_opts *o, struct pl_plan *plan, struct pl_plan_port *p,
		     const struct pl_dev *d, char *err, size_t errlen)
{
	const struct pl_analysis *an = &d->an;
	const struct pl_override *os = find_ovr(o, d, OVR_SPEED), *ow = find_ovr(o, d, OVR_WIDTH),
				 *op = find_ovr(o, d, OVR_POLICY);
	enum pl_policy policy = op ? (enum pl_policy)op->policy : o->policy;
	char q[32], slot[16], a[16], b[16], hn[64] = "";
	int speed = 0, width = 0;

	qemu_name(&o->qemu, q, sizeof(q));
	pl_bdf_fmt(&d->bdf, slot, sizeof(slot));
	if (!an->rec_ok && !(d->is_pcie && (os || ow))) {
		snprintf(p->note, sizeof(p->note), "no link properties: %s", an->rec_why);
		return PL_OK;
	}
	if (!o->qemu.has_link_props) {
		snprintf(p->note, sizeof(p->note), "%s has no x-speed/x-width (added in 4.0): the port "
			 "stays at 2.5GT/s x1", q);
		warn(plan, "%s: %s", slot, p->note);
		return PL_OK;
	}
	if (an->slot_hop >= 0)
		snprintf(hn, sizeof(hn), " %s -> %s", pl_bdf_fmt(&an->hops[an->slot_hop].port->bdf, a, sizeof(a)),
			 pl_bdf_fmt(&an->hops[an->slot_hop].below->bdf, b, sizeof(b)));
	switch (policy) {
	case PL_POLICY_HOST:
		if (an->rec_ok) {
			speed = an->rec_speed;
			width = an->rec_width;
			snprintf(p->why, sizeof(p->why), "policy host: slot link%s capable of %sGT/s x%d",
				 hn, pl_speed_gts_str(speed), width);
		}
		break;
	case PL_POLICY_DEVICE:
		if (device_cap(d, &speed, &width))
			snprintf(p->why, sizeof(p->why), "policy device: the device's own capability %sGT/s x%d",
				 pl_speed_gts_str(speed), width);
		break;
	case PL_POLICY_MAX:
		speed = highest_speed(&o->qemu, PL_SPEED_MAX);
		width = highest_width(&o->qemu, 32);
		snprintf(p->why, sizeof(p->why), "policy max: the highest %s accepts", q);
		break;
	}
	if (os) {
		if (!speed_ok(&o->qemu, os->speed)) {
			snprintf(err, errlen, "--speed %s for %s: %s does not accept x-speed=%s%s", pl_speed_qemu(os->speed),
				 slot, q, pl_speed_qemu(os->speed),
				 os->speed >= PL_SPEED_32 ? " (QEMU 9.0 or newer does)" : "");
			return PL_EINVAL;
		}
		speed = os->speed;
	}
	if (ow) {
		if (!(o->qemu.widths & W(ow->width))) {
			snprintf(err, errlen, "--width %d for %s: %s does not accept x-width=%d", ow->width, slot, q,
				 ow->width);
			return PL_EINVAL;
		}
		width = ow->width;
	}
	if (os || ow) {
		size_t l = strlen(p->why);

		snprintf(p->why + l, sizeof(p->why) - l, "%s--%s%s%s given", l ? "; " : "", os ? "speed" : "",
			 os && ow ? " and --" : "", ow ? "width" : "");
	}
	if (!speed || width <= 0) {
		snprintf(p->note, sizeof(p->note), "no link properties: the link capability is unknown");
		warn(plan, "%s: %s; QEMU's default stays", slot, p->note);
		return PL_OK;
	}
	if (!speed_ok(&o->qemu, speed)) {
		int c = highest_speed(&o->qemu, speed);
		uint32_t have = pl_speed_mbps(speed) * width, get = pl_speed_mbps(c) * width;

		snprintf(p->note, sizeof(p->note),
			 "the host link is %sGT/s x%d but %s accepts at most x-speed=%s: the guest sees "
			 "%sGT/s (%u.%03u instead of %u.%03u Gb/s); QEMU 9.0 or newer accepts %s",
			 pl_speed_gts_str(speed), width, q, pl_speed_qemu(c), pl_speed_gts_str(c), get / 1000,
			 get % 1000, have / 1000, have % 1000, pl_speed_qemu(speed));
		warn(plan, "%s: %s", slot, p->note);
		speed = c;
	}
	if (!(o->qemu.widths & W(width)))
		width = highest_width(&o->qemu, width);
	p->link_props = true;
	p->speed = speed;
	p->width = width;
	return PL_OK;
}

static void kernel_str(const struct pl_plan_opts *o, char *buf, size_t len)
{
	snprintf(buf, len, "%d.%d", o->kernel_major, o->kernel_minor);
}

/* vfio_pci_enable_rp_atomics() on top of what the host kernel reports (REFERENCE.md 2, 3). */
static void port_atomics(const struct pl_plan_opts *o, struct pl_plan *plan, struct pl_plan_port *p)
{
	const struct pl_plan_fn *f0 = NULL;
	const struct pl_analysis *an;
	char q[32], k[16], slot[16];
	bool any = false;

	for (int i = 0; i < p->nfn; i++)
		if (p->fns[i].guest_fn == 0)
			f0 = &p->fns[i];
	if (!f0) {
		p->atomics = PL_ATOMICS_NA;
		return;
	}
	an = &f0->dev->an;
	pl_bdf_fmt(&f0->dev->bdf, slot, sizeof(slot));
	if (!an->atomics_known && an->atomics_unknown[0]) {
		p->atomics = PL_ATOMICS_UNKNOWN;
		snprintf(p->atomics_why, sizeof(p->atomics_why), "host support unknown: %s", an->atomics_unknown);
		/* the device completes them: if the host does too, this layout loses them */
		if (p->nfn > 1 && (pl_dev_has_completer(f0->dev, PL_ATOMIC_32) ||
				   pl_dev_has_completer(f0->dev, PL_ATOMIC_64) ||
				   pl_dev_has_completer(f0->dev, PL_ATOMIC_128)))
			warn(plan, "%s: AtomicOps %s; if the host gives them, a multifunction guest slot loses "
			     "them (--split-functions keeps them)", slot, p->atomics_why);
		return;
	}
	if (!an->atomics_known) {
		p->atomics = PL_ATOMICS_NA;
		snprintf(p->atomics_why, sizeof(p->atomics_why), "conventional PCI: no AtomicOps");
		return;
	}
	for (int i = 0; i < PL_ATOMIC_N; i++)
		any |= an->host_atomics[i];
	if (!any) {
		p->atomics = PL_ATOMICS_NA;
		snprintf(p->atomics_why, sizeof(p->atomics_why), "the host gives none: %s",
			 an->atomic_why[0] ? an->atomic_why[0] : "no completer on the path");
		return;
	}
	qemu_name(&o->qemu, q, sizeof(q));
	kernel_str(o, k, sizeof(k));
	p->atomics = PL_ATOMICS_NO;
	if (p->nfn > 1) {
		snprintf(p->atomics_why, sizeof(p->atomics_why),
			 "a multifunction guest slot: QEMU enables AtomicOps only for a single function "
			 "at 00.0 (--split-functions keeps them)");
		warn(plan, "%s: the host gives AtomicOps but the guest loses them: %s", slot, p->atomics_why);
		return;
	}
	if (o->qemu.known && !o->qemu.rp_atomics) {
		snprintf(p->atomics_why, sizeof(p->atomics_why),
			 "%s is older than 8.1, which first sets AtomicOp completers on root ports", q);
		return;
	}
	if (o->kernel_major && (o->kernel_major < 6 || (o->kernel_major == 6 && o->kernel_minor < 5))) {
		snprintf(p->atomics_why, sizeof(p->atomics_why),
			 "host kernel %s is older than 6.5, which first reports AtomicOp completion to vfio", k);
		return;
	}
	for (int i = 0; i < PL_ATOMIC_N; i++)
		p->atomic_widths[i] = an->host_atomics[i];
	if (!o->kernel_major) {
		p->atomics = PL_ATOMICS_IF_KERNEL;
		snprintf(p->atomics_why, sizeof(p->atomics_why),
			 "if the host kernel is 6.5 or newer (it reports AtomicOp completion to vfio)");
	} else {
		p->atomics = PL_ATOMICS_YES;
		snprintf(p->atomics_why, sizeof(p->atomics_why), "single function at 00.0, %s, host kernel %s",
			 o->qemu.known ? q : "QEMU 8.1 or newer", k);
	}
	/* QEMU asks the parent to be a v2 Root Port, not to sit on pcie.0: pxb-pcie's ports are */
	if (p->pxb >= 0) {
		size_t l = strlen(p->atomics_why);

		snprintf(p->atomics_why + l, sizeof(p->atomics_why) - l, "; a root port on an expander bus qualifies");
	}
}

/*
 * Addresses: the ports of each bus packed eight to a slot, on the root bus from first_addr, on
 * an expander from slot 0; the expanders after the root bus's ports, one slot each. Bus numbers:
 * the expanders at the top of 0..255 (pl_numa_bus_nr), the root bus keeping the rest.
 */
static int place(const struct pl_plan_opts *o, struct pl_plan *plan, char *err, size_t errlen)
{
	int nroot = 0, rc, *need, *busnr, end;

	for (size_t i = 0; i < plan->nports; i++) {
		plan->ports[i].pxb = plan->ports[i].guest_node = -1;
		plan->ports[i].host_node = plan->ports[i].fns[0].dev->numa_node;
	}
	if (o->numa && (rc = pl_numa_group(o, plan, err, errlen)))
		return rc;
	for (size_t i = 0; i < plan->nports; i++) {
		struct pl_plan_port *p = &plan->ports[i];
		int k = p->pxb < 0 ? nroot++ : plan->pxbs[p->pxb].nports++;

		p->slot = (p->pxb < 0 ? o->first_addr : 0) + k / 8;
		p->fn = k % 8;
	}
	for (size_t i = 0, r = 0; i < plan->nports; i++) {
		struct pl_plan_port *p = &plan->ports[i];
		int pos = p->pxb < 0 ? (int)r++ : p->slot * 8 + p->fn;
		int total = p->pxb < 0 ? nroot : plan->pxbs[p->pxb].nports;

		p->multifunction = p->fn == 0 && pos + 1 < total;
	}
	/* the first root-bus slot after the root bus's own ports */
	end = o->first_addr + (nroot + 7) / 8;
	for (size_t j = 0; j < plan->npxb; j++)
		plan->pxbs[j].slot = end + (int)j;
	if (end + (int)plan->npxb - 1 > PL_LAST_SLOT(o->bus)) {
		if (plan->npxb)
			snprintf(err, errlen, "%d root ports and %zu expander buses from slot 0x%02x do not fit on "
				 "%s (the last free slot is 0x%02x): give a lower --first-addr", nroot, plan->npxb,
				 o->first_addr, o->bus, PL_LAST_SLOT(o->bus));
		else
			snprintf(err, errlen, "%zu root ports from slot 0x%02x do not fit on %s (the last free "
				 "slot is 0x%02x): give a lower --first-addr", plan->nports, o->first_addr, o->bus,
				 PL_LAST_SLOT(o->bus));
		return PL_EINVAL;
	}
	if (!plan->npxb)
		return PL_OK;
	need = calloc(plan->npxb, sizeof(*need));
	busnr = calloc(plan->npxb, sizeof(*busnr));
	if (!need || !busnr) {
		free(need);
		free(busnr);
		return PL_ENOMEM;
	}
	for (size_t j = 0; j < plan->npxb; j++)
		need[j] = 1 + plan->pxbs[j].nports;
	/* the root bus numbers its own ports' buses from 1 */
	rc = pl_numa_bus_nr(need, plan->npxb, NULL, 0, 1 + nroot, busnr);
	for (size_t j = 0; !rc && j < plan->npxb; j++)
		plan->pxbs[j].bus_nr = busnr[j];
	if (rc)
		snprintf(err, errlen, "%zu expander buses and %zu root ports need more than 255 bus numbers",
			 plan->npxb, plan->nports);
	free(need);
	free(busnr);
	return rc ? PL_EINVAL : PL_OK;
}

const char *pl_plan_port_bus(const struct pl_plan *plan, const struct pl_plan_port *p)
{
	return p->pxb >= 0 ? plan->pxbs[p->pxb].id : plan->opts->bus;
}

/* The host gives d AtomicOp completion up to its root port (any width). */
static bool gives_atomics(const struct pl_dev *d)
{
	bool any = false;

	for (int i = 0; d && d->an.atomics_known && i < PL_ATOMIC_N; i++)
		any |= d->an.host_atomics[i];
	return any;
}

static void make_ids(struct pl_plan_port *p, const struct pl_dev *d, bool split)
{
	const struct pl_bdf *b = &d->bdf;

	if (b->domain)
		snprintf(p->id, sizeof(p->id), "rp-%04x-%02x-%02x", b->domain, b->bus, b->dev);
	else
		snprintf(p->id, sizeof(p->id), "rp-%02x-%02x", b->bus, b->dev);
	if (split)
		snprintf(p->id + strlen(p->id), sizeof(p->id) - strlen(p->id), "-%x", b->fn);
}

int pl_plan_build(const struct pl_plan_opts *o, struct pl_dev *const *devs, size_t n, struct pl_plan *plan,
		  char *err, size_t errlen)
{
	int rc;

	memset(plan, 0, sizeof(*plan));
	plan->opts = o;
	plan->warn_tail = &plan->warnings;
	plan->ports = calloc(n ? n : 1, sizeof(*plan->ports));
	if (!plan->ports)
		return PL_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct pl_dev *d = devs[i];
		struct pl_plan_port *p = plan->nports ? &plan->ports[plan->nports - 1] : NULL;
		const struct pl_dev *h = p ? p->fns[0].dev : NULL;

		/* SR-IOV VFs are separate devices, not functions of one: a port each */
		bool alone = o->split || d->physfn_known || (h && h->physfn_known) ||
			     (o->split_atomics && (gives_atomics(d) || gives_atomics(h)));

		if (!p || alone || h->bdf.domain != d->bdf.domain || h->bdf.bus != d->bdf.bus ||
		    h->bdf.dev != d->bdf.dev) {
			p = &plan->ports[plan->nports++];
			make_ids(p, d, o->split || d->physfn_known || (o->split_atomics && gives_atomics(d)));
		}
		if (p->nfn == PL_PLAN_MAX_FN) {
			snprintf(err, errlen, "more than %d functions in one guest slot", PL_PLAN_MAX_FN);
			return PL_EINVAL;
		}
		p->fns[p->nfn++].dev = d;
	}
	rc = place(o, plan, err, errlen);
	if (rc)
		return rc;
	for (size_t i = 0; i < plan->nports; i++) {
		struct pl_plan_port *p = &plan->ports[i];
		bool has0 = false;

		p->chassis = o->first_chassis + (int)i;
		p->port = p->chassis;
		if (p->chassis > 255) {
			snprintf(err, errlen, "chassis numbers run past 255: give a lower --first-chassis");
			return PL_EINVAL;
		}
		/* a guest slot needs function 0: keep host numbers when it is there, else renumber */
		for (int j = 0; j < p->nfn; j++)
			has0 |= p->fns[j].dev->bdf.fn == 0;
		for (int j = 0; j < p->nfn; j++) {
			struct pl_plan_fn *f = &p->fns[j];
			const struct pl_bdf *b = &f->dev->bdf;

			f->guest_fn = has0 ? b->fn : j;
			f->multifunction = f->guest_fn == 0 && p->nfn > 1;
			if (b->domain)
				snprintf(f->id, sizeof(f->id), "hostdev-%04x-%02x-%02x-%x", b->domain, b->bus, b->dev,
					 b->fn);
			else
				snprintf(f->id, sizeof(f->id), "hostdev-%02x-%02x-%x", b->bus, b->dev, b->fn);
		}
		/* the link belongs to function 0 of the host device, the first one placed here */
		rc = port_link(o, plan, p, p->fns[0].dev, err, errlen);
		if (rc)
			return rc;
		port_atomics(o, plan, p);
	}
	return PL_OK;
}

void pl_plan_free(struct pl_plan *plan)
{
	pl_diag_free(plan->warnings);
	free(plan->pxbs);
	free(plan->ports);
	memset(plan, 0, sizeof(*plan));
}
