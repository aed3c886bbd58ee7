/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Proxmox VE inputs, read as qemu-server reads them (REFERENCE.md 8.4): a VM config
 * (/etc/pve/qemu-server/VMID.conf) and the cluster's PCI mappings (/etc/pve/mapping/pci.cfg).
 * Pure: text in, structs out; spans point into the caller's buffer so a merge can copy every
 * byte it does not change.
 */
#ifndef PL_PROXMOX_H
#define PL_PROXMOX_H

#include "model.h"

#define PL_PVE_MAX_HOSTPCI 16           /* qemu-server's $MAX_HOSTPCI_DEVICES */
#define PL_PVE_MAX_IDS 8                /* host ids in one entry ("A;B;...") or mapping path */
#define PL_PVE_MAX_CONF (1u << 20)      /* a VM config or pci.cfg is a few kB: refuse runaway input */
#define PL_PVE_QEMU "/usr/bin/kvm"      /* Proxmox VE's QEMU */

struct pl_pve_span {
	size_t off, len;
};

/* One host id: "0000:01:00.0", "01:00.0", or "01:00" (every function of the device). */
struct pl_pve_id {
	struct pl_bdf bdf;
	bool all_fns;
};

struct pl_pve_hostpci {
	bool present;
	unsigned line;                  /* 1-based */
	struct pl_pve_span span;        /* the line, without its newline */
	struct pl_pve_span value;       /* the value, blanks around it excluded */
	int nids;                       /* host=... ids, or the mapping's path on this node */
	struct pl_pve_id ids[PL_PVE_MAX_IDS];
	char mapping[64];               /* mapping=NAME, "" for host= */
	bool mapped;                    /* mapping resolved (ids filled) */
	bool pcie, xvga;
};

/* A main-section key line, for inserting new keys where qemu-server would write them (sorted). */
struct pl_pve_key {
	struct pl_pve_span name, line;  /* line includes its newline when there is one */
};

struct pl_pve_conf {
	const char *buf;
	size_t len;
	const char *name;               /* for messages: the file name or "stdin" */
	size_t main_end;                /* where the first section header starts (len without one) */
	struct pl_pve_key *keys;
	size_t nkeys, keys_cap;
	bool has_machine, q35;
	int machine_major, machine_minor;       /* pc-q35-X.Y; 0.0: unpinned, the running QEMU's */
	char machine[64];
	bool ovmf, win7;
	bool has_args;
	unsigned args_line;
	struct pl_pve_span args_span, args_value;
	struct pl_pve_hostpci hostpci[PL_PVE_MAX_HOSTPCI];
	bool pending_hostpci;           /* [PENDING] changes a hostpci entry or args */
	char pending_key[24];
};

/*
 * Parse a VM config of len bytes (no NUL needed). Keys of the live config (before the first
 * "[section]") are decoded; sections are kept as bytes. Returns 0, or PL_EINVAL with a one-line
 * message "NAME:LINE: ..." in err.
 */
int pl_pve_parse(const char *buf, size_t len, const char *name, struct pl_pve_conf *c, char *err,
		 size_t errlen);
void pl_pve_free(struct pl_pve_conf *c);

/* Parse "0000:01:00.0[;...]" (qemu-server's HOSTPCIID list) into ids; count or PL_EINVAL. */
int pl_pve_parse_ids(const char *s, size_t len, struct pl_pve_id *ids, int max);

/* Does id name the function b? */
bool pl_pve_id_matches(const struct pl_pve_id *id, const struct pl_bdf *b);

/*
 * Resolve every mapping=NAME entry of c through a pci.cfg (mapping IDs as section headers,
 * indented "map node=...,path=..." lines): the first map line for node. Returns 0, or PL_EINVAL
 * with err set (unknown name, no map for node, malformed file).
 */
int pl_pve_resolve_mappings(struct pl_pve_conf *c, const char *cfg, size_t len, const char *cfgname,
			    const char *node, char *err, size_t errlen);

/*
 * The VM can take pcilink's lines: q35 4.0 or newer (ich9-pcie-port-N are pcie-root-ports), not a
 * win7 guest (its pcie=1 devices sit on pcie.0), an args: value that splits, every mapping=
 * resolved. Returns 0, or PL_EINVAL with a one-line reason in err.
 */
int pl_pve_check_target(const struct pl_pve_conf *c, char *err, size_t errlen);

/* End of the args: word starting at i (quotes and backslashes as a shell reads them, kept raw);
 * *open when a quote or a final backslash runs to the end. */
size_t pl_pve_word_end(const char *v, size_t len, size_t i, bool *open);
/* The word [s,e) as PVE::Tools::split_args gives it (quotes removed, backslashes escape but in
 * '...' where they stay) into w,
 * at most size - 1 bytes and a NUL; returns its whole length. */
size_t pl_pve_unquote(const char *v, size_t s, size_t e, char *w, size_t size);

/* One step of an args: value as QEMU pairs its words: the word [s,e) after blanks from ws, and
 * when it is an option with an argument, that argument [vs,ve) (unquoted in arg, arg_fits false
 * when longer) whatever it looks like; otherwise vs = ve = e, and missing when the value ends first. */
struct pl_pve_arg {
	size_t ws, s, e, vs, ve;
	char opt[32];           /* "set" for -set and --set; "" for a bare word or an option without argument */
	char arg[128];
	bool arg_fits, missing;
	bool open;              /* a quote or a final backslash runs to the end (shellwords gives no words) */
};
/* The step from *i; false at the end of the value. */
bool pl_pve_args_next(const char *v, size_t len, size_t *i, struct pl_pve_arg *a);

struct pl_guest;
/*
 * The guest qemu-server builds for c, into g (REFERENCE 8.4): its readconfig's root ports, the
 * ports it generates for hostpci4-15, each entry's vfio-pci functions where it puts them ("BB:DD"
 * entries expand to the functions sys has there; NULL: function 0), then args: (-set, -global).
 * An unresolved mapping= entry is left out with a note in g->diags. 0, or an error with err set.
 */
int pl_guest_from_proxmox(struct pl_guest *g, const struct pl_pve_conf *c, const struct pl_system *sys, char *err,
			  size_t errlen);

/* qemu-server's guest layout: root port address of hostpciN with pcie=1 on q35 (slot.fn). */
void pl_pve_port_addr(int index, int *slot, int *fn);

#endif
