/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proxmox VE: the VM config and pci.cfg readers, hostpci placement, the byte-for-byte merge. */
#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include "emit_proxmox.h"
#include "guest.h"
#include "harness.h"
#include "proxmox.h"

static struct pl_dev devs[16];

/* A plan of n ports; port i holds nfn[i] functions of device bus[i]:00, link 16/x(4<<i%3). */
static void mkplan(struct pl_plan *p, struct pl_plan_opts *o, int n, const int *bus, const int *nfn)
{
	static struct pl_plan_port ports[16];
	int k = 0;

	memset(p, 0, sizeof(*p));
	memset(o, 0, sizeof(*o));
	memset(ports, 0, sizeof(ports));
	o->hotplug = -1;
	p->opts = o;
	p->ports = ports;
	p->nports = (size_t)n;
	for (int i = 0; i < n; i++) {
		ports[i].link_props = true;
		ports[i].speed = PL_SPEED_16;
		ports[i].width = 4 << (i % 3);
		ports[i].nfn = nfn[i];
		for (int j = 0; j < nfn[i]; j++, k++) {
			devs[k].bdf = (struct pl_bdf){ 0, (uint8_t)bus[i], 0, (uint8_t)j };
			devs[k].class_code = j ? 0x040300 : 0x030000;
			ports[i].fns[j].dev = &devs[k];
			ports[i].fns[j].guest_fn = j;
		}
	}
}

/* Emit the plan (merged into conf when not NULL); returns malloc'ed output or NULL on failure. */
static bool run_xvga;   /* run() as with --x-vga */

static char *run(const struct pl_plan *p, const char *conf, char *err, size_t errlen)
{
	struct pl_pve_opts o = { .xvga = run_xvga };
	struct pl_pve_conf c;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	err[0] = 0;
	if (conf && pl_pve_parse(conf, strlen(conf), "t.conf", &c, err, errlen))
		return NULL;
	o.conf = conf ? &c : NULL;
	f = open_memstream(&buf, &len);
	rc = pl_pve_emit(p, &o, f);
	fclose(f);
	pl_diag_free(o.warnings);
	if (conf)
		pl_pve_free(&c);
	if (rc) {
		snprintf(err, errlen, "%s", o.err);
		free(buf);
		return NULL;
	}
	return buf;
}

static void ids(void)
{
	struct pl_pve_id id[PL_PVE_MAX_IDS];

	CHECK_EQ(pl_pve_parse_ids("0000:01:00.0", 12, id, 8), 1);
	CHECK(!id[0].all_fns && id[0].bdf.bus == 1 && id[0].bdf.fn == 0);
	CHECK_EQ(pl_pve_parse_ids("d0:13.1;1234:f0:13", 18, id, 8), 2);
	CHECK(id[0].bdf.bus == 0xd0 && id[0].bdf.dev == 0x13 && id[0].bdf.fn == 1);
	CHECK(id[1].all_fns && id[1].bdf.domain == 0x1234);
	CHECK_EQ(pl_pve_parse_ids("01:00.8", 7, id, 8), PL_EINVAL);     /* functions are 0-7 */
	CHECK_EQ(pl_pve_parse_ids("01:20.0", 7, id, 8), PL_EINVAL);     /* devices are 0-1f */
	CHECK_EQ(pl_pve_parse_ids("1:00.0", 6, id, 8), PL_EINVAL);
	CHECK_EQ(pl_pve_parse_ids("01:00.0;", 8, id, 8), PL_EINVAL);
	CHECK_EQ(pl_pve_parse_ids("", 0, id, 8), PL_EINVAL);
	CHECK_EQ(pl_pve_parse_ids("01:00.0;01:00.1;01:00.2", 23, id, 2), PL_EINVAL);
	CHECK(pl_pve_id_matches(&id[0], &(struct pl_bdf){ 0, 1, 0, 0 }));
}

