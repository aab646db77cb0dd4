/* Unit tests of the latency histogram (lat.c): bucket boundaries and
 * resolution, percentiles on known distributions, clamping, merging. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lat.h"
#include "testutil.h"

/* The promise of lat.h: v lies in its bucket, and a bucket is at most
 * 1/16 of its lower bound wide (6.25 %), exact below 16. */
static void check_value(uint64_t v)
{
	unsigned b = lat_bucket(v);
	uint64_t lo, hi;

	ck_assert_msg(b < LAT_BUCKETS, "lat_bucket(%llu) = %u out of range", (unsigned long long)v,
		      b);
	lat_bucket_range(b, &lo, &hi);
	ck_assert_msg(lo <= v && v <= hi, "value %llu in bucket %u [%llu, %llu]",
		      (unsigned long long)v, b, (unsigned long long)lo, (unsigned long long)hi);
	ck_assert_msg(hi - lo + 1 <= lo / 16 + 1, "bucket %u [%llu, %llu] wider than 6.25%%", b,
		      (unsigned long long)lo, (unsigned long long)hi);
}

START_TEST(small_exact)
{
	for (uint64_t v = 0; v < 16; v++) {
		uint64_t lo, hi;
		ck_assert_uint_eq(lat_bucket(v), v);
		lat_bucket_range((unsigned)v, &lo, &hi);
		ck_assert_uint_eq(lo, v);
		ck_assert_uint_eq(hi, v);
	}
	/* 16..31 are still one value a bucket */
	for (uint64_t v = 16; v < 32; v++) {
		uint64_t lo, hi;
		lat_bucket_range(lat_bucket(v), &lo, &hi);
		ck_assert_uint_eq(lo, v);
		ck_assert_uint_eq(hi, v);
	}
}
END_TEST

START_TEST(every_value_to_1e7)
{
	unsigned prev = 0;

	for (uint64_t v = 1; v <= 10000000; v++) {
		unsigned b = lat_bucket(v);
		uint64_t lo, hi;
		/* monotonic, no gaps: each new bucket starts where the last ended */
		if (b != prev) {
			ck_assert_msg(b == prev + 1, "bucket jumps from %u to %u at %llu", prev, b,
				      (unsigned long long)v);
			lat_bucket_range(b, &lo, &hi);
			ck_assert_msg(lo == v, "bucket %u starts at %llu, first value %llu", b,
				      (unsigned long long)lo, (unsigned long long)v);
			prev = b;
		}
		/* the full check is cheap enough for every value */
		lat_bucket_range(b, &lo, &hi);
		if (lo > v || v > hi || hi - lo + 1 > lo / 16 + 1)
			check_value(v); /* fails with a message */
	}
}
END_TEST

START_TEST(large_values)
{
	static const uint64_t v[] = { 1ULL << 20,	(1ULL << 20) - 1, 1000000007ULL,
				      60000000000ULL,	3600000000000ULL, (1ULL << 44),
				      (1ULL << 45) - 1, 17592186044415ULL };
	uint64_t lo, hi;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		check_value(v[i]);
	/* every power of two and its neighbours up to the covered range */
	for (unsigned bit = 1; bit <= LAT_MAX_BITS; bit++) {
		check_value((1ULL << bit) - 1);
		check_value(1ULL << bit);
		check_value((1ULL << bit) + 1);
	}
	/* the last bucket ends right below 2^(LAT_MAX_BITS + 1) */
	lat_bucket_range(LAT_BUCKETS - 1, &lo, &hi);
	ck_assert_uint_eq(hi, (1ULL << (LAT_MAX_BITS + 1)) - 1);
	ck_assert_uint_eq(lat_bucket((1ULL << (LAT_MAX_BITS + 1)) - 1), LAT_BUCKETS - 1);
}
END_TEST

START_TEST(huge_clamps)
{
	struct lat_hist h;

	/* beyond the range: the last bucket, no out-of-bounds write */
	ck_assert_uint_eq(lat_bucket(1ULL << 45), LAT_BUCKETS - 1);
	ck_assert_uint_eq(lat_bucket(1ULL << 63), LAT_BUCKETS - 1);
	ck_assert_uint_eq(lat_bucket(UINT64_MAX), LAT_BUCKETS - 1);
	lat_init(&h);
	lat_record(&h, UINT64_MAX);
	lat_record(&h, 5);
	ck_assert_uint_eq(h.buckets[LAT_BUCKETS - 1], 1);
	ck_assert_uint_eq(h.buckets[5], 1);
	ck_assert_uint_eq(h.count, 2);
	ck_assert_uint_eq(h.max_ns, UINT64_MAX);
	ck_assert_uint_eq(h.min_ns, 5);
	ck_assert_uint_eq(lat_percentile(&h, 100), UINT64_MAX);
	/* the clamped bucket reports its upper bound, not the true value */
	ck_assert_uint_eq(lat_percentile(&h, 99), (1ULL << (LAT_MAX_BITS + 1)) - 1);
	ck_assert_uint_eq(lat_percentile(&h, 50), 5);
}
END_TEST

static void ck_within(uint64_t got, uint64_t want, const char *what)
{
	/* the percentile is the upper bound of a bucket: at most 6.25 % above
	 * the true value, never below it */
	ck_assert_msg(got >= want && (double)got <= (double)want * 1.0625,
		      "%s = %llu, want %llu within +6.25%%", what, (unsigned long long)got,
		      (unsigned long long)want);
}

