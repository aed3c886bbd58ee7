/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A running QEMU through QMP into the guest model: what QEMU realized, device_add'ed devices
 * included. The machine type from the QOM root, every named device under /machine/peripheral
 * (and assigned functions under peripheral-anon) with qom-get of its bus, devfn and, on ports,
 * x-speed/x-width/chassis/port/hotplug. The transport is the caller's (pl_qmp_io), so the
 * reply parsing here is pure and fuzzed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gjson.h"
#include "guest.h"

struct q {
	struct pl_guest *g;
	const struct pl_qmp_io *io;
	char *err;
	size_t errlen;
	int calls;
};

#define MAX_CALLS 4096  /* a VM has at most a few hundred devices: a runaway reply stops here */

/* Run a command; the "return" value as a loaded document, or NULL (error reply, bad JSON). */
static yaml_node_t *call(struct q *q, yaml_document_t *doc, const char *req, int *rc)
{
	char *reply = NULL, e[200];
	yaml_node_t *ret;

	*rc = PL_OK;
	if (++q->calls > MAX_CALLS) {
		snprintf(q->err, q->errlen, "more than %d QMP commands: stopped", MAX_CALLS);
		*rc = PL_EINVAL;
		return NULL;
	}
	*rc = q->io->exec(q->io->ctx, req, &reply, q->err, q->errlen);
	if (*rc)
		return NULL;
	if (pl_json_load(doc, reply, strlen(reply), e, sizeof(e))) {
		snprintf(q->err, q->errlen, "QMP reply: %s", e);
		free(reply);
		*rc = PL_EINVAL;
		return NULL;
	}
	free(reply);
	ret = pl_json_get(doc, pl_json_root(doc), "return");
	if (!ret)
		yaml_document_delete(doc);
	return ret;
}

static int qom_list(struct q *q, yaml_document_t *doc, const char *path, yaml_node_t **ret)
{
	char req[400];
	int rc;

	snprintf(req, sizeof(req), "{\"execute\":\"qom-list\",\"arguments\":{\"path\":\"%s\"}}", path);
	*ret = call(q, doc, req, &rc);
	return rc;
}

/* qom-get of one property as text into buf ("" when absent or an error). */
static int qom_get(struct q *q, const char *path, const char *prop, char *buf, size_t len)
{
	yaml_document_t doc;
	yaml_node_t *ret;
	char req[400];
	int rc;

	buf[0] = 0;
	snprintf(req, sizeof(req), "{\"execute\":\"qom-get\",\"arguments\":{\"path\":\"%s\",\"property\":\"%s\"}}",
		 path, prop);
	ret = call(q, &doc, req, &rc);
	if (ret) {
		snprintf(buf, len, "%s", pl_json_str(ret) ? pl_json_str(ret) : "");
		yaml_document_delete(&doc);
	}
	return rc;
}

/* "child<pcie-root-port>" -> "pcie-root-port" */
static bool child_type(const char *t, char *buf, size_t len)
{
	size_t n;

	if (!t || strncmp(t, "child<", 6) || (n = strlen(t)) < 8 || t[n - 1] != '>')
		return false;
	snprintf(buf, len, "%.*s", (int)(n - 7), t + 6);
	return true;
}

/* QOM names are ids; keep them inside JSON strings and QOM paths */
static bool safe_name(const char *s)
{
	return *s && strlen(s) < 64 && !strpbrk(s, "\"\\/") && !strchr(s, '\n');
}

static const char *const port_props[] = { "x-speed", "x-width", "chassis", "port", "hotplug", "host" };

