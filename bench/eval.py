"""Compare guidelint with generator ground truth: facts (precision/recall per kind) and rule statuses.

    python -m bench.eval DIR [-v]     # DIR holds <name>.pdf + <name>.truth.json
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from guidelint.audit import AuditContext, audit_document


def compare(pdf: Path, truth: dict, result) -> tuple:
    got = {(f.kind, f.value) for f in result.facts if not f.derived_from}
    want = {(f["kind"], f["value"]) for f in truth["facts"]}
    kinds = {k for k, _ in want}
    missed = want - got
    spurious = {f for f in got - want if f[0] in kinds}
    statuses = {f.rule_id: f.status for f in result.findings}
    wrong = {r: (s, statuses.get(r)) for r, s in truth["expected"].items() if statuses.get(r) != s}
    return got, want, missed, spurious, wrong


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    ctx = AuditContext.load()
    tp, fp, fn = Counter(), Counter(), Counter()
    rules_ok = rules_all = 0
    for pdf in sorted(Path(args.folder).glob("*.pdf")):
        truth = json.loads(pdf.with_suffix(".truth.json").read_text(encoding="utf-8"))
        result, _ = audit_document(pdf, ctx)
        got, want, missed, spurious, wrong = compare(pdf, truth, result)
        for k, _ in want - missed:
            tp[k] += 1
        for k, _ in missed:
            fn[k] += 1
        for k, _ in spurious:
            fp[k] += 1
        rules_all += len(truth["expected"])
        rules_ok += len(truth["expected"]) - len(wrong)
        if args.verbose and (missed or spurious or wrong):
            print(f"== {pdf.name} ({truth['language']})")
            for f in sorted(missed, key=str):
                print("   missed  ", f)
            for f in sorted(spurious, key=str):
                ev = next((x.evidence.text for x in result.facts if (x.kind, x.value) == f and x.evidence), "")
                print("   spurious", f, "|", ev[:60])
            for r, (want_s, got_s) in wrong.items():
                print(f"   rule {r}: expected {want_s}, got {got_s}")
    print(f"{'fact kind':40} {'P':>6} {'R':>6} {'F1':>6}  tp fp fn")
    for k in sorted(set(tp) | set(fp) | set(fn)):
        p = tp[k] / (tp[k] + fp[k]) if tp[k] + fp[k] else 1.0
        r = tp[k] / (tp[k] + fn[k]) if tp[k] + fn[k] else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{k:40} {p:6.3f} {r:6.3f} {f1:6.3f}  {tp[k]} {fp[k]} {fn[k]}")
    print(f"rule-status accuracy: {rules_ok}/{rules_all} = {rules_ok / max(rules_all, 1):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
