/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The format table. Adding a format: write emit_<name>.c, add one line here. */
#include <string.h>

#include "emit.h"

static const struct pl_emitter *const emitters[] = {
	&pl_emit_text,
	&pl_emit_json,
	&pl_emit_yaml,
	&pl_emit_shell,
	&pl_emit_args,
	&pl_emit_null,
	&pl_emit_readconfig,
	&pl_emit_libvirt_xml,
};

const struct pl_emitter *pl_emit_find(const char *name, unsigned kind)
{
	for (size_t i = 0; i < sizeof(emitters) / sizeof(emitters[0]); i++)
		if ((emitters[i]->kinds & kind) && !strcmp(emitters[i]->name, name))
			return emitters[i];
	return NULL;
}

void pl_emit_list(unsigned kind, FILE *out)
{
	for (size_t i = 0; i < sizeof(emitters) / sizeof(emitters[0]); i++)
		if (emitters[i]->kinds & kind)
			fprintf(out, "%s\t%s\n", emitters[i]->name, emitters[i]->help);
}
