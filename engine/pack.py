"""Guideline packs: a folder of data (pack metadata, derivations, one folder per rule), loaded and validated.

Layout (one rule, one folder; the folder name is the rule id):

    policies/<pack>/pack.yaml            id, version, guideline id and sha256, severity levels
    policies/<pack>/derive.yaml          forward-chaining derivations shared by rules
    policies/<pack>/rules/<ID>/rule.yaml the rule: cited lines, facts looked for, outcomes, messages
    policies/<pack>/rules/<ID>/cases.yaml facts in -> expected status out, run through the real engine
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Optional

import yaml

from ..models import STATUSES

DEFAULT_PACK = "cde-cart-heme-2024-draft"
STRENGTH_CLASSES = ("MUST", "RECOMMENDED", "OPTIONAL", "DESCRIPTIVE")


class PackError(Exception):
    """A pack that cannot be loaded; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Cite:
    lines: tuple  # (first, last)
    sha256: str  # of the normalised cited text: drift shows as a mismatch


@dataclass(frozen=True)
class Outcome:
    status: str
    when: tuple  # alternatives; each is a list of durable_rules `all` conditions


@dataclass(frozen=True)
class Rule:
    id: str
    title: dict
    strength: str
    cites: tuple
    looks_for: tuple
    outcomes: tuple
    messages: dict
    stage: str = "preview"
    path: Optional[Path] = None


@dataclass(frozen=True)
class Derivation:
    id: str
    when: tuple
    asserts: dict


@dataclass(frozen=True)
class PolicyPack:
    id: str
    version: str
    title: str
    guideline_id: str
    guideline_sha256: str
    levels: dict
    rules: tuple
    derivations: tuple
    path: Path = field(default=None)

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def severity(self, rule: Rule) -> str:
        return self.levels[rule.strength]


def normalise_quote(text: str) -> str:
    """Whitespace carries no meaning in the guideline's wrapped Chinese text (clauses.md §0.2)."""
    return re.sub(r"\s+", "", text)


def quote_hash(text: str) -> str:
    return hashlib.sha256(normalise_quote(text).encode("utf-8")).hexdigest()


def _read_yaml(path: Path):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PackError(f"{path}: {exc}".splitlines()[0]) from None


def _require(cond: bool, path: Path, why: str) -> None:
    if not cond:
        raise PackError(f"{path}: {why}")


def _load_rule(folder: Path) -> Rule:
    path = folder / "rule.yaml"
    data = _read_yaml(path)
    _require(isinstance(data, dict), path, "not a mapping")
    _require(data.get("id") == folder.name, path, f"id {data.get('id')!r} differs from folder name {folder.name!r}")
    _require(data.get("strength") in STRENGTH_CLASSES, path, f"strength must be one of {STRENGTH_CLASSES}")
    cites = tuple(Cite(tuple(c["lines"]), c["sha256"]) for c in data.get("cites") or ())
    _require(bool(cites), path, "a rule must cite guideline lines")
    outcomes = []
    for o in data.get("outcomes") or ():
        _require(o.get("status") in STATUSES, path, f"unknown outcome status {o.get('status')!r}")
        _require(o["status"] != "not_addressed", path, "not_addressed is what remains when no outcome fires")
        outcomes.append(Outcome(o["status"], tuple(o["when"])))
    messages = data.get("messages") or {}
    for status in STATUSES:
        _require(status in messages and {"en", "zh"} <= set(messages[status]), path, f"messages.{status} needs en and zh")
    return Rule(
        id=data["id"], title=data["title"], strength=data["strength"], cites=cites,
        looks_for=tuple(data.get("looks_for") or ()), outcomes=tuple(outcomes), messages=messages,
        stage=data.get("stage", "preview"), path=folder,
    )


def pack_dir(name_or_path: str) -> Path:
    candidate = Path(name_or_path)
    if candidate.is_dir():
        return candidate
    bundled = Path(str(resources.files("guidelint.policies").joinpath(name_or_path)))
    if bundled.is_dir():
        return bundled
    raise PackError(f"{name_or_path}: no such guideline pack (neither a folder nor a bundled pack)")


