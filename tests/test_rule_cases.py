"""Every rule's cases.yaml, run through the real durable_rules engine (ruff's test_case, Vale's fixtures)."""
from __future__ import annotations

import pytest
import yaml

from guidelint.engine.evaluate import evaluate, fact_from_case
from guidelint.engine.pack import check_citations, load_pack
from guidelint.extract.guideline import load_default

PACK = load_pack()
CASES = [
    pytest.param(rule, case, id=f"{rule.id}:{case['name']}")
    for rule in PACK.rules
    for case in yaml.safe_load((rule.path / "cases.yaml").read_text(encoding="utf-8"))
]


@pytest.fixture(scope="module")
def guideline():
    return load_default()


@pytest.mark.parametrize("rule,case", CASES)
def test_case(rule, case, guideline):
    facts = [fact_from_case(kind, value) for item in case["facts"] for kind, value in item.items()]
    findings, _, _ = evaluate(PACK, guideline, facts)
    finding = next(f for f in findings if f.rule_id == rule.id)
    assert finding.status == case["expect"], (finding.because, finding.missing)
    if finding.status in ("met", "gap"):
        assert finding.because, "a decided finding must say which facts decided it"
    if finding.status == "not_addressed":
        assert finding.missing, "not_addressed must name the facts looked for"


@pytest.mark.parametrize("rule", PACK.rules, ids=lambda r: r.id)
def test_every_rule_reaches_each_status_its_outcomes_allow(rule):
    cases = yaml.safe_load((rule.path / "cases.yaml").read_text(encoding="utf-8"))
    reached = {c["expect"] for c in cases}
    possible = {o.status for o in rule.outcomes} | {"not_addressed"}
    assert possible <= reached, f"{rule.id}: no case for {sorted(possible - reached)}"


def test_pack_cites_the_bundled_guideline_without_drift(guideline):
    assert PACK.guideline_sha256 == guideline.sha256
    assert check_citations(PACK, guideline) == []


def test_looks_for_names_catalogue_facts():
    from guidelint.extract.catalogue import fact_kinds

    kinds = fact_kinds()
    for rule in PACK.rules:
        for looked in rule.looks_for:
            kind, _, value = looked.partition("=")
            assert kind in kinds, f"{rule.id} looks for unknown fact {kind}"
            assert not value or value in kinds[kind]["values"], f"{rule.id}: {kind} has no value {value}"


def test_one_finding_per_rule_even_with_no_facts(guideline):
    findings, _, _ = evaluate(PACK, guideline, [])
    assert sorted(f.rule_id for f in findings) == sorted(r.id for r in PACK.rules)
    assert {f.status for f in findings} == {"not_addressed"}


@pytest.mark.parametrize("rule", PACK.rules, ids=lambda r: r.id)
def test_rule_readme_is_generated_from_the_rule_and_fresh(rule, guideline):
    from guidelint.engine.docs import rule_markdown

    readme = rule.path / "README.md"
    assert readme.exists(), f"run `guidelint rules --markdown` to write {readme}"
    assert readme.read_text(encoding="utf-8") == rule_markdown(rule, PACK, guideline), \
        f"{rule.id}: README.md is stale; run `guidelint rules --markdown`"
    first, last = rule.cites[0].lines
    assert f"> {first} {guideline.line(first).text}" in readme.read_text(encoding="utf-8")
