/* memcg-lab workload NAME [options]: a workload by hand, in a scratch group
 * when group options are given (the blog's experiments, one at a time). */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cg.h"
#include "cli.h"
#include "cli_opt.h"
#include "run.h"
#include "wl.h"
#include "wl_proc.h"

/* The command line: the workload's own options (its table in workloads/)
 * and the group options (group_opts below). */
struct workload_args {
	const struct wl_def *d;
	struct wl_opts o;
	const char *limit, *swap;
	struct cli_list sets;
	int group;
};

/* What the group options and the workload's options come to. */
struct group_plan {
	int wanted;	/* a run of its own and a scratch group */
	uint64_t limit; /* bytes; 0 without --limit or with --limit max */
	uint64_t swap_size;
	int swap_mode;
	uint64_t plan; /* what the guard must allow */
};

/* --- the command line ------------------------------------------------------- */

#define WOPT(f) offsetof(struct workload_args, f)

static int limit_ok(const char *v, struct mlab_err *e)
{
	uint64_t n;
	int ret;

	if (!strcmp(v, "max"))
		return 0;
	ret = parse_size(v, &n, e);
	return ret ? err_wrap(e, ret, "--limit") : 0;
}

static int setting_ok(const char *v, struct mlab_err *e)
{
	if (!strchr(v, '='))
		return err_set(e, EINVAL, "--set '%s': expected NAME=VALUE", v);
	return 0;
}

static int swap_ok(const char *v, struct mlab_err *e)
{
	uint64_t size;
	int mode;
	return swap_parse_mode(v, &size, &mode, e);
}

static const struct cli_opt group_opts[] = {
    CLI_OPTION("limit", CLI_CHECKED, WOPT(limit), "SIZE", "memory limit of the group",
	       .check = limit_ok),
    CLI_OPTION("set", CLI_LIST, WOPT(sets), "NAME=VALUE",
	       "any portable setting (swappiness=0, swap_limit=0,\n"
	       "oom_kill_disable=1 ...) or raw file (memory.high=8M)",
	       .check = setting_ok),
    CLI_OPTION("group", CLI_FLAG, WOPT(group), NULL, "a scratch group even without settings"),
    CLI_OPTION("swap", CLI_CHECKED, WOPT(swap), "auto|none|SIZE",
	       "swap for the run (default none: leave swap as it is)", .check = swap_ok),
    CLI_OPTIONS_END,
};

static const char *const wl_arg_names[] = {
    [WL_SIZE] = "SIZE", [WL_RATE] = "RATE", [WL_UINT] = "N", [WL_FLAG] = NULL, [WL_PATH] = "PATH"};

/* The workload's own options in the usage, from its table. */
static void workload_usage(const struct cli_cmd *c, FILE *f)
{
	const struct wl_def *d = c->data;

	fprintf(f, "options:\n");
	for (const struct wl_opt *x = d->opts; x->name; x++) {
		int def = x->def && x->type != WL_FLAG;
		char help[512];

		snprintf(help, sizeof(help), "%s%s%s%s", x->help, def ? " (default " : "",
			 def ? x->def : "", def ? ")" : "");
		cli_usage_row(f, x->name, wl_arg_names[x->type], help);
	}
}

static const struct wl_opt *find_wl_opt(const struct wl_def *d, const char *name)
{
	for (const struct wl_opt *x = d->opts; x->name; x++)
		if (!strcmp(x->name, name))
			return x;
	return NULL;
}

/* An option of the workload's own table (cli_other_fn). A flag takes the
 * next word only if it reads as yes/no; --h and --help=... are --help. */
static int workload_option(const struct cli_cmd *c, const char *name, const char *value,
			   const char *next, void *o, int *took)
{
	struct workload_args *w = o;
	const struct wl_opt *x = find_wl_opt(w->d, name);
	struct mlab_err e;

	if (!strcmp(name, "help") || !strcmp(name, "h")) {
		cli_usage(c, stdout);
		return CLI_HELP;
	}
	if (!value && next &&
	    !(x && x->type == WL_FLAG && strcmp(next, "yes") && strcmp(next, "no"))) {
		value = next;
		*took = 1;
	}
	if (wl_set_opt(w->d, &w->o, name, value, &e)) {
		cli_fail(EXIT_USAGE, "workload %s: %s", w->d->name, e.msg);
		return CLI_BAD;
	}
	return CLI_OK;
}

