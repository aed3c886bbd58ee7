/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The guest model: QEMU command-line reading, QEMU's link rules, the check rules, plan agreement. */
#include <stdlib.h>

#include "analysis.h"
#include "check.h"
#include "guest.h"
#include "harness.h"
#include "hostbuild.h"

static int read_cmd(struct pl_guest *g, const char *text, int qmaj, int qmin)
{
	char err[300];
	int rc;

	pl_guest_init(g, PL_GUEST_CMDLINE);
	if (qmaj)
		pl_qemu_from_version(&g->qemu, qmaj, qmin, 0);
	rc = pl_guest_from_qemu(g, text, strlen(text), false, err, sizeof(err));
	if (rc)
		fprintf(stderr, "  read: %s\n", err);
	return rc;
}

static bool has(const struct pl_findings *f, const char *code)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].code, code))
			return true;
	return false;
}

static void shell_words(void)
{
	struct pl_guest g;

	/* env words and the program skipped; quotes, continuation lines, comments, doubled commas */
	CHECK_EQ(read_cmd(&g, "LC_ALL=C PATH=/bin \\\n /usr/bin/qemu-system-x86_64 \\\n"
			  "  -name guest=vm1 -S -nodefaults # a comment\n"
			  "  -device 'pcie-root-port,id=rp 1,bus=pcie.0,addr=0x10.0' \\\n"
			  "  -device \"vfio-pci,host=0000:03:00.0,id=a,,b,bus=rp 1\"\n", 0, 0), 0);
	CHECK_EQ(g.ndev, 2);
	CHECK_STR(g.devs[0].id, "rp 1");
	CHECK_EQ(g.devs[0].slot, 0x10);
	CHECK_STR(g.devs[1].id, "a,b");
	CHECK_EQ(g.devs[1].parent, 0);
	CHECK(g.devs[1].has_host);
	CHECK_EQ(g.devs[1].host.bus, 3);
	pl_guest_free(&g);
	CHECK(read_cmd(&g, "-device 'pcie-root-port,id=x", 0, 0) != 0);
	pl_guest_free(&g);
}

static void nul_separated(void)
{
	static const char argv[] = "qemu-system-x86_64\0-M\0pc-q35-3.1,accel=tcg\0-device\0pcie-root-port,id=p\0";
	struct pl_guest g;
	char err[100];

	pl_guest_init(&g, PL_GUEST_CMDLINE);
	CHECK_EQ(pl_guest_from_qemu(&g, argv, sizeof(argv) - 1, false, err, sizeof(err)), 0);
	CHECK_STR(g.machine, "pc-q35-3.1");
	CHECK_EQ(g.mach_major, 3);
	CHECK_EQ(g.devs[0].speed.value, PL_SPEED_2_5);
	CHECK_EQ(g.devs[0].speed.src, PL_GSRC_COMPAT);
	CHECK_EQ(g.devs[0].width.value, 1);
	pl_guest_free(&g);

	/* an empty word (a libvirt <qemu:arg value=''/>) is a bare word; each on the heap, for ASan */
	char *words[] = { strdup("qemu"), strdup(""), strdup("-S"), strdup("-"), strdup("-M"), strdup("q35") };

	pl_guest_init(&g, PL_GUEST_CMDLINE);
	CHECK_EQ(pl_guest_from_qemu_argv(&g, words, 6, false, err, sizeof(err)), 0);
	CHECK_STR(g.machine, "q35");
	pl_guest_free(&g);
	for (int i = 0; i < 6; i++)
		free(words[i]);
	CHECK(!pl_qemu_opt_with_arg(""));
	CHECK(!pl_qemu_opt_with_arg("-"));
	CHECK(!pl_qemu_opt_with_arg("--S"));
	CHECK_STR(pl_qemu_opt_with_arg("--set"), "set");
	CHECK_STR(pl_qemu_opt_with_arg("-unknown"), "unknown");
}

