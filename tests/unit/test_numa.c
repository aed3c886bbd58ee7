/* SPDX-License-Identifier: GPL-2.0-or-later */
/* NUMA placement: --numa-map parsing, expander bus numbers, ports grouped per guest node. */
#include <stdlib.h>

#include "analysis.h"
#include "harness.h"
#include "hostbuild.h"
#include "plan.h"

/* Every range [out[i], out[i]+need[i]) inside [floor, 255], ascending, clear of used and of each other. */
static bool ranges_ok(const int *need, const int *out, size_t n, const struct pl_bus_range *used, size_t nused,
		      int floor)
{
	for (size_t i = 0; i < n; i++) {
		int lo = out[i], hi = out[i] + need[i] - 1;

		if (lo < floor || hi > 255 || (i && out[i - 1] + need[i - 1] > lo))
			return false;
		for (size_t j = 0; j < nused; j++)
			if (used[j].lo <= hi && used[j].hi >= lo)
				return false;
	}
	return true;
}

static void bus_numbers(void)
{
	int need[128], out[128];

	/* two nodes, 3 and 2 ports: packed at the top, the root bus keeps 0..249 */
	need[0] = 4;
	need[1] = 3;
	CHECK_EQ(pl_numa_bus_nr(need, 2, NULL, 0, 1, out), 0);
	CHECK_EQ(out[1], 253);
	CHECK_EQ(out[0], 249);
	/* many nodes: 127 expanders of one port each fill 2..255; the 128th does not fit */
	for (int i = 0; i < 128; i++)
		need[i] = 2;
	CHECK_EQ(pl_numa_bus_nr(need, 127, NULL, 0, 1, out), 0);
	CHECK(ranges_ok(need, out, 127, NULL, 0, 1));
	CHECK_EQ(out[0], 2);
	CHECK_EQ(pl_numa_bus_nr(need, 128, NULL, 0, 1, out), PL_ERANGE);
	/* the root bus's own ports raise the floor */
	CHECK_EQ(pl_numa_bus_nr(need, 127, NULL, 0, 3, out), PL_ERANGE);
	/* many devices on one node: 254 ports fit above bus 0, 255 do not */
	need[0] = 255;
	CHECK_EQ(pl_numa_bus_nr(need, 1, NULL, 0, 1, out), 0);
	CHECK_EQ(out[0], 1);
	need[0] = 256;
	CHECK_EQ(pl_numa_bus_nr(need, 1, NULL, 0, 1, out), PL_ERANGE);
	need[0] = 0;
	CHECK_EQ(pl_numa_bus_nr(need, 1, NULL, 0, 1, out), PL_ERANGE);
}

static void around_used(void)
{
	/* a domain with expander buses at 0xfe (one port) and 0x80..0x85 */
	const struct pl_bus_range used[] = { { 0xfe, 0xff }, { 0x80, 0x85 } };
	int need[3] = { 3, 0x78, 2 }, out[3];

	CHECK_EQ(pl_numa_bus_nr(need, 3, used, 2, 1, out), 0);
	CHECK(ranges_ok(need, out, 3, used, 2, 1));
	CHECK_EQ(out[2], 0xfc);
	CHECK_EQ(out[1], 8);    /* 0x86..0xfb holds 118 numbers, not 120: below 0x80 */
	CHECK_EQ(out[0], 5);
	CHECK_EQ(pl_numa_bus_nr(need, 3, used, 2, 0x10, out), PL_ERANGE);
	/* a gap that is one too small is skipped */
	const struct pl_bus_range gap[] = { { 0x90, 0xff }, { 0x10, 0x8b } };
	int two[2] = { 4, 5 };

	CHECK_EQ(pl_numa_bus_nr(two, 2, gap, 2, 1, out), 0);
	CHECK_EQ(out[1], 0x0b); /* 0x8c..0x8f holds 4 */
	CHECK_EQ(out[0], 7);
	CHECK(ranges_ok(two, out, 2, gap, 2, 1));
}

