"""Facts from table rows: prior-therapy requirements laid out as a table.

A protocol may list its prior-therapy requirements as a ruled table ("Anti-CD20 antibody | Required",
"既往治疗线数 | ≥3线") rather than as criteria sentences. The reader gives each row as one sentence with its cells
joined by " | " (page and line of the row are its evidence); here the label cell says *what* (a drug class from
the lexicon, or lines of therapy) and the value cell says *whether* or *how many*, by the cues of
``patterns/table_cells.yaml``. Rows of the exclusion criteria are not read: a table there lists what excludes.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import yaml

from . import numbers
from .script import to_simplified

CELL_SEP = " | "
# drug-class label of the lexicon -> the requirement facts it names (prior_classes reads the same labels in criteria)
CLASS_OF = {"ANTHRA": ("requires_anthracycline",), "ANTI_CD20": ("requires_anti_cd20",),
            "REGIMEN_ANTHRA_CD20": ("requires_anthracycline", "requires_anti_cd20"),
            "PI": ("requires_pi",), "IMID": ("requires_imid",), "ANTI_CD38": ("requires_anti_cd38",),
            "TRIPLE_CLASS": ("requires_pi", "requires_imid", "requires_anti_cd38")}


@lru_cache(maxsize=1)
def _cues() -> dict:
    return yaml.safe_load(resources.files("guidelint.extract").joinpath("patterns/table_cells.yaml")
                          .read_text("utf-8"))


def is_table_row(a) -> bool:
    return bool(a.sentence.lines) and a.sentence.lines[0].is_table_row


def requirement(cell: str):
    """True (required), False (not required) or None (the cell does not say) for a value cell."""
    text = re.sub(r"\s+", " ", to_simplified(cell)).strip().casefold()
    cues = _cues()
    for value, key in ((False, "not_required"), (True, "required")):
        if text in cues[key]["exact"]:
            return value
        if any(c.casefold() in text for lang in ("zh", "en") for c in cues[key]["phrases"][lang]):
            return value
    return None


def _about_lines(label: str) -> bool:
    text = to_simplified(label).casefold()
    return any(c in text for lang in ("zh", "en") for c in _cues()["lines_label"][lang])


def table_row_facts(analysed) -> list:
    facts = []
    for a in analysed:
        if not is_table_row(a) or a.kind == "exclusion" or a.sentence.text.count(CELL_SEP) < 1:
            continue
        label, value = a.sentence.text.split(CELL_SEP)[:2]
        if not value.strip():
            continue
        required = requirement(value)
        for m in a.mentions:
            if required is None or m.label not in CLASS_OF or m.start >= len(label):
                continue
            for kind in CLASS_OF[m.label]:
                facts.append(a.fact(kind, required, m.start, negated=not required))
        if _about_lines(label):
            found = re.search(r"\d+", numbers.normalise(value))
            if found:
                facts.append(a.fact("prior_lines_min", int(found.group(0)), len(label) + len(CELL_SEP)))
    return facts
