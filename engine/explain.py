"""A decision that explains itself: the rule, its guideline lines, the facts it saw and missed, its verdict."""
from __future__ import annotations


def kinds_in(expr) -> set:
    """Fact kinds (`t: kind`) a durable_rules condition refers to, however deeply nested."""
    found = set()
    if isinstance(expr, dict):
        for key, value in expr.items():
            if key == "t" and isinstance(value, str):
                found.add(value)
            else:
                found |= kinds_in(value)
    elif isinstance(expr, list):
        for item in expr:
            found |= kinds_in(item)
    return found


def rule_kinds(rule, pack) -> set:
    """Kinds a rule looks at, including the base kinds under the derived facts it uses."""
    kinds = {k.partition("=")[0] for k in rule.looks_for}
    for outcome in rule.outcomes:
        kinds |= kinds_in(list(outcome.when))
    derived = {d.asserts["t"]: d for d in pack.derivations}
    frontier = [k for k in kinds if k in derived]
    while frontier:
        k = frontier.pop()
        for d in pack.derivations:
            if d.asserts["t"] == k:
                new = kinds_in(list(d.when)) - kinds
                kinds |= new
                frontier.extend(n for n in new if n in derived)
    return kinds


def explain(rule, pack, guideline, result, verdict, lang: str = "en") -> str:
    from ..extract.guideline import format_lines

    finding = next(f for f in result.findings if f.rule_id == rule.id)
    out = [f"{rule.id} — {rule.title[lang]}",
           f"strength {rule.strength} -> severity {pack.severity(rule)}; stage {rule.stage}", ""]
    for cite in rule.cites:
        out.append(format_lines(guideline, *cite.lines))
    out.append("")
    kinds = rule_kinds(rule, pack)
    seen = [f for f in result.facts if f.kind in kinds]
    out.append("Facts it saw:" if seen else "Facts it saw: none")
    for f in seen:
        where = f"p{f.evidence.page}:{f.evidence.line} “{f.evidence.text}”" if f.evidence else ""
        origin = "derived" if f.derived_from else (f.section or "")
        out.append(f"  {f.label():45} {origin[:40]:40} {where}")
    present = {f.kind for f in result.facts} | {f.label() for f in result.facts}
    missing = [k for k in rule.looks_for if k not in present]
    out.append("Looked for and not found: " + (", ".join(missing) if missing else "nothing"))
    out.append("")
    out.append("Outcomes, in priority order:")
    fired = {f.name.split("#")[1] for f in verdict.firings}
    for outcome in rule.outcomes:
        mark = "fired" if outcome.status in fired else "did not fire"
        out.append(f"  {outcome.status:15} {mark}")
    out.append(f"  {'not_addressed':15} (when none fires)")
    out.append("")
    out.append(f"Verdict: {finding.status} — {finding.message[lang]}")
    if finding.because:
        out.append("Because: " + "; ".join(finding.because))
    for e in finding.evidence:
        out.append(f"Evidence p{e.page}:{e.line}: “{e.text}”")
    return "\n".join(out)
