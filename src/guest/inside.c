/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check --guest: the view from inside the VM (its own config space, live or a dump/sysfs taken
 * in it). For each passed-through function: the root port above it, the port's LnkCap and
 * DevCap2 AtomicOp completer bits, the function's AtomicOp requester enable. With a plan
 * (gen-qemu-args/gen-libvirt-xml --format json) every planned port and function must be where
 * the plan put it with the planned link; without one, QEMU's made-up links are named.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "check.h"
#include "gjson.h"

#define DEVCAP2_COMPLETERS 0x380u       /* AtomicOp completer 32/64/128 */
#define DEVCTL2_ATOMIC_REQ 0x40u        /* AtomicOp requester enable */

/* QEMU's own devices: never passed through */
static const struct {
	uint16_t vendor, device;        /* device 0: any */
} emulated[] = {
	{ 0x1b36, 0 }, { 0x1af4, 0 }, { 0x1234, 0 },
	{ 0x8086, 0x29c0 }, { 0x8086, 0x2918 }, { 0x8086, 0x2922 }, { 0x8086, 0x2930 }, /* q35 built-ins */
	{ 0x8086, 0x3420 }, { 0x104c, 0x8232 }, { 0x104c, 0x8233 }, /* ioh3420, x3130 switch ports */
	{ 0x8086, 0x244e }, { 0x8086, 0x1237 }, { 0x8086, 0x7000 }, { 0x8086, 0x7010 }, { 0x8086, 0x7113 },
};

static bool is_emulated(const struct pl_dev *d)
{
	for (size_t i = 0; i < sizeof(emulated) / sizeof(emulated[0]); i++)
		if (emulated[i].vendor == d->vendor && (!emulated[i].device || emulated[i].device == d->device))
			return true;
	return false;
}

