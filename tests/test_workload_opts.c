/* Unit tests of the workload registry and options (wl_common.c and the
 * option tables of each workload), a few workloads run in-process on temp
 * files, and the built program's `workload` command without group options
 * (no group, no run: nothing of the machine's cgroups is touched).
 *
 * Never run here: shm (a real SysV segment), tmpfs on /dev/shm, anything
 * with --limit/--set/--group/--swap/--private (a run as root) but their
 * usage errors, which are refused before anything starts. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "wl.h"

static const char *const names[] = { "alloc",	 "tmpfs",    "shm",	"mmap",	   "pagecache",
				     "forker", "dentries", "threads", "sockets" };
#define NWL (sizeof(names) / sizeof(names[0]))

static const struct wl_def *def(const char *name)
{
	const struct wl_def *d = wl_find(name);
	ck_assert_msg(d != NULL, "no workload %s", name);
	return d;
}

/* --- registry -------------------------------------------------------------- */

START_TEST(registry)
{
	size_t n = 0;

	for (; wl_all[n]; n++) {
		const struct wl_def *d = wl_all[n];
		ck_assert_msg(n < NWL, "more workloads than expected");
		ck_assert_str_eq(d->name, names[n]);
		ck_assert_ptr_eq(wl_find(d->name), d);
		ck_assert_msg(d->summary && strlen(d->summary) > 20, "%s: summary", d->name);
		ck_assert_ptr_nonnull(d->opts);
		ck_assert_ptr_nonnull(d->check);
		ck_assert_ptr_nonnull(d->run);
		ck_assert_ptr_nonnull(d->need);
	}
	ck_assert_uint_eq(n, NWL);
	ck_assert_ptr_eq(wl_find("alloc"), &wl_alloc);
	ck_assert_ptr_eq(wl_find("pagecache"), &wl_pagecache);
	ck_assert_ptr_null(wl_find("nosuch"));
	ck_assert_ptr_null(wl_find(""));
	ck_assert_ptr_null(wl_find("Alloc"));
}
END_TEST

START_TEST(option_tables)
{
	for (size_t w = 0; w < NWL; w++) {
		const struct wl_def *d = def(names[w]);
		int has_size = 0, has_quiet = 0;

		for (const struct wl_opt *o = d->opts; o->name; o++) {
			ck_assert_msg(*o->name && o->name[0] != '-', "%s: option name '%s'",
				      d->name, o->name);
			ck_assert_msg(o->help && *o->help, "%s --%s: no help", d->name, o->name);
			ck_assert_msg(o->type <= WL_PATH, "%s --%s: type", d->name, o->name);
			ck_assert_msg(o->offset < sizeof(struct wl_opts), "%s --%s: offset",
				      d->name, o->name);
			/* the field's type follows the option's */
			if (o->type == WL_PATH)
				ck_assert_uint_eq(o->offset, offsetof(struct wl_opts, path));
			/* the group options belong to the CLI, not to a workload */
			ck_assert_msg(strcmp(o->name, "limit") && strcmp(o->name, "set") &&
					  strcmp(o->name, "swap") && strcmp(o->name, "group") &&
					  strcmp(o->name, "help"),
				      "%s --%s collides with a CLI option", d->name, o->name);
			for (const struct wl_opt *p = o + 1; p->name; p++)
				ck_assert_msg(strcmp(o->name, p->name), "%s: --%s twice", d->name,
					      o->name);
			/* how much: bytes, or a number of kernel objects */
			has_size |= !strcmp(o->name, "size") || !strcmp(o->name, "count");
			has_quiet |= !strcmp(o->name, "quiet");
		}
		ck_assert_msg(has_size && has_quiet, "%s: --size (or --count) and --quiet", d->name);
	}
}
END_TEST

/* --- defaults -------------------------------------------------------------- */

