"""``findings.csv``: the Findings sheet of the workbook as CSV, for tools and diffs.

UTF-8 with a BOM because Excel reads a BOM-less CSV in the system code page and mangles Chinese.
"""
from __future__ import annotations

import csv as _csv

from .table import COLUMNS, finding_rows

# Cells starting with these are run as formulas by spreadsheet programs; protocol text is untrusted.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write(results, ctx, path, *, rows=None) -> None:
    """``rows`` (from ``table.finding_rows``, with reviews merged) default to the results' own."""
    rows = finding_rows(results) if rows is None else rows
    with open(path, "w", encoding="utf-8-sig", newline="") as stream:
        writer = _csv.writer(stream)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([_cell(row.get(name, "")) for name in COLUMNS])
