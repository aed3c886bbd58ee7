/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The plan as QEMU arguments: shell lines, one per line, NUL-separated, or -readconfig INI. */
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "plan.h"
#include "util.h"

static int push(struct pl_argv *a, char *s)
{
	char **n;

	if (!s)
		return PL_ENOMEM;
	n = realloc(a->w, (a->n + 1) * sizeof(*n));
	if (!n) {
		free(s);
		return PL_ENOMEM;
	}
	a->w = n;
	a->w[a->n++] = s;
	return PL_OK;
}

/* Properties of one -device, in order: name, value (value NULL ends). */
struct prop {
	const char *k;
	char v[48];
};

static char *device_word(const char *driver, const struct prop *p, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fputs(driver, f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, ",%s=", p[i].k);
		pl_put_qemu_value(f, p[i].v);
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Fill the properties of a port or a function; returns how many. */
static size_t port_props(const struct pl_plan *plan, const struct pl_plan_port *p, struct prop *pr)
{
	const struct pl_plan_opts *o = plan->opts;
	size_t n = 0;

#define P(key, ...) (pr[n].k = (key), snprintf(pr[n].v, sizeof(pr[n].v), __VA_ARGS__), n++)
	P("id", "%s", p->id);
	P("bus", "%s", pl_plan_port_bus(plan, p));
	P("chassis", "%d", p->chassis);
	P("port", "0x%x", p->port);
	P("addr", "0x%x.%x", p->slot, p->fn);
	if (p->multifunction)
		P("multifunction", "on");
	if (p->link_props) {
		P("x-speed", "%s", pl_speed_qemu(p->speed));
		P("x-width", "%d", p->width);
	}
	if (o->hotplug >= 0 && o->qemu.has_hotplug)
		P("hotplug", "%s", o->hotplug ? "on" : "off");
	return n;
}

/* An expander bus: its own root bus number and guest node, on the root bus. */
static size_t pxb_props(const struct pl_plan *plan, const struct pl_plan_pxb *x, struct prop *pr)
{
	size_t n = 0;

	P("id", "%s", x->id);
	P("bus_nr", "%d", x->bus_nr);
	P("numa_node", "%d", x->guest_node);
	P("bus", "%s", plan->opts->bus);
	P("addr", "0x%x.0", x->slot);
	return n;
}

static size_t fn_props(const struct pl_plan_port *p, const struct pl_plan_fn *f, struct prop *pr)
{
	char b[16];
	size_t n = 0;

	P("host", "%s", pl_bdf_fmt(&f->dev->bdf, b, sizeof(b)));
	P("id", "%s", f->id);
	P("bus", "%s", p->id);
	P("addr", "0x0.%x", f->guest_fn);
	if (f->multifunction)
		P("multifunction", "on");
#undef P
	return n;
}

int pl_plan_argv(const struct pl_plan *plan, struct pl_argv *a)
{
	struct prop pr[12];

	memset(a, 0, sizeof(*a));
	for (size_t i = 0; i < plan->npxb; i++)
		if (push(a, strdup("-device")) || push(a, device_word("pxb-pcie", pr, pxb_props(plan, &plan->pxbs[i], pr))))
			goto oom;
	for (size_t i = 0; i < plan->nports; i++) {
		const struct pl_plan_port *p = &plan->ports[i];

		if (push(a, strdup("-device")) || push(a, device_word("pcie-root-port", pr, port_props(plan, p, pr))))
			goto oom;
		for (int j = 0; j < p->nfn; j++)
			if (push(a, strdup("-device")) ||
			    push(a, device_word("vfio-pci", pr, fn_props(p, &p->fns[j], pr))))
				goto oom;
	}
	return PL_OK;
oom:
	pl_argv_free(a);
	return PL_ENOMEM;
}

void pl_argv_free(struct pl_argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->w[i]);
	free(a->w);
	memset(a, 0, sizeof(*a));
}

