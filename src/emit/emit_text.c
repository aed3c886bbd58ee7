/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The report for people: one compact block per function, lspci's vocabulary. Not for parsing. */
#include <ctype.h>
#include <stdio.h>

#include <pci/header.h>

#include "emit.h"

struct ink {
	const char *bold, *warn, *off;
};

/* "16GT/s", or "unknown" */
static const char *sp(int s)
{
	static const char *const t[PL_SPEED_MAX + 1] = { "unknown", "2.5GT/s", "5GT/s", "8GT/s",
							 "16GT/s", "32GT/s", "64GT/s" };

	return s >= 0 && s <= PL_SPEED_MAX ? t[s] : t[0];
}

static void lnk(FILE *out, const char *tag, int speed, int width, const char *suffix)
{
	fprintf(out, "%s Speed %s, Width ", tag, sp(speed));
	if (width == PL_WIDTH_UNKNOWN)
		fprintf(out, "unknown");
	else
		fprintf(out, "x%d", width);
	fprintf(out, "%s", suffix);
}

static void gbps(FILE *out, uint32_t mbps)
{
	if (mbps)
		fprintf(out, "%u.%03u Gb/s", mbps / 1000, mbps % 1000);
	else
		fprintf(out, "unknown");
}

static void atomics_line(FILE *out, const struct pl_dev *d, const struct ink *k)
{
	const struct pl_analysis *an = &d->an;
	const struct pl_pcie *p = &d->pcie;

	fprintf(out, "\tAtomicOps: ");
	if (!p->dev2_known) {
		if (an->atomics_unknown[0])
			fprintf(out, "host support unknown: %s\n", an->atomics_unknown);
		else
			fprintf(out, "no DevCap2 (capability v1)\n");
		return;
	}
	fprintf(out, "DevCap2 32bit%c 64bit%c 128bitCAS%c", pl_dev_has_completer(d, 0) ? '+' : '-',
		pl_dev_has_completer(d, 1) ? '+' : '-', pl_dev_has_completer(d, 2) ? '+' : '-');
	if (!an->atomics_known) {
		fprintf(out, "; host support unknown: %s\n", an->atomics_unknown);
		return;
	}
	fprintf(out, "; host gives:");
	bool any = false;

	for (int i = 0; i < PL_ATOMIC_N; i++)
		if (an->host_atomics[i]) {
			fprintf(out, " %s", pl_atomic_names[i]);
			any = true;
		}
	fprintf(out, "%s\n", any ? "" : " none");
	if (!pl_dev_has_completer(d, 0) && !pl_dev_has_completer(d, 1) && !pl_dev_has_completer(d, 2)) {
		/* the three reasons of the JSON report in one line */
		fprintf(out, "\t  %sno 32-, 64- or 128-bit%s: the device does not advertise the completers "
			"(vfio reports only widths the device completes)\n", k->warn, k->off);
		return;
	}
	for (int i = 0; i < PL_ATOMIC_N; i++)
		if (!an->host_atomics[i] && an->atomic_why[i])
			fprintf(out, "\t  %sno %s-bit%s: %s\n", k->warn, pl_atomic_names[i], k->off,
				an->atomic_why[i]);
}

