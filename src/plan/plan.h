/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The plan: which virtual root port carries which host function, with which link, and why. */
#ifndef PL_PLAN_H
#define PL_PLAN_H

#include <string.h>

#include "model.h"

enum pl_policy {
	PL_POLICY_HOST,         /* the capability of the device's physical slot link */
	PL_POLICY_DEVICE,       /* the device's own capability, ignoring a slower slot */
	PL_POLICY_MAX,          /* the highest the target QEMU accepts */
};

/* What the target QEMU accepts and does (from --qemu-version, --qemu BINARY, or PATH). */
struct pl_qemu {
	int major, minor, micro;        /* 0.0 when unknown: plan for the newest */
	bool known;                     /* version known */
	unsigned speeds;                /* accepted x-speed values, bit (enum pl_speed) */
	uint64_t widths;                /* accepted x-width values, bit (lanes) for 1..32 */
	bool has_link_props;            /* pcie-root-port has x-speed/x-width (4.0+) */
	bool has_hotplug;               /* pcie-root-port has hotplug (5.0+) */
	bool rp_atomics;                /* vfio sets root-port AtomicOp completers (8.1+) */
	char source[160];               /* how we know: "--qemu-version 7.2", "/usr/bin/qemu-... 7.2.22" */
};

/* Per-device link override from --speed/--width [SLOT=]VALUE or a plan file's devices. */
struct pl_override {
	struct pl_bdf bdf;
	bool all;                       /* every device, else the device at bdf (any function) */
	bool from_cli;                  /* the command line beats a plan file */
	int speed, width;               /* 0 = not set */
	int policy;                     /* enum pl_policy, -1 = not set */
};

/* --numa-map HOST=GUEST: a host NUMA node's guest node (unlisted nodes map to themselves). */
struct pl_numa_map {
	int host, guest;
};

#define PL_NUMA_MAX_GUEST 127   /* QEMU's MAX_NODES is 128 */

struct pl_plan_opts {
	enum pl_policy policy;
	struct pl_override *ovr;
	size_t novr;
	struct pl_qemu qemu;
	const char *bus;                /* root bus for the root ports, default "pcie.0" */
	int first_addr;                 /* first slot on that bus, default 0x10 */
	int first_chassis;              /* chassis of the first port, default 1 */
	bool split;                     /* --split-functions: one root port per function */
	bool split_atomics;             /* gen-proxmox: split a device whose host path gives AtomicOps */
	bool numa;                      /* --numa: root ports on an expander bus per guest NUMA node */
	const struct pl_numa_map *numa_map;
	size_t nnuma_map;
	int hotplug;                    /* -1 leave QEMU's default, 0 off, 1 on */
	int kernel_major, kernel_minor; /* host kernel; 0.0 unknown (dump, other sysfs) */
};

/* The last root-bus slot for ports: q35's pcie.0 keeps 0x1f (ICH9 LPC, SATA, SMBus) for itself. */
#define PL_LAST_SLOT(bus) (strcmp((bus), "pcie.0") ? 0x1f : 0x1e)

/* One host function placed in a guest slot. */
struct pl_plan_fn {
	struct pl_dev *dev;
	int guest_fn;
	bool multifunction;             /* function 0 of a slot with others */
	char id[40];                    /* QEMU id of the vfio-pci device: "hostdev-01-00-0" */
};

#define PL_PLAN_MAX_FN 8

/* Whether the guest gets AtomicOp completers on this port, and why not. */
enum pl_atomics_verdict {
	PL_ATOMICS_YES,         /* every condition holds */
	PL_ATOMICS_IF_KERNEL,   /* yes if the host kernel is 6.5 or newer (not known here) */
	PL_ATOMICS_NO,
	PL_ATOMICS_NA,          /* the host gives none: nothing to lose */
	PL_ATOMICS_UNKNOWN,     /* the host's support is not known (not root, registers not in a dump) */
};