/* QEMU's order: the device's own value (or -set), then the last -global, then compat, then default */
static void link_sources(void)
{
	struct pl_guest g;

	CHECK_EQ(read_cmd(&g, "-machine type=pc-q35-7.2 -global pcie-root-port.x-speed=8 "
			  "-global driver=pcie-root-port,property=x-width,value=4 -global pcie-root-port.x-speed=5 "
			  "-device pcie-root-port,id=a -device pcie-root-port,id=b,x-speed=16 "
			  "-set device.b.x-width=2 -device ioh3420,id=c -device xio3130-downstream,id=d", 7, 2), 0);
	CHECK_EQ(g.devs[0].speed.value, PL_SPEED_5);
	CHECK_EQ(g.devs[0].speed.src, PL_GSRC_GLOBAL);
	CHECK_EQ(g.devs[0].width.value, 4);
	CHECK_EQ(g.devs[1].speed.value, PL_SPEED_16);
	CHECK_EQ(g.devs[1].speed.src, PL_GSRC_EXPLICIT);
	CHECK_EQ(g.devs[1].width.value, 2);
	CHECK_EQ(g.devs[1].width.src, PL_GSRC_SET);
	CHECK_EQ(g.devs[2].speed.value, PL_SPEED_2_5);
	CHECK_EQ(g.devs[2].speed.src, PL_GSRC_FIXED);
	CHECK_EQ(g.devs[3].speed.value, 0);
	CHECK_EQ(g.devs[3].width.src, PL_GSRC_FIXED);
	pl_guest_free(&g);
	CHECK_EQ(read_cmd(&g, "-device pcie-root-port,id=a", 0, 0), 0);
	CHECK_EQ(g.devs[0].speed.value, PL_SPEED_16);
	CHECK_EQ(g.devs[0].width.value, 32);
	CHECK_EQ(g.devs[0].width.src, PL_GSRC_DEFAULT);
	pl_guest_free(&g);
}

static void json_device(void)
{
	struct pl_guest g;
	struct pl_findings f;

	CHECK_EQ(read_cmd(&g, "-device '{\"driver\":\"pcie-root-port\",\"id\":\"p\",\"addr\":130,"
			  "\"multifunction\":true,\"x-speed\":\"8\",\"x-width\":16}' "
			  "-set device.p.x-speed=5", 7, 2), 0);
	CHECK_EQ(g.devs[0].slot, 0x10);
	CHECK_EQ(g.devs[0].fn, 2);
	CHECK(g.devs[0].multifunction);
	CHECK(g.devs[0].json);
	CHECK_EQ(g.devs[0].speed.value, PL_SPEED_8);       /* -set cannot reach JSON devices */
	CHECK(g.devs[0].width.not_string);
	CHECK_EQ(pl_check(&g, NULL, NULL, &f), 0);
	CHECK(has(&f, "qemu-refuses"));
	CHECK(has(&f, "slot-without-function-0"));
	pl_findings_free(&f);
	pl_guest_free(&g);
	CHECK(read_cmd(&g, "-device '{\"driver\":'", 0, 0) != 0);
	pl_guest_free(&g);
}

static void readconfig_text(void)
{
	struct pl_guest g;
	char err[100];

	pl_guest_init(&g, PL_GUEST_CMDLINE);
	CHECK_EQ(pl_guest_readconfig(&g, "[device \"ich9-pcie-port-1\"]\n  driver = \"pcie-root-port\"\n"
				     "  x-speed = \"16\"\n  addr = \"1c.0\"\n\n[global]\n  driver = \"pcie-root-port\"\n"
				     "  property = \"x-width\"\n  value = \"8\"\n[machine]\n  type = \"pc-q35-3.1\"\n",
				     "pve.cfg", err, sizeof(err)), 0);
	pl_guest_resolve(&g);
	CHECK_STR(g.devs[0].driver, "pcie-root-port");
	CHECK_EQ(g.devs[0].slot, 0x1c);
	CHECK_EQ(g.devs[0].speed.value, PL_SPEED_16);
	CHECK_EQ(g.devs[0].width.value, 8);
	CHECK_EQ(g.devs[0].width.src, PL_GSRC_GLOBAL);
	CHECK_EQ(g.mach_major, 3);
	pl_guest_free(&g);
	pl_guest_init(&g, PL_GUEST_CMDLINE);
	CHECK(pl_guest_readconfig(&g, "[device \"x\"]\n  bus = \"pcie.0\"\n", "a.cfg", err, sizeof(err)) != 0);
	pl_guest_free(&g);
}

static void refusals(void)
{
	struct pl_guest g;
	struct pl_findings f;

	CHECK_EQ(read_cmd(&g, "-device pcie-root-port,id=p,addr=0x10,x-speed=32 -device ioh3420,id=q,addr=0x11,"
			  "x-speed=8 -set device.nope.x-speed=8 -device vfio-pci,host=01:00.0,bus=p,addr=0x1", 7, 2), 0);
	CHECK_EQ(pl_check(&g, NULL, NULL, &f), 0);
	CHECK_EQ(pl_findings_count(&f, PL_SEV_ERROR), 4);
	pl_findings_free(&f);
	pl_guest_free(&g);
	/* the same on 9.0: 32 is accepted */
	CHECK_EQ(read_cmd(&g, "-device pcie-root-port,id=p,addr=0x10,x-speed=32", 9, 0), 0);
	CHECK_EQ(pl_check(&g, NULL, NULL, &f), 0);
	CHECK_EQ(f.n, 0);
	pl_findings_free(&f);
	pl_guest_free(&g);
	/* function 0 not multifunction while function 1 is used */
	CHECK_EQ(read_cmd(&g, "-device pcie-root-port,id=p,addr=0x10.0 -device pcie-root-port,id=q,addr=0x10.1", 9,
			  0), 0);
	CHECK_EQ(pl_check(&g, NULL, NULL, &f), 0);
	CHECK(has(&f, "qemu-refuses"));
	pl_findings_free(&f);
	pl_guest_free(&g);
}

