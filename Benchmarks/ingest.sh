#!/usr/bin/env bash
# Ingest benchmark: N takedown rows (default 1,000,000) from one CSV file into
#   - Tally's SQLite store (`tally ingest`: libcsv parse, full validation, keyed insert), and
#   - DuckDB's read_csv into a table of its own database file (the reference),
# on the same file, in the same run, alternating (INGEST_BENCH_RUNS runs each, default 5).
# Prints best and median rows/s for each and their ratio.
# Usage: Benchmarks/ingest.sh [ROWS]     (DuckDB comes from PyPI into Benchmarks/.venv)
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
WORK=Benchmarks/data
mkdir -p "$WORK"
CSV="$WORK/takedowns-$ROWS.csv"

swift build -c release --product tally >/dev/null
swift build -c release --product tally-sample >/dev/null
[ -f "$CSV" ] || { .build/release/tally-sample --takedowns-only "$ROWS" --out "$WORK" >/dev/null && mv "$WORK/takedowns.csv" "$CSV"; }

if [ ! -x Benchmarks/.venv/bin/python ]; then
  python3 -m venv Benchmarks/.venv
  Benchmarks/.venv/bin/pip install -q duckdb polars
fi
PY=Benchmarks/.venv/bin/python

now() { date +%s.%N; }
BYTES=$(stat -c %s "$CSV")
RUNS=${INGEST_BENCH_RUNS:-5}

# DuckDB: one timed load per call (the import is outside the timer).
duck_once() {
  $PY - "$CSV" "$WORK" <<'PY'
import duckdb, os, sys, time
csv, work = sys.argv[1], sys.argv[2]
path = os.path.join(work, "bench.duckdb")
for p in (path, path + ".wal"):
    if os.path.exists(p): os.remove(p)
t0 = time.perf_counter()
con = duckdb.connect(path)
con.execute(f"CREATE TABLE takedowns AS SELECT * FROM read_csv('{csv}', header=true)")
con.close()
print(time.perf_counter() - t0)
PY
}

# The two loads alternate, so that both meet the same phases of a shared machine.
tally_times=(); tally_cpu=(); duck_times=()
for run in $(seq "$RUNS"); do
  rm -f "$WORK/bench.sqlite"*
  t0=$(now)
  cpu=$( { /usr/bin/time -f '%U %S' .build/release/tally ingest --db "$WORK/bench.sqlite" "$CSV" >/dev/null; } 2>&1 | tail -1)
  t1=$(now)
  tally_times+=("$(echo "$t1 - $t0" | bc -l)")
  tally_cpu+=("$(echo "$cpu" | awk '{print $1 + $2}')")
  duck_times+=("$(duck_once)")
done
loaded=$(sqlite3 "$WORK/bench.sqlite" "SELECT count(*) FROM takedowns")
store_mb=$(echo "$(stat -c %s "$WORK/bench.sqlite") / 1048576" | bc -l)
duck_version=$($PY -c 'import duckdb; print(duckdb.__version__)')

stat_of() { # best and median of the arguments
  printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[1], (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'
}
read -r best_tally median_tally <<<"$(stat_of "${tally_times[@]}")"
read -r best_duck median_duck <<<"$(stat_of "${duck_times[@]}")"
read -r _ median_cpu <<<"$(stat_of "${tally_cpu[@]}")"

printf 'Ingest of %s takedown rows (%.1f MB), %s alternating runs each, %s cores, %s\n' "$ROWS" "$(echo "$BYTES/1048576" | bc -l)" "$RUNS" "$(nproc)" "$(date -u +%F)"
printf '  tally ingest (validated, keyed, SQLite):  best %5.2f s = %7.0f rows/s   median %5.2f s = %7.0f rows/s   (CPU %.2f s; %s rows loaded; store %.0f MB)\n' \
  "$best_tally" "$(echo "$ROWS/$best_tally" | bc -l)" "$median_tally" "$(echo "$ROWS/$median_tally" | bc -l)" "$median_cpu" "$loaded" "$store_mb"
printf '  duckdb %s read_csv into a table:    best %5.2f s = %7.0f rows/s   median %5.2f s = %7.0f rows/s\n' \
  "$duck_version" "$best_duck" "$(echo "$ROWS/$best_duck" | bc -l)" "$median_duck" "$(echo "$ROWS/$median_duck" | bc -l)"
printf '  ratio tally/duckdb time: best %.2f, median %.2f\n' "$(echo "$best_tally/$best_duck" | bc -l)" "$(echo "$median_tally/$median_duck" | bc -l)"
printf '  all tally runs (s): %s\n  all duckdb runs (s): %s\n' "$(printf '%.2f ' "${tally_times[@]}")" "$(printf '%.2f ' "${duck_times[@]}")"
