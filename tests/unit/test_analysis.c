/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Topology and link-analysis rules on small hosts built from bytes. */
#include <stdlib.h>

#include "analysis.h"
#include "cfgbuild.h"
#include "device.h"
#include "harness.h"
#include "topology.h"
#include "hostbuild.h"


static void direct_link_full(void)
{
	struct pl_system *s = sys_new();
	struct pl_dev *rp = add(s, 0, 1, 0, 0x8086, PCI_EXP_TYPE_ROOT_PORT, 4, 16, 4, 16, C32 | C64);
	struct pl_dev *ep;

	bus(rp, 1, 1);
	add(s, 1, 0, 0, 0x10de, PCI_EXP_TYPE_ENDPOINT, 4, 16, 4, 16, C32 | C64 | C128);
	finish(s);
	ep = get(s, 1, 0, 0);
	CHECK(ep->parent == get(s, 0, 1, 0));
	pl_analyze(s, ep);
	CHECK_EQ(ep->an.nhops, 1);
	CHECK(ep->an.root_port == get(s, 0, 1, 0));
	CHECK_EQ(ep->an.slot_hop, 0);
	CHECK_EQ(ep->an.diagnosis, PL_DIAG_NONE);
	CHECK(ep->an.rec_ok);
	CHECK_EQ(ep->an.rec_speed, PL_SPEED_16);
	CHECK_EQ(ep->an.rec_width, 16);
	CHECK_EQ(ep->an.dev_capable_mbps, 252048);
	CHECK_EQ(ep->an.available_mbps, 252048);
	/* atomics: root port completes 32 and 64, so the host gives those */
	CHECK(ep->an.atomics_known);
	CHECK(ep->an.host_atomics[PL_ATOMIC_32]);
	CHECK(ep->an.host_atomics[PL_ATOMIC_64]);
	CHECK(!ep->an.host_atomics[PL_ATOMIC_128]);
	CHECK(strstr(ep->an.atomic_why[PL_ATOMIC_128], "root port 0000:00:01.0") != NULL);
	pl_system_free(s);
}

static void partner_caps_the_link(void)
{
	struct pl_system *s = sys_new();
	struct pl_dev *ep;

	bus(add(s, 0, 1, 0, 0x8086, PCI_EXP_TYPE_ROOT_PORT, 3, 4, 3, 4, 0), 1, 1);
	ep = add(s, 1, 0, 0, 0x144d, PCI_EXP_TYPE_ENDPOINT, 4, 4, 3, 4, 0);
	finish(s);
	pl_analyze(s, ep);
	CHECK_EQ(ep->an.diagnosis, PL_DIAG_PARTNER);
	CHECK_EQ(ep->an.rec_speed, PL_SPEED_8);
	CHECK_EQ(ep->an.rec_width, 4);
	CHECK_EQ(ep->an.path_capable_mbps, 7876 * 4);
	CHECK_EQ(ep->an.dev_capable_mbps, 15753 * 4);
	pl_system_free(s);
}

static bool has_diag(const struct pl_dev *d, const char *text)
{
	for (const struct pl_diag *g = d->diags; g; g = g->next)
		if (strstr(g->msg, text))
			return true;
	return false;
}

