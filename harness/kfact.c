/* Kernel facts (see kfact.h): one row per fact, each with its own reader. */
#define _GNU_SOURCE
#include "kfact.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

const struct kfact kfacts[] = {
    {"mglru", "1 when the multi-gen LRU is on (/sys/kernel/mm/lru_gen/enabled), else 0",
     read_mglru},
    {"log_from_boot",
     "1 when the kernel log still holds its first record since boot (so a once-per-boot "
     "warning that is not there was never printed), else 0",
     read_log_from_boot},
    {NULL, NULL, NULL},
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
