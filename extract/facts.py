"""Protocol lines -> typed Facts with evidence, through the rule-based spaCy pipeline.

Each fact kind has one small extractor below. They see analysed sentences: the spaCy doc (lexicon
entities with ConText flags), a numeral-normalised copy of the text, and the section kind the sentence
sits in. Two scope rules hold everywhere: a negated mention does not become a positive fact, and a
prior-therapy mention inside Exclusion Criteria inverts its polarity (excluded = not required).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..models import Fact
from . import numbers
from .catalogue import check_value, is_multi
from .statements import statement_facts
from .tables import CLASS_OF, is_table_row, table_row_facts
from .script import to_simplified
from .text import Sentence, sentences

_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Mention:
    label: str
    text: str
    start: int  # char offset in the sentence
    negated: bool
    hypothetical: bool
    historical: bool = False  # about another study ("in the pivotal study ..."), not this protocol


@dataclass(frozen=True)
class Analysed:
    sentence: Sentence
    norm: str  # numerals normalised (三线 -> 3线, two -> 2); for values only
    mentions: tuple
    lang: str

    @property
    def kind(self):
        return self.sentence.section_kind

    def has(self, *labels) -> bool:
        return any(m.label in labels for m in self.mentions)

    def of(self, *labels) -> list:
        return [m for m in self.mentions if m.label in labels]

    def fact(self, kind, value, at=0, negated=False) -> Fact:
        return Fact(kind=kind, value=value, evidence=self.sentence.evidence(at),
                    section=self.sentence.section, negated=negated)


# Sections that say nothing about this trial: the contents list, the abbreviation table (it names every
# toxicity and endpoint) and the reference list (titles of other trials).
NON_NORMATIVE_SECTIONS = frozenset({"contents", "abbreviations", "references"})


def analyse(lines, section_kind) -> list:
    from .nlp import get_nlp

    sents = [_simplified(s) for s in sentences(lines, section_kind) if s.section_kind not in NON_NORMATIVE_SECTIONS]
    out = []
    for lang in ("zh", "en"):
        chosen = [s for s in sents if ("zh" if _CJK.search(s.text) else "en") == lang]
        if not chosen:
            continue
        nlp = get_nlp(lang)
        for s, doc in zip(chosen, nlp.pipe(s.text for s in chosen)):
            mentions = tuple(Mention(e.label_, e.text, e.start_char, e._.negated, e._.hypothetical, e._.historical)
                             for e in doc.ents)
            out.append(Analysed(s, numbers.normalise(s.text), mentions, lang))
    order = {id(s): i for i, s in enumerate(sents)}
    out.sort(key=lambda a: order[id(a.sentence)])
    return out


# --- helpers -------------------------------------------------------------------------------------------

def _simplified(s: Sentence) -> Sentence:
    """Traditional Chinese read as simplified (繁體 -> 简体, OpenCC), so one lexicon serves both scripts.

    Only a conversion that keeps the length is used: character offsets map mentions back to their lines, and
    evidence quotes the original line, so reviewers see the text as printed.
    """
    if not _CJK.search(s.text):
        return s
    text = to_simplified(s.text)
    return replace(s, text=text) if len(text) == len(s.text) and text != s.text else s


_PRIOR_CUE = re.compile(r"既往|曾|接受过|用药史|治疗史|暴露史|经过|治疗失败|复发|难治|耐药|暴露|包含|包括|至少|prior|previous|received|exposed|"
                        r"refractory|failed|including|must have|relapsed|na[iï]ve", re.IGNORECASE)
_PERMIT_CUE = re.compile(r"允许|可以|可接受|可予|可根据|可在|如需|必要时|may|permitted|allowed|can receive|at the discretion|"
                         r"if needed|if required|as needed", re.IGNORECASE)
_ONLY_CUE = re.compile(r"仅|只由|仅由|only|solely", re.IGNORECASE)
_NOT_PRIOR_SECTIONS = {"background", "exclusion"}


def _polarity(a: Analysed, m: Mention) -> bool:
    """True when the mention states the thing; exclusion scope inverts (a double negative restores it)."""
    return (not m.negated) != (a.kind == "exclusion")


def _in(a: Analysed, *kinds) -> bool:
    return a.kind in kinds


def _first_match(patterns, text):
    for p in patterns:
        m = re.search(p, text, re.IGNORECASE)
        if m:
            return m
    return None


# --- population ----------------------------------------------------------------------------------------

_DISEASE = {"DIS_BALL": "B-ALL", "DIS_LBCL": "LBCL", "DIS_MCL": "MCL", "DIS_FL": "FL", "DIS_MZL": "MZL",
            "DIS_CLL": "CLL_SLL", "DIS_BNHL": "B-NHL_unspecified", "DIS_MM": "MM", "DIS_OTHER": "other"}


def indication(analysed):
    def collect(where):
        found = {}
        for a in analysed:
            if not where(a):
                continue
            for m in a.of(*_DISEASE):
                if not m.negated:
                    found.setdefault(_DISEASE[m.label], a.fact("indication", _DISEASE[m.label], m.start))
        return found

    found = collect(lambda a: a.kind == "inclusion") or \
        collect(lambda a: a.kind == "synopsis" or a.sentence.page_first == 1)
    if len(found) > 1:
        found.pop("B-NHL_unspecified", None)  # a named subtype says more than the umbrella term
    return list(found.values())


_TARGET = re.compile(r"CD19|CD20|CD22|BCMA|GPRC5D|CD7(?!\d)")
_TARGETING = re.compile(r"靶向|靶点|以.{0,12}为靶|抗\s*(?:CD|BCMA|GPRC5D)|识别|针对|双特异|双靶|特异性|anti-|directed|targeted|targeting",
                        re.IGNORECASE)


_TARGETING_EN = re.compile(r"specific|specificity|tandem|bivalent|dual\b|recogni[sz]|against|binds?\b|binding|-redirected|"
                           r"\b(?:CD19|CD20|CD22|BCMA|GPRC5D)\s*(?:×|x|/)\s*(?:CD19|CD20|CD22|BCMA|GPRC5D)", re.IGNORECASE)


def cart_target(analysed):
    """Targets named where the product itself is described: a CAR-T sentence with a targeting cue."""
    facts = {}
    for a in analysed:
        if a.kind in ("background", "inclusion", "exclusion") or not a.has("CART"):
            continue
        if not (_TARGETING.search(a.norm) or _TARGETING_EN.search(a.norm)):
            continue
        for m in _TARGET.finditer(a.norm):
            facts.setdefault(m.group(0), a.fact("cart_target", m.group(0), m.start()))
    return list(facts.values())


_ROMAN = {"Ⅰ": "1", "I": "1", "Ⅱ": "2", "II": "2", "Ⅲ": "3", "III": "3", "1": "1", "2": "2", "3": "3"}
_PHASE = [r"(?:phase)[\s-]*(III|II|I|[123])(?![ac-z\d])\s*(b)?\b\s*(?:(?:/|–|-)\s*(?:phase[\s-]*)?(III|II|I|[123])(?![a-z\d]))?",
          r"(Ⅲ|Ⅱ|Ⅰ|III|II|I|[123])\s*(b)?\s*(?:[/\-–~～]\s*(Ⅲ|Ⅱ|Ⅰ|III|II|I|[123]))?\s*期"]


def trial_phase(analysed):
    for a in analysed:
        if not (a.sentence.page_first == 1 or a.kind == "synopsis"):
            continue
        m = _first_match(_PHASE, a.norm)
        if m:
            first = _ROMAN[m.group(1).upper() if m.group(1).isascii() else m.group(1)]
            value = first + ("b" if m.group(2) else "")
            if m.group(3):
                value = f"{first}/{_ROMAN[m.group(3).upper() if m.group(3).isascii() else m.group(3)]}"
            if value in ("1", "1b", "1/2", "2", "2/3", "3"):
                return [a.fact("trial_phase", value, m.start())]
    return []


def confirmatory(analysed):
    for a in analysed:
        for m in a.of("CONFIRMATORY"):
            if a.kind not in _NOT_PRIOR_SECTIONS and not m.historical:  # "本试验并非确证性临床试验" says it is exploratory
                return [a.fact("confirmatory", not m.negated, m.start, negated=m.negated)]
    for a in analysed:
        if a.kind in ("synopsis", "design") or a.sentence.page_first == 1:
            for m in a.of("EXPLORATORY", "DOSE_ESC"):
                if not m.negated:
                    return [a.fact("confirmatory", False, m.start)]
    return []


def _current(a: Analysed, *labels) -> list:
    """Mentions about this protocol, not about another study."""
    return [m for m in a.of(*labels) if not m.historical]


def design(analysed):
    facts = []
    scope = [a for a in analysed if a.kind in ("synopsis", "design") or a.sentence.page_first == 1]
    for label, value in (("SINGLE_ARM", "single_arm"), ("RANDOMIZED", "randomized_controlled"),
                         ("NONRANDOM", "nonrandomized_controlled"), ("DOSE_ESC", "dose_escalation_expansion")):
        for a in scope:
            hit = [m for m in a.of(label) if not m.negated and not m.historical]
            if hit and not (label == "RANDOMIZED" and _current(a, "SINGLE_ARM", "NONRANDOM")):
                facts.append(a.fact("design", value, hit[0].start))
                break
        if facts:
            break
    for a in scope:
        rand = [m for m in a.of("RANDOMIZED") if not m.negated and not m.historical
                and not _current(a, "SINGLE_ARM", "NONRANDOM")]
        norand = _current(a, "NONRANDOM") + [m for m in _current(a, "RANDOMIZED") if m.negated]
        if rand:
            facts.append(a.fact("randomized", True, rand[0].start))
            break
        if norand:
            facts.append(a.fact("randomized", False, norand[0].start, negated=True))
            break
    return facts


_AGE_RANGE = [r"(?:≥|年满|满|不小于|不低于|大于等于)\s*(\d+)\s*(?:周岁|岁)?\s*(?:且|并且|但|、|，|and|,)\s*(?:年龄)?\s*"
              r"(?:≤|不超过|不大于|不高于|小于等于|至多)\s*(\d+)", r"(\d+)\s*(?:周岁|岁)?\s*(?:[（(](?:含|包含|包括|含本数)[）)])?\s*(?:[-~～—–至到]|to)\s*(\d+)\s*(?:周岁|岁|years)",
              r"aged?\s*(?:between\s*)?(\d+)\s*(?:-|–|to|and)\s*(\d+)"]
_AGE_MIN = [r"(?:≥|大于等于|不小于|不低于|年满|满|至少为?|at least|aged?\s*≥?)\s*(\d+)\s*(?:周岁|岁|years)",
            r"(\d+)\s*(?:周岁|岁)\s*(?:[（(](?:含|包含)[）)])?\s*(?:及|或)?以上", r"(\d+)\s*years(?: of age)?\s*(?:or|and)\s*(?:older|above)"]


# English age bounds: a range ("between 18 and 75 years of age", "18 through 75 years", "18 years ≤ age ≤ 75 years"),
# or a lower and an optional upper bound stated apart ("not younger than 18 and not older than 75 years").
_YRS = r"(?:years?|yrs?|y)\b"
_AGE_RANGE_EN = [r"\b(\d+)\s*(?:" + _YRS + r")?\s*(?:of age\s*)?≤\s*age\s*≤\s*(\d+)",
                 r"≥\s*(\d+)\s*(?:" + _YRS + r")?\s*(?:and|,|but|to|-|–)\s*≤\s*(\d+)",
                 r"\bages?d?\s*(?:of\s*|from\s*|between\s*|range\s*:?\s*)?(\d+)\s*(?:" + _YRS + r")?\s*"
                 r"(?:-|–|—|~|to|through|thru|and|up to|until)\s*(\d+)",
                 r"(?:between|from)\s*(?:the ages? of\s*)?(\d+)\s*(?:" + _YRS + r")?\s*(?:and|to|through|-|–)\s*(\d+)\s*"
                 r"(?:" + _YRS + r"|\(?inclusive)",
                 r"\b(\d+)\s*(?:-|–|—|~|to|through|thru)\s*(\d+)\s*" + _YRS + r"\s*(?:of age|old|inclusive)?"]
_AGE_MIN_EN = [r"(?:≥|at least|not younger than|no younger than|not less than|no less than|minimum(?: age)?(?: of)?|"
               r"aged?\s*(?:≥|of at least)?)\s*(\d+)\s*" + _YRS,
               r"\bages?d?\s*(?:≥|of at least|of ≥)\s*(\d+)",
               r"\b(\d+)\s*" + _YRS + r"\s*(?:of age\s*|old\s*)?(?:or|and)\s*(?:older|above|over)"]
_AGE_MAX_EN = [r"(?:≤|at most|not older than|no older than|not more than|no more than|maximum(?: age)?(?: of)?|up to)\s*(\d+)\s*"
               + _YRS, r"\bages?d?\s*≤\s*(\d+)", r"\b(\d+)\s*" + _YRS + r"\s*(?:of age\s*|old\s*)?(?:or|and)\s*(?:younger|below|under)"]
_AGE_WORD_EN = re.compile(r"\bage[ds]?\b|years? old|\b(?:older|younger)\b|years? or (?:above|over)", re.I)


def age(analysed):
    for a in analysed:
        if a.kind != "inclusion" or not re.search(r"岁|年龄|age|years", a.norm, re.I):
            continue
        if a.lang == "en" and _AGE_WORD_EN.search(a.norm):
            m = _first_match(_AGE_RANGE_EN, a.norm)
            if m and int(m.group(1)) < int(m.group(2)):
                return [a.fact("age_min_years", float(m.group(1)), m.start()),
                        a.fact("age_max_years", float(m.group(2)), m.start())]
            lo, hi = _first_match(_AGE_MIN_EN, a.norm), _first_match(_AGE_MAX_EN, a.norm)
            if lo:
                return [a.fact("age_min_years", float(lo.group(1)), lo.start())] + \
                    ([a.fact("age_max_years", float(hi.group(1)), hi.start())] if hi else [])
        m = _first_match(_AGE_RANGE, a.norm)
        if m:
            return [a.fact("age_min_years", float(m.group(1)), m.start()),
                    a.fact("age_max_years", float(m.group(2)), m.start())]
        m = _first_match(_AGE_MIN, a.norm)
        if m:
            return [a.fact("age_min_years", float(m.group(1)), m.start())]
    return []


def ph_positive(analysed):
    pos = [a for a in analysed if a.kind in ("inclusion", "exclusion") and a.has("PH_POS")]
    for a in pos:
        m = a.of("PH_POS")[0]
        if a.has("TKI", "TKI_DRUG") or a.kind == "exclusion" or not m.negated:
            return [a.fact("ph_positive_eligible", _polarity(a, m), m.start, negated=not _polarity(a, m))]
    for a in analysed:
        if a.kind == "inclusion":
            for m in a.of("PH_NEG"):
                if not m.negated:
                    return [a.fact("ph_positive_eligible", False, m.start, negated=True)]
    return []


_TKI_WORD = r"(?:TKI|酪氨酸激酶抑制剂|tyrosine)"
_TKI_COUNT = [r"(?:至少|≥|不少于|最少|at least|a minimum of)\s*(?:接受过)?\s*(\d+)\s*(?:种|个|类)?\s*(?:或以上|及以上|以上)?\s*(?:的)?\s*"
              r"(?:prior\s+|different\s+|distinct\s+)?" + _TKI_WORD,
              r"(\d+)\s*(?:种|个|类)?\s*(?:或|及)?以上\s*(?:的)?\s*" + _TKI_WORD,
              r"(\d+)\s*(?:种|个|类)?\s*(?:或|及)\s*(?:更多|更)\s*(?:多)?\s*(?:种|个|类)?\s*(?:的)?\s*" + _TKI_WORD,
              r"(\d+)\s*or more\s*(?:prior\s+|different\s+)?" + _TKI_WORD,
              r"(\d+)\s*(?:种|个|类)\s*(?:的)?\s*" + _TKI_WORD,
              r"(\d+)\s*(?:prior\s+|different\s+|distinct\s+)" + _TKI_WORD,
              r"(\d+)\s*" + _TKI_WORD]


_EN_GENERATION = re.compile(r"\b(?:first|second|third|1st|2nd|3rd|[123])[- ]generation\s+(?:TKI|tyrosine)", re.I)


def _en_tki_agents(a: Analysed, drugs: set) -> set:
    """English: "both imatinib and a second-generation TKI (dasatinib or nilotinib)" names two agents — a generation
    counts once, and drugs in parentheses are examples of what precedes them, not further agents."""
    text = a.sentence.text
    depth_at = [0] * (len(text) + 1)
    depth = 0
    for i, ch in enumerate(text):
        depth_at[i] = depth
        depth += (ch == "(") - (ch == ")")
    outside = {x.text.lower() for x in a.of("TKI_DRUG") if not x.negated and depth_at[x.start] == 0}
    generations = _EN_GENERATION.findall(text)
    if not generations:
        return drugs
    return outside | {g.lower() for g in generations}


def prior_tki(analysed):
    facts = []
    for a in analysed:
        if a.kind in _NOT_PRIOR_SECTIONS or not a.has("TKI", "TKI_DRUG"):
            continue
        if a.has("T315I"):
            facts.append(a.fact("t315i_exception", True, a.of("T315I")[0].start))
            continue
        m = _first_match(_TKI_COUNT, a.norm)
        at = a.of("TKI", "TKI_DRUG")[0].start
        if m and not any(f.kind == "prior_tki_min" for f in facts):
            facts.append(a.fact("prior_tki_min", int(m.group(1)), at))
        elif not m and not any(f.kind == "prior_tki_min" for f in facts):
            drugs = {x.text.lower() for x in a.of("TKI_DRUG") if not x.negated}
            generations = set(re.findall(r"([一二三123])代\s*(?:TKI|酪氨酸激酶抑制剂)", a.norm))
            if len(generations) >= 2:  # "一代TKI（伊马替尼）和二代TKI（达沙替尼或尼洛替尼）": two generations, three drugs
                drugs = generations
            if a.lang == "en":
                drugs = _en_tki_agents(a, drugs)
            if len(drugs) >= 2 and re.search(r"失败|耐药|复发|难治|failed|failure|refractory|resistan", a.norm, re.I):
                facts.append(a.fact("prior_tki_min", len(drugs), at))
        for m in a.of("INTOLERANT"):
            if not m.negated and not any(f.kind == "tki_intolerance_alternative" for f in facts):
                facts.append(a.fact("tki_intolerance_alternative", True, m.start))
    return facts


# "最近一线/末线/前一线" names one line, not a count.
_NOT_COUNT = r"(?<!最近)(?<!最后)(?<!前)(?<!上)(?<!末)"
_LINES = [r"(\d+)\s*线?\s*(?:-|–|~|～|to|至|到)\s*\d+\s*(?:prior\s+)?(?:lines?|线)",
          r"(?<!\d)(\d+)\s*线\s*(?:[、，,]\s*\d+\s*线\s*)*(?:或|、|及|和|或者)\s*\d+\s*线",
          r"线数\s*(?:≥|大于等于|不少于|至少)\s*(\d+)",
          r"(?:至少|≥|不少于|最少|at least|a minimum of|minimum of)\s*(?:接受过)?\s*(\d+)\s*(?:线|种(?:系统性?)?治疗方案|个(?:系统性?)?治疗方案|"
          r"(?:prior\s+)?(?:lines?|regimens?)|(?:prior\s+)?systemic)",
          r"(\d+)\s*线\s*(?:或|及)?以上", r"(\d+)\s*(?:\+\s*)?or more\s*(?:prior\s+)?(?:lines?|regimens?)",
          r"(\d+)\s*(?:prior\s+)?(?:lines?|regimens?)\s+of\s+(?:prior\s+)?(?:systemic\s+)?(?:therapy|treatment)",
          r"(?:after|following|failure of)\s*(?:at least\s*)?(\d+)\s*(?:prior\s+)?(?:lines?|-line|regimens?)",
          _NOT_COUNT + r"(\d+)\s*(?:线|种)\s*(?:系统性?)?治疗", _NOT_COUNT + r"(\d+)\s*线", r"\b(1)-line\b", r"(\d+)\s*prior\s+(?:lines?|regimens?)"]


# English counts with the words between number and noun ("three or more prior systemic therapy lines", "at least two
# previous systemic treatment regimens"), ranges ("between one and three", "≥1 and ≤3") and labelled minima ("minimum 1").
_LINE_FILL = r"(?:(?:prior|previous|earlier|systemic|anti-?(?:cancer|myeloma|lymphoma)|therapy|treatment|chemotherapy|different|standard)\s+)*"
_LINE_NOUN = r"(?:lines?|regimens?)\b"
_LINES_EN = [r"(?:between|from)\s*(\d+)\s*(?:and|to|-|–)\s*\d+\s*" + _LINE_FILL + _LINE_NOUN,
             r"≥\s*(\d+)\s*(?:and|,|to)\s*≤\s*\d+\s*" + _LINE_FILL + _LINE_NOUN,
             r"(?:at least|≥|a minimum of|minimum of|no fewer than|not fewer than|not less than)\s*(\d+)\s*" + _LINE_FILL + _LINE_NOUN,
             r"\b(\d+)\s*(?:\+\s*|or more\s*|or greater\s*)" + _LINE_FILL + _LINE_NOUN,
             r"(?:lines?|regimens?)[^.;]{0,30}?(?:minimum|at least|≥)\s*:?\s*(\d+)"]


def prior_lines(analysed):
    for a in analysed:
        if a.kind != "inclusion" or is_table_row(a):  # rows: table_row_facts
            continue
        m = (_first_match(_LINES_EN, a.norm) if a.lang == "en" else None) or _first_match(_LINES, a.norm)
        if m and a.lang == "en" and re.match(r"\s*(?:of\s+)?salvage", a.norm[m.end():], re.I):
            continue  # "one or more lines of salvage chemotherapy": a B-ALL refractoriness category, not a line count
        if m and not a.has("TKI", "TKI_DRUG"):
            return [a.fact("prior_lines_min", int(m.group(1)), m.start())]
    return []


def prior_classes(analysed):
    found = {}
    for a in analysed:
        if a.kind not in ("inclusion", "exclusion") or not _PRIOR_CUE.search(a.sentence.text) or is_table_row(a):
            continue
        for m in a.of(*CLASS_OF):
            value = _polarity(a, m)
            for kind in CLASS_OF[m.label]:
                if (kind, value) not in found:
                    found[(kind, value)] = a.fact(kind, value, m.start, negated=not value)
    return list(found.values())


# --- design, endpoints ---------------------------------------------------------------------------------

_ENDPOINT = {"EP_ORR": "ORR", "EP_CRR": "CRR", "EP_CR_CRI": "CR_CRi_rate", "EP_OS": "OS", "EP_PFS": "PFS",
             "EP_EFS": "EFS", "EP_DOR": "DOR", "EP_MRD": "MRD_neg_rate"}
_TIMEPOINT = [r"第\s*(\d+)\s*(个月|月|周|天)", r"(?:后|时)\s*(\d+)\s*(个月|周|天)", r"(\d+)\s*(个月|周|天)\s*(?:时|后|的|内)",
              r"(?:at|by)\s+(month|week|day)\s*(\d+)", r"(month|week|day)\s*(\d+)",
              r"(\d+)\s*(months?|weeks?|days?)\s*(?:after|post|following|from)"]


_PRIMARY_SECTION = re.compile(r"主要终点|主要疗效终点|primary endpoint|primary end point", re.I)
_SECONDARY_SECTION = re.compile(r"次要终点|次要疗效终点|secondary endpoint|secondary end point", re.I)


def _endpoint_span(a, own_cue, other_cue, section):
    """(cue mentions, start, stop): the stretch of a sentence that names endpoints of one kind — from its cue
    (or the whole sentence inside a section of that kind) to the other kind's cue; None if it names none."""
    cue = a.of(own_cue)
    if not (cue or section.search(a.sentence.section)) or a.kind in _NOT_PRIOR_SECTIONS:
        return None
    start = cue[0].start if cue else 0
    stop = min([m.start for m in a.of(other_cue) if m.start > start] or [len(a.sentence.text)])
    return cue, start, stop