/* LnkCap2 speeds above Max Link Speed count for nothing since Linux 6.13 (REFERENCE 8.1) */
static void thunderbolt_bridge_max_speed(void)
{
	struct pl_system *s = sys_new();
	struct pl_dev *rp, *usp, *dsp, *ep;

	rp = add(s, 0, 0x1c, 4, 0x8086, PCI_EXP_TYPE_ROOT_PORT, 3, 4, 3, 4, 0);
	bus(rp, 5, 8);
	/* the bridge: LnkCap 2.5GT/s x4, LnkCap2 2.5-8GT/s */
	usp = add(s, 5, 0, 0, 0x8086, PCI_EXP_TYPE_UPSTREAM, 1, 4, 1, 4, 0);
	bus(usp, 6, 8);
	put32(&usp->cfg, CAP + PCI_EXP_LNKCAP2, 0x0e);
	dsp = add(s, 6, 1, 0, 0x8086, PCI_EXP_TYPE_DOWNSTREAM, 1, 4, 1, 4, 0);
	bus(dsp, 8, 8);
	put32(&dsp->cfg, CAP + PCI_EXP_LNKCAP2, 0x0e);
	ep = add(s, 8, 0, 0, 0x10de, PCI_EXP_TYPE_ENDPOINT, 3, 16, 1, 4, 0);
	finish(s);
	CHECK_EQ(dsp->pcie.link.max_speed, PL_SPEED_2_5);
	CHECK_EQ(dsp->pcie.link.supported, 0x7);
	CHECK(has_diag(dsp, "LnkCap2 lists 5GT/s 8GT/s above Max Link Speed 2.5GT/s, which Linux 6.13 "
		       "and later ignore (max 2.5GT/s); kernels before 6.13 report 8GT/s"));
	CHECK(!has_diag(ep, "6.13"));
	pl_analyze(s, ep);
	CHECK_EQ(ep->an.nhops, 2);
	CHECK_EQ(ep->an.hops[0].max_speed, PL_SPEED_2_5);
	CHECK_EQ(ep->an.hops[1].max_speed, PL_SPEED_2_5);
	CHECK(ep->an.rec_ok);
	CHECK_EQ(ep->an.rec_speed, PL_SPEED_2_5);
	CHECK_EQ(ep->an.rec_width, 4);
	CHECK_EQ(ep->an.path_capable_mbps, 2000 * 4);
	/* trained at the bridge's maximum: not a slow link, the bridge caps it */
	CHECK_EQ(ep->an.diagnosis, PL_DIAG_PARTNER);
	pl_system_free(s);
}

static void apu_port_max_speed(void)
{
	struct pl_system *s = sys_new();
	struct pl_dev *rp, *gpu, *audio;

	/* an AMD APU's internal port and GPU: LnkCap 8GT/s x16, LnkCap2 up to 16 */
	rp = add(s, 0, 8, 1, 0x1022, PCI_EXP_TYPE_ROOT_PORT, 3, 16, 3, 16, C32 | C64);
	bus(rp, 4, 4);
	put32(&rp->cfg, CAP + PCI_EXP_LNKCAP2, 0x1e);
	gpu = add(s, 4, 0, 0, 0x1002, PCI_EXP_TYPE_LEG_END, 3, 16, 3, 16, C32 | C64);
	put32(&gpu->cfg, CAP + PCI_EXP_LNKCAP2, 0x1e);
	audio = add(s, 4, 0, 1, 0x1002, PCI_EXP_TYPE_ENDPOINT, 3, 16, 3, 16, 0);
	put32(&audio->cfg, CAP + PCI_EXP_LNKCAP2, 0x1e);
	finish(s);
	CHECK_EQ(gpu->pcie.link.max_speed, PL_SPEED_8);
	CHECK(has_diag(gpu, "LnkCap2 lists 16GT/s above Max Link Speed 8GT/s"));
	CHECK(has_diag(rp, "kernels before 6.13 report 16GT/s"));
	for (int i = 0; i < 2; i++) {
		struct pl_dev *d = i ? audio : gpu;

		pl_analyze(s, d);
		CHECK(d->an.rec_ok);
		CHECK_EQ(d->an.rec_speed, PL_SPEED_8);
		CHECK_EQ(d->an.rec_width, 16);
		CHECK_EQ(d->an.dev_capable_mbps, 7876 * 16);
		/* 8GT/s is the link's maximum: no speed reduction to explain */
		CHECK_EQ(d->an.diagnosis, PL_DIAG_NONE);
	}
	pl_system_free(s);
}

static void downtraining(void)
{
	/* speed-only: power management; width: degraded; x0: down */
	static const struct {
		int ss, sw;
		enum pl_diagnosis want;
	} cases[] = {
		{ 1, 16, PL_DIAG_SPEED }, { 4, 8, PL_DIAG_WIDTH }, { 1, 8, PL_DIAG_SPEED_WIDTH },
		{ 4, 0, PL_DIAG_LINK_DOWN }, { 4, 16, PL_DIAG_NONE },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pl_system *s = sys_new();
		struct pl_dev *ep;

		bus(add(s, 0, 1, 0, 0x8086, PCI_EXP_TYPE_ROOT_PORT, 4, 16, cases[i].ss, cases[i].sw, 0), 1, 1);
		ep = add(s, 1, 0, 0, 0x1002, PCI_EXP_TYPE_ENDPOINT, 4, 16, cases[i].ss, cases[i].sw, 0);
		finish(s);
		pl_analyze(s, ep);
		CHECK_EQ(ep->an.diagnosis, cases[i].want);
		/* the recommendation follows capability, never the idle status */
		CHECK_EQ(ep->an.rec_speed, PL_SPEED_16);
		CHECK_EQ(ep->an.rec_width, 16);
		pl_system_free(s);
	}
}