static int device(struct q *q, const char *base, const char *name, const char *type, bool anon)
{
	char path[200], v[200];
	struct pl_gdev *d;
	int rc;
	long devfn;

	snprintf(path, sizeof(path), "%s/%s", base, name);
	if ((rc = qom_get(q, path, "addr", v, sizeof(v))))
		return rc;
	if (!v[0])
		return PL_OK;   /* not a PCI device */
	devfn = strtol(v, NULL, 10);
	if (anon && pl_gkind_of(type) != PL_GK_VFIO)
		return PL_OK;   /* an anonymous port's bus has no name to follow */
	d = pl_guest_add(q->g, type);
	if (!d)
		return PL_ENOMEM;
	if (!anon)
		snprintf(d->id, sizeof(d->id), "%s", name);
	snprintf(d->origin, sizeof(d->origin), "%.50s", path + strlen("/machine/"));
	if (devfn >= 0 && devfn < 256) {
		d->slot = (int)(devfn >> 3);
		d->fn = (int)(devfn & 7);
	}
	if ((rc = qom_get(q, path, "parent_bus", v, sizeof(v))))
		return rc;
	/* ".../pcie.0" or "/machine/peripheral/rp1/rp1": the bus is named by its last part */
	snprintf(d->bus, sizeof(d->bus), "%.63s", strrchr(v, '/') ? strrchr(v, '/') + 1 : v);
	if ((rc = qom_get(q, path, "multifunction", v, sizeof(v))))
		return rc;
	d->multifunction = !strcmp(v, "true");
	if (d->kind == PL_GK_OTHER || d->kind == PL_GK_EXPANDER)
		return PL_OK;
	for (size_t i = 0; i < sizeof(port_props) / sizeof(port_props[0]); i++) {
		if ((rc = qom_get(q, path, port_props[i], v, sizeof(v))))
			return rc;
		if (v[0])
			pl_gdev_set(d, port_props[i], !strcmp(v, "true") ? "on" : !strcmp(v, "false") ? "off" : v,
				    PL_GSRC_REALIZED);
	}
	return PL_OK;
}

static int devices(struct q *q, const char *base, bool anon)
{
	yaml_document_t doc;
	yaml_node_t *ret, *it;
	int rc = qom_list(q, &doc, base, &ret);

	if (rc || !ret)
		return rc;
	for (size_t i = 0; (it = pl_json_item(&doc, ret, i)) && !rc; i++) {
		const char *name = pl_json_str(pl_json_get(&doc, it, "name"));
		char type[64];

		if (name && safe_name(name) && child_type(pl_json_str(pl_json_get(&doc, it, "type")), type, sizeof(type)))
			rc = device(q, base, name, type, anon);
	}
	yaml_document_delete(&doc);
	return rc;
}

/* The greeting's version; the machine type from "/"'s child<pc-q35-7.2-machine>. */
static int machine(struct q *q)
{
	yaml_document_t doc;
	yaml_node_t *ret, *it;
	int rc = qom_list(q, &doc, "/", &ret);

	if (rc || !ret)
		return rc;
	for (size_t i = 0; (it = pl_json_item(&doc, ret, i)); i++) {
		const char *name = pl_json_str(pl_json_get(&doc, it, "name"));
		char type[64];
		size_t n;

		if (name && !strcmp(name, "machine") &&
		    child_type(pl_json_str(pl_json_get(&doc, it, "type")), type, sizeof(type)) &&
		    (n = strlen(type)) > 8 && !strcmp(type + n - 8, "-machine")) {
			type[n - 8] = 0;
			pl_guest_set_machine(q->g, type);
		}
	}
	yaml_document_delete(&doc);
	return PL_OK;
}

int pl_qmp_version(const char *greeting, int *major, int *minor, int *micro)
{
	yaml_document_t doc;
	yaml_node_t *v;
	char e[100];
	const char *s[3];

	if (pl_json_load(&doc, greeting, strlen(greeting), e, sizeof(e)))
		return PL_EINVAL;
	v = pl_json_get(&doc, pl_json_get(&doc, pl_json_get(&doc, pl_json_root(&doc), "QMP"), "version"), "qemu");
	s[0] = pl_json_str(pl_json_get(&doc, v, "major"));
	s[1] = pl_json_str(pl_json_get(&doc, v, "minor"));
	s[2] = pl_json_str(pl_json_get(&doc, v, "micro"));
	if (!s[0] || !s[1] || !s[2]) {
		yaml_document_delete(&doc);
		return PL_EINVAL;
	}
	*major = atoi(s[0]);
	*minor = atoi(s[1]);
	*micro = atoi(s[2]);
	yaml_document_delete(&doc);
	return *major > 0 && *major < 100 && *minor >= 0 && *micro >= 0 ? PL_OK : PL_EINVAL;
}

int pl_guest_from_qmp(struct pl_guest *g, const struct pl_qmp_io *io, char *err, size_t errlen)
{
	struct q q = { .g = g, .io = io, .err = err, .errlen = errlen };
	int rc;

	g->src = PL_GUEST_QMP;
	rc = machine(&q);
	if (!rc)
		rc = devices(&q, "/machine/peripheral", false);
	if (!rc)
		rc = devices(&q, "/machine/peripheral-anon", true);
	if (!rc)
		pl_guest_resolve(g);
	return rc;
}
