/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcilink check: what an existing VM's guest sees above each assigned device, against the host. */
#include <errno.h>
#include <limits.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "emit_check.h"
#include "emit_proxmox.h"
#include "guest.h"
#include "target.h"

#define PL_CHECK_MAX_INPUT (16u << 20)   /* a command line or domain is a few kB */

enum { OPT_CMDLINE = 0x300, OPT_PID, OPT_DOMAIN, OPT_QMP, OPT_QEMU, OPT_QEMU_VERSION, OPT_SYSFS, OPT_GUEST, OPT_PLAN,
       OPT_PROXMOX, OPT_MAPPING, OPT_NODE, OPT_NUMA_NODE };

struct check_args {
	struct pl_common c;
	const char *cmdline, *pid, *domain, *qmp, *proxmox, *mapping, *node;
	const char *qemu_bin, *qemu_ver;
	const char *plan;
	bool guest;
	int nsrc;
};

static const struct argp_option options[] = {
	{ NULL, 0, NULL, 0, "The VM (one of):", 1 },
	{ "qemu-cmdline", OPT_CMDLINE, "FILE", 0, "a QEMU command line: shell words or NUL-separated "
	  "(/proc/PID/cmdline); '-' is standard input", 1 },
	{ "pid", OPT_PID, "PID", 0, "a running QEMU's command line (/proc/PID/cmdline)", 1 },
	{ "domain", OPT_DOMAIN, "FILE", 0, "a libvirt domain XML (virsh dumpxml NAME); '-' is standard input", 1 },
	{ "proxmox", OPT_PROXMOX, "FILE", 0, "a Proxmox VE VM config (/etc/pve/qemu-server/VMID.conf), as "
	  "qemu-server starts it; '-' is standard input", 1 },
	{ "mapping", OPT_MAPPING, "FILE", 0, "with --proxmox: resolve mapping= entries through this file "
	  "(/etc/pve/mapping/pci.cfg)", 1 },
	{ "node", OPT_NODE, "NAME", 0, "with --mapping: the node whose map lines apply (default: this host's name)", 1 },
	{ "qmp", OPT_QMP, "SOCKET", 0, "a running QEMU's QMP socket: what it realized (qom-get)", 1 },
	{ "guest", OPT_GUEST, NULL, 0, "run inside the VM: its own config space (or --dump/--sysfs taken in it)", 1 },
	{ "plan", OPT_PLAN, "FILE", 0, "--guest: the plan the VM should run (gen-qemu-args --format json)", 1 },
	{ NULL, 0, NULL, 0, "The host (default: this machine):", 2 },
	{ "dump", 'F', "FILE", 0, "read the host from an 'lspci -xxx' or '-xxxx' dump ('-' for stdin)", 2 },
	{ "sysfs", OPT_SYSFS, "DIR", 0, "read the host from a sysfs tree rooted at DIR", 2 },
	{ "numa-node", OPT_NUMA_NODE, "SLOT=N", 0, "SLOT's host NUMA node (a dump has none; beats sysfs); "
	  "repeatable", 2 },
	{ NULL, 0, NULL, 0, "The QEMU that runs it:", 3 },
	{ "qemu", OPT_QEMU, "BINARY", 0, "ask this QEMU what it accepts (default: qemu-system-x86_64 on PATH)", 3 },
	{ "qemu-version", OPT_QEMU_VERSION, "X.Y", 0, "judge for this QEMU version without running it", 3 },
	{ NULL, 0, NULL, 0, "Output:", 4 },
	{ "format", 'o', "FORMAT", 0, "text (default), json, yaml; 'help' lists them", 4 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "give this help list", -1 },
	{ 0 }
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct check_args *a = state->input;

	switch (key) {
	case OPT_CMDLINE:
		a->cmdline = arg;
		a->nsrc++;
		break;
	case OPT_PID:
		a->pid = arg;
		a->nsrc++;
		break;
	case OPT_DOMAIN:
		a->domain = arg;
		a->nsrc++;
		break;
	case OPT_PROXMOX:
		a->proxmox = arg;
		a->nsrc++;
		break;
	case OPT_MAPPING:
		a->mapping = arg;
		break;
	case OPT_NODE:
		a->node = arg;
		break;
	case OPT_QMP:
		a->qmp = arg;
		a->nsrc++;
		break;
	case OPT_GUEST:
		a->guest = true;
		a->nsrc++;
		break;
	case OPT_PLAN:
		a->plan = arg;
		break;
	case OPT_QEMU:
		a->qemu_bin = arg;
		break;
	case OPT_QEMU_VERSION:
		a->qemu_ver = arg;
		break;
	case 'o':
		a->c.format = arg;
		break;
	case 'F':
		a->c.dump = arg;
		break;
	case OPT_SYSFS:
		a->c.sysfs = arg;
		break;
	case OPT_NUMA_NODE:
		pl_common_numa_arg(state, &a->c, arg);
		break;
	case 'h':
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP);
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "check takes no device names: it checks every device the VM is given");
		break;
	case ARGP_KEY_END:
		if (a->c.dump && a->c.sysfs)
			argp_error(state, "--dump and --sysfs exclude each other");
		pl_cli_stdin_once(state, (const char *[]){ "--qemu-cmdline", "--domain", "--proxmox", "--mapping", "--dump" },
				  (const char *[]){ a->cmdline, a->domain, a->proxmox, a->mapping, a->c.dump }, 5);
		if (!strcmp(a->c.format, "help"))
			break;
		if (a->nsrc != 1)
			argp_error(state, "give the VM once: --qemu-cmdline FILE, --pid PID, --domain FILE, --proxmox FILE, "
				   "--qmp SOCKET, or --guest inside it");
		if ((a->mapping || a->node) && !a->proxmox)
			argp_error(state, "--mapping and --node go with --proxmox");
		if (a->plan && !a->guest)
			argp_error(state, "--plan goes with --guest");
		if (!pl_check_format_ok(a->c.format))
			argp_error(state, "unknown format '%s': text, json or yaml", a->c.format);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int read_cmdline(const struct pl_ctx *ctx, struct check_args *a, struct pl_guest *g)
{
	char path[64], err[300], *buf;
	const char *file = a->cmdline;
	size_t len;
	int rc;

	if (a->pid) {
		char *end;
		long pid = strtol(a->pid, &end, 10);

		if (*end || end == a->pid || pid <= 0) {
			pl_err(ctx, "--pid %s: not a process id", a->pid);
			return PL_EXIT_USAGE;
		}
		snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
		file = path;
	}
	rc = pl_cli_slurp(ctx, file, PL_CHECK_MAX_INPUT, "a QEMU command line", &buf, &len);
	if (rc)
		return rc;
	if (a->pid && !len) {
		pl_err(ctx, "process %s has no command line (a kernel thread, or it has exited)", a->pid);
		free(buf);
		return PL_EXIT_FAIL;
	}
	snprintf(g->name, sizeof(g->name), "%s", a->pid ? path : strcmp(file, "-") ? file : "stdin");
	rc = pl_guest_from_qemu(g, buf, len, true, err, sizeof(err));
	free(buf);
	if (rc) {
		pl_err(ctx, "%s: %s", g->name, err);
		return PL_EXIT_FAIL;
	}
	return PL_EXIT_OK;
}

