"""Numbers and names as the pages and plots show them."""

import math
import re

MIB = 1 << 20

# bench.json's units as shown
BENCH_UNIT_LABEL = {"us": "µs"}


def fmt_bytes(n):
    """1.5 GiB, 256 MiB, 12 KiB, 100 B; '?' for None."""
    if n is None:
        return "?"
    for unit, size in (("GiB", 1 << 30), ("MiB", MIB), ("KiB", 1 << 10)):
        if abs(n) >= size:
            v = n / size
            return f"{v:.0f} {unit}" if v == int(v) or v >= 100 else f"{v:.1f} {unit}"
    return f"{n} B"


def fmt_us(us):
    """A latency in µs as '917 µs', '1.32 ms' or '1.5 s'."""
    if us is None:
        return "–"
    if us >= 1e6:
        return f"{us / 1e6:.3g} s"
    if us >= 1e3:
        return f"{us / 1e3:.3g} ms"
    return f"{us:.3g} µs"


def fmt_p(p):
    """A p-value: 0.42, 0.0104, 3.1e-05 (enough digits to tell 0.0104
    from a threshold of 0.01)."""
    if p is None:
        return "–"
    return f"{p:.3g}" if p >= 0.001 else f"{p:.1e}"


def fmt_num(v):
    """A benchmark figure in its own unit: 3 significant digits, no
    exponent above 1000 (37634, 983, 15.1, 0.962, 0.00771)."""
    if v is None:
        return "–"
    if not math.isfinite(v):
        return str(v)
    if v == 0:
        return "0"
    if abs(v) >= 1000:
        return f"{v:.0f}"
    return f"{v:.3g}" if abs(v) >= 1e-4 else f"{v:.2e}"


def unit_label(unit):
    """A bench.json unit as shown: µs for us."""
    return BENCH_UNIT_LABEL.get(unit, unit)


def safe_name(name):
    """A scenario name as the harness makes it safe for file names."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)
