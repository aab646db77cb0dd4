/* Unit tests of the result writers (res.c, res_ktap.c, res_files.c): the
 * growing arrays, the exact KTAP text, and the results directory read back
 * (JSON with jansson, junit.xml and the timeline CSVs as text). */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "res.h"
#include "testutil.h"

#define RUN_ID "20240101T000000Z-1234"

static void add_expect(struct res_scenario *s, const char *text, enum res_verdict v,
		       const char *observed, int line)
{
	struct res_expect *e = res_add_expect(s);

	ck_assert_ptr_nonnull(e);
	snprintf(e->text, sizeof(e->text), "%s", text);
	e->verdict = v;
	snprintf(e->observed, sizeof(e->observed), "%s", observed);
	e->line = line;
}

static void add_event(struct res_scenario *s, double t, const char *group, const char *kind,
		      uint64_t value)
{
	struct res_event *e = res_add_event(s);

	ck_assert_ptr_nonnull(e);
	e->t_s = t;
	snprintf(e->group, sizeof(e->group), "%s", group);
	snprintf(e->kind, sizeof(e->kind), "%s", kind);
	e->value = value;
}

static void add_sample(struct res_scenario *s, double t, int group, const uint64_t *v)
{
	struct res_sample *x = res_add_sample(s);

	ck_assert_ptr_nonnull(x);
	x->t_s = t;
	x->group = group;
	memcpy(x->v, v, sizeof(x->v));
}

static const uint64_t sample_a[RES_NCOUNTERS] = { 3145728, 4194304, 2097152, 1048576, 0,
						  RES_NA,  5,	    0,	     RES_NA };
static const uint64_t sample_b[RES_NCOUNTERS] = { 1024, RES_NA, 512, 256, 128, 64, 0, 1, 0 };

/* The run of the brief: a pass, a fail and a skip. */
static void build_run(struct res_run *r)
{
	struct res_scenario *s;

	memset(r, 0, sizeof(*r));
	snprintf(r->meta.run_id, sizeof(r->meta.run_id), RUN_ID);
	snprintf(r->meta.kernel, sizeof(r->meta.kernel), "6.1.0-test");
	r->meta.cgroup_version = 2;
	snprintf(r->meta.cgroup_layout, sizeof(r->meta.cgroup_layout), "v2");
	r->meta.mem_total = 8ULL << 30;
	r->meta.swap_total = 256ULL << 20;
	snprintf(r->meta.swap_mode, sizeof(r->meta.swap_mode), "256M");
	snprintf(r->meta.swap_kind, sizeof(r->meta.swap_kind), "zram");
	snprintf(r->meta.facts[0].name, sizeof(r->meta.facts[0].name), "mglru");
	r->meta.facts[0].value = 1;
	snprintf(r->meta.facts[1].name, sizeof(r->meta.facts[1].name), "cpus");
	r->meta.facts[1].value = 2;
	r->meta.nfacts = 2;
	snprintf(r->meta.version, sizeof(r->meta.version), "0.1.0");
	snprintf(r->meta.start_time, sizeof(r->meta.start_time), "2024-01-01T00:00:00Z");
	snprintf(r->meta.where, sizeof(r->meta.where), "vm");
	r->meta.repeat = 1;

	s = res_add_scenario(r);
	ck_assert_ptr_nonnull(s);
	snprintf(s->name, sizeof(s->name), "limit-basic");
	snprintf(s->file, sizeof(s->file), "scenarios/limit-basic.scn");
	snprintf(s->doc, sizeof(s->doc), "usage stays under the limit");
	s->verdict = RES_PASS;
	s->duration_s = 1.234;
	add_expect(s, "a usage <= 4M", RES_PASS, "3145728 (3M)", 12);
	add_expect(s, "a exited 0", RES_PASS, "exited 0", 13);
	add_event(s, 0.5, "a", "max", 3);
	add_event(s, 0.75, "a", "oom_kill", 1);
	ck_assert_int_eq(res_add_kmsg(s, "memory: usage 4096kB, limit 4096kB, failcnt 12"), 0);
	ck_assert_int_eq(res_add_kmsg(s, "oom-kill:constraint=CONSTRAINT_MEMCG"), 0);
	snprintf(s->groups[0], sizeof(s->groups[0]), "a");
	snprintf(s->groups[1], sizeof(s->groups[1]), "b,c");
	s->ngroups = 2;
	add_sample(s, 0.1, 0, sample_a);
	add_sample(s, 0.2, 1, sample_b);
	/* 1, 2, ..., 100 us: p50 50 us, mean 50.5 us, max 100 us */
	for (int i = 1; i <= 100; i++)
		lat_record(&s->lat, (uint64_t)i * 1000);

	s = res_add_scenario(r);
	ck_assert_ptr_nonnull(s);
	snprintf(s->name, sizeof(s->name), "oom-kill");
	snprintf(s->file, sizeof(s->file), "scenarios/oom-kill.scn");
	s->verdict = RES_FAIL;
	s->duration_s = 2.5;
	add_expect(s, "a usage < 1M & peak > \"0\"", RES_FAIL, "5242880 (5M)", 20);
	snprintf(s->reason, sizeof(s->reason),
		 "line 20: a usage < 1M & peak > \"0\": 5242880 (5M)");

	s = res_add_scenario(r);
	ck_assert_ptr_nonnull(s);
	snprintf(s->name, sizeof(s->name), "swap-v1");
	snprintf(s->file, sizeof(s->file), "scenarios/swap-v1.scn");
	s->verdict = RES_SKIP;
	snprintf(s->reason, sizeof(s->reason), "needs cgroup v1");
	snprintf(s->variant, sizeof(s->variant), "v2");
	snprintf(s->variant_doc, sizeof(s->variant_doc), "unified hierarchy");
}

