/* Kernel facts (see kfact.h): one row per fact, each with its own reader. */
#define _GNU_SOURCE
#include "kfact.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cg.h"
#include "kmsg.h"

/* /sys/kernel/mm/lru_gen/enabled holds a hex mask ("0x0007"); bit 0 is the
 * multi-gen LRU itself, the others its optional parts. No file: a kernel
 * built without it (off). */
static int read_mglru(uint64_t *v, struct mlab_err *e)
{
	char buf[64], *end;
	unsigned long long mask;
	ssize_t n = read_file("/sys/kernel/mm/lru_gen/enabled", buf, sizeof(buf));

	if (n == -ENOENT) {
		*v = 0;
		return 0;
	}
	if (n < 0)
		return err_set(e, (int)-n, "/sys/kernel/mm/lru_gen/enabled: %s", strerror((int)-n));
	errno = 0;
	mask = strtoull(buf, &end, 16);
	if (errno || end == buf)
		return err_set(e, EINVAL, "/sys/kernel/mm/lru_gen/enabled: cannot read '%.20s'",
			       buf);
	*v = mask & 1;
	return 0;
}

static int read_log_from_boot(uint64_t *v, struct mlab_err *e)
{
	char line[64];
	int from_boot, ret = kmsg_search_boot(NULL, line, sizeof(line), &from_boot);

	if (ret < 0)
		return err_set(e, -ret, "/dev/kmsg: %s", strerror(-ret));
	*v = (uint64_t)from_boot;
	return 0;
}

/* 1 when cgroup2 is mounted with option @opt (the mount table as the
 * cgroup backend reads it). No memory controller mounted is no error here. */
static int cgroup2_mount_has(const char *opt, uint64_t *v, struct mlab_err *e)
{
	struct cg_detect d;
	int ret = cg_detect(NULL, &d, e);

	if (ret && ret != -ENOENT)
		return ret;
	*v = (uint64_t)cg_v2_mount_option(&d, opt);
	return 0;
}

static int read_recursiveprot(uint64_t *v, struct mlab_err *e)
{
	return cgroup2_mount_has("memory_recursiveprot", v, e);
}

static int read_localevents(uint64_t *v, struct mlab_err *e)
{
	return cgroup2_mount_has("memory_localevents", v, e);
}

/* zswap switched on (/sys/module/zswap/parameters/enabled: Y or N); no file:
 * a kernel without zswap (off). */
static int read_zswap(uint64_t *v, struct mlab_err *e)
{
	char buf[8];
	ssize_t n = read_file("/sys/module/zswap/parameters/enabled", buf, sizeof(buf));

	if (n == -ENOENT) {
		*v = 0;
		return 0;
	}
	if (n < 0)
		return err_set(e, (int)-n, "/sys/module/zswap/parameters/enabled: %s",
			       strerror((int)-n));
	*v = buf[0] == 'Y' || buf[0] == '1';
	return 0;
}

static int read_cpus(uint64_t *v, struct mlab_err *e)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return err_set(e, errno, "online CPUs: %s", strerror(errno));
	*v = (uint64_t)n;
	return 0;
}

/* How far memory.stat may trail memory.current: each CPU batches up to 64
 * pages of charges (MEMCG_CHARGE_BATCH) before its counts are folded in. */
static int read_stat_slack(uint64_t *v, struct mlab_err *e)
{
	uint64_t cpus = 0;
	int ret = read_cpus(&cpus, e);

	if (!ret)
		*v = cpus * 64 * (uint64_t)sysconf(_SC_PAGESIZE);
	return ret;
}

const struct kfact kfacts[] = {
    {"mglru", "1 when the multi-gen LRU is on (/sys/kernel/mm/lru_gen/enabled), else 0", read_mglru,
     1},
    {"log_from_boot",
     "1 when the kernel log still holds its first record since boot (so a once-per-boot "
     "warning that is not there was never printed), else 0",
     read_log_from_boot, 0},
    {"recursiveprot",
     "1 when cgroup2 is mounted with memory_recursiveprot (a group's protection covers its "
     "unconfigured descendants), else 0",
     read_recursiveprot, 1},
    {"localevents",
     "1 when cgroup2 is mounted with memory_localevents (memory.events counts the group's "
     "own events only), else 0",
     read_localevents, 1},
    {"zswap", "1 when zswap is on (/sys/module/zswap/parameters/enabled), else 0", read_zswap, 1},
    {"cpus", "the number of online CPUs", read_cpus, 1},
    {"stat_slack",
     "bytes memory.stat may trail memory.current by: 64 pages per online CPU (the charge "
     "batch)",
     read_stat_slack, 0},
    {NULL, NULL, NULL, 0},
};

const struct kfact *kfact_find(const char *name)
{
	for (const struct kfact *f = kfacts; f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

int kfact_read(const char *name, uint64_t *v, struct mlab_err *e)
{
	const struct kfact *f = kfact_find(name);

	if (!f)
		return err_set(e, ENOENT, "no kernel fact '%s'", name);
	return f->read(v, e);
}
