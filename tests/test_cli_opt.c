/* Unit tests of the commands' option parser (harness/cli/cli_opt.c): the
 * spellings and value types, repeated options, options left to a second
 * table (the workload command's own), values that never start with "--",
 * and the usage written from the rows. */
#include <check.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_opt.h"
#include "testutil.h"

struct opts {
	const char *text;
	uint64_t count, size;
	int flag;
	struct cli_list kv;
	char other[8][64]; /* what the second table was given: "NAME=VALUE" */
	int nother;
};

#define O(f) offsetof(struct opts, f)

static int kv_ok(const char *v, struct mlab_err *e)
{
	return strchr(v, '=') ? 0 : err_set(e, EINVAL, "--kv '%s': expected NAME=VALUE", v);
}

static const struct cli_opt table[] = {
	CLI_OPTION("text", CLI_TEXT, O(text), "T", "a text"),
	CLI_OPTION("count", CLI_COUNT, O(count), "N", "a count", .min = 1, .max = 10),
	CLI_OPTION("size", CLI_SIZE, O(size), "SIZE", "a size"),
	CLI_OPTION("flag", CLI_FLAG, O(flag), NULL, "a flag"),
	CLI_OPTION("kv", CLI_LIST, O(kv), "NAME=VALUE", "again and again", .check = kv_ok),
	CLI_OPTIONS_END,
};

/* The second table: --x takes a value (after "=" or the next word), --y
 * none; anything else is unknown. */
static int other(const struct cli_cmd *c, const char *name, const char *value, const char *next,
		 void *arg, int *took)
{
	struct opts *o = arg;

	(void)c;
	if (!strcmp(name, "x") && !value && next) {
		value = next;
		*took = 1;
	}
	if (!strcmp(name, "x") ? !value : strcmp(name, "y") || value) {
		fprintf(stderr, "other: --%s refused\n", name);
		return CLI_BAD;
	}
	snprintf(o->other[o->nother++], sizeof(o->other[0]), "%s=%s", name, value ? value : "");
	return CLI_OK;
}

static void other_usage(const struct cli_cmd *c, FILE *f)
{
	fprintf(f, "OTHER %s\n", (const char *)c->data);
}

static const struct cli_cmd plain = {
	.name = "plain", .operands = "[X]", .about = "About.", .opts = table, .max_operands = 1,
};

static const struct cli_cmd two_tables = {
	.name = "two",
	.operands = "[X]",
	.about = "About.",
	.epilogue = "The end.",
	.opts = table,
	.max_operands = 1,
	.other = other,
	.other_usage = other_usage,
	.opts_title = "TITLE:",
	.data = "data",
};

static const struct cli_cmd undashed = {
	.name = "undashed",
	.operands = "",
	.about = "About.",
	.opts = table,
	.max_operands = 0,
	.no_dashed_values = 1,
	.other = other,
};

static char *argv[2 * CLI_LIST_MAX + 8]; /* the longest list below, and a NULL */
static int noperands;
static struct opts o;

/* cli_parse of "cmd WORDS..." into o. */
#define PARSE(c, ...) parse((c), (const char *[]){ "cmd", __VA_ARGS__, NULL })
static int parse(const struct cli_cmd *c, const char **words)
{
	int argc = 0;

	for (; words[argc]; argc++)
		argv[argc] = (char *)words[argc];
	argv[argc] = NULL;
	memset(&o, 0, sizeof(o));
	return cli_parse(c, argc, argv, &o, &noperands, NULL);
}

START_TEST(spellings)
{
	ck_assert_int_eq(PARSE(&plain, "--text", "a", "--count=3", "op", "--size", "4M", "--flag"),
			 CLI_OK);
	ck_assert_str_eq(o.text, "a");
	ck_assert_uint_eq(o.count, 3);
	ck_assert_uint_eq(o.size, 4 * MIB);
	ck_assert_int_eq(o.flag, 1);
	ck_assert_int_eq(noperands, 1);
	ck_assert_str_eq(argv[1], "op");
	/* without .no_dashed_values the next word is the value, whatever it is */
	ck_assert_int_eq(PARSE(&plain, "--text", "--flag"), CLI_OK);
	ck_assert_str_eq(o.text, "--flag");
	ck_assert_int_eq(o.flag, 0);

	ck_assert_int_eq(PARSE(&plain, "--text"), CLI_BAD);
	ck_assert_int_eq(PARSE(&plain, "--text="), CLI_BAD);
	ck_assert_int_eq(PARSE(&plain, "--count", "11"), CLI_BAD);
	ck_assert_int_eq(PARSE(&plain, "--size", "12X"), CLI_BAD);
	ck_assert_int_eq(PARSE(&plain, "--flag=1"), CLI_BAD);
	ck_assert_int_eq(PARSE(&plain, "--nosuch"), CLI_BAD);
	ck_assert_int_eq(PARSE(&plain, "-x"), CLI_BAD);
	ck_assert_int_eq(PARSE(&plain, "op", "op2"), CLI_BAD);
}
END_TEST

