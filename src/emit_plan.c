/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The plan as a json-c tree, for --format json/yaml of the generators. */
#include <stdio.h>

#include "emit.h"
#include "plan.h"
#include "version.h"

#define ADD(o, k, v) json_object_object_add((o), (k), (v))

static struct json_object *str(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

static struct json_object *hex4(unsigned v)
{
	char b[8];

	snprintf(b, sizeof(b), "%04x", v & 0xffff);
	return json_object_new_string(b);
}

static struct json_object *target(const struct pl_plan_opts *o)
{
	struct json_object *t = json_object_new_object(), *sp = json_object_new_array(),
			   *wd = json_object_new_array();
	char v[32];

	if (o->qemu.known)
		snprintf(v, sizeof(v), "%d.%d.%d", o->qemu.major, o->qemu.minor, o->qemu.micro);
	ADD(t, "qemu_version", o->qemu.known ? json_object_new_string(v) : NULL);
	ADD(t, "qemu_source", str(o->qemu.source));
	for (int s = 1; s <= PL_SPEED_MAX; s++)
		if (o->qemu.speeds & (1u << s))
			json_object_array_add(sp, json_object_new_string(pl_speed_qemu(s)));
	for (int w = 1; w <= 32; w++)
		if (o->qemu.widths & (1ull << w)) {
			snprintf(v, sizeof(v), "%d", w);
			json_object_array_add(wd, json_object_new_string(v));
		}
	ADD(t, "accepted_speeds", sp);
	ADD(t, "accepted_widths", wd);
	ADD(t, "root_port_atomics", json_object_new_boolean(o->qemu.rp_atomics));
	ADD(t, "hotplug_property", json_object_new_boolean(o->qemu.has_hotplug));
	snprintf(v, sizeof(v), "%d.%d", o->kernel_major, o->kernel_minor);
	ADD(t, "host_kernel", o->kernel_major ? json_object_new_string(v) : NULL);
	return t;
}

static struct json_object *port(const struct pl_plan *plan, const struct pl_plan_port *p)
{
	struct json_object *o = json_object_new_object(), *fns = json_object_new_array(), *at, *w;
	char b[24];

	ADD(o, "id", json_object_new_string(p->id));
	ADD(o, "bus", json_object_new_string(plan->opts->bus));
	ADD(o, "chassis", json_object_new_int(p->chassis));
	ADD(o, "port", json_object_new_int(p->port));
	snprintf(b, sizeof(b), "0x%02x.%x", p->slot, p->fn);
	ADD(o, "addr", json_object_new_string(b));
	ADD(o, "multifunction", json_object_new_boolean(p->multifunction));
	ADD(o, "x_speed", p->link_props ? json_object_new_string(pl_speed_qemu(p->speed)) : NULL);
	snprintf(b, sizeof(b), "%d", p->width);
	ADD(o, "x_width", p->link_props ? json_object_new_string(b) : NULL);
	ADD(o, "hotplug",
	    plan->opts->hotplug >= 0 && plan->opts->qemu.has_hotplug ? json_object_new_boolean(plan->opts->hotplug)
								    : NULL);
	ADD(o, "why", str(p->why));
	ADD(o, "note", str(p->note));
	for (int i = 0; i < p->nfn; i++) {
		const struct pl_plan_fn *f = &p->fns[i];
		struct json_object *fo = json_object_new_object();

		ADD(fo, "host", json_object_new_string(pl_bdf_fmt(&f->dev->bdf, b, sizeof(b))));
		ADD(fo, "id", json_object_new_string(f->id));
		ADD(fo, "guest_function", json_object_new_int(f->guest_fn));
		ADD(fo, "multifunction", json_object_new_boolean(f->multifunction));
		ADD(fo, "vendor_id", hex4(f->dev->vendor));
		ADD(fo, "device_id", hex4(f->dev->device));
		ADD(fo, "class_id", hex4(f->dev->class_code >> 8));
		json_object_array_add(fns, fo);
	}
	ADD(o, "functions", fns);
	at = json_object_new_object();
	ADD(at, "verdict", json_object_new_string(pl_atomics_verdict_name(p->atomics)));
	w = json_object_new_array();
	for (int i = 0; i < PL_ATOMIC_N; i++)
		if (p->atomic_widths[i])
			json_object_array_add(w, json_object_new_string(pl_atomic_names[i]));
	ADD(at, "widths", w);
	ADD(at, "why", str(p->atomics_why));
	ADD(o, "atomics", at);
	return o;
}

struct json_object *pl_plan_json(const struct pl_emit_in *in, const struct pl_argv *argv)
{
	const struct pl_plan *plan = in->plan;
	struct json_object *root = json_object_new_object(), *ports = json_object_new_array(), *w;

	ADD(root, "schema", json_object_new_int(PL_SCHEMA_VERSION));
	ADD(root, "pcilink_version", json_object_new_string(PL_VERSION));
	ADD(root, "policy", json_object_new_string(pl_policy_name(plan->opts->policy)));
	ADD(root, "target", target(plan->opts));
	for (size_t i = 0; i < plan->nports; i++)
		json_object_array_add(ports, port(plan, &plan->ports[i]));
	ADD(root, "ports", ports);
	if (argv) {
		struct json_object *a = json_object_new_array();

		for (size_t i = 0; i < argv->n; i++)
			json_object_array_add(a, json_object_new_string(argv->w[i]));
		ADD(root, "argv", a);
	}
	w = json_object_new_array();
	for (const struct pl_diag *g = plan->warnings; g; g = g->next)
		json_object_array_add(w, json_object_new_string(g->msg));
	ADD(root, "warnings", w);
	return root;
}