/* The options after NAME (argv[1]) into @w: CLI_OK, CLI_HELP or CLI_BAD. */
static int parse_workload_args(int argc, char **argv, struct workload_args *w)
{
	char name[64];
	const struct cli_cmd c = {
	    .name = name,
	    .operands = "[group options]",
	    .about = w->d->summary,
	    .epilogue =
		"SIZE: 4096, 400K, 5M, 1G.  RATE: SIZE per second, e.g. 1M or 1M/s, or max.\n"
		"Told to stop by SIGUSR1, SIGTERM or SIGINT (Ctrl-C), at a step boundary.",
	    .opts = group_opts,
	    .max_operands = 0,
	    .no_dashed_values = 1,
	    .other = workload_option,
	    .other_usage = workload_usage,
	    .opts_title = "group options (run inside a fresh scratch memory cgroup):",
	    .data = w->d,
	};
	int noperands;

	snprintf(name, sizeof(name), "workload %s", w->d->name);
	return cli_parse(&c, argc - 1, argv + 1, w, &noperands, NULL);
}

/* What the group options come to, and whether the workload needs a run of
 * its own (and so root) even without them. */
static void plan_group(const struct workload_args *w, struct group_plan *g)
{
	struct mlab_err e;

	memset(g, 0, sizeof(*g));
	g->swap_mode = SWAP_NONE;
	/* both checked by the table */
	if (w->swap)
		swap_parse_mode(w->swap, &g->swap_size, &g->swap_mode, &e);
	if (w->limit && strcmp(w->limit, "max"))
		parse_size(w->limit, &g->limit, &e);
	g->wanted = w->group || w->limit || w->sets.n;
	if (g->swap_mode != SWAP_NONE || w->o.private_mount ||
	    (w->d == &wl_pagecache && !w->o.path[0]))
		g->wanted = 1; /* these are resources only a run can own */
	g->plan = w->d->need(&w->o);
	if (g->limit && (!g->plan || g->plan > g->limit))
		g->plan = g->limit;
}

/* memcg-lab workload [--help]: the workloads there are. */
static int print_workloads(int code)
{
	printf("usage: memcg-lab workload NAME [options]\n\nworkloads:\n");
	for (int i = 0; wl_all[i]; i++)
		printf("  %-10s %.*s\n", wl_all[i]->name, (int)strcspn(wl_all[i]->summary, "\n"),
		       wl_all[i]->summary);
	printf("\nmemcg-lab workload NAME --help shows its options.\n");
	return code;
}

/* --- the group --------------------------------------------------------------- */

/* --limit, then every --set NAME=VALUE in the order given. */
static int apply_settings(const struct cg *g, const struct workload_args *w, struct mlab_err *e)
{
	int ret = 0;

	if (w->limit)
		ret = cg_set(g, "limit", w->limit, e);
	for (int i = 0; !ret && i < w->sets.n; i++) {
		char nv[256], *eq;
		snprintf(nv, sizeof(nv), "%s", w->sets.v[i]);
		eq = strchr(nv, '=');
		if (!eq)
			return err_set(e, EINVAL, "--set '%s': expected NAME=VALUE", nv);
		*eq = 0;
		ret = cg_set(g, nv, eq + 1, e);
	}
	return ret;
}

/* In run @r: its swap, the scratch group @g with the settings asked for,
 * and what the workload makes before it starts. */
static int make_group(struct run *r, struct workload_args *w, const struct group_plan *gp,
		      struct cg *g, struct mlab_err *e)
{
	const struct wl_def *d = w->d;
	uint64_t need = d->need(&w->o);
	int ret;

	/* enough swap to hold all of it, whatever the limit keeps in RAM */
	ret = run_swap(r, gp->swap_mode, gp->swap_size, need ? need : gp->plan, e);
	if (!ret)
		ret = run_group(r, d->name, g, e);
	if (!ret)
		ret = apply_settings(g, w, e);
	if (!ret && d->prepare)
		ret = d->prepare(&w->o, r, d->name, e);
	return ret;
}

static int print_group_summary(const struct cg *g)
{
	static const char *const names[] = {"usage", "peak", "anon",	"file",
					    "shmem", "swap", "failcnt", "oom_kill"};
	struct mlab_err e;
	char v[32];

	fprintf(stderr, "memcg-lab: group:");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint64_t x;
		if (cg_get(g, names[i], &x, &e))
			continue;
		if (!strcmp(names[i], "failcnt") || !strcmp(names[i], "oom_kill"))
			fprintf(stderr, " %s %llu", names[i], (unsigned long long)x);
		else
			fprintf(stderr, " %s %s", names[i], fmt_size(v, sizeof(v), x));
	}
	fputc('\n', stderr);
	return 0;
}