/* The whole KTAP output of @r, malloc'ed. */
static char *ktap_of(const struct res_run *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	res_ktap_begin(f, r->nscenarios);
	for (int i = 0; i < r->nscenarios; i++)
		res_ktap_scenario(f, i + 1, &r->scenarios[i]);
	res_ktap_end(f, r);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

static const char expected_ktap[] =
	"KTAP version 1\n"
	"1..3\n"
	"  KTAP version 1\n"
	"  # Subtest: limit-basic\n"
	"  1..2\n"
	"  ok 1 a usage <= 4M # observed: 3145728 (3M)\n"
	"  ok 2 a exited 0 # observed: exited 0\n"
	"# duration: 1.23 s\n"
	"ok 1 limit-basic\n"
	"  KTAP version 1\n"
	"  # Subtest: oom-kill\n"
	"  1..1\n"
	"  not ok 1 a usage < 1M & peak > \"0\" # observed: 5242880 (5M)\n"
	"# reason: line 20: a usage < 1M & peak > \"0\": 5242880 (5M)\n"
	"# duration: 2.50 s\n"
	"not ok 2 oom-kill\n"
	"# variant: v2 (unified hierarchy)\n"
	"# duration: 0.00 s\n"
	"ok 3 swap-v1 # SKIP needs cgroup v1\n"
	"# 1 passed, 1 failed, 1 skipped\n"
	"1 passed, 1 failed, 1 skipped\n";

START_TEST(ktap_exact)
{
	struct res_run r;
	char *out, *last;

	build_run(&r);
	out = ktap_of(&r);
	ck_assert_str_eq(out, expected_ktap);
	/* the very last line, on its own */
	ck_assert_uint_gt(strlen(out), 2);
	out[strlen(out) - 1] = 0;
	last = strrchr(out, '\n');
	ck_assert_ptr_nonnull(last);
	ck_assert_str_eq(last + 1, "1 passed, 1 failed, 1 skipped");
	free(out);
	res_free(&r);
}
END_TEST

/* Error verdicts, skipped expectations, and texts that would break lines
 * or start a directive. */
START_TEST(ktap_error_skip_oneline)
{
	struct res_run r = { 0 };
	struct res_scenario *s;
	char *out;

	s = res_add_scenario(&r);
	ck_assert_ptr_nonnull(s);
	snprintf(s->name, sizeof(s->name), "two#words");
	s->verdict = RES_ERROR;
	s->duration_s = 0.016;
	snprintf(s->reason, sizeof(s->reason), "setup failed:\nno memory controller # TODO");
	add_expect(s, "a usage\n<= 4M", RES_SKIP, "variant v1 only", 3);
	add_expect(s, "b exited 0", RES_SKIP, "", 4);
	/* kernel-log text quoted as observed: its '#' must not make a directive */
	add_expect(s, "kmsg \"x\"", RES_FAIL, "logged: x # SKIP y", 5);

	s = res_add_scenario(&r);
	ck_assert_ptr_nonnull(s);
	snprintf(s->name, sizeof(s->name), "bare");
	s->verdict = RES_SKIP;
	snprintf(s->variant, sizeof(s->variant), "v1");

	out = ktap_of(&r);
	ck_assert_str_eq(out, "KTAP version 1\n"
			      "1..2\n"
			      "  KTAP version 1\n"
			      "  # Subtest: two_words\n"
			      "  1..3\n"
			      "  ok 1 a usage <= 4M # SKIP variant v1 only\n"
			      "  ok 2 b exited 0 # SKIP\n"
			      "  not ok 3 kmsg \"x\" # observed: logged: x _ SKIP y\n"
			      "# reason: setup failed: no memory controller # TODO\n"
			      "# duration: 0.02 s\n"
			      "not ok 1 two_words # ERROR setup failed: no memory controller _ TODO\n"
			      "# variant: v1\n"
			      "# duration: 0.00 s\n"
			      "ok 2 bare # SKIP\n"
			      "# 0 passed, 1 failed, 1 skipped\n"
			      "0 passed, 1 failed, 1 skipped\n");
	free(out);
	res_free(&r);
}
END_TEST

START_TEST(grow_and_free)
{
	struct res_run r = { 0 };
	struct res_scenario *s;
	char line[300];

	ck_assert_str_eq(res_verdict_name(RES_PASS), "pass");
	ck_assert_str_eq(res_verdict_name(RES_FAIL), "fail");
	ck_assert_str_eq(res_verdict_name(RES_SKIP), "skip");
	ck_assert_str_eq(res_verdict_name(RES_ERROR), "error");
	ck_assert_str_eq(res_counter_names[0], "usage");
	ck_assert_str_eq(res_counter_names[RES_NCOUNTERS - 1], "under_oom");

	for (int i = 0; i < 40; i++) {
		s = res_add_scenario(&r);
		ck_assert_ptr_nonnull(s);
		/* new elements start zeroed, the histogram empty */
		ck_assert_int_eq(s->nsamples, 0);
		ck_assert_uint_eq(s->lat.count, 0);
		ck_assert_uint_eq(s->lat.min_ns, UINT64_MAX);
		snprintf(s->name, sizeof(s->name), "s%d", i);
	}
	ck_assert_int_eq(r.nscenarios, 40);
	ck_assert_int_ge(r.cap_scenarios, 40);
	ck_assert_str_eq(r.scenarios[0].name, "s0");
	ck_assert_str_eq(r.scenarios[39].name, "s39");

	s = &r.scenarios[7];
	for (int i = 0; i < 1000; i++) {
		struct res_sample *x = res_add_sample(s);

		ck_assert_ptr_nonnull(x);
		ck_assert_uint_eq(x->v[0], 0);
		x->v[0] = (uint64_t)i;
	}
	ck_assert_int_eq(s->nsamples, 1000);
	/* doubling: the capacity is a power of two times the first one */
	ck_assert_int_eq(s->cap_samples, 1024);
	for (int i = 0; i < 1000; i++)
		ck_assert_uint_eq(s->samples[i].v[0], (uint64_t)i);

	/* a kernel-log line longer than the slot is cut, terminated */
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = 0;
	ck_assert_int_eq(res_add_kmsg(s, line), 0);
	ck_assert_uint_eq(strlen(s->kmsg[0]), sizeof(s->kmsg[0]) - 1);
	ck_assert_int_eq(res_add_kmsg(s, "short"), 0);
	ck_assert_str_eq(s->kmsg[1], "short");

	res_free(&r);
	ck_assert_ptr_null(r.scenarios);
	ck_assert_int_eq(r.nscenarios, 0);
	res_free(&r); /* twice is harmless */
}
END_TEST

static json_t *load_json(const char *path)
{
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err);

	ck_assert_msg(j != NULL, "%s: %s at line %d", path, err.text, err.line);
	return j;
}

