/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A libvirt domain into the guest model, by the rules libvirt's QEMU driver uses to build the
 * command line (qemu_command.c, qemu_alias.c): controller index N is the bus "pci.N" (or its
 * ua- alias), pcie-root is "pcie.0", host devices are vfio-pci "hostdevN"; <qemu:override>
 * edits a device's properties, <qemu:commandline> arguments come last. Read-only (libxml2, no
 * network, no entities); the qemu elements are found by namespace URI, not by prefix.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "guest.h"
#include "util.h"

#define QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"

/* libvirt controller models and the QEMU driver each defaults to (<model name=> overrides) */
static const char *const models[][2] = {
	{ "pcie-root-port", "pcie-root-port" },
	{ "pcie-switch-upstream-port", "x3130-upstream" },
	{ "pcie-switch-downstream-port", "xio3130-downstream" },
	{ "pci-bridge", "pci-bridge" },
	{ "dmi-to-pci-bridge", "i82801b11-bridge" },
	{ "pcie-to-pci-bridge", "pcie-pci-bridge" },
	{ "pcie-expander-bus", "pxb-pcie" },
	{ "pci-expander-bus", "pxb" },
};

struct dr {
	struct pl_guest *g;
	xmlDoc *doc;
	char *err;
	size_t errlen;
	int nhostdev;
};

static bool is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !xmlStrcmp(n->name, BAD_CAST name) &&
	       (!n->ns || xmlStrcmp(n->ns->href, BAD_CAST QEMU_NS));
}

static bool is_qemu(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns && !xmlStrcmp(n->ns->href, BAD_CAST QEMU_NS) &&
	       !xmlStrcmp(n->name, BAD_CAST name);
}

static xmlNode *child(const xmlNode *n, const char *name)
{
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (is(c, name))
			return c;
	return NULL;
}

/* An attribute copied into buf ("" when absent). */
static const char *attr(const xmlNode *n, const char *name, char *buf, size_t len)
{
	xmlChar *v = n ? xmlGetNoNsProp(n, BAD_CAST name) : NULL;

	snprintf(buf, len, "%s", v ? (const char *)v : "");
	xmlFree(v);
	return buf;
}

static long num(const xmlNode *n, const char *name, long dflt)
{
	char b[32], *end;
	long v;

	if (!*attr(n, name, b, sizeof(b)))
		return dflt;
	v = strtol(b, &end, 0);
	return *end || v < 0 ? dflt : v;
}

/* The id libvirt gives a device: its alias, else what it would assign. */
static void alias(const xmlNode *n, const char *dflt, char *buf, size_t len)
{
	if (!*attr(child(n, "alias"), "name", buf, len))
		snprintf(buf, len, "%s", dflt);
}

static void bus_name(const struct dr *r, long index, char *buf, size_t len)
{
	/* a controller with that index: its alias; index 0 is the root bus */
	for (size_t i = 0; i < r->g->ndev; i++)
		if (!strncmp(r->g->devs[i].origin, "controller index ", 17) && atol(r->g->devs[i].origin + 17) == index) {
			snprintf(buf, len, "%s", r->g->devs[i].id);
			return;
		}
	if (index == 0)
		snprintf(buf, len, "%s", r->g->q35 ? "pcie.0" : "pci.0");
	else
		snprintf(buf, len, "pci.%ld", index);
}

/* <address type='pci' bus= slot= function= multifunction=/> */
static void guest_addr(struct dr *r, const xmlNode *n, struct pl_gdev *d)
{
	xmlNode *a = child(n, "address");
	char t[16];

	if (!a || strcmp(attr(a, "type", t, sizeof(t)), "pci"))
		return;
	bus_name(r, num(a, "bus", 0), d->bus, sizeof(d->bus));
	d->slot = (int)num(a, "slot", -1);
	d->fn = (int)num(a, "function", 0);
	if (d->slot > 31 || d->fn > 7)
		d->slot = d->fn = -1;
	d->multifunction = !strcmp(attr(a, "multifunction", t, sizeof(t)), "on");
}

