"""Protocol ingest: a clinical-trial protocol PDF (Chinese or English) as body lines with section paths.

pdfplumber gives visual lines with glyph fonts and sizes. A two-column page (found by the bare band its lines
leave between the columns) is read column by column: full-width lines in order from the top, and between two
of them the left column, then the right. Ruled tables (pdfplumber's table finder, run only on pages drawn with
a grid of rules) are taken out of the running text; each row becomes one line, cells joined by " | ". Running headers, footers and page numbers are
recognised by repetition in the page margins, never by fixed strings. Headings are recognised by their
numbering (``第五章``, ``一、``, ``（一）``, ``5.2``) checked against font emphasis when the document
styles its headings, and by text shape when it does not, so criteria list items stay body text.
"""
from __future__ import annotations

import bisect
import hashlib
import json
import math
import re
import statistics
import unicodedata
from collections import Counter
from functools import lru_cache
from importlib import resources
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from ..models import BBox, ProtocolDocument, ProtocolLine
from .script import to_simplified

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
    table: bool = False  # one row of a ruled table, its cells joined by " | "
    note: bool = False  # a footnote printed at the foot of the page


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


def _dedupe_chars(chars: list) -> list:
    """``pdfplumber.utils.dedupe_chars`` (same text, font and size, position within 1 pt, clusters chained: one
    glyph kept, the topmost then leftmost) in O(n log n): the library restores the glyph order with
    ``list.index``, quadratic in the glyphs of a page (over 200 ms on a page of English)."""
    key = itemgetter("upright", "text", "fontname", "size")
    order = sorted(range(len(chars)), key=lambda i: (key(chars[i]), chars[i]["doctop"]))
    keep = []

    def chains(idx: List[int], attr: str) -> List[List[int]]:  # idx sorted by attr; gaps of at most 1 pt
        out = [[idx[0]]]
        for i, j in zip(idx, idx[1:]):
            if chars[j][attr] - chars[i][attr] <= 1:
                out[-1].append(j)
            else:
                out.append([j])
        return out

    for _, group in groupby(order, key=lambda i: key(chars[i])):
        for same_y in chains(list(group), "doctop"):
            if len(same_y) == 1:
                keep.append(same_y[0])
                continue
            for same_x in chains(sorted(same_y, key=lambda i: chars[i]["x0"]), "x0"):
                keep.append(min(same_x, key=lambda i: (chars[i]["doctop"], chars[i]["x0"])))
    keep.sort()
    return [chars[i] for i in keep]


def _text_rows(page, chars: list) -> List[dict]:
    """pdfplumber's visual lines (``extract_text_lines``) of a subset of the page's glyphs."""
    from pdfplumber.utils import chars_to_textmap

    textmap = chars_to_textmap(chars, layout_bbox=page.bbox, layout_width=page.width, layout_height=page.height)
    return [r for r in textmap.extract_text_lines(strip=True, return_chars=True) if r["text"].strip()]


# --- ruled tables

_TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


def _ruled(page) -> bool:
    """Cheap test before ``find_tables``: a grid needs three rules each way (a box or a rule under the
    running header does not have them)."""
    across = down = 0
    for ln in page.objects.get("line", ()):
        if abs(ln["x1"] - ln["x0"]) < 1:
            down += 1
        elif abs(ln["bottom"] - ln["top"]) < 1:
            across += 1
    for r in page.objects.get("rect", ()):
        if r["width"] < 2:
            down += 1
        elif r["height"] < 2:
            across += 1
        else:
            across, down = across + 2, down + 2
    return across >= 3 and down >= 3


def _inside(c: dict, box) -> bool:
    x, y = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _cell_text(page, chars: list) -> str:
    """A cell's text; the lines of a wrapped cell joined as the sentence splitter joins lines."""
    if not chars:
        return ""
    text = ""
    for r in _text_rows(page, chars):
        piece = r["text"].strip()
        if text and not (text[-1] == "-" or _CJK_CHAR.match(text[-1]) or _CJK_CHAR.match(piece[0])):
            text += " "
        text += piece
    return text


def _table_rows(page, chars: list) -> Tuple[List[dict], list]:
    """The rows of the ruled tables on the page, as lines, and the glyphs left for the running text.
    A row's text is its cells left to right joined by " | ", empty cells kept so columns stay aligned."""
    tables = [t for t in page.find_tables(_TABLE_SETTINGS) if len(t.rows) >= 2 and len(t.columns) >= 2]
    if not tables:
        return [], chars
    rows, rest = [], []
    boxes = [tuple(t.bbox) for t in tables]
    taken = [[] for _ in tables]
    for c in chars:
        k = next((k for k, box in enumerate(boxes) if _inside(c, box)), None)
        (rest if k is None else taken[k]).append(c)
    for table, glyphs in zip(tables, taken):
        for row in table.rows:
            cells = [cell for cell in row.cells if cell is not None]  # None: covered by a merged cell
            inrow = [c for c in glyphs if _inside(c, row.bbox)]
            texts = [_cell_text(page, [c for c in inrow if _inside(c, cell)]) for cell in cells]
            if any(texts):
                x0, top, x1, bottom = row.bbox
                rows.append({"text": " | ".join(texts), "x0": x0, "top": top, "x1": x1, "bottom": bottom,
                             "chars": inrow})
    return rows, rest


