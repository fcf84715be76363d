"""One protocol in, one DocumentResult out: read the PDF, extract facts, run the pack, build findings.

Any failure on one file becomes a DocumentResult with ``status`` error/needs_ocr and a one-line reason,
so a batch can go on with the other files.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .models import DocumentResult


@dataclass
class AuditContext:
    """What every document of a run shares: the pack and the guideline it cites."""

    pack: object
    guideline: object
    drift: tuple = ()  # citation drift between the pack and this guideline text
    drift_notes: dict = None  # rule id -> note, for drifted rules run under --allow-drift
    waivers: tuple = ()  # from --waivers; a protocol's own <stem>.waivers.yaml is read per document

    @classmethod
    def load(cls, pack_name: str | None = None, guideline_path: str | None = None,
             allow_drift: bool = False) -> "AuditContext":
        """Drifted rules are refused (left out of the pack) unless ``allow_drift``; ``drift`` says which."""
        from .engine.pack import DEFAULT_PACK, citation_drift, load_pack, with_drift
        from .extract.guideline import load_default, load_guideline

        pack = load_pack(pack_name or DEFAULT_PACK)
        guideline = load_guideline(guideline_path) if guideline_path else load_default()
        drift = tuple(citation_drift(pack, guideline))
        pack, notes = with_drift(pack, drift, allow_drift)
        return cls(pack, guideline, drift, notes)


def audit_document(path, ctx: AuditContext) -> tuple:
    """Return (DocumentResult, verdicts); verdicts is empty when the document could not be read."""
    from .engine.evaluate import evaluate
    from .engine.waivers import WaiverError, apply_waivers
    from .extract.facts import extract_facts
    from .extract.pdf import ProtocolReadError, read_protocol

    path = Path(path)
    result = DocumentResult(path=str(path))
    try:
        document = read_protocol(path)
    except ProtocolReadError as exc:
        result.status, result.error, result.sha256 = exc.status, str(exc), exc.sha256
        return result, []
    result.sha256, result.language, result.pages = document.sha256, document.language, document.pages
    facts = extract_facts(document)
    findings, verdicts, derived = evaluate(ctx.pack, ctx.guideline, facts, drift_notes=ctx.drift_notes)
    result.facts = facts + derived
    result.findings = findings
    try:
        apply_waivers(result, list(ctx.waivers) + _waivers_beside(path, ctx))
    except WaiverError as exc:  # a broken waiver file must not pass silently as "no waivers"
        result.status, result.error = "error", str(exc)
    return result, verdicts


def _waivers_beside(pdf: Path, ctx: AuditContext) -> list:
    from .engine.waivers import beside, load_waivers

    own = beside(pdf)
    return load_waivers(own, {r.id for r in ctx.pack.rules}, beside=pdf) if own.is_file() else []