static const char *jget_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_string(v), "\"%s\" is not a string", key);
	return json_string_value(v);
}

static json_int_t jget_int(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_integer(v), "\"%s\" is not an integer", key);
	return json_integer_value(v);
}

static double jget_num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_number(v), "\"%s\" is not a number", key);
	return json_number_value(v);
}

/* Write the run into a fresh directory; returns results/<run-id>. */
static const char *write_run(const struct res_run *r)
{
	static char rundir[4096];
	const char *dir = tu_tmpdir();
	char err[512] = "";
	int ret;

	/* a results directory that does not exist yet: mkdir -p */
	snprintf(rundir, sizeof(rundir), "%s/results/%s", dir, r->meta.run_id);
	ret = res_write_dir(tu_path("%s/results", dir), r, err, sizeof(err));
	ck_assert_msg(ret == 0, "res_write_dir: %d %s", ret, err);
	return rundir;
}

START_TEST(dir_files)
{
	struct res_run r;
	const char *d;
	DIR *dh;
	struct dirent *de;
	int n = 0;

	build_run(&r);
	d = write_run(&r);
	ck_assert(tu_exists(tu_path("%s/meta.json", d)));
	ck_assert(tu_exists(tu_path("%s/results.json", d)));
	ck_assert(tu_exists(tu_path("%s/junit.xml", d)));
	ck_assert(tu_exists(tu_path("%s/timeline-limit-basic.csv", d)));
	/* no samples, no CSV; and no temporary file left behind */
	dh = opendir(d);
	ck_assert_ptr_nonnull(dh);
	while ((de = readdir(dh))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		ck_assert_msg(de->d_name[0] != '.', "left behind: %s", de->d_name);
		n++;
	}
	closedir(dh);
	ck_assert_int_eq(n, 4);
	/* writing the same run again replaces the files */
	ck_assert_str_eq(write_run(&r), d);
	res_free(&r);
}
END_TEST

