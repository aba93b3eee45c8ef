#!/usr/bin/env bash
# Spark engine benchmark (issue 17): the same CSV files to the same figures, two ways, on the
# same machine —
#   Tally's engine: `tally ingest` into a fresh store (every rule checked, keys de-duplicated),
#                   then `tally stats` (column cache cold), then `tally stats` again (cache warm);
#   Spark local[2]: `tally stats --engine spark --spark-master local[2] --input …` (reads the
#                   CSV, validates and de-duplicates in Spark SQL, runs the catalogue's figure SQL),
#                   with the driver's own split (start-up and reading, validation, figures).
# The two JSON reports are checked equal (engine block aside). N takedowns (default 1,000,000),
# N/10 victims, N/100 arrests from tally-sample. Usage: Benchmarks/spark.sh [N]
# Spark's driver (local mode: the executors too) gets SPARK_DRIVER_MEMORY (default 8g; Spark's own 1g
# runs out of heap at 10M rows).
# Needs Java 17 and pyspark (make spark-test installs both into Tests/spark/.venv).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-${SPARK_BENCH_ROWS:-1000000}}
V=$((N / 10)); A=$((N / 100))
WORK=Benchmarks/data/spark-$N
mkdir -p "$WORK"
swift build -c release --product tally >/dev/null
swift build -c release --product tally-sample >/dev/null
TALLY=$PWD/.build/release/tally
PY=$PWD/Tests/spark/.venv/bin/python
export SPARK_HOME=$($PY -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')
export PYSPARK_PYTHON=$PY PYSPARK_DRIVER_PYTHON=$PY
if [ ! -f "$WORK/takedowns.csv" ]; then
  .build/release/tally-sample --takedowns "$N" --victims "$V" --arrests "$A" --out "$WORK" >/dev/null
fi
secs() { echo "$2 - $1" | bc -l; }
DB="$WORK/store.sqlite"
rm -rf "$DB" "$DB"-* "$DB.cache" "$WORK/cpu.txt"
# CPU seconds (user + system, children included: Spark's JVM is the tally process's child) and peak RSS.
TIME="/usr/bin/time -a -o $WORK/cpu.txt -f %U|%S|%M"
t0=$(date +%s.%N)
$TIME $TALLY ingest --db "$DB" "$WORK/arrests.csv" "$WORK/victims.csv" "$WORK/takedowns.csv" >/dev/null
t1=$(date +%s.%N)
$TIME $TALLY stats --db "$DB" --period 2024-08 --format json > "$WORK/local.json"
t2=$(date +%s.%N)
$TIME $TALLY stats --db "$DB" --period 2024-08 --format json >/dev/null
t3=$(date +%s.%N)
$TIME $TALLY stats --engine spark --spark-master 'local[2]' --spark-conf "spark.driver.memory=${SPARK_DRIVER_MEMORY:-8g}" --spark-keep "$WORK/spark-job" --spark-quarantine "$WORK/quarantine" \
  --input "$WORK/arrests.csv" --input "$WORK/victims.csv" --input "$WORK/takedowns.csv" \
  --period 2024-08 --format json > "$WORK/spark.json"
t4=$(date +%s.%N)
python3 - "$WORK/local.json" "$WORK/spark.json" "$WORK/spark-job/result.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2])); r = json.load(open(sys.argv[3]))
b.pop("engine"); a.pop("vintage", None)  # the store's vintage; the Spark engine reads files
print("  figures equal (every metric and platform row, quantiles bit for bit):", a == b)
t = r["timings"]
print("  Spark driver: %.1f s reading (with start-up), %.1f s validating and de-duplicating, %.1f s figure SQL; Spark %s"
      % (t["read"], t["validate"], t["figures"], r["spark_version"]))
PY
printf "%'d takedowns, %'d victims, %'d arrests (%s of CSV)\n" "$N" "$V" "$A" "$(du -chL "$WORK"/*.csv | tail -1 | cut -f1)"
printf "  Tally: ingest %.1f s + stats (cache cold) %.1f s = %.1f s; stats again (cache warm) %.2f s\n" \
  "$(secs $t0 $t1)" "$(secs $t1 $t2)" "$(secs $t0 $t2)" "$(secs $t2 $t3)"
printf "  Spark local[2], whole tally process (submit, JVM, read, validate, figures): %.1f s\n" "$(secs $t3 $t4)"
cpu() { sed -n "${1}p" "$WORK/cpu.txt" | awk -F'|' '{printf "%.1f s CPU, peak RSS %.0f MB", $1 + $2, $3 / 1024}'; }
echo "  CPU: Tally ingest $(cpu 1); stats cold $(cpu 2); stats warm $(cpu 3); Spark $(cpu 4) (JVM included)"
echo "  machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
