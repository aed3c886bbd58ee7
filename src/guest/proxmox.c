/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proxmox VE VM config and PCI mapping reader (qemu-server's parse_vm_config rules, REFERENCE 8.4). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest.h"
#include "proxmox.h"
#include "util.h"

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return PL_EINVAL;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

static bool lower(char ch)
{
	return ch >= 'a' && ch <= 'z';
}

static bool digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static int hexval(char ch)
{
	if (digit(ch))
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* n hex digits at s (exactly, or at least n when atleast); value or -1. */
static long hexn(const char *s, size_t len, size_t *used, size_t n, bool atleast)
{
	long v = 0;
	size_t i = 0;

	while (i < len && hexval(s[i]) >= 0 && (atleast ? i < 8 : i < n))
		v = v * 16 + hexval(s[i++]);
	if (i < n || (!atleast && i != n))
		return -1;
	*used = i;
	return v;
}

/* One HOSTPCIID: (?:[0-9a-f]{4,}:)?[0-9a-f]{2}:[0-9a-f]{2}(?:\.[0-9a-f])? */
static int parse_id(const char *s, size_t len, struct pl_pve_id *id)
{
	size_t u, p = 0;
	long a, b, c;
	const char *colon2 = memchr(s, ':', len);

	memset(id, 0, sizeof(*id));
	if (!colon2)
		return PL_EINVAL;
	/* two colons: the domain comes first */
	if (memchr(colon2 + 1, ':', len - (size_t)(colon2 + 1 - s))) {
		if ((a = hexn(s, len, &u, 4, true)) < 0 || u >= len || s[u] != ':')
			return PL_EINVAL;
		id->bdf.domain = (uint32_t)a;
		p = u + 1;
	}
	if ((b = hexn(s + p, len - p, &u, 2, false)) < 0 || p + u >= len || s[p + u] != ':')
		return PL_EINVAL;
	p += u + 1;
	if ((c = hexn(s + p, len - p, &u, 2, false)) < 0 || c > 0x1f)
		return PL_EINVAL;
	p += u;
	id->bdf.bus = (uint8_t)b;
	id->bdf.dev = (uint8_t)c;
	if (p == len) {
		id->all_fns = true;
		return PL_OK;
	}
	if (s[p] != '.' || p + 2 != len || hexval(s[p + 1]) < 0 || hexval(s[p + 1]) > 7)
		return PL_EINVAL;
	id->bdf.fn = (uint8_t)hexval(s[p + 1]);
	return PL_OK;
}

int pl_pve_parse_ids(const char *s, size_t len, struct pl_pve_id *ids, int max)
{
	int n = 0;

	while (len) {
		const char *semi = memchr(s, ';', len);
		size_t l = semi ? (size_t)(semi - s) : len;

		if (n == max || parse_id(s, l, &ids[n]))
			return PL_EINVAL;
		n++;
		if (!semi)
			break;
		len -= l + 1;
		s += l + 1;
		if (!len)
			return PL_EINVAL;
	}
	return n ? n : PL_EINVAL;
}

bool pl_pve_id_matches(const struct pl_pve_id *id, const struct pl_bdf *b)
{
	return id->bdf.domain == b->domain && id->bdf.bus == b->bus && id->bdf.dev == b->dev &&
	       (id->all_fns || id->bdf.fn == b->fn);
}

void pl_pve_port_addr(int index, int *slot, int *fn)
{
	/* pve-q35-4.0.cfg: ports 1-4 at 1c.0-1c.3; print_pcie_root_port(): 10.0-10.7, 11.0-11.3 */
	if (index < 4) {
		*slot = 0x1c;
		*fn = index;
	} else if (index < 12) {
		*slot = 0x10;
		*fn = index - 4;
	} else {
		*slot = 0x11;
		*fn = index - 12;
	}
}

/* PVE's property-string booleans. */
static int boolean(const char *v, size_t len)
{
	static const char *const yes[] = { "1", "on", "yes", "true" }, *const no[] = { "0", "off", "no", "false" };

	for (size_t i = 0; i < 4; i++) {
		if (strlen(yes[i]) == len && !strncasecmp(v, yes[i], len))
			return 1;
		if (strlen(no[i]) == len && !strncasecmp(v, no[i], len))
			return 0;
	}
	return -1;
}

/*
 * "host[,key=value...]" or "mapping=NAME,...": the keys pcilink reads; others stay as bytes. Of
 * those, one given twice is refused, as Proxmox's parse_property_string refuses any ("duplicate
 * key"); a bare value is the host key.
 */
static int parse_hostpci(const char *v, size_t len, struct pl_pve_hostpci *h, char *why, size_t whylen)
{
	enum { HOST = 1, MAPPING = 2, PCIE = 4, XVGA = 8 };
	unsigned seen = 0, key;

	while (len) {
		const char *comma = memchr(v, ',', len);
		size_t l = comma ? (size_t)(comma - v) : len;
		const char *eq = memchr(v, '=', l);
		size_t kl = eq ? (size_t)(eq - v) : 0, vl = eq ? l - kl - 1 : l;
		const char *val = eq ? eq + 1 : v;
		int b;

		key = !eq || (kl == 4 && !memcmp(v, "host", 4)) ? HOST
		      : kl == 7 && !memcmp(v, "mapping", 7)      ? MAPPING
		      : kl == 4 && !memcmp(v, "pcie", 4)         ? PCIE
		      : kl == 5 && !memcmp(v, "x-vga", 5)        ? XVGA
								 : 0;
		if (seen & key)
			return fail(why, whylen, "%s appears twice: keep one (Proxmox refuses a duplicate key)",
				    key == HOST ? "the host id" : key == MAPPING ? "mapping=" : key == PCIE ? "pcie=" : "x-vga=");
		seen |= key;
		if (key == HOST) {
			if ((h->nids = pl_pve_parse_ids(val, vl, h->ids, PL_PVE_MAX_IDS)) < 0)
				return fail(why, whylen, "'%.*s' is not a host PCI id (BB:DD.F, DDDD:BB:DD.F, ';' "
					    "between several, at most %d)", (int)(vl > 60 ? 60 : vl), val, PL_PVE_MAX_IDS);
		} else if (key == MAPPING) {
			if (!vl || vl >= sizeof(h->mapping) || memchr(val, ';', vl))
				return fail(why, whylen, "mapping '%.*s' is not a mapping id", (int)(vl > 60 ? 60 : vl), val);
			memcpy(h->mapping, val, vl);
			h->mapping[vl] = 0;
		} else if (key) {
			if ((b = boolean(val, vl)) < 0)
				return fail(why, whylen, "%.*s=%.*s is not a boolean (0 or 1)", (int)kl, v,
					    (int)(vl > 20 ? 20 : vl), val);
			if (key == PCIE)
				h->pcie = b;
			else
				h->xvga = b;
		}
		if (!comma)
			break;
		len -= l + 1;
		v += l + 1;
	}
	if (!(seen & HOST) == !(seen & MAPPING))
		return fail(why, whylen, seen & HOST ? "both a host id and mapping= (give one)"
						     : "neither a host id nor mapping=");
	return PL_OK;
}

/* machine: [type=]q35|pc-q35-X.Y[+pveN][.pxe][,viommu=...] (qemu-server's machine format) */
static void parse_machine(struct pl_pve_conf *c, const char *v, size_t len)
{
	const char *comma = memchr(v, ',', len);
	size_t l = comma ? (size_t)(comma - v) : len;
	int a, b;

	if (l > 5 && !memcmp(v, "type=", 5)) {
		v += 5;
		l -= 5;
	}
	snprintf(c->machine, sizeof(c->machine), "%.*s", (int)(l > 60 ? 60 : l), v);
	c->has_machine = true;
	c->q35 = strstr(c->machine, "q35") != NULL;
	if (sscanf(c->machine, "pc-q35-%d.%d", &a, &b) == 2 && a >= 0 && b >= 0) {
		c->machine_major = a;
		c->machine_minor = b;
	}
}

static bool span_is(const char *buf, struct pl_pve_span s, const char *lit)
{
	return s.len == strlen(lit) && !memcmp(buf + s.off, lit, s.len);
}

/* "[name]" line: a section header as parse_vm_config sees one */
static bool section_header(const char *l, size_t len)
{
	const char *close;

	if (!len || l[0] != '[' || !(close = memchr(l, ']', len)))
		return false;
	for (const char *p = close + 1; p < l + len; p++)
		if (!is_blank(*p))
			return false;
	return true;
}

static int add_key(struct pl_pve_conf *c, struct pl_pve_span name, struct pl_pve_span line)
{
	if (pl_grow((void **)&c->keys, &c->keys_cap, c->nkeys, sizeof(*c->keys)))
		return PL_ENOMEM;
	c->keys[c->nkeys].name = name;
	c->keys[c->nkeys++].line = line;
	return PL_OK;
}

/* key: ^[a-z][a-z_-]*\d*: then the value, blanks around it dropped; false when not a key line */
static bool key_line(const char *l, size_t len, size_t *klen, struct pl_pve_span *val)
{
	size_t i = 0, s, e;

	if (!len || !lower(l[0]))
		return false;
	while (i < len && (lower(l[i]) || l[i] == '_' || l[i] == '-'))
		i++;
	while (i < len && digit(l[i]))
		i++;
	if (i >= len || l[i] != ':')
		return false;
	*klen = i;
	for (s = i + 1; s < len && is_blank(l[s]); s++)
		;
	for (e = len; e > s && is_blank(l[e - 1]); e--)
		;
	val->off = s;
	val->len = e - s;
	return true;
}

static int pending_line(struct pl_pve_conf *c, const char *l, size_t len)
{
	size_t kl;
	struct pl_pve_span v;

	if (c->pending_hostpci || !key_line(l, len, &kl, &v))
		return 0;
	if ((kl > 7 && !memcmp(l, "hostpci", 7)) || (kl == 4 && !memcmp(l, "args", 4)) ||
	    (kl == 6 && !memcmp(l, "delete", 6) && (memmem(l + v.off, v.len, "hostpci", 7) ||
						    memmem(l + v.off, v.len, "args", 4)))) {
		c->pending_hostpci = true;
		snprintf(c->pending_key, sizeof(c->pending_key), "%.*s", (int)(kl > 20 ? 20 : kl), l);
	}
	return 0;
}

static int main_line(struct pl_pve_conf *c, size_t off, size_t len, size_t nl, unsigned lineno, char *err,
		     size_t errlen)
{
	const char *l = c->buf + off;
	struct pl_pve_span v, name = { off, 0 }, line = { off, len + nl };
	char why[160];
	size_t kl;
	int idx;

	if (!key_line(l, len, &kl, &v))
		return fail(err, errlen, "%s:%u: not a 'key: value' line: is this a VM config?", c->name, lineno);
	name.len = kl;
	v.off += off;
	if (add_key(c, name, line))
		return PL_ENOMEM;
	if (kl > 7 && !memcmp(l, "hostpci", 7)) {
		struct pl_pve_hostpci *h;

		if (kl > 9 || !digit(l[7]) || (kl == 9 && (l[7] == '0' || !digit(l[8]))))
			return fail(err, errlen, "%s:%u: '%.*s' is not a hostpci key (hostpci0 to hostpci15)", c->name,
				    lineno, (int)kl, l);
		idx = atoi(l + 7);
		if (idx >= PL_PVE_MAX_HOSTPCI)
			return fail(err, errlen, "%s:%u: hostpci%d: qemu-server knows hostpci0 to hostpci15", c->name,
				    lineno, idx);
		h = &c->hostpci[idx];
		if (h->present)
			return fail(err, errlen, "%s:%u: hostpci%d appears twice (also on line %u): keep one", c->name,
				    lineno, idx, h->line);
		memset(h, 0, sizeof(*h));
		h->present = true;
		h->line = lineno;
		h->span = (struct pl_pve_span){ off, len };
		h->value = v;
		if (parse_hostpci(c->buf + v.off, v.len, h, why, sizeof(why)))
			return fail(err, errlen, "%s:%u: hostpci%d: %s", c->name, lineno, idx, why);
	} else if (kl == 7 && !memcmp(l, "machine", 7)) {
		parse_machine(c, c->buf + v.off, v.len);
	} else if (kl == 4 && !memcmp(l, "args", 4)) {
		if (c->has_args)
			return fail(err, errlen, "%s:%u: args appears twice (also on line %u): keep one", c->name, lineno,
				    c->args_line);
		c->has_args = true;
		c->args_line = lineno;
		c->args_span = (struct pl_pve_span){ off, len };
		c->args_value = v;
	} else if (kl == 4 && !memcmp(l, "bios", 4)) {
		c->ovmf = span_is(c->buf, v, "ovmf");
	} else if (kl == 6 && !memcmp(l, "ostype", 6)) {
		c->win7 = span_is(c->buf, v, "win7");
	}
	return PL_OK;
}

int pl_pve_parse(const char *buf, size_t len, const char *name, struct pl_pve_conf *c, char *err, size_t errlen)
{
	enum { MAIN, PENDING, OTHER } sect = MAIN;
	unsigned lineno = 0;
	size_t off = 0;
	int rc;

	memset(c, 0, sizeof(*c));
	c->buf = buf;
	c->len = len;
	c->name = name;
	c->main_end = len;
	if (len > PL_PVE_MAX_CONF)
		return fail(err, errlen, "%s: larger than %u kB: not a VM config", name, PL_PVE_MAX_CONF >> 10);
	if (memchr(buf, 0, len))
		return fail(err, errlen, "%s: has a NUL byte: not a VM config", name);
	while (off < len) {
		const char *l = buf + off, *end = memchr(l, '\n', len - off);
		size_t ll = end ? (size_t)(end - l) : len - off, nl = end ? 1 : 0, i;

		lineno++;
		for (i = 0; i < ll && is_blank(l[i]); i++)
			;
		if (i == ll || l[0] == '#') {
			/* blank lines and the description are kept as they are */
		} else if (section_header(l, ll)) {
			if (sect == MAIN)
				c->main_end = off;
			sect = ll >= 9 && !strncasecmp(l, "[PENDING]", 9) ? PENDING : OTHER;
		} else if (sect == PENDING) {
			pending_line(c, l, ll);
		} else if (sect == MAIN && (rc = main_line(c, off, ll, nl, lineno, err, errlen))) {
			if (rc == PL_ENOMEM)
				snprintf(err, errlen, "out of memory");
			return rc;
		}
		off += ll + nl;
	}
	return PL_OK;
}

void pl_pve_free(struct pl_pve_conf *c)
{
	free(c->keys);
	c->keys = NULL;
	c->nkeys = c->keys_cap = 0;
}

/* One "map" property of pci.cfg: "node=N,path=P[,id=...,iommugroup=...]"; the path when node matches. */
static int map_path(const char *v, size_t len, const char *node, const char **path, size_t *plen, bool *match)
{
	bool node_ok = false;

	*path = NULL;
	while (len) {
		const char *comma = memchr(v, ',', len);
		size_t l = comma ? (size_t)(comma - v) : len;

		if (l > 5 && !memcmp(v, "node=", 5))
			node_ok = l - 5 == strlen(node) && !memcmp(v + 5, node, l - 5);
		else if (l > 5 && !memcmp(v, "path=", 5)) {
			*path = v + 5;
			*plen = l - 5;
		}
		if (!comma)
			break;
		len -= l + 1;
		v += l + 1;
	}
	if (!*path)
		return PL_EINVAL;
	*match = node_ok;
	return PL_OK;
}

int pl_pve_resolve_mappings(struct pl_pve_conf *c, const char *cfg, size_t len, const char *cfgname,
			    const char *node, char *err, size_t errlen)
{
	char cur[64] = "";
	unsigned lineno = 0;
	size_t off = 0;

	if (len > PL_PVE_MAX_CONF)
		return fail(err, errlen, "%s: larger than %u kB: not a mapping file", cfgname, PL_PVE_MAX_CONF >> 10);
	if (memchr(cfg, 0, len))
		return fail(err, errlen, "%s: has a NUL byte: not a mapping file", cfgname);
	while (off < len) {
		const char *l = cfg + off, *end = memchr(l, '\n', len - off);
		size_t ll = end ? (size_t)(end - l) : len - off, i, e;

		off += ll + (end ? 1 : 0);
		lineno++;
		for (e = ll; e && is_blank(l[e - 1]); e--)
			;
		if (!e || l[0] == '#')
			continue;
		if (!is_blank(l[0])) {
			/* a section header: the mapping id alone on its line */
			for (i = 0; i < e && !is_blank(l[i]); i++)
				;
			if (i != e || e >= sizeof(cur))
				return fail(err, errlen, "%s:%u: not a mapping id line", cfgname, lineno);
			memcpy(cur, l, e);
			cur[e] = 0;
			continue;
		}
		for (i = 0; i < e && is_blank(l[i]); i++)
			;
		if (!cur[0])
			return fail(err, errlen, "%s:%u: a property before any mapping id", cfgname, lineno);
		if (e - i < 4 || memcmp(l + i, "map", 3) || !is_blank(l[i + 3]))
			continue;       /* description, mdev, live-migration-capable */
		for (i += 3; i < e && is_blank(l[i]); i++)
			;
		for (int k = 0; k < PL_PVE_MAX_HOSTPCI; k++) {
			struct pl_pve_hostpci *h = &c->hostpci[k];
			const char *p;
			size_t pl;
			bool match;

			if (!h->present || !h->mapping[0] || h->mapped || strcmp(h->mapping, cur))
				continue;
			if (map_path(l + i, e - i, node, &p, &pl, &match))
				return fail(err, errlen, "%s:%u: a map without path=", cfgname, lineno);
			if (!match)
				continue;
			if ((h->nids = pl_pve_parse_ids(p, pl, h->ids, PL_PVE_MAX_IDS)) < 0)
				return fail(err, errlen, "%s:%u: path '%.*s' is not a host PCI id", cfgname, lineno,
					    (int)(pl > 60 ? 60 : pl), p);
			h->mapped = true;
		}
	}
	for (int k = 0; k < PL_PVE_MAX_HOSTPCI; k++) {
		const struct pl_pve_hostpci *h = &c->hostpci[k];

		if (h->present && h->mapping[0] && !h->mapped)
			return fail(err, errlen, "%s:%u: hostpci%d: mapping '%s' has no map for node '%s' in %s", c->name,
				    h->line, k, h->mapping, node, cfgname);
	}
	return PL_OK;
}

/* One word of an args: value as PVE::Tools::split_args (Text::ParseWords::shellwords) sees it:
 * quotes and backslashes kept raw; blanks are Perl's \s; a backslash escapes the next byte
 * inside '...' too. *open is set when a quote runs to the end. */
size_t pl_pve_word_end(const char *v, size_t len, size_t i, bool *open)
{
	char q = 0;

	*open = false;
	for (; i < len; i++) {
		if (q) {
			if (v[i] == q)
				q = 0;
			else if (v[i] == '\\' && i + 1 < len)
				i++;
		} else if (v[i] == '\'' || v[i] == '"') {
			q = v[i];
		} else if (v[i] == '\\') {
			if (i + 1 == len)
				*open = true;   /* shellwords gives no word at all; ours would escape what we append */
			else
				i++;
		} else if (is_blank(v[i])) {
			break;
		}
	}
	*open |= q != 0;
	return i;
}

size_t pl_pve_unquote(const char *v, size_t s, size_t e, char *w, size_t size)
{
	size_t o = 0;
	char q = 0;

	for (size_t i = s; i < e; i++) {
		if (!q && (v[i] == '\'' || v[i] == '"')) {
			q = v[i];
			continue;
		}
		if (q && v[i] == q) {
			q = 0;
			continue;
		}
		if (v[i] == '\\' && i + 1 < e) {
			/* '\x' keeps its backslash (Text::ParseWords without PERL_SINGLE_QUOTE) */
			if (q == '\'' && o++ + 1 < size)
				w[o - 1] = v[i];
			i++;
		}
		if (o + 1 < size)
			w[o] = v[i];
		o++;
	}
	if (size)
		w[o < size ? o : size - 1] = 0;
	return o;
}

static size_t skip_blanks(const char *v, size_t len, size_t i)
{
	while (i < len && is_blank(v[i]))
		i++;
	return i;
}

bool pl_pve_args_next(const char *v, size_t len, size_t *i, struct pl_pve_arg *a)
{
	char word[64];
	const char *opt;

	a->ws = *i;
	*i = skip_blanks(v, len, *i);
	if (*i == len)
		return false;
	a->s = *i;
	a->e = *i = pl_pve_word_end(v, len, a->s, &a->open);
	a->vs = a->ve = a->e;
	a->opt[0] = a->arg[0] = 0;
	a->arg_fits = true;
	a->missing = false;
	/* a longer word is no option without an argument: their names are short */
	pl_pve_unquote(v, a->s, a->e, word, sizeof(word));
	if (!(opt = pl_qemu_opt_with_arg(word)))
		return true;
	snprintf(a->opt, sizeof(a->opt), "%s", opt);
	*i = skip_blanks(v, len, *i);
	if (*i == len) {
		a->missing = true;
		return true;
	}
	a->vs = *i;
	a->ve = *i = pl_pve_word_end(v, len, a->vs, &a->open);
	a->arg_fits = pl_pve_unquote(v, a->vs, a->ve, a->arg, sizeof(a->arg)) < sizeof(a->arg);
	return true;
}

/* Why pcilink cannot append to args:: 'q', a quote or a final backslash runs to the end; 'm', the
 * last option lacks its argument (its name in opt); 0, it can. */
static char args_trouble(const char *v, size_t len, char *opt, size_t size)
{
	struct pl_pve_arg a;
	size_t i = 0;

	while (pl_pve_args_next(v, len, &i, &a)) {
		if (a.open)
			return 'q';
		if (a.missing) {
			snprintf(opt, size, "%s", a.opt);
			return 'm';
		}
	}
	return 0;
}

/* The machine must give pcie-root-port ports named ich9-pcie-port-N (q35, 4.0 or newer). */
int pl_pve_check_target(const struct pl_pve_conf *f, char *err, size_t errlen)
{
	char opt[32], trouble;

	if (!f->has_machine)
		return fail(err, errlen, "%s has no machine: line, so the VM is i440fx, which has no PCIe root ports: "
			    "set 'machine: q35' first (a change the guest notices)", f->name);
	if (!f->q35)
		return fail(err, errlen, "%s: machine '%s' is not q35, which pcie=1 and root ports need: set "
			    "'machine: q35' first (a change the guest notices)", f->name, f->machine);
	if ((f->machine_major || f->machine_minor) && f->machine_major < 4)
		return fail(err, errlen, "%s: machine '%s' gets ioh3420 root ports (2.5GT/s x1, no x-speed/x-width): "
			    "set machine pc-q35-4.0 or newer, or q35", f->name, f->machine);
	if (f->win7)
		return fail(err, errlen, "%s: ostype win7 puts pcie=1 devices on pcie.0 without root ports: nothing to set",
			    f->name);
	trouble = f->has_args ? args_trouble(f->buf + f->args_value.off, f->args_value.len, opt, sizeof(opt)) : 0;
	if (trouble == 'q')
		return fail(err, errlen, "%s:%u: args: a quote or a backslash runs to the end of the line: close it",
			    f->name, f->args_line);
	if (trouble == 'm')
		return fail(err, errlen, "%s:%u: args: -%s ends the line without its argument, so QEMU would read "
			    "pcilink's -set as it: give it one", f->name, f->args_line, opt);
	for (int k = 0; k < PL_PVE_MAX_HOSTPCI; k++)
		if (f->hostpci[k].present && f->hostpci[k].mapping[0] && !f->hostpci[k].mapped)
			return fail(err, errlen, "%s:%u: hostpci%d uses mapping=%s: give --mapping /etc/pve/mapping/pci.cfg "
				    "to resolve it", f->name, f->hostpci[k].line, k, f->hostpci[k].mapping);
	return PL_OK;
}
