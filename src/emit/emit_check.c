/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check's output: findings for people (text) or scripts (JSON/YAML, schema in man/pcilink.1). */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "emit_check.h"
#include "out.h"

static const char *const src_kind[] = { "qemu-cmdline", "domain", "qmp", "plan", "proxmox", "guest" };

static void text(const struct pl_check_report *r, FILE *out)
{
	const struct pl_findings *f = r->findings;
	size_t ne = 0, nw = 0, ni = 0;

	for (size_t i = 0; i < f->n; i++) {
		const struct pl_finding *x = &f->v[i];

		ne += x->sev == PL_SEV_ERROR;
		nw += x->sev == PL_SEV_WARNING;
		ni += x->sev == PL_SEV_INFO;
		fprintf(out, "%s: %s", pl_sev_name(x->sev), x->code);
		if (x->host[0] || x->guest[0])
			fprintf(out, " (%s%s%s)", x->host, x->host[0] && x->guest[0] ? ", guest " : "",
				x->guest[0] && x->host[0] ? x->guest : x->host[0] ? "" : x->guest);
		fprintf(out, "\n  %s\n", x->msg);
		if (x->fix[0])
			fprintf(out, "  fix: %s\n", x->fix);
	}
	for (const struct pl_diag *d = r->g->diags; d; d = d->next)
		fprintf(out, "note: %s\n", d->msg);
	if (r->g->src == PL_GUEST_INSIDE)
		fprintf(out, "%s: ", r->g->name);
	else
		fprintf(out, "%s (%s, ", r->g->name, r->g->machine[0] ? r->g->machine : "default machine");
	if (r->g->src == PL_GUEST_INSIDE)
		;
	else if (r->g->qemu.known)
		fprintf(out, "QEMU %d.%d): ", r->g->qemu.major, r->g->qemu.minor);
	else
		fprintf(out, "the newest QEMU): ");
	if (!f->n)
		fprintf(out, "no findings\n");
	else
		fprintf(out, "%zu error%s, %zu warning%s, %zu note%s\n", ne, ne == 1 ? "" : "s", nw, nw == 1 ? "" : "s", ni,
			ni == 1 ? "" : "s");
}

static void addr(struct pl_out *o, const struct pl_gdev *d)
{
	char b[16];

	if (d->slot < 0) {
		pl_out_null(o, "addr");
		return;
	}
	snprintf(b, sizeof(b), "%02x.%x", d->slot, d->fn);
	pl_out_str(o, "addr", b);
}

static void link_prop(struct pl_out *o, const char *key, const char *skey, const struct pl_gprop *p, bool speed)
{
	char b[8];

	if (!p->value) {
		pl_out_null(o, key);
	} else if (speed) {
		pl_out_str(o, key, pl_speed_qemu(p->value));
	} else {
		snprintf(b, sizeof(b), "%d", p->value);
		pl_out_str(o, key, b);
	}
	pl_out_str(o, skey, pl_gsrc_name(p->src));
}

static void device(struct pl_out *o, const struct pl_guest *g, const struct pl_gdev *d)
{
	char b[16];

	pl_out_map(o, NULL);
	pl_out_str(o, "id", d->id[0] ? d->id : NULL);
	pl_out_str(o, "driver", d->driver);
	pl_out_str(o, "bus", d->bus[0] ? d->bus : NULL);
	pl_out_str(o, "parent", d->parent >= 0 ? (g->devs[d->parent].id[0] ? g->devs[d->parent].id
									    : g->devs[d->parent].origin) : NULL);
	addr(o, d);
	pl_out_bool(o, "multifunction", d->multifunction);
	if (d->kind == PL_GK_VFIO) {
		pl_out_str(o, "host", d->has_host ? pl_bdf_fmt(&d->host, b, sizeof(b)) : NULL);
	} else {
		link_prop(o, "x_speed", "x_speed_source", &d->speed, true);
		link_prop(o, "x_width", "x_width_source", &d->width, false);
		if (d->chassis >= 0)
			pl_out_int(o, "chassis", d->chassis);
		else
			pl_out_null(o, "chassis");
		if (d->port >= 0)
			pl_out_int(o, "port", d->port);
		else
			pl_out_null(o, "port");
	}
	pl_out_str(o, "origin", d->origin);
	pl_out_end(o);
}

static bool is_port(const struct pl_gdev *d)
{
	return d->kind != PL_GK_VFIO && d->kind != PL_GK_OTHER;
}

static int tree(const struct pl_check_report *r, struct pl_out *o)
{
	const struct pl_guest *g = r->g;
	char v[16];

	if (!o)
		return PL_ENOMEM;
	pl_out_map(o, NULL);
	pl_out_int(o, "schema", PL_CHECK_SCHEMA_VERSION);
	pl_out_str(o, "pcilink_version", PL_VERSION);
	pl_out_map(o, "source");
	pl_out_str(o, "kind", src_kind[g->src]);
	pl_out_str(o, "name", g->name);
	pl_out_end(o);
	pl_out_map(o, "guest");
	pl_out_str(o, "machine", g->machine[0] ? g->machine : NULL);
	snprintf(v, sizeof(v), "%d.%d", g->qemu.major, g->qemu.minor);
	pl_out_str(o, "qemu_version", g->qemu.known ? v : NULL);
	pl_out_list(o, "ports");
	for (size_t i = 0; i < g->ndev; i++)
		if (is_port(&g->devs[i]))
			device(o, g, &g->devs[i]);
	pl_out_end(o);
	pl_out_list(o, "assigned");
	for (size_t i = 0; i < g->ndev; i++)
		if (g->devs[i].kind == PL_GK_VFIO)
			device(o, g, &g->devs[i]);
	pl_out_end(o);
	pl_out_end(o);
	pl_out_list(o, "findings");
	for (size_t i = 0; i < r->findings->n; i++) {
		const struct pl_finding *x = &r->findings->v[i];

		pl_out_map(o, NULL);
		pl_out_str(o, "code", x->code);
		pl_out_str(o, "severity", pl_sev_name(x->sev));
		pl_out_str(o, "host", x->host[0] ? x->host : NULL);
		pl_out_str(o, "guest", x->guest[0] ? x->guest : NULL);
		pl_out_str(o, "message", x->msg);
		pl_out_str(o, "fix", x->fix[0] ? x->fix : NULL);
		pl_out_end(o);
	}
	pl_out_end(o);
	pl_out_list(o, "notes");
	for (const struct pl_diag *d = g->diags; d; d = d->next)
		pl_out_str(o, NULL, d->msg);
	pl_out_end(o);
	pl_out_end(o);
	return pl_out_close(o);
}

int pl_check_emit(const char *format, const struct pl_check_report *r, FILE *out)
{
	if (!strcmp(format, "json"))
		return tree(r, pl_out_json(out));
	if (!strcmp(format, "yaml"))
		return tree(r, pl_out_yaml(out));
	text(r, out);
	return ferror(out) ? PL_EACCES : PL_OK;
}

static const char *const formats[][2] = {
	{ "text", "findings for people: severity, code, device, sentence, fix" },
	{ "json", "JSON, schema in pcilink(1) (CHECK SCHEMA); for scripts" },
	{ "yaml", "YAML, the same tree as json, strings quoted" },
};

bool pl_check_format_ok(const char *format)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcmp(format, formats[i][0]))
			return true;
	return false;
}

void pl_check_formats(FILE *out)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		fprintf(out, "%s\t%s\n", formats[i][0], formats[i][1]);
}