START_TEST(defaults)
{
	struct mlab_err e = { "" };
	struct wl_opts o;

	memset(&o, 0xa5, sizeof(o));
	ck_assert_int_eq(wl_defaults(&wl_alloc, &o, &e), 0);
	ck_assert_uint_eq(o.size, 0); /* forever */
	ck_assert_uint_eq(o.step, MIB);
	ck_assert_uint_eq(o.rate, MIB);
	ck_assert(!o.hold && !o.thp && !o.quiet && !o.remove);
	ck_assert_str_eq(o.path, "");

	ck_assert_int_eq(wl_defaults(&wl_tmpfs, &o, &e), 0);
	ck_assert_uint_eq(o.size, 0);
	ck_assert_uint_eq(o.step, MIB);
	ck_assert_uint_eq(o.rate, 0); /* max */
	ck_assert(!o.hold && !o.remove && !o.private_mount);
	ck_assert_str_eq(o.path, "");

	ck_assert_int_eq(wl_defaults(&wl_shm, &o, &e), 0);
	ck_assert_uint_eq(o.step, MIB);
	ck_assert_uint_eq(o.rate, 0);
	ck_assert_uint_eq(o.key, 0); /* IPC_PRIVATE */
	ck_assert(!o.remove);

	ck_assert_int_eq(wl_defaults(&wl_mmap, &o, &e), 0);
	ck_assert(o.hold);
	ck_assert_uint_eq(o.step, MIB);
	ck_assert_uint_eq(o.rate, 0);

	ck_assert_int_eq(wl_defaults(&wl_pagecache, &o, &e), 0);
	ck_assert_uint_eq(o.block, MIB);
	ck_assert_uint_eq(o.passes, 1);
	ck_assert_uint_eq(o.rate, 0);
	ck_assert(!o.drop && !o.hold);
	ck_assert_str_eq(o.path, "");
}
END_TEST

/* --- setting options ------------------------------------------------------- */

START_TEST(set_opts)
{
	struct mlab_err e = { "" };
	struct wl_opts o;

	wl_defaults(&wl_alloc, &o, &e);
	ck_assert_int_eq(wl_set_opt(&wl_alloc, &o, "size", "5M", &e), 0);
	ck_assert_uint_eq(o.size, 5 * MIB);
	ck_assert_int_eq(wl_set_opt(&wl_alloc, &o, "step", "64K", &e), 0);
	ck_assert_uint_eq(o.step, 64 * KIB);
	ck_assert_int_eq(wl_set_opt(&wl_alloc, &o, "rate", "2M/s", &e), 0);
	ck_assert_uint_eq(o.rate, 2 * MIB);
	ck_assert_int_eq(wl_set_opt(&wl_alloc, &o, "rate", "max", &e), 0);
	ck_assert_uint_eq(o.rate, 0);
	/* flags: bare, or yes/no/on/off/1/0 */
	ck_assert_int_eq(wl_set_opt(&wl_alloc, &o, "hold", NULL, &e), 0);
	ck_assert(o.hold);
	ck_assert_int_eq(wl_set_opt(&wl_alloc, &o, "hold", "no", &e), 0);
	ck_assert(!o.hold);
	ck_assert_int_eq(wl_set_opt(&wl_alloc, &o, "hold", "yes", &e), 0);
	ck_assert(o.hold);
	ck_assert_int_eq(wl_set_opt(&wl_alloc, &o, "hold", "off", &e), 0);
	ck_assert(!o.hold);
	ck_assert_int_eq(wl_set_opt(&wl_alloc, &o, "thp", "on", &e), 0);
	ck_assert(o.thp);
	ck_assert_int_eq(wl_set_opt(&wl_alloc, &o, "thp", "0", &e), 0);
	ck_assert(!o.thp);
	ck_assert_int_eq(wl_set_opt(&wl_alloc, &o, "quiet", "1", &e), 0);
	ck_assert(o.quiet);

	wl_defaults(&wl_pagecache, &o, &e);
	ck_assert_int_eq(wl_set_opt(&wl_pagecache, &o, "file", "/var/tmp/data", &e), 0);
	ck_assert_str_eq(o.path, "/var/tmp/data");
	ck_assert_int_eq(wl_set_opt(&wl_pagecache, &o, "passes", "3", &e), 0);
	ck_assert_uint_eq(o.passes, 3);
	ck_assert_int_eq(wl_set_opt(&wl_pagecache, &o, "block", "4K", &e), 0);
	ck_assert_uint_eq(o.block, 4096);
	wl_defaults(&wl_shm, &o, &e);
	ck_assert_int_eq(wl_set_opt(&wl_shm, &o, "key", "1835008000", &e), 0);
	ck_assert_uint_eq(o.key, 1835008000);
	wl_defaults(&wl_tmpfs, &o, &e);
	ck_assert_int_eq(wl_set_opt(&wl_tmpfs, &o, "private", NULL, &e), 0);
	ck_assert(o.private_mount);
}
END_TEST

