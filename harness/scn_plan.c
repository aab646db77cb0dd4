/* The scenario engine's plan: the reasons a scenario cannot run here (its
 * needs), and the memory its workloads can take at most (for the guard). */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cg.h"
#include "kfact.h"
#include "run.h"
#include "scn.h"
#include "scn_run.h"

/* --- needs ----------------------------------------------------------------- */

static int kernel_version(int *major, int *minor)
{
	struct utsname u;
	if (uname(&u) || sscanf(u.release, "%d.%d", major, minor) != 2)
		return -1;
	return 0;
}

/* What the needs are judged against, looked up once per scenario. */
struct here {
	const char *where; /* "host" or "vm" */
	struct cg_root root;
	int have_root;
	struct mlab_err root_err;
};

/* One check per kind of need: 1 (with the reason in @why) when it is not
 * met here, else 0. */
static int need_root(const struct scn_needs *n, const struct here *h, char *why, size_t len)
{
	(void)n;
	(void)h;
	return geteuid() ? snprintf(why, len, "needs root"), 1 : 0;
}

static int need_cgroup(const struct scn_needs *n, const struct here *h, char *why, size_t len)
{
	if (!h->have_root)
		return snprintf(why, len, "no memory controller: %s", h->root_err.msg), 1;
	if (!(n->versions & (1 << ((int)h->root.ver - 1))))
		return snprintf(why, len, "needs cgroup %s; this host has v%d",
				n->versions == 1 ? "v1" : "v2", (int)h->root.ver),
		       1;
	return 0;
}

static int need_swap(const struct scn_needs *n, const struct here *h, char *why, size_t len)
{
	uint64_t v = 0;

	(void)n;
	(void)h;
	meminfo_get(NULL, "SwapFree", &v);
	if (v < 16 * MIB)
		return snprintf(why, len, "needs swap (run with --swap auto or SIZE)"), 1;
	return 0;
}

static int need_memory(const struct scn_needs *n, const struct here *h, char *why, size_t len)
{
	uint64_t v = 0;
	char a[32], b[32];

	(void)h;
	meminfo_get(NULL, "MemAvailable", &v);
	if (v / 2 >= n->bytes)
		return 0;
	snprintf(why, len, "needs %s of memory; half of MemAvailable is %s",
		 fmt_size(a, sizeof(a), n->bytes), fmt_size(b, sizeof(b), v / 2));
	return 1;
}

static int need_kernel(const struct scn_needs *n, const struct here *h, char *why, size_t len)
{
	int maj = 0, min = 0;

	(void)h;
	if (!kernel_version(&maj, &min) && scn_cmp_ok(n->cmp, (uint64_t)(maj * 1000 + min),
						      (uint64_t)(n->kmajor * 1000 + n->kminor), 0))
		return 0;
	snprintf(why, len, "needs kernel %s %d.%d; this is %d.%d", scn_cmp_str(n->cmp), n->kmajor,
		 n->kminor, maj, min);
	return 1;
}

static int need_vm(const struct scn_needs *n, const struct here *h, char *why, size_t len)
{
	(void)n;
	if (h->where && !strcmp(h->where, "vm"))
		return 0;
	snprintf(why, len,
		 "needs the whole machine under memory pressure: runs only in the VM "
		 "runner");
	return 1;
}

static int need_psi(const struct scn_needs *n, const struct here *h, char *why, size_t len)
{
	(void)n;
	(void)h;
	if (!access("/proc/pressure/memory", R_OK))
		return 0;
	snprintf(why, len, "needs PSI (/proc/pressure/memory; boot with psi=1)");
	return 1;
}

static int need_zswap(const struct scn_needs *n, const struct here *h, char *why, size_t len)
{
	struct mlab_err e;
	uint64_t on = 0;

	(void)n;
	(void)h;
	if (!kfact_read("zswap", &on, &e) && on)
		return 0;
	snprintf(why, len,
		 "needs zswap on (/sys/module/zswap/parameters/enabled; in the VM runner: "
		 "--zswap on, with a kernel built with it)");
	return 1;
}

/* checked on a real group by scn_run */
static int need_file(const struct scn_needs *n, const struct here *h, char *why, size_t len)
{
	(void)n;
	(void)h;
	(void)why;
	(void)len;
	return 0;
}

typedef int need_check_fn(const struct scn_needs *n, const struct here *h, char *why, size_t len);

static need_check_fn *const need_check[] = {
#define NEED_CHECK(KIND, word, usage, parse, check) [SN_##KIND] = check,
    SCN_NEEDS(NEED_CHECK)
#undef NEED_CHECK
};

int scn_skip_reason(const struct scn *s, const char *where, char *why, size_t len)
{
	struct here h = {.where = where};

	h.have_root = cg_root_find(&h.root, &h.root_err) == 0;
	for (int i = 0; i < s->nneeds; i++)
		if (need_check[s->needs[i].kind](&s->needs[i], &h, why, len))
			return 1;
	return 0;
}

/* --- the guard --------------------------------------------------------------- */

/* The largest limit a scenario ever sets on @grp itself, 0 if none. */
static uint64_t group_limit(const struct scn *s, const char *grp)
{
	uint64_t lim = 0, v;
	struct mlab_err e;

	for (int j = 0; j < s->nsteps; j++) {
		const struct scn_step *x = &s->steps[j];
		const struct scn_settings *set = &x->set.settings;
		if ((x->op != SO_GROUP && x->op != SO_SET) || strcmp(x->set.group, grp))
			continue;
		for (int k = 0; k < set->n; k++)
			if (!strcmp(set->kv[k].key, "limit") &&
			    !parse_size(set->kv[k].val, &v, &e) && v > lim)
				lim = v;
	}
	return lim;
}

/* The most memory the scenario can take from the machine: per group, what
 * its workloads need (their sizes), capped by the tightest limit on the
 * group or its ancestors, since a group never holds more than that in RAM.
 * 0 when something is unbounded (no size and no limit). */
uint64_t scn_plan_bytes(const struct scn *s)
{
	uint64_t total = 0;

	for (int gi = 0; gi < s->ngroups; gi++) {
		uint64_t need = 0, cap = 0;
		int unbounded = 0, any = 0;
		char grp[SCN_NAME];

		for (int i = 0; i < s->nsteps; i++) {
			const struct scn_step *st = &s->steps[i];
			const struct wl_def *d;
			struct wl_opts o;
			struct mlab_err e;
			uint64_t n;
			const struct scn_settings *opts = &st->start.opts;
			if (st->op != SO_START || strcmp(st->start.group, s->groups[gi]))
				continue;
			d = wl_find(st->start.workload);
			wl_defaults(d, &o, &e);
			for (int k = 0; k < opts->n; k++)
				if (strcmp(opts->kv[k].key, "file"))
					wl_set_opt(d, &o, opts->kv[k].key, opts->kv[k].val, &e);
			n = d->need(&o);
			unbounded |= !n;
			need += n;
			any = 1;
		}
		if (!any)
			continue;
		/* the tightest limit on the way up */
		snprintf(grp, sizeof(grp), "%s", s->groups[gi]);
		while (grp[0]) {
			uint64_t lim = group_limit(s, grp);
			char *slash = strrchr(grp, '/');
			if (lim && (!cap || lim < cap))
				cap = lim;
			if (slash)
				*slash = 0;
			else
				grp[0] = 0;
		}
		if (unbounded && !cap)
			return 0;
		total += unbounded || (cap && cap < need) ? cap : need;
	}
	return total ? total : 1;
}
