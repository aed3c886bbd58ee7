/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcilink gen-qemu-args: root ports that match the host, vfio-pci devices on them. */
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "cli.h"
#include "emit.h"

struct gen_args {
	struct pl_common c;
	struct pl_plan_args pa;
};

static const struct argp_option options[] = {
	{ "format", 'o', "FORMAT", 0, "shell (default), args, null, readconfig, json, yaml; 'help' lists them", 0 },
	{ "null", '0', NULL, 0, "NUL-terminated arguments for xargs -0 (--format null)", 0 },
	{ 0 }
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct gen_args *g = state->input;

	switch (key) {
	case '0':
		g->c.format = "null";
		break;
	case ARGP_KEY_END:
		pl_cli_stdin_once(state, (const char *[]){ "--dump", "--plan" },
				  (const char *[]){ g->c.dump, g->pa.plan_file }, 2);
		break;
	default:
		return pl_cli_parse_base(key, arg, state, &g->c, &g->pa);
	}
	return 0;
}

int cmd_gen_qemu(int argc, char **argv, struct pl_ctx *ctx)
{
	static const struct argp argp = {
		.options = options,
		.parser = parse,
		.args_doc = "[SLOT...]",
		.doc = "Print QEMU arguments for the selected host devices: per guest slot a pcie-root-port "
		       "whose x-speed/x-width match the host link, then the vfio-pci devices on it. Functions "
		       "of one host device share one guest slot (function 0 multifunction=on) unless "
		       "--split-functions."
		       "\vExamples:\n  pcilink gen-qemu-args 01:00\n"
		       "  pcilink gen-qemu-args --qemu-version 7.2 --split-functions 03:00\n"
		       "  qemu-system-x86_64 ... $(pcilink gen-qemu-args -o args 01:00 | tr '\\n' ' ')",
		.children = pl_gen_children,
	};
	struct gen_args g = { .c = { .format = "shell" } };
	const struct pl_emitter *em;
	struct pl_system *sys = NULL;
	struct pl_dev **sel = NULL;
	struct pl_plan plan = { 0 };
	size_t n;
	int rc, last;

	if (pl_cli_parse(&argp, argc, argv, 0, &g, ctx->verb))
		return PL_EXIT_USAGE;
	rc = pl_cli_format(ctx, g.c.format, PL_EMIT_QEMU, &em);
	if (rc || !em)
		goto out;
	rc = pl_cli_plan(ctx, &g.c, &g.pa, &sys, &sel, &n, &plan);
	last = rc == PL_EXIT_OK ? pl_numa_last_guest(&plan) : -1;
	if (last >= 0) {
		/* pcilink cannot see the rest of the command line: QEMU refuses a node it lacks */
		pl_warn(ctx, "the guest must define NUMA node%s 0%s%.0d (QEMU numbers them from 0), e.g. "
			     "-object memory-backend-ram,id=mem0,size=SIZE -numa node,nodeid=0,memdev=mem0%s "
			     "(sizes adding up to -m)", last ? "s" : "", last ? " to " : "", last,
			last ? " and so on" : "");
	}
	if (rc == PL_EXIT_OK) {
		struct pl_emit_in in = { .sys = sys, .devs = sel, .ndev = n, .plan = &plan,
					 .numeric = g.c.numeric, .kind = PL_EMIT_QEMU };

		if (em->emit(&in, stdout))
			rc = PL_EXIT_FAIL;
	}
out:
	pl_plan_free(&plan);
	free(sel);
	free(g.c.sels);
	free(g.c.numa);
	pl_plan_args_free(&g.pa);
	pl_cli_free(sys);
	return rc;
}