static int read_domain(const struct pl_ctx *ctx, struct check_args *a, struct pl_guest *g, char *emulator,
		       size_t emulen)
{
	char err[300], *buf;
	size_t len;
	int rc;

	g->src = PL_GUEST_DOMAIN;
	rc = pl_cli_slurp(ctx, a->domain, PL_CHECK_MAX_INPUT, "a domain XML", &buf, &len);
	if (rc)
		return rc;
	rc = pl_guest_from_domain(g, buf, len, strcmp(a->domain, "-") ? a->domain : "stdin", emulator, emulen, err,
				  sizeof(err));
	free(buf);
	if (rc) {
		pl_err(ctx, "%s", err);
		return PL_EXIT_FAIL;
	}
	return PL_EXIT_OK;
}

/* A running QEMU: its version from the greeting (unless the user names one), then its devices. */
static int read_qmp(const struct pl_ctx *ctx, struct check_args *a, struct pl_guest *g)
{
	struct pl_qmp_io io = { 0 };
	char err[300], *greeting = NULL;
	int maj, min, mic, rc;

	rc = pl_qmp_open(a->qmp, &io, &greeting, err, sizeof(err));
	if (rc) {
		pl_err(ctx, "%s", err);
		free(greeting);
		return PL_EXIT_FAIL;
	}
	if (!a->qemu_ver && !a->qemu_bin && !pl_qmp_version(greeting, &maj, &min, &mic))
		pl_qemu_from_version(&g->qemu, maj, min, mic);
	free(greeting);
	snprintf(g->name, sizeof(g->name), "%s", a->qmp);
	rc = pl_guest_from_qmp(g, &io, err, sizeof(err));
	pl_qmp_close(&io);
	if (rc) {
		pl_err(ctx, "%s: %s", a->qmp, err);
		return PL_EXIT_FAIL;
	}
	return PL_EXIT_OK;
}

