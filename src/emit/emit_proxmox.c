/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plan as Proxmox VE config lines, merged byte for byte into an existing VM config.
 *
 * Mapping (REFERENCE 8.4): plan port i becomes one hostpciN entry; qemu-server, not the plan,
 * places it: the device at 00.0 of ich9-pcie-port-(N+1), that port at 1c.N (N < 4, from
 * pve-q35-4.0.cfg) or 10.(N-4) / 11.(N-12) (generated); several host functions in one entry
 * become guest functions 0, 1, ... in the order written. The plan's link values reach the
 * port through "-set device.ich9-pcie-port-(N+1).x-speed=..." in args:, which qemu-server
 * appends after every -device (REFERENCE 8.3).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "emit_proxmox.h"

struct entry {
	const struct pl_plan_port *p;
	int src;                /* existing entry whose other options are kept, -1 none */
	int index;              /* -1 until placed */
	bool keep_mapping;
	bool xvga;
};

/* An edit of the config: delete del bytes at off, then insert ins (sorted by off, then key). */
struct edit {
	size_t off, del;
	char *ins;
	char key[16];
};

struct ctx {
	const struct pl_plan *plan;
	const struct pl_pve_conf *conf;
	struct pl_pve_opts *o;
	struct entry e[PL_PVE_MAX_HOSTPCI];
	size_t n;
	int occ[PL_PVE_MAX_HOSTPCI];    /* OCC_* */
	bool drop[PL_PVE_MAX_HOSTPCI];  /* existing line removed (merged into another, or moved) */
	struct edit *ed;
	size_t ned;
};

enum { OCC_FREE, OCC_KEPT, OCC_OURS };

static int fail(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->o->err, sizeof(c->o->err), fmt, ap);
	va_end(ap);
	return PL_EINVAL;
}

static const char *cname(const struct ctx *c)
{
	return c->conf->name;
}

/* The plan port holding b, or -1. */
static int port_of(const struct ctx *c, const struct pl_pve_id *id, int *nfound)
{
	int first = -1;

	*nfound = 0;
	for (size_t i = 0; i < c->n; i++)
		for (int j = 0; j < c->e[i].p->nfn; j++)
			if (pl_pve_id_matches(id, &c->e[i].p->fns[j].dev->bdf)) {
				if (first < 0)
					first = (int)i;
				(*nfound)++;
			}
	return first;
}

/* The mapping names exactly the port's functions: keep mapping= (clusters migrate by it). */
static bool same_functions(const struct pl_pve_hostpci *h, const struct pl_plan_port *p)
{
	if (h->nids != p->nfn)
		return false;
	for (int j = 0; j < h->nids; j++)
		if (h->ids[j].all_fns || !pl_pve_id_matches(&h->ids[j], &p->fns[j].dev->bdf))
			return false;
	return true;
}

/* Existing entries naming planned functions: the first port they hold takes them over. */
static int claim(struct ctx *c)
{
	for (int k = 0; k < PL_PVE_MAX_HOSTPCI; k++) {
		const struct pl_pve_hostpci *h = &c->conf->hostpci[k];
		int owner = -1, nf;
		char b[16];

		if (!h->present)
			continue;
		c->occ[k] = OCC_KEPT;
		for (int j = 0; j < h->nids; j++) {
			int at = port_of(c, &h->ids[j], &nf);

			if (at >= 0 && (owner < 0 || at < owner))
				owner = at;
		}
		if (owner < 0)
			continue;
		for (int j = 0; j < h->nids; j++) {
			port_of(c, &h->ids[j], &nf);
			if (!nf)
				return fail(c, "%s:%u: hostpci%d also passes %s, which is not selected: select it "
					    "too, or split that entry first", cname(c), h->line, k,
					    pl_bdf_fmt(&h->ids[j].bdf, b, sizeof(b)));
		}
		if (c->e[owner].src < 0) {
			c->e[owner].src = k;
			c->e[owner].index = k;
			c->e[owner].keep_mapping = h->mapping[0] && same_functions(h, c->e[owner].p);
			c->occ[k] = OCC_OURS;
			if (h->mapping[0] && !c->e[owner].keep_mapping)
				pl_diag_add(&c->o->warnings, &c->o->warn_tail, "hostpci%d: mapping=%s names other "
					    "functions than this entry passes, so it is written as host ids: the "
					    "mapping no longer applies to this VM", k, h->mapping);
		} else {
			c->drop[k] = true;
			c->occ[k] = OCC_FREE;
		}
	}
	return PL_OK;
}

static bool port_exists(const struct ctx *c, int i)
{
	return i < 4 || c->occ[i] == OCC_OURS || (c->occ[i] == OCC_KEPT && c->conf && c->conf->hostpci[i].pcie);
}

