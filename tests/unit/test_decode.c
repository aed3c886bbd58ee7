/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Decoder tests fed with byte arrays. */
#include "cfgbuild.h"
#include "decode.h"
#include "harness.h"

static void every_speed_code(void)
{
	/* LNKCAP codes 1..6 are speeds, 0 and 7..15 reserved: unknown, never guessed */
	for (int code = 0; code < 16; code++) {
		struct pl_cfg c;
		struct pl_pcie p;
		struct pl_why why = { { 0 } };

		cfg_make(&c, 0x10de, 1, 0, PCI_EXP_TYPE_ENDPOINT, 1);
		cfg_link(&c, code, 16, code, 16);
		CHECK_EQ(pl_decode_pcie(&c, CAP, &p, &why), 0);
		CHECK_EQ(p.link.max_speed, code >= 1 && code <= 6 ? code : 0);
		CHECK_EQ(p.link.speed, code >= 1 && code <= 6 ? code : 0);
		CHECK_EQ(!!why.msg[0], !(code >= 1 && code <= 6));
	}
}

static void every_width(void)
{
	for (int w = 0; w < 64; w++) {
		struct pl_cfg c;
		struct pl_pcie p;
		struct pl_why why = { { 0 } };
		bool legal = w == 1 || w == 2 || w == 4 || w == 8 || w == 12 || w == 16 || w == 32;

		cfg_make(&c, 0x10de, 1, 0, PCI_EXP_TYPE_ENDPOINT, 2);
		cfg_link(&c, 3, w, 3, w);
		pl_decode_pcie(&c, CAP, &p, &why);
		CHECK_EQ(p.link.max_width, legal ? w : PL_WIDTH_UNKNOWN);
		/* x0 in LnkSta is a link that is down */
		CHECK_EQ(p.link.width, legal || w == 0 ? w : PL_WIDTH_UNKNOWN);
	}
}

static void lnkcap2_vector_wins(void)
{
	struct pl_cfg c;
	struct pl_pcie p;
	struct pl_why why = { { 0 } };

	/* QEMU's pcie-root-port at 16 GT/s: LNKCAP says 16 too, LNKCAP2 = 0x1e */
	cfg_make(&c, 0x1b36, 0xc, 1, PCI_EXP_TYPE_ROOT_PORT, 2);
	cfg_link(&c, 2, 4, 1, 1);       /* LNKCAP says 5 GT/s ... */
	put32(&c, CAP + PCI_EXP_LNKCAP2, 0x1e); /* ... the vector says up to 16 */
	pl_decode_pcie(&c, CAP, &p, &why);
	CHECK_EQ(p.link.max_speed, PL_SPEED_16);
	CHECK_EQ(p.link.supported, 0xf);
	/* gaps: 2.5 and 8 only */
	put32(&c, CAP + PCI_EXP_LNKCAP2, 0x0a);
	pl_decode_pcie(&c, CAP, &p, &why);
	CHECK_EQ(p.link.max_speed, PL_SPEED_8);
	CHECK_EQ(p.link.supported, 0x5);
	/* a vector of zero falls back to LNKCAP, as QEMU writes none at <= 5 GT/s */
	put32(&c, CAP + PCI_EXP_LNKCAP2, 0x100);        /* crosslink bit only */
	pl_decode_pcie(&c, CAP, &p, &why);
	CHECK_EQ(p.link.max_speed, PL_SPEED_5);
	/* 64 GT/s */
	put32(&c, CAP + PCI_EXP_LNKCAP2, 0x7e);
	pl_decode_pcie(&c, CAP, &p, &why);
	CHECK_EQ(p.link.max_speed, PL_SPEED_64);
	/* bit 7 (128 GT/s) is unknown to every kernel: ignored */
	put32(&c, CAP + PCI_EXP_LNKCAP2, 0x80 | 0x0e);
	pl_decode_pcie(&c, CAP, &p, &why);
	CHECK_EQ(p.link.max_speed, PL_SPEED_8);
}

