#!/usr/bin/env python3
"""Makes the .xlsx fixtures of TallyXLSXTests (and of the xlsx ingest tests) with real
spreadsheet libraries from PyPI, and writes what openpyxl reads back from them into
expected.json, the tests' independent expectation.

    python3 -m venv /tmp/xlsx-venv && /tmp/xlsx-venv/bin/pip install xlsxwriter==3.3.1 openpyxl==3.1.5
    /tmp/xlsx-venv/bin/python Tests/TallyXLSXTests/Fixtures/make.py

xlsxwriter writes most workbooks, since it can store a formula's cached value (openpyxl cannot)
and writes inline strings in its constant_memory mode; openpyxl writes one too (its own
layout: shared strings, formulas without a cached value). The damaged workbooks are made from
good ones with zipfile. Committed outputs are small; run again only to change them.
"""
import datetime as dt
import decimal
import io
import json
import os
import zipfile

import openpyxl
import xlsxwriter

HERE = os.path.dirname(os.path.abspath(__file__))


def out(name):
    return os.path.join(HERE, name)


def fixed_time(wb):
    # The same bytes on every run: a fixed creation time in the document properties.
    wb.set_properties({"created": dt.datetime(2024, 8, 1, 0, 0, 0)})


def cells():
    """Every kind of cell, on sheet 'Cells'; a second sheet '요청' (Korean name) and a third."""
    wb = xlsxwriter.Workbook(out("cells.xlsx"))
    fixed_time(wb)
    ws = wb.add_worksheet("Cells")
    bold = wb.add_format({"bold": True})
    red = wb.add_format({"color": "red"})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    builtin14 = wb.add_format({"num_format": 14})
    stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    korean = wb.add_format({"num_format": 'yyyy"년" mm"월" dd"일"'})
    clock = wb.add_format({"num_format": "hh:mm:ss"})
    quoted = wb.add_format({"num_format": '0.00" days"'})
    ws.write_row(0, 0, ["kind", "value", "second"])
    ws.write_string(1, 0, "shared")
    ws.write_string(1, 1, "plain text")
    ws.write_string(2, 0, "rich")
    ws.write_rich_string(2, 1, "bold ", bold, "and", " red", red, " runs")
    ws.write_string(3, 0, "integer")
    ws.write_number(3, 1, 42)
    ws.write_number(3, 2, -7)
    ws.write_string(4, 0, "fraction")
    ws.write_number(4, 1, 0.1)
    ws.write_number(4, 2, 45000.1)
    ws.write_string(5, 0, "tiny and huge")
    ws.write_number(5, 1, 0.000123)
    ws.write_number(5, 2, 1.5e20)
    ws.write_string(6, 0, "boolean")
    ws.write_boolean(6, 1, True)
    ws.write_boolean(6, 2, False)
    ws.write_string(7, 0, "formula")
    ws.write_formula(7, 1, "=B4*2", None, 84)
    ws.write_formula(7, 2, '="a"&"b"', None, "ab")
    ws.write_string(8, 0, "error")
    ws.write_formula(8, 1, "=1/0", None, "#DIV/0!")
    ws.write_formula(8, 2, "=NA()", None, "#N/A")
    ws.write_string(9, 0, "dates")
    ws.write_datetime(9, 1, dt.datetime(2024, 8, 1), day)
    ws.write_datetime(9, 2, dt.datetime(2024, 8, 1, 13, 5, 9), stamp)
    ws.write_string(10, 0, "1900")
    ws.write_number(10, 1, 59, builtin14)   # 1900-02-28
    ws.write_number(10, 2, 60, builtin14)   # Excel's 1900-02-29
    ws.write_string(11, 0, "1900 after")
    ws.write_number(11, 1, 61, builtin14)   # 1900-03-01
    ws.write_number(11, 2, 61.5, stamp)     # 1900-03-01T12:00:00
    ws.write_string(12, 0, "formats")
    ws.write_datetime(12, 1, dt.datetime(2024, 12, 25), korean)
    ws.write_number(12, 2, 0.25, clock)     # a time of day: 06:00:00
    ws.write_string(13, 0, "not a date")
    ws.write_number(13, 1, 3.5, quoted)     # 'd' only inside quotes
    # Row 15 left out; row 16 sparse: A16 and D16 only.
    ws.write_string(15, 0, "sparse")
    ws.write_string(15, 3, "far")
    ws.write_string(16, 0, "  spaces kept  ")

    ko = wb.add_worksheet("요청")
    ko.write_row(0, 0, ["요청ID", "플랫폼"])
    ko.write_row(1, 0, ["R-1", "네이버"])
    third = wb.add_worksheet("Third")
    third.write_row(0, 0, ["only", "row"])
    wb.close()


def inline():
    """constant_memory mode: strings written inline (t="inlineStr"), rich text too."""
    wb = xlsxwriter.Workbook(out("inline.xlsx"), {"constant_memory": True})
    fixed_time(wb)
    ws = wb.add_worksheet("Inline")
    bold = wb.add_format({"bold": True})
    ws.write_row(0, 0, ["name", "value"])
    ws.write_row(1, 0, ["inline", "text & <markup>"])
    ws.write_string(2, 0, "rich")
    ws.write_rich_string(2, 1, "a ", bold, "bold", " word")
    wb.close()


