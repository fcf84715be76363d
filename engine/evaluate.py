"""Facts of one document -> durable_rules -> one Finding per rule of the pack.

Status resolution: a rule's outcomes are listed in priority order in its ``rule.yaml``; the first outcome
with at least one firing wins (like an OPA ``else`` chain). When none fired, the rule is
``not_addressed`` and the finding names the facts it looked for and did not find.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..extract.catalogue import check_value
from ..models import Evidence, Fact, Finding, GuidelineRef
from . import compile as engine_compile


@dataclass(frozen=True)
class Verdict:
    """Why a rule decided as it did: the outcome that won and every firing seen (for ``explain``)."""

    rule_id: str
    status: str
    facts: tuple  # the Facts (base and derived) matched by the winning firing
    firings: tuple


def _to_engine(facts: list) -> list:
    out = []
    for i, fact in enumerate(facts):
        check_value(fact.kind, fact.value)
        out.append({"id": f"f{i}", "t": fact.kind, "value": fact.value})
    return out


def _derived_to_facts(derived: list, by_id: dict) -> None:
    """Turn engine-derived facts into Facts, in assertion order, so chains resolve to base evidence."""
    for d in derived:
        under = tuple(d["from"])
        evidence = next((by_id[i].evidence for i in under if by_id[i].evidence is not None), None)
        by_id[d["id"]] = Fact(kind=d["t"], value=d["value"], evidence=evidence, derived_from=under)


def _because(fact_id: str, by_id: dict) -> str:
    fact = by_id[fact_id]
    if not fact.derived_from:
        return fact.label()
    return f"{fact.label()} <- " + ", ".join(_because(i, by_id) for i in fact.derived_from)


def _base_evidence(fact_id: str, by_id: dict, seen: dict) -> None:
    fact = by_id[fact_id]
    if fact.derived_from:
        for i in fact.derived_from:
            _base_evidence(i, by_id, seen)
    elif fact.evidence is not None:
        seen.setdefault((fact.evidence.page, fact.evidence.line, fact.evidence.text), fact.evidence)


def evaluate(pack, guideline, facts: list, drift_notes=None):
    """Return (findings, verdicts, derived Facts) for one document's facts.

    ``drift_notes`` maps rule ids that run despite citation drift to the note their findings carry.
    """
    drift_notes = drift_notes or {}
    engine_facts = _to_engine(facts)
    firings, derived = engine_compile.run(pack, engine_facts)
    by_id = {ef["id"]: f for ef, f in zip(engine_facts, facts)}
    _derived_to_facts(derived, by_id)
    # `looks_for` names a fact kind, or kind=value where only one value answers the rule (safety_risk=CRS).
    present = {f.kind for f in by_id.values()} | {f.label() for f in by_id.values()}

    findings, verdicts = [], []
    for rule in pack.rules:
        mine = [f for f in firings if f.name.startswith(rule.id + "#")]
        status, winner = "not_addressed", None
        for outcome in rule.outcomes:
            hits = [f for f in mine if f.name.split("#")[1] == outcome.status]
            if hits:
                # Of the firings that decide it, show the one resting on the most facts: most evidence.
                status, winner = outcome.status, max(hits, key=lambda f: len(f.fact_ids))
                break
        matched = winner.fact_ids if winner else ()
        evidence = {}
        for i in matched:
            _base_evidence(i, by_id, evidence)
        missing = tuple(k for k in rule.looks_for if k not in present) if status == "not_addressed" else ()
        findings.append(Finding(
            rule_id=rule.id,
            status=status,
            severity=pack.severity(rule),
            message=dict(rule.messages[status]),
            cites=tuple(GuidelineRef(guideline.id, c.lines, guideline.text(*c.lines)) for c in rule.cites),
            evidence=tuple(evidence.values()),
            because=tuple(_because(i, by_id) for i in matched),
            missing=missing,
            title=rule.title.get("en", rule.id),
            drift=drift_notes.get(rule.id, ""),
        ))
        verdicts.append(Verdict(rule.id, status, tuple(by_id[i] for i in matched), tuple(mine)))
    derived_facts = [by_id[d["id"]] for d in derived]
    return findings, verdicts, derived_facts


def fact_from_case(kind: str, value) -> Fact:
    """A Fact as a rule case writes it: no protocol behind it, evidence marks it as a test input."""
    return Fact(kind=kind, value=value, evidence=Evidence(page=0, line=0, text=f"<case> {kind}={value}"))