/*
 * The target QEMU: --qemu-version, --qemu, the domain's <emulator> (when it passes the trust
 * rule), or the one on PATH, as the generators find it.
 */
static int target(const struct pl_ctx *ctx, const struct check_args *a, const char *emulator, struct pl_guest *g)
{
	char named_by[300], err[300], skipped[300] = "";
	struct pl_target_req req = { .version = a->qemu_ver, .binary = a->qemu_bin };
	struct pl_guest tmp = *g;
	bool guessed = false;

	char exe[PATH_MAX];

	if (emulator && *emulator) {
		snprintf(named_by, sizeof(named_by), "%s: <emulator>", a->domain);
		req.named = emulator;
		req.named_by = named_by;
	} else if (a->pid) {
		/* the running QEMU's own binary, asked as gen-qemu-args asks one (if it passes the rule) */
		ssize_t n;

		snprintf(named_by, sizeof(named_by), "/proc/%s/exe", a->pid);
		n = readlink(named_by, exe, sizeof(exe) - 1);
		if (n > 0 && !strstr((exe[n] = 0, exe), " (deleted)")) {
			req.named = exe;
			req.named_by = named_by;
		}
	}
	/* a Proxmox VM runs on Proxmox's QEMU */
	if (a->proxmox && !a->qemu_ver && !a->qemu_bin && !access(PL_PVE_QEMU, F_OK)) {
		req.named = PL_PVE_QEMU;
		req.named_by = "Proxmox VE's QEMU";
	}
	if (pl_target_qemu(&req, &tmp.qemu, &guessed, skipped, sizeof(skipped), err, sizeof(err))) {
		pl_err(ctx, "%s", err);
		return a->qemu_ver ? PL_EXIT_USAGE : PL_EXIT_FAIL;
	}
	if (skipped[0])
		pl_warn(ctx, "%s", skipped);
	g->qemu = tmp.qemu;
	if (guessed)
		g->qemu.known = false;
	return PL_EXIT_OK;
}

static int read_proxmox(const struct pl_ctx *ctx, const struct check_args *a, struct pl_guest *g,
			const struct pl_system *sys, struct pl_pve_conf *conf, char **cbuf, char **mbuf)
{
	char err[300];
	int rc = pl_cli_pve_load(ctx, a->proxmox, a->mapping, a->node, conf, cbuf, mbuf);

	if (rc)
		return rc;
	g->src = PL_GUEST_PROXMOX;
	snprintf(g->name, sizeof(g->name), "%s", conf->name);
	if (pl_guest_from_proxmox(g, conf, sys, err, sizeof(err))) {
		pl_err(ctx, "%s: %s", conf->name, err);
		return PL_EXIT_FAIL;
	}
	return PL_EXIT_OK;
}