START_TEST(set_opts_bad)
{
	static const struct {
		const struct wl_def *d;
		const char *name, *value;
		int err;
		const char *msg;
	} t[] = {
		{ &wl_alloc, "frob", "1", EINVAL, "workload alloc has no option --frob" },
		{ &wl_alloc, "file", "/x", EINVAL, "no option --file" },
		{ &wl_alloc, "limit", "5M", EINVAL, "no option --limit" },
		{ &wl_alloc, "size", NULL, EINVAL, "--size needs a value" },
		{ &wl_alloc, "size", "12X", EINVAL, "--size: size '12X': unknown unit" },
		{ &wl_alloc, "size", "-1", EINVAL, "--size: " },
		{ &wl_alloc, "step", "0.5", EINVAL, "--step: " },
		{ &wl_alloc, "rate", "0", EINVAL, "--rate: rate '0' is zero" },
		{ &wl_alloc, "rate", "fast", EINVAL, "--rate: " },
		{ &wl_alloc, "hold", "maybe", EINVAL, "--hold: 'maybe' is not yes or no" },
		{ &wl_pagecache, "passes", "-1", EINVAL, "--passes: " },
		{ &wl_pagecache, "passes", "2147483648", ERANGE, "--passes: " },
		{ &wl_pagecache, "file", "", EINVAL, "--file: empty path" },
		{ &wl_shm, "key", "0x10", EINVAL, "--key: " },
		{ &wl_shm, "key", "4294967296", ERANGE, "--key: " },
		{ &wl_mmap, "size", "18446744073709551616", ERANGE, "--size: " },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct mlab_err e = { "" };
		struct wl_opts o, before;
		int ret;

		wl_defaults(t[i].d, &o, &e);
		before = o;
		ret = wl_set_opt(t[i].d, &o, t[i].name, t[i].value, &e);
		ck_assert_msg(ret == -t[i].err, "%s --%s %s: %d, want %d (%s)", t[i].d->name,
			      t[i].name, t[i].value ? t[i].value : "(none)", ret, -t[i].err, e.msg);
		ck_assert_msg(strstr(e.msg, t[i].msg), "%s --%s: message '%s' lacks '%s'",
			      t[i].d->name, t[i].name, e.msg, t[i].msg);
		/* a refused value leaves the options as they were; except
		 * "--rate 0": parse_rate() stores the 0 before refusing it
		 * (harmless: the CLI exits on the error) */
		if (strcmp(t[i].name, "rate") || strcmp(t[i].value, "0"))
			ck_assert_msg(!memcmp(&o, &before, sizeof(o)),
				      "%s --%s %s: options changed", t[i].d->name, t[i].name,
				      t[i].value ? t[i].value : "");
	}
	/* a path that does not fit */
	{
		struct mlab_err e = { "" };
		struct wl_opts o;
		char *big = malloc(PATH_MAX + 1);
		memset(big, 'p', PATH_MAX);
		big[PATH_MAX] = 0;
		wl_defaults(&wl_mmap, &o, &e);
		ck_assert_int_eq(wl_set_opt(&wl_mmap, &o, "file", big, &e), -ENAMETOOLONG);
		ck_assert_ptr_nonnull(strstr(e.msg, "--file: path too long"));
		ck_assert_str_eq(o.path, "");
		free(big);
	}
}
END_TEST

/* --- checks and needs ------------------------------------------------------ */

/* Defaults of @d, then NAME=VALUE pairs, then d->check. */
static int checked(const struct wl_def *d, struct mlab_err *e, const char *const *kv)
{
	struct wl_opts o;

	ck_assert_int_eq(wl_defaults(d, &o, e), 0);
	for (; kv && kv[0]; kv += 2)
		ck_assert_msg(wl_set_opt(d, &o, kv[0], kv[1], e) == 0, "%s --%s %s: %s", d->name,
			      kv[0], kv[1], e->msg);
	return d->check(&o, e);
}

#define KV(...) ((const char *const[]){ __VA_ARGS__, NULL })

