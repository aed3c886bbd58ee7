/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: one function's config space (the input, up to 256 bytes; its length is what was
 * readable) under a fixed root port, through decode, topology, analysis and the JSON report.
 * Built with -DPL_FUZZ for libFuzzer (make fuzz); otherwise a main() replays files (make check).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "device.h"
#include "emit.h"
#include "topology.h"

#include "../unit/cfgbuild.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pl_system *s = pl_system_new();
	struct pl_bdf rb = { 0, 0, 1, 0 }, db = { 0, 1, 0, 0 };
	struct pl_dev *rp = pl_dev_new(&rb), *d = pl_dev_new(&db);
	struct pl_emit_in in = { .sys = s, .ndev = 2 };
	struct pl_dev *devs[2];
	FILE *null = fopen("/dev/null", "w");

	s->kind = PL_SOURCE_DUMP;
	cfg_make(&rp->cfg, 0x8086, 1, 1, 4, 2);
	cfg_link(&rp->cfg, 4, 16, 4, 16);
	cfg_bus(&rp->cfg, 0, 1, 1);
	put32(&rp->cfg, CAP + 0x24, 0x3c0);
	rp->cfg_loaded = d->cfg_loaded = true;
	d->cfg.len = size > PL_CFG_SIZE ? PL_CFG_SIZE : (uint16_t)size;
	memcpy(d->cfg.bytes, data, d->cfg.len);
	pl_system_add(s, rp);
	pl_system_add(s, d);
	pl_system_index(s);
	for (size_t i = 0; i < s->ndev; i++)
		pl_dev_decode(s, s->devs[i]);
	pl_topo_build(s);
	for (size_t i = 0; i < s->ndev; i++) {
		pl_analyze(s, s->devs[i]);
		devs[i] = s->devs[i];
	}
	in.devs = devs;
	/* both writers walk everything the decoders produced */
	if (null) {
		pl_emit_json.emit(&in, null);
		pl_emit_yaml.emit(&in, null);
		fclose(null);
	}
	pl_system_free(s);
	return 0;
}

#ifndef PL_FUZZ
#include "replay.h"
#endif
