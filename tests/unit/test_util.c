/* SPDX-License-Identifier: GPL-2.0-or-later */
/* src/util.c: UTF-8 checking and the excerpts that quote input in error messages. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "util.h"

static void test_utf8_len(void)
{
	CHECK_EQ(pl_utf8_len("a", 1), 1);
	CHECK_EQ(pl_utf8_len("\xc3\xa9", 2), 2);                 /* é */
	CHECK_EQ(pl_utf8_len("\xe2\x82\xac", 3), 3);             /* € */
	CHECK_EQ(pl_utf8_len("\xf0\x9f\x98\x80", 4), 4);         /* U+1F600 */
	CHECK_EQ(pl_utf8_len("\xf4\x8f\xbf\xbf", 4), 4);         /* U+10FFFF */
	CHECK_EQ(pl_utf8_len("\xc3", 1), 0);                     /* cut short */
	CHECK_EQ(pl_utf8_len("\xe2\x82", 2), 0);
	CHECK_EQ(pl_utf8_len("\x80", 1), 0);                     /* a lone continuation */
	CHECK_EQ(pl_utf8_len("\xff", 1), 0);
	CHECK_EQ(pl_utf8_len("\xc0\xaf", 2), 0);                 /* overlong '/' */
	CHECK_EQ(pl_utf8_len("\xe0\x80\xaf", 3), 0);             /* overlong, 3 bytes */
	CHECK_EQ(pl_utf8_len("\xf0\x80\x80\xaf", 4), 0);         /* overlong, 4 bytes */
	CHECK_EQ(pl_utf8_len("\xed\xa0\x80", 3), 0);             /* surrogate U+D800 */
	CHECK_EQ(pl_utf8_len("\xf4\x90\x80\x80", 4), 0);         /* U+110000 */
	CHECK_EQ(pl_utf8_len("\xe2\x28\xa1", 3), 0);             /* bad continuation */
}

static void test_excerpt_short(void)
{
	char b[PL_EXCERPT_SIZE];

	CHECK_STR(pl_excerpt(b, sizeof(b), "speed: 9"), "speed: 9");
	CHECK_STR(pl_excerpt(b, sizeof(b), NULL), "");
	CHECK_STR(pl_excerpt(b, sizeof(b), "caf\xc3\xa9"), "caf\xc3\xa9");
	/* ESC, BEL, DEL and a backslash cannot reach the terminal as themselves */
	CHECK_STR(pl_excerpt(b, sizeof(b), "\x1b[2J\a\x7f\\"), "\\x1b[2J\\x07\\x7f\\\\");
	/* a C1 control (CSI) and bytes that are not UTF-8 */
	CHECK_STR(pl_excerpt(b, sizeof(b), "a\xc2\x9b" "b\xff\xc3"), "a\\xc2\\x9bb\\xff\\xc3");
	CHECK_STR(pl_excerpt_n(b, sizeof(b), "a\0b", 3), "a\\x00b");
}

static void test_excerpt_cut(void)
{
	char b[PL_EXCERPT_SIZE], in[200];

	memset(in, 'x', sizeof(in));
	/* exactly 40 columns fit; 41 are cut to 37 and an ellipsis */
	CHECK_EQ(strlen(pl_excerpt_n(b, sizeof(b), in, 40)), 40);
	CHECK(!strchr(b, '.'));
	CHECK_EQ(strlen(pl_excerpt_n(b, sizeof(b), in, 41)), 40);
	CHECK(!strcmp(b + 37, "..."));
	CHECK_EQ(strlen(pl_excerpt_n(b, sizeof(b), in, sizeof(in))), 40);
	/* escapes count their columns: 10 NULs take 40, so 9 of them and "..." when more follow */
	memset(in, 0, 20);
	CHECK_STR(pl_excerpt_n(b, sizeof(b), in, 10), "\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00");
	CHECK_STR(pl_excerpt_n(b, sizeof(b), in, 11), "\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00...");
	/* multi-byte characters are never split, and count one column each */
	for (int i = 0; i < 50; i++)
		memcpy(in + 3 * i, "\xe2\x82\xac", 3);
	pl_excerpt_n(b, sizeof(b), in, 150);
	CHECK_EQ(strlen(b), 37 * 3 + 3);
	/* a small buffer is never overrun */
	CHECK_STR(pl_excerpt(b, 8, "abcdefghijkl"), "abcd...");
	CHECK_STR(pl_excerpt(b, 2, "abcdefghijkl"), "");
}

/* a file cut short after it was opened is read as it is now; more than the cap is EFBIG */
static void test_read_all(void)
{
	char path[] = "/tmp/pcilink-test-util-XXXXXX", big[100], *buf = NULL;
	int fd = mkstemp(path), in;
	size_t len = 0;

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	memset(big, 'x', sizeof(big));
	CHECK_EQ(write(fd, big, sizeof(big)), sizeof(big));
	in = open(path, O_RDONLY);
	CHECK(!ftruncate(fd, 10));
	CHECK_EQ(pl_read_all(in, 1000, &buf, &len), 0);
	CHECK_EQ(len, 10);
	CHECK_EQ(buf[10], 0);
	free(buf);
	CHECK(!ftruncate(fd, 0) && pwrite(fd, big, sizeof(big), 0) == sizeof(big));
	CHECK_EQ(lseek(in, 0, SEEK_SET), 0);
	CHECK_EQ(pl_read_all(in, 100, &buf, &len), 0);        /* exactly the cap */
	CHECK_EQ(len, 100);
	free(buf);
	CHECK_EQ(lseek(in, 0, SEEK_SET), 0);
	CHECK_EQ(pl_read_all(in, 99, &buf, &len), -1);
	CHECK_EQ(errno, EFBIG);
	close(in);
	close(fd);
	unlink(path);
}

/* files that say size 0 (/proc) and pipes longer than one buffer are read whole */
static void test_read_all_unsized(void)
{
	static char data[300000];
	char *buf = NULL;
	size_t len = 0;
	int fd = open("/proc/self/status", O_RDONLY), p[2];
	pid_t pid;

	CHECK(fd >= 0);
	CHECK_EQ(pl_read_all(fd, 1 << 20, &buf, &len), 0);
	CHECK(len > 0 && buf && !strncmp(buf, "Name:", 5));
	free(buf);
	close(fd);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)('a' + i % 26);
	for (int cap = 0; cap < 2; cap++) {
		CHECK(!pipe(p));
		pid = fork();
		if (!pid) {
			close(p[0]);
			_exit(write(p[1], data, sizeof(data)) != sizeof(data));
		}
		close(p[1]);
		if (!cap) {
			CHECK_EQ(pl_read_all(p[0], 1 << 20, &buf, &len), 0);
			CHECK_EQ(len, sizeof(data));
			CHECK(buf && !memcmp(buf, data, sizeof(data)) && !buf[len]);
			free(buf);
		} else {
			CHECK_EQ(pl_read_all(p[0], 200000, &buf, &len), -1);
			CHECK_EQ(errno, EFBIG);
		}
		close(p[0]);
		waitpid(pid, NULL, 0);
	}
}

int main(void)
{
	TEST(test_utf8_len);
	TEST(test_excerpt_short);
	TEST(test_excerpt_cut);
	TEST(test_read_all);
	TEST(test_read_all_unsized);
	DONE();
}
