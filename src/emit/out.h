/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Structured output, streamed: JSON and YAML from one walk of the model or the plan. The walk
 * calls begin/end and scalars; nothing is built in memory, so a host of 10,000 functions costs
 * what its output costs (a json-c tree per device took half of probe's time: BENCHMARKS.md).
 *
 * Inside a map every call names its key; inside a list (and at the top) key is NULL.
 */
#ifndef PL_OUT_H
#define PL_OUT_H

#include <stdbool.h>
#include <stdio.h>

struct pl_out;

/* JSON laid out as json-c's PRETTY|SPACED|NOSLASHESCAPE (two spaces, "key": value). */
struct pl_out *pl_out_json(FILE *f);
/* YAML through libyaml's emitter, block style, every string scalar double-quoted. */
struct pl_out *pl_out_yaml(FILE *f);
/* Finish the document; PL_OK, or PL_EACCES when writing failed. Frees o. */
int pl_out_close(struct pl_out *o);

void pl_out_map(struct pl_out *o, const char *key);
void pl_out_list(struct pl_out *o, const char *key);
void pl_out_end(struct pl_out *o);

void pl_out_str(struct pl_out *o, const char *key, const char *s);    /* NULL: null */
void pl_out_int(struct pl_out *o, const char *key, long long v);
void pl_out_num(struct pl_out *o, const char *key, const char *text); /* a number as spelled; NULL: null */
void pl_out_bool(struct pl_out *o, const char *key, bool v);
void pl_out_null(struct pl_out *o, const char *key);

#endif
