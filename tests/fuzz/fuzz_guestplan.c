/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: a plan (gen-qemu-args --format json) read by check --guest, against an empty guest. */
#include <stdint.h>
#include <stdio.h>

#include "check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pl_system *s = pl_system_new();
	struct pl_findings f;
	char err[300];

	if (!s || pl_system_index(s)) {
		pl_system_free(s);
		return 0;
	}
	if (!pl_check_inside(s, (const char *)data, size, &f, err, sizeof(err)))
		pl_findings_free(&f);
	pl_system_free(s);
	return 0;
}

#ifndef PL_FUZZ
#include "replay.h"
#endif