/* libvirt's argv for its own test domains (qemuxml2argvdata): devices on the buses USB, SCSI,
 * virtio-serial controllers and q35's built-in AHCI provide, with their own 'port' property */
static void libvirt_child_buses(void)
{
	struct pl_guest g;
	struct pl_findings f;

	CHECK_EQ(read_cmd(&g, "-machine pc-q35-7.2 "
			  "-device '{\"driver\":\"qemu-xhci\",\"id\":\"usb\",\"bus\":\"pcie.0\",\"addr\":\"0x2\"}' "
			  "-device '{\"driver\":\"usb-hub\",\"id\":\"hub0\",\"bus\":\"usb.0\",\"port\":\"1\"}' "
			  "-device '{\"driver\":\"usb-tablet\",\"id\":\"input0\",\"bus\":\"usb.0\",\"port\":\"1.1\"}' "
			  "-device '{\"driver\":\"virtio-serial-pci\",\"id\":\"virtio-serial0\",\"bus\":\"pcie.0\",\"addr\":\"0x3\"}' "
			  "-device '{\"driver\":\"virtserialport\",\"bus\":\"virtio-serial0.0\",\"nr\":1,\"id\":\"channel0\"}' "
			  "-device '{\"driver\":\"ide-hd\",\"bus\":\"ide.0\",\"id\":\"sata0-0-0\"}'", 7, 2), 0);
	CHECK_EQ(pl_check(&g, NULL, NULL, &f), 0);
	CHECK_EQ(f.n, 0);
	pl_findings_free(&f);
	pl_guest_free(&g);
	/* still refused: a bus no device names, an AHCI port past ide.5, a root port's own port=1.1 */
	CHECK_EQ(read_cmd(&g, "-machine q35 -device usb-tablet,id=t,bus=usb.0 -device ide-hd,id=d,bus=ide.6 "
			  "-device pcie-root-port,id=p,port=1.1,addr=0x4", 7, 2), 0);
	CHECK_EQ(pl_check(&g, NULL, NULL, &f), 0);
	CHECK_EQ(pl_findings_count(&f, PL_SEV_ERROR), 3);
	pl_findings_free(&f);
	pl_guest_free(&g);
}

/* A host: Gen4 x16 GPU+audio with AtomicOps, a Gen3 x4 NIC. */
static struct pl_system *host(void)
{
	struct pl_system *s = sys_new();

	bus(add(s, 0, 1, 0, 0x1022, PCI_EXP_TYPE_ROOT_PORT, 4, 16, 4, 16, C32 | C64), 1, 1);
	add(s, 1, 0, 0, 0x1002, PCI_EXP_TYPE_ENDPOINT, 4, 16, 4, 16, C32 | C64);
	add(s, 1, 0, 1, 0x1002, PCI_EXP_TYPE_ENDPOINT, 4, 16, 4, 16, 0);
	bus(add(s, 0, 2, 0, 0x1022, PCI_EXP_TYPE_ROOT_PORT, 3, 4, 3, 4, 0), 2, 2);
	add(s, 2, 0, 0, 0x8086, PCI_EXP_TYPE_ENDPOINT, 3, 4, 3, 4, 0);
	finish(s);
	for (size_t i = 0; i < s->ndev; i++)
		pl_analyze(s, s->devs[i]);
	return s;
}

