/* The one way memcg-lab writes JSON (results, meta, vm.json, bench.json):
 * jansson values built from the harness's fixed-size fields, cleaned to
 * valid UTF-8 (the kernel's text and scenario files may hold anything),
 * dumped with an indent of two, written whole or not at all. */
#ifndef MLAB_JOUT_H
#define MLAB_JOUT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "util.h"

/* A string from a field of at most @n bytes (bytes that are not valid
 * UTF-8 become '?'); NULL only when out of memory. */
json_t *jout_str(const char *s, size_t n);
/* null instead of "" for optional fields */
json_t *jout_str_or_null(const char *s, size_t n);
/* JSON integers are signed 64 bits: anything above (RES_NA, "max") is null */
json_t *jout_u64(uint64_t v);
/* Rounded to @digits decimals (printed without binary noise: "1.234");
 * null when not finite. */
json_t *jout_real(double v, int digits);
/* json_object_set_new() / json_array_append_new() that note a failure
 * (a NULL value is how jansson shows an allocation failure) in *@bad, to
 * be checked once at the end. */
void jout_put(json_t *o, const char *key, json_t *v, int *bad);
void jout_append(json_t *a, json_t *v, int *bad);
/* Dump @root (consumed) to @f; -ENOMEM if it could not be built (@bad). */
int jout_dump(FILE *f, json_t *root, int bad);
/* Dump @root (consumed) to @path through a temporary file, synced and
 * renamed. 0 or -errno with "<path>: <error>" in @e. */
int jout_write_file(const char *path, json_t *root, int bad, struct mlab_err *e);

#endif
