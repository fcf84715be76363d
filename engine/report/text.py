"""The human report: per document, one block per finding with its guideline citation and evidence."""
from __future__ import annotations

import textwrap

_MARK = {"gap": "GAP", "not_addressed": "MISSING", "met": "ok", "not_applicable": "n/a"}
_ORDER = {"gap": 0, "not_addressed": 1, "met": 2, "not_applicable": 3}
_SEVERITY = {"high": 0, "medium": 1, "low": 2, "info": 3}


def _clip(text: str, width: int = 110) -> str:
    return textwrap.shorten(" ".join(text.split()), width=width, placeholder=" …")


def emit(results, ctx, stream, *, lang: str = "en", verbose: bool = False) -> None:
    g = ctx.guideline
    stream.write(f"guidelint — guideline {g.id}, pack {ctx.pack.id} {ctx.pack.version} ({len(ctx.pack.rules)} rules)\n")
    for r in results:
        stream.write(f"\n{r.path}\n")
        if r.status != "ok":
            stream.write(f"  {r.status.upper()}: {r.error}\n")
            continue
        counts = {s: sum(1 for f in r.findings if f.status == s) for s in _ORDER}
        stream.write(f"  language {r.language}, {r.pages} pages, {len(r.facts)} facts; "
                     + ", ".join(f"{n} {s}" for s, n in counts.items()) + "\n")
        for f in sorted(r.findings, key=lambda f: (_ORDER[f.status], _SEVERITY[f.severity], f.rule_id)):
            if f.status == "not_applicable" and not verbose:
                continue
            cite = f.cites[0]
            lines = "; ".join(f"{c.lines[0]}-{c.lines[1]}" for c in f.cites)
            stream.write(f"\n  [{_MARK[f.status]:>7}] {f.rule_id} ({f.severity}) guideline {g.id} lines {lines}\n")
            stream.write(f"            {f.message[lang]}\n")
            stream.write(f"            guideline: “{_clip(cite.text)}”\n")
            for e in f.evidence[:3]:
                stream.write(f"            protocol p{e.page}:{e.line}: “{_clip(e.text, 90)}”\n")
            if f.because:
                stream.write(f"            because: {'; '.join(f.because)}\n")
            if f.missing:
                stream.write(f"            not found: {', '.join(f.missing)}\n")
            if f.waived:
                stream.write(f"            waived by {f.waived['by']}: {f.waived['reason']}\n")
            if f.drift:
                stream.write(f"            {f.drift}\n")
    stream.write("\n")
