"""Protocol ingest: a clinical-trial protocol PDF (Chinese or English) as body lines with section paths.

pdfplumber gives visual lines with glyph fonts and sizes. Running headers, footers and page numbers are
recognised by repetition in the page margins, never by fixed strings. Headings are recognised by their
numbering (``第五章``, ``一、``, ``（一）``, ``5.2``) checked against font emphasis when the document
styles its headings, and by text shape when it does not, so criteria list items stay body text.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
import statistics
import unicodedata
from collections import Counter
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from ..models import BBox, ProtocolDocument, ProtocolLine

SECTION_SEP = " > "


class ProtocolReadError(Exception):
    """A protocol that cannot be read. ``status`` is ``error``, or ``needs_ocr`` for a PDF without text."""

    def __init__(self, path, reason: str, status: str = "error", sha256: str = ""):
        self.path = str(path)
        self.reason = reason
        self.status = status
        self.sha256 = sha256  # of the file bytes, when they could be read: a failed file keeps its identity
        super().__init__(f"{self.path}: {reason}")


class _Line(NamedTuple):
    page: int
    text: str
    bbox: BBox
    size: float  # median glyph size
    font: str  # most used font, subset prefix removed
    edge: bool  # where running headers and footers sit: the page's top/bottom band or its first/last lines


# --------------------------------------------------------------------------------------------- file


def _file_sha256(path: Path) -> str:
    """sha256 of the bytes, after the checks that need no PDF parser."""
    if not path.exists():
        raise ProtocolReadError(path, "file not found")
    if not path.is_file():
        raise ProtocolReadError(path, "not a regular file")
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            head = f.read(1024)
            h.update(head)
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError as exc:
        raise ProtocolReadError(path, f"cannot read: {exc.strerror or exc}") from None
    if not head:
        raise ProtocolReadError(path, "empty file (0 bytes)", sha256=h.hexdigest())
    # Readers accept the header anywhere in the first 1024 bytes; so do we.
    if b"%PDF-" not in head:
        raise ProtocolReadError(path, "not a PDF (no %PDF- header)", sha256=h.hexdigest())
    return h.hexdigest()


def _describe(exc: BaseException) -> str:
    """One line for a parser failure: pdfplumber wraps pdfminer's exception, which names the cause."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    if isinstance(inner, PDFPasswordIncorrect):
        return "encrypted: a password is required to open it"
    if isinstance(inner, PDFEncryptionError):
        return f"encrypted with an unsupported method ({_first_line(inner)})"
    return f"cannot parse PDF, corrupt or truncated? ({type(inner).__name__}: {_first_line(inner)})"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else "no detail")[:160]


# ----------------------------------------------------------------------------------------- pdfplumber

_BAND = 0.10  # share of the page height at top and bottom where running heads sit
_EDGE_LINES = 2  # ... or this many lines at either end, for layouts with deep margins
_CID = re.compile(r"^\(cid:\d+\)$")


def _font_name(fontname: str) -> str:
    return fontname.split("+", 1)[-1]  # "ABCDEF+SimHei": the subset tag is random letters


def _page_lines(page) -> List[_Line]:
    # Some generators fake bold by printing each glyph twice; that would double every character.
    rows = page.dedupe_chars().extract_text_lines(strip=True, return_chars=True)
    rows = [r for r in rows if r["text"].strip()]
    x0, top, x1, bottom = page.bbox
    band = _BAND * (bottom - top)
    lines = []
    for i, r in enumerate(rows):
        glyphs = [c for c in r["chars"] if not c["text"].isspace()]
        edge = (r["top"] < top + band or r["bottom"] > bottom - band
                or i < _EDGE_LINES or i >= len(rows) - _EDGE_LINES)
        lines.append(_Line(
            page=page.page_number,
            text=r["text"].strip(),
            bbox=tuple(round(v, 2) for v in (r["x0"], r["top"], r["x1"], r["bottom"])),
            size=round(statistics.median(c["size"] for c in glyphs), 1),
            font=_font_name(Counter(c["fontname"] for c in glyphs).most_common(1)[0][0]),
            edge=edge,
        ))
    return lines