START_TEST(checks)
{
	struct mlab_err e = { "" };

	/* alloc: forever is allowed; a step must fit */
	ck_assert_int_eq(checked(&wl_alloc, &e, NULL), 0);
	ck_assert_int_eq(checked(&wl_alloc, &e, KV("size", "3M")), 0);
	ck_assert_int_eq(checked(&wl_alloc, &e, KV("size", "1M")), 0);
	ck_assert_int_eq(checked(&wl_alloc, &e, KV("step", "0")), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "--step must be at least 1 byte"));
	ck_assert_int_eq(checked(&wl_alloc, &e, KV("size", "512K")), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "--size is smaller than one --step"));
	ck_assert_int_eq(checked(&wl_alloc, &e, KV("size", "512K", "step", "4K")), 0);

	/* tmpfs, shm and mmap need a size */
	for (int i = 1; i <= 3; i++) {
		const struct wl_def *d = def(names[i]);
		e.msg[0] = 0;
		ck_assert_msg(checked(d, &e, NULL) == -EINVAL, "%s without --size", d->name);
		ck_assert_msg(strstr(e.msg, "--size is required"), "%s: '%s'", d->name, e.msg);
		ck_assert_int_eq(checked(d, &e, KV("size", "4M")), 0);
		ck_assert_int_eq(checked(d, &e, KV("size", "4M", "step", "0")), -EINVAL);
		ck_assert_ptr_nonnull(strstr(e.msg, "--step"));
	}
	ck_assert_int_eq(checked(&wl_mmap, &e, KV("size", "4M", "remove", "yes")), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "--remove needs --file"));
	ck_assert_int_eq(checked(&wl_mmap, &e, KV("size", "4M", "remove", "yes", "file", "/x")), 0);

	/* pagecache needs a file to read (or a size for a scratch one) */
	ck_assert_int_eq(checked(&wl_pagecache, &e, NULL), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "--file is required"));
	ck_assert_int_eq(checked(&wl_pagecache, &e, KV("file", "/var/tmp/x")), 0);
	ck_assert_int_eq(checked(&wl_pagecache, &e, KV("file", "/x", "block", "0")), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "--block"));
	ck_assert_int_eq(checked(&wl_pagecache, &e, KV("file", "/x", "block", "2G")), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "larger than 1G"));
	ck_assert_int_eq(checked(&wl_pagecache, &e, KV("file", "/x", "block", "1G")), 0);
	ck_assert_int_eq(checked(&wl_pagecache, &e, KV("file", "/x", "passes", "0")), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "--passes"));
}
END_TEST

START_TEST(needs)
{
	struct mlab_err e = { "" };
	struct wl_opts o;

	/* the guard's input: 0 means unbounded */
	wl_defaults(&wl_alloc, &o, &e);
	ck_assert_uint_eq(wl_alloc.need(&o), 0);
	o.size = 3 * MIB;
	ck_assert_uint_eq(wl_alloc.need(&o), 3 * MIB);
	for (int i = 1; i <= 3; i++) {
		const struct wl_def *d = def(names[i]);
		wl_defaults(d, &o, &e);
		o.size = 7 * MIB;
		ck_assert_uint_eq(d->need(&o), 7 * MIB);
	}
	/* the cache a reader fills is reclaimable: only its buffer counts */
	wl_defaults(&wl_pagecache, &o, &e);
	o.size = 8 * MIB;
	ck_assert_uint_eq(wl_pagecache.need(&o), 1 * MIB);
}
END_TEST

/* --- shared region and helpers --------------------------------------------- */

START_TEST(shared_and_helpers)
{
	struct wl_shared sh;

	memset(&sh, 0x5a, sizeof(sh));
	wl_shared_init(&sh);
	ck_assert_uint_eq(sh.magic, WL_MAGIC);
	ck_assert_int_eq(atomic_load(&sh.shm_id), -1);
	ck_assert_uint_eq(atomic_load(&sh.phase), WL_STARTING);
	ck_assert_uint_eq(atomic_load(&sh.bytes), 0);
	ck_assert_uint_eq(sh.lat.count, 0);
	ck_assert_uint_eq(sh.lat.min_ns, UINT64_MAX);
	ck_assert_str_eq(sh.errmsg, "");

	ck_assert_str_eq(wl_phase_name(WL_STARTING), "starting");
	ck_assert_str_eq(wl_phase_name(WL_RUNNING), "running");
	ck_assert_str_eq(wl_phase_name(WL_HOLDING), "holding");
	ck_assert_str_eq(wl_phase_name(WL_DONE), "done");
	ck_assert_str_eq(wl_phase_name(WL_FAILED), "failed");
	ck_assert_str_eq(wl_phase_name((enum wl_phase)5), "?");
	ck_assert_str_eq(wl_phase_name((enum wl_phase) - 1), "?");

	/* step k of a paced run is due at t0 + bytes / rate */
	ck_assert_uint_eq(wl_step_deadline(1000, 5 * MIB, 0), 0);
	ck_assert_uint_eq(wl_step_deadline(1000, MIB, MIB), 1000 + 1000000000ULL);
	ck_assert_uint_eq(wl_step_deadline(0, 3 * MIB, 2 * MIB), 1500000000ULL);
	ck_assert_uint_eq(wl_step_deadline(0, 64 * GIB, MIB), 65536ULL * 1000000000ULL);
}
END_TEST

/* --- workloads in-process -------------------------------------------------- */

struct ran {
	int ret;
	struct wl_shared sh;
	char out[4096];
};

