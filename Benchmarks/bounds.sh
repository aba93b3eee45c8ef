#!/usr/bin/env bash
# Lower bounds behind the two speed targets that are not met (README, Benchmarks: "What cannot be
# met"), measured in one run beside what they bound:
#
# Issue 16, "CSV to first figures no slower than DuckDB" (10M takedowns). DuckDB's whole path is
# measured (read_csv into its file, then the month's query in a second process, as
# first-figures.sh does). Against it, the part of Tally's path that no parser, validator or cache
# can remove while the store is an ordinary, crash-safe SQLite database keyed by request_id:
# SQLite writing the rows. Measured with the sqlite3 program on a copy of the store Tally just
# loaded: the rows copied, already typed, inside SQLite (`INSERT INTO t2 SELECT … FROM takedowns`,
# t2 with the store's own definition: WITHOUT ROWID, keyed by request_id; in key order, so every
# insert appends), in WAL mode with synchronous = FULL, then the checkpoint — minus a scan of the
# same rows. No CSV is parsed, nothing validated, no history or segment written: Tally's load can
# only cost more.
#
# Issue 18, "decisions load at least as fast as takedowns" (rows per second, 10M each). Against
# `tally ingest` of the takedowns, two things every decisions load must do under the project's
# rules: read the CSV with libcsv (no parser of our own; Benchmarks/csv-parse-only.c counts fields
# and rows and does nothing else) and take the file's SHA-256 (the manifest's provenance), by
# `openssl dgst -sha256` (as fast as any; sha256sum when openssl is missing). Their CPU seconds,
# spread perfectly over the machine's cores, bound the decisions load's wall time from below.
#
# Usage: Benchmarks/bounds.sh [ROWS]   (default 10,000,000)
#   TAKEDOWNS_CSV=… DECISIONS_CSV=…   files to use instead of generating ROWS rows of each
#   BOUNDS_DIR=dir                     where files, stores and DuckDB's database go (Benchmarks/data/bounds;
#                                      at 10M about 12 GB of decisions CSV, 2 GB of stores, 1 GB for DuckDB)
#   TALLY=path                         the tally binary (default: this tree's release build)
# Writes Benchmarks/results-bounds.md.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
. Benchmarks/step.sh
ROWS=${1:-10000000}
WORK=${BOUNDS_DIR:-Benchmarks/data/bounds}
mkdir -p "$WORK"
if [ -z "${TALLY:-}" ]; then swift build -c release --product tally >/dev/null; TALLY=.build/release/tally; fi
TCSV=${TAKEDOWNS_CSV:-$WORK/takedowns-$ROWS.csv}
DCSV=${DECISIONS_CSV:-$WORK/decisions-$ROWS.csv}
if [ ! -f "$TCSV" ] || [ ! -f "$DCSV" ]; then
  swift build -c release --product tally-sample >/dev/null
  [ -f "$TCSV" ] || { .build/release/tally-sample --takedowns-only "$ROWS" --out "$WORK" >/dev/null && mv "$WORK/takedowns.csv" "$TCSV"; }
  [ -f "$DCSV" ] || { .build/release/tally-sample --decisions "$ROWS" --out "$WORK" >/dev/null && mv "$WORK/decisions.csv" "$DCSV"; }
fi
if [ ! -x Benchmarks/.venv/bin/python ]; then
  python3 -m venv Benchmarks/.venv
  Benchmarks/.venv/bin/pip install -q duckdb polars
fi
PY=Benchmarks/.venv/bin/python
PARSE="$WORK/csv-parse-only"
gcc -O2 -o "$PARSE" Benchmarks/csv-parse-only.c -lcsv
if command -v openssl >/dev/null; then SHA=(openssl dgst -sha256); else SHA=(sha256sum); fi
CORES=$(nproc)

f() { printf '%.2f' "$1"; }

# Both files read once first, so that every step finds them in the page cache.
cat "$TCSV" "$DCSV" >/dev/null

# --- Issue 16 ---
STORE="$WORK/store.sqlite"
rm -rf "$STORE" "$STORE"-wal "$STORE"-shm "$STORE".cache
read -r t_ing t_ing_cpu _ <<<"$(step "$TALLY" ingest --db "$STORE" "$TCSV")"
read -r t_sta t_sta_cpu _ <<<"$(step "$TALLY" stats --db "$STORE" --period 2024-08 --format json)"

read -r d_load d_load_cpu _ <<<"$(step "$PY" Benchmarks/duck_load.py "$TCSV" "$WORK/bench.duckdb")"
read -r d_query d_query_cpu _ <<<"$(step "$PY" Benchmarks/duck_query.py "$WORK/bench.duckdb")"
rm -f "$WORK/bench.duckdb" "$WORK/bench.duckdb.wal"

