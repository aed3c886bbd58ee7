/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A QEMU command line into the guest model: -device (keyval with doubled commas, or JSON),
 * -readconfig, -set, -global, -M/-machine. Pure but for -readconfig files (open_files).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gjson.h"
#include "guest.h"
#include "util.h"

/* input quoted in an error: a short excerpt, controls escaped */
#define EX(s) pl_excerpt(r->ex, sizeof(r->ex), (s))

/* QEMU options that take no argument (qemu-options.hx, 7.2 to 10.0); every other one takes one. */
static const char *const no_arg[] = {
	"S", "s", "h", "help", "version", "snapshot", "nographic", "daemonize", "nodefaults",
	"no-user-config", "nodefconfig", "no-reboot", "no-shutdown", "no-hpet", "no-acpi", "enable-kvm",
	"no-kvm", "full-screen", "curses", "sdl", "portrait", "win2k-hack", "no-fd-bootchk", "no-quit",
	"alt-grab", "ctrl-grab", "no-frame", "only-migratable", "enable-fips", "preconfig", "old-param",
	"semihosting", "xen-attach", "xen-domid-restrict", "usb", "singlestep", "enable-sync-profile",
	"perfmap", "jitdump", "mem-prealloc", "audio-help", "rtc-td-hack", "no-kvm-irqchip", "no-kvm-pit",
	"no-kvm-pit-reinjection", "show-cursor", "nouserconfig",
};

struct rd {
	struct pl_guest *g;
	bool open_files;
	char *err;
	size_t errlen;
	int ndevice;            /* -device options seen, for origins */
	int depth;              /* -readconfig nesting */
	char ex[PL_EXCERPT_SIZE];
};

static int fail(struct rd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct rd *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
	return PL_EINVAL;
}