def _text_layer_check(path: Path, pages: List[List[_Line]]) -> None:
    texts = [ln.text for p in pages for ln in p]
    if not texts:
        raise ProtocolReadError(path, "no text layer (image-only PDF?); OCR is not supported", "needs_ocr")
    # Fonts without a Unicode map decode as "(cid:N)" per glyph (pdfplumber#159): text in name only.
    tokens = [t for text in texts for t in re.findall(r"\(cid:\d+\)|\S", text)]
    if sum(bool(_CID.match(t)) for t in tokens) > len(tokens) / 2:
        raise ProtocolReadError(path, "text layer has no Unicode mapping ((cid:N) glyphs); OCR is not supported",
                                "needs_ocr")


def _read_pages(path: Path, max_pages: int) -> List[List[_Line]]:
    import pdfplumber  # heavy; imported when a PDF is actually read

    try:
        with pdfplumber.open(path) as pdf:
            count = len(pdf.pages)
            if count == 0:
                raise ProtocolReadError(path, "PDF has no pages (corrupt or truncated?)")
            if count > max_pages:
                raise ProtocolReadError(path, f"{count} pages exceeds the limit of {max_pages}")
            pages = []
            for page in pdf.pages:
                pages.append(_page_lines(page))
                page.close()  # pdfplumber keeps each page's parsed layout until it is closed
    except ProtocolReadError:
        raise
    except Exception as exc:  # pdfminer raises many unrelated types on damaged files
        raise ProtocolReadError(path, _describe(exc)) from None
    return pages


# ------------------------------------------------------------------------------ running heads and feet

_PAGE_NUMBER = re.compile(r"""^(?:
      [-–—\s]*\d+[-–—\s]*                                     # 3   - 3 -
    | 第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?             # 第 3 页   第 3 页 共 12 页
    | 共\s*\d+\s*页\s*[,，]?\s*第\s*\d+\s*页                   # 共 12 页 第 3 页
    | (?:page|p\.?)\s*\d+(?:\s*(?:of|/)\s*\d+)?               # Page 3   Page 3 of 12
    | \d+\s*/\s*\d+                                           # 3/12
    | [ivxlc]{1,6}                                            # front matter: ii, iv
    )$""", re.I | re.X)
_RECUR_SHARE = 0.5  # a running line recurs on at least half the pages (and on two)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def _running_key(text: str) -> str:
    return re.sub(r"\d+", "#", _norm(text))  # page numbers and dates vary; the rest of a running line does not


def _drop_running(pages: List[List[_Line]]) -> Tuple[List[List[_Line]], Tuple[str, ...]]:
    """Body lines per page, and the distinct patterns of the running lines dropped."""
    on_pages = Counter(k for p in pages for k in {_running_key(ln.text) for ln in p if ln.edge})
    need = max(2, math.ceil(_RECUR_SHARE * len(pages)))
    running = {k for k, n in on_pages.items() if n >= need}
    dropped: Dict[str, None] = {}  # ordered set
    body = []
    for page in pages:
        kept = []
        for ln in page:
            key = _running_key(ln.text)
            if ln.edge and (key in running or _PAGE_NUMBER.match(_norm(ln.text))):
                dropped.setdefault(key)
            else:
                kept.append(ln)
        body.append(kept)
    return body, tuple(dropped)


# ------------------------------------------------------------------------------------------ headings

_CN = "一二三四五六七八九十百零〇两"
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
# Matched on NFKC text, so full-width （一） and ５．２ arrive as (一) and 5.2.
_MARKERS = (
    ("chapter", re.compile(rf"^第\s*([{_CN}\d]+)\s*(?:章|部分|篇)")),
    ("section_cn", re.compile(rf"^第\s*([{_CN}\d]+)\s*节")),
    ("cn_num", re.compile(rf"^([{_CN}]+)\s*[、.]\s*(?=\S)")),
    ("cn_paren", re.compile(rf"^\(\s*([{_CN}]+)\s*\)\s*(?=\S)")),
    ("decimal", re.compile(r"^(\d{1,2}(?:\.\d{1,2}){1,4})\.?\s*(?=[^\d\s.])")),
    ("single", re.compile(r"^(\d{1,2})(\s*[.、]\s*|\s+)(?=[^\d\s.)])")),
)
# A number that starts a quantity, not a heading: "2.5 mg/kg", "3 个月内", "18 岁" (but "5.3 次要终点").
_UNIT = re.compile(r"^(?:%|‰|×|x\s*10|[μµ]|mg|ml|kg|g/|g\b|l\b|cm|mm|mmol|iu|u/|倍|岁|周(?!期)|天|日(?!期|常)|个|小时|分钟"
                   r"|年(?!龄|度)|次(?!要)|例|万|亿"
                   r"|~|-|至|到|weeks?\b|days?\b|months?\b|years?\b|hours?\b|h\b|min|cycles?\b|doses?\b"
                   r"|patients\b|subjects\b|participants\b|times\b)", re.I)