static int controller(struct dr *r, const xmlNode *n)
{
	char model[48], t[16], id[64], dflt[32];
	const char *driver = NULL;
	struct pl_gdev *d;
	xmlNode *tg;
	long index = num(n, "index", -1);

	if (strcmp(attr(n, "type", t, sizeof(t)), "pci") || index < 0)
		return PL_OK;
	attr(n, "model", model, sizeof(model));
	if (!strcmp(model, "pcie-root") || !strcmp(model, "pci-root")) {
		r->g->q35 = !strcmp(model, "pcie-root") || r->g->q35;
		return PL_OK;
	}
	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++)
		if (!strcmp(models[i][0], model))
			driver = models[i][1];
	if (!driver) {
		pl_diag_add(&r->g->diags, &r->g->diag_tail, "controller index %ld: model '%s' not known here",
			    index, model);
		return PL_OK;
	}
	attr(child(n, "model"), "name", id, sizeof(id));
	d = pl_guest_add(r->g, id[0] ? id : driver);
	if (!d)
		return PL_ENOMEM;
	snprintf(dflt, sizeof(dflt), "pci.%ld", index);
	alias(n, dflt, d->id, sizeof(d->id));
	snprintf(d->origin, sizeof(d->origin), "controller index %ld", index);
	d->json = true;
	tg = child(n, "target");
	d->chassis = (int)num(tg, "chassis", -1);
	d->port = (int)num(tg, "port", -1);
	if (*attr(tg, "hotplug", t, sizeof(t)))
		d->hotplug = !strcmp(t, "on");
	/* pcie-expander-bus: <target busNr='N'><node>G</node></target> is QEMU's numa_node=G */
	if (child(tg, "node")) {
		xmlChar *v = xmlNodeGetContent(child(tg, "node"));

		if (v && pl_gdev_set(d, "numa_node", (const char *)v, PL_GSRC_EXPLICIT))
			pl_diag_add(&r->g->diags, &r->g->diag_tail, "controller index %ld: <node>%.20s</node> is not "
				    "a NUMA node number", index, (const char *)v);
		xmlFree(v);
	}
	return PL_OK;
}

static int hostdev(struct dr *r, const xmlNode *n)
{
	char t[16], dflt[32], b[40];
	xmlNode *src = child(n, "source"), *a = child(src, "address");
	struct pl_gdev *d;
	int idx = r->nhostdev++;

	if (strcmp(attr(n, "mode", t, sizeof(t)), "subsystem") || strcmp(attr(n, "type", t, sizeof(t)), "pci"))
		return PL_OK;
	d = pl_guest_add(r->g, "vfio-pci");
	if (!d)
		return PL_ENOMEM;
	snprintf(dflt, sizeof(dflt), "hostdev%d", idx);
	alias(n, dflt, d->id, sizeof(d->id));
	snprintf(d->origin, sizeof(d->origin), "hostdev #%d", idx + 1);
	d->json = true;
	if (a) {
		snprintf(b, sizeof(b), "%04lx:%02lx:%02lx.%lx", num(a, "domain", 0) & 0xffff, num(a, "bus", 0) & 0xff,
			 num(a, "slot", 0) & 0x1f, num(a, "function", 0) & 7);
		if (!pl_bdf_parse(b, &d->host))
			d->has_host = true;
	}
	guest_addr(r, n, d);
	if (d->slot < 0)
		pl_diag_add(&r->g->diags, &r->g->diag_tail, "%s has no guest address: libvirt picks one when "
			    "the domain is defined; check 'virsh dumpxml' of the defined domain", d->id);
	return PL_OK;
}

/* <qemu:override><qemu:device alias=><qemu:frontend><qemu:property name type value/> */
static void overrides(struct dr *r, const xmlNode *ov)
{
	char al[64], name[40], type[16], val[40];

	for (xmlNode *dv = ov->children; dv; dv = dv->next) {
		struct pl_gdev *d;

		if (!is_qemu(dv, "device"))
			continue;
		d = pl_guest_find(r->g, attr(dv, "alias", al, sizeof(al)));
		for (xmlNode *fe = dv->children; fe; fe = fe->next) {
			if (!is_qemu(fe, "frontend"))
				continue;
			for (xmlNode *p = fe->children; p; p = p->next) {
				if (!is_qemu(p, "property"))
					continue;
				attr(p, "name", name, sizeof(name));
				attr(p, "type", type, sizeof(type));
				attr(p, "value", val, sizeof(val));
				if (!d) {
					pl_diag_add(&r->g->diags, &r->g->diag_tail, "<qemu:override> for alias '%s': "
						    "no such device (libvirt ignores it)", al);
					break;
				}
				if (!strcmp(type, "remove")) {
					struct pl_gprop *gp = !strcmp(name, "x-speed") ? &d->speed
							      : !strcmp(name, "x-width") ? &d->width : NULL;

					if (gp)
						memset(gp, 0, sizeof(*gp));
					continue;
				}
				if (pl_gdev_set(d, name, val, PL_GSRC_EXPLICIT))
					pl_diag_add(&r->g->refusals, &r->g->refusal_tail, "<qemu:override> %s=%s on "
						    "%s is not a value QEMU takes", name, val, d->id);
				/* libvirt passes unsigned/signed as JSON numbers: QEMU wants the enum's string */
				if ((!strcmp(name, "x-speed") || !strcmp(name, "x-width")) && strcmp(type, "string")) {
					(!strcmp(name, "x-speed") ? &d->speed : &d->width)->not_string = true;
					pl_diag_add(&r->g->refusals, &r->g->refusal_tail, "<qemu:override> %s on %s has "
						    "type='%s': QEMU wants type='string'", name, d->id, type);
				}
			}
		}
	}
}

static int add_word(char ***argv, size_t *argc, size_t *cap, const char *w)
{
	if (pl_grow((void **)argv, cap, *argc, sizeof(**argv)) || !((*argv)[*argc] = strdup(w)))
		return PL_ENOMEM;
	(*argc)++;
	return PL_OK;
}

