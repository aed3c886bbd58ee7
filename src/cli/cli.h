/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command layer: verbs, shared option groups, exit codes. Only cli code prints errors. */
#ifndef PL_CLI_H
#define PL_CLI_H

#include <argp.h>
#include <stdbool.h>

#include "model.h"
#include "plan.h"
#include "util.h"

/* Exit codes (man/pcilink.1, EXIT STATUS). Stable. */
enum {
	PL_EXIT_OK = 0,
	PL_EXIT_FAIL = 1,       /* runtime failure: no such device, unreadable or malformed input */
	PL_EXIT_USAGE = 2,      /* bad option, bad selector syntax, impossible combination */
	PL_EXIT_FINDINGS = 3,   /* check: the VM has findings (warnings or errors) */
};

struct pl_ctx {
	const char *verb;
};

/* One device selector: lspci -s and/or -d syntax; where says where it came from for errors. */
struct pl_sel {
	const char *slot, *id;
	char where[2 * PL_EXCERPT_SIZE + 80];
};

/* --numa-node SLOT=N or a plan file's numa_node: a host fact a dump lacks (lspci selectors). */
struct pl_numa_set {
	const char *slot, *id;
	int node;
	bool from_plan;         /* the command line wins over a plan file */
	char where[PL_EXCERPT_SIZE + 80];
};

/* Options every verb shares: where config space comes from, which devices, names. */
struct pl_common {
	const char *dump, *sysfs, *ids;
	bool numeric, all;
	const char *slot_filter, *id_filter;
	struct pl_sel *sels;    /* positional slots, -s/-d, plan-file devices: any may match */
	int nsels;
	struct pl_numa_set *numa;
	int nnuma;
	const char *format;
};

extern const struct argp pl_common_argp;

