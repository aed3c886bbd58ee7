/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The libvirt merge on small domains: byte-exact output, re-runs that move nothing, the user's
 * aliases, namespaces by URI, every override, numbers as libvirt reads them, chassis numbers
 * libvirt's own numbering cannot reach, pcilink's stale ports and -global arguments.
 */
#include <stdlib.h>

#include <libxml/parser.h>

#include "analysis.h"
#include "emit.h"
#include "harness.h"
#include "hostbuild.h"
#include "libvirt.h"
#include "plan.h"

static struct pl_system *sys;
static struct pl_dev *devs[8];
static size_t ndevs;

/* four single-function Gen4 x8 devices at buses 1..4 and a GPU with audio at 0x80 */
static void host_once(void)
{
	if (sys)
		return;
	sys = sys_new();
	for (int i = 1; i <= 4; i++) {
		bus(add(sys, 0, i, 0, 0x1022, PCI_EXP_TYPE_ROOT_PORT, 4, 8, 4, 8, 0), i, i);
		add(sys, i, 0, 0, 0x144d, PCI_EXP_TYPE_ENDPOINT, 4, 8, 4, 8, 0);
	}
	bus(add(sys, 0, 0x1f, 0, 0x1022, PCI_EXP_TYPE_ROOT_PORT, 4, 16, 4, 16, 0), 0x80, 0x80);
	add(sys, 0x80, 0, 0, 0x1002, PCI_EXP_TYPE_ENDPOINT, 4, 16, 4, 16, 0);
	add(sys, 0x80, 0, 1, 0x1002, PCI_EXP_TYPE_ENDPOINT, 4, 16, 4, 16, 0);
	finish(sys);
	for (size_t i = 0; i < sys->ndev; i++)
		if (!pl_dev_is_bridge(sys->devs[i])) {
			pl_analyze(sys, sys->devs[i]);
			devs[ndevs++] = sys->devs[i];
		}
}

struct run {
	const char *which;              /* indices into devs, e.g. "0123" */
	bool split;
	int first_addr;                 /* 0: default */
	int major, minor;               /* --libvirt-version */
};

struct out {
	int rc;
	char *xml;                      /* the merged domain */
	char warn[2048];                /* warnings, one a line */
	char err[512];
};

static struct out merge(const char *dom, struct run r)
{
	struct pl_plan_opts o = { .bus = "pcie.0", .first_addr = r.first_addr ? r.first_addr : 0x10,
				  .first_chassis = 1, .hotplug = -1, .split = r.split, .policy = PL_POLICY_HOST };
	struct pl_lv lv = { .first_index = -1, .major = r.major, .minor = r.minor, .addr_given = r.first_addr };
	struct pl_dev *sel[8];
	struct pl_plan plan = { 0 };
	struct out res = { 0 };
	size_t n = 0, len = 0;
	FILE *f;

	host_once();
	for (const char *c = r.which; *c; c++)
		sel[n++] = devs[*c - '0'];
	lv.warn_tail = &lv.warnings;
	pl_qemu_from_version(&o.qemu, 7, 2, 0);
	if (pl_plan_build(&o, sel, n, &plan, res.err, sizeof(res.err))) {
		res.rc = -100;
		return res;
	}
	res.rc = pl_lv_read_domain(&lv, dom, strlen(dom), "t.xml");
	if (!res.rc)
		res.rc = pl_lv_prepare(&plan, &lv);
	if (!res.rc)
		res.rc = pl_lv_merge(&plan, &lv);
	snprintf(res.err, sizeof(res.err), "%s", lv.err);
	for (const struct pl_diag *w = lv.warnings; w; w = w->next) {
		strncat(res.warn, w->msg, sizeof(res.warn) - strlen(res.warn) - 2);
		strcat(res.warn, "\n");
	}
	if (!res.rc) {
		struct pl_emit_in in = { .sys = sys, .plan = &plan, .kind = PL_EMIT_LIBVIRT, .opts = &lv };

		f = open_memstream(&res.xml, &len);
		res.rc = pl_emit_libvirt_xml.emit(&in, f);
		fclose(f);
	}
	pl_lv_free(&lv);
	pl_plan_free(&plan);
	return res;
}

