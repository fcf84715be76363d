"""The one data model that flows through guidelint: extract -> facts -> engine -> findings -> reporters.

Every object here is a plain frozen dataclass with a ``to_json`` that yields the stable JSON report schema.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Tuple, Union

BBox = Tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points, top-left origin (pdfplumber)
FactValue = Union[bool, int, float, str]

STATUSES = ("met", "gap", "not_addressed", "not_applicable")
SEVERITIES = ("high", "medium", "low", "info")


@dataclass(frozen=True)
class ProtocolLine:
    """One visual line of body text in a protocol PDF, after running headers/footers are dropped.

    ``line_no`` counts body lines on the page from 1 (what a reviewer counts when pointing at a line);
    ``section`` is the heading path the line sits under, e.g. ``"5 受试者选择 > 5.1 入选标准"``.
    ``is_heading`` marks a line that is itself a section heading. ``is_table_row`` marks one row of a ruled table,
    its cells joined by ``" | "`` (the header row first): a sentence of its own, never joined to the text around it.
    ``is_footnote`` marks a line of a footnote at the foot of the page: read on its own, never inside the sentence
    that wraps past it onto the next page.
    """

    page: int
    line_no: int
    text: str
    bbox: BBox
    section: str = ""
    is_heading: bool = False
    is_table_row: bool = False
    is_footnote: bool = False


@dataclass(frozen=True)
class ProtocolDocument:
    path: str
    sha256: str
    pages: int
    language: str  # zh | en | mixed
    lines: Tuple[ProtocolLine, ...]
    # Running headers/footers that were recognised and dropped, kept for the report and for tests.
    dropped: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Evidence:
    page: int
    line: int
    text: str
    bbox: Optional[BBox] = None

    def to_json(self) -> dict:
        return {"page": self.page, "line": self.line, "text": self.text}


@dataclass(frozen=True)
class Fact:
    """A structured statement pulled out of a protocol (or derived by the engine from other facts).

    ``value`` is typed by the fact catalogue (``extract/fact_kinds.yaml``); ``negated`` records that the
    mention was negated or sat in exclusion-criteria scope and the value was inverted accordingly.
    """

    kind: str
    value: FactValue
    evidence: Optional[Evidence] = None
    section: str = ""
    negated: bool = False
    derived_from: Tuple[str, ...] = ()  # for derived facts: the ids of the facts underneath

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "value": self.value,
            "negated": self.negated,
            "section": self.section,
            "evidence": self.evidence.to_json() if self.evidence else None,
        }

    def label(self) -> str:
        v = self.value
        if isinstance(v, bool):
            v = "true" if v else "false"
        elif isinstance(v, float) and v.is_integer():
            v = int(v)  # 14.0 days reads as 14
        return f"{self.kind}={v}"


@dataclass(frozen=True)
class GuidelineLine:
    """One line of a guideline. ``number`` is the printed line number, or None for front matter."""

    number: Optional[int]
    text: str
    section: str  # section path, e.g. "二、 > (一) > 2."
    page: Optional[int] = None


@dataclass(frozen=True)
class GuidelineRef:
    """A cited range of guideline lines with their verbatim text."""

    guideline_id: str
    lines: Tuple[int, int]
    text: str

    def to_json(self) -> dict:
        return {"lines": [self.lines[0], self.lines[1]], "text": self.text}


@dataclass(frozen=True)
class Finding:
    rule_id: str
    status: str
    severity: str
    message: dict  # {"en": ..., "zh": ...}
    cites: Tuple[GuidelineRef, ...]
    evidence: Tuple[Evidence, ...] = ()
    because: Tuple[str, ...] = ()
    missing: Tuple[str, ...] = ()  # fact kinds looked for and not found (not_addressed)
    title: str = ""
    drift: str = ""  # set when the rule runs although its cited guideline text drifted (--allow-drift)
    waived: Optional[dict] = None  # {by, reason}: a reviewer accepted this finding; the status stays

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    def to_json(self) -> dict:
        first, rest = self.cites[0], self.cites[1:]
        guideline = {"id": first.guideline_id, **first.to_json()}
        if rest:
            guideline["more"] = [c.to_json() for c in rest]
        out = {
            "rule": self.rule_id,
            "status": self.status,
            "severity": self.severity,
            "message": dict(self.message),
            "guideline": guideline,
            "evidence": [e.to_json() for e in self.evidence],
            "because": list(self.because) + [f"missing:{m}" for m in self.missing],
        }
        if self.drift:
            out["drift"] = self.drift
        if self.waived:
            out["waived"] = dict(self.waived)
        return out


@dataclass
class DocumentResult:
    """What one audited document yields: its facts and findings, or an error."""

    path: str
    sha256: str = ""
    language: str = ""
    pages: int = 0
    status: str = "ok"  # ok | error | needs_ocr
    error: Optional[str] = None
    facts: list = field(default_factory=list)
    findings: list = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "language": self.language,
            "pages": self.pages,
            "status": self.status,
            "error": self.error,
            "facts": [f.to_json() for f in self.facts],
            "findings": [f.to_json() for f in self.findings],
        }
