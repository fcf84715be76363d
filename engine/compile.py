"""The one seam to durable_rules: a pack becomes JSON rulesets; facts go in, firings come out.

Only this module imports ``durable``. Measured pitfalls it guards against (shared/notes/durable-rules.md):
a module-global host (we use a private Host per document), immortal dispatch threads per Host (``_SyncHost``),
heap corruption when a session is emptied for reuse (``_Engine``), type-blind duplicate detection
(every fact carries a unique ``id``), exceptions swallowed inside actions (actions only append to a list
and errors are re-raised after the assert), unmatched facts raising ``MessageNotHandledException``
(a fact no rule looks at is irrelevant, so that exception is expected and ignored), and no truth
maintenance (every outcome waits for the ``doc_complete`` sentinel, asserted after all facts).
"""
from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field

import durable_rules_engine
from durable import engine as durable_engine


class _SyncHost(durable_engine.Host):
    """A Host without its background dispatch threads, whose C rulesets ``close`` frees.

    ``Host()`` starts two timer threads that re-dispatch every registered ruleset every 0.2 s for the life
    of the process and keep the Host (and its C rulesets) alive, and a late dispatch on a timer thread could
    race the synchronous asserts. Actions run synchronously inside ``assert_fact`` and no timers are used,
    so nothing needs the threads.
    """

    def _run(self):
        pass

    def close(self):
        for ruleset in self._ruleset_list:
            durable_rules_engine.delete_ruleset(ruleset._handle)
        self._ruleset_list, self._ruleset_directory = [], {}

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


# durable_rules links one alpha node to at most 256 beta nodes (BETA_LIST_LENGTH, error 108 "Could not create
# ruleset"); the doc_complete sentinel opens every outcome alternative, so a pack is split into rulesets of
# at most this many alternatives, each carrying all derivations. Facts go to every ruleset.
CHUNK_ALTERNATIVES = 200


def ruleset_chunks(pack) -> list:
    """The pack as one or more rulesets: every derivation in each, the rules' alternatives split between them."""
    definition = ruleset_definition(pack)
    derive = {k: v for k, v in definition.items() if k.startswith("derive:")}
    chunks, current, current_rule = [], {}, None
    for name, body in definition.items():
        if name in derive:
            continue
        rule_id = name.split("#", 1)[0]
        # a rule's alternatives stay together: its outcomes are decided from one ruleset's firings
        if len(current) >= CHUNK_ALTERNATIVES and rule_id != current_rule:
            chunks.append(current)
            current = {}
        current[name] = body
        current_rule = rule_id
    chunks.append(current)
    return [dict(derive, **chunk) for chunk in chunks]


def ruleset_name(pack, definition: dict) -> str:
    digest = hashlib.sha256(json.dumps(definition, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return f"{pack.id}@{pack.version}#{digest[:8]}"


class EngineError(Exception):
    pass


_COMPILED: dict = {}


def _compiled(pack) -> list:
    """(ruleset name, ruleset) pairs of a pack, built once per pack: every document registers them anew."""
    entry = _COMPILED.get(id(pack))
    if entry is None or entry[0] is not pack:  # ids are reused after a pack is freed
        chunks = ruleset_chunks(pack)
        entry = _COMPILED[id(pack)] = (pack, [(f"{ruleset_name(pack, c)}/{k}", c) for k, c in enumerate(chunks)])
    return entry[1]


class _Engine:
    """One pack's rulesets in a private Host, deciding one document.

    An engine is not reused. Reuse needs the session emptied between documents, and emptying it by retracting
    every fact corrupted durable_rules' C heap: a batch of 48 generated protocols died with a segfault in the
    garbage collector after ~15 documents, every time, and ran clean with an engine per document. (Its
    ``delete_state`` crashes outright: "free(): invalid pointer".) The price is memory: ~6.6 MB of C state per
    document that ``delete_ruleset`` does not give back, so a long batch recycles its worker processes.
    """

    SID = "doc"

    def __init__(self, pack):
        self.pack = pack
        self.derivations = {f"derive:{d.id}": d for d in pack.derivations}
        self.current = None  # the _Document being decided; actions record into it
        self.host = _SyncHost()
        self.names = []
        for name, chunk in _compiled(pack):
            rs = copy.deepcopy(chunk)  # the Host keeps and alters what it registers
            for rule_name, body in rs.items():
                body["run"] = self._action(rule_name)
            self.host.register_rulesets({name: rs})
            self.names.append(name)

    def _action(self, rule_name):
        def act(c):
            doc = self.current
            if doc is None:
                return
            try:
                matched = {alias: fact for alias, fact in (c._m or {}).items() if isinstance(fact, dict)}
                ids = tuple(f["id"] for alias, f in sorted(matched.items()) if alias != "doc")
                if rule_name not in self.derivations:
                    doc.firings.append(Firing(rule_name, ids))
                    return
                # The same derivation fires in every ruleset: its id comes from what it rests on, so all
                # rulesets agree on it, and it is recorded once.
                new = dict(self.derivations[rule_name].asserts)
                new["id"] = f"{rule_name}:{'+'.join(ids)}"
                new["from"] = list(ids)
                if new["id"] not in doc.derived:
                    doc.firings.append(Firing(rule_name, ids))
                    doc.derived[new["id"]] = dict(new)
                new["sid"] = c.s.sid
                c.assert_fact(new)
            except durable_engine.MessageNotHandledException:
                pass
            except Exception as exc:  # the engine would swallow it; keep it for the caller
                doc.errors.append(f"{rule_name}: {type(exc).__name__}: {exc}")
        return act

    def decide(self, facts: list) -> tuple:
        doc = self.current = _Document()
        try:
            for fact in [*facts, {"id": "__doc_complete__", "t": "doc_complete"}]:
                message = dict(fact, sid=self.SID)
                for name in self.names:
                    try:
                        self.host.assert_fact(name, message)
                    except durable_engine.MessageNotHandledException:
                        pass
                    except durable_engine.MessageObservedException:
                        raise EngineError(f"duplicate fact id {fact['id']!r}") from None
                    if doc.errors:
                        raise EngineError("; ".join(doc.errors))
        finally:
            self.current = None
        return doc.firings, list(doc.derived.values())

    def close(self) -> None:
        self.host.close()


@dataclass
class _Document:
    firings: list = field(default_factory=list)
    derived: dict = field(default_factory=dict)  # id -> derived fact, in the order first derived
    errors: list = field(default_factory=list)


def run(pack, facts: list) -> tuple:
    """Assert ``facts`` (dicts with unique ``id``, ``t`` = kind, typed ``value``) and the sentinel.

    Returns (firings, derived_facts).
    """
    engine = _Engine(pack)
    try:
        return engine.decide(facts)
    finally:
        engine.close()
