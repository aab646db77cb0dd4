/* One parser for every command's option table (see cli_opt.h). */
#include "cli_opt.h"

#include <errno.h>
#include <string.h>

/* "--name VALUE" or "--name=VALUE" */
static const struct cli_opt *find(const struct cli_cmd *c, const char *word, size_t len)
{
	for (const struct cli_opt *x = c->opts; x->name; x++)
		if (strlen(x->name) == len && !strncmp(x->name, word, len))
			return x;
	return NULL;
}

static int bad(const struct cli_cmd *c, const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "memcg-lab %s: ", c->name);
	fprintf(stderr, fmt, a, b);
	fprintf(stderr, " (see memcg-lab %s --help)\n", c->name);
	return CLI_BAD;
}

static int in_choices(const char *choices, const char *v)
{
	size_t n = strlen(v);

	for (const char *p = choices; *p;) {
		size_t k = strcspn(p, "|");
		if (k == n && !strncmp(p, v, n))
			return 1;
		p += k + (p[k] == '|');
	}
	return 0;
}

/* One more value of the CLI_LIST option @x. */
static int add(const struct cli_cmd *c, const struct cli_opt *x, const char *v, struct cli_list *l)
{
	struct mlab_err e = {""};

	if (!*v)
		return bad(c, "--%s needs a value%s", x->name, "");
	if (x->check && x->check(v, &e)) /* its message names the option */
		return bad(c, "%s%s", e.msg, "");
	if (l->n == CLI_LIST_MAX)
		return bad(c, "too many --%s%s", x->name, "");
	l->v[l->n++] = v;
	return CLI_OK;
}

/* Store @v into the field of @x; CLI_BAD with the reason said. */
static int set(const struct cli_cmd *c, const struct cli_opt *x, const char *v, void *o)
{
	char *field = (char *)o + x->offset;
	struct mlab_err e = {""};
	uint64_t n = 0;

	switch (x->type) {
	case CLI_FLAG:
		*(int *)field = 1;
		return CLI_OK;
	case CLI_TEXT:
		if (!*v)
			return bad(c, "--%s needs a value%s", x->name, "");
		break;
	case CLI_CHOICE:
		if (!in_choices(x->choices, v))
			return bad(c, "--%s: one of %s", x->name, x->choices);
		break;
	case CLI_CHECKED:
		if (x->check(v, &e)) /* its message names the option */
			return bad(c, "%s%s", e.msg, "");
		break;
	case CLI_COUNT:
		if (parse_uint(v, x->max, &n, &e) || n < x->min) {
			char range[64];
			snprintf(range, sizeof(range), "a number from %llu to %llu",
				 (unsigned long long)x->min, (unsigned long long)x->max);
			return bad(c, "--%s: %s", x->name, range);
		}
		*(uint64_t *)field = n;
		return CLI_OK;
	case CLI_SIZE:
		if (parse_size(v, &n, &e))
			return bad(c, "--%s: %s", x->name, e.msg);
		if (n < x->min || (x->max && n > x->max)) {
			char range[96], a[32], b[32];
			snprintf(range, sizeof(range), "from %s to %s",
				 fmt_size(a, sizeof(a), x->min),
				 x->max ? fmt_size(b, sizeof(b), x->max) : "any");
			return bad(c, "--%s: %s", x->name, range);
		}
		*(uint64_t *)field = n;
		return CLI_OK;
	case CLI_DURATION:
		if (parse_duration_ns(v, &n, &e))
			return bad(c, "--%s: %s", x->name, e.msg);
		if (!n)
			return bad(c, "--%s: %s", x->name, "must be more than 0");
		*(uint64_t *)field = n;
		return CLI_OK;
	case CLI_LIST:
		return add(c, x, v, (struct cli_list *)field);
	}
	*(const char **)field = v;
	return CLI_OK;
}

/* The word after argv[@i] if it can be a value, or NULL. */
static const char *next_word(const struct cli_cmd *c, int argc, char **argv, int i)
{
	if (i + 1 >= argc || (c->no_dashed_values && !strncmp(argv[i + 1], "--", 2)))
		return NULL;
	return argv[i + 1];
}

/* @a (up to @eq, the "=" in it, or NULL) is not in the table: .other's
 * option, or an unknown one. */
