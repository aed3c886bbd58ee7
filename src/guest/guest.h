/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A guest's PCIe topology as QEMU builds it: the one model every reader fills (QEMU command line,
 * libvirt domain, QMP, a plan, Proxmox) and the check rules read. Readers record what the
 * configuration says; pl_guest_resolve() then applies QEMU's own rules (-global, machine compat
 * defaults, device types without link properties) and places every device on its parent.
 */
#ifndef PL_GUEST_H
#define PL_GUEST_H

#include <stdbool.h>

#include "model.h"
#include "plan.h"

/* What a guest device is, as far as links go (the QEMU driver decides). */
enum pl_gkind {
	PL_GK_OTHER,            /* anything else with a bus (NICs, disks): only placement matters */
	PL_GK_ROOT_PORT,        /* pcie-root-port: x-speed/x-width */
	PL_GK_IOH3420,          /* root port without link properties: 2.5GT/s x1 */
	PL_GK_SWITCH_UP,        /* x3130-upstream */
	PL_GK_SWITCH_DOWN,      /* xio3130-downstream: no link properties, LnkCap speed/width 0 */
	PL_GK_PCI_BRIDGE,       /* pci-bridge, pcie-pci-bridge: conventional bus below */
	PL_GK_EXPANDER,         /* pxb-pcie: a new PCIe root bus */
	PL_GK_VFIO,             /* vfio-pci: an assigned host function */
};

/* Where a port's link value came from, strongest first (QEMU's order). */
enum pl_gsrc {
	PL_GSRC_NONE,           /* not set (yet) */
	PL_GSRC_REALIZED,       /* read back from the running QEMU (qom-get) */
	PL_GSRC_SET,            /* -set device.ID.PROP=V */
	PL_GSRC_EXPLICIT,       /* the device's own property (-device, readconfig, override) */
	PL_GSRC_GLOBAL,         /* -global DRIVER.PROP=V */
	PL_GSRC_COMPAT,         /* the machine type's compat default (q35 <= 3.1: 2.5GT/s x1) */
	PL_GSRC_DEFAULT,        /* the device's default (pcie-root-port: 16GT/s x32) */
	PL_GSRC_FIXED,          /* the device type has no link properties */
};

/* One link property as configured: the text QEMU would parse and its decoded value. */
struct pl_gprop {
	char raw[24];           /* as written ("2_5", "16"); "" when not set */
	int value;              /* enum pl_speed or lanes; 0 when unset or not a value QEMU knows */
	enum pl_gsrc src;
	bool not_string;        /* JSON gave a number: QEMU wants the enum as a string and refuses */
};

/* One -device (or its equivalent in a domain, a readconfig section, a QMP tree). */
struct pl_gdev {
	char id[64];            /* "" when none */
	char driver[40];
	enum pl_gkind kind;
	char bus[64];           /* parent bus as given: "pcie.0", a port's id; "" = QEMU chooses */
	int slot, fn;           /* guest address on that bus, -1 when QEMU chooses */
	bool multifunction;
	int chassis, port;      /* -1 when not set */
	int hotplug;            /* -1 not set, 0 off, 1 on */
	struct pl_gprop speed, width;
	bool has_host;          /* vfio-pci host= given */
	struct pl_bdf host;
	int numa_node;          /* pxb-pcie numa_node= (libvirt <target><node>), -1 not set */
	char origin[64];        /* for messages: "-device #3", "readconfig pve-q35.cfg", "hostdev #1" */
	/* filled by pl_guest_resolve() */
	int parent;             /* index of the device owning the bus, -1 on a root bus */
	bool root_bus_pcie;     /* on a root bus: pcie.0/pxb-pcie (true) or conventional pci.0 */
	bool json;              /* given as JSON -device (-set cannot reach it) */
	bool auto_addr;         /* no addr: resolve put it where QEMU would (00.0 below a port) */
	int expander;           /* index of the pxb-pcie its bus chain ends on, -1: pcie.0 (no node) */
};

/* -global DRIVER.PROP=VALUE, kept in order (the last one wins). */
struct pl_gglobal {
	char driver[40], prop[40], value[24];
};

enum pl_guest_src { PL_GUEST_CMDLINE, PL_GUEST_DOMAIN, PL_GUEST_QMP, PL_GUEST_PLAN, PL_GUEST_PROXMOX, PL_GUEST_INSIDE };