def primary_endpoint(analysed):
    facts = {}
    for a in analysed:
        span = _endpoint_span(a, "PRIMARY_EP", "SECONDARY_EP", _PRIMARY_SECTION)
        if span is None:
            continue
        cue, start, stop = span
        eps = [m for m in a.of(*_ENDPOINT) if start <= m.start < stop and not m.negated]
        if not eps and cue:  # "EFS is the primary endpoint": the endpoint comes first
            eps = [m for m in a.of(*_ENDPOINT) if m.start < start and not m.negated and not a.of("SECONDARY_EP")]
        if any(m.label == "EP_CR_CRI" for m in eps):  # "complete remission rate (CR + CRi)" is one endpoint
            eps = [m for m in eps if m.label != "EP_CRR"]
        for m in eps:
            facts.setdefault(_ENDPOINT[m.label], a.fact("primary_endpoint", _ENDPOINT[m.label], m.start))
        if eps and "primary_endpoint_timepoint_months" not in facts:
            tp = _first_match(_TIMEPOINT, a.norm)
            if tp:
                g = tp.groups()
                number, unit = (g[1], g[0]) if not g[0][0].isdigit() else (g[0], g[1])
                facts["primary_endpoint_timepoint_months"] = a.fact(
                    "primary_endpoint_timepoint_months", numbers.to_months(number, unit), tp.start())
        if facts and cue:
            break
    return list(facts.values())


