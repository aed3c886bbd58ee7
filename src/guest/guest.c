/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The guest model: building it, and QEMU's rules for what each port advertises. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest.h"
#include "util.h"

static const struct {
	const char *driver;
	enum pl_gkind kind;
} kinds[] = {
	{ "pcie-root-port", PL_GK_ROOT_PORT },
	{ "ioh3420", PL_GK_IOH3420 },
	{ "x3130-upstream", PL_GK_SWITCH_UP },
	{ "xio3130-downstream", PL_GK_SWITCH_DOWN },
	{ "pci-bridge", PL_GK_PCI_BRIDGE },
	{ "pcie-pci-bridge", PL_GK_PCI_BRIDGE },
	{ "i82801b11-bridge", PL_GK_PCI_BRIDGE },
	{ "pxb-pcie", PL_GK_EXPANDER },
	{ "vfio-pci", PL_GK_VFIO },
	{ "vfio-pci-nohotplug", PL_GK_VFIO },
};

enum pl_gkind pl_gkind_of(const char *driver)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].driver, driver))
			return kinds[i].kind;
	return PL_GK_OTHER;
}

const char *pl_gsrc_name(enum pl_gsrc s)
{
	static const char *const n[] = { "none", "realized", "set", "explicit", "global", "machine_compat",
					 "device_default", "fixed" };
	return n[s];
}

void pl_guest_init(struct pl_guest *g, enum pl_guest_src src)
{
	memset(g, 0, sizeof(*g));
	g->src = src;
	g->q35 = true;  /* check is about PCIe guests; -M pc says otherwise */
	g->diag_tail = &g->diags;
	g->refusal_tail = &g->refusals;
}

void pl_guest_free(struct pl_guest *g)
{
	free(g->devs);
	free(g->globals);
	pl_diag_free(g->diags);
	pl_diag_free(g->refusals);
	memset(g, 0, sizeof(*g));
}

struct pl_gdev *pl_guest_add(struct pl_guest *g, const char *driver)
{
	struct pl_gdev *d;

	if (pl_grow((void **)&g->devs, &g->devs_cap, g->ndev, sizeof(*g->devs)))
		return NULL;
	d = &g->devs[g->ndev++];
	memset(d, 0, sizeof(*d));
	snprintf(d->driver, sizeof(d->driver), "%s", driver);
	d->kind = pl_gkind_of(driver);
	d->slot = d->fn = -1;
	d->chassis = d->port = d->hotplug = -1;
	d->parent = d->expander = d->numa_node = -1;
	return d;
}

int pl_guest_add_global(struct pl_guest *g, const char *driver, const char *prop, const char *value)
{
	struct pl_gglobal *n;

	if (pl_grow((void **)&g->globals, &g->globals_cap, g->nglobal, sizeof(*g->globals)))
		return PL_ENOMEM;
	n = &g->globals[g->nglobal++];
	snprintf(n->driver, sizeof(n->driver), "%s", driver);
	snprintf(n->prop, sizeof(n->prop), "%s", prop);
	snprintf(n->value, sizeof(n->value), "%s", value);
	return PL_OK;
}

struct pl_gdev *pl_guest_find(struct pl_guest *g, const char *id)
{
	for (size_t i = 0; i < g->ndev; i++)
		if (g->devs[i].id[0] && !strcmp(g->devs[i].id, id))
			return &g->devs[i];
	return NULL;
}

void pl_guest_set_machine(struct pl_guest *g, const char *type)
{
	size_t n = strcspn(type, ",");
	int maj, min;

	snprintf(g->machine, sizeof(g->machine), "%.*s", (int)n, type);
	g->mach_major = g->mach_minor = 0;
	g->q35 = !strcmp(g->machine, "q35") || !strncmp(g->machine, "pc-q35-", 7);
	/* pc-q35-X.Y, with Proxmox's "+pveN" suffix */
	if (!strncmp(g->machine, "pc-q35-", 7) && sscanf(g->machine + 7, "%d.%d", &maj, &min) == 2 && maj > 0 &&
	    maj < 100 && min >= 0 && min < 100) {
		g->mach_major = maj;
		g->mach_minor = min;
	}
}