static void parse(void)
{
	static const char conf[] = "#desc\n#more\nmachine: type=pc-q35-3.1,viommu=intel\n"
				   "hostpci3: mapping=gpu,pcie=on,x-vga=1\nhostpci10: 41:00.0\nbios: ovmf\n"
				   "args: -foo\n\n[PENDING]\nhostpci2: 01:00.0\n[snap]\nhostpci0: garbage\n";
	struct pl_pve_conf c;
	char err[300];

	CHECK_EQ(pl_pve_parse(conf, strlen(conf), "t", &c, err, sizeof(err)), 0);
	CHECK(c.q35 && c.machine_major == 3 && c.machine_minor == 1);
	CHECK_STR(c.machine, "pc-q35-3.1");
	CHECK(c.hostpci[3].present && c.hostpci[3].pcie && c.hostpci[3].xvga);
	CHECK_STR(c.hostpci[3].mapping, "gpu");
	CHECK(c.hostpci[10].present && !c.hostpci[10].pcie && c.hostpci[10].nids == 1);
	CHECK(!c.hostpci[0].present);   /* the snapshot's entries are not the live config */
	CHECK(c.ovmf && c.has_args && c.pending_hostpci);
	CHECK_EQ(c.main_end, strstr(conf, "[PENDING]") - conf);
	CHECK_EQ(c.nkeys, 5);
	pl_pve_free(&c);

	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "hostpci0: 01:00.0\nhostpci0: 02:00.0\n", "t:2: hostpci0 appears twice (also on line 1): keep one" },
		{ "hostpci16: 01:00.0\n", "t:1: hostpci16: qemu-server knows hostpci0 to hostpci15" },
		{ "hostpci01: 01:00.0\n", "t:1: 'hostpci01' is not a hostpci key (hostpci0 to hostpci15)" },
		{ "hostpci0: 01:00.0,mapping=x\n", "t:1: hostpci0: both a host id and mapping= (give one)" },
		{ "hostpci0: pcie=1\n", "t:1: hostpci0: neither a host id nor mapping=" },
		/* Proxmox refuses a key given twice; merging would rewrite both */
		{ "hostpci0: mapping=gpu,pcie=1,mapping=gpu\n",
		  "t:1: hostpci0: mapping= appears twice: keep one (Proxmox refuses a duplicate key)" },
		{ "hostpci0: 01:00.0,host=02:00.0\n",
		  "t:1: hostpci0: the host id appears twice: keep one (Proxmox refuses a duplicate key)" },
		{ "hostpci0: 01:00.0,pcie=1,x-vga=1,pcie=0\n",
		  "t:1: hostpci0: pcie= appears twice: keep one (Proxmox refuses a duplicate key)" },
		{ "hostpci0: 01:00.0,x-vga=1,x-vga=1\n",
		  "t:1: hostpci0: x-vga= appears twice: keep one (Proxmox refuses a duplicate key)" },
		{ "hostpci0: 01:00.0,pcie=maybe\n", "t:1: hostpci0: pcie=maybe is not a boolean (0 or 1)" },
		{ "hostpci0: 1:0.0\n", "t:1: hostpci0: '1:0.0' is not a host PCI id (BB:DD.F, DDDD:BB:DD.F, ';' "
				      "between several, at most 8)" },
		{ "<domain>\n", "t:1: not a 'key: value' line: is this a VM config?" },
		{ "args: a\nargs: b\n", "t:2: args appears twice (also on line 1): keep one" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(pl_pve_parse(bad[i].text, strlen(bad[i].text), "t", &c, err, sizeof(err)), PL_EINVAL);
		CHECK_STR(err, bad[i].msg);
		pl_pve_free(&c);
	}
	CHECK_EQ(pl_pve_parse("a: b\0c", 6, "t", &c, err, sizeof(err)), PL_EINVAL);
	CHECK_STR(err, "t: has a NUL byte: not a VM config");
}