/* A guest slot needs function 0: hostpci5..11 need hostpci4's port, 13..15 need 12's (8.2). */
static bool index_ok(const struct ctx *c, int i)
{
	int lead = i < 4 ? i : i < 12 ? 4 : 12;

	return i == lead || port_exists(c, lead);
}

static int place(struct ctx *c)
{
	/* an entry kept at an index whose slot lacks function 0 moves (its options with it) */
	for (size_t i = 0; i < c->n; i++) {
		struct entry *e = &c->e[i];

		if (e->index >= 0 && !index_ok(c, e->index)) {
			pl_diag_add(&c->o->warnings, &c->o->warn_tail, "hostpci%d moves: qemu-server puts it at "
				    "00:%02x.%x, and a guest ignores a slot without function 0", e->index,
				    e->index < 12 ? 0x10 : 0x11, e->index < 12 ? e->index - 4 : e->index - 12);
			c->drop[e->index] = true;
			c->occ[e->index] = OCC_FREE;
			e->index = -1;
		}
	}
	for (size_t i = 0; i < c->n; i++) {
		struct entry *e = &c->e[i];
		char b[16];

		for (int k = 0; e->index < 0 && k < PL_PVE_MAX_HOSTPCI; k++)
			if (c->occ[k] == OCC_FREE && index_ok(c, k)) {
				e->index = k;
				c->occ[k] = OCC_OURS;
			}
		if (e->index < 0)
			return fail(c, "no free hostpci index for %s: qemu-server has hostpci0 to hostpci15, and "
				    "hostpci5-11 need hostpci4 (13-15 need 12) with pcie=1",
				    pl_bdf_fmt(&e->p->fns[0].dev->bdf, b, sizeof(b)));
		c->o->index[i] = e->index;
	}
	return PL_OK;
}

static void put_ids(FILE *f, const struct pl_plan_port *p)
{
	for (int j = 0; j < p->nfn; j++) {
		const struct pl_bdf *b = &p->fns[j].dev->bdf;

		fprintf(f, "%s%04x:%02x:%02x.%x", j ? ";" : "", b->domain, b->bus, b->dev, b->fn);
	}
}

static bool token_is(const char *t, size_t l, const char *key)
{
	size_t kl = strlen(key);

	return l > kl && !memcmp(t, key, kl) && t[kl] == '=';
}

/* The value: our host ids, pcie=1 and with --x-vga x-vga=1 (in place of a 0: a key given twice
 * is refused); an existing entry's other options stay, in their order. */
static void put_value(FILE *f, const struct ctx *c, const struct entry *e)
{
	const struct pl_pve_hostpci *h = e->src >= 0 ? &c->conf->hostpci[e->src] : NULL;
	const char *v = h ? c->conf->buf + h->value.off : "";
	size_t len = h ? h->value.len : 0;
	bool pcie = false, xvga = false, first = true;

	if (!h)
		put_ids(f, e->p);
	while (len) {
		const char *comma = memchr(v, ',', len);
		size_t l = comma ? (size_t)(comma - v) : len;

		if (!first)
			fputc(',', f);
		first = false;
		if (!memchr(v, '=', l) || token_is(v, l, "host") || (token_is(v, l, "mapping") && !e->keep_mapping)) {
			put_ids(f, e->p);
		} else if (token_is(v, l, "pcie")) {
			pcie = true;
			fprintf(f, "%.*s", (int)l, h->pcie ? v : "pcie=1");
		} else if (token_is(v, l, "x-vga")) {
			xvga = true;
			fprintf(f, "%.*s", (int)l, e->xvga && !h->xvga ? "x-vga=1" : v);
		} else {
			fwrite(v, 1, l, f);
		}
		if (!comma)
			break;
		len -= l + 1;
		v += l + 1;
	}
	if (!pcie)
		fputs(",pcie=1", f);
	if (e->xvga && !xvga)
		fputs(",x-vga=1", f);
}

static int set_words(const struct ctx *c, FILE *f)
{
	const struct pl_plan_opts *po = c->plan->opts;
	bool any = false;

	for (int k = 0; k < PL_PVE_MAX_HOSTPCI; k++)
		for (size_t i = 0; i < c->n; i++) {
			const struct pl_plan_port *p = c->e[i].p;

			if (c->e[i].index != k)
				continue;
			if (p->link_props) {
				fprintf(f, "%s-set device.ich9-pcie-port-%d.x-speed=%s -set device.ich9-pcie-port-%d.x-width=%d",
					any ? " " : "", k + 1, pl_speed_qemu(p->speed), k + 1, p->width);
				any = true;
			}
			if (po->hotplug >= 0 && po->qemu.has_hotplug) {
				fprintf(f, "%s-set device.ich9-pcie-port-%d.hotplug=%s", any ? " " : "", k + 1,
					po->hotplug ? "on" : "off");
				any = true;
			}
		}
	return any;
}

