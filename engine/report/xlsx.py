"""The review workbook ``findings.xlsx``: the sheet a reviewer works in, plus the matrix, the rules and the failures.

Sheets: *Findings* (one row per document and rule, with empty *Reviewer decision* / *Comment* columns to fill in),
*Summary* (documents x rules), *Rules*, *Errors*, and *Unmatched reviews* only when ``--merge-reviews`` brought
decisions that no row of this run can take (a protocol changed, so its sha256 did): they are kept, not dropped.
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from .table import (
    COLUMNS,
    DECISIONS,
    STATUS_ORDER,
    documents,
    error_rows,
    finding_rows,
    rule_rows,
)

# Excel's own "light red / yellow / green" fills, so the colours read the way reviewers already know them.
STATUS_FILLS = {
    "gap": "FFC7CE",
    "not_addressed": "FFEB9C",
    "met": "C6EFCE",
    "not_applicable": "EDEDED",
}
WIDTHS = {
    "Document": 30, "Document sha256": 18, "Rule": 30, "Status": 15, "Severity": 10, "Guideline lines": 12,
    "Guideline text": 60, "Protocol page:line": 14, "Evidence text": 60, "Message (zh)": 40, "Message (en)": 40,
    "Reviewer decision": 18, "Comment": 40, "Title (en)": 45, "Title (zh)": 30, "Reason": 80, "Audit status": 12,
}
WRAPPED = {"Guideline text", "Evidence text", "Message (zh)", "Message (en)", "Comment", "Title (en)", "Title (zh)",
           "Reason", "Document"}
RULE_COLUMNS = ("Rule", "Title (en)", "Title (zh)", "Severity", "Guideline lines", "Guideline text")
ERROR_COLUMNS = ("Document", "Document sha256", "Status", "Reason")
MAX_CELL = 32767  # Excel refuses longer cell text

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_TOP = Alignment(vertical="top")
_TOP_WRAP = Alignment(vertical="top", wrap_text=True)


class ReviewMergeError(ValueError):
    """An old workbook that cannot be read for reviews; the message names the file and why."""


def _set(cell, value) -> None:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL]
        cell.value = value
        # Protocol text is untrusted: a line starting with "=" must stay text, never become a formula.
        cell.data_type = "s"
    else:
        cell.value = value


def _table(ws, columns, rows, *, freeze="A2") -> None:
    for j, name in enumerate(columns, 1):
        cell = ws.cell(row=1, column=j)
        _set(cell, name)
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _TOP_WRAP
        ws.column_dimensions[get_column_letter(j)].width = WIDTHS.get(name, 14)
    for i, row in enumerate(rows, 2):
        for j, name in enumerate(columns, 1):
            cell = ws.cell(row=i, column=j)
            _set(cell, row.get(name, ""))
            cell.alignment = _TOP_WRAP if name in WRAPPED else _TOP
    ws.freeze_panes = freeze
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows) + 1, 2)}"


def _status_colours(ws, cell_range: str, status_cell: str | None = None) -> None:
    """Colour by status: whole rows keyed on one status column, or each cell of a matrix on its own value."""
    for status, colour in STATUS_FILLS.items():
        fill = PatternFill("solid", start_color=colour, end_color=colour, bgColor=colour)
        if status_cell:
            rule = FormulaRule(formula=[f'{status_cell}="{status}"'], fill=fill)
        else:
            rule = CellIsRule(operator="equal", formula=[f'"{status}"'], fill=fill)
        ws.conditional_formatting.add(cell_range, rule)


def _findings_sheet(ws, rows) -> None:
    _table(ws, COLUMNS, rows)
    last_row, last_col = max(len(rows) + 1, 2), get_column_letter(len(COLUMNS))
    status_col = get_column_letter(COLUMNS.index("Status") + 1)
    _status_colours(ws, f"A2:{last_col}{last_row}", f"${status_col}2")
    decision_col = get_column_letter(COLUMNS.index("Reviewer decision") + 1)
    dv = DataValidation(type="list", formula1='"' + ",".join(DECISIONS) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle="Reviewer decision",
                        error="Choose one of: " + ", ".join(DECISIONS))
    dv.add(f"{decision_col}2:{decision_col}{last_row}")
    ws.add_data_validation(dv)


def _summary_sheet(ws, results, ctx) -> None:
    docs = documents(results)
    rule_ids = [r.id for r in ctx.pack.rules]
    seen = set(rule_ids)
    for d in docs:  # results from another pack version may name rules this pack lacks: keep them visible
        for f in d.get("findings") or ():
            if f["rule"] not in seen:
                seen.add(f["rule"])
                rule_ids.append(f["rule"])
    counts = tuple(STATUS_ORDER)
    columns = ("Document", "Document sha256", "Audit status") + counts + tuple(rule_ids)
    rows = []
    for d in docs:
        by_rule = {f["rule"]: f["status"] for f in d.get("findings") or ()}
        row = {"Document": d["path"], "Document sha256": d.get("sha256", ""), "Audit status": d.get("status", "ok")}
        row.update({s: sum(1 for v in by_rule.values() if v == s) for s in counts})
        row.update(by_rule)
        rows.append(row)
    _table(ws, columns, rows, freeze="D2")
    first_rule = len(columns) - len(rule_ids) + 1
    for j in range(first_rule, len(columns) + 1):
        ws.column_dimensions[get_column_letter(j)].width = 14
        # Rule ids are long; upright headers would make the matrix unreadably wide.
        ws.cell(row=1, column=j).alignment = Alignment(text_rotation=90, vertical="bottom", horizontal="center")
    if rule_ids:
        ws.row_dimensions[1].height = 190
        _status_colours(ws, f"{get_column_letter(first_rule)}2:{get_column_letter(len(columns))}{max(len(rows) + 1, 2)}")


def read_reviews(old_xlsx) -> dict:
    """(document sha256, rule) -> {"Reviewer decision", "Comment", "Document"} for every row a reviewer touched."""
    path = Path(old_xlsx)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (OSError, ValueError, KeyError, BadZipFile, InvalidFileException) as exc:  # missing, encrypted, not xlsx
        raise ReviewMergeError(f"{path}: cannot read as a workbook ({type(exc).__name__}: {exc})") from None
    try:
        if "Findings" not in wb.sheetnames:
            raise ReviewMergeError(f"{path}: no sheet 'Findings'")
        rows = wb["Findings"].iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        need = ("Document sha256", "Rule", "Reviewer decision", "Comment")
        missing = [n for n in need if n not in header]
        if missing:
            raise ReviewMergeError(f"{path}: sheet 'Findings' has no column {', '.join(map(repr, missing))}")
        at = {n: header.index(n) for n in need + (("Document",) if "Document" in header else ())}
        reviews = {}
        for values in rows:
            cell = {n: values[j] if j < len(values) and values[j] is not None else "" for n, j in at.items()}
            decision, comment = str(cell["Reviewer decision"]).strip(), str(cell["Comment"])
            sha, rule = str(cell["Document sha256"]).strip(), str(cell["Rule"]).strip()
            if sha and rule and (decision or comment.strip()):
                reviews[(sha, rule)] = {"Reviewer decision": decision, "Comment": comment,
                                        "Document": cell.get("Document", "")}
        return reviews
    finally:
        wb.close()


class Merge(NamedTuple):
    rows: list  # the new rows, reviews carried over
    unmatched: list  # old reviews whose (sha256, rule) no row of this run has
    carried: int  # rows that took a review


def merge(old_xlsx, new_rows) -> Merge:
    reviews = read_reviews(old_xlsx)
    merged, used = [], set()
    for row in new_rows:
        key = (row.get("Document sha256", ""), row.get("Rule", ""))
        old = reviews.get(key)
        row = dict(row)
        if old:
            used.add(key)
            for name in ("Reviewer decision", "Comment"):
                if str(old[name]).strip():  # an empty old cell must not wipe a waiver recorded since
                    row[name] = old[name]
        merged.append(row)
    unmatched = [{"Document": v["Document"], "Document sha256": k[0], "Rule": k[1],
                  "Reviewer decision": v["Reviewer decision"], "Comment": v["Comment"]}
                 for k, v in reviews.items() if k not in used]
    return Merge(merged, unmatched, len(used))


def merge_reviews(old_xlsx, new_rows) -> list:
    """New rows with the Reviewer decision and Comment of the old workbook's row of the same (sha256, rule).

    Keyed on the document's sha256, not its path: a renamed file keeps its reviews, an edited one does not,
    since a decision about text that changed must be made again (``merge`` also returns those left over)."""
    return merge(old_xlsx, new_rows).rows


def write(results, ctx, path, *, rows=None, unmatched=(), merge_from=None) -> Merge:
    """Write the workbook to ``path``.

    ``rows`` (from ``table.finding_rows``, possibly merged already, with ``unmatched`` the reviews that found no
    row) default to the results' own; ``merge_from`` names an older workbook to carry reviews over from."""
    rows = finding_rows(results) if rows is None else rows
    result = Merge(rows, list(unmatched), 0)
    if merge_from is not None:
        result = merge(merge_from, rows)
    wb = Workbook()
    wb.properties.creator = "guidelint"
    g = ctx.guideline
    wb.properties.title = f"guidelint findings: {g.id}, pack {ctx.pack.id} {ctx.pack.version}"
    _findings_sheet(wb.active, result.rows)
    wb.active.title = "Findings"
    _summary_sheet(wb.create_sheet("Summary"), results, ctx)
    _table(wb.create_sheet("Rules"), RULE_COLUMNS, rule_rows(ctx))
    _table(wb.create_sheet("Errors"), ERROR_COLUMNS, error_rows(results))
    if result.unmatched:
        _table(wb.create_sheet("Unmatched reviews"), ("Document", "Document sha256", "Rule", "Reviewer decision",
                                                       "Comment"), result.unmatched)
    wb.save(path)
    return result