static void rules_against_host(void)
{
	static const struct {
		const char *cmd;
		int qmaj, qmin;
		const char *want, *not;
	} t[] = {
		{ "-device pcie-root-port,id=p -device vfio-pci,host=01:00.0,bus=p", 9, 0, "port-overstates", NULL },
		{ "-device pcie-root-port,id=p,x-speed=16,x-width=16 -device vfio-pci,host=01:00.0,bus=p", 9, 0, NULL,
		  "port-overstates" },
		{ "-device pcie-root-port,id=p,x-speed=8,x-width=16 -device vfio-pci,host=01:00.0,bus=p", 9, 0,
		  "port-slower", NULL },
		{ "-device pcie-root-port,id=p,x-speed=16,x-width=8 -device vfio-pci,host=01:00.0,bus=p", 9, 0,
		  "port-narrower", NULL },
		{ "-M pc-q35-2.12 -device pcie-root-port,id=p -device vfio-pci,host=02:00.0,bus=p", 9, 0,
		  "port-slower", NULL },
		{ "-device pcie-root-port,id=p,x-speed=16,x-width=16 -device vfio-pci,host=01:00.0,bus=p,"
		  "multifunction=on -device vfio-pci,host=01:00.1,bus=p,addr=0.1", 9, 0, "atomics-multifunction", NULL },
		{ "-device pcie-root-port,id=p,x-speed=16,x-width=16 -device vfio-pci,host=01:00.0,bus=p", 7, 2,
		  "atomics-qemu-old", NULL },
		{ "-device pcie-root-port,id=p,x-speed=16,x-width=16 -device vfio-pci,host=01:00.0,bus=p", 8, 1, NULL,
		  "atomics-qemu-old" },
		{ "-device vfio-pci,host=01:00.0,bus=pcie.0,addr=5", 9, 0, "atomics-root-bus", NULL },
		{ "-device vfio-pci,host=01:00.0", 9, 0, "no-link-root-bus", NULL },
		{ "-M pc -device vfio-pci,host=01:00.0", 9, 0, "no-link-conventional", NULL },
		{ "-device pcie-root-port,id=p -device x3130-upstream,id=u,bus=p -device xio3130-downstream,id=d,"
		  "bus=u -device vfio-pci,host=01:00.0,bus=d", 9, 0, "atomics-behind-switch", NULL },
		{ "-device pcie-pci-bridge,id=b -device vfio-pci,host=02:00.0,bus=b,addr=1", 9, 0, "no-link-bridge", NULL },
		{ "-device ioh3420,id=p -device vfio-pci,host=02:00.0,bus=p", 9, 0, "no-link-ioh3420", NULL },
		{ "-device pcie-root-port,id=p -device vfio-pci,host=09:00.0,bus=p", 9, 0, "host-missing", NULL },
		{ "-device vfio-pci,host=02:00.0,bus=nowhere", 9, 0, "qemu-refuses", NULL },
	};
	struct pl_system *s = host();
	struct pl_check_opts o = { .fix_cmd = "pcilink gen-qemu-args" };

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct pl_guest g;
		struct pl_findings f;

		CHECK_EQ(read_cmd(&g, t[i].cmd, t[i].qmaj, t[i].qmin), 0);
		CHECK_EQ(pl_check(&g, s, &o, &f), 0);
		if (t[i].want && !has(&f, t[i].want))
			fprintf(stderr, "  case %zu: no %s\n", i, t[i].want);
		if (t[i].not && has(&f, t[i].not))
			fprintf(stderr, "  case %zu: unexpected %s\n", i, t[i].not);
		CHECK(!t[i].want || has(&f, t[i].want));
		CHECK(!t[i].not || !has(&f, t[i].not));
		pl_findings_free(&f);
		pl_guest_free(&g);
	}
	pl_system_free(s);
}

/* The generators' model checks clean on the host it was planned for (split: AtomicOps kept). */
static void plan_checks_clean(void)
{
	struct pl_system *s = host();
	struct pl_plan_opts o = { .policy = PL_POLICY_HOST, .bus = "pcie.0", .first_addr = 0x10,
				  .first_chassis = 1, .hotplug = -1, .split = true, .kernel_major = 6, .kernel_minor = 8 };
	struct pl_dev *sel[3];
	struct pl_plan p;
	struct pl_guest g;
	struct pl_findings f;
	char err[200];
	size_t n = 0;

	for (size_t i = 0; i < s->ndev; i++)
		if (!pl_dev_is_bridge(s->devs[i]))
			sel[n++] = s->devs[i];
	for (int q = 0; q < 2; q++) {
		pl_qemu_from_version(&o.qemu, q ? 7 : 10, q ? 2 : 0, 0);
		CHECK_EQ(pl_plan_build(&o, sel, n, &p, err, sizeof(err)), 0);
		CHECK_EQ(pl_guest_from_plan(&p, &g), 0);
		CHECK_EQ(g.ndev, 6);
		CHECK_EQ(pl_check(&g, s, NULL, &f), 0);
		for (size_t i = 0; i < f.n; i++)
			fprintf(stderr, "  %s: %s\n", f.v[i].code, f.v[i].msg);
		/* 7.2 loses AtomicOps, as the plan says */
		CHECK_EQ(f.n, q ? 1 : 0);
		CHECK(!q || (has(&f, "atomics-qemu-old") && p.ports[0].atomics == PL_ATOMICS_NO));
		pl_findings_free(&f);
		pl_guest_free(&g);
		pl_plan_free(&p);
	}
	pl_system_free(s);
}

