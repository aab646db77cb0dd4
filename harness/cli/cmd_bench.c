/* memcg-lab bench: the harness's own speed. A ratio is the harness against
 * a baseline doing the same work, measured side by side in pairs (the order
 * alternating) within each run: the run's figure is the median of its
 * pairs' ratios, and the report gives the median of --runs with min and max,
 * the absolute MB/s of both sides beside it (<figure>-harness, -baseline).
 * Figures:
 *   alloc        the alloc workload at max rate (latency recording on) vs a
 *                bare mmap + memset first-touch loop, 256M  target >= 1.0
 *   record       cost of recording one step (two clock reads and a
 *                histogram update) relative to a 1M step       target <= 2 %
 *   read-warm    pagecache reader vs dd bs=1M, file cached     target >= 1.0
 *   read-cold    the same after dropping the file's cache      target >= 1.0
 *   tmpfs        tmpfs writer vs dd bs=1M into the same tmpfs  target >= 1.0
 *   oom-verdict  the harness's part of an OOM verdict: notification in hand
 *                to the OOM known (ms)                        target <= 1 ms
 *   oom-teardown the kernel's part after it: to the victim's exit (ms)
 *   kill-exit    SIGKILL of a 64M child -> its exit seen (ms)
 *   latency      p50/p99/max per 64K step (1024 samples): unlimited,
 *                reclaiming clean cache, reclaiming dirty cache, swapping
 *                (128K steps), above memory.high (v2)
 *   suite        wall time of the whole default suite
 *   suite-rss    the harness's own peak RSS over it (MiB)  target <= 8 MiB
 *   suite-cpu    the harness's own CPU time over it (s)
 * A table on stdout, bench.json in RESULTS/<run-id>/. Nothing here passes
 * or fails: the targets are printed beside the figures. */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cg.h"
#include "cli.h"
#include "cli_opt.h"
#include "jout.h"
#include "ev.h"
#include "run.h"
#include "wl.h"
#include "wl_proc.h"

#define MAX_RUNS 50
#define SEC	 1000000000ULL

struct figure {
	char name[64];
	const char *unit, *target;
	double v[MAX_RUNS];
	int n;
	char note[128];
};

/* room for every figure (34 on a v2 host with swap) and more to come */
static struct figure figs[64];
static int nfigs;
static struct figure spill; /* a figure beyond the room: counted nowhere */

static struct figure *fig(const char *name, const char *unit, const char *target)
{
	for (int i = 0; i < nfigs; i++)
		if (!strcmp(figs[i].name, name))
			return &figs[i];
	if (nfigs == (int)(sizeof(figs) / sizeof(figs[0]))) {
		fprintf(stderr, "memcg-lab bench: no room for the figure %s: left out\n", name);
		spill = (struct figure){.unit = unit, .target = target};
		return &spill;
	}
	figs[nfigs] = (struct figure){.unit = unit, .target = target};
	snprintf(figs[nfigs].name, sizeof(figs[nfigs].name), "%s", name);
	return &figs[nfigs++];
}

/* The absolute figure beside a ratio: "<name>-harness" or "-baseline", MB/s. */
static struct figure *fig_abs(const char *ratio, const char *side)
{
	char n[64];

	snprintf(n, sizeof(n), "%s-%s", ratio, side);
	return fig(n, "MB/s", "");
}

