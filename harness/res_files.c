/* The results directory: results/<run-id>/ with meta.json, results.json,
 * junit.xml and one timeline CSV per scenario with samples. See res.h and
 * results/README.md for the formats.
 *
 * Every file is written to a temporary name in the same directory, synced
 * and renamed, so that a reader (or a crash) never sees half a file. The
 * strings of the data model come from the kernel and from scenario files
 * and may be cut in the middle of a UTF-8 sequence: JSON gets them through
 * jout_str() and XML through xml_put(), which replace what is not valid
 * UTF-8. */
#include "res.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jout.h"
#include "util.h"

/* A fixed-size field of the data model, bounded by its size in case it was
 * filled to the last byte. */
#define FLD(x) (x), sizeof(x)

/* ---- file names ---- */

/* Scenario names go into file names: keep [A-Za-z0-9._-], the rest '_'. */
static void safe_name(char *dst, size_t dstlen, const char *name, size_t n)
{
	size_t i, len = strnlen(name, n);

	for (i = 0; i < len && i + 1 < dstlen; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			c = '_';
		dst[i] = c;
	}
	dst[i] = 0;
}

/* Name of the timeline CSV of scenario @i: "timeline-<name>.csv", or with
 * "-<k>" for the k-th (k >= 2) scenario of the same name in the run (a
 * run with --repeat). Returns 0 with no file (no samples), 1 with one. */
static int timeline_name(const struct res_run *r, int i, char *buf, size_t len)
{
	const struct res_scenario *s = &r->scenarios[i];
	char name[sizeof(s->name)], other[sizeof(s->name)];
	int k = 1;

	if (s->nsamples <= 0)
		return 0;
	safe_name(name, sizeof(name), FLD(s->name));
	/* counted over all scenarios, with samples or not, so that k is the
	 * repetition number; compared after safe_name() so that two names
	 * that map to the same file do not collide */
	for (int j = 0; j < i; j++) {
		safe_name(other, sizeof(other), FLD(r->scenarios[j].name));
		if (!strcmp(name, other))
			k++;
	}
	if (k == 1)
		snprintf(buf, len, "timeline-%s.csv", name);
	else
		snprintf(buf, len, "timeline-%s-%d.csv", name, k);
	return 1;
}

/* ---- atomic writes ---- */

typedef int (*write_fn)(FILE *f, const struct res_run *r, int arg);

struct res_writer {
	write_fn fn;
	const struct res_run *r;
	int arg;
};

static int res_write(FILE *f, void *arg)
{
	struct res_writer *w = arg;
	return w->fn(f, w->r, w->arg);
}

/* Write @dir/@name through @fn (see write_file_atomic). Returns 0 or
 * -errno with "<path>: <error>" in @errbuf. */