/* libvirt's names: controller index N is bus pci.N (or its ua- alias), hostdevs hostdevN */
static void domain_reader(void)
{
	static const char xml[] =
		"<domain type='kvm' xmlns:q='http://libvirt.org/schemas/domain/qemu/1.0'>"
		"<os><type arch='x86_64' machine='pc-q35-3.1'>hvm</type></os><devices>"
		"<emulator>/usr/bin/qemu-system-x86_64</emulator>"
		"<controller type='pci' index='0' model='pcie-root'/>"
		"<controller type='pci' index='2' model='pcie-root-port'><model name='ioh3420'/>"
		"<address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/></controller>"
		"<controller type='pci' index='1' model='pcie-root-port'><alias name='ua-rp'/>"
		"<target chassis='1' port='0x10'/>"
		"<address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0' multifunction='on'/>"
		"</controller>"
		"<hostdev mode='subsystem' type='pci'><source><address domain='0x0000' bus='0x03' slot='0x00' "
		"function='0x1'/></source><address type='pci' domain='0x0000' bus='0x01' slot='0x00' "
		"function='0x0'/></hostdev>"
		"<hostdev mode='subsystem' type='pci'><source><address domain='0x0000' bus='0x04' slot='0x00' "
		"function='0x0'/></source><alias name='ua-nvme'/><address type='pci' domain='0x0000' bus='0x02' "
		"slot='0x00' function='0x0'/></hostdev>"
		"</devices><q:override><q:device alias='ua-rp'><q:frontend><q:property name='x-speed' type='string' "
		"value='8'/></q:frontend></q:device></q:override>"
		/* libvirt joins the words of every <qemu:commandline> into one argv */
		"<q:commandline><q:arg value='-global'/></q:commandline>"
		"<qemu:override xmlns:qemu='urn:other'><qemu:device alias='ua-rp'/></qemu:override>"
		"<q:commandline><q:arg value='pcie-root-port.x-width=4'/></q:commandline></domain>";
	struct pl_guest g;
	struct pl_gdev *rp, *hd;
	char err[200], emu[64];

	pl_guest_init(&g, PL_GUEST_DOMAIN);
	CHECK_EQ(pl_guest_from_domain(&g, xml, sizeof(xml) - 1, "d.xml", emu, sizeof(emu), err, sizeof(err)), 0);
	CHECK_STR(emu, "/usr/bin/qemu-system-x86_64");
	CHECK_EQ(g.mach_major, 3);
	rp = pl_guest_find(&g, "ua-rp");
	CHECK(rp && rp->kind == PL_GK_ROOT_PORT && rp->slot == 2 && rp->multifunction && rp->port == 0x10);
	CHECK(rp && rp->speed.value == PL_SPEED_8 && rp->speed.src == PL_GSRC_EXPLICIT);
	CHECK(rp && rp->width.value == 4 && rp->width.src == PL_GSRC_GLOBAL);
	CHECK(pl_guest_find(&g, "pci.2") && pl_guest_find(&g, "pci.2")->kind == PL_GK_IOH3420);
	hd = pl_guest_find(&g, "hostdev0");
	CHECK(hd && hd->has_host && hd->host.fn == 1 && !strcmp(hd->bus, "ua-rp") && hd->parent >= 0);
	hd = pl_guest_find(&g, "ua-nvme");
	CHECK(hd && !strcmp(hd->bus, "pci.2"));
	pl_guest_free(&g);
	pl_guest_init(&g, PL_GUEST_DOMAIN);
	/* a USB controller's index is not a PCI bus: index 1 here must not move pci.1 to 00:1d.7 */
	static const char usb[] =
		"<domain><os><type machine='q35'>hvm</type></os><devices>"
		"<controller type='pci' index='0' model='pcie-root'/>"
		"<controller type='pci' index='1' model='pcie-root-port'>"
		"<address type='pci' bus='0x00' slot='0x02' function='0x0'/></controller>"
		"<controller type='usb' index='1' model='ich9-ehci1'>"
		"<address type='pci' bus='0x00' slot='0x1d' function='0x7'/></controller></devices></domain>";

	pl_guest_init(&g, PL_GUEST_DOMAIN);
	CHECK_EQ(pl_guest_from_domain(&g, usb, sizeof(usb) - 1, "u.xml", NULL, 0, err, sizeof(err)), 0);
	rp = pl_guest_find(&g, "pci.1");
	CHECK(rp && rp->slot == 2 && rp->fn == 0);
	pl_guest_free(&g);
	pl_guest_init(&g, PL_GUEST_DOMAIN);
	CHECK(pl_guest_from_domain(&g, "<domain><devices>", 17, "bad.xml", NULL, 0, err, sizeof(err)) != 0);
	CHECK(pl_guest_from_domain(&g, "<nodedev/>", 10, "n.xml", NULL, 0, err, sizeof(err)) != 0);
	pl_guest_free(&g);
}