static void add(struct figure *f, double v)
{
	if (f->n < MAX_RUNS && !isnan(v))
		f->v[f->n++] = v;
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(struct figure *f)
{
	double s[MAX_RUNS];
	memcpy(s, f->v, sizeof(double) * (size_t)f->n);
	qsort(s, (size_t)f->n, sizeof(double), dcmp);
	return f->n % 2 ? s[f->n / 2] : (s[f->n / 2 - 1] + s[f->n / 2]) / 2;
}

static double vmin(const struct figure *f)
{
	double m = f->v[0];
	for (int i = 1; i < f->n; i++)
		m = f->v[i] < m ? f->v[i] : m;
	return m;
}

static double vmax(const struct figure *f)
{
	double m = f->v[0];
	for (int i = 1; i < f->n; i++)
		m = f->v[i] > m ? f->v[i] : m;
	return m;
}

/* --- helpers --------------------------------------------------------------- */

/* Run a workload in @g to its end; returns its bytes per second over the
 * sum of its steps (the workload's own pacing excluded), or NAN. */
static double run_wl(const char *name, const char *const *opts, const struct cg *g,
		     struct lat_hist *lat, uint64_t *rate)
{
	const struct wl_def *d = wl_find(name);
	struct wl_opts o;
	struct wl_proc p;
	struct mlab_err e;
	double r = NAN;

	wl_defaults(d, &o, &e);
	for (int i = 0; opts[i]; i += 2)
		if (wl_set_opt(d, &o, opts[i], opts[i + 1], &e))
			return NAN;
	o.quiet = true;
	if (wl_start(&p, d, &o, g, -1, &e))
		return NAN;
	wl_wait_end(&p, 120 * SEC, &e);
	if (p.end.exited && !p.end.code && p.sh->lat.sum_ns)
		r = (double)atomic_load(&p.sh->bytes) * 1e9 / (double)p.sh->lat.sum_ns;
	if (lat)
		*lat = p.sh->lat;
	if (rate)
		*rate = atomic_load(&p.sh->rate_bps);
	wl_release(&p);
	return r;
}

/* dd's own figure: the bytes it copied over its elapsed seconds; run in
 * @g, where the harness's workload runs, so that both pay the same for
 * charging their pages to a group. */
static double run_dd(const char *in, const char *out, const char *extra, const char *count,
		     const struct cg *g)
{
	char iff[PATH_MAX + 8], off[PATH_MAX + 8], cnt[64], buf[2048];
	char *argv[8] = {"dd", iff, off, "bs=1M", NULL, NULL, NULL, NULL};
	int pfd[2], status, i = 4;
	double bytes = 0, secs = 0;
	ssize_t n, have = 0;
	pid_t pid;

	snprintf(iff, sizeof(iff), "if=%s", in);
	snprintf(off, sizeof(off), "of=%s", out);
	if (count) {
		snprintf(cnt, sizeof(cnt), "count=%s", count);
		argv[i++] = cnt;
	}
	if (extra)
		argv[i++] = (char *)extra;
	if (pipe(pfd))
		return NAN;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return NAN;
	}
	if (!pid) {
		struct mlab_err e;
		if (g && cg_attach(g, getpid(), &e))
			_exit(126);
		dup2(pfd[1], 2);
		close(pfd[0]);
		execvp("dd", argv);
		_exit(127);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], buf + have, sizeof(buf) - 1 - (size_t)have)) > 0)
		have += n;
	buf[have] = 0;
	close(pfd[0]);
	waitpid(pid, &status, 0);
	/* "268435456 bytes (268 MB, 256 MiB) copied, 0.0244 s, 11.0 GB/s" */
	for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		char *c = strstr(l, " copied, ");
		if (c && sscanf(l, "%lf", &bytes) == 1)
			secs = strtod(c + 9, NULL);
	}
	return secs > 0 ? bytes / secs : NAN;
}

static void drop_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		close(fd);
	}
}

/* --- the figures --------------------------------------------------------------- */

/* The baseline: a bare first-touch loop, 1M at a time, as fast as it goes. */
static double bare_touch(uint64_t size)
{
	uint64_t t0 = now_ns();
	for (uint64_t done = 0; done < size; done += MIB) {
		char *p =
		    mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return NAN;
		madvise(p, MIB, MADV_NOHUGEPAGE);
		memset(p, 0x5a, MIB);
	}
	return (double)size * 1e9 / (double)(now_ns() - t0);
}

