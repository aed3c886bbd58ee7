/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcilink: global options, the command table, dispatch. */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "version.h"

const char *argp_program_version = "pcilink " PL_VERSION;
const char *argp_program_bug_address = "the pcilink issue tracker";

struct pl_cmd {
	const char *name;
	int (*fn)(int argc, char **argv, struct pl_ctx *ctx);
	const char *summary;
};

static const struct pl_cmd commands[] = {
	{ "probe", cmd_probe, "show links, paths, AtomicOps, the recommendation" },
	{ "gen-qemu-args", cmd_gen_qemu, "print QEMU root ports and vfio-pci devices" },
	{ "gen-libvirt-xml", cmd_gen_libvirt, "print libvirt root ports, host devices and link overrides" },
	{ "gen-proxmox", cmd_gen_proxmox, "print Proxmox VE hostpci and args lines, or merge them into a VM config" },
	{ "check", cmd_check, "check an existing VM's ports, links and AtomicOps against the host" },
};

static const struct pl_cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static char *help_filter(int key, const char *text, void *input)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)input;
	if (key != ARGP_KEY_HELP_POST_DOC)
		return (char *)text;
	f = open_memstream(&buf, &len);
	if (!f)
		return (char *)text;
	fprintf(f, "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-18s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'pcilink COMMAND --help' shows a command's options. Exit status: 0 success, "
		   "1 failure, 2 usage error, 3 check found something.");
	fclose(f);
	return buf;
}

struct root_state {
	const struct pl_cmd *cmd;
	int index;
};

static error_t root_parse(int key, char *arg, struct argp_state *state)
{
	struct root_state *rs = state->input;

	switch (key) {
	case ARGP_KEY_ARG:
		rs->cmd = find_cmd(arg);
		if (!rs->cmd)
			argp_error(state, "'%s' is not a pcilink command", arg);
		rs->index = state->next - 1;
		state->next = state->argc;      /* the rest belongs to the command */
		return 0;
	case ARGP_KEY_NO_ARGS:
		argp_error(state, "a command is required");
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

int main(int argc, char **argv)
{
	static const struct argp root = {
		.parser = root_parse,
		.args_doc = "COMMAND [ARG...]",
		.doc = "Match QEMU's virtual PCIe root ports to the host's real links.\v",
		.help_filter = help_filter,
	};
	struct root_state rs = { 0 };
	struct pl_ctx ctx;
	char name[64];

	argp_err_exit_status = PL_EXIT_USAGE;
	if (argp_parse(&root, argc, argv, ARGP_IN_ORDER, NULL, &rs) || !rs.cmd)
		return PL_EXIT_USAGE;
	ctx.verb = rs.cmd->name;
	/* the command's usage lines read "pcilink VERB ..." */
	snprintf(name, sizeof(name), "pcilink %s", rs.cmd->name);
	argv[rs.index] = name;
	return pl_cli_finish(&ctx, rs.cmd->fn(argc - rs.index, argv + rs.index, &ctx));
}
