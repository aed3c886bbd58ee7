/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Options and pipeline shared by the generators: policy, overrides, target, layout. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "access.h"
#include "planfile.h"
#include "cli.h"
#include "target.h"

enum {
	OPT_POLICY = 0x200, OPT_SPEED, OPT_WIDTH, OPT_QEMU, OPT_QEMU_VERSION, OPT_BUS, OPT_FIRST_ADDR,
	OPT_FIRST_CHASSIS, OPT_SPLIT, OPT_HOTPLUG, OPT_KERNEL, OPT_PLAN, OPT_NUMA, OPT_NUMA_MAP,
};

static const struct argp_option plan_options[] = {
	{ NULL, 0, NULL, 0, "Plan file:", 3 },
	{ "plan", OPT_PLAN, "FILE", 0, "read devices, policy, overrides, layout and target from a YAML plan "
	  "('-' for stdin); options given here win", 3 },
	{ NULL, 0, NULL, 0, "Link values:", 4 },
	{ "policy", OPT_POLICY, "POLICY", 0, "host (the slot link, default), device (the device's own "
	  "capability), max (the highest the QEMU accepts)", 4 },
	{ "speed", OPT_SPEED, "[SLOT=]SPEED", 0, "x-speed for SLOT's port or all: 2_5 5 8 16 32 64", 4 },
	{ "width", OPT_WIDTH, "[SLOT=]WIDTH", 0, "x-width for SLOT's port or all: 1 2 4 8 12 16 32", 4 },
	{ NULL, 0, NULL, 0, "Target:", 5 },
	{ "qemu", OPT_QEMU, "BINARY", 0, "ask this QEMU what it accepts (default: qemu-system-x86_64 on PATH)", 5 },
	{ "qemu-version", OPT_QEMU_VERSION, "X.Y", 0, "plan for this QEMU version without running it", 5 },
	{ "kernel-version", OPT_KERNEL, "X.Y", 0, "the host kernel (default: this one when live)", 5 },
	{ NULL, 0, NULL, 0, "Layout:", 6 },
	{ "bus", OPT_BUS, "BUS", 0, "root bus for the root ports (default pcie.0)", 6 },
	{ "first-addr", OPT_FIRST_ADDR, "SLOT", 0, "first slot on that bus, 8 ports a slot (default 0x10)", 6 },
	{ "first-chassis", OPT_FIRST_CHASSIS, "N", 0, "chassis number of the first port (default 1)", 6 },
	{ "split-functions", OPT_SPLIT, NULL, 0, "one root port per function: function 0 alone keeps AtomicOps", 6 },
	{ "hotplug", OPT_HOTPLUG, "on|off", 0, "hotplug on the generated ports (QEMU 5.0+); off: the guest cannot eject", 6 },
	{ "numa", OPT_NUMA, NULL, 0, "each root port on an expander bus of its device's NUMA node "
	  "(pxb-pcie); the guest must define those nodes", 6 },
	{ "numa-map", OPT_NUMA_MAP, "HOST=GUEST,...", 0, "guest node of each host node (default: the same "
	  "number)", 6 },
	{ 0 }
};

/* A slot as QEMU's addr= reads it: hex with or without 0x ("10" is 0x10), ".0" allowed. */
static int parse_slot(const char *s, int *out)
{
	char *end;
	unsigned long v;

	if (!strncasecmp(s, "0x", 2))
		s += 2;
	if (!isxdigit((unsigned char)*s))
		return -1;
	v = strtoul(s, &end, 16);
	if (*end == '.' && end[1] == '0' && !end[2])
		end += 2;
	if (*end || v > 0x1f)
		return -1;
	*out = (int)v;
	return 0;
}