static double bare_touch_child(const struct cg *g, uint64_t size)
{
	double *r = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	double v = NAN;
	int status;
	pid_t pid;

	if (r == MAP_FAILED)
		return NAN;
	*r = NAN;
	pid = fork();
	if (pid < 0) {
		munmap(r, 4096);
		return NAN;
	}
	if (!pid) {
		struct mlab_err e;
		if (cg_attach(g, getpid(), &e))
			_exit(1);
		*r = bare_touch(size);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	v = *r;
	munmap(r, 4096);
	return v;
}

/* --- paired figures --------------------------------------------------------- */

/* One side of a pair: bytes per second, or NAN. */
typedef double side_fn(void *arg);

#define PAIRS 9

/* @name: the harness against its baseline in PAIRS pairs measured side by
 * side, the order alternating (harness first, then baseline first, ...) so
 * that neither always runs on a warmer or colder machine; the run's figure
 * is the median of the pairs' ratios, the absolute medians go beside it. */
static void paired(const char *name, const char *target, side_fn *harness, side_fn *baseline,
		   void *arg)
{
	struct figure *f = fig(name, "ratio", target), h = {0}, b = {0}, q = {0};

	for (int i = 0; i < PAIRS && !run_interrupted; i++) {
		double x, y;
		if (i % 2) {
			y = baseline(arg);
			x = harness(arg);
		} else {
			x = harness(arg);
			y = baseline(arg);
		}
		if (isnan(x) || isnan(y) || y <= 0)
			continue;
		add(&h, x);
		add(&b, y);
		add(&q, x / y);
	}
	if (!q.n)
		return;
	add(f, median(&q));
	add(fig_abs(name, "harness"), median(&h) / 1e6);
	add(fig_abs(name, "baseline"), median(&b) / 1e6);
	snprintf(f->note, sizeof(f->note), "median of %d pairs a run; MB/s: %s-harness, -baseline",
		 q.n, name);
}

struct alloc_pair {
	struct cg g;
	struct lat_hist h;
	double last; /* the harness's last rate */
};

static double alloc_harness(void *arg)
{
	static const char *const opts[] = {"size", "256M", "step", "1M", "rate", "max", NULL};
	struct alloc_pair *a = arg;

	a->last = run_wl("alloc", opts, &a->g, &a->h, NULL);
	return a->last;
}

static double alloc_bare(void *arg)
{
	return bare_touch_child(&((struct alloc_pair *)arg)->g, 256 * MIB);
}

static void bench_alloc(struct run *r)
{
	static struct alloc_pair a;
	struct mlab_err e;
	struct lat_hist h;
	uint64_t t0, reps = 2000000;

	if (run_group(r, "alloc", &a.g, &e))
		return;
	/* side by side, the same group, the same size */
	paired("alloc", ">= 1.0", alloc_harness, alloc_bare, &a);

	/* what recording a step costs, against a 1M step */
	lat_init(&h);
	t0 = now_ns();
	for (uint64_t i = 0; i < reps; i++) {
		uint64_t s = now_ns();
		lat_record(&h, now_ns() - s);
	}
	if (a.last > 0) {
		double per = (double)(now_ns() - t0) / (double)reps;
		double step = (double)MIB * 1e9 / a.last;
		add(fig("record", "%", "<= 2"), 100.0 * per / step);
		snprintf(fig("record", "", "")->note, 128, "%.0f ns per step of %.0f us", per,
			 step / 1e3);
	}
	cg_destroy(&a.g, &e);
}

struct read_pair {
	struct cg g;
	char file[PATH_MAX];
	int cold;
};

/* the reader's rate over one pass (cold: it drops the file first) */
static double read_harness(void *arg)
{
	struct read_pair *p = arg;
	const char *warm[] = {"file", p->file, NULL};
	const char *cold[] = {"file", p->file, "drop", "yes", NULL};
	uint64_t rate = 0;

	if (!p->cold)
		run_wl("pagecache", warm, &p->g, NULL, NULL); /* cached by a first pass */
	if (isnan(run_wl("pagecache", p->cold ? cold : warm, &p->g, NULL, &rate)))
		return NAN;
	return (double)rate;
}

static double read_dd(void *arg)
{
	struct read_pair *p = arg;

	if (p->cold)
		drop_file(p->file);
	else
		run_dd(p->file, "/dev/null", NULL, NULL, &p->g); /* cached by a first pass */
	return run_dd(p->file, "/dev/null", NULL, NULL, &p->g);
}

static void bench_read(struct run *r)
{
	static struct read_pair p;
	struct mlab_err e;
	int created;

	if (!p.file[0] && (run_scratch_file(r, "bench-read", p.file, sizeof(p.file), &e) ||
			   wl_pagecache_prepare(p.file, 256 * MIB, 1, &created, &e))) {
		p.file[0] = 0;
		return;
	}
	if (run_group(r, "read", &p.g, &e))
		return;
	p.cold = 0;
	paired("read-warm", ">= 1.0", read_harness, read_dd, &p);
	p.cold = 1;
	paired("read-cold", ">= 1.0", read_harness, read_dd, &p);
	cg_destroy(&p.g, &e);
}

struct tmpfs_pair {
	struct cg g;
	char f1[PATH_MAX + 8], f2[PATH_MAX + 8];
};

static double tmpfs_harness(void *arg)
{
	struct tmpfs_pair *p = arg;
	const char *opts[] = {"file", p->f1, "size", "256M", "remove", "yes", NULL};
	uint64_t rate = 0;

	if (isnan(run_wl("tmpfs", opts, &p->g, NULL, &rate)))
		return NAN;
	return (double)rate;
}

static double tmpfs_dd(void *arg)
{
	struct tmpfs_pair *p = arg;
	double v = run_dd("/dev/zero", p->f2, NULL, "256", &p->g);

	unlink(p->f2);
	return v;
}

static void bench_tmpfs(struct run *r)
{
	static struct tmpfs_pair p;
	char dir[PATH_MAX];
	struct mlab_err e;

	if (run_tmpfs(r, 600 * MIB, dir, sizeof(dir), &e) || run_group(r, "tmpfs", &p.g, &e))
		return;
	snprintf(p.f1, sizeof(p.f1), "%s/w", dir);
	snprintf(p.f2, sizeof(p.f2), "%s/dd", dir);
	paired("tmpfs", ">= 1.0", tmpfs_harness, tmpfs_dd, &p);
	cg_destroy(&p.g, &e);
	umount2(dir, MNT_DETACH);
	rmdir(dir);
}

/* An OOM in a 16M group, watched as a scenario watches it. Apart:
 *   oom-verdict   the harness's part: from poll() returning with the
 *                 notification to the OOM known (the event read, parsed and
 *                 counted), what a `wait event G oom` adds to the kernel's
 *                 time
 *   oom-teardown  the kernel's part after it: the notification to the
 *                 victim's exit seen (the kill and the freeing of its memory)
 *   kill-exit     the same teardown of a 64M child started by our SIGKILL */
static void bench_oom(struct run *r)
{
	static const char *const killme[] = {"size", "64M", "rate", "max", "hold", "yes", NULL};
	const char *const oomer[] = {"rate", "max", NULL};
	struct cg g;
	struct ev_set ev;
	struct ev_hit hit;
	struct mlab_err e;
	struct wl_proc p;
	struct wl_opts o;
	struct pollfd pfd[EV_MAX_WATCHES + 1];
	uint64_t t_known = 0, t_wake;
	int n;

	/* small, so that the victim's teardown (about 0.1 ms a MiB) weighs little */
	if (run_group(r, "oom", &g, &e) || cg_set(&g, "limit", "16M", &e))
		return;
	cg_set(&g, g.root->ver == CG_V1 ? "swappiness" : "swap_limit", "0", &e);
	ev_init(&ev);
	if (ev_watch_oom(&ev, &g, 0, &e))
		goto out;
	wl_defaults(&wl_alloc, &o, &e);
	for (int i = 0; oomer[i]; i += 2)
		wl_set_opt(&wl_alloc, &o, oomer[i], oomer[i + 1], &e);
	o.quiet = true;
	if (wl_start(&p, &wl_alloc, &o, &g, -1, &e))
		goto out;
	while (!wl_poll_end(&p)) {
		n = ev_pollfds(&ev, pfd);
		pfd[n] = (struct pollfd){.fd = p.pidfd, .events = POLLIN};
		if (poll(pfd, (nfds_t)n + 1, 1000) <= 0)
			continue;
		t_wake = now_ns();
		if (!t_known && ev_dispatch(&ev, pfd, n, &hit, 1) > 0 &&
		    (!strcmp(hit.kind, "oom") || !strcmp(hit.kind, "oom_kill"))) {
			t_known = now_ns();
			add(fig("oom-verdict", "ms", "<= 1"), (double)(t_known - t_wake) / 1e6);
			snprintf(fig("oom-verdict", "", "")->note, 128,
				 "the harness: notification in hand to the OOM known");
		}
	}
	if (t_known && !p.end.exited) {
		add(fig("oom-teardown", "ms", ""), (double)(p.end.at_ns - t_known) / 1e6);
		snprintf(fig("oom-teardown", "", "")->note, 128,
			 "the kernel: notification to the victim's exit (16M group)");
	}
	wl_release(&p);

	/* the same teardown the OOM killer causes, started by us */
	cg_set(&g, "limit", "max", &e);
	wl_defaults(&wl_alloc, &o, &e);
	for (int i = 0; killme[i]; i += 2)
		wl_set_opt(&wl_alloc, &o, killme[i], killme[i + 1], &e);
	o.quiet = true;
	if (!wl_start(&p, &wl_alloc, &o, &g, -1, &e)) {
		uint64_t t;
		while (atomic_load(&p.sh->phase) != WL_HOLDING && !wl_poll_end(&p))
			sleep_ns(1000000);
		t = now_ns();
		wl_signal(&p, SIGKILL);
		wl_wait_end(&p, 10 * SEC, &e);
		add(fig("kill-exit", "ms", ""), (double)(p.end.at_ns - t) / 1e6);
		snprintf(fig("kill-exit", "", "")->note, 128, "the kernel: SIGKILL of a 64M task");
		wl_release(&p);
	}
out:
	ev_close(&ev);
	cg_destroy(&g, &e);
}

static void lat_figs(const char *what, const struct lat_hist *h)
{
	char n[64];

	if (!h->count)
		return;
	snprintf(n, sizeof(n), "lat-%s-p50", what);
	add(fig(n, "us", ""), (double)lat_percentile(h, 50) / 1e3);
	snprintf(n, sizeof(n), "lat-%s-p99", what);
	add(fig(n, "us", ""), (double)lat_percentile(h, 99) / 1e3);
	snprintf(n, sizeof(n), "lat-%s-max", what);
	add(fig(n, "us", ""), (double)h->max_ns / 1e3);
}

/* Allocation latency per step (64K; 128K swapping) in five kinds of group. */
static void bench_latency(struct run *r)
{
	/* 64K steps: 1024 samples a figure, so that p99 is not the maximum */
	static const char *const alloc64[] = {"size", "64M", "step", "64K", "rate", "max", NULL};
	static char file[PATH_MAX];
	const char *reader[] = {"file", file, NULL};
	const char *writer[] = {"file", file, "write", "yes", "size", "256M", "rate", "128M", NULL};
	struct cg g;
	struct mlab_err e;
	struct lat_hist h;
	int created;

	if (!run_group(r, "lat-free", &g, &e)) {
		run_wl("alloc", alloc64, &g, &h, NULL);
		lat_figs("unlimited", &h);
		cg_destroy(&g, &e);
	}
	if (!file[0] && (run_scratch_file(r, "bench-lat", file, sizeof(file), &e) ||
			 wl_pagecache_prepare(file, 256 * MIB, 1, &created, &e)))
		return;
	/* clean cache: the group is full of it when the allocator starts */
	if (!run_group(r, "lat-clean", &g, &e) && !cg_set(&g, "limit", "96M", &e)) {
		cg_set(&g, g.root->ver == CG_V1 ? "swappiness" : "swap_limit", "0", &e);
		run_wl("pagecache", reader, &g, NULL, NULL);
		run_wl("alloc", alloc64, &g, &h, NULL);
		lat_figs("clean-cache", &h);
		cg_destroy(&g, &e);
	}
	/* dirty cache: a writer keeps dirtying while the allocator runs */
	if (!run_group(r, "lat-dirty", &g, &e) && !cg_set(&g, "limit", "96M", &e)) {
		const struct wl_def *d = &wl_pagecache;
		struct wl_opts o;
		struct wl_proc w;
		cg_set(&g, g.root->ver == CG_V1 ? "swappiness" : "swap_limit", "0", &e);
		wl_defaults(d, &o, &e);
		for (int i = 0; writer[i]; i += 2)
			wl_set_opt(d, &o, writer[i], writer[i + 1], &e);
		o.quiet = true;
		if (!wl_start(&w, d, &o, &g, -1, &e)) {
			while (atomic_load(&w.sh->bytes) < 64 * MIB && !wl_poll_end(&w))
				sleep_ns(1000000);
			run_wl("alloc", alloc64, &g, &h, NULL);
			lat_figs("dirty-cache", &h);
			wl_signal(&w, SIGUSR1);
			wl_wait_end(&w, 60 * SEC, &e);
			wl_release(&w);
		}
		cg_destroy(&g, &e);
	}
	/* swapping: 128M through a 32M limit */
	if (!run_group(r, "lat-swap", &g, &e) && !cg_set(&g, "limit", "32M", &e)) {
		static const char *const a128[] = {"size", "128M", "step", "128K",
						   "rate", "max",  NULL};
		uint64_t sw = 0;
		meminfo_get(NULL, "SwapFree", &sw);
		if (sw >= 160 * MIB) {
			run_wl("alloc", a128, &g, &h, NULL);
			lat_figs("swapping", &h);
		}
		cg_destroy(&g, &e);
	}
	/* v2: above memory.high */
	if (r->root.ver == CG_V2 && !run_group(r, "lat-high", &g, &e) &&
	    !cg_set(&g, "high", "32M", &e)) {
		run_wl("alloc", alloc64, &g, &h, NULL);
		lat_figs("above-high", &h);
		cg_destroy(&g, &e);
	}
}

/* The harness's own peak RSS and CPU time over the suite, as its meta.json
 * records them (the run's process alone, not its workloads). */
static void suite_rusage(const char *results)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(results);

	while (d && (de = readdir(d))) {
		json_t *m, *h;
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/meta.json", results, de->d_name);
		m = json_load_file(path, 0, NULL);
		h = m ? json_object_get(m, "harness") : NULL;
		if (h) {
			add(fig("suite-rss", "MiB", "<= 8"),
			    json_number_value(json_object_get(h, "max_rss_bytes")) / (double)MIB);
			add(fig("suite-cpu", "s", ""),
			    json_number_value(json_object_get(h, "cpu_s")));
		}
		json_decref(m);
	}
	if (d)
		closedir(d);
}

