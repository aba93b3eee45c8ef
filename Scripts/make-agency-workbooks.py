#!/usr/bin/env python3
"""Writes one sample month as the three agencies would send it.

From Data/sample/monthly/2024-MM/*.csv (contract CSVs) it writes:

  Data/sample/agency/2024-MM-agency.zip   the regulator's, the police's and the support centre's
                                          exports as .xlsx: Korean headers and labels, a title row,
                                          an extraction-date row, a totals row and a note row, dates
                                          as real Excel dates (number formats), amounts as numbers
                                          with a thousands format;
  Data/sample/agency/2024-MM/*.csv        the same content as CSV (UTF-8), as an agency saves it
                                          from Excel: dates in Korean forms (`2024-08-01 오후 1:05:09`,
                                          `2024.08.01`), amounts with thousands separators.

Both are read by the source profiles of Data/sources. Timestamps become Seoul local times rounded
to the second (Excel keeps no offset; exports show seconds). Output is reproducible: fixed
document properties and fixed zip entry times.

Usage: Scripts/make-agency-workbooks.py [2024-MM]   (needs openpyxl: `make agency-sample` makes a venv)
"""
import csv
import datetime as dt
import io
import os
import re
import sys
import zipfile

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEOUL = dt.timezone(dt.timedelta(hours=9))
FIXED = dt.datetime(2024, 9, 6, 9, 0, 0)   # document created/modified, and zip entry times

ORIGIN = {"domestic": "국내", "overseas": "해외"}
CONTENT = {"image": "이미지", "video": "영상", "link": "링크", "channel": "채널"}
REQUESTER = {"regulator": "방심위", "police": "경찰", "support_centre": "지원센터", "victim": "피해자"}
DETECTOR = {"ai": "AI", "report": "신고", "monitoring": "모니터링"}
OUTCOME = {"removed": "삭제", "blocked": "차단", "refused": "거부", "pending": "처리중"}
OFFENSE = {"create": "제작", "distribute": "유포", "possess": "소지", "purchase": "구입", "store": "저장",
           "view": "시청", "blackmail": "협박", "coerce": "강요"}
GENDER = {"female": "여", "male": "남", "other": "기타", "unknown": "미상"}
CHANNEL = {"hotline": "전화", "website": "온라인", "visit": "방문", "referral": "연계"}
SERVICE = {"deletion": "삭제지원", "counseling": "상담", "legal": "법률", "medical": "의료", "investigation": "수사연계"}
AGENCY = {"Seoul": "서울경찰청", "Busan": "부산경찰청", "Daegu": "대구경찰청", "Incheon": "인천경찰청",
          "Gwangju": "광주경찰청", "Daejeon": "대전경찰청", "Ulsan": "울산경찰청", "Sejong": "세종경찰청",
          "Gyeonggi-Nambu": "경기남부경찰청", "Gyeonggi-Bukbu": "경기북부경찰청", "Gangwon": "강원경찰청",
          "Chungbuk": "충북경찰청", "Chungnam": "충남경찰청", "Jeonbuk": "전북경찰청", "Jeonnam": "전남경찰청",
          "Gyeongbuk": "경북경찰청", "Gyeongnam": "경남경찰청", "Jeju": "제주경찰청",
          "National Office of Investigation": "국가수사본부"}
REGION = {"Seoul": "서울", "Gyeonggi": "경기", "Busan": "부산", "Incheon": "인천", "Daegu": "대구", "Gwangju": "광주",
          "Daejeon": "대전", "Ulsan": "울산", "Sejong": "세종", "Gangwon": "강원", "Chungbuk": "충북", "Chungnam": "충남",
          "Jeonbuk": "전북", "Jeonnam": "전남", "Gyeongbuk": "경북", "Gyeongnam": "경남", "Jeju": "제주"}
# Domestic platforms as the regulator writes them (the platform registry maps them back).
PLATFORM = {"Naver": "네이버", "Kakao": "카카오", "Daum": "다음", "Band": "밴드", "SOOP": "숲"}
TRUE = {"true", "yes", "y", "1"}
FALSE = {"false", "no", "n", "0"}


