/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Everything pcilink says on stderr, in one shape: "pcilink: VERB: ...", one line per refusal. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* Warnings wait for the command to succeed: a refusal stands alone on its one line. */
static FILE *held;
static char *held_buf;
static size_t held_len;

/* What argp and getopt print while parsing ("NAME: message", then a wrapped "Try ..." hint). */
static struct {
	FILE *real;
	char *buf;
	size_t len;
} cap;

static const char *cur_verb;    /* the command being run, for messages at exit */
static bool finished;           /* pl_cli_finish checked stdout */

static void release_held(bool print)
{
	if (!held)
		return;
	fclose(held);
	if (print && held_buf)
		fputs(held_buf, stderr);
	free(held_buf);
	held = NULL;
	held_buf = NULL;
}

static void prefix(FILE *f, const char *verb)
{
	fputs("pcilink: ", f);
	if (verb)
		fprintf(f, "%s: ", verb);
}

/* kind NULL: an error, now; else "warning: " or "note: ", held until success */
static void vmsg(const struct pl_ctx *ctx, const char *kind, const char *fmt, va_list ap)
{
	FILE *f = stderr;

	if (kind) {
		if (!held)
			held = open_memstream(&held_buf, &held_len);
		if (held)
			f = held;
	} else {
		fflush(stdout);
		release_held(false);
	}
	prefix(f, ctx ? ctx->verb : NULL);
	if (kind)
		fputs(kind, f);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
}

void pl_err(const struct pl_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(ctx, NULL, fmt, ap);
	va_end(ap);
}

void pl_warn(const struct pl_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(ctx, "warning: ", fmt, ap);
	va_end(ap);
}

void pl_note(const struct pl_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(ctx, "note: ", fmt, ap);
	va_end(ap);
}

/* getopt's own complaints (an unknown option, a missing argument) deserve a pointer to the list. */
static bool from_getopt(const char *msg)
{
	static const char *const pats[] = { "invalid option", "unrecognized option", "requires an argument",
					    "allow an argument", "is ambiguous" };

	for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++)
		if (strstr(msg, pats[i]))
			return true;
	return false;
}

/* Say what argp and getopt said, our way: the message line(s) without their name, no "Try" hint. */
static void release_stderr(void)
{
	char *line, *next;

	if (!cap.real)
		return;
	fclose(stderr);
	stderr = cap.real;
	cap.real = NULL;
	for (line = cap.buf; line && *line; line = next) {
		char *msg = strstr(line, ": ");

		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		else
			next = line + strlen(line);
		if (!strncmp(line, "Try `", 5))
			break;
		prefix(stderr, cur_verb);
		fputs(msg ? msg + 2 : line, stderr);
		if (from_getopt(line))
			fprintf(stderr, "; 'pcilink %s%s--help' lists the options", cur_verb ? cur_verb : "",
				cur_verb ? " " : "");
		fputc('\n', stderr);
	}
	free(cap.buf);
	cap.buf = NULL;
}

/* argp exits from inside (--help, --version, errors): stdout is checked there too. */
static void at_exit(void)
{
	release_stderr();
	if (finished)
		return;
	if ((fflush(stdout) || ferror(stdout)) && errno != EPIPE) {
		prefix(stderr, cur_verb);
		fprintf(stderr, "write error on stdout: %s\n", strerror(errno));
		_exit(PL_EXIT_FAIL);
	}
}

int pl_cli_parse(const struct argp *argp, int argc, char **argv, unsigned flags, void *input,
		 const char *verb)
{
	static bool registered;
	FILE *m;
	int rc;

	if (!registered)
		registered = !atexit(at_exit);
	cur_verb = verb;
	m = open_memstream(&cap.buf, &cap.len);
	if (m) {
		cap.real = stderr;
		stderr = m;
	}
	rc = argp_parse(argp, argc, argv, flags, NULL, input);
	release_stderr();
	return rc ? PL_EXIT_USAGE : PL_EXIT_OK;
}

void pl_cli_stdin_once(struct argp_state *state, const char *const names[], const char *const vals[], int n)
{
	const char *first = NULL;

	for (int i = 0; i < n; i++) {
		if (!vals[i] || strcmp(vals[i], "-"))
			continue;
		if (first)
			argp_error(state, "%s - and %s - both name standard input, which can be read only once; "
					  "give a file for one of them", first, names[i]);
		first = names[i];
	}
}

int pl_cli_finish(const struct pl_ctx *ctx, int rc)
{
	finished = true;
	if ((fflush(stdout) || ferror(stdout)) && errno != EPIPE) {
		pl_err(ctx, "write error on stdout: %s", strerror(errno));
		return PL_EXIT_FAIL;
	}
	release_held(rc == PL_EXIT_OK || rc == PL_EXIT_FINDINGS);       /* the output was made */
	return rc;
}