static void bench_suite(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *argv[] = {self,	  "run",       "--format",
			"ktap",	  "--results", "/tmp/memcg-lab-bench-suite",
			"--swap", "auto",      NULL};
	uint64_t t0;
	int status;
	pid_t pid;

	if (n <= 0)
		return;
	self[n] = 0;
	t0 = now_ns();
	pid = fork();
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		execv(self, argv);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	add(fig("suite", "s", "< 60"), (double)(now_ns() - t0) / 1e9);
	suite_rusage("/tmp/memcg-lab-bench-suite");
	{
		char *rm[] = {"rm", "-rf", "/tmp/memcg-lab-bench-suite", NULL};
		pid = fork();
		if (!pid) {
			execvp("rm", rm);
			_exit(127);
		}
		waitpid(pid, &status, 0);
	}
}

/* --- output ---------------------------------------------------------------------- */

/* six significant digits, as the table shows them; null when not finite */
static json_t *figure_num(double v)
{
	char b[32];

	if (!isfinite(v))
		return json_null();
	snprintf(b, sizeof(b), "%.6g", v);
	return json_real(strtod(b, NULL));
}

static int write_json(const char *dir, const char *run_id, int runs)
{
	char path[PATH_MAX];
	struct utsname u;
	struct mlab_err e;
	json_t *o = json_object(), *figures = json_array();
	int bad = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, run_id);
	if (mkdir_p(path)) {
		json_decref(o);
		json_decref(figures);
		return -errno;
	}
	uname(&u);
	jout_put(o, "run_id", jout_str(run_id, strlen(run_id)), &bad);
	jout_put(o, "kernel", jout_str(u.release, sizeof(u.release)), &bad);
	jout_put(o, "runs", json_integer(runs), &bad);
	for (int i = 0; i < nfigs; i++) {
		struct figure *x = &figs[i];
		json_t *f = json_object(), *values = json_array();
		if (!x->n) {
			json_decref(f);
			json_decref(values);
			continue;
		}
		jout_put(f, "name", jout_str(x->name, strlen(x->name)), &bad);
		jout_put(f, "unit", jout_str(x->unit, strlen(x->unit)), &bad);
		jout_put(f, "target", jout_str(x->target, strlen(x->target)), &bad);
		jout_put(f, "median", figure_num(median(x)), &bad);
		jout_put(f, "min", figure_num(vmin(x)), &bad);
		jout_put(f, "max", figure_num(vmax(x)), &bad);
		jout_put(f, "n", json_integer(x->n), &bad);
		jout_put(f, "note", jout_str(x->note, strlen(x->note)), &bad);
		for (int k = 0; k < x->n; k++)
			jout_append(values, figure_num(x->v[k]), &bad);
		jout_put(f, "values", values, &bad);
		jout_append(figures, f, &bad);
	}
	jout_put(o, "figures", figures, &bad);
	snprintf(path, sizeof(path), "%s/%s/bench.json", dir, run_id);
	return jout_write_file(path, o, bad, &e);
}

