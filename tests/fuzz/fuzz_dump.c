/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: a whole dump file (the input) through libpci's dump reader, pcilink's scan,
 * topology, analysis, the JSON report, the plan and the QEMU arguments: everything a stranger's
 * bug report reaches. The input lives in a memfd so no file is written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "access.h"
#include "analysis.h"
#include "emit.h"
#include "plan.h"
#include "topology.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pl_access_opts o = { .kind = PL_SOURCE_DUMP };
	struct pl_system *sys;
	struct pl_dev **sel;
	struct pl_plan_opts po = { .bus = "pcie.0", .first_addr = 0x10, .first_chassis = 1, .hotplug = 0 };
	struct pl_plan plan = { 0 };
	struct pl_argv av;
	char path[64], err[600];
	size_t n = 0;
	int fd = memfd_create("fuzz-dump", 0);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	o.path = path;
	if (pl_access_open(&o, &sys, err, sizeof(err))) {
		close(fd);
		return 0;
	}
	pl_topo_build(sys);
	sel = calloc(sys->ndev + 1, sizeof(*sel));
	for (size_t i = 0; i < sys->ndev; i++) {
		pl_analyze(sys, sys->devs[i]);
		if (!pl_dev_is_bridge(sys->devs[i]))
			sel[n++] = sys->devs[i];
	}
	struct pl_emit_in in = { .sys = sys, .devs = sel, .ndev = n, .kind = PL_EMIT_QEMU };
	FILE *null = fopen("/dev/null", "w");

	if (null)
		pl_emit_json.emit(&in, null);
	pl_qemu_from_version(&po.qemu, 7, 2, 0);
	if (n <= 64 && !pl_plan_build(&po, sel, n, &plan, err, sizeof(err))) {
		if (!pl_plan_argv(&plan, &av))
			pl_argv_free(&av);
		in.plan = &plan;
		if (null)
			pl_emit_yaml.emit(&in, null);
	}
	if (null)
		fclose(null);
	pl_plan_free(&plan);
	free(sel);
	pl_access_close(sys);
	pl_system_free(sys);
	close(fd);
	return 0;
}

#ifndef PL_FUZZ
#include "replay.h"
#endif
