/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcilink gen-proxmox: hostpciN and args: lines for a Proxmox VE VM, or a VM config with them merged in. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "emit_proxmox.h"

enum { OPT_CONF = 0x400, OPT_MAPPING, OPT_NODE, OPT_XVGA };

struct gen_args {
	struct pl_common c;
	struct pl_plan_args pa;
	const char *conf, *mapping, *node;
	bool xvga;
};

static const struct argp_option options[] = {
	{ "conf", OPT_CONF, "FILE", 0, "merge into this VM config ('-': standard input), e.g. "
	  "/etc/pve/qemu-server/VMID.conf, and print the whole config", 0 },
	{ "mapping", OPT_MAPPING, "FILE", 0, "resolve hostpci mapping=NAME entries through this file "
	  "(/etc/pve/mapping/pci.cfg)", 0 },
	{ "node", OPT_NODE, "NAME", 0, "the node whose map lines apply (default: this host's name)", 0 },
	{ "x-vga", OPT_XVGA, NULL, 0, "x-vga=1 on the first VGA controller: the guest's primary GPU", 0 },
	{ 0 }
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct gen_args *g = state->input;

	switch (key) {
	case OPT_CONF:
	case OPT_MAPPING:
		if (!*arg)
			argp_error(state, "--%s needs a file name%s", key == OPT_CONF ? "conf" : "mapping",
				   key == OPT_CONF ? " or '-'" : "");
		*(key == OPT_CONF ? &g->conf : &g->mapping) = arg;
		break;
	case OPT_NODE:
		if (!*arg)
			argp_error(state, "--node needs a node name");
		g->node = arg;
		break;
	case OPT_XVGA:
		g->xvga = true;
		break;
	case ARGP_KEY_END:
		if (g->pa.set & (PL_SET_BUS | PL_SET_ADDR | PL_SET_CHASSIS))
			argp_error(state, "--bus, --first-addr and --first-chassis do not apply: qemu-server "
				   "places hostpciN on its own port ich9-pcie-port-N+1");
		if (g->pa.set & (PL_SET_NUMA | PL_SET_NUMA_MAP))
			argp_error(state, "--numa and --numa-map do not apply: qemu-server puts hostpciN on its own "
				   "root ports on pcie.0, with no expander buses; use gen-qemu-args or gen-libvirt-xml");
		if (g->mapping && !g->conf)
			argp_error(state, "--mapping resolves the entries of a --conf: give --conf too");
		pl_cli_stdin_once(state, (const char *[]){ "--dump", "--plan", "--conf", "--mapping" },
				  (const char *[]){ g->c.dump, g->pa.plan_file, g->conf, g->mapping }, 4);
		break;
	default:
		return pl_cli_parse_base(key, arg, state, &g->c, &g->pa);
	}
	return 0;
}

/* Refuse a VM the lines cannot serve before planning anything. */
static int check(const struct pl_ctx *ctx, const struct pl_pve_conf *conf)
{
	char err[400];

	if (!pl_pve_check_target(conf, err, sizeof(err)))
		return PL_EXIT_OK;
	pl_err(ctx, "%s", err);
	return PL_EXIT_FAIL;
}

/* Say why a device got one entry per function (it was not asked for). */
static void explain_split(const struct pl_ctx *ctx, const struct pl_plan *plan)
{
	for (size_t i = 0; i + 1 < plan->nports; i++) {
		const struct pl_bdf *a = &plan->ports[i].fns[0].dev->bdf, *b = &plan->ports[i + 1].fns[0].dev->bdf;
		enum pl_atomics_verdict v = plan->ports[i].atomics;
		char s[16];

		/* split by the plan for AtomicOps: the host gives them (SR-IOV VFs are split anyway) */
		if (plan->opts->split || v == PL_ATOMICS_NA || v == PL_ATOMICS_UNKNOWN || a->domain != b->domain ||
		    a->bus != b->bus || a->dev != b->dev ||
		    (i && !memcmp(&plan->ports[i - 1].fns[0].dev->bdf, a, offsetof(struct pl_bdf, fn))))
			continue;
		pl_bdf_fmt(a, s, sizeof(s));
		s[strlen(s) - 2] = 0;
		pl_note(ctx, "%s: the host path gives AtomicOps, so each function gets its own hostpci entry: "
			     "QEMU gives them only to a single function at 00.0 (a multifunction entry, the GUI's "
			     "\"All Functions\", loses them); --split-functions or a plan's split_functions: false "
			     "decides otherwise", s);
	}
}

