/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pure decoders: config bytes in, structs out. They never print and never allocate. */
#ifndef PL_DECODE_H
#define PL_DECODE_H

#include "model.h"

/* Why a decode stopped early or read something odd; empty string when all went well. */
struct pl_why {
	char msg[160];
};

/* Read helpers: false when the bytes are outside the readable part. */
bool pl_cfg_u8(const struct pl_cfg *c, unsigned off, uint8_t *v);
bool pl_cfg_u16(const struct pl_cfg *c, unsigned off, uint16_t *v);
bool pl_cfg_u32(const struct pl_cfg *c, unsigned off, uint32_t *v);

/* Identity and bridge bus numbers of the type 0/1 header (PCI Local Bus 3.0, 6.1). */
int pl_decode_header(const struct pl_cfg *c, struct pl_dev *d);

/*
 * Walk the standard capability list for id (PCI 3.0, 6.7) the way the kernel does
 * (pointer & ~3, stop below 0x40) with lspci's defences (visited map, 0xff IDs, truncation).
 * Returns the offset, 0 when absent; a malformed list fills why and returns what was found.
 */
unsigned pl_find_cap(const struct pl_cfg *c, uint8_t id, struct pl_why *why);

/*
 * Decode the PCI Express capability at off (PCIe Base 6.0, 7.5.3): type, version, LNKCAP,
 * LNKSTA, LNKCAP2, LNKCTL2, DEVCAP2, DEVCTL2. Max speed follows Linux 6.13+
 * pcie_get_speed_cap(), the highest speed of pl_kernel_speeds(); link.ignored holds the
 * LNKCAP2 speeds above Max Link Speed that older kernels still count.
 * Fills why for truncation or reserved values and returns 0 or a PL_E* code.
 */
int pl_decode_pcie(const struct pl_cfg *c, unsigned off, struct pl_pcie *p, struct pl_why *why);

/* Highest speed in a LNKCAP2 supported-speeds vector (bit code-1), 0 if none. */
int pl_speed_from_vector(uint8_t vec);

/*
 * The supported speeds as Linux 6.13+ pcie_get_supported_speeds() computes them (bit code-1):
 * the LNKCAP2 vector vec (0 for a v1 capability) without the speeds above LNKCAP's Max Link
 * Speed; when nothing is left, synthesised from Max Link Speed (5GT/s: 2.5 and 5; 2.5GT/s: 2.5;
 * any other code: none, an unknown maximum).
 */
uint8_t pl_kernel_speeds(uint32_t lnkcap, uint8_t vec);

/* Parse sysfs max_link_speed/current_link_speed ("16.0 GT/s PCIe", "8 GT/s", "Unknown"). */
int pl_speed_from_sysfs(const char *s);
/* Parse sysfs max_link_width/current_link_width; PL_WIDTH_UNKNOWN for 255 or junk. */
int pl_width_from_sysfs(const char *s);

/* True when the type has link registers (kernel pcie_cap_has_lnkctl). */
bool pl_type_has_link(int type);

#endif