static void refuse(struct rd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void refuse(struct rd *r, const char *fmt, ...)
{
	char buf[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pl_diag_add(&r->g->refusals, &r->g->refusal_tail, "%s", buf);
}

/* ---- keyval: "drv,a=b,c=d" with ",," for a comma inside a value ---- */

struct kv {
	char *k, *v;            /* v NULL: an item without '=' */
};

/* Split s (modified) into items; returns how many, -1 when there are too many. */
static int keyval(char *s, struct kv *items, int max)
{
	int n = 0;
	char *w = s, *start = s;

	for (char *p = s;; p++) {
		if (*p == ',' && p[1] == ',') {
			*w++ = ',';
			p++;
			continue;
		}
		if (*p == ',' || !*p) {
			bool end = !*p;
			char *eq;

			*w = 0;
			if (n == max)
				return -1;
			eq = strchr(start, '=');
			items[n].k = start;
			items[n].v = eq ? eq + 1 : NULL;
			if (eq)
				*eq = 0;
			n++;
			if (end)
				break;
			start = w = p + 1;
			continue;
		}
		*w++ = *p;
	}
	return n;
}

#define MAX_ITEMS 64

static int set_prop(struct rd *r, struct pl_gdev *d, const char *k, const char *v, enum pl_gsrc src)
{
	if (pl_gdev_set(d, k, v, src))
		refuse(r, "%s: %s=%s is not a value QEMU takes for '%s'", d->origin, k, v, k);
	return PL_OK;
}

static int device_keyval(struct rd *r, const char *spec, const char *origin)
{
	struct kv it[MAX_ITEMS];
	char *s = strdup(spec);
	struct pl_gdev *d;
	int n;

	if (!s)
		return PL_ENOMEM;
	n = keyval(s, it, MAX_ITEMS);
	if (n < 0 || !it[0].k[0]) {
		free(s);
		return fail(r, "%s: cannot read '-device %s'", origin, EX(spec));
	}
	d = pl_guest_add(r->g, it[0].v ? "" : it[0].k);
	if (!d) {
		free(s);
		return PL_ENOMEM;
	}
	snprintf(d->origin, sizeof(d->origin), "%s", origin);
	for (int i = it[0].v ? 0 : 1; i < n; i++) {
		if (!it[i].v) {
			/* QEMU's keyval takes a bare "on" key only as the implied first item */
			refuse(r, "%s: '%s' has no value", origin, it[i].k);
			continue;
		}
		set_prop(r, d, it[i].k, it[i].v, PL_GSRC_EXPLICIT);
	}
	free(s);
	if (!d->driver[0])
		return fail(r, "%s: -device without a driver", origin);
	return PL_OK;
}

static int device_json(struct rd *r, const char *spec, const char *origin)
{
	yaml_document_t doc;
	yaml_node_t *root;
	struct pl_gdev *d;
	char e[200];
	const char *drv;

	if (pl_json_load(&doc, spec, strlen(spec), e, sizeof(e)))
		return fail(r, "%s: -device JSON: %s", origin, e);
	root = pl_json_root(&doc);
	drv = pl_json_str(pl_json_get(&doc, root, "driver"));
	if (root->type != YAML_MAPPING_NODE || !drv) {
		yaml_document_delete(&doc);
		return fail(r, "%s: -device JSON without a \"driver\"", origin);
	}
	d = pl_guest_add(r->g, drv);
	if (!d) {
		yaml_document_delete(&doc);
		return PL_ENOMEM;
	}
	snprintf(d->origin, sizeof(d->origin), "%s", origin);
	d->json = true;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		const char *k = pl_json_str(yaml_document_get_node(&doc, p->key));
		yaml_node_t *vn = yaml_document_get_node(&doc, p->value);
		const char *v = pl_json_str(vn);
		char buf[16];

		if (!k || !v || !strcmp(k, "driver"))
			continue;
		/* "addr": 16 is a devfn; "addr": "0x2.0" is slot.function text */
		if (!strcmp(k, "addr") && !pl_json_is_string(vn)) {
			char *end;
			long devfn = strtol(v, &end, 10);

			if (*end || devfn < 0 || devfn > 255) {
				refuse(r, "%s: addr %s is not a PCI address", origin, v);
				continue;
			}
			snprintf(buf, sizeof(buf), "%lx.%lx", (unsigned long)devfn >> 3, (unsigned long)devfn & 7);
			v = buf;
		}
		set_prop(r, d, k, v, PL_GSRC_EXPLICIT);
		if ((!strcmp(k, "x-speed") || !strcmp(k, "x-width")) && !pl_json_is_string(vn)) {
			struct pl_gprop *gp = !strcmp(k, "x-speed") ? &d->speed : &d->width;

			gp->not_string = true;
			refuse(r, "%s: \"%s\": %s is a number, QEMU wants the string \"%s\"", origin, k, v, v);
		}
	}
	yaml_document_delete(&doc);
	return PL_OK;
}

static int device(struct rd *r, const char *spec)
{
	char origin[64];

	snprintf(origin, sizeof(origin), "-device #%d", ++r->ndevice);
	while (*spec == ' ')
		spec++;
	return *spec == '{' ? device_json(r, spec, origin) : device_keyval(r, spec, origin);
}

/* -set device.ID.PROP=VALUE: edits the option of a device defined earlier (not JSON ones). */
static int set_opt(struct rd *r, const char *arg)
{
	const char *dot1 = strchr(arg, '.'), *dot2, *eq;
	char id[64], prop[40];
	struct pl_gdev *d;

	if (!dot1 || !(dot2 = strchr(dot1 + 1, '.')) || !(eq = strchr(dot2 + 1, '=')))
		return fail(r, "-set %s: not GROUP.ID.PROPERTY=VALUE", EX(arg));
	if (strncmp(arg, "device.", 7))
		return PL_OK;   /* other groups do not touch PCI devices */
	snprintf(id, sizeof(id), "%.*s", (int)(dot2 - dot1 - 1), dot1 + 1);
	snprintf(prop, sizeof(prop), "%.*s", (int)(eq - dot2 - 1), dot2 + 1);
	d = pl_guest_find(r->g, id);
	if (!d || d->json) {
		refuse(r, "-set %s: there is no device \"%s\" defined%s", arg, id,
		       d ? " (it is given as JSON, which -set cannot reach)" : "");
		return PL_OK;
	}
	return set_prop(r, d, prop, eq + 1, PL_GSRC_SET);
}

/* -global DRIVER.PROP=VALUE or -global driver=D,property=P,value=V */
static int global(struct rd *r, const char *arg)
{
	struct kv it[8];
	const char *drv = NULL, *prop = NULL, *val = NULL, *dot;
	char *s = strdup(arg);
	int n, rc = PL_OK;

	if (!s)
		return PL_ENOMEM;
	n = keyval(s, it, 8);
	if (n == 1 && it[0].v && (dot = strchr(it[0].k, '.'))) {
		*(char *)dot = 0;
		drv = it[0].k;
		prop = dot + 1;
		val = it[0].v;
	} else {
		for (int i = 0; i < n; i++) {
			if (!it[i].v)
				continue;
			if (!strcmp(it[i].k, "driver"))
				drv = it[i].v;
			else if (!strcmp(it[i].k, "property"))
				prop = it[i].v;
			else if (!strcmp(it[i].k, "value"))
				val = it[i].v;
		}
	}
	if (!drv || !prop || !val)
		rc = fail(r, "-global %s: not DRIVER.PROPERTY=VALUE", EX(arg));
	else
		rc = pl_guest_add_global(r->g, drv, prop, val);
	free(s);
	return rc;
}

static int machine(struct rd *r, const char *arg)
{
	struct kv it[MAX_ITEMS];
	char *s = strdup(arg);
	int n;

	if (!s)
		return PL_ENOMEM;
	n = keyval(s, it, MAX_ITEMS);
	for (int i = 0; i < n; i++)
		if ((i == 0 && !it[i].v) || (it[i].v && !strcmp(it[i].k, "type")))
			pl_guest_set_machine(r->g, it[i].v ? it[i].v : it[i].k);
	free(s);
	return PL_OK;
}

static int readconfig(struct rd *r, const char *path);

static int option(struct rd *r, const char *opt, const char *arg)
{
	if (!strcmp(opt, "device"))
		return device(r, arg);
	if (!strcmp(opt, "set"))
		return set_opt(r, arg);
	if (!strcmp(opt, "global"))
		return global(r, arg);
	if (!strcmp(opt, "M") || !strcmp(opt, "machine"))
		return machine(r, arg);
	if (!strcmp(opt, "readconfig"))
		return readconfig(r, arg);
	return PL_OK;
}

/* ---- -readconfig: [device "ID"] / [global] / [machine] sections of key = "value" lines ---- */

static char *unquote(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && strchr(" \t\r\n", s[n - 1]))
		s[--n] = 0;
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s[n - 1] = 0;
		s++;
	}
	return s;
}

