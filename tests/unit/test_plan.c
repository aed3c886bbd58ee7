/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Planning rules: placement, ids, policies, clamping, overrides, AtomicOps verdicts, QEMU table. */
#include <stdlib.h>

#include "analysis.h"
#include "harness.h"
#include "hostbuild.h"
#include "plan.h"

static struct pl_plan_opts opts(int qmaj, int qmin)
{
	struct pl_plan_opts o = { .policy = PL_POLICY_HOST, .bus = "pcie.0", .first_addr = 0x10,
				  .first_chassis = 1, .hotplug = -1, .kernel_major = 6, .kernel_minor = 8 };

	pl_qemu_from_version(&o.qemu, qmaj, qmin, 0);
	return o;
}

/* A root port per endpoint: n single-function Gen5 x4 devices at buses 1..n, plus a GPU+audio. */
static struct pl_system *host(int n, struct pl_dev ***sel, size_t *nsel)
{
	struct pl_system *s = sys_new();

	for (int i = 1; i <= n; i++) {
		bus(add(s, 0, i, 0, 0x1022, PCI_EXP_TYPE_ROOT_PORT, 5, 4, 5, 4, C32 | C64 | C128), i, i);
		add(s, i, 0, 0, 0x144d, PCI_EXP_TYPE_ENDPOINT, 5, 4, 5, 4, C32 | C64);
	}
	bus(add(s, 0, 0x1f, 0, 0x1022, PCI_EXP_TYPE_ROOT_PORT, 4, 16, 4, 16, C32 | C64), 0x80, 0x80);
	add(s, 0x80, 0, 0, 0x1002, PCI_EXP_TYPE_ENDPOINT, 4, 16, 4, 16, C32 | C64);
	add(s, 0x80, 0, 1, 0x1002, PCI_EXP_TYPE_ENDPOINT, 4, 16, 4, 16, 0);
	finish(s);
	*sel = calloc(s->ndev, sizeof(**sel));
	*nsel = 0;
	for (size_t i = 0; i < s->ndev; i++)
		if (!pl_dev_is_bridge(s->devs[i])) {
			pl_analyze(s, s->devs[i]);
			(*sel)[(*nsel)++] = s->devs[i];
		}
	return s;
}

static void grouping_and_ids(void)
{
	struct pl_dev **sel;
	size_t n;
	struct pl_system *s = host(2, &sel, &n);
	struct pl_plan_opts o = opts(7, 2);
	struct pl_plan p;
	char err[256];

	CHECK_EQ(pl_plan_build(&o, sel, n, &p, err, sizeof(err)), 0);
	CHECK_EQ(p.nports, 3);
	CHECK_STR(p.ports[0].id, "rp-01-00");
	CHECK_STR(p.ports[2].id, "rp-80-00");
	CHECK_EQ(p.ports[2].nfn, 2);
	CHECK(p.ports[2].fns[0].multifunction);
	CHECK_EQ(p.ports[2].fns[1].guest_fn, 1);
	CHECK_STR(p.ports[2].fns[1].id, "hostdev-80-00-1");
	/* root ports packed as functions of slot 0x10; fn 0 multifunction */
	CHECK_EQ(p.ports[0].slot, 0x10);
	CHECK(p.ports[0].multifunction);
	CHECK_EQ(p.ports[2].fn, 2);
	CHECK(!p.ports[2].multifunction);
	/* chassis unique and ordered */
	CHECK_EQ(p.ports[1].chassis, 2);
	/* Gen5 on 7.2: clamped to 16 with a warning that names the loss */
	CHECK_EQ(p.ports[0].speed, PL_SPEED_16);
	CHECK(p.warnings && strstr(p.warnings->msg, "QEMU 9.0 or newer accepts 32"));
	/* multifunction GPU loses AtomicOps the host could give */
	CHECK_EQ(p.ports[2].atomics, PL_ATOMICS_NO);
	CHECK(strstr(p.ports[2].atomics_why, "--split-functions") != NULL);
	pl_plan_free(&p);
	/* split: each function alone, AtomicOps kept on 8.1 with kernel 6.8 */
	o = opts(8, 1);
	o.split = true;
	CHECK_EQ(pl_plan_build(&o, sel, n, &p, err, sizeof(err)), 0);
	CHECK_EQ(p.nports, 4);
	CHECK_STR(p.ports[2].id, "rp-80-00-0");
	CHECK_STR(p.ports[3].id, "rp-80-00-1");
	CHECK_EQ(p.ports[3].fns[0].guest_fn, 0);
	CHECK_EQ(p.ports[2].atomics, PL_ATOMICS_YES);
	CHECK(p.ports[2].atomic_widths[PL_ATOMIC_32] && p.ports[2].atomic_widths[PL_ATOMIC_64]);
	CHECK(!p.ports[2].atomic_widths[PL_ATOMIC_128]);
	/* the audio function has no completer of its own: nothing to lose */
	CHECK_EQ(p.ports[3].atomics, PL_ATOMICS_NA);
	pl_plan_free(&p);
	free(sel);
	pl_system_free(s);
}

