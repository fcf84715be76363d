"""Reviewer waivers: "rule X is accepted for document Y, because ...". A waived finding keeps its status
in every report and gains ``waived: {by, reason}``; it is never dropped.

A waiver file is YAML, either beside the protocol (``<protocol stem>.waivers.yaml``, applying to that
protocol) or passed with ``--waivers`` (each entry naming its document by file name or sha256):

    waivers:
      - rule: BRIDGE-SAME-TARGET
        document: protocol-123.pdf        # optional beside the protocol
        by: Dr. Li (CDE reviewer)
        reason: no alternative bridging agent is available in this population
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import yaml


class WaiverError(Exception):
    """A waiver file that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Waiver:
    rule: str
    by: str
    reason: str
    document: str = ""  # file name or sha256; empty = the protocol the file sits beside

    def applies_to(self, result) -> bool:
        return not self.document or self.document in (Path(result.path).name, result.sha256)


def load_waivers(path, rule_ids, *, beside=None) -> list:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise WaiverError(f"{path}: {str(exc).splitlines()[0]}") from None
    entries = data.get("waivers") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise WaiverError(f"{path}: expected a top-level 'waivers:' list")
    waivers = []
    for i, entry in enumerate(entries, 1):
        where = f"{path}: waiver {i}"
        if not isinstance(entry, dict):
            raise WaiverError(f"{where}: not a mapping")
        missing = [k for k in ("rule", "by", "reason") if not str(entry.get(k) or "").strip()]
        if missing:
            raise WaiverError(f"{where}: missing {', '.join(missing)}")
        if entry["rule"] not in rule_ids:
            raise WaiverError(f"{where}: unknown rule id {entry['rule']!r}")
        document = str(entry.get("document") or (Path(beside).name if beside else ""))
        if not document:
            raise WaiverError(f"{where}: 'document' is required in a file passed with --waivers")
        waivers.append(Waiver(entry["rule"], str(entry["by"]), str(entry["reason"]), document))
    return waivers


def beside(pdf) -> Path:
    pdf = Path(pdf)
    return pdf.with_name(pdf.stem + ".waivers.yaml")


def apply_waivers(result, waivers) -> None:
    """Annotate the findings of ``result`` that a waiver covers (status unchanged)."""
    chosen = {w.rule: w for w in waivers if w.applies_to(result)}
    result.findings = [
        dataclasses.replace(f, waived={"by": chosen[f.rule_id].by, "reason": chosen[f.rule_id].reason})
        if f.rule_id in chosen else f
        for f in result.findings
    ]
