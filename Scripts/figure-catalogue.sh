#!/usr/bin/env bash
# Writes the figure catalogue (`tally figures --format markdown`) into README.md between the
# figure-catalogue markers. A test (FiguresCLITests) fails when the README's copy drifts.
# Usage: Scripts/figure-catalogue.sh [TALLY]   (default .build/debug/tally)
set -euo pipefail
tally=${1:-.build/debug/tally}
table=$("$tally" figures --format markdown)
python3 - "$table" <<'PY'
import sys
table = sys.argv[1]
begin, end = "<!-- figure-catalogue:begin -->\n", "\n<!-- figure-catalogue:end -->"
text = open("README.md", encoding="utf-8").read()
a, b = text.index(begin) + len(begin), text.index(end)
new = text[:a] + table + text[b:]
if new != text:
    open("README.md.tmp", "w", encoding="utf-8").write(new)
    import os; os.replace("README.md.tmp", "README.md")
PY
