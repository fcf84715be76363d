"""Numbers as protocols write them: Arabic, full-width, Chinese numerals (两种, 三线, 十二周), English words.

Chinese numeral runs are converted with cn2an; it leaves 两 alone inside words (两种 stays 两种, measured),
so runs are cut out first and converted one by one.
"""
from __future__ import annotations

import re
import unicodedata

import cn2an

_CN_RUN = re.compile(r"[零〇一二两三四五六七八九十百]+")
_EN_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_EN_TEENS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
             "seventeen": 17, "eighteen": 18, "nineteen": 19}
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_EN_WORDS = {
    **_EN_UNITS, **_EN_TEENS, **_EN_TENS,
    # compounds up to ninety-nine, hyphenated or spaced ("sixty-five", "seventy five")
    **{f"{t}{sep}{u}": tv + uv for t, tv in _EN_TENS.items() for u, uv in _EN_UNITS.items() for sep in ("-", " ")},
    "single": 1, "first": 1, "second": 2, "third": 3, "fourth": 4,
}
_EN_RUN = re.compile(r"\b(" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(_EN_WORDS, key=len, reverse=True))
                     + r")\b", re.IGNORECASE)
# Ordinals stay words where they are names, not counts ("first-in-human", "second primary malignancy").
_EN_KEEP = re.compile(r"^(first|second)[- ](in|primary|generation|line of defen)", re.IGNORECASE)
# Chinese numerals that are parts of words, not counts.
_CN_KEEP = ("一致", "一般", "一旦", "一起", "一些", "一定", "统一", "之一", "一代", "二代", "三代", "进一步", "一次性", "同一", "万一", "唯一", "十分", "百分")


def to_int(token: str):
    """'3', '３', '三', '两', 'three' -> int; None when it is not a number."""
    token = unicodedata.normalize("NFKC", token).strip()
    if token.isdigit():
        return int(token)
    word = re.sub(r"\s*-\s*", "-", re.sub(r"\s+", " ", token.lower()))
    if word in _EN_WORDS:
        return _EN_WORDS[word]
    try:
        value = cn2an.cn2an(token, "smart")
    except (ValueError, KeyError):
        return None
    return int(value) if float(value).is_integer() else None


def normalise(text: str) -> str:
    """Full-width to half-width, Chinese and English number words to digits, comparators unified.

    Used on a copy of the sentence for value matching; evidence quotes keep the protocol's own text.
    """
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("≧", "≥").replace(">=", "≥").replace("≦", "≤").replace("<=", "≤")

    def cn(m):
        start, run = m.start(), m.group(0)
        window = text[max(0, start - 2): m.end() + 2]
        if any(k in window for k in _CN_KEEP) or run in ("百", "十"):
            return run
        value = to_int(run)
        return str(value) if value is not None else run

    def en(m):
        if _EN_KEEP.match(text[m.start():m.start() + 30]):
            return m.group(0)
        return str(_EN_WORDS[re.sub(r"\s+", " ", m.group(0).lower())])

    text = _CN_RUN.sub(cn, text)
    return _EN_RUN.sub(en, text)


_UNIT_DAYS = {"d": 1, "day": 1, "days": 1, "天": 1, "日": 1, "week": 7, "weeks": 7, "wk": 7, "wks": 7, "周": 7,
              "星期": 7, "month": 30, "months": 30, "个月": 30, "月": 30, "hour": 1 / 24, "hours": 1 / 24,
              "h": 1 / 24, "小时": 1 / 24}
DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(days?|weeks?|wks?|months?|hours?|d|h|天|日|周|星期|个月|月|小时)(?![a-z])",
                      re.IGNORECASE)


def to_days(number: str, unit: str) -> float:
    return float(number) * _UNIT_DAYS[unit.lower()]


def to_months(number: str, unit: str) -> float:
    """Timepoints: Week 12 and Day 90 are Month 3 in protocol convention (4 weeks / 30 days a month)."""
    unit = unit.lower()
    n = float(number)
    if unit in ("week", "weeks", "wk", "wks", "周", "星期"):
        return round(n / 4, 1)
    if unit in ("day", "days", "d", "天", "日"):
        return round(n / 30, 1)
    return n