/* Run @d in this (forked test) process with progress lines to a file. */
static void run_here(const struct wl_def *d, const struct wl_opts *o, struct ran *r)
{
	const char *p = tu_path("%s/out", tu_tmpdir());
	struct wl_ctx c = { .sh = &r->sh };
	const char *text;

	wl_shared_init(&r->sh);
	c.out_fd = o->quiet ? -1 : open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	wl_signals_block();
	r->ret = d->run(o, &c);
	if (c.out_fd >= 0)
		close(c.out_fd);
	text = tu_read(p);
	snprintf(r->out, sizeof(r->out), "%s", text ? text : "");
}

START_TEST(run_alloc)
{
	struct mlab_err e = { "" };
	struct wl_opts o;
	static struct ran r;

	wl_defaults(&wl_alloc, &o, &e);
	o.size = 2 * MIB + 512 * KIB;
	o.rate = 0;
	run_here(&wl_alloc, &o, &r);
	ck_assert_int_eq(r.ret, 0);
	ck_assert_str_eq(r.out, "1M memory allocated\n2M memory allocated\n");
	ck_assert_uint_eq(atomic_load(&r.sh.bytes), 2 * MIB + 512 * KIB);
	ck_assert_uint_eq(atomic_load(&r.sh.steps), 3); /* the last step is the rest */
	ck_assert_uint_eq(atomic_load(&r.sh.phase), WL_DONE);
	ck_assert_uint_eq(r.sh.lat.count, 3);

	/* a pending stop signal is taken at the first step boundary */
	o.size = 8 * MIB;
	o.quiet = true;
	wl_signals_block();
	raise(SIGUSR1);
	run_here(&wl_alloc, &o, &r);
	ck_assert_int_eq(r.ret, 0);
	ck_assert_uint_eq(atomic_load(&r.sh.bytes), MIB);
	ck_assert_uint_eq(atomic_load(&r.sh.steps), 1);
	ck_assert_str_eq(r.out, "");

	/* paced: 3 steps of 1M at 20M/s take at least 150 ms */
	{
		uint64_t t0 = now_ns();
		o.size = 3 * MIB;
		o.rate = 20 * MIB;
		run_here(&wl_alloc, &o, &r);
		ck_assert_uint_ge(now_ns() - t0, 150 * 1000 * 1000);
		ck_assert_uint_eq(atomic_load(&r.sh.bytes), 3 * MIB);
	}
}
END_TEST

START_TEST(run_tmpfs_refuses_other_fs)
{
	const char *d = tu_tmpdir();
	struct mlab_err e = { "" };
	struct wl_opts o;
	static struct ran r;

	/* the temp dir is on a disk filesystem here; skip where it is a tmpfs */
	if (!strncmp(d, "/dev/shm", 8))
		return;
	wl_defaults(&wl_tmpfs, &o, &e);
	o.size = MIB;
	snprintf(o.path, sizeof(o.path), "%s/file", d);
	run_here(&wl_tmpfs, &o, &r);
	if (r.ret == 0) {
		/* a tmpfs after all (TMPDIR on one): it wrote the file */
		ck_assert(tu_exists(o.path));
		return;
	}
	ck_assert_int_eq(r.ret, -EINVAL);
	ck_assert_ptr_nonnull(strstr(r.sh.errmsg, "is not on a tmpfs"));
	ck_assert_uint_eq(atomic_load(&r.sh.phase), WL_FAILED);
	ck_assert_int_eq(r.sh.err, EINVAL);
	ck_assert(!tu_exists(o.path));
}
END_TEST

START_TEST(run_mmap_file)
{
	const char *d = tu_tmpdir();
	struct mlab_err e = { "" };
	struct wl_opts o;
	static struct ran r;

	wl_defaults(&wl_mmap, &o, &e);
	o.size = 3 * MIB;
	o.hold = false;
	o.remove = true;
	snprintf(o.path, sizeof(o.path), "%s/map", d);
	run_here(&wl_mmap, &o, &r);
	ck_assert_int_eq(r.ret, 0);
	ck_assert_uint_eq(atomic_load(&r.sh.bytes), 3 * MIB);
	ck_assert_uint_eq(atomic_load(&r.sh.steps), 3);
	ck_assert_ptr_nonnull(
	    strstr(r.out, tu_path("touched 3145728 bytes of MAP_SHARED %s", o.path)));
	ck_assert(!tu_exists(o.path));

	/* kept without --remove, at its full size */
	o.remove = false;
	run_here(&wl_mmap, &o, &r);
	ck_assert_int_eq(r.ret, 0);
	{
		struct stat st;
		ck_assert_int_eq(stat(o.path, &st), 0);
		ck_assert_int_eq(st.st_size, 3 * MIB);
	}
}
END_TEST

