/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: a plan file (the input) through libyaml and pcilink's plan-file reader, and its
 * numa_map through the --numa-map parser. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "planfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pl_planfile pf;
	char path[64], err[600];
	int fd = memfd_create("fuzz-plan", 0);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (!pl_planfile_read(path, &pf, err, sizeof(err))) {
			struct pl_numa_map *m;
			size_t n;

			/* layout.numa_map is parsed when the plan is applied: the same input, so here too */
			if (pf.numa_map && !pl_numa_map_parse(pf.numa_map, &m, &n, err, sizeof(err)))
				free(m);
			pl_planfile_free(&pf);
		}
	}
	close(fd);
	return 0;
}

#ifndef PL_FUZZ
#include "replay.h"
#endif
