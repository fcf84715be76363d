"""Statement facts: "the protocol says X" kinds, declared as data in ``patterns/<lang>/statements.yaml``.

Most checkable clauses ask whether a protocol states something (ICU access, a training plan, a PFS
start point, the MRD method). Each such fact kind is one entry of the statements file of its language:

    - kind: icu_access          # the fact kind (extract/fact_kinds.yaml)
      anchor: [ICU]             # lexicon labels; a sentence holding one states the fact
      with: [[SITE, AVAILABLE]] # optional: every inner list must also have a label in the sentence
      sections: [safety]        # optional: only these section kinds count
      skip_sections: [background]   # optional; default [exclusion]
      exclusion_inverts: true   # optional (bool kinds): counts in Exclusion Criteria with the value flipped
      unless: [PRIMARY_EP]      # optional: a sentence holding one of these labels states nothing for this entry
      ignore_negation: true     # optional: negation is part of the wording ("未耐药的方案"), the fact holds either way
      negated_says_nothing: true  # optional (bool kinds): a negated anchor/`with` term states nothing ("不予桥接…不得使用放疗")
      value: true               # bool kinds (default true); or:
    - kind: crs_grading_system
      anchor: {GRADE_ASTCT: ASTCT_2019, GRADE_CTCAE: CTCAE}   # label -> enum value

Scope is explicit, as in medspaCy's ConText: a bool fact is ``false`` when its anchor or a ``with`` term is
negated ("ICU transfer is not required"); a negated enum mention states nothing. Vocabulary lives in the
lexicon, so a new phrasing is a lexicon line, not code.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from .catalogue import fact_kinds, is_multi

DEFAULT_SKIP = ("exclusion",)


@dataclass(frozen=True)
class Statement:
    kind: str
    anchor: dict  # label -> value (bool kinds: label -> the entry's value)
    with_: tuple  # tuple of frozensets of labels
    sections: frozenset  # empty = any
    skip_sections: frozenset
    exclusion_inverts: bool = False
    unless: frozenset = frozenset()
    ignore_negation: bool = False
    negated_says_nothing: bool = False


class StatementError(ValueError):
    pass


def _parse(entry: dict, where: str) -> Statement:
    kind = entry.get("kind")
    spec = fact_kinds().get(kind)
    if spec is None or spec["origin"] != "base":
        raise StatementError(f"{where}: unknown base fact kind {kind!r}")
    anchor = entry.get("anchor")
    if isinstance(anchor, list):
        value = entry.get("value", True)
        anchor = {label: value for label in anchor}
    if not isinstance(anchor, dict) or not anchor:
        raise StatementError(f"{where}: {kind}: anchor must be a list of labels or a label -> value map")
    for value in anchor.values():
        ok = isinstance(value, bool) if spec["type"] == "bool" else value in spec.get("values", ())
        if not ok:
            raise StatementError(f"{where}: {kind}: value {value!r} does not fit {spec['type']}")
    return Statement(
        kind=kind,
        anchor=dict(anchor),
        with_=tuple(frozenset(group) for group in entry.get("with", ())),
        sections=frozenset(entry.get("sections", ())),
        skip_sections=frozenset(entry.get("skip_sections", () if entry.get("exclusion_inverts") else DEFAULT_SKIP)),
        exclusion_inverts=bool(entry.get("exclusion_inverts")),
        unless=frozenset(entry.get("unless", ())),
        ignore_negation=bool(entry.get("ignore_negation")),
        negated_says_nothing=bool(entry.get("negated_says_nothing")),
    )


@lru_cache(maxsize=2)
def statements(lang: str) -> tuple:
    path = resources.files("guidelint.extract").joinpath("patterns", lang, "statements.yaml")
    data = yaml.safe_load(path.read_text("utf-8")) or []
    return tuple(_parse(entry, f"{lang}/statements.yaml #{i}") for i, entry in enumerate(data))


def _applies(st: Statement, a) -> bool:
    if a.kind in st.skip_sections or (st.sections and a.kind not in st.sections):
        return False
    labels = {m.label for m in a.mentions}
    return all(group & labels for group in st.with_) and not (st.unless & labels)


def _other_clause(text: str, i: int, j: int) -> bool:
    """True when a semicolon separates character offsets i and j of a sentence."""
    lo, hi = sorted((i, j))
    return ";" in text[lo:hi] or "；" in text[lo:hi]


def statement_facts(analysed) -> list:
    """Facts stated by sentences, in document order; single-valued kinds keep their first statement."""
    facts, seen_kinds, seen = [], set(), set()
    for a in analysed:
        for st in statements(a.lang):
            if not _applies(st, a):
                continue
            multi = is_multi(st.kind)
            if not multi and st.kind in seen_kinds:
                continue
            negated_with = any(m.negated for m in a.mentions if any(m.label in g for g in st.with_))
            for m in a.mentions:
                if m.label not in st.anchor:
                    continue
                # A negated `with` term counts only in the anchor's own clause ("AEs before infusion will not be
                # collected; collection begins at infusion").
                negated_here = negated_with and any(
                    w.negated and not _other_clause(a.sentence.text, w.start, m.start)
                    for w in a.mentions if any(w.label in g for g in st.with_))
                negated = (m.negated or negated_here) and not st.ignore_negation
                if negated and st.negated_says_nothing:
                    continue
                value = st.anchor[m.label]
                if isinstance(value, bool):
                    value = value != negated
                    if st.exclusion_inverts and a.kind == "exclusion":
                        value = not value
                elif negated:
                    continue
                if (st.kind, value) in seen:
                    continue
                seen.add((st.kind, value))
                seen_kinds.add(st.kind)
                facts.append(a.fact(st.kind, value, m.start, negated=negated))
                if not multi:
                    break
    return facts
