/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plan as libvirt domain XML, built with libxml2: per guest slot a pcie-root-port controller
 * with a user alias, the host devices on it, and the override that sets each port's link. The
 * snippet prints the elements one after another, each well-formed on its own; merge mode prints
 * the whole domain that libvirt_merge.c edited.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>


#include "emit.h"
#include "libvirt.h"
#include "plan.h"
#include "version.h"

#define X(s) ((const xmlChar *)(s))

static void attr(xmlNode *n, const char *k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void attr(xmlNode *n, const char *k, const char *fmt, ...)
{
	char v[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	xmlNewProp(n, X(k), X(v));
}

static xmlNode *elem(xmlNode *parent, xmlNs *ns, const char *name)
{
	xmlNode *n = xmlNewNode(ns, X(name));

	if (n && parent)
		xmlAddChild(parent, n);
	return n;
}

bool pl_lv_has(const struct pl_lv *lv, int major, int minor)
{
	if (!lv->major && !lv->minor)
		return true;
	return lv->major > major || (lv->major == major && lv->minor >= minor);
}

bool pl_lv_hotplug_attr(const struct pl_plan *plan, const struct pl_lv *lv)
{
	return plan->opts->hotplug >= 0 && plan->opts->qemu.has_hotplug && pl_lv_has(lv, 6, 3);
}

xmlNode *pl_lv_alias(const char *id)
{
	xmlNode *a = elem(NULL, NULL, "alias");

	attr(a, "name", "ua-%s", id);
	return a;
}

static xmlNode *pci_address(int bus, int slot, int fn, bool multifunction)
{
	xmlNode *a = elem(NULL, NULL, "address");

	attr(a, "type", "pci");
	attr(a, "domain", "0x0000");
	attr(a, "bus", "0x%02x", bus);
	attr(a, "slot", "0x%02x", slot);
	attr(a, "function", "0x%x", fn);
	if (multifunction)
		attr(a, "multifunction", "on");
	return a;
}

xmlNode *pl_lv_controller(const struct pl_plan *plan, const struct pl_lv *lv, size_t i)
{
	const struct pl_plan_port *p = &plan->ports[i];
	const struct pl_lv_port *l = &lv->ports[i];
	xmlNode *c = elem(NULL, NULL, "controller"), *n;

	attr(c, "type", "pci");
	attr(c, "index", "%d", l->index);
	attr(c, "model", "pcie-root-port");
	n = elem(c, NULL, "model");
	attr(n, "name", "pcie-root-port");
	n = elem(c, NULL, "target");
	attr(n, "chassis", "%d", l->chassis);
	attr(n, "port", "0x%x", l->port);
	if (pl_lv_hotplug_attr(plan, lv))
		attr(n, "hotplug", "%s", plan->opts->hotplug ? "on" : "off");
	xmlAddChild(c, pl_lv_alias(p->id));
	xmlAddChild(c, pci_address(l->bus, l->slot, l->fn, l->multifunction));
	return c;
}

xmlNode *pl_lv_expander(const struct pl_plan *plan, const struct pl_lv *lv, size_t j)
{
	const struct pl_plan_pxb *x = &plan->pxbs[j];
	const struct pl_lv_pxb *l = &lv->pxbs[j];
	xmlNode *c = elem(NULL, NULL, "controller"), *n, *t;
	char g[16];

	attr(c, "type", "pci");
	attr(c, "index", "%d", l->index);
	attr(c, "model", "pcie-expander-bus");
	n = elem(c, NULL, "model");
	attr(n, "name", "pxb-pcie");
	t = elem(c, NULL, "target");
	attr(t, "busNr", "%d", l->bus_nr);
	snprintf(g, sizeof(g), "%d", x->guest_node);
	xmlNodeAddContent(elem(t, NULL, "node"), X(g));
	xmlAddChild(c, pl_lv_alias(x->id));
	xmlAddChild(c, pci_address(0, l->slot, 0, false));
	return c;
}

xmlNode *pl_lv_guest_address(const struct pl_lv *lv, size_t i, const struct pl_plan_fn *f)
{
	/* the root port's secondary bus is numbered by its index; the function sits in slot 0 */
	return pci_address(lv->ports[i].index, 0, f->guest_fn, f->multifunction);
}

xmlNode *pl_lv_hostdev(const struct pl_lv *lv, size_t i, const struct pl_plan_fn *f)
{
	const struct pl_bdf *b = &f->dev->bdf;
	xmlNode *h = elem(NULL, NULL, "hostdev"), *s, *a;

	attr(h, "mode", "subsystem");
	attr(h, "type", "pci");
	attr(h, "managed", "yes");
	s = elem(h, NULL, "source");
	a = elem(s, NULL, "address");
	attr(a, "domain", "0x%04x", b->domain);
	attr(a, "bus", "0x%02x", b->bus);
	attr(a, "slot", "0x%02x", b->dev);
	attr(a, "function", "0x%x", b->fn);
	xmlAddChild(h, pl_lv_alias(f->id));
	xmlAddChild(h, pl_lv_guest_address(lv, i, f));
	return h;
}

xmlNode *pl_lv_property(xmlNs *ns, const char *name, const char *value)
{
	xmlNode *n = elem(NULL, ns, "property");

	/* enums are strings: type='unsigned' gives QEMU a JSON number, which it refuses */
	attr(n, "name", "%s", name);
	attr(n, "type", "string");
	attr(n, "value", "%s", value);
	return n;
}

xmlNode *pl_lv_override_device(const struct pl_plan_port *p, xmlNs *ns)
{
	xmlNode *d = elem(NULL, ns, "device"), *fe = elem(d, ns, "frontend");
	char w[8];

	attr(d, "alias", "ua-%s", p->id);
	snprintf(w, sizeof(w), "%d", p->width);
	xmlAddChild(fe, pl_lv_property(ns, "x-speed", pl_speed_qemu(p->speed)));
	xmlAddChild(fe, pl_lv_property(ns, "x-width", w));
	return d;
}

void pl_lv_global_args(const struct pl_lv *lv, char out[4][48])
{
	snprintf(out[0], sizeof(out[0]), "-global");
	snprintf(out[1], sizeof(out[1]), "pcie-root-port.x-speed=%s", pl_speed_qemu(lv->g_speed));
	snprintf(out[2], sizeof(out[2]), "-global");
	snprintf(out[3], sizeof(out[3]), "pcie-root-port.x-width=%d", lv->g_width);
}

void pl_lv_indent(xmlNode *n, const char *indent, const char *unit)
{
	size_t len = strlen(indent) + strlen(unit) + 1;
	char *inner;
	bool any = false;

	if (!*indent || !n->children)
		return;
	inner = malloc(len);
	if (!inner)
		return;
	snprintf(inner, len, "%s%s", indent, unit);
	for (xmlNode *c = n->children, *next; c; c = next) {
		next = c->next;
		if (c->type != XML_ELEMENT_NODE)
			continue;
		xmlAddPrevSibling(c, xmlNewText(X(inner)));
		pl_lv_indent(c, inner, unit);
		any = true;
	}
	if (any)
		xmlAddChild(n, xmlNewText(X(indent)));
	free(inner);
}

/* --- snippet ------------------------------------------------------------------------------ */

static void put_node(xmlBuffer *buf, xmlDoc *doc, xmlNode *n)
{
	xmlAddChild(xmlDocGetRootElement(doc), n);      /* freed with doc */
	pl_lv_indent(n, "\n", "  ");
	xmlNodeDump(buf, doc, n, 0, 0);
	xmlBufferAdd(buf, X("\n"), 1);
}

/* text must not hold "--" (not well-formed in a comment): the option names are spelled out */
static void put_comment(xmlBuffer *buf, xmlDoc *doc, const char *text)
{
	xmlNode *c = xmlNewDocComment(doc, X(text));

	xmlAddChild(xmlDocGetRootElement(doc), c);
	xmlNodeDump(buf, doc, c, 0, 0);
	xmlBufferAdd(buf, X("\n"), 1);
}

static bool any_link(const struct pl_plan *plan)
{
	for (size_t i = 0; i < plan->nports; i++)
		if (plan->ports[i].link_props)
			return true;
	return false;
}

static int snippet(const struct pl_plan *plan, const struct pl_lv *lv, FILE *out)
{
	xmlDoc *doc = xmlNewDoc(X("1.0"));
	xmlNode *holder = xmlNewDocNode(doc, NULL, X("pcilink"), NULL);
	xmlBuffer *buf = xmlBufferCreate();
	char text[1024], q[64];
	xmlNs *ns;
	int rc = PL_OK;

	if (!doc || !holder || !buf) {
		rc = PL_ENOMEM;
		goto out;
	}
	xmlDocSetRootElement(doc, holder);
	if (plan->opts->qemu.known)
		snprintf(q, sizeof(q), "QEMU %d.%d", plan->opts->qemu.major, plan->opts->qemu.minor);
	else
		snprintf(q, sizeof(q), "the newest QEMU");
	snprintf(text, sizeof(text),
		 " pcilink %s gen-libvirt-xml (policy %s, %s): add these elements to the domain "
		 "(virsh edit VM).\n%s%s%s     Controller indices start at %d (option first-index), chassis "
		 "numbers at %d; both must be free\n     in the domain (libvirt fills a gap below the "
		 "indices with root ports of its own);\n     merging into the domain instead (option "
		 "domain) picks free ones. ",
		 PL_VERSION, pl_policy_name(plan->opts->policy), q,
		 lv->global || any_link(plan) ? "     The <domain> element must declare\n     xmlns:qemu=\"" : "",
		 lv->global || any_link(plan) ? PL_LV_QEMU_NS : "",
		 lv->global || any_link(plan) ? "\";\n     without it libvirt drops the <qemu:...> element "
						"and every port keeps QEMU's default link.\n" : "",
		 lv->first_index, plan->nports ? lv->ports[0].chassis : lv->first_index);
	put_comment(buf, doc, text);
	if (plan->npxb) {
		snprintf(text, sizeof(text), " in <devices>: one pcie-expander-bus per guest NUMA node; the "
			 "domain's <cpu> needs\n     <numa> with <cell id='0'> to <cell id='%d'> (numbered from 0, "
			 "each with its memory), else\n     libvirt refuses the node ", pl_numa_last_guest(plan));
		put_comment(buf, doc, text);
		for (size_t j = 0; j < plan->npxb; j++)
			put_node(buf, doc, pl_lv_expander(plan, lv, j));
	}
	put_comment(buf, doc, " in <devices>: one pcie-root-port per guest slot ");
	for (size_t i = 0; i < plan->nports; i++)
		put_node(buf, doc, pl_lv_controller(plan, lv, i));
	put_comment(buf, doc, " in <devices>: the host functions, each on its root port ");
	for (size_t i = 0; i < plan->nports; i++)
		for (int j = 0; j < plan->ports[i].nfn; j++)
			put_node(buf, doc, pl_lv_hostdev(lv, i, &plan->ports[i].fns[j]));
	if (lv->global) {
		char args[4][48];
		xmlNode *cl;

		snprintf(text, sizeof(text),
			 " in <domain>, after </devices>: libvirt %d.%d has no <qemu:override> (8.2+), so "
			 "-global sets\n     x-speed=%s x-width=%d on EVERY pcie-root-port of the VM, not "
			 "only the ones above. ",
			 lv->major, lv->minor, pl_speed_qemu(lv->g_speed), lv->g_width);
		put_comment(buf, doc, text);
		cl = xmlNewDocNode(doc, NULL, X("commandline"), NULL);
		ns = xmlNewNs(cl, X(PL_LV_QEMU_NS), X("qemu"));
		xmlSetNs(cl, ns);
		pl_lv_global_args(lv, args);
		for (int k = 0; k < 4; k++)
			attr(elem(cl, ns, "arg"), "value", "%s", args[k]);
		put_node(buf, doc, cl);
	} else if (any_link(plan)) {
		xmlNode *ov;

		put_comment(buf, doc, " in <domain>, after </devices>: each port's link (libvirt 8.2+) ");
		ov = xmlNewDocNode(doc, NULL, X("override"), NULL);
		ns = xmlNewNs(ov, X(PL_LV_QEMU_NS), X("qemu"));
		xmlSetNs(ov, ns);
		for (size_t i = 0; i < plan->nports; i++)
			if (plan->ports[i].link_props)
				xmlAddChild(ov, pl_lv_override_device(&plan->ports[i], ns));
		put_node(buf, doc, ov);
	}
	fwrite(xmlBufferContent(buf), 1, (size_t)xmlBufferLength(buf), out);
	if (ferror(out))
		rc = PL_EACCES;
out:
	if (buf)
		xmlBufferFree(buf);
	xmlFreeDoc(doc);        /* frees the nodes put_node added under holder, and the rest */
	return rc;
}

/* --- merged domain -------------------------------------------------------------------------- */

/* the input's own bytes with pcilink's edits (libvirt_edit.c) spliced in */
static int domain(struct pl_lv *lv, FILE *out)
{
	return pl_lvb_write(&lv->src, out) ? PL_EACCES : PL_OK;
}

static int emit_xml(const struct pl_emit_in *in, FILE *out)
{
	struct pl_lv *lv = (struct pl_lv *)in->opts;

	if (!lv || !lv->ports)
		return PL_EINVAL;       /* pl_lv_prepare first */
	return lv->dom ? domain(lv, out) : snippet(in->plan, lv, out);
}

const struct pl_emitter pl_emit_libvirt_xml = {
	.name = "xml",
	.help = "libvirt domain XML: the elements to add, or with --domain the whole merged domain",
	.kinds = PL_EMIT_LIBVIRT,
	.emit = emit_xml,
};
