/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: a Proxmox VE VM config (the input) through the reader and into check's guest
 * model, then merged with a small plan; the merged config must read back and merge to the same
 * bytes (idempotency). An input
 * holding a line "----" has a pci.cfg after it for the mapping resolver.
 */
#include <stdlib.h>
#include <string.h>

#include "emit_proxmox.h"
#include "guest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pl_dev devs[3];
static struct pl_plan_port ports[2];
static struct pl_plan_opts opts = { .hotplug = -1 };
static struct pl_plan plan = { .opts = &opts, .ports = ports, .nports = 2 };

static void setup(void)
{
	devs[0].bdf = (struct pl_bdf){ 0, 3, 0, 0 };
	devs[1].bdf = (struct pl_bdf){ 0, 3, 0, 1 };
	devs[2].bdf = (struct pl_bdf){ 0, 7, 0, 0 };
	devs[0].class_code = 0x030000;
	ports[0] = (struct pl_plan_port){ .link_props = true, .speed = PL_SPEED_16, .width = 16, .nfn = 2 };
	ports[0].fns[0].dev = &devs[0];
	ports[0].fns[1].dev = &devs[1];
	ports[1] = (struct pl_plan_port){ .link_props = true, .speed = PL_SPEED_8, .width = 4, .nfn = 1 };
	ports[1].fns[0].dev = &devs[2];
}

/* Parse, resolve, merge; the merged bytes (malloc'ed) or NULL when refused. */
static char *merge(const char *conf, size_t len, const char *map, size_t mlen, size_t *outlen)
{
	struct pl_pve_opts o = { .xvga = true };
	struct pl_pve_conf c;
	char err[400], *buf = NULL;
	FILE *f;
	int rc;

	if (pl_pve_parse(conf, len, "f", &c, err, sizeof(err))) {
		pl_pve_free(&c);
		return NULL;
	}
	if (map && pl_pve_resolve_mappings(&c, map, mlen, "m", "pve", err, sizeof(err))) {
		pl_pve_free(&c);
		return NULL;
	}
	/* check --proxmox's reading of the same config */
	struct pl_guest g;

	pl_guest_init(&g, PL_GUEST_PROXMOX);
	if (!pl_guest_from_proxmox(&g, &c, NULL, err, sizeof(err)))
		pl_guest_resolve(&g);
	pl_guest_free(&g);
	o.conf = &c;
	f = open_memstream(&buf, outlen);
	rc = pl_pve_emit(&plan, &o, f);
	fclose(f);
	pl_diag_free(o.warnings);
	pl_pve_free(&c);
	if (rc) {
		free(buf);
		return NULL;
	}
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data, *sep = size >= 5 ? memmem(in, size, "\n----\n", 6) : NULL;
	size_t len = sep ? (size_t)(sep - in) + 1 : size, mlen = sep ? size - len - 5 : 0;
	size_t n1, n2;
	char *a, *b;

	if (!devs[2].bdf.bus)
		setup();
	a = merge(in, len, sep ? sep + 6 : NULL, mlen, &n1);
	if (!a)
		return 0;
	/* the merged config is a config, and merging again changes nothing */
	b = merge(a, n1, sep ? sep + 6 : NULL, mlen, &n2);
	if (!b || n1 != n2 || memcmp(a, b, n1))
		abort();
	free(a);
	free(b);
	return 0;
}

#ifndef PL_FUZZ
#include "replay.h"
#endif