static int readconfig_text(struct rd *r, char *text, const char *name)
{
	enum { NONE, DEV, GLOBAL, MACHINE, OTHER } sec = NONE;
	char gdrv[40] = "", gprop[40] = "", gval[24] = "";
	struct pl_gdev *d = NULL;
	unsigned line = 0;
	char *save = NULL;

	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *k, *eq;

		line++;
		while (*l == ' ' || *l == '\t')
			l++;
		if (!*l || *l == '#' || *l == '\r')
			continue;
		if (*l == '[') {
			char id[64];

			if (sec == GLOBAL && gdrv[0] && gprop[0] && pl_guest_add_global(r->g, gdrv, gprop, gval))
				return PL_ENOMEM;
			gdrv[0] = gprop[0] = gval[0] = 0;
			d = NULL;
			if (sscanf(l, "[device \"%63[^\"]\"]", id) == 1) {
				sec = DEV;
				if (!(d = pl_guest_add(r->g, "")))
					return PL_ENOMEM;
				snprintf(d->id, sizeof(d->id), "%s", id);
				snprintf(d->origin, sizeof(d->origin), "readconfig %.40s", name);
			} else if (!strncmp(l, "[global]", 8))
				sec = GLOBAL;
			else if (!strncmp(l, "[machine]", 9))
				sec = MACHINE;
			else
				sec = OTHER;
			continue;
		}
		if (!(eq = strchr(l, '=')))
			return fail(r, "%s:%u: not 'key = \"value\"'", EX(name), line);
		*eq = 0;
		k = unquote(l);
		l = unquote(eq + 1);
		if (sec == DEV)
			set_prop(r, d, k, l, PL_GSRC_EXPLICIT);
		else if (sec == MACHINE && !strcmp(k, "type"))
			pl_guest_set_machine(r->g, l);
		else if (sec == GLOBAL)
			snprintf(!strcmp(k, "driver") ? gdrv : !strcmp(k, "property") ? gprop : gval,
				 !strcmp(k, "value") ? sizeof(gval) : sizeof(gdrv), "%s", l);
	}
	if (sec == GLOBAL && gdrv[0] && gprop[0] && pl_guest_add_global(r->g, gdrv, gprop, gval))
		return PL_ENOMEM;
	for (size_t i = 0; i < r->g->ndev; i++)
		if (!r->g->devs[i].driver[0])
			return fail(r, "%s: device \"%s\" has no driver", name, EX(r->g->devs[i].id));
	return PL_OK;
}

