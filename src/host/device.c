/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Per-function decode glue: pure decoders plus the diagnostics and fallbacks around them. */
#include <stdio.h>
#include <string.h>

#include <pci/header.h>

#include "decode.h"
#include "device.h"

static void decode_sysfs_link(struct pl_system *sys, struct pl_dev *d)
{
	struct pl_pcie *p = &d->pcie;
	int mw;

	/* the kernel shows these attributes only for PCI Express functions */
	if (!d->sys_max_speed && !d->sys_max_width)
		return;
	/* 64 bytes (128 for CardBus) is the kernel's limit for readers without CAP_SYS_ADMIN */
	if (d->cfg.len == 64 || d->cfg.len == 128)
		sys->config_denied = true;
	d->is_pcie = true;
	memset(p, 0, sizeof(*p));
	p->src = PL_SRC_SYSFS;
	p->version = p->type = -1;
	p->link.port = -1;
	p->link.max_speed = pl_speed_from_sysfs(d->sys_max_speed);
	mw = pl_width_from_sysfs(d->sys_max_width);
	p->link.max_width = mw == 0 ? PL_WIDTH_UNKNOWN : mw;
	p->link.speed = pl_speed_from_sysfs(d->sys_cur_speed);
	p->link.width = pl_width_from_sysfs(d->sys_cur_width);
	p->has_link = p->link.max_speed || p->link.max_width > 0;
}

static const char *gts(int speed, char *buf, size_t len)
{
	const char *s = pl_speed_gts_str(speed);

	snprintf(buf, len, "%s%s", s ? s : "unknown", s ? "GT/s" : "");
	return buf;
}

/* Say where Linux 6.13+ reads the maximum speed differently from LnkCap2 or LnkCap (REFERENCE 8.1). */
static void speed_rule_diags(struct pl_dev *d)
{
	const struct pl_link *l = &d->pcie.link;
	char list[64] = "", code[32], b1[16], b2[16];
	size_t n = 0;

	if (!d->pcie.has_link)
		return;
	if (l->cap_speed)
		gts(l->cap_speed, code, sizeof(code));
	else
		snprintf(code, sizeof(code), "(reserved code %u)", d->pcie.lnkcap & PCI_EXP_LNKCAP_SPEED);
	if (l->ignored) {
		for (int s = 1; s <= PL_SPEED_MAX; s++)
			if (l->ignored & (1u << (s - 1)))
				n += snprintf(list + n, sizeof(list) - n, "%s%s", n ? " " : "",
					      gts(s, b1, sizeof(b1)));
		pl_dev_diag(d, "LnkCap2 lists %s above Max Link Speed %s, which Linux 6.13 and later "
			    "ignore (max %s); kernels before 6.13 report %s", list, code,
			    gts(l->max_speed, b1, sizeof(b1)),
			    gts(pl_speed_from_vector(l->supported), b2, sizeof(b2)));
	} else if (!l->max_speed && l->cap_speed > PL_SPEED_5 && !l->supported) {
		pl_dev_diag(d, "%s, and the kernel derives only 2.5 and 5GT/s from Max Link Speed: it "
			    "reports the maximum of this %s link as unknown",
			    d->pcie.lnkcap2_read ? "LnkCap2 lists no speed"
			    : d->pcie.version >= 2 ? "LnkCap2 is not in the input"
						   : "a version 1 capability has no LnkCap2", code);
	}
}

void pl_dev_decode(struct pl_system *sys, struct pl_dev *d)
{
	const struct pl_cfg *c = &d->cfg;
	struct pl_why why = { { 0 } };
	unsigned off;
	int rc;

	/* not root, an 'lspci -x' dump, an unreadable or short file: whether sysfs fills in or not */
	if (c->len < PL_CFG_SIZE)
		sys->config_short = true;
	if (c->len == 0) {
		pl_dev_diag(d, "%s", sys->kind == PL_SOURCE_DUMP ? "config space is not in the input"
							 : "config space could not be read");
		return;
	}
	rc = pl_decode_header(c, d);
	if (rc == PL_EACCES) {
		pl_dev_diag(d, "only %u bytes of config space could be read: not even the header", c->len);
		return;
	}
	if (rc == PL_ENOENT) {
		pl_dev_diag(d, "config space reads as all ones: the device did not answer");
		return;
	}
	if (rc)
		return;
	if (c->len < PL_CFG_SIZE && (sys->kind != PL_SOURCE_DUMP || c->len <= 64)) {
		/* only the header was readable (not root, or an 'lspci -x' dump) */
		if (sys->kind != PL_SOURCE_DUMP && c->len < 64)
			pl_dev_diag(d, "config space is only %u bytes long: link facts come from sysfs", c->len);
		if (sys->kind == PL_SOURCE_DUMP)
			pl_dev_diag(d, "only %u bytes of config space in the dump: capture with "
				    "'lspci -xxx' as root", c->len);
		else
			decode_sysfs_link(sys, d);
		return;
	}
	off = pl_find_cap(c, PCI_CAP_ID_EXP, &why);
	if (why.msg[0]) {
		pl_dev_diag(d, "%s", why.msg);
		d->caps_broken = !off;
	}
	if (!off)
		return;
	why.msg[0] = 0;
	d->is_pcie = true;
	pl_decode_pcie(c, off, &d->pcie, &why);
	if (d->physfn_known && d->pcie.has_link && !d->pcie.lnkcap) {
		/* a VF: link registers RsvdZ (SR-IOV 1.1, 3.5.6), not a malformed capability */
		d->pcie.has_link = false;
		return;
	}
	if (why.msg[0])
		pl_dev_diag(d, "%s", why.msg);
	speed_rule_diags(d);
}

void pl_dev_infer_type(struct pl_dev *d)
{
	const struct pl_dev *p = d->parent;
	bool bridge = pl_dev_is_bridge(d);

	if (!d->is_pcie || d->pcie.src != PL_SRC_SYSFS || d->pcie.type >= 0 || !d->cfg.len)
		return;
	if (!bridge)
		d->pcie.type = p ? PL_TYPE_ENDPOINT : PL_TYPE_RC_END;
	else if (!p)
		d->pcie.type = PL_TYPE_ROOT_PORT;
	else if (p->pcie.type == PL_TYPE_ROOT_PORT || p->pcie.type == PL_TYPE_DOWNSTREAM)
		d->pcie.type = PL_TYPE_UPSTREAM;
	else if (p->pcie.type == PL_TYPE_UPSTREAM)
		d->pcie.type = PL_TYPE_DOWNSTREAM;
	if (d->pcie.type == PL_TYPE_RC_END)
		d->pcie.has_link = false;
}