/* --- the workload ------------------------------------------------------------ */

/* Wait for the workload; on Ctrl-C give it a moment to finish, then kill. */
static int wait_workload(struct wl_proc *p, const struct cg *g)
{
	struct mlab_err e;

	for (;;) {
		int ret = wl_wait_end(p, 3600ULL * 1000000000ULL, &e);
		if (!ret)
			return 0;
		if (run_interrupted)
			break;
	}
	wl_signal(p, SIGTERM);
	if (wl_wait_end(p, 2ULL * 1000000000ULL, &e)) {
		/* paused tasks (oom_kill_disable) only answer SIGKILL */
		if (g)
			cg_kill_all(g, &e);
		wl_signal(p, SIGKILL);
		wl_wait_end(p, 10ULL * 1000000000ULL, &e);
	}
	return 0;
}

/* "alloc exited 0 after 3M in 3 steps; step latency ..." */
static void print_workload_end(const struct wl_proc *p, const struct wl_def *d)
{
	char size[64], end[64];

	wl_end_str(&p->end, end, sizeof(end));
	if (!p->end.exited && p->end.signo == SIGKILL)
		fprintf(stderr, "Killed\n");
	fprintf(stderr, "memcg-lab: %s %s after %s in %llu steps", d->name, end,
		fmt_size(size, sizeof(size), atomic_load(&p->sh->bytes)),
		(unsigned long long)atomic_load(&p->sh->steps));
	if (p->sh->lat.count)
		fprintf(stderr, "; step latency p50 %.0f us, p99 %.0f us, max %.0f us",
			(double)lat_percentile(&p->sh->lat, 50) / 1e3,
			(double)lat_percentile(&p->sh->lat, 99) / 1e3,
			(double)p->sh->lat.max_ns / 1e3);
	fputc('\n', stderr);
}

/* Start the workload (in @g, or in no group of its own when NULL), wait
 * for its end and say how it went: its exit status, or 128 + the signal
 * that killed it; 1 if it did not start. */
static int run_workload(struct workload_args *w, const struct cg *g)
{
	struct wl_proc p = {.pid = -1, .pidfd = -1};
	struct mlab_err e;
	int code;

	if (wl_start(&p, w->d, &w->o, g, 1, &e)) {
		code = cli_fail(1, "%s", e.msg);
	} else {
		wait_workload(&p, g);
		print_workload_end(&p, w->d);
		if (g)
			print_group_summary(g);
		code = p.end.exited ? p.end.code : 128 + p.end.signo;
	}
	wl_release(&p);
	return code;
}

/* The workload in a scratch group of a run of its own, ended (and all it
 * made undone) afterwards. */
static int run_in_group(struct workload_args *w, const struct group_plan *gp)
{
	struct run r = {.st.fd = -1};
	struct mlab_err e;
	struct cg g;
	int ret, code;

	ret = run_begin(&r, &e);
	if (ret)
		return cli_begin_failed(ret, &e);
	if (make_group(&r, w, gp, &g, &e))
		code = cli_fail(1, "%s", e.msg);
	else
		code = run_workload(w, &g);
	if (run_end(&r, &e)) {
		cli_fail(1, "%s", e.msg);
		if (!code)
			code = 1;
	}
	return code;
}

int cmd_workload(int argc, char **argv)
{
	struct workload_args w = {0};
	struct group_plan gp;
	struct mlab_err e;
	int ret;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return print_workloads(argc < 2 ? EXIT_USAGE : 0);
	if (!strcmp(argv[1], "--list")) {
		for (int i = 0; wl_all[i]; i++)
			printf("%s\n", wl_all[i]->name);
		return 0;
	}
	w.d = wl_find(argv[1]);
	if (!w.d)
		return cli_fail(EXIT_USAGE, "no workload '%s' (memcg-lab workload --list)",
				argv[1]);
	if (wl_defaults(w.d, &w.o, &e))
		return cli_fail(1, "%s", e.msg);
	ret = parse_workload_args(argc, argv, &w);
	if (ret != CLI_OK)
		return cli_parse_status(ret);
	if (w.d->check && w.d->check(&w.o, &e))
		return cli_fail(EXIT_USAGE, "workload %s: %s", w.d->name, e.msg);
	plan_group(&w, &gp);

	/* the guard, before anything exists */
	if (guard_check(gp.plan, NULL, &e))
		return cli_fail(1, "%s", e.msg);
	return gp.wanted ? run_in_group(&w, &gp) : run_workload(&w, NULL);
}
