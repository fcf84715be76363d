"""``report.sarif``: SARIF 2.1.0, for code-scanning viewers and CI annotations.

Levels. SARIF viewers treat every result as an alert, so by default only the findings a reviewer must act on
are results:

    gap            high severity -> error; medium, low, info -> warning
    not_addressed  -> warning
    met, not_applicable -> left out; with ``include_passing`` they are written with ``kind`` "pass" /
                   "notApplicable" and level "none", as SARIF requires of any result whose kind is not "fail"

A waived finding stays a result (its status is unchanged) and carries an accepted external suppression.
Files that could not be audited are error notifications of the invocation, not results: no rule ran on them.

Protocol line numbers count body lines within one page, so ``region.startLine`` alone is ambiguous; the page
is in the region's properties, and in every result's properties with the guideline citation.
"""
from __future__ import annotations

import json
from pathlib import Path, PurePath
from urllib.parse import quote

from ... import __version__
from .table import cites, documents, lines_label, ordered_findings

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
RULE_LEVEL = {"high": "error", "medium": "warning", "low": "warning", "info": "note"}
PASSING_KIND = {"met": "pass", "not_applicable": "notApplicable"}


def level(status: str, severity: str) -> str | None:
    """The SARIF level of a finding, or None when it is not written as a result by default."""
    if status == "gap":
        return "error" if severity == "high" else "warning"
    if status == "not_addressed":
        return "warning"
    return None


def artifact_uri(path: str) -> str:
    """A uri-reference for a document path: relative paths stay relative (to the audit's working directory)."""
    p = PurePath(path)
    if p.is_absolute():
        return Path(path).as_uri()
    return quote(p.as_posix(), safe="/")


def _rule(r, ctx) -> dict:
    texts, ranges = [], []
    for c in r.cites:
        ranges.append([c.lines[0], c.lines[1]])
        try:
            texts.append(ctx.guideline.text(*c.lines))
        except ValueError as exc:
            texts.append(f"({exc})")
    severity = ctx.pack.severity(r)
    lines = "; ".join(f"{a}-{b}" for a, b in ranges)
    return {
        "id": r.id,
        "name": r.id,
        "shortDescription": {"text": r.title.get("en") or r.id},
        "fullDescription": {"text": "\n\n".join(texts)},
        "help": {"text": f"Guideline {ctx.guideline.id}, lines {lines}:\n" + "\n\n".join(texts)},
        "defaultConfiguration": {"level": RULE_LEVEL[severity]},
        "properties": {
            "severity": severity,
            "strength": r.strength,
            "guideline": ctx.guideline.id,
            "guidelineLines": ranges,
            "titleZh": r.title.get("zh", ""),
            "tags": [r.id.split("-", 1)[0].lower(), severity],
        },
    }


def _location(uri: str, index: int, evidence: dict | None) -> dict:
    physical = {"artifactLocation": {"uri": uri, "index": index}}
    if evidence:
        physical["region"] = {
            "startLine": max(int(evidence["line"]), 1),
            "snippet": {"text": evidence["text"]},
            "properties": {"page": evidence["page"]},
        }
    return {"physicalLocation": physical}


def _result(f: dict, doc: dict, uri: str, artifact: int, rule_index: dict, include_passing: bool) -> dict | None:
    lvl = level(f["status"], f["severity"])
    if lvl is None and not include_passing:
        return None
    cited = cites(f)
    evidence = f.get("evidence") or []
    message = f["message"].get("en") or f["message"].get("zh", "")
    if f.get("drift"):
        message += f" [{f['drift']}]"
    out = {"ruleId": f["rule"]}
    if f["rule"] in rule_index:
        out["ruleIndex"] = rule_index[f["rule"]]
    if lvl is None:
        out["kind"], out["level"] = PASSING_KIND[f["status"]], "none"
    else:
        out["level"] = lvl
    out["message"] = {"text": f"{message} (guideline {cited[0][0]} lines {lines_label(cited)})"}
    out["locations"] = [_location(uri, artifact, evidence[0] if evidence else None)]
    if len(evidence) > 1:
        out["relatedLocations"] = [dict(_location(uri, artifact, e), id=i) for i, e in enumerate(evidence[1:], 1)]
    # Same document bytes and rule = same finding across runs, wherever the file was moved.
    out["partialFingerprints"] = {"documentSha256/ruleId": f"{doc.get('sha256', '')}/{f['rule']}"}
    if f.get("waived"):
        out["suppressions"] = [{"kind": "external", "status": "accepted",
                                "justification": f"{f['waived'].get('by', '')}: {f['waived'].get('reason', '')}"}]
    out["properties"] = {
        "status": f["status"],
        "severity": f["severity"],
        "messageZh": f["message"].get("zh", ""),
        "guideline": {"id": cited[0][0], "lines": [list(r) for _, r, _ in cited],
                      "text": "\n\n".join(t for _, _, t in cited)},
        "pages": sorted({e["page"] for e in evidence}),
        "because": list(f.get("because") or ()),
    }
    return out


def report(results, ctx, *, include_passing: bool = False) -> dict:
    docs = documents(results)
    rules = [_rule(r, ctx) for r in ctx.pack.rules]
    rule_index = {r["id"]: i for i, r in enumerate(rules)}
    artifacts, results_out, notifications = [], [], []
    for i, doc in enumerate(docs):
        uri = artifact_uri(doc["path"])
        artifact = {"location": {"uri": uri}, "roles": ["analysisTarget"], "mimeType": "application/pdf"}
        if doc.get("sha256"):
            artifact["hashes"] = {"sha-256": doc["sha256"]}
        artifacts.append(artifact)
        if doc.get("status", "ok") != "ok":
            notifications.append({
                "level": "error",
                "message": {"text": f"{doc['status']}: {doc.get('error') or 'could not be audited'}"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri, "index": i}}}],
                "properties": {"status": doc["status"]},
            })
        for f in ordered_findings(doc):
            r = _result(f, doc, uri, i, rule_index, include_passing)
            if r is not None:
                results_out.append(r)
    g = ctx.guideline
    invocation = {"executionSuccessful": True}  # the batch ran to its end; unreadable files are notifications
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "guidelint",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": rules,
                "properties": {"pack": {"id": ctx.pack.id, "version": ctx.pack.version}},
            }},
            "invocations": [invocation],
            "artifacts": artifacts,
            "results": results_out,
            "columnKind": "unicodeCodePoints",
            "properties": {"guideline": {"id": g.id, "title": g.title, "sha256": g.sha256}},
        }],
    }


def write(results, ctx, path, *, include_passing: bool = False) -> None:
    with open(path, "w", encoding="utf-8") as stream:
        json.dump(report(results, ctx, include_passing=include_passing), stream, ensure_ascii=False, indent=2)
        stream.write("\n")
