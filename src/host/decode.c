/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Config-space decoders: header, capability walk, PCI Express capability. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pci/header.h>

#include "decode.h"

bool pl_cfg_u8(const struct pl_cfg *c, unsigned off, uint8_t *v)
{
	if (off + 1 > c->len)
		return false;
	*v = c->bytes[off];
	return true;
}

bool pl_cfg_u16(const struct pl_cfg *c, unsigned off, uint16_t *v)
{
	if (off + 2 > c->len)
		return false;
	*v = c->bytes[off] | c->bytes[off + 1] << 8;
	return true;
}

bool pl_cfg_u32(const struct pl_cfg *c, unsigned off, uint32_t *v)
{
	if (off + 4 > c->len)
		return false;
	*v = (uint32_t)c->bytes[off] | (uint32_t)c->bytes[off + 1] << 8 |
	     (uint32_t)c->bytes[off + 2] << 16 | (uint32_t)c->bytes[off + 3] << 24;
	return true;
}

static void why_set(struct pl_why *why, const char *fmt, unsigned a, unsigned b)
{
	/* keep the first problem: it is the cause, later ones are consequences */
	if (why && !why->msg[0])
		snprintf(why->msg, sizeof(why->msg), fmt, a, b);
}

int pl_decode_header(const struct pl_cfg *c, struct pl_dev *d)
{
	uint16_t v, dv, sv, sd;
	uint32_t cls;
	uint8_t ht, sec, sub;

	if (!pl_cfg_u16(c, PCI_VENDOR_ID, &v) || !pl_cfg_u16(c, PCI_DEVICE_ID, &dv) ||
	    !pl_cfg_u32(c, PCI_CLASS_REVISION, &cls) || !pl_cfg_u8(c, PCI_HEADER_TYPE, &ht))
		return PL_EACCES;
	if (v == 0xffff)
		return PL_ENOENT;
	d->vendor = v;
	d->device = dv;
	d->class_code = cls >> 8;
	d->header_type = ht;
	switch (ht & 0x7f) {
	case PCI_HEADER_TYPE_NORMAL:
		if (pl_cfg_u16(c, PCI_SUBSYSTEM_VENDOR_ID, &sv) &&
		    pl_cfg_u16(c, PCI_SUBSYSTEM_ID, &sd)) {
			d->subvendor = sv;
			d->subdevice = sd;
		}
		break;
	case PCI_HEADER_TYPE_BRIDGE:
	case PCI_HEADER_TYPE_CARDBUS:
		/* the CardBus header keeps its bus numbers at the same offsets */
		if (pl_cfg_u8(c, PCI_SECONDARY_BUS, &sec) && pl_cfg_u8(c, PCI_SUBORDINATE_BUS, &sub)) {
			d->sec_bus = sec;
			d->sub_bus = sub;
		}
		break;
	}
	return PL_OK;
}

unsigned pl_find_cap(const struct pl_cfg *c, uint8_t id, struct pl_why *why)
{
	uint8_t seen[PL_CFG_SIZE / 4] = { 0 };
	uint16_t status;
	uint8_t ht, pos, raw, cid;
	unsigned ptr_off = PCI_CAPABILITY_LIST;

	if (!pl_cfg_u16(c, PCI_STATUS, &status) || !(status & PCI_STATUS_CAP_LIST))
		return 0;
	if (pl_cfg_u8(c, PCI_HEADER_TYPE, &ht) && (ht & 0x7f) == PCI_HEADER_TYPE_CARDBUS)
		ptr_off = PCI_CB_CAPABILITY_LIST;
	if (!pl_cfg_u8(c, ptr_off, &raw))
		return 0;
	for (;;) {
		if (!raw)
			return 0;
		if (raw < 0x40) {
			why_set(why, "capability pointer 0x%02x points into the header", raw, 0);
			return 0;
		}
		pos = raw & ~3;
		if (pos != raw)
			why_set(why, "capability pointer 0x%02x is misaligned; read as 0x%02x as the kernel does",
				raw, pos);
		if (pos + 2u > c->len) {
			why_set(why, "capability list is truncated: pointer 0x%02x beyond the %u readable bytes",
				pos, c->len);
			return 0;
		}
		if (seen[pos / 4]) {
			why_set(why, "capability list loops back to 0x%02x", pos, 0);
			return 0;
		}
		seen[pos / 4] = 1;
		cid = c->bytes[pos + PCI_CAP_LIST_ID];
		if (cid == 0xff) {
			why_set(why, "capability at 0x%02x has ID 0xff: the list ends in unreadable space", pos, 0);
			return 0;
		}
		if (cid == id)
			return pos;
		raw = c->bytes[pos + PCI_CAP_LIST_NEXT];
	}
}