static void out_free(struct out *o)
{
	free(o->xml);
	o->xml = NULL;
}

/* b with every byte of a, in order: nothing of the input lost or changed, only additions */
static bool only_added(const char *a, const char *b)
{
	while (*a && *b)
		if (*a == *b)
			a++, b++;
		else
			b++;
	return !*a;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; p && (p = strstr(p, needle)); p++)
		n++;
	return n;
}

#define HEAD "<domain type='qemu'>\n  <name>t</name>\n  <os>\n    <type arch='x86_64' machine='q35'>hvm</type>\n  </os>\n"

static const char *plain = HEAD "  <devices>\n    <controller type='pci' index='0' model='pcie-root'/>\n  </devices>\n</domain>\n";

static void byte_exact(void)
{
	const char *in = "\xef\xbb\xbf<?xml version='1.0'?>\r\n<!-- keep -->\r\n"
			 "<domain type=\"qemu\" id='1'>\r\n  <name>a&amp;b&#39;c</name>\r\n"
			 "  <os>\r\n    <type machine=\"q35\" arch='x86_64'>hvm</type>\r\n  </os>\r\n"
			 "  <features><acpi /><apic/></features>\r\n  <devices>\r\n"
			 "    <controller type='pci' index='0' model='pcie-root' />\r\n"
			 "    <disk type='file'><target dev='vda' bus='virtio' /></disk>\r\n"
			 "  </devices>\r\n</domain>\r\n";
	struct out o = merge(in, (struct run){ .which = "4" });

	CHECK_EQ(o.rc, 0);
	CHECK(o.xml && only_added(in, o.xml));
	CHECK(o.xml && !memcmp(o.xml, in, 60));
	/* every line break stays CRLF, also in what pcilink added */
	CHECK_EQ(count(o.xml, "\n"), count(o.xml, "\r\n"));
	/* single quotes and "<x />": what the document mostly writes */
	CHECK(strstr(o.xml, "\r\n      <alias name='ua-rp-80-00' />\r\n"));
	CHECK(strstr(o.xml, "<domain type=\"qemu\" id='1' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"));
	out_free(&o);
}

static void rerun_same_bytes(void)
{
	struct out a = merge(plain, (struct run){ .which = "0123" }), b, c;

	CHECK_EQ(a.rc, 0);
	b = merge(a.xml, (struct run){ .which = "0123" });
	CHECK_STR(b.xml, a.xml);
	/* a subset: what is placed stays placed (the 2nd device keeps function 1 of slot 0x10) */
	c = merge(a.xml, (struct run){ .which = "1" });
	CHECK_STR(c.xml, a.xml);
	out_free(&b);
	out_free(&c);
	/* a new device joins the others' slot at its first free function */
	b = merge(a.xml, (struct run){ .which = "4" });
	CHECK(b.xml && strstr(b.xml, "alias name='ua-rp-80-00'/>\n      <address type='pci' domain='0x0000' "
				 "bus='0x00' slot='0x11' function='0x0'/>"));
	out_free(&a);
	out_free(&b);
}

static void hole_warned(void)
{
	const char *in = HEAD "  <devices>\n    <interface type='user'><model type='e1000e'/>"
			 "<address type='pci' domain='0' bus='0' slot='5' function='1'/></interface>\n"
			 "  </devices>\n</domain>\n";
	struct out o = merge(in, (struct run){ .which = "0" });

	CHECK_EQ(o.rc, 0);
	CHECK(strstr(o.warn, "slot 0x05 has devices at function but nothing at function 0"));
	out_free(&o);
	o = merge(plain, (struct run){ .which = "0" });
	CHECK_STR(o.warn, "");
	out_free(&o);
}