START_TEST(percentiles_uniform)
{
	struct lat_hist h;

	lat_init(&h);
	/* shuffled insertion order must not matter */
	for (uint64_t v = 1; v <= 1000; v++)
		lat_record(&h, (v * 7919) % 1000 + 1);
	ck_assert_uint_eq(h.count, 1000);
	ck_assert_uint_eq(h.sum_ns, 500500);
	ck_assert_uint_eq(h.min_ns, 1);
	ck_assert_uint_eq(h.max_ns, 1000);
	ck_within(lat_percentile(&h, 50), 500, "p50");
	ck_within(lat_percentile(&h, 90), 900, "p90");
	ck_within(lat_percentile(&h, 99), 990, "p99");
	ck_within(lat_percentile(&h, 99.9), 999, "p99.9");
	/* concrete values from the bucket layout: 500 in [496, 511], 990 in
	 * [960, 991] */
	ck_assert_uint_eq(lat_percentile(&h, 50), 511);
	ck_assert_uint_eq(lat_percentile(&h, 99), 991);
	ck_assert_uint_eq(lat_percentile(&h, 100), 1000);
	ck_assert_uint_eq(lat_percentile(&h, 0), 1);
	/* the 1st sample is exact: small values have their own buckets */
	ck_assert_uint_eq(lat_percentile(&h, 0.1), 1);
	ck_assert_uint_eq(lat_percentile(&h, 1), 10);
}
END_TEST

START_TEST(percentiles_skewed)
{
	struct lat_hist h;

	/* 99 fast steps of 20 us and one stall of 1 s: p50/p99 stay fast, the
	 * max shows the stall, p99.5 lands on it clamped to the max */
	lat_init(&h);
	for (int i = 0; i < 99; i++)
		lat_record(&h, 20000);
	lat_record(&h, 1000000000);
	ck_within(lat_percentile(&h, 50), 20000, "p50");
	ck_within(lat_percentile(&h, 99), 20000, "p99");
	ck_assert_uint_eq(lat_percentile(&h, 99.5), 1000000000);
	ck_assert_uint_eq(lat_percentile(&h, 100), 1000000000);

	/* one sample: every percentile is that sample (clamped to min/max) */
	lat_init(&h);
	lat_record(&h, 123456);
	ck_assert_uint_eq(lat_percentile(&h, 1), 123456);
	ck_assert_uint_eq(lat_percentile(&h, 50), 123456);
	ck_assert_uint_eq(lat_percentile(&h, 99), 123456);
}
END_TEST

START_TEST(empty_hist)
{
	struct lat_hist h;

	memset(&h, 0xa5, sizeof(h));
	lat_init(&h);
	ck_assert_uint_eq(h.count, 0);
	ck_assert_uint_eq(h.min_ns, UINT64_MAX);
	ck_assert_uint_eq(h.max_ns, 0);
	for (unsigned b = 0; b < LAT_BUCKETS; b++)
		ck_assert_uint_eq(h.buckets[b], 0);
	ck_assert_uint_eq(lat_percentile(&h, 0), 0);
	ck_assert_uint_eq(lat_percentile(&h, 50), 0);
	ck_assert_uint_eq(lat_percentile(&h, 100), 0);
}
END_TEST

START_TEST(merge)
{
	struct lat_hist a, b, empty;

	lat_init(&a);
	lat_init(&b);
	lat_init(&empty);
	lat_record(&a, 100);
	lat_record(&a, 200);
	lat_record(&b, 50);
	lat_record(&b, 200);
	lat_record(&b, 5000);

	lat_merge(&a, &b);
	ck_assert_uint_eq(a.count, 5);
	ck_assert_uint_eq(a.sum_ns, 5550);
	ck_assert_uint_eq(a.min_ns, 50);
	ck_assert_uint_eq(a.max_ns, 5000);
	ck_assert_uint_eq(a.buckets[lat_bucket(200)], 2);
	ck_assert_uint_eq(a.buckets[lat_bucket(100)], 1);
	ck_assert_uint_eq(a.buckets[lat_bucket(50)], 1);
	ck_assert_uint_eq(a.buckets[lat_bucket(5000)], 1);
	/* src untouched */
	ck_assert_uint_eq(b.count, 3);

	/* an empty source changes nothing (its min is UINT64_MAX, max 0) */
	lat_merge(&a, &empty);
	ck_assert_uint_eq(a.count, 5);
	ck_assert_uint_eq(a.min_ns, 50);
	ck_assert_uint_eq(a.max_ns, 5000);

	/* into an empty destination: a copy */
	lat_merge(&empty, &b);
	ck_assert_uint_eq(empty.count, 3);
	ck_assert_uint_eq(empty.min_ns, 50);
	ck_assert_uint_eq(empty.max_ns, 5000);
	ck_assert_uint_eq(lat_percentile(&empty, 100), 5000);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lat");
	TCase *tc = tu_case(s, "lat", 30);

	tu_init();
	tcase_add_test(tc, small_exact);
	tcase_add_test(tc, every_value_to_1e7);
	tcase_add_test(tc, large_values);
	tcase_add_test(tc, huge_clamps);
	tcase_add_test(tc, percentiles_uniform);
	tcase_add_test(tc, percentiles_skewed);
	tcase_add_test(tc, empty_hist);
	tcase_add_test(tc, merge);

	return tu_suite_run(s);
}