static void v1_has_no_dev2(void)
{
	struct pl_cfg c;
	struct pl_pcie p;
	struct pl_why why = { { 0 } };

	cfg_make(&c, 0x10ec, 0x8168, 0, PCI_EXP_TYPE_ENDPOINT, 1);
	cfg_link(&c, 1, 1, 1, 1);
	put32(&c, CAP + PCI_EXP_DEVCAP2, 0x3c0);
	put32(&c, CAP + PCI_EXP_LNKCAP2, 0x0e);
	pl_decode_pcie(&c, CAP, &p, &why);
	CHECK(!p.dev2_known);
	CHECK(!p.lnkcap2_read);
	CHECK_EQ(p.link.max_speed, PL_SPEED_2_5);
	/* version 2: DEVCAP2 atomics and LNKCAP2 are read */
	put16(&c, CAP + PCI_EXP_FLAGS, 2 | PCI_EXP_TYPE_ENDPOINT << 4);
	pl_decode_pcie(&c, CAP, &p, &why);
	CHECK(p.dev2_known);
	CHECK_EQ(p.devcap2, 0x3c0);
	CHECK_EQ(p.link.max_speed, PL_SPEED_8);
}

static void reserved_versions(void)
{
	struct pl_cfg c;
	struct pl_pcie p;

	for (int v = 0; v < 16; v++) {
		struct pl_why why = { { 0 } };

		cfg_make(&c, 0x8086, 1, 0, PCI_EXP_TYPE_ENDPOINT, v);
		cfg_link(&c, 3, 4, 3, 4);
		put32(&c, CAP + PCI_EXP_DEVCAP2, 0x80);
		pl_decode_pcie(&c, CAP, &p, &why);
		CHECK_EQ(p.version, v);
		CHECK_EQ(p.dev2_known, v >= 2);        /* kernel: version > 1 */
		CHECK_EQ(!!why.msg[0], v == 0 || v > 2);
		CHECK_EQ(p.link.max_width, 4);
	}
}

static void no_link_for_rc_types(void)
{
	static const int types[] = { PCI_EXP_TYPE_ROOT_INT_EP, PCI_EXP_TYPE_ROOT_EC, 2, 3, 0xb, 0xf };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct pl_cfg c;
		struct pl_pcie p;
		struct pl_why why = { { 0 } };

		cfg_make(&c, 0x8086, 1, 0, types[i], 2);
		cfg_link(&c, 3, 4, 3, 4);
		pl_decode_pcie(&c, CAP, &p, &why);
		CHECK(!p.has_link);
	}
	CHECK(pl_type_has_link(PCI_EXP_TYPE_PCIE_BRIDGE));
}

