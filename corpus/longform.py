"""Long protocols: the fact-free bulk of a real protocol around the fact-bearing chapters.

A generated protocol states its facts in ten short chapters. Real protocols run to 20-80 pages: a contents page,
a list of abbreviations, chapters on data management, quality assurance, sample logistics and the like, a
reference list, appendices with visit-by-visit procedures and laboratory tables, and footnotes. ``lengthen``
adds that material from ``templates/long/<lang>.yaml`` (written as fact-free prose by people who did not see the
extractor) so the evaluation measures whether extraction survives it: no fact may come out of this material,
because none is in it (the abbreviation table and the references name diseases and toxicities on purpose; a
reader has to know they state nothing about this trial).

Block kinds added (rendered by ``generate.render_pdf``): ``("toc",)`` contents pages, ``("label", text)`` an
unnumbered heading, ``("grid", caption, columns, rows)`` a ruled table, ``("p", text, footnote)`` a paragraph whose
footnote is printed at the bottom of its page, ``("refs", [entries])`` a numbered reference list.
"""
from __future__ import annotations

import random
import re
from functools import lru_cache
from importlib import resources
from typing import List, Tuple

import yaml

# Characters of body text per page in the long layout (11 pt, 1.5 lines); a target, not a measurement.
CHARS_PER_PAGE = {"en": 2600, "zh": 1050}
PAGES_MIN, PAGES_MAX = 20, 80

_LABELS = {
    "en": {"toc": "TABLE OF CONTENTS", "abbr": "LIST OF ABBREVIATIONS", "refs": "REFERENCES",
           "appendix": "Appendix {n} {title}", "visits": "Study Procedures by Visit",
           "abbr_cols": ["Abbreviation", "Definition"], "and": ", ", "cohort": " (Cohort {c})"},
    "zh": {"toc": "目录", "abbr": "缩略语表", "refs": "参考文献",
           "appendix": "附录{n} {title}", "visits": "各访视研究程序",
           "abbr_cols": ["缩略语", "英文全称", "中文全称"], "and": "、", "cohort": "（队列{c}）"},
}
_VISITS = {  # schedule column -> (visit name, study day, window)
    "en": {"Scr": ("Screening", "Day -35 to Day -28", "up to 28 days"), "Aph": ("Leukapheresis", "Day -28", "±3 days"),
           "LD": ("Lymphodepletion", "Day -5 to Day -3", "±1 day"), "D0": ("Infusion visit", "Day 0", "none"),
           "D7": ("Day 7 visit", "Day 7", "±2 days"), "D14": ("Day 14 visit", "Day 14", "±2 days"),
           "D28": ("Day 28 visit", "Day 28", "±2 days"), "M3": ("Month 3 visit", "Day 90", "±7 days"),
           "M6": ("Month 6 visit", "Day 180", "±7 days"), "M12": ("Month 12 visit", "Day 365", "±14 days")},
    "zh": {"筛选": ("筛选期", "第-35天至第-28天", "最长28天"), "单采": ("单采访视", "第-28天", "±3天"),
           "清淋": ("清淋预处理", "第-5天至第-3天", "±1天"), "D0": ("回输访视", "第0天", "无"),
           "D7": ("第7天访视", "第7天", "±2天"), "D14": ("第14天访视", "第14天", "±2天"),
           "D28": ("第28天访视", "第28天", "±2天"), "M3": ("第3个月访视", "第90天", "±7天"),
           "M6": ("第6个月访视", "第180天", "±7天"), "M12": ("第12个月访视", "第365天", "±14天")},
}