/* QEMU's PCI devfn text: "SLOT[.FN]", hex, optional 0x (set_pci_devfn); or an integer devfn. */
static int parse_addr(const char *s, int *slot, int *fn)
{
	char *e;
	unsigned long sl, f = 0;

	errno = 0;
	sl = strtoul(s, &e, 16);
	if (e == s || errno)
		return PL_EINVAL;
	if (*e == '.') {
		const char *p = e + 1;

		f = strtoul(p, &e, 16);
		if (e == p || f > 7)
			return PL_EINVAL;
	}
	if (*e || sl > 31)
		return PL_EINVAL;
	*slot = (int)sl;
	*fn = (int)f;
	return PL_OK;
}

/* on/off the way QEMU's bool properties take them */
static int parse_bool(const char *s)
{
	static const char *const yes[] = { "on", "yes", "true", "y" }, *const no[] = { "off", "no", "false", "n" };

	for (size_t i = 0; i < 4; i++) {
		if (!strcmp(s, yes[i]))
			return 1;
		if (!strcmp(s, no[i]))
			return 0;
	}
	return -1;
}

static int parse_uint(const char *s, long max)
{
	char *e;
	long v;

	errno = 0;
	v = strtol(s, &e, 0);
	return e == s || *e || errno || v < 0 || v > max ? -1 : (int)v;
}

static void set_link(struct pl_gprop *p, const char *value, bool speed, enum pl_gsrc src)
{
	snprintf(p->raw, sizeof(p->raw), "%s", value);
	p->value = speed ? pl_speed_from_qemu(value) : (pl_width_valid(atoi(value)) &&
							parse_uint(value, 32) > 0 ? atoi(value) : 0);
	p->src = src;
}

/* the port devices whose chassis and port are the uint8 pcie-port properties */
static bool is_port(const struct pl_gdev *d)
{
	return d->kind == PL_GK_ROOT_PORT || d->kind == PL_GK_IOH3420 || d->kind == PL_GK_SWITCH_DOWN;
}

int pl_gdev_set(struct pl_gdev *d, const char *prop, const char *value, enum pl_gsrc src)
{
	if (!strcmp(prop, "id"))
		snprintf(d->id, sizeof(d->id), "%s", value);
	else if (!strcmp(prop, "bus"))
		snprintf(d->bus, sizeof(d->bus), "%s", value);
	else if (!strcmp(prop, "addr")) {
		if (parse_addr(value, &d->slot, &d->fn))
			return PL_EINVAL;
	} else if (!strcmp(prop, "multifunction")) {
		int b = parse_bool(value);

		if (b < 0)
			return PL_EINVAL;
		d->multifunction = b;
	} else if (!strcmp(prop, "hotplug")) {
		if ((d->hotplug = parse_bool(value)) < 0)
			return PL_EINVAL;
	} else if ((!strcmp(prop, "chassis") || !strcmp(prop, "port")) && !is_port(d)) {
		/* other devices' own chassis/port (usb-tablet port=1.1, virtserialport port=1) */
		return PL_OK;
	} else if (!strcmp(prop, "chassis")) {
		if ((d->chassis = parse_uint(value, 255)) < 0)
			return PL_EINVAL;
	} else if (!strcmp(prop, "port")) {
		if ((d->port = parse_uint(value, 255)) < 0)
			return PL_EINVAL;
	} else if (!strcmp(prop, "x-speed"))
		set_link(&d->speed, value, true, src);
	else if (!strcmp(prop, "x-width"))
		set_link(&d->width, value, false, src);
	else if (!strcmp(prop, "host")) {
		if (pl_bdf_parse(value, &d->host))
			return PL_EINVAL;
		d->has_host = true;
	} else if (!strcmp(prop, "numa_node")) {
		/* QEMU's uint16 property; it refuses nodes the machine lacks only when it starts */
		if ((d->numa_node = parse_uint(value, 65535)) < 0)
			return PL_EINVAL;
	} else if (!strcmp(prop, "driver")) {
		snprintf(d->driver, sizeof(d->driver), "%s", value);
		d->kind = pl_gkind_of(value);
	}
	return PL_OK;
}