def date1904():
    wb = xlsxwriter.Workbook(out("date1904.xlsx"), {"date_1904": True})
    fixed_time(wb)
    ws = wb.add_worksheet("Dates")
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    ws.write_row(0, 0, ["serial", "date"])
    ws.write_number(1, 0, 0)
    ws.write_number(1, 1, 0, day)           # 1904-01-01
    ws.write_number(2, 0, 59)
    ws.write_number(2, 1, 59, day)          # 1904-02-29: a real day in 1904
    ws.write_number(3, 0, 1)
    ws.write_datetime(3, 1, dt.datetime(2024, 8, 1, 9, 30), stamp)
    wb.close()


def merged():
    """A two-row header: request_id merged over A1:A2, a group name over B1:C1 with its two
    columns named in row 2; and a one-row header whose name is merged over two columns."""
    wb = xlsxwriter.Workbook(out("merged.xlsx"))
    fixed_time(wb)
    ws = wb.add_worksheet("TwoRows")
    ws.merge_range("A1:A2", "request_id")
    ws.merge_range("B1:C1", "platform (group)")
    ws.write_string(1, 1, "platform")
    ws.write_string(1, 2, "platform_origin")
    ws.write_string(0, 3, "outcome")
    ws.write_row(2, 0, ["R-1", "Naver", "domestic", "removed"])
    ws.write_row(3, 0, ["R-2", "X", "overseas", "pending"])
    # The takedown contract under a two-row header: the request merged over both rows, the
    # platform's two columns under a group name, the times under another.
    td = wb.add_worksheet("Takedowns")
    stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    td.merge_range("A1:A2", "request_id")
    td.merge_range("B1:C1", "플랫폼")
    td.write_row(1, 1, ["platform", "platform_origin"])
    td.merge_range("D1:D2", "requested_by")
    td.merge_range("E1:F1", "일시")
    td.write_row(1, 4, ["requested_at", "resolved_at"])
    td.merge_range("G1:G2", "outcome")
    td.write_row(2, 0, ["R-9001", "Naver", "domestic", "victim"])
    td.write_datetime(2, 4, dt.datetime(2024, 8, 1, 9, 0), stamp)
    td.write_datetime(2, 5, dt.datetime(2024, 8, 1, 10, 0), stamp)
    td.write_string(2, 6, "removed")
    td.write_row(3, 0, ["R-9002", "X", "overseas", "police"])
    td.write_datetime(3, 4, dt.datetime(2024, 8, 2, 9, 0), stamp)
    td.write_string(3, 6, "pending")
    one = wb.add_worksheet("OneRow")
    one.write_string(0, 0, "id")
    one.merge_range("B1:C1", "name")
    one.write_row(1, 0, ["1", "a", "b"])
    wb.close()


TAKEDOWN_HEADER = ["request_id", "platform", "platform_origin", "content_kind", "requested_by",
                   "detected_by", "requested_at", "resolved_at", "outcome"]


def takedowns():
    """The same takedowns as takedowns.csv, as a workbook of typed cells: timestamps as date
    cells, a row with an error cell, one with a bad outcome, one with a value right of the
    header, an uncomputed formula (openpyxl-style), and blank rows between."""
    rows = [
        ["R-0001", "Naver", "domestic", "image", "victim", "report", dt.datetime(2024, 8, 1, 9, 0, 0),
         dt.datetime(2024, 8, 1, 17, 30, 0), "removed"],
        ["R-0002", "X", "overseas", "video", "support_centre", "ai", dt.datetime(2024, 8, 2, 10, 15, 30),
         None, "pending"],
        ["R-0003", "Telegram", "overseas", "image", "police", "monitoring", dt.datetime(2024, 8, 3, 23, 59, 59),
         dt.datetime(2024, 8, 4, 1, 0, 0), "refused"],
        ["R-0004", "Kakao", "domestic", "image", "victim", "report", dt.datetime(2024, 8, 4, 8, 0, 0),
         None, "gone"],                      # not an outcome: quarantined in both
        ["R-0005", "Naver", "domestic", "link", "victim", "report", dt.datetime(2024, 8, 5, 12, 0, 0),
         dt.datetime(2024, 8, 5, 18, 0, 0), "removed"],
    ]
    with open(out("takedowns.csv"), "w", newline="") as f:
        f.write(",".join(TAKEDOWN_HEADER) + "\n")
        for r in rows:
            f.write(",".join("" if v is None else v.strftime("%Y-%m-%dT%H:%M:%S") if isinstance(v, dt.datetime) else v
                             for v in r) + "\n")

    wb = xlsxwriter.Workbook(out("takedowns.xlsx"))
    fixed_time(wb)
    ws = wb.add_worksheet("2024-08")
    stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    ws.write_row(0, 0, TAKEDOWN_HEADER)
    for i, r in enumerate(rows):
        for c, v in enumerate(r):
            if isinstance(v, dt.datetime):
                ws.write_datetime(i + 1, c, v, stamp)
            elif v is not None:
                ws.write_string(i + 1, c, v)
    # Row 8 blank (skipped); row 9: an error where the platform should be; row 10: a value in J,
    # right of the header; row 11: a valid row again.
    ws.write_row(8, 0, ["R-0006", None, "domestic", "image", "victim", "report"])
    ws.write_formula(8, 1, "=1/0", None, "#DIV/0!")
    ws.write_datetime(8, 6, dt.datetime(2024, 8, 6, 9, 0), stamp)
    ws.write_string(8, 8, "removed")
    ws.write_row(9, 0, ["R-0007", "Naver", "domestic", "image", "victim", "report"])
    ws.write_datetime(9, 6, dt.datetime(2024, 8, 7, 9, 0), stamp)
    ws.write_string(9, 8, "removed")
    ws.write_string(9, 9, "stray note")
    ws.write_row(10, 0, ["R-0008", "Band", "domestic", "image", "victim", "report"])
    ws.write_datetime(10, 6, dt.datetime(2024, 8, 8, 9, 0), stamp)
    ws.write_string(10, 8, "pending")
    other = wb.add_worksheet("notes")
    other.write_string(0, 0, "not a table")
    wb.close()


