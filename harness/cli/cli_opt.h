/* The commands' options as tables, shaped like the workloads' (wl.h): one
 * row per option with its type, where its value goes, its argument's name
 * and its help. One parser reads them all and writes each command's usage
 * and --help from the same rows. */
#ifndef MLAB_CLI_OPT_H
#define MLAB_CLI_OPT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util.h"

enum cli_type {
	CLI_TEXT,     /* const char *, not empty */
	CLI_CHOICE,   /* const char *, one of .choices ("v1|v2|both") */
	CLI_COUNT,    /* uint64_t from .min to .max */
	CLI_SIZE,     /* uint64_t bytes (4M, 1G), from .min to .max (0: no bound) */
	CLI_DURATION, /* uint64_t ns (250ms, 20s), more than 0 */
	CLI_FLAG,     /* int, set to 1; takes no value */
	CLI_CHECKED,  /* const char *, accepted by .check */
	CLI_LIST,     /* struct cli_list: each use adds a value (not empty; and
		       * accepted by .check when there is one) */
};

/* The values of a CLI_LIST option, in the order given. */
#define CLI_LIST_MAX 32
struct cli_list {
	const char *v[CLI_LIST_MAX];
	int n;
};

struct cli_opt {
	const char *name; /* without "--" */
	enum cli_type type;
	size_t offset;	     /* of the field in the command's options struct */
	const char *arg;     /* the value's name in the usage ("DIR"); NULL for a flag */
	const char *help;    /* lines separated by '\n' */
	const char *choices; /* CLI_CHOICE */
	uint64_t min, max;   /* CLI_COUNT, CLI_SIZE */
	/* CLI_CHECKED, CLI_LIST: 0, or -errno with the reason in @e */
	int (*check)(const char *value, struct mlab_err *e);
};

struct cli_cmd;

/* The option --@name that is not in the table, with @value after its "="
 * or NULL, and @next the word after it or NULL (none, or one that
 * no_dashed_values keeps from being a value). Sets *@took to the words
 * after it that it used as its value (0 or 1); returns CLI_OK, CLI_HELP
 * (the usage went to stdout) or CLI_BAD (the reason went to stderr). */
typedef int cli_other_fn(const struct cli_cmd *c, const char *name, const char *value,
			 const char *next, void *o, int *took);

struct cli_cmd {
	const char *name;	    /* "run" */
	const char *operands;	    /* "[NAME|FILE ...]", "" for none */
	const char *about;	    /* what it does, lines separated by '\n' */
	const char *epilogue;	    /* after the options, or NULL */
	const struct cli_opt *opts; /* ended by { NULL } */
	int max_operands;	    /* -1: any number */
	int rest_after_dashdash;    /* "--" ends the options; the rest is passed on */
	int no_dashed_values;	    /* a word starting with "--" is never a value */
	/* Options that are not in .opts, or NULL (they are unknown); their
	 * usage, written before the table's; a heading over the table's, or
	 * NULL; and what .other_usage needs to know. */
	cli_other_fn *other;
	void (*other_usage)(const struct cli_cmd *c, FILE *f);
	const char *opts_title;
	const void *data;
};

/* A row: name, type, field (offsetof), the value's name, help, and then
 * any of .choices, .min, .max, .check as designated initializers. */
#define CLI_OPTION(n, t, off, a, h, ...)                                                           \
	{                                                                                          \
		.name = (n), .type = (t), .offset = (off), .arg = (a), .help = (h), __VA_ARGS__    \
	}
#define CLI_OPTIONS_END                                                                            \
	{                                                                                          \
		.name = NULL                                                                       \
	}

enum { CLI_OK = 0, CLI_HELP = 1, CLI_BAD = -1 };

/* Parse @argv (argv[0] is the command's name) into @o. The operands (words
 * not starting with "-") are moved, in order, to argv[1 .. *@noperands];
 * with rest_after_dashdash what follows "--" is there too, from index
 * *@rest on (-1 when there was no "--"; @rest may be NULL). Returns CLI_OK,
 * CLI_HELP (--help or -h: the usage went to stdout) or CLI_BAD (the reason
 * and a pointer to --help went to stderr). */
int cli_parse(const struct cli_cmd *c, int argc, char **argv, void *o, int *noperands, int *rest);
/* The exit status after CLI_HELP (0) or CLI_BAD (2). */
int cli_parse_status(int parsed);
/* The usage and the options, as --help shows them. */
void cli_usage(const struct cli_cmd *c, FILE *f);
/* One option in the usage: "  --NAME ARG" (@arg may be NULL) and its help,
 * lines separated by '\n', in the column of every command's. */
void cli_usage_row(FILE *f, const char *name, const char *arg, const char *help);

#endif