/* Each fix of a Proxmox VM also names the lines gen-proxmox would write for that device. */
static void proxmox_lines(const struct pl_pve_conf *conf, const struct pl_guest *g, struct pl_system *sys,
			  const char *fix, const char *tail, struct pl_findings *f)
{
	struct pl_plan_opts o = { .policy = PL_POLICY_HOST, .bus = "pcie.0", .first_addr = 0x10,
				  .first_chassis = 1, .hotplug = -1, .split_atomics = true, .qemu = g->qemu };
	char lines[480];
	int rc;

	if (!o.qemu.known)
		pl_qemu_from_version(&o.qemu, 99, 0, 0);
	if (sys->kind == PL_SOURCE_LIVE)
		pl_target_kernel(&o.kernel_major, &o.kernel_minor);
	for (size_t i = 0; i < f->n; i++) {
		struct pl_finding *x = &f->v[i];
		struct pl_bdf b;
		size_t l = strlen(x->fix);
		int k;

		lines[0] = 0;
		/* a finding on a port of qemu-server's is about the entry whose port it is */
		if (!x->host[0] && sscanf(x->guest, "ich9-pcie-port-%d", &k) == 1 && k >= 1 && k <= PL_PVE_MAX_HOSTPCI &&
		    conf->hostpci[k - 1].present && conf->hostpci[k - 1].nids > 0) {
			b = conf->hostpci[k - 1].ids[0].bdf;
			l = (size_t)snprintf(x->fix, sizeof(x->fix), "%s ", fix);
			if (b.domain)
				l += (size_t)snprintf(x->fix + l, sizeof(x->fix) - l, "%04x:", b.domain);
			l += (size_t)snprintf(x->fix + l, sizeof(x->fix) - l, "%02x:%02x %s", b.bus, b.dev, tail);
		} else if (!x->fix[0] || !x->host[0] || pl_bdf_parse(x->host, &b)) {
			continue;
		}
		if (l >= sizeof(x->fix))
			continue;
		rc = pl_cli_pve_fix_lines(conf, &o, sys, &b, lines, sizeof(lines));
		if (lines[0])
			snprintf(x->fix + l, sizeof(x->fix) - l, ", which %s: %s", rc ? "refuses" : "writes", lines);
	}
}

static void fix_cmd(const struct check_args *a, const struct pl_guest *g, char *buf, size_t len)
{
	size_t n = a->domain ? (size_t)snprintf(buf, len, "pcilink gen-libvirt-xml --domain %s", a->domain)
		   : a->proxmox ? (size_t)snprintf(buf, len, "pcilink gen-proxmox --conf %s%s%s%s%s", a->proxmox,
						   a->mapping ? " --mapping " : "", a->mapping ? a->mapping : "",
						   a->node ? " --node " : "", a->node ? a->node : "")
				: (size_t)snprintf(buf, len, "pcilink gen-qemu-args");

	if (g->qemu.known && n < len)
		n += (size_t)snprintf(buf + n, len - n, " --qemu-version %d.%d", g->qemu.major, g->qemu.minor);
	if (a->c.dump && n < len)
		n += (size_t)snprintf(buf + n, len - n, " --dump %s", a->c.dump);
	else if (a->c.sysfs && n < len)
		snprintf(buf + n, len - n, " --sysfs %s", a->c.sysfs);
}

/* Inside the VM: the guest's own PCI view against the plan, or QEMU's made-up links. */
static int inside(const struct pl_ctx *ctx, struct check_args *a)
{
	struct pl_system *sys = NULL;
	struct pl_dev **sel = NULL;
	struct pl_findings f = { 0 };
	struct pl_check_report rep;
	struct pl_guest g;
	char err[300], *plan = NULL;
	size_t n, plen = 0;
	int rc = a->plan ? pl_cli_slurp(ctx, a->plan, PL_CHECK_MAX_INPUT, "a pcilink plan", &plan, &plen) : PL_EXIT_OK;

	pl_guest_init(&g, PL_GUEST_INSIDE);
	snprintf(g.name, sizeof(g.name), "%s", a->c.dump ? a->c.dump : a->c.sysfs ? a->c.sysfs : "this guest");
	g.machine[0] = 0;
	if (!rc)
		rc = pl_cli_load(ctx, &a->c, &sys, &sel, &n);
	if (!rc && pl_check_inside(sys, plan, plen, &f, err, sizeof(err))) {
		pl_err(ctx, "%s: %s", a->plan, err);
		rc = PL_EXIT_FAIL;
	}
	if (!rc) {
		rep.g = &g;
		rep.findings = &f;
		rc = pl_check_emit(a->c.format, &rep, stdout) ? PL_EXIT_FAIL
			: pl_findings_count(&f, PL_SEV_WARNING) ? PL_EXIT_FINDINGS : PL_EXIT_OK;
	}
	pl_findings_free(&f);
	pl_guest_free(&g);
	free(plan);
	free(sel);
	pl_cli_free(sys);
	return rc;
}