static void mappings(void)
{
	static const char conf[] = "machine: q35\nhostpci0: mapping=gpu,pcie=1\nhostpci1: mapping=nic\n";
	static const char cfg[] = "gpu\n\tmap id=1002:744c,node=pve2,path=0000:02:00.0\n"
				  "\tmap id=1002:744c,iommugroup=3,node=pve,path=0000:03:00.0;0000:03:00.1\n"
				  "\tdescription a GPU\n\nnic\n\tmap node=pve,path=0000:05:00\n";
	struct pl_pve_conf c;
	char err[300];

	CHECK_EQ(pl_pve_parse(conf, strlen(conf), "t", &c, err, sizeof(err)), 0);
	CHECK_EQ(pl_pve_resolve_mappings(&c, cfg, strlen(cfg), "pci.cfg", "pve", err, sizeof(err)), 0);
	CHECK(c.hostpci[0].mapped && c.hostpci[0].nids == 2 && c.hostpci[0].ids[1].bdf.fn == 1);
	CHECK(c.hostpci[1].mapped && c.hostpci[1].ids[0].all_fns && c.hostpci[1].ids[0].bdf.bus == 5);
	pl_pve_free(&c);
	CHECK_EQ(pl_pve_parse(conf, strlen(conf), "t", &c, err, sizeof(err)), 0);
	CHECK_EQ(pl_pve_resolve_mappings(&c, cfg, strlen(cfg), "pci.cfg", "pve3", err, sizeof(err)), PL_EINVAL);
	CHECK_STR(err, "t:2: hostpci0: mapping 'gpu' has no map for node 'pve3' in pci.cfg");
	pl_pve_free(&c);
	CHECK_EQ(pl_pve_parse(conf, strlen(conf), "t", &c, err, sizeof(err)), 0);
	CHECK_EQ(pl_pve_resolve_mappings(&c, "\tmap path=01:00.0\n", 18, "m", "pve", err, sizeof(err)), PL_EINVAL);
	CHECK_STR(err, "m:1: a property before any mapping id");
	pl_pve_free(&c);
}

static void lines_alone(void)
{
	struct pl_plan p;
	struct pl_plan_opts o;
	char err[400], *out;

	mkplan(&p, &o, 2, (const int[]){ 3, 7 }, (const int[]){ 1, 2 });
	out = run(&p, NULL, err, sizeof(err));
	CHECK_STR(out, "hostpci0: 0000:03:00.0,pcie=1\nhostpci1: 0000:07:00.0;0000:07:00.1,pcie=1\n"
		       "args: -set device.ich9-pcie-port-1.x-speed=16 -set device.ich9-pcie-port-1.x-width=4 "
		       "-set device.ich9-pcie-port-2.x-speed=16 -set device.ich9-pcie-port-2.x-width=8\n");
	free(out);
}

/* The hostpci indices new entries get in a config: never a slot without function 0 (8.2). */
static void placement(void)
{
	struct pl_plan p;
	struct pl_plan_opts o;
	char err[400], *out;

	mkplan(&p, &o, 2, (const int[]){ 3, 5 }, (const int[]){ 1, 1 });
	p.ports[0].link_props = p.ports[1].link_props = false;
	/* 0-3 taken, 4 taken without pcie=1 (no port at 10.0): 5-11 would be invisible, so 12, 13 */
	out = run(&p, "machine: q35\nhostpci0: 10:00.0\nhostpci1: 11:00.0\nhostpci2: 12:00.0\n"
		      "hostpci3: 13:00.0\nhostpci4: 14:00.0\n", err, sizeof(err));
	CHECK(out && strstr(out, "hostpci12: 0000:03:00.0,pcie=1\nhostpci13: 0000:05:00.0,pcie=1\n"));
	free(out);
	/* with pcie=1 on hostpci4 the port at 10.0 exists: 5 and 6 are fine */
	out = run(&p, "machine: q35\nhostpci0: 10:00.0\nhostpci1: 11:00.0\nhostpci2: 12:00.0\n"
		      "hostpci3: 13:00.0\nhostpci4: 14:00.0,pcie=1\n", err, sizeof(err));
	CHECK(out && strstr(out, "hostpci5: 0000:03:00.0,pcie=1\nhostpci6: 0000:05:00.0,pcie=1\n"));
	free(out);
	/* an existing entry for our device at 5 without 4 moves to 4, keeping its options */
	out = run(&p, "machine: q35\nhostpci0: 10:00.0\nhostpci1: 11:00.0\nhostpci2: 12:00.0\n"
		      "hostpci3: 13:00.0\nhostpci5: 03:00.0,rombar=0,pcie=1\n", err, sizeof(err));
	CHECK_STR(out, "machine: q35\nhostpci0: 10:00.0\nhostpci1: 11:00.0\nhostpci2: 12:00.0\n"
		       "hostpci3: 13:00.0\nhostpci4: 0000:03:00.0,rombar=0,pcie=1\nhostpci5: 0000:05:00.0,pcie=1\n");
	free(out);
	/* no room */
	out = run(&p, "machine: q35\nhostpci0: 10:00.0\nhostpci1: 11:00.0\nhostpci2: 12:00.0\n"
		      "hostpci3: 13:00.0\nhostpci4: 14:00.0\nhostpci12: 15:00.0\n", err, sizeof(err));
	CHECK(!out);
	CHECK_STR(err, "no free hostpci index for 0000:03:00.0: qemu-server has hostpci0 to hostpci15, and "
		       "hostpci5-11 need hostpci4 (13-15 need 12) with pcie=1");
}