/* Host nodes: 01:00.x on node 1, 02:00.0 on node 0. */
static struct pl_system *numa_host(void)
{
	struct pl_system *s = host();

	for (size_t i = 0; i < s->ndev; i++)
		s->devs[i]->numa_node = s->devs[i]->bdf.bus == 1 ? 1 : 0;
	return s;
}

/* The guest node of each assigned function comes from the pxb-pcie its bus chain ends on. */
static void numa_rules(void)
{
	static const char rp1[] = " -device pcie-root-port,id=p,bus=x,x-speed=16,x-width=16 "
				  "-device vfio-pci,host=01:00.0,bus=p";
	static const struct {
		const char *pre, *post;
		const char *want, *not;
	} t[] = {
		{ "-device pxb-pcie,id=x,bus_nr=20,numa_node=1", rp1, NULL, "numa-node" },
		{ "-device pxb-pcie,id=x,bus_nr=20,numa_node=0", rp1, "numa-node-differs", "numa-node-none" },
		{ "-device '{\"driver\":\"pxb-pcie\",\"id\":\"x\",\"bus_nr\":20,\"numa_node\":0}'", rp1,
		  "numa-node-differs", NULL },
		{ "-device '{\"driver\":\"pxb-pcie\",\"id\":\"x\",\"bus_nr\":20,\"numa_node\":1}'", rp1, NULL, "numa-node" },
		/* no node on the expander, or on pcie.0: a note, as the host has two nodes here */
		{ "-device pxb-pcie,id=x,bus_nr=20", " -device pcie-root-port,id=p,bus=x -device vfio-pci,host=01:00.0,"
		  "bus=p -device pcie-root-port,id=q -device vfio-pci,host=02:00.0,bus=q", "numa-node-none",
		  "numa-node-differs" },
		/* one host node among the assigned functions: quiet */
		{ "-device pcie-root-port,id=p", " -device vfio-pci,host=01:00.0,bus=p", NULL, "numa-node" },
		/* through a switch below the expander */
		{ "-device pxb-pcie,id=x,bus_nr=20,numa_node=0 -device pcie-root-port,id=r,bus=x -device "
		  "x3130-upstream,id=u,bus=r", " -device xio3130-downstream,id=d,bus=u -device vfio-pci,host=01:00.0,"
		  "bus=d", "numa-node-differs", NULL },
	};
	struct pl_system *s = numa_host();
	struct pl_check_opts o = { .fix_cmd = "pcilink gen-qemu-args" };
	char cmd[600];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct pl_guest g;
		struct pl_findings f;
		bool any = false;

		snprintf(cmd, sizeof(cmd), "%s%s", t[i].pre, t[i].post);
		CHECK_EQ(read_cmd(&g, cmd, 9, 0), 0);
		pl_guest_resolve(&g);
		CHECK_EQ(pl_check(&g, s, &o, &f), 0);
		for (size_t j = 0; j < f.n; j++)
			any |= !strncmp(f.v[j].code, "numa-node", 9);
		if (t[i].want && !has(&f, t[i].want))
			fprintf(stderr, "  case %zu: no %s\n", i, t[i].want);
		CHECK(!t[i].want || has(&f, t[i].want));
		CHECK(!t[i].not || (strcmp(t[i].not, "numa-node") ? !has(&f, t[i].not) : !any));
		for (size_t j = 0; j < f.n; j++)
			if (!strcmp(f.v[j].code, "numa-node-differs"))
				CHECK(strstr(f.v[j].fix, " --numa ") != NULL);
		pl_findings_free(&f);
		pl_guest_free(&g);
	}
	/* host node unknown: nothing to compare */
	for (size_t i = 0; i < s->ndev; i++)
		s->devs[i]->numa_node = -1;
	{
		struct pl_guest g;
		struct pl_findings f;

		snprintf(cmd, sizeof(cmd), "-device pxb-pcie,id=x,bus_nr=20,numa_node=0%s", rp1);
		CHECK_EQ(read_cmd(&g, cmd, 9, 0), 0);
		pl_guest_resolve(&g);
		CHECK(pl_guest_find(&g, "hostdev0") == NULL);
		CHECK_EQ(g.devs[2].expander, 0);
		CHECK_EQ(pl_check(&g, s, &o, &f), 0);
		CHECK(!has(&f, "numa-node-differs") && !has(&f, "numa-node-none"));
		pl_findings_free(&f);
		pl_guest_free(&g);
	}
	/* QEMU refuses a numa_node it cannot parse */
	{
		struct pl_guest g;

		CHECK_EQ(read_cmd(&g, "-device pxb-pcie,id=x,numa_node=one", 9, 0), 0);
		CHECK(g.refusals != NULL && g.devs[0].numa_node == -1);
		pl_guest_free(&g);
	}
	pl_system_free(s);
}