_CHAINED = ("chapter", "decimal", "single")  # schemes whose numbers nest by prefix: 第五章 > 5.1 > 5.1.2
_MINOR = ("single", "cn_paren")  # may sit under an unnumbered label such as "入选标准："
_END_PUNCT = re.compile(r"[。；;.,，、!?！？]$")
_INNER_PUNCT = re.compile(r"[。；;，]")
_TOC = re.compile(r"\.{3,}|…{2,}|·{3,}|\s\d{1,3}$")  # contents entries: leaders or a trailing page number
_BOLD = re.compile(r"bold|black|heavy|semibold|demi|hei", re.I)  # "hei": 黑体 (SimHei) is how Chinese headings are set


class _Heading(NamedTuple):
    scheme: str  # chapter | section_cn | cn_num | cn_paren | decimal | single | label
    number: Tuple[int, ...]
    style: str  # marker of a single-level number ("." "、" " "): a list and its chapters differ here
    strict: bool  # short, no sentence punctuation: a heading even without a distinct font
    loose: bool  # shape of a styled heading: may be longer and carry commas
    emphasised: bool
    text: str


def _cn_int(numeral: str) -> int:
    if numeral.isdigit():
        return int(numeral)
    if "十" in numeral:
        tens, _, ones = numeral.partition("十")
        return _CN_DIGITS.get(tens, 1) * 10 + _CN_DIGITS.get(ones, 0)
    return _CN_DIGITS.get(numeral[-1], 0)


def _width(text: str) -> float:
    """Share of the longest heading: about 25 CJK characters or 60 Latin ones."""
    cjk = len(_CJK_CHAR.findall(text))
    other = len(re.sub(r"\s", "", text)) - cjk
    return cjk / 25 + other / 60


@lru_cache(maxsize=1)
def _standalone_cues() -> frozenset:
    return frozenset(re.sub(r"\s", "", _norm(cue)).casefold()
                     for rule in _rules() if rule.get("standalone") for cue in rule["zh"] + rule["en"])


def _marker(text: str) -> Optional[Tuple[str, Tuple[int, ...], str, str]]:
    """(scheme, number, single-level style, text after the marker) for a numbered line."""
    for scheme, pattern in _MARKERS:
        m = pattern.match(text)
        if not m:
            continue
        rest = text[m.end():].strip()
        # "2.5" or a bare "3" may start an amount; "2." marks a list item, never an amount.
        quantity = scheme == "decimal" or scheme == "single" and not m.group(2).strip()
        if quantity and _UNIT.match(rest):
            return None
        number = tuple(int(n) for n in m.group(1).split(".")) if scheme in ("decimal", "single") \
            else (_cn_int(m.group(1)),)
        return scheme, number, (m.group(2).strip() or " ") if scheme == "single" else "", rest
    return None


def _candidate(line: _Line, emphasised: bool) -> Optional[_Heading]:
    text = _norm(line.text)
    if re.sub(r"\s", "", text).rstrip(":").casefold() in _standalone_cues():
        return _Heading("label", (), "", True, True, emphasised, line.text)
    found = _marker(text)
    if found is None:
        return None
    scheme, number, style, rest = found
    plain = not (_END_PUNCT.search(text) or _TOC.search(text))
    strict = plain and _width(text) <= 1 and not _INNER_PUNCT.search(rest)
    loose = plain and _width(text) <= 1.6
    return _Heading(scheme, number, style, strict, loose, emphasised, line.text)


class _BodyStyle(NamedTuple):
    size: float
    bold: bool


def _body_style(lines: Sequence[_Line]) -> _BodyStyle:
    sizes, fonts = Counter(), Counter()
    for ln in lines:
        sizes[ln.size] += len(ln.text)
        fonts[ln.font] += len(ln.text)
    return _BodyStyle(sizes.most_common(1)[0][0], bool(_BOLD.search(fonts.most_common(1)[0][0])))


