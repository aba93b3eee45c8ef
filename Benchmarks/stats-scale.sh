#!/usr/bin/env bash
# A fresh `tally stats --period 2024-08 --format json` over existing stores (issue 16: a month
# over 100M takedowns < 3 s, peak memory < 1.5x the column bytes): per store, RUNS fresh
# processes with the column cache warm (one run first to warm it and the page cache), each
# with wall, user and system seconds and peak RSS (/usr/bin/time), then the peak RSS over the
# bytes of the cached columns (the sizes of every .tcol under <store>.cache: bases and segments). With BASE=/path/to/tally, the
# same runs of that binary alternate with this one and the two reports are checked equal.
# Reads the stores only (the cache is rewritten only when stale, as by any `tally` read).
# Usage: Benchmarks/stats-scale.sh STORE.sqlite [STORE.sqlite ...]   (RUNS=3, TALLY=.build/release/tally)
set -euo pipefail
cd "$(dirname "$0")/.."
TALLY=${TALLY:-.build/release/tally}
RUNS=${RUNS:-3}
[ -x "$TALLY" ] || swift build -c release --product tally >/dev/null
OUT=$(mktemp -d); trap 'rm -rf "$OUT"' EXIT
one() {  # binary store label
  /usr/bin/time -f "%e %U %S %M" -o "$OUT/time" "$1" stats --db "$2" --period 2024-08 --format json > "$OUT/$3.json"
  read -r e u s m < "$OUT/time"
  local bytes; bytes=$(find "$2.cache" -name '*.tcol' -printf '%s\n' | paste -sd+ | bc)   # bases and any segments
  printf "  %-6s wall %6.2f s  user %6.2f s  sys %5.2f s  CPU %6.2f s  peak RSS %6.0f MB = %.2fx the %.0f MB of columns\n" \
    "$3" "$e" "$u" "$s" "$(echo "$u + $s" | bc)" "$(echo "$m / 1024" | bc -l)" "$(echo "$m * 1024 / $bytes" | bc -l)" "$(echo "$bytes / 1048576" | bc -l)"
}
for db in "$@"; do
  echo "$db ($(stat -c %s "$db.cache/takedowns.tcol" 2>/dev/null || echo '?') bytes of takedown columns)"
  "$TALLY" stats --db "$db" --period 2024-08 --format json >/dev/null   # warm
  for i in $(seq "$RUNS"); do
    one "$TALLY" "$db" this
    if [ -n "${BASE:-}" ]; then one "$BASE" "$db" base; cmp -s "$OUT/this.json" "$OUT/base.json" || { echo "  reports differ"; exit 1; }; fi
  done
done
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $("$TALLY" --version)"
