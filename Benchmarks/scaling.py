"""Scaling curve (issue 16): the path an analyst walks each month, at several sizes, against
DuckDB and Polars on the same files in the same run.

For each size N (takedowns; N/10 victims and N/100 arrests, capped at 1M and 100k):
  Tally   `tally ingest` of the three CSV files into a new store (fresh process), then the first
          `tally stats --period 2024-08` (fresh process: whatever the load left behind is all it
          has), then the same again with its column cache warm (best of 3), then
          `tally bulletin --period 2024-08` (fresh process, best of 2).
  DuckDB  `read_csv` of the same three files into a database file (fresh process), then the
          month's query in a fresh process on that file.
  Polars  the same query over `scan_csv` of the same files, lazy and streaming, in one process.
The month's query is the per-platform part of the takedown figures for August 2024 (Seoul local
month): requests, and the median and 90th percentile (type 7) of hours to resolution of requests
removed or blocked — the figures `tally stats` prints in its platform table — plus the month's
victims and arrests counts. Every engine's answer is compared with Tally's (counts exactly,
hours within 1e-9 relative) and the run stops on a difference. Peak RSS of every process.

Writes Benchmarks/results-scaling.md (tables) and Benchmarks/scaling.png (the curve), and prints
the Markdown. Usage: scaling.py TALLY TALLY_SAMPLE SIZE [SIZE ...]   (see scaling.sh)
Data lives in $SCALE_DATA (default Benchmarks/data)/scale-N and is reused between runs (the CSV
files; stores and DuckDB files are made anew each run).
"""
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get("SCALE_DATA", os.path.join(HERE, "data"))
PERIOD_START = "2024-08-01 00:00:00+09"
PERIOD_END = "2024-09-01 00:00:00+09"

TAKEDOWN_COLUMNS = ["request_id", "platform", "platform_origin", "content_kind", "requested_by", "detected_by",
                    "requested_at", "resolved_at", "outcome"]


def run(cmd, env=None):
    """Run cmd in a fresh process: wall seconds, CPU seconds, peak RSS (MB), stdout."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"scaling: {' '.join(cmd)} failed:\n{stderr[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stdout


def du(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    return total


# --- DuckDB and Polars run as children, so each is a fresh process with its own peak RSS -------

DUCK_LOAD = r"""
import duckdb, sys, os
work, path = sys.argv[1], sys.argv[2]
con = duckdb.connect(path)
con.execute("SET TimeZone = 'Asia/Seoul'")  # a time without offset is Seoul time, as records.md says
cols = ", ".join(f"'{c}': '{'TIMESTAMPTZ' if c.endswith('_at') else 'VARCHAR'}'" for c in %r)
con.execute(f"CREATE TABLE takedowns AS SELECT * FROM read_csv('{work}/takedowns.csv', header=true, columns={{{cols}}})")
con.execute(f"CREATE TABLE victims AS SELECT * FROM read_csv('{work}/victims.csv', header=true, all_varchar=true)")
con.execute(f"CREATE TABLE arrests AS SELECT * FROM read_csv('{work}/arrests.csv', header=true, all_varchar=true)")
con.execute("CHECKPOINT")
con.close()
""" % (TAKEDOWN_COLUMNS,)

DUCK_QUERY = r"""
import duckdb, sys, json
con = duckdb.connect(sys.argv[1], read_only=True)
con.execute("SET TimeZone = 'Asia/Seoul'")
rows = con.execute('''
WITH t AS (
  SELECT platform, outcome, (epoch(resolved_at) - epoch(requested_at)) / 3600.0 AS hours
  FROM takedowns
  WHERE requested_at >= TIMESTAMPTZ '%(start)s' AND requested_at < TIMESTAMPTZ '%(end)s')
SELECT platform, count(*) AS requests,
       quantile_cont(hours, 0.5) FILTER (WHERE outcome IN ('removed', 'blocked') AND hours IS NOT NULL) AS median_hours,
       quantile_cont(hours, 0.9) FILTER (WHERE outcome IN ('removed', 'blocked') AND hours IS NOT NULL) AS p90_hours
FROM t GROUP BY platform ORDER BY platform''').fetchall()
victims = con.execute("SELECT count(*) FROM victims WHERE substr(contacted_on, 1, 7) = '2024-08'").fetchone()[0]
arrests = con.execute("SELECT count(*) FROM arrests WHERE substr(arrested_on, 1, 7) = '2024-08'").fetchone()[0]
print(json.dumps({"platforms": [dict(zip(["platform", "requests", "median_hours", "p90_hours"], r)) for r in rows],
                  "victims": victims, "arrests": arrests}))
