/* Latency histogram: log-linear buckets (HDR-style) over nanoseconds, fixed
 * memory, no allocation, one writer. Each power of two is split into
 * LAT_SUB linear sub-buckets, so a bucket spans at most 1/LAT_SUB of its
 * lower bound: 6.25 % resolution with LAT_SUB = 16. Values below LAT_SUB ns
 * are exact. It lives inside the shared progress region, so it must stay a
 * plain struct without pointers. */
#ifndef MLAB_LAT_H
#define MLAB_LAT_H

#include <stddef.h>
#include <stdint.h>

#define LAT_SUB_BITS 4
#define LAT_SUB (1u << LAT_SUB_BITS)
#define LAT_MAX_BITS 44 /* up to ~4.9 hours in ns; larger values clamp */
#define LAT_BUCKETS ((LAT_MAX_BITS - LAT_SUB_BITS + 2) * LAT_SUB)

struct lat_hist {
	uint64_t count;
	uint64_t sum_ns;
	uint64_t min_ns;
	uint64_t max_ns;
	uint64_t buckets[LAT_BUCKETS];
};

void lat_init(struct lat_hist *h);
/* Record one sample. Async-signal-safe, no allocation, no syscalls. */
void lat_record(struct lat_hist *h, uint64_t ns);
/* Bucket index for a value, and the [lo, hi] range a bucket covers. */
unsigned lat_bucket(uint64_t ns);
void lat_bucket_range(unsigned b, uint64_t *lo, uint64_t *hi);
/* Value at percentile @p (0..100): the upper bound of the bucket holding the
 * p-th sample, clamped to the recorded max; 0 when empty. */
uint64_t lat_percentile(const struct lat_hist *h, double p);
/* Add @src into @dst. */
void lat_merge(struct lat_hist *dst, const struct lat_hist *src);

#endif
