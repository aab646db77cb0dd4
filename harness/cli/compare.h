/* memcg-lab compare's parts (harness/cli/cmd_compare.c). */
#ifndef MLAB_COMPARE_H
#define MLAB_COMPARE_H

#include <jansson.h>

/* The figures of @n bench.json side by side, the first the baseline;
 * prints a section and returns how many figures regressed. */
int compare_bench(json_t *const *bench, int n);

#endif
