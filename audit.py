"""One protocol in, one DocumentResult out: read the PDF, extract facts, run the pack, build findings.

Any failure on one file becomes a DocumentResult with ``status`` error/needs_ocr and a one-line reason,
so a batch can go on with the other files.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .models import DocumentResult


@dataclass
class AuditContext:
    """What every document of a run shares: the pack and the guideline it cites."""

    pack: object
    guideline: object

    @classmethod
    def load(cls, pack_name: str | None = None, guideline_path: str | None = None) -> "AuditContext":
        from .engine.pack import DEFAULT_PACK, load_pack
        from .extract.guideline import load_default, load_guideline

        pack = load_pack(pack_name or DEFAULT_PACK)
        guideline = load_guideline(guideline_path) if guideline_path else load_default()
        return cls(pack, guideline)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def audit_document(path, ctx: AuditContext) -> tuple:
    """Return (DocumentResult, verdicts); verdicts is empty when the document could not be read."""
    from .engine.evaluate import evaluate
    from .extract.facts import extract_facts
    from .extract.pdf import ProtocolReadError, read_protocol

    path = Path(path)
    result = DocumentResult(path=str(path))
    try:
        document = read_protocol(path)
    except ProtocolReadError as exc:
        result.status, result.error = exc.status, str(exc)
        if path.is_file():
            result.sha256 = _sha256(path)
        return result, []
    result.sha256, result.language, result.pages = document.sha256, document.language, document.pages
    facts = extract_facts(document)
    findings, verdicts, derived = evaluate(ctx.pack, ctx.guideline, facts, sid=document.sha256[:16])
    result.facts = facts + derived
    result.findings = findings
    return result, verdicts