def seoul(text):
    """A contract timestamp as a naive Seoul local time rounded to the second, or None."""
    if not text:
        return None
    t = text.replace(" ", "T", 1)
    if t.endswith("Z") or t.endswith("z"):
        t = t[:-1] + "+00:00"
    value = dt.datetime.fromisoformat(t)
    if value.tzinfo is None:
        value = value.replace(tzinfo=SEOUL)   # contract: local times are Seoul (the default --tz)
    local = value.astimezone(SEOUL).replace(tzinfo=None)
    if local.microsecond >= 500_000:
        local += dt.timedelta(seconds=1)
    return local.replace(microsecond=0)


def korean_time(value):
    """`2024-08-01 오후 1:05:09`, as Korean Excel shows a date-time saved to CSV."""
    half = "오전" if value.hour < 12 else "오후"
    hour = value.hour % 12 or 12
    return f"{value:%Y-%m-%d} {half} {hour}:{value:%M:%S}"


def yn(text):
    t = text.strip().lower()
    return "Y" if t in TRUE else "N" if t in FALSE else ""


def read(month, kind):
    path = os.path.join(ROOT, "Data/sample/monthly", month, f"{kind}-{month}.csv")
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def takedowns(month):
    header = ["요청번호", "플랫폼", "국내외", "유형", "요청기관", "탐지", "요청일시", "처리일시", "처리결과"]
    rows = []
    for r in read(month, "takedowns"):
        rows.append([r["request_id"], PLATFORM.get(r["platform"], r["platform"]), ORIGIN.get(r["platform_origin"], ""),
                     CONTENT.get(r["content_kind"], ""), REQUESTER[r["requested_by"]], DETECTOR.get(r["detected_by"], ""),
                     seoul(r["requested_at"]), seoul(r["resolved_at"]), OUTCOME[r["outcome"]]])
    totals = ["합계", "", "", "", "", "", "", "", f"{len(rows):,}건"]
    note = "※ 요청일시·처리일시는 한국시간(KST) 기준입니다."
    return dict(name=f"regulator-takedowns-{month}", sheet="요청", header=header, rows=rows, totals=totals, note=note,
                title=f"디지털성범죄정보 삭제·차단 요청 처리 현황 ({month[:4]}년 {int(month[5:])}월)",
                datetime_columns={6, 7}, date_columns=set(), money_columns=set())


def arrests(month):
    header = ["검거번호", "검거일", "관서", "죄명", "피의자연령", "피해자미성년", "위장수사", "자백", "범죄수익환수액"]
    rows = []
    total = 0
    for r in read(month, "arrests"):
        proceeds = int(r["proceeds_seized_krw"]) if r["proceeds_seized_krw"] else None
        total += proceeds or 0
        rows.append([r["arrest_id"], dt.date.fromisoformat(r["arrested_on"]), AGENCY[r["agency"]], OFFENSE[r["offense"]],
                     int(r["suspect_age"]) if r["suspect_age"] else None, yn(r["victim_minor"]), yn(r["undercover"]),
                     yn(r["confessed"]), proceeds])
    totals = ["합계", "", "", "", "", "", "", "", total]
    note = "※ 범죄수익환수액 단위: 원"
    return dict(name=f"police-arrests-{month}", sheet="검거", header=header, rows=rows, totals=totals, note=note,
                title=f"디지털성범죄 검거 현황 ({month[:4]}년 {int(month[5:])}월)",
                datetime_columns=set(), date_columns={1}, money_columns={8})


