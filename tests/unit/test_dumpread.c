/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The native dump reader (src/host/dumpread.c): libpci 3.9's rules, and every case it leaves to libpci. */
#include <stdlib.h>

#include "dumpread.h"
#include "harness.h"

static struct pl_dump d;
static const char *why;

static int parse(const char *text)
{
	pl_dump_free(&d);
	return pl_dump_parse(text, strlen(text), &d, &why);
}

/* deferred, and the reason names what libpci must judge */
static void defers(const char *text, const char *reason)
{
	CHECK_EQ(parse(text), PL_DUMP_DEFER);
	CHECK_EQ(d.n, 0);
	CHECK(why && strstr(why, reason));
}

static void test_headers_and_bytes(void)
{
	CHECK_EQ(parse("00:1f.3 Audio device: Intel\n00: 86 80 c8 a3\n10: ff\n\n"
		       "0001:02:03.4 x\n00: de 10\n"
		       "12345:ff:1f.7 y\n"), PL_OK);
	CHECK_EQ(d.n, 3);
	CHECK_EQ(d.fns[0].bdf.domain, 0);
	CHECK_EQ(d.fns[0].bdf.bus, 0);
	CHECK_EQ(d.fns[0].bdf.dev, 0x1f);
	CHECK_EQ(d.fns[0].bdf.fn, 3);
	CHECK_EQ(d.fns[0].bytes[0], 0x86);
	CHECK_EQ(d.fns[0].bytes[3], 0xa3);
	CHECK_EQ(d.fns[0].bytes[4], 0xff);     /* a hole reads as all-ones */
	CHECK_EQ(d.fns[0].bytes[0x10], 0xff);
	CHECK_EQ(d.fns[0].len, 0x11);          /* highest offset given + 1 */
	CHECK_EQ(d.fns[1].bdf.domain, 1);
	CHECK_EQ(d.fns[1].bdf.bus, 2);
	CHECK_EQ(d.fns[1].bdf.dev, 3);
	CHECK_EQ(d.fns[1].bdf.fn, 4);
	CHECK_EQ(d.fns[1].len, 2);
	CHECK_EQ(d.fns[2].bdf.domain, 0x12345);
	CHECK_EQ(d.fns[2].bdf.bus, 0xff);
	CHECK_EQ(d.fns[2].len, 0);             /* a header alone: a function with no bytes */
}

/* what libpci skips, we skip: comments, headers without their space, lines outside a block */
static void test_skipped_lines(void)
{
	CHECK_EQ(parse("# lspci -xxx from a bug report\n00: 11 22\n"
		       "00:00.0\n00: 11\n"            /* no space after the slot: not a header */
		       "01:00.0 VGA\n"
		       "hello: world\n"              /* not hex: skipped */
		       "0: 33\n"                     /* one digit: not a data line */
		       "123456789: 44\n"             /* nine digits: not a data line */
		       "04:55\n"                     /* no space after the colon */
		       "00: aa\n\n"
		       "08: 55\n"),                  /* after the blank line: no current function */
		 PL_OK);
	CHECK_EQ(d.n, 1);
	CHECK_EQ(d.fns[0].bdf.bus, 1);
	CHECK_EQ(d.fns[0].bytes[0], 0xaa);
	CHECK_EQ(d.fns[0].len, 1);
	CHECK_EQ(d.fns[0].bytes[8], 0xff);
}

static void test_line_ends(void)
{
	char line[300];

	/* CRLF, one CR stripped; a trailing space after the last byte is allowed */
	CHECK_EQ(parse("00:02.0 x\r\n00: 01 02 \r\n04: 03\r\n"), PL_OK);
	CHECK_EQ(d.n, 1);
	CHECK_EQ(d.fns[0].len, 5);
	CHECK_EQ(d.fns[0].bytes[4], 3);
	/* 253 characters fit fgets(buf, 255) with the newline; 254 do not */
	memset(line, 'x', sizeof(line));
	memcpy(line, "00:00.0 ", 8);
	strcpy(line + 253, "\n");
	CHECK_EQ(parse(line), PL_OK);
	CHECK_EQ(d.n, 1);
	line[253] = 'x';
	strcpy(line + 254, "\n");
	defers(line, "too long");
	defers("00:00.0 x\n00: 01", "unterminated");
	CHECK_EQ(parse(""), PL_OK);
	CHECK_EQ(d.n, 0);
}

