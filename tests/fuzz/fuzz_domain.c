/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: a libvirt domain XML into the guest model (libxml2, read-only), then the rules. */
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "guest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pl_guest g;
	struct pl_findings f;
	char err[300], emu[256];

	pl_guest_init(&g, PL_GUEST_DOMAIN);
	if (!pl_guest_from_domain(&g, (const char *)data, size, "fuzz.xml", emu, sizeof(emu), err, sizeof(err)) &&
	    !pl_check(&g, NULL, NULL, &f))
		pl_findings_free(&f);
	pl_guest_free(&g);
	return 0;
}

#ifndef PL_FUZZ
#include "replay.h"
#endif
