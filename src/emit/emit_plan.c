/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The plan as JSON and YAML for --format json/yaml of the generators (PLAN SCHEMA in pcilink(1)). */
#include <stdio.h>

#include "emit.h"
#include "out.h"
#include "plan.h"
#include "version.h"

static void str(struct pl_out *o, const char *key, const char *s)
{
	pl_out_str(o, key, s && *s ? s : NULL);
}

static void hex4(struct pl_out *o, const char *key, unsigned v)
{
	char b[8];

	snprintf(b, sizeof(b), "%04x", v & 0xffff);
	pl_out_str(o, key, b);
}

static void target(struct pl_out *o, const struct pl_plan_opts *opt)
{
	char v[32];

	pl_out_map(o, "target");
	if (opt->qemu.known)
		snprintf(v, sizeof(v), "%d.%d.%d", opt->qemu.major, opt->qemu.minor, opt->qemu.micro);
	pl_out_str(o, "qemu_version", opt->qemu.known ? v : NULL);
	str(o, "qemu_source", opt->qemu.source);
	pl_out_list(o, "accepted_speeds");
	for (int s = 1; s <= PL_SPEED_MAX; s++)
		if (opt->qemu.speeds & (1u << s))
			pl_out_str(o, NULL, pl_speed_qemu(s));
	pl_out_end(o);
	pl_out_list(o, "accepted_widths");
	for (int w = 1; w <= 32; w++)
		if (opt->qemu.widths & (1ull << w)) {
			snprintf(v, sizeof(v), "%d", w);
			pl_out_str(o, NULL, v);
		}
	pl_out_end(o);
	pl_out_bool(o, "root_port_atomics", opt->qemu.rp_atomics);
	pl_out_bool(o, "hotplug_property", opt->qemu.has_hotplug);
	snprintf(v, sizeof(v), "%d.%d", opt->kernel_major, opt->kernel_minor);
	pl_out_str(o, "host_kernel", opt->kernel_major ? v : NULL);
	pl_out_end(o);
}

static void node(struct pl_out *o, const char *key, int n)
{
	if (n >= 0)
		pl_out_int(o, key, n);
	else
		pl_out_null(o, key);
}

static void pxb(struct pl_out *o, const struct pl_plan *plan, const struct pl_plan_pxb *x)
{
	char b[16];

	pl_out_map(o, NULL);
	pl_out_str(o, "id", x->id);
	pl_out_int(o, "guest_numa_node", x->guest_node);
	pl_out_list(o, "host_numa_nodes");
	for (size_t i = 0; i < plan->nports; i++) {
		const struct pl_plan_port *p = &plan->ports[i];
		bool seen = false;

		for (size_t j = 0; j < i; j++)
			seen |= plan->ports[j].pxb == p->pxb && plan->ports[j].host_node == p->host_node;
		if (&plan->pxbs[p->pxb] == x && !seen)
			pl_out_int(o, NULL, p->host_node);
	}
	pl_out_end(o);
	pl_out_int(o, "bus_nr", x->bus_nr);
	pl_out_int(o, "last_bus", x->bus_nr + x->nports);
	pl_out_str(o, "bus", plan->opts->bus);
	snprintf(b, sizeof(b), "0x%02x.0", x->slot);
	pl_out_str(o, "addr", b);
	pl_out_end(o);
}

static void port(struct pl_out *o, const struct pl_plan *plan, const struct pl_plan_port *p)
{
	char b[24];

	pl_out_map(o, NULL);
	pl_out_str(o, "id", p->id);
	pl_out_str(o, "bus", pl_plan_port_bus(plan, p));
	node(o, "host_numa_node", p->host_node);
	node(o, "guest_numa_node", p->guest_node);
	pl_out_int(o, "chassis", p->chassis);
	pl_out_int(o, "port", p->port);
	snprintf(b, sizeof(b), "0x%02x.%x", p->slot, p->fn);
	pl_out_str(o, "addr", b);
	pl_out_bool(o, "multifunction", p->multifunction);
	pl_out_str(o, "x_speed", p->link_props ? pl_speed_qemu(p->speed) : NULL);
	snprintf(b, sizeof(b), "%d", p->width);
	pl_out_str(o, "x_width", p->link_props ? b : NULL);
	if (plan->opts->hotplug >= 0 && plan->opts->qemu.has_hotplug)
		pl_out_bool(o, "hotplug", plan->opts->hotplug);
	else
		pl_out_null(o, "hotplug");
	str(o, "why", p->why);
	str(o, "note", p->note);
	pl_out_list(o, "functions");
	for (int i = 0; i < p->nfn; i++) {
		const struct pl_plan_fn *f = &p->fns[i];

		pl_out_map(o, NULL);
		pl_out_str(o, "host", pl_bdf_fmt(&f->dev->bdf, b, sizeof(b)));
		pl_out_str(o, "id", f->id);
		pl_out_int(o, "guest_function", f->guest_fn);
		pl_out_bool(o, "multifunction", f->multifunction);
		hex4(o, "vendor_id", f->dev->vendor);
		hex4(o, "device_id", f->dev->device);
		hex4(o, "class_id", f->dev->class_code >> 8);
		pl_out_end(o);
	}
	pl_out_end(o);
	pl_out_map(o, "atomics");
	pl_out_str(o, "verdict", pl_atomics_verdict_name(p->atomics));
	pl_out_list(o, "widths");
	for (int i = 0; i < PL_ATOMIC_N; i++)
		if (p->atomic_widths[i])
			pl_out_str(o, NULL, pl_atomic_names[i]);
	pl_out_end(o);
	str(o, "why", p->atomics_why);
	pl_out_end(o);
	pl_out_end(o);
}

void pl_plan_write(struct pl_out *o, const struct pl_emit_in *in, const struct pl_argv *argv)
{
	const struct pl_plan *plan = in->plan;

	pl_out_map(o, NULL);
	pl_out_int(o, "schema", PL_SCHEMA_VERSION);
	pl_out_str(o, "pcilink_version", PL_VERSION);
	pl_out_str(o, "policy", pl_policy_name(plan->opts->policy));
	target(o, plan->opts);
	pl_out_bool(o, "numa", plan->opts->numa);
	pl_out_list(o, "guest_numa_nodes");
	for (int g = 0; g <= pl_numa_last_guest(plan); g++)
		pl_out_int(o, NULL, g);
	pl_out_end(o);
	pl_out_list(o, "expander_buses");
	for (size_t i = 0; i < plan->npxb; i++)
		pxb(o, plan, &plan->pxbs[i]);
	pl_out_end(o);
	pl_out_list(o, "ports");
	for (size_t i = 0; i < plan->nports; i++)
		port(o, plan, &plan->ports[i]);
	pl_out_end(o);
	if (argv) {
		pl_out_list(o, "argv");
		for (size_t i = 0; i < argv->n; i++)
			pl_out_str(o, NULL, argv->w[i]);
		pl_out_end(o);
	}
	pl_out_list(o, "warnings");
	for (const struct pl_diag *g = plan->warnings; g; g = g->next)
		pl_out_str(o, NULL, g->msg);
	pl_out_end(o);
	pl_out_end(o);
}