# --- columns

_BIN = 2.0  # points per bin of the horizontal coverage profile
_MIN_GUTTER = 6.0  # narrowest empty band between columns
_MAX_CROSSING = 0.25  # share of lines that may cross the gutter (full-width headings, a centred title)
_MIN_COLUMN_LINES = 3
_FILL = 0.6  # median line length / column width, on at least one side: running text, not a key-value list


def _glyphs(row: dict) -> list:
    return [c for c in row["chars"] if not c["text"].isspace()]


def _gutter(rows: Sequence[dict], top: float, bottom: float, known: Sequence[Tuple[float, float]] = ()) \
        -> Optional[Tuple[float, float]]:
    """(x, width) of the gutter where the page's body splits into two columns, or None for a single column.

    The body lines (outside the running-head bands) are profiled across the page: the gutter is a band at least
    ``_MIN_GUTTER`` wide near the middle of the text that at most a quarter of the lines touch, with at least
    ``_MIN_COLUMN_LINES`` lines on either side and running text (lines that mostly fill their column) on one
    side. Lines of the two columns at the same height, which pdfplumber reads as one line, count on both sides.
    The split is the middle of the barest stretch of the band. A page too sparse to show a gutter of its own (a
    last column of one line) keeps the last gutter ``known`` from earlier pages if its lines allow."""
    body = [_glyphs(r) for r in rows if r["top"] >= top and r["bottom"] <= bottom]
    body = [g for g in body if g]
    found = _profile_gutter(body) if len(body) >= 2 * _MIN_COLUMN_LINES else None
    if found is None and known:
        x, width = known[-1]
        glyphs = [g for g in (_glyphs(r) for r in rows) if g]
        crossing = sum(_spans(g, x, width) for g in glyphs)
        lefts = sum(any(c["x1"] <= x for c in g) for g in glyphs)
        rights = sum(any(c["x0"] >= x for c in g) for g in glyphs)
        if lefts and rights and crossing <= _MAX_CROSSING * len(glyphs):
            found = known[-1]
    return found


def _segments(glyphs: list, gap: float) -> List[Tuple[float, float]]:
    """x extents of a line's runs of glyphs separated by less than ``gap``: words joined, columns apart."""
    out: List[List[float]] = []
    for c in sorted(glyphs, key=itemgetter("x0")):
        if out and c["x0"] - out[-1][1] < gap:
            out[-1][1] = max(out[-1][1], c["x1"])
        else:
            out.append([c["x0"], c["x1"]])
    return [(a, b) for a, b in out]


def _profile_gutter(body: List[list]) -> Optional[Tuple[float, float]]:
    left = min(c["x0"] for g in body for c in g)
    right = max(c["x1"] for g in body for c in g)
    nbins = int((right - left) / _BIN) + 1
    cover = [0] * nbins  # lines whose text runs over each bin, word gaps included
    for g in body:
        for a, b in _segments(g, _MIN_GUTTER):
            for k in range(int((a - left) / _BIN), min(nbins, int((b - left) / _BIN) + 1)):
                cover[k] += 1
    mid = range(int(0.3 * nbins), int(0.7 * nbins))
    least = min(cover[k] for k in mid)
    if least > _MAX_CROSSING * len(body):
        return None
    # The band: bins nearly as bare as the barest; it takes in the ragged ends of the left column.
    band = _longest_run(cover, least + max(1, round(0.05 * len(body))), mid)
    if band is None or (band[1] - band[0]) * _BIN < _MIN_GUTTER:
        return None
    g0, g1 = left + band[0] * _BIN, left + band[1] * _BIN
    lefts = [max(c["x1"] for c in g if c["x1"] <= g0) - left for g in body if any(c["x1"] <= g0 for c in g)]
    rights = [right - min(c["x0"] for c in g if c["x0"] >= g1) for g in body if any(c["x0"] >= g1 for c in g)]
    if min(len(lefts), len(rights)) < _MIN_COLUMN_LINES:
        return None
    if max(statistics.median(lefts) / max(lefts), statistics.median(rights) / max(rights)) < _FILL:
        return None
    # The split: the middle of the barest stretch, between the longest left line and the right column.
    core = _longest_run(cover, least, range(*band))
    return left + (core[0] + core[1]) / 2 * _BIN, max(_BIN, (core[1] - core[0] - 1) * _BIN)


