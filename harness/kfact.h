/* Kernel facts: settings of the running kernel that a scenario cannot see
 * through a group's files but that decide which documented behaviour it
 * shows (MGLRU turns soft-limit reclaim off; a kernel log that no longer
 * reaches back to boot cannot show a once-per-boot warning). Scenarios read
 * them as `kernel.NAME` terms. */
#ifndef MLAB_KFACT_H
#define MLAB_KFACT_H

#include <stdint.h>

#include "util.h"

struct kfact {
	const char *name;
	const char *doc; /* what the value means, for the language reference */
	int (*read)(uint64_t *v, struct mlab_err *e);
	/* a run dimension: recorded in every run's meta.json (kernel_facts),
	 * so that runs that differ in it are told apart by compare and the
	 * report */
	int dimension;
};

/* The fact called @name, or NULL. */
const struct kfact *kfact_find(const char *name);
/* Every fact, NULL-terminated by name (for usage texts). */
extern const struct kfact kfacts[];
/* Read @name now: 0 with *@v, or -errno with the reason in @e. */
int kfact_read(const char *name, uint64_t *v, struct mlab_err *e);

#endif