START_TEST(meta_json)
{
	struct res_run r;
	json_t *m;

	build_run(&r);
	m = load_json(tu_path("%s/meta.json", write_run(&r)));
	ck_assert_str_eq(jget_str(m, "run_id"), RUN_ID);
	ck_assert_str_eq(jget_str(m, "kernel"), "6.1.0-test");
	ck_assert_int_eq(jget_int(m, "cgroup_version"), 2);
	ck_assert_str_eq(jget_str(m, "cgroup_layout"), "v2");
	ck_assert_int_eq(jget_int(m, "mem_total_bytes"), 8LL << 30);
	ck_assert_int_eq(jget_int(m, "swap_total_bytes"), 256LL << 20);
	ck_assert_str_eq(jget_str(m, "swap_mode"), "256M");
	ck_assert_str_eq(jget_str(m, "harness_version"), "0.1.0");
	ck_assert_str_eq(jget_str(m, "start_time"), "2024-01-01T00:00:00Z");
	ck_assert_str_eq(jget_str(m, "where"), "vm");
	ck_assert_int_eq(jget_int(m, "repeat"), 1);
	ck_assert_str_eq(jget_str(m, "swap_kind"), "zram");
	{
		json_t *facts = json_object_get(m, "kernel_facts");
		ck_assert_ptr_nonnull(facts);
		ck_assert_uint_eq(json_object_size(facts), 2);
		ck_assert_int_eq(json_integer_value(json_object_get(facts, "mglru")), 1);
		ck_assert_int_eq(json_integer_value(json_object_get(facts, "cpus")), 2);
	}
	ck_assert_int_eq(jget_int(m, "format"), RES_FORMAT);
	ck_assert_uint_eq(json_object_size(m), 14);
	json_decref(m);
	res_free(&r);
}
END_TEST