int cmd_check(int argc, char **argv, struct pl_ctx *ctx)
{
	static const struct argp argp = {
		.options = options,
		.parser = parse,
		.args_doc = "",
		.doc = "Check an existing VM: for each assigned host function, where it sits in the guest, "
		       "the link the port above it advertises (by QEMU's own rules: explicit values, -set, "
		       "-global, the machine type's defaults, port types without link properties) and whether "
		       "the guest gets AtomicOps, against what the host gives. Findings name the fix: the "
		       "pcilink command that writes a configuration without them. Changes nothing."
		       "\vExit status: 0 no findings (notes only), 3 findings (warnings or errors), 1 failure, "
		       "2 usage error.\n\nExamples:\n"
		       "  pcilink check --pid $(pgrep -f qemu-system | head -n1)\n"
		       "  pcilink check --qemu-cmdline vm.sh --dump host.lspci -o json\n"
		       "  virsh dumpxml vm1 | pcilink check --domain -\n"
		       "  pcilink check --qmp /run/vm1.qmp\n"
		       "  pcilink check --guest --plan plan.json      (inside the VM)",
	};
	struct check_args a = { .c = { .format = "text", .all = true } };
	struct pl_check_report rep;
	struct pl_system *sys = NULL;
	struct pl_dev **sel = NULL;
	struct pl_findings f = { 0 };
	struct pl_check_opts co = { 0 };
	struct pl_guest g;
	char fix[600], emulator[256] = "", tail[300], *cbuf = NULL, *mbuf = NULL;
	struct pl_pve_conf conf = { 0 };
	size_t n;
	int rc;

	if (pl_cli_parse(&argp, argc, argv, 0, &a, ctx->verb))
		return PL_EXIT_USAGE;
	if (!strcmp(a.c.format, "help")) {
		pl_check_formats(stdout);
		return PL_EXIT_OK;
	}
	if (a.guest) {
		rc = inside(ctx, &a);
		free(a.c.numa);
		return rc;
	}
	pl_guest_init(&g, PL_GUEST_CMDLINE);
	/* the QEMU first: the reader's compat rules depend on it; a domain names its own */
	rc = a.domain ? read_domain(ctx, &a, &g, emulator, sizeof(emulator)) : PL_EXIT_OK;
	if (!rc && a.qmp)
		rc = read_qmp(ctx, &a, &g);
	if (!rc && !g.qemu.known)
		rc = target(ctx, &a, emulator, &g);
	if (!rc && a.proxmox) {
		/* the host first: an "All Functions" entry passes every function it has there */
		rc = pl_cli_load(ctx, &a.c, &sys, &sel, &n);
		if (!rc)
			rc = read_proxmox(ctx, &a, &g, sys, &conf, &cbuf, &mbuf);
		if (!rc)
			pl_guest_resolve(&g);
	} else if (!rc) {
		if (!a.domain && !a.qmp)
			rc = read_cmdline(ctx, &a, &g);
		if (!rc) {
			pl_guest_resolve(&g);
			rc = pl_cli_load(ctx, &a.c, &sys, &sel, &n);
		}
	}
	if (rc)
		goto out;
	fix_cmd(&a, &g, fix, sizeof(fix));
	co.fix_cmd = fix;
	snprintf(tail, sizeof(tail), "> %s.new", a.proxmox && strcmp(a.proxmox, "-") ? a.proxmox : "VMID.conf");
	co.fix_tail = a.proxmox ? tail : co.fix_tail;
	if (pl_check(&g, sys, &co, &f)) {
		pl_err(ctx, "out of memory");
		rc = PL_EXIT_FAIL;
		goto out;
	}
	if (a.proxmox)
		proxmox_lines(&conf, &g, sys, fix, tail, &f);
	rep.g = &g;
	rep.findings = &f;
	if (pl_check_emit(a.c.format, &rep, stdout))
		rc = PL_EXIT_FAIL;
	else
		rc = pl_findings_count(&f, PL_SEV_WARNING) ? PL_EXIT_FINDINGS : PL_EXIT_OK;
out:
	free(a.c.numa);
	pl_pve_free(&conf);
	free(cbuf);
	free(mbuf);
	pl_findings_free(&f);
	pl_guest_free(&g);
	free(sel);
	pl_cli_free(sys);
	return rc;
}