static struct pl_finding *add(struct pl_findings *out, const char *code, enum pl_sev sev, const struct pl_dev *d,
			      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static struct pl_finding *add(struct pl_findings *out, const char *code, enum pl_sev sev, const struct pl_dev *d,
			      const char *fmt, ...)
{
	struct pl_finding *f = pl_findings_add(out, code, sev);
	va_list ap;

	if (!f)
		return NULL;
	if (d)
		pl_bdf_fmt(&d->bdf, f->guest, sizeof(f->guest));
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
	return f;
}

static void link_str(char *buf, size_t len, const struct pl_dev *d)
{
	const struct pl_link *l = &d->pcie.link;

	if (!d->is_pcie || !d->pcie.has_link || !l->max_speed || l->max_width <= 0)
		snprintf(buf, len, "no link speed or width");
	else
		snprintf(buf, len, "%sGT/s x%d", pl_speed_gts_str(l->max_speed), l->max_width);
}

static bool completers(const struct pl_dev *p)
{
	return p->pcie.dev2_known && (p->pcie.devcap2 & DEVCAP2_COMPLETERS);
}

static const struct pl_dev *root_port(const struct pl_dev *d)
{
	const struct pl_dev *p = d->parent;

	while (p && !(p->is_pcie && p->pcie.type == PL_TYPE_ROOT_PORT))
		p = p->parent;
	return p;
}

/* Without a plan: what QEMU made up, and AtomicOps the driver may count on. */
static void unplanned(struct pl_system *sys, struct pl_findings *out)
{
	for (size_t i = 0; i < sys->ndev; i++) {
		const struct pl_dev *d = sys->devs[i], *rp;
		char dl[40], pl[40];

		if (pl_dev_is_bridge(d) || is_emulated(d) || d->physfn_known)
			continue;
		rp = root_port(d);
		link_str(dl, sizeof(dl), d);
		if (!rp) {
			add(out, "guest-no-port", PL_SEV_WARNING, d, "%04x:%04x has no root port above it (it sits on the "
			    "root bus): the guest sees no link at all, and no AtomicOps.", d->vendor, d->device);
			continue;
		}
		link_str(pl, sizeof(pl), rp);
		if (rp->pcie.has_link && rp->pcie.link.max_speed == PL_SPEED_16 && rp->pcie.link.max_width == 32)
			add(out, "guest-link-made-up", PL_SEV_WARNING, d, "Root port %02x:%02x.%x advertises 16GT/s x32, "
			    "QEMU's default, not the host's link (the device says %s).", rp->bdf.bus, rp->bdf.dev,
			    rp->bdf.fn, dl);
		else if (rp->pcie.has_link && rp->pcie.link.max_speed == PL_SPEED_2_5 && rp->pcie.link.max_width == 1 &&
			 !(d->pcie.link.max_speed == PL_SPEED_2_5 && d->pcie.link.max_width == 1))
			add(out, "guest-link-made-up", PL_SEV_WARNING, d, "Root port %02x:%02x.%x advertises 2.5GT/s x1 "
			    "(an ioh3420, or a machine type up to pc-q35-3.1) while the device says %s.", rp->bdf.bus,
			    rp->bdf.dev, rp->bdf.fn, dl);
		else if (d->parent && d->parent != rp)
			add(out, "guest-behind-switch", PL_SEV_WARNING, d, "A switch sits between the device and root "
			    "port %02x:%02x.%x: QEMU's switch ports advertise no link, and AtomicOps do not reach it.",
			    rp->bdf.bus, rp->bdf.dev, rp->bdf.fn);
		if (!completers(rp) && d->pcie.dev2_known && (d->pcie.devctl2 & DEVCTL2_ATOMIC_REQ))
			add(out, "guest-atomics-missing", PL_SEV_WARNING, d, "The driver enabled AtomicOp requests but "
			    "root port %02x:%02x.%x completes none: they fail.", rp->bdf.bus, rp->bdf.dev, rp->bdf.fn);
	}
}

/* ---- the plan: gen-qemu-args / gen-libvirt-xml --format json ---- */

static int hexval(const char *s)
{
	return s ? (int)strtol(s, NULL, 16) : -1;
}

static void planned_fn(struct pl_system *sys, yaml_document_t *doc, yaml_node_t *f, const struct pl_dev *port,
		       const char *pid, struct pl_findings *out)
{
	const char *gf = pl_json_str(pl_json_get(doc, f, "guest_function"));
	const char *host = pl_json_str(pl_json_get(doc, f, "host"));
	int ven = hexval(pl_json_str(pl_json_get(doc, f, "vendor_id")));
	int dev = hexval(pl_json_str(pl_json_get(doc, f, "device_id")));
	struct pl_bdf b = { port->bdf.domain, (uint8_t)port->sec_bus, 0, (uint8_t)(gf ? atoi(gf) & 7 : 0) };
	const struct pl_dev *d = port->sec_bus > 0 ? pl_system_find(sys, &b) : NULL;
	struct pl_finding *x;

	if (!d || (ven >= 0 && d->vendor != ven) || (dev >= 0 && d->device != dev)) {
		x = add(out, "guest-device-missing", PL_SEV_ERROR, port, "The guest has no %04x:%04x at %02x:00.%x "
			"below port %s, where the plan put host function %s.", ven & 0xffff, dev & 0xffff,
			port->sec_bus & 0xff, b.fn, pid, host ? host : "?");
		if (x && host)
			snprintf(x->host, sizeof(x->host), "%.15s", host);
	}
}

static void planned_port(struct pl_system *sys, yaml_document_t *doc, yaml_node_t *p, struct pl_findings *out)
{
	const char *id = pl_json_str(pl_json_get(doc, p, "id")), *addr = pl_json_str(pl_json_get(doc, p, "addr"));
	const char *xs = pl_json_str(pl_json_get(doc, p, "x_speed")), *xw = pl_json_str(pl_json_get(doc, p, "x_width"));
	const char *verdict = pl_json_str(pl_json_get(doc, pl_json_get(doc, p, "atomics"), "verdict"));
	yaml_node_t *fns = pl_json_get(doc, p, "functions"), *f;
	unsigned slot = 0, fn = 0;
	struct pl_bdf b = { 0 };
	const struct pl_dev *port;
	struct pl_finding *x;

	if (!id || !addr || sscanf(addr, "%x.%x", &slot, &fn) != 2 || slot > 31 || fn > 7)
		return;
	b.dev = (uint8_t)slot;
	b.fn = (uint8_t)fn;
	port = pl_system_find(sys, &b);
	if (!port || !port->is_pcie || port->pcie.type != PL_TYPE_ROOT_PORT) {
		struct pl_bdf f0 = { 0, 0, (uint8_t)slot, 0 };

		x = add(out, "guest-port-missing", PL_SEV_ERROR, NULL, "The guest has no root port at 00:%02x.%x, "
			"where the plan put %s: it and everything below it are invisible to the guest%s.", slot, fn, id,
			fn && !pl_system_find(sys, &f0) ? " (nothing is at function 0 of that slot, and a Linux guest "
			"does not scan a slot without one)" : "");
		if (x)
			snprintf(x->guest, sizeof(x->guest), "%.63s", id);
		return;
	}
	if (xs && xw && port->pcie.has_link &&
	    (port->pcie.link.max_speed != pl_speed_from_qemu(xs) || port->pcie.link.max_width != atoi(xw))) {
		char got[40];

		link_str(got, sizeof(got), port);
		add(out, "guest-link-differs", PL_SEV_ERROR, port, "Root port %s advertises %s, the plan says "
		    "x-speed=%s x-width=%s: the VM does not run the plan.", id, got, xs, xw);
	}
	if (verdict && (!strcmp(verdict, "yes") || !strcmp(verdict, "if_kernel_6_5")) && !completers(port))
		add(out, "guest-atomics-missing", PL_SEV_WARNING, port, "Root port %s completes no AtomicOps though "
		    "the plan expects them (QEMU 8.1+, host kernel 6.5+, a single function at 00.0).", id);
	for (size_t i = 0; (f = pl_json_item(doc, fns, i)); i++)
		planned_fn(sys, doc, f, port, id, out);
}

int pl_check_inside(struct pl_system *sys, const char *plan, size_t len, struct pl_findings *out, char *err,
		    size_t errlen)
{
	yaml_document_t doc;
	yaml_node_t *ports, *p;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < sys->ndev; i++)
		pl_analyze(sys, sys->devs[i]);
	if (!plan) {
		unplanned(sys, out);
		return PL_OK;
	}
	if (pl_json_load(&doc, plan, len, err, errlen))
		return PL_EINVAL;
	ports = pl_json_get(&doc, pl_json_root(&doc), "ports");
	if (!ports || ports->type != YAML_SEQUENCE_NODE) {
		snprintf(err, errlen, "not a plan: no \"ports\" list (give gen-qemu-args --format json output)");
		yaml_document_delete(&doc);
		return PL_EINVAL;
	}
	for (size_t i = 0; (p = pl_json_item(&doc, ports, i)); i++)
		planned_port(sys, &doc, p, out);
	yaml_document_delete(&doc);
	return PL_OK;
}
