/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Merge a plan into a libvirt domain, second half: the changes, as edits of the input's bytes
 * (libvirt_bytes.c). pcilink's controllers and host devices are updated attribute by attribute
 * where they are (a user's own alias and settings stay), new ones go after their kind's last
 * element indented like it, every <qemu:override> device of a planned port is updated (libvirt
 * applies them all, in order), and the qemu namespace is found by its URI, whatever its prefix.
 * A second run finds every value in place and changes no byte.
 */
#include <stdlib.h>
#include <string.h>

#include "guest.h"
#include "libvirt_dom.h"
#include "util.h"

/* what the merge knows of one element of the input, by its index in the byte map */
struct el_state {
	bool gone;                      /* removed, whole */
	bool counted;                   /* nkids below is known */
	size_t nkids, ngone;            /* element children, and how many of them are removed */
	size_t grown;                   /* 1 + its index in ed.grown; 0: it gets no new children */
};

/* an element that gets new children (never removed whole), and those children, written at the
 * end in one edit */
struct growth {
	xmlNode *parent, *kids;
};

struct ed {
	struct pl_lv *lv;
	struct pl_lvb *b;
	char unit[PL_LVB_LEAD];         /* one level of indentation in this document */
	xmlNode **gone;                 /* elements to remove (whole, with their line), in order */
	size_t ngone, gonecap;
	struct el_state *st;            /* one per element of the input (b->nel) */
	bool oom;
	struct growth *grown;
	size_t ngrown, growncap;
	xmlNs *ns;                      /* the namespace objects new elements use, freed at the end */
};

static struct el_state *state(const struct ed *e, const xmlNode *n)
{
	const struct pl_lvb_el *el = n && n->type == XML_ELEMENT_NODE ? pl_lvb_el(n) : NULL;

	return el && e->st ? &e->st[el - e->b->el] : NULL;
}

static void lead(const struct ed *e, const xmlNode *n, char *out)
{
	pl_lvb_lead(e->b, n, out, PL_LVB_LEAD);
}

static void detect_unit(struct ed *e, xmlNode *root)
{
	char r[PL_LVB_LEAD], c[PL_LVB_LEAD];
	xmlNode *first = lv_first_element(root);

	snprintf(e->unit, sizeof(e->unit), "  ");
	if (!first)
		return;
	lead(e, root, r);
	lead(e, first, c);
	if (pl_lvb_line_start(e->b, first) == pl_lvb_el(first)->s0)
		e->unit[0] = 0;         /* a document on one line stays so */
	else if (strlen(c) > strlen(r))
		snprintf(e->unit, sizeof(e->unit), "%s", c + strlen(r));
}

static int edit(struct ed *e, size_t from, size_t to, const char *text)
{
	return pl_lvb_edit(e->b, from, to, text);
}

/* --- attributes ------------------------------------------------------------------------------ */

/* Give n's attribute name the value, in place; base >= 0: equal numbers are left as written. */
static int set_attr(struct ed *e, xmlNode *n, const char *name, const char *value, int base)
{
	const struct pl_lvb_attr *a = pl_lvb_attr(e->b, n, name);
	const struct pl_lvb_el *el = pl_lvb_el(n);
	char esc[512], text[640];

	if (a) {
		char *cur = lv_prop(n, name), *end1, *end2;
		bool same = cur && !strcmp(cur, value);

		if (!same && cur && base >= 0) {
			long x = strtol(cur, &end1, base), y = strtol(value, &end2, base);

			same = *cur && !*end1 && !*end2 && x == y;
		}
		xmlFree(cur);
		if (same)
			return 0;
		pl_lvb_escape(value, a->quote, esc, sizeof(esc));
		return edit(e, a->v0, a->v1, esc);
	}
	pl_lvb_escape(value, e->b->quote, esc, sizeof(esc));
	snprintf(text, sizeof(text), " %s=%c%s%c", name, e->b->quote, esc, e->b->quote);
	/* after the last attribute, else after the name: "<x a='1' b='2' />" keeps its form */
	return edit(e, el->a1 > el->a0 ? e->b->at[el->a1 - 1].v1 + 1 : el->n1,
		    el->a1 > el->a0 ? e->b->at[el->a1 - 1].v1 + 1 : el->n1, text);
}

/* Remove n's attribute name with the blank before it, when it is there. */
static int del_attr(struct ed *e, xmlNode *n, const char *name)
{
	const struct pl_lvb_attr *a = pl_lvb_attr(e->b, n, name);
	size_t from;

	if (!a)
		return 0;
	for (from = a->n0; from > 0 && strchr(" \t\r\n", e->b->buf[from - 1]); from--)
		;
	return edit(e, from, a->v1 + 1, "");
}

/* --- elements ------------------------------------------------------------------------------ */

static xmlNode *last_element(const xmlNode *parent)
{
	xmlNode *last = NULL;

	for (xmlNode *c = parent->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			last = c;
	return last;
}

static xmlNode *holder(void)
{
	return xmlNewNode(NULL, X("pcilink"));
}

/* holder's children as text, each on its own line at ind (inline when the document is). */
static char *render_all(struct ed *e, xmlNode *h, const char *ind, bool own_line)
{
	size_t len = 0;
	char *all = NULL;

	for (xmlNode *c = h->children; c; c = c->next) {
		char *t = pl_lvb_render(e->b, c, ind, own_line ? e->unit : ""), *na;
		size_t tl;

		if (!t)
			goto oom;
		tl = strlen(t) + (own_line ? strlen(e->b->nl) + strlen(ind) : 0);
		na = realloc(all, len + tl + 1);
		if (!na) {
			free(t);
			goto oom;
		}
		all = na;
		snprintf(all + len, tl + 1, "%s%s%s", own_line ? e->b->nl : "", own_line ? ind : "", t);
		len += tl;
		free(t);
	}
	return all ? all : strdup("");
oom:
	free(all);
	e->b->oom = true;
	return NULL;
}

/* Write holder's children (then freed) as parent's last element children, in one edit. */
static int write_children(struct ed *e, xmlNode *parent, xmlNode *h)
{
	const struct pl_lvb_el *el = pl_lvb_el(parent);
	xmlNode *last = last_element(parent);
	char pind[PL_LVB_LEAD], cind[2 * PL_LVB_LEAD], *kids, *text;
	bool own;
	int rc;

	if (!h->children) {
		xmlFreeNode(h);
		return 0;
	}
	lead(e, parent, pind);
	own = e->unit[0] != 0;
	if (last) {
		lead(e, last, cind);
		own = own && pl_lvb_line_start(e->b, last) != pl_lvb_el(last)->s0;
	} else {
		snprintf(cind, sizeof(cind), "%s%s", pind, e->unit);
	}
	kids = render_all(e, h, cind, own);
	xmlFreeNode(h);
	if (!kids)
		return -1;
	if (last) {
		rc = edit(e, pl_lvb_el(last)->e1, pl_lvb_el(last)->e1, kids);
	} else if (el->empty) {
		/* <x/> becomes <x>...</x> */
		size_t from = el->tagend, qn = el->n1 - el->n0;

		while (from > el->n1 && (e->b->buf[from - 1] == ' ' || e->b->buf[from - 1] == '\t'))
			from--;
		text = malloc(strlen(kids) + strlen(pind) + qn + 16);
		if (!text) {
			free(kids);
			return -1;
		}
		sprintf(text, ">%s%s%s</%.*s>", kids, own ? e->b->nl : "", own ? pind : "", (int)qn,
			e->b->buf + el->n0);
		rc = edit(e, from, el->s1, text);
		free(text);
	} else {
		/* only text or comments inside: after the last of it, or in place of blank space */
		size_t end = el->e0;
		bool blank = true;

		for (size_t i = el->s1; i < el->e0; i++)
			blank &= e->b->buf[i] == ' ' || e->b->buf[i] == '\t' || e->b->buf[i] == '\n' ||
				 e->b->buf[i] == '\r';
		if (blank) {
			text = malloc(strlen(kids) + strlen(pind) + 4);
			if (!text) {
				free(kids);
				return -1;
			}
			sprintf(text, "%s%s%s", kids, own ? e->b->nl : "", own ? pind : "");
			rc = edit(e, el->s1, el->e0, text);
			free(text);
		} else {
			while (end > el->s1 && strchr(" \t\r\n", e->b->buf[end - 1]))
				end--;
			rc = edit(e, end, end, kids);
		}
	}
	free(kids);
	return rc;
}

/* Add holder's children (then freed) as parent's last element children, at the end. parent is
 * an element of the input: write_children edits its bytes. */
static int append_children(struct ed *e, xmlNode *parent, xmlNode *h)
{
	struct el_state *ps = state(e, parent);

	if (!h || !ps) {
		xmlFreeNode(h);
		return -1;
	}
	if (!ps->grown) {
		if (pl_grow((void **)&e->grown, &e->growncap, e->ngrown, sizeof(*e->grown))) {
			xmlFreeNode(h);
			return -1;
		}
		e->grown[e->ngrown++] = (struct growth){ parent, h };
		ps->grown = e->ngrown;
		return 0;
	}
	for (xmlNode *c = h->children, *next; c; c = next) {
		next = c->next;
		xmlUnlinkNode(c);
		xmlAddChild(e->grown[ps->grown - 1].kids, c);
	}
	xmlFreeNode(h);
	return 0;
}

/* Put n (then freed) right after sib, on its own line like sib. */
static int insert_after(struct ed *e, xmlNode *sib, xmlNode *n)
{
	xmlNode *h = holder();
	char ind[PL_LVB_LEAD], *t;
	int rc;

	if (!h)
		return -1;
	xmlAddChild(h, n);
	lead(e, sib, ind);
	t = render_all(e, h, ind, e->unit[0] && pl_lvb_line_start(e->b, sib) != pl_lvb_el(sib)->s0);
	xmlFreeNode(h);
	if (!t)
		return -1;
	rc = edit(e, pl_lvb_el(sib)->e1, pl_lvb_el(sib)->e1, t);
	free(t);
	return rc;
}

/* Remove n (an element of the input) whole; no cap, so every stale element goes in one run. */
static void gone(struct ed *e, xmlNode *n)
{
	struct el_state *s = state(e, n), *ps;

	if (!s || s->gone)
		return;
	if (pl_grow((void **)&e->gone, &e->gonecap, e->ngone, sizeof(*e->gone))) {
		e->oom = true;
		return;
	}
	s->gone = true;
	e->gone[e->ngone++] = n;
	ps = state(e, n->parent);
	if (ps)
		ps->ngone++;
}

static bool is_gone(const struct ed *e, const xmlNode *n)
{
	const struct el_state *s = state(e, n);

	return s && s->gone;
}

/*
 * An element whose element children all go, goes whole; then each removal once, outermost.
 * Linear: a parent is looked at when one of its children is taken off the list, and the last
 * child to go is always taken off after the others went.
 */
static int remove_gone(struct ed *e)
{
	for (size_t i = 0; i < e->ngone; i++) {
		xmlNode *p = e->gone[i]->parent;
		struct el_state *ps = state(e, p);
		bool all = ps && !ps->gone && !ps->grown && !lv_is(p, "domain") && !lv_is(p, "devices");

		if (all && !ps->counted) {
			for (xmlNode *c = p->children; c; c = c->next)
				ps->nkids += c->type == XML_ELEMENT_NODE;
			ps->counted = true;
		}
		if (all && ps->ngone == ps->nkids)
			gone(e, p);
	}
	if (e->oom)
		return -1;
	for (size_t i = 0; i < e->ngone; i++) {
		bool inner = false;

		for (xmlNode *p = e->gone[i]->parent; p && !inner; p = p->parent)
			inner = is_gone(e, p);
		if (!inner && edit(e, pl_lvb_line_start(e->b, e->gone[i]), pl_lvb_el(e->gone[i])->e1, ""))
			return -1;
	}
	return 0;
}

/* --- the qemu namespace -------------------------------------------------------------------- */

/* A namespace object for new elements under parent (its own prefix) or at the top level. */
static xmlNs *ns_for(struct ed *e, const xmlNode *parent)
{
	const char *prefix = parent && parent->ns ? (const char *)parent->ns->prefix :
			     parent ? "qemu" : e->lv->qprefix;
	xmlNs *ns = xmlNewNs(NULL, X(PL_LV_QEMU_NS), prefix && *prefix ? X(prefix) : NULL);

	if (ns) {
		ns->next = e->ns;
		e->ns = ns;
	}
	return ns;
}

/* A new top-level qemu element declares the namespace itself when <domain> cannot. */
static void own_decl(struct ed *e, xmlNode *n)
{
	if (e->lv->qdecl_own)
		xmlNewNs(n, X(PL_LV_QEMU_NS), X(e->lv->qprefix));
}

static bool has_stray(const xmlNode *root)
{
	for (const xmlNode *n = root; n;) {
		if (n->type == XML_ELEMENT_NODE && !n->ns && !strncmp((const char *)n->name, "qemu:", 5))
			return true;
		if (n->children && n->type == XML_ELEMENT_NODE) {
			n = n->children;
			continue;
		}
		while (n && n != root && !n->next)
			n = n->parent;
		if (!n || n == root)
			break;
		n = n->next;
	}
	return false;
}

/* <domain>'s binding of libvirt's qemu namespace, but not under a prefix with a colon: that is
 * no name (Namespaces in XML), and elements written with it would not read back as qemu ones. */
static xmlNs *qemu_binding(const xmlNode *root)
{
	for (xmlNs *ns = root->nsDef; ns; ns = ns->next)
		if (ns->href && !strcmp((const char *)ns->href, PL_LV_QEMU_NS) &&
		    (!ns->prefix || !strchr((const char *)ns->prefix, ':')))
			return ns;
	return NULL;
}

/*
 * By URI: a prefix <domain> already binds to libvirt's qemu namespace is used as it is;
 * else xmlns:qemu goes on <domain> (which also gives meaning to "qemu:" elements written
 * without it, which libvirt would drop silently); when <domain> binds "qemu" to another URI,
 * each new top-level qemu element declares the namespace itself, as libvirt allows.
 */
static void qemu_ns(struct ed *e, xmlNode *root, bool needed)
{
	struct pl_lv *lv = e->lv;
	xmlNs *ns = qemu_binding(root);
	bool stray = has_stray(root);

	lv->qdecl_root = lv->qdecl_own = lv->stray_qemu = false;
	lv->qprefix = "qemu";
	if (ns) {
		lv->qprefix = ns->prefix ? (const char *)ns->prefix : "";
		return;
	}
	if (!xmlSearchNs(lv->dom, root, X("qemu"))) {
		lv->stray_qemu = stray;
		lv->qdecl_root = needed || stray;
	} else {
		lv->qdecl_own = true;
	}
}

static bool is_q(const struct ed *e, const xmlNode *n, const char *name)
{
	return lv_is_qemu(n, name, e->lv->stray_qemu);
}

/* --- controllers and host devices ---------------------------------------------------------- */

/* The child of the freshly built element b named like name, detached, or NULL. */
static xmlNode *take(xmlNode *b, const char *name)
{
	xmlNode *c = lv_child(b, name);

	if (c)
		xmlUnlinkNode(c);
	return c;
}

static int set_num(struct ed *e, xmlNode *n, const char *name, const char *fmt, int v, int base)
{
	char t[32];

	snprintf(t, sizeof(t), fmt, v);
	return set_attr(e, n, name, t, base);
}

/* mf: 1 multifunction='on' (added), 0 left as it is, -1 removed (a function alone on its port:
 * QEMU gives root-port AtomicOps only to a device that is not multifunction) */
static int set_pci(struct ed *e, xmlNode *a, int bus, int slot, int fn, int mf)
{
	int rc = set_attr(e, a, "type", "pci", -1) | set_num(e, a, "domain", "0x%04x", 0, LV_ANY) |
		 set_num(e, a, "bus", "0x%02x", bus, LV_ANY) | set_num(e, a, "slot", "0x%02x", slot, LV_ANY) |
		 set_num(e, a, "function", "0x%x", fn, LV_ANY);

	if (mf > 0)
		rc |= set_attr(e, a, "multifunction", "on", -1);
	else if (mf < 0)
		rc |= del_attr(e, a, "multifunction");
	return rc;
}

static int update_controller(struct ed *e, const struct pl_plan *plan, size_t i, xmlNode *c)
{
	const struct pl_lv_port *l = &e->lv->ports[i];
	xmlNode *fresh = pl_lv_controller(plan, e->lv, i), *h = holder();
	xmlNode *t = lv_child(c, "target"), *a = lv_child(c, "address");
	int rc;

	if (!fresh || !h)
		return -1;
	rc = set_num(e, c, "index", "%d", l->index, LV_DEC);
	if (t) {
		rc |= set_num(e, t, "chassis", "%d", l->chassis, LV_ANY) | set_num(e, t, "port", "0x%x", l->port, LV_ANY);
		if (pl_lv_hotplug_attr(plan, e->lv))
			rc |= set_attr(e, t, "hotplug", plan->opts->hotplug ? "on" : "off", -1);
	} else {
		xmlAddChild(h, take(fresh, "target"));
	}
	if (a)
		rc |= set_pci(e, a, l->bus, l->slot, l->fn, l->multifunction);     /* libvirt sets it too */
	else
		xmlAddChild(h, take(fresh, "address"));
	xmlFreeNode(fresh);
	return rc | append_children(e, c, h);
}

/* pcilink's or the user's <hostdev>: its guest address; an alias only where it has none. */
static int update_hostdev(struct ed *e, size_t i, const struct pl_plan_fn *f, xmlNode *hd)
{
	const struct pl_lv_port *l = &e->lv->ports[i];
	xmlNode *a = lv_child(hd, "address"), *h = holder();
	int rc = 0;

	if (!h)
		return -1;
	if (!lv_child(hd, "alias"))
		xmlAddChild(h, pl_lv_alias(f->id));
	if (a)
		rc = set_pci(e, a, l->index, 0, f->guest_fn, f->multifunction ? 1 : -1);
	else
		xmlAddChild(h, pl_lv_guest_address(e->lv, i, f));
	return rc | append_children(e, hd, h);
}

static xmlNode *find_controller(xmlNode *devices, const char *id)
{
	char want[64];

	snprintf(want, sizeof(want), "ua-%s", id);
	for (xmlNode *d = devices->children; d; d = d->next)
		if (lv_is(d, "controller") && lv_prop_is(lv_child(d, "alias"), "name", want))
			return d;
	return NULL;
}

static xmlNode *find_hostdev(xmlNode *devices, const struct pl_bdf *b)
{
	for (xmlNode *d = devices->children; d; d = d->next) {
		xmlNode *s = lv_child(lv_child(d, "source"), "address");
		long dom = 0, bus, slot, fn;

		if (!lv_is(d, "hostdev") || !lv_prop_is(d, "type", "pci") || !s ||
		    lv_num(s, "domain", LV_ANY, &dom) < 0 || lv_num(s, "bus", LV_ANY, &bus) != 1 ||
		    lv_num(s, "slot", LV_ANY, &slot) != 1 || lv_num(s, "function", LV_ANY, &fn) != 1)
			continue;
		if (dom == b->domain && bus == b->bus && slot == b->dev && fn == b->fn)
			return d;
	}
	return NULL;
}

static xmlNode *last_named(xmlNode *parent, const char *name)
{
	xmlNode *last = NULL;

	for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
		if (lv_is(c, name))
			last = c;
	return last;
}

static int merge_devices(struct ed *e, const struct pl_plan *plan, xmlNode *root, xmlNode *devices)
{
	xmlNode *tail = holder(), *ctrl_at = last_named(devices, "controller"), *hd_at = last_named(devices, "hostdev");
	int rc = 0;

	if (!tail)
		return -1;
	/* expander buses (--numa) before the root ports that name them; a previous run's stay */
	for (size_t j = 0; j < plan->npxb; j++)
		if (!(devices && find_controller(devices, plan->pxbs[j].id))) {
			if (ctrl_at)
				rc |= insert_after(e, ctrl_at, pl_lv_expander(plan, e->lv, j));
			else
				xmlAddChild(tail, pl_lv_expander(plan, e->lv, j));
		}
	for (size_t i = 0; i < plan->nports; i++) {
		xmlNode *old = devices ? find_controller(devices, plan->ports[i].id) : NULL;

		if (old)
			rc |= update_controller(e, plan, i, old);
		else if (ctrl_at)
			rc |= insert_after(e, ctrl_at, pl_lv_controller(plan, e->lv, i));
		else
			xmlAddChild(tail, pl_lv_controller(plan, e->lv, i));
	}
	for (size_t i = 0; i < plan->nports; i++)
		for (int j = 0; j < plan->ports[i].nfn; j++) {
			const struct pl_plan_fn *f = &plan->ports[i].fns[j];
			xmlNode *old = devices ? find_hostdev(devices, &f->dev->bdf) : NULL;

			if (old)
				rc |= update_hostdev(e, i, f, old);
			else if (hd_at)
				rc |= insert_after(e, hd_at, pl_lv_hostdev(e->lv, i, f));
			else
				xmlAddChild(tail, pl_lv_hostdev(e->lv, i, f));
		}
	for (size_t i = 0; i < e->lv->ndrop; i++)
		gone(e, e->lv->drop[i]);
	if (devices)
		return rc | append_children(e, devices, tail);
	if (tail->children) {
		/* no <devices> at all: one, holding them */
		xmlNode *h = holder(), *d = xmlNewNode(NULL, X("devices"));

		if (!h || !d)
			return -1;
		for (xmlNode *c = tail->children, *next; c; c = next) {
			next = c->next;
			xmlUnlinkNode(c);
			xmlAddChild(d, c);
		}
		xmlAddChild(h, d);
		rc |= append_children(e, root, h);
	}
	xmlFreeNode(tail);
	return rc;
}

/* --- <qemu:override> and <qemu:commandline> ---------------------------------------------------- */

/* Set x-speed/x-width in every frontend of one <qemu:device> (or drop them: no link). */
static int update_device(struct ed *e, const struct pl_plan_port *p, xmlNode *dev)
{
	static const char *const names[] = { "x-speed", "x-width" };
	char w[8];
	const char *vals[2] = { pl_speed_qemu(p->speed), w };
	xmlNode *last_fe = NULL;
	int rc = 0;

	snprintf(w, sizeof(w), "%d", p->width);
	for (size_t k = 0; k < 2; k++) {
		bool seen = false;

		for (xmlNode *fe = dev->children; fe; fe = fe->next) {
			if (!is_q(e, fe, "frontend"))
				continue;
			last_fe = fe;
			for (xmlNode *pr = fe->children; pr; pr = pr->next) {
				if (!is_q(e, pr, "property") || !lv_prop_is(pr, "name", names[k]))
					continue;
				seen = true;
				if (!p->link_props)
					gone(e, pr);
				else
					rc |= set_attr(e, pr, "type", "string", -1) | set_attr(e, pr, "value", vals[k], -1);
			}
		}
		if (!seen && p->link_props) {
			xmlNode *h = holder();
			xmlNs *ns = ns_for(e, last_fe ? last_fe : dev);

			if (!h || !ns)
				return -1;
			xmlAddChild(h, pl_lv_property(ns, names[k], vals[k]));
			if (last_fe) {
				rc |= append_children(e, last_fe, h);
			} else {
				/* a device without a frontend: one with both properties */
				xmlNode *fe = xmlNewNode(ns, X("frontend"));

				xmlFreeNode(h);
				h = holder();
				xmlAddChild(fe, pl_lv_property(ns, names[0], vals[0]));
				xmlAddChild(fe, pl_lv_property(ns, names[1], vals[1]));
				xmlAddChild(h, fe);
				rc |= append_children(e, dev, h);
				break;
			}
		}
	}
	return rc;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The override devices of pcilink's ports that go: one walk, each alias looked up in the sorted
 * aliases of those ports (stale ports x devices was quadratic in a hostile domain). */
static int drop_stale_devices(struct ed *e, xmlNode *root)
{
	char **names = calloc(e->lv->ndrop + 1, sizeof(*names));
	size_t n = 0;

	if (!names)
		return -1;
	for (size_t i = 0; i < e->lv->ndrop; i++) {
		char *alias = lv_prop(lv_child(e->lv->drop[i], "alias"), "name");

		if (alias)
			names[n++] = alias;
	}
	qsort(names, n, sizeof(*names), str_cmp);
	for (xmlNode *ov = n ? root->children : NULL; ov; ov = ov->next)
		for (xmlNode *dev = is_q(e, ov, "override") ? ov->children : NULL; dev; dev = dev->next) {
			char *alias = is_q(e, dev, "device") ? lv_prop(dev, "alias") : NULL;

			if (alias && bsearch(&alias, names, n, sizeof(*names), str_cmp))
				gone(e, dev);
			xmlFree(alias);
		}
	for (size_t i = 0; i < n; i++)
		xmlFree(names[i]);
	free(names);
	return 0;
}

static int merge_override(struct ed *e, const struct pl_plan *plan, xmlNode *root, xmlNode *top)
{
	xmlNode *last_ov = NULL, *adds = holder();
	int rc = 0;

	if (!adds)
		return -1;
	for (xmlNode *ov = root->children; ov; ov = ov->next)
		if (is_q(e, ov, "override"))
			last_ov = ov;
	for (size_t i = 0; i < plan->nports; i++) {
		const struct pl_plan_port *p = &plan->ports[i];
		char alias[64];
		bool found = false;

		snprintf(alias, sizeof(alias), "ua-%s", p->id);
		for (xmlNode *ov = root->children; ov; ov = ov->next)
			for (xmlNode *dev = is_q(e, ov, "override") ? ov->children : NULL; dev; dev = dev->next)
				if (is_q(e, dev, "device") && lv_prop_is(dev, "alias", alias)) {
					found = true;
					rc |= update_device(e, p, dev);
				}
		if (!found && p->link_props) {
			xmlNs *ns = ns_for(e, last_ov);

			xmlAddChild(adds, pl_lv_override_device(p, ns));
		}
	}
	rc |= drop_stale_devices(e, root);
	if (last_ov)
		return rc | append_children(e, last_ov, adds);
	if (adds->children) {
		xmlNs *ns = ns_for(e, NULL);
		xmlNode *ov = xmlNewNode(ns, X("override"));

		own_decl(e, ov);
		for (xmlNode *c = adds->children, *next; c; c = next) {
			next = c->next;
			xmlUnlinkNode(c);
			xmlAddChild(ov, c);
		}
		xmlAddChild(top, ov);
	}
	xmlFreeNode(adds);
	return rc;
}

/* pcilink's "-global" "pcie-root-port.x-speed=..." pairs: set (libvirt < 8.2) or removed. The
 * words of every <qemu:commandline> make one argv (libvirt joins them) and pair as QEMU reads
 * them: an option's argument is never taken for a -global. */
static int merge_commandline(struct ed *e, xmlNode *root, xmlNode *top)
{
	char args[4][48];
	xmlNode *last_cl = NULL, *global = NULL;
	bool seen[2] = { false, false }, want_arg = false;
	int rc = 0;

	pl_lv_global_args(e->lv, args);
	for (xmlNode *cl = root->children; cl; cl = cl->next) {
		if (!is_q(e, cl, "commandline"))
			continue;
		last_cl = cl;
		for (xmlNode *a = cl->children; a; a = a->next) {
			char *v;
			const char *w, *opt;

			if (!is_q(e, a, "arg"))
				continue;
			v = lv_prop(a, "value");
			w = v ? v : "";
			for (int k = 0; k < 2 && global; k++) {   /* the arg before a is -global */
				const char *want = args[2 * k + 1];

				if (strncmp(w, want, strchr(want, '=') - want + 1))
					continue;
				seen[k] = true;
				if (e->lv->global) {
					rc |= set_attr(e, a, "value", want, -1);
				} else {
					gone(e, global);
					gone(e, a);
				}
			}
			opt = want_arg ? NULL : pl_qemu_opt_with_arg(w);
			want_arg = opt != NULL;
			global = opt && !strcmp(opt, "global") ? a : NULL;
			xmlFree(v);
		}
	}
	if (!e->lv->global)
		return rc;
	xmlNode *adds = holder();
	xmlNs *ns = ns_for(e, last_cl);

	for (int k = 0; k < 2; k++)
		for (int m = 2 * k; !seen[k] && m <= 2 * k + 1; m++)
			xmlNewProp(xmlNewChild(adds, ns, X("arg"), NULL), X("value"), X(args[m]));
	if (last_cl) {
		rc |= append_children(e, last_cl, adds);
	} else {
		xmlNode *cl = xmlNewNode(ns, X("commandline"));

		own_decl(e, cl);
		for (xmlNode *c = adds->children, *next; c; c = next) {
			next = c->next;
			xmlUnlinkNode(c);
			xmlAddChild(cl, c);
		}
		xmlAddChild(top, cl);
		xmlFreeNode(adds);
	}
	return rc;
}

int pl_lv_merge(const struct pl_plan *plan, struct pl_lv *lv)
{
	xmlNode *root = xmlDocGetRootElement(lv->dom), *devices = lv_child(root, "devices"), *top;
	struct ed e = { .lv = lv, .b = &lv->src };
	bool any = false, ov = false;
	int rc;

	if (!lv->ports || !lv->buf) {
		snprintf(lv->err, sizeof(lv->err), "internal error: merge before prepare");
		return PL_EINVAL;
	}
	e.st = calloc(lv->src.nel + 1, sizeof(*e.st));
	top = holder();                 /* new elements at the end of <domain> */
	if (!e.st || !top) {
		free(e.st);
		xmlFreeNode(top);
		snprintf(lv->err, sizeof(lv->err), "out of memory");
		return PL_ENOMEM;
	}
	for (size_t i = 0; i < plan->nports; i++)
		any |= plan->ports[i].link_props;
	detect_unit(&e, root);
	qemu_ns(&e, root, any || lv->global);
	rc = merge_devices(&e, plan, root, devices);
	for (xmlNode *c = root->children; c; c = c->next)
		ov |= is_q(&e, c, "override");
	rc |= merge_commandline(&e, root, top);
	if (!lv->global && (any || ov || lv->ndrop))
		rc |= merge_override(&e, plan, root, top);
	if (lv->qdecl_root)
		rc |= set_attr(&e, root, "xmlns:qemu", PL_LV_QEMU_NS, -1);
	rc |= append_children(&e, root, top);
	for (size_t i = 0; i < e.ngrown; i++)
		rc |= write_children(&e, e.grown[i].parent, e.grown[i].kids);
	rc |= remove_gone(&e);
	if (e.ns)
		xmlFreeNsList(e.ns);
	free(e.grown);
	free(e.gone);
	free(e.st);
	if (rc || lv->src.oom) {
		snprintf(lv->err, sizeof(lv->err), "out of memory");
		return PL_ENOMEM;
	}
	return PL_OK;
}