static int other_option(const struct cli_cmd *c, const char *a, const char *eq, const char *next,
			void *o, int *took)
{
	char name[64];
	size_t len;

	if (!c->other || a[1] != '-') /* "-", "-x": a[2] may be past the end */
		return bad(c, "unknown option '%s'%s", a, "");
	len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
	if (!len || len >= sizeof(name))
		return bad(c, "unknown option '%s'%s", a, "");
	memcpy(name, a + 2, len);
	name[len] = 0;
	return c->other(c, name, eq ? eq + 1 : NULL, next, o, took);
}

/* The option argv[*@i] ("--name VALUE" or "--name=VALUE"); *@i moves past
 * the value when that is the next word. */
static int option(const struct cli_cmd *c, int argc, char **argv, int *i, void *o)
{
	const char *a = argv[*i], *eq = strchr(a, '='), *next = next_word(c, argc, argv, *i);
	const struct cli_opt *x;
	int took = 0, ret;

	x = a[1] == '-' ? find(c, a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2)) : NULL;
	if (!x) {
		ret = other_option(c, a, eq, next, o, &took);
		*i += took;
		return ret;
	}
	if (x->type == CLI_FLAG) {
		if (eq)
			return bad(c, "--%s takes no value%s", x->name, "");
		return set(c, x, NULL, o);
	}
	if (eq)
		return set(c, x, eq + 1, o);
	if (!next)
		return bad(c, "--%s needs a value%s", x->name, "");
	(*i)++;
	return set(c, x, next, o);
}

int cli_parse(const struct cli_cmd *c, int argc, char **argv, void *o, int *noperands, int *rest)
{
	/* operands go to argv[1 + n]: never past the word being read */
	char **operands = argv + 1;

	*noperands = 0;
	if (rest)
		*rest = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int ret;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			cli_usage(c, stdout);
			return CLI_HELP;
		}
		if (!strcmp(a, "--") && c->rest_after_dashdash) {
			if (rest)
				*rest = *noperands;
			for (i++; i < argc; i++)
				operands[(*noperands)++] = argv[i];
			return CLI_OK;
		}
		if (a[0] != '-') {
			if (c->max_operands >= 0 && *noperands == c->max_operands)
				return bad(c, "unexpected argument '%s'%s", a, "");
			operands[(*noperands)++] = argv[i];
			continue;
		}
		ret = option(c, argc, argv, &i, o);
		if (ret != CLI_OK)
			return ret;
	}
	return CLI_OK;
}

int cli_parse_status(int parsed)
{
	return parsed == CLI_HELP ? 0 : 2;
}

/* @text with every line after the first indented by @col */
static void put_lines(FILE *f, const char *text, int col)
{
	for (const char *p = text; *p;) {
		size_t k = strcspn(p, "\n");
		fprintf(f, "%.*s\n", (int)k, p);
		p += k + (p[k] == '\n');
		if (*p)
			fprintf(f, "%*s", col, "");
	}
}

void cli_usage_row(FILE *f, const char *name, const char *arg, const char *help)
{
	char head[64];
	int n = snprintf(head, sizeof(head), "  --%s%s%s", name, arg ? " " : "", arg ? arg : "");

	if (n > 22)
		fprintf(f, "%s\n%24s", head, "");
	else
		fprintf(f, "%-24s", head);
	put_lines(f, help, 24);
}

void cli_usage(const struct cli_cmd *c, FILE *f)
{
	fprintf(f, "usage: memcg-lab %s%s%s%s\n\n", c->name, c->opts[0].name ? " [options]" : "",
		c->operands[0] ? " " : "", c->operands);
	put_lines(f, c->about, 0);
	if (c->other_usage) {
		fputc('\n', f);
		c->other_usage(c, f);
	}
	if (c->opts[0].name)
		fputc('\n', f);
	if (c->opts[0].name && c->opts_title)
		fprintf(f, "%s\n", c->opts_title);
	for (const struct cli_opt *x = c->opts; x->name; x++)
		cli_usage_row(f, x->name, x->arg, x->help);
	if (c->epilogue) {
		fputc('\n', f);
		put_lines(f, c->epilogue, 0);
	}
}