static int readconfig(struct rd *r, const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f, *m;
	int rc;

	if (!r->open_files) {
		pl_diag_add(&r->g->diags, &r->g->diag_tail, "-readconfig %s: not read here", path);
		return PL_OK;
	}
	if (++r->depth > 4)
		return fail(r, "-readconfig %s: nested too deep", EX(path));
	f = fopen(path, "re");
	if (!f)
		return fail(r, "-readconfig %s: %s", EX(path), strerror(errno));
	m = open_memstream(&buf, &len);
	if (!m) {
		fclose(f);
		return PL_ENOMEM;
	}
	for (int c; (c = getc(f)) != EOF && len < (1u << 20);)
		putc(c, m);
	fclose(f);
	if (fclose(m))
		return PL_ENOMEM;
	rc = readconfig_text(r, buf, path);
	free(buf);
	r->depth--;
	return rc;
}

int pl_guest_readconfig(struct pl_guest *g, const char *text, const char *name, char *err, size_t errlen)
{
	struct rd r = { .g = g, .err = err, .errlen = errlen };
	char *t = strdup(text);
	int rc;

	if (!t)
		return PL_ENOMEM;
	rc = readconfig_text(&r, t, name);
	free(t);
	return rc;
}

/* ---- argv ---- */

const char *pl_qemu_opt_with_arg(const char *word)
{
	const char *opt;

	if (word[0] != '-' || !word[1])
		return NULL;    /* a bare word is QEMU's first disk image */
	opt = word + (word[1] == '-' ? 2 : 1);
	for (size_t i = 0; i < sizeof(no_arg) / sizeof(no_arg[0]); i++)
		if (!strcmp(no_arg[i], opt))
			return NULL;
	return opt;
}

static bool is_assignment(const char *w)
{
	const char *p = w;

	if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_'))
		return false;
	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')
		p++;
	return *p == '=';
}

int pl_guest_from_qemu_argv(struct pl_guest *g, char *const *argv, size_t argc, bool open_files, char *err,
			    size_t errlen)
{
	struct rd r = { .g = g, .open_files = open_files, .err = err, .errlen = errlen };
	size_t i = 0;

	while (i < argc && is_assignment(argv[i]))
		i++;
	if (i < argc && argv[i][0] != '-')
		i++;    /* the program */
	for (; i < argc; i++) {
		const char *opt = pl_qemu_opt_with_arg(argv[i]);
		int rc;

		if (!opt)
			continue;
		if (i + 1 == argc)
			return fail(&r, "-%s needs an argument", pl_excerpt(r.ex, sizeof(r.ex), opt));
		rc = option(&r, opt, argv[++i]);
		if (rc)
			return rc;
	}
	return PL_OK;
}