static void user_alias_kept(void)
{
	const char *in = "<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
			 "  <os>\n    <type arch='x86_64' machine='q35'>hvm</type>\n  </os>\n  <devices>\n"
			 "    <hostdev mode='subsystem' type='pci' managed='yes'>\n      <source>\n"
			 "        <address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>\n      </source>\n"
			 "      <alias name='ua-mygpu'/>\n      <rom bar='off'/>\n    </hostdev>\n  </devices>\n"
			 "  <qemu:override>\n    <qemu:device alias='ua-mygpu'>\n      <qemu:frontend>\n"
			 "        <qemu:property name='x-pci-vendor-id' type='unsigned' value='4318'/>\n"
			 "      </qemu:frontend>\n    </qemu:device>\n  </qemu:override>\n</domain>\n";
	struct out o = merge(in, (struct run){ .which = "0" });

	CHECK_EQ(o.rc, 0);
	CHECK(o.xml && only_added(in, o.xml));
	CHECK_EQ(count(o.xml, "ua-mygpu"), 2);
	CHECK_EQ(count(o.xml, "ua-hostdev"), 0);
	CHECK_EQ(count(o.xml, "<hostdev "), 1);
	out_free(&o);
}

/* libvirt's own test qemu-ns-domain-commandline: "qemu" bound to another URI */
static void namespace_by_uri(void)
{
	const char *in = "<domain type='qemu' xmlns:qemu='urn:dummy'>\n  <os>\n"
			 "    <type arch='x86_64' machine='q35'>hvm</type>\n  </os>\n  <devices/>\n"
			 "  <qemu:commandline xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
			 "    <qemu:arg value='ARGUMENT'/>\n  </qemu:commandline>\n</domain>\n";
	struct out o = merge(in, (struct run){ .which = "0" });
	xmlDoc *d;

	CHECK_EQ(o.rc, 0);
	CHECK(o.xml && only_added(in, o.xml));
	CHECK(o.xml && strstr(o.xml, "<qemu:override xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"));
	CHECK(o.xml && strstr(o.xml, "<devices>\n    <controller type='pci' index='1'"));
	d = o.xml ? xmlReadMemory(o.xml, (int)strlen(o.xml), "o", NULL, XML_PARSE_NOERROR | XML_PARSE_NOWARNING) : NULL;
	CHECK(d);
	if (d)
		xmlFreeDoc(d);
	out_free(&o);
	/* the namespace under another prefix on <domain>: that prefix */
	o = merge("<domain xmlns:q='http://libvirt.org/schemas/domain/qemu/1.0'><os><type arch='x86_64' "
		  "machine='q35'>hvm</type></os><devices/></domain>", (struct run){ .which = "0" });
	CHECK(o.xml && strstr(o.xml, "<q:override><q:device alias='ua-rp-01-00'>"));
	CHECK(o.xml && !strstr(o.xml, "xmlns:qemu"));
	out_free(&o);
	/* a prefix of any length is used whole (it was cut at 31 bytes: an unbound prefix) */
	{
		char pfx[201], dom[600];
		struct out b;

		memset(pfx, 'p', 200);
		pfx[200] = 0;
		snprintf(dom, sizeof(dom), "<domain xmlns:%s='http://libvirt.org/schemas/domain/qemu/1.0'><os><type "
			 "arch='x86_64' machine='q35'>hvm</type></os><devices/></domain>", pfx);
		o = merge(dom, (struct run){ .which = "0" });
		CHECK_EQ(o.rc, 0);
		snprintf(dom, sizeof(dom), "<%s:override>", pfx);
		CHECK(o.xml && strstr(o.xml, dom));
		b = merge(o.xml ? o.xml : "", (struct run){ .which = "0" });
		CHECK(o.xml && b.xml && !strcmp(o.xml, b.xml));
		out_free(&b);
		out_free(&o);
		/* a prefix with a colon is no name: libxml2 would read "a:b:override" as prefix "a" */
		o = merge("<domain xmlns:a:b='http://libvirt.org/schemas/domain/qemu/1.0'><os><type arch='x86_64' "
			  "machine='q35'>hvm</type></os><devices/></domain>", (struct run){ .which = "0" });
		CHECK_EQ(o.rc, 0);
		CHECK(o.xml && strstr(o.xml, "<qemu:override>") && !strstr(o.xml, "a:b:"));
		b = merge(o.xml ? o.xml : "", (struct run){ .which = "0" });
		CHECK(o.xml && b.xml && !strcmp(o.xml, b.xml));
		out_free(&b);
		out_free(&o);
	}
}

