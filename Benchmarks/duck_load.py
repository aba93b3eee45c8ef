# DuckDB's load of a takedowns CSV into a table of its own database file (first-figures.sh, bounds.sh):
# python duck_load.py CSV DATABASE
import duckdb, os, sys
csv, path = sys.argv[1], sys.argv[2]
for p in (path, path + ".wal"):
    if os.path.exists(p): os.remove(p)
cols = ["request_id", "platform", "platform_origin", "content_kind", "requested_by", "detected_by",
        "requested_at", "resolved_at", "outcome"]
types = ", ".join(f"'{c}': '{'TIMESTAMPTZ' if c.endswith('_at') else 'VARCHAR'}'" for c in cols)
con = duckdb.connect(path)
con.execute(f"CREATE TABLE takedowns AS SELECT * FROM read_csv('{csv}', header=true, columns={{{types}}})")
con.close()