# SQLite writing the rows of TABLE of a loaded store: a copy of the store (checkpointed), a table
# t2 with TABLE's own definition, the rows copied into it (synchronous SYNC, WAL, checkpoint) and,
# apart, every column of every row read by a subquery (what the copy reads, subtracted from it; the
# subquery's own overhead makes the difference smaller, so the floor lower); prints "scan-wall
# scan-cpu copy-wall copy-cpu rows".
sqlite_write() {
  local store=$1 table=$2 sync=$3 copy="$WORK/copy.sqlite" ddl a b n columns
  rm -f "$copy" "$copy"-wal "$copy"-shm
  sqlite3 "$store" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
  cp "$store" "$copy"
  ddl=$(sqlite3 "$copy" "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '$table'" | sed "s/CREATE TABLE $table/CREATE TABLE t2/; s/REFERENCES files(id)//")
  sqlite3 "$copy" "PRAGMA journal_mode = WAL" >/dev/null
  sqlite3 "$copy" "$ddl" >/dev/null
  cat "$copy" >/dev/null
  # The scan hands every column of every row to an outer query (a subquery that SQLite runs as a
  # coroutine); checked in its plan — one Column operation per column at least — because a later
  # SQLite may leave unused columns unread, which would make the floor too high.
  local scan="SELECT count(*) FROM (SELECT * FROM $table WHERE file_id IS NOT NULL LIMIT -1 OFFSET 0)"
  columns=$(sqlite3 "$copy" "SELECT count(*) FROM pragma_table_info('$table')")
  n=$(sqlite3 "$copy" "EXPLAIN $scan" | awk '$2 == "Column"' | wc -l)
  [ "$n" -ge "$columns" ] || { echo "bounds.sh: this SQLite's scan reads $n of $table's $columns columns; the floor would be wrong" >&2; kill -TERM $$; exit 1; }
  a=$(step sqlite3 "$copy" -cmd "PRAGMA synchronous = $sync" -cmd "PRAGMA cache_size = -524288" "$scan")
  b=$(step sqlite3 "$copy" -cmd "PRAGMA synchronous = $sync" -cmd "PRAGMA cache_size = -524288" \
    -cmd "BEGIN" -cmd "INSERT INTO t2 SELECT * FROM $table WHERE file_id IS NOT NULL" -cmd "COMMIT" \
    "PRAGMA wal_checkpoint(TRUNCATE)")
  n=$(sqlite3 "$copy" "SELECT count(*) FROM t2")
  [ "$n" = "$(sqlite3 "$store" "SELECT count(*) FROM $table")" ] || { echo "bounds.sh: the copy of $table holds $n rows" >&2; kill -TERM $$; exit 1; }
  rm -f "$copy" "$copy"-wal "$copy"-shm
  echo "$(cut -d' ' -f1,2 <<<"$a") $(cut -d' ' -f1,2 <<<"$b") $n"
}
read -r s_scan s_scan_cpu s_copy s_copy_cpu copied <<<"$(sqlite_write "$STORE" takedowns FULL)"
s_write=$(echo "$s_copy - $s_scan" | bc -l)
s_write_cpu=$(echo "$s_copy_cpu - $s_scan_cpu" | bc -l)
read -r n_scan n_scan_cpu n_copy n_copy_cpu _ <<<"$(sqlite_write "$STORE" takedowns NORMAL)"
n_write=$(echo "$n_copy - $n_scan" | bc -l)

# --- Issue 18 ---
read -r p_parse p_parse_cpu _ <<<"$(step "$PARSE" "$DCSV")"
read -r p_sha p_sha_cpu _ <<<"$(step "${SHA[@]}" "$DCSV")"
DSTORE="$WORK/decisions.sqlite"
rm -rf "$DSTORE" "$DSTORE"-wal "$DSTORE"-shm "$DSTORE".cache
read -r d_ing d_ing_cpu _ <<<"$(step "$TALLY" ingest --db "$DSTORE" "$DCSV")"
read -r w_scan w_scan_cpu w_copy w_copy_cpu _ <<<"$(sqlite_write "$DSTORE" decisions FULL)"
w_write_cpu=$(echo "$w_copy_cpu - $w_scan_cpu" | bc -l)
rm -rf "$DSTORE" "$DSTORE"-wal "$DSTORE"-shm "$DSTORE".cache "$STORE" "$STORE"-wal "$STORE"-shm "$STORE".cache
# The most generous floor: all three as CPU work spread perfectly over every core (a file split
# among several libcsv parsers, SQLite writing beside them); the disk's waits not counted.
floor_cpu=$(echo "$p_parse_cpu + $p_sha_cpu + $w_write_cpu" | bc -l)
floor_wall=$(echo "$floor_cpu / $CORES" | bc -l)