bool pl_type_has_link(int type)
{
	switch (type) {
	case PCI_EXP_TYPE_ENDPOINT:
	case PCI_EXP_TYPE_LEG_END:
	case PCI_EXP_TYPE_ROOT_PORT:
	case PCI_EXP_TYPE_UPSTREAM:
	case PCI_EXP_TYPE_DOWNSTREAM:
	case PCI_EXP_TYPE_PCI_BRIDGE:
	case PCI_EXP_TYPE_PCIE_BRIDGE:
		return true;
	}
	return false;
}

int pl_speed_from_vector(uint8_t vec)
{
	/* bit 6 would be 128 GT/s, which no kernel knows: ignore it like pcie_get_speed_cap() */
	for (int s = PL_SPEED_MAX; s >= 1; s--)
		if (vec & (1u << (s - 1)))
			return s;
	return PL_SPEED_UNKNOWN;
}

uint8_t pl_kernel_speeds(uint32_t lnkcap, uint8_t vec)
{
	unsigned code = lnkcap & PCI_EXP_LNKCAP_SPEED;
	/* GENMASK(code, 0) over the register: vector bits 1..code, here bits 0..code-1 */
	uint8_t speeds = vec & (uint8_t)((1u << code) - 1);

	if (speeds)
		return speeds;
	if (code == PL_SPEED_5)
		return 1u << (PL_SPEED_5 - 1) | 1u << (PL_SPEED_2_5 - 1);
	if (code == PL_SPEED_2_5)
		return 1u << (PL_SPEED_2_5 - 1);
	return 0;
}

static int speed_code(unsigned code)
{
	return code >= 1 && code <= PL_SPEED_MAX ? (int)code : PL_SPEED_UNKNOWN;
}