static void device(const struct pl_emit_in *in, const struct pl_dev *d, FILE *out, const struct ink *k)
{
	const struct pl_analysis *an = &d->an;
	const struct pl_pcie *p = &d->pcie;
	char b[16], gap[96];

	fprintf(out, "%s%s%s [%04x]: ", k->bold, pl_bdf_fmt(&d->bdf, b, sizeof(b)), k->off,
		d->class_code >> 8);
	if (!in->numeric && d->vendor_name)
		fprintf(out, "%s ", d->vendor_name);
	if (!in->numeric && d->device_name)
		fprintf(out, "%s ", d->device_name);
	fprintf(out, "[%04x:%04x]\n", d->vendor, d->device);
	fprintf(out, "\t");
	if (d->driver)
		fprintf(out, "driver %s, ", d->driver);
	if (d->iommu_group)
		fprintf(out, "IOMMU group %s, ", d->iommu_group);
	if (d->numa_node >= 0)
		fprintf(out, "NUMA node %d, ", d->numa_node);
	if (d->physfn_known)
		fprintf(out, "VF of %s, ", pl_bdf_fmt(&d->physfn, b, sizeof(b)));
	fprintf(out, "parent %s\n", d->parent ? pl_bdf_fmt(&d->parent->bdf, b, sizeof(b)) : "none");
	pl_dev_cfg_gap(in->sys, d, gap, sizeof(gap));
	if (!d->is_pcie) {
		/* in sysfs the kernel would have shown link attributes for a PCIe function */
		if (d->caps_broken)
			fprintf(out, "\tNo PCI Express capability found: the capability list is broken\n");
		else if (gap[0] && (in->sys->kind == PL_SOURCE_DUMP || d->cfg.len < 64))
			fprintf(out, "\t%c%s\n", toupper((unsigned char)gap[0]), gap + 1);
		else
			fprintf(out, "\tConventional PCI (no PCI Express capability)\n");
	} else {
		fprintf(out, "\tExpress %s", pl_port_type_label(p->type));
		if (p->src == PL_SRC_SYSFS)
			fprintf(out, " (inferred: %s; link from sysfs)\n", gap);
		else if (d->physfn_known && !p->has_link)
			fprintf(out, ", capability v%d at 0x%02x; an SR-IOV VF: no link registers of its own\n",
				p->version, p->cap_off);
		else
			fprintf(out, ", capability v%d at 0x%02x\n", p->version, p->cap_off);
		if (p->has_link) {
			const struct pl_link *l = &p->link;
			const char *down = "";
			bool cfg = p->src == PL_SRC_CONFIG;
			/* the register as lspci prints it; sysfs gives only the kernel's maximum */
			int cap = cfg ? l->cap_speed : l->max_speed;

			/* like lspci: a port below its capability only follows its partner */
			bool port = p->type == PL_TYPE_ROOT_PORT || p->type == PL_TYPE_DOWNSTREAM ||
				    p->type == PL_TYPE_PCI_PCIE;

			if (l->width == 0)
				down = " (link down)";
			else if (!port && ((l->speed && l->speed < cap) ||
					   (l->width > 0 && l->max_width > 0 && l->width < l->max_width)))
				down = " (downgraded)";
			lnk(out, cfg ? "\tLnkCap:" : "\tmax_link:", cap, l->max_width, ";");
			lnk(out, cfg ? " LnkSta:" : " current_link:", l->speed, l->width, down);
			fprintf(out, "\n");
			if (l->supported_known && l->supported) {
				fprintf(out, "\tLnkCap2: Supported Link Speeds:");
				for (int s = 1; s <= PL_SPEED_MAX; s++)
					if (l->supported & (1u << (s - 1)))
						fprintf(out, " %s", sp(s));
				fprintf(out, "\n");
			}
			if (cfg && l->max_speed != l->cap_speed)
				fprintf(out, "\tKernel max speed: %s\n", sp(l->max_speed));
		}
		if (p->type != PL_TYPE_ENDPOINT && p->type != PL_TYPE_LEG_END && p->type != PL_TYPE_RC_END &&
		    p->dev2_known)
			fprintf(out, "\tAtomicOpsCap: Routing%c 32bit%c 64bit%c 128bitCAS%c\n",
				p->devcap2 & PCI_EXP_DEVCAP2_ATOMICOP_ROUTING ? '+' : '-',
				pl_dev_has_completer(d, 0) ? '+' : '-', pl_dev_has_completer(d, 1) ? '+' : '-',
				pl_dev_has_completer(d, 2) ? '+' : '-');
	}
	for (int i = an->nhops; i-- > 0;) {
		const struct pl_hop *h = &an->hops[i];
		char pb[16];

		fprintf(out, "\t%s %s (%s) -> %s: ", i == an->nhops - 1 ? "Path:" : "     ",
			pl_bdf_fmt(&h->port->bdf, pb, sizeof(pb)), pl_port_type_label(h->port->pcie.type),
			pl_bdf_fmt(&h->below->bdf, b, sizeof(b)));
		fprintf(out, "cap %s x", sp(h->max_speed));
		h->max_width == PL_WIDTH_UNKNOWN ? fputc('?', out) : fprintf(out, "%d", h->max_width);
		fprintf(out, ", sta %s x", sp(h->speed));
		h->width == PL_WIDTH_UNKNOWN ? fputc('?', out) : fprintf(out, "%d", h->width);
		fprintf(out, "%s%s%s\n", h->internal ? " [inside the device]" : "",
			i == an->slot_hop ? " [slot]" : "",
			i == an->limit_sta_hop && an->diagnosis != PL_DIAG_NONE ? " [limiting]" : "");
	}
	if (d->is_pcie && p->has_link && !pl_dev_is_bridge(d)) {
		fprintf(out, "\tBandwidth: capable ");
		gbps(out, an->dev_capable_mbps);
		if (an->path_capable_mbps && an->path_capable_mbps < an->dev_capable_mbps) {
			fprintf(out, " (path ");
			gbps(out, an->path_capable_mbps);
			fprintf(out, ")");
		}
		fprintf(out, ", available ");
		gbps(out, an->available_mbps);
		fprintf(out, "\n\tDiagnosis: %s\n", an->diag_text);
	}
	if (d->is_pcie && p->type != PL_TYPE_ROOT_PORT && p->type != PL_TYPE_DOWNSTREAM &&
	    p->type != PL_TYPE_UPSTREAM)
		atomics_line(out, d, k);
	if (an->rec_ok)
		fprintf(out, "\t%sRecommend: x-speed=%s,x-width=%d%s (policy host%s%s)\n", k->bold,
			pl_speed_qemu(an->rec_speed), an->rec_width, k->off, an->rec_why[0] ? "; " : "",
			an->rec_why);
	else if (an->rec_why[0] && !pl_dev_is_bridge(d))
		fprintf(out, "\tRecommend: none: %s\n", an->rec_why);
	for (const struct pl_diag *g = d->diags; g; g = g->next)
		fprintf(out, "\t%swarning:%s %s\n", k->warn, k->off, g->msg);
}

static int emit_text(const struct pl_emit_in *in, FILE *out)
{
	static const struct ink plain = { "", "", "" }, color = { "\033[1m", "\033[33m", "\033[0m" };
	const struct ink *k = in->color ? &color : &plain;

	for (size_t i = 0; i < in->ndev; i++) {
		if (i)
			fputc('\n', out);
		device(in, in->devs[i], out, k);
	}
	if (in->sys->diags && in->ndev)
		fputc('\n', out);
	for (const struct pl_diag *g = in->sys->diags; g; g = g->next)
		fprintf(out, "%swarning:%s %s\n", k->warn, k->off, g->msg);
	return ferror(out) ? PL_EACCES : PL_OK;
}

const struct pl_emitter pl_emit_text = {
	.name = "text",
	.help = "a report for people (not for parsing)",
	.kinds = PL_EMIT_REPORT,
	.emit = emit_text,
};
