/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcilink probe: the host model and link analysis of the selected functions. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "cli.h"
#include "emit.h"

static const struct argp_option options[] = {
	{ "format", 'o', "FORMAT", 0, "output format: text (default), json, yaml; 'help' lists them", 0 },
	{ 0 }
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	return pl_cli_parse_base(key, arg, state, state->input, NULL);
}

int cmd_probe(int argc, char **argv, struct pl_ctx *ctx)
{
	static const struct argp_child children[] = { { &pl_common_argp, 0, NULL, 0 }, { 0 } };
	static const struct argp argp = {
		.options = options,
		.parser = parse,
		.args_doc = "[SLOT...]",
		.doc = "Show each selected function's PCI Express link (LnkCap, LnkSta, LnkCap2), the "
		       "path to its root port with the limiting link and bandwidth, the AtomicOps the "
		       "host kernel would give vfio, and the virtual root-port link to configure."
		       "\vSLOT is lspci -s syntax: 0000:01:00.0, 01:00.0, or 01:00 for all functions. "
		       "Examples:\n  pcilink probe 01:00.0\n  pcilink probe --all --format json\n"
		       "  pcilink probe --dump host.lspci -s 01:00",
		.children = children,
	};
	struct pl_common c = { .format = "text" };
	const struct pl_emitter *em;
	struct pl_system *sys = NULL;
	struct pl_dev **sel = NULL;
	size_t n;
	int rc;

	if (pl_cli_parse(&argp, argc, argv, 0, &c, ctx->verb))
		return PL_EXIT_USAGE;
	rc = pl_cli_format(ctx, c.format, PL_EMIT_REPORT, &em);
	if (rc || !em) {
		free(c.sels);
		free(c.numa);
		return rc;
	}
	rc = pl_cli_load(ctx, &c, &sys, &sel, &n);
	if (rc == PL_EXIT_OK) {
		struct pl_emit_in in = {
			.sys = sys, .devs = sel, .ndev = n, .numeric = c.numeric,
			.color = !strcmp(em->name, "text") && isatty(STDOUT_FILENO) && !getenv("NO_COLOR"),
		};

		if (em->emit(&in, stdout))
			rc = PL_EXIT_FAIL;
	}
	free(sel);
	free(c.sels);
	free(c.numa);
	pl_cli_free(sys);
	return rc;
}
