/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The merged domain as the input's own bytes with pcilink's changes spliced in. libxml2 parses
 * the domain and decides what it means; a small scanner over the same bytes (already known
 * well-formed) records where each element's tags and attributes are, and is cross-checked
 * against libxml2's tree element by element. Edits are insertions and replacements at those
 * byte positions, so quote style, entities, CRLF, a BOM, attribute order and "<x />" outside
 * them stay as they were; new text follows the document's own newline, indentation and quotes.
 */
#include <stdlib.h>
#include <string.h>

#include "libvirt.h"
#include "util.h"

struct scanner {
	struct pl_lvb *b;
	size_t i;
};

static bool sp(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool namec(char c)
{
	return c && !sp(c) && c != '/' && c != '>' && c != '=' && c != '<' && c != '"' && c != '\'';
}

/* i at the first byte after what starts at i and ends with end; len when it never ends */
static size_t past(const char *buf, size_t len, size_t i, const char *end)
{
	size_t n = strlen(end);

	for (; i + n <= len; i++)
		if (!memcmp(buf + i, end, n))
			return i + n;
	return len;
}

/* <!DOCTYPE ...>, with an internal subset whose declarations may hold quoted '>' and ']' */
static size_t past_doctype(const char *buf, size_t len, size_t i)
{
	int depth = 0;

	while (i < len) {
		char c = buf[i];

		if (c == '"' || c == '\'') {
			const char *q = memchr(buf + i + 1, c, len - i - 1);

			i = q ? (size_t)(q - buf) + 1 : len;
		} else if (depth && len - i >= 4 && !memcmp(buf + i, "<!--", 4)) {
			i = past(buf, len, i + 4, "-->");
		} else if (depth && len - i >= 2 && !memcmp(buf + i, "<?", 2)) {
			i = past(buf, len, i + 2, "?>");
		} else if (c == '[') {
			depth++, i++;
		} else if (c == ']') {
			depth--, i++;
		} else if (c == '>' && !depth) {
			return i + 1;
		} else {
			i++;
		}
	}
	return len;
}

/* A start tag at s->i ('<'): its element, attributes and, for <x/>, its end. */
static int start_tag(struct scanner *s, size_t *stack, size_t *depth)
{
	struct pl_lvb *b = s->b;
	const char *buf = b->buf;
	size_t len = b->len, i = s->i + 1, e;
	struct pl_lvb_el *el;

	if (pl_grow((void **)&b->el, &b->elcap, b->nel, sizeof(*b->el)))
		return -1;
	e = b->nel++;
	el = &b->el[e];
	memset(el, 0, sizeof(*el));
	el->s0 = s->i;
	el->n0 = i;
	while (i < len && namec(buf[i]))
		i++;
	el->n1 = i;
	el->a0 = b->nat;
	for (;;) {
		size_t n0, n1;
		char q;

		while (i < len && sp(buf[i]))
			i++;
		if (i >= len)
			return -1;
		if (buf[i] == '>' || buf[i] == '/')
			break;
		n0 = i;
		while (i < len && namec(buf[i]))
			i++;
		n1 = i;
		while (i < len && sp(buf[i]))
			i++;
		if (i >= len || buf[i] != '=' || n1 == n0)
			return -1;
		i++;
		while (i < len && sp(buf[i]))
			i++;
		if (i >= len || (buf[i] != '"' && buf[i] != '\''))
			return -1;
		q = buf[i++];
		if (pl_grow((void **)&b->at, &b->atcap, b->nat, sizeof(*b->at)))
			return -1;
		b->at[b->nat++] = (struct pl_lvb_attr){ .n0 = n0, .n1 = n1, .v0 = i, .quote = q };
		while (i < len && buf[i] != q)
			i++;
		if (i >= len)
			return -1;
		b->at[b->nat - 1].v1 = i++;
	}
	el->a1 = b->nat;
	el = &b->el[e];
	el->tagend = i;                 /* at '/' of "/>" or at '>' */
	if (buf[i] == '/') {
		if (i + 1 >= len || buf[i + 1] != '>')
			return -1;
		el->empty = true;
		el->s1 = el->e0 = el->e1 = i + 2;
	} else {
		el->s1 = i + 1;
		if (*depth >= PL_LVB_DEPTH)
			return -1;
		stack[(*depth)++] = e;
	}
	s->i = el->s1;
	return 0;
}

static int scan(struct pl_lvb *b)
{
	struct scanner s = { .b = b };
	size_t stack[PL_LVB_DEPTH], depth = 0;
	const char *buf = b->buf;
	size_t len = b->len;

	while (s.i < len) {
		const char *lt = memchr(buf + s.i, '<', len - s.i);

		if (!lt)
			break;
		s.i = (size_t)(lt - buf);
		if (len - s.i >= 4 && !memcmp(lt, "<!--", 4)) {
			s.i = past(buf, len, s.i + 4, "-->");
		} else if (len - s.i >= 9 && !memcmp(lt, "<![CDATA[", 9)) {
			s.i = past(buf, len, s.i + 9, "]]>");
		} else if (len - s.i >= 2 && !memcmp(lt, "<?", 2)) {
			s.i = past(buf, len, s.i + 2, "?>");
		} else if (len - s.i >= 2 && !memcmp(lt, "<!", 2)) {
			s.i = past_doctype(buf, len, s.i + 2);
		} else if (len - s.i >= 2 && lt[1] == '/') {
			const char *gt = memchr(lt, '>', len - s.i);
			struct pl_lvb_el *el;

			if (!gt || !depth)
				return -1;
			el = &b->el[stack[--depth]];
			el->e0 = s.i;
			el->e1 = (size_t)(gt - buf) + 1;
			s.i = el->e1;
		} else if (start_tag(&s, stack, &depth)) {
			return -1;
		}
	}
	return depth ? -1 : 0;
}

/* The element's qualified name as libxml2 holds it: "prefix:name" or "name". */
static bool same_name(const struct pl_lvb *b, const struct pl_lvb_el *el, const xmlNode *n)
{
	const char *name = (const char *)n->name;
	size_t len = el->n1 - el->n0, pl = 0;
	const char *q = b->buf + el->n0;

	if (n->ns && n->ns->prefix) {
		pl = strlen((const char *)n->ns->prefix);
		if (len <= pl || memcmp(q, n->ns->prefix, pl) || q[pl] != ':')
			return false;
		pl++;
	}
	return len - pl == strlen(name) && !memcmp(q + pl, name, len - pl);
}

/* Pair libxml2's elements with the scanned ones in document order (n->_private). */
static int pair(struct pl_lvb *b, xmlNode *root)
{
	size_t k = 0;

	for (xmlNode *n = root; n;) {
		if (n->type == XML_ELEMENT_NODE) {
			if (k >= b->nel || !same_name(b, &b->el[k], n))
				return -1;
			n->_private = &b->el[k++];
			if (n->children) {
				n = n->children;
				continue;
			}
		}
		while (n && n != root && !n->next)
			n = n->parent;
		if (!n || n == root)
			break;
		n = n->next;
	}
	return k == b->nel ? 0 : -1;
}

static void detect_style(struct pl_lvb *b)
{
	const char *nl = memchr(b->buf, '\n', b->len);
	size_t dq = 0, sq = 0, tight = 0, spaced = 0;

	b->nl = nl && nl > b->buf && nl[-1] == '\r' ? "\r\n" : "\n";
	for (size_t i = 0; i < b->nat; i++)
		b->at[i].quote == '"' ? dq++ : sq++;
	for (size_t i = 0; i < b->nel; i++)
		if (b->el[i].empty)
			sp(b->buf[b->el[i].tagend - 1]) ? spaced++ : tight++;
	b->quote = sq > dq ? '\'' : '"';
	b->spaced_empty = spaced > tight;
}

int pl_lvb_map(struct pl_lvb *b, const char *buf, size_t len, xmlNode *root)
{
	b->buf = buf;
	b->len = len;
	if (scan(b) || pair(b, root))
		return -1;
	detect_style(b);
	return 0;
}

void pl_lvb_free(struct pl_lvb *b)
{
	for (size_t i = 0; i < b->ned; i++)
		free(b->ed[i].text);
	free(b->el);
	free(b->at);
	free(b->ed);
	memset(b, 0, sizeof(*b));
}

const struct pl_lvb_el *pl_lvb_el(const xmlNode *n)
{
	return n ? n->_private : NULL;
}

const struct pl_lvb_attr *pl_lvb_attr(const struct pl_lvb *b, const xmlNode *n, const char *name)
{
	const struct pl_lvb_el *el = pl_lvb_el(n);
	size_t len = strlen(name);

	for (size_t i = el ? el->a0 : 0; el && i < el->a1; i++)
		if (b->at[i].n1 - b->at[i].n0 == len && !memcmp(b->buf + b->at[i].n0, name, len))
			return &b->at[i];
	return NULL;
}

/* --- edits -------------------------------------------------------------------------------- */

int pl_lvb_edit(struct pl_lvb *b, size_t from, size_t to, const char *text)
{
	char *t = strdup(text ? text : "");

	if (!t || pl_grow((void **)&b->ed, &b->edcap, b->ned, sizeof(*b->ed))) {
		free(t);
		b->oom = true;
		return -1;
	}
	b->ed[b->ned] = (struct pl_lvb_ed){ .from = from, .to = to, .text = t, .seq = b->ned };
	b->ned++;
	return 0;
}

static int by_pos(const void *pa, const void *pb)
{
	const struct pl_lvb_ed *a = pa, *c = pb;

	if (a->from != c->from)
		return a->from < c->from ? -1 : 1;
	return a->seq < c->seq ? -1 : a->seq > c->seq;
}

int pl_lvb_write(struct pl_lvb *b, FILE *out)
{
	size_t at = 0;

	if (b->oom)
		return -1;
	if (b->ned)
		qsort(b->ed, b->ned, sizeof(*b->ed), by_pos);
	for (size_t i = 0; i < b->ned; i++) {
		const struct pl_lvb_ed *e = &b->ed[i];

		if (e->from < at || e->to < e->from)
			return -1;      /* overlapping edits: a bug, never half a document */
		at = e->to;
	}
	at = 0;
	for (size_t i = 0; i < b->ned; i++) {
		const struct pl_lvb_ed *e = &b->ed[i];

		fwrite(b->buf + at, 1, e->from - at, out);
		fputs(e->text, out);
		at = e->to;
	}
	fwrite(b->buf + at, 1, b->len - at, out);
	return ferror(out) ? -1 : 0;
}

/* The indentation of the line an element starts on, when only whitespace precedes it there. */
void pl_lvb_lead(const struct pl_lvb *b, const xmlNode *n, char *out, size_t len)
{
	const struct pl_lvb_el *el = pl_lvb_el(n);
	size_t i = el ? el->s0 : 0, k;

	out[0] = 0;
	while (i > 0 && (b->buf[i - 1] == ' ' || b->buf[i - 1] == '\t'))
		i--;
	if (!el || !i || b->buf[i - 1] != '\n')
		return;
	k = el->s0 - i < len ? el->s0 - i : len - 1;
	memcpy(out, b->buf + i, k);
	out[k] = 0;
}

/* Where the whitespace before an element's line begins (the line break), for removals. */
size_t pl_lvb_line_start(const struct pl_lvb *b, const xmlNode *n)
{
	const struct pl_lvb_el *el = pl_lvb_el(n);
	size_t i = el->s0;

	while (i > 0 && (b->buf[i - 1] == ' ' || b->buf[i - 1] == '\t'))
		i--;
	if (i > 0 && b->buf[i - 1] == '\n') {
		i--;
		if (i > 0 && b->buf[i - 1] == '\r')
			i--;
		return i;
	}
	return el->s0;
}

/* --- writing new elements in the document's style ------------------------------------------- */

struct sbuf {
	char *p;
	size_t n, cap;
	bool oom;
};

static void put(struct sbuf *s, const char *t, size_t n)
{
	if (s->oom)
		return;
	if (s->n + n + 1 > s->cap) {
		size_t cap = (s->n + n + 1) * 2;
		char *np = realloc(s->p, cap);

		if (!np) {
			s->oom = true;
			return;
		}
		s->p = np;
		s->cap = cap;
	}
	memcpy(s->p + s->n, t, n);
	s->n += n;
	s->p[s->n] = 0;
}

static void puts_(struct sbuf *s, const char *t)
{
	put(s, t, strlen(t));
}

void pl_lvb_escape(const char *v, char quote, char *out, size_t len)
{
	struct sbuf s = { 0 };

	for (const char *p = v; *p; p++) {
		switch (*p) {
		case '&': puts_(&s, "&amp;"); break;
		case '<': puts_(&s, "&lt;"); break;
		case '>': puts_(&s, "&gt;"); break;
		case '"': puts_(&s, quote == '"' ? "&quot;" : "\""); break;
		case '\'': puts_(&s, quote == '\'' ? "&apos;" : "'"); break;
		case '\n': puts_(&s, "&#10;"); break;
		case '\r': puts_(&s, "&#13;"); break;
		case '\t': puts_(&s, "&#9;"); break;
		default: put(&s, p, 1);
		}
	}
	snprintf(out, len, "%s", s.p ? s.p : "");
	free(s.p);
}

static void qname(struct sbuf *s, const xmlNode *n)
{
	if (n->ns && n->ns->prefix) {
		puts_(s, (const char *)n->ns->prefix);
		puts_(s, ":");
	}
	puts_(s, (const char *)n->name);
}

static void attr_out(struct sbuf *s, const struct pl_lvb *b, const char *name, const char *value)
{
	char q[2] = { b->quote, 0 }, v[512];

	pl_lvb_escape(value, b->quote, v, sizeof(v));
	puts_(s, " ");
	puts_(s, name);
	puts_(s, "=");
	puts_(s, q);
	puts_(s, v);
	puts_(s, q);
}

static void render(struct sbuf *s, const struct pl_lvb *b, const xmlNode *n, const char *ind, const char *unit)
{
	char inner[PL_LVB_LEAD];
	bool kids = false;

	snprintf(inner, sizeof(inner), "%s%s", ind, unit);
	puts_(s, "<");
	qname(s, n);
	for (const xmlNs *ns = n->nsDef; ns; ns = ns->next) {
		char an[128];

		snprintf(an, sizeof(an), "xmlns%s%s", ns->prefix ? ":" : "", ns->prefix ? (const char *)ns->prefix : "");
		attr_out(s, b, an, (const char *)ns->href);
	}
	for (const xmlAttr *a = n->properties; a; a = a->next) {
		xmlChar *v = xmlNodeGetContent((const xmlNode *)a);

		attr_out(s, b, (const char *)a->name, v ? (const char *)v : "");
		xmlFree(v);
	}
	if (n->children && n->children->type == XML_TEXT_NODE && !n->children->next) {
		/* text only, as <node>1</node> of an expander bus */
		char text[256];

		pl_lvb_escape((const char *)n->children->content, '"', text, sizeof(text));
		puts_(s, ">");
		puts_(s, text);
		puts_(s, "</");
		qname(s, n);
		puts_(s, ">");
		return;
	}
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!kids)
			puts_(s, ">");
		kids = true;
		if (*unit) {    /* else a document on one line: the new elements too */
			puts_(s, b->nl);
			puts_(s, inner);
		}
		render(s, b, c, inner, unit);
	}
	if (!kids) {
		puts_(s, b->spaced_empty ? " />" : "/>");
		return;
	}
	if (*unit) {
		puts_(s, b->nl);
		puts_(s, ind);
	}
	puts_(s, "</");
	qname(s, n);
	puts_(s, ">");
}

char *pl_lvb_render(const struct pl_lvb *b, const xmlNode *n, const char *ind, const char *unit)
{
	struct sbuf s = { 0 };

	render(&s, b, n, ind, unit);
	if (s.oom) {
		free(s.p);
		return NULL;
	}
	return s.p;
}