static int write_atomic(const char *dir, const char *name, write_fn fn, const struct res_run *r,
			int arg, char *errbuf, size_t errlen)
{
	struct res_writer w = {fn, r, arg};
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		snprintf(errbuf, errlen, "%s/%s: %s", dir, name, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	return write_file_atomic(path, res_write, &w, errbuf, errlen);
}

/* ---- meta.json ---- */

static int write_meta(FILE *f, const struct res_run *r, int unused)
{
	const struct res_meta *m = &r->meta;
	json_t *o = json_object(), *facts = json_object();
	int bad = 0;

	(void)unused;
	jout_put(o, "format", json_integer(RES_FORMAT), &bad);
	for (int i = 0; i < m->nfacts; i++)
		jout_put(facts, m->facts[i].name, jout_u64(m->facts[i].value), &bad);
	jout_put(o, "run_id", jout_str(FLD(m->run_id)), &bad);
	jout_put(o, "kernel", jout_str(FLD(m->kernel)), &bad);
	jout_put(o, "cgroup_version", json_integer(m->cgroup_version), &bad);
	jout_put(o, "cgroup_layout", jout_str(FLD(m->cgroup_layout)), &bad);
	jout_put(o, "mem_total_bytes", jout_u64(m->mem_total), &bad);
	jout_put(o, "swap_total_bytes", jout_u64(m->swap_total), &bad);
	jout_put(o, "swap_mode", jout_str(FLD(m->swap_mode)), &bad);
	jout_put(o, "swap_kind", jout_str(FLD(m->swap_kind)), &bad);
	jout_put(o, "kernel_facts", facts, &bad);
	jout_put(o, "harness_version", jout_str(FLD(m->version)), &bad);
	jout_put(o, "start_time", jout_str(FLD(m->start_time)), &bad);
	jout_put(o, "where", jout_str(FLD(m->where)), &bad);
	jout_put(o, "repeat", json_integer(m->repeat), &bad);
	if (m->harness_max_rss) {
		json_t *h = json_object();
		jout_put(h, "max_rss_bytes", jout_u64(m->harness_max_rss), &bad);
		jout_put(h, "cpu_s", jout_real(m->harness_cpu_s, 3), &bad);
		jout_put(o, "harness", h, &bad);
	}
	return jout_dump(f, o, bad);
}

/* ---- results.json ---- */

/* {count, p50_us, ..., buckets: [[lo_ns, hi_ns, count], ...]}, or null */
static json_t *latency_json(const struct lat_hist *h, int *bad)
{
	json_t *o, *b;

	if (!h->count)
		return json_null();
	o = json_object();
	jout_put(o, "count", jout_u64(h->count), bad);
	jout_put(o, "p50_us", jout_real((double)lat_percentile(h, 50) / 1e3, 3), bad);
	jout_put(o, "p90_us", jout_real((double)lat_percentile(h, 90) / 1e3, 3), bad);
	jout_put(o, "p99_us", jout_real((double)lat_percentile(h, 99) / 1e3, 3), bad);
	jout_put(o, "max_us", jout_real((double)h->max_ns / 1e3, 3), bad);
	jout_put(o, "mean_us", jout_real((double)h->sum_ns / (double)h->count / 1e3, 3), bad);
	/* only the non-empty buckets: there are hundreds */
	b = json_array();
	for (unsigned i = 0; i < LAT_BUCKETS; i++) {
		uint64_t lo, hi;

		if (!h->buckets[i])
			continue;
		lat_bucket_range(i, &lo, &hi);
		jout_append(
		    b, json_pack("[o, o, o]", jout_u64(lo), jout_u64(hi), jout_u64(h->buckets[i])),
		    bad);
	}
	jout_put(o, "buckets", b, bad);
	return o;
}

/* One array of a scenario's results: @make turns element @k into an object. */
static json_t *array_json(const struct res_scenario *s, int n,
			  json_t *(*make)(const struct res_scenario *s, int k, int *bad), int *bad)
{
	json_t *a = json_array();

	for (int k = 0; k < n; k++)
		jout_append(a, make(s, k, bad), bad);
	return a;
}

static json_t *expect_json(const struct res_scenario *s, int k, int *bad)
{
	const struct res_expect *e = &s->expects[k];
	json_t *x = json_object();

	jout_put(x, "text", jout_str(FLD(e->text)), bad);
	jout_put(x, "verdict", json_string(res_verdict_name(e->verdict)), bad);
	jout_put(x, "observed", jout_str(FLD(e->observed)), bad);
	jout_put(x, "line", json_integer(e->line), bad);
	return x;
}

static json_t *figure_json(const struct res_scenario *s, int k, int *bad)
{
	const struct res_figure *m = &s->figures[k];
	json_t *x = json_object();

	jout_put(x, "name", jout_str(FLD(m->name)), bad);
	jout_put(x, "value", jout_real(m->value, 3), bad);
	jout_put(x, "unit", jout_str(FLD(m->unit)), bad);
	jout_put(x, "line", json_integer(m->line), bad);
	return x;
}

static json_t *event_json(const struct res_scenario *s, int k, int *bad)
{
	const struct res_event *e = &s->events[k];
	json_t *x = json_object();

	jout_put(x, "t_s", jout_real(e->t_s, 6), bad);
	if (e->t_last_s > e->t_s)
		jout_put(x, "t_last_s", jout_real(e->t_last_s, 6), bad);
	jout_put(x, "group", jout_str(FLD(e->group)), bad);
	jout_put(x, "kind", jout_str(FLD(e->kind)), bad);
	jout_put(x, "count", jout_u64(e->count), bad);
	jout_put(x, "value", jout_u64(e->value), bad);
	return x;
}

static json_t *workload_json(const struct res_scenario *s, int k, int *bad)
{
	const struct res_workload *w = &s->workloads[k];
	json_t *x = json_object();

	jout_put(x, "id", jout_str(FLD(w->id)), bad);
	jout_put(x, "type", jout_str(FLD(w->type)), bad);
	jout_put(x, "group", jout_str(FLD(w->group)), bad);
	jout_put(x, "end", jout_str(FLD(w->end)), bad);
	jout_put(x, "bytes", jout_u64(w->bytes), bad);
	jout_put(x, "steps", jout_u64(w->steps), bad);
	jout_put(x, "rate_bps", jout_u64(w->rate_bps), bad);
	jout_put(x, "latency", latency_json(&w->lat, bad), bad);
	return x;
}

static json_t *kmsg_json(const struct res_scenario *s, int k, int *bad)
{
	(void)bad;
	return jout_str(FLD(s->kmsg[k]));
}

static json_t *scenario_json(const struct res_run *r, int i, int *bad)
{
	const struct res_scenario *s = &r->scenarios[i];
	json_t *o = json_object();
	char csv[128];

	jout_put(o, "name", jout_str(FLD(s->name)), bad);
	jout_put(o, "file", jout_str(FLD(s->file)), bad);
	jout_put(o, "doc", jout_str(FLD(s->doc)), bad);
	jout_put(o, "verdict", json_string(res_verdict_name(s->verdict)), bad);
	jout_put(o, "reason", jout_str(FLD(s->reason)), bad);
	jout_put(o, "variant", jout_str_or_null(FLD(s->variant)), bad);
	jout_put(o, "variant_doc", jout_str_or_null(FLD(s->variant_doc)), bad);
	jout_put(o, "duration_s", jout_real(s->duration_s, 3), bad);
	jout_put(o, "flaky", json_boolean(s->flaky), bad);
	jout_put(o, "expectations", array_json(s, s->nexpects, expect_json, bad), bad);
	jout_put(o, "figures", array_json(s, s->nfigures, figure_json, bad), bad);
	jout_put(o, "events", array_json(s, s->nevents, event_json, bad), bad);
	jout_put(o, "latency", latency_json(&s->lat, bad), bad);
	jout_put(o, "workloads", array_json(s, s->nworkloads, workload_json, bad), bad);
	jout_put(o, "kernel_log", array_json(s, s->nkmsg, kmsg_json, bad), bad);
	jout_put(o, "timeline",
		 timeline_name(r, i, csv, sizeof(csv)) ? json_string(csv) : json_null(), bad);
	return o;
}

struct counts {
	int passed, failed, errors, skipped;
};

static struct counts count(const struct res_run *r)
{
	struct counts c = {0};

	for (int i = 0; i < r->nscenarios; i++) {
		switch (r->scenarios[i].verdict) {
		case RES_PASS:
			c.passed++;
			break;
		case RES_SKIP:
			c.skipped++;
			break;
		case RES_ERROR:
			c.errors++;
			break;
		default:
			c.failed++;
			break;
		}
	}
	return c;
}

static int write_results(FILE *f, const struct res_run *r, int unused)
{
	struct counts c = count(r);
	json_t *o = json_object(), *sum = json_object(), *a = json_array();
	int bad = 0;

	(void)unused;
	jout_put(o, "format", json_integer(RES_FORMAT), &bad);
	jout_put(o, "run_id", jout_str(FLD(r->meta.run_id)), &bad);
	/* as in the KTAP summary, an error counts as a failure */
	jout_put(sum, "passed", json_integer(c.passed), &bad);
	jout_put(sum, "failed", json_integer(c.failed + c.errors), &bad);
	jout_put(sum, "skipped", json_integer(c.skipped), &bad);
	jout_put(sum, "total", json_integer(r->nscenarios), &bad);
	jout_put(o, "summary", sum, &bad);
	{
		/* with --repeat: how many runs gave each verdict, per scenario */
		struct res_stability st[256];
		int n = res_stability((struct res_run *)r, st, 256);
		json_t *sa = json_array();
		for (int k = 0; k < n; k++) {
			json_t *x = json_object();
			jout_put(x, "name", jout_str(FLD(st[k].name)), &bad);
			jout_put(x, "runs", json_integer(st[k].runs), &bad);
			for (int v = 0; v < 4; v++)
				jout_put(x, res_verdict_name((enum res_verdict)v),
					 json_integer(st[k].verdicts[v]), &bad);
			jout_put(x, "flaky", json_boolean(st[k].flaky), &bad);
			jout_append(sa, x, &bad);
		}
		jout_put(o, "stability", sa, &bad);
	}
	for (int i = 0; i < r->nscenarios; i++)
		jout_append(a, scenario_json(r, i, &bad), &bad);
	jout_put(o, "scenarios", a, &bad);
	return jout_dump(f, o, bad);
}

/* ---- junit.xml ---- */

/* Print a field escaped for XML: the five special characters as entities,
 * in attributes also tab and newlines (which attribute normalisation would
 * turn into spaces), and whatever XML 1.0 cannot carry at all (other
 * control characters, U+FFFE, U+FFFF, invalid UTF-8) as '?'. */
static void xml_put(FILE *f, const char *src, size_t n, int attr)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0;

	n = strnlen(src, n);
	while (i < n) {
		unsigned char c = s[i];
		size_t l = utf8_len(s + i, n - i);

		if (l > 1) {
			if (l == 3 && c == 0xef && s[i + 1] == 0xbf && s[i + 2] >= 0xbe)
				fputc('?', f);
			else
				fwrite(s + i, 1, l, f);
			i += l;
			continue;
		}
		i++;
		switch (c) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		case '\t':
		case '\n':
		case '\r':
			if (attr)
				fprintf(f, "&#%d;", c);
			else
				fputc(c, f);
			break;
		default:
			fputc(l && c >= 0x20 && c != 0x7f ? c : '?', f);
			break;
		}
	}
}

