/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Build small hosts from bytes for unit tests: functions, bus numbers, decode, topology. */
#ifndef PL_HOSTBUILD_H
#define PL_HOSTBUILD_H

#include "cfgbuild.h"
#include "device.h"
#include "topology.h"

#define ROUTE PCI_EXP_DEVCAP2_ATOMICOP_ROUTING
#define C32 PCI_EXP_DEVCAP2_32BIT_ATOMICOP_COMP
#define C64 PCI_EXP_DEVCAP2_64BIT_ATOMICOP_COMP
#define C128 PCI_EXP_DEVCAP2_128BIT_CAS_COMP

static inline struct pl_system *sys_new(void)
{
	struct pl_system *s = pl_system_new();

	s->kind = PL_SOURCE_DUMP;
	return s;
}

/* Add a function at bus:dev.fn with a PCIe cap of type; link codes/widths; devcap2. */
static inline struct pl_dev *add(struct pl_system *s, int bus, int dev, int fn, uint16_t vendor, int type,
			  int cs, int cw, int ss, int sw, uint32_t devcap2)
{
	struct pl_bdf b = { 0, bus, dev, fn };
	struct pl_dev *d = pl_dev_new(&b);
	bool bridge = type == PCI_EXP_TYPE_ROOT_PORT || type == PCI_EXP_TYPE_UPSTREAM ||
		      type == PCI_EXP_TYPE_DOWNSTREAM;

	cfg_make(&d->cfg, vendor, 0x1234, bridge ? 1 : 0, type, 2);
	if (type >= 0)
		cfg_link(&d->cfg, cs, cw, ss, sw);
	/* LnkCap2 lists every speed up to Max Link Speed, as PCIe 3.0 and later hardware does */
	if (type >= 0 && cs >= 1 && cs <= PL_SPEED_MAX)
		put32(&d->cfg, CAP + PCI_EXP_LNKCAP2, ((1u << cs) - 1) << 1);
	put32(&d->cfg, CAP + PCI_EXP_DEVCAP2, devcap2);
	d->cfg_loaded = true;
	pl_system_add(s, d);
	return d;
}

static inline void bus(struct pl_dev *d, int sec, int sub)
{
	cfg_bus(&d->cfg, d->bdf.bus, sec, sub);
}

static inline void finish(struct pl_system *s)
{
	pl_system_index(s);
	for (size_t i = 0; i < s->ndev; i++)
		pl_dev_decode(s, s->devs[i]);
	pl_topo_build(s);
}

static inline struct pl_dev *get(struct pl_system *s, int b, int d, int f)
{
	struct pl_bdf x = { 0, b, d, f };

	return pl_system_find(s, &x);
}

#endif