/* "device.ich9-pcie-port-K.PROP=..." for a property pcilink writes on port K (an entry of ours) */
static bool our_set(const struct ctx *c, const char *w, size_t l)
{
	static const char pre[] = "device.ich9-pcie-port-";
	const struct pl_plan_opts *po = c->plan->opts;
	const struct entry *e = NULL;
	size_t p = sizeof(pre) - 1;
	int k = 0;

	if (l <= p || memcmp(w, pre, p))
		return false;
	while (p < l && w[p] >= '0' && w[p] <= '9' && k < 100)
		k = k * 10 + (w[p++] - '0');
	if (p >= l || w[p] != '.')
		return false;
	for (size_t i = 0; i < c->n; i++)
		if (c->e[i].index == k - 1)
			e = &c->e[i];
	if (!e)
		return false;
	w += p + 1;
	l -= p + 1;
	if (token_is(w, l, "x-speed") || token_is(w, l, "x-width"))
		return e->p->link_props;
	return token_is(w, l, "hotplug") && po->hotplug >= 0 && po->qemu.has_hotplug;
}

/* The args: value without our ports' -set pairs (the blank before each goes with it), then ours.
 * Words pair as QEMU reads them, so an option's argument is never taken for a -set. */
static void put_args(FILE *f, const struct ctx *c, const char *v, size_t len, const char *ours)
{
	struct pl_pve_arg a;
	size_t i = 0, kept = 0;

	while (pl_pve_args_next(v, len, &i, &a)) {
		if (!strcmp(a.opt, "set") && a.arg_fits && our_set(c, a.arg, strlen(a.arg)))
			continue;
		/* the first word kept drops the blanks before it only if a pair was dropped there */
		fwrite(v + (kept ? a.ws : a.s), 1, a.ve - (kept ? a.ws : a.s), f);
		kept++;
	}
	if (*ours)
		fprintf(f, "%s%s", kept ? " " : "", ours);
}

static int add_edit(struct ctx *c, size_t off, size_t del, char *ins, const char *key)
{
	struct edit *n = realloc(c->ed, (c->ned + 1) * sizeof(*n));

	if (!n) {
		free(ins);
		return PL_ENOMEM;
	}
	c->ed = n;
	c->ed[c->ned] = (struct edit){ .off = off, .del = del, .ins = ins };
	snprintf(c->ed[c->ned++].key, sizeof(n->key), "%s", key);
	return PL_OK;
}

