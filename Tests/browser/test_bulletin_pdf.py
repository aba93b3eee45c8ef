"""The tagged PDF bulletin read with pikepdf, and checked with the `pdfua` checker (a partial PDF/UA-1 check).

For each language: the catalogue's /Lang, DisplayDocTitle and XMP (title, pdfuaid:part); a structure
tree with one H1, section headings, tables whose header cells carry /Scope, and figures whose /Alt is
the same text as the HTML page's chart description, in the same order; no content outside the tree
that is not an artifact. BULLETIN_DIR is a folder written by `tally bulletin --format both`.
"""
import os
import pathlib
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pikepdf
import pytest

BULLETIN_DIR = pathlib.Path(os.environ.get("BULLETIN_DIR", "out/bulletin")).resolve()
LANGS = ["ko", "en"]
PAINT = {"Tj", "TJ", "'", '"', "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "Do", "sh", "BI"}


# How many sections (bookmarks, H2) and tables the layout has at least: the sample bulletin's by
# default; the DSA bulletin's run sets its own (Makefile).
MIN_SECTIONS = int(os.environ.get("BULLETIN_MIN_SECTIONS", "8"))
MIN_TABLES = int(os.environ.get("BULLETIN_MIN_TABLES", "12"))


def pdf_path(lang):
    found = sorted(BULLETIN_DIR.glob(f"bulletin-*-{lang}.pdf"))
    assert found, f"no {lang} PDF in {BULLETIN_DIR}"
    return found[0]


def elements(node, out, depth=0):
    """Structure elements in document order as (type, dictionary, depth)."""
    if isinstance(node, pikepdf.Array):
        for k in node:
            elements(k, out, depth)
        return out
    if not isinstance(node, pikepdf.Dictionary):
        return out
    if "/S" in node:
        out.append((str(node.S)[1:], node, depth))
    if "/K" in node:
        elements(node.K, out, depth + 1)
    return out


def html_descriptions(lang):
    text = (BULLETIN_DIR / f"index-{lang}.html").read_text(encoding="utf-8")
    root = ET.fromstring(re.sub(r"^<!DOCTYPE html>\s*", "", text))
    ns = "{http://www.w3.org/2000/svg}"
    return [d.text for d in root.iter(ns + "desc")]


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_language_title_and_xmp(lang):
    with pikepdf.open(pdf_path(lang)) as pdf:
        assert str(pdf.Root.Lang) == lang
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
        assert bool(pdf.Root.MarkInfo.Marked)
        meta = pdf.open_metadata()
        assert meta["dc:title"] == str(pdf.docinfo.Title) and meta["dc:title"]
        assert meta["pdfuaid:part"] == "1"
        assert all(page.obj.get("/Tabs") == "/S" for page in pdf.pages)
        # The bookmarks stay: one a section.
        with pdf.open_outline() as outline:
            assert len(outline.root) >= MIN_SECTIONS


@pytest.mark.parametrize("lang", LANGS)
def test_structure_tree_headings_tables_figures(lang):
    with pikepdf.open(pdf_path(lang)) as pdf:
        tree = elements(pdf.Root.StructTreeRoot.K, [])
        kinds = [k for k, _, _ in tree]
        assert kinds[0] == "Document"
        assert kinds.count("H1") == 1 and kinds.count("H2") >= MIN_SECTIONS
        # Tables: a caption, header cells with a scope, column headers in the first row.
        tables = [(d, depth) for k, d, depth in tree if k == "Table"]
        assert len(tables) >= MIN_TABLES
        for table, _ in tables:
            inside = elements(table.K, [])
            assert inside[0][0] == "Caption"
            rows = [d for k, d, _ in inside if k == "TR"]
            first = [c for c in rows[0].K if isinstance(c, pikepdf.Dictionary)]
            assert all(str(c.S) == "/TH" and str(c.A.Scope) == "/Column" for c in first)
            for row in rows[1:]:
                cells = [c for c in row.K if isinstance(c, pikepdf.Dictionary)]
                heads = [c for c in cells if str(c.S) == "/TH"]
                assert heads and all("/A" in c and str(c.A.Scope) in ("/Row", "/Column") for c in heads)
        # Figures: the HTML page's text alternatives, in the same order.
        alts = [str(d.get("/Alt", "")) for k, d, _ in tree if k == "Figure"]
        assert alts == html_descriptions(lang)
        assert all(len(a) > 40 for a in alts)
        # The contents' links say where they go.
        links = [a for page in pdf.pages for a in page.obj.get("/Annots", []) if a.get("/Subtype") == "/Link"]
        assert links and all(str(a.get("/Contents", "")) for a in links)


@pytest.mark.parametrize("lang", LANGS)
def test_no_content_outside_the_tree_or_artifacts(lang):
    with pikepdf.open(pdf_path(lang)) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            depth, artifacts, marked = 0, 0, 0
            for operands, op in pikepdf.parse_content_stream(page):
                name = str(op)
                if name in ("BDC", "BMC"):
                    depth += 1
                    if depth == 1:
                        artifacts += str(operands[0]) == "/Artifact"
                        marked += str(operands[0]) != "/Artifact"
                elif name == "EMC":
                    depth -= 1
                elif depth == 0:
                    assert name not in PAINT, f"page {number}: {name} outside marked content"
            assert depth == 0
            assert marked > 0
            if number > 1:
                assert artifacts > 0, f"page {number}: running header and footer are artifacts"


@pytest.mark.parametrize("lang", LANGS)
def test_pdfua_checker_finds_nothing(lang):
    run = subprocess.run([sys.executable, "-m", "pdfua", "check", str(pdf_path(lang))], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "PASS" in run.stdout