/* libvirt: pcie-expander-bus <target busNr><node>, a root port on it, a hostdev below. */
static void numa_domain(void)
{
	static const char xml[] =
		"<domain type='kvm'><os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os><devices>"
		"<controller type='pci' index='0' model='pcie-root'/>"
		"<controller type='pci' index='3' model='pcie-expander-bus'><model name='pxb-pcie'/>"
		"<target busNr='250'><node>%d</node></target>"
		"<address type='pci' domain='0x0000' bus='0x00' slot='0x10' function='0x0'/></controller>"
		"<controller type='pci' index='4' model='pcie-root-port'><target chassis='1' port='0x1'/>"
		"<address type='pci' domain='0x0000' bus='0x03' slot='0x00' function='0x0'/></controller>"
		"<hostdev mode='subsystem' type='pci'><source><address domain='0x0000' bus='0x02' slot='0x00' "
		"function='0x0'/></source><address type='pci' domain='0x0000' bus='0x04' slot='0x00' "
		"function='0x0'/></hostdev></devices></domain>";
	struct pl_system *s = numa_host();

	for (int node = 0; node < 2; node++) {
		struct pl_guest g;
		struct pl_findings f;
		char buf[sizeof(xml) + 8], err[200];
		int len = snprintf(buf, sizeof(buf), xml, node);

		pl_guest_init(&g, PL_GUEST_DOMAIN);
		CHECK_EQ(pl_guest_from_domain(&g, buf, (size_t)len, "n.xml", NULL, 0, err, sizeof(err)), 0);
		CHECK(pl_guest_find(&g, "pci.3") && pl_guest_find(&g, "pci.3")->numa_node == node);
		CHECK(pl_guest_find(&g, "hostdev0") && pl_guest_find(&g, "hostdev0")->expander >= 0);
		CHECK_EQ(pl_check(&g, s, NULL, &f), 0);
		/* 02:00.0 is on host node 0 */
		CHECK_EQ(has(&f, "numa-node-differs"), node != 0);
		pl_findings_free(&f);
		pl_guest_free(&g);
	}
	pl_system_free(s);
}

/* gen-qemu-args --numa's model checks clean: each port on the expander of its device's node. */
static void numa_plan_checks_clean(void)
{
	struct pl_system *s = numa_host();
	struct pl_plan_opts o = { .policy = PL_POLICY_HOST, .bus = "pcie.0", .first_addr = 0x10, .first_chassis = 1,
				  .hotplug = -1, .split = true, .numa = true, .kernel_major = 6, .kernel_minor = 8 };
	struct pl_dev *sel[3];
	struct pl_plan p;
	struct pl_guest g;
	struct pl_findings f;
	char err[200];
	size_t n = 0;

	for (size_t i = 0; i < s->ndev; i++)
		if (!pl_dev_is_bridge(s->devs[i]))
			sel[n++] = s->devs[i];
	pl_qemu_from_version(&o.qemu, 10, 0, 0);
	CHECK_EQ(pl_plan_build(&o, sel, n, &p, err, sizeof(err)), 0);
	CHECK_EQ(p.npxb, 2);
	CHECK_EQ(pl_guest_from_plan(&p, &g), 0);
	g.src = PL_GUEST_CMDLINE;       /* judged as the command line it is */
	CHECK_EQ(pl_check(&g, s, NULL, &f), 0);
	for (size_t i = 0; i < f.n; i++)
		fprintf(stderr, "  %s: %s\n", f.v[i].code, f.v[i].msg);
	CHECK_EQ(f.n, 0);
	pl_findings_free(&f);
	pl_guest_free(&g);
	pl_plan_free(&p);
	pl_system_free(s);
}

struct replies {
	FILE *f;
};