static void every_override(void)
{
	const char *in = "<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
			 "  <os>\n    <type arch='x86_64' machine='q35'>hvm</type>\n  </os>\n  <devices/>\n"
			 "  <qemu:override>\n    <qemu:device alias='ua-rp-01-00'>\n      <qemu:frontend>\n"
			 "        <qemu:property name='x-speed' type='string' value='2_5'/>\n"
			 "      </qemu:frontend>\n    </qemu:device>\n  </qemu:override>\n"
			 "  <qemu:override>\n    <qemu:device alias='ua-rp-01-00'>\n      <qemu:frontend>\n"
			 "        <qemu:property name='x-speed' type='unsigned' value='5'/>\n"
			 "        <qemu:property name='x-width' type='string' value='1'/>\n"
			 "      </qemu:frontend>\n    </qemu:device>\n  </qemu:override>\n</domain>\n";
	struct out o = merge(in, (struct run){ .which = "0" });

	CHECK_EQ(o.rc, 0);
	CHECK_EQ(count(o.xml, "name='x-speed' type='string' value='16'"), 2);
	CHECK_EQ(count(o.xml, "name='x-width' type='string' value='8'"), 2);
	CHECK_EQ(count(o.xml, "<qemu:device "), 2);
	CHECK_EQ(count(o.xml, "unsigned"), 0);
	out_free(&o);
}

static void numbers_as_libvirt(void)
{
	/* index='010' is 10 (decimal) for libvirt; chassis='010' is 8 (strtol base 0) */
	const char *in = HEAD "  <devices>\n    <controller type='pci' index='0' model='pcie-root'/>\n"
			 "    <controller type='pci' index='010' model='pcie-root-port'>\n"
			 "      <target chassis='011' port='0x8'/>\n"
			 "      <address type='pci' domain='0' bus='0' slot='1' function='0'/>\n"
			 "    </controller>\n  </devices>\n</domain>\n";
	struct out o = merge(in, (struct run){ .which = "0" });

	CHECK_EQ(o.rc, 0);
	CHECK(o.xml && strstr(o.xml, "<controller type='pci' index='11' model='pcie-root-port'>"));
	CHECK(o.xml && strstr(o.xml, "<target chassis='11' port='0x80'/>"));
	out_free(&o);
}

/* libvirt adds root ports for devices without an address at indices above all others, each with
 * the chassis of its index: a port whose own chassis is taken goes to the top instead */
static void chassis_out_of_reach(void)
{
	const char *in = HEAD "  <devices>\n    <controller type='pci' index='0' model='pcie-root'/>\n"
			 "    <controller type='pci' index='1' model='pcie-root-port'>\n"
			 "      <target chassis='2'/>\n    </controller>\n"
			 "    <interface type='user'><model type='virtio'/></interface>\n  </devices>\n</domain>\n";
	struct out o = merge(in, (struct run){ .which = "0" });

	CHECK_EQ(o.rc, 0);
	CHECK(o.xml && strstr(o.xml, "index='2' model='pcie-root-port'>\n      <model name='pcie-root-port'/>\n"
				 "      <target chassis='255'"));
	out_free(&o);
}

static void global_replaced(void)
{
	struct out a = merge(plain, (struct run){ .which = "0", .major = 8, .minor = 0 }), b;

	CHECK_EQ(a.rc, 0);
	CHECK(a.xml && strstr(a.xml, "<qemu:arg value='pcie-root-port.x-speed=16'/>"));
	b = merge(a.xml, (struct run){ .which = "0" });
	CHECK_EQ(b.rc, 0);
	CHECK(b.xml && !strstr(b.xml, "-global") && !strstr(b.xml, "commandline"));
	CHECK(b.xml && strstr(b.xml, "<qemu:override>"));
	out_free(&a);
	out_free(&b);
}

/* the words of every <qemu:commandline> make one argv and pair as QEMU reads them: only the
 * --global pair that is pcilink's goes; -name's argument and -global's "-global" stay */