START_TEST(results_json)
{
	struct res_run r;
	json_t *j, *sum, *sc, *s, *a, *x, *lat, *b;
	double p50;
	json_int_t nb = 0;
	size_t i;

	build_run(&r);
	j = load_json(tu_path("%s/results.json", write_run(&r)));
	ck_assert_str_eq(jget_str(j, "run_id"), RUN_ID);
	ck_assert_int_eq(jget_int(j, "format"), RES_FORMAT);
	sum = json_object_get(j, "summary");
	ck_assert_int_eq(jget_int(sum, "passed"), 1);
	ck_assert_int_eq(jget_int(sum, "failed"), 1);
	ck_assert_int_eq(jget_int(sum, "skipped"), 1);
	ck_assert_int_eq(jget_int(sum, "total"), 3);
	sc = json_object_get(j, "scenarios");
	ck_assert_uint_eq(json_array_size(sc), 3);

	/* the pass */
	s = json_array_get(sc, 0);
	ck_assert_str_eq(jget_str(s, "name"), "limit-basic");
	ck_assert_str_eq(jget_str(s, "file"), "scenarios/limit-basic.scn");
	ck_assert_str_eq(jget_str(s, "doc"), "usage stays under the limit");
	ck_assert_str_eq(jget_str(s, "verdict"), "pass");
	ck_assert_str_eq(jget_str(s, "reason"), "");
	ck_assert(json_is_null(json_object_get(s, "variant")));
	ck_assert_double_eq_tol(jget_num(s, "duration_s"), 1.234, 1e-9);
	a = json_object_get(s, "expectations");
	ck_assert_uint_eq(json_array_size(a), 2);
	x = json_array_get(a, 0);
	ck_assert_str_eq(jget_str(x, "text"), "a usage <= 4M");
	ck_assert_str_eq(jget_str(x, "verdict"), "pass");
	ck_assert_str_eq(jget_str(x, "observed"), "3145728 (3M)");
	ck_assert_int_eq(jget_int(x, "line"), 12);
	ck_assert_int_eq(jget_int(json_array_get(a, 1), "line"), 13);
	a = json_object_get(s, "events");
	ck_assert_uint_eq(json_array_size(a), 2);
	x = json_array_get(a, 1);
	ck_assert_double_eq_tol(jget_num(x, "t_s"), 0.75, 1e-9);
	ck_assert_str_eq(jget_str(x, "group"), "a");
	ck_assert_str_eq(jget_str(x, "kind"), "oom_kill");
	ck_assert_int_eq(jget_int(x, "value"), 1);
	ck_assert_str_eq(jget_str(json_array_get(a, 0), "kind"), "max");
	ck_assert_int_eq(jget_int(json_array_get(a, 0), "value"), 3);
	a = json_object_get(s, "kernel_log");
	ck_assert_uint_eq(json_array_size(a), 2);
	ck_assert_str_eq(json_string_value(json_array_get(a, 0)),
			 "memory: usage 4096kB, limit 4096kB, failcnt 12");
	ck_assert_str_eq(json_string_value(json_array_get(a, 1)),
			 "oom-kill:constraint=CONSTRAINT_MEMCG");
	ck_assert_str_eq(jget_str(s, "timeline"), "timeline-limit-basic.csv");

	lat = json_object_get(s, "latency");
	ck_assert(json_is_object(lat));
	ck_assert_int_eq(jget_int(lat, "count"), 100);
	/* p50 is 50 us, reported as its bucket's upper bound: within 6.25 % */
	p50 = jget_num(lat, "p50_us");
	ck_assert_msg(p50 >= 50.0 && p50 <= 50.0 * 1.0625, "p50_us %f", p50);
	ck_assert_double_eq_tol(p50, (double)lat_percentile(&r.scenarios[0].lat, 50) / 1e3, 1e-9);
	ck_assert_double_eq_tol(jget_num(lat, "p90_us"),
				(double)lat_percentile(&r.scenarios[0].lat, 90) / 1e3, 1e-9);
	ck_assert_double_eq_tol(jget_num(lat, "p99_us"),
				(double)lat_percentile(&r.scenarios[0].lat, 99) / 1e3, 1e-9);
	ck_assert_double_eq_tol(jget_num(lat, "max_us"), 100.0, 1e-9);
	ck_assert_double_eq_tol(jget_num(lat, "mean_us"), 50.5, 1e-9);
	b = json_object_get(lat, "buckets");
	ck_assert(json_array_size(b) > 0);
	for (i = 0; i < json_array_size(b); i++) {
		json_t *e = json_array_get(b, i);
		json_int_t lo = json_integer_value(json_array_get(e, 0));
		json_int_t hi = json_integer_value(json_array_get(e, 1));
		json_int_t c = json_integer_value(json_array_get(e, 2));
		uint64_t blo, bhi;

		ck_assert_uint_eq(json_array_size(e), 3);
		ck_assert_int_gt(c, 0); /* only non-empty buckets */
		ck_assert_int_le(lo, hi);
		lat_bucket_range(lat_bucket((uint64_t)lo), &blo, &bhi);
		ck_assert_int_eq(lo, (json_int_t)blo);
		ck_assert_int_eq(hi, (json_int_t)bhi);
		nb += c;
	}
	ck_assert_int_eq(nb, 100);
	/* the first sample, 1000 ns, is alone in its bucket */
	x = json_array_get(b, 0);
	ck_assert_int_le(json_integer_value(json_array_get(x, 0)), 1000);
	ck_assert_int_ge(json_integer_value(json_array_get(x, 1)), 1000);
	ck_assert_int_eq(json_integer_value(json_array_get(x, 2)), 1);

	/* the fail */
	s = json_array_get(sc, 1);
	ck_assert_str_eq(jget_str(s, "verdict"), "fail");
	ck_assert_str_eq(jget_str(s, "reason"),
			 "line 20: a usage < 1M & peak > \"0\": 5242880 (5M)");
	x = json_array_get(json_object_get(s, "expectations"), 0);
	ck_assert_str_eq(jget_str(x, "verdict"), "fail");
	ck_assert_str_eq(jget_str(x, "text"), "a usage < 1M & peak > \"0\"");
	ck_assert_str_eq(jget_str(x, "observed"), "5242880 (5M)");
	ck_assert(json_is_null(json_object_get(s, "latency")));
	ck_assert(json_is_null(json_object_get(s, "timeline")));
	ck_assert_uint_eq(json_array_size(json_object_get(s, "events")), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(s, "kernel_log")), 0);

	/* the skip */
	s = json_array_get(sc, 2);
	ck_assert_str_eq(jget_str(s, "verdict"), "skip");
	ck_assert_str_eq(jget_str(s, "reason"), "needs cgroup v1");
	ck_assert_str_eq(jget_str(s, "variant"), "v2");
	ck_assert_str_eq(jget_str(s, "variant_doc"), "unified hierarchy");
	ck_assert_uint_eq(json_array_size(json_object_get(s, "expectations")), 0);
	ck_assert(json_is_null(json_object_get(s, "timeline")));

	json_decref(j);
	res_free(&r);
}
END_TEST

