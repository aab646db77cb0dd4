/* Unit tests of the cgroup backend (cg.c, cg_names.c) on fake trees: the
 * fixtures in tests/fixtures/v1 and v2 (real file contents) are copied into
 * a temp dir, which cg_root_open takes for a v1 or v2 root by the files it
 * holds. Nothing here touches /sys/fs/cgroup. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cg.h"
#include "testutil.h"

#define U  CG_UNLIMITED
#define NS 1 /* expect -EOPNOTSUPP */

/* A fresh copy of fixture @ver ("v1", "v2") as a fake root, opened. */
static const char *fake_root(const char *ver, struct cg_root *r, struct cg *g)
{
	const char *root = tu_path("%s/root", tu_tmpdir());
	struct mlab_err e = { "" };
	int ret;

	tu_copy_tree(tu_path("%s/%s", FIXTURES, ver), root);
	ret = cg_root_open(r, root, &e);
	ck_assert_msg(ret == 0, "cg_root_open(%s): %d %s", root, ret, e.msg);
	if (g) {
		ret = cg_open(g, r, "", &e);
		ck_assert_msg(ret == 0, "cg_open: %s", e.msg);
	}
	/* r->path lives as long as the root: tu_path() buffers are reused */
	return r->path;
}

/* --- roots ----------------------------------------------------------------- */

START_TEST(root_open)
{
	struct cg_root r;
	struct cg g;
	struct mlab_err e = { "" };
	const char *root, *d;
	char longp[PATH_MAX + 10];

	root = fake_root("v1", &r, &g);
	ck_assert_int_eq(r.ver, CG_V1);
	ck_assert_str_eq(r.path, root);
	ck_assert_str_eq(g.path, root);
	ck_assert_ptr_eq(g.root, &r);

	root = fake_root("v2", &r, &g);
	ck_assert_int_eq(r.ver, CG_V2);
	ck_assert_str_eq(r.path, root);

	/* neither version's files: not a root */
	d = tu_tmpdir();
	ck_assert_int_eq(cg_root_open(&r, d, &e), -ENOENT);
	ck_assert_ptr_nonnull(strstr(e.msg, "not a memory cgroup root"));
	ck_assert_int_eq(cg_root_open(&r, tu_path("%s/nosuch", d), &e), -ENOENT);
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = 0;
	ck_assert_int_eq(cg_root_open(&r, longp, &e), -ENAMETOOLONG);
	/* v1 is told by memory.limit_in_bytes, v2 by cgroup.controllers */
	tu_write(tu_path("%s/memory.limit_in_bytes", d), "9223372036854771712\n");
	ck_assert_int_eq(cg_root_open(&r, d, &e), 0);
	ck_assert_int_eq(r.ver, CG_V1);
	tu_write(tu_path("%s/cgroup.controllers", d), "memory\n");
	ck_assert_int_eq(cg_root_open(&r, d, &e), 0);
	ck_assert_int_eq(r.ver, CG_V2);
}
END_TEST

START_TEST(open_groups)
{
	struct cg_root r;
	struct cg g;
	struct mlab_err e = { "" };
	const char *root = fake_root("v2", &r, NULL);

	tu_mkdir(tu_path("%s/a", root));
	tu_mkdir(tu_path("%s/a/b", root));
	ck_assert_int_eq(cg_open(&g, &r, "a/b", &e), 0);
	ck_assert_str_eq(g.path, tu_path("%s/a/b", root));
	ck_assert_int_eq(cg_open(&g, &r, "nosuch", &e), -ENOENT);
	ck_assert_ptr_nonnull(strstr(e.msg, "no such group"));
	/* a file is not a group */
	ck_assert_int_eq(cg_open(&g, &r, "memory.max", &e), -ENOENT);
	ck_assert_int_eq(cg_open(&g, &r, "", &e), 0);
	ck_assert_int_eq(cg_has_file(&g, "memory.max"), 1);
	ck_assert_int_eq(cg_has_file(&g, "memory.limit_in_bytes"), 0);
}
END_TEST

/* --- portable names ------------------------------------------------------- */

/* Every name of cg_names with its value in each fixture (NS: -EOPNOTSUPP).
 * A name added to the table without a row here fails get_all_names. */
static const struct {
	const char *name;
	int v1_ns;
	uint64_t v1;
	int v2_ns;
	uint64_t v2;
} expect[] = {
	{ "limit", 0, U, 0, U },
	{ "usage", 0, 12320768, 0, 12296192 },
	{ "peak", 0, 52428800, 0, 15298560 },
	{ "swap", 0, 1048576, 0, 2097152 },
	{ "swap_limit", 0, U, 0, U },
	{ "memsw_limit", 0, U, NS, 0 },
	{ "memsw_usage", 0, 13369344, NS, 0 },
	{ "anon", 0, 2105344, 0, 1183744 },
	{ "file", 0, 9445376, 0, 9416704 },
	{ "shmem", 0, 9166848, 0, 4096 },
	{ "mapped_file", 0, 6979584, 0, 5083136 },
	{ "dirty", 0, 16384, 0, 8192 },
	{ "writeback", 0, 0, 0, 0 },
	{ "active_anon", 0, 1531904, 0, 12288 },
	{ "inactive_anon", 0, 0, 0, 1175552 },
	{ "active_file", 0, 135168, 0, 4788224 },
	{ "inactive_file", 0, 143360, 0, 4624384 },
	{ "unevictable", 0, 9740288, 0, 0 },
	{ "kmem", 0, 770048, 0, 1695744 },
	{ "slab", NS, 0, 0, 1466304 },
	{ "pgmajfault", 0, 3, 0, 12 },
	{ "pgfault", 0, 13486, 0, 4587 },
	{ "failcnt", 0, 7, 0, 3 },
	{ "oom", NS, 0, 0, 1 },
	{ "oom_kill", 0, 1, 0, 1 },
	{ "high_events", NS, 0, 0, 0 },
	{ "under_oom", 0, 0, NS, 0 },
	{ "oom_kill_disable", 0, 0, NS, 0 },
	{ "oom_group", NS, 0, 0, 0 },
	{ "swappiness", 0, 60, NS, 0 },
	{ "soft_limit", 0, U, NS, 0 },
	{ "low", NS, 0, 0, 0 },
	{ "min", NS, 0, 0, 0 },
	{ "high", NS, 0, 0, U },
	{ "use_hierarchy", 0, 1, NS, 0 },
	{ "move_charge", 0, 0, NS, 0 },
};
#define NEXPECT (sizeof(expect) / sizeof(expect[0]))