static void test_nul_byte(void)
{
	static const char t[] = "00:00.0 x\n00: 01\0 02\n";

	pl_dump_free(&d);
	CHECK_EQ(pl_dump_parse(t, sizeof(t) - 1, &d, &why), PL_DUMP_DEFER);
	CHECK(why && strstr(why, "NUL"));
}

static void test_malformed_data(void)
{
	defers("00:00.0 x\n00: 1\n", "malformed");
	defers("00:00.0 x\n00: 123\n", "malformed");
	defers("00:00.0 x\n00: 12  34\n", "malformed");
	defers("00:00.0 x\n00: 12,34\n", "malformed");
	defers("00:00.0 x\n00: zz\n", "malformed");
	/* outside a function the same line is skipped, as libpci does */
	CHECK_EQ(parse("00: 1\n"), PL_OK);
	/* "00: " with no bytes is a data line that gives nothing */
	CHECK_EQ(parse("00:00.0 x\n00: \n"), PL_OK);
	CHECK_EQ(d.fns[0].len, 0);
}

static void test_offsets(void)
{
	/* bytes past 256 count in the length (libpci reads 256 at once then) but are not kept */
	CHECK_EQ(parse("00:00.0 x\nffe: 01 02\n"), PL_OK);
	CHECK_EQ(d.fns[0].len, 0x1000);
	CHECK_EQ(d.fns[0].bytes[0xff], 0xff);
	CHECK_EQ(parse("00:00.0 x\nfc: 01 02 03 04 05\n"), PL_OK);
	CHECK_EQ(d.fns[0].len, 0x101);
	CHECK_EQ(d.fns[0].bytes[0xfc], 1);
	CHECK_EQ(d.fns[0].bytes[0xff], 4);
	defers("00:00.0 x\nfff: 01 02\n", "past the 4096");
	defers("00:00.0 x\n1000: 01\n", "past the 4096");
	defers("00:00.0 x\n1000: \n", "past the 4096");
	defers("00:00.0 x\nf0000000: 01\n", "past the 4096");   /* negative as libpci's int */
}

static void test_slots_libpci_reads_oddly(void)
{
	defers("00:00.a x\n00: 01\n", "letter");
	defers("00:20.0 x\n00: 01\n", "past 1f");
	defers("00:00.8 x\n00: 01\n", "past 7");
	CHECK_EQ(parse("00:01.0 x\n0001:00:01.0 other domain\n"), PL_OK);
	CHECK_EQ(d.n, 2);
}

/* both blocks of a slot listed twice, in file order, as libpci links them */
static void test_slot_twice(void)
{
	CHECK_EQ(parse("00:01.0 x\n00: 01\n\n00:01.0 again\n00: 02\n"), PL_OK);
	CHECK_EQ(d.n, 2);
	CHECK_EQ(d.fns[0].bytes[0], 1);
	CHECK_EQ(d.fns[1].bytes[0], 2);
	CHECK_EQ(d.fns[1].bdf.dev, 1);
}

/* every byte value as a byte, upper- and lower-case hex */
static void test_every_byte(void)
{
	char t[4096], *p = t;

	p += sprintf(p, "00:00.0 x\n");
	for (int i = 0; i < 256; i++) {
		if (i % 16 == 0)
			p += sprintf(p, "%s%02x:", i ? "\n" : "", i);
		p += sprintf(p, i & 1 ? " %02X" : " %02x", i ^ 0x5a);
	}
	strcpy(p, "\n");
	CHECK_EQ(parse(t), PL_OK);
	CHECK_EQ(d.fns[0].len, 256);
	for (int i = 0; i < 256; i++)
		CHECK_EQ(d.fns[0].bytes[i], i ^ 0x5a);
}

/* the real examples are read natively, not deferred */
static void test_examples(void)
{
	FILE *f = fopen("examples/gpu-workstation.lspci", "rb");
	static char buf[1 << 20];
	size_t n;

	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	pl_dump_free(&d);
	CHECK_EQ(pl_dump_parse(buf, n, &d, &why), PL_OK);
	CHECK(d.n >= 10);
	for (size_t i = 0; i < d.n; i++)
		CHECK(d.fns[i].len >= 256);
}

int main(void)
{
	TEST(test_headers_and_bytes);
	TEST(test_skipped_lines);
	TEST(test_line_ends);
	TEST(test_nul_byte);
	TEST(test_malformed_data);
	TEST(test_offsets);
	TEST(test_slots_libpci_reads_oddly);
	TEST(test_slot_twice);
	TEST(test_every_byte);
	TEST(test_examples);
	pl_dump_free(&d);
	DONE();
}
