"""`tally stats --engine spark` on a real local Spark (pyspark from PyPI, Java from Debian),
against Tally's own engine on the same records: the sample year, and a seeded generated set
full of bad rows, duplicates, updates and conflicts. Spark start-up costs seconds per job, so
each job is checked for many things at once.

Run by `make spark-test` (part of `make test`): TALLY is the tally binary; Spark is found
through SPARK_HOME (set here from the installed pyspark).
"""
import csv
import glob
import json
import math
import os
import random
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TALLY = os.environ.get("TALLY", os.path.join(ROOT, ".build", "debug", "tally"))


def spark_env():
    import pyspark
    env = dict(os.environ)
    env["SPARK_HOME"] = os.path.dirname(pyspark.__file__)
    env["PYSPARK_PYTHON"] = sys.executable
    env["PYSPARK_DRIVER_PYTHON"] = sys.executable
    return env


def tally(*args, env=None, check=True):
    p = subprocess.run([TALLY, *args], cwd=ROOT, capture_output=True, text=True, env=env or os.environ)
    if check and p.returncode != 0:
        raise AssertionError("tally %s failed (%d): %s" % (" ".join(args), p.returncode, p.stderr[-2000:]))
    return p


def test_java_is_installed():
    """Loud, not skipped: without Java there is no Spark engine to test, and CI must fail."""
    java = shutil.which("java")
    assert java, "Java is not installed: install openjdk-17-jre-headless (Debian) — `make test` does — to run the Spark tests"
    v = subprocess.run([java, "-version"], capture_output=True, text=True)
    assert v.returncode == 0, "java -version failed: " + v.stderr


def test_missing_java_is_one_clear_line(tmp_path):
    """With no Java, tally says so in one line naming the package and exits 1 (no stack trace)."""
    env = spark_env()
    env["JAVA_HOME"] = str(tmp_path / "no-java")
    p = tally("stats", "--engine", "spark", "--input", "Data/sample/takedowns-2024.csv", "--period", "2024-08",
              env=env, check=False)
    assert p.returncode == 1, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "Java not found" in lines[0] and "openjdk-17-jre-headless" in lines[0], p.stderr


def figures_equal(local, spark, version):
    """Counts exactly; quantiles bit for bit on Spark 4.3 or later (older: within 2 ulp)."""
    exact = tuple(int(x) for x in version.split(".")[:2]) >= (4, 3)
    problems = []

    def same(a, b, key):
        if isinstance(a, float) and isinstance(b, float) and not exact and key.endswith("_hours"):
            return abs(a - b) <= 2 * math.ulp(max(abs(a), abs(b)))
        return a == b

    for k in ("period", "as_of", "time_zone"):
        if local[k] != spark[k]:
            problems.append("%s: %r != %r" % (k, local[k], spark[k]))
    if list(local["metrics"]) != list(spark["metrics"]):
        problems.append("metric ids differ: %s" % sorted(set(local["metrics"]) ^ set(spark["metrics"])))
    for k, v in local["metrics"].items():
        if not same(v, spark["metrics"].get(k), k):
            problems.append("%s: local %r, spark %r" % (k, v, spark["metrics"].get(k)))
    if [p["platform"] for p in local["platforms"]] != [p["platform"] for p in spark["platforms"]]:
        problems.append("platforms differ")
    for a, b in zip(local["platforms"], spark["platforms"]):
        for k in a:
            if not same(a[k], b.get(k), k):
                problems.append("%s.%s: local %r, spark %r" % (a["platform"], k, a[k], b.get(k)))
    return problems