START_TEST(run_pagecache)
{
	const char *d = tu_tmpdir();
	struct mlab_err e = { "" };
	struct wl_opts o;
	static struct ran r;
	struct stat st;
	int created = -1;

	/* prepare makes the file, then extends a short one, and leaves a long
	 * enough one alone */
	ck_assert_int_eq(wl_pagecache_prepare(tu_path("%s/data", d), MIB, 1, &created, &e), 0);
	ck_assert_int_eq(created, 1);
	ck_assert_int_eq(stat(tu_path("%s/data", d), &st), 0);
	ck_assert_int_eq(st.st_size, MIB);
	ck_assert_int_eq(wl_pagecache_prepare(tu_path("%s/data", d), 2 * MIB, 1, &created, &e), 0);
	ck_assert_int_eq(created, 0);
	ck_assert_int_eq(stat(tu_path("%s/data", d), &st), 0);
	ck_assert_int_eq(st.st_size, 2 * MIB);
	ck_assert_int_eq(wl_pagecache_prepare(tu_path("%s/data", d), MIB, 1, &created, &e), 0);
	ck_assert_int_eq(stat(tu_path("%s/data", d), &st), 0);
	ck_assert_int_eq(st.st_size, 2 * MIB);
	ck_assert_int_eq(wl_pagecache_prepare(d, MIB, 1, &created, &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "not a regular file"));
	/* without data: a hole of the size asked, nothing written */
	ck_assert_int_eq(wl_pagecache_prepare(tu_path("%s/hole", d), 4 * MIB, 0, &created, &e), 0);
	ck_assert_int_eq(created, 1);
	ck_assert_int_eq(stat(tu_path("%s/hole", d), &st), 0);
	ck_assert_int_eq(st.st_size, 4 * MIB);
	ck_assert_int_lt(st.st_blocks * 512, MIB);
	ck_assert_int_eq(stat(tu_path("%s/data", d), &st), 0);
	ck_assert_int_ge(st.st_blocks * 512, 2 * MIB); /* with data: written */

	wl_defaults(&wl_pagecache, &o, &e);
	snprintf(o.path, sizeof(o.path), "%s/data", d);
	o.passes = 2;
	o.block = 512 * KIB;
	run_here(&wl_pagecache, &o, &r);
	ck_assert_int_eq(r.ret, 0);
	ck_assert_uint_eq(atomic_load(&r.sh.bytes), 4 * MIB);
	ck_assert_uint_eq(atomic_load(&r.sh.steps), 8);
	ck_assert_uint_gt(atomic_load(&r.sh.rate_bps), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "read 4194304 bytes of "));
	ck_assert_ptr_nonnull(strstr(r.out, "(2097152 bytes)"));

	/* a missing file fails with the reason */
	snprintf(o.path, sizeof(o.path), "%s/nosuch", d);
	run_here(&wl_pagecache, &o, &r);
	ck_assert_int_eq(r.ret, -ENOENT);
	ck_assert_ptr_nonnull(strstr(r.sh.errmsg, "nosuch"));
	ck_assert_uint_eq(atomic_load(&r.sh.phase), WL_FAILED);
}
END_TEST

/* --- the program ----------------------------------------------------------- */

struct prog {
	int code;
	char out[16384];
	char err[8192];
};

/* Run the built program as `memcg-lab ARGS...`. */
#define PROG(p, ...)                                                                               \
	do {                                                                                       \
		char *const _argv[] = { MEMCG_LAB_BIN, __VA_ARGS__, NULL };                        \
		(p)->code =                                                                        \
		    tu_run(_argv, 20000, (p)->out, sizeof((p)->out), (p)->err, sizeof((p)->err));  \
	} while (0)

