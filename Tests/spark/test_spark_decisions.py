"""Decisions (the EU DSA Transparency Database's statements of reasons, decisions.md) through
`--engine spark`: the real fixtures and a seeded generated set with every quirk and bad row,
against `tally ingest` and Tally's own engine — per-file counts, every quarantined row (line,
column, value, reason in the same words), every figure (counts equal, quantiles bit for bit),
`tally rank --kind decisions`. One Spark job per set: the generated set's job also reads the
fixtures (decisions.* and decision_platforms of both), and `rank` is a second job on the fixtures.
"""
import csv
import glob
import io
import json
import os
import random

from test_spark import ROOT, figures_equal, key, local_and_spark, quarantined_rows, spark_env, tally

FIXTURES = "/work/shared/fixtures/dsa"
if not os.path.isdir(FIXTURES):
    FIXTURES = os.path.join(ROOT, "Tests/TallyStoreTests/Fixtures/dsa")


def header():
    with open(sorted(glob.glob(os.path.join(FIXTURES, "*.csv")))[0], encoding="utf-8") as f:
        return next(csv.reader(f))


CATEGORIES = ["STATEMENT_CATEGORY_PROTECTION_OF_MINORS", "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", "STATEMENT_CATEGORY_VIOLENCE",
              "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT", "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
              "statement_category_illegal_or_harmful_speech"]
KEYWORDS = ["KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL", "KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS", "KEYWORD_HATE_SPEECH", "KEYWORD_OTHER"]
VISIBILITY = ["DECISION_VISIBILITY_CONTENT_REMOVED", "DECISION_VISIBILITY_CONTENT_DISABLED", "DECISION_VISIBILITY_CONTENT_DEMOTED",
              "DECISION_VISIBILITY_OTHER"]
PLATFORMS = ["TikTok", "Discord Netherlands B.V.", "Discord", "Pinterest", "AliExpress", "Some Small Forum", "tiktok"]
COUNTRIES = ["AT", "BE", "DE", "EE", "FR", "IT", "NL"]


def jarr(rng, items, k):
    xs = rng.sample(items, k)
    if xs and rng.random() < 0.2:
        xs.append(xs[0])  # a member twice: the same set
    return json.dumps(xs, separators=(",", " "[:rng.randrange(2)] or ","))


def generate(folder, seed):
    """Two files of decisions: schema v1 (37 columns) and v2 (38: content_id_ean after
    content_date); duplicates, an update (adds set members), conflicts, bad rows of every kind
    the contract names, a row with a leaked \\" whose quoting runs open, `[]` and empty sets."""
    rng = random.Random(seed)
    cols = header()
    base = 1709251200  # 2024-03-01T00:00Z

    def day(t):
        import datetime
        return datetime.datetime.utcfromtimestamp(t).strftime("%Y-%m-%d")

    rows = []
    for i in range(700):
        app = base + rng.randrange(-10, 40) * 86400
        r = {c: "" for c in cols}
        r["uuid"] = "u-%05d" % i
        r["platform_name"] = rng.choice(PLATFORMS)
        r["platform_uid"] = "%09d" % rng.randrange(10**6)
        r["category"] = rng.choice(CATEGORIES)
        r["category_specification"] = rng.choice(["", "[]", jarr(rng, KEYWORDS, rng.randrange(1, 3))])
        r["content_type"] = rng.choice(["", '["CONTENT_TYPE_VIDEO"]', '["CONTENT_TYPE_IMAGE","CONTENT_TYPE_TEXT"]'])
        r["decision_visibility"] = rng.choice(["", "[]", jarr(rng, VISIBILITY, rng.randrange(1, 3))])
        r["decision_ground"] = rng.choice(["DECISION_GROUND_ILLEGAL_CONTENT", "DECISION_GROUND_INCOMPATIBLE_CONTENT"])
        r["automated_detection"] = rng.choice(["Yes", "No"])
        r["automated_decision"] = rng.choice(["AUTOMATED_DECISION_FULLY", "AUTOMATED_DECISION_PARTIALLY", "AUTOMATED_DECISION_NOT_AUTOMATED"])
        r["source_type"] = rng.choice(["SOURCE_VOLUNTARY", "SOURCE_ARTICLE_16", ""])
        content = app - rng.choice([0, 0, 1, 3, 40, 900, -2]) * 86400  # -2: applied before the content's date
        r["content_date"] = rng.choice([day(content) + " 00:00:00", ""])
        r["application_date"] = day(app) + " 00:00:00"
        created = app + rng.randrange(0, 30 * 86400)
        import datetime
        r["created_at"] = datetime.datetime.utcfromtimestamp(created).strftime("%Y-%m-%d %H:%M:%S")
        r["territorial_scope"] = jarr(rng, COUNTRIES, rng.randrange(0, 5))
        r["incompatible_content_explanation"] = rng.choice(["", "Spam, scams, \"fake\" offers", "Commas, and ""quotes"""])
        r["decision_facts"] = rng.choice(["", "Text with, commas", "Text without"])
        r["source_identity"] = rng.choice(["", "Someone Named"])
        rows.append(r)

    def bad(**kw):
        r = dict(rng.choice(rows))
        r["uuid"] = "bad-%d" % len(rows)
        r.update(kw)
        rows.append(r)
    bad(category="STATEMENT_CATEGORY_NONSENSE")
    bad(category="")
    bad(uuid="")
    bad(content_date="2024-03-01")
    bad(application_date="2024-03-01 12:00:00")
    bad(application_date="2024-02-30 00:00:00")
    bad(created_at="2024-02-01 10:00:00", application_date="2024-03-02 00:00:00")
    bad(created_at="2024-03-05T10:00:00Z")
    bad(created_at="yesterday")
    bad(decision_visibility='{"a": 1}')
    bad(decision_visibility="[1]")
    bad(decision_visibility='["VIDEO"]')
    bad(territorial_scope='["ATX"]')
    bad(category_specification="[")
    bad(automated_detection="Maybe")
    bad(decision_ground="DECISION_GROUND_OTHER", automated_detection="Maybe")  # two problems
    bad(decision_account="DECISION_ACCOUNT_GONE")
    rng.shuffle(rows)
    v1 = rows[:450]
    # Duplicates (the same row again), an update (adds a visibility), conflicts (another category).
    dups = [dict(r) for r in rng.sample(v1, 15) if not r["uuid"].startswith("bad")]
    updates = []
    for r in v1:
        if r["decision_visibility"] in ("", "[]") and not r["uuid"].startswith("bad") and len(updates) < 5:
            u = dict(r)
            u["decision_visibility"] = '["DECISION_VISIBILITY_CONTENT_REMOVED"]'
            updates.append(u)
    conflicts = []
    for r in v1[200:260]:
        if not r["uuid"].startswith("bad") and len(conflicts) < 6:
            c = dict(r)
            c["category"] = "STATEMENT_CATEGORY_ANIMAL_WELFARE"
            conflicts.append(c)
    v2 = rows[450:] + dups + updates + conflicts
    rng.shuffle(v2)

    def write(name, records, columns, leak_at=None):
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(columns)
        for i, r in enumerate(records):
            w.writerow([r.get(c, "") for c in columns])
            if i == leak_at:
                # PHP's fputcsv wrote a quote in text as \" (its escape character is \): libcsv
                # ends the field at `\",`, and the quote after it opens a field that runs to the
                # end of the line (no quote after decision_facts closes it); and a text whose
                # leaked quote splits it in two (a field too many).
                for n, text in ((1, '"He said \\","'), (2, '"a \\"b\\", c"')):
                    leak = dict(r, uuid="leak-%d-%d" % (i, n), decision_facts="@@LEAK@@", source_identity="")
                    line = io.StringIO()
                    csv.writer(line, lineterminator="\n").writerow([leak.get(c, "") for c in columns])
                    out.write(line.getvalue().replace("@@LEAK@@", text))
        with open(os.path.join(folder, name), "w", newline="", encoding="utf-8") as f:
            f.write(out.getvalue())

    v2cols = cols[:cols.index("content_date") + 1] + ["content_id_ean"] + cols[cols.index("content_date") + 1:]
    write("sor-a.csv", v1, cols, leak_at=100)
    write("sor-b.csv", v2, v2cols, leak_at=20)
    return ["sor-a.csv", "sor-b.csv"]