static void global_pairs_as_qemu(void)
{
	const char *in = "<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
			 "  <name>t</name>\n  <os>\n    <type arch='x86_64' machine='q35'>hvm</type>\n  </os>\n"
			 "  <devices>\n    <controller type='pci' index='0' model='pcie-root'/>\n  </devices>\n"
			 "  <qemu:commandline>\n    <qemu:arg value='-name'/>\n    <qemu:arg value='-global'/>\n"
			 "  </qemu:commandline>\n  <qemu:commandline>\n"
			 "    <qemu:arg value='pcie-root-port.x-speed=8'/>\n    <qemu:arg value='-global'/>\n"
			 "    <qemu:arg value='-global'/>\n    <qemu:arg value='pcie-root-port.x-width=4'/>\n"
			 "    <qemu:arg value='--global'/>\n    <qemu:arg value='pcie-root-port.x-width=2'/>\n"
			 "  </qemu:commandline>\n</domain>\n";
	struct out a = merge(in, (struct run){ .which = "0" }), b;

	CHECK_EQ(a.rc, 0);
	CHECK_EQ(count(a.xml, "<qemu:arg value='-global'/>"), 3);
	CHECK_EQ(count(a.xml, "x-speed=8"), 1);
	CHECK_EQ(count(a.xml, "x-width=4"), 1);
	CHECK_EQ(count(a.xml, "--global"), 0);
	CHECK_EQ(count(a.xml, "x-width=2"), 0);
	b = merge(a.xml ? a.xml : "", (struct run){ .which = "0" });
	CHECK_STR(b.xml, a.xml);
	out_free(&a);
	out_free(&b);
}

/* every old -global of the link goes in one run, however many (the list of removals once
 * stopped at 64 elements, so the 33rd pair went only in the second run) */
static void many_removals(void)
{
	static const char head[] = "<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
				   "  <name>t</name>\n  <os>\n    <type arch='x86_64' machine='q35'>hvm</type>\n"
				   "  </os>\n  <devices>\n    <controller type='pci' index='0' model='pcie-root'/>\n"
				   "  </devices>\n  <qemu:commandline>\n";
	static const char pair[] = "    <qemu:arg value='-global'/>\n    <qemu:arg value='pcie-root-port.x-speed=8'/>\n";
	size_t n = 300, len = sizeof(head) + n * (sizeof(pair) - 1) + 64;
	char *in = malloc(len), *p = in;
	struct out a, b;

	if (!in)
		abort();
	p += sprintf(p, "%s", head);
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s", pair);
	sprintf(p, "  </qemu:commandline>\n</domain>\n");
	a = merge(in, (struct run){ .which = "0" });
	CHECK_EQ(a.rc, 0);
	CHECK_EQ(count(a.xml, "x-speed=8"), 0);
	CHECK_EQ(count(a.xml, "<qemu:arg"), 0);
	CHECK_EQ(count(a.xml, "<qemu:commandline"), 0);         /* all its words went: it goes whole */
	b = merge(a.xml ? a.xml : "", (struct run){ .which = "0" });
	CHECK_STR(b.xml, a.xml);
	out_free(&a);
	out_free(&b);
	free(in);
}

static void split_drops_stale_ports(void)
{
	struct out a = merge(plain, (struct run){ .which = "4" }), b;

	CHECK_EQ(a.rc, 0);
	CHECK_EQ(count(a.xml, "ua-rp-80-00'"), 2);
	b = merge(a.xml, (struct run){ .which = "45", .split = true });
	CHECK_EQ(b.rc, 0);
	CHECK_EQ(count(b.xml, "ua-rp-80-00'"), 0);              /* controller and override device */
	CHECK_EQ(count(b.xml, "ua-rp-80-00-0'"), 2);
	CHECK_EQ(count(b.xml, "ua-rp-80-00-1'"), 2);
	CHECK_EQ(count(b.xml, "<hostdev "), 2);
	/* each function alone on its port: no multifunction (QEMU's root-port AtomicOps need that),
	 * only function 0 of the root-bus slot the two new ports share says it */
	CHECK_EQ(count(b.xml, "multifunction"), 1);
	CHECK(b.xml && strstr(b.xml, "function='0x0' multifunction='on'/>\n    </controller>"));
	out_free(&a);
	out_free(&b);
}

/* Stale ports ua-rp-09-00 (index 7, function 0 of slot 0x1a) and ua-rp-0a-00 (index 8), with
 * more devices after them: both go (or both stay, as kept says), without a "kept" warning, and
 * a second run changes nothing. */