/* Why a first root-bus slot cannot hold ports on bus, or NULL. */
static const char *slot_refused(const char *bus, int slot)
{
	if (slot == 0 && !strcmp(bus, "pcie.0"))
		return "slot 0x00 of pcie.0 is q35's host bridge";
	if (slot > PL_LAST_SLOT(bus))
		return "slot 0x1f of pcie.0 is q35's (ICH9 LPC, SATA, SMBus)";
	return NULL;
}

/* A QEMU id as QEMU checks it (id_wellformed): a letter, then letters, digits, '-', '.', '_'. */
static const char *bus_refused(const char *bus)
{
	if (!isalpha((unsigned char)*bus) || strspn(bus, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					    "0123456789-._") != strlen(bus))
		return "not a QEMU id (a letter, then letters, digits, '-', '.', '_')";
	if (strlen(bus) > PL_BUS_MAX)
		return "longer than " PL_STR(PL_BUS_MAX) " characters";
	return NULL;
}

static error_t override(struct argp_state *state, struct pl_plan_args *pa, char *arg, bool speed)
{
	struct pl_override v = { .all = true, .from_cli = true, .policy = -1 };
	char *eq = strrchr(arg, '='), *val = eq ? eq + 1 : arg, qa[PL_EXCERPT_SIZE], qv[PL_EXCERPT_SIZE];
	char shown[PL_EXCERPT_SIZE + 4] = "";   /* ": 'VALUE'" after a slot, else nothing */
	struct pl_override *n;

	pl_excerpt(qa, sizeof(qa), arg);
	if (eq) {
		char slot[32];
		struct pl_bdf b;
		int len = (int)(eq - arg);

		/* BB:DD, BB:DD.F, DDDD:BB:DD[.F]: the function does not matter, the device does */
		snprintf(slot, sizeof(slot), "%.*s%s", len, arg, memchr(arg, '.', (size_t)len) ? "" : ".0");
		if (len > 24 || pl_bdf_parse(slot, &b))   /* 24: longer than any slot, never cut */
			argp_error(state, "--%s '%s': '%s' is not a slot (BB:DD or DDDD:BB:DD.F)",
				   speed ? "speed" : "width", qa, pl_excerpt_n(qv, sizeof(qv), arg, (size_t)len));
		v.all = false;
		v.bdf = b;
		snprintf(shown, sizeof(shown), ": '%s'", pl_excerpt(qv, sizeof(qv), val));
	}
	if (speed && !(v.speed = pl_speed_from_qemu(val)))
		argp_error(state, "--speed '%s'%s is not a QEMU link speed (2_5 5 8 16 32 64)", qa, shown);
	if (!speed && (pl_cli_parse_dec(val, 1, 32, &v.width) || !pl_width_valid(v.width)))
		argp_error(state, "--width '%s'%s is not a QEMU link width (1 2 4 8 12 16 32)", qa, shown);
	n = realloc(pa->o.ovr, (pa->o.novr + 1) * sizeof(*n));
	if (!n)
		argp_failure(state, PL_EXIT_FAIL, ENOMEM, "out of memory");
	pa->o.ovr = n;
	pa->o.ovr[pa->o.novr++] = v;
	return 0;
}

static int numa_map(struct pl_plan_args *pa, const char *s, char *err, size_t errlen)
{
	struct pl_numa_map *m;
	size_t n;
	int rc = pl_numa_map_parse(s, &m, &n, err, errlen);

	if (rc)
		return rc;
	free(pa->numa_map);
	pa->numa_map = m;
	pa->o.numa_map = m;
	pa->o.nnuma_map = n;
	return PL_OK;
}