/* RP 00:01.0 -> USP 01:00.0 -> DSP 02:00.0 -> EP 03:00.0 (+ 03:00.1) */
static struct pl_system *gpu_with_switch(uint16_t usp_vendor, uint16_t ep_vendor, int ep_cs, int ep_cw)
{
	struct pl_system *s = sys_new();

	bus(add(s, 0, 1, 0, 0x1022, PCI_EXP_TYPE_ROOT_PORT, 4, 16, 4, 16, C32 | C64 | C128), 1, 3);
	bus(add(s, 1, 0, 0, usp_vendor, PCI_EXP_TYPE_UPSTREAM, 4, 16, 4, 16, ROUTE), 2, 3);
	bus(add(s, 2, 0, 0, usp_vendor, PCI_EXP_TYPE_DOWNSTREAM, 4, 16, ep_cs, ep_cw, ROUTE), 3, 3);
	add(s, 3, 0, 0, ep_vendor, PCI_EXP_TYPE_ENDPOINT, ep_cs, ep_cw, ep_cs, ep_cw, C32 | C64);
	add(s, 3, 0, 1, ep_vendor, PCI_EXP_TYPE_ENDPOINT, 1, 1, 1, 1, 0);
	finish(s);
	return s;
}

static void device_internal_switch(void)
{
	/* Intel Arc: the endpoint's own link is synthetic 2.5 GT/s x1 behind an Intel switch */
	struct pl_system *s = gpu_with_switch(0x8086, 0x8086, 1, 1);
	struct pl_dev *ep = get(s, 3, 0, 0);

	pl_analyze(s, ep);
	CHECK_EQ(ep->an.nhops, 2);
	CHECK(ep->an.hops[0].internal);
	CHECK_EQ(ep->an.slot_hop, 1);
	CHECK(ep->an.hops[1].below == get(s, 1, 0, 0));
	CHECK_EQ(ep->an.rec_speed, PL_SPEED_16);
	CHECK_EQ(ep->an.rec_width, 16);
	CHECK_EQ(ep->an.diagnosis, PL_DIAG_NONE);
	/* routing on both switch ports and all widths at the root port: 32 and 64 (device's) */
	CHECK(ep->an.host_atomics[PL_ATOMIC_32] && ep->an.host_atomics[PL_ATOMIC_64]);
	CHECK(!ep->an.host_atomics[PL_ATOMIC_128]);
	CHECK(strstr(ep->an.atomic_why[PL_ATOMIC_128], "does not advertise") != NULL);
	pl_system_free(s);
}

static void foreign_switch_is_not_internal(void)
{
	/* a PLX switch in front of an NVIDIA GPU: the GPU's own link is the slot */
	struct pl_system *s = gpu_with_switch(0x10b5, 0x10de, 3, 16);
	struct pl_dev *ep = get(s, 3, 0, 0);

	pl_analyze(s, ep);
	CHECK_EQ(ep->an.slot_hop, 0);
	CHECK(!ep->an.hops[0].internal);
	CHECK_EQ(ep->an.rec_speed, PL_SPEED_8);
	pl_system_free(s);
}