#define XA(f, field) xml_put(f, FLD(field), 1)
#define XT(f, field) xml_put(f, FLD(field), 0)

/* "fail line 12: a usage <= 4M (observed: 5M)" */
static void xml_expect(FILE *f, const struct res_expect *e)
{
	fprintf(f, "%s line %d: ", res_verdict_name(e->verdict), e->line);
	XT(f, e->text);
	if (e->observed[0]) {
		fputs(" (observed: ", f);
		XT(f, e->observed);
		fputc(')', f);
	}
	fputc('\n', f);
}

static void xml_testcase(FILE *f, const struct res_scenario *s)
{
	int nfailed = 0;

	fputs("    <testcase classname=\"memcg-lab\" name=\"", f);
	XA(f, s->name);
	fprintf(f, "\" time=\"%.3f\">\n", s->duration_s);

	switch (s->verdict) {
	case RES_FAIL:
	case RES_ERROR:
		fprintf(f, "      <%s message=\"", s->verdict == RES_FAIL ? "failure" : "error");
		XA(f, s->reason);
		fprintf(f, "\" type=\"%s\">", res_verdict_name(s->verdict));
		/* the body: the expectations that failed, else the reason */
		for (int k = 0; k < s->nexpects; k++) {
			enum res_verdict v = s->expects[k].verdict;

			if (v == RES_FAIL || v == RES_ERROR) {
				xml_expect(f, &s->expects[k]);
				nfailed++;
			}
		}
		if (!nfailed)
			XT(f, s->reason);
		fprintf(f, "</%s>\n", s->verdict == RES_FAIL ? "failure" : "error");
		break;
	case RES_SKIP:
		fputs("      <skipped message=\"", f);
		XA(f, s->reason);
		fputs("\"/>\n", f);
		break;
	default:
		break;
	}

	/* the scenario's file first: a testcase has no attribute for it in
	 * the schema CI systems read (Jenkins xunit's junit-10.xsd) */
	fputs("      <system-out>file: ", f);
	XT(f, s->file);
	fputc('\n', f);
	{
		for (int k = 0; k < s->nexpects; k++)
			xml_expect(f, &s->expects[k]);
		if (s->variant[0]) {
			fputs("variant: ", f);
			XT(f, s->variant);
			if (s->variant_doc[0]) {
				fputs(" (", f);
				XT(f, s->variant_doc);
				fputc(')', f);
			}
			fputc('\n', f);
		}
		if (s->nkmsg)
			fputs("kernel log:\n", f);
		for (int k = 0; k < s->nkmsg; k++) {
			XT(f, s->kmsg[k]);
			fputc('\n', f);
		}
	}
	fputs("</system-out>\n", f);
	fputs("    </testcase>\n", f);
}