/* conf merged gives want, and merging that again changes nothing */
static void merges_to(const struct pl_plan *p, const char *conf, const char *want)
{
	char err[400], *out = run(p, conf, err, sizeof(err)), *again = out ? run(p, out, err, sizeof(err)) : NULL;

	CHECK_STR(out, want);
	CHECK_STR(again, out);
	free(again);
	free(out);
}

static void merge(void)
{
	static const char conf[] =
		"#desc: keep %3A me\nargs: -cpu host  -set device.ich9-pcie-port-2.x-speed=2_5 "
		"-set 'device.ich9-pcie-port-9.x-speed=8'\nballoon: 0\nhostpci0: 0000:07:00,x-vga=1\n"
		"hostpci1: 03:00.0,pcie=0,romfile=vbios.bin\nmachine: q35\nvga: none\n\n[PENDING]\nmemory: 4\n\n"
		"[snap1]\nhostpci0: 0000:07:00\nmachine: q35\n";
	struct pl_plan p;
	struct pl_plan_opts o;
	char err[400], *out;

	/* 07:00 split in two entries: the All Functions entry keeps index 0 and x-vga for .0 */
	mkplan(&p, &o, 3, (const int[]){ 7, 7, 3 }, (const int[]){ 1, 1, 1 });
	devs[1].bdf.fn = 1;
	merges_to(&p, conf,
		  "#desc: keep %3A me\nargs: -cpu host -set 'device.ich9-pcie-port-9.x-speed=8' "
		  "-set device.ich9-pcie-port-1.x-speed=16 -set device.ich9-pcie-port-1.x-width=4 "
		  "-set device.ich9-pcie-port-2.x-speed=16 -set device.ich9-pcie-port-2.x-width=16 "
		  "-set device.ich9-pcie-port-3.x-speed=16 -set device.ich9-pcie-port-3.x-width=8\nballoon: 0\n"
		  "hostpci0: 0000:07:00.0,x-vga=1,pcie=1\nhostpci1: 0000:03:00.0,pcie=1,romfile=vbios.bin\n"
		  "hostpci2: 0000:07:00.1,pcie=1\nmachine: q35\nvga: none\n\n[PENDING]\nmemory: 4\n\n"
		  "[snap1]\nhostpci0: 0000:07:00\nmachine: q35\n");

	/* a config without args and without a final newline */
	mkplan(&p, &o, 1, (const int[]){ 3 }, (const int[]){ 1 });
	merges_to(&p, "cores: 2\nmachine: q35\nname: x",
		  "args: -set device.ich9-pcie-port-1.x-speed=16 -set device.ich9-pcie-port-1.x-width=4\n"
		  "cores: 2\nhostpci0: 0000:03:00.0,pcie=1\nmachine: q35\nname: x");
	out = run(&p, "machine: q35\nsockets: 1", err, sizeof(err));
	CHECK_STR(out, "args: -set device.ich9-pcie-port-1.x-speed=16 -set device.ich9-pcie-port-1.x-width=4\n"
		       "hostpci0: 0000:03:00.0,pcie=1\nmachine: q35\nsockets: 1");
	free(out);
	out = run(&p, "machine: q35\ntags: z", err, sizeof(err));
	CHECK_STR(out, "args: -set device.ich9-pcie-port-1.x-speed=16 -set device.ich9-pcie-port-1.x-width=4\n"
		       "hostpci0: 0000:03:00.0,pcie=1\nmachine: q35\ntags: z");
	free(out);
	out = run(&p, "machine: q35\nargs: -S\nb: 1", err, sizeof(err));
	CHECK(out && strstr(out, "args: -S -set"));
	free(out);
	/* words pair as QEMU reads them: an option's argument is never a -set, quotes come off first */
	merges_to(&p, "machine: q35\nargs: -set -set device.ich9-pcie-port-1.x-width=8 -name -set "
		  "device.ich9-pcie-port-1.x-speed=2_5 '-set' \"device.ich9-pcie-port-1.x-width=2\" --set "
		  "device.ich9-pcie-port-1.x-speed=8\n",
		  "machine: q35\nargs: -set -set device.ich9-pcie-port-1.x-width=8 -name -set "
		  "device.ich9-pcie-port-1.x-speed=2_5 -set device.ich9-pcie-port-1.x-speed=16 "
		  "-set device.ich9-pcie-port-1.x-width=4\nhostpci0: 0000:03:00.0,pcie=1\n");
	/* a form feed separates words as Perl's \s does: both pairs are ours */
	merges_to(&p, "machine: q35\nargs: -set device.ich9-pcie-port-1.x-width=: \f\f-set "
		  "device.ich9-pcie-port-1.x-width=,=0\n",
		  "machine: q35\nargs: -set device.ich9-pcie-port-1.x-speed=16 -set device.ich9-pcie-port-1.x-width=4\n"
		  "hostpci0: 0000:03:00.0,pcie=1\n");
	/* --x-vga turns an entry's x-vga=off into x-vga=1 in place: Proxmox refuses a key given twice */
	run_xvga = true;
	merges_to(&p, "machine: q35\nhostpci0: 03:00,x-vga=off,rombar=0\n",
		  "args: -set device.ich9-pcie-port-1.x-speed=16 -set device.ich9-pcie-port-1.x-width=4\n"
		  "machine: q35\nhostpci0: 0000:03:00.0,x-vga=1,rombar=0,pcie=1\n");
	run_xvga = false;
	out = run(&p, "aaa: 1\nmachine: q35", err, sizeof(err));
	CHECK_STR(out, "aaa: 1\nargs: -set device.ich9-pcie-port-1.x-speed=16 -set device.ich9-pcie-port-1.x-width=4\n"
		       "hostpci0: 0000:03:00.0,pcie=1\nmachine: q35");
	free(out);
	/* two old entries for functions we now group: the first takes them, the other goes */
	mkplan(&p, &o, 1, (const int[]){ 7 }, (const int[]){ 2 });
	out = run(&p, "hostpci2: 07:00.1,pcie=1\nhostpci3: 07:00.0\nmachine: q35\n", err, sizeof(err));
	CHECK_STR(out, "args: -set device.ich9-pcie-port-3.x-speed=16 -set device.ich9-pcie-port-3.x-width=4\n"
		       "hostpci2: 0000:07:00.0;0000:07:00.1,pcie=1\nmachine: q35\n");
	free(out);
}

