/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Link analysis of one function: path to the root port, bandwidth, diagnosis, AtomicOps. */
#ifndef PL_ANALYSIS_H
#define PL_ANALYSIS_H

#include "model.h"

/*
 * Fill d->an: the hops from d up to its root port (each: the lower end's capability and the
 * status of the component below), the device's physical slot link (skipping a switch that is
 * part of the device: same vendor on its upstream port and everything below it), bandwidth as
 * the kernel's pcie_bandwidth_capable()/pcie_bandwidth_available() over the links from the slot
 * up, a diagnosis, the AtomicOp widths the host kernel would report to vfio
 * (vfio_pci_info_atomic_cap + pci_enable_atomic_ops_to_root) with reasons, and the
 * recommendation for the virtual root port (policy host). Loads what it needs through
 * pl_system_load(). Idempotent.
 */
int pl_analyze(struct pl_system *sys, struct pl_dev *d);

#endif
