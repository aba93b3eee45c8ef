"""`tally bulletin --engine spark` against `tally bulletin` over a store loaded from the same
files (the sample's August 2024), and `tally verify` of the Spark-made bulletin. One Spark job.

What may differ, and nothing else: the manifest's `engine` (present only for Spark) and
`vintage` (a store's batch; none for Spark), the hashes of the two documents, and in the PDF
and HTML page exactly two texts that name the engine — the note under the sources table and
the Revisions section's sentence. Every figure (value and printed text), every chart (PNG and
SVG) and every table (CSV) is byte for byte the same.
"""
import json
import os
import re
import subprocess

from test_spark import ROOT, spark_env, tally

EPOCH = "1725148800"


def texts(version, master):
    """(Spark's text, the local engine's text) of the two places that name the engine."""
    return [
        ("Read by Apache Spark %s (master %s) as one batch; 0 update(s) of earlier records; 0 row(s) quarantined "
         "(not in the figures, written by Spark as JSON lines with their reasons)." % (version, master),
         "1 load batch(es); 0 update(s) and 0 correction(s) of earlier records; 0 row(s) quarantined "
         "(not loaded, listed by `tally quarantine`)."),
        ("These figures were computed by Apache Spark %s (master %s) from the input files listed above, not from a store: "
         "no earlier bulletin is recorded with them, so there are no revisions to list." % (version, master),
         "No earlier bulletin is recorded in this store, so there are no revisions to list."),
    ]


def words(s):
    return " ".join(s.split())


def test_spark_bulletin_equals_local_and_verifies(tmp_path):
    db = tmp_path / "s.sqlite"
    inputs = sorted(os.path.join(ROOT, "Data/sample", f) for f in os.listdir(os.path.join(ROOT, "Data/sample")) if f.endswith(".csv"))
    tally("ingest", "--db", str(db), *inputs)
    env = spark_env()
    env["SOURCE_DATE_EPOCH"] = EPOCH
    local, spark = tmp_path / "local", tmp_path / "spark"
    tally("bulletin", "--db", str(db), "--period", "2024-08", "--lang", "en", "--out", str(local), env=env)
    p = tally("bulletin", "--engine", "spark", "--spark-master", "local[2]", "--input", "Data/sample/*.csv",
              "--period", "2024-08", "--lang", "en", "--out", str(spark), env=env)
    assert "Figures computed by Apache Spark" in p.stdout, p.stdout

    a = json.loads((local / "manifest.json").read_text())
    b = json.loads((spark / "manifest.json").read_text())
    engine = b.pop("engine")
    print("Spark bulletin: %s, %d figures" % (engine, len(b["figures"])))
    assert engine["name"] == "spark" and engine["master"] == "local[2]" and engine["version"]
    assert a.pop("vintage")["batch"] == 1 and b.pop("vintage") is None
    assert len(a["figures"]) > 400 and a["figures"] == b["figures"]  # id, value, printed text, definition
    assert a["inputs"] == b["inputs"]  # names, SHA-256 (Spark's driver), counts
    files_a = {f["file"]: f for f in a.pop("files")}
    files_b = {f["file"]: f for f in b.pop("files")}
    assert a == b  # period, as-of, settings, fine schedule, documents, charts, tables
    assert set(files_a) == set(files_b)
    differ = sorted(f for f in files_a if files_a[f] != files_b[f])
    assert differ == ["bulletin-2024-08-en.pdf", "index-en.html"], differ
    assert any(f.startswith("charts/") and f.endswith(".png") for f in files_a)

    # The HTML page: the same bytes once the two texts naming the engine are the local ones.
    html_a = (local / "index-en.html").read_text()
    html_b = (spark / "index-en.html").read_text()
    for s, l in texts(engine["version"], engine["master"]):
        l_html = l.replace("`tally quarantine`", "<code>tally quarantine</code>")
        assert html_b.count(s) == 1 and html_a.count(l_html) == 1, s
        html_b = html_b.replace(s, l_html)
    assert html_a == html_b

    # The PDF: the same pages and text once those two texts are swapped.
    def pdf(path):
        pages = subprocess.run(["qpdf", "--show-npages", str(path)], capture_output=True, text=True).stdout.strip()
        return pages, words(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout)
    pages_a, text_a = pdf(local / "bulletin-2024-08-en.pdf")
    pages_b, text_b = pdf(spark / "bulletin-2024-08-en.pdf")
    assert pages_a == pages_b
    for s, l in texts(engine["version"], engine["master"]):
        assert text_b.count(words(s)) == 1, s
        text_b = text_b.replace(words(s), words(l))
    assert text_a == text_b

    # verify: recomputed by figure SQL over a store loaded from the same files (independent of
    # Spark), the files' hashes checked; a store without one of the files fails.
    v = tally("verify", "--db", str(db), str(spark / "manifest.json"))
    assert "computed by Apache Spark" in v.stdout and re.search(r"(\d+) figures: \1 match, 0 differ", v.stdout), v.stdout[-800:]
    other = tmp_path / "other.sqlite"
    tally("ingest", "--db", str(other), os.path.join(ROOT, "Data/sample/takedowns-2024.csv"))
    bad = tally("verify", "--db", str(other), str(spark / "manifest.json"), check=False)
    assert bad.returncode == 1 and "the manifest lists a file the store does not hold" in bad.stdout, bad.stdout[-800:]