@lru_cache(maxsize=None)
def load_bank(lang: str) -> dict:
    text = resources.files("guidelint.corpus").joinpath(f"templates/long/{lang}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _of_set(entries, template_set: str) -> List[str]:
    return [e["text"] for e in entries if e.get("set") == template_set]


def _chars(blocks) -> int:
    n = 0
    for b in blocks:
        if b[0] in ("p", "caption", "label", "h"):
            n += len(b[-1] if b[0] == "h" else b[1])
        elif b[0] in ("items", "refs"):
            n += sum(len(t) + 20 for t in b[1])
        elif b[0] == "grid":
            n += sum(len(" ".join(r)) + 40 for r in b[3])
        elif b[0] == "table":
            n += 1500
    return n


def lengthen(blocks: list, titles: List[str], lang: str, template_set: str, rng: random.Random,
             schedule: dict) -> Tuple[list, List[str], int]:
    """Blocks of a long protocol: contents, abbreviations, then ``blocks``, extra chapters, references and
    appendices, until about a page target drawn from [PAGES_MIN, PAGES_MAX]. Returns (blocks, numbered heading
    titles, page target)."""
    bank, lab = load_bank(lang), _LABELS[lang]
    target = rng.randint(PAGES_MIN, PAGES_MAX)
    per_page = CHARS_PER_PAGE[lang]
    front = [("toc",), ("label", lab["abbr"]),
             ("grid", None, lab["abbr_cols"], [list(r) for r in bank["abbreviations"]])]
    out = front + list(blocks)
    titles = list(titles)
    chapter = sum(1 for b in blocks if b[0] == "h" and b[1] == 1)
    notes = _of_set(bank["footnotes"], template_set)
    rng.shuffle(notes)

    def h(level: int, number: str, text: str) -> None:
        heading = f"{number} {text}"
        titles.append(heading)
        out.append(("h", level, heading))

    chapters = list(bank["chapters"])
    rng.shuffle(chapters)
    since_note = 0
    for ch in chapters:
        if _chars(out) >= target * per_page * 0.8:
            break
        chapter += 1
        h(1, str(chapter), ch["heading"][template_set])
        for k, section in enumerate(ch["sections"], 1):
            h(2, f"{chapter}.{k}", section["heading"][template_set])
            for text in _of_set(section["paragraphs"], template_set):
                since_note += 1
                if notes and since_note >= 5 and rng.random() < 0.35:
                    out.append(("p", text, notes.pop()))
                    since_note = 0
                else:
                    out.append(("p", text))
    chapter += 1
    h(1, str(chapter), lab["refs"])
    out.append(("refs", list(bank["references"])))

    # Appendices: visit-by-visit procedures (one set per cohort until the target is met) and the tables.
    visit_templates = _of_set(bank["visit_procedures"], template_set)
    columns, rows = schedule["columns"], schedule["rows"]
    n = 0
    cohorts = "ABCDEFGH"
    for c in range(len(cohorts)):
        if c and _chars(out) >= target * per_page:
            break
        n += 1
        title = lab["visits"] + (lab["cohort"].format(c=cohorts[c]) if c or _chars(out) < target * per_page / 2
                                 else "")
        out.append(("label", lab["appendix"].format(n=n, title=title)))
        for j, col in enumerate(columns[1:], 1):
            visit, day, window = _VISITS[lang][col]
            done = [r[0] for r in rows if r[j]]
            text = rng.choice(visit_templates).format(visit=visit, day=day, window=window,
                                                      assessments=lab["and"].join(done))
            out.append(("p", text))
    for table in bank["tables"]:
        n += 1
        caption = table["caption"][template_set]
        out.append(("label", lab["appendix"].format(n=n, title=_strip_label(caption))))
        out.append(("grid", caption, list(table["columns"]), [list(r) for r in table["rows"]]))
    return out, titles, target


def _strip_label(caption: str) -> str:
    """'Appendix Table 1 Clinical Laboratory Tests' -> 'Clinical Laboratory Tests' (the appendix numbers it)."""
    return re.sub(r"^(?:appendix\s+)?(?:table|附表|表)\s*\d+\s*", "", caption, flags=re.I).strip() or caption


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def traditional(value):
    """Simplified -> traditional characters (OpenCC s2t) through strings, lists and tuples of a block."""
    if isinstance(value, str):
        return _s2t().convert(value)
    if isinstance(value, (list, tuple)):
        return type(value)(traditional(v) for v in value)
    return value


def traditional_default(i: int, lang: str) -> bool:
    """Which long protocols are printed in traditional characters: a fifth of the Chinese ones, by index."""
    return lang == "zh" and i % 10 == 4

