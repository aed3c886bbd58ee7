/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A libvirt domain for the merge: parsed by libxml2 (no network, no entities), refused when it is
 * not a q35 <domain>, and its bytes mapped for the writer (libvirt_bytes.c).
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "libvirt_dom.h"
#include "util.h"

/* --- reading ------------------------------------------------------------------------------- */

struct xml_err {
	int line;
	char msg[300];
};

/* libxml2 never prints: the first error is kept and reported as one line by the caller */
static void on_error(void *ctx, xmlErrorPtr e)
{
	struct xml_err *x = ctx;
	size_t n;

	if (!e || e->level < XML_ERR_ERROR || e->domain == XML_FROM_NAMESPACE || x->msg[0])
		return;
	x->line = e->line;
	snprintf(x->msg, sizeof(x->msg), "%s", e->message ? e->message : "parse error");
	n = strlen(x->msg);
	while (n && (x->msg[n - 1] == '\n' || x->msg[n - 1] == ' '))
		x->msg[--n] = 0;
	if (x->msg[0] >= 'A' && x->msg[0] <= 'Z' && !(x->msg[1] >= 'A' && x->msg[1] <= 'Z'))
		x->msg[0] = (char)(x->msg[0] - 'A' + 'a');
}

/* Which architectures have a q35 machine, and what libvirt picks without a machine type. */
static const struct {
	const char *arch;
	bool q35;
	const char *dflt;
} arches[] = {
	{ "x86_64", true, "i440fx ('pc')" }, { "i686", true, "i440fx ('pc')" },
	{ "aarch64", false, "none (it needs machine='virt')" }, { "armv7l", false, "none" },
	{ "ppc64", false, "'pseries'" }, { "ppc64le", false, "'pseries'" }, { "s390x", false, "'s390-ccw-virtio'" },
	{ "sparc", false, "'SS-5'" }, { "sparc64", false, "'sun4u'" }, { "alpha", false, "'clipper'" },
	{ "mips", false, "'malta'" }, { "riscv64", false, "'virt'" },
};

static int check_machine(struct pl_lv *lv, xmlNode *root, const char *name)
{
	xmlNode *type = lv_child(lv_child(root, "os"), "type");
	char *machine = lv_prop(type, "machine"), *arch = lv_prop(type, "arch");
	const char *dflt = "its default for that architecture";
	char q[PL_EXCERPT_SIZE];
	bool q35 = true;
	int rc = PL_EINVAL;

	for (size_t i = 0; arch && i < sizeof(arches) / sizeof(arches[0]); i++)
		if (!strcmp(arch, arches[i].arch)) {
			q35 = arches[i].q35;
			dflt = arches[i].dflt;
		}
	if (arch && !q35)
		lv_fail(lv, "%s: <os><type arch='%s'> has no q35 machine: pcilink's root ports need an x86 "
			 "domain (arch='x86_64', machine='q35')", name, pl_excerpt(q, sizeof(q), arch));
	else if (!machine)
		lv_fail(lv, "%s: no machine type in <os><type machine=...>: libvirt would choose %s, which "
			 "has no PCI Express root ports; use machine='q35'", name, arch ? dflt : "i440fx ('pc') on x86");
	else if (strcmp(machine, "q35") && strncmp(machine, "pc-q35-", 7))
		lv_fail(lv, "%s: machine type '%s' is not q35: PCI Express root ports need a q35 machine "
			 "(machine='q35' or 'pc-q35-*')", name, pl_excerpt(q, sizeof(q), machine));
	else
		rc = PL_OK;
	xmlFree(machine);
	xmlFree(arch);
	return rc;
}

int pl_lv_read_domain(struct pl_lv *lv, const char *buf, size_t len, const char *name)
{
	struct xml_err x = { 0 };
	xmlParserCtxt *ctxt;
	xmlNode *root;

	lv->dom_name = name;
	lv->buf = malloc(len + 1);
	if (!lv->buf)
		return PL_ENOMEM;
	memcpy(lv->buf, buf, len);
	lv->buf[len] = 0;
	ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return PL_ENOMEM;
	xmlSetStructuredErrorFunc(&x, on_error);
	/* no network, no entity substitution, no DTD loading; whitespace kept as it is */
	lv->dom = xmlCtxtReadMemory(ctxt, buf, (int)len, name, NULL, XML_PARSE_NONET);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (!lv->dom || !ctxt->wellFormed) {
		if (!x.msg[0])
			snprintf(x.msg, sizeof(x.msg), "parse error");
		lv_fail(lv, "%s:%d: not well-formed XML: %s", name, x.line, x.msg);
		xmlFreeParserCtxt(ctxt);
		return PL_EINVAL;
	}
	xmlFreeParserCtxt(ctxt);
	root = xmlDocGetRootElement(lv->dom);
	if (!lv_is(root, "domain")) {
		char q[PL_EXCERPT_SIZE];

		lv_fail(lv, "%s: not a libvirt domain: the root element is <%s>, not <domain>", name,
		     pl_excerpt(q, sizeof(q), root ? (const char *)root->name : ""));
		return PL_EINVAL;
	}
	if (check_machine(lv, root, name))
		return PL_EINVAL;
	if (pl_lvb_map(&lv->src, lv->buf, len, root)) {
		lv_fail(lv, "%s: cannot find libxml2's elements in the input's bytes (an encoding other than "
			 "UTF-8?): save the domain as UTF-8", name);
		return PL_EINVAL;
	}
	return PL_OK;
}

const char *pl_lv_emulator(const struct pl_lv *lv)
{
	xmlNode *root = lv->dom ? xmlDocGetRootElement(lv->dom) : NULL;
	xmlNode *e = lv_child(lv_child(root, "devices"), "emulator");

	/* the node's text content: one text child in practice */
	if (e && e->children && e->children->type == XML_TEXT_NODE && !e->children->next)
		return (const char *)e->children->content;
	return NULL;
}