_SECONDARY = dict(_ENDPOINT, EP_MRD="MRD")


def secondary_endpoint(analysed):
    """Endpoints named after a secondary-endpoint cue (or in a Secondary Endpoints section)."""
    facts = {}
    for a in analysed:
        span = _endpoint_span(a, "SECONDARY_EP", "PRIMARY_EP", _SECONDARY_SECTION)
        if span is None:
            continue
        _, start, stop = span
        for m in a.of(*_SECONDARY):
            if start <= m.start < stop and not m.negated:
                value = _SECONDARY[m.label]
                facts.setdefault(value, a.fact("secondary_endpoint", value, m.start))
    return list(facts.values())


# A central laboratory counts as independent assessment (guideline: IRC 或中心实验室) only where it assesses
# efficacy; a protocol names its central laboratory in many places (sample shipping, quality assurance).
_CENTRAL_LAB = re.compile(r"中心实验室|central lab", re.I)
_ASSESSES_EFFICACY = re.compile(r"疗效|缓解|终点|MRD|微小残留|response|remission|efficacy|endpoint", re.I)


def irc(analysed):
    for a in analysed:
        if a.kind in _NOT_PRIOR_SECTIONS:
            continue
        for m in a.of("IRC"):
            if m.historical:
                continue
            if _CENTRAL_LAB.search(m.text) and not _ASSESSES_EFFICACY.search(a.sentence.text):
                continue
            return [a.fact("irc_assessment", not m.negated, m.start, negated=m.negated)]
    for a in analysed:
        if a.kind not in _NOT_PRIOR_SECTIONS and a.has("INVESTIGATOR") and _ONLY_CUE.search(a.sentence.text) \
                and re.search(r"疗效|缓解|终点|response|efficacy|endpoint", a.sentence.text, re.I):
            return [a.fact("irc_assessment", False, a.of("INVESTIGATOR")[0].start, negated=True)]
    return []