struct pl_guest {
	enum pl_guest_src src;
	char machine[48];       /* as given: "q35", "pc-q35-3.1", "pc-q35-7.2+pve0"; "" = QEMU's default */
	bool q35;               /* a PCI Express machine (q35); false: i440fx, conventional only */
	int mach_major, mach_minor;     /* versioned machine type; 0.0 = the QEMU's newest */
	struct pl_qemu qemu;    /* the QEMU that runs it (qemu.known false: newest assumed) */
	size_t ndev, devs_cap;
	struct pl_gdev *devs;
	size_t nglobal, globals_cap;
	struct pl_gglobal *globals;
	struct pl_diag *diags, **diag_tail;     /* what a reader skipped or could not understand */
	struct pl_diag *refusals, **refusal_tail;       /* what the QEMU would refuse to start with */
	char name[128];         /* the VM's name or the input file, for messages */
};

void pl_guest_init(struct pl_guest *g, enum pl_guest_src src);
void pl_guest_free(struct pl_guest *g);
/* Append a device with every field unset (-1, ""); NULL when out of memory. */
struct pl_gdev *pl_guest_add(struct pl_guest *g, const char *driver);
int pl_guest_add_global(struct pl_guest *g, const char *driver, const char *prop, const char *value);
/* Set the machine from "-M" text ("pc-q35-3.1", "q35,accel=tcg"): type, version. */
void pl_guest_set_machine(struct pl_guest *g, const char *type);
/* Set one property of d by QEMU name; src says how. Unknown properties are ignored (0). */
int pl_gdev_set(struct pl_gdev *d, const char *prop, const char *value, enum pl_gsrc src);
struct pl_gdev *pl_guest_find(struct pl_guest *g, const char *id);
enum pl_gkind pl_gkind_of(const char *driver);
const char *pl_gsrc_name(enum pl_gsrc s);

/*
 * Apply QEMU's rules: link values from -global, the machine type's compat defaults and device
 * defaults where the configuration gives none; parents from bus names. Idempotent.
 */
void pl_guest_resolve(struct pl_guest *g);

/*
 * Read a QEMU command line: text is split as a shell would (quotes, backslashes, continuation
 * lines), or at NULs when it holds any (/proc/PID/cmdline). Leading VAR=value words and the
 * program are skipped. -readconfig files are read only with open_files. 0, or PL_EINVAL/PL_ENOMEM
 * with err set (unbalanced quotes, a -device QEMU could not parse).
 */
int pl_guest_from_qemu(struct pl_guest *g, const char *text, size_t len, bool open_files, char *err,
		       size_t errlen);
/* -readconfig text (name for messages) into g, as QEMU reads it; 0 or PL_EINVAL with err set. */
int pl_guest_readconfig(struct pl_guest *g, const char *text, const char *name, char *err, size_t errlen);
/* The same from argv words. */
int pl_guest_from_qemu_argv(struct pl_guest *g, char *const *argv, size_t argc, bool open_files, char *err,
			    size_t errlen);
/* The option a QEMU argv word names ("-set", "--set": "set") when QEMU reads the next word as its
 * argument, whatever that word is; NULL for a bare word and an option that takes none. */
const char *pl_qemu_opt_with_arg(const char *word);

/*
 * Read a libvirt domain (buf, len; name for messages) as libvirt's QEMU driver turns it into a
 * command line. emulator (may be NULL) gets the domain's <emulator>. 0, or PL_EINVAL with err
 * set (not well-formed, not a <domain>).
 */
int pl_guest_from_domain(struct pl_guest *g, const char *buf, size_t len, const char *name, char *emulator,
			 size_t emulen, char *err, size_t errlen);

/* A QMP connection: exec sends one command (JSON text) and returns its reply (malloc'ed). */
struct pl_qmp_io {
	void *ctx;
	int (*exec)(void *ctx, const char *req, char **reply, char *err, size_t errlen);
};
/*
 * Read what a running QEMU realized: machine type, every named PCI device under
 * /machine/peripheral and assigned functions under peripheral-anon, with bus, address and, on
 * ports, the link values (PL_GSRC_REALIZED). 0, or a PL_E* code with err set.
 */
int pl_guest_from_qmp(struct pl_guest *g, const struct pl_qmp_io *io, char *err, size_t errlen);
/* The QEMU version in a QMP greeting; 0 or PL_EINVAL. */
int pl_qmp_version(const char *greeting, int *major, int *minor, int *micro);
/* Connect to a QMP UNIX socket: *greeting (malloc'ed) and capabilities negotiated. */
int pl_qmp_open(const char *path, struct pl_qmp_io *io, char **greeting, char *err, size_t errlen);
void pl_qmp_close(struct pl_qmp_io *io);

/* The model of the configuration gen-qemu-args / gen-libvirt-xml write for plan. */
int pl_guest_from_plan(const struct pl_plan *plan, struct pl_guest *g);

#endif
