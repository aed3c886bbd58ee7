/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proxmox VE inputs for gen-proxmox and check --proxmox: a VM config, its mappings, the lines a fix writes. */
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cli.h"
#include "emit_proxmox.h"

/* Proxmox names a node by the short host name (PVE::INotify::nodename). */
static void this_node(char *buf, size_t len)
{
	struct utsname u;

	snprintf(buf, len, "%s", uname(&u) ? "localhost" : u.nodename);
	buf[strcspn(buf, ".")] = 0;
}

int pl_cli_pve_load(const struct pl_ctx *ctx, const char *path, const char *mapping, const char *node,
		    struct pl_pve_conf *conf, char **cbuf, char **mbuf)
{
	char err[400], here[256];
	size_t len, mlen;
	int rc;

	rc = pl_cli_slurp(ctx, path, PL_PVE_MAX_CONF, "a VM config", cbuf, &len);
	if (rc)
		return rc;
	if (pl_pve_parse(*cbuf, len, strcmp(path, "-") ? path : "stdin", conf, err, sizeof(err))) {
		pl_err(ctx, "%s", err);
		return PL_EXIT_FAIL;
	}
	if (conf->pending_hostpci)
		pl_warn(ctx, "%s has a pending change to %s: qemu-server applies it at the next start "
			     "('qm config VMID --current' shows the live values)", conf->name, conf->pending_key);
	if (!mapping)
		return PL_EXIT_OK;
	rc = pl_cli_slurp(ctx, mapping, PL_PVE_MAX_CONF, "a mapping file", mbuf, &mlen);
	if (rc)
		return rc;
	if (node)
		snprintf(here, sizeof(here), "%s", node);
	else
		this_node(here, sizeof(here));
	if (pl_pve_resolve_mappings(conf, *mbuf, mlen, strcmp(mapping, "-") ? mapping : "stdin", here, err,
				    sizeof(err))) {
		pl_err(ctx, "%s", err);
		return PL_EXIT_FAIL;
	}
	return PL_EXIT_OK;
}

/* From merged config text: the line of entry k, then the -set words for its port (the rest of
 * args: stays as it is). */
static void entry_lines(const char *text, int k, FILE *f, bool *first)
{
	char key[24], port[40];
	const char *l = text, *args = NULL;
	bool any = false;

	snprintf(key, sizeof(key), "hostpci%d: ", k);
	snprintf(port, sizeof(port), "-set device.ich9-pcie-port-%d.", k + 1);
	for (; *l && *l != '['; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] ? 1 : 0)) {
		if (!strncmp(l, key, strlen(key))) {
			fprintf(f, "%s%.*s", *first ? "" : "; ", (int)strcspn(l, "\n"), l);
			*first = false;
		} else if (!strncmp(l, "args: ", 6)) {
			args = l;
		}
	}
	for (const char *p = args; p && (p = strstr(p, port)) && p < args + strcspn(args, "\n"); p += strlen(port)) {
		fprintf(f, "%s%.*s", any ? " " : *first ? "args: ... " : "; args: ... ",
			(int)(strcspn(p + 5, " \t\n") + 5), p);
		any = true;
		*first = false;
	}
}

int pl_cli_pve_fix_lines(const struct pl_pve_conf *conf, const struct pl_plan_opts *o, struct pl_system *sys,
			 const struct pl_bdf *dev, char *buf, size_t len)
{
	struct pl_dev *devs[8];
	struct pl_plan plan = { 0 };
	struct pl_pve_opts po = { .conf = conf };
	char err[400], *out = NULL, *lines = NULL;
	size_t n = 0, olen = 0, llen = 0;
	bool first = true;
	FILE *f, *g;
	int rc;

	/* the device's functions, as 'gen-proxmox BB:DD' selects them */
	for (size_t i = 0; i < sys->ndev && n < 8; i++) {
		struct pl_dev *d = sys->devs[i];

		if (d->bdf.domain == dev->domain && d->bdf.bus == dev->bus && d->bdf.dev == dev->dev)
			devs[n++] = d;
	}
	if (!n || pl_plan_build(o, devs, n, &plan, err, sizeof(err)))
		return PL_EINVAL;
	f = open_memstream(&out, &olen);
	rc = f ? pl_pve_emit(&plan, &po, f) : PL_ENOMEM;
	if (f)
		fclose(f);
	if (rc) {
		snprintf(buf, len, "%s", po.err[0] ? po.err : "out of memory");
	} else if ((g = open_memstream(&lines, &llen))) {
		for (size_t i = 0; i < plan.nports; i++)
			entry_lines(out, po.index[i], g, &first);
		/* entries merged into another or moved */
		for (int k = 0; k < PL_PVE_MAX_HOSTPCI; k++) {
			char key[24];

			snprintf(key, sizeof(key), "\nhostpci%d: ", k);
			if (conf->hostpci[k].present && !strstr(out, key) && strncmp(out, key + 1, strlen(key + 1)))
				fprintf(g, "; hostpci%d goes", k);
		}
		fclose(g);
		snprintf(buf, len, "%s", lines);
	}
	pl_diag_free(po.warnings);
	pl_plan_free(&plan);
	free(out);
	free(lines);
	return rc;
}