def _emphasised(line: _Line, body: _BodyStyle) -> bool:
    return line.size >= body.size * 1.1 or (bool(_BOLD.search(line.font)) and not body.bold)


def _promote_chapters(cands: List[Optional[_Heading]]) -> List[Optional[_Heading]]:
    """A single-level number is a chapter of the decimal outline when the next numbered line is its
    ``5.1`` (a list item ``5. 签署知情同意书`` is followed by item 6 instead), or when it continues the
    chapter numbers and is not set like a list item (``6 SAFETY`` after 5.2, bare or emphasised)."""
    out = list(cands)
    numbered = [i for i, c in enumerate(cands) if c and c.scheme != "label"]
    top = 0
    for i, j in zip(numbered, numbered[1:] + [None]):
        c, nxt = cands[i], (cands[j] if j is not None else None)
        if c.scheme == "single" and (c.strict or c.emphasised and c.loose):
            opens = nxt is not None and nxt.scheme == "decimal" and nxt.number[0] == c.number[0]
            continues = top and c.number[0] == top + 1 and (c.style == " " or c.emphasised)
            if opens or continues:
                c = out[i] = c._replace(scheme="decimal")
        if c.scheme in ("chapter", "decimal") and c.loose:
            top = c.number[0]
    return out


def _styled(cands: Sequence[Optional[_Heading]]) -> bool:
    """Whether fonts tell headings apart in this document: most strongly numbered headings stand out."""
    strong = [c for c in cands if c and c.scheme not in ("single", "label") and c.loose]
    if strong:
        return sum(c.emphasised for c in strong) >= len(strong) / 2
    return any(c and c.scheme == "single" and c.emphasised for c in cands)


def _accept_strong(cands: Sequence[Optional[_Heading]]) -> List[bool]:
    """Numbered and labelled headings. Without a distinct font a chapter or decimal number must not go
    backwards, which keeps a wrapped "1.5 倍 ULN" style line in chapter 5 out."""
    accepted, top = [], 0
    for c in cands:
        ok = bool(c) and c.scheme != "single" and (c.strict or c.emphasised and c.loose)
        if ok and c.scheme in ("chapter", "decimal") and not c.emphasised and c.number[0] < top:
            ok = False
        if ok and c.scheme in ("chapter", "decimal"):
            top = c.number[0]
        accepted.append(ok)
    return accepted


def _accept_singles(cands: Sequence[Optional[_Heading]], accepted: List[bool], styled: bool) -> List[bool]:
    """Single-level ``N.`` headings. With styled headings the font decides. Otherwise a numbered run
    under one parent is a list, not headings, if any member is long or punctuated or is not followed by
    a plain body line (a heading has text under it; a list item is followed by the next item)."""
    out = list(accepted)
    groups: Dict[Tuple[int, str], List[int]] = {}
    parent = -1
    for i, c in enumerate(cands):
        if accepted[i]:
            parent = i
        elif c and c.scheme == "single":
            groups.setdefault((parent, c.style), []).append(i)

    def has_body_below(i: int) -> bool:
        return i + 1 < len(cands) and cands[i + 1] is None

    for members in groups.values():
        if styled:
            ok = [cands[i].emphasised and cands[i].strict for i in members]
        else:
            heads = all(cands[i].strict and has_body_below(i) for i in members)
            ok = [heads] * len(members)
        for i, flag in zip(members, ok):
            out[i] = flag
    return out


def _open(stack: List[_Heading], h: _Heading) -> List[_Heading]:
    """The open headings after ``h``: it replaces its siblings and everything under them."""
    if h.scheme == "chapter" or h.scheme == "decimal" and len(h.number) == 1:
        return [h]  # a chapter is never under 一、 or a synopsis label that came before it
    if h.scheme == "label":
        while stack and stack[-1].scheme == "label":
            stack = stack[:-1]
        return stack + [h]
    if h.scheme in _CHAINED:
        parents = [i for i, e in enumerate(stack) if e.scheme in _CHAINED
                   and len(e.number) < len(h.number) and h.number[:len(e.number)] == e.number]
        if parents:
            # The longest prefix, and the outermost of equals: 第五章 (5) rather than a list-like "5." under it.
            parent = max(parents, key=lambda i: (len(stack[i].number), -i))
            return stack[:parent + 1] + [h]
    # "5 研究人群" and "1. 受试者年龄" are both single-level; the marker tells the two outlines apart.
    same = next((i for i, e in enumerate(stack) if (e.scheme, e.style) == (h.scheme, h.style)), None)
    if same is not None:
        return stack[:same] + [h]
    if h.scheme not in _MINOR:
        while stack and stack[-1].scheme == "label":  # a label is a leaf under numbered headings
            stack = stack[:-1]
    return stack + [h]


