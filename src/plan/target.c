/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Asking the target QEMU what it accepts, and the host kernel its version. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "target.h"
#include "util.h"

/* Run argv (no shell), capture stdout and stderr into buf; returns the exit status or -1. */
static int run(char *const argv[], char *buf, size_t len)
{
	int fd[2], status;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(fd, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, 0);
		dup2(fd[1], 1);
		dup2(fd[1], 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fd[1]);
	while ((n = read(fd[0], buf + got, len - 1 - got)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && (got += n) == len - 1)
			break;
	buf[got] = 0;
	close(fd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool find_in_path(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH");

	while (path && *path) {
		size_t n = strcspn(path, ":");

		if (n && snprintf(out, len, "%.*s/%s", (int)n, path, name) < (int)len && !access(out, X_OK))
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

/* Resolve a name as execvp would: with a '/' as given, else the first match on PATH. */
static bool locate(const char *name, char *out, size_t len)
{
	if (strchr(name, '/'))
		return snprintf(out, len, "%s", name) < (int)len;
	return find_in_path(name, out, len);
}

static int ask_binary(const char *path, struct pl_qemu *q, char *err, size_t errlen)
{
	static char out[16384];
	int major, minor, micro = 0;
	const char *v;

	if (run((char *const[]){ (char *)path, "--version", NULL }, out, sizeof(out)) != 0 ||
	    !(v = strstr(out, "version ")) || sscanf(v + 8, "%d.%d.%d", &major, &minor, &micro) < 2 ||
	    major < 0 || major > 99 || minor < 0 || micro < 0) {
		snprintf(err, errlen, "%s: cannot run it or read its version ('%s --version')", path, path);
		return PL_ENOENT;
	}
	pl_qemu_from_version(q, major, minor, micro);
	if (run((char *const[]){ (char *)path, "-device", "pcie-root-port,help", NULL }, out, sizeof(out)) != 0 ||
	    !strstr(out, "pcie-root-port options")) {
		snprintf(err, errlen, "%s: it has no pcie-root-port device (not an x86_64/aarch64 system emulator?)",
			 path);
		return PL_EINVAL;
	}
	/* what this binary really accepts wins over what its version suggests */
	pl_qemu_parse_help(q, out);
	snprintf(q->source, sizeof(q->source), "%.100s %d.%d.%d", path, major, minor, micro);
	return PL_OK;
}

/* A path named by input, for a message: its last PL_EXCERPT_COLS columns, controls escaped. */
static const char *tail(char *buf, size_t size, const char *path)
{
	size_t n = strlen(path), keep = PL_EXCERPT_COLS - 3;

	if (n <= PL_EXCERPT_COLS)
		return pl_excerpt(buf, size, path);
	memcpy(buf, "...", 4);
	pl_excerpt(buf + 3, size - 3, path + n - keep);
	return buf;
}

/* Owned by root and writable by no one else, or why not. */
static bool safe_stat(const char *path, bool dir, char *why, size_t len)
{
	char ex[PL_EXCERPT_SIZE];
	struct stat st;

	if (stat(path, &st)) {
		snprintf(why, len, "%s: %s", tail(ex, sizeof(ex), path), strerror(errno));
		return false;
	}
	if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
		snprintf(why, len, "%s is not a %s", tail(ex, sizeof(ex), path), dir ? "directory" : "regular file");
	else if (st.st_uid != 0)
		snprintf(why, len, "%s is owned by uid %u, not root", tail(ex, sizeof(ex), path), (unsigned)st.st_uid);
	else if (st.st_mode & (S_IWGRP | S_IWOTH))
		snprintf(why, len, "%s is writable by %s (mode %04o)", tail(ex, sizeof(ex), path),
			 st.st_mode & S_IWOTH ? "others" : "its group", (unsigned)(st.st_mode & 07777));
	else if (!dir && !(st.st_mode & S_IXUSR))
		snprintf(why, len, "%s is not executable", tail(ex, sizeof(ex), path));
	else
		return true;
	return false;
}

int pl_target_trusted(const char *name, char *resolved, size_t len, char *why, size_t whylen)
{
	char path[PATH_MAX], real[PATH_MAX], *slash;
	int e;

	if (!locate(name, path, sizeof(path))) {
		snprintf(why, whylen, "not found in PATH");
		return PL_ENOENT;
	}
	if (!realpath(path, real)) {
		e = errno;
		snprintf(why, whylen, "%s", e == ENOENT || e == ENOTDIR ? "it does not exist" : strerror(e));
		return e == ENOENT || e == ENOTDIR ? PL_ENOENT : PL_EACCES;
	}
	/* OpenSSH's safe_path(): the file, then each directory up to / (symlinks resolved above) */
	if (!safe_stat(real, false, why, whylen))
		return PL_EACCES;
	snprintf(resolved, len, "%s", real);
	do {
		slash = strrchr(real, '/');
		slash[slash == real] = 0;       /* keep "/" itself */
		if (!safe_stat(real, true, why, whylen))
			return PL_EACCES;
	} while (slash != real);
	return PL_OK;
}

int pl_target_qemu(const struct pl_target_req *r, struct pl_qemu *q, bool *guessed, char *skipped,
		   size_t skiplen, char *err, size_t errlen)
{
	char path[PATH_MAX], why[PATH_MAX + 80], ex[PL_EXCERPT_SIZE];
	int major, minor, micro;

	memset(q, 0, sizeof(*q));
	*guessed = false;
	*skipped = 0;
	if (r->version) {
		if (pl_parse_version(r->version, &major, &minor, &micro)) {
			snprintf(err, errlen, "--qemu-version '%.40s': give X.Y, e.g. 7.2", r->version);
			return PL_EINVAL;
		}
		pl_qemu_from_version(q, major, minor, micro);
		snprintf(q->source, sizeof(q->source), "--qemu-version %s", r->version);
		return PL_OK;
	}
	if (r->binary) {
		if (!locate(r->binary, path, sizeof(path))) {
			snprintf(err, errlen, "--qemu %.100s: not found in PATH", r->binary);
			return PL_ENOENT;
		}
		return ask_binary(path, q, err, errlen);
	}
	if (r->named) {
		/* an input file names it: run it only where no one but root could have put it */
		if (pl_target_trusted(r->named, path, sizeof(path), why, sizeof(why)) == PL_OK) {
			if (ask_binary(path, q, err, errlen) == PL_OK)
				return PL_OK;
			snprintf(why, sizeof(why), "%s", err);
			snprintf(skipped, skiplen, "%s %s: %.300s", r->named_by, tail(ex, sizeof(ex), r->named), why);
		} else {
			snprintf(skipped, skiplen, "%s %s: not run: %.300s", r->named_by, tail(ex, sizeof(ex), r->named),
				 why);
		}
	}
	if (find_in_path("qemu-system-x86_64", path, sizeof(path)) && ask_binary(path, q, err, errlen) == PL_OK)
		return PL_OK;
	/* nothing to ask: the newest QEMU's rules, said on stderr by the caller */
	pl_qemu_from_version(q, 10, 0, 0);
	q->known = false;
	snprintf(q->source, sizeof(q->source), "no QEMU found: the newest QEMU assumed");
	*guessed = true;
	return PL_OK;
}

void pl_target_kernel(int *major, int *minor)
{
	struct utsname u;

	*major = *minor = 0;
	if (!uname(&u) && sscanf(u.release, "%d.%d", major, minor) != 2)
		*major = *minor = 0;
}