static int edit_cmp(const void *a, const void *b)
{
	const struct edit *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* Where qemu-server would write a new key (it sorts them): after the last key sorting before it. */
static size_t insert_at(const struct pl_pve_conf *f, const char *key, bool *need_nl)
{
	size_t at = f->nkeys ? f->keys[0].line.off : f->main_end;

	*need_nl = false;
	for (size_t i = 0; i < f->nkeys; i++) {
		const struct pl_pve_key *k = &f->keys[i];
		char name[32];

		snprintf(name, sizeof(name), "%.*s", (int)(k->name.len > 30 ? 30 : k->name.len), f->buf + k->name.off);
		if (strcmp(name, key) < 0 && k->line.off + k->line.len > at) {
			at = k->line.off + k->line.len;
			*need_nl = f->buf[at - 1] != '\n';
		}
	}
	return at;
}

static char *mem_close(FILE *f, char **buf)
{
	if (fclose(f)) {
		free(*buf);
		return NULL;
	}
	return *buf;
}

/* The config with our lines: changed lines rewritten in place, new ones inserted sorted. */
static int merge_edits(struct ctx *c, const char *sets)
{
	const struct pl_pve_conf *f = c->conf;

	for (int k = 0; k < PL_PVE_MAX_HOSTPCI; k++)
		if (c->drop[k] && add_edit(c, f->hostpci[k].span.off, f->hostpci[k].span.len +
					   (f->hostpci[k].span.off + f->hostpci[k].span.len < f->len), NULL, ""))
			return PL_ENOMEM;
	for (size_t i = 0; i < c->n; i++) {
		const struct entry *e = &c->e[i];
		const struct pl_pve_hostpci *h = &f->hostpci[e->index];
		char *buf = NULL, key[16];
		size_t blen = 0, at;
		bool nl;
		FILE *m = open_memstream(&buf, &blen);

		if (!m)
			return PL_ENOMEM;
		snprintf(key, sizeof(key), "hostpci%d", e->index);
		if (e->src == e->index && !c->drop[e->index]) {
			put_value(m, c, e);
			if (!mem_close(m, &buf) || add_edit(c, h->value.off, h->value.len, buf, key))
				return PL_ENOMEM;
			continue;
		}
		at = insert_at(f, key, &nl);
		fprintf(m, "%s%s: ", nl ? "\n" : "", key);
		put_value(m, c, e);
		fputc('\n', m);
		if (!mem_close(m, &buf) || add_edit(c, at, 0, buf, key))
			return PL_ENOMEM;
	}
	if (*sets || f->has_args) {
		char *buf = NULL;
		size_t blen = 0, at;
		bool nl;
		FILE *m = open_memstream(&buf, &blen);

		if (!m)
			return PL_ENOMEM;
		if (f->has_args) {
			put_args(m, c, f->buf + f->args_value.off, f->args_value.len, sets);
			if (!mem_close(m, &buf) || add_edit(c, f->args_value.off, f->args_value.len, buf, "args"))
				return PL_ENOMEM;
		} else {
			at = insert_at(f, "args", &nl);
			fprintf(m, "%sargs: %s\n", nl ? "\n" : "", sets);
			if (!mem_close(m, &buf) || add_edit(c, at, 0, buf, "args"))
				return PL_ENOMEM;
		}
	}
	qsort(c->ed, c->ned, sizeof(*c->ed), edit_cmp);
	return PL_OK;
}

static void write_merged(const struct ctx *c, FILE *out)
{
	size_t pos = 0;

	for (size_t i = 0; i < c->ned; i++) {
		const struct edit *d = &c->ed[i];

		if (d->off > pos)
			fwrite(c->conf->buf + pos, 1, d->off - pos, out);
		if (d->ins)
			fputs(d->ins, out);
		if (d->off + d->del > pos)
			pos = d->off + d->del;
	}
	fwrite(c->conf->buf + pos, 1, c->conf->len - pos, out);
}

static void write_lines(const struct ctx *c, const char *sets, FILE *out)
{
	for (int k = 0; k < PL_PVE_MAX_HOSTPCI; k++)
		for (size_t i = 0; i < c->n; i++)
			if (c->e[i].index == k) {
				fprintf(out, "hostpci%d: ", k);
				put_value(out, c, &c->e[i]);
				fputc('\n', out);
			}
	if (*sets)
		fprintf(out, "args: %s\n", sets);
}

static void mark_xvga(struct ctx *c)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct pl_plan_fn *f = &c->e[i].p->fns[0];

		if ((f->dev->class_code >> 8) == 0x0300) {
			c->e[i].xvga = true;
			return;
		}
	}
	pl_diag_add(&c->o->warnings, &c->o->warn_tail, "--x-vga: no VGA controller (class 0300) selected: "
		    "no entry gets x-vga=1");
}

int pl_pve_emit(const struct pl_plan *plan, struct pl_pve_opts *o, FILE *out)
{
	struct ctx c = { .plan = plan, .conf = o->conf, .o = o, .n = plan->nports };
	char *sets = NULL;
	size_t slen = 0;
	FILE *m;
	int rc;

	if (!o->warn_tail)
		o->warn_tail = &o->warnings;
	if (plan->nports > PL_PVE_MAX_HOSTPCI)
		return fail(&c, "%zu guest slots: qemu-server has hostpci0 to hostpci15", plan->nports);
	for (size_t i = 0; i < c.n; i++)
		c.e[i] = (struct entry){ .p = &plan->ports[i], .src = -1, .index = -1 };
	if (o->xvga)
		mark_xvga(&c);
	if (c.conf && pl_pve_check_target(c.conf, o->err, sizeof(o->err)))
		return PL_EINVAL;
	if (c.conf && (rc = claim(&c)))
		return rc;
	if ((rc = place(&c)))
		return rc;
	if (!(m = open_memstream(&sets, &slen)))
		return PL_ENOMEM;
	set_words(&c, m);
	if (!mem_close(m, &sets))
		return PL_ENOMEM;
	if (c.conf) {
		rc = merge_edits(&c, sets);
		if (!rc)
			write_merged(&c, out);
	} else {
		write_lines(&c, sets, out);
	}
	for (size_t i = 0; i < c.ned; i++)
		free(c.ed[i].ins);
	free(c.ed);
	free(sets);
	if (rc == PL_ENOMEM)
		snprintf(o->err, sizeof(o->err), "out of memory");
	return rc ? rc : ferror(out) ? PL_EACCES : PL_OK;
}
