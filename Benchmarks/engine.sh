#!/usr/bin/env bash
# Engine benchmark: N takedown rows (default 10,000,000), one generated CSV, in one run:
#   1. per-platform compliance query in memory: tally query vs DuckDB (in-memory table) vs Polars (DataFrame)
#   2. per-platform count in memory, same three
#   3. a fresh process over data already stored: `tally query` (warm column cache) vs
#      python + duckdb on its own database file (read-only)
#   4. peak RSS: Tally vs its column bytes, DuckDB and Polars for context
# Every engine's answer is checked against Tally's; a difference fails the run.
# Prints a Markdown report and writes it to Benchmarks/results-engine.md.
# Usage: Benchmarks/engine.sh [ROWS]     (DuckDB and Polars come from PyPI into Benchmarks/.venv)
# Data (CSV, Tally store + column cache, bench.duckdb) stays in Benchmarks/data/engine-ROWS and is reused.
# Timed runs wait for an idle machine and are retaken when other processes disturb them; the waiting
# stops after ENGINE_BENCH_MAX_WAIT seconds in all (default 900), and the report says how quiet it was.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-10000000}
WORK=Benchmarks/data/engine-$ROWS
CSV="$WORK/takedowns.csv"
DB="$WORK/bench.sqlite"
mkdir -p "$WORK"

swift build -c release --product tally >/dev/null
swift build -c release --product tally-sample >/dev/null
# Measure a copy, so a rebuild in this checkout during the run cannot swap the binary halfway.
cp .build/release/tally "$WORK/tally"

if [ ! -f "$CSV" ]; then
  echo "generating $ROWS takedown rows ..." >&2
  rm -rf "$WORK/.gen"
  .build/release/tally-sample --takedowns "$ROWS" --utc --out "$WORK/.gen" >/dev/null
  mv "$WORK/.gen/takedowns.csv" "$CSV" && rmdir "$WORK/.gen"
fi

if [ ! -f "$DB" ] || [ ! "$DB" -nt "$CSV" ]; then
  echo "ingesting into $DB ..." >&2
  rm -rf "$DB" "$DB"-* "$DB".cache "$DB".tmp* "$WORK"/bench.duckdb*
  start=$(date +%s.%N)
  "$WORK/tally" ingest --db "$DB.tmp" "$CSV" >/dev/null
  mv "$DB.tmp" "$DB"
  printf 'ingest: %.1f s\n' "$(echo "$(date +%s.%N) - $start" | bc -l)" >&2
fi

if [ ! -x Benchmarks/.venv/bin/python ]; then
  python3 -m venv Benchmarks/.venv
  Benchmarks/.venv/bin/pip install -q duckdb polars
fi
Benchmarks/.venv/bin/python -c 'import duckdb, polars' 2>/dev/null || Benchmarks/.venv/bin/pip install -q duckdb polars

exec Benchmarks/.venv/bin/python Benchmarks/engine.py "$ROWS" "$WORK" "$WORK/tally" Benchmarks/results-engine.md
