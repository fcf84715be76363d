"""Every review report of a batch into OUT/ at once, each written to a temporary name and renamed into place.

The rename keeps a half-written report from ever standing under its real name (a crash, a full disk, Ctrl-C):
OUT/ holds either the previous complete file or the new one.
"""
from __future__ import annotations

import os
from pathlib import Path

from . import csv as csv_report
from . import html as html_report
from . import sarif as sarif_report
from . import xlsx as xlsx_report
from .table import finding_rows

FILES = {"xlsx": "findings.xlsx", "csv": "findings.csv", "sarif": "report.sarif", "html": "report.html"}


def _atomic(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_all(out_dir, results, ctx, *, merge_reviews=None, formats=tuple(FILES),
              sarif_include_passing: bool = False) -> dict:
    """Write findings.xlsx, findings.csv, report.sarif and report.html for ``results`` into ``out_dir``.

    ``results``: DocumentResult objects or their JSON dicts (as read back from results.jsonl), in report order.
    ``ctx``: the AuditContext of the run (its pack and guideline give the Rules sheet and SARIF rule metadata).
    ``merge_reviews``: an older findings.xlsx (may be OUT/findings.xlsx itself) whose Reviewer decision and
    Comment carry over to rows of the same (document sha256, rule), in the workbook and the CSV alike; raises
    ``xlsx.ReviewMergeError`` (a ValueError) before writing anything when it cannot be read.
    ``formats``: a subset of FILES' keys. Returns {"files": {format: path}, "carried": n, "unmatched": n}.
    """
    unknown = set(formats) - set(FILES)
    if unknown:
        raise ValueError(f"unknown report format(s): {', '.join(sorted(unknown))}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows, unmatched, carried = finding_rows(results), [], 0
    if merge_reviews is not None:  # read before anything is written: the old workbook may be the one replaced
        rows, unmatched, carried = xlsx_report.merge(merge_reviews, rows)
    writers = {
        "xlsx": lambda p: xlsx_report.write(results, ctx, p, rows=rows, unmatched=unmatched),
        "csv": lambda p: csv_report.write(results, ctx, p, rows=rows),
        "sarif": lambda p: sarif_report.write(results, ctx, p, include_passing=sarif_include_passing),
        "html": lambda p: html_report.write(results, ctx, p),
    }
    files = {}
    for fmt in formats:
        path = out / FILES[fmt]
        _atomic(path, writers[fmt])
        files[fmt] = path
    return {"files": files, "carried": carried, "unmatched": len(unmatched)}
