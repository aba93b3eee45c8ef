#!/usr/bin/env bash
# Workbook ingest benchmark: N takedown rows (default 1,000,000) loaded by `tally ingest` (release
# build) from a CSV file and from the same rows as an .xlsx workbook, runs alternating
# (XLSX_BENCH_RUNS runs each, default 3). Prints best and median rows/s of each, their ratio
# (target: the workbook at no less than a third of the CSV rate), and the peak RSS of the
# workbook loads against the size of the sheet's XML (the load streams: memory must be far below it).
#
# The CSV comes from `tally-sample`; the workbook is written from it by xlsxwriter in its
# constant_memory mode (a streaming writer: inline strings, one row in memory), every field a
# string cell exactly as in the CSV, so both loads hold the same records. xlsxwriter comes from
# PyPI into Benchmarks/.venv.
# Usage: Benchmarks/xlsx.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
WORK=Benchmarks/data
mkdir -p "$WORK"
CSV="$WORK/takedowns-$ROWS.csv"
XLSX="$WORK/takedowns-$ROWS.xlsx"

swift build -c release --product tally >/dev/null
swift build -c release --product tally-sample >/dev/null
[ -f "$CSV" ] || { .build/release/tally-sample --takedowns-only "$ROWS" --out "$WORK" >/dev/null && mv "$WORK/takedowns.csv" "$CSV"; }

if [ ! -x Benchmarks/.venv/bin/python ]; then python3 -m venv Benchmarks/.venv; fi
Benchmarks/.venv/bin/python -c 'import xlsxwriter' 2>/dev/null || Benchmarks/.venv/bin/pip install -q xlsxwriter
PY=Benchmarks/.venv/bin/python

if [ ! -f "$XLSX" ] || [ "$XLSX" -ot "$CSV" ]; then
  echo "Writing $XLSX from $CSV (xlsxwriter, constant_memory)..." >&2
  $PY - "$CSV" "$XLSX" <<'PY'
import csv, sys, xlsxwriter
src, dst = sys.argv[1], sys.argv[2]
wb = xlsxwriter.Workbook(dst + ".tmp", {"constant_memory": True, "strings_to_numbers": False})
ws = wb.add_worksheet("takedowns")
with open(src, newline="", encoding="utf-8") as f:
    for r, row in enumerate(csv.reader(f)):
        for c, v in enumerate(row):
            if v != "":
                ws.write_string(r, c, v)
wb.close()
import os; os.replace(dst + ".tmp", dst)
PY
fi

now() { date +%s.%N; }
RUNS=${XLSX_BENCH_RUNS:-3}
SHEET_XML=$(unzip -l "$XLSX" xl/worksheets/sheet1.xml | awk 'NR == 4 {print $1}')

csv_times=(); xlsx_times=(); xlsx_rss=(); csv_rss=(); csv_cpu=(); xlsx_cpu=()
for run in $(seq "$RUNS"); do
  for kind in csv xlsx; do
    rm -f "$WORK/bench-xlsx.sqlite"*
    file=$CSV; [ "$kind" = xlsx ] && file=$XLSX
    t0=$(now)
    read -r rss cpu < <( { /usr/bin/time -f '%M %U %S' .build/release/tally ingest --db "$WORK/bench-xlsx.sqlite" "$file" >/dev/null; } 2>&1 | tail -1 | awk '{print $1, $2 + $3}')
    t1=$(now)
    loaded=$(sqlite3 "$WORK/bench-xlsx.sqlite" "SELECT loaded + duplicates + quarantined FROM files")
    [ "$loaded" = "$ROWS" ] || { echo "error: $kind load accounted for $loaded rows, not $ROWS" >&2; exit 1; }
    if [ "$kind" = csv ]; then csv_times+=("$(echo "$t1 - $t0" | bc -l)"); csv_rss+=("$rss"); csv_cpu+=("$cpu")
    else xlsx_times+=("$(echo "$t1 - $t0" | bc -l)"); xlsx_rss+=("$rss"); xlsx_cpu+=("$cpu"); fi
  done
done
# The two stores must hold the same records.
rm -f "$WORK/bench-xlsx.sqlite"* "$WORK/bench-csv.sqlite"*
.build/release/tally ingest --db "$WORK/bench-xlsx.sqlite" "$XLSX" >/dev/null
.build/release/tally ingest --db "$WORK/bench-csv.sqlite" "$CSV" >/dev/null
same=$(sqlite3 "$WORK/bench-xlsx.sqlite" "ATTACH '$WORK/bench-csv.sqlite' AS c;
  SELECT count(*) FROM (SELECT request_id, platform, requested_at, resolved_at, outcome, row_hash, line FROM takedowns
                        EXCEPT SELECT request_id, platform, requested_at, resolved_at, outcome, row_hash, line FROM c.takedowns);")
[ "$same" = 0 ] || { echo "error: the workbook's records differ from the CSV's in $same rows" >&2; exit 1; }

stat_of() { # best and median of the arguments
  printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[1], (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'
}
read -r best_csv median_csv <<<"$(stat_of "${csv_times[@]}")"
read -r best_xlsx median_xlsx <<<"$(stat_of "${xlsx_times[@]}")"
read -r _ rss_xlsx <<<"$(stat_of "${xlsx_rss[@]}")"
read -r _ rss_csv <<<"$(stat_of "${csv_rss[@]}")"
read -r _ cpu_csv <<<"$(stat_of "${csv_cpu[@]}")"
read -r _ cpu_xlsx <<<"$(stat_of "${xlsx_cpu[@]}")"

printf 'Ingest of %s takedown rows, %s alternating runs each, %s cores, %s\n' "$ROWS" "$RUNS" "$(nproc)" "$(date -u +%F)"
printf '  CSV  (%.1f MB):                       best %5.2f s = %7.0f rows/s   median %5.2f s = %7.0f rows/s   peak RSS %.0f MB\n' \
  "$(echo "$(stat -c %s "$CSV")/1048576" | bc -l)" "$best_csv" "$(echo "$ROWS/$best_csv" | bc -l)" \
  "$median_csv" "$(echo "$ROWS/$median_csv" | bc -l)" "$(echo "$rss_csv/1024" | bc -l)"
printf '  xlsx (%.1f MB, sheet XML %.0f MB):    best %5.2f s = %7.0f rows/s   median %5.2f s = %7.0f rows/s   peak RSS %.0f MB\n' \
  "$(echo "$(stat -c %s "$XLSX")/1048576" | bc -l)" "$(echo "$SHEET_XML/1048576" | bc -l)" "$best_xlsx" "$(echo "$ROWS/$best_xlsx" | bc -l)" \
  "$median_xlsx" "$(echo "$ROWS/$median_xlsx" | bc -l)" "$(echo "$rss_xlsx/1024" | bc -l)"
printf '  xlsx rate / CSV rate: best %.2f, median %.2f (target >= 0.33); same records: yes\n' \
  "$(echo "$best_csv/$best_xlsx" | bc -l)" "$(echo "$median_csv/$median_xlsx" | bc -l)"
printf '  CPU (user + sys, median): CSV %.2f s, xlsx %.2f s (ratio %.2f); load average now: %s\n' \
  "$cpu_csv" "$cpu_xlsx" "$(echo "$cpu_csv/$cpu_xlsx" | bc -l)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '  all CSV runs (s): %s\n  all xlsx runs (s): %s\n' "$(printf '%.2f ' "${csv_times[@]}")" "$(printf '%.2f ' "${xlsx_times[@]}")"