START_TEST(prog_help)
{
	static struct prog p;

	for (size_t w = 0; w < NWL; w++) {
		const struct wl_def *d = def(names[w]);
		char want[128];

		PROG(&p, "workload", (char *)d->name, "--help");
		ck_assert_msg(p.code == 0, "workload %s --help: exit %d, stderr '%s'", d->name,
			      p.code, p.err);
		snprintf(want, sizeof(want), "usage: memcg-lab workload %s", d->name);
		ck_assert_msg(strstr(p.out, want), "workload %s --help: '%.80s'", d->name, p.out);
		ck_assert_msg(strstr(p.out, d->summary), "workload %s --help: no summary", d->name);
		for (const struct wl_opt *o = d->opts; o->name; o++) {
			snprintf(want, sizeof(want), "  --%s", o->name);
			ck_assert_msg(strstr(p.out, want), "workload %s --help lacks %s", d->name,
				      want);
			ck_assert_msg(strstr(p.out, o->help), "workload %s --%s: help text missing",
				      d->name, o->name);
			if (o->def && o->type != WL_FLAG) {
				snprintf(want, sizeof(want), "(default %s)", o->def);
				ck_assert_msg(strstr(p.out, want), "workload %s --%s: no '%s'",
					      d->name, o->name, want);
			}
		}
		/* the group options, from their table */
		ck_assert_ptr_nonnull(strstr(p.out, "\ngroup options (run inside a fresh scratch"));
		ck_assert_ptr_nonnull(strstr(p.out, "  --limit SIZE "));
		ck_assert_ptr_nonnull(strstr(p.out, "  --set NAME=VALUE "));
		ck_assert_ptr_nonnull(strstr(p.out, "  --group "));
		ck_assert_ptr_nonnull(strstr(p.out, "  --swap auto|none|SIZE\n"));
	}
	/* help after other options: -h as for every command, and --h */
	PROG(&p, "workload", "alloc", "--size", "1M", "-h");
	ck_assert_int_eq(p.code, 0);
	ck_assert_ptr_nonnull(strstr(p.out, "usage: memcg-lab workload alloc"));
	PROG(&p, "workload", "alloc", "--size", "1M", "--h");
	ck_assert_int_eq(p.code, 0);
	ck_assert_ptr_nonnull(strstr(p.out, "usage: memcg-lab workload alloc"));

	PROG(&p, "workload", "--list");
	ck_assert_int_eq(p.code, 0);
	ck_assert_str_eq(p.out,
			 "alloc\ntmpfs\nshm\nmmap\npagecache\nforker\ndentries\nthreads\nsockets\n");
	PROG(&p, "workload", "--help");
	ck_assert_int_eq(p.code, 0);
	ck_assert_ptr_nonnull(strstr(p.out, "  pagecache "));
	PROG(&p, "workload");
	ck_assert_int_eq(p.code, 2);
}
END_TEST

START_TEST(prog_usage_errors)
{
	static struct prog p;

	PROG(&p, "workload", "nosuch");
	ck_assert_int_eq(p.code, 2);
	ck_assert_ptr_nonnull(strstr(p.err, "no workload 'nosuch'"));
	PROG(&p, "workload", "alloc", "--size", "12X");
	ck_assert_int_eq(p.code, 2);
	ck_assert_ptr_nonnull(strstr(p.err, "workload alloc: --size: size '12X': unknown unit"));
	PROG(&p, "workload", "alloc", "--size=12X");
	ck_assert_int_eq(p.code, 2);
	ck_assert_ptr_nonnull(strstr(p.err, "'12X'"));
	PROG(&p, "workload", "alloc", "--size");
	ck_assert_int_eq(p.code, 2);
	ck_assert_ptr_nonnull(strstr(p.err, "--size needs a value"));
	PROG(&p, "workload", "alloc", "--frob", "1");
	ck_assert_int_eq(p.code, 2);
	ck_assert_ptr_nonnull(strstr(p.err, "no option --frob"));
	PROG(&p, "workload", "alloc", "--size", "1M", "--step", "2M");
	ck_assert_int_eq(p.code, 2);
	ck_assert_ptr_nonnull(strstr(p.err, "smaller than one --step"));
	PROG(&p, "workload", "alloc", "stray");
	ck_assert_int_eq(p.code, 2);
	ck_assert_ptr_nonnull(strstr(p.err, "unexpected argument 'stray'"));
	PROG(&p, "workload", "tmpfs");
	ck_assert_int_eq(p.code, 2);
	ck_assert_ptr_nonnull(strstr(p.err, "--size is required"));
	/* a flag does not swallow a word that is no yes/no */
	PROG(&p, "workload", "alloc", "--size", "1M", "--quiet", "extra");
	ck_assert_int_eq(p.code, 2);
	ck_assert_ptr_nonnull(strstr(p.err, "unexpected argument 'extra'"));
	PROG(&p, "nosuchcommand");
	ck_assert_int_eq(p.code, 2);
	ck_assert_str_eq(p.out, "");
}
END_TEST

/* The group options' usage errors: said before anything starts (no run,
 * no group), whoever runs them. */