static int replay(void *ctx, const char *req, char **reply, char *err, size_t errlen)
{
	size_t cap = 0;

	(void)req;
	*reply = NULL;
	if (getline(reply, &cap, ((struct replies *)ctx)->f) < 0) {
		free(*reply);
		snprintf(err, errlen, "transcript ended");
		return PL_EACCES;
	}
	return PL_OK;
}

/* A transcript of QEMU 7.2's replies to check --qmp (tests/fuzz/corpus/qmp): what it realized */
static void qmp_transcript(void)
{
	struct replies r = { fopen("tests/fuzz/corpus/qmp/switch-ioh3420.txt", "r") };
	struct pl_qmp_io io = { &r, replay };
	struct pl_guest g;
	struct pl_gdev *d;
	char err[200], *greeting = NULL;
	size_t cap = 0;
	int a, b, c;

	CHECK(r.f != NULL);
	if (!r.f)
		return;
	CHECK(getline(&greeting, &cap, r.f) > 0);
	CHECK_EQ(pl_qmp_version(greeting, &a, &b, &c), 0);
	CHECK_EQ(a * 100 + b, 702);
	free(greeting);
	pl_guest_init(&g, PL_GUEST_QMP);
	CHECK_EQ(pl_guest_from_qmp(&g, &io, err, sizeof(err)), 0);
	CHECK_STR(g.machine, "pc-q35-7.2");
	d = pl_guest_find(&g, "rp1");
	CHECK(d && d->speed.value == PL_SPEED_8 && d->width.value == 4 && d->speed.src == PL_GSRC_REALIZED);
	CHECK(d && d->multifunction && d->slot == 0x10 && d->fn == 0);
	d = pl_guest_find(&g, "dn");
	CHECK(d && d->kind == PL_GK_SWITCH_DOWN && d->parent >= 0 && !strcmp(g.devs[d->parent].id, "up"));
	d = pl_guest_find(&g, "rp3");
	CHECK(d && d->kind == PL_GK_IOH3420 && d->speed.value == PL_SPEED_2_5 && d->speed.src == PL_GSRC_FIXED);
	pl_guest_free(&g);
	fclose(r.f);
}

/* Inside a guest: QEMU's default root port above a device, and a plan the guest does not run */
static void inside_guest(void)
{
	static const char plan[] = "{\"ports\": [{\"id\": \"rp-01-00\", \"addr\": \"0x01.0\", \"x_speed\": \"8\", "
				   "\"x_width\": \"4\", \"atomics\": {\"verdict\": \"yes\"}, \"functions\": [{\"host\": "
				   "\"0000:41:00.0\", \"guest_function\": 0, \"vendor_id\": \"8086\", \"device_id\": \"10d3\"}]},"
				   "{\"id\": \"rp-02-00\", \"addr\": \"0x07.1\", \"x_speed\": null, \"x_width\": null, "
				   "\"functions\": []}]}";
	struct pl_system *s = sys_new();
	struct pl_findings f;
	char err[200];

	bus(add(s, 0, 1, 0, 0x1b36, PCI_EXP_TYPE_ROOT_PORT, 4, 32, 4, 32, 0), 1, 1);
	add(s, 1, 0, 0, 0x8086, PCI_EXP_TYPE_ENDPOINT, 1, 1, 1, 1, 0);
	finish(s);
	CHECK_EQ(pl_check_inside(s, NULL, 0, &f, err, sizeof(err)), 0);
	CHECK(has(&f, "guest-link-made-up"));
	pl_findings_free(&f);
	CHECK_EQ(pl_check_inside(s, plan, sizeof(plan) - 1, &f, err, sizeof(err)), 0);
	CHECK(has(&f, "guest-link-differs"));           /* 16GT/s x32, not 8GT/s x4 */
	CHECK(has(&f, "guest-atomics-missing"));
	CHECK(has(&f, "guest-port-missing"));           /* nothing at 00:07.1 */
	pl_findings_free(&f);
	CHECK(pl_check_inside(s, "{\"x\": 1}", 8, &f, err, sizeof(err)) != 0);
	pl_system_free(s);
}

int main(void)
{
	TEST(shell_words);
	TEST(nul_separated);
	TEST(link_sources);
	TEST(json_device);
	TEST(readconfig_text);
	TEST(refusals);
	TEST(libvirt_child_buses);
	TEST(rules_against_host);
	TEST(plan_checks_clean);
	TEST(domain_reader);
	TEST(numa_rules);
	TEST(numa_domain);
	TEST(numa_plan_checks_clean);
	TEST(qmp_transcript);
	TEST(inside_guest);
	DONE();
}