static void chipset_switch_with_foreign_device(void)
{
	/* same vendor as the endpoint, but the switch also serves another vendor's device */
	struct pl_system *s = sys_new();
	struct pl_dev *ep;

	bus(add(s, 0, 1, 0, 0x8086, PCI_EXP_TYPE_ROOT_PORT, 3, 4, 3, 4, 0), 1, 4);
	bus(add(s, 1, 0, 0, 0x8086, PCI_EXP_TYPE_UPSTREAM, 3, 4, 3, 4, 0), 2, 4);
	bus(add(s, 2, 0, 0, 0x8086, PCI_EXP_TYPE_DOWNSTREAM, 2, 1, 2, 1, 0), 3, 3);
	bus(add(s, 2, 1, 0, 0x8086, PCI_EXP_TYPE_DOWNSTREAM, 2, 1, 2, 1, 0), 4, 4);
	ep = add(s, 3, 0, 0, 0x8086, PCI_EXP_TYPE_ENDPOINT, 2, 1, 2, 1, 0);
	add(s, 4, 0, 0, 0x10ec, PCI_EXP_TYPE_ENDPOINT, 1, 1, 1, 1, 0);
	finish(s);
	pl_analyze(s, ep);
	CHECK_EQ(ep->an.slot_hop, 0);
	CHECK_EQ(ep->an.rec_speed, PL_SPEED_5);
	CHECK_EQ(ep->an.rec_width, 1);
	pl_system_free(s);
}

static void function_one_uses_function_zero(void)
{
	struct pl_system *s = gpu_with_switch(0x10b5, 0x10de, 3, 16);
	struct pl_dev *f1 = get(s, 3, 0, 1);

	pl_analyze(s, f1);
	CHECK(f1->an.link_dev == get(s, 3, 0, 0));
	CHECK_EQ(f1->an.rec_speed, PL_SPEED_8);
	CHECK_EQ(f1->an.rec_width, 16);
	pl_system_free(s);
}

static void atomics_path_rules(void)
{
	struct pl_system *s;
	struct pl_dev *ep, *usp;

	/* a switch port without routing blocks every width */
	s = gpu_with_switch(0x10b5, 0x1002, 4, 16);
	put32(&get(s, 2, 0, 0)->cfg, CAP + PCI_EXP_DEVCAP2, 0);
	pl_dev_decode(s, get(s, 2, 0, 0));
	ep = get(s, 3, 0, 0);
	pl_analyze(s, ep);
	CHECK(ep->an.atomics_known);
	CHECK(!ep->an.host_atomics[0] && !ep->an.host_atomics[1] && !ep->an.host_atomics[2]);
	CHECK(strstr(ep->an.atomic_why[0], "does not route") != NULL);
	pl_system_free(s);

	/* egress blocking on the upstream port */
	s = gpu_with_switch(0x10b5, 0x1002, 4, 16);
	usp = get(s, 1, 0, 0);
	put16(&usp->cfg, CAP + PCI_EXP_DEVCTL2, PCI_EXP_DEVCTL2_ATOMICOP_EGRESS_BLOCK);
	pl_dev_decode(s, usp);
	ep = get(s, 3, 0, 0);
	pl_analyze(s, ep);
	CHECK(!ep->an.host_atomics[0]);
	CHECK(strstr(ep->an.atomic_why[0], "blocks") != NULL);
	pl_system_free(s);
}

static void rciep_and_vf(void)
{
	struct pl_system *s = sys_new();
	struct pl_dev *rc, *pf, *vf;

	/* an RCiEP on the root bus: the kernel enables without any completer check */
	rc = add(s, 0, 2, 0, 0x8086, PCI_EXP_TYPE_ROOT_INT_EP, 0, 0, 0, 0, C32 | C64);
	bus(add(s, 0, 3, 0, 0x8086, PCI_EXP_TYPE_ROOT_PORT, 4, 16, 4, 16, C32), 1, 1);
	pf = add(s, 1, 0, 0, 0x15b3, PCI_EXP_TYPE_ENDPOINT, 4, 16, 4, 16, C32 | C64);
	vf = add(s, 1, 0, 2, 0x15b3, PCI_EXP_TYPE_ENDPOINT, 0, 0, 0, 0, 0);
	finish(s);
	rc->parent_known = true;
	pl_analyze(s, rc);
	CHECK(rc->an.atomics_known);
	CHECK(rc->an.host_atomics[0] && rc->an.host_atomics[1] && !rc->an.host_atomics[2]);
	CHECK(!rc->an.rec_ok);
	CHECK(strstr(rc->an.rec_why, "root-complex integrated") != NULL);
	/* a VF is judged by its PF (vfio uses pci_physfn) */
	vf->physfn_dev = pf;
	vf->physfn_known = true;
	vf->physfn = pf->bdf;
	pl_analyze(s, vf);
	CHECK(vf->an.host_atomics[0]);
	CHECK(!vf->an.host_atomics[1]);
	pl_system_free(s);
}

