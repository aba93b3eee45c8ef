#!/usr/bin/env bash
# Ingest benchmark: N takedown rows (default 1,000,000) from one CSV file into
#   - Tally's SQLite store (`tally ingest`: libcsv parse, full validation, keyed insert), and
#   - DuckDB's read_csv into a table of its own database file (the reference),
# on the same file, in the same run. Prints rows/s for each and the ratio.
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

best_tally=999999
for run in 1 2 3; do
  rm -f "$WORK/bench.sqlite"*
  t0=$(now); .build/release/tally ingest --db "$WORK/bench.sqlite" "$CSV" >/dev/null; t1=$(now)
  t=$(echo "$t1 - $t0" | bc -l); (( $(echo "$t < $best_tally" | bc -l) )) && best_tally=$t
done
loaded=$(sqlite3 "$WORK/bench.sqlite" "SELECT count(*) FROM takedowns")

best_duck=$($PY - "$CSV" "$WORK" <<'PY'
import duckdb, os, sys, time
csv, work = sys.argv[1], sys.argv[2]
best = 1e9
for _ in range(3):
    path = os.path.join(work, "bench.duckdb")
    for p in (path, path + ".wal"):
        if os.path.exists(p): os.remove(p)
    t0 = time.perf_counter()
    con = duckdb.connect(path)
    con.execute(f"CREATE TABLE takedowns AS SELECT * FROM read_csv('{csv}', header=true)")
    con.close()
    best = min(best, time.perf_counter() - t0)
print(best)
PY
)
duck_version=$($PY -c 'import duckdb; print(duckdb.__version__)')

printf 'Ingest of %s takedown rows (%.1f MB), best of 3, %s cores, %s\n' "$ROWS" "$(echo "$BYTES/1048576" | bc -l)" "$(nproc)" "$(date -u +%F)"
printf '  tally ingest (validated, keyed, SQLite): %6.2f s  %9.0f rows/s  (%s rows loaded)\n' "$best_tally" "$(echo "$ROWS/$best_tally" | bc -l)" "$loaded"
printf '  duckdb %s read_csv into a table:   %6.2f s  %9.0f rows/s\n' "$duck_version" "$best_duck" "$(echo "$ROWS/$best_duck" | bc -l)"
printf '  ratio tally/duckdb time: %.2f\n' "$(echo "$best_tally/$best_duck" | bc -l)"