static void every_shape(void)
{
	/* a deterministic sweep: whatever fits is placed clear of everything, else ERANGE */
	unsigned seed = 1;

	for (int round = 0; round < 2000; round++) {
		struct pl_bus_range used[4];
		int need[16], out[16], n, nused, floor, sum = 0;

		seed = seed * 1103515245 + 12345;
		n = 1 + (int)(seed >> 16) % 16;
		nused = (int)(seed >> 8) % 5;
		floor = 1 + (int)(seed >> 4) % 64;
		for (int i = 0; i < nused; i++) {
			seed = seed * 1103515245 + 12345;
			used[i].lo = (int)(seed >> 16) % 256;
			used[i].hi = used[i].lo + (int)(seed >> 8) % 16;
			if (used[i].hi > 255)
				used[i].hi = 255;
		}
		for (int i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			need[i] = 1 + (int)(seed >> 16) % 20;
			sum += need[i];
		}
		if (pl_numa_bus_nr(need, (size_t)n, used, (size_t)nused, floor, out) == 0)
			CHECK(ranges_ok(need, out, (size_t)n, used, (size_t)nused, floor));
		else if (!nused)
			CHECK(sum > 256 - floor);
	}
}

static void map_parse(void)
{
	static const char *const bad[] = { "", "0", "0=", "=1", "a=1", "0=128", "1024=0", "1=2,1=3", "0=1,",
					   "0=1;1=0", "-1=0", " 0=1" };
	struct pl_numa_map *m;
	size_t n;
	char err[160];

	CHECK_EQ(pl_numa_map_parse("0=1,1=0,7=127", &m, &n, err, sizeof(err)), 0);
	CHECK_EQ(n, 3);
	CHECK_EQ(m[0].guest, 1);
	CHECK_EQ(m[2].host, 7);
	CHECK_EQ(m[2].guest, 127);
	free(m);
	for (size_t i = 1; i < sizeof(bad) / sizeof(bad[0]); i++) {
		h_name = bad[i];
		CHECK_EQ(pl_numa_map_parse(bad[i], &m, &n, err, sizeof(err)), PL_EINVAL);
	}
	h_name = "map_parse";
	/* an empty map is the identity */
	CHECK_EQ(pl_numa_map_parse("", &m, &n, err, sizeof(err)), 0);
	CHECK_EQ(n, 0);
}

static struct pl_system *numa_host(const int *nodes, int n, struct pl_dev ***sel, size_t *nsel)
{
	struct pl_system *s = sys_new();

	for (int i = 1; i <= n; i++) {
		bus(add(s, 0, i, 0, 0x1022, PCI_EXP_TYPE_ROOT_PORT, 4, 16, 4, 16, C32 | C64), i, i);
		add(s, i, 0, 0, 0x10de, PCI_EXP_TYPE_ENDPOINT, 4, 16, 4, 16, C32 | C64);
	}
	finish(s);
	*sel = calloc(s->ndev, sizeof(**sel));
	*nsel = 0;
	for (size_t i = 0; i < s->ndev; i++)
		if (!pl_dev_is_bridge(s->devs[i])) {
			s->devs[i]->numa_node = nodes[*nsel];
			pl_analyze(s, s->devs[i]);
			(*sel)[(*nsel)++] = s->devs[i];
		}
	return s;
}

