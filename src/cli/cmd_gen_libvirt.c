/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcilink gen-libvirt-xml: root ports that match the host, as libvirt domain XML. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "cli.h"
#include "emit.h"
#include "libvirt.h"

#define MAX_DOMAIN (64u << 20)  /* a domain XML is a few kB; refuse runaway input */

enum { OPT_DOMAIN = 0x300, OPT_LIBVIRT_VERSION, OPT_FIRST_INDEX };

struct gen_args {
	struct pl_common c;
	struct pl_plan_args pa;         /* pa.libvirt_ver: --libvirt-version or the plan file's */
	const char *domain;
	int first_index;                /* -1: not given */
};

/* "X.Y" of libvirt 3.9 or newer (user aliases are what the override and the merge hang on). */
static const char *libvirt_version(const char *s, int *major, int *minor)
{
	int micro;

	if (pl_parse_version(s, major, minor, &micro))
		return "give X.Y, e.g. 9.0";
	if (*major < 3 || (*major == 3 && *minor < 9))
		return "pcilink needs libvirt 3.9 or newer (user aliases)";
	return NULL;
}

static const struct argp_option options[] = {
	{ "format", 'o', "FORMAT", 0, "xml (default), json, yaml; 'help' lists them", 0 },
	{ "domain", OPT_DOMAIN, "FILE", 0, "merge into this domain XML ('-': standard input) and print "
	  "the whole domain", 0 },
	{ "libvirt-version", OPT_LIBVIRT_VERSION, "X.Y", 0, "the target libvirt (default: 8.2 or newer); "
	  "before 8.2 a -global for every root port, only when all ports have one link", 0 },
	{ "first-index", OPT_FIRST_INDEX, "N", 0, "first controller index (default 16; with --domain: "
	  "above the domain's highest)", 0 },
	{ 0 }
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct gen_args *g = state->input;
	char ex[PL_EXCERPT_SIZE];
	const char *why;
	int a, b;

	switch (key) {
	case OPT_DOMAIN:
		if (!*arg)
			argp_error(state, "--domain needs a file name or '-'");
		g->domain = arg;
		break;
	case OPT_LIBVIRT_VERSION:
		why = libvirt_version(arg, &a, &b);
		if (why)
			argp_error(state, "--libvirt-version '%s': %s", arg, why);
		g->pa.libvirt_ver = arg;
		g->pa.set |= PL_SET_LIBVIRT;
		break;
	case OPT_FIRST_INDEX:
		if (pl_cli_parse_dec(arg, 1, 255, &g->first_index))
			argp_error(state, "--first-index '%s': give 1 to 255 (decimal)", pl_excerpt(ex, sizeof(ex), arg));
		break;
	case ARGP_KEY_END:
		pl_cli_stdin_once(state, (const char *[]){ "--dump", "--plan", "--domain" },
				  (const char *[]){ g->c.dump, g->pa.plan_file, g->domain }, 3);
		if (g->domain && strcmp(g->c.format, "xml") && strcmp(g->c.format, "help"))
			argp_error(state, "--domain prints the merged domain: it goes with --format xml only");
		break;
	default:
		return pl_cli_parse_base(key, arg, state, &g->c, &g->pa);
	}
	return 0;
}

