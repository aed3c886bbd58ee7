/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The model as JSON and YAML, one walk over out.h (schema: man/pcilink.1, JSON SCHEMA). */
#include <stdio.h>
#include <string.h>

#include <pci/header.h>

#include "emit.h"
#include "out.h"
#include "version.h"

static void hex4(struct pl_out *o, const char *key, unsigned v)
{
	static const char x[] = "0123456789abcdef";
	char b[5] = { x[(v >> 12) & 15], x[(v >> 8) & 15], x[(v >> 4) & 15], x[v & 15], 0 };

	pl_out_str(o, key, b);
}

static void reg(struct pl_out *o, const char *key, bool known, uint32_t v, int digits)
{
	char b[16];

	if (!known) {
		pl_out_null(o, key);
		return;
	}
	snprintf(b, sizeof(b), "0x%0*x", digits, v);
	pl_out_str(o, key, b);
}

static void slot(struct pl_out *o, const char *key, const struct pl_dev *d)
{
	char b[16];

	pl_out_str(o, key, d ? pl_bdf_fmt(&d->bdf, b, sizeof(b)) : NULL);
}

/* a number in GT/s, printed as 2.5 or 16, never 16.0 */
static void speed(struct pl_out *o, const char *key, int s)
{
	pl_out_num(o, key, pl_speed_gts_str(s));
}

static void width(struct pl_out *o, const char *key, int w)
{
	if (w == PL_WIDTH_UNKNOWN)
		pl_out_null(o, key);
	else
		pl_out_int(o, key, w);
}

static void mbps(struct pl_out *o, const char *key, uint32_t v)
{
	if (v)
		pl_out_int(o, key, v);
	else
		pl_out_null(o, key);
}

static void link_obj(struct pl_out *o, const struct pl_pcie *p)
{
	const struct pl_link *l = &p->link;

	if (!p->has_link) {
		pl_out_null(o, "link");
		return;
	}
	pl_out_map(o, "link");
	speed(o, "max_speed", l->max_speed);
	width(o, "max_width", l->max_width);
	speed(o, "speed", l->speed);
	width(o, "width", l->width);
	if (l->supported_known && l->supported) {
		pl_out_list(o, "supported_speeds");
		for (int s = 1; s <= PL_SPEED_MAX; s++)
			if (l->supported & (1u << (s - 1)))
				speed(o, NULL, s);
		pl_out_end(o);
	} else {
		pl_out_null(o, "supported_speeds");
	}
	if (p->lnkcap2_read)
		speed(o, "target_speed", l->target_speed);
	else
		pl_out_null(o, "target_speed");
	if (l->port >= 0)
		pl_out_int(o, "port", l->port);
	else
		pl_out_null(o, "port");
	pl_out_end(o);
}

static void pcie_obj(struct pl_out *o, const struct pl_dev *d)
{
	const struct pl_pcie *p = &d->pcie;
	bool cfg = p->src == PL_SRC_CONFIG;

	if (!d->is_pcie) {
		pl_out_null(o, "pcie");
		return;
	}
	pl_out_map(o, "pcie");
	pl_out_str(o, "type", pl_port_type_name(p->type));
	pl_out_bool(o, "type_inferred", !cfg && p->type >= 0);
	if (p->version >= 0)
		pl_out_int(o, "version", p->version);
	else
		pl_out_null(o, "version");
	pl_out_str(o, "source", cfg ? "config" : "sysfs");
	link_obj(o, p);
	if (p->dev2_known) {
		pl_out_map(o, "atomics");
		pl_out_bool(o, "routing", p->devcap2 & PCI_EXP_DEVCAP2_ATOMICOP_ROUTING);
		pl_out_bool(o, "completer32", p->devcap2 & PCI_EXP_DEVCAP2_32BIT_ATOMICOP_COMP);
		pl_out_bool(o, "completer64", p->devcap2 & PCI_EXP_DEVCAP2_64BIT_ATOMICOP_COMP);
		pl_out_bool(o, "completer128", p->devcap2 & PCI_EXP_DEVCAP2_128BIT_CAS_COMP);
		pl_out_bool(o, "requester_enabled", p->devctl2 & PCI_EXP_DEVCTL2_ATOMICOP_REQUESTER_EN);
		pl_out_bool(o, "egress_blocked", p->devctl2 & PCI_EXP_DEVCTL2_ATOMICOP_EGRESS_BLOCK);
		pl_out_end(o);
	} else {
		pl_out_null(o, "atomics");
	}
	pl_out_map(o, "registers");
	if (cfg)
		pl_out_int(o, "cap_offset", p->cap_off);
	else
		pl_out_null(o, "cap_offset");
	reg(o, "lnkcap", cfg && p->has_link, p->lnkcap, 8);
	reg(o, "lnksta", cfg && p->has_link, p->lnksta, 4);
	reg(o, "lnkcap2", p->lnkcap2_read, p->lnkcap2, 8);
	reg(o, "lnkctl2", p->lnkcap2_read, p->lnkctl2, 4);
	reg(o, "devcap2", p->dev2_known, p->devcap2, 8);
	reg(o, "devctl2", p->dev2_known, p->devctl2, 4);
	pl_out_end(o);
	pl_out_end(o);
}

