/* Log-linear latency histogram: see lat.h. */
#include "lat.h"

#include <string.h>

void lat_init(struct lat_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min_ns = UINT64_MAX;
}

unsigned lat_bucket(uint64_t ns)
{
	unsigned msb, shift;

	if (ns < LAT_SUB)
		return (unsigned)ns; /* exact small values: the first LAT_SUB buckets */
	msb = 63u - (unsigned)__builtin_clzll(ns);
	if (msb > LAT_MAX_BITS) {
		return LAT_BUCKETS - 1;
	}
	/* group g = msb - LAT_SUB_BITS + 1 holds [2^msb, 2^(msb+1)) in LAT_SUB steps */
	shift = msb - LAT_SUB_BITS;
	return (msb - LAT_SUB_BITS + 1) * LAT_SUB + (unsigned)((ns >> shift) - LAT_SUB);
}

void lat_bucket_range(unsigned b, uint64_t *lo, uint64_t *hi)
{
	unsigned g = b / LAT_SUB, s = b % LAT_SUB, shift;

	if (g == 0) {
		*lo = *hi = b;
		return;
	}
	shift = g - 1;
	*lo = (uint64_t)(LAT_SUB + s) << shift;
	*hi = *lo + ((uint64_t)1 << shift) - 1;
}

void lat_record(struct lat_hist *h, uint64_t ns)
{
	h->buckets[lat_bucket(ns)]++;
	h->count++;
	h->sum_ns += ns;
	if (ns < h->min_ns)
		h->min_ns = ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
}

uint64_t lat_percentile(const struct lat_hist *h, double p)
{
	uint64_t rank, seen = 0, lo, hi;

	if (!h->count)
		return 0;
	if (p <= 0)
		return h->min_ns;
	if (p >= 100)
		return h->max_ns;
	/* rank of the sample at percentile p, 1-based, rounded up */
	rank = (uint64_t)((p / 100.0) * (double)h->count);
	if ((double)rank < (p / 100.0) * (double)h->count)
		rank++;
	if (!rank)
		rank = 1;
	for (unsigned b = 0; b < LAT_BUCKETS; b++) {
		seen += h->buckets[b];
		if (seen >= rank) {
			lat_bucket_range(b, &lo, &hi);
			if (hi > h->max_ns)
				hi = h->max_ns;
			if (hi < h->min_ns)
				hi = h->min_ns;
			return hi;
		}
	}
	return h->max_ns;
}

void lat_merge(struct lat_hist *dst, const struct lat_hist *src)
{
	for (unsigned b = 0; b < LAT_BUCKETS; b++)
		dst->buckets[b] += src->buckets[b];
	dst->count += src->count;
	dst->sum_ns += src->sum_ns;
	if (src->count && src->min_ns < dst->min_ns)
		dst->min_ns = src->min_ns;
	if (src->max_ns > dst->max_ns)
		dst->max_ns = src->max_ns;
}
