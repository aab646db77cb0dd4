"""Statistics on the harness's step-latency histograms: percentiles as the
harness computes them, pooling of repetitions, and the Mann-Whitney U test
the comparison page flags latency shifts with."""

import math

# The latency test: below this many steps on either side the normal
# approximation of the Mann-Whitney U statistic is poor, so no test.
MIN_TEST_STEPS = 8


def steps_of(lat):
    """How many steps a latency object's buckets hold (0 for null)."""
    return sum(b[2] for b in lat["buckets"]) if lat else 0


def bucket_samples(buckets):
    """{value_ns: count}: each step at its bucket's midpoint (the histogram
    keeps no more than that)."""
    samples = {}
    for lo, hi, n in buckets:
        if n:
            mid = (lo + hi) / 2
            samples[mid] = samples.get(mid, 0) + n
    return samples


def mann_whitney(a, b):
    """Two-sided Mann-Whitney U test of grouped samples {value: count}.

    Normal approximation with tie correction and continuity correction.
    Returns (U of b, z, p); z > 0 when b tends to be larger. Works on
    counts, so 20000 steps in 100 buckets cost 100 steps of work."""
    n1, n2 = sum(a.values()), sum(b.values())
    if not n1 or not n2:
        return None
    n = n1 + n2
    rank_base = 0  # ranks below the current tie group
    rank_sum_b = 0.0
    ties = 0  # sum of t^3 - t over tie groups
    for v in sorted(set(a) | set(b)):
        t = a.get(v, 0) + b.get(v, 0)
        mid_rank = rank_base + (t + 1) / 2
        rank_sum_b += b.get(v, 0) * mid_rank
        ties += t ** 3 - t
        rank_base += t
    u_b = rank_sum_b - n2 * (n2 + 1) / 2
    mean = n1 * n2 / 2
    var = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))
    if var <= 0:  # every step in one bucket: nothing to tell apart
        return u_b, 0.0, 1.0
    diff = u_b - mean
    z = math.copysign(max(abs(diff) - 0.5, 0) / math.sqrt(var), diff)
    return u_b, z, math.erfc(abs(z) / math.sqrt(2))


def percentile_us(buckets, count, max_us, p):
    """The harness's percentile: the upper bound of the bucket holding the
    p-th step (rank rounded up), never above max."""
    rank = max(1, math.ceil(p / 100 * count))
    seen = 0
    for lo, hi, n in sorted(buckets):
        seen += n
        if seen >= rank:
            return min(hi / 1e3, max_us)
    return max_us


def pooled_latency(scenarios):
    """{(scenario, workload id): (workload, buckets, max_us)}, repetitions
    of a scenario pooled: one histogram per workload and run."""
    pooled = {}
    for s in scenarios:
        for w in s["workloads"]:
            lat = w.get("latency")
            if not steps_of(lat):
                continue
            k = (s["name"], w["id"])
            _, buckets, mx = pooled.get(k, (w, [], 0.0))
            # max_us is exact; null (too large) falls back to the buckets
            top = lat["max_us"] or max(b[1] for b in lat["buckets"]) / 1e3
            pooled[k] = (w, buckets + lat["buckets"], max(mx, top))
    return pooled


def latency_stats(buckets, max_us):
    """n, p50, p90, p99, max of a (pooled) histogram."""
    n = sum(b[2] for b in buckets)
    return {"n": n, "max": max_us,
            **{f"p{p}": percentile_us(buckets, n, max_us, p) for p in (50, 90, 99)}}


def shift_test(base, other, alpha, min_shift):
    """The test of @other against @base: (shift of p50, p, flag) where flag
    is 'slower', 'faster' or '' (not significant or too few steps)."""
    if base[1] is None or other[1] is None:
        return None
    sb, so = latency_stats(*base), latency_stats(*other)
    shift = so["p50"] / sb["p50"] - 1 if sb["p50"] else 0.0
    if min(sb["n"], so["n"]) < MIN_TEST_STEPS:
        return shift, None, ""
    _, z, p = mann_whitney(bucket_samples(base[0]), bucket_samples(other[0]))
    flag = ""
    if p < alpha and abs(shift) >= min_shift:
        flag = "slower" if shift > 0 else "faster"
    return shift, p, flag
