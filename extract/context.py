"""Negation, hypothetical and historical context for entities, in the spirit of medspaCy's ConText, rules as
data.

``patterns/context_rules.json`` lists triggers per language with a category (NEGATED, HYPOTHETICAL, HISTORICAL
— what other studies did, "in the pivotal study ...", "文献报道" —, PSEUDO, TERMINATE), a direction (FORWARD: the trigger governs what follows; BACKWARD: what precedes,
as in "桥接治疗：不允许" or "bridging is not permitted") and a scope in tokens. PSEUDO triggers are
terms that contain a negation word but state something positive (非霍奇金, 无进展生存, progression-free);
a trigger inside a pseudo-trigger or inside an entity is ignored. TERMINATE ends a scope (clause breaks).
"""
from __future__ import annotations

import json
from importlib import resources

from spacy.matcher import PhraseMatcher

CATEGORIES = ("NEGATED", "HYPOTHETICAL", "HISTORICAL")
_LIST_OPENERS = frozenset({"including", "includes", "e.g.", "i.e.", "especially", "notably"})


def load_rules(path=None) -> list:
    if path is None:
        text = resources.files("guidelint.extract").joinpath("patterns/context_rules.json").read_text("utf-8")
    else:
        text = open(path, encoding="utf-8").read()
    return json.loads(text)["rules"]


class ConTextComponent:
    """Sets ``ent._.negated``, ``ent._.hypothetical`` and ``ent._.historical`` on every entity of the doc."""

    def __init__(self, nlp, name="guidelint_context", *, rules_file=None, max_scope=10):
        self.name = name
        self.max_scope = max_scope
        lang = nlp.lang
        self.rules = [r for r in load_rules(rules_file) if r["lang"] == lang]
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.by_key = {}
        for rule in self.rules:
            key = f"{rule['category']}|{rule['direction']}|{rule.get('max_scope', max_scope)}"
            self.by_key.setdefault(key, []).append(nlp.make_doc(rule["literal"]))
        for key, docs in self.by_key.items():
            self.matcher.add(key, docs)

    @classmethod
    def factory(cls, nlp, name, rules_file, max_scope):
        return cls(nlp, name, rules_file=rules_file, max_scope=max_scope)

    def _triggers(self, doc):
        found = []
        for match_id, start, end in self.matcher(doc):
            category, direction, scope = doc.vocab.strings[match_id].split("|")
            found.append((start, end, category, direction, int(scope)))
        # A trigger inside a pseudo-trigger (不 in 不耐受) or overlapping an entity (非 in 非霍奇金淋巴瘤)
        # is part of a term, not a negation.
        covered = [(s, e) for s, e, c, _, _ in found if c == "PSEUDO"] + [(x.start, x.end) for x in doc.ents]
        # English: a trigger is part of a term only when the term contains it; "not collected" still negates
        # although "collected" is itself a lexicon word.
        # A historical trigger is a phrase about another study; it may contain a lexicon word (既往, pivotal).
        historical = [t for t in found if t[2] == "HISTORICAL"]
        found = [t for t in found if t[2] != "HISTORICAL"]
        if doc.lang_ == "en":
            pseudo = [(s, e) for s, e, c, _, _ in found if c == "PSEUDO"]
            ents = [(x.start, x.end) for x in doc.ents]
            return historical + [
                t for t in found
                if t[2] != "PSEUDO" and (t[2] == "TERMINATE" or not (any(cs < t[1] and t[0] < ce for cs, ce in pseudo)
                                                                      or any(cs <= t[0] and t[1] <= ce for cs, ce in ents)))
            ]
        return historical + [
            t for t in found
            if t[2] != "PSEUDO" and (t[2] == "TERMINATE" or not any(cs < t[1] and t[0] < ce for cs, ce in covered))
        ]

    def __call__(self, doc):
        triggers = self._triggers(doc)
        # A comma that opens an appositive list ("any anticancer therapy, including bridging therapy, ...") keeps the scope.
        stops = sorted(s for s, _, c, _, _ in triggers
                       if c == "TERMINATE" and not (s + 1 < len(doc) and doc[s + 1].lower_ in _LIST_OPENERS))
        # "In the pivotal study, bridging was not allowed": the comma after an introductory phrase does not end
        # what the phrase is about.
        clause_stops = [s for s in stops if doc[s].text not in (",", "，")]
        for ent in doc.ents:
            for s, e, category, direction, scope in triggers:
                if category not in CATEGORIES:
                    continue
                ends = clause_stops if category == "HISTORICAL" else stops
                if category == "HISTORICAL" and s <= ent.start and ent.end <= e:  # "pivotal" in "in the pivotal"
                    ent._.historical = True
                elif direction == "FORWARD" and e <= ent.start and ent.start - e <= scope:
                    if not any(e <= t < ent.start for t in ends):
                        setattr(ent._, category.lower(), True)
                elif direction == "BACKWARD" and s >= ent.end and s - ent.end <= scope:
                    if not any(ent.end <= t < s for t in ends):
                        setattr(ent._, category.lower(), True)
        return doc
