"""Guideline coverage: every numbered line accounted for by a clause (and its rule) or a recorded reason.

``policies/<pack>/coverage.yaml`` assigns line ranges to clause ids or to a not-checkable reason. A
coverage report says, line by line, what accounts for it, and lists the problems that make
``guidelint coverage`` fail: lines nobody accounts for, assignments or rules citing lines the guideline
does not have, rules whose id is not a clause of the inventory, and (with ``require_rules``) clauses that
no rule encodes yet.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import yaml


@dataclass
class CoverageReport:
    first: int
    last: int
    by_line: dict  # number -> list of (kind, text): ("rule", id) | ("clause", id) | ("reason", text)
    clauses: list  # every clause id of the inventory, in order
    encoded: list  # clause ids with a rule
    problems: list = field(default_factory=list)

    @property
    def accounted(self) -> int:
        return sum(1 for n in range(self.first, self.last + 1) if self.by_line.get(n))

    @property
    def total(self) -> int:
        return self.last - self.first + 1


def load_assignments(pack) -> list:
    path = pack.path / "coverage.yaml"
    if not path.exists():
        return []
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


def coverage(pack, guideline, *, require_rules: bool = False) -> CoverageReport:
    rule_ids = {r.id for r in pack.rules}
    first, last = guideline.first_number, guideline.last_number
    by_line, clauses, problems = {}, [], []
    for entry in load_assignments(pack):
        a, b = entry["lines"]
        if not guideline.range_exists(a, b):
            problems.append(f"coverage.yaml assigns lines {a}-{b}, which the guideline does not have")
            continue
        for clause in entry.get("clauses", []):
            if clause not in clauses:
                clauses.append(clause)
        for n in range(a, b + 1):
            slot = by_line.setdefault(n, [])
            if "not_checkable" in entry:
                slot.append(("reason", entry["not_checkable"]))
            for clause in entry.get("clauses", []):
                slot.append(("rule" if clause in rule_ids else "clause", clause))
    for rule in pack.rules:
        if rule.id not in clauses:
            problems.append(f"rule {rule.id} is not a clause of the inventory (coverage.yaml)")
        for cite in rule.cites:
            if not guideline.range_exists(*cite.lines):
                problems.append(f"rule {rule.id} cites lines {cite.lines[0]}-{cite.lines[1]}, "
                                "which the guideline does not have")
    missing = [n for n in range(first, last + 1) if not by_line.get(n)]
    if missing:
        problems.append(f"{len(missing)} lines accounted for by nothing: {_ranges(missing)}")
    encoded = [c for c in clauses if c in rule_ids]
    if require_rules:
        problems += [f"clause {c} has no rule" for c in clauses if c not in rule_ids]
    return CoverageReport(first, last, by_line, clauses, encoded, problems)


def _ranges(numbers: list) -> str:
    spans, start, prev = [], numbers[0], numbers[0]
    for n in numbers[1:] + [None]:
        if n is None or n != prev + 1:
            spans.append(f"{start}-{prev}" if start != prev else str(start))
            if n is not None:
                start = n
        if n is not None:
            prev = n
    return ", ".join(spans)


def format_report(report: CoverageReport, guideline, *, lines: bool = True) -> str:
    out = []
    if lines:
        for n in range(report.first, report.last + 1):
            slot = report.by_line.get(n, [])
            parts = []
            for kind, text in slot:
                if kind == "rule":
                    parts.append(text)
                elif kind == "clause":
                    parts.append(f"{text} (no rule yet)")
                else:
                    parts.append(f"not checkable: {text}")
            out.append(f"{n:>4}  {'; '.join(dict.fromkeys(parts)) or 'UNACCOUNTED'}")
        out.append("")
    pct = 100.0 * report.accounted / report.total
    out.append(f"guideline {guideline.id}: lines {report.first}-{report.last}, "
               f"{report.accounted}/{report.total} accounted for ({pct:.1f}%)")
    out.append(f"checkable clauses: {len(report.clauses)}; encoded as rules: {len(report.encoded)}")
    for p in report.problems:
        out.append(f"problem: {p}")
    return "\n".join(out)
