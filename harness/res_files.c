/* The results directory: results/<run-id>/ with meta.json, results.json,
 * junit.xml and one timeline CSV per scenario with samples. See res.h and
 * results/README.md for the formats.
 *
 * Every file is written to a temporary name in the same directory, synced
 * and renamed, so that a reader (or a crash) never sees half a file. The
 * strings of the data model come from the kernel and from scenario files
 * and may be cut in the middle of a UTF-8 sequence: JSON and XML get them
 * through utf8_clean()/xml_put(), which replace what is not valid UTF-8. */
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

#include "util.h"

/* A fixed-size field of the data model, bounded by its size in case it was
 * filled to the last byte. */
#define FLD(x) (x), sizeof(x)

/* ---- UTF-8 ---- */

/* Length of the valid UTF-8 sequence at @p (at most @n bytes), 0 if none:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	/* the second byte's range excludes overlongs, surrogates, > U+10FFFF */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

/* Copy the string in @src (at most @n bytes) to @dst (at least n + 1
 * bytes), every byte that is not part of valid UTF-8 replaced by '?'. */
static void utf8_clean(char *dst, const char *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0;

	n = strnlen(src, n);
	while (i < n) {
		size_t l = utf8_len(s + i, n - i);

		if (!l) {
			*dst++ = '?';
			i++;
			continue;
		}
		memcpy(dst, s + i, l);
		dst += l;
		i += l;
	}
	*dst = 0;
}

/* ---- JSON helpers ---- */

/* A JSON string from a field; NULL only when out of memory. */
static json_t *jstr(const char *s, size_t n)
{
	char buf[1024];

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	utf8_clean(buf, s, n);
	return json_string(buf);
}

/* null instead of "" for optional fields */
static json_t *jstr_or_null(const char *s, size_t n)
{
	return s[0] ? jstr(s, n) : json_null();
}

/* JSON integers are signed 64 bits: anything above (RES_NA, "max") is null */
static json_t *ju64(uint64_t v)
{
	return v > INT64_MAX ? json_null() : json_integer((json_int_t)v);
}

/* Rounded to @digits decimals; the dump's precision of 15 significant
 * digits then prints it without binary noise ("1.234", not
 * "1.2339999999999999"). */
static json_t *jreal(double v, int digits)
{
	double m = pow(10, digits);

	if (!isfinite(v))
		return json_null();
	return json_real(round(v * m) / m);
}

/* json_object_set_new() takes a NULL value as an error (and allocation
 * failures show up as NULL values): collect them into *@bad and check
 * once. */
static void put(json_t *o, const char *key, json_t *v, int *bad)
{
	if (!o || json_object_set_new(o, key, v))
		*bad = 1;
}

static void append(json_t *a, json_t *v, int *bad)
{
	if (!a || json_array_append_new(a, v))
		*bad = 1;
}

#define JSON_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(15))

/* Dump @root (consumed) to @f; -ENOMEM if it could not be built. */
static int dump_json(FILE *f, json_t *root, int bad)
{
	int ret = 0;

	if (!root || bad)
		ret = -ENOMEM;
	else if (json_dumpf(root, f, JSON_FLAGS) || fputc('\n', f) == EOF)
		ret = -(errno ? errno : EIO);
	json_decref(root);
	return ret;
}

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

/* Write @dir/@name through @fn into a temporary file, then rename it into
 * place. Returns 0 or -errno with "<path>: <error>" in @errbuf. */
static int write_atomic(const char *dir, const char *name, write_fn fn, const struct res_run *r,
			int arg, char *errbuf, size_t errlen)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	FILE *f = NULL;
	int fd, ret = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp%d", dir, name, (int)getpid()) >=
		    sizeof(tmp)) {
		ret = -ENAMETOOLONG;
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
		goto out_unlink;
	}
	errno = 0;
	ret = fn(f, r, arg);
	/* a failed fprintf leaves only the stream's error flag */
	if (!ret && (fflush(f) == EOF || ferror(f)))
		ret = -(errno ? errno : EIO);
	if (!ret && fsync(fileno(f)))
		ret = -errno;
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
out_unlink:
	if (ret)
		unlink(tmp);