trows=$(( $(wc -l < "$TCSV") - 1 )); drows=$(( $(wc -l < "$DCSV") - 1 ))
tmb=$(( $(stat -L -c %s "$TCSV") / 1048576 )); dmb=$(( $(stat -L -c %s "$DCSV") / 1048576 ))
OUT=Benchmarks/results-bounds.md
{
  echo "# Lower bounds of the unmet speed targets ($(date -u +%F), $CORES cores, one run; \`Benchmarks/bounds.sh\`)"
  echo
  echo "## Issue 16: CSV to first figures, $trows takedowns ($tmb MB)"
  echo
  echo "| step | wall s | CPU s |"
  echo "|---|---:|---:|"
  echo "| \`tally ingest\` | $(f "$t_ing") | $(f "$t_ing_cpu") |"
  echo "| \`tally stats\` (first figures) | $(f "$t_sta") | $(f "$t_sta_cpu") |"
  echo "| **Tally, CSV to first figures** | **$(f "$(echo "$t_ing + $t_sta" | bc -l)")** | $(f "$(echo "$t_ing_cpu + $t_sta_cpu" | bc -l)") |"
  echo "| DuckDB \`read_csv\` into its file | $(f "$d_load") | $(f "$d_load_cpu") |"
  echo "| DuckDB, the month's query | $(f "$d_query") | $(f "$d_query_cpu") |"
  echo "| **DuckDB, CSV to first figures** | **$(f "$(echo "$d_load + $d_query" | bc -l)")** | $(f "$(echo "$d_load_cpu + $d_query_cpu" | bc -l)") |"
  echo "| sqlite3: scan of the stored rows | $(f "$s_scan") | $(f "$s_scan_cpu") |"
  echo "| sqlite3: the same rows copied into a table keyed as the store's (WAL, synchronous FULL, checkpoint; $copied rows) | $(f "$s_copy") | $(f "$s_copy_cpu") |"
  echo "| **SQLite writing the rows (copy − scan): a floor under any crash-safe SQLite store's load** | **$(f "$s_write")** | $(f "$s_write_cpu") |"
  echo "| the same with synchronous NORMAL (crash-safe in WAL mode, not durable at a power cut) | $(f "$n_write") | |"
  echo
  echo "The \`sqlite3\` program keeps SQLite's memory statistics and mutexes on, which Tally turns off; it"
  echo "adds a little to the copy's CPU (the floor errs high by that). The scan passes every row through a"
  echo "subquery of its own, which the copy does not, so the difference errs low by that."
  echo
  echo "SQLite's writing alone is $(f "$(echo "$s_write / ($d_load + $d_query)" | bc -l)")× DuckDB's whole path to first figures (wall; $(f "$(echo "$n_write / ($d_load + $d_query)" | bc -l)")× with synchronous NORMAL)."
  echo
  echo "## Issue 18: $drows decisions ($dmb MB) against $trows takedowns"
  echo
  echo "| step | wall s | CPU s |"
  echo "|---|---:|---:|"
  echo "| \`tally ingest\` of the takedowns | $(f "$t_ing") | $(f "$t_ing_cpu") |"
  echo "| libcsv reading the decisions, nothing else | $(f "$p_parse") | $(f "$p_parse_cpu") |"
  echo "| SHA-256 of the decisions file (\`${SHA[*]}\`) | $(f "$p_sha") | $(f "$p_sha_cpu") |"
  echo "| SQLite writing the stored decisions (copy − scan, as for issue 16) | $(f "$(echo "$w_copy - $w_scan" | bc -l)") | $(f "$w_write_cpu") |"
  echo "| **floor of a decisions load: the three CPU times spread perfectly over $CORES cores** | **$(f "$floor_wall")** | $(f "$floor_cpu") |"
  echo "| \`tally ingest\` of the decisions | $(f "$d_ing") | $(f "$d_ing_cpu") |"
  echo
  echo "The parse and the hash each read the file (Tally maps it once for both): about 1 s of system time"
  echo "of the floor's CPU at 10M rows is that second read."
  echo
  echo "Per row, the floor is $(f "$(echo "($floor_wall / $drows) / ($t_ing / $trows)" | bc -l)")× the takedowns' whole load by wall clock and $(f "$(echo "($floor_cpu / $drows) / ($t_ing_cpu / $trows)" | bc -l)")× by CPU;"
  echo "the decisions load runs at $(f "$(echo "($drows / $d_ing) / ($trows / $t_ing)" | bc -l)") of the takedowns' rows per second (wall), $(f "$(echo "($drows / $d_ing_cpu) / ($trows / $t_ing_cpu)" | bc -l)") (CPU)."
} > "$OUT"
cat "$OUT"