/* The machine's compat default for pcie-root-port (hw_compat_3_1: 2.5GT/s x1 up to 3.1). */
static bool compat_3_1(const struct pl_guest *g)
{
	return g->mach_major && (g->mach_major < 4);
}

static void resolve_link(struct pl_guest *g, struct pl_gdev *d, struct pl_gprop *p, const char *prop)
{
	const char *def;

	if (d->kind != PL_GK_ROOT_PORT) {
		/* no x-speed/x-width on the type: QEMU refuses a value, so leave it for the rules */
		if (!p->raw[0])
			p->src = PL_GSRC_FIXED;
		if (!p->raw[0] && d->kind == PL_GK_IOH3420)
			p->value = !strcmp(prop, "x-speed") ? PL_SPEED_2_5 : 1;
		return;
	}
	if (p->raw[0] && p->src != PL_GSRC_GLOBAL && p->src != PL_GSRC_COMPAT && p->src != PL_GSRC_DEFAULT)
		return;
	for (size_t i = g->nglobal; i-- > 0;)
		if (!strcmp(g->globals[i].driver, d->driver) && !strcmp(g->globals[i].prop, prop)) {
			set_link(p, g->globals[i].value, !strcmp(prop, "x-speed"), PL_GSRC_GLOBAL);
			return;
		}
	/* a QEMU before 4.0 has no link properties: the port is fixed at 2.5GT/s x1 */
	if (g->qemu.known && !g->qemu.has_link_props) {
		set_link(p, !strcmp(prop, "x-speed") ? "2_5" : "1", !strcmp(prop, "x-speed"), PL_GSRC_FIXED);
		p->raw[0] = 0;
		return;
	}
	if (compat_3_1(g))
		def = !strcmp(prop, "x-speed") ? "2_5" : "1";
	else
		def = !strcmp(prop, "x-speed") ? "16" : "32";
	set_link(p, def, !strcmp(prop, "x-speed"), compat_3_1(g) ? PL_GSRC_COMPAT : PL_GSRC_DEFAULT);
}

static bool is_root_bus_name(const struct pl_guest *g, const char *bus)
{
	/* pci.0 is i440fx's root bus; a device of that id provides it otherwise (Proxmox's pci-bridge) */
	return !bus[0] || !strcmp(bus, "pcie.0") ||
	       (!strcmp(bus, "pci.0") && !pl_guest_find((struct pl_guest *)g, bus));
}

/* The first slot on d's bus whose function 0 no device before d (in creation order) holds. */
static int first_free_slot(const struct pl_guest *g, const struct pl_gdev *d)
{
	uint32_t used = 0;

	for (const struct pl_gdev *e = g->devs; e < d; e++)
		if (e->slot >= 0 && e->fn == 0 && e->parent == d->parent && !strcmp(e->bus, d->bus))
			used |= 1u << e->slot;
	for (int s = 0; s < 32; s++)
		if (!(used & (1u << s)))
			return s;
	return -1;
}

/* The pxb-pcie d's bus chain ends on (its guest NUMA node), -1 on pcie.0; bounded against loops. */
static int expander_of(struct pl_guest *g, const struct pl_gdev *d)
{
	for (size_t k = 0; k <= g->ndev && !is_root_bus_name(g, d->bus); k++) {
		const struct pl_gdev *p = pl_guest_find(g, d->bus);

		if (!p)
			break;
		if (p->kind == PL_GK_EXPANDER)
			return (int)(p - g->devs);
		d = p;
	}
	return -1;
}

