# Sourced by the benchmark scripts (first-figures.sh, bounds.sh).
# step COMMAND…: one line "wall-seconds CPU-seconds peak-RSS-KB" of the command (CPU = user +
# system, from /usr/bin/time); its output is discarded. A command that fails stops the script
# that sourced this.
[ -x /usr/bin/time ] || { echo "$0 needs /usr/bin/time (Debian's package time)" >&2; exit 1; }
exec 3>&2   # the script's stderr, for the failure message (a step's own stderr is captured)
step() {
  local t0 t1 cpu
  t0=$(date +%s.%N)
  cpu=$( { /usr/bin/time -f '%U %S %M' "$@" >/dev/null || { echo "$0: failed: $*" >&3; kill -TERM $$; exit 1; }; } 2>&1 | tail -1)
  t1=$(date +%s.%N)
  echo "$(echo "$t1 - $t0" | bc -l) $(echo "$cpu" | awk '{print $1 + $2, $3}')"
}
