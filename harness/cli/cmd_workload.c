/* memcg-lab workload NAME [options]: a workload by hand, in a scratch group
 * when group options are given (the blog's experiments, one at a time). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cg.h"
#include "cli.h"
#include "run.h"
#include "wl.h"
#include "wl_proc.h"

#define MAX_SETS 32

struct group_opts {
	int wanted;
	const char *limit;
	const char *sets[MAX_SETS];
	int nsets;
	const char *swap;
};

/* "--name value", "--name=value", or a bare flag. */
static int next_opt(int argc, char **argv, int *i, const char **name, const char **value, char *buf,
		    size_t len)
{
	const char *a = argv[*i], *eq;

	if (strncmp(a, "--", 2) || !a[2])
		return -1;
	a += 2;
	eq = strchr(a, '=');
	if (eq) {
		size_t n = (size_t)(eq - a);
		if (n >= len)
			return -1;
		memcpy(buf, a, n);
		buf[n] = 0;
		*name = buf;
		*value = eq + 1;
		return 1;
	}
	*name = a;
	*value = *i + 1 < argc && strncmp(argv[*i + 1], "--", 2) ? argv[*i + 1] : NULL;
	return 0;
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

int cmd_workload(int argc, char **argv)
{
	const struct wl_def *d;
	struct group_opts go = {0};
	struct wl_opts o;
	struct mlab_err e;
	struct run r = {.st.fd = -1};
	struct wl_proc p = {.pid = -1, .pidfd = -1};
	struct cg g, *gp = NULL;
	uint64_t plan, limit = 0, swap_size = 0;
	int swap_mode = SWAP_NONE, ret, code = 0, in_run = 0;
	char buf[64], endbuf[64];

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		printf("usage: memcg-lab workload NAME [options]\n\nworkloads:\n");
		for (int i = 0; wl_all[i]; i++)
			printf("  %-10s %.*s\n", wl_all[i]->name,
			       (int)strcspn(wl_all[i]->summary, "\n"), wl_all[i]->summary);
		printf("\nmemcg-lab workload NAME --help shows its options.\n");
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (!strcmp(argv[1], "--list")) {
		for (int i = 0; wl_all[i]; i++)
			printf("%s\n", wl_all[i]->name);
		return 0;
	}
	d = wl_find(argv[1]);
	if (!d)
		return cli_fail(EXIT_USAGE, "no workload '%s' (memcg-lab workload --list)",
				argv[1]);
	if (wl_defaults(d, &o, &e))
		return cli_fail(1, "%s", e.msg);

	for (int i = 2; i < argc; i++) {
		const char *name, *value;
		int kind = next_opt(argc, argv, &i, &name, &value, buf, sizeof(buf));
		int took_next = kind == 0 && value;

		if (kind < 0)
			return cli_fail(EXIT_USAGE,
					"workload %s: unexpected argument '%s' (see --help)",
					d->name, argv[i]);
		if (!strcmp(name, "help") || !strcmp(name, "h")) {
			wl_print_help(d, 1);
			return 0;
		}
		if (!strcmp(name, "group")) {
			go.wanted = 1;
			continue;
		}
		if (!strcmp(name, "limit") || !strcmp(name, "set") || !strcmp(name, "swap")) {
			if (!value)
				return cli_fail(EXIT_USAGE, "--%s needs a value", name);
			if (name[0] == 'l')
				go.limit = value;
			else if (name[1] == 'w')
				go.swap = value;
			else if (go.nsets < MAX_SETS)
				go.sets[go.nsets++] = value;
			else
				return cli_fail(EXIT_USAGE, "too many --set");
			if (name[1] != 'w')
				go.wanted = 1;
			i += took_next;
			continue;
		}
		/* a flag takes the next word only if it reads as yes/no */
		if (kind == 0 && value) {
			const struct wl_opt *opt = NULL;
			for (const struct wl_opt *x = d->opts; x->name; x++)
				if (!strcmp(x->name, name))
					opt = x;
			if (opt && opt->type == WL_FLAG && strcmp(value, "yes") &&
			    strcmp(value, "no")) {
				value = NULL;
				took_next = 0;
			}
		}
		if (wl_set_opt(d, &o, name, value, &e))
			return cli_fail(EXIT_USAGE, "workload %s: %s", d->name, e.msg);
		i += took_next;
	}
	if (d->check && d->check(&o, &e))
		return cli_fail(EXIT_USAGE, "workload %s: %s", d->name, e.msg);
	if (go.swap && swap_parse_mode(go.swap, &swap_size, &swap_mode, &e))
		return cli_fail(EXIT_USAGE, "%s", e.msg);
	if (go.limit && strcmp(go.limit, "max") && parse_size(go.limit, &limit, &e))
		return cli_fail(EXIT_USAGE, "--limit: %s", e.msg);
	if (swap_mode != SWAP_NONE || o.private_mount || (d == &wl_pagecache && !o.path[0]))
		go.wanted = 1; /* these are resources only a run can own */

	/* the guard, before anything exists */
	plan = d->need(&o);
	if (limit && (!plan || plan > limit))
		plan = limit;
	if (guard_check(plan, NULL, &e))
		return cli_fail(1, "%s", e.msg);

	if (go.wanted) {
		ret = run_begin(&r, &e);
		if (ret)
			return cli_begin_failed(ret, &e);
		in_run = 1;
		/* enough swap to hold all of it, whatever the limit keeps in RAM */
		ret = run_swap(&r, swap_mode, swap_size, d->need(&o) ? d->need(&o) : plan, &e);
		if (!ret)
			ret = run_group(&r, d->name, &g, &e);
		if (!ret && go.limit)
			ret = cg_set(&g, "limit", go.limit, &e);
		for (int i = 0; !ret && i < go.nsets; i++) {
			char nv[256], *eq;
			snprintf(nv, sizeof(nv), "%s", go.sets[i]);
			eq = strchr(nv, '=');
			if (!eq) {
				ret = err_set(&e, EINVAL, "--set '%s': expected NAME=VALUE", nv);
				break;
			}
			*eq = 0;
			ret = cg_set(&g, nv, eq + 1, &e);
		}
		if (!ret && d->prepare)
			ret = d->prepare(&o, &r, d->name, &e);
		if (ret) {
			cli_fail(1, "%s", e.msg);
			code = 1;
			goto out;
		}
		gp = &g;
	} else if (o.private_mount) {
		return cli_fail(EXIT_USAGE, "--private needs root");
	}

	ret = wl_start(&p, d, &o, gp, 1, &e);
	if (ret) {
		cli_fail(1, "%s", e.msg);
		code = 1;
		goto out;
	}
	wait_workload(&p, gp);
	wl_end_str(&p.end, endbuf, sizeof(endbuf));
	if (!p.end.exited && p.end.signo == SIGKILL)
		fprintf(stderr, "Killed\n");
	fprintf(stderr, "memcg-lab: %s %s after %s in %llu steps", d->name, endbuf,
		fmt_size(buf, sizeof(buf), atomic_load(&p.sh->bytes)),
		(unsigned long long)atomic_load(&p.sh->steps));
	if (p.sh->lat.count)
		fprintf(stderr, "; step latency p50 %.0f us, p99 %.0f us, max %.0f us",
			(double)lat_percentile(&p.sh->lat, 50) / 1e3,
			(double)lat_percentile(&p.sh->lat, 99) / 1e3,
			(double)p.sh->lat.max_ns / 1e3);
	fputc('\n', stderr);
	if (gp)
		print_group_summary(gp);
	code = p.end.exited ? p.end.code : 128 + p.end.signo;
out:
	wl_release(&p);
	if (in_run && run_end(&r, &e)) {
		cli_fail(1, "%s", e.msg);
		if (!code)
			code = 1;
	}
	return code;
}
