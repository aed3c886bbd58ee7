/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parent/child links between functions: from sysfs, or from bridge bus numbers like lspci -t. */
#ifndef PL_TOPOLOGY_H
#define PL_TOPOLOGY_H

#include "model.h"

/*
 * Link every function to its parent bridge and build the child lists. Functions whose parent
 * sysfs already named keep it; the rest are placed by the secondary bus numbers of the bridges
 * (loading bridge headers through pl_system_load when needed). Inconsistent bus numbers
 * (a bus claimed twice, a secondary bus not above the bridge's own, ranges that leave their
 * parent's, a bus inside a range that no bridge leads to) become system diagnostics and are
 * never followed in a loop.
 */
int pl_topo_build(struct pl_system *sys);

#endif
