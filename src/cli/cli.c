/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared command plumbing: the input-source option group, selection, errors, stdout check. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "analysis.h"
#include "cli.h"
#include "emit.h"
#include "topology.h"

enum { OPT_SYSFS = 0x100, OPT_DUMP, OPT_NUMA_NODE };

#define PL_MAX_NUMA_NODE 1023   /* Linux's MAX_NUMNODES is at most 1 << 10 */

static const struct argp_option common_options[] = {
	{ NULL, 0, NULL, 0, "Input source:", 1 },
	{ "dump", 'F', "FILE", 0, "read an 'lspci -xxx' or '-xxxx' dump ('-' for stdin)", 1 },
	{ "sysfs", OPT_SYSFS, "DIR", 0, "read a sysfs tree rooted at DIR (DIR/bus/pci) instead of /sys", 1 },
	{ "ids", 'i', "FILE", 0, "use FILE as the pci.ids name list", 1 },
	{ "numa-node", OPT_NUMA_NODE, "SLOT=N", 0, "SLOT's host NUMA node (a dump has none; beats sysfs); "
	  "repeatable", 1 },
	{ NULL, 0, NULL, 0, "Device selection (lspci syntax; default: devices bound to vfio-pci):", 2 },
	{ "slot", 's', "[[[[DOM]:]BUS]:][DEV][.[FN]]", 0, "select by slot, like lspci -s", 2 },
	{ "id", 'd', "[VEN]:[DEV][:CLASS]", 0, "select by IDs, like lspci -d", 2 },
	{ "all", 'a', NULL, 0, "every function", 2 },
	{ "numeric", 'n', NULL, 0, "show numeric IDs only, no names", 2 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "give this help list", -1 },
	{ 0 }
};

