"""The one seam to durable_rules: a pack becomes one JSON ruleset; facts go in, firings come out.

Only this module imports ``durable``. Measured pitfalls it guards against (shared/notes/durable-rules.md):
a module-global host (we use a private ``engine.Host`` per document), type-blind duplicate detection
(every fact carries a unique ``id``), exceptions swallowed inside actions (actions only append to a list
and errors are re-raised after the assert), unmatched facts raising ``MessageNotHandledException``
(a fact no rule looks at is irrelevant, so that exception is expected and ignored), and no truth
maintenance (every outcome waits for the ``doc_complete`` sentinel, asserted after all facts).
"""
from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass

from durable import engine as durable_engine

SENTINEL = {"doc": {"t": "doc_complete"}}


@dataclass(frozen=True)
class Firing:
    """One durable_rules action call: which rule outcome fired, on which facts (by id)."""

    name: str  # "<RULE-ID>#<status>#<n>" or "derive:<id>"
    fact_ids: tuple


# The operators of durable_rules' JSON form that packs may use; anything else is a typo that the engine
# would silently treat as a field name (measured: ``$ne`` never matched).
OPERATORS = {"$and", "$or", "$lt", "$lte", "$gt", "$gte", "$neq", "$ex", "$nex", "$mt", "$imt", "$iall", "$iany"}


class RulesetError(ValueError):
    pass


def _check_operators(expr, where: str) -> None:
    if isinstance(expr, list):
        for e in expr:
            _check_operators(e, where)
    elif isinstance(expr, dict):
        for key, value in expr.items():
            if key.startswith("$") and key not in OPERATORS:
                raise RulesetError(f"{where}: unknown durable_rules operator {key!r}")
            _check_operators(value, where)


def _explicit_and(expr):
    """Spell out ``{t: x, value: y}`` as ``{$and: [{t: x}, {value: y}]}``.

    durable_rules accepts a several-key pattern but tests only one of its keys (measured: ``{t: indication,
    value: B-ALL}`` matched ``value: MM``), so every conjunction reaches the engine as an explicit ``$and``.
    """
    if isinstance(expr, list):
        return [_explicit_and(e) for e in expr]
    if not isinstance(expr, dict):
        return expr
    if len(expr) > 1:
        return {"$and": [_explicit_and({k: v}) for k, v in expr.items()]}
    ((key, value),) = expr.items()
    if key.startswith("$") and isinstance(value, (dict, list)):
        return {key: _explicit_and(value)}
    return expr


def _conditions(alternative, where: str) -> list:
    _check_operators(list(alternative), where)
    return [{alias: _explicit_and(expr) for alias, expr in cond.items()} for cond in alternative]


def ruleset_definition(pack) -> dict:
    """The pack as durable_rules' own JSON ruleset form (actions are attached per session)."""
    rules = {}
    for d in pack.derivations:
        rules[f"derive:{d.id}"] = {"all": _conditions(d.when, f"derive.yaml {d.id}")}
    for rule in pack.rules:
        for i, outcome in enumerate(rule.outcomes):
            for j, alternative in enumerate(outcome.when):
                rules[f"{rule.id}#{outcome.status}#{i}.{j}"] = {"all": [SENTINEL, *_conditions(alternative, rule.id)]}
    return rules


def ruleset_name(pack, definition: dict) -> str:
    digest = hashlib.sha256(json.dumps(definition, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return f"{pack.id}@{pack.version}#{digest[:8]}"


class EngineError(Exception):
    pass


_COMPILED: dict = {}


def _compiled(pack) -> tuple:
    """(definition, name) of a pack, built once: every document of a run asserts into the same ruleset."""
    entry = _COMPILED.get(id(pack))
    if entry is None or entry[0] is not pack:  # ids are reused after a pack is freed
        definition = ruleset_definition(pack)
        entry = _COMPILED[id(pack)] = (pack, definition, ruleset_name(pack, definition))
    return entry[1], entry[2]


def run(pack, facts: list, sid: str = "doc") -> tuple:
    """Assert ``facts`` (dicts with unique ``id``, ``t`` = kind, typed ``value``) and the sentinel.

    Returns (firings, derived_facts). A fresh Host per call: state reuse crashed in measurements
    (error 307 after a few documents with >=500 facts each), and Hosts are cheap (~20 ms).
    """
    definition, name = _compiled(pack)
    firings, derived, errors = [], [], []
    derivations = {f"derive:{d.id}": d for d in pack.derivations}

    def action(rule_name):
        def act(c):
            try:
                matched = {alias: fact for alias, fact in (c._m or {}).items() if isinstance(fact, dict)}
                ids = tuple(f["id"] for alias, f in sorted(matched.items()) if alias != "doc")
                firings.append(Firing(rule_name, ids))
                if rule_name in derivations:
                    new = dict(derivations[rule_name].asserts)
                    new["id"] = f"{rule_name}:{len(derived)}"
                    new["from"] = list(ids)
                    derived.append(dict(new))
                    new["sid"] = c.s.sid
                    c.assert_fact(new)
            except durable_engine.MessageNotHandledException:
                pass
            except Exception as exc:  # the engine would swallow it; keep it for the caller
                errors.append(f"{rule_name}: {type(exc).__name__}: {exc}")
        return act

    rs = copy.deepcopy(definition)
    for rule_name, body in rs.items():
        body["run"] = action(rule_name)
    host = durable_engine.Host()
    host.register_rulesets({name: rs})
    for fact in [*facts, {"id": "__doc_complete__", "t": "doc_complete"}]:
        message = dict(fact, sid=sid)
        try:
            host.assert_fact(name, message)
        except durable_engine.MessageNotHandledException:
            pass
        except durable_engine.MessageObservedException:
            raise EngineError(f"duplicate fact id {fact['id']!r}") from None
        if errors:
            raise EngineError("; ".join(errors))
    return firings, derived