def benchmark(analysed):
    facts = {}
    for a in analysed:
        if a.kind not in ("statistics", "design", "synopsis", "objectives_endpoints"):
            continue
        for label, kind in (("EXT_CONTROL", "external_control"), ("TARGET_VALUE", "target_value_method")):
            for m in a.of(label):
                facts.setdefault((kind, not m.negated), a.fact(kind, not m.negated, m.start, negated=m.negated))
    return list(facts.values())


# --- bridging ------------------------------------------------------------------------------------------

_EXCLUDED_EN = re.compile(r"\b(?:excluded|prohibited|forbidden|disallowed|barred|(?:must|may|should|will|cannot|can)\s+not\b|"
                          r"cannot\b|not\s+(?:be\s+)?(?:permitted|allowed|used|given))", re.I)


def bridging(analysed):
    facts = {}
    for a in analysed:
        current = [x for x in a.of("BRIDGING") if not x.historical]  # not what another study allowed
        if a.kind == "exclusion" or not current:
            continue
        m = current[0]
        same_target = a.of("SAME_TARGET", "SAME_TARGET_DRUG", "SAME_TARGET_ALLOWED")
        allowed = a.of("SAME_TARGET_ALLOWED")  # English: "not restricted by target", "regardless of target"
        if allowed:
            facts.setdefault("same", a.fact("bridging_same_target_excluded", False, allowed[0].start, negated=True))
            continue
        if same_target:
            # One prohibition covers the examples that follow it ("must not include X (e.g. Y)").
            st = next((x for x in same_target if x.negated), same_target[0])
            # "Agents with the same target (CD19), for example X and Y, are excluded from bridging": the verb sits
            # past a parenthesised example list, beyond any negation scope.
            excluded = st.negated or bool(a.lang == "en" and _EXCLUDED_EN.search(a.sentence.text))
            facts.setdefault("same", a.fact("bridging_same_target_excluded", excluded, st.start, negated=not excluded))
            continue
        d = numbers.DURATION.search(a.norm) if a.has("WASHOUT", "LD", "APHERESIS") else None
        if d and "washout" not in facts:
            facts["washout"] = a.fact("washout_days", round(numbers.to_days(*d.groups()), 2), d.start())
        if m.negated and not d:  # "no bridging within 14 days of LD" is a washout, not a prohibition
            facts.setdefault("allowed", a.fact("bridging_allowed", "not_permitted", m.start, negated=True))
        elif m.hypothetical or _PERMIT_CUE.search(a.sentence.text):
            facts.setdefault("allowed", a.fact("bridging_allowed", "permitted", m.start))
    return list(facts.values())