static void refusals(void)
{
	static const struct {
		const char *conf, *msg;
	} bad[] = {
		{ "cores: 2\n", "t.conf has no machine: line, so the VM is i440fx, which has no PCIe root ports: "
				"set 'machine: q35' first (a change the guest notices)" },
		{ "machine: pc-i440fx-9.0\n", "t.conf: machine 'pc-i440fx-9.0' is not q35, which pcie=1 and root "
					      "ports need: set 'machine: q35' first (a change the guest notices)" },
		{ "machine: pc-q35-3.1\n", "t.conf: machine 'pc-q35-3.1' gets ioh3420 root ports (2.5GT/s x1, no "
					   "x-speed/x-width): set machine pc-q35-4.0 or newer, or q35" },
		{ "machine: q35\nostype: win7\n", "t.conf: ostype win7 puts pcie=1 devices on pcie.0 without root "
						  "ports: nothing to set" },
		{ "machine: q35\nhostpci0: mapping=gpu\n", "t.conf:2: hostpci0 uses mapping=gpu: give --mapping "
							   "/etc/pve/mapping/pci.cfg to resolve it" },
		{ "machine: q35\nargs: -a 'b\n", "t.conf:2: args: a quote or a backslash runs to the end of the "
						 "line: close it" },
		{ "machine: q35\nargs: -a b\\\n", "t.conf:2: args: a quote or a backslash runs to the end of the "
						  "line: close it" },
		{ "machine: q35\nargs: -cpu host -m\n", "t.conf:2: args: -m ends the line without its argument, "
							 "so QEMU would read pcilink's -set as it: give it one" },
		{ "machine: q35\nhostpci0: 03:00.0;09:00.0\n", "t.conf:2: hostpci0 also passes 0000:09:00.0, which "
							       "is not selected: select it too, or split that "
							       "entry first" },
	};
	struct pl_plan p;
	struct pl_plan_opts o;
	char err[400], *out;

	mkplan(&p, &o, 1, (const int[]){ 3 }, (const int[]){ 1 });
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		out = run(&p, bad[i].conf, err, sizeof(err));
		CHECK(!out);
		CHECK_STR(err, bad[i].msg);
		free(out);
	}
	/* pc-q35-4.0 and newer pinned versions are fine */
	out = run(&p, "machine: pc-q35-4.0+pve1\n", err, sizeof(err));
	CHECK(out != NULL);
	free(out);
}