int cmd_gen_libvirt(int argc, char **argv, struct pl_ctx *ctx)
{
	static const struct argp argp = {
		.options = options,
		.parser = parse,
		.args_doc = "[SLOT...]",
		.doc = "Print libvirt domain XML for the selected host devices: per guest slot a "
		       "pcie-root-port controller with a user alias, the <hostdev> functions on it, and a "
		       "<qemu:override> that sets the port's x-speed/x-width to the host link (libvirt has "
		       "no setting of its own). With --domain, merge all that into a domain XML and print "
		       "the whole domain: free indices, chassis, ports, slots and aliases are chosen, a "
		       "second run changes nothing, and the rest of the domain stays as it was."
		       "\vExamples:\n  pcilink gen-libvirt-xml 01:00\n"
		       "  virsh dumpxml vm |\n"
		       "    pcilink gen-libvirt-xml --domain - 01:00 | virsh define /dev/stdin\n"
		       "  pcilink gen-libvirt-xml --libvirt-version 8.0 --speed 16 --width 16 02:00",
		.children = pl_gen_children,
	};
	struct gen_args g = { .c = { .format = "xml" }, .first_index = -1 };
	struct pl_lv lv = { .first_index = PL_LV_FIRST_INDEX };
	const struct pl_emitter *em;
	struct pl_system *sys = NULL;
	struct pl_dev **sel = NULL;
	struct pl_plan plan = { 0 };
	char *buf = NULL;
	size_t n, len;
	int rc;

	lv.warn_tail = &lv.warnings;
	if (pl_cli_parse(&argp, argc, argv, 0, &g, ctx->verb))
		return PL_EXIT_USAGE;
	rc = pl_cli_format(ctx, g.c.format, PL_EMIT_LIBVIRT, &em);
	if (rc || !em)
		goto out;
	if (strcmp(g.pa.o.bus, "pcie.0")) {
		pl_err(ctx, "--bus %s: libvirt's root ports plug into pcie-root (bus 0x00); --bus is for "
			    "gen-qemu-args", g.pa.o.bus);
		rc = PL_EXIT_USAGE;
		goto out;
	}
	if (g.domain) {
		rc = pl_cli_slurp(ctx, g.domain, MAX_DOMAIN, "a domain XML", &buf, &len);
		if (rc)
			goto out;
		if (pl_lv_read_domain(&lv, buf, len, strcmp(g.domain, "-") ? g.domain : "stdin")) {
			pl_err(ctx, "%s", lv.err);
			rc = PL_EXIT_FAIL;
			goto out;
		}
		/* plan for the QEMU this domain runs (if trusted), unless told otherwise */
		g.pa.named_qemu = pl_lv_emulator(&lv);
		snprintf(g.pa.named_by, sizeof(g.pa.named_by), "%.80s: <emulator>",
			 strcmp(g.domain, "-") ? g.domain : "stdin");
		lv.first_index = g.first_index;
		lv.addr_given = g.pa.set & PL_SET_ADDR;
	} else if (g.first_index >= 0) {
		lv.first_index = g.first_index;
	}
	rc = pl_cli_plan(ctx, &g.c, &g.pa, &sys, &sel, &n, &plan);
	if (rc)
		goto out;
	if (g.pa.libvirt_ver) {
		/* checked at parse time when it came from the command line; this is the plan file's */
		const char *why = libvirt_version(g.pa.libvirt_ver, &lv.major, &lv.minor);

		if (why) {
			pl_err(ctx, "%s: libvirt_version '%s': %s", g.pa.plan_file ? g.pa.plan_file : "plan",
			       g.pa.libvirt_ver, why);
			rc = PL_EXIT_FAIL;
			goto out;
		}
	}
	if (em == &pl_emit_libvirt_xml) {
		if (pl_lv_prepare(&plan, &lv) || (lv.dom && pl_lv_merge(&plan, &lv))) {
			pl_err(ctx, "%s", lv.err[0] ? lv.err : "out of memory");
			rc = PL_EXIT_FAIL;
			goto out;
		}
		for (const struct pl_diag *w = lv.warnings; w; w = w->next)
			pl_warn(ctx, "%s", w->msg);
	}
	struct pl_emit_in in = { .sys = sys, .devs = sel, .ndev = n, .plan = &plan, .numeric = g.c.numeric,
				 .kind = PL_EMIT_LIBVIRT, .opts = &lv };

	if (em->emit(&in, stdout))
		rc = PL_EXIT_FAIL;
out:
	pl_lv_free(&lv);
	free(buf);
	pl_plan_free(&plan);
	free(sel);
	free(g.c.sels);
	free(g.c.numa);
	pl_plan_args_free(&g.pa);
	pl_cli_free(sys);
	return rc;
}
