/* list, show, run: finding scenarios, running them, reporting. */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cg.h"
#include "cli.h"
#include "cli_opt.h"
#include "res.h"
#include "run.h"
#include "scn.h"
#include "scn_catalogue.h"
#include "scn_run.h"

#define MAX_SCN SCN_CATALOGUE_MAX

static struct scn scns[MAX_SCN];

int cmd_list(int argc, char **argv)
{
	struct mlab_err e;
	int n;

	if (argc > 1) {
		if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
			printf(
			    "usage: memcg-lab list\n\nEvery scenario: name, what it asserts, and "
			    "whether it can run here.\n");
			return 0;
		}
		fprintf(stderr, "memcg-lab: list takes no arguments\n");
		return EXIT_USAGE;
	}
	n = scn_catalogue_load(0, NULL, scns, MAX_SCN, &e);
	if (n < 0) {
		fprintf(stderr, "memcg-lab: %s\n", e.msg);
		return EXIT_USAGE;
	}
	for (int i = 0; i < n; i++) {
		char why[256];
		int skip = scn_skip_reason(&scns[i], getenv("MEMCG_LAB_WHERE"), why, sizeof(why));
		printf("%-30s %s\n%-30s   %s\n", scns[i].name, scns[i].doc, "",
		       skip ? why : "runs here");
		scn_free(&scns[i]);
	}
	return 0;
}

int cmd_show(int argc, char **argv)
{
	struct mlab_err e;
	char buf[256 * 1024];
	int n;

	if (argc != 2 || !strcmp(argv[1], "--help")) {
		fprintf(argc == 2 ? stdout : stderr,
			"usage: memcg-lab show NAME|FILE\n"
			"       memcg-lab show --language\n\n"
			"Print a scenario's file, or the scenario language in brief\n"
			"(scenarios/README.md has it in full).\n");
		return argc == 2 ? 0 : EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--language")) {
		scn_language(buf, sizeof(buf));
		fputs(buf, stdout);
		return 0;
	}
	n = scn_catalogue_load(1, argv + 1, scns, 1, &e);
	if (n < 0) {
		fprintf(stderr, "memcg-lab: %s\n", e.msg);
		return EXIT_USAGE;
	}
	if (read_file(scns[0].path, buf, sizeof(buf)) < 0)
		return EXIT_FAILED;
	printf("# %s\n%s", scns[0].path, buf);
	scn_free(&scns[0]);
	return 0;
}

/* --- run ------------------------------------------------------------------- */

struct progress {
	int tty;
	int index, total;
};

static void on_step(void *arg, const struct scn *s, const struct scn_step *st, double t)
{
	struct progress *p = arg;
	if (!p->tty)
		return;
	fprintf(stderr, "\r\033[K[%d/%d] %s  %.1fs  line %d: %.60s", p->index, p->total, s->name, t,
		st->line, st->text);
	fflush(stderr);
}

/* Are descriptors @a and @b the same terminal (a serial console is both
 * stdout and stderr in the VM's guest)? */
static int same_terminal(int a, int b)
{
	struct stat sa, sb;

	return isatty(a) && isatty(b) && !fstat(a, &sa) && !fstat(b, &sb) &&
	       sa.st_rdev == sb.st_rdev;
}

static void human_scenario(FILE *f, const struct res_scenario *s)
{
	static const char *const tag[] = {"PASS", "FAIL", "SKIP", "ERROR"};

	fprintf(f, "%-5s %-30s %6.1f s", tag[s->verdict], s->name, s->duration_s);
	if (s->variant[0])
		fprintf(f, "  variant: %s", s->variant);
	if (s->verdict == RES_SKIP || s->verdict == RES_ERROR)
		fprintf(f, "  (%s)", s->reason);
	fputc('\n', f);
	for (int i = 0; i < s->nexpects; i++) {
		const struct res_expect *x = &s->expects[i];
		if (x->verdict == RES_FAIL || s->verdict == RES_FAIL)
			fprintf(f, "        %s %s  -> %s\n",
				x->verdict == RES_PASS ? "ok  " : "FAIL", x->text, x->observed);
	}
}

