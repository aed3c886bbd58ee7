/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: a QEMU command line (shell words or NUL-separated) into the guest model, then the rules. */
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "guest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pl_guest g;
	struct pl_findings f;
	char err[300];

	pl_guest_init(&g, PL_GUEST_CMDLINE);
	/* the first byte picks the target QEMU: unknown, 7.2 or 10.0 */
	if (size && data[0] % 3)
		pl_qemu_from_version(&g.qemu, data[0] % 3 == 1 ? 7 : 10, data[0] % 3 == 1 ? 2 : 0, 0);
	/* -readconfig is not opened: fuzz input names no files */
	if (!pl_guest_from_qemu(&g, (const char *)data + !!size, size ? size - 1 : 0, false, err, sizeof(err)) &&
	    !pl_check(&g, NULL, NULL, &f))
		pl_findings_free(&f);
	pl_guest_free(&g);
	return 0;
}

#ifndef PL_FUZZ
#include "replay.h"
#endif