static void hop_obj(struct pl_out *o, const struct pl_hop *h, bool slot_link)
{
	pl_out_map(o, NULL);
	slot(o, "port", h->port);
	pl_out_str(o, "port_type", pl_port_type_name(h->port->pcie.type));
	slot(o, "below", h->below);
	speed(o, "max_speed", h->max_speed);
	width(o, "max_width", h->max_width);
	speed(o, "speed", h->speed);
	width(o, "width", h->width);
	mbps(o, "capable_mbps", h->cap_mbps);
	mbps(o, "available_mbps", h->sta_mbps);
	pl_out_bool(o, "internal", h->internal);
	pl_out_bool(o, "slot_link", slot_link);
	pl_out_end(o);
}

static void diags(struct pl_out *o, const char *key, const struct pl_diag *g)
{
	pl_out_list(o, key);
	for (; g; g = g->next)
		pl_out_str(o, NULL, g->msg);
	pl_out_end(o);
}

static void analysis(struct pl_out *o, const struct pl_dev *d)
{
	const struct pl_analysis *an = &d->an;
	char w[12];

	pl_out_list(o, "path");
	for (int i = 0; i < an->nhops; i++)
		hop_obj(o, &an->hops[i], i == an->slot_hop);
	pl_out_end(o);
	slot(o, "root_port", an->root_port);
	pl_out_map(o, "bandwidth");
	mbps(o, "capable_mbps", an->dev_capable_mbps);
	mbps(o, "path_capable_mbps", an->path_capable_mbps);
	mbps(o, "available_mbps", an->available_mbps);
	slot(o, "limiting_capability", an->limit_cap_hop >= 0 ? an->hops[an->limit_cap_hop].port : NULL);
	slot(o, "limiting_status", an->limit_sta_hop >= 0 ? an->hops[an->limit_sta_hop].port : NULL);
	pl_out_end(o);
	pl_out_map(o, "diagnosis");
	pl_out_str(o, "code", pl_diagnosis_name(an->diagnosis));
	pl_out_str(o, "text", an->diag_text);
	pl_out_end(o);
	if (an->atomics_known) {
		pl_out_list(o, "host_atomics");
		for (int i = 0; i < PL_ATOMIC_N; i++)
			if (an->host_atomics[i])
				pl_out_str(o, NULL, pl_atomic_names[i]);
		pl_out_end(o);
	} else {
		pl_out_null(o, "host_atomics");
	}
	pl_out_map(o, "host_atomics_reasons");
	for (int i = 0; an->atomics_known && i < PL_ATOMIC_N; i++)
		if (!an->host_atomics[i])
			pl_out_str(o, pl_atomic_names[i], an->atomic_why[i]);
	pl_out_end(o);
	pl_out_str(o, "host_atomics_unknown", an->atomics_unknown[0] ? an->atomics_unknown : NULL);
	if (an->rec_ok) {
		pl_out_map(o, "recommendation");
		pl_out_str(o, "x_speed", pl_speed_qemu(an->rec_speed));
		snprintf(w, sizeof(w), "%d", an->rec_width);
		pl_out_str(o, "x_width", w);
		pl_out_str(o, "policy", "host");
		pl_out_end(o);
	} else {
		pl_out_null(o, "recommendation");
	}
	pl_out_str(o, "recommendation_note", an->rec_why[0] ? an->rec_why : NULL);
}

