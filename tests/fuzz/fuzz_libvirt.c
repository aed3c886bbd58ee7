/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: a domain XML (the input) through the libvirt merge: parse (no network, no
 * entities), the byte map, the checks (q35, PCIe root, aliases), allocation around what the
 * domain holds, the merge of a fixed plan as byte edits, and the output. The output must be
 * well-formed, and merging it again must give the same bytes (abort otherwise).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "emit.h"
#include "libvirt.h"
#include "plan.h"

#include "../unit/hostbuild.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pl_system *sys;
static struct pl_dev *sel[3];
static size_t nsel;

/* a root port with a GPU and its audio function, and a root port with an NVMe drive */
static void host_once(void)
{
	if (sys)
		return;
	sys = sys_new();
	bus(add(sys, 0, 1, 0, 0x1022, PCI_EXP_TYPE_ROOT_PORT, 4, 16, 4, 16, C32 | C64), 1, 1);
	add(sys, 1, 0, 0, 0x1002, PCI_EXP_TYPE_ENDPOINT, 4, 16, 4, 16, C32 | C64);
	add(sys, 1, 0, 1, 0x1002, PCI_EXP_TYPE_ENDPOINT, 4, 16, 4, 16, 0);
	bus(add(sys, 0, 2, 0, 0x1022, PCI_EXP_TYPE_ROOT_PORT, 5, 4, 5, 4, 0), 2, 2);
	add(sys, 2, 0, 0, 0x144d, PCI_EXP_TYPE_ENDPOINT, 5, 4, 5, 4, 0);
	finish(sys);
	for (size_t i = 0; i < sys->ndev; i++)
		if (!pl_dev_is_bridge(sys->devs[i])) {
			pl_analyze(sys, sys->devs[i]);
			sel[nsel++] = sys->devs[i];
		}
}

/* Merge once: 0 and the output in *out (malloc'd), or -1. */
static int merge_once(const struct pl_plan *plan, const char *data, size_t size, char **out, size_t *len)
{
	struct pl_lv lv = { .first_index = -1 };
	int rc = -1;

	lv.warn_tail = &lv.warnings;
	*out = NULL;
	if (!pl_lv_read_domain(&lv, data, size, "fuzz") && !pl_lv_prepare(plan, &lv) && !pl_lv_merge(plan, &lv)) {
		struct pl_emit_in in = { .sys = sys, .devs = sel, .ndev = nsel, .plan = plan,
					 .kind = PL_EMIT_LIBVIRT, .opts = &lv };
		FILE *f = open_memstream(out, len);

		if (f) {
			rc = pl_emit_libvirt_xml.emit(&in, f) ? -1 : 0;
			fclose(f);
		}
	}
	pl_lv_free(&lv);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pl_plan_opts o = { .bus = "pcie.0", .first_addr = 0x10, .first_chassis = 1, .hotplug = 0,
				  .policy = PL_POLICY_HOST };
	struct pl_plan plan = { 0 };
	char err[256], *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;

	host_once();
	pl_qemu_from_version(&o.qemu, 9, 0, 0);
	o.split = size && (data[0] & 1);        /* both layouts */
	if (pl_plan_build(&o, sel, nsel, &plan, err, sizeof(err)))
		goto out;
	if (!merge_once(&plan, (const char *)data, size, &a, &alen)) {
		/* what pcilink wrote parses, and a second run changes nothing */
		if (merge_once(&plan, a, alen, &b, &blen) || blen != alen || memcmp(a, b, alen))
			abort();
	}
out:
	free(a);
	free(b);
	pl_plan_free(&plan);
	return 0;
}

#ifndef PL_FUZZ
#include "replay.h"
#endif