int pl_decode_pcie(const struct pl_cfg *c, unsigned off, struct pl_pcie *p, struct pl_why *why)
{
	uint16_t flags, lnksta;
	uint32_t lnkcap, w;
	struct pl_link *l = &p->link;

	memset(p, 0, sizeof(*p));
	p->src = PL_SRC_CONFIG;
	p->cap_off = off;
	p->version = p->type = -1;
	*l = (struct pl_link){ .max_width = PL_WIDTH_UNKNOWN, .width = PL_WIDTH_UNKNOWN, .port = -1 };
	if (!pl_cfg_u16(c, off + PCI_EXP_FLAGS, &flags)) {
		why_set(why, "PCI Express capability at 0x%02x is truncated", off, 0);
		return PL_EACCES;
	}
	p->version = flags & PCI_EXP_FLAGS_VERS;
	p->type = (flags & PCI_EXP_FLAGS_TYPE) >> 4;
	if (p->version == 0)
		why_set(why, "PCI Express capability version 0 is reserved; read as version 1", 0, 0);
	if (p->version > 2)
		why_set(why, "PCI Express capability version %u is reserved; read as version 2 as the kernel does",
			p->version, 0);
	if (pl_type_has_link(p->type)) {
		if (!pl_cfg_u32(c, off + PCI_EXP_LNKCAP, &lnkcap) ||
		    !pl_cfg_u16(c, off + PCI_EXP_LNKSTA, &lnksta)) {
			why_set(why, "PCI Express capability at 0x%02x is truncated before the link registers",
				off, 0);
			return PL_EACCES;
		}
		p->has_link = true;
		p->lnkcap = lnkcap;
		p->lnksta = lnksta;
		l->port = lnkcap >> 24;
		l->cap_speed = speed_code(lnkcap & PCI_EXP_LNKCAP_SPEED);
		l->max_speed = pl_speed_from_vector(pl_kernel_speeds(lnkcap, 0));
		w = (lnkcap & PCI_EXP_LNKCAP_WIDTH) >> 4;
		if (pl_width_valid(w))
			l->max_width = w;
		else
			why_set(why, "LnkCap width x%u is reserved", w, 0);
		if (!l->cap_speed)
			why_set(why, "LnkCap speed code %u is reserved", lnkcap & PCI_EXP_LNKCAP_SPEED, 0);
		l->speed = speed_code(lnksta & PCI_EXP_LNKSTA_SPEED);
		w = (lnksta & PCI_EXP_LNKSTA_WIDTH) >> 4;
		/* x0 is a link that is down, a real state, not a reserved value */
		if (w == 0 || pl_width_valid(w))
			l->width = w;
		else
			why_set(why, "LnkSta width x%u is reserved", w, 0);
	}
	if (p->version < 2)
		return PL_OK;
	/* v2 registers: a truncated tail keeps what was read above */
	if (pl_cfg_u32(c, off + PCI_EXP_DEVCAP2, &p->devcap2) &&
	    pl_cfg_u16(c, off + PCI_EXP_DEVCTL2, &p->devctl2))
		p->dev2_known = true;
	if (pl_cfg_u32(c, off + PCI_EXP_LNKCAP2, &p->lnkcap2) &&
	    pl_cfg_u16(c, off + PCI_EXP_LNKCTL2, &p->lnkctl2)) {
		p->lnkcap2_read = true;
		l->supported = PCI_EXP_LNKCAP2_SPEED(p->lnkcap2) & 0x3f;
		l->supported_known = true;
		l->target_speed = speed_code(PCI_EXP_LNKCTL2_SPEED(p->lnkctl2));
		if (p->has_link) {
			uint8_t k = pl_kernel_speeds(p->lnkcap, l->supported);

			l->max_speed = pl_speed_from_vector(k);
			l->ignored = l->supported & ~k;
		}
	} else {
		why_set(why, "PCI Express capability at 0x%02x is truncated before LnkCap2", off, 0);
	}
	return PL_OK;
}

int pl_speed_from_sysfs(const char *s)
{
	static const struct {
		const char *pfx;
		int speed;
	} tab[] = {
		{ "2.5 GT/s", PL_SPEED_2_5 }, { "5.0 GT/s", PL_SPEED_5 }, { "5 GT/s", PL_SPEED_5 },
		{ "8.0 GT/s", PL_SPEED_8 }, { "8 GT/s", PL_SPEED_8 }, { "16.0 GT/s", PL_SPEED_16 },
		{ "16 GT/s", PL_SPEED_16 }, { "32.0 GT/s", PL_SPEED_32 }, { "32 GT/s", PL_SPEED_32 },
		{ "64.0 GT/s", PL_SPEED_64 }, { "64 GT/s", PL_SPEED_64 },
	};
	for (size_t i = 0; s && i < sizeof(tab) / sizeof(tab[0]); i++)
		if (!strncmp(s, tab[i].pfx, strlen(tab[i].pfx)))
			return tab[i].speed;
	return PL_SPEED_UNKNOWN;
}

int pl_width_from_sysfs(const char *s)
{
	char *end;
	long w;

	if (!s)
		return PL_WIDTH_UNKNOWN;
	w = strtol(s, &end, 10);
	if (end == s || (*end && *end != '\n') || w < 0 || w > 32)
		return PL_WIDTH_UNKNOWN;
	if (w && !pl_width_valid(w))
		return PL_WIDTH_UNKNOWN;
	return (int)w;
}
