"""Reading a results directory: meta.json, results.json, the timeline CSVs
and bench.json, each checked for the fields the report uses, so that bad
input ends in a ReportError naming the file rather than a traceback."""

import csv
import json
import os
import re

from .errors import ReportError

VERDICTS = ("pass", "fail", "error", "skip")
TIMELINE_COLUMNS = ("t_s", "group", "usage", "limit", "anon", "file", "shmem",
                    "swap", "failcnt", "oom_kill", "under_oom")

# The harness prints figures with %.6g, which writes inf and nan bare
NONFINITE_RE = re.compile(r"(?<=[\[,:])(\s*)(-?)(inf|nan)\b", re.IGNORECASE)

# Kernel-log lines worth a look when comparing runs. "Not tainted" is in
# every OOM report and says nothing, so taint is not a pattern.
WARNING_RE = re.compile(
    r"deprecat|WARNING|will be removed|Call Trace|BUG:|Oops|"
    r"blocked for more than|soft lockup|hard LOCKUP|rcu.*stall",
    re.IGNORECASE)


# the format of meta.json and results.json this report reads (RES_FORMAT in
# harness/res.h); a file without "format" was written before the field, in
# the same layout
FORMAT = 1


def check_format(doc, path):
    """ReportError unless @doc (a parsed meta.json or results.json) is in a
    format this report reads."""
    f = doc.get("format") if isinstance(doc, dict) else None
    if f is None or f == FORMAT:
        return
    if isinstance(f, int) and not isinstance(f, bool):
        raise ReportError(f"{path}: format {f}, and this report reads format {FORMAT} "
                          "(a newer memcg-lab wrote it)")
    raise ReportError(f"{path}: \"format\" is not a number")


def load_json(path):
    """The parsed JSON of @path; ReportError naming the file otherwise."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return json.load(f)
    except FileNotFoundError:
        raise ReportError(f"{path}: missing (is {os.path.dirname(path)} "
                          "a memcg-lab results directory?)") from None
    except json.JSONDecodeError as e:
        raise ReportError(f"{path}: not valid JSON: {e}") from None
    except OSError as e:
        raise ReportError(f"{path}: cannot read: {e.strerror}") from None


def expect(cond, path, where, what):
    """Raise a ReportError for @path at @where unless @cond holds."""
    if not cond:
        raise ReportError(f"{path}: {where}: {what}")


def check_latency(lat, path, where):
    """A latency object (or null) has the fields the plots and tests use."""
    if lat is None:
        return
    expect(isinstance(lat, dict), path, where, "expected an object or null")
    for k in ("count", "p50_us", "p90_us", "p99_us", "max_us", "buckets"):
        expect(k in lat, path, where, f"no field '{k}'")
    expect(isinstance(lat["buckets"], list), path, where + ".buckets",
           "expected a list")
    for i, b in enumerate(lat["buckets"]):
        expect(isinstance(b, list) and len(b) == 3
               and all(isinstance(x, int) and x >= 0 for x in b),
               path, f"{where}.buckets[{i}]",
               "expected [lo_ns, hi_ns, count], non-negative integers")


def check_scenario(s, path, where):
    """One scenario entry has the fields and types the report uses."""
    expect(isinstance(s, dict), path, where, "expected an object")
    for k, t in (("name", str), ("verdict", str), ("expectations", list),
                 ("events", list), ("workloads", list), ("kernel_log", list)):
        expect(isinstance(s.get(k), t), path, f"{where}.{k}",
               f"missing or not a {t.__name__}")
    expect(s["verdict"] in VERDICTS, path, f"{where}.verdict",
           f"expected one of {', '.join(VERDICTS)}, got {s['verdict']!r}")
    expect(s.get("timeline") is None or isinstance(s["timeline"], str),
           path, f"{where}.timeline", "expected a file name or null")
    for i, e in enumerate(s["events"]):
        expect(isinstance(e, dict) and isinstance(e.get("t_s"), (int, float))
               and isinstance(e.get("kind"), str), path,
               f"{where}.events[{i}]", "expected t_s, group and kind")
    for i, w in enumerate(s["workloads"]):
        expect(isinstance(w, dict) and isinstance(w.get("id"), str), path,
               f"{where}.workloads[{i}]", "expected an object with an id")
        check_latency(w.get("latency"), path, f"{where}.workloads[{i}].latency")


def check_results(res, path):
    """results.json has a summary and a list of valid scenarios."""
    expect(isinstance(res, dict), path, "top level", "expected an object")
    expect(isinstance(res.get("summary"), dict), path, "summary",
           "missing or not an object")
    expect(isinstance(res.get("scenarios"), list), path, "scenarios",
           "missing or not a list")
    for i, s in enumerate(res["scenarios"]):
        check_scenario(s, path, f"scenarios[{i}]")


def is_number(x):
    """An int or float from JSON (not a bool)."""
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def check_bench(bench, path):
    """bench.json has a list of figures with the fields the report uses."""
    expect(isinstance(bench, dict), path, "top level", "expected an object")
    for k in ("run_id", "kernel"):
        expect(isinstance(bench.get(k, ""), str), path, k, "expected a string")
    expect(is_number(bench.get("runs", 0)), path, "runs", "expected a number")
    expect(isinstance(bench.get("figures"), list), path, "figures",
           "missing or not a list")
    for i, f in enumerate(bench["figures"]):
        where = f"figures[{i}]"
        expect(isinstance(f, dict), path, where, "expected an object")
        for k in ("name", "unit", "target"):
            expect(isinstance(f.get(k), str), path, f"{where}.{k}",
                   "missing or not a string")
        for k in ("median", "min", "max"):
            expect(is_number(f.get(k)), path, f"{where}.{k}",
                   "missing or not a number")
        expect(isinstance(f.get("note", ""), str), path, f"{where}.note",
               "expected a string")
        values = f.get("values", [])
        expect(isinstance(values, list) and all(is_number(v) for v in values),
               path, f"{where}.values", "expected a list of numbers")


def load_bench(path):
    """The checked bench.json at @path. The harness writes non-finite
    figures as bare inf/nan, which JSON has no word for: read as such."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError as e:
        raise ReportError(f"{path}: cannot read: {e.strerror}") from None
    try:
        bench = json.loads(text)
    except json.JSONDecodeError as e:
        fixed = NONFINITE_RE.sub(
            lambda m: m.group(1) + ("NaN" if m.group(3).lower() == "nan"
                                    else m.group(2) + "Infinity"), text)
        try:
            bench = json.loads(fixed)
        except json.JSONDecodeError:
            raise ReportError(f"{path}: not valid JSON: {e}") from None
    check_bench(bench, path)
    return bench


