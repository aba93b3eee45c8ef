#!/usr/bin/env bash
# Scaling curve (issue 16): CSV → first figures, warm figures and the bulletin at several sizes,
# Tally against DuckDB and Polars on the same files in the same run; every answer checked equal.
# Writes Benchmarks/results-scaling.md, results-scaling.json and scaling.png.
# Usage: Benchmarks/scaling.sh [SIZE ...]     (default: 1000000 10000000 100000000)
# Data in $SCALE_DATA (default Benchmarks/data)/scale-SIZE, reused; 100M takes ~11 GB of CSV,
# ~20 GB of store and ~5 GB of columns, and about half an hour on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=("$@"); [ ${#SIZES[@]} -gt 0 ] || SIZES=(1000000 10000000 100000000)
swift build -c release --product tally >/dev/null
swift build -c release --product tally-sample >/dev/null
# Measure copies, so a rebuild in this checkout during the run cannot swap the binary halfway.
BIN=$(mktemp -d); trap 'rm -rf "$BIN"' EXIT
cp .build/release/tally .build/release/tally-sample "$BIN/"
if [ ! -x Benchmarks/.venv/bin/python ]; then python3 -m venv Benchmarks/.venv; fi
Benchmarks/.venv/bin/python -c 'import duckdb, polars, matplotlib' 2>/dev/null ||
  Benchmarks/.venv/bin/pip install -q duckdb polars matplotlib
Benchmarks/.venv/bin/python Benchmarks/scaling.py "$BIN/tally" "$BIN/tally-sample" "${SIZES[@]}"