static error_t plan_parse(int key, char *arg, struct argp_state *state)
{
	struct pl_plan_args *pa = state->input;
	char ex[PL_EXCERPT_SIZE];
	const char *why;
	int a, b, c;

	switch (key) {
	case ARGP_KEY_INIT:
		pa->o.bus = "pcie.0";
		pa->o.first_addr = 0x10;
		pa->o.first_chassis = 1;
		pa->o.hotplug = -1;
		break;
	case OPT_PLAN:
		pa->plan_file = arg;
		break;
	case OPT_POLICY:
		pa->set |= PL_SET_POLICY;
		if (!strcmp(arg, "host"))
			pa->o.policy = PL_POLICY_HOST;
		else if (!strcmp(arg, "device"))
			pa->o.policy = PL_POLICY_DEVICE;
		else if (!strcmp(arg, "max"))
			pa->o.policy = PL_POLICY_MAX;
		else
			argp_error(state, "--policy '%s': give host, device or max", arg);
		break;
	case OPT_SPEED:
	case OPT_WIDTH:
		return override(state, pa, arg, key == OPT_SPEED);
	case OPT_QEMU:
		pa->qemu_bin = arg;
		break;
	case OPT_QEMU_VERSION:
		if (pl_parse_version(arg, &a, &b, &c))
			argp_error(state, "--qemu-version '%s': give X.Y, e.g. 7.2", arg);
		pa->qemu_ver = arg;
		break;
	case OPT_KERNEL:
		if (pl_parse_version(arg, &a, &b, &c))
			argp_error(state, "--kernel-version '%s': give X.Y, e.g. 6.8", arg);
		pa->o.kernel_major = a;
		pa->o.kernel_minor = b;
		pa->kernel_given = true;
		break;
	case OPT_BUS:
		if ((why = bus_refused(arg)))
			argp_error(state, "--bus '%s': %s", pl_excerpt(ex, sizeof(ex), arg), why);
		pa->o.bus = arg;
		pa->set |= PL_SET_BUS;
		break;
	case OPT_FIRST_ADDR:
		if (parse_slot(arg, &pa->o.first_addr))
			argp_error(state, "--first-addr '%s': give a slot in hex as QEMU's addr= takes it, "
					  "0x01 to 0x1e (10 is 0x10)", pl_excerpt(ex, sizeof(ex), arg));
		pa->set |= PL_SET_ADDR;
		break;
	case OPT_FIRST_CHASSIS:
		if (pl_cli_parse_dec(arg, 0, 255, &pa->o.first_chassis))
			argp_error(state, "--first-chassis '%s': give 0 to 255 (decimal)", pl_excerpt(ex, sizeof(ex), arg));
		pa->set |= PL_SET_CHASSIS;
		break;
	case OPT_SPLIT:
		pa->o.split = true;
		pa->set |= PL_SET_SPLIT;
		break;
	case OPT_HOTPLUG:
		if (strcmp(arg, "on") && strcmp(arg, "off"))
			argp_error(state, "--hotplug '%s': give on or off", arg);
		pa->o.hotplug = !strcmp(arg, "on");
		pa->set |= PL_SET_HOTPLUG;
		break;
	case OPT_NUMA:
		pa->o.numa = true;
		pa->set |= PL_SET_NUMA;
		break;
	case OPT_NUMA_MAP: {
		char err[160];
		int rc = numa_map(pa, arg, err, sizeof(err));

		if (rc == PL_ENOMEM)
			argp_failure(state, PL_EXIT_FAIL, ENOMEM, "out of memory");
		if (rc)
			argp_error(state, "--numa-map %s", err);
		pa->set |= PL_SET_NUMA_MAP;
		break;
	}
	case ARGP_KEY_END:
		if (pa->qemu_bin && pa->qemu_ver)
			argp_error(state, "--qemu and --qemu-version are alternatives; give one");
		if ((pa->set & PL_SET_ADDR) && (why = slot_refused(pa->o.bus, pa->o.first_addr)))
			argp_error(state, "--first-addr 0x%02x: %s; give 0x01 to 0x%02x", pa->o.first_addr, why,
				   PL_LAST_SLOT(pa->o.bus));
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp pl_plan_argp = { .options = plan_options, .parser = plan_parse };

const struct argp_child pl_gen_children[] = {
	{ &pl_common_argp, 0, NULL, 0 }, { &pl_plan_argp, 0, NULL, 0 }, { 0 }
};

/* The plan file fills what the command line left unset; its devices select when nothing else does. */
static int apply_planfile(const struct pl_ctx *ctx, struct pl_common *c, struct pl_plan_args *pa)
{
	struct pl_planfile *pf = calloc(1, sizeof(*pf));
	char err[600], where[PL_EXCERPT_SIZE + 80], ex[PL_EXCERPT_SIZE];
	const char *why;
	int a, b, m;

	if (!pf)
		return PL_EXIT_FAIL;
	pa->pf = pf;
	if (pl_planfile_read(pa->plan_file, pf, err, sizeof(err))) {
		pl_err(ctx, "%s", err);
		return PL_EXIT_FAIL;
	}
	if (!(pa->set & PL_SET_POLICY) && pf->policy >= 0)
		pa->o.policy = pf->policy;
	if (!(pa->set & PL_SET_BUS) && pf->bus) {
		if ((why = bus_refused(pf->bus))) {
			pl_err(ctx, "%s: layout: bus '%s': %s", pa->plan_file, pl_excerpt(ex, sizeof(ex), pf->bus), why);
			return PL_EXIT_FAIL;
		}
		pa->o.bus = pf->bus;
	}
	if (!(pa->set & PL_SET_ADDR) && pf->first_addr >= 0) {
		if ((why = slot_refused(pa->o.bus, pf->first_addr))) {
			pl_err(ctx, "%s: layout: first_addr 0x%02x: %s; give 0x01 to 0x%02x", pa->plan_file,
			       pf->first_addr, why, PL_LAST_SLOT(pa->o.bus));
			return PL_EXIT_FAIL;
		}
		pa->o.first_addr = pf->first_addr;
	}
	if (!(pa->set & PL_SET_CHASSIS) && pf->first_chassis >= 0)
		pa->o.first_chassis = pf->first_chassis;
	if (!(pa->set & PL_SET_SPLIT) && pf->split >= 0)
		pa->o.split = pf->split;
	if (!(pa->set & PL_SET_HOTPLUG) && pf->hotplug >= 0)
		pa->o.hotplug = pf->hotplug;
	if (!(pa->set & PL_SET_NUMA) && pf->numa >= 0)
		pa->o.numa = pf->numa;
	if (!(pa->set & PL_SET_NUMA_MAP) && pf->numa_map) {
		int rc = numa_map(pa, pf->numa_map, err, sizeof(err));

		if (rc) {
			pl_err(ctx, "%s: numa_map %s", pa->plan_file, err);
			return PL_EXIT_FAIL;
		}
	}
	if (!pa->qemu_bin && !pa->qemu_ver && (pf->qemu || pf->qemu_version)) {
		/* the plan's target beats a domain's <emulator>; a binary it names is input, not a choice */
		pa->qemu_ver = pf->qemu_version;
		pa->named_qemu = pf->qemu;
		snprintf(pa->named_by, sizeof(pa->named_by), "%.80s: target qemu", pa->plan_file);
	}
	if (!(pa->set & PL_SET_LIBVIRT) && pf->libvirt_version)
		pa->libvirt_ver = pf->libvirt_version;
	if (!pa->kernel_given && pf->kernel_version && !pl_parse_version(pf->kernel_version, &a, &b, &m)) {
		pa->o.kernel_major = a;
		pa->o.kernel_minor = b;
		pa->kernel_given = true;
	}
	for (size_t i = 0; i < pf->ndevs; i++) {
		const struct pl_pf_dev *e = &pf->devs[i];

		snprintf(where, sizeof(where), "%.60s:%u: numa_node", pa->plan_file, e->line);
		if (e->numa_node >= 0 && pl_common_add_numa(c, e->slot, e->id, e->numa_node, true, where))
			return PL_EXIT_FAIL;
	}
	if (c->nsels || c->all)
		return PL_EXIT_OK;
	for (size_t i = 0; i < pf->ndevs; i++) {
		snprintf(where, sizeof(where), "%.60s:%u (%s '%s')", pa->plan_file, pf->devs[i].line,
			 pf->devs[i].slot ? "slot" : "id",
			 pl_excerpt(ex, sizeof(ex), pf->devs[i].slot ? pf->devs[i].slot : pf->devs[i].id));
		if (pl_common_add_sel(c, pf->devs[i].slot, pf->devs[i].id, where))
			return PL_EXIT_FAIL;
	}
	return PL_EXIT_OK;
}

/*
 * A plan-file device's speed, width or policy becomes an override for every device it selects.
 * They go before the command line's (found after them, they win), in one step: one at a time
 * to the front cost 100,000 entries 9 s.
 */
static int planfile_overrides(struct pl_plan_args *pa, struct pl_system *sys, struct pl_dev **sel, size_t n)
{
	struct pl_override *v = NULL, *nv;
	size_t nv_n = 0, cap = 0;
	char err[128];

	for (size_t i = 0; pa->pf && i < pa->pf->ndevs; i++) {
		const struct pl_pf_dev *e = &pa->pf->devs[i];

		if (!e->speed && !e->width && e->policy < 0)
			continue;
		for (size_t j = 0; j < n; j++) {
			if (pl_access_matches(sys, sel[j], e->slot, e->id, err, sizeof(err)) <= 0)
				continue;
			if (nv_n == cap) {
				cap = cap ? 2 * cap : 16;
				nv = realloc(v, (cap + pa->o.novr) * sizeof(*v));
				if (!nv) {
					free(v);
					return PL_ENOMEM;
				}
				v = nv;
			}
			v[nv_n++] = (struct pl_override){ .bdf = sel[j]->bdf, .speed = e->speed, .width = e->width,
							  .policy = e->policy };
		}
	}
	if (!nv_n)
		return PL_OK;
	if (pa->o.novr)
		memcpy(v + nv_n, pa->o.ovr, pa->o.novr * sizeof(*v));
	free(pa->o.ovr);
	pa->o.ovr = v;
	pa->o.novr += nv_n;
	return PL_OK;
}

void pl_plan_args_free(struct pl_plan_args *pa)
{
	if (pa->pf) {
		pl_planfile_free(pa->pf);
		free(pa->pf);
	}
	free(pa->o.ovr);
	free(pa->numa_map);
	pa->numa_map = NULL;
	pa->pf = NULL;
	pa->o.ovr = NULL;
}

/* Why vfio-pci cannot take d (bridges, ports, host bridges, a function that does not answer), or NULL. */
static const char *unassignable(const struct pl_dev *d)
{
	if (pl_dev_is_bridge(d) || (d->cfg.len && (d->class_code >> 8) == 0x0600))
		return "a bridge, port or host bridge";
	if (d->vendor == 0xffff || !d->cfg.len)
		return "not answering";
	return NULL;
}

/* The warnings of planning that are not the plan's own: the plan's JSON carries them too. */
struct warns {
	struct pl_diag *head, **tail;
};

#define plan_warn(w, ...) pl_diag_add(&(w)->head, &(w)->tail, __VA_ARGS__)

/* Leave out what vfio-pci cannot take; with nothing left, one refusal that says why. */
static int keep_assignable(const struct pl_ctx *ctx, struct warns *w, const struct pl_common *c, struct pl_dev ***sel,
			   size_t *n)
{
	const char *why, *first = NULL;
	size_t keep = 0;
	char b[16], fb[16] = "";

	for (size_t i = 0; i < *n; i++) {
		struct pl_dev *d = (*sel)[i];

		if (!(why = unassignable(d))) {
			(*sel)[keep++] = d;
			continue;
		}
		if (!first) {
			first = why;
			pl_bdf_fmt(&d->bdf, fb, sizeof(fb));
		}
		if (!c->all)
			plan_warn(w, "%s is %s: not assignable, left out", pl_bdf_fmt(&d->bdf, b, sizeof(b)), why);
	}
	if (keep) {
		*n = keep;
		return PL_EXIT_OK;
	}
	if (*n == 1)
		pl_err(ctx, "no assignable function selected: %s is %s (vfio-pci cannot take it)", fb, first);
	else
		pl_err(ctx, "no assignable function selected: all %zu are bridges, ports, host bridges or not "
			    "answering (vfio-pci cannot take them; e.g. %s is %s)", *n, fb, first);
	return PL_EXIT_FAIL;
}

/* --speed/--width SLOT=... must name a selected device: a typo would silently change nothing. */
static int overrides_selected(const struct pl_ctx *ctx, const struct pl_plan_args *pa, struct pl_dev **sel,
			      size_t n)
{
	for (size_t i = 0; i < pa->o.novr; i++) {
		const struct pl_override *v = &pa->o.ovr[i];
		bool found = false;
		char b[16];

		if (!v->from_cli || v->all)
			continue;
		for (size_t j = 0; j < n && !found; j++)
			found = sel[j]->bdf.domain == v->bdf.domain && sel[j]->bdf.bus == v->bdf.bus &&
				sel[j]->bdf.dev == v->bdf.dev;
		if (!found) {
			pl_bdf_fmt(&v->bdf, b, sizeof(b));
			b[strlen(b) - 2] = 0;   /* the device: functions do not matter */
			pl_err(ctx, "--%s %s=...: no selected function is at %s; select it too, or fix the slot",
			       v->speed ? "speed" : "width", b, b);
			return PL_EXIT_USAGE;
		}
	}
	return PL_EXIT_OK;
}

/* A function the host is using (its boot disk, its NIC) would be taken away from it: say so. */
static void host_drivers(const struct pl_ctx *ctx, struct warns *w, struct pl_dev **sel, size_t n)
{
	bool libvirt = !strcmp(ctx->verb, "gen-libvirt-xml");
	char b[16];

	for (size_t i = 0; i < n; i++) {
		const char *drv = sel[i]->driver;

		if (!drv || !strcmp(drv, "vfio-pci"))
			continue;
		pl_bdf_fmt(&sel[i]->bdf, b, sizeof(b));
		if (libvirt)
			plan_warn(w, "%s is in use by the host (driver %s): libvirt's managed='yes' takes it from "
				     "the host when the VM starts; make sure the host can do without it", b, drv);
		else
			plan_warn(w, "%s is in use by the host (driver %s): hand it to vfio-pci before starting "
				     "QEMU (driverctl set-override %s vfio-pci, or write vfio-pci to "
				     "/sys/bus/pci/devices/%s/driver_override and reprobe)", b, drv, b, b);
	}
}

static int build_plan(const struct pl_ctx *ctx, struct pl_common *c, struct pl_plan_args *pa, struct warns *w,
		      struct pl_system **sys, struct pl_dev ***sel, size_t *n, struct pl_plan *plan)
{
	struct pl_target_req req;
	char err[600], skipped[600], b[16];
	bool guessed, assume = false;
	int rc;

	if (pa->plan_file && (rc = apply_planfile(ctx, c, pa)))
		return rc;
	/* a split asked for either way is kept; only gen-proxmox splits on its own */
	if ((pa->set & PL_SET_SPLIT) || (pa->pf && pa->pf->split >= 0))
		pa->o.split_atomics = false;

	/* gen-proxmox: Proxmox's own QEMU (run when trusted), not qemu-system-x86_64 on PATH */
	if (pa->default_qemu && !pa->qemu_bin && !pa->qemu_ver && !pa->named_qemu) {
		if (access(pa->default_qemu, F_OK))
			assume = true;
		pa->named_qemu = pa->default_qemu;
		snprintf(pa->named_by, sizeof(pa->named_by), "Proxmox VE's QEMU");
	}
	if (assume) {
		pl_qemu_from_version(&pa->o.qemu, 10, 0, 0);
		pa->o.qemu.known = false;
		snprintf(pa->o.qemu.source, sizeof(pa->o.qemu.source), "no %s: the newest QEMU assumed",
			 pa->default_qemu);
		plan_warn(w, "no %s (not a Proxmox VE host?): planning for the newest QEMU (x-speed up to 64); "
			     "give --qemu-version (Proxmox VE 8.x ships QEMU 8.0 to 9.2, 9.x 10.0 to 11.0)",
			pa->default_qemu);
	} else {
		req = (struct pl_target_req){ pa->qemu_ver, pa->qemu_bin, pa->named_qemu, pa->named_by };
		rc = pl_target_qemu(&req, &pa->o.qemu, &guessed, skipped, sizeof(skipped), err, sizeof(err));
		if (rc) {
			pl_err(ctx, "%s", err);
			return rc == PL_EINVAL && pa->qemu_ver ? PL_EXIT_USAGE : PL_EXIT_FAIL;
		}
		if (*skipped)
			plan_warn(w, "%s; planning for %s; give --qemu or --qemu-version to choose", skipped,
				guessed ? "the newest QEMU (no qemu-system-x86_64 on PATH either)" : pa->o.qemu.source);
		else if (guessed)
			plan_warn(w, "no qemu-system-x86_64 found: planning for the newest QEMU (x-speed up to 64, "
				     "AtomicOps from 8.1); give --qemu-version or --qemu");
	}
	if (pa->o.hotplug >= 0 && !pa->o.qemu.has_hotplug)
		plan_warn(w, "%s has no hotplug property on pcie-root-port (QEMU 5.0+): --hotplug ignored",
			pa->o.qemu.source);
	rc = pl_cli_load(ctx, c, sys, sel, n);
	if (rc)
		return rc;
	/* what probe reports among the input's warnings: which block of a slot is used */
	for (size_t i = 0; i < (*sys)->ndev; i++)
		if ((*sys)->devs[i]->blocks > 1)
			plan_warn(w, "slot %s is listed %u times; its first block is used",
				pl_bdf_fmt(&(*sys)->devs[i]->bdf, b, sizeof(b)), (*sys)->devs[i]->blocks);
	rc = keep_assignable(ctx, w, c, sel, n);
	if (rc || (rc = overrides_selected(ctx, pa, *sel, *n)))
		return rc;
	host_drivers(ctx, w, *sel, *n);
	if (planfile_overrides(pa, *sys, *sel, *n))
		return PL_EXIT_FAIL;
	if (!pa->kernel_given && (*sys)->kind == PL_SOURCE_LIVE)
		pl_target_kernel(&pa->o.kernel_major, &pa->o.kernel_minor);
	rc = pl_plan_build(&pa->o, *sel, *n, plan, err, sizeof(err));
	if (rc) {
		pl_err(ctx, "%s", err);
		return rc == PL_EINVAL ? PL_EXIT_USAGE : PL_EXIT_FAIL;
	}
	return PL_EXIT_OK;
}

int pl_cli_plan(const struct pl_ctx *ctx, struct pl_common *c, struct pl_plan_args *pa,
		struct pl_system **sys, struct pl_dev ***sel, size_t *n, struct pl_plan *p)
{
	struct warns w = { NULL, &w.head };
	int rc = build_plan(ctx, c, pa, &w, sys, sel, n, p);

	if (rc) {
		pl_diag_free(w.head);
		return rc;
	}
	/* ours first, in the order they arose, then the plan's */
	if (w.head) {
		*w.tail = p->warnings;
		if (!p->warnings)
			p->warn_tail = w.tail;
		p->warnings = w.head;
	}
	for (const struct pl_diag *g = p->warnings; g; g = g->next)
		pl_warn(ctx, "%s", g->msg);
	return PL_EXIT_OK;
}