/* check --proxmox's model: readconfig ports, generated ports, All Functions expanded, args last */
static void guest_model(void)
{
	static const char conf[] = "machine: q35\nhostpci0: 0000:03:00,pcie=1\nhostpci5: 05:00.0,pcie=1\n"
				   "hostpci1: 07:00.0\nargs: -set 'device.ich9-pcie-port-6.x-speed=8'\n";
	struct pl_system *sys = pl_system_new();
	struct pl_pve_conf c;
	struct pl_guest g;
	const struct pl_gdev *d;
	char err[300];

	for (int f = 0; f < 2; f++)
		pl_system_add(sys, pl_dev_new(&(struct pl_bdf){ 0, 3, 0, (uint8_t)f }));
	pl_system_index(sys);
	CHECK_EQ(pl_pve_parse(conf, strlen(conf), "100.conf", &c, err, sizeof(err)), 0);
	pl_guest_init(&g, PL_GUEST_PROXMOX);
	CHECK_EQ(pl_guest_from_proxmox(&g, &c, sys, err, sizeof(err)), 0);
	pl_guest_resolve(&g);
	d = pl_guest_find(&g, "ich9-pcie-port-1");
	CHECK(d && d->kind == PL_GK_ROOT_PORT && d->slot == 0x1c && d->fn == 0 && d->speed.value == PL_SPEED_16);
	d = pl_guest_find(&g, "ich9-pcie-port-6");
	CHECK(d && d->slot == 0x10 && d->fn == 1 && d->speed.value == PL_SPEED_8 && d->speed.src == PL_GSRC_SET &&
	      d->width.value == 32);
	CHECK(!pl_guest_find(&g, "ich9-pcie-port-5"));   /* only configured indices get a port */
	d = pl_guest_find(&g, "hostpci0.1");
	CHECK(d && d->kind == PL_GK_VFIO && d->has_host && d->host.fn == 1 && d->fn == 1 &&
	      !strcmp(d->bus, "ich9-pcie-port-1"));
	CHECK(pl_guest_find(&g, "hostpci0.0") && pl_guest_find(&g, "hostpci0.0")->multifunction);
	d = pl_guest_find(&g, "hostpci1");
	CHECK(d && !strcmp(d->bus, "pci.0") && d->parent >= 0 && g.devs[d->parent].kind == PL_GK_PCI_BRIDGE);
	CHECK_STR(pl_guest_find(&g, "hostpci5")->origin, "hostpci5 (100.conf:3)");
	pl_guest_free(&g);
	pl_pve_free(&c);
	pl_system_free(sys);
}

/* Prints, for each "LEN\n" + bytes record, what PVE::Tools::split_args gives: "-" for nothing from
 * a value that is not blank (shellwords failed), else the count and each word as "LEN\n" + bytes. */
static const char perl_split[] =
	"perl -MText::ParseWords -e 'binmode STDIN; binmode STDOUT; "
	"while (defined(my $n = <STDIN>)) { read(STDIN, my $v, $n); my @w = shellwords($v); "
	"if (!@w && $v =~ /\\S/) { print \"-\\n\"; next } "
	"print scalar(@w), \"\\n\"; print length($_), \"\\n\", $_ for @w }' < ";

