/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Build config-space byte arrays for unit tests: a header and a PCIe capability at 0x40. */
#ifndef PL_CFGBUILD_H
#define PL_CFGBUILD_H

#include <string.h>

#include <pci/header.h>

#include "model.h"

#define CAP 0x40

static inline void put16(struct pl_cfg *c, unsigned off, uint16_t v)
{
	c->bytes[off] = v & 0xff;
	c->bytes[off + 1] = v >> 8;
}

static inline void put32(struct pl_cfg *c, unsigned off, uint32_t v)
{
	put16(c, off, v & 0xffff);
	put16(c, off + 2, v >> 16);
}

/* A function with vendor:device, header type ht and (if type >= 0) a PCIe cap v`ver`. */
static inline void cfg_make(struct pl_cfg *c, uint16_t vendor, uint16_t device, int ht, int type, int ver)
{
	memset(c, 0, sizeof(*c));
	c->len = PL_CFG_SIZE;
	put16(c, PCI_VENDOR_ID, vendor);
	put16(c, PCI_DEVICE_ID, device);
	c->bytes[PCI_HEADER_TYPE] = ht;
	put32(c, PCI_CLASS_REVISION, (ht == 1 ? 0x060400u : 0x030000u) << 8);
	if (type < 0)
		return;
	put16(c, PCI_STATUS, PCI_STATUS_CAP_LIST);
	c->bytes[PCI_CAPABILITY_LIST] = CAP;
	c->bytes[CAP] = PCI_CAP_ID_EXP;
	c->bytes[CAP + 1] = 0;
	put16(c, CAP + PCI_EXP_FLAGS, ver | type << 4);
}

/* LNKCAP speed code/width, LNKSTA speed/width. */
static inline void cfg_link(struct pl_cfg *c, int cs, int cw, int ss, int sw)
{
	put32(c, CAP + PCI_EXP_LNKCAP, cs | cw << 4);
	put16(c, CAP + PCI_EXP_LNKSTA, ss | sw << 4);
}

static inline void cfg_bus(struct pl_cfg *c, int pri, int sec, int sub)
{
	c->bytes[PCI_PRIMARY_BUS] = pri;
	c->bytes[PCI_SECONDARY_BUS] = sec;
	c->bytes[PCI_SUBORDINATE_BUS] = sub;
}

#endif