START_TEST(junit_xml)
{
	struct res_run r;
	const char *x;

	build_run(&r);
	/* a control character and a cut UTF-8 sequence cannot go into XML */
	ck_assert_int_eq(res_add_kmsg(&r.scenarios[0], "bell\a end \xc3"), 0);
	x = tu_read(tu_path("%s/junit.xml", write_run(&r)));
	ck_assert_ptr_nonnull(x);
	ck_assert_msg(!strncmp(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39), "%s", x);
	/* the counts: junit-10.xsd has skipped on testsuite only */
	ck_assert_ptr_nonnull(strstr(x, "<testsuites name=\"memcg-lab\" tests=\"3\" failures=\"1\" "
					"errors=\"0\" time=\"3.734\">"));
	ck_assert_ptr_nonnull(strstr(x, "<testsuite name=\"memcg-lab\" tests=\"3\" failures=\"1\" "
					"errors=\"0\" time=\"3.734\" skipped=\"1\">"));
	/* and no file attribute on testcase: the file opens system-out */
	ck_assert_ptr_nonnull(strstr(x, "<testcase classname=\"memcg-lab\" name=\"limit-basic\" "
					"time=\"1.234\">"));
	ck_assert_ptr_nonnull(strstr(x, "<system-out>file: scenarios/limit-basic.scn\n"));
	/* the failure: reason escaped in the attribute, the failed
	 * expectation escaped in the body */
	ck_assert_ptr_nonnull(strstr(x,
				     "<failure message=\"line 20: a usage &lt; 1M &amp; peak "
				     "&gt; &quot;0&quot;: 5242880 (5M)\" type=\"fail\">"
				     "fail line 20: a usage &lt; 1M &amp; peak &gt; &quot;0&quot; "
				     "(observed: 5242880 (5M))\n</failure>"));
	ck_assert_ptr_null(strstr(x, "1M & peak"));
	ck_assert_ptr_nonnull(strstr(x, "<skipped message=\"needs cgroup v1\"/>"));
	/* system-out: every expectation, the variant, the kernel log */
	ck_assert_ptr_nonnull(strstr(x, "pass line 12: a usage &lt;= 4M (observed: 3145728 (3M))\n"
					"pass line 13: a exited 0 (observed: exited 0)\n"
					"kernel log:\n"
					"memory: usage 4096kB, limit 4096kB, failcnt 12\n"));
	ck_assert_ptr_nonnull(strstr(x, "\nbell? end ?\n</system-out>"));
	ck_assert_ptr_nonnull(strstr(x, "variant: v2 (unified hierarchy)\n</system-out>"));
	ck_assert_ptr_nonnull(strstr(x, "<property name=\"kernel\" value=\"6.1.0-test\"/>"));
	ck_assert_ptr_nonnull(strstr(x, "</testsuite>\n</testsuites>\n"));
	res_free(&r);
}
END_TEST