static void fill_meta(struct res_meta *m, const struct cg_root *root, const char *swap_mode,
		      const char *where, int repeat)
{
	struct cg_detect d;
	struct mlab_err e;
	struct utsname u;
	time_t t = time(NULL);
	struct tm tm;

	uname(&u);
	snprintf(m->kernel, sizeof(m->kernel), "%s", u.release);
	m->cgroup_version = (int)root->ver;
	cg_detect(NULL, &d, &e);
	snprintf(m->cgroup_layout, sizeof(m->cgroup_layout), "%s", cg_layout_name(d.layout));
	meminfo_get(NULL, "MemTotal", &m->mem_total);
	meminfo_get(NULL, "SwapTotal", &m->swap_total);
	snprintf(m->swap_mode, sizeof(m->swap_mode), "%s", swap_mode);
	res_meta_dimensions(m);
	snprintf(m->version, sizeof(m->version), "%s", MLAB_VERSION);
	gmtime_r(&t, &tm);
	strftime(m->start_time, sizeof(m->start_time), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(m->where, sizeof(m->where), "%s", where);
	m->repeat = repeat;
}

struct run_opts {
	const char *format, *results, *swap, *skip_all;
	uint64_t repeat, timeout_ns, sample_ns;
};

#define ROPT(f) offsetof(struct run_opts, f)

static int swap_ok(const char *v, struct mlab_err *e)
{
	uint64_t size;
	int mode;
	return swap_parse_mode(v, &size, &mode, e);
}

static const struct cli_opt run_opts[] = {
    CLI_OPTION("format", CLI_CHOICE, ROPT(format), "human|ktap",
	       "human (live progress on a terminal) or KTAP;\n"
	       "default: human on a terminal, KTAP otherwise",
	       .choices = "human|ktap"),
    CLI_OPTION("results", CLI_TEXT, ROPT(results), "DIR",
	       "where results/<run-id>/ goes (default results)"),
    CLI_OPTION("repeat", CLI_COUNT, ROPT(repeat), "N", "run the list N times (default 1)", .min = 1,
	       .max = 10000),
    CLI_OPTION("swap", CLI_CHECKED, ROPT(swap), "auto|none|SIZE",
	       "auto: use the swap there is, or add a temporary swap\n"
	       "file; none: run without adding swap (default); SIZE:\n"
	       "add a temporary swap file of SIZE",
	       .check = swap_ok),
    CLI_OPTION("timeout", CLI_DURATION, ROPT(timeout_ns), "DURATION",
	       "budget per scenario instead of its own"),
    CLI_OPTION("sample", CLI_DURATION, ROPT(sample_ns), "DURATION",
	       "counter sampling period (default 20ms)"),
    CLI_OPTION("skip-all", CLI_TEXT, ROPT(skip_all), "REASON",
	       "run nothing: record every scenario as skipped with\n"
	       "REASON (the VM runner's guest, when its kernel cannot\n"
	       "give the cgroup version asked for)"),
    CLI_OPTIONS_END,
};

static const struct cli_cmd run_cmd = {
    .name = "run",
    .operands = "[NAME|FILE ...]",
    .about = "Run scenarios (default: every one) and write results/<run-id>/.",
    .epilogue = "Exit status: 0 nothing failed, 1 something failed, 2 usage or parse error,\n"
		"77 not possible here (no root, no memory controller).",
    .opts = run_opts,
    .max_operands = -1,
};

/* The scenarios named (every one without names) into scns[]: how many, or
 * -1 after saying why. */
static int load_scenarios(int nnames, char **names)
{
	struct mlab_err e;
	int n = scn_catalogue_load(nnames, names, scns, MAX_SCN, &e);

	if (n < 0) {
		fprintf(stderr, "memcg-lab: %s\n", e.msg);
		return -1;
	}
	if (!n) {
		fprintf(stderr, "memcg-lab: no scenarios found in %s\n", scenario_dir());
		return -1;
	}
	return n;
}

/* The suite's own run holds what outlives single scenarios: swap. With
 * --skip-all there is none. 0, or the exit status after saying why. */
static int begin_suite(struct run *suite, const char *swap, int skip_all)
{
	uint64_t swap_size = 0;
	int swap_mode = SWAP_NONE, ret;
	struct mlab_err e;

	if (skip_all)
		return 0;
	swap_parse_mode(swap, &swap_size, &swap_mode, &e); /* checked by the table */
	ret = run_begin(suite, &e);
	if (ret) {
		fprintf(stderr, "memcg-lab: %s\n", e.msg);
		return ret == -EPERM || ret == -ENODEV ? EXIT_SKIP : EXIT_FAILED;
	}
	ret = run_swap(suite, swap_mode, swap_size, 256 * MIB, &e);
	if (ret) {
		fprintf(stderr, "memcg-lab: %s\n", e.msg);
		run_end(suite, &e);
		return EXIT_FAILED;
	}
	return 0;
}

/* The suite's run id; with --skip-all no run was begun: one of the same
 * form. */
static void name_run(struct res_meta *m, const struct run *suite, int skip_all)
{
	char ts[32];
	time_t t = time(NULL);
	struct tm tm;

	if (!skip_all) {
		snprintf(m->run_id, sizeof(m->run_id), "%s", suite->st.run_id);
		return;
	}
	localtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y%m%d-%H%M%S", &tm);
	snprintf(m->run_id, sizeof(m->run_id), "%s-%d", ts, (int)getpid());
}

static void print_header(int ktap, int total, const struct res_meta *m, const char *swap)
{
	if (ktap)
		res_ktap_begin(stdout, total);
	else
		printf("memcg-lab %s: %d scenario%s on %s, %s%.0d, swap %s\n", MLAB_VERSION, total,
		       total == 1 ? "" : "s", m->kernel,
		       m->cgroup_version ? "cgroup v" : "no memory controller", m->cgroup_version,
		       swap);
	fflush(stdout);
}

/* The @n scenarios @repeat times, each reported as it ends; whether any
 * failed or could not be judged. */
static int run_scenarios(int n, uint64_t repeat, const struct scn_opts *so, struct res_run *rr,
			 struct progress *prog, int ktap)
{
	struct mlab_err e;
	int failed = 0;

	for (uint64_t r = 0; r < repeat && !run_interrupted; r++)
		for (int i = 0; i < n && !run_interrupted; i++) {
			struct res_scenario *s = res_add_scenario(rr);
			if (!s)
				break;
			prog->index = rr->nscenarios;
			scn_run(&scns[i], so, s, &e);
			/* its last run: its steps are done with (the results keep
			 * what was seen), and the harness stays small */
			if (r == repeat - 1)
				scn_free(&scns[i]);
			if (prog->tty)
				fprintf(stderr, "\r\033[K");
			if (ktap)
				res_ktap_scenario(stdout, rr->nscenarios, s);
			else
				human_scenario(stdout, s);
			fflush(stdout);
			failed |= s->verdict == RES_FAIL || s->verdict == RES_ERROR;
		}
	return failed;
}

/* Per scenario: how many runs gave which verdict; flaky if several. */
static void print_stability(struct res_run *rr, uint64_t repeat, int ktap)
{
	static struct res_stability st[MAX_SCN];
	int ns = res_stability(rr, st, MAX_SCN), flaky = 0;
	const char *pre = ktap ? "# " : "";

	printf("%sverdicts over %llu runs:\n", pre, (unsigned long long)repeat);
	for (int k = 0; k < ns; k++) {
		printf("%s  %-30s %3d pass %3d fail %3d skip %3d error%s\n", pre, st[k].name,
		       st[k].verdicts[RES_PASS], st[k].verdicts[RES_FAIL], st[k].verdicts[RES_SKIP],
		       st[k].verdicts[RES_ERROR], st[k].flaky ? "  FLAKY" : "");
		flaky += st[k].flaky;
	}
	printf("%s%d flaky scenario%s\n", pre, flaky, flaky == 1 ? "" : "s");
}

static void print_totals(const struct res_run *rr, int ktap)
{
	int p = 0, f = 0, sk = 0;

	if (ktap) {
		res_ktap_end(stdout, rr);
		return;
	}
	for (int i = 0; i < rr->nscenarios; i++) {
		enum res_verdict v = rr->scenarios[i].verdict;
		p += v == RES_PASS;
		f += v == RES_FAIL || v == RES_ERROR;
		sk += v == RES_SKIP;
	}
	printf("%d passed, %d failed, %d skipped\n", p, f, sk);
}

/* results/<run-id>/; 1 if it could not be written. */
static int write_results(const char *results, struct res_run *rr)
{
	struct rusage ru;
	char err[512];

	/* this process only: the workloads are children, and their own */
	if (!getrusage(RUSAGE_SELF, &ru)) {
		rr->meta.harness_max_rss = (uint64_t)ru.ru_maxrss * 1024;
		rr->meta.harness_cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
					 (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	}
	if (res_write_dir(results, rr, err, sizeof(err))) {
		fprintf(stderr, "memcg-lab: writing results: %s\n", err);
		return 1;
	}
	fprintf(stderr, "results: %s/%s/\n", results, rr->meta.run_id);
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts ro = {.format = isatty(1) ? "human" : "ktap",
			      .results = "results",
			      .swap = "none",
			      .repeat = 1};
	const char *where = getenv("MEMCG_LAB_WHERE");
	struct scn_opts so = {0};
	struct res_run rr = {0};
	struct progress prog = {.tty = isatty(2)};
	struct run suite = {.st.fd = -1};
	struct mlab_err e;
	int nargs = 0, n, ret, failed, ktap;

	ret = cli_parse(&run_cmd, argc, argv, &ro, &nargs, NULL);
	if (ret != CLI_OK)
		return cli_parse_status(ret);
	if (!where || !*where)
		where = "host";
	ktap = !strcmp(ro.format, "ktap");
	/* KTAP is read by machines: the live progress line never shares its
	 * terminal (the guest's console would carry both on one line) */
	if (ktap && same_terminal(1, 2))
		prog.tty = 0;
	n = load_scenarios(nargs, argv + 1);
	if (n < 0)
		return EXIT_USAGE;
	ret = begin_suite(&suite, ro.swap, ro.skip_all != NULL);
	if (ret)
		return ret;
	fill_meta(&rr.meta, &suite.root, ro.swap, where, (int)ro.repeat);
	name_run(&rr.meta, &suite, ro.skip_all != NULL);

	so.timeout_ns = ro.timeout_ns;
	so.sample_ns = ro.sample_ns;
	so.skip_all = ro.skip_all;
	so.where = where;
	so.progress = on_step;
	so.progress_arg = &prog;
	prog.total = n * (int)ro.repeat;
	print_header(ktap, prog.total, &rr.meta, ro.swap);
	failed = run_scenarios(n, ro.repeat, &so, &rr, &prog, ktap);
	if (ro.repeat > 1)
		print_stability(&rr, ro.repeat, ktap);
	print_totals(&rr, ktap);
	failed |= write_results(ro.results, &rr);
	if (!ro.skip_all && run_end(&suite, &e)) {
		fprintf(stderr, "memcg-lab: %s\n", e.msg);
		failed = 1;
	}
	for (int i = 0; i < n; i++)
		scn_free(&scns[i]);
	res_free(&rr);
	if (run_interrupted) {
		fprintf(stderr, "memcg-lab: interrupted\n");
		return 128 + run_interrupted;
	}
	return failed ? EXIT_FAILED : 0;
}