""" % {"start": PERIOD_START, "end": PERIOD_END}

POLARS = r"""
import polars as pl, sys, json, time
work = sys.argv[1]
t0 = time.perf_counter()
def ts(c):
    # records.md's forms: an offset or Z, or none (Seoul time); T or a space; optional fractions.
    s = pl.col(c).str.replace(" ", "T").str.replace("Z$", "+00:00")
    with_offset = s.str.to_datetime("%%Y-%%m-%%dT%%H:%%M:%%S%%.f%%:z", strict=False, time_zone="UTC")
    local = s.str.to_datetime("%%Y-%%m-%%dT%%H:%%M:%%S%%.f", strict=False).dt.replace_time_zone("Asia/Seoul").dt.convert_time_zone("UTC")
    return pl.coalesce(with_offset, local).alias(c)
start = pl.lit("%(start)s").str.to_datetime("%%Y-%%m-%%d %%H:%%M:%%S%%#z", time_zone="UTC")
end = pl.lit("%(end)s").str.to_datetime("%%Y-%%m-%%d %%H:%%M:%%S%%#z", time_zone="UTC")
hours = (pl.col("resolved_at") - pl.col("requested_at")).dt.total_microseconds() / 3.6e9
rb = pl.col("outcome").is_in(["removed", "blocked"]) & hours.is_not_null()
# Lazy and streaming, as a Polars user would write it over a file larger than memory.
res = (pl.scan_csv(f"{work}/takedowns.csv", infer_schema=False)
       .with_columns(ts("requested_at"), ts("resolved_at"))
       .filter((pl.col("requested_at") >= start) & (pl.col("requested_at") < end))
       .group_by("platform").agg(requests=pl.len(),
           median_hours=hours.filter(rb).quantile(0.5, interpolation="linear"),
           p90_hours=hours.filter(rb).quantile(0.9, interpolation="linear"))
       .sort("platform").collect(engine="streaming"))
victims = pl.scan_csv(f"{work}/victims.csv", infer_schema=False).filter(
    pl.col("contacted_on").str.slice(0, 7) == "2024-08").select(pl.len()).collect().item()
arrests = pl.scan_csv(f"{work}/arrests.csv", infer_schema=False).filter(
    pl.col("arrested_on").str.slice(0, 7) == "2024-08").select(pl.len()).collect().item()
