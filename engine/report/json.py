"""The machine report: the stable JSON schema (issue #2). Later versions extend it, never break it."""
from __future__ import annotations

import json

from ... import __version__


def document_json(result) -> dict:
    return result.to_json()


def report(results, ctx) -> dict:
    g = ctx.guideline
    return {
        "tool": "guidelint",
        "version": __version__,
        "guideline": {"id": g.id, "title": g.title, "sha256": g.sha256},
        "pack": {"id": ctx.pack.id, "version": ctx.pack.version},
        "documents": [document_json(r) for r in results],
    }


def emit(results, ctx, stream) -> None:
    json.dump(report(results, ctx), stream, ensure_ascii=False, indent=2)
    stream.write("\n")