START_TEST(names_table)
{
	/* every name has a row above, names are unique, and each has a file on
	 * at least one version */
	for (size_t i = 0; i < cg_names_count; i++) {
		const struct cg_name *n = &cg_names[i];
		size_t j;

		for (j = 0; j < NEXPECT; j++)
			if (!strcmp(expect[j].name, n->name))
				break;
		ck_assert_msg(j < NEXPECT, "cg_names has '%s' but test_cg has no expected value",
			      n->name);
		ck_assert_ptr_eq(cg_name_find(n->name), n);
		ck_assert_msg(n->v1 || n->v2, "'%s' exists on neither version", n->name);
		ck_assert_ptr_eq(cg_name_file(n, CG_V1), n->v1);
		ck_assert_ptr_eq(cg_name_file(n, CG_V2), n->v2);
		ck_assert_ptr_null(cg_name_file(n, CG_NONE));
	}
	ck_assert_uint_eq(cg_names_count, NEXPECT);
	ck_assert_ptr_null(cg_name_find("nosuch"));
	ck_assert_ptr_null(cg_name_find("memory.max"));
	ck_assert_str_eq(cg_name_file(cg_name_find("anon"), CG_V1), "memory.stat:total_rss");
	ck_assert_str_eq(cg_name_file(cg_name_find("anon"), CG_V2), "memory.stat:anon");
}
END_TEST

static void get_all(const char *ver)
{
	int v2 = !strcmp(ver, "v2");
	struct cg_root r;
	struct cg g;

	fake_root(ver, &r, &g);
	for (size_t i = 0; i < NEXPECT; i++) {
		struct mlab_err e = { "" };
		uint64_t val = 0xdeadbeef;
		int want_ns = v2 ? expect[i].v2_ns : expect[i].v1_ns;
		uint64_t want = v2 ? expect[i].v2 : expect[i].v1;
		int ret = cg_get(&g, expect[i].name, &val, &e);

		if (want_ns) {
			ck_assert_msg(ret == -EOPNOTSUPP,
				      "%s: cg_get(%s) = %d (%llu), want -EOPNOTSUPP", ver,
				      expect[i].name, ret, (unsigned long long)val);
			ck_assert_msg(strstr(e.msg, "not supported here"), "%s: %s: message '%s'",
				      ver, expect[i].name, e.msg);
			ck_assert_msg(strstr(e.msg, expect[i].name),
				      "%s: message '%s' lacks the name", ver, e.msg);
		} else {
			ck_assert_msg(ret == 0, "%s: cg_get(%s) = %d: %s", ver, expect[i].name, ret,
				      e.msg);
			ck_assert_msg(val == want, "%s: cg_get(%s) = %llu, want %llu", ver,
				      expect[i].name, (unsigned long long)val,
				      (unsigned long long)want);
		}
	}
}

START_TEST(get_all_v1)
{
	get_all("v1");
}
END_TEST

START_TEST(get_all_v2)
{
	get_all("v2");
}
END_TEST

START_TEST(get_unsupported_messages)
{
	struct cg_root r1, r2;
	struct cg g1, g2;
	struct mlab_err e = { "" };
	uint64_t v;

	fake_root("v1", &r1, &g1);
	fake_root("v2", &r2, &g2);
	ck_assert_int_eq(cg_get(&g2, "under_oom", &v, &e), -EOPNOTSUPP);
	ck_assert_str_eq(e.msg, "under_oom: not supported here (cgroup v2 has no such file)");
	ck_assert_int_eq(cg_get(&g1, "high", &v, &e), -EOPNOTSUPP);
	ck_assert_str_eq(e.msg, "high: not supported here (cgroup v1 has no such file)");
	ck_assert_int_eq(cg_get(&g2, "swappiness", &v, &e), -EOPNOTSUPP);
	ck_assert_ptr_nonnull(strstr(e.msg, "not supported here"));
}
END_TEST

START_TEST(get_missing_file)
{
	struct cg_root r;
	struct cg g;
	struct mlab_err e = { "" };
	const char *root;
	uint64_t v = 5;

	/* an older kernel without memory.peak: unsupported, not a crash */
	root = fake_root("v2", &r, &g);
	unlink(tu_path("%s/memory.peak", root));
	ck_assert_int_eq(cg_get(&g, "peak", &v, &e), -EOPNOTSUPP);
	ck_assert_ptr_nonnull(strstr(e.msg, "memory.peak: not supported here"));
	/* the same for a keyed file that is gone */
	unlink(tu_path("%s/memory.events", root));
	ck_assert_int_eq(cg_get(&g, "oom_kill", &v, &e), -EOPNOTSUPP);
	ck_assert_ptr_nonnull(strstr(e.msg, "not supported here"));
	/* a memory.stat without "slab" (before 5.9) */
	tu_write(tu_path("%s/memory.stat", root), "anon 1183744\nfile 9416704\n");
	ck_assert_int_eq(cg_get(&g, "slab", &v, &e), -EOPNOTSUPP);
	ck_assert_str_eq(e.msg, "memory.stat:slab: not supported here (memory.stat has no 'slab')");
	ck_assert_int_eq(cg_get(&g, "anon", &v, &e), 0);
	ck_assert_uint_eq(v, 1183744);

	/* v1 without swap accounting: no memsw files, no swap key */
	root = fake_root("v1", &r, &g);
	unlink(tu_path("%s/memory.memsw.limit_in_bytes", root));
	ck_assert_int_eq(cg_get(&g, "swap_limit", &v, &e), -EOPNOTSUPP);
	ck_assert_ptr_nonnull(strstr(e.msg, "not supported here"));
	ck_assert_int_eq(cg_get(&g, "memsw_limit", &v, &e), -EOPNOTSUPP);
	tu_write(tu_path("%s/memory.stat", root), "total_cache 9445376\ntotal_rss 2105344\n");
	ck_assert_int_eq(cg_get(&g, "swap", &v, &e), -EOPNOTSUPP);
	ck_assert_ptr_nonnull(strstr(e.msg, "has no 'total_swap'"));
	/* a value that is no number is an error, not a zero */
	tu_write(tu_path("%s/memory.failcnt", root), "lots\n");
	ck_assert_int_eq(cg_get(&g, "failcnt", &v, &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "not a single number"));
	tu_write(tu_path("%s/memory.stat", root), "total_rss many\n");
	ck_assert_int_eq(cg_get(&g, "anon", &v, &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "not a number"));
}
END_TEST