def parse_int(text, path, lineno, column):
    """A CSV counter: an integer, or None for an empty field."""
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        raise ReportError(f"{path}:{lineno}: {column}: not an integer: "
                          f"{text!r}") from None


def load_timeline(path):
    """{group: {column: [values]}} of a timeline CSV, in file order."""
    try:
        f = open(path, newline="", encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise ReportError(f"{path}: named by results.json but missing") from None
    except OSError as e:
        raise ReportError(f"{path}: cannot read: {e.strerror}") from None
    groups = {}
    with f:
        rows = csv.reader(f)
        header = next(rows, None)
        missing = [c for c in TIMELINE_COLUMNS if header is None or c not in header]
        if missing:
            raise ReportError(f"{path}: header lacks {', '.join(missing)}")
        col = {name: header.index(name) for name in TIMELINE_COLUMNS}
        for lineno, row in enumerate(rows, start=2):
            if len(row) != len(header):
                raise ReportError(f"{path}:{lineno}: {len(row)} fields, "
                                  f"header has {len(header)}")
            try:
                t = float(row[col["t_s"]])
            except ValueError:
                raise ReportError(f"{path}:{lineno}: t_s: not a number: "
                                  f"{row[col['t_s']]!r}") from None
            g = groups.setdefault(row[col["group"]],
                                  {c: [] for c in TIMELINE_COLUMNS[2:] + ("t_s",)})
            g["t_s"].append(t)
            for c in TIMELINE_COLUMNS[2:]:
                g[c].append(parse_int(row[col[c]], path, lineno, c))
    return groups


def load_run(directory):
    """A run: its directory, meta.json, results.json, timelines and
    bench.json (or None). A directory of `memcg-lab bench` alone has only
    bench.json: then results is None and meta holds the bench's run id and
    kernel."""
    if not os.path.isdir(directory):
        raise ReportError(f"{directory}: no such directory")
    meta_path = os.path.join(directory, "meta.json")
    res_path = os.path.join(directory, "results.json")
    bench_path = os.path.join(directory, "bench.json")
    bench = load_bench(bench_path) if os.path.lexists(bench_path) else None
    if (bench is not None and not os.path.lexists(meta_path)
            and not os.path.lexists(res_path)):
        meta = {"run_id": bench.get("run_id")
                or os.path.basename(os.path.normpath(directory)),
                "kernel": bench.get("kernel") or "?"}
        return {"dir": directory, "meta": meta, "results": None, "timelines": {},
                "bench": bench}
    meta = load_json(meta_path)
    expect(isinstance(meta, dict), meta_path, "top level", "expected an object")
    check_format(meta, meta_path)
    res = load_json(res_path)
    check_format(res, res_path)
    check_results(res, res_path)
    timelines = {}
    for s in res["scenarios"]:
        name = s.get("timeline")
        if name:
            # a file name, never a path: results.json must not point elsewhere
            expect(os.path.basename(name) == name, res_path,
                   f"scenario {s['name']}", f"timeline {name!r} is not a file name")
            timelines[name] = load_timeline(os.path.join(directory, name))
    return {"dir": directory, "meta": meta, "results": res,
            "timelines": timelines, "bench": bench}


def scenario_keys(scenarios):
    """(name, repetition) of each scenario: with --repeat a name recurs."""
    seen = {}
    keys = []
    for s in scenarios:
        seen[s["name"]] = seen.get(s["name"], 0) + 1
        keys.append((s["name"], seen[s["name"]]))
    return keys


def key_label(key):
    """'name', or 'name #2' for a repetition."""
    name, rep = key
    return name if rep == 1 else f"{name} #{rep}"


def warning_lines(lines):
    """Indices of the kernel-log lines that match WARNING_RE."""
    return [i for i, line in enumerate(lines) if WARNING_RE.search(line)]