static int with_argv(const struct pl_emit_in *in, FILE *out, void (*fn)(const struct pl_argv *, FILE *))
{
	struct pl_argv a;

	if (pl_plan_argv(in->plan, &a))
		return PL_ENOMEM;
	fn(&a, out);
	pl_argv_free(&a);
	return ferror(out) ? PL_EACCES : PL_OK;
}

static void shell(const struct pl_argv *a, FILE *out)
{
	/* "-device WORD" pairs, one per line, joined by continuations: paste-ready */
	for (size_t i = 0; i + 1 < a->n; i += 2) {
		fputs(a->w[i], out);
		fputc(' ', out);
		pl_put_shell_word(out, a->w[i + 1]);
		fputs(i + 2 < a->n ? " \\\n" : "\n", out);
	}
}

static void lines(const struct pl_argv *a, FILE *out)
{
	for (size_t i = 0; i < a->n; i++)
		fprintf(out, "%s\n", a->w[i]);
}

static void nul(const struct pl_argv *a, FILE *out)
{
	for (size_t i = 0; i < a->n; i++)
		fwrite(a->w[i], 1, strlen(a->w[i]) + 1, out);
}

static int emit_shell(const struct pl_emit_in *in, FILE *out)
{
	return with_argv(in, out, shell);
}

static int emit_args(const struct pl_emit_in *in, FILE *out)
{
	return with_argv(in, out, lines);
}

static int emit_null(const struct pl_emit_in *in, FILE *out)
{
	return with_argv(in, out, nul);
}

static void ini_section(FILE *out, const char *driver, const struct prop *pr, size_t n)
{
	/* QEMU's -readconfig: [device "ID"] with driver and the other properties */
	fprintf(out, "[device \"%s\"]\n  driver = \"%s\"\n", pr[0].v, driver);
	for (size_t i = 1; i < n; i++)
		fprintf(out, "  %s = \"%s\"\n", pr[i].k, pr[i].v);
	fputc('\n', out);
}

static int emit_readconfig(const struct pl_emit_in *in, FILE *out)
{
	const struct pl_plan *plan = in->plan;
	struct prop pr[12];

	fprintf(out, "# pcilink %s plan: use with qemu-system-x86_64 -readconfig FILE\n\n",
		pl_policy_name(plan->opts->policy));
	for (size_t i = 0; i < plan->npxb; i++)
		ini_section(out, "pxb-pcie", pr, pxb_props(plan, &plan->pxbs[i], pr));
	for (size_t i = 0; i < plan->nports; i++) {
		const struct pl_plan_port *p = &plan->ports[i];

		ini_section(out, "pcie-root-port", pr, port_props(plan, p, pr));
		for (int j = 0; j < p->nfn; j++) {
			size_t n = fn_props(p, &p->fns[j], pr);

			/* the id is the section name, not a property */
			struct prop sec[12];

			sec[0] = pr[1];
			memcpy(&sec[1], &pr[0], sizeof(pr[0]));
			memcpy(&sec[2], &pr[2], (n - 2) * sizeof(pr[0]));
			ini_section(out, "vfio-pci", sec, n);
		}
	}
	return ferror(out) ? PL_EACCES : PL_OK;
}

const struct pl_emitter pl_emit_shell = {
	.name = "shell",
	.help = "-device lines with continuations, shell-quoted, ready to paste",
	.kinds = PL_EMIT_QEMU,
	.emit = emit_shell,
};

const struct pl_emitter pl_emit_args = {
	.name = "args",
	.help = "one argument per line (mapfile -t)",
	.kinds = PL_EMIT_QEMU,
	.emit = emit_args,
};

const struct pl_emitter pl_emit_null = {
	.name = "null",
	.help = "NUL-terminated arguments (xargs -0), same as -0",
	.kinds = PL_EMIT_QEMU,
	.emit = emit_null,
};

const struct pl_emitter pl_emit_readconfig = {
	.name = "readconfig",
	.help = "QEMU -readconfig INI sections",
	.kinds = PL_EMIT_QEMU,
	.emit = emit_readconfig,
};