START_TEST(get_raw_names)
{
	struct cg_root r;
	struct cg g;
	struct mlab_err e = { "" };
	char buf[64];
	uint64_t v = 0;

	fake_root("v2", &r, &g);
	ck_assert_int_eq(cg_get(&g, "memory.high", &v, &e), 0);
	ck_assert_uint_eq(v, U);
	ck_assert_int_eq(cg_get(&g, "memory.current", &v, &e), 0);
	ck_assert_uint_eq(v, 12296192);
	ck_assert_int_eq(cg_get(&g, "memory.stat:pgfault", &v, &e), 0);
	ck_assert_uint_eq(v, 4587);
	ck_assert_int_eq(cg_get(&g, "memory.stat:workingset_refault_file", &v, &e), 0);
	ck_assert_uint_eq(v, 37);
	ck_assert_int_eq(cg_get(&g, "memory.events:max", &v, &e), 0);
	ck_assert_uint_eq(v, 3);
	ck_assert_int_eq(cg_get(&g, "cgroup.events:populated", &v, &e), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(cg_get(&g, "memory.stat:nosuch", &v, &e), -EOPNOTSUPP);
	ck_assert_int_eq(cg_get(&g, "memory.nosuch", &v, &e), -EOPNOTSUPP);
	ck_assert_ptr_nonnull(strstr(e.msg, "not supported here"));
	/* a keyed file is not one number */
	ck_assert_int_eq(cg_get(&g, "memory.stat", &v, &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "not a single number"));
	/* only names inside the group directory */
	ck_assert_int_eq(cg_get(&g, "../root/memory.max", &v, &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "not a control file name"));
	ck_assert_int_eq(cg_get(&g, "..", &v, &e), -EINVAL);
	ck_assert_int_eq(cg_get(&g, "", &v, &e), -EINVAL);
	ck_assert_int_eq(cg_read_raw(&g, "a/b", buf, sizeof(buf), &e), -EINVAL);
	ck_assert_int_eq(cg_write_raw(&g, "../x", "1", &e), -EINVAL);

	ck_assert_int_eq(cg_read_raw(&g, "cgroup.controllers", buf, sizeof(buf), &e), 0);
	ck_assert_str_eq(buf, "cpuset cpu io memory pids\n");
	ck_assert_int_eq(cg_read_key(&g, "memory.events", "oom_group_kill", &v, &e), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(cg_read_key(&g, "memory.events", "max", &v, &e), 0);
	ck_assert_uint_eq(v, 3);

	/* raw names give the raw number: v1's unlimited is not translated */
	fake_root("v1", &r, &g);
	ck_assert_int_eq(cg_get(&g, "memory.limit_in_bytes", &v, &e), 0);
	ck_assert_uint_eq(v, CG_V1_UNLIMITED);
	ck_assert_int_eq(cg_get(&g, "memory.stat:total_pgmajfault", &v, &e), 0);
	ck_assert_uint_eq(v, 3);
	ck_assert_int_eq(cg_get(&g, "memory.stat:hierarchical_memory_limit", &v, &e), 0);
	ck_assert_uint_eq(v, CG_V1_UNLIMITED);
	ck_assert_int_eq(cg_get(&g, "memory.oom_control:under_oom", &v, &e), 0);
	ck_assert_uint_eq(v, 0);
}
END_TEST

START_TEST(parse_key)
{
	const char *buf = "rss 2105344\nrss_huge 0\ntotal_rss 5218304\nhigh max\nlast 42";
	uint64_t v = 0;

	ck_assert_int_eq(cg_parse_key(buf, "rss", &v), 0);
	ck_assert_uint_eq(v, 2105344);
	/* a key is a whole first word: "rss" is neither "rss_huge" nor "total_rss" */
	ck_assert_int_eq(cg_parse_key(buf, "rss_huge", &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(cg_parse_key(buf, "total_rss", &v), 0);
	ck_assert_uint_eq(v, 5218304);
	ck_assert_int_eq(cg_parse_key(buf, "high", &v), 0);
	ck_assert_uint_eq(v, U);
	/* the last line may lack its newline */
	ck_assert_int_eq(cg_parse_key(buf, "last", &v), 0);
	ck_assert_uint_eq(v, 42);
	v = 9;
	ck_assert_int_eq(cg_parse_key(buf, "rs", &v), -ENOENT);
	ck_assert_int_eq(cg_parse_key(buf, "huge", &v), -ENOENT);
	ck_assert_int_eq(cg_parse_key(buf, "2105344", &v), -ENOENT);
	ck_assert_int_eq(cg_parse_key("", "rss", &v), -ENOENT);
	ck_assert_uint_eq(v, 9);
	ck_assert_int_eq(cg_parse_key("rss \n", "rss", &v), -EINVAL);
	ck_assert_int_eq(cg_parse_key("rss x\n", "rss", &v), -EINVAL);
	ck_assert_int_eq(cg_parse_key("rss 99999999999999999999\n", "rss", &v), -EINVAL);
	/* real fixture contents */
	ck_assert_int_eq(cg_parse_key(tu_read(FIXTURES "/v1/memory.oom_control"), "oom_kill", &v),
			 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(cg_parse_key(tu_read(FIXTURES "/v2/memory.stat"), "file", &v), 0);
	ck_assert_uint_eq(v, 9416704);
	ck_assert_int_eq(cg_parse_key(tu_read(FIXTURES "/v2/memory.stat"), "slab", &v), 0);
	ck_assert_uint_eq(v, 1466304);
	ck_assert_int_eq(cg_parse_key(tu_read(FIXTURES "/v2/cgroup.events"), "frozen", &v), 0);
	ck_assert_uint_eq(v, 0);
}
END_TEST

/* --- writes ---------------------------------------------------------------- */

/* The fake files are plain files and write_file does not truncate, so each
 * write test empties its target first and then sees exactly what was
 * written. */
static const char *emptied(const char *root, const char *file)
{
	const char *p = tu_path("%s/%s", root, file);
	tu_write(p, "");
	return p;
}

START_TEST(set_v2)
{
	struct cg_root r;
	struct cg g;
	struct mlab_err e = { "" };
	const char *root = fake_root("v2", &r, &g), *p;
	uint64_t v;

	p = emptied(root, "memory.max");
	ck_assert_int_eq(cg_set(&g, "limit", "5M", &e), 0);
	ck_assert_str_eq(tu_read(p), "5242880");
	ck_assert_int_eq(cg_get(&g, "limit", &v, &e), 0);
	ck_assert_uint_eq(v, 5242880);
	for (int i = 0; i < 3; i++) {
		static const char *const unl[] = { "max", "-1", "unlimited" };
		p = emptied(root, "memory.max");
		ck_assert_int_eq(cg_set(&g, "limit", unl[i], &e), 0);
		ck_assert_str_eq(tu_read(p), "max");
	}
	p = emptied(root, "memory.high");
	ck_assert_int_eq(cg_set(&g, "high", "1.5M", &e), 0);
	ck_assert_str_eq(tu_read(p), "1572864");
	p = emptied(root, "memory.swap.max");
	ck_assert_int_eq(cg_set(&g, "swap_limit", "0", &e), 0);
	ck_assert_str_eq(tu_read(p), "0");
	p = emptied(root, "memory.oom.group");
	ck_assert_int_eq(cg_set(&g, "oom_group", "1", &e), 0);
	ck_assert_str_eq(tu_read(p), "1");
	/* raw names are written as given */
	p = emptied(root, "memory.high");
	ck_assert_int_eq(cg_set(&g, "memory.high", "8M", &e), 0);
	ck_assert_str_eq(tu_read(p), "8M");

	/* refusals leave the file alone */
	p = emptied(root, "memory.max");
	ck_assert_int_eq(cg_set(&g, "limit", "12X", &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "limit: size '12X'"));
	ck_assert_int_eq(cg_set(&g, "limit", "", &e), -EINVAL);
	ck_assert_int_eq(cg_set(&g, "limit", "0.5", &e), -EINVAL);
	ck_assert_str_eq(tu_read(p), "");
	ck_assert_int_eq(cg_set(&g, "oom_group", "yes", &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "oom_group: "));
	ck_assert_int_eq(cg_set(&g, "anon", "5M", &e), -EINVAL);
	ck_assert_str_eq(e.msg, "anon is read-only");
	ck_assert_int_eq(cg_set(&g, "failcnt", "0", &e), -EINVAL); /* memory.events:max */
	ck_assert_ptr_nonnull(strstr(e.msg, "read-only"));
	ck_assert_int_eq(cg_set(&g, "swappiness", "0", &e), -EOPNOTSUPP);
	ck_assert_ptr_nonnull(strstr(e.msg, "not supported here"));
	ck_assert_int_eq(cg_set(&g, "oom_kill_disable", "1", &e), -EOPNOTSUPP);
	ck_assert_int_eq(cg_set(&g, "memory.nosuch", "1", &e), -EOPNOTSUPP);
	ck_assert(!tu_exists(tu_path("%s/memory.nosuch", root)));
	ck_assert_str_eq(tu_read(tu_path("%s/memory.stat", root)),
			 tu_read(FIXTURES "/v2/memory.stat"));
}
END_TEST

START_TEST(set_v1)
{
	struct cg_root r;
	struct cg g;
	struct mlab_err e = { "" };
	const char *root = fake_root("v1", &r, &g), *p;
	char memsw[PATH_MAX];
	uint64_t v;

	p = emptied(root, "memory.limit_in_bytes");
	ck_assert_int_eq(cg_set(&g, "limit", "5M", &e), 0);
	ck_assert_str_eq(tu_read(p), "5242880");
	ck_assert_int_eq(cg_get(&g, "limit", &v, &e), 0);
	ck_assert_uint_eq(v, 5242880);

	/* swap_limit S on v1 is memsw = limit + S */
	snprintf(memsw, sizeof(memsw), "%s", emptied(root, "memory.memsw.limit_in_bytes"));
	ck_assert_int_eq(cg_set(&g, "swap_limit", "0", &e), 0);
	ck_assert_str_eq(tu_read(memsw), "5242880");
	ck_assert_int_eq(cg_get(&g, "swap_limit", &v, &e), 0);
	ck_assert_uint_eq(v, 0);
	emptied(root, "memory.memsw.limit_in_bytes");
	ck_assert_int_eq(cg_set(&g, "swap_limit", "2M", &e), 0);
	ck_assert_str_eq(tu_read(memsw), "7340032");
	ck_assert_int_eq(cg_get(&g, "swap_limit", &v, &e), 0);
	ck_assert_uint_eq(v, 2 * 1024 * 1024);
	ck_assert_int_eq(cg_get(&g, "memsw_limit", &v, &e), 0);
	ck_assert_uint_eq(v, 7340032);
	emptied(root, "memory.memsw.limit_in_bytes");
	ck_assert_int_eq(cg_set(&g, "swap_limit", "max", &e), 0);
	ck_assert_str_eq(tu_read(memsw), "-1");

	/* unlimited is written as -1 on v1 */
	for (int i = 0; i < 3; i++) {
		static const char *const unl[] = { "max", "-1", "unlimited" };
		p = emptied(root, "memory.limit_in_bytes");
		ck_assert_int_eq(cg_set(&g, "limit", unl[i], &e), 0);
		ck_assert_str_eq(tu_read(p), "-1");
	}
	/* swap_limit needs a finite limit to add to */
	tu_write(p, "9223372036854771712\n");
	emptied(root, "memory.memsw.limit_in_bytes");
	ck_assert_int_eq(cg_set(&g, "swap_limit", "0", &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "needs a finite limit"));
	ck_assert_str_eq(tu_read(memsw), "");

	p = emptied(root, "memory.oom_control");
	ck_assert_int_eq(cg_set(&g, "oom_kill_disable", "1", &e), 0);
	ck_assert_str_eq(tu_read(p), "1");
	p = emptied(root, "memory.swappiness");
	ck_assert_int_eq(cg_set(&g, "swappiness", "0", &e), 0);
	ck_assert_str_eq(tu_read(p), "0");
	p = emptied(root, "memory.soft_limit_in_bytes");
	ck_assert_int_eq(cg_set(&g, "soft_limit", "400K", &e), 0);
	ck_assert_str_eq(tu_read(p), "409600");

	ck_assert_int_eq(cg_set(&g, "limit", "12X", &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "limit: "));
	ck_assert_int_eq(cg_set(&g, "swappiness", "-1", &e), -EINVAL);
	ck_assert_int_eq(cg_set(&g, "swappiness", "2147483648", &e), -ERANGE);
	ck_assert_int_eq(cg_set(&g, "anon", "1M", &e), -EINVAL);
	ck_assert_str_eq(e.msg, "anon is read-only");
	ck_assert_int_eq(cg_set(&g, "under_oom", "1", &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "read-only"));
	ck_assert_int_eq(cg_set(&g, "high", "8M", &e), -EOPNOTSUPP);
	ck_assert_int_eq(cg_set(&g, "oom_group", "1", &e), -EOPNOTSUPP);
	ck_assert(!tu_exists(tu_path("%s/memory.high", root)));
}
END_TEST

/* --- groups ---------------------------------------------------------------- */

START_TEST(create_v2)
{
	struct cg_root r;
	struct cg g, c;
	struct mlab_err e = { "" };
	const char *root = fake_root("v2", &r, NULL);
	struct stat st;

	ck_assert_int_eq(cg_create(&g, &r, "a", &e), 0);
	ck_assert_str_eq(g.path, tu_path("%s/a", root));
	ck_assert_ptr_eq(g.root, &r);
	ck_assert_int_eq(stat(g.path, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	/* the parent delegates memory to its children */
	ck_assert_str_eq(tu_read(tu_path("%s/cgroup.subtree_control", root)), "+memory");
	ck_assert_int_eq(cg_create(&g, &r, "a", &e), -EEXIST);
	ck_assert_ptr_nonnull(strstr(e.msg, "create group"));

	/* a parent that already delegates memory is left alone */
	tu_write(tu_path("%s/cgroup.subtree_control", root), "cpu memory\n");
	ck_assert_int_eq(cg_create(&g, &r, "b", &e), 0);
	ck_assert_str_eq(tu_read(tu_path("%s/cgroup.subtree_control", root)), "cpu memory\n");

	/* nested: the child needs its own subtree_control (a real kernel
	 * makes it; the fake dir is populated by hand) */
	ck_assert_int_eq(cg_create(&c, &r, "a/x", &e), -ENOENT);
	ck_assert_ptr_nonnull(strstr(e.msg, "not delegated"));
	ck_assert(!tu_exists(tu_path("%s/a/x", root)));
	tu_write(tu_path("%s/a/cgroup.subtree_control", root), "\n");
	ck_assert_int_eq(cg_create(&c, &r, "a/x", &e), 0);
	ck_assert_str_eq(c.path, tu_path("%s/a/x", root));
	ck_assert_str_eq(tu_read(tu_path("%s/a/cgroup.subtree_control", root)), "+memory");
	ck_assert(tu_exists(c.path));
	/* a missing parent */
	ck_assert_int_eq(cg_create(&c, &r, "q/y", &e), -ENOENT);
}
END_TEST

START_TEST(create_v1)
{
	struct cg_root r;
	struct cg g;
	struct mlab_err e = { "" };
	const char *root = fake_root("v1", &r, NULL);

	ck_assert_int_eq(cg_create(&g, &r, "a", &e), 0);
	ck_assert(tu_exists(tu_path("%s/a", root)));
	ck_assert_int_eq(cg_create(&g, &r, "a/b", &e), 0);
	ck_assert_str_eq(g.path, tu_path("%s/a/b", root));
	ck_assert(tu_exists(g.path));
	/* v1 has no delegation: no subtree_control is written or made */
	ck_assert(!tu_exists(tu_path("%s/cgroup.subtree_control", root)));
	ck_assert(!tu_exists(tu_path("%s/a/cgroup.subtree_control", root)));
	ck_assert_int_eq(cg_create(&g, &r, "nosuch/b", &e), -ENOENT);
}
END_TEST

START_TEST(destroy)
{
	struct cg_root r;
	struct cg g;
	struct mlab_err e = { "" };
	const char *root = fake_root("v1", &r, NULL);

	/* empty directories, as cgroupfs groups behave for rmdir */
	tu_mkdir(tu_path("%s/run", root));
	tu_mkdir(tu_path("%s/run/a", root));
	tu_mkdir(tu_path("%s/run/a/b", root));
	tu_mkdir(tu_path("%s/run/a/b/c", root));
	tu_mkdir(tu_path("%s/run/d", root));
	tu_mkdir(tu_path("%s/keep", root));
	ck_assert_int_eq(cg_open(&g, &r, "run", &e), 0);
	ck_assert_int_eq(cg_destroy(&g, &e), 0);
	ck_assert(!tu_exists(tu_path("%s/run", root)));
	ck_assert(tu_exists(tu_path("%s/keep", root)));
	ck_assert(tu_exists(tu_path("%s/memory.stat", root)));
	/* gone already: nothing to do */
	ck_assert_int_eq(cg_destroy(&g, &e), 0);

	/* something that is no group inside: refused, the error says where */
	tu_mkdir(tu_path("%s/run", root));
	tu_mkdir(tu_path("%s/run/a", root));
	tu_write(tu_path("%s/run/a/stray", root), "x");
	ck_assert_int_eq(cg_destroy(&g, &e), -ENOTEMPTY);
	ck_assert_ptr_nonnull(strstr(e.msg, tu_path("remove group %s/run/a", root)));
	ck_assert(tu_exists(tu_path("%s/run/a/stray", root)));
}
END_TEST

START_TEST(nr_procs)
{
	struct cg_root r;
	struct cg g;
	struct mlab_err e = { "" };
	const char *root = fake_root("v2", &r, &g);

	ck_assert_int_eq(cg_nr_procs(&g, &e), 3);
	tu_write(tu_path("%s/cgroup.procs", root), "");
	ck_assert_int_eq(cg_nr_procs(&g, &e), 0);
	tu_write(tu_path("%s/cgroup.procs", root), "4194401\n");
	ck_assert_int_eq(cg_nr_procs(&g, &e), 1);
	unlink(tu_path("%s/cgroup.procs", root));
	ck_assert_int_eq(cg_nr_procs(&g, &e), -ENOENT);
	ck_assert_ptr_nonnull(strstr(e.msg, "cgroup.procs"));

	root = fake_root("v1", &r, &g);
	ck_assert_int_eq(cg_nr_procs(&g, &e), 3);
}
END_TEST

START_TEST(attach)
{
	struct cg_root r;
	struct cg g;
	struct mlab_err e = { "" };
	const char *root = fake_root("v2", &r, &g);
	const char *p = emptied(root, "cgroup.procs");

	ck_assert_int_eq(cg_attach(&g, 4194404, &e), 0);
	ck_assert_str_eq(tu_read(p), "4194404");
	unlink(p);
	ck_assert_int_eq(cg_attach(&g, 4194404, &e), -ENOENT);
	ck_assert_ptr_nonnull(strstr(e.msg, "attach pid 4194404"));
}
END_TEST

START_TEST(wait_empty)
{
	struct cg_root r;
	struct cg g;
	struct mlab_err e = { "" };
	const char *root = fake_root("v2", &r, &g);
	uint64_t t0;

	/* v2 asks cgroup.events */
	t0 = now_ns();
	ck_assert_int_eq(cg_wait_empty(&g, 5ULL * 1000000000, &e), 0);
	ck_assert_uint_lt(now_ns() - t0, 1000000000ULL);
	tu_write(tu_path("%s/cgroup.events", root), "populated 1\nfrozen 0\n");
	t0 = now_ns();
	ck_assert_int_eq(cg_wait_empty(&g, 50 * 1000000, &e), -ETIMEDOUT);
	ck_assert_uint_ge(now_ns() - t0, 50 * 1000000);
	ck_assert_ptr_nonnull(strstr(e.msg, "still has tasks"));

	/* v1 has no cgroup.events: the listed tasks count */
	root = fake_root("v1", &r, &g);
	ck_assert_int_eq(cg_wait_empty(&g, 30 * 1000000, &e), -ETIMEDOUT);
	tu_write(tu_path("%s/cgroup.procs", root), "");
	ck_assert_int_eq(cg_wait_empty(&g, 30 * 1000000, &e), 0);
	/* a child group's tasks count too */
	tu_mkdir(tu_path("%s/a", root));
	tu_write(tu_path("%s/a/cgroup.procs", root), "4194405\n");
	ck_assert_int_eq(cg_wait_empty(&g, 30 * 1000000, &e), -ETIMEDOUT);
}
END_TEST

START_TEST(kill_all_v2_cgroup_kill)
{
	struct cg_root r;
	struct cg g;
	struct mlab_err e = { "" };
	const char *root = fake_root("v2", &r, &g);

	/* with cgroup.kill (5.14+) one write does it */
	tu_write(tu_path("%s/cgroup.kill", root), "");
	ck_assert_int_eq(cg_kill_all(&g, &e), 0);
	ck_assert_str_eq(tu_read(tu_path("%s/cgroup.kill", root)), "1");
}
END_TEST

START_TEST(kill_all_v1_lists)
{
	struct cg_root r;
	struct cg g;
	struct mlab_err e = { "" };
	const char *root = fake_root("v1", &r, NULL);
	int status;
	pid_t child;

	/* only our own child is ever listed: the fixture's pids cannot exist,
	 * and this one is killed, not reaped, until the call returns (a zombie
	 * keeps its pid from reuse) */
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		alarm(20); /* never outlive a test that failed to kill it */
		for (;;)
			pause();
	}
	tu_mkdir(tu_path("%s/grp", root));
	tu_mkdir(tu_path("%s/grp/sub", root));
	tu_write(tu_path("%s/grp/cgroup.procs", root), "");
	tu_write(tu_path("%s/grp/sub/cgroup.procs", root), tu_path("%d\n", (int)child));
	ck_assert_int_eq(cg_open(&g, &r, "grp", &e), 0);
	/* the fake list never empties: after its passes it gives up with EBUSY */
	ck_assert_int_eq(cg_kill_all(&g, &e), -EBUSY);
	ck_assert_ptr_nonnull(strstr(e.msg, "keep appearing"));
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFSIGNALED(status));
	ck_assert_int_eq(WTERMSIG(status), SIGKILL);
}
END_TEST

/* --- detection ------------------------------------------------------------- */

/* Write a mount table into @dir; "@T" in @table stands for @dir. */
static const char *mounts(const char *dir, const char *table)
{
	static char out[8192];
	const char *p = tu_path("%s/mounts", dir);
	size_t n = 0;

	for (const char *s = table; *s && n < sizeof(out) - PATH_MAX; s++) {
		if (s[0] == '@' && s[1] == 'T') {
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%s", dir);
			s++;
		} else {
			out[n++] = *s;
		}
	}
	out[n] = 0;
	tu_write(p, out);
	return p;
}

static const char hybrid_table[] =
    "overlay / overlay rw,relatime,lowerdir=/l,upperdir=/u,workdir=/w 0 0\n"
    "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
    "tmpfs @T tmpfs rw,relatime,mode=755 0 0\n"
    "cgroup @T/cpu cgroup rw,relatime,cpu 0 0\n"
    "cgroup @T/cpuacct cgroup rw,relatime,cpuacct 0 0\n"
    "cgroup @T/cpuset cgroup rw,relatime,cpuset 0 0\n"
    "cgroup @T/memory cgroup rw,relatime,memory 0 0\n"
    "cgroup @T/devices cgroup rw,relatime,devices 0 0\n"
    "cgroup @T/pids cgroup rw,relatime,pids 0 0\n"
    "cgroup @T/systemd cgroup rw,relatime,name=systemd 0 0\n"
    "cgroup2 @T/unified cgroup2 rw,relatime 0 0\n";

START_TEST(detect_v1)
{
	const char *d = tu_tmpdir();
	struct cg_detect det;
	struct mlab_err e = { "" };
	const char *m = mounts(
	    d, "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n"
	       "tmpfs @T tmpfs ro,nosuid,nodev,noexec,mode=755 0 0\n"
	       "cgroup @T/systemd cgroup rw,nosuid,nodev,noexec,relatime,xattr,"
	       "release_agent=/usr/lib/systemd/systemd-cgroups-agent,name=systemd 0 0\n"
	       "cgroup @T/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpu,cpuacct 0 0\n"
	       "cgroup @T/memory cgroup rw,nosuid,nodev,noexec,relatime,memory 0 0\n"
	       "cgroup @T/pids cgroup rw,nosuid,nodev,noexec,relatime,pids 0 0\n");

	ck_assert_int_eq(cg_detect(m, &det, &e), 0);
	ck_assert_int_eq(det.layout, CG_LAYOUT_V1);
	ck_assert_str_eq(cg_layout_name(det.layout), "v1");
	ck_assert_int_eq(det.memory, CG_V1);
	ck_assert_str_eq(det.v1_memory, tu_path("%s/memory", d));
	ck_assert_str_eq(det.v2_mount, "");
	ck_assert_int_eq(det.v2_has_memory, 0);

	/* "memory" must be an option of its own: not name=memory, not a path */
	m = mounts(d, "cgroup @T/x cgroup rw,name=memory 0 0\n"
		      "cgroup @T/memory cgroup rw,release_agent=/memory,cpu 0 0\n");
	ck_assert_int_eq(cg_detect(m, &det, &e), -ENOENT);
	ck_assert_int_eq(det.layout, CG_LAYOUT_V1);
	ck_assert_int_eq(det.memory, CG_NONE);
	ck_assert_str_eq(det.v1_memory, "");
	/* memory co-mounted with others, and the first memory mount wins */
	m = mounts(d, "cgroup @T/a cgroup rw,cpu,memory,pids 0 0\n"
		      "cgroup @T/b cgroup rw,memory 0 0\n");
	ck_assert_int_eq(cg_detect(m, &det, &e), 0);
	ck_assert_str_eq(det.v1_memory, tu_path("%s/a", d));
}
END_TEST

START_TEST(detect_v2)
{
	const char *d = tu_tmpdir();
	struct cg_detect det;
	struct mlab_err e = { "" };
	const char *m;

	tu_write(tu_path("%s/cgroup.controllers", d),
		 "cpuset cpu io memory hugetlb pids rdma misc\n");
	m = mounts(
	    d, "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
	       "cgroup2 @T cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate,"
	       "memory_recursiveprot 0 0\n"
	       "tmpfs /run tmpfs rw,nosuid,nodev,size=1620024k,nr_inodes=819200,mode=755 0 0\n");
	ck_assert_int_eq(cg_detect(m, &det, &e), 0);
	ck_assert_int_eq(det.layout, CG_LAYOUT_V2);
	ck_assert_str_eq(cg_layout_name(det.layout), "v2");
	ck_assert_int_eq(det.memory, CG_V2);
	ck_assert_str_eq(det.v2_mount, d);
	ck_assert_int_eq(det.v2_has_memory, 1);
	ck_assert_str_eq(det.v1_memory, "");
	/* its mount options, whole words only */
	ck_assert_int_eq(cg_v2_mount_option(&det, "memory_recursiveprot"), 1);
	ck_assert_int_eq(cg_v2_mount_option(&det, "nsdelegate"), 1);
	ck_assert_int_eq(cg_v2_mount_option(&det, "memory_localevents"), 0);
	ck_assert_int_eq(cg_v2_mount_option(&det, "memory"), 0);

	/* memory only as part of another word does not count */
	tu_write(tu_path("%s/cgroup.controllers", d), "cpuset cpu io memoryx pids\n");
	ck_assert_int_eq(cg_detect(m, &det, &e), -ENOENT);
	ck_assert_int_eq(det.v2_has_memory, 0);
	/* the last token, no newline */
	tu_write(tu_path("%s/cgroup.controllers", d), "cpu memory");
	ck_assert_int_eq(cg_detect(m, &det, &e), 0);
	ck_assert_int_eq(det.v2_has_memory, 1);
}
END_TEST

START_TEST(detect_hybrid)
{
	const char *d = tu_tmpdir();
	struct cg_detect det;
	struct mlab_err e = { "" };
	const char *m;

	/* like this machine: v1 memory, cgroup2 with only hugetlb */
	tu_mkdir(tu_path("%s/unified", d));
	tu_write(tu_path("%s/unified/cgroup.controllers", d), "hugetlb\n");
	m = mounts(d, hybrid_table);
	ck_assert_int_eq(cg_detect(m, &det, &e), 0);
	ck_assert_int_eq(det.layout, CG_LAYOUT_HYBRID);
	ck_assert_str_eq(cg_layout_name(det.layout), "hybrid");
	ck_assert_int_eq(det.memory, CG_V1);
	ck_assert_str_eq(det.v1_memory, tu_path("%s/memory", d));
	ck_assert_str_eq(det.v2_mount, tu_path("%s/unified", d));
	ck_assert_int_eq(det.v2_has_memory, 0);

	/* v1 wins even when cgroup2 has memory too */
	tu_write(tu_path("%s/unified/cgroup.controllers", d), "memory hugetlb\n");
	ck_assert_int_eq(cg_detect(m, &det, &e), 0);
	ck_assert_int_eq(det.memory, CG_V1);
	ck_assert_int_eq(det.v2_has_memory, 1);

	/* v1 hierarchies without memory, memory on cgroup2 */
	m = mounts(d, "cgroup @T/cpu cgroup rw,relatime,cpu 0 0\n"
		      "cgroup2 @T/unified cgroup2 rw,relatime 0 0\n");
	ck_assert_int_eq(cg_detect(m, &det, &e), 0);
	ck_assert_int_eq(det.layout, CG_LAYOUT_HYBRID);
	ck_assert_int_eq(det.memory, CG_V2);
}
END_TEST

START_TEST(detect_none)
{
	const char *d = tu_tmpdir();
	struct cg_detect det;
	struct mlab_err e = { "" };
	const char *m;

	/* cgroup2 without memory, no v1 */
	tu_write(tu_path("%s/cgroup.controllers", d), "cpuset cpu io pids\n");
	m = mounts(d, "cgroup2 @T cgroup2 rw,nosuid,nodev,noexec,relatime 0 0\n");
	ck_assert_int_eq(cg_detect(m, &det, &e), -ENOENT);
	ck_assert_int_eq(det.layout, CG_LAYOUT_V2);
	ck_assert_int_eq(det.memory, CG_NONE);
	ck_assert_ptr_nonnull(strstr(e.msg, "cgroup2 has no memory controller"));
	/* a cgroup2 mount whose controllers cannot be read */
	m = mounts(d, "cgroup2 @T/gone cgroup2 rw 0 0\n");
	ck_assert_int_eq(cg_detect(m, &det, &e), -ENOENT);
	ck_assert_int_eq(det.v2_has_memory, 0);

	/* no cgroup at all; junk lines are skipped */
	m = mounts(d, "proc /proc proc rw 0 0\njunk\n\n");
	ck_assert_int_eq(cg_detect(m, &det, &e), -ENOENT);
	ck_assert_int_eq(det.layout, CG_LAYOUT_NONE);
	ck_assert_str_eq(cg_layout_name(det.layout), "none");
	ck_assert_ptr_nonnull(strstr(e.msg, "and no cgroup2"));
	m = mounts(d, "");
	ck_assert_int_eq(cg_detect(m, &det, &e), -ENOENT);

	/* no mount table */
	ck_assert_int_eq(cg_detect(tu_path("%s/nosuch", d), &det, &e), -ENOENT);
	ck_assert_ptr_nonnull(strstr(e.msg, "cannot read the mount table"));
}
END_TEST

START_TEST(detect_escapes)
{
	const char *d = tu_tmpdir();
	struct cg_detect det;
	struct mlab_err e = { "" };
	const char *m;

	/* /proc/mounts writes space, tab, newline and backslash as octal */
	tu_mkdir(tu_path("%s/my cgroup", d));
	tu_write(tu_path("%s/my cgroup/cgroup.controllers", d), "memory\n");
	m = mounts(d, "cgroup @T/v1\\011tab\\134back cgroup rw,memory 0 0\n"
		      "cgroup2 @T/my\\040cgroup cgroup2 rw 0 0\n");
	ck_assert_int_eq(cg_detect(m, &det, &e), 0);
	ck_assert_str_eq(det.v2_mount, tu_path("%s/my cgroup", d));
	ck_assert_int_eq(det.v2_has_memory, 1);
	ck_assert_str_eq(det.v1_memory, tu_path("%s/v1\ttab\\back", d));
	/* what is no escape stays as it is */
	m = mounts(d, "cgroup @T/a\\9b\\04 cgroup rw,memory 0 0\n");
	ck_assert_int_eq(cg_detect(m, &det, &e), 0);
	ck_assert_str_eq(det.v1_memory, tu_path("%s/a\\9b\\04", d));
	/* the first cgroup2 mount is the one */
	tu_mkdir(tu_path("%s/second", d));
	tu_write(tu_path("%s/second/cgroup.controllers", d), "memory\n");
	m = mounts(d, "cgroup2 @T/my\\040cgroup cgroup2 rw 0 0\n"
		      "cgroup2 @T/second cgroup2 rw 0 0\n");
	ck_assert_int_eq(cg_detect(m, &det, &e), 0);
	ck_assert_str_eq(det.v2_mount, tu_path("%s/my cgroup", d));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cg");
	TCase *tc;

	tu_init();
	tc = tu_case(s, "tree", 20);
	tcase_add_test(tc, root_open);
	tcase_add_test(tc, open_groups);
	tcase_add_test(tc, names_table);
	tcase_add_test(tc, get_all_v1);
	tcase_add_test(tc, get_all_v2);
	tcase_add_test(tc, get_unsupported_messages);
	tcase_add_test(tc, get_missing_file);
	tcase_add_test(tc, get_raw_names);
	tcase_add_test(tc, parse_key);
	tcase_add_test(tc, set_v2);
	tcase_add_test(tc, set_v1);
	tcase_add_test(tc, create_v2);
	tcase_add_test(tc, create_v1);
	tcase_add_test(tc, destroy);
	tcase_add_test(tc, nr_procs);
	tcase_add_test(tc, attach);
	tcase_add_test(tc, wait_empty);
	tcase_add_test(tc, kill_all_v2_cgroup_kill);
	tcase_add_test(tc, kill_all_v1_lists);

	tc = tu_case(s, "detect", 0);
	tcase_add_test(tc, detect_v1);
	tcase_add_test(tc, detect_v2);
	tcase_add_test(tc, detect_hybrid);
	tcase_add_test(tc, detect_none);
	tcase_add_test(tc, detect_escapes);

	return tu_suite_run(s);
}