static void placement(void)
{
	const int nodes[] = { 1, 0, 1, -1, 3, 1 };
	struct pl_plan_opts o = { .policy = PL_POLICY_HOST, .bus = "pcie.0", .first_addr = 0x10,
				  .first_chassis = 1, .hotplug = -1, .kernel_major = 6, .kernel_minor = 8,
				  .numa = true };
	struct pl_numa_map map[] = { { 3, 2 } };
	struct pl_dev **sel;
	struct pl_plan p;
	char err[256];
	size_t n;
	struct pl_system *s = numa_host(nodes, 6, &sel, &n);

	pl_qemu_from_version(&o.qemu, 8, 1, 0);
	CHECK_EQ(pl_plan_build(&o, sel, n, &p, err, sizeof(err)), 0);
	CHECK_EQ(p.npxb, 3);
	CHECK_STR(p.pxbs[0].id, "pxb-node0");
	CHECK_STR(p.pxbs[2].id, "pxb-node3");
	CHECK_EQ(p.pxbs[1].nports, 3);
	/* node 1's ports: slot 0, functions 0..2 of its expander, the first multifunction */
	CHECK_STR(pl_plan_port_bus(&p, &p.ports[0]), "pxb-node1");
	CHECK_EQ(p.ports[2].slot, 0);
	CHECK_EQ(p.ports[2].fn, 1);
	CHECK(p.ports[0].multifunction);
	CHECK(!p.ports[5].multifunction);
	CHECK(!p.ports[1].multifunction);
	/* no node: on the root bus at its first slot, said so */
	CHECK_STR(pl_plan_port_bus(&p, &p.ports[3]), "pcie.0");
	CHECK_EQ(p.ports[3].slot, 0x10);
	CHECK(p.warnings && strstr(p.warnings->msg, "no host NUMA node") && strstr(p.warnings->msg, "04:00=N"));
	/* expanders after the root bus's slot, bus numbers ascending at the top */
	CHECK_EQ(p.pxbs[0].slot, 0x11);
	CHECK_EQ(p.pxbs[2].slot, 0x13);
	CHECK_EQ(p.pxbs[2].bus_nr, 254);
	CHECK_EQ(p.pxbs[1].bus_nr, 250);
	CHECK_EQ(p.pxbs[0].bus_nr, 248);
	/* chassis stay unique across buses; AtomicOps survive on an expander's root port */
	CHECK_EQ(p.ports[5].chassis, 6);
	CHECK_EQ(p.ports[1].atomics, PL_ATOMICS_YES);
	CHECK(strstr(p.ports[1].atomics_why, "expander") != NULL);
	CHECK_EQ(pl_numa_last_guest(&p), 3);
	pl_plan_free(&p);
	/* --numa-map 3=2 */
	o.numa_map = map;
	o.nnuma_map = 1;
	CHECK_EQ(pl_plan_build(&o, sel, n, &p, err, sizeof(err)), 0);
	CHECK_STR(p.pxbs[2].id, "pxb-node2");
	CHECK_EQ(p.ports[4].host_node, 3);
	CHECK_EQ(p.ports[4].guest_node, 2);
	pl_plan_free(&p);
	/* a host node QEMU has no guest node for */
	sel[0]->numa_node = 300;
	CHECK_EQ(pl_plan_build(&o, sel, n, &p, err, sizeof(err)), PL_EINVAL);
	CHECK(strstr(err, "--numa-map 300=GUEST") != NULL);
	pl_plan_free(&p);
	/* without --numa nothing moves */
	o.numa = false;
	CHECK_EQ(pl_plan_build(&o, sel, n, &p, err, sizeof(err)), 0);
	CHECK_EQ(p.npxb, 0);
	CHECK_EQ(p.ports[5].slot, 0x10);
	CHECK_EQ(p.ports[5].fn, 5);
	CHECK_EQ(pl_numa_last_guest(&p), -1);
	pl_plan_free(&p);
	free(sel);
	pl_system_free(s);
}

static void many_per_node(void)
{
	int nodes[40];
	struct pl_plan_opts o = { .policy = PL_POLICY_HOST, .bus = "pcie.0", .first_addr = 0x10,
				  .first_chassis = 1, .hotplug = -1, .numa = true };
	struct pl_dev **sel;
	struct pl_plan p;
	char err[256];
	size_t n;

	for (int i = 0; i < 40; i++)
		nodes[i] = i % 2;
	struct pl_system *s = numa_host(nodes, 40, &sel, &n);

	pl_qemu_from_version(&o.qemu, 10, 0, 0);
	CHECK_EQ(pl_plan_build(&o, sel, n, &p, err, sizeof(err)), 0);
	CHECK_EQ(p.npxb, 2);
	CHECK_EQ(p.pxbs[0].nports, 20);
	/* 20 ports: slots 0..2 of the expander, eight functions a slot */
	CHECK_EQ(p.ports[38].slot, 2);
	CHECK_EQ(p.ports[38].fn, 3);
	CHECK_EQ(p.pxbs[1].bus_nr, 256 - 21);
	CHECK_EQ(p.pxbs[0].bus_nr, 256 - 42);
	CHECK_EQ(p.pxbs[0].slot, 0x10);
	pl_plan_free(&p);
	free(sel);
	pl_system_free(s);
}

int main(void)
{
	TEST(bus_numbers);
	TEST(around_used);
	TEST(every_shape);
	TEST(map_parse);
	TEST(placement);
	TEST(many_per_node);
	DONE();
}
