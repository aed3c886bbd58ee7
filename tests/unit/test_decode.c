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
		bool valid = code >= 1 && code <= 6;

		cfg_make(&c, 0x10de, 1, 0, PCI_EXP_TYPE_ENDPOINT, 1);
		cfg_link(&c, code, 16, code, 16);
		CHECK_EQ(pl_decode_pcie(&c, CAP, &p, &why), 0);
		CHECK_EQ(p.link.cap_speed, valid ? code : 0);
		/* no LnkCap2 (v1): the kernel synthesises 2.5 and 5GT/s only */
		CHECK_EQ(p.link.max_speed, code == 1 || code == 2 ? code : 0);
		CHECK_EQ(p.link.speed, valid ? code : 0);
		CHECK_EQ(!!why.msg[0], !valid);
	}
}

#define V(s) (1u << ((s) - 1))  /* a speed's bit in a LnkCap2 vector, bit (code-1) */

/* Linux 6.13+ pcie_get_supported_speeds() on every Max Link Speed code */
static void kernel_speed_rule(void)
{
	static const struct {
		unsigned code;
		uint8_t vec, speeds;
	} tab[] = {
		/* a Thunderbolt bridge: LnkCap 2.5GT/s, LnkCap2 up to 8 */
		{ 1, V(1) | V(2) | V(3), V(1) },
		/* an AMD APU port: LnkCap 8GT/s, LnkCap2 up to 16 */
		{ 3, V(1) | V(2) | V(3) | V(4), V(1) | V(2) | V(3) },
		/* gaps */
		{ 4, V(1) | V(3), V(1) | V(3) },
		{ 3, V(2) | V(4) | V(6), V(2) },
		{ 6, V(2) | V(4) | V(6), V(2) | V(4) | V(6) },
		/* everything above Max Link Speed: synthesised from it when it is 2.5 or 5GT/s */
		{ 1, V(2) | V(3) | V(4) | V(5) | V(6), V(1) },
		{ 2, V(3) | V(4), V(1) | V(2) },
		{ 3, V(4) | V(5), 0 },
		/* empty */
		{ 1, 0, V(1) },
		{ 2, 0, V(1) | V(2) },
		{ 3, 0, 0 }, { 4, 0, 0 }, { 5, 0, 0 }, { 6, 0, 0 },
		/* reserved codes: 0 keeps nothing, 7..15 keep the whole vector */
		{ 0, V(1) | V(2) | V(3), 0 },
		{ 0, 0, 0 },
		{ 7, V(1) | V(2) | V(3) | V(4), V(1) | V(2) | V(3) | V(4) },
		{ 15, 0x3f, 0x3f },
		{ 7, 0, 0 },
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		/* the width and port fields above the speed code do not count */
		CHECK_EQ(pl_kernel_speeds(tab[i].code | 16 << 4 | 3u << 24, tab[i].vec), tab[i].speeds);
		if (pl_kernel_speeds(tab[i].code, tab[i].vec) != tab[i].speeds)
			fprintf(stderr, "  row %zu\n", i);
	}
	/* every code against the full vector, a gap at its own speed, and an empty one */
	for (int code = 1; code <= PL_SPEED_MAX; code++) {
		uint8_t below = (uint8_t)(V(code) | (V(code) - 1));

		CHECK_EQ(pl_kernel_speeds(code, 0x3f), below);
		CHECK_EQ(pl_speed_from_vector(pl_kernel_speeds(code, 0x3f)), code);
		CHECK_EQ(pl_speed_from_vector(pl_kernel_speeds(code, 0x3f & ~V(code))),
			 code > 1 ? code - 1 : 1);
		CHECK_EQ(pl_speed_from_vector(pl_kernel_speeds(code, 0)), code <= 2 ? code : 0);
	}
}

/* The same rule through the bytes: max_speed, the ignored speeds, supported_speeds untouched */
static void kernel_speed_rule_bytes(void)
{
	static const struct {
		unsigned code;
		uint32_t lnkcap2;
		int max;
		uint8_t supported, ignored;
	} tab[] = {
		{ 1, 0x0e, PL_SPEED_2_5, V(1) | V(2) | V(3), V(2) | V(3) },      /* Thunderbolt */
		{ 3, 0x1e, PL_SPEED_8, 0x0f, V(4) },                              /* AMD APU port */
		{ 4, 0x1e, PL_SPEED_16, 0x0f, 0 },
		{ 4, 0x0a, PL_SPEED_8, V(1) | V(3), 0 },                          /* gaps */
		{ 2, 0x1e, PL_SPEED_5, 0x0f, V(3) | V(4) },                      /* QEMU never does this */
		{ 3, 0x100, PL_SPEED_UNKNOWN, 0, 0 },                            /* crosslink bit only */
		{ 2, 0x100, PL_SPEED_5, 0, 0 },
		{ 6, 0x7e, PL_SPEED_64, 0x3f, 0 },
		{ 3, 0x80 | 0x0e, PL_SPEED_8, 0x07, 0 },   /* bit 7 (128GT/s): no kernel knows it */
		{ 0, 0x0e, PL_SPEED_UNKNOWN, 0x07, 0x07 },
		{ 9, 0x0e, PL_SPEED_8, 0x07, 0 },
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		struct pl_cfg c;
		struct pl_pcie p;
		struct pl_why why = { { 0 } };

		cfg_make(&c, 0x8086, 0x15ea, 1, PCI_EXP_TYPE_DOWNSTREAM, 2);
		cfg_link(&c, tab[i].code, 4, 1, 4);
		put32(&c, CAP + PCI_EXP_LNKCAP2, tab[i].lnkcap2);
		pl_decode_pcie(&c, CAP, &p, &why);
		CHECK_EQ(p.link.max_speed, tab[i].max);
		CHECK_EQ(p.link.supported, tab[i].supported);
		CHECK_EQ(p.link.ignored, tab[i].ignored);
		CHECK_EQ(p.link.cap_speed, tab[i].code <= 6 ? (int)tab[i].code : 0);
		if (p.link.max_speed != tab[i].max || p.link.ignored != tab[i].ignored)
			fprintf(stderr, "  row %zu\n", i);
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
	CHECK_EQ(p.link.supported, 0);
	/* version 2: DEVCAP2 atomics and LNKCAP2 are read */
	put16(&c, CAP + PCI_EXP_FLAGS, 2 | PCI_EXP_TYPE_ENDPOINT << 4);
	pl_decode_pcie(&c, CAP, &p, &why);
	CHECK(p.dev2_known);
	CHECK_EQ(p.devcap2, 0x3c0);
	CHECK_EQ(p.link.supported, 0x7);
	/* ... whose speeds above Max Link Speed 2.5GT/s Linux 6.13+ ignores */
	CHECK_EQ(p.link.max_speed, PL_SPEED_2_5);
	CHECK_EQ(p.link.ignored, 0x6);
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
	CHECK_EQ(p.link.cap_speed, 3);
	/* LnkCap2 unknown: the kernel's maximum is too (it synthesises only 2.5 and 5GT/s) */
	CHECK_EQ(p.link.max_speed, 0);
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
	TEST(kernel_speed_rule);
	TEST(kernel_speed_rule_bytes);
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