static void dev_obj(struct pl_out *o, const struct pl_emit_in *in, const struct pl_dev *d)
{
	char b[16];

	pl_out_map(o, NULL);
	slot(o, "slot", d);
	hex4(o, "vendor_id", d->vendor);
	hex4(o, "device_id", d->device);
	hex4(o, "class_id", d->class_code >> 8);
	pl_out_str(o, "vendor_name", in->numeric ? NULL : d->vendor_name);
	pl_out_str(o, "device_name", in->numeric ? NULL : d->device_name);
	if (d->cfg.len)
		pl_out_int(o, "header_type", d->header_type & 0x7f);
	else
		pl_out_null(o, "header_type");
	pl_out_str(o, "driver", d->driver);
	pl_out_str(o, "iommu_group", d->iommu_group);
	if (d->numa_node >= 0)
		pl_out_int(o, "numa_node", d->numa_node);
	else
		pl_out_null(o, "numa_node");
	pl_out_str(o, "physfn", d->physfn_known ? pl_bdf_fmt(&d->physfn, b, sizeof(b)) : NULL);
	slot(o, "parent", d->parent);
	pcie_obj(o, d);
	analysis(o, d);
	diags(o, "warnings", d->diags);
	pl_out_end(o);
}

/* The report, one device at a time: nothing but the output grows with the host. */
void pl_report_write(struct pl_out *o, const struct pl_emit_in *in)
{
	static const char *const kinds[] = { "live", "sysfs", "dump" };

	pl_out_map(o, NULL);
	pl_out_int(o, "schema", PL_SCHEMA_VERSION);
	pl_out_str(o, "pcilink_version", PL_VERSION);
	pl_out_map(o, "source");
	pl_out_str(o, "kind", kinds[in->sys->kind]);
	pl_out_str(o, "path", in->sys->source_path);
	pl_out_bool(o, "config_complete", !in->sys->config_short);
	pl_out_end(o);
	pl_out_list(o, "devices");
	for (size_t i = 0; i < in->ndev; i++)
		dev_obj(o, in, in->devs[i]);
	pl_out_end(o);
	diags(o, "warnings", in->sys->diags);
	pl_out_end(o);
}

/* The generators' plan (with QEMU argv where the kind is QEMU), or the probe report. */
static int emit_tree(const struct pl_emit_in *in, struct pl_out *o)
{
	struct pl_argv a;

	if (!o)
		return PL_ENOMEM;
	if (!in->plan) {
		pl_report_write(o, in);
	} else if (in->kind != PL_EMIT_QEMU || pl_plan_argv(in->plan, &a)) {
		pl_plan_write(o, in, NULL);
	} else {
		pl_plan_write(o, in, &a);
		pl_argv_free(&a);
	}
	return pl_out_close(o);
}

static int emit_json(const struct pl_emit_in *in, FILE *out)
{
	return emit_tree(in, pl_out_json(out));
}

static int emit_yaml(const struct pl_emit_in *in, FILE *out)
{
	return emit_tree(in, pl_out_yaml(out));
}

const struct pl_emitter pl_emit_json = {
	.name = "json",
	.help = "JSON, schema in pcilink(1); for scripts",
	.kinds = PL_EMIT_REPORT | PL_EMIT_QEMU | PL_EMIT_LIBVIRT,
	.emit = emit_json,
};

const struct pl_emitter pl_emit_yaml = {
	.name = "yaml",
	.help = "YAML, the same tree as json, strings quoted",
	.kinds = PL_EMIT_REPORT | PL_EMIT_QEMU | PL_EMIT_LIBVIRT,
	.emit = emit_yaml,
};