static void cap_walk_defences(void)
{
	struct pl_cfg c;
	struct pl_why why = { { 0 } };

	/* a normal chain: PM at 0x50 -> MSI at 0x60 -> PCIe at 0x70 */
	cfg_make(&c, 0x8086, 1, 0, -1, 0);
	put16(&c, PCI_STATUS, PCI_STATUS_CAP_LIST);
	c.bytes[PCI_CAPABILITY_LIST] = 0x50;
	c.bytes[0x50] = PCI_CAP_ID_PM, c.bytes[0x51] = 0x60;
	c.bytes[0x60] = PCI_CAP_ID_MSI, c.bytes[0x61] = 0x70;
	c.bytes[0x70] = PCI_CAP_ID_EXP, c.bytes[0x71] = 0;
	CHECK_EQ(pl_find_cap(&c, PCI_CAP_ID_EXP, &why), 0x70);
	CHECK(!why.msg[0]);
	/* no capability list bit: nothing, no complaint */
	put16(&c, PCI_STATUS, 0);
	CHECK_EQ(pl_find_cap(&c, PCI_CAP_ID_EXP, &why), 0);
	CHECK(!why.msg[0]);
	put16(&c, PCI_STATUS, PCI_STATUS_CAP_LIST);
	/* a loop 0x50 -> 0x60 -> 0x50 */
	c.bytes[0x61] = 0x50;
	CHECK_EQ(pl_find_cap(&c, PCI_CAP_ID_EXP, &why), 0);
	CHECK(strstr(why.msg, "loops") != NULL);
	/* a self loop */
	why.msg[0] = 0;
	c.bytes[0x51] = 0x50;
	CHECK_EQ(pl_find_cap(&c, PCI_CAP_ID_EXP, &why), 0);
	CHECK(strstr(why.msg, "loops") != NULL);
	/* pointer into the header */
	why.msg[0] = 0;
	c.bytes[0x51] = 0x10;
	CHECK_EQ(pl_find_cap(&c, PCI_CAP_ID_EXP, &why), 0);
	CHECK(strstr(why.msg, "header") != NULL);
	/* misaligned pointers are masked like the kernel does, with a note */
	why.msg[0] = 0;
	c.bytes[0x51] = 0x73;
	c.bytes[0x61] = 0;
	CHECK_EQ(pl_find_cap(&c, PCI_CAP_ID_EXP, &why), 0x70);
	CHECK(strstr(why.msg, "misaligned") != NULL);
	/* a list running into unreadable bytes (a 128-byte block) */
	why.msg[0] = 0;
	c.bytes[0x51] = 0xc0;
	c.len = 128;
	CHECK_EQ(pl_find_cap(&c, PCI_CAP_ID_EXP, &why), 0);
	CHECK(strstr(why.msg, "truncated") != NULL);
	/* 0xff IDs: all-ones space */
	why.msg[0] = 0;
	c.len = PL_CFG_SIZE;
	c.bytes[0xc0] = 0xff;
	CHECK_EQ(pl_find_cap(&c, PCI_CAP_ID_EXP, &why), 0);
	CHECK(strstr(why.msg, "0xff") != NULL);
	/* all-ones config space: header decode says no device */
	memset(c.bytes, 0xff, sizeof(c.bytes));
	struct pl_dev d = { 0 };
	CHECK_EQ(pl_decode_header(&c, &d), PL_ENOENT);
}

static void truncated_pcie_cap(void)
{
	struct pl_cfg c;
	struct pl_pcie p;
	struct pl_why why = { { 0 } };

	/* the cap sits at 0xf0: LNKCAP fits, the v2 registers do not */
	cfg_make(&c, 0x8086, 1, 0, -1, 0);
	put16(&c, PCI_STATUS, PCI_STATUS_CAP_LIST);
	c.bytes[PCI_CAPABILITY_LIST] = 0xe8;
	c.bytes[0xe8] = PCI_CAP_ID_EXP;
	put16(&c, 0xe8 + PCI_EXP_FLAGS, 2 | PCI_EXP_TYPE_ENDPOINT << 4);
	put32(&c, 0xe8 + PCI_EXP_LNKCAP, 0x43);
	put16(&c, 0xe8 + PCI_EXP_LNKSTA, 0x43);
	CHECK_EQ(pl_find_cap(&c, PCI_CAP_ID_EXP, &why), 0xe8);
	CHECK_EQ(pl_decode_pcie(&c, 0xe8, &p, &why), 0);
	CHECK(p.has_link);
	CHECK_EQ(p.link.max_speed, 3);
	CHECK(!p.dev2_known);
	CHECK(strstr(why.msg, "truncated") != NULL);
	/* cap at 0xfc: flags fit, link registers do not */
	why.msg[0] = 0;
	c.bytes[PCI_CAPABILITY_LIST] = 0xfc;
	c.bytes[0xfc] = PCI_CAP_ID_EXP;
	put16(&c, 0xfc + PCI_EXP_FLAGS, 2);
	CHECK_EQ(pl_decode_pcie(&c, 0xfc, &p, &why), PL_EACCES);
	CHECK(!p.has_link);
}

