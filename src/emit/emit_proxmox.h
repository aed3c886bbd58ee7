/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The plan as Proxmox VE VM config lines (hostpciN, args), alone or merged into a config. */
#ifndef PL_EMIT_PROXMOX_H
#define PL_EMIT_PROXMOX_H

#include <stdio.h>

#include "plan.h"
#include "proxmox.h"

struct pl_pve_opts {
	const struct pl_pve_conf *conf; /* merge into this config; NULL prints the lines alone */
	bool xvga;                      /* x-vga=1 on the first entry whose function 0 is a VGA controller */
	struct pl_diag *warnings, **warn_tail;
	char err[400];                  /* one line when pl_pve_emit fails */
	int index[PL_PVE_MAX_HOSTPCI];  /* filled: the hostpci index of plan port i */
};

/*
 * One hostpciN entry per plan port (qemu-server puts hostpciN on ich9-pcie-port-(N+1) at
 * 00.0: the plan's own bus, slots and chassis do not apply), with pcie=1 and the port's host
 * functions ("A;B" for several: qemu-server numbers them 0, 1, ... in that order); then one
 * args: line of "-set device.ich9-pcie-port-K.x-speed=S -set ...x-width=W" per port that has
 * link values. Indices: an existing entry naming the same host functions is updated in place,
 * new ones take free indices, never leaving a guest slot without function 0 (REFERENCE 8.2).
 * Nothing is written on failure (PL_EINVAL, o->err set).
 */
int pl_pve_emit(const struct pl_plan *plan, struct pl_pve_opts *o, FILE *out);

#endif