def test_sample_year_equals_local_engine(tmp_path):
    """The sample's August 2024 with comparisons: every figure and platform row of the Spark
    engine equals Tally's own engine over the store (and the JSON names the engine)."""
    db = tmp_path / "s.sqlite"
    inputs = sorted(glob.glob(os.path.join(ROOT, "Data/sample/*.csv")))
    tally("ingest", "--db", str(db), *inputs)
    local = json.loads(tally("stats", "--db", str(db), "--period", "2024-08", "--format", "json").stdout)
    p = tally("stats", "--engine", "spark", "--spark-master", "local[2]", "--input", "Data/sample/*.csv",
              "--period", "2024-08", "--format", "json", env=spark_env())
    spark = json.loads(p.stdout)
    engine = spark.pop("engine")
    print("Spark %s, master %s" % (engine["spark_version"], engine["master"]))
    assert engine["name"] == "spark" and engine["master"] == "local[2]"
    assert [(f["file"], f["loaded"], f["quarantined"]) for f in engine["files"]] == [
        ("arrests-2024.csv", 742, 0), ("takedowns-2024.csv", 14414, 0), ("victims-2024.csv", 1291, 0)]
    assert local["metrics"]["victims.total"] == 179
    assert figures_equal(local, spark, engine["spark_version"]) == []


# A generated set: seeded, printed; every kind of bad row the contract names, duplicates
# (also after normalisation), updates and conflicts, platform aliases.

PLATFORMS = ["Naver", "NAVER", "naver ", "네이버", "Kakao", "X", "Twitter", "트위터", "Telegram", "Discord", "SmallCo"]


def stamp(rng, micros):
    """An instant written as records.md allows, in Seoul's offset, UTC, another offset or local."""
    import datetime
    utc = datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=micros)
    form = rng.randrange(6)
    if form == 0:
        return (utc + datetime.timedelta(hours=9)).strftime("%Y-%m-%dT%H:%M:%S+09:00")
    if form == 1:
        return utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    if form == 2:
        return (utc - datetime.timedelta(hours=5)).strftime("%Y-%m-%d %H:%M:%S-05:00")
    if form == 3:
        return (utc + datetime.timedelta(hours=9)).strftime("%Y-%m-%dT%H:%M:%S")  # local, Asia/Seoul
    if form == 4:
        return (utc + datetime.timedelta(hours=9)).strftime("%Y-%m-%dT%H:%M:%S.") + "%06d" % utc.microsecond + "+09:00"
    return (utc + datetime.timedelta(hours=9)).strftime("%Y-%m-%dT%H:%M+09:00")  # no seconds