def openpyxl_book():
    """openpyxl's own layout: shared strings, a date cell, and a formula without a cached value."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet"
    ws.append(["name", "when", "sum"])
    ws.append(["a", dt.datetime(2024, 8, 1, 6, 30), 1])
    ws["C3"] = "=SUM(C2:C2)"
    ws["A3"] = "b"
    wb.properties.created = dt.datetime(2024, 8, 1)
    wb.properties.modified = dt.datetime(2024, 8, 1)
    wb.save(out("openpyxl.xlsx"))


def rewrite(src, dst, change, compression=zipfile.ZIP_DEFLATED):
    """Copies a zip, letting `change(name, data)` return new data, or None to leave the part out."""
    with zipfile.ZipFile(out(src)) as zin, zipfile.ZipFile(out(dst), "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = change(item.filename, zin.read(item.filename))
            if data is not None:
                zi = zipfile.ZipInfo(item.filename, date_time=(2024, 8, 1, 0, 0, 0))
                zi.compress_type = compression
                zout.writestr(zi, data)


def damaged():
    # Not a zip at all, named .xlsx.
    with open(out("not-a-zip.xlsx"), "w") as f:
        f.write("request_id,platform\nthis is text\n")
    # A zip cut short.
    data = open(out("takedowns.xlsx"), "rb").read()
    with open(out("truncated.xlsx"), "wb") as f:
        f.write(data[: len(data) // 2])
    # The first sheet's XML broken in its middle.
    rewrite("takedowns.xlsx", "malformed.xlsx",
            lambda n, d: d.replace(b"</row>", b"</rowx>", 3) if n == "xl/worksheets/sheet1.xml" else d)
    # The shared strings part left out (the workbook's relationships still name it).
    rewrite("takedowns.xlsx", "missing-part.xlsx",
            lambda n, d: None if n == "xl/sharedStrings.xml" else d)
    # Stored, not deflated: the XML lies in the file as it is, for the mutation test to damage.
    rewrite("takedowns.xlsx", "stored.xlsx", lambda n, d: d, zipfile.ZIP_STORED)
    # The workbook inside a zip, beside the CSV.
    with zipfile.ZipFile(out("nested.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        for name in ("takedowns.xlsx",):
            zi = zipfile.ZipInfo("exports/" + name, date_time=(2024, 8, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, open(out(name), "rb").read())


def text_of(v):
    """A cell's value as openpyxl reads it (data_only: cached values), as Tally writes it."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time(0) else v.isoformat()
    if isinstance(v, dt.time):
        return v.isoformat()
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        d = decimal.Decimal(repr(v))  # repr: the shortest text that reads back as v
        s = format(d, "f")
        if "." in s:
            s = s.rstrip("0").rstrip(".")
        return s
    return str(v)


def expected():
    """Rows of texts per workbook and sheet, as openpyxl reads them (cached values)."""
    result = {}
    for name in ("cells.xlsx", "inline.xlsx", "date1904.xlsx", "takedowns.xlsx", "openpyxl.xlsx"):
        wb = openpyxl.load_workbook(out(name), data_only=True)
        sheets = {}
        for ws in wb.worksheets:
            rows = {}
            for row in ws.iter_rows():
                texts = [text_of(c.value) for c in row]
                if any(texts):
                    rows[str(row[0].row)] = texts
            sheets[ws.title] = rows
        result[name] = {"sheets": [ws.title for ws in wb.worksheets], "rows": sheets, "epoch1904": wb.epoch.year == 1904}
    with open(out("expected.json"), "w") as f:
        json.dump(result, f, ensure_ascii=False, indent=1, sort_keys=True)


if __name__ == "__main__":
    cells()
    inline()
    date1904()
    merged()
    takedowns()
    openpyxl_book()
    damaged()
    expected()