int cmd_gen_proxmox(int argc, char **argv, struct pl_ctx *ctx)
{
	static const struct argp argp = {
		.options = options,
		.parser = parse,
		.args_doc = "[SLOT...]",
		.doc = "Print the lines that give a Proxmox VE VM the host's links: one 'hostpciN: "
		       "HOST,pcie=1' per guest slot and an 'args:' line whose -set options give each of "
		       "qemu-server's root ports (ich9-pcie-port-N+1) its x-speed/x-width. A device whose "
		       "host path gives AtomicOps gets one entry per function, so function 0 keeps them. "
		       "With --conf, merge into a VM config and print all of it: entries naming the same "
		       "host functions are updated, new ones take free indices (never leaving a guest slot "
		       "without function 0), and every other byte stays. The target QEMU is /usr/bin/kvm "
		       "when present."
		       "\vExamples:\n  pcilink gen-proxmox 01:00\n"
		       "  pcilink gen-proxmox --conf /etc/pve/qemu-server/100.conf 01:00 > 100.conf.new\n"
		       "  pcilink gen-proxmox --qemu-version 9.2 --conf 100.conf --mapping /etc/pve/mapping/pci.cfg 01:00",
		.children = pl_gen_children,
	};
	struct gen_args g = { .c = { .format = "proxmox" } };
	struct pl_pve_opts po = { 0 };
	struct pl_pve_conf conf = { 0 };
	struct pl_system *sys = NULL;
	struct pl_dev **sel = NULL;
	struct pl_plan plan = { 0 };
	char *cbuf = NULL, *mbuf = NULL;
	size_t n;
	int rc;

	if (pl_cli_parse(&argp, argc, argv, 0, &g, ctx->verb))
		return PL_EXIT_USAGE;
	g.pa.default_qemu = PL_PVE_QEMU;
	g.pa.o.split_atomics = true;
	if (g.conf && ((rc = pl_cli_pve_load(ctx, g.conf, g.mapping, g.node, &conf, &cbuf, &mbuf)) ||
		       (rc = check(ctx, &conf))))
		goto out;
	rc = pl_cli_plan(ctx, &g.c, &g.pa, &sys, &sel, &n, &plan);
	if (rc)
		goto out;
	if (g.pa.o.numa) {
		pl_err(ctx, "%s: numa: qemu-server puts hostpciN on its own root ports on pcie.0, with no "
			    "expander buses; use gen-qemu-args or gen-libvirt-xml", g.pa.plan_file);
		rc = PL_EXIT_USAGE;
		goto out;
	}
	explain_split(ctx, &plan);
	po.conf = g.conf ? &conf : NULL;
	po.xvga = g.xvga;
	if (pl_pve_emit(&plan, &po, stdout)) {
		pl_err(ctx, "%s", po.err[0] ? po.err : "cannot write the output");
		rc = PL_EXIT_FAIL;
	}
	for (const struct pl_diag *w = po.warnings; w; w = w->next)
		pl_warn(ctx, "%s", w->msg);
out:
	pl_diag_free(po.warnings);
	pl_pve_free(&conf);
	free(cbuf);
	free(mbuf);
	pl_plan_free(&plan);
	free(sel);
	free(g.c.sels);
	pl_plan_args_free(&g.pa);
	pl_cli_free(sys);
	return rc;
}