static void unknown_path_in_a_dump(void)
{
	struct pl_system *s = sys_new();
	struct pl_dev *ep = add(s, 5, 0, 0, 0x10de, PCI_EXP_TYPE_ENDPOINT, 3, 16, 3, 16, C32);

	finish(s);
	pl_analyze(s, ep);
	/* the root port is not in the dump: no guess, and the reason */
	CHECK(!ep->an.atomics_known);
	CHECK_STR(ep->an.atomics_unknown, "the root port above 0000:05:00.0 is not in the input");
	CHECK(ep->an.rec_ok);
	CHECK(strstr(ep->an.rec_why, "no upstream port") != NULL);
	pl_system_free(s);
}

/* Whatever hides the registers is named, in the same words every output uses. */
static void atomics_unknown_reasons(void)
{
	struct pl_system *s = sys_new();
	struct pl_dev *rp, *ep, *cut, *v1;

	rp = add(s, 0, 1, 0, 0x8086, PCI_EXP_TYPE_ROOT_PORT, 4, 16, 4, 16, C32 | C64);
	bus(rp, 1, 1);
	ep = add(s, 1, 0, 0, 0x10de, PCI_EXP_TYPE_ENDPOINT, 4, 16, 4, 16, C32);
	/* an 'lspci -x' block: the header only */
	cut = add(s, 0, 2, 0, 0x10de, PCI_EXP_TYPE_ENDPOINT, 4, 16, 4, 16, C32);
	cut->cfg.len = 64;
	/* a v2 capability cut before DevCap2 (0x64) */
	v1 = add(s, 0, 3, 0, 0x10de, PCI_EXP_TYPE_ENDPOINT, 4, 16, 4, 16, C32);
	v1->cfg.len = 0x60;
	finish(s);
	pl_analyze(s, ep);
	CHECK(ep->an.atomics_known);
	CHECK(!ep->an.atomics_unknown[0]);
	pl_analyze(s, cut);
	CHECK(!cut->an.atomics_known);
	CHECK_STR(cut->an.atomics_unknown, "the PCI Express capability of 0000:00:02.0 is not in the input");
	CHECK_STR(cut->an.rec_why, cut->an.atomics_unknown);
	pl_analyze(s, v1);
	CHECK(!v1->an.atomics_known);
	CHECK_STR(v1->an.atomics_unknown, "DevCap2 of 0000:00:03.0 is not in the input");
	pl_system_free(s);
	/* live, not root: the kernel's 64 bytes */
	s = sys_new();
	s->kind = PL_SOURCE_SYSFS;
	rp = add(s, 0, 1, 0, 0x8086, PCI_EXP_TYPE_ROOT_PORT, 4, 16, 4, 16, C32 | C64);
	bus(rp, 1, 1);
	ep = add(s, 1, 0, 0, 0x10de, PCI_EXP_TYPE_ENDPOINT, 4, 16, 4, 16, C32);
	rp->cfg.len = 64;
	rp->sys_max_speed = strdup("16.0 GT/s PCIe");
	finish(s);
	pl_analyze(s, ep);
	CHECK(!ep->an.atomics_known);
	CHECK_STR(ep->an.atomics_unknown, "config space of 0000:00:01.0 beyond the header needs root");
	CHECK(s->config_short);
	pl_system_free(s);
}

/* Without a port above it in the input, the device's own registers: never "X -> X". */
static void no_link_to_itself(void)
{
	struct pl_system *s = sys_new();
	struct pl_dev *ep = add(s, 5, 0, 0, 0x10de, PCI_EXP_TYPE_ENDPOINT, 4, 16, 4, 8, 0);

	finish(s);
	pl_analyze(s, ep);
	CHECK_EQ(ep->an.diagnosis, PL_DIAG_WIDTH);
	CHECK(strstr(ep->an.diag_text, "0000:05:00.0 -> 0000:05:00.0") == NULL);
	CHECK(strstr(ep->an.diag_text, "the link above 0000:05:00.0 runs at 16GT/s x8 of 16GT/s x16") != NULL);
	pl_system_free(s);
}