START_TEST(prog_group_usage_errors)
{
	static struct prog p;

	PROG(&p, "workload", "alloc", "--size", "1M", "--limit", "12X");
	ck_assert_int_eq(p.code, 2);
	ck_assert_ptr_nonnull(strstr(p.err, "workload alloc: --limit: size '12X'"));
	PROG(&p, "workload", "alloc", "--size", "1M", "--limit=");
	ck_assert_int_eq(p.code, 2);
	ck_assert_ptr_nonnull(strstr(p.err, "--limit: "));
	/* a word starting with "--" is no value */
	PROG(&p, "workload", "alloc", "--size", "1M", "--limit", "--group");
	ck_assert_int_eq(p.code, 2);
	ck_assert_ptr_nonnull(strstr(p.err, "--limit needs a value"));
	PROG(&p, "workload", "alloc", "--size", "1M", "--set");
	ck_assert_int_eq(p.code, 2);
	ck_assert_ptr_nonnull(strstr(p.err, "--set needs a value"));
	PROG(&p, "workload", "alloc", "--size", "1M", "--set=swappiness");
	ck_assert_int_eq(p.code, 2);
	ck_assert_ptr_nonnull(strstr(p.err, "--set 'swappiness': expected NAME=VALUE"));
	PROG(&p, "workload", "alloc", "--size", "1M", "--swap", "bogus");
	ck_assert_int_eq(p.code, 2);
	ck_assert_ptr_nonnull(strstr(p.err, "--swap 'bogus'"));
	PROG(&p, "workload", "alloc", "--size", "1M", "--group=yes");
	ck_assert_int_eq(p.code, 2);
	ck_assert_ptr_nonnull(strstr(p.err, "--group takes no value"));
	PROG(&p, "workload", "alloc", "--group", "stray");
	ck_assert_int_eq(p.code, 2);
	ck_assert_ptr_nonnull(strstr(p.err, "unexpected argument 'stray'"));
	ck_assert_str_eq(p.out, "");
}
END_TEST

START_TEST(prog_alloc_runs)
{
	static struct prog p;

	PROG(&p, "workload", "alloc", "--size", "3M", "--rate", "max", "--quiet");
	ck_assert_msg(p.code == 0, "exit %d: %s", p.code, p.err);
	ck_assert_str_eq(p.out, "");
	ck_assert_ptr_nonnull(strstr(p.err, "alloc exited 0 after 3M in 3 steps"));
	/* no group options: no group summary */
	ck_assert_ptr_null(strstr(p.err, "group:"));

	/* the blog's program, fast: one line per MB on stdout, nothing else */
	PROG(&p, "workload", "alloc", "--size", "2M", "--rate", "100M");
	ck_assert_msg(p.code == 0, "exit %d: %s", p.code, p.err);
	ck_assert_str_eq(p.out, "1M memory allocated\n2M memory allocated\n");
	ck_assert_ptr_nonnull(
	    strstr(p.err, "alloc exited 0 after 2M in 2 steps; step latency p50"));

	PROG(&p, "workload", "alloc", "--size=2M", "--rate=max", "--hold", "no");
	ck_assert_msg(p.code == 0, "exit %d: %s", p.code, p.err);
	ck_assert_str_eq(p.out, "1M memory allocated\n2M memory allocated\n");
}
END_TEST

START_TEST(prog_guard)
{
	static struct prog p;

	/* no --size and no --limit: unbounded, refused before anything starts */
	PROG(&p, "workload", "alloc");
	ck_assert_int_ne(p.code, 0);
	ck_assert_int_eq(p.code, 1);
	ck_assert_ptr_nonnull(strstr(p.err, "no upper bound"));
	ck_assert_str_eq(p.out, "");
	/* far more than half of any machine's MemAvailable */
	PROG(&p, "workload", "alloc", "--size", "1000P", "--rate", "max");
	ck_assert_int_eq(p.code, 1);
	ck_assert_ptr_nonnull(strstr(p.err, "refused"));
	ck_assert_str_eq(p.out, "");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("workload_opts");
	TCase *tc;

	tu_init();
	tc = tu_case(s, "options", 0);
	tcase_add_test(tc, registry);
	tcase_add_test(tc, option_tables);
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, set_opts);
	tcase_add_test(tc, set_opts_bad);
	tcase_add_test(tc, checks);
	tcase_add_test(tc, needs);
	tcase_add_test(tc, shared_and_helpers);

	tc = tu_case(s, "in_process", 30);
	tcase_add_test(tc, run_alloc);
	tcase_add_test(tc, run_tmpfs_refuses_other_fs);
	tcase_add_test(tc, run_mmap_file);
	tcase_add_test(tc, run_pagecache);

	tc = tu_case(s, "program", 60);
	tcase_add_test(tc, prog_help);
	tcase_add_test(tc, prog_usage_errors);
	tcase_add_test(tc, prog_group_usage_errors);
	tcase_add_test(tc, prog_alloc_runs);
	tcase_add_test(tc, prog_guard);

	return tu_suite_run(s);
}