def _longest_run(cover: Sequence[int], limit: float, within: range) -> Optional[Tuple[int, int]]:
    """[start, end) of the longest run of bins with cover <= limit that has a bin in ``within``."""
    best, k = None, within.start
    while k < within.stop:
        if cover[k] > limit:
            k += 1
            continue
        s, e = k, k
        while e < len(cover) and cover[e] <= limit:
            e += 1
        while s > 0 and cover[s - 1] <= limit:
            s -= 1
        if best is None or e - s > best[1] - best[0]:
            best = (s, e)
        k = e
    return best


def _spans(glyphs: list, x: float, gutter: float) -> bool:
    """Whether a line's glyphs run across the gutter at ``x``, rather than being two column lines at the same
    height (one pdfplumber line): no gap at ``x`` as wide as an em or most of the gutter."""
    if not glyphs:
        return False
    gap = min(max(c["size"] for c in glyphs), 0.8 * gutter)
    return any(a < x < b for a, b in _segments(glyphs, max(gap, 1.0)))


def _column_order(page, chars: list, rows: List[dict], tables: List[dict], x: float, gutter: float) -> List[dict]:
    """Lines of a two-column page in reading order: the full-width lines (and table rows) in order from the
    top, and between two of them the left column's lines top to bottom, then the right column's."""
    spanning = [r for r in rows if _spans(_glyphs(r), x, gutter)]
    # A line's "chars" leave out blanks; the blanks between its glyphs go with it, so words stay apart.
    boxes = [(r["x0"], r["top"], r["x1"], r["bottom"]) for r in spanning]
    chars = [c for c in chars if not any(_inside(c, box) for box in boxes)]
    spanning += [t for t in tables if t["x0"] < x < t["x1"]]
    left = _text_rows(page, [c for c in chars if (c["x0"] + c["x1"]) / 2 < x]) + [t for t in tables if t["x1"] <= x]
    right = _text_rows(page, [c for c in chars if (c["x0"] + c["x1"]) / 2 >= x]) + [t for t in tables if t["x0"] >= x]
    spanning.sort(key=itemgetter("top"))
    cuts = [r["top"] for r in spanning]
    out = []
    for k in range(len(spanning) + 1):
        for side in (left, right):
            out += sorted((r for r in side if bisect.bisect_right(cuts, r["top"]) == k), key=itemgetter("top"))
        if k < len(spanning):
            out.append(spanning[k])
    return out