static void bus_number_anomalies(void)
{
	struct pl_system *s = sys_new();
	struct pl_diag *g;
	int claimed = 0, below = 0, leave = 0;

	bus(add(s, 0, 1, 0, 0x8086, PCI_EXP_TYPE_ROOT_PORT, 1, 1, 1, 1, 0), 1, 2);
	bus(add(s, 0, 2, 0, 0x8086, PCI_EXP_TYPE_ROOT_PORT, 1, 1, 1, 1, 0), 1, 1);   /* bus 1 twice */
	bus(add(s, 1, 0, 0, 0x8086, PCI_EXP_TYPE_UPSTREAM, 1, 1, 1, 1, 0), 2, 9);    /* leaves [1-2] */
	bus(add(s, 3, 0, 0, 0x8086, PCI_EXP_TYPE_DOWNSTREAM, 1, 1, 1, 1, 0), 2, 9);  /* not above its bus */
	bus(add(s, 0, 4, 0, 0x8086, PCI_EXP_TYPE_ROOT_PORT, 1, 1, 1, 1, 0), 0, 0);   /* unprogrammed */
	finish(s);
	for (g = s->diags; g; g = g->next) {
		claimed += strstr(g->msg, "claimed by both") != NULL;
		below += strstr(g->msg, "not above its own bus") != NULL;
		leave += strstr(g->msg, "leave its parent") != NULL;
	}
	CHECK_EQ(claimed, 1);
	CHECK_EQ(below, 1);
	CHECK_EQ(leave, 1);
	CHECK(get(s, 1, 0, 0)->parent == get(s, 0, 1, 0));
	CHECK(get(s, 3, 0, 0)->parent == NULL);
	pl_system_free(s);
}

static void duplicate_slots(void)
{
	struct pl_system *s = sys_new();

	add(s, 0, 1, 0, 0x8086, PCI_EXP_TYPE_ENDPOINT, 1, 1, 1, 1, 0);
	add(s, 0, 1, 0, 0x10de, PCI_EXP_TYPE_ENDPOINT, 1, 1, 1, 1, 0);
	add(s, 0, 1, 0, 0x1002, PCI_EXP_TYPE_ENDPOINT, 1, 1, 1, 1, 0);
	finish(s);
	/* the first one added is kept (the sort is made stable), and said so once */
	CHECK_EQ(s->ndev, 1);
	CHECK_EQ(s->devs[0]->vendor, 0x8086);
	CHECK_EQ(s->devs[0]->blocks, 3);
	CHECK(s->diags && !s->diags->next);
	CHECK(s->diags && strstr(s->diags->msg, "listed 3 times; its first block is used"));
	pl_system_free(s);
}

static void deep_chain_terminates(void)
{
	/* 40 nested switches: walks stay bounded */
	struct pl_system *s = sys_new();
	struct pl_dev *ep;

	bus(add(s, 0, 1, 0, 0x8086, PCI_EXP_TYPE_ROOT_PORT, 3, 4, 3, 4, 0), 1, 200);
	for (int b = 1; b < 160; b += 2) {
		bus(add(s, b, 0, 0, 0x10b5, PCI_EXP_TYPE_UPSTREAM, 3, 4, 3, 4, ROUTE), b + 1, 200);
		bus(add(s, b + 1, 0, 0, 0x10b5, PCI_EXP_TYPE_DOWNSTREAM, 3, 4, 3, 4, ROUTE), b + 2, 200);
	}
	ep = add(s, 161, 0, 0, 0x10de, PCI_EXP_TYPE_ENDPOINT, 3, 4, 3, 4, 0);
	finish(s);
	pl_analyze(s, ep);
	CHECK(ep->an.nhops <= 64);
	pl_system_free(s);
}

int main(void)
{
	TEST(direct_link_full);
	TEST(partner_caps_the_link);
	TEST(thunderbolt_bridge_max_speed);
	TEST(apu_port_max_speed);
	TEST(downtraining);
	TEST(device_internal_switch);
	TEST(foreign_switch_is_not_internal);
	TEST(chipset_switch_with_foreign_device);
	TEST(function_one_uses_function_zero);
	TEST(atomics_path_rules);
	TEST(rciep_and_vf);
	TEST(unknown_path_in_a_dump);
	TEST(atomics_unknown_reasons);
	TEST(no_link_to_itself);
	TEST(bus_number_anomalies);
	TEST(duplicate_slots);
	TEST(deep_chain_terminates);
	DONE();
}
