/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Turns what access read for one function into model facts, with diagnostics. */
#ifndef PL_DEVICE_H
#define PL_DEVICE_H

#include "model.h"

/* Decode header and PCIe capability from d->cfg, or the sysfs link attributes when the
 * config space beyond the header was denied. Problems become diagnostics on d. */
void pl_dev_decode(struct pl_system *sys, struct pl_dev *d);

/* For functions known only through sysfs: infer the port type from the header type and the
 * parent, as config space cannot say (needs the topology). */
void pl_dev_infer_type(struct pl_dev *d);

#endif
