"""guidelint against generator ground truth: fact precision/recall/F1 per kind, rule-status accuracy per rule,
separately per template set (dev / heldout) and language (zh / en).

    guidelint eval DIR [-v] [--jobs N]          (or python -m bench.eval DIR)

DIR holds ``<name>.pdf`` with ``<name>.truth.json`` written by ``corpus/generate.py``. The generator states
every base fact kind it controls, so any extracted base fact not in the truth is a false positive.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class GroupScore:
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    rule_ok: Counter = field(default_factory=Counter)
    rule_all: Counter = field(default_factory=Counter)
    documents: int = 0

    def prf(self, kind: str) -> tuple:
        tp, fp, fn = self.tp[kind], self.fp[kind], self.fn[kind]
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def kinds(self) -> list:
        return sorted(set(self.tp) | set(self.fp) | set(self.fn))

    def accuracy(self, rule=None) -> float:
        ok = self.rule_ok[rule] if rule else sum(self.rule_ok.values())
        n = self.rule_all[rule] if rule else sum(self.rule_all.values())
        return ok / n if n else 1.0


@dataclass
class DocumentDiff:
    name: str
    group: tuple
    want: set  # the truth's (kind, value) facts
    missed: set
    spurious: set
    wrong: dict  # rule -> (expected, got)
    evidence: dict  # (kind, value) -> text, for spurious facts


def compare(truth: dict, result) -> DocumentDiff:
    got = {(f.kind, f.value) for f in result.facts if not f.derived_from}
    want = {(f["kind"], f["value"]) for f in truth["facts"]}
    statuses = {f.rule_id: f.status for f in result.findings}
    wrong = {r: (s, statuses.get(r)) for r, s in truth["expected"].items() if statuses.get(r) != s}
    spurious = got - want
    evidence = {(f.kind, f.value): f.evidence.text for f in result.facts
                if (f.kind, f.value) in spurious and f.evidence is not None}
    return DocumentDiff(truth["id"], (truth.get("template_set", "dev"), truth["language"]), want, want - got,
                        spurious, wrong, evidence)


_CTX = None


def _document_diff(pdf: Path):
    """(truth, DocumentDiff) of one generated protocol; the audit context is loaded once per process."""
    global _CTX
    from ..audit import AuditContext, audit_document

    if _CTX is None:
        _CTX = AuditContext.load()
    truth = json.loads(pdf.with_suffix(".truth.json").read_text(encoding="utf-8"))
    result, _ = audit_document(pdf, _CTX)
    return truth, compare(truth, result)


def evaluate_folder(folder, on_document=None, jobs: int = 1) -> dict:
    """{(template_set, language): GroupScore}; ``on_document(DocumentDiff)`` sees every document, in name order.
    ``jobs`` > 1 reads the protocols in that many processes (a long protocol takes seconds to read)."""
    pdfs = [p for p in sorted(Path(folder).glob("*.pdf")) if p.with_suffix(".truth.json").exists()]
    scores: dict = defaultdict(GroupScore)
    if jobs > 1 and len(pdfs) > 1:
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(max_workers=jobs)
        results = pool.map(_document_diff, pdfs)
    else:
        pool, results = None, map(_document_diff, pdfs)
    try:
        for truth, diff in results:
            score = scores[diff.group]
            score.documents += 1
            for kind, _ in diff.want - diff.missed:
                score.tp[kind] += 1
            for kind, _ in diff.missed:
                score.fn[kind] += 1
            for kind, _ in diff.spurious:
                score.fp[kind] += 1
            for rule in truth["expected"]:
                score.rule_all[rule] += 1
                score.rule_ok[rule] += rule not in diff.wrong
            if on_document:
                on_document(diff)
    finally:
        if pool is not None:
            pool.shutdown()
    return dict(scores)


def format_report(scores: dict) -> str:
    groups = sorted(scores)
    names = ["/".join(g) for g in groups]
    out = ["documents: " + ", ".join(f"{n} {scores[g].documents}" for n, g in zip(names, groups)), ""]
    head = f"{'fact kind':36}" + "".join(f" {n + ' P/R/F1':>22}" for n in names)
    out += [head, "-" * len(head)]
    for kind in sorted(set().union(*(scores[g].kinds() for g in groups))):
        cells = []
        for g in groups:
            s = scores[g]
            cells.append(f" {'%.3f/%.3f/%.3f' % s.prf(kind):>22}" if kind in s.kinds() else f" {'-':>22}")
        out.append(f"{kind:36}" + "".join(cells))
    out += ["", f"{'rule status accuracy':36}" + "".join(f" {n:>14}" for n in names)]
    for rule in sorted(set().union(*(scores[g].rule_all for g in groups))):
        out.append(f"{rule:36}" + "".join(f" {scores[g].accuracy(rule):>14.3f}" for g in groups))
    out.append(f"{'ALL RULES':36}" + "".join(f" {scores[g].accuracy():>14.3f}" for g in groups))
    return "\n".join(out)


def format_diff(diff: DocumentDiff) -> str:
    lines = [f"== {diff.name}"]
    lines += [f"   missed   {f}" for f in sorted(diff.missed, key=str)]
    lines += [f"   spurious {f} | {diff.evidence.get(f, '')[:70]}" for f in sorted(diff.spurious, key=str)]
    lines += [f"   rule {r}: expected {e}, got {g}" for r, (e, g) in sorted(diff.wrong.items())]
    return "\n".join(lines)