/* Shell words: '...', "..." with \ escapes, \ outside quotes, \newline joins, # comments. */
static int split_shell(const char *s, size_t len, char ***out, size_t *n, char *err, size_t errlen)
{
	char *buf = malloc(len + 1), *w = buf, **words, *p;
	size_t nw = 0, i = 0;
	bool in_word = false;

	if (!buf)
		return PL_ENOMEM;
	/* each word lands NUL-terminated in buf, in order */
	while (i <= len) {
		char c = i < len ? s[i] : 0;

		if (!c || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			if (in_word) {
				*w++ = 0;
				nw++;
				in_word = false;
			}
			i++;
			continue;
		}
		if (c == '#' && !in_word) {
			while (i < len && s[i] != '\n')
				i++;
			continue;
		}
		if (c == '\\' && i + 1 < len && s[i + 1] == '\n') {
			i += 2; /* a continuation line */
			continue;
		}
		in_word = true;
		if (c == '\\') {
			if (i + 1 < len)
				*w++ = s[i + 1];
			else if (i + 1 == len)
				*w++ = c;       /* a trailing backslash stays */
			i += 2;
			continue;
		}
		if (c == '\'') {
			const char *e = memchr(s + i + 1, '\'', len - i - 1);

			if (!e)
				goto unbalanced;
			memcpy(w, s + i + 1, (size_t)(e - s - i - 1));
			w += e - s - i - 1;
			i = (size_t)(e - s) + 1;
			continue;
		}
		if (c == '"') {
			for (i++; i < len && s[i] != '"'; i++) {
				if (s[i] == '\\' && i + 1 < len && strchr("\\\"$`\n", s[i + 1])) {
					if (s[++i] != '\n')
						*w++ = s[i];
					continue;
				}
				*w++ = s[i];
			}
			if (i >= len)
				goto unbalanced;
			i++;
			continue;
		}
		*w++ = c;
		i++;
	}
	words = malloc((nw ? nw : 1) * sizeof(*words));
	if (!words) {
		free(buf);
		return PL_ENOMEM;
	}
	p = buf;
	for (size_t k = 0; k < nw; k++) {
		words[k] = p;
		p += strlen(p) + 1;
	}
	*out = words;
	*n = nw;
	if (!nw)
		free(buf);
	return PL_OK;
unbalanced:
	snprintf(err, errlen, "unbalanced quotes in the command line");
	free(buf);
	return PL_EINVAL;
}

static int split_nul(const char *s, size_t len, char ***out, size_t *n)
{
	char *buf = malloc(len + 1), **words = NULL;
	size_t nw = 0, cap = 0;

	if (!buf)
		return PL_ENOMEM;
	memcpy(buf, s, len);
	buf[len] = 0;
	for (size_t i = 0; i < len; i += strlen(buf + i) + 1) {
		if (pl_grow((void **)&words, &cap, nw, sizeof(*words))) {
			free(words);
			free(buf);
			return PL_ENOMEM;
		}
		words[nw++] = buf + i;
	}
	*out = words;
	*n = nw;
	if (!nw)
		free(buf);
	return PL_OK;
}

int pl_guest_from_qemu(struct pl_guest *g, const char *text, size_t len, bool open_files, char *err,
		       size_t errlen)
{
	char **argv = NULL;
	size_t argc = 0;
	int rc;

	rc = memchr(text, 0, len) ? split_nul(text, len, &argv, &argc)
				   : split_shell(text, len, &argv, &argc, err, errlen);
	if (rc == PL_ENOMEM)
		snprintf(err, errlen, "out of memory");
	if (rc)
		return rc;
	rc = pl_guest_from_qemu_argv(g, argv, argc, open_files, err, errlen);
	if (argc)
		free(argv[0]);
	free(argv);
	if (!rc)
		pl_guest_resolve(g);
	return rc;
}