START_TEST(lists)
{
	const char *words[2 * CLI_LIST_MAX + 4] = { "cmd" };
	int n = 1;

	ck_assert_int_eq(PARSE(&plain, "--kv", "a=1", "--kv=b=2", "--flag", "--kv", "a=3"), CLI_OK);
	ck_assert_int_eq(o.kv.n, 3);
	ck_assert_str_eq(o.kv.v[0], "a=1");
	ck_assert_str_eq(o.kv.v[1], "b=2");
	ck_assert_str_eq(o.kv.v[2], "a=3");
	ck_assert_int_eq(PARSE(&plain, "--kv", "a"), CLI_BAD); /* .check */
	ck_assert_int_eq(PARSE(&plain, "--kv="), CLI_BAD);
	ck_assert_int_eq(PARSE(&plain, "--kv"), CLI_BAD);

	/* CLI_LIST_MAX of them, then one too many */
	for (int i = 0; i < CLI_LIST_MAX; i++) {
		words[n++] = "--kv";
		words[n++] = "k=v";
	}
	ck_assert_int_eq(parse(&plain, words), CLI_OK);
	ck_assert_int_eq(o.kv.n, CLI_LIST_MAX);
	words[n++] = "--kv=one=more";
	ck_assert_int_eq(parse(&plain, words), CLI_BAD);
}
END_TEST

START_TEST(second_table)
{
	ck_assert_int_eq(PARSE(&two_tables, "--x", "1", "--count", "2", "--y", "op", "--x=2"),
			 CLI_OK);
	ck_assert_int_eq(o.nother, 3);
	ck_assert_str_eq(o.other[0], "x=1");
	ck_assert_str_eq(o.other[1], "y=");
	ck_assert_str_eq(o.other[2], "x=2");
	ck_assert_uint_eq(o.count, 2);
	ck_assert_int_eq(noperands, 1);
	ck_assert_str_eq(argv[1], "op");
	/* the table's options come first; the rest are the second table's */
	ck_assert_int_eq(PARSE(&two_tables, "--y=1"), CLI_BAD);
	ck_assert_int_eq(PARSE(&two_tables, "--x"), CLI_BAD);
	ck_assert_int_eq(PARSE(&two_tables, "--nosuch"), CLI_BAD);
	/* words that are no --NAME never get there */
	ck_assert_int_eq(PARSE(&two_tables, "-y"), CLI_BAD);
	ck_assert_int_eq(PARSE(&two_tables, "--"), CLI_BAD);
	ck_assert_int_eq(PARSE(&two_tables, "--=1"), CLI_BAD);
	ck_assert_int_eq(o.nother, 0);
}
END_TEST

START_TEST(undashed_values)
{
	/* "--text --flag": --text has no value; --flag is not one */
	ck_assert_int_eq(PARSE(&undashed, "--text", "--flag"), CLI_BAD);
	ck_assert_int_eq(PARSE(&undashed, "--text", "-1", "--flag"), CLI_OK);
	ck_assert_str_eq(o.text, "-1");
	ck_assert_int_eq(o.flag, 1);
	/* the second table is not offered such a word either */
	ck_assert_int_eq(PARSE(&undashed, "--x", "--y"), CLI_BAD);
	ck_assert_int_eq(PARSE(&undashed, "--x", "v", "--y"), CLI_OK);
	ck_assert_int_eq(o.nother, 2);
	ck_assert_str_eq(o.other[0], "x=v");
}
END_TEST

START_TEST(help)
{
	ck_assert_ptr_nonnull(freopen("/dev/null", "w", stdout));
	ck_assert_int_eq(PARSE(&plain, "--count", "2", "--help"), CLI_HELP);
	ck_assert_int_eq(PARSE(&two_tables, "-h"), CLI_HELP);
	/* help is not looked for in a value */
	ck_assert_int_eq(PARSE(&plain, "--text", "--help"), CLI_OK);
	ck_assert_int_eq(cli_parse_status(CLI_HELP), 0);
	ck_assert_int_eq(cli_parse_status(CLI_BAD), 2);
}
END_TEST

START_TEST(usage)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	cli_usage(&two_tables, f);
	fclose(f);
	ck_assert_str_eq(text, "usage: memcg-lab two [options] [X]\n"
			       "\n"
			       "About.\n"
			       "\n"
			       "OTHER data\n"
			       "\n"
			       "TITLE:\n"
			       "  --text T              a text\n"
			       "  --count N             a count\n"
			       "  --size SIZE           a size\n"
			       "  --flag                a flag\n"
			       "  --kv NAME=VALUE       again and again\n"
			       "\n"
			       "The end.\n");
	free(text);

	f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	cli_usage_row(f, "swap", "auto|none|SIZE", "one\ntwo");
	cli_usage_row(f, "hold", NULL, "x");
	fclose(f);
	ck_assert_str_eq(text, "  --swap auto|none|SIZE\n"
			       "                        one\n"
			       "                        two\n"
			       "  --hold                x\n");
	free(text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cli_opt");
	TCase *tc;

	tu_init();
	tc = tu_case(s, "parse", 0);
	tcase_add_test(tc, spellings);
	tcase_add_test(tc, lists);
	tcase_add_test(tc, second_table);
	tcase_add_test(tc, undashed_values);
	tcase_add_test(tc, help);
	tcase_add_test(tc, usage);
	return tu_suite_run(s);
}