/* Our split of v in the same form (the emitter's and check's walk: words, then arguments). */
static void our_split(FILE *f, const char *v, size_t len)
{
	struct pl_pve_arg a;
	size_t i = 0, n = 0;
	char *w = malloc(len + 1);

	while (pl_pve_args_next(v, len, &i, &a)) {
		if (a.open) {
			fputs("-\n", f);
			free(w);
			return;
		}
		n += 1 + (a.ve > a.vs);
	}
	fprintf(f, "%zu\n", n);
	for (i = 0; pl_pve_args_next(v, len, &i, &a);) {
		size_t l = pl_pve_unquote(v, a.s, a.e, w, len + 1);

		fprintf(f, "%zu\n", l);
		fwrite(w, 1, l, f);
		if (a.ve > a.vs) {
			l = pl_pve_unquote(v, a.vs, a.ve, w, len + 1);
			fprintf(f, "%zu\n", l);
			fwrite(w, 1, l, f);
		}
	}
	free(w);
}

/* every args: value of the configs in dir */
static void args_of_dir(const char *dir, FILE *in, FILE *want, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	static char buf[1 << 20];

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[512], err[400];
		struct pl_pve_conf c;
		FILE *f;
		size_t len;

		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_name[0] == '.' || !(f = fopen(path, "rb")))
			continue;
		len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		if (!pl_pve_parse(buf, len, "f", &c, err, sizeof(err)) && c.has_args) {
			fprintf(in, "%zu\n", c.args_value.len);
			fwrite(buf + c.args_value.off, 1, c.args_value.len, in);
			our_split(want, buf + c.args_value.off, c.args_value.len);
			(*n)++;
		}
		pl_pve_free(&c);
	}
	closedir(d);
}

/* args: split as PVE::Tools::split_args (Text::ParseWords::shellwords) splits it, against the perl
 * here: hand-picked values and every args: line of the Proxmox configs and the fuzz corpus. */
static void words_as_perl(void)
{
	static const char *const vals[] = {
		"-a b", "a\fb\vc\rd", "'x\\'y' z", "\"p\\q\" e\\ f ''", "'a\\\\' b", "\"a'b\" 'c\"d'",
		"a'b'c\"d\"e", "-set 'device.x=1'", "'open", "\"open", "a\\", "'a\\'", "\t \f", "x\\\ty",
		"-name -set -S", "\"\\\"\"", "'\\\\'",
	};
	char inpath[] = "/tmp/pcilink-words-XXXXXX", cmd[sizeof(perl_split) + 64], *got = NULL, *want = NULL;
	size_t gl = 0, wl = 0, n = 0, r;
	FILE *in, *w, *p;
	int fd = mkstemp(inpath);

	if (fd < 0 || !(in = fdopen(fd, "wb"))) {
		CHECK(!"a temporary file");
		return;
	}
	w = open_memstream(&want, &wl);
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++, n++) {
		fprintf(in, "%zu\n%s", strlen(vals[i]), vals[i]);
		our_split(w, vals[i], strlen(vals[i]));
	}
	args_of_dir("tests/proxmox/conf", in, w, &n);
	args_of_dir("tests/fuzz/corpus/proxmox", in, w, &n);
	fclose(in);
	fclose(w);
	snprintf(cmd, sizeof(cmd), "%s%s", perl_split, inpath);
	if (access("/usr/bin/perl", X_OK) || !(p = popen(cmd, "r"))) {
		printf("SKIP words_as_perl: no perl to compare with\n");
	} else {
		FILE *g = open_memstream(&got, &gl);
		char b[4096];

		while ((r = fread(b, 1, sizeof(b), p)))
			fwrite(b, 1, r, g);
		CHECK(pclose(p) == 0);
		fclose(g);
		printf("words_as_perl: %zu args: values compared with perl\n", n);
		CHECK(n > 100);
		CHECK_EQ(gl, wl);
		CHECK(gl == wl && !memcmp(got, want, gl));
		if (gl != wl || memcmp(got, want, gl)) {
			size_t k = 0;

			while (k < gl && k < wl && got[k] == want[k])
				k++;
			fprintf(stderr, "  perl and pcilink differ at byte %zu: perl \"%.60s\", pcilink \"%.60s\"\n", k,
				got + k, want + k);
		}
	}
	unlink(inpath);
	free(got);
	free(want);
}

int main(void)
{
	TEST(ids);
	TEST(parse);
	TEST(mappings);
	TEST(lines_alone);
	TEST(placement);
	TEST(merge);
	TEST(refusals);
	TEST(guest_model);
	TEST(words_as_perl);
	DONE();
}
