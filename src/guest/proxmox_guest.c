/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guest qemu-server builds for a Proxmox VE VM config (REFERENCE.md 8.4), into the guest
 * model: the root ports of its q35 readconfig (pcie-root-port 16/x32 from machine 4.0, ioh3420
 * before), the ports it generates for hostpci4-15, the vfio-pci functions of every hostpci
 * entry where qemu-server puts them, then args: (where -set and -global act). The readconfig
 * text below is written from those facts, not copied from qemu-server.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest.h"
#include "proxmox.h"
#include "util.h"

/* pve-q35-4.0.cfg's ports (pve-q35.cfg: the same as ioh3420 without link values), the
 * bridge pcie=0 devices sit behind */
static void readconfig_text(char *buf, size_t len, bool old)
{
	size_t n = 0;

	for (int k = 1; k <= 4 && n < len; k++)
		n += (size_t)snprintf(buf + n, len - n, "[device \"ich9-pcie-port-%d\"]\n  driver = \"%s\"\n%s"
				      "  multifunction = \"on\"\n  bus = \"pcie.0\"\n  addr = \"1c.%d\"\n"
				      "  port = \"%d\"\n  chassis = \"%d\"\n\n", k, old ? "ioh3420" : "pcie-root-port",
				      old ? "" : "  x-speed = \"16\"\n  x-width = \"32\"\n", k - 1, k, k);
	if (n < len)
		snprintf(buf + n, len - n, "[device \"pcidmi\"]\n  driver = \"i82801b11-bridge\"\n  bus = \"pcie.0\"\n"
			 "  addr = \"1e.0\"\n\n[device \"pci.0\"]\n  driver = \"pci-bridge\"\n  bus = \"pcidmi\"\n"
			 "  addr = \"1.0\"\n  chassis_nr = \"1\"\n");
}

/* The host functions of an entry: "BB:DD" means every function the host input has there. */
static int functions(const struct pl_pve_hostpci *h, const struct pl_system *sys, struct pl_bdf *out, int max)
{
	int n = 0;

	for (int i = 0; i < h->nids; i++) {
		bool found = false;

		if (!h->ids[i].all_fns) {
			if (n < max)
				out[n++] = h->ids[i].bdf;
			continue;
		}
		for (size_t j = 0; sys && j < sys->ndev; j++)
			if (pl_pve_id_matches(&h->ids[i], &sys->devs[j]->bdf) && n < max) {
				out[n++] = sys->devs[j]->bdf;
				found = true;
			}
		if (!found && n < max)
			out[n++] = h->ids[i].bdf;       /* function 0 at least */
	}
	return n;
}

/* The argv qemu-server would build, as far as check reads it. */
struct words {
	char **v;
	size_t n, cap;
};

/* Append w (owned from here on, freed on failure). */
static int take(struct words *a, char *w)
{
	if (!w || pl_grow((void **)&a->v, &a->cap, a->n, sizeof(*a->v))) {
		free(w);
		return PL_ENOMEM;
	}
	a->v[a->n++] = w;
	return PL_OK;
}

/* One argv word: printf'ed, appended. */
static int push(struct words *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int push(struct words *a, const char *fmt, ...)
{
	char *w;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&w, fmt, ap);
	va_end(ap);
	return take(a, rc < 0 ? NULL : w);
}

/* qemu-server's -device words for hostpciN (print_hostpci_devices as REFERENCE 8.4 describes it). */
static int hostpci_words(const struct pl_pve_conf *c, int k, const struct pl_system *sys, struct words *a)
{
	static const int pci0_slot[] = { 0x10, 0x11, 0x1b };
	const struct pl_pve_hostpci *h = &c->hostpci[k];
	struct pl_bdf f[PL_PVE_MAX_IDS * 8];
	int n = functions(h, sys, f, (int)(sizeof(f) / sizeof(f[0]))), slot, fn;
	char bus[32], addr[16];

	if (h->pcie && c->q35) {
		snprintf(bus, sizeof(bus), "ich9-pcie-port-%d", k + 1);
		snprintf(addr, sizeof(addr), "0x0");
		pl_pve_port_addr(k, &slot, &fn);
		if (k >= 4 && (push(a, "-device") ||
				       push(a, "pcie-root-port,id=%s,addr=%x.%x,x-speed=16,x-width=32,"
					   "multifunction=on,bus=pcie.0,port=%d,chassis=%d", bus, slot, fn, k + 1, k + 1)))
			return PL_ENOMEM;
	} else {
		snprintf(bus, sizeof(bus), "pci.0");
		/* hostpci3 and up: an address pcilink does not model; QEMU picks one on the same bus */
		if (k < 3)
			snprintf(addr, sizeof(addr), "0x%x", pci0_slot[k]);
		else
			addr[0] = 0;
	}
	for (int j = 0; j < n; j++) {
		char mf[16] = "";

		if (n > 1)
			snprintf(mf, sizeof(mf), ".%d", j);
		if (push(a, "-device") ||
		    push(a, "vfio-pci,host=%04x:%02x:%02x.%x,id=hostpci%d%s,bus=%s%s%s%s%s", f[j].domain,
			 f[j].bus, f[j].dev, f[j].fn, k, mf, bus, *addr ? ",addr=" : "", addr, *addr ? mf : "",
			 j == 0 && n > 1 ? ",multifunction=on" : ""))
			return PL_ENOMEM;
	}
	return PL_OK;
}