struct pl_plan_port {
	char id[40];                    /* "rp-01-00", "rp-01-00-1" (split), "rp-0001-01-00" */
	int pxb;                        /* index in plan->pxbs, -1: on the root bus */
	int host_node, guest_node;      /* -1: no host NUMA node; guest_node also without --numa */
	int chassis, port;
	int slot, fn;                   /* its address on its bus (the root bus or its expander) */
	bool multifunction;             /* function 0 of a root-bus slot holding several ports */
	bool link_props;                /* emit x-speed/x-width */
	int speed, width;
	char why[200];                  /* where the values come from */
	char note[240];                 /* clamping, missing link: "" when none */
	int nfn;
	struct pl_plan_fn fns[PL_PLAN_MAX_FN];
	enum pl_atomics_verdict atomics;
	bool atomic_widths[PL_ATOMIC_N];/* what the guest would get */
	char atomics_why[200];
};

/*
 * One pxb-pcie (libvirt: pcie-expander-bus) for one guest NUMA node: a root bus numbered bus_nr
 * whose root ports' buses follow it, bus_nr+1 .. bus_nr+nports (the range it reserves).
 */
struct pl_plan_pxb {
	char id[24];                    /* "pxb-node1": the guest node; QEMU's bus name for its ports */
	int guest_node;
	int bus_nr;
	int slot;                       /* on the root bus, function 0 */
	int nports;
};

struct pl_plan {
	const struct pl_plan_opts *opts;
	size_t nports;
	struct pl_plan_port *ports;
	size_t npxb;
	struct pl_plan_pxb *pxbs;       /* ascending guest node */
	struct pl_diag *warnings, **warn_tail;  /* to stderr / into JSON */
};

/*
 * Place the selected, analysed functions (BDF order): functions of one host slot share a guest
 * slot on one root port (or one port each with opts->split), ports packed eight to a root-bus
 * slot from opts->first_addr. Link values follow the policy and overrides, clamped to what the
 * target QEMU accepts (a warning says what the guest loses). Returns 0, or PL_EINVAL with a
 * message in err (an override QEMU would refuse, more than 8 functions, no room on the bus).
 */
int pl_plan_build(const struct pl_plan_opts *opts, struct pl_dev *const *devs, size_t n,
		  struct pl_plan *plan, char *err, size_t errlen);
void pl_plan_free(struct pl_plan *plan);
/* The bus a port plugs into: its expander's id, or the root bus. */
const char *pl_plan_port_bus(const struct pl_plan *plan, const struct pl_plan_port *p);

/* numa.c */
/* The highest guest node an expander uses, -1 none: the guest must define nodes 0 to it. */
int pl_numa_last_guest(const struct pl_plan *plan);
/* Parse --numa-map "HOST=GUEST[,HOST=GUEST...]" into a malloc'ed list; 0 or PL_EINVAL with err. */
int pl_numa_map_parse(const char *s, struct pl_numa_map **map, size_t *n, char *err, size_t errlen);
/* A used range of bus numbers [lo, hi] (a domain's existing expander buses). */
struct pl_bus_range {
	int lo, hi;
};
/*
 * Bus numbers for n expander buses: expander i reserves need[i] numbers (itself and one per root
 * port below it). They are packed from the top of 0..255 down, in order (out ascending), around
 * the used ranges, none below floor (the root bus keeps 0..floor-1 for its own ports). Returns 0,
 * or PL_ERANGE when they do not fit.
 */
int pl_numa_bus_nr(const int *need, size_t n, const struct pl_bus_range *used, size_t nused, int floor,
		   int *out);
/* Ports onto expander buses by their device's NUMA node (warnings for devices without one). */
int pl_numa_group(const struct pl_plan_opts *o, struct pl_plan *plan, char *err, size_t errlen);

/* QEMU knowledge by version (x.y): accepted values and features. */
void pl_qemu_from_version(struct pl_qemu *q, int major, int minor, int micro);
/* Parse "X.Y[.Z]"; 0 or PL_EINVAL. */
int pl_parse_version(const char *s, int *major, int *minor, int *micro);
/* Parse QEMU's "-device pcie-root-port,help" output into q's accepted values (7.2 and 10.0 styles). */
void pl_qemu_parse_help(struct pl_qemu *q, const char *help);

const char *pl_policy_name(enum pl_policy p);
const char *pl_atomics_verdict_name(enum pl_atomics_verdict v);

#endif
