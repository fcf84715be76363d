"""The durable_rules seam: isolation between documents, typed facts, loud failures, forward chaining."""
from __future__ import annotations

import json

import dataclasses

import pytest

from guidelint.engine import compile as engine_compile
from guidelint.engine.evaluate import evaluate, fact_from_case
from guidelint.engine.pack import Outcome, load_pack
from guidelint.extract.catalogue import FactTypeError
from guidelint.extract.guideline import load_default

PACK = load_pack()


@pytest.fixture(scope="module")
def guideline():
    return load_default()


def facts(**kv):
    return [fact_from_case(k, v) for k, v in kv.items()]


def test_documents_never_see_each_others_facts(guideline):
    first, _, _ = evaluate(PACK, guideline, facts(indication="MM", prior_lines_min=3, requires_anti_cd38=True))
    assert {f.rule_id: f.status for f in first}["POP-PRIOR-MM-CD38"] == "met"
    second, _, _ = evaluate(PACK, guideline, [])  # the same engine session, emptied
    assert {f.status for f in second} == {"not_addressed"}


def test_a_decision_does_not_depend_on_the_documents_before_it(guideline):
    # Every document gets its own engine (reusing one by retracting facts corrupted durable's C heap): the
    # same facts decide the same whatever was decided before, in any order.
    docs = [facts(indication="LBCL", prior_lines_min=1, randomized=True, design="randomized_controlled"),
            facts(indication="B-ALL", ph_positive_eligible=True, prior_tki_min=2, age_min_years=3, age_max_years=25),
            facts(indication="MM", prior_lines_min=3, requires_pi=True, requires_imid=True, icu_access=False),
            []]
    forward = [{f.rule_id: f.status for f in evaluate(PACK, guideline, d)[0]} for d in docs * 2]
    backward = [{f.rule_id: f.status for f in evaluate(PACK, guideline, d)[0]} for d in list(reversed(docs)) * 2]
    assert forward == list(reversed(backward))
    assert len({json.dumps(x, sort_keys=True) for x in forward[:4]}) == 4  # the four documents do differ


def test_a_document_that_fails_in_the_engine_leaves_the_next_one_clean(guideline):
    with pytest.raises(engine_compile.EngineError):
        engine_compile.run(PACK, [{"id": "x", "t": "indication", "value": "MM"},
                                  {"id": "x", "t": "indication", "value": "MM"}])
    after, _, _ = evaluate(PACK, guideline, [])
    assert {f.status for f in after} == {"not_addressed"}


def test_untyped_values_are_refused_before_the_engine(guideline):
    # durable_rules would find '三' >= 2 true; the catalogue stops it first.
    with pytest.raises(FactTypeError):
        evaluate(PACK, guideline, facts(prior_tki_min="三"))
    with pytest.raises(FactTypeError):
        evaluate(PACK, guideline, facts(requires_pi=1))
    with pytest.raises(FactTypeError):
        evaluate(PACK, guideline, facts(indication="leukaemia"))


def test_unknown_operator_in_a_pack_fails_loudly():
    rule = PACK.rules[0]
    typo = dataclasses.replace(rule, outcomes=(Outcome("met", ([{"x": {"$ne": {"value": 1}}}],)),))
    bad = dataclasses.replace(PACK, rules=(typo,))
    with pytest.raises(engine_compile.RulesetError, match=r"\$ne"):
        engine_compile.ruleset_definition(bad)


def test_derived_facts_chain_to_their_base_facts(guideline):
    findings, verdicts, derived = evaluate(PACK, guideline, facts(indication="LBCL", prior_lines_min=1, design="single_arm"))
    kinds = {(d.kind, d.value) for d in derived}
    assert ("indication_group", "B-NHL") in kinds and ("line_setting", "earlier_line") in kinds
    rct = next(f for f in findings if f.rule_id == "DES-RCT-EARLIER")
    assert rct.status == "gap"
    chain = next(b for b in rct.because if b.startswith("line_setting"))
    assert "indication=LBCL" in chain and "prior_lines_min=1" in chain
    assert all(e.text.startswith("<case>") for e in rct.evidence)  # evidence resolves to base facts


def test_several_key_patterns_are_conjunctions():
    # durable_rules tests only one key of {t: x, value: y}; compile must spell out $and.
    definition = engine_compile.ruleset_definition(PACK)
    body = definition["derive:indication_group.MM"]["all"][0]["i"]
    assert body == {"$and": [{"t": "indication"}, {"value": "MM"}]}


def test_ruleset_names_carry_pack_version_and_hash():
    definition = engine_compile.ruleset_definition(PACK)
    name = engine_compile.ruleset_name(PACK, definition)
    assert name.startswith(f"{PACK.id}@{PACK.version}#") and len(name.split("#")[1]) == 8


def test_a_pack_too_big_for_one_ruleset_is_split_with_every_rule_whole():
    # durable_rules links an alpha node (the sentinel opens every alternative) to at most 256 beta nodes.
    chunks = engine_compile.ruleset_chunks(PACK)
    derive = {k for k in engine_compile.ruleset_definition(PACK) if k.startswith("derive:")}
    assert len(chunks) >= 2
    owner = {}
    for k, chunk in enumerate(chunks):
        assert derive <= set(chunk)
        assert len(set(chunk) - derive) <= 256
        for name in set(chunk) - derive:
            owner.setdefault(name.split("#")[0], set()).add(k)
    assert set(owner) == {r.id for r in PACK.rules}
    assert all(len(ks) == 1 for ks in owner.values())
