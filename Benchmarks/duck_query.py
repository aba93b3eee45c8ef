# The month's per-platform compliance query on the database duck_load.py wrote, in a fresh process
# (first-figures.sh, bounds.sh): python duck_query.py DATABASE
import duckdb, sys
con = duckdb.connect(sys.argv[1], read_only=True)
rows = con.execute("""
WITH t AS (
  SELECT platform, outcome, (epoch(resolved_at) - epoch(requested_at)) / 3600.0 AS hours
  FROM takedowns
  WHERE requested_at >= TIMESTAMPTZ '2024-08-01 00:00:00+09' AND requested_at < TIMESTAMPTZ '2024-09-01 00:00:00+09')
SELECT platform, count(*) AS requests,
       count_if(outcome IN ('removed', 'blocked') AND hours <= 24) AS within,
       count_if(outcome IN ('removed', 'blocked') AND hours <= 24) / count(*) AS share,
       quantile_cont(hours, 0.5) FILTER (WHERE outcome IN ('removed', 'blocked')) AS median,
       quantile_cont(hours, 0.9) FILTER (WHERE outcome IN ('removed', 'blocked')) AS p90
FROM t GROUP BY platform ORDER BY platform""").fetchall()
print(len(rows), "platforms")