static void atomics_conditions(void)
{
	struct pl_dev **sel;
	size_t n;
	struct pl_system *s = host(1, &sel, &n);
	struct pl_plan_opts o = opts(8, 0);
	struct pl_plan p;
	char err[256];

	/* 8.0: too old */
	pl_plan_build(&o, sel, 1, &p, err, sizeof(err));
	CHECK_EQ(p.ports[0].atomics, PL_ATOMICS_NO);
	CHECK(strstr(p.ports[0].atomics_why, "8.1") != NULL);
	pl_plan_free(&p);
	/* kernel 6.1: too old */
	o = opts(9, 0);
	o.kernel_major = 6, o.kernel_minor = 1;
	pl_plan_build(&o, sel, 1, &p, err, sizeof(err));
	CHECK_EQ(p.ports[0].atomics, PL_ATOMICS_NO);
	CHECK(strstr(p.ports[0].atomics_why, "6.5") != NULL);
	pl_plan_free(&p);
	/* kernel unknown (a dump): yes, if the kernel is new enough */
	o.kernel_major = o.kernel_minor = 0;
	pl_plan_build(&o, sel, 1, &p, err, sizeof(err));
	CHECK_EQ(p.ports[0].atomics, PL_ATOMICS_IF_KERNEL);
	pl_plan_free(&p);
	/* host support unknown: unknown with the reason, not none_on_host */
	sel[0]->an.atomics_known = false;
	snprintf(sel[0]->an.atomics_unknown, sizeof(sel[0]->an.atomics_unknown),
		 "config space of 0000:01:00.0 beyond the header needs root");
	pl_plan_build(&o, sel, 1, &p, err, sizeof(err));
	CHECK_EQ(p.ports[0].atomics, PL_ATOMICS_UNKNOWN);
	CHECK_STR(pl_atomics_verdict_name(p.ports[0].atomics), "unknown");
	CHECK_STR(p.ports[0].atomics_why,
		  "host support unknown: config space of 0000:01:00.0 beyond the header needs root");
	pl_plan_free(&p);
	free(sel);
	pl_system_free(s);
}

static void policies_and_overrides(void)
{
	struct pl_dev **sel;
	size_t n;
	struct pl_system *s = host(2, &sel, &n);
	struct pl_plan_opts o = opts(10, 0);
	struct pl_override ov[3] = {
		{ .all = true, .speed = PL_SPEED_8, .policy = -1 },
		{ .bdf = { 0, 2, 0, 0 }, .speed = PL_SPEED_2_5, .policy = -1 },
		{ .all = true, .width = 2, .policy = -1 },
	};
	struct pl_plan p;
	char err[256];

	CHECK_EQ(pl_plan_build(&o, sel, n, &p, err, sizeof(err)), 0);
	CHECK_EQ(p.ports[0].speed, PL_SPEED_32);       /* 10.0 takes Gen5 as is */
	pl_plan_free(&p);
	o.policy = PL_POLICY_MAX;
	pl_plan_build(&o, sel, n, &p, err, sizeof(err));
	CHECK_EQ(p.ports[0].speed, PL_SPEED_64);
	CHECK_EQ(p.ports[0].width, 32);
	pl_plan_free(&p);
	o.policy = PL_POLICY_HOST;
	o.ovr = ov;
	o.novr = 3;
	pl_plan_build(&o, sel, n, &p, err, sizeof(err));
	CHECK_EQ(p.ports[0].speed, PL_SPEED_8);        /* all */
	CHECK_EQ(p.ports[1].speed, PL_SPEED_2_5);      /* the slot-specific one wins */
	CHECK_EQ(p.ports[1].width, 2);
	pl_plan_free(&p);
	/* the command line beats a plan file, even a device's own entry there */
	ov[0].from_cli = true;
	pl_plan_build(&o, sel, n, &p, err, sizeof(err));
	CHECK_EQ(p.ports[1].speed, PL_SPEED_8);
	pl_plan_free(&p);
	/* a per-device policy */
	struct pl_override pol = { .bdf = { 0, 1, 0, 0 }, .policy = PL_POLICY_MAX };
	o.ovr = &pol;
	o.novr = 1;
	pl_plan_build(&o, sel, n, &p, err, sizeof(err));
	CHECK_EQ(p.ports[0].speed, PL_SPEED_64);
	CHECK_EQ(p.ports[1].speed, PL_SPEED_32);
	pl_plan_free(&p);
	ov[0].from_cli = false;
	/* a value the target refuses is an error, never passed on */
	o = opts(7, 2);
	ov[0].speed = PL_SPEED_64;
	o.ovr = ov;
	o.novr = 1;
	CHECK_EQ(pl_plan_build(&o, sel, n, &p, err, sizeof(err)), PL_EINVAL);
	CHECK(strstr(err, "does not accept x-speed=64") != NULL);
	pl_plan_free(&p);
	free(sel);
	pl_system_free(s);
}