void pl_guest_resolve(struct pl_guest *g)
{
	for (size_t i = 0; i < g->ndev; i++)
		g->devs[i].expander = expander_of(g, &g->devs[i]);
	for (size_t i = 0; i < g->ndev; i++) {
		struct pl_gdev *d = &g->devs[i];
		struct pl_gdev *p;

		resolve_link(g, d, &d->speed, "x-speed");
		resolve_link(g, d, &d->width, "x-width");
		d->parent = -1;
		d->root_bus_pcie = g->q35;
		if (d->auto_addr)
			d->slot = d->fn = -1;
		if (is_root_bus_name(g, d->bus))
			continue;
		p = pl_guest_find(g, d->bus);
		if (!p) {
			/* libvirt's pci.N names a bus by controller alias; an unknown bus stays unplaced */
			continue;
		}
		d->parent = (int)(p - g->devs);
		/* a pxb-pcie is a root bus of its own */
		if (p->kind == PL_GK_EXPANDER) {
			d->parent = -1;
			d->root_bus_pcie = true;
		}
		/* QEMU picks function 0 of the first free slot (below a port there is only slot 0); the
		 * root buses also hold built-in devices this model does not know, so they stay unknown */
		if (d->slot < 0 && p->kind != PL_GK_EXPANDER) {
			d->slot = first_free_slot(g, d);
			d->fn = 0;
			d->auto_addr = d->slot >= 0;
		}
	}
}

int pl_guest_from_plan(const struct pl_plan *plan, struct pl_guest *g)
{
	const struct pl_plan_opts *o = plan->opts;
	char b[16];

	pl_guest_init(g, PL_GUEST_PLAN);
	g->qemu = o->qemu;
	pl_guest_set_machine(g, "q35");
	snprintf(g->name, sizeof(g->name), "the plan");
	for (size_t i = 0; i < plan->npxb; i++) {
		struct pl_gdev *x = pl_guest_add(g, "pxb-pcie");

		if (!x)
			return PL_ENOMEM;
		snprintf(x->id, sizeof(x->id), "%s", plan->pxbs[i].id);
		snprintf(x->bus, sizeof(x->bus), "%s", o->bus);
		x->numa_node = plan->pxbs[i].guest_node;
		snprintf(x->origin, sizeof(x->origin), "expander %zu", i + 1);
	}
	for (size_t i = 0; i < plan->nports; i++) {
		const struct pl_plan_port *p = &plan->ports[i];
		struct pl_gdev *d = pl_guest_add(g, "pcie-root-port");

		if (!d)
			return PL_ENOMEM;
		snprintf(d->id, sizeof(d->id), "%s", p->id);
		snprintf(d->bus, sizeof(d->bus), "%s", p->pxb >= 0 ? plan->pxbs[p->pxb].id : o->bus);
		d->slot = p->slot;
		d->fn = p->fn;
		d->multifunction = p->multifunction;
		d->chassis = p->chassis;
		d->port = p->port;
		d->hotplug = o->hotplug >= 0 && o->qemu.has_hotplug ? o->hotplug : -1;
		if (p->link_props) {
			set_link(&d->speed, pl_speed_qemu(p->speed), true, PL_GSRC_EXPLICIT);
			snprintf(b, sizeof(b), "%d", p->width);
			set_link(&d->width, b, false, PL_GSRC_EXPLICIT);
		}
		snprintf(d->origin, sizeof(d->origin), "port %zu", i + 1);
		for (int j = 0; j < p->nfn; j++) {
			const struct pl_plan_fn *f = &p->fns[j];
			struct pl_gdev *v = pl_guest_add(g, "vfio-pci");

			if (!v)
				return PL_ENOMEM;
			snprintf(v->id, sizeof(v->id), "%s", f->id);
			snprintf(v->bus, sizeof(v->bus), "%s", p->id);
			v->slot = 0;
			v->fn = f->guest_fn;
			v->multifunction = f->multifunction;
			v->has_host = true;
			v->host = f->dev->bdf;
			snprintf(v->origin, sizeof(v->origin), "port %zu function %d", i + 1, j);
		}
	}
	pl_guest_resolve(g);
	return PL_OK;
}
