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
from dataclasses import dataclass, field
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


def check_citations(pack: PolicyPack, guideline) -> list:
    """Every cited range exists and still says what it said when the rule was written.

    Returns one problem string per drifted or missing citation (empty list: no drift).
    """
    problems = []
    for rule in pack.rules:
        for cite in rule.cites:
            a, b = cite.lines
            if not guideline.range_exists(a, b):
                problems.append(f"{rule.id}: cites lines {a}-{b}, which the guideline does not have")
            elif quote_hash(guideline.text(a, b)) != cite.sha256:
                problems.append(f"{rule.id}: the text of lines {a}-{b} changed since the rule was written")
    return problems
