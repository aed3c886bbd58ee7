/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QMP over a UNIX socket: the greeting, qmp_capabilities, one command at a time, events skipped. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "guest.h"

#define QMP_MAX_LINE (16u << 20)        /* query replies of a big VM are well under this */
#define QMP_TIMEOUT_MS 10000

struct pl_qmp_sock {
	int fd;
	char *buf;                      /* bytes read past the last line */
	size_t len, cap;
};

/* One line (without its newline), malloc'ed; QEMU ends every message with CR LF or LF. */
static int read_line(struct pl_qmp_sock *s, char **line, char *err, size_t errlen)
{
	for (;;) {
		char *nl = s->len ? memchr(s->buf, '\n', s->len) : NULL;
		struct pollfd p = { .fd = s->fd, .events = POLLIN };
		ssize_t got;

		if (nl) {
			size_t n = (size_t)(nl - s->buf);

			*line = malloc(n + 1);
			if (!*line)
				return PL_ENOMEM;
			memcpy(*line, s->buf, n);
			(*line)[n] = 0;
			memmove(s->buf, nl + 1, s->len - n - 1);
			s->len -= n + 1;
			return PL_OK;
		}
		if (s->len + 65536 > s->cap) {
			char *b;

			if (s->cap >= QMP_MAX_LINE) {
				snprintf(err, errlen, "QMP message longer than 16 MiB");
				return PL_EINVAL;
			}
			b = realloc(s->buf, s->cap = s->cap ? s->cap * 2 : 131072);
			if (!b)
				return PL_ENOMEM;
			s->buf = b;
		}
		if (poll(&p, 1, QMP_TIMEOUT_MS) <= 0) {
			snprintf(err, errlen, "QMP: no answer within %d s", QMP_TIMEOUT_MS / 1000);
			return PL_EACCES;
		}
		got = read(s->fd, s->buf + s->len, s->cap - s->len);
		if (got <= 0) {
			snprintf(err, errlen, "QMP: %s", got ? strerror(errno) : "QEMU closed the connection");
			return PL_EACCES;
		}
		s->len += (size_t)got;
	}
}

static int sock_exec(void *ctx, const char *req, char **reply, char *err, size_t errlen)
{
	struct pl_qmp_sock *s = ctx;
	size_t n = strlen(req);

	if (write(s->fd, req, n) != (ssize_t)n || write(s->fd, "\n", 1) != 1) {
		snprintf(err, errlen, "QMP: %s", strerror(errno));
		return PL_EACCES;
	}
	for (;;) {
		int rc = read_line(s, reply, err, errlen);

		if (rc)
			return rc;
		/* asynchronous events come in between: {"event": ...} */
		if (!strstr(*reply, "\"event\"") || strstr(*reply, "\"return\""))
			return PL_OK;
		free(*reply);
	}
}

int pl_qmp_open(const char *path, struct pl_qmp_io *io, char **greeting, char *err, size_t errlen)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct pl_qmp_sock *s;
	char *cap = NULL;
	int rc;

	*greeting = NULL;
	if (strlen(path) >= sizeof(a.sun_path)) {
		snprintf(err, errlen, "%s: socket path too long", path);
		return PL_EINVAL;
	}
	memcpy(a.sun_path, path, strlen(path) + 1);
	s = calloc(1, sizeof(*s));
	if (!s)
		return PL_ENOMEM;
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || connect(s->fd, (struct sockaddr *)&a, sizeof(a))) {
		snprintf(err, errlen, "%s: %s (a QMP socket: -qmp unix:PATH,server=on,wait=off)", path, strerror(errno));
		if (s->fd >= 0)
			close(s->fd);
		free(s);
		return errno == ENOENT ? PL_ENOENT : PL_EACCES;
	}
	io->ctx = s;
	io->exec = sock_exec;
	rc = read_line(s, greeting, err, errlen);
	if (!rc && !strstr(*greeting, "\"QMP\"")) {
		snprintf(err, errlen, "%s: no QMP greeting (is it a QMP socket?)", path);
		rc = PL_EINVAL;
	}
	if (!rc)
		rc = sock_exec(s, "{\"execute\":\"qmp_capabilities\"}", &cap, err, errlen);
	if (!rc && !strstr(cap, "\"return\"")) {
		snprintf(err, errlen, "%s: qmp_capabilities refused (another client in command mode?)", path);
		rc = PL_EINVAL;
	}
	free(cap);
	if (rc)
		pl_qmp_close(io);
	return rc;
}

void pl_qmp_close(struct pl_qmp_io *io)
{
	struct pl_qmp_sock *s = io->ctx;

	if (!s)
		return;
	close(s->fd);
	free(s->buf);
	free(s);
	io->ctx = NULL;
}
