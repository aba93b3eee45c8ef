#!/usr/bin/env bash
# Loads one month's export folder (Data/sample/monthly/2024-MM) into a store, as the office does:
#   1. the month's export files in one batch (new records and updates to earlier ones);
#   2. corrections/*.csv, if any, in a second batch with --revise and the reason in corrections/reason.txt;
#   3. the retractions listed in retractions.tsv (file name, tab, reason), one batch each.
# Usage: Scripts/load-month.sh TALLY DB MONTH_DIR
set -euo pipefail
if [ $# -ne 3 ]; then echo "usage: $0 TALLY DB MONTH_DIR" >&2; exit 2; fi
tally=$1 db=$2 dir=$3
[ -d "$dir" ] || { echo "load-month: no folder $dir" >&2; exit 1; }
"$tally" ingest --db "$db" --format json "$dir"/*.csv > /dev/null
if [ -d "$dir/corrections" ]; then
  "$tally" ingest --db "$db" --format json --revise --reason "$(cat "$dir/corrections/reason.txt")" "$dir"/corrections/*.csv > /dev/null
fi
if [ -f "$dir/retractions.tsv" ]; then
  while IFS=$'\t' read -r file reason; do
    "$tally" retract --db "$db" --file "$file" --reason "$reason" --format json > /dev/null
  done < "$dir/retractions.tsv"
fi