t1 = time.perf_counter()
print(json.dumps({"platforms": res.to_dicts(), "victims": victims, "arrests": arrests, "load_s": None, "query_s": t1 - t0}))
""" % {"start": PERIOD_START, "end": PERIOD_END}


def tally_answer(stats_json):
    d = json.loads(stats_json)
    m = d["metrics"]
    return {"platforms": [{k: p[k] for k in ("platform", "requests", "median_hours", "p90_hours")}
                          for p in sorted(d["platforms"], key=lambda p: p["platform"])],
            "victims": m["victims.total"], "arrests": m["arrests.total"]}


def compare(name, ref, other):
    def close(a, b):
        if a is None or b is None:
            return a is None and b is None
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    problems = []
    for key in ("victims", "arrests"):
        if ref[key] != other[key]:
            problems.append(f"{key}: tally {ref[key]}, {name} {other[key]}")
    a = {p["platform"]: p for p in ref["platforms"]}
    b = {p["platform"]: p for p in other["platforms"]}
    if sorted(a) != sorted(b):
        problems.append(f"platforms differ: {sorted(a)} vs {sorted(b)}")
    for k in sorted(set(a) & set(b)):
        if a[k]["requests"] != b[k]["requests"]:
            problems.append(f"{k} requests: tally {a[k]['requests']}, {name} {b[k]['requests']}")
        for q in ("median_hours", "p90_hours"):
            if not close(a[k][q], b[k][q]):
                problems.append(f"{k} {q}: tally {a[k][q]}, {name} {b[k][q]}")
    if problems:
        sys.exit(f"scaling: {name}'s answer differs from Tally's:\n  " + "\n  ".join(problems[:20]))


def measure(tally, sample, n, py):
    work = os.path.join(DATA, f"scale-{n}")
    os.makedirs(work, exist_ok=True)
    v, a = min(n // 10, 1_000_000), min(n // 100, 100_000)
    if not all(os.path.exists(os.path.join(work, f)) for f in ("takedowns.csv", "victims.csv", "arrests.csv")):
        print(f"generating {n:,} takedowns ...", file=sys.stderr)
        gen = os.path.join(work, ".gen")
        shutil.rmtree(gen, ignore_errors=True)
        run([sample, "--takedowns", str(n), "--victims", str(v), "--arrests", str(a), "--out", gen])
        for f in ("takedowns.csv", "victims.csv", "arrests.csv"):
            os.replace(os.path.join(gen, f), os.path.join(work, f))
        os.rmdir(gen)
    csv_bytes = sum(os.path.getsize(os.path.join(work, f)) for f in ("takedowns.csv", "victims.csv", "arrests.csv"))
    rows = n + v + a
    r = {"n": n, "rows": rows, "csv_mb": csv_bytes / 1e6}

    # Tally
    db = os.path.join(work, "store.sqlite")
    for p in (db, db + "-wal", db + "-shm", db + ".lock"):
        if os.path.exists(p):
            os.remove(p)
    shutil.rmtree(db + ".cache", ignore_errors=True)
    files = [os.path.join(work, f) for f in ("arrests.csv", "victims.csv", "takedowns.csv")]
    print(f"{n:,}: tally ingest ...", file=sys.stderr)
    r["ingest_s"], r["ingest_cpu"], r["ingest_rss"], _ = run([tally, "ingest", "--db", db] + files)
    stats = [tally, "stats", "--db", db, "--period", "2024-08", "--format", "json"]
    r["first_s"], r["first_cpu"], r["first_rss"], out = run(stats)
    answer = tally_answer(out)
    warm = [run(stats) for _ in range(3)]
    best = min(warm, key=lambda w: w[0])
    r["warm_s"], r["warm_rss"] = best[0], best[2]
    if tally_answer(best[3]) != answer:
        sys.exit("scaling: a warm `tally stats` differs from the first")
    r["column_mb"] = du(db + ".cache") / 1e6
    r["store_mb"] = os.path.getsize(db) / 1e6
    out_dir = os.path.join(work, "bulletin")
    bulletin = [run([tally, "bulletin", "--db", db, "--period", "2024-08", "--lang", "en", "--out", out_dir])
                for _ in range(2)]
    best = min(bulletin, key=lambda w: w[0])
    r["bulletin_s"], r["bulletin_rss"] = best[0], max(b[2] for b in bulletin)

    # DuckDB
    print(f"{n:,}: duckdb ...", file=sys.stderr)
    duck = os.path.join(work, "bench.duckdb")
    for p in (duck, duck + ".wal"):
        if os.path.exists(p):
            os.remove(p)
    r["duck_load_s"], _, r["duck_load_rss"], _ = run([py, "-c", DUCK_LOAD, work, duck])
    r["duck_query_s"], _, r["duck_query_rss"], out = run([py, "-c", DUCK_QUERY, duck])
    compare("DuckDB", answer, json.loads(out))

    # Polars (one process: read, then query)
    print(f"{n:,}: polars ...", file=sys.stderr)
    try:
        r["polars_s"], _, r["polars_rss"], out = run([py, "-c", POLARS, work])
        pol = json.loads(out)
        r["polars_load_s"], r["polars_query_s"] = pol["load_s"], pol["query_s"]
        compare("Polars", answer, pol)
    except SystemExit as e:  # e.g. out of memory at the largest size: reported, not fatal
        r["polars_error"] = str(e).splitlines()[0][:200]
    return r


def fmt(x, d=2):
    return "—" if x is None else f"{x:,.{d}f}"


def report(results, versions):
    L = ["# Scaling: from CSV to first figures at 1M, 10M, 100M takedowns", ""]
    L.append(f"Machine: {versions['machine']}. Tally {versions['tally']}, DuckDB {versions['duckdb']}, "
             f"Polars {versions['polars']}, Python {versions['python']}. Runs: " +
             "; ".join(f"{r['n']:,} at {r.get('run', '?')}" for r in results) + ".")
    L.append("Each size: N takedowns, N/10 victims (≤ 1M), N/100 arrests (≤ 100k) from `tally-sample`; every "
             "engine's month answer checked equal to Tally's. Times are wall-clock seconds of fresh processes; "
             "CPU seconds (user + system) of Tally's load and first figures in the last table.")
    L.append("")
    L.append("| takedowns | CSV MB | tally ingest s (rows/s) | first `stats` s | **CSV → first figures** | "
             "DuckDB load + query s | **ratio Tally/DuckDB** | Polars scan + query s | ratio Tally/Polars |")
    L.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        t = r["ingest_s"] + r["first_s"]
        d = r["duck_load_s"] + r["duck_query_s"]
        p = r.get("polars_s")
        L.append(f"| {r['n']:,} | {r['csv_mb']:,.0f} | {fmt(r['ingest_s'])} ({r['rows'] / r['ingest_s']:,.0f}) | "
                 f"{fmt(r['first_s'])} | **{fmt(t)}** | {fmt(r['duck_load_s'])} + {fmt(r['duck_query_s'])} = {fmt(d)} | "
                 f"**{t / d:.2f}** | {fmt(p) if p else r.get('polars_error', '—')} | {fmt(t / p) if p else '—'} |")
    L.append("")
    L.append("| takedowns | warm `stats` s | `bulletin` s | column MB | store MB | peak RSS MB: stats warm / bulletin / ingest | "
             "RSS / column bytes (stats, bulletin) | DuckDB query RSS MB | Polars RSS MB | Tally CPU s: ingest, first stats |")
    L.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        L.append(f"| {r['n']:,} | {fmt(r['warm_s'], 3)} | {fmt(r['bulletin_s'])} | {r['column_mb']:,.0f} | "
                 f"{r['store_mb']:,.0f} | {r['warm_rss']:,.0f} / {r['bulletin_rss']:,.0f} / {r['ingest_rss']:,.0f} | "
                 f"{r['warm_rss'] / max(r['column_mb'], 1):.2f}, {r['bulletin_rss'] / max(r['column_mb'], 1):.2f} | "
                 f"{r['duck_query_rss']:,.0f} | {fmt(r.get('polars_rss'), 0)} | {fmt(r['ingest_cpu'], 1)}, {fmt(r['first_cpu'], 2)} |")
    return "\n".join(L) + "\n"


def plot(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    ns = [r["n"] for r in results]
    fig, ax = plt.subplots(figsize=(7.5, 4.8), dpi=120)
    series = [
        ("Tally: ingest + first stats", [r["ingest_s"] + r["first_s"] for r in results], "-o"),
        ("DuckDB: read_csv + query", [r["duck_load_s"] + r["duck_query_s"] for r in results], "-s"),
        ("Polars: scan_csv + query (streaming)", [r.get("polars_s") for r in results], "-^"),
        ("Tally: warm stats (fresh process)", [r["warm_s"] for r in results], "--o"),
        ("Tally: bulletin (fresh process)", [r["bulletin_s"] for r in results], "--d"),
    ]
    for label, ys, style in series:
        pts = [(n, y) for n, y in zip(ns, ys) if y]
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], style, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    from matplotlib.ticker import FuncFormatter
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x / 1e6:g}M"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:g} s"))
    ax.set_xlabel("takedown records")
    ax.set_ylabel("seconds (wall clock, log scale)")
    ax.set_title("Cost as data grows (same machine; DuckDB and Polars in the same runs)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)


def main():
    tally, sample, sizes = sys.argv[1], sys.argv[2], [int(s) for s in sys.argv[3:]]
    py = sys.executable
    out = os.environ.get("SCALE_OUT", HERE)
    # Sizes measured before (another run, e.g. 100M alone) are kept, each with its own time.
    previous = {}
    try:
        with open(os.path.join(out, "results-scaling.json")) as f:
            previous = {r["n"]: r for r in json.load(f)["results"]}
    except (OSError, ValueError, KeyError):
        pass
    for n in sizes:
        r = measure(tally, sample, n, py)
        r["run"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        previous[n] = r
        print(json.dumps(r), file=sys.stderr)
    results = [previous[n] for n in sorted(previous)]
    import duckdb
    import polars
    with open("/proc/cpuinfo") as f:
        cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), platform.processor())
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = {"machine": f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB",
                "tally": subprocess.run([tally, "--version"], capture_output=True, text=True).stdout.strip(),
                "duckdb": duckdb.__version__, "polars": polars.__version__, "python": platform.python_version()}
    md = report(results, versions)
    with open(os.path.join(out, "results-scaling.md"), "w") as f:
        f.write(md)
    with open(os.path.join(out, "results-scaling.json"), "w") as f:
        json.dump({"versions": versions, "results": results}, f, indent=1)
    plot(results, os.path.join(out, "scaling.png"))
    print(md)


if __name__ == "__main__":
    main()