static void xml_property(FILE *f, const char *name, const char *value, size_t n)
{
	fprintf(f, "      <property name=\"%s\" value=\"", name);
	xml_put(f, value, n, 1);
	fputs("\"/>\n", f);
}

static int write_junit(FILE *f, const struct res_run *r, int unused)
{
	const struct res_meta *m = &r->meta;
	struct counts c = count(r);
	double total = 0;
	char num[32];
	char counts[160];

	(void)unused;
	for (int i = 0; i < r->nscenarios; i++)
		total += r->scenarios[i].duration_s;
	/* JUnit counts errors apart from failures; testsuites has no skipped
	 * count in junit-10.xsd, testsuite has */
	snprintf(counts, sizeof(counts), "tests=\"%d\" failures=\"%d\" errors=\"%d\" time=\"%.3f\"",
		 r->nscenarios, c.failed, c.errors, total);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f, "<testsuites name=\"memcg-lab\" %s>\n", counts);
	fprintf(f, "  <testsuite name=\"memcg-lab\" %s skipped=\"%d\">\n", counts, c.skipped);
	fputs("    <properties>\n", f);
	xml_property(f, "run_id", FLD(m->run_id));
	xml_property(f, "kernel", FLD(m->kernel));
	snprintf(num, sizeof(num), "%d", m->cgroup_version);
	xml_property(f, "cgroup_version", FLD(num));
	xml_property(f, "cgroup_layout", FLD(m->cgroup_layout));
	xml_property(f, "start_time", FLD(m->start_time));
	xml_property(f, "where", FLD(m->where));
	xml_property(f, "harness_version", FLD(m->version));
	fputs("    </properties>\n", f);
	for (int i = 0; i < r->nscenarios; i++)
		xml_testcase(f, &r->scenarios[i]);
	fputs("  </testsuite>\n</testsuites>\n", f);
	return 0;
}