def generate(folder, seed):
    rng = random.Random(seed)
    base = 1719792000 * 1_000_000  # 2024-07-01T00:00Z
    t1, t2 = [], []
    header = ["request_id", "platform", "platform_origin", "content_kind", "requested_by", "detected_by",
              "requested_at", "resolved_at", "outcome"]
    pending = []
    for i in range(3000):
        req = base + rng.randrange(0, 75 * 86400) * 1_000_000 + rng.choice([0, 0, 0, 123456])
        outcome = rng.choice(["removed", "removed", "blocked", "refused", "pending"])
        # exactly the deadline (24:00:00 is within), or hours to days
        dur = rng.choice([86400 * 1_000_000, rng.randrange(60, 200 * 3600) * 1_000_000, rng.randrange(60, 30 * 3600) * 1_000_000])
        resolved = "" if outcome == "pending" or (outcome == "refused" and rng.random() < 0.5) else stamp(rng, req + dur)
        row = ["t%d" % i, rng.choice(PLATFORMS), rng.choice(["", "domestic", "overseas"]), rng.choice(["", "image", "video", "link"]),
               rng.choice(["regulator", "police", "Police", "victim"]), rng.choice(["", "ai", "AI", "report", "monitoring"]),
               stamp(rng, req), resolved, rng.choice([outcome, outcome.upper()]) if outcome != "pending" else "pending"]
        if row[7] == "" and row[8].lower() in ("removed", "blocked"):
            row[8] = "refused"
        t1.append(row)
        if outcome == "pending" and rng.random() < 0.5:
            pending.append((row, req))
    # Bad rows, each breaking one rule (or two).
    bad = [
        ["b1", "Naver", "", "", "police", "", "2024-13-01T10:00+09:00", "", "pending"],        # month 13
        ["b2", "Naver", "", "", "police", "", "2024-02-30T10:00+09:00", "", "pending"],        # no Feb 30
        ["b3", "Naver", "", "", "police", "", "2024-08-01T24:00+09:00", "", "pending"],        # hour 24
        ["b4", "", "", "", "police", "", "2024-08-01T10:00+09:00", "", "pending"],              # platform missing
        ["b5", "Naver", "", "", "police", "", "2024-08-01T10:00+09:00", "", "deleted"],        # bad enum
        ["b6", "Naver", "", "", "police", "", "2024-08-02T10:00+09:00", "2024-08-01T10:00+09:00", "removed"],  # before
        ["b7", "Naver", "", "", "police", "", "2024-08-02T10:00+09:00", "2024-08-03T10:00+09:00", "pending"],  # pending resolved
        ["b8", "Naver", "", "", "police", "", "2024-08-02T10:00+09:00", "", "removed"],        # removed unresolved
        ["b9", "Naver", "", "", "cops", "robot", "2024-08-02 10:00", "", "pending"],            # two problems
        ["b10", "Naver", "", "", "police", "", "2024-08-02T10:00:00.1234567+09:00", "", "pending"],  # 7 fraction digits
        ["b11", "Naver", "", "", "police", "", "2024-08-02T10:00+19:00", "", "pending"],       # offset hours 19
        ["b12", "Naver", "", "", "police", "", "2024-8-02T10:00+09:00", "", "pending"],        # one-digit month
    ]
    for b in bad:
        t1.insert(rng.randrange(len(t1)), b)
    with open(os.path.join(folder, "takedowns-a.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(t1)
        f.write("t-extra,Naver,,,police,,2024-08-01T10:00+09:00,,pending,surplus\n")  # one field too many
        f.write("t-short,Naver,police\n")                                              # too few
    # Second file: duplicates (also after normalisation), updates of pending requests, conflicts.
    for row in rng.sample(t1[:1500], 60):
        if row[0].startswith("b"):
            continue
        dup = list(row)
        dup[4] = dup[4].upper()  # the same after normalisation
        t2.append(dup)
    seen = {r[0] for r in t2}
    for row, req in pending[:80]:
        if row[0] in seen:
            continue
        seen.add(row[0])
        upd = list(row)
        upd[7] = stamp(rng, req + rng.randrange(60, 50 * 3600) * 1_000_000)
        upd[8] = "removed"
        t2.append(upd)
    for row in t1[1500:1560]:
        if row[0] in seen or row[0].startswith("b"):
            continue
        seen.add(row[0])
        c = list(row)
        c[1] = "Telegram" if c[1] != "Telegram" else "Discord"  # a changed platform: a conflict
        t2.append(c)
    rng.shuffle(t2)
    with open(os.path.join(folder, "takedowns-b.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(header)
        w.writerows(t2)
    # Victims, with sets, case and bad values.
    with open(os.path.join(folder, "victims.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["victim_id", "contacted_on", "age", "gender", "channel", "services", "region"])
        for i in range(1500):
            day = "2024-%02d-%02d" % (rng.choice([6, 7, 8, 9]), rng.randrange(1, 29))
            services = ";".join(rng.sample(["deletion", "Counseling", " legal", "medical", "investigation", ""], rng.randrange(0, 4)))
            w.writerow(["v%d" % i, day, rng.choice(["", str(rng.randrange(8, 60))]), rng.choice(["", "female", "Male", "other"]),
                        rng.choice(["hotline", "website", "visit", "referral"]), services, rng.choice(["", "Seoul", "Busan", "Jeju"])])
        w.writerow(["vb1", "2024-08-01", "121", "", "hotline", "", ""])
        w.writerow(["vb2", "2024-08-01", "30", "", "hotline", "deletion;therapy", ""])
        w.writerow(["vb3", "2024-08-01", "30", "", "", "", ""])
        w.writerow(["vb4", "2024/08/01", "3O", "", "phone", "", ""])
    with open(os.path.join(folder, "arrests.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["arrest_id", "arrested_on", "agency", "offense", "suspect_age", "victim_minor", "undercover", "confessed",
                    "proceeds_seized_krw"])
        for i in range(400):
            day = "2024-%02d-%02d" % (rng.choice([7, 8, 9]), rng.randrange(1, 29))
            w.writerow(["a%d" % i, day, rng.choice(["Seoul", "Busan", "Gyeonggi-Nambu"]), rng.choice(["create", "Distribute", "view"]),
                        rng.choice(["", str(rng.randrange(12, 70))]), rng.choice(["", "yes", "N"]), rng.choice(["", "true", "0", "Y"]),
                        rng.choice(["", "1", "false"]), rng.choice(["", str(rng.randrange(0, 10**9))])])
        w.writerow(["ab1", "2024-08-01", "Seoul", "create", "9", "", "", "", ""])
        w.writerow(["ab2", "2024-08-01", "Seoul", "create", "", "maybe", "", "", "-1"])
        w.writerow(["ab3", "2024-08-01", "Seoul", "create", "", "", "", "", "1,000"])
    return ["takedowns-a.csv", "takedowns-b.csv", "victims.csv", "arrests.csv"]


def quarantined_rows(folder):
    """The rows Spark quarantined: its JSON-lines part files in `folder`."""
    rows = []
    for part in glob.glob(str(folder / "*.json")):
        with open(part, encoding="utf-8") as f:
            rows += [json.loads(line) for line in f if line.strip()]
    return rows


def key(r):
    """A quarantined row as Spark and `tally quarantine` both give it: file, line, column, value, reason."""
    return (os.path.basename(r["file"]), r["line"], r.get("column"), r.get("value") or "", r["reason"])


def local_and_spark(tmp_path, paths, period):
    """The same files two ways: `tally ingest` into a store, then its `stats` and `quarantine`; and
    `tally stats --engine spark` on local[2]. Returns the ingest report, the local figures, the
    locally quarantined rows, Spark's figures (its `engine` block taken out), that block, and the
    folder Spark wrote its quarantined rows to."""
    db = tmp_path / "store.sqlite"
    ingest = json.loads(tally("ingest", "--db", str(db), "--format", "json", *paths).stdout)
    local = json.loads(tally("stats", "--db", str(db), "--period", period, "--format", "json").stdout)
    quarantine_local = json.loads(tally("quarantine", "--db", str(db), "--format", "json", "--limit", "100000").stdout)
    qdir = tmp_path / "quarantine"
    args = ["stats", "--engine", "spark", "--spark-master", "local[2]", "--period", period, "--format", "json",
            "--spark-quarantine", str(qdir)]
    for p in paths:
        args += ["--input", p]
    spark = json.loads(tally(*args, env=spark_env()).stdout)
    engine = spark.pop("engine")
    return ingest, local, quarantine_local, spark, engine, qdir


def test_generated_set_equals_local_engine_and_ingest(tmp_path):
    """Figures, per-file counts (loaded, updated, duplicates, quarantined) and every
    quarantined row's line, column, value and reason: Spark equals `tally ingest` and Tally's
    engine on a seeded generated set."""
    seed = int(os.environ.get("TALLY_SPARK_SEED", random.randrange(1, 10**6)))
    print("generated set seed: %d (TALLY_SPARK_SEED=%d repeats it)" % (seed, seed))
    folder = tmp_path / "in"
    folder.mkdir()
    names = generate(str(folder), seed)
    paths = [str(folder / n) for n in names]
    ingest, local, quarantine_local, spark, engine, qdir = local_and_spark(tmp_path, paths, "2024-08")

    # Counts per file, as the ingest reports them.
    by_name = {os.path.basename(f["path"]): f for f in ingest["files"]}
    for f in engine["files"]:
        i = by_name[f["file"]]
        for k in ("rows_read", "loaded", "updated", "duplicates", "quarantined"):
            assert f[k] == i[k], "%s %s: spark %d, ingest %d" % (f["file"], k, f[k], i[k])
    assert sum(f["quarantined"] for f in engine["files"]) >= 20
    assert sum(f["updated"] for f in engine["files"]) > 0 and sum(f["duplicates"] for f in engine["files"]) > 0

    # Every quarantined row, with the same reason in the same words.
    rows = quarantined_rows(qdir)
    assert sorted(map(key, rows)) == sorted(map(key, quarantine_local))
    reasons = sorted({r["reason"] for r in rows if not r["reason"].startswith("conflict: ")})
    print("%d quarantined rows compared (%d conflicts); the other reasons:" % (len(rows), len(rows) - len([r for r in rows if not r["reason"].startswith("conflict: ")])))
    for r in reasons:
        print("   ", r)

    assert figures_equal(local, spark, engine["spark_version"]) == []