struct bench_opts {
	const char *results;
	uint64_t runs;
	int no_suite;
};

#define BOPT(f) offsetof(struct bench_opts, f)

static const struct cli_opt bench_opts[] = {
    CLI_OPTION("runs", CLI_COUNT, BOPT(runs), "N",
	       "how many runs each figure's median is of (default 5)", .min = 1, .max = MAX_RUNS),
    CLI_OPTION("results", CLI_TEXT, BOPT(results), "DIR",
	       "where <run-id>/bench.json goes (default results)"),
    CLI_OPTION("no-suite", CLI_FLAG, BOPT(no_suite), NULL, "leave out the whole suite's wall time"),
    CLI_OPTIONS_END,
};

static const struct cli_cmd bench_cmd = {
    .name = "bench",
    .operands = "",
    .about = "Measure the harness against baselines taken in the same run: the median of N\n"
	     "runs with min and max; a table on stdout and DIR/<run-id>/bench.json.",
    .opts = bench_opts,
    .max_operands = 0,
};

int cmd_bench(int argc, char **argv)
{
	struct bench_opts bo = {.results = "results", .runs = 5};
	struct run r = {.st.fd = -1};
	struct mlab_err e;
	char run_id[RUN_ID_LEN];
	int nop, ret = cli_parse(&bench_cmd, argc, argv, &bo, &nop, NULL);
	const char *results = bo.results;
	uint64_t runs = bo.runs;
	int suite = !bo.no_suite;

	if (ret != CLI_OK)
		return cli_parse_status(ret);
	if (run_begin(&r, &e)) {
		fprintf(stderr, "memcg-lab bench: %s\n", e.msg);
		return EXIT_SKIP;
	}
	snprintf(run_id, sizeof(run_id), "%s", r.st.run_id);
	if (run_swap(&r, SWAP_AUTO, 0, 256 * MIB, &e))
		fprintf(stderr, "memcg-lab bench: no swap (%s): the swapping figure is left out\n",
			e.msg);
	for (uint64_t k = 0; k < runs && !run_interrupted; k++) {
		fprintf(stderr, "\rmemcg-lab bench: run %llu of %llu", (unsigned long long)k + 1,
			(unsigned long long)runs);
		bench_alloc(&r);
		bench_read(&r);
		bench_tmpfs(&r);
		bench_oom(&r);
		bench_latency(&r);
	}
	fprintf(stderr, "\n");
	if (run_end(&r, &e))
		fprintf(stderr, "memcg-lab bench: %s\n", e.msg);
	if (suite && !run_interrupted)
		for (uint64_t k = 0; k < runs; k++)
			bench_suite();

	printf("%-26s %12s %12s %12s  %-6s %-8s %s\n", "figure", "median", "min", "max", "unit",
	       "target", "(per run)");
	for (int i = 0; i < nfigs; i++) {
		struct figure *x = &figs[i];
		if (!x->n)
			continue;
		printf("%-26s %12.3f %12.3f %12.3f  %-6s %-8s %s\n", x->name, median(x), vmin(x),
		       vmax(x), x->unit, x->target, x->note);
	}
	if (write_json(results, run_id, (int)runs))
		fprintf(stderr, "memcg-lab bench: cannot write %s/%s/bench.json\n", results,
			run_id);
	else
		fprintf(stderr, "results: %s/%s/bench.json\n", results, run_id);
	return 0;
}