/* ---- timeline-<name>.csv ---- */

/* RFC 4180: quote a field holding a comma, a quote or a line break. */
static void csv_put(FILE *f, const char *s, size_t n)
{
	n = strnlen(s, n);
	if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) &&
	    !memchr(s, '\r', n)) {
		fwrite(s, 1, n, f);
		return;
	}
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			fputc('"', f);
		fputc(s[i], f);
	}
	fputc('"', f);
}

static int write_timeline(FILE *f, const struct res_run *r, int i)
{
	const struct res_scenario *s = &r->scenarios[i];

	fputs("t_s,group", f);
	for (int c = 0; c < RES_NCOUNTERS; c++)
		fprintf(f, ",%s", res_counter_names[c]);
	fputc('\n', f);
	for (int k = 0; k < s->nsamples; k++) {
		const struct res_sample *x = &s->samples[k];

		fprintf(f, "%.3f,", x->t_s);
		if (x->group >= 0 && x->group < s->ngroups && x->group < 16)
			csv_put(f, FLD(s->groups[x->group]));
		for (int c = 0; c < RES_NCOUNTERS; c++) {
			if (x->v[c] == RES_NA)
				fputc(',', f); /* this kernel lacks it: empty */
			else
				fprintf(f, ",%llu", (unsigned long long)x->v[c]);
		}
		fputc('\n', f);
	}
	return 0;
}

/* ---- the directory ---- */

int res_write_dir(const char *dir, const struct res_run *r, char *errbuf, size_t errlen)
{
	const char *id = r->meta.run_id;
	size_t idlen = strnlen(FLD(r->meta.run_id));
	char path[PATH_MAX], csv[128];
	int ret;

	if ((size_t)snprintf(path, sizeof(path), "%s/%.*s", dir, (int)idlen, id) >= sizeof(path)) {
		snprintf(errbuf, errlen, "%s/%.*s: %s", dir, (int)idlen, id,
			 strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	/* the run id is one path component, never a way out of @dir */
	if (!idlen || idlen == sizeof(r->meta.run_id) || memchr(id, '/', idlen) ||
	    !strcmp(id, ".") || !strcmp(id, "..")) {
		snprintf(errbuf, errlen, "%s: bad run id: %s", path, strerror(EINVAL));
		return -EINVAL;
	}
	ret = mkdir_p(path);
	if (ret) {
		snprintf(errbuf, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}

	ret = write_atomic(path, "meta.json", write_meta, r, 0, errbuf, errlen);
	for (int i = 0; !ret && i < r->nscenarios; i++) {
		if (timeline_name(r, i, csv, sizeof(csv)))
			ret = write_atomic(path, csv, write_timeline, r, i, errbuf, errlen);
	}
	/* results.json last but one: when it exists, the CSVs it names do */
	if (!ret)
		ret = write_atomic(path, "results.json", write_results, r, 0, errbuf, errlen);
	if (!ret)
		ret = write_atomic(path, "junit.xml", write_junit, r, 0, errbuf, errlen);
	return ret;
}