/* The <qemu:arg> words of every <qemu:commandline> in document order, after libvirt's own
 * arguments: one argv, as libvirt joins them (so a bare first word is QEMU's disk image). */
static int commandline(struct dr *r, const xmlNode *root)
{
	char **argv = NULL, v[512];
	size_t argc = 0, cap = 0;
	int rc = PL_OK;

	for (const xmlNode *cl = root->children; cl && !rc; cl = cl->next)
		for (xmlNode *a = is_qemu(cl, "commandline") ? cl->children : NULL; a && !rc; a = a->next)
			if (is_qemu(a, "arg"))
				/* argv[0]: the program word libvirt's own arguments stand for */
				rc = (argc ? 0 : add_word(&argv, &argc, &cap, "qemu")) ||
				     add_word(&argv, &argc, &cap, attr(a, "value", v, sizeof(v))) ? PL_ENOMEM : PL_OK;
	if (!rc && argc)
		rc = pl_guest_from_qemu_argv(r->g, argv, argc, false, r->err, r->errlen);
	for (size_t i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
	return rc;
}

/* libvirt fills unused controller indices below the highest with new root ports when it defines
 * the domain: what is checked here is then not quite what runs */
static void gaps(struct dr *r, const xmlNode *devs)
{
	unsigned char used[256] = { 0 };
	long max = 0;

	for (xmlNode *n = devs ? devs->children : NULL; n; n = n->next) {
		char t[8];
		long i = num(n, "index", -1);

		if (is(n, "controller") && !strcmp(attr(n, "type", t, sizeof(t)), "pci") && i >= 0 && i < 256) {
			used[i] = 1;
			max = i > max ? i : max;
		}
	}
	for (long i = 1; i < max; i++)
		if (!used[i]) {
			pl_diag_add(&r->g->diags, &r->g->diag_tail, "PCI controller index %ld is unused: libvirt adds "
				    "root ports for unused indices when the domain is defined; check 'virsh dumpxml' of "
				    "the defined domain", i);
			break;
		}
}

static int walk(struct dr *r, xmlNode *root)
{
	xmlNode *os = child(root, "os"), *devs = child(root, "devices");
	char b[64];
	int rc = PL_OK;

	attr(child(os, "type"), "machine", b, sizeof(b));
	pl_guest_set_machine(r->g, b[0] ? b : "pc");
	/* controllers first: device addresses name them by index */
	for (xmlNode *n = devs ? devs->children : NULL; n && !rc; n = n->next)
		if (is(n, "controller"))
			rc = controller(r, n);
	for (xmlNode *n = devs ? devs->children : NULL; n && !rc; n = n->next)
		if (is(n, "controller") && num(n, "index", -1) >= 0 && !strcmp(attr(n, "type", b, sizeof(b)), "pci")) {
			/* only pci controllers: <controller type='usb' index='2'> is not bus pci.2 */
			char dflt[32], id[64];

			snprintf(dflt, sizeof(dflt), "pci.%ld", num(n, "index", 0));
			alias(n, dflt, id, sizeof(id));
			if (pl_guest_find(r->g, id))
				guest_addr(r, n, pl_guest_find(r->g, id));
		}
	gaps(r, devs);
	for (xmlNode *n = devs ? devs->children : NULL; n && !rc; n = n->next)
		if (is(n, "hostdev"))
			rc = hostdev(r, n);
	for (xmlNode *n = root->children; n && !rc; n = n->next)
		if (is_qemu(n, "override"))
			overrides(r, n);
	return rc ? rc : commandline(r, root);
}

int pl_guest_from_domain(struct pl_guest *g, const char *buf, size_t len, const char *name, char *emulator,
			 size_t emulen, char *err, size_t errlen)
{
	struct dr r = { .g = g, .err = err, .errlen = errlen };
	xmlNode *root, *em;
	xmlChar *e;
	int rc;

	if (len > INT32_MAX) {
		snprintf(err, errlen, "%s: too large for a domain", name);
		return PL_EINVAL;
	}
	r.doc = xmlReadMemory(buf, (int)len, name, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!r.doc) {
		const xmlError *x = xmlGetLastError();

		if (x)
			snprintf(err, errlen, "%s: not well-formed XML at line %d", name, x->line);
		else
			snprintf(err, errlen, "%s: not well-formed XML", name);
		return PL_EINVAL;
	}
	root = xmlDocGetRootElement(r.doc);
	if (!root || !is(root, "domain")) {
		snprintf(err, errlen, "%s: not a libvirt <domain>", name);
		xmlFreeDoc(r.doc);
		return PL_EINVAL;
	}
	em = child(child(root, "devices"), "emulator");
	e = em ? xmlNodeGetContent(em) : NULL;
	if (emulator)
		snprintf(emulator, emulen, "%s", e ? (const char *)e : "");
	xmlFree(e);
	rc = walk(&r, root);
	if (!g->name[0])
		snprintf(g->name, sizeof(g->name), "%s", name);
	xmlFreeDoc(r.doc);
	if (!rc)
		pl_guest_resolve(g);
	return rc;
}
