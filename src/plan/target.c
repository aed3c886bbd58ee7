/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Asking the target QEMU what it accepts, and the host kernel its version. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "target.h"

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

static int ask_binary(const char *binary, struct pl_qemu *q, char *err, size_t errlen)
{
	static char out[16384];
	char path[PATH_MAX];
	int major, minor, micro = 0;
	const char *v;

	if (strchr(binary, '/'))
		snprintf(path, sizeof(path), "%s", binary);
	else if (!find_in_path(binary, path, sizeof(path))) {
		snprintf(err, errlen, "--qemu %s: not found in PATH", binary);
		return PL_ENOENT;
	}
	if (run((char *const[]){ path, "--version", NULL }, out, sizeof(out)) != 0 ||
	    !(v = strstr(out, "version ")) || sscanf(v + 8, "%d.%d.%d", &major, &minor, &micro) < 2) {
		snprintf(err, errlen, "%s: cannot run it or read its version ('%s --version')", path, path);
		return PL_ENOENT;
	}
	pl_qemu_from_version(q, major, minor, micro);
	if (run((char *const[]){ path, "-device", "pcie-root-port,help", NULL }, out, sizeof(out)) != 0 ||
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

int pl_target_qemu(const char *version, const char *binary, struct pl_qemu *q, bool *guessed, char *err,
		   size_t errlen)
{
	char path[PATH_MAX];
	int major, minor, micro;

	memset(q, 0, sizeof(*q));
	*guessed = false;
	if (version) {
		if (pl_parse_version(version, &major, &minor, &micro)) {
			snprintf(err, errlen, "--qemu-version '%s': give X.Y, e.g. 7.2", version);
			return PL_EINVAL;
		}
		pl_qemu_from_version(q, major, minor, micro);
		snprintf(q->source, sizeof(q->source), "--qemu-version %s", version);
		return PL_OK;
	}
	if (binary)
		return ask_binary(binary, q, err, errlen);
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