out:
	if (ret)
		snprintf(errbuf, errlen, "%s: %s", path, strerror(-ret));
	return ret;
}

/* ---- meta.json ---- */

static int write_meta(FILE *f, const struct res_run *r, int unused)
{
	const struct res_meta *m = &r->meta;
	json_t *o = json_object();
	int bad = 0;

	(void)unused;
	put(o, "run_id", jstr(FLD(m->run_id)), &bad);
	put(o, "kernel", jstr(FLD(m->kernel)), &bad);
	put(o, "cgroup_version", json_integer(m->cgroup_version), &bad);
	put(o, "cgroup_layout", jstr(FLD(m->cgroup_layout)), &bad);
	put(o, "mem_total_bytes", ju64(m->mem_total), &bad);
	put(o, "swap_total_bytes", ju64(m->swap_total), &bad);
	put(o, "swap_mode", jstr(FLD(m->swap_mode)), &bad);
	put(o, "harness_version", jstr(FLD(m->version)), &bad);
	put(o, "start_time", jstr(FLD(m->start_time)), &bad);
	put(o, "where", jstr(FLD(m->where)), &bad);
	put(o, "repeat", json_integer(m->repeat), &bad);
	return dump_json(f, o, bad);
}

/* ---- results.json ---- */

/* {count, p50_us, ..., buckets: [[lo_ns, hi_ns, count], ...]}, or null */
static json_t *latency_json(const struct lat_hist *h, int *bad)
{
	json_t *o, *b;

	if (!h->count)
		return json_null();
	o = json_object();
	put(o, "count", ju64(h->count), bad);
	put(o, "p50_us", jreal((double)lat_percentile(h, 50) / 1e3, 3), bad);
	put(o, "p90_us", jreal((double)lat_percentile(h, 90) / 1e3, 3), bad);
	put(o, "p99_us", jreal((double)lat_percentile(h, 99) / 1e3, 3), bad);
	put(o, "max_us", jreal((double)h->max_ns / 1e3, 3), bad);
	put(o, "mean_us", jreal((double)h->sum_ns / (double)h->count / 1e3, 3), bad);
	/* only the non-empty buckets: there are hundreds */
	b = json_array();
	for (unsigned i = 0; i < LAT_BUCKETS; i++) {
		uint64_t lo, hi;

		if (!h->buckets[i])
			continue;
		lat_bucket_range(i, &lo, &hi);
		append(b, json_pack("[o, o, o]", ju64(lo), ju64(hi), ju64(h->buckets[i])), bad);
	}
	put(o, "buckets", b, bad);
	return o;
}