def test_decisions_equal_ingest_and_local_engine(tmp_path):
    seed = int(os.environ.get("TALLY_SPARK_SEED", random.randrange(1, 10**6)))
    print("generated decisions seed: %d (TALLY_SPARK_SEED=%d repeats it)" % (seed, seed))
    folder = tmp_path / "in"
    folder.mkdir()
    paths = [str(folder / n) for n in generate(str(folder), seed)] + sorted(glob.glob(os.path.join(FIXTURES, "*.csv")))
    ingest, local, quarantine_local, spark, engine, qdir = local_and_spark(tmp_path, paths, "2024-03")
    by_name = {os.path.basename(f["path"]): f for f in ingest["files"]}
    for f in engine["files"]:
        i = by_name[f["file"]]
        assert f["kind"] == "decisions"
        for k in ("rows_read", "loaded", "updated", "duplicates", "quarantined", "application_before_content"):
            assert f[k] == i[k], "%s %s: spark %d, ingest %d" % (f["file"], k, f[k], i[k])
    assert [f["loaded"] for f in engine["files"][2:]] == [49, 50, 50]  # the fixtures: one uuid twice
    assert sum(f["application_before_content"] for f in engine["files"]) > 0
    assert sum(f["duplicates"] for f in engine["files"]) > 1 and sum(f["updated"] for f in engine["files"]) > 0
    rows = quarantined_rows(qdir)
    assert sorted(map(key, rows)) == sorted(map(key, quarantine_local))
    reasons = sorted({r["reason"] for r in rows if not r["reason"].startswith("conflict: ")})
    assert any("quoted field is still open" in r for r in reasons), reasons
    assert len(reasons) >= 12, reasons
    print("%d quarantined rows compared; the reasons other than conflicts:" % len(rows))
    for r in reasons:
        print("   ", r)
    assert local["metrics"]["decisions.total"] > 500
    assert figures_equal(local, spark, engine["spark_version"]) == []
    assert local["decision_platforms"] == spark["decision_platforms"]  # quantiles bit for bit

    # `tally rank --kind decisions` on the fixtures alone.
    fx = tmp_path / "fx.sqlite"
    tally("ingest", "--db", str(fx), *sorted(glob.glob(os.path.join(FIXTURES, "*.csv"))))
    rank_local = json.loads(tally("rank", "--kind", "decisions", "--db", str(fx), "--period", "2024-03", "--min-decisions", "5",
                                  "--format", "json").stdout)
    rank_spark = json.loads(tally("rank", "--kind", "decisions", "--engine", "spark", "--spark-master", "local[2]",
                                  "--input", os.path.join(FIXTURES, "*.csv"), "--spark-quarantine", str(tmp_path / "q2"),
                                  "--period", "2024-03", "--min-decisions", "5", "--format", "json", env=spark_env()).stdout)
    assert rank_spark.pop("engine")["name"] == "spark"
    rank_local.pop("vintage")
    assert rank_local == rank_spark
    assert any(r["rank"] for r in rank_local["decision_platforms"])