static void stale_pair(const char *port0, const char *port1, const char *more, int kept)
{
	char in[1024];
	struct out a, b;

	snprintf(in, sizeof(in), HEAD "  <devices>\n    <controller type='pci' index='7' model='pcie-root-port'>"
		 "<alias name='ua-rp-09-00'/>%s</controller>\n    <controller type='pci' index='8' "
		 "model='pcie-root-port'><alias name='ua-rp-0a-00'/>%s</controller>\n%s  </devices>\n</domain>\n",
		 port0, port1, more);
	a = merge(in, (struct run){ .which = "0" });
	CHECK_EQ(a.rc, 0);
	CHECK_EQ(count(a.xml, "ua-rp-09-00"), kept);
	CHECK_EQ(count(a.xml, "ua-rp-0a-00"), kept);
	CHECK(!strstr(a.warn, "kept"));
	b = merge(a.xml ? a.xml : "", (struct run){ .which = "0" });
	CHECK_EQ(b.rc, 0);
	CHECK(a.xml && b.xml && !strcmp(a.xml, b.xml));
	out_free(&a);
	out_free(&b);
}

#define PORT0 "<address type='pci' domain='0' bus='0' slot='0x1a' function='0'/>"

/* libvirt reads a missing bus as 0: a stale port written without one still sits in slot 0x1a */
static void stale_ports_without_bus(void)
{
	stale_pair(PORT0, "<address type='pci' domain='0' slot='0x1a' function='1'/>", "", 0);
}

/* a stale port whose function 1 is written in a second <address> (its first is no PCI one) */
static void stale_ports_second_address(void)
{
	stale_pair(PORT0, "<address type='p-i'/><address type='pci' domain='0' bus='0' slot='0x1a' function='1'/>",
		   "", 0);
}

/* a stale port on the bus of another: what only a dropped port uses keeps no port; with a
 * device on the second, both stay */
static void stale_port_on_stale_port(void)
{
	const char *on7 = "<address type='pci' domain='0' bus='7' slot='0' function='0'/>";

	stale_pair(PORT0, on7, "", 0);
	stale_pair(PORT0, on7, "    <interface type='user'><address type='pci' domain='0' bus='8' slot='0' "
		   "function='0'/></interface>\n", 1);
}

static void first_addr_taken(void)
{
	const char *in = HEAD "  <devices>\n    <interface type='user'><model type='e1000e'/>"
			 "<address type='pci' domain='0' bus='0' slot='0x12' function='0'/></interface>\n"
			 "  </devices>\n</domain>\n";
	struct out o = merge(in, (struct run){ .which = "0", .first_addr = 0x12 });

	CHECK_EQ(o.rc, 0);
	CHECK(strstr(o.warn, "slot 0x12 (--first-addr) is taken: the new root ports go to slot 0x13"));
	out_free(&o);
}

static void machine_messages(void)
{
	struct out o = merge("<domain><os><type arch='sparc'>hvm</type></os></domain>", (struct run){ .which = "0" });

	CHECK_EQ(o.rc, PL_EINVAL);
	CHECK(strstr(o.err, "arch='sparc'> has no q35 machine"));
	CHECK(!strstr(o.err, "i440fx"));
	o = merge("<domain><os><type arch='x86_64'>hvm</type></os></domain>", (struct run){ .which = "0" });
	CHECK(strstr(o.err, "libvirt would choose i440fx"));
}

int main(void)
{
	TEST(byte_exact);
	TEST(rerun_same_bytes);
	TEST(hole_warned);
	TEST(user_alias_kept);
	TEST(namespace_by_uri);
	TEST(every_override);
	TEST(numbers_as_libvirt);
	TEST(chassis_out_of_reach);
	TEST(global_replaced);
	TEST(global_pairs_as_qemu);
	TEST(many_removals);
	TEST(split_drops_stale_ports);
	TEST(stale_ports_without_bus);
	TEST(stale_ports_second_address);
	TEST(stale_port_on_stale_port);
	TEST(first_addr_taken);
	TEST(machine_messages);
	pl_system_free(sys);
	DONE();
}