/* Print "pcilink: VERB: message" on stderr. */
void pl_err(const struct pl_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print "pcilink: VERB: warning: message" on stderr once the command succeeds (pl_cli_finish). */
void pl_warn(const struct pl_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print "pcilink: VERB: note: message" likewise: something worth knowing, not wrong. */
void pl_note(const struct pl_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append a NUMA node for the functions slot and id select; where names it in errors. */
/* --numa-node SLOT=N into c, or argp_error. */
void pl_common_numa_arg(struct argp_state *state, struct pl_common *c, char *arg);
int pl_common_add_numa(struct pl_common *c, const char *slot, const char *id, int node, bool from_plan,
		       const char *where);

/* A decimal number lo..hi, digits only ("010" is ten: no octal); 0 or -1. */
int pl_cli_parse_dec(const char *s, int lo, int hi, int *out);

/* Append a positional selector (from an argp parser; an empty one is a usage error). */
void pl_common_add_slot(struct argp_state *state, struct pl_common *c, char *arg);
/* Append a selector; where (may be NULL) names its origin in errors, e.g. "plan.yaml:7". */
int pl_common_add_sel(struct pl_common *c, const char *slot, const char *id, const char *where);

/*
 * Open the source, select and analyse functions. On success fills *sys and a malloc'ed array
 * of the selected functions (BDF order) and returns PL_EXIT_OK; else prints and returns the
 * exit code. what_default names the default selection in errors.
 */
int pl_cli_load(const struct pl_ctx *ctx, const struct pl_common *c, struct pl_system **sys,
		struct pl_dev ***sel, size_t *nsel);

struct pl_emitter;
/*
 * Find the output format of a kind (--format); "help" lists them and leaves *em NULL. Returns
 * the exit code: OK (with *em set, or after the list) or USAGE for an unknown name.
 */
int pl_cli_format(const struct pl_ctx *ctx, const char *name, unsigned kind, const struct pl_emitter **em);

/* Release a system from pl_cli_load (libpci included); NULL is fine. */
void pl_cli_free(struct pl_system *sys);

/* Read a file or standard input ('-') whole, NUL-terminated; what names it in the too-large error
 * ("a domain XML"). Prints and returns the exit code. */
int pl_cli_slurp(const struct pl_ctx *ctx, const char *path, size_t max, const char *what, char **buf,
		 size_t *len);

/*
 * Flush stdout and check it (git's run_builtin rule); print the warnings held back if rc is
 * success (or findings), drop them if not (a refusal is one line). Returns the exit code.
 */
int pl_cli_finish(const struct pl_ctx *ctx, int rc);

/*
 * argp_parse with pcilink's message shape: argp's and getopt's errors become one line
 * "pcilink: VERB: ..." (verb NULL: "pcilink: ..."), and stdout is checked even when argp exits
 * (--help, --version). Returns PL_EXIT_OK or PL_EXIT_USAGE.
 */
int pl_cli_parse(const struct argp *argp, int argc, char **argv, unsigned flags, void *input,
		 const char *verb);

/* From an ARGP_KEY_END: two of the n options (names[i], values vals[i]) naming '-' are a usage error. */
void pl_cli_stdin_once(struct argp_state *state, const char *const names[], const char *const vals[], int n);

/* The generators' shared options (argp child "Link values", "Target", "Layout"). */
struct pl_plan_args {
	struct pl_plan_opts o;
	const char *qemu_bin, *qemu_ver;        /* --qemu, --qemu-version (or the plan file's version) */
	const char *named_qemu;         /* a QEMU named by an input file: run only when trusted */
	char named_by[120];             /* where: "vm.xml: <emulator>", "plan.yaml: target qemu" */
	const char *libvirt_ver;        /* gen-libvirt-xml: --libvirt-version or the plan file's */
	bool kernel_given;
	const char *plan_file;          /* --plan FILE */
	unsigned set;                   /* options given on the command line (PL_SET_*) */
	struct pl_planfile *pf;         /* the plan file's contents, owned here */
	const char *default_qemu;       /* gen-proxmox: /usr/bin/kvm, not qemu-system-x86_64 on PATH */
	struct pl_numa_map *numa_map;   /* o.numa_map, owned here */
};

#define PL_BUS_MAX 40              /* --bus: a QEMU id, never cut */
#define PL_STR_(x) #x
#define PL_STR(x) PL_STR_(x)

enum {
	PL_SET_POLICY = 1, PL_SET_BUS = 2, PL_SET_ADDR = 4, PL_SET_CHASSIS = 8, PL_SET_SPLIT = 16,
	PL_SET_HOTPLUG = 32, PL_SET_LIBVIRT = 64, PL_SET_NUMA = 128, PL_SET_NUMA_MAP = 256,
};

/* Release what pl_cli_plan kept in pa (the plan file, overrides). */
void pl_plan_args_free(struct pl_plan_args *pa);

extern const struct argp pl_plan_argp;

/* The generators' argp children: the common and the plan options. */
extern const struct argp_child pl_gen_children[];
/* What probe and the generators parse alike: -o, the slot arguments, and the children's inputs
 * (pa NULL: no plan options); a command's parser hands every key it does not know here. */
error_t pl_cli_parse_base(int key, char *arg, struct argp_state *state, struct pl_common *c, struct pl_plan_args *pa);

/* Target QEMU and kernel, load and analyse, build the plan; warnings go to stderr. */
int pl_cli_plan(const struct pl_ctx *ctx, struct pl_common *c, struct pl_plan_args *pa,
		struct pl_system **sys, struct pl_dev ***sel, size_t *n, struct pl_plan *plan);

struct pl_pve_conf;
/* gen-proxmox --conf / check --proxmox: read and parse a VM config, resolve its mappings
 * (mapping, node may be NULL); the buffers stay with the caller (conf points into *cbuf). */
int pl_cli_pve_load(const struct pl_ctx *ctx, const char *path, const char *mapping, const char *node,
		    struct pl_pve_conf *conf, char **cbuf, char **mbuf);
/* The lines 'gen-proxmox --conf' writes for the device dev (all its functions in sys), merged
 * into conf: "hostpci0: ...; args: ... -set ...", or why it refuses. 0 or an error. */
int pl_cli_pve_fix_lines(const struct pl_pve_conf *conf, const struct pl_plan_opts *o, struct pl_system *sys,
			 const struct pl_bdf *dev, char *buf, size_t len);

int cmd_probe(int argc, char **argv, struct pl_ctx *ctx);
int cmd_gen_qemu(int argc, char **argv, struct pl_ctx *ctx);
int cmd_gen_libvirt(int argc, char **argv, struct pl_ctx *ctx);
int cmd_gen_proxmox(int argc, char **argv, struct pl_ctx *ctx);
int cmd_check(int argc, char **argv, struct pl_ctx *ctx);

#endif
