"""The store stays an ordinary SQLite database (issue 16): after `tally ingest` and `tally stats`
(which leave a column cache beside it), the sqlite3 program and Datasette open it and see every
record. Counts are compared with Python's own sqlite3 module; Datasette is served for real and
asked over HTTP."""
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TALLY = os.environ.get("TALLY", os.path.join(ROOT, ".build", "debug", "tally"))
DATASETTE = os.path.join(os.path.dirname(sys.executable), "datasette")
KINDS = ("victims", "arrests", "takedowns")


@pytest.fixture(scope="module")
def store():
    work = tempfile.mkdtemp(prefix="tally-store-tools-")
    db = os.path.join(work, "store.sqlite")
    sample = os.path.join(ROOT, "Data", "sample")
    files = [os.path.join(sample, f"{k}-2024.csv") for k in KINDS]
    subprocess.run([TALLY, "ingest", "--db", db] + files, check=True, capture_output=True)
    subprocess.run([TALLY, "stats", "--db", db, "--period", "2024-08", "--format", "json"], check=True,
                   capture_output=True)
    assert os.path.isdir(db + ".cache"), "the figures should have left a column cache beside the store"
    yield db
    shutil.rmtree(work)


def counts(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {k: con.execute(f"SELECT count(*) FROM {k}").fetchone()[0] for k in KINDS}
    finally:
        con.close()


def test_sqlite3_program_opens_the_store(store):
    expected = counts(store)
    assert all(n > 0 for n in expected.values()), expected
    check = subprocess.run(["sqlite3", "-batch", store, "PRAGMA integrity_check"], check=True, capture_output=True,
                           text=True)
    assert check.stdout.strip() == "ok"
    for kind, n in expected.items():
        out = subprocess.run(["sqlite3", "-batch", store, f"SELECT count(*) FROM {kind}"], check=True,
                             capture_output=True, text=True)
        assert int(out.stdout) == n, kind


def test_datasette_inspect_counts_every_table(store):
    out = subprocess.run([DATASETTE, "inspect", store], check=True, capture_output=True, text=True)
    tables = json.loads(out.stdout)["store"]["tables"]
    for kind, n in counts(store).items():
        assert tables[kind]["count"] == n, kind


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_datasette_serves_the_records(store):
    port = free_port()
    server = subprocess.Popen([DATASETTE, "serve", store, "--host", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=1)
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail("datasette exited: " + server.stderr.read().decode()[-500:])
                time.sleep(0.1)
        expected = counts(store)
        for kind, n in expected.items():
            url = f"{base}/store.json?sql=select+count(*)+as+n+from+{kind}&_shape=array"
            rows = json.load(urllib.request.urlopen(url, timeout=10))
            assert rows == [{"n": n}], kind
        # A page of records, as a reader browsing them gets it.
        page = json.load(urllib.request.urlopen(f"{base}/store/takedowns.json?_shape=array&_size=3", timeout=10))
        assert len(page) == 3 and all("platform" in r for r in page)
    finally:
        server.terminate()
        server.wait(timeout=10)
