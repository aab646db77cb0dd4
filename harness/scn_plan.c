/* The scenario engine's plan: the reasons a scenario cannot run here (its
 * needs), and the memory its workloads can take at most (for the guard). */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cg.h"
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

int scn_skip_reason(const struct scn *s, const char *where, char *why, size_t len)
{
	struct cg_root root;
	struct mlab_err e;
	int have_root = cg_root_find(&root, &e) == 0;

	for (int i = 0; i < s->nneeds; i++) {
		const struct scn_needs *n = &s->needs[i];
		uint64_t v = 0;
		int maj, min;
		switch (n->kind) {
		case SN_ROOT:
			if (geteuid()) {
				snprintf(why, len, "needs root");
				return 1;
			}
			break;
		case SN_CGROUP:
			if (!have_root) {
				snprintf(why, len, "no memory controller: %s", e.msg);
				return 1;
			}
			if (!(n->versions & (1 << ((int)root.ver - 1)))) {
				snprintf(why, len, "needs cgroup %s; this host has v%d",
					 n->versions == 1 ? "v1" : "v2", (int)root.ver);
				return 1;
			}
			break;
		case SN_SWAP:
			meminfo_get(NULL, "SwapFree", &v);
			if (v < 16 * MIB) {
				snprintf(why, len, "needs swap (run with --swap auto or SIZE)");
				return 1;
			}
			break;
		case SN_MEMORY:
			meminfo_get(NULL, "MemAvailable", &v);
			if (v / 2 < n->bytes) {
				char a[32], b[32];
				snprintf(why, len, "needs %s of memory; half of MemAvailable is %s",
					 fmt_size(a, sizeof(a), n->bytes),
					 fmt_size(b, sizeof(b), v / 2));
				return 1;
			}
			break;
		case SN_KERNEL:
			if (kernel_version(&maj, &min) ||
			    !scn_cmp_ok(n->cmp, (uint64_t)(maj * 1000 + min),
					(uint64_t)(n->kmajor * 1000 + n->kminor), 0)) {
				snprintf(why, len, "needs kernel %s %d.%d; this is %d.%d",
					 scn_cmp_str(n->cmp), n->kmajor, n->kminor, maj, min);
				return 1;
			}
			break;
		case SN_VM:
			if (!where || strcmp(where, "vm")) {
				snprintf(why, len,
					 "needs the whole machine under memory pressure: "
					 "runs only in the VM runner");
				return 1;
			}
			break;
		case SN_PSI:
			if (access("/proc/pressure/memory", R_OK)) {
				snprintf(why, len,
					 "needs PSI (/proc/pressure/memory; boot with psi=1)");
				return 1;
			}
			break;
		case SN_FILE:
			break; /* checked on a real group by scn_run */
		}
	}
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
		if ((x->op != SO_GROUP && x->op != SO_SET) || strcmp(x->a, grp))
			continue;
		for (int k = 0; k < x->nkv; k++)
			if (!strcmp(x->kv[k].key, "limit") && !parse_size(x->kv[k].val, &v, &e) &&
			    v > lim)
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
			if (st->op != SO_START || strcmp(st->b, s->groups[gi]))
				continue;
			d = wl_find(st->wl);
			wl_defaults(d, &o, &e);
			for (int k = 0; k < st->nkv; k++)
				if (strcmp(st->kv[k].key, "file"))
					wl_set_opt(d, &o, st->kv[k].key, st->kv[k].val, &e);
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