def _page_lines(page, gutters: List[Tuple[float, float]]) -> List[_Line]:
    """The page's lines in reading order; ``gutters`` collects the column splits found on the pages so far."""
    # Some generators fake bold by printing each glyph twice; that would double every character.
    chars = _dedupe_chars(page.chars)
    tables: List[dict] = []
    if _ruled(page):
        tables, chars = _table_rows(page, chars)
    rows = _text_rows(page, chars)
    x0, top, x1, bottom = page.bbox
    band = _BAND * (bottom - top)
    gutter = _gutter(rows, top + band, bottom - band, gutters)
    if gutter is not None:
        gutters.append(gutter)
        ordered = _column_order(page, chars, rows, tables, *gutter)
        rank = {id(r): i for i, r in enumerate(sorted(ordered, key=itemgetter("top")))}  # for the edge lines
    else:  # pdfplumber's line order, each table row merged in before the first line below its top
        ordered, below = [], sorted(tables, key=itemgetter("top"))
        for r in rows:
            while below and below[0]["top"] <= r["top"]:
                ordered.append(below.pop(0))
            ordered.append(r)
        ordered += below
        rank = {id(r): i for i, r in enumerate(ordered)}
    is_table = {id(t) for t in tables}
    lines = []
    for r in ordered:
        table = id(r) in is_table
        glyphs = _glyphs(r) or r["chars"]
        i = rank[id(r)]
        edge = not table and (r["top"] < top + band or r["bottom"] > bottom - band
                              or i < _EDGE_LINES or i >= len(ordered) - _EDGE_LINES)
        lines.append(_Line(
            page=page.page_number,
            text=r["text"] if table else r["text"].strip(),
            bbox=tuple(round(v, 2) for v in (r["x0"], r["top"], r["x1"], r["bottom"])),
            size=round(statistics.median(c["size"] for c in glyphs), 1) if glyphs else 0.0,
            font=_font_name(Counter(c["fontname"] for c in glyphs).most_common(1)[0][0]) if glyphs else "",
            edge=edge,
            table=table,
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
            pages, gutters = [], []
            for page in pdf.pages:
                pages.append(_page_lines(page, gutters))
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


# ------------------------------------------------------------------------------------------ footnotes

# A footnote starts with its marker: 1, *, †, a), ①. Lower-case letters only with a separator, so that a
# wrapped line starting "and ..." is not one.
_NOTE_MARK = re.compile(r"^(?:\d{1,2}(?![\d.,]\d)|[*†‡§¶#]|[a-z](?=[\s).:])|[①-⑳])")
_NOTE_SIZE = 0.85  # a footnote is set smaller than the body text


def _mark_footnotes(pages: List[List[_Line]]) -> List[List[_Line]]:
    """Flag each page's footnotes: the run of small lines the page ends with, from the first of them that starts
    with a marker. They stay text (a note may state a fact) but leave the running text, so a sentence that
    wraps from the last body line of a page to the next page stays whole."""
    sized = [ln for p in pages for ln in p if not ln.table and ln.size]
    if not sized:
        return pages
    limit = _body_style(sized).size * _NOTE_SIZE
    out = []
    for page in pages:
        run = 0
        while run < len(page) and not page[-1 - run].table and 0 < page[-1 - run].size <= limit:
            run += 1
        tail = page[len(page) - run:]
        first = next((i for i, ln in enumerate(tail) if _NOTE_MARK.match(_norm(ln.text))), None)
        if first is None:
            out.append(page)
            continue
        cut = len(page) - run + first
        out.append(page[:cut] + [ln._replace(note=True) for ln in page[cut:]])
    return out


def _drop_repeated_table_headers(pages: List[List[_Line]]) -> List[List[_Line]]:
    """A table that breaks across pages repeats its header row on the next page; read it once, so that a table
    reads the same wherever the page breaks fall."""
    out, header, open_table = [], None, False
    for page in pages:
        kept = []
        body = [ln for ln in page if not ln.note]
        for ln in page:
            if ln.note:
                kept.append(ln)
                continue
            if ln.table:
                continues = open_table and body and ln is body[0]
                if continues and _norm(ln.text) == header:
                    continue
                if not open_table:
                    header = _norm(ln.text)
                open_table = True
            else:
                open_table = False
            kept.append(ln)
        out.append(kept)
    return out


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
    ("appendix", re.compile(rf"^(?:附录|附件|appendix|annex)\s*([{_CN}\d]+|[A-Z](?![a-z]))\s*[:：.、]?\s*(?=\S)", re.I)),
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
        if scheme in ("decimal", "single"):
            number = tuple(int(n) for n in m.group(1).split("."))
        elif m.group(1).isascii() and m.group(1).isalpha():  # Appendix B
            number = (ord(m.group(1).upper()) - 64,)
        else:
            number = (_cn_int(m.group(1)),)
        return scheme, number, (m.group(2).strip() or " ") if scheme == "single" else "", rest
    return None


def _candidate(line: _Line, emphasised: bool) -> Optional[_Heading]:
    text = _norm(line.text)
    if re.sub(r"\s", "", to_simplified(text)).rstrip(":").casefold() in _standalone_cues():
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


_MATTER = frozenset({"contents", "abbreviations", "references"})


def _is_matter(h: _Heading) -> bool:
    """A front- or back-matter label (contents, abbreviations, references): it heads a list, never chapters."""
    return h.scheme == "label" and section_kind(h.text) in _MATTER


def _open(stack: List[_Heading], h: _Heading) -> List[_Heading]:
    """The open headings after ``h``: it replaces its siblings and everything under them."""
    if _is_matter(h):
        return [h]
    stack = [e for e in stack if not _is_matter(e)]
    if h.scheme in ("chapter", "appendix") or h.scheme == "decimal" and len(h.number) == 1:
        return [h]  # a chapter (or an appendix) is never under 一、 or a synopsis label that came before it
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
    body = _body_style([ln for ln in lines if not ln.table] or lines)
    cands = _promote_chapters([None if ln.table or ln.note else _candidate(ln, _emphasised(ln, body))
                               for ln in lines])
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
    for component in reversed(to_simplified(section).split(SECTION_SEP)):
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
    body_pages = _drop_repeated_table_headers(_mark_footnotes(body_pages))
    body = [ln for p in body_pages for ln in p]
    line_nos = [n for p in body_pages for n in range(1, len(p) + 1)]
    lines = tuple(ProtocolLine(page=ln.page, line_no=n, text=ln.text, bbox=ln.bbox, section=section,
                               is_heading=is_heading, is_table_row=ln.table, is_footnote=ln.note)
                  for ln, n, (section, is_heading) in zip(body, line_nos, _sections(body)))
    return ProtocolDocument(path=str(path), sha256=sha256, pages=len(pages),
                            language=_language([ln.text for ln in body]), lines=lines, dropped=dropped)
