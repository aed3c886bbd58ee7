/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The model as a json-c tree: one walk for JSON and YAML (schema: man/pcilink.1, JSON SCHEMA). */
#include <stdio.h>
#include <string.h>

#include <pci/header.h>

#include "emit.h"
#include "version.h"

#define ADD(o, k, v) json_object_object_add((o), (k), (v))

static struct json_object *str(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *hex4(unsigned v)
{
	char b[8];

	snprintf(b, sizeof(b), "%04x", v & 0xffff);
	return json_object_new_string(b);
}

static struct json_object *reg(bool known, uint32_t v, int digits)
{
	char b[16];

	if (!known)
		return NULL;
	snprintf(b, sizeof(b), "0x%0*x", digits, v);
	return json_object_new_string(b);
}

static struct json_object *slot(const struct pl_dev *d)
{
	char b[16];

	return d ? json_object_new_string(pl_bdf_fmt(&d->bdf, b, sizeof(b))) : NULL;
}

static struct json_object *speed(int s)
{
	const char *t = pl_speed_gts_str(s);

	/* a number in GT/s, printed as 2.5 or 16, never 16.0 */
	return t ? json_object_new_double_s(pl_speed_gts(s), t) : NULL;
}

static struct json_object *width(int w)
{
	return w == PL_WIDTH_UNKNOWN ? NULL : json_object_new_int(w);
}

static struct json_object *mbps(uint32_t v)
{
	return v ? json_object_new_int64(v) : NULL;
}

static struct json_object *link_obj(const struct pl_pcie *p)
{
	const struct pl_link *l = &p->link;
	struct json_object *o, *sp = NULL;

	if (!p->has_link)
		return NULL;
	o = json_object_new_object();
	ADD(o, "max_speed", speed(l->max_speed));
	ADD(o, "max_width", width(l->max_width));
	ADD(o, "speed", speed(l->speed));
	ADD(o, "width", width(l->width));
	if (l->supported_known && l->supported) {
		sp = json_object_new_array();
		for (int s = 1; s <= PL_SPEED_MAX; s++)
			if (l->supported & (1u << (s - 1)))
				json_object_array_add(sp, speed(s));
	}
	ADD(o, "supported_speeds", sp);
	ADD(o, "target_speed", p->lnkcap2_read ? speed(l->target_speed) : NULL);
	ADD(o, "port", l->port >= 0 ? json_object_new_int(l->port) : NULL);
	return o;
}

static struct json_object *pcie_obj(const struct pl_dev *d)
{
	const struct pl_pcie *p = &d->pcie;
	struct json_object *o, *a = NULL, *r;
	bool cfg = p->src == PL_SRC_CONFIG;

	if (!d->is_pcie)
		return NULL;
	o = json_object_new_object();
	ADD(o, "type", str(pl_port_type_name(p->type)));
	ADD(o, "type_inferred", json_object_new_boolean(!cfg && p->type >= 0));
	ADD(o, "version", p->version >= 0 ? json_object_new_int(p->version) : NULL);
	ADD(o, "source", json_object_new_string(cfg ? "config" : "sysfs"));
	ADD(o, "link", link_obj(p));
	if (p->dev2_known) {
		a = json_object_new_object();
		ADD(a, "routing", json_object_new_boolean(p->devcap2 & PCI_EXP_DEVCAP2_ATOMICOP_ROUTING));
		ADD(a, "completer32", json_object_new_boolean(p->devcap2 & PCI_EXP_DEVCAP2_32BIT_ATOMICOP_COMP));
		ADD(a, "completer64", json_object_new_boolean(p->devcap2 & PCI_EXP_DEVCAP2_64BIT_ATOMICOP_COMP));
		ADD(a, "completer128", json_object_new_boolean(p->devcap2 & PCI_EXP_DEVCAP2_128BIT_CAS_COMP));
		ADD(a, "requester_enabled",
		    json_object_new_boolean(p->devctl2 & PCI_EXP_DEVCTL2_ATOMICOP_REQUESTER_EN));
		ADD(a, "egress_blocked",
		    json_object_new_boolean(p->devctl2 & PCI_EXP_DEVCTL2_ATOMICOP_EGRESS_BLOCK));
	}
	ADD(o, "atomics", a);
	r = json_object_new_object();
	ADD(r, "cap_offset", cfg ? json_object_new_int(p->cap_off) : NULL);
	ADD(r, "lnkcap", reg(cfg && p->has_link, p->lnkcap, 8));
	ADD(r, "lnksta", reg(cfg && p->has_link, p->lnksta, 4));
	ADD(r, "lnkcap2", reg(p->lnkcap2_read, p->lnkcap2, 8));
	ADD(r, "lnkctl2", reg(p->lnkcap2_read, p->lnkctl2, 4));
	ADD(r, "devcap2", reg(p->dev2_known, p->devcap2, 8));
	ADD(r, "devctl2", reg(p->dev2_known, p->devctl2, 4));
	ADD(o, "registers", r);
	return o;
}

static struct json_object *hop_obj(const struct pl_hop *h, bool slot_link)
{
	struct json_object *o = json_object_new_object();

	ADD(o, "port", slot(h->port));
	ADD(o, "port_type", str(pl_port_type_name(h->port->pcie.type)));
	ADD(o, "below", slot(h->below));
	ADD(o, "max_speed", speed(h->max_speed));
	ADD(o, "max_width", width(h->max_width));
	ADD(o, "speed", speed(h->speed));
	ADD(o, "width", width(h->width));
	ADD(o, "capable_mbps", mbps(h->cap_mbps));
	ADD(o, "available_mbps", mbps(h->sta_mbps));
	ADD(o, "internal", json_object_new_boolean(h->internal));
	ADD(o, "slot_link", json_object_new_boolean(slot_link));
	return o;
}

static struct json_object *diags(const struct pl_diag *g)
{
	struct json_object *a = json_object_new_array();

	for (; g; g = g->next)
		json_object_array_add(a, json_object_new_string(g->msg));
	return a;
}

static void analysis(struct json_object *o, const struct pl_dev *d)
{
	const struct pl_analysis *an = &d->an;
	struct json_object *path = json_object_new_array(), *b, *dg, *ha = NULL, *why, *rec = NULL;

	for (int i = 0; i < an->nhops; i++)
		json_object_array_add(path, hop_obj(&an->hops[i], i == an->slot_hop));
	ADD(o, "path", path);
	ADD(o, "root_port", slot(an->root_port));
	b = json_object_new_object();
	ADD(b, "capable_mbps", mbps(an->dev_capable_mbps));
	ADD(b, "path_capable_mbps", mbps(an->path_capable_mbps));
	ADD(b, "available_mbps", mbps(an->available_mbps));
	ADD(b, "limiting_capability",
	    an->limit_cap_hop >= 0 ? slot(an->hops[an->limit_cap_hop].port) : NULL);
	ADD(b, "limiting_status",
	    an->limit_sta_hop >= 0 ? slot(an->hops[an->limit_sta_hop].port) : NULL);
	ADD(o, "bandwidth", b);
	dg = json_object_new_object();
	ADD(dg, "code", json_object_new_string(pl_diagnosis_name(an->diagnosis)));
	ADD(dg, "text", str(an->diag_text));
	ADD(o, "diagnosis", dg);
	why = json_object_new_object();
	if (an->atomics_known) {
		ha = json_object_new_array();
		for (int i = 0; i < PL_ATOMIC_N; i++) {
			if (an->host_atomics[i])
				json_object_array_add(ha, json_object_new_string(pl_atomic_names[i]));
			else
				ADD(why, pl_atomic_names[i], str(an->atomic_why[i]));
		}
	}
	ADD(o, "host_atomics", ha);
	ADD(o, "host_atomics_reasons", why);
	if (an->rec_ok) {
		char w[8];

		rec = json_object_new_object();
		ADD(rec, "x_speed", str(pl_speed_qemu(an->rec_speed)));
		snprintf(w, sizeof(w), "%d", an->rec_width);
		ADD(rec, "x_width", json_object_new_string(w));
		ADD(rec, "policy", json_object_new_string("host"));
	}
	ADD(o, "recommendation", rec);
	ADD(o, "recommendation_note", an->rec_why[0] ? str(an->rec_why) : NULL);
}

static struct json_object *dev_obj(const struct pl_emit_in *in, const struct pl_dev *d)
{
	struct json_object *o = json_object_new_object();
	char b[16];

	ADD(o, "slot", slot(d));
	ADD(o, "vendor_id", hex4(d->vendor));
	ADD(o, "device_id", hex4(d->device));
	ADD(o, "class_id", hex4(d->class_code >> 8));
	ADD(o, "vendor_name", in->numeric ? NULL : str(d->vendor_name));
	ADD(o, "device_name", in->numeric ? NULL : str(d->device_name));
	ADD(o, "header_type", d->cfg.len ? json_object_new_int(d->header_type & 0x7f) : NULL);
	ADD(o, "driver", str(d->driver));
	ADD(o, "iommu_group", str(d->iommu_group));
	ADD(o, "physfn", d->physfn_known ? str(pl_bdf_fmt(&d->physfn, b, sizeof(b))) : NULL);
	ADD(o, "parent", slot(d->parent));
	ADD(o, "pcie", pcie_obj(d));
	analysis(o, d);
	ADD(o, "warnings", diags(d->diags));
	return o;
}

struct json_object *pl_report_head(const struct pl_emit_in *in)
{
	static const char *const kinds[] = { "live", "sysfs", "dump" };
	struct json_object *root = json_object_new_object(), *src;

	ADD(root, "schema", json_object_new_int(PL_SCHEMA_VERSION));
	ADD(root, "pcilink_version", json_object_new_string(PL_VERSION));
	src = json_object_new_object();
	ADD(src, "kind", json_object_new_string(kinds[in->sys->kind]));
	ADD(src, "path", str(in->sys->source_path));
	ADD(src, "config_complete", json_object_new_boolean(!in->sys->config_denied));
	ADD(root, "source", src);
	return root;
}

struct json_object *pl_report_json(const struct pl_emit_in *in)
{
	struct json_object *root = pl_report_head(in), *devs = json_object_new_array();

	for (size_t i = 0; i < in->ndev; i++)
		json_object_array_add(devs, dev_obj(in, in->devs[i]));
	ADD(root, "devices", devs);
	ADD(root, "warnings", diags(in->sys->diags));
	return root;
}

#define PRETTY (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)

/* Write s with its lines indented by pfx, the first too when first (json-c starts at column 0). */
static void indented(FILE *out, const char *pfx, const char *s, bool first)
{
	const char *nl;

	if (first)
		fputs(pfx, out);
	while ((nl = strchr(s, '\n')) && nl[1]) {
		fwrite(s, 1, nl + 1 - s, out);
		fputs(pfx, out);
		s = nl + 1;
	}
	fputs(s, out);
}

/* The report, one device at a time: memory stays flat on hosts with thousands of functions. */
static int stream_report_json(const struct pl_emit_in *in, FILE *out)
{
	struct json_object *head = pl_report_head(in), *w = diags(in->sys->diags);
	const char *h = json_object_to_json_string_ext(head, PRETTY);
	size_t hl = strlen(h);

	/* the head ends in "\n}": continue its object */
	fwrite(h, 1, hl > 2 ? hl - 2 : hl, out);
	fputs(",\n  \"devices\": [", out);
	for (size_t i = 0; i < in->ndev; i++) {
		struct json_object *d = dev_obj(in, in->devs[i]);

		fputs(i ? ",\n" : "\n", out);
		indented(out, "    ", json_object_to_json_string_ext(d, PRETTY), true);
		json_object_put(d);
	}
	fputs(in->ndev ? "\n  ],\n  \"warnings\": " : "],\n  \"warnings\": ", out);
	indented(out, "  ", json_object_to_json_string_ext(w, PRETTY), false);
	fputs("\n}\n", out);
	json_object_put(head);
	json_object_put(w);
	return ferror(out) ? PL_EACCES : PL_OK;
}

static int stream_report_yaml(const struct pl_emit_in *in, FILE *out)
{
	struct json_object *head = pl_report_head(in), *w = diags(in->sys->diags);
	struct pl_yaml *y = pl_yaml_open(out);

	if (!y)
		return PL_ENOMEM;
	pl_yaml_begin(y, false);
	json_object_object_foreach(head, k, v) {
		pl_yaml_key(y, k);
		pl_yaml_value(y, v);
	}
	pl_yaml_key(y, "devices");
	pl_yaml_begin(y, true);
	for (size_t i = 0; i < in->ndev; i++) {
		struct json_object *d = dev_obj(in, in->devs[i]);

		pl_yaml_value(y, d);
		json_object_put(d);
	}
	pl_yaml_end(y, true);
	pl_yaml_key(y, "warnings");
	pl_yaml_value(y, w);
	pl_yaml_end(y, false);
	json_object_put(head);
	json_object_put(w);
	return pl_yaml_close(y);
}

/* The generators' plan (with QEMU argv where the kind is QEMU), or the probe report. */
static struct json_object *tree(const struct pl_emit_in *in)
{
	struct pl_argv a;
	struct json_object *t;

	if (!in->plan)
		return pl_report_json(in);
	if (in->kind != PL_EMIT_QEMU || pl_plan_argv(in->plan, &a))
		return pl_plan_json(in, NULL);
	t = pl_plan_json(in, &a);
	pl_argv_free(&a);
	return t;
}

static int emit_json(const struct pl_emit_in *in, FILE *out)
{
	if (!in->plan)
		return stream_report_json(in, out);
	struct json_object *root = tree(in);
	int rc = fprintf(out, "%s\n", json_object_to_json_string_ext(root, PRETTY)) < 0;

	json_object_put(root);
	return rc ? PL_EACCES : PL_OK;
}

static int emit_yaml(const struct pl_emit_in *in, FILE *out)
{
	if (!in->plan)
		return stream_report_yaml(in, out);
	struct json_object *root = tree(in);
	int rc = pl_yaml_write(root, out);

	json_object_put(root);
	return rc;
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
