/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check's output: text, JSON, YAML (schema in man/pcilink.1, CHECK SCHEMA). */
#ifndef PL_EMIT_CHECK_H
#define PL_EMIT_CHECK_H

#include <stdbool.h>
#include <stdio.h>

#include "check.h"

#define PL_CHECK_SCHEMA_VERSION 1

struct pl_check_report {
	const struct pl_guest *g;
	const struct pl_findings *findings;
};

/* format: "text", "json" or "yaml". */
int pl_check_emit(const char *format, const struct pl_check_report *r, FILE *out);
bool pl_check_format_ok(const char *format);
/* "name\thelp" per format (--format help). */
void pl_check_formats(FILE *out);

#endif
