/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: QMP replies (the input's lines: greeting, then one reply per command) into the model. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "guest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct lines {
	const char *p, *end;
};

static char *next_line(struct lines *l)
{
	const char *nl;
	char *s;

	if (l->p >= l->end)
		return NULL;
	nl = memchr(l->p, '\n', (size_t)(l->end - l->p));
	if (!nl)
		nl = l->end;
	s = strndup(l->p, (size_t)(nl - l->p));
	l->p = nl + 1;
	return s;
}

static int exec(void *ctx, const char *req, char **reply, char *err, size_t errlen)
{
	(void)req;
	*reply = next_line(ctx);
	if (!*reply) {
		snprintf(err, errlen, "no more replies");
		return PL_EACCES;
	}
	return PL_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lines l = { (const char *)data, (const char *)data + size };
	struct pl_qmp_io io = { &l, exec };
	struct pl_guest g;
	struct pl_findings f;
	char err[300], *greeting = next_line(&l);
	int a, b, c;

	pl_guest_init(&g, PL_GUEST_QMP);
	if (greeting && !pl_qmp_version(greeting, &a, &b, &c))
		pl_qemu_from_version(&g.qemu, a, b, c);
	free(greeting);
	if (!pl_guest_from_qmp(&g, &io, err, sizeof(err)) && !pl_check(&g, NULL, NULL, &f))
		pl_findings_free(&f);
	pl_guest_free(&g);
	return 0;
}

#ifndef PL_FUZZ
#include "replay.h"
#endif