def load_pack(name_or_path: str = DEFAULT_PACK) -> PolicyPack:
    folder = pack_dir(name_or_path)
    meta_path = folder / "pack.yaml"
    meta = _read_yaml(meta_path)
    _require(isinstance(meta, dict), meta_path, "not a mapping")
    levels = meta.get("levels") or {}
    _require(set(levels) == set(STRENGTH_CLASSES), meta_path, f"levels must map {STRENGTH_CLASSES}")
    derive_path = folder / "derive.yaml"
    derivations = tuple(
        Derivation(d["id"], tuple(d["when"]), d["assert"]) for d in (_read_yaml(derive_path) or ())
    ) if derive_path.exists() else ()
    rules_dir = folder / "rules"
    rules = tuple(_load_rule(f) for f in sorted(rules_dir.iterdir()) if (f / "rule.yaml").exists())
    _require(bool(rules), rules_dir, "no rules")
    return PolicyPack(
        id=meta["id"], version=str(meta["version"]), title=meta.get("title", meta["id"]),
        guideline_id=meta["guideline"]["id"], guideline_sha256=meta["guideline"]["sha256"],
        levels=levels, rules=rules, derivations=derivations, path=folder,
    )


@dataclass(frozen=True)
class Drift:
    """A cited range whose text is not what the rule was written against."""

    rule_id: str
    lines: tuple
    kind: str  # changed | moved | vanished
    now_at: Optional[tuple] = None  # where the same text stands now (moved)

    def __str__(self) -> str:
        a, b = self.lines
        if self.kind == "moved":
            return f"{self.rule_id}: lines {a}-{b} moved to {self.now_at[0]}-{self.now_at[1]}"
        if self.kind == "vanished":
            return f"{self.rule_id}: the text of lines {a}-{b} is no longer in the guideline"
        return f"{self.rule_id}: the text of lines {a}-{b} changed"


def _find_moved(guideline, cite: Cite):
    """The same normalised text at another range of about the same length, if anywhere."""
    a, b = cite.lines
    span = b - a
    for length in sorted(range(max(0, span - 2), span + 3), key=lambda n: abs(n - span)):
        for start in sorted(guideline.numbered):
            end = start + length
            if (start, end) != (a, b) and guideline.range_exists(start, end) \
                    and quote_hash(guideline.text(start, end)) == cite.sha256:
                return (start, end)
    return None


def citation_drift(pack: PolicyPack, guideline) -> list:
    """Every cited range that changed, moved or vanished against ``guideline`` (empty: no drift)."""
    drifts = []
    for rule in pack.rules:
        for cite in rule.cites:
            a, b = cite.lines
            if guideline.range_exists(a, b) and quote_hash(guideline.text(a, b)) == cite.sha256:
                continue
            moved = _find_moved(guideline, cite)
            if moved:
                drifts.append(Drift(rule.id, cite.lines, "moved", moved))
            elif guideline.range_exists(a, b):
                drifts.append(Drift(rule.id, cite.lines, "changed"))
            else:
                drifts.append(Drift(rule.id, cite.lines, "vanished"))
    return drifts


def check_citations(pack, guideline) -> list:
    """One line per drifted citation; empty when every cited range says what it said."""
    return [str(d) for d in citation_drift(pack, guideline)]


def with_drift(pack: PolicyPack, drifts: list, allow: bool) -> tuple:
    """The pack to run given citation drift: drifted rules are refused, or kept (moved ones re-cited).

    Returns (pack, notes) where notes maps a kept drifted rule id to the note its findings carry.
    """
    by_rule = {}
    for d in drifts:
        by_rule.setdefault(d.rule_id, []).append(d)
    rules, notes = [], {}
    for rule in pack.rules:
        found = by_rule.get(rule.id)
        if not found:
            rules.append(rule)
            continue
        if not allow:
            continue
        moved = {d.lines: d.now_at for d in found if d.kind == "moved"}
        cites = tuple(Cite(moved.get(c.lines, c.lines), c.sha256) for c in rule.cites)
        rules.append(replace(rule, cites=cites))
        notes[rule.id] = "citation drift allowed: " + "; ".join(str(d) for d in found)
    return replace(pack, rules=tuple(rules)), notes