static void no_room(void)
{
	struct pl_dev **sel;
	size_t n;
	struct pl_system *s = host(9, &sel, &n);
	struct pl_plan_opts o = opts(7, 2);
	struct pl_plan p;
	char err[256];

	/* pcie.0's slot 0x1f is q35's own: nine ports from 0x1e do not fit there, elsewhere they do */
	o.first_addr = 0x1e;
	CHECK_EQ(pl_plan_build(&o, sel, n, &p, err, sizeof(err)), PL_EINVAL);
	CHECK(strstr(err, "--first-addr") != NULL);
	pl_plan_free(&p);
	o.first_addr = 0x1d;
	CHECK_EQ(pl_plan_build(&o, sel, n, &p, err, sizeof(err)), 0);
	CHECK_EQ(p.ports[8].slot, 0x1e);
	CHECK_EQ(p.ports[8].fn, 0);
	CHECK(p.ports[8].multifunction);
	pl_plan_free(&p);
	o.bus = "pxb1";
	o.first_addr = 0x1e;
	CHECK_EQ(pl_plan_build(&o, sel, n, &p, err, sizeof(err)), 0);
	CHECK_EQ(p.ports[8].slot, 0x1f);
	pl_plan_free(&p);
	o.bus = "pcie.0";
	o.first_chassis = 250;
	CHECK_EQ(pl_plan_build(&o, sel, n, &p, err, sizeof(err)), PL_EINVAL);
	pl_plan_free(&p);
	free(sel);
	pl_system_free(s);
}

static void qemu_table_and_help(void)
{
	struct pl_qemu q = { 0 };
	int a, b, c;

	pl_qemu_from_version(&q, 3, 1, 0);
	CHECK(!q.has_link_props && !q.speeds);
	pl_qemu_from_version(&q, 4, 0, 0);
	CHECK(q.has_link_props && !q.has_hotplug);
	CHECK_EQ(q.speeds, 0x1e);
	pl_qemu_from_version(&q, 8, 1, 0);
	CHECK(q.rp_atomics && q.has_hotplug);
	pl_qemu_from_version(&q, 9, 0, 0);
	CHECK_EQ(q.speeds, 0x7e);
	CHECK_EQ(pl_parse_version("7.2", &a, &b, &c), 0);
	CHECK_EQ(pl_parse_version("10.0.2", &a, &b, &c), 0);
	CHECK_EQ(c, 2);
	CHECK_EQ(pl_parse_version("7", &a, &b, &c), PL_EINVAL);
	CHECK_EQ(pl_parse_version("7.2x", &a, &b, &c), PL_EINVAL);
	/* digits only, nothing that overflows or that sscanf would let through */
	CHECK_EQ(pl_parse_version("99999999999.1", &a, &b, &c), PL_EINVAL);
	CHECK_EQ(pl_parse_version("7.99999999999", &a, &b, &c), PL_EINVAL);
	CHECK_EQ(pl_parse_version("7.2.4294967298", &a, &b, &c), PL_EINVAL);
	CHECK_EQ(pl_parse_version(" 7.2", &a, &b, &c), PL_EINVAL);
	CHECK_EQ(pl_parse_version("+7.2", &a, &b, &c), PL_EINVAL);
	CHECK_EQ(pl_parse_version("7.-2", &a, &b, &c), PL_EINVAL);
	CHECK_EQ(pl_parse_version("7.2.", &a, &b, &c), PL_EINVAL);
	CHECK_EQ(pl_parse_version("07.02", &a, &b, &c), 0);
	CHECK_EQ(b, 2);
	CHECK_EQ(pl_parse_version("99.9999.9999", &a, &b, &c), 0);
	memset(&q, 0, sizeof(q));
	pl_qemu_parse_help(&q, "pcie-root-port options:\n  hotplug=<bool>         -  (default: true)\n"
			       "  x-speed=<PCIELinkSpeed> - 2_5/5/8/16 (default: \"16\")\n"
			       "  x-width=<PCIELinkWidth> - 1/2/4/8/12/16/32 (default: \"32\")\n");
	CHECK_EQ(q.speeds, 0x1e);
	CHECK_EQ(q.widths, (1ull << 1) | (1ull << 2) | (1ull << 4) | (1ull << 8) | (1ull << 12) |
				   (1ull << 16) | (1ull << 32));
	CHECK(q.has_hotplug && q.has_link_props);
	pl_qemu_parse_help(&q, "pcie-root-port options:\n  x-speed=<PCIELinkSpeed> - 2_5/5/8/16/32/64 (default: 16)\n"
			       "  x-width=<PCIELinkWidth> - 1/2/4/8/12/16/32 (default: 32)\n");
	CHECK_EQ(q.speeds, 0x7e);
	CHECK(!q.has_hotplug);
	pl_qemu_parse_help(&q, "ioh3420 options:\n  chassis=<uint8>\n");
	CHECK(!q.has_link_props);
}

int main(void)
{
	TEST(grouping_and_ids);
	TEST(atomics_conditions);
	TEST(policies_and_overrides);
	TEST(no_room);
	TEST(qemu_table_and_help);
	DONE();
}