def test_spark_dsa_bulletin_equals_local(tmp_path):
    """The regulator's bulletin of DSA decisions (Charts/dsa-bulletin.yaml: ranked bars of
    decision_platforms, log-scale histograms of the delays from Spark's (value, count) rows) on
    the real fixtures: figures, charts and tables as the local engine's; the documents differ
    only in the sources' note (this layout has no Revisions section); verify passes."""
    from test_spark_decisions import FIXTURES
    fixtures = sorted(os.path.join(FIXTURES, f) for f in os.listdir(FIXTURES) if f.endswith(".csv"))
    db = tmp_path / "d.sqlite"
    tally("ingest", "--db", str(db), *fixtures)
    env = spark_env()
    env["SOURCE_DATE_EPOCH"] = "1711929600"
    local, spark = tmp_path / "local", tmp_path / "spark"
    common = ["--spec", "Charts/dsa-bulletin.yaml", "--period", "2024-03", "--lang", "en"]
    tally("bulletin", "--db", str(db), *common, "--out", str(local), env=env)
    tally("bulletin", "--engine", "spark", "--spark-master", "local[2]", "--input", os.path.join(FIXTURES, "*.csv"),
          "--spark-quarantine", str(tmp_path / "q"), *common, "--out", str(spark), env=env)
    a = json.loads((local / "manifest.json").read_text())
    b = json.loads((spark / "manifest.json").read_text())
    engine = b.pop("engine")
    a.pop("vintage"), b.pop("vintage")
    files_a = {f["file"]: f for f in a.pop("files")}
    files_b = {f["file"]: f for f in b.pop("files")}
    assert len(a["figures"]) > 50 and a == b
    assert sorted(f for f in files_a if files_a[f] != files_b[f]) == ["bulletin-2024-03-en.pdf", "index-en.html"]
    assert any("delay" in f for f in files_a), sorted(files_a)  # the histograms are among the identical files
    s, l = texts(engine["version"], engine["master"])[0]
    html_b = (spark / "index-en.html").read_text().replace(s, l.replace("`tally quarantine`", "<code>tally quarantine</code>"))
    assert (local / "index-en.html").read_text() == html_b
    v = tally("verify", "--db", str(db), str(spark / "manifest.json"))
    assert re.search(r"(\d+) figures: \1 match, 0 differ", v.stdout), v.stdout[-800:]