def victims(month):
    header = ["피해자번호", "최초상담일", "연령", "성별", "경로", "지원내역", "지역"]
    rows = []
    for r in read(month, "victims"):
        services = ", ".join(SERVICE[s] for s in r["services"].split(";") if s)
        rows.append([r["victim_id"], dt.date.fromisoformat(r["contacted_on"]), int(r["age"]) if r["age"] else None,
                     GENDER.get(r["gender"], ""), CHANNEL[r["channel"]], services, REGION.get(r["region"], r["region"])])
    totals = ["합계", f"{len(rows):,}명", "", "", "", "", ""]
    note = "※ 피해자번호는 가명처리된 번호입니다."
    return dict(name=f"support-victims-{month}", sheet="피해자", header=header, rows=rows, totals=totals, note=note,
                title=f"디지털성범죄 피해자 지원 현황 ({month[:4]}년 {int(month[5:])}월)",
                datetime_columns=set(), date_columns={1}, money_columns=set())


def extracted(month):
    y, m = int(month[:4]), int(month[5:])
    y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return f"추출일: {y}-{m:02d}-06"


def csv_text(export, month):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    width = len(export["header"])
    w.writerow([export["title"]] + [""] * (width - 1))
    w.writerow([extracted(month)] + [""] * (width - 1))
    w.writerow(export["header"])
    for row in export["rows"]:
        cells = []
        for i, v in enumerate(row):
            if v is None:
                cells.append("")
            elif i in export["datetime_columns"]:
                cells.append(korean_time(v))
            elif i in export["date_columns"]:
                cells.append(f"{v:%Y.%m.%d}")
            elif i in export["money_columns"]:
                cells.append(f"{v:,}")
            else:
                cells.append(str(v))
        w.writerow(cells)
    w.writerow([f"{v:,}" if isinstance(v, int) else v for v in export["totals"]])
    w.writerow([export["note"]] + [""] * (width - 1))
    return out.getvalue()


def workbook_bytes(export, month):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = export["sheet"]
    width = len(export["header"])
    ws.append([export["title"]])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([extracted(month)])
    ws.append(export["header"])
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for row in export["rows"]:
        ws.append(row)
        r = ws.max_row
        for i in export["datetime_columns"]:
            ws.cell(r, i + 1).number_format = "yyyy-mm-dd hh:mm:ss"
        for i in export["date_columns"]:
            ws.cell(r, i + 1).number_format = "yyyy-mm-dd"
        for i in export["money_columns"]:
            ws.cell(r, i + 1).number_format = "#,##0"
    ws.append(export["totals"])
    for i in export["money_columns"]:
        ws.cell(ws.max_row, i + 1).number_format = "#,##0"
    ws.append([export["note"]])
    for i in range(width):
        ws.column_dimensions[get_column_letter(i + 1)].width = 20
    wb.properties.creator = "Tally sample"
    wb.properties.created = FIXED
    raw = io.BytesIO()
    wb.save(raw)
    return reproducible(raw.getvalue())


def reproducible(xlsx):
    """The workbook with a fixed modification time in its properties and fixed zip entry times."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                stamp = FIXED.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp + rb"\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, data)
    return out.getvalue()


def main():
    month = sys.argv[1] if len(sys.argv) > 1 else "2024-08"
    if not re.fullmatch(r"\d{4}-\d{2}", month):
        sys.exit(f"usage: {sys.argv[0]} [YYYY-MM]")
    exports = [takedowns(month), arrests(month), victims(month)]
    folder = os.path.join(ROOT, "Data/sample/agency")
    os.makedirs(os.path.join(folder, month), exist_ok=True)
    for e in exports:
        with open(os.path.join(folder, month, e["name"] + ".csv"), "w", encoding="utf-8", newline="") as f:
            f.write(csv_text(e, month))
    zip_path = os.path.join(folder, f"{month}-agency.zip")
    tmp = zip_path + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as z:
        for e in exports:
            entry = zipfile.ZipInfo(e["name"] + ".xlsx", date_time=FIXED.timetuple()[:6])
            entry.external_attr = 0o644 << 16
            z.writestr(entry, workbook_bytes(e, month))
    os.replace(tmp, zip_path)
    print(f"wrote {zip_path} and {os.path.join(folder, month)}/*.csv")


if __name__ == "__main__":
    main()
