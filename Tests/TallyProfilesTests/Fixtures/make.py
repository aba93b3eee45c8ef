#!/usr/bin/env python3
"""Writes bad-rows.xlsx: a regulator's export (title row, Korean header) whose row 4 has a result
label outside the profile's map and whose row 5 has a malformed request time; rows 3 and 6 are
good. Run with openpyxl: python3 make.py (writes next to this file; fixed document times)."""
import datetime as dt
import os
import openpyxl

HERE = os.path.dirname(os.path.abspath(__file__))
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "요청"
ws.append(["삭제·차단 요청 처리 현황 (시험)"])
ws.merge_cells("A1:I1")
ws.append(["요청번호", "플랫폼", "국내외", "유형", "요청기관", "탐지", "요청일시", "처리일시", "처리결과"])
ws.append(["R1", "네이버", "국내", "이미지", "경찰", "AI", dt.datetime(2024, 8, 1, 13, 5, 9), dt.datetime(2024, 8, 1, 20, 0, 0), "삭제"])
ws.append(["R2", "X", "해외", "영상", "방심위", "신고", dt.datetime(2024, 8, 2, 9, 0, 0), None, "보류"])
ws.append(["R3", "X", "해외", "영상", "방심위", "신고", "8월 3일", None, "처리중"])
ws.append(["R4", "카카오", "국내", "링크", "피해자", "모니터링", dt.datetime(2024, 8, 4, 10, 0, 0), None, "처리중"])
for row in ws.iter_rows(min_row=3, min_col=7, max_col=8):
    for c in row:
        c.number_format = "yyyy-mm-dd hh:mm:ss"
wb.properties.created = wb.properties.modified = dt.datetime(2024, 9, 6, 9, 0, 0)
wb.save(os.path.join(HERE, "bad-rows.xlsx"))