START_TEST(junit_error_counts)
{
	struct res_run r;
	const char *x;

	build_run(&r);
	r.scenarios[1].verdict = RES_ERROR;
	snprintf(r.scenarios[1].reason, sizeof(r.scenarios[1].reason), "it's\tbroken\n");
	x = tu_read(tu_path("%s/junit.xml", write_run(&r)));
	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(strstr(x, "tests=\"3\" failures=\"0\" errors=\"1\" time=\"3.734\" "
					"skipped=\"1\""));
	ck_assert_ptr_nonnull(
		strstr(x, "<error message=\"it&apos;s&#9;broken&#10;\" type=\"error\">"));
	res_free(&r);
}
END_TEST

START_TEST(timeline_csv)
{
	struct res_run r;
	const char *c;

	build_run(&r);
	c = tu_read(tu_path("%s/timeline-limit-basic.csv", write_run(&r)));
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c,
			 "t_s,group,usage,limit,anon,file,shmem,swap,failcnt,oom_kill,under_oom\n"
			 "0.100,a,3145728,4194304,2097152,1048576,0,,5,0,\n"
			 "0.200,\"b,c\",1024,,512,256,128,64,0,1,0\n");
	res_free(&r);
}
END_TEST

/* --repeat: the same scenario three times, one CSV each */
START_TEST(repeat_suffix)
{
	struct res_run r = { 0 };
	const char *d;
	json_t *j, *sc;

	snprintf(r.meta.run_id, sizeof(r.meta.run_id), "rep-run");
	for (int k = 0; k < 3; k++) {
		struct res_scenario *s = res_add_scenario(&r);

		ck_assert_ptr_nonnull(s);
		snprintf(s->name, sizeof(s->name), "limit-basic");
		snprintf(s->groups[0], sizeof(s->groups[0]), "a");
		s->ngroups = 1;
		s->verdict = RES_PASS;
		add_sample(s, 0.5 * (k + 1), 0, sample_a);
	}
	d = write_run(&r);
	ck_assert(tu_exists(tu_path("%s/timeline-limit-basic.csv", d)));
	ck_assert(tu_exists(tu_path("%s/timeline-limit-basic-2.csv", d)));
	ck_assert(tu_exists(tu_path("%s/timeline-limit-basic-3.csv", d)));
	ck_assert(!tu_exists(tu_path("%s/timeline-limit-basic-1.csv", d)));
	/* each file holds its own repetition's samples */
	ck_assert_ptr_nonnull(strstr(tu_read(tu_path("%s/timeline-limit-basic-3.csv", d)),
				     "\n1.500,a,"));
	j = load_json(tu_path("%s/results.json", d));
	sc = json_object_get(j, "scenarios");
	ck_assert_str_eq(jget_str(json_array_get(sc, 0), "timeline"), "timeline-limit-basic.csv");
	ck_assert_str_eq(jget_str(json_array_get(sc, 1), "timeline"), "timeline-limit-basic-2.csv");
	ck_assert_str_eq(jget_str(json_array_get(sc, 2), "timeline"), "timeline-limit-basic-3.csv");
	ck_assert_int_eq(jget_int(json_object_get(j, "summary"), "passed"), 3);
	json_decref(j);
	res_free(&r);
}
END_TEST