static error_t common_parse(int key, char *arg, struct argp_state *state)
{
	struct pl_common *c = state->input;

	switch (key) {
	case 'F':
		c->dump = arg;
		break;
	case OPT_SYSFS:
		c->sysfs = arg;
		break;
	case 'i':
		c->ids = arg;
		break;
	case 's':
	case 'd':
		if (!*arg)
			argp_error(state, "-%c '': an empty selector selects nothing; give %s, or --all", key,
				   key == 's' ? "a slot such as 01:00" : "IDs such as 10de:");
		*(key == 's' ? &c->slot_filter : &c->id_filter) = arg;
		break;
	case 'h':
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP);
		break;
	case 'a':
		c->all = true;
		break;
	case 'n':
		c->numeric = true;
		break;
	case OPT_NUMA_NODE:
		pl_common_numa_arg(state, c, arg);
		break;
	case ARGP_KEY_END:
		if (c->dump && c->sysfs)
			argp_error(state, "--dump and --sysfs are alternatives; give one");
		if ((c->slot_filter || c->id_filter) && pl_common_add_sel(c, c->slot_filter, c->id_filter, NULL))
			argp_failure(state, PL_EXIT_FAIL, ENOMEM, "out of memory");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

void pl_common_numa_arg(struct argp_state *state, struct pl_common *c, char *arg)
{
	char *eq = strrchr(arg, '=');
	int v;

	if (!eq || eq == arg || pl_cli_parse_dec(eq + 1, 0, PL_MAX_NUMA_NODE, &v)) {
		char ex[PL_EXCERPT_SIZE];

		argp_error(state, "--numa-node '%s': give SLOT=N, N a node from 0 to %d",
			   pl_excerpt(ex, sizeof(ex), arg), PL_MAX_NUMA_NODE);
		return;
	}
	*eq = 0;
	if (pl_common_add_numa(c, arg, NULL, v, false, NULL))
		argp_failure(state, PL_EXIT_FAIL, ENOMEM, "out of memory");
}

const struct argp pl_common_argp = { .options = common_options, .parser = common_parse };

error_t pl_cli_parse_base(int key, char *arg, struct argp_state *state, struct pl_common *c, struct pl_plan_args *pa)
{
	switch (key) {
	case 'o':
		c->format = arg;
		break;
	case ARGP_KEY_INIT:
		state->child_inputs[0] = c;
		if (pa)
			state->child_inputs[1] = pa;
		break;
	case ARGP_KEY_ARG:
		pl_common_add_slot(state, c, arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int pl_common_add_sel(struct pl_common *c, const char *slot, const char *id, const char *where)
{
	char ex[PL_EXCERPT_SIZE], ex2[PL_EXCERPT_SIZE];
	struct pl_sel *n = c->sels;

	/* doubling at each power of two: one at a time, 100,000 plan-file devices were quadratic */
	if (!(c->nsels & (c->nsels - 1)) &&
	    !(n = realloc(c->sels, (c->nsels ? 2 * (size_t)c->nsels : 1) * sizeof(*n))))
		return ENOMEM;
	c->sels = n;
	n = &c->sels[c->nsels++];
	n->slot = slot;
	n->id = id;
	if (where)
		snprintf(n->where, sizeof(n->where), "%s", where);
	else if (slot && id)
		snprintf(n->where, sizeof(n->where), "-s %s -d %s", pl_excerpt(ex, sizeof(ex), slot),
			 pl_excerpt(ex2, sizeof(ex2), id));
	else
		snprintf(n->where, sizeof(n->where), "'%s'", pl_excerpt(ex, sizeof(ex), slot ? slot : id));
	return 0;
}

int pl_common_add_numa(struct pl_common *c, const char *slot, const char *id, int node, bool from_plan,
		       const char *where)
{
	struct pl_numa_set *n = c->numa;

	if (!(c->nnuma & (c->nnuma - 1)) &&
	    !(n = realloc(c->numa, (c->nnuma ? 2 * (size_t)c->nnuma : 1) * sizeof(*n))))
		return ENOMEM;
	c->numa = n;
	n = &c->numa[c->nnuma++];
	*n = (struct pl_numa_set){ .slot = slot, .id = id, .node = node, .from_plan = from_plan };
	if (where) {
		snprintf(n->where, sizeof(n->where), "%s", where);
	} else {
		char ex[PL_EXCERPT_SIZE];

		snprintf(n->where, sizeof(n->where), "--numa-node %s=%d", pl_excerpt(ex, sizeof(ex), slot), node);
	}
	return 0;
}

/* Plan-file nodes first, then the command line's: the last one set wins. */
static int apply_numa(const struct pl_ctx *ctx, const struct pl_common *c, struct pl_system *sys)
{
	char err[128];

	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < c->nnuma; i++) {
			const struct pl_numa_set *e = &c->numa[i];
			int hits = 0;

			if (e->from_plan != !pass)
				continue;
			for (size_t j = 0; j < sys->ndev; j++) {
				int m = pl_access_matches(sys, sys->devs[j], e->slot, e->id, err, sizeof(err));

				if (m < 0) {
					pl_err(ctx, "%s: bad slot: %s (syntax: [[[[DOM]:]BUS]:][DEV][.[FN]])", e->where, err);
					return PL_EXIT_USAGE;
				}
				if (m > 0) {
					sys->devs[j]->numa_node = e->node;
					hits++;
				}
			}
			if (!hits) {
				pl_err(ctx, "%s: no device matches; 'pcilink probe --all' lists them", e->where);
				return PL_EXIT_FAIL;
			}
		}
	return PL_EXIT_OK;
}

int pl_cli_parse_dec(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

void pl_common_add_slot(struct argp_state *state, struct pl_common *c, char *arg)
{
	if (!*arg)
		argp_error(state, "'': an empty slot selects nothing; give a slot such as 01:00, or --all");
	if (pl_common_add_sel(c, arg, NULL, NULL))
		argp_failure(state, PL_EXIT_FAIL, ENOMEM, "out of memory");
}

static int select_devs(const struct pl_ctx *ctx, const struct pl_common *c, struct pl_system *sys)
{
	char err[128];
	int n;

	for (int i = 0; i < c->nsels; i++) {
		const struct pl_sel *s = &c->sels[i];

		n = pl_access_select(sys, s->slot, s->id, err, sizeof(err));
		if (n < 0) {
			pl_err(ctx, "bad selector %s: %s (syntax: -s [[[[DOM]:]BUS]:][DEV][.[FN]], "
				    "-d [VEN]:[DEV][:CLASS])", s->where, err);
			return PL_EXIT_USAGE;
		}
		if (!n) {
			pl_err(ctx, "no device matches %s; 'pcilink probe --all' lists them", s->where);
			return PL_EXIT_FAIL;
		}
	}
	if (c->nsels)
		return PL_EXIT_OK;
	n = 0;
	for (size_t i = 0; i < sys->ndev; i++) {
		struct pl_dev *d = sys->devs[i];

		if (c->all || (d->driver && !strcmp(d->driver, "vfio-pci"))) {
			d->selected = true;
			n++;
		}
	}
	if (!n && !c->all) {
		pl_err(ctx, "no device is bound to vfio-pci%s; name devices (e.g. 01:00) or use --all",
		       sys->kind == PL_SOURCE_DUMP ? " (a dump does not say which driver is bound)" : "");
		return PL_EXIT_FAIL;
	}
	return PL_EXIT_OK;
}

int pl_cli_format(const struct pl_ctx *ctx, const char *name, unsigned kind, const struct pl_emitter **em)
{
	*em = NULL;
	if (!strcmp(name, "help")) {
		pl_emit_list(kind, stdout);
		return PL_EXIT_OK;
	}
	*em = pl_emit_find(name, kind);
	if (!*em) {
		pl_err(ctx, "unknown format '%s'; 'pcilink %s --format help' lists them", name, ctx->verb);
		return PL_EXIT_USAGE;
	}
	return PL_EXIT_OK;
}

void pl_cli_free(struct pl_system *sys)
{
	if (!sys)
		return;
	pl_access_close(sys);
	pl_system_free(sys);
}

int pl_cli_load(const struct pl_ctx *ctx, const struct pl_common *c, struct pl_system **sysp,
		struct pl_dev ***selp, size_t *nselp)
{
	struct pl_access_opts o = {
		.kind = c->dump ? PL_SOURCE_DUMP : c->sysfs ? PL_SOURCE_SYSFS : PL_SOURCE_LIVE,
		.path = c->dump ? c->dump : c->sysfs,
		.ids_file = c->ids,
		.names = !c->numeric,
		.drivers_at_scan = !c->all && !c->nsels,
	};
	struct pl_system *sys;
	struct pl_dev **sel;
	size_t n = 0;
	char err[600];
	int rc;

	*sysp = NULL;
	*selp = NULL;
	*nselp = 0;
	rc = pl_access_open(&o, &sys, err, sizeof(err));
	if (rc) {
		/* one line: what failed, and for a live host without sysfs what to do */
		pl_err(ctx, "%s%s", err, o.kind == PL_SOURCE_LIVE && rc == PL_ENOENT ?
					 "; no /sys/bus/pci here: use --dump FILE or --sysfs DIR" : "");
		return PL_EXIT_FAIL;
	}
	if (o.kind == PL_SOURCE_DUMP && sys->ndev == 0) {
		pl_err(ctx, "%s: no device found: not an lspci -x dump?", c->dump);
		pl_cli_free(sys);
		return PL_EXIT_FAIL;
	}
	rc = select_devs(ctx, c, sys);
	if (rc || pl_topo_build(sys)) {
		pl_cli_free(sys);
		return rc ? rc : PL_EXIT_FAIL;
	}
	sel = calloc(sys->ndev ? sys->ndev : 1, sizeof(*sel));
	if (!sel) {
		pl_cli_free(sys);
		return PL_EXIT_FAIL;
	}
	for (size_t i = 0; i < sys->ndev; i++)
		if (sys->devs[i]->selected) {
			sel[n++] = sys->devs[i];
			pl_analyze(sys, sys->devs[i]);
		}
	rc = apply_numa(ctx, c, sys);
	if (rc) {
		free(sel);
		pl_cli_free(sys);
		return rc;
	}
	if (sys->config_denied)
		pl_warn(ctx, "config space beyond the 64-byte header needs root: link facts come from "
			     "sysfs, AtomicOps and LnkCap2 are unknown; run as root for the full picture");
	*sysp = sys;
	*selp = sel;
	*nselp = n;
	return PL_EXIT_OK;
}
/* The whole file or standard input, NUL-terminated. */
int pl_cli_slurp(const struct pl_ctx *ctx, const char *path, size_t max, const char *what, char **buf,
		 size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t cap = 0, n = 0;
	char *b = NULL;

	if (!f) {
		pl_err(ctx, "cannot open '%s': %s", path, strerror(errno));
		return PL_EXIT_FAIL;
	}
	for (;;) {
		size_t got;

		if (cap - n < 4096) {
			char *nb;

			cap = cap ? cap * 2 : 65536;
			nb = cap <= max + 65536 ? realloc(b, cap + 1) : NULL;
			if (!nb) {
				if (cap > max)
					pl_err(ctx, "%s: larger than %zu kB: not %s", strcmp(path, "-") ? path : "stdin",
					       max >> 10, what);
				else
					pl_err(ctx, "out of memory");
				free(b);
				if (f != stdin)
					fclose(f);
				return PL_EXIT_FAIL;
			}
			b = nb;
		}
		got = fread(b + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		pl_err(ctx, "cannot read '%s': %s", path, strerror(errno));
		free(b);
		if (f != stdin)
			fclose(f);
		return PL_EXIT_FAIL;
	}
	if (f != stdin)
		fclose(f);
	b[n] = 0;
	*buf = b;
	*len = n;
	return PL_EXIT_OK;
}