static void sysfs_strings(void)
{
	CHECK_EQ(pl_speed_from_sysfs("2.5 GT/s PCIe"), PL_SPEED_2_5);
	CHECK_EQ(pl_speed_from_sysfs("5.0 GT/s PCIe"), PL_SPEED_5);
	CHECK_EQ(pl_speed_from_sysfs("8 GT/s"), PL_SPEED_8);      /* kernels before ~5.7 */
	CHECK_EQ(pl_speed_from_sysfs("16.0 GT/s PCIe"), PL_SPEED_16);
	CHECK_EQ(pl_speed_from_sysfs("32.0 GT/s PCIe"), PL_SPEED_32);
	CHECK_EQ(pl_speed_from_sysfs("64.0 GT/s PCIe"), PL_SPEED_64);
	CHECK_EQ(pl_speed_from_sysfs("Unknown"), 0);
	CHECK_EQ(pl_speed_from_sysfs("Unknown speed"), 0);
	CHECK_EQ(pl_speed_from_sysfs(NULL), 0);
	CHECK_EQ(pl_width_from_sysfs("16"), 16);
	CHECK_EQ(pl_width_from_sysfs("0"), 0);
	CHECK_EQ(pl_width_from_sysfs("255"), PL_WIDTH_UNKNOWN);
	CHECK_EQ(pl_width_from_sysfs("3"), PL_WIDTH_UNKNOWN);
	CHECK_EQ(pl_width_from_sysfs("x16"), PL_WIDTH_UNKNOWN);
}

static void name_tables(void)
{
	CHECK_STR(pl_speed_qemu(PL_SPEED_2_5), "2_5");
	CHECK_STR(pl_speed_qemu(PL_SPEED_64), "64");
	CHECK(pl_speed_qemu(0) == NULL);
	CHECK(pl_speed_qemu(7) == NULL);
	for (int s = 1; s <= PL_SPEED_MAX; s++)
		CHECK_EQ(pl_speed_from_qemu(pl_speed_qemu(s)), s);
	CHECK_EQ(pl_speed_from_qemu("2.5"), 0);
	CHECK_EQ(pl_speed_from_qemu("16.0"), 0);
	/* the kernel's PCIE_SPEED2MBS_ENC */
	CHECK_EQ(pl_speed_mbps(PL_SPEED_2_5), 2000);
	CHECK_EQ(pl_speed_mbps(PL_SPEED_5), 4000);
	CHECK_EQ(pl_speed_mbps(PL_SPEED_8), 7876);
	CHECK_EQ(pl_speed_mbps(PL_SPEED_16), 15753);
	CHECK_EQ(pl_speed_mbps(PL_SPEED_32), 31507);
	CHECK_EQ(pl_speed_mbps(PL_SPEED_64), 64000);
	CHECK_EQ(pl_width_floor(6), 4);
	CHECK_EQ(pl_width_floor(12), 12);
	CHECK_EQ(pl_width_floor(0), 0);
	CHECK_EQ(pl_width_floor(63), 32);
	CHECK_STR(pl_port_type_name(PCI_EXP_TYPE_ROOT_INT_EP), "rc_integrated_endpoint");
	CHECK(pl_port_type_name(3) == NULL);
}

static void bdf_parse(void)
{
	struct pl_bdf b;
	char buf[16];

	CHECK_EQ(pl_bdf_parse("0000:01:00.0", &b), 0);
	CHECK_STR(pl_bdf_fmt(&b, buf, sizeof(buf)), "0000:01:00.0");
	CHECK_EQ(pl_bdf_parse("01:1f.7", &b), 0);
	CHECK_STR(pl_bdf_fmt(&b, buf, sizeof(buf)), "0000:01:1f.7");
	CHECK_EQ(pl_bdf_parse("10000:e1:00.1", &b), 0);
	CHECK_EQ(b.domain, 0x10000);
	CHECK_EQ(pl_bdf_parse("01:20.0", &b), PL_EINVAL);
	CHECK_EQ(pl_bdf_parse("01:00.8", &b), PL_EINVAL);
	CHECK_EQ(pl_bdf_parse("01:00.0x", &b), PL_EINVAL);
	CHECK_EQ(pl_bdf_parse("garbage", &b), PL_EINVAL);
	CHECK_EQ(pl_bdf_parse("", &b), PL_EINVAL);
}

int main(void)
{
	TEST(every_speed_code);
	TEST(every_width);
	TEST(lnkcap2_vector_wins);
	TEST(v1_has_no_dev2);
	TEST(reserved_versions);
	TEST(no_link_for_rc_types);
	TEST(cap_walk_defences);
	TEST(truncated_pcie_cap);
	TEST(sysfs_strings);
	TEST(name_tables);
	TEST(bdf_parse);
	DONE();
}