/* [s,e) of args: unquoted, appended */
static int take_word(struct words *a, const char *v, size_t s, size_t e)
{
	char *w = malloc(e - s + 1);

	if (w)
		pl_pve_unquote(v, s, e, w, e - s + 1);
	return take(a, w);
}

/* args: as PVE::Tools::split_args reads it, words paired as the emitter pairs them; nothing when
 * a quote or a final backslash runs to the end (shellwords then gives no word). */
static int args_words(const struct pl_pve_conf *c, struct pl_guest *g, struct words *a)
{
	const char *v = c->buf + c->args_value.off;
	struct pl_pve_arg w;
	size_t i = 0;

	while (pl_pve_args_next(v, c->args_value.len, &i, &w))
		if (w.open) {
			pl_diag_add(&g->diags, &g->diag_tail, "%s:%u: args: a quote or a backslash runs to the end, so "
				    "qemu-server passes none of its words to QEMU: close it", c->name, c->args_line);
			return PL_OK;
		}
	i = 0;
	while (pl_pve_args_next(v, c->args_value.len, &i, &w))
		if (take_word(a, v, w.s, w.e) || (w.ve > w.vs && take_word(a, v, w.vs, w.ve)))
			return PL_ENOMEM;
	return PL_OK;
}

int pl_guest_from_proxmox(struct pl_guest *g, const struct pl_pve_conf *c, const struct pl_system *sys, char *err,
			  size_t errlen)
{
	struct words a = { 0 };
	char cfg[2048];
	int rc = PL_OK;

	pl_guest_set_machine(g, c->has_machine ? c->machine : "pc");
	if (g->q35) {
		bool old = g->mach_major && g->mach_major < 4;

		readconfig_text(cfg, sizeof(cfg), old);
		rc = pl_guest_readconfig(g, cfg, old ? "pve-q35.cfg" : "pve-q35-4.0.cfg", err, errlen);
	}
	for (int k = 0; !rc && k < PL_PVE_MAX_HOSTPCI; k++) {
		const struct pl_pve_hostpci *h = &c->hostpci[k];

		if (!h->present)
			continue;
		if (h->pcie && !c->q35)
			pl_diag_add(&g->refusals, &g->refusal_tail, "hostpci%d has pcie=1 but the machine is not "
				    "q35: qemu-server refuses to start the VM", k);
		if (h->mapping[0] && !h->mapped) {
			pl_diag_add(&g->diags, &g->diag_tail, "hostpci%d uses mapping=%s: give --mapping "
				    "/etc/pve/mapping/pci.cfg to check it", k, h->mapping);
			continue;
		}
		rc = hostpci_words(c, k, sys, &a);
	}
	if (!rc && c->has_args)
		rc = args_words(c, g, &a);
	if (!rc)
		rc = pl_guest_from_qemu_argv(g, a.v, a.n, false, err, errlen);
	if (rc == PL_ENOMEM)
		snprintf(err, errlen, "out of memory");
	/* name devices as the config does: "hostpci3 (100.conf:12)" */
	const char *base = strrchr(c->name, '/') ? strrchr(c->name, '/') + 1 : c->name;

	for (size_t i = 0; i < g->ndev; i++) {
		struct pl_gdev *d = &g->devs[i];
		int k;

		if (!strncmp(d->id, "hostpci", 7) && sscanf(d->id + 7, "%d", &k) == 1 && k >= 0 &&
		    k < PL_PVE_MAX_HOSTPCI && c->hostpci[k].present)
			snprintf(d->origin, sizeof(d->origin), "hostpci%d (%.40s:%u)", k, base, c->hostpci[k].line);
	}
	for (size_t i = 0; i < a.n; i++)
		free(a.v[i]);
	free(a.v);
	return rc;
}