static json_t *scenario_json(const struct res_run *r, int i, int *bad)
{
	const struct res_scenario *s = &r->scenarios[i];
	json_t *o = json_object(), *a;
	char csv[128];

	put(o, "name", jstr(FLD(s->name)), bad);
	put(o, "file", jstr(FLD(s->file)), bad);
	put(o, "doc", jstr(FLD(s->doc)), bad);
	put(o, "verdict", json_string(res_verdict_name(s->verdict)), bad);
	put(o, "reason", jstr(FLD(s->reason)), bad);
	put(o, "variant", jstr_or_null(FLD(s->variant)), bad);
	put(o, "variant_doc", jstr_or_null(FLD(s->variant_doc)), bad);
	put(o, "duration_s", jreal(s->duration_s, 3), bad);
	put(o, "flaky", json_boolean(s->flaky), bad);

	a = json_array();
	for (int k = 0; k < s->nexpects; k++) {
		const struct res_expect *e = &s->expects[k];
		json_t *x = json_object();

		put(x, "text", jstr(FLD(e->text)), bad);
		put(x, "verdict", json_string(res_verdict_name(e->verdict)), bad);
		put(x, "observed", jstr(FLD(e->observed)), bad);
		put(x, "line", json_integer(e->line), bad);
		append(a, x, bad);
	}
	put(o, "expectations", a, bad);

	a = json_array();
	for (int k = 0; k < s->nevents; k++) {
		const struct res_event *e = &s->events[k];
		json_t *x = json_object();

		put(x, "t_s", jreal(e->t_s, 6), bad);
		if (e->t_last_s > e->t_s)
			put(x, "t_last_s", jreal(e->t_last_s, 6), bad);
		put(x, "group", jstr(FLD(e->group)), bad);
		put(x, "kind", jstr(FLD(e->kind)), bad);
		put(x, "count", ju64(e->count), bad);
		put(x, "value", ju64(e->value), bad);
		append(a, x, bad);
	}
	put(o, "events", a, bad);

	put(o, "latency", latency_json(&s->lat, bad), bad);

	a = json_array();
	for (int k = 0; k < s->nworkloads; k++) {
		const struct res_workload *w = &s->workloads[k];
		json_t *x = json_object();

		put(x, "id", jstr(FLD(w->id)), bad);
		put(x, "type", jstr(FLD(w->type)), bad);
		put(x, "group", jstr(FLD(w->group)), bad);
		put(x, "end", jstr(FLD(w->end)), bad);
		put(x, "bytes", ju64(w->bytes), bad);
		put(x, "steps", ju64(w->steps), bad);
		put(x, "rate_bps", ju64(w->rate_bps), bad);
		put(x, "latency", latency_json(&w->lat, bad), bad);
		append(a, x, bad);
	}
	put(o, "workloads", a, bad);

	a = json_array();
	for (int k = 0; k < s->nkmsg; k++)
		append(a, jstr(FLD(s->kmsg[k])), bad);
	put(o, "kernel_log", a, bad);

	put(o, "timeline", timeline_name(r, i, csv, sizeof(csv)) ? json_string(csv) : json_null(),
	    bad);
	return o;
}

struct counts {
	int passed, failed, errors, skipped;
};

static struct counts count(const struct res_run *r)
{
	struct counts c = { 0 };

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
	put(o, "run_id", jstr(FLD(r->meta.run_id)), &bad);
	/* as in the KTAP summary, an error counts as a failure */
	put(sum, "passed", json_integer(c.passed), &bad);
	put(sum, "failed", json_integer(c.failed + c.errors), &bad);
	put(sum, "skipped", json_integer(c.skipped), &bad);
	put(sum, "total", json_integer(r->nscenarios), &bad);
	put(o, "summary", sum, &bad);
	{
		/* with --repeat: how many runs gave each verdict, per scenario */
		struct res_stability st[256];
		int n = res_stability((struct res_run *)r, st, 256);
		json_t *sa = json_array();
		for (int k = 0; k < n; k++) {
			json_t *x = json_object();
			put(x, "name", jstr(FLD(st[k].name)), &bad);
			put(x, "runs", json_integer(st[k].runs), &bad);
			for (int v = 0; v < 4; v++)
				put(x, res_verdict_name((enum res_verdict)v),
				    json_integer(st[k].verdicts[v]), &bad);
			put(x, "flaky", json_boolean(st[k].flaky), &bad);
			append(sa, x, &bad);
		}
		put(o, "stability", sa, &bad);
	}
	for (int i = 0; i < r->nscenarios; i++)
		append(a, scenario_json(r, i, &bad), &bad);
	put(o, "scenarios", a, &bad);
	return dump_json(f, o, bad);
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
	fputs("\" file=\"", f);
	XA(f, s->file);
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

	if (s->nexpects || s->variant[0] || s->nkmsg) {
		fputs("      <system-out>", f);
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
		fputs("</system-out>\n", f);
	}
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
	/* JUnit counts errors apart from failures */
	snprintf(counts, sizeof(counts),
		 "tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\"",
		 r->nscenarios, c.failed, c.errors, c.skipped, total);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f, "<testsuites name=\"memcg-lab\" %s>\n", counts);
	fprintf(f, "  <testsuite name=\"memcg-lab\" %s>\n", counts);
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

	if ((size_t)snprintf(path, sizeof(path), "%s/%.*s", dir, (int)idlen, id) >=
	    sizeof(path)) {
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
