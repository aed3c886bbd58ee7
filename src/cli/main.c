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

static int cmd_help(int argc, char **argv, struct pl_ctx *ctx);

static const struct pl_cmd commands[] = {
	{ "probe", cmd_probe, "show links, paths, AtomicOps, the recommendation" },
	{ "gen-qemu-args", cmd_gen_qemu, "print QEMU root ports and vfio-pci devices" },
	{ "gen-libvirt-xml", cmd_gen_libvirt, "print libvirt root ports, host devices and link overrides" },
	{ "gen-proxmox", cmd_gen_proxmox, "print Proxmox VE hostpci and args lines, or merge them" },
	{ "check", cmd_check, "check a VM's ports, links and AtomicOps against the host" },
	{ "help", cmd_help, "this list, or a command's options (help COMMAND)" },
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
	fprintf(f, "\n'pcilink COMMAND --help' (or -h, or 'pcilink help COMMAND') shows a command's "
		   "options; they may also come before the command. Exit status: 0 success, 1 failure, "
		   "2 usage error, 3 check found something.");
	fclose(f);
	return buf;
}

struct root_state {
	const struct pl_cmd *cmd;
	int index;
};

static const struct argp_option root_options[] = {
	{ NULL, 'h', NULL, OPTION_HIDDEN, "give this help list", -1 },
	{ 0 }
};

static error_t root_parse(int key, char *arg, struct argp_state *state)
{
	struct root_state *rs = state->input;

	switch (key) {
	case 'h':
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP);
		return 0;
	case ARGP_KEY_ARG:
		rs->cmd = find_cmd(arg);
		if (!rs->cmd)
			argp_error(state, "'%s' is not a pcilink command; 'pcilink help' lists them", arg);
		rs->index = state->next - 1;
		state->next = state->argc;      /* the rest belongs to the command */
		return 0;
	case ARGP_KEY_NO_ARGS:
		argp_error(state, "a command is required; 'pcilink help' lists them");
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

static const struct argp root = {
	.options = root_options,
	.parser = root_parse,
	.args_doc = "COMMAND [ARG...]",
	.doc = "Match QEMU's virtual PCIe root ports to the host's real links.\v",
	.help_filter = help_filter,
};

/* pcilink help [COMMAND]: the list, or what COMMAND --help says. */
static int cmd_help(int argc, char **argv, struct pl_ctx *ctx)
{
	const struct pl_cmd *c = argc > 1 ? find_cmd(argv[1]) : NULL;
	char name[64], help[] = "--help";

	if (argc < 2 || c == find_cmd("help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		struct root_state rs = { 0 };

		/* argp adds --help, --usage and --version to what it parses, not to argp_help() */
		return pl_cli_parse(&root, 2, (char *[]){ "pcilink", help, NULL }, 0, &rs, NULL);
	}
	if (argc > 2) {
		pl_err(ctx, "give one command name, e.g. 'pcilink help probe'");
		return PL_EXIT_USAGE;
	}
	if (!c) {
		pl_err(ctx, "'%s' is not a pcilink command; 'pcilink help' lists them", argv[1]);
		return PL_EXIT_USAGE;
	}
	ctx->verb = c->name;
	snprintf(name, sizeof(name), "pcilink %s", c->name);
	return c->fn(2, (char *[]){ name, help, NULL }, ctx);
}

static bool root_option(const char *a)
{
	static const char *const o[] = { "-h", "-?", "--help", "--usage", "-V", "--version" };

	for (size_t i = 0; i < sizeof(o) / sizeof(o[0]); i++)
		if (!strcmp(a, o[i]))
			return true;
	return false;
}

/*
 * "pcilink -o json probe": options before the command are the command's, moved after it
 * (argv[1..i-1] and the command word rotate). Without a command word, a message that says where
 * options go. Returns -1 to go on, else an exit code.
 */
static int options_first(int argc, char **argv)
{
	int i;

	if (argc < 2 || argv[1][0] != '-' || root_option(argv[1]))
		return -1;
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (find_cmd(argv[i]))
			break;
	if (i == argc || !find_cmd(argv[i])) {
		pl_err(NULL, "%s: no command given; options go with one, before or after it (e.g. "
			     "'pcilink probe --all'); 'pcilink help' lists the commands", argv[1]);
		return PL_EXIT_USAGE;
	}
	char *cmd = argv[i];

	memmove(argv + 2, argv + 1, (i - 1) * sizeof(*argv));
	argv[1] = cmd;
	return -1;
}

int main(int argc, char **argv)
{
	struct root_state rs = { 0 };
	struct pl_ctx ctx = { 0 };
	char name[64];
	int rc;

	argp_err_exit_status = PL_EXIT_USAGE;
	if ((rc = options_first(argc, argv)) >= 0)
		return pl_cli_finish(&ctx, rc);
	if (pl_cli_parse(&root, argc, argv, ARGP_IN_ORDER, &rs, NULL) || !rs.cmd)
		return pl_cli_finish(&ctx, PL_EXIT_USAGE);
	ctx.verb = rs.cmd->name;
	/* the command's usage lines read "pcilink VERB ..." */
	snprintf(name, sizeof(name), "pcilink %s", rs.cmd->name);
	argv[rs.index] = name;
	return pl_cli_finish(&ctx, rs.cmd->fn(argc - rs.index, argv + rs.index, &ctx));
}
