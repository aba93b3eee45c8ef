#!/usr/bin/env bash
# Vintage benchmark: ROWS takedowns (default 10,000,000) loaded, then UPDATES of them
# (default 1,000,000: pending requests resolved, else an empty `detected_by`,
# `platform_origin` or `content_kind` filled) in 12
# batches; then a fresh `tally stats` for one month at the latest vintage and at an older
# one (batch 7), each with its cache warm, alternating, RUNS runs each (default 5).
# Prints every run, best and median, and the ratio old/latest.
# Usage: Benchmarks/vintage.sh [ROWS] [UPDATES]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-10000000}
UPDATES=${2:-1000000}
RUNS=${VINTAGE_BENCH_RUNS:-5}
WORK=Benchmarks/data/vintage-$ROWS
mkdir -p "$WORK"
swift build -c release --product tally >/dev/null
swift build -c release --product tally-sample >/dev/null
T=.build/release/tally
CSV="$WORK/takedowns.csv"
[ -f "$CSV" ] || .build/release/tally-sample --takedowns "$ROWS" --out "$WORK" >/dev/null
if [ ! -f "$WORK/updates-12.csv" ]; then
  # Updates: pending requests resolved (removed at their request time), else empty fields
  # filled, until UPDATES rows; split into 12 files in file order.
  awk -F, -v OFS=, -v n="$UPDATES" 'NR == 1 { print > "/dev/stderr"; next }
    $9 == "pending" && k < n { $8 = $7; $9 = "removed"; print; k++; next }
    $6 == "" && k < n { $6 = "ai"; print; k++; next }
    $3 == "" && k < n { $3 = ($2 == "Naver" || $2 == "Kakao" ? "domestic" : "overseas"); print; k++; next }
    $4 == "" && k < n { $4 = "image"; print; k++ }' "$CSV" 2> "$WORK/header.csv" > "$WORK/updates.csv"
  lines=$(wc -l < "$WORK/updates.csv"); per=$(( (lines + 11) / 12 ))
  split -l "$per" -d -a 2 "$WORK/updates.csv" "$WORK/part-"
  i=1; for f in "$WORK"/part-*; do cat "$WORK/header.csv" "$f" > "$WORK/updates-$i.csv"; rm "$f"; i=$((i + 1)); done
fi
DB="$WORK/store.sqlite"
if [ ! -f "$DB" ]; then
  t0=$(date +%s.%N); $T ingest --db "$DB" "$CSV" >/dev/null; t1=$(date +%s.%N)
  echo "load of $ROWS rows: $(echo "$t1 - $t0" | bc -l | cut -c1-6) s"
  for i in $(seq 1 12); do $T ingest --db "$DB" "$WORK/updates-$i.csv" > /dev/null; done
  t2=$(date +%s.%N); echo "12 update batches: $(echo "$t2 - $t1" | bc -l | cut -c1-6) s"
fi
sqlite3 "$DB" "SELECT 'updated versions: ' || sum(updated) FROM files; SELECT 'history rows: ' || count(*) FROM takedowns_history; SELECT 'batches: ' || max(id) FROM batches"
# Warm both caches.
$T stats --db "$DB" --period 2024-08 --format json > /dev/null
$T stats --db "$DB" --period 2024-08 --vintage 7 --format json > /dev/null
latest=(); old=()
for run in $(seq "$RUNS"); do
  t0=$(date +%s.%N); $T stats --db "$DB" --period 2024-08 --format json > /dev/null; t1=$(date +%s.%N)
  $T stats --db "$DB" --period 2024-08 --vintage 7 --format json > /dev/null; t2=$(date +%s.%N)
  latest+=("$(echo "$t1 - $t0" | bc -l)"); old+=("$(echo "$t2 - $t1" | bc -l)")
done
stat_of() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {printf "best %.2f s, median %.2f s", a[1], a[int((NR+1)/2)]}'; }
med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "stats --period 2024-08, latest vintage (batch 13): $(stat_of "${latest[@]}")"
echo "stats --period 2024-08, --vintage 7:              $(stat_of "${old[@]}")"
echo "ratio of medians old/latest: $(echo "$(med "${old[@]}") / $(med "${latest[@]}")" | bc -l | cut -c1-4)"
echo "all latest runs (s): ${latest[*]}"
echo "all --vintage 7 runs (s): ${old[*]}"