START_TEST(unwritable)
{
	struct res_run r;
	const char *dir = tu_tmpdir();
	char file[4096], err[512] = "";
	int ret;

	build_run(&r);
	/* a directory under a regular file cannot be made, not even by root */
	snprintf(file, sizeof(file), "%s/plain", dir);
	tu_write(file, "x");
	ret = res_write_dir(tu_path("%s/results", file), &r, err, sizeof(err));
	ck_assert_int_eq(ret, -ENOTDIR);
	ck_assert_msg(strstr(err, tu_path("%s/results/" RUN_ID, file)) != NULL, "message: %s", err);
	ck_assert_msg(strstr(err, strerror(ENOTDIR)) != NULL, "message: %s", err);

	/* the run directory itself taken by a file: the first file fails */
	tu_mkdir(tu_path("%s/res2", dir));
	tu_write(tu_path("%s/res2/" RUN_ID, dir), "x");
	err[0] = 0;
	ret = res_write_dir(tu_path("%s/res2", dir), &r, err, sizeof(err));
	ck_assert_int_lt(ret, 0);
	ck_assert_msg(strstr(err, tu_path("%s/res2/" RUN_ID, dir)) != NULL, "message: %s", err);

	/* a run id that would leave the results directory */
	snprintf(r.meta.run_id, sizeof(r.meta.run_id), "../escape");
	ret = res_write_dir(tu_path("%s/res3", dir), &r, err, sizeof(err));
	ck_assert_int_eq(ret, -EINVAL);
	ck_assert(!tu_exists(tu_path("%s/escape", dir)));
	res_free(&r);
}
END_TEST

/* --repeat: a name whose runs disagree is flaky, one that agrees is not */
START_TEST(stability_marks_flaky)
{
	static const struct {
		const char *name;
		enum res_verdict v;
	} runs[] = { { "steady", RES_PASS }, { "flips", RES_PASS }, { "steady", RES_PASS },
		     { "flips", RES_FAIL },  { "skips", RES_SKIP }, { "flips", RES_PASS } };
	struct res_run r = { 0 };
	struct res_stability st[8];
	int n;

	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		struct res_scenario *s = res_add_scenario(&r);
		ck_assert_ptr_nonnull(s);
		snprintf(s->name, sizeof(s->name), "%s", runs[i].name);
		s->verdict = runs[i].v;
	}
	n = res_stability(&r, st, 8);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(st[0].name, "steady");
	ck_assert_int_eq(st[0].runs, 2);
	ck_assert_int_eq(st[0].verdicts[RES_PASS], 2);
	ck_assert(!st[0].flaky);
	ck_assert_str_eq(st[1].name, "flips");
	ck_assert_int_eq(st[1].verdicts[RES_PASS], 2);
	ck_assert_int_eq(st[1].verdicts[RES_FAIL], 1);
	ck_assert(st[1].flaky);
	ck_assert(!st[2].flaky);
	/* every run of a flaky name carries the mark */
	ck_assert(r.scenarios[1].flaky && r.scenarios[3].flaky && r.scenarios[5].flaky);
	ck_assert(!r.scenarios[0].flaky && !r.scenarios[4].flaky);
	res_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("res");
	TCase *tc = tu_case(s, "res", 30);

	tu_init();
	tcase_add_test(tc, ktap_exact);
	tcase_add_test(tc, ktap_error_skip_oneline);
	tcase_add_test(tc, grow_and_free);
	tcase_add_test(tc, dir_files);
	tcase_add_test(tc, meta_json);
	tcase_add_test(tc, results_json);
	tcase_add_test(tc, junit_xml);
	tcase_add_test(tc, junit_error_counts);
	tcase_add_test(tc, timeline_csv);
	tcase_add_test(tc, repeat_suffix);
	tcase_add_test(tc, unwritable);
	tcase_add_test(tc, stability_marks_flaky);

	return tu_suite_run(s);
}
