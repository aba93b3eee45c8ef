#!/usr/bin/env bash
# `tally stats` and `tally bulletin` benchmark (issues 4 and 6): a store of T takedowns (default
# 10,000,000), V victims (1,000,000) and A arrests (100,000); a fresh `tally stats --period
# 2024-08` process, first with the column cache cold (built from SQLite), then warm, best of 5
# wall-clock runs; then the August 2024 bulletin (PDF, charts, tables, manifest), best of 3.
# Usage: Benchmarks/stats.sh [T [V [A]]]
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-10000000}; V=${2:-1000000}; A=${3:-100000}
WORK=Benchmarks/data/stats-$T-$V-$A
mkdir -p "$WORK"
swift build -c release --product tally >/dev/null
swift build -c release --product tally-sample >/dev/null
TALLY=.build/release/tally
if [ ! -f "$WORK/takedowns.csv" ]; then
  .build/release/tally-sample --takedowns "$T" --victims "$V" --arrests "$A" --out "$WORK" >/dev/null
fi
DB="$WORK/store.sqlite"
if [ ! -f "$DB" ]; then
  t0=$(date +%s.%N)
  $TALLY ingest --db "$DB" "$WORK/arrests.csv" "$WORK/victims.csv" "$WORK/takedowns.csv" >/dev/null
  echo "ingest: $(echo "$(date +%s.%N) - $t0" | bc -l | cut -c1-6) s"
fi
run() { local t0 t1; t0=$(date +%s.%N); $TALLY stats --db "$DB" --period 2024-08 --format json >/dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
rm -rf "$DB.cache"
cold=$(run)
best=999
for i in 1 2 3 4 5; do t=$(run); (( $(echo "$t < $best" | bc -l) )) && best=$t; done
rss=$( { /usr/bin/time -f "%M" $TALLY stats --db "$DB" --period 2024-08 --format json >/dev/null; } 2>&1 | tail -1)
printf "tally stats --period 2024-08 over %'d takedowns, %'d victims, %'d arrests\n" "$T" "$V" "$A"
printf "  fresh process, cache cold (reads SQLite, writes the cache): %.3f s\n" "$cold"
printf "  fresh process, cache warm (best of 5):                      %.3f s   (target < 1 s)\n" "$best"
printf "  peak RSS (warm): %s KB\n" "$rss"
bulletin() { local t0 t1; t0=$(date +%s.%N); $TALLY bulletin --db "$DB" --period 2024-08 --lang ko --out "$WORK/bulletin" >/dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
bbest=999
for i in 1 2 3; do t=$(bulletin); (( $(echo "$t < $bbest" | bc -l) )) && bbest=$t; done
printf "  tally bulletin --period 2024-08, fresh process (best of 3):  %.3f s   (target < 5 s)\n" "$bbest"
echo "  machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; $($TALLY --version)"
