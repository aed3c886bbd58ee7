/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The check rules (REFERENCE.md 1, 2, 7, 8.2): what the guest sees above each assigned function,
 * against what the host gives. Each rule is one function over the resolved model.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "check.h"
#include "util.h"

#define W(x) (1ull << (x))

struct ck {
	const struct pl_guest *g;
	struct pl_system *sys;
	const struct pl_check_opts *o;
	struct pl_findings *out;
	int rc;
	char q[32];             /* "QEMU 7.2" or "the newest QEMU" */
	unsigned speeds;        /* what the target QEMU accepts */
	uint64_t widths;
};

const char *pl_sev_name(enum pl_sev s)
{
	static const char *const n[] = { "info", "warning", "error" };
	return n[s];
}

static struct pl_finding *add(struct ck *c, const char *code, enum pl_sev sev, const struct pl_gdev *d,
			      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static struct pl_finding *add(struct ck *c, const char *code, enum pl_sev sev, const struct pl_gdev *d,
			      const char *fmt, ...)
{
	struct pl_finding *f = pl_findings_add(c->out, code, sev);
	va_list ap;

	if (!f) {
		c->rc = PL_ENOMEM;
		return NULL;
	}
	if (d) {
		snprintf(f->guest, sizeof(f->guest), "%s", d->id[0] ? d->id : d->origin);
		if (d->has_host)
			pl_bdf_fmt(&d->host, f->host, sizeof(f->host));
	}
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
	return f;
}

/* The fix: regenerate the device's slot (all its functions) with pcilink, with opts ("": none). */
static void fix(struct ck *c, struct pl_finding *f, const struct pl_gdev *d, const char *opts)
{
	if (!f || !d || !d->has_host || !c->o || !c->o->fix_cmd)
		return;
	if (d->host.domain)
		snprintf(f->fix, sizeof(f->fix), "%s%s %04x:%02x:%02x%s%s", c->o->fix_cmd, opts, d->host.domain,
			 d->host.bus, d->host.dev, c->o->fix_tail ? " " : "", c->o->fix_tail ? c->o->fix_tail : "");
	else
		snprintf(f->fix, sizeof(f->fix), "%s%s %02x:%02x%s%s", c->o->fix_cmd, opts, d->host.bus, d->host.dev,
			 c->o->fix_tail ? " " : "", c->o->fix_tail ? c->o->fix_tail : "");
}

static const char *name(const struct pl_gdev *d)
{
	return d->id[0] ? d->id : d->origin;
}

static const struct pl_gdev *parent(const struct ck *c, const struct pl_gdev *d)
{
	return d->parent >= 0 ? &c->g->devs[d->parent] : NULL;
}

static const char *src_words(const struct ck *c, enum pl_gsrc s)
{
	static char buf[80];

	switch (s) {
	case PL_GSRC_SET: return "set by -set";
	case PL_GSRC_EXPLICIT: return "set on the device";
	case PL_GSRC_GLOBAL: return "set by -global";
	case PL_GSRC_REALIZED: return "read from the running QEMU";
	case PL_GSRC_COMPAT:
		snprintf(buf, sizeof(buf), "the default of machine type %s", c->g->machine);
		return buf;
	case PL_GSRC_DEFAULT: return "QEMU's default for pcie-root-port";
	case PL_GSRC_FIXED: return "fixed: the device has no link properties";
	default: return "unknown";
	}
}

/* ---- what the target QEMU refuses to start with ---- */

static void rule_refusals(struct ck *c)
{
	for (const struct pl_diag *r = c->g->refusals; r; r = r->next)
		add(c, "qemu-refuses", PL_SEV_ERROR, NULL, "QEMU refuses to start: %s.", r->msg);
}

static void refuse_value(struct ck *c, const struct pl_gdev *d, const struct pl_gprop *p, const char *prop)
{
	bool speed = !strcmp(prop, "x-speed");
	bool ok = speed ? p->value && (c->speeds & W(p->value)) : p->value && (c->widths & W(p->value));

	if (!p->raw[0] || p->src == PL_GSRC_FIXED || p->src == PL_GSRC_COMPAT || p->src == PL_GSRC_DEFAULT ||
	    p->src == PL_GSRC_REALIZED)
		return;
	if (d->kind != PL_GK_ROOT_PORT)
		add(c, "qemu-refuses", PL_SEV_ERROR, d, "QEMU refuses to start: %s %s has no property '%s' "
		    "(only pcie-root-port has link properties).", d->driver, name(d), prop);
	else if (!c->g->qemu.has_link_props && c->g->qemu.known)
		add(c, "qemu-refuses", PL_SEV_ERROR, d, "QEMU refuses to start: %s has no '%s' on "
		    "pcie-root-port (added in 4.0), given for %s.", c->q, prop, name(d));
	else if (!ok)
		add(c, "qemu-refuses", PL_SEV_ERROR, d, "QEMU refuses to start: %s does not accept %s=%s "
		    "(%s) on %s%s.", c->q, prop, p->raw, src_words(c, p->src), name(d),
		    speed && (p->value == PL_SPEED_32 || p->value == PL_SPEED_64) ? "; QEMU 9.0 or newer does" : "");
}

static void rule_values(struct ck *c)
{
	for (size_t i = 0; i < c->g->ndev; i++) {
		const struct pl_gdev *d = &c->g->devs[i];

		refuse_value(c, d, &d->speed, "x-speed");
		refuse_value(c, d, &d->width, "x-width");
	}
	for (size_t i = 0; i < c->g->nglobal; i++) {
		const struct pl_gglobal *gl = &c->g->globals[i];
		bool used = false;

		if (strcmp(gl->prop, "x-speed") && strcmp(gl->prop, "x-width"))
			continue;
		for (size_t j = 0; j < c->g->ndev; j++)
			used |= !strcmp(c->g->devs[j].driver, gl->driver);
		if (used && pl_gkind_of(gl->driver) != PL_GK_ROOT_PORT)
			add(c, "qemu-refuses", PL_SEV_ERROR, NULL, "QEMU refuses to start: -global %s.%s=%s: "
			    "Property '%s.%s' not found (only pcie-root-port has link properties).", gl->driver,
			    gl->prop, gl->value, gl->driver, gl->prop);
	}
}

/* ---- placement: buses, slots, functions ---- */

static bool same_bus(const struct pl_gdev *a, const struct pl_gdev *b)
{
	if (a->parent != b->parent)
		return false;
	/* on root buses the bus name tells pcie.0 from an expander */
	return a->parent >= 0 || !strcmp(a->bus, b->bus) ||
	       ((!a->bus[0] || !strcmp(a->bus, "pcie.0")) && (!b->bus[0] || !strcmp(b->bus, "pcie.0")));
}

/*
 * A bus QEMU names after its controller, "ID.N" (qbus_init: usb.0, scsi0.0, virtio-serial0.0),
 * where ID is a device of the command line or q35's built-in ICH9 AHCI "ide" (ide.0 to ide.5).
 */
static bool child_bus(const struct pl_guest *g, const char *bus)
{
	const char *dot = strrchr(bus, '.');
	char id[sizeof(g->devs[0].id)];

	if (!dot || dot == bus || !dot[1] || strspn(dot + 1, "0123456789") != strlen(dot + 1) ||
	    (size_t)(dot - bus) >= sizeof(id))
		return false;
	snprintf(id, sizeof(id), "%.*s", (int)(dot - bus), bus);
	if (g->q35 && !strcmp(id, "ide"))
		return atoi(dot + 1) < 6;
	return pl_guest_find((struct pl_guest *)g, id) != NULL;
}

static void rule_slots(struct ck *c)
{
	const struct pl_guest *g = c->g;

	for (size_t i = 0; i < g->ndev; i++) {
		const struct pl_gdev *d = &g->devs[i], *p = parent(c, d), *f0 = NULL;
		bool first = true;

		if (d->kind == PL_GK_OTHER && !d->id[0] && d->slot < 0)
			continue;
		if (d->bus[0] && !p && strcmp(d->bus, "pcie.0") && strcmp(d->bus, "pci.0") &&
		    !pl_guest_find((struct pl_guest *)g, d->bus) && !child_bus(g, d->bus)) {
			struct pl_finding *f = add(c, "qemu-refuses", PL_SEV_ERROR, d, "QEMU refuses to start: "
						   "%s %s is on bus '%s', which no device provides.", d->driver,
						   name(d), d->bus);
			fix(c, f, d, "");
			continue;
		}
		if (d->slot < 0)
			continue;
		if (p && (p->kind == PL_GK_ROOT_PORT || p->kind == PL_GK_IOH3420 || p->kind == PL_GK_SWITCH_DOWN) &&
		    d->slot != 0)
			add(c, "qemu-refuses", PL_SEV_ERROR, d, "QEMU refuses to start: %s is at slot %d below "
			    "%s, which only has slot 0.", name(d), d->slot, name(p));
		/* report a slot once, at its first device */
		int others = 0;

		for (size_t j = 0; j < g->ndev; j++) {
			const struct pl_gdev *e = &g->devs[j];

			if (e->slot != d->slot || !same_bus(d, e))
				continue;
			if (e->fn == 0)
				f0 = e;
			if (j == i)
				continue;
			others++;
			if (j < i)
				first = false;
			if (e->fn == d->fn && j < i)
				add(c, "qemu-refuses", PL_SEV_ERROR, e, "QEMU refuses to start: %s and %s both "
				    "take address %02x.%x.", name(e), name(d), d->slot, d->fn);
		}
		if (f0 && others && !f0->multifunction && first)
			add(c, "qemu-refuses", PL_SEV_ERROR, f0, "QEMU refuses to start: %s at %02x.0 is not "
			    "multifunction=on, but slot %02x has other functions.", name(f0), d->slot, d->slot);
		if (!f0 && first) {
			struct pl_finding *f = add(c, "slot-without-function-0", PL_SEV_ERROR, d,
						   "Slot %02x of %s has no function 0, so a Linux guest does not "
						   "scan it: %s at %02x.%x and everything below it are invisible.",
						   d->slot, p ? name(p) : d->bus[0] ? d->bus : "the root bus", name(d),
						   d->slot, d->fn);
			fix(c, f, d, "");
		}
	}
}

/* ---- link and AtomicOps of each assigned function ---- */

static int clamp_speed(const struct ck *c, int s)
{
	while (s > 0 && !(c->speeds & W(s)))
		s--;
	return s;
}

static int clamp_width(const struct ck *c, int w)
{
	while (w > 0 && !(c->widths & W(w)))
		w--;
	return w;
}

static void link_str(char *buf, size_t len, int speed, int width)
{
	snprintf(buf, len, "%sGT/s x%d", speed ? pl_speed_gts_str(speed) : "?", width);
}

static void rule_link(struct ck *c, const struct pl_gdev *d, const struct pl_gdev *p, const struct pl_dev *h)
{
	const struct pl_analysis *an = &h->an;
	char have[32], want[32], got[32], b[16];
	int es, ew, ps = p->speed.value, pw = p->width.value;
	struct pl_finding *f = NULL;
	char why[160];

	if (!an->rec_ok || !ps || !pw)
		return;
	if (p->speed.src == p->width.src)
		snprintf(why, sizeof(why), "%s", src_words(c, p->speed.src));
	else
		snprintf(why, sizeof(why), "x-speed %s, x-width %s", src_words(c, p->speed.src),
			 src_words(c, p->width.src));
	es = clamp_speed(c, an->rec_speed);
	ew = clamp_width(c, an->rec_width);
	link_str(have, sizeof(have), ps, pw);
	link_str(want, sizeof(want), an->rec_speed, an->rec_width);
	link_str(got, sizeof(got), es, ew);
	pl_bdf_fmt(&h->bdf, b, sizeof(b));
	if (ps < es || pw < ew)
		f = add(c, ps < es ? "port-slower" : "port-narrower", PL_SEV_WARNING, d,
			"Root port %s advertises %s (%s) but the host link of %s is %s: guest drivers plan for "
			"the slower link.", name(p), have, why, b, want);
	else if (ps > an->rec_speed || pw > an->rec_width)
		f = add(c, "port-overstates", PL_SEV_WARNING, d,
			"Root port %s advertises %s (%s) but the host link of %s is only %s: guest drivers "
			"expect bandwidth the device cannot get.", name(p), have, why, b, want);
	else if (es < an->rec_speed && ps == es)
		add(c, "qemu-caps-speed", PL_SEV_INFO, d, "The host link of %s is %s but %s accepts at most "
		    "x-speed=%s: the guest sees %s; QEMU 9.0 or newer accepts %s.", b, want, c->q,
		    pl_speed_qemu(es), got, pl_speed_qemu(an->rec_speed));
	fix(c, f, d, "");
}

static bool host_gives_atomics(const struct pl_dev *h)
{
	if (!h->an.atomics_known)
		return false;
	for (int i = 0; i < PL_ATOMIC_N; i++)
		if (h->an.host_atomics[i])
			return true;
	return false;
}

/* vfio_pci_enable_rp_atomics()'s conditions (REFERENCE.md 2): the first one that fails. */
static void rule_atomics(struct ck *c, const struct pl_gdev *d, const struct pl_gdev *p, const struct pl_dev *h)
{
	const char *code = NULL, *why = NULL;
	bool split = false;
	char b[16];
	struct pl_finding *f;

	if (!host_gives_atomics(h) || (d->fn != 0 && h->bdf.fn != 0))
		return;
	if (!p) {
		code = "atomics-root-bus";
		why = "it sits on the root bus, where QEMU sets no AtomicOp completer";
	} else if (p->kind == PL_GK_SWITCH_DOWN || p->kind == PL_GK_SWITCH_UP) {
		code = "atomics-behind-switch";
		why = "it sits behind a switch port, and QEMU sets AtomicOp completers only on a root port";
	} else if (p->kind != PL_GK_ROOT_PORT && p->kind != PL_GK_IOH3420) {
		code = "atomics-bridge";
		why = "it sits behind a bridge, not a root port";
	} else if (d->slot != 0 || d->fn != 0) {
		code = "atomics-not-function-0";
		why = "QEMU sets AtomicOp completers only for the device at 00.0 below the root port";
		split = true;
	} else if (d->multifunction) {
		code = "atomics-multifunction";
		why = "it is multifunction=on, and QEMU sets AtomicOp completers only for a single function";
		split = true;
	} else if (c->g->qemu.known && !c->g->qemu.rp_atomics) {
		code = "atomics-qemu-old";
	}
	if (!code)
		return;
	pl_bdf_fmt(&h->bdf, b, sizeof(b));
	if (!strcmp(code, "atomics-qemu-old"))
		f = add(c, code, PL_SEV_WARNING, d, "The host gives %s AtomicOps but the guest gets none: %s is "
			"older than 8.1, the first to set AtomicOp completers on root ports: run the VM on QEMU 8.1 "
			"or newer.", b, c->q);
	else
		f = add(c, code, PL_SEV_WARNING, d, "The host gives %s AtomicOps but the guest gets none: %s%s.",
			b, why, split ? "; one function alone at 00.0 on its own root port keeps them" : "");
	/* the layout is right: only a newer QEMU helps */
	if (strcmp(code, "atomics-qemu-old"))
		fix(c, f, d, split ? " --split-functions" : "");
}

static void rule_no_link(struct ck *c, const struct pl_gdev *d, const struct pl_gdev *p)
{
	struct pl_finding *f = NULL;

	if (!p && !d->root_bus_pcie)
		f = add(c, "no-link-conventional", PL_SEV_WARNING, d, "%s sits on a conventional PCI bus "
			"(machine type %s): the guest sees no PCIe link at all.", name(d),
			c->g->machine[0] ? c->g->machine : "pc");
	else if (!p)
		f = add(c, "no-link-root-bus", PL_SEV_WARNING, d, "%s sits directly on %s: the guest sees an "
			"integrated endpoint with no link at all.", name(d), d->bus[0] ? d->bus : "the root bus");
	else if (p->kind == PL_GK_IOH3420)
		f = add(c, "no-link-ioh3420", PL_SEV_WARNING, d, "%s sits below ioh3420 %s, which has no link "
			"properties: the guest sees 2.5GT/s x1.", name(d), name(p));
	else if (p->kind == PL_GK_SWITCH_DOWN)
		f = add(c, "no-link-switch", PL_SEV_WARNING, d, "%s sits below switch port %s "
			"(xio3130-downstream), which advertises no link speed or width.", name(d), name(p));
	else if (p->kind == PL_GK_PCI_BRIDGE)
		f = add(c, "no-link-bridge", PL_SEV_WARNING, d, "%s sits behind conventional bridge %s: the "
			"guest sees no PCIe capability and no link.", name(d), name(p));
	fix(c, f, d, "");
}

static void rule_assigned(struct ck *c)
{
	for (size_t i = 0; i < c->g->ndev; i++) {
		const struct pl_gdev *d = &c->g->devs[i], *p = parent(c, d);
		struct pl_dev *h = NULL;

		if (d->kind != PL_GK_VFIO)
			continue;
		if (d->has_host && c->sys) {
			h = pl_system_find(c->sys, &d->host);
			if (!h) {
				char b[16];

				add(c, "host-missing", PL_SEV_WARNING, d, "The host has no function %s: the "
				    "configuration is for another host, or the input does not hold it.",
				    pl_bdf_fmt(&d->host, b, sizeof(b)));
			} else if (pl_analyze(c->sys, h)) {
				h = NULL;
			}
		}
		rule_no_link(c, d, p);
		/* the port mirrors devfn 0 below it: judge the link there */
		if (h && p && p->kind == PL_GK_ROOT_PORT && d->slot <= 0 && d->fn <= 0)
			rule_link(c, d, p, h);
		if (h)
			rule_atomics(c, d, p, h);
	}
}

/* ---- NUMA: the guest node of each assigned function's root bus against the host's ---- */

/* Whether the assigned functions found on the host span two or more NUMA nodes. */
static bool host_multi_node(const struct ck *c)
{
	int first = -1;

	for (size_t i = 0; i < c->g->ndev; i++) {
		const struct pl_gdev *d = &c->g->devs[i];
		const struct pl_dev *h = d->kind == PL_GK_VFIO && d->has_host ? pl_system_find(c->sys, &d->host) : NULL;

		if (!h || h->numa_node < 0)
			continue;
		if (first >= 0 && h->numa_node != first)
			return true;
		first = h->numa_node;
	}
	return false;
}

/*
 * Host node N means guest node N (check takes no --numa-map). Only a command line or a domain say
 * where the expander buses are; a node-less bus is worth a note only where the host has two nodes.
 */
static void rule_numa(struct ck *c)
{
	bool multi;

	if (!c->sys || (c->g->src != PL_GUEST_CMDLINE && c->g->src != PL_GUEST_DOMAIN))
		return;
	multi = host_multi_node(c);
	for (size_t i = 0; i < c->g->ndev; i++) {
		const struct pl_gdev *d = &c->g->devs[i], *x = d->expander >= 0 ? &c->g->devs[d->expander] : NULL;
		const struct pl_dev *h = d->kind == PL_GK_VFIO && d->has_host ? pl_system_find(c->sys, &d->host) : NULL;
		int gn = x ? x->numa_node : -1;
		struct pl_finding *f = NULL;
		char b[16], opts[48];

		if (!h || h->numa_node < 0 || gn == h->numa_node)
			continue;
		pl_bdf_fmt(&h->bdf, b, sizeof(b));
		if (gn >= 0)
			f = add(c, "numa-node-differs", PL_SEV_WARNING, d, "%s sits below expander bus %s on guest "
				"NUMA node %d, but the host puts %s on node %d: the guest allocates near the wrong "
				"CPUs and memory.", name(d), name(x), gn, b, h->numa_node);
		else if (multi)
			f = add(c, "numa-node-none", PL_SEV_INFO, d, "%s sits on a bus with no NUMA node (%s), but "
				"the host puts %s on node %d and the assigned devices on more than one node: the "
				"guest cannot tell which CPUs and memory are near it.", name(d),
				x ? name(x) : "pcie.0", b, h->numa_node);
		/* a dump carries no node: the fix passes it on */
		if (c->sys->kind == PL_SOURCE_DUMP && h->bdf.domain)
			snprintf(opts, sizeof(opts), " --numa --numa-node %04x:%02x:%02x=%d", h->bdf.domain, h->bdf.bus,
				 h->bdf.dev, h->numa_node);
		else if (c->sys->kind == PL_SOURCE_DUMP)
			snprintf(opts, sizeof(opts), " --numa --numa-node %02x:%02x=%d", h->bdf.bus, h->bdf.dev,
				 h->numa_node);
		else
			snprintf(opts, sizeof(opts), " --numa");
		fix(c, f, d, opts);
	}
}

int pl_check(const struct pl_guest *g, struct pl_system *sys, const struct pl_check_opts *o,
	     struct pl_findings *out)
{
	struct ck c = { .g = g, .sys = sys, .o = o, .out = out };

	memset(out, 0, sizeof(*out));
	if (g->qemu.known) {
		snprintf(c.q, sizeof(c.q), "QEMU %d.%d", g->qemu.major, g->qemu.minor);
		c.speeds = g->qemu.speeds;
		c.widths = g->qemu.widths;
	} else {
		struct pl_qemu newest;

		pl_qemu_from_version(&newest, 99, 0, 0);
		snprintf(c.q, sizeof(c.q), "the newest QEMU");
		c.speeds = newest.speeds;
		c.widths = newest.widths;
	}
	rule_refusals(&c);
	rule_values(&c);
	rule_slots(&c);
	rule_assigned(&c);
	rule_numa(&c);
	return c.rc;
}

struct pl_finding *pl_findings_add(struct pl_findings *f, const char *code, enum pl_sev sev)
{
	struct pl_finding *n;

	if (pl_grow((void **)&f->v, &f->cap, f->n, sizeof(*f->v)))
		return NULL;
	n = &f->v[f->n++];
	memset(n, 0, sizeof(*n));
	n->code = code;
	n->sev = sev;
	return n;
}

void pl_findings_free(struct pl_findings *f)
{
	free(f->v);
	memset(f, 0, sizeof(*f));
}

size_t pl_findings_count(const struct pl_findings *f, enum pl_sev s)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++)
		n += f->v[i].sev >= s;
	return n;
}