def _sections(lines: Sequence[_Line]) -> List[Tuple[str, bool]]:
    """(section path, is heading) per body line, in document order."""
    if not lines:
        return []
    body = _body_style(lines)
    cands = _promote_chapters([_candidate(ln, _emphasised(ln, body)) for ln in lines])
    accepted = _accept_singles(cands, _accept_strong(cands), _styled(cands))
    out, stack = [], []
    for c, is_heading in zip(cands, accepted):
        if is_heading:
            stack = _open(stack, c)
        out.append((SECTION_SEP.join(h.text for h in stack), is_heading))
    return out


# ------------------------------------------------------------------------------------- section kinds


@lru_cache(maxsize=1)
def _rules() -> list:
    text = resources.files("guidelint.extract").joinpath("patterns/section_rules.json").read_text("utf-8")
    return json.loads(text)["rules"]


@lru_cache(maxsize=1)
def _cues() -> Tuple[Tuple[re.Pattern, int, int, str], ...]:
    """(pattern, cue length, rule order, kind); a Latin cue must start a word ("Risk", not "asterisk")."""
    out = []
    for order, rule in enumerate(_rules()):
        for cue in rule["zh"] + rule["en"]:
            cue = _norm(cue).casefold()
            lead = r"(?<![a-z])" if cue[0].isascii() and cue[0].isalpha() else ""
            out.append((re.compile(lead + re.escape(cue)), len(cue), order, rule["kind"]))
    return tuple(out)


@lru_cache(maxsize=4096)
def section_kind(section: str) -> Optional[str]:
    """Canonical kind of a section path by its last component with a cue; the longest cue in that
    component wins ("不入选标准" is exclusion though it contains "入选标准"), ties go to the earlier rule."""
    for component in reversed(section.split(SECTION_SEP)):
        text = _norm(component).casefold()
        hits = [(length, -order, kind) for pattern, length, order, kind in _cues() if pattern.search(text)]
        if hits:
            return max(hits)[2]
    return None


# -------------------------------------------------------------------------------------------- language

_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
# CJK share of CJK characters + Latin letters. Chinese protocols carry many Latin abbreviations (CAR-T,
# CRS, ORR, drug names) yet stay well above 30%; an English protocol quoting a few Chinese terms stays
# under 2%; a bilingual document (an English letter count about three times its Chinese character
# count for the same content) lands in between.
_ZH_MIN_SHARE = 0.30
_EN_MAX_SHARE = 0.02


def _language(texts: Sequence[str]) -> str:
    cjk = sum(len(_CJK_CHAR.findall(t)) for t in texts)
    latin = sum(len(_LATIN.findall(unicodedata.normalize("NFKC", t))) for t in texts)
    if cjk + latin == 0:
        return "mixed"
    share = cjk / (cjk + latin)
    return "zh" if share >= _ZH_MIN_SHARE else "en" if share < _EN_MAX_SHARE else "mixed"


# ----------------------------------------------------------------------------------------- entry point


def read_protocol(path, *, max_pages: int = 2000) -> ProtocolDocument:
    """Read a protocol PDF into body lines with section paths; raise ProtocolReadError when it cannot."""
    path = Path(path)
    sha256 = _file_sha256(path)
    try:
        pages = _read_pages(path, max_pages)
        _text_layer_check(path, pages)
    except ProtocolReadError as exc:
        exc.sha256 = sha256
        raise
    body_pages, dropped = _drop_running(pages)
    body = [ln for p in body_pages for ln in p]
    line_nos = [n for p in body_pages for n in range(1, len(p) + 1)]
    lines = tuple(ProtocolLine(page=ln.page, line_no=n, text=ln.text, bbox=ln.bbox, section=section,
                               is_heading=is_heading)
                  for ln, n, (section, is_heading) in zip(body, line_nos, _sections(body)))
    return ProtocolDocument(path=str(path), sha256=sha256, pages=len(pages),
                            language=_language([ln.text for ln in body]), lines=lines, dropped=dropped)