# --- safety --------------------------------------------------------------------------------------------

_RISK = {"RISK_CRS": "CRS", "RISK_NEUROTOX": "neurotoxicity", "RISK_INFECTION": "infection",
         "RISK_MAS": "MAS_HLH", "RISK_CYTOPENIA": "prolonged_cytopenia", "RISK_HYPOGAMMA": "hypogammaglobulinemia",
         "RISK_TLS": "TLS", "RISK_BLEEDING": "bleeding", "SECONDARY_MALIG": "secondary_malignancy",
         "TCELL_MALIG": "secondary_malignancy"}


def safety(analysed):
    facts = {}
    for a in analysed:
        if a.kind in ("exclusion", "inclusion"):
            continue
        managed = a.has("MANAGE", "MONITOR", "TOCI") and a.kind not in ("background", "synopsis")
        for m in a.of(*_RISK):
            if m.negated:
                continue
            value = _RISK[m.label]
            facts.setdefault(("safety_risk", value), a.fact("safety_risk", value, m.start))
            if managed:
                facts.setdefault(("safety_risk_managed", value), a.fact("safety_risk_managed", value, m.start))
        for m in a.of("SECONDARY_MALIG", "TCELL_MALIG"):
            if a.has("MONITOR") and not m.negated and a.kind != "background":
                facts.setdefault(("monitor",), a.fact("secondary_malignancy_monitoring", True, m.start))
        for m in a.of("TCELL_MALIG"):
            # The plan is negated when either the malignancy or the analysis is ("... is not required").
            negated = any(x.negated for x in a.of("TCELL_MALIG", "SAMPLE_ANALYSIS"))
            if a.has("SAMPLE_ANALYSIS") or negated:
                facts.setdefault(("tcell",), a.fact("secondary_tcell_sample_analysis_plan", not negated, m.start,
                                                    negated=negated))
    return list(facts.values())


EXTRACTORS = (indication, cart_target, trial_phase, confirmatory, design, age, ph_positive, prior_tki, prior_lines,
              prior_classes, table_row_facts, primary_endpoint, secondary_endpoint, irc, benchmark, bridging, safety,
              statement_facts)


def extract_facts(document) -> list:
    """All facts of a ProtocolDocument, typed and checked against the catalogue."""
    from .pdf import section_kind

    analysed = analyse(document.lines, section_kind)
    facts = []
    for extractor in EXTRACTORS:
        for fact in extractor(analysed):
            check_value(fact.kind, fact.value)
            if is_multi(fact.kind) or not any(f.kind == fact.kind and f.value == fact.value for f in facts):
                facts.append(fact)
    return facts
