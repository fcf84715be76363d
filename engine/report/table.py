"""The review table: one row per (document, rule), shared by the workbook and the CSV so the two never disagree.

Reporters read the stable document JSON (``DocumentResult.to_json()``), not the dataclasses: a batch resumed
from ``results.jsonl`` has only that JSON, and the reports must come out the same either way.
"""
from __future__ import annotations

COLUMNS = (
    "Document", "Document sha256", "Rule", "Status", "Severity", "Guideline lines", "Guideline text",
    "Protocol page:line", "Evidence text", "Message (zh)", "Message (en)", "Reviewer decision", "Comment",
)
DECISIONS = ("agree", "disagree", "needs discussion", "waived")
STATUS_ORDER = {"gap": 0, "not_addressed": 1, "met": 2, "not_applicable": 3}
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}


def as_document(result) -> dict:
    return result if isinstance(result, dict) else result.to_json()


def documents(results) -> list:
    return [as_document(r) for r in results]


def cites(finding: dict) -> list:
    """Every cited range of a finding JSON as ``(guideline id, (first, last), text)``, the first one first."""
    g = finding["guideline"]
    out = [(g["id"], tuple(g["lines"]), g["text"])]
    out += [(g["id"], tuple(c["lines"]), c["text"]) for c in g.get("more", ())]
    return out


def lines_label(cited) -> str:
    return "; ".join(f"{a}-{b}" if a != b else f"{a}" for _, (a, b), _ in cited)


def ordered_findings(document: dict) -> list:
    """Problems first, then by severity, then rule id: the order a reviewer works through them."""
    return sorted(document.get("findings") or (), key=lambda f: (
        STATUS_ORDER.get(f["status"], 9), SEVERITY_ORDER.get(f["severity"], 9), f["rule"]))


def finding_rows(results) -> list:
    """One dict per finding keyed by COLUMNS (a document that could not be read has no findings, so no rows)."""
    rows = []
    for doc in documents(results):
        for f in ordered_findings(doc):
            cited = cites(f)
            evidence = f.get("evidence") or ()
            message_en = f["message"].get("en", "")
            if f.get("drift"):
                message_en += f" [{f['drift']}]"
            waived = f.get("waived") or {}
            rows.append({
                "Document": doc["path"],
                "Document sha256": doc.get("sha256", ""),
                "Rule": f["rule"],
                "Status": f["status"],
                "Severity": f["severity"],
                "Guideline lines": lines_label(cited),
                "Guideline text": "\n\n".join(text for _, _, text in cited),
                "Protocol page:line": "; ".join(f"p{e['page']}:{e['line']}" for e in evidence),
                "Evidence text": "\n".join(f"p{e['page']}:{e['line']} {e['text']}" if len(evidence) > 1 else e["text"]
                                           for e in evidence),
                "Message (zh)": f["message"].get("zh", ""),
                "Message (en)": message_en,
                # A waiver file is a reviewer's decision already on record: show it rather than an empty cell.
                "Reviewer decision": "waived" if waived else "",
                "Comment": f"{waived.get('by', '')}: {waived.get('reason', '')}" if waived else "",
            })
    return rows


def error_rows(results) -> list:
    return [{"Document": d["path"], "Document sha256": d.get("sha256", ""), "Status": d["status"],
             "Reason": d.get("error") or ""}
            for d in documents(results) if d.get("status", "ok") != "ok"]


def rule_rows(ctx) -> list:
    """The pack's rules with the guideline text they cite, read from the guideline the run used."""
    rows = []
    for r in ctx.pack.rules:
        texts = []
        for c in r.cites:
            try:
                texts.append(ctx.guideline.text(*c.lines))
            except ValueError as exc:  # a cite the guideline no longer has: say so instead of failing the report
                texts.append(f"({exc})")
        rows.append({
            "Rule": r.id, "Title (en)": r.title.get("en", ""), "Title (zh)": r.title.get("zh", ""),
            "Severity": ctx.pack.severity(r),
            "Guideline lines": "; ".join(f"{a}-{b}" if a != b else f"{a}" for a, b in (c.lines for c in r.cites)),
            "Guideline text": "\n\n".join(texts),
        })
    return rows
