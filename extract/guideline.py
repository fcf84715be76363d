"""Guideline ingest: the printed, line-numbered guideline as ``GuidelineLine``s with section paths.

Two sources give the same result: the text copy (``NN text`` per printed line) and a PDF whose line
numbers are printed in the left margin. Citations use the printed numbers, so both readers must agree
exactly on numbers, texts, sections and front matter (the lines before the first printed number).
"""
from __future__ import annotations

import hashlib
import io
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

import yaml

from ..models import GuidelineLine

DEFAULT_ID = "cde-cart-heme-2024-draft"

# A printed line in the text copy: optional markdown list marker, the printed number, one space, the text.
_NUMBERED = re.compile(r"^(?:- )?(\d+) (.*)$")
_TOC_LEADER = re.compile(r"\.{3,}")
_HEADINGS = (
    re.compile(r"^(?P<marker>[一二三四五六七八九十]+、)"),
    re.compile(r"^[(（](?P<numeral>[一二三四五六七八九十]+)[)）]"),
    re.compile(r"^(?P<marker>\d{1,2}\.) \S"),
)
_REFERENCES = "参考文献"
_HEADING_MAX_CHARS = 30  # headings are short; a longer line starting "1. " is body text
_BULLET = re.compile(r"^●\s*")


class GuidelineError(Exception):
    def __init__(self, path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class PrintedLine(NamedTuple):
    number: Optional[int]  # None for front matter
    text: str
    page: Optional[int] = None


# ---------------------------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Guideline:
    id: str
    title: str
    sha256: str
    lines: Tuple[GuidelineLine, ...]
    section_titles: Tuple[str, ...] = field(default=(), repr=False)  # parallel to ``lines``
    numbered: Dict[int, GuidelineLine] = field(init=False, repr=False, compare=False)
    first_number: int = field(init=False)
    last_number: int = field(init=False)
    _titles: Dict[int, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        numbered = {ln.number: ln for ln in self.lines if ln.number is not None}
        object.__setattr__(self, "numbered", numbered)
        object.__setattr__(self, "first_number", min(numbered))
        object.__setattr__(self, "last_number", max(numbered))
        titles = {ln.number: t for ln, t in zip(self.lines, self.section_titles) if ln.number is not None}
        object.__setattr__(self, "_titles", titles)

    def line(self, n: int) -> GuidelineLine:
        try:
            return self.numbered[n]
        except KeyError:
            raise ValueError(f"{self.id}: no printed line {n} "
                             f"(numbered lines run {self.first_number}-{self.last_number})") from None

    def section_of(self, n: int) -> str:
        return self.line(n).section

    def section_title_of(self, n: int) -> str:
        self.line(n)
        return self._titles[n]

    def range_exists(self, a: int, b: int) -> bool:
        return a <= b and all(n in self.numbered for n in range(a, b + 1))

    def text(self, a: int, b: int) -> str:
        """Lines a..b as a verbatim quote (clauses.md §0.2)."""
        if not self.range_exists(a, b):
            raise ValueError(f"{self.id}: lines {a}-{b} are not a range of printed lines "
                             f"({self.first_number}-{self.last_number})")
        return join_quote(_BULLET.sub("", self.numbered[n].text) for n in range(a, b + 1))


def _is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def join_quote(pieces) -> str:
    """Concatenate wrapped lines: Chinese wraps anywhere, so only a Latin-Latin join had a space."""
    out = ""
    for piece in pieces:
        if out and piece and _is_latin(out[-1]) and _is_latin(piece[0]):
            out += " "
        out += piece
    return out


# ------------------------------------------------------------------------------------------ sections


def heading_marker(text: str) -> Optional[Tuple[int, str]]:
    """(level, marker) when ``text`` is a section heading; the contents list (dot leaders) is not."""
    if _TOC_LEADER.search(text) or len(text) > _HEADING_MAX_CHARS:
        return None
    if text == _REFERENCES:
        return 1, _REFERENCES
    for level, pattern in enumerate(_HEADINGS, start=1):
        m = pattern.match(text)
        if m:
            # Half- and full-width parentheses are both printed; the path uses one spelling.
            return level, m.group("marker") if level != 2 else f"({m.group('numeral')})"
    return None


def _build(printed: Sequence[PrintedLine], *, id: str, title: Optional[str], sha256: str) -> Guideline:
    open_headings: Dict[int, Tuple[str, str]] = {}  # level -> (marker, heading text)
    lines, section_titles = [], []
    for p in printed:
        heading = heading_marker(p.text)
        if heading:
            level, marker = heading
            open_headings = {lv: h for lv, h in open_headings.items() if lv < level}
            open_headings[level] = (marker, p.text)
        path = [open_headings[lv] for lv in sorted(open_headings)]
        lines.append(GuidelineLine(p.number, p.text, " > ".join(m for m, _ in path), p.page))
        section_titles.append(" > ".join(t for _, t in path))
    front = [ln.text for ln in lines if ln.number is None]
    return Guideline(id=id, title=title or (front[0] if front else id), sha256=sha256,
                     lines=tuple(lines), section_titles=tuple(section_titles))


def _check_numbers(printed: Sequence[PrintedLine], source) -> None:
    numbers = [p.number for p in printed if p.number is not None]
    if not numbers:
        raise GuidelineError(source, "no printed line numbers found")
    for prev, n in zip(numbers, numbers[1:]):
        if n <= prev:
            raise GuidelineError(source, f"printed line numbers must increase: {n} follows {prev}")


# ------------------------------------------------------------------------------------------ text copy


def clean_front_matter(raw: str) -> str:
    """Front matter as printed: the copy's markdown bold (``**``) is not print, a contents tab is a space."""
    return raw.replace("**", "").replace("\t", " ").rstrip()


def split_printed_lines(raw_text: str, source="<text>") -> List[Optional[PrintedLine]]:
    """One entry per source line: a PrintedLine, or None for a blank line (a gap or page break in print).

    Numbering starts at the first numbered-looking line followed by a higher one, so a front-matter
    line such as ``2024 年 7 月`` is not taken for printed line 2024. After that every non-blank line
    must carry a number.
    """
    rows = raw_text.splitlines()
    matches = [_NUMBERED.match(r.rstrip()) for r in rows]
    numbered = [(i, int(m.group(1))) for i, m in enumerate(matches) if m]
    start = next((i for (i, n), (_, n2) in zip(numbered, numbered[1:]) if n2 > n),
                 numbered[0][0] if numbered else len(rows))
    out: List[Optional[PrintedLine]] = []
    for i, row in enumerate(rows):
        if not row.strip():
            out.append(None)
        elif i < start:
            out.append(PrintedLine(None, clean_front_matter(row)))
        elif matches[i] is None:
            raise GuidelineError(source, f"source line {i + 1} has no printed line number: {row[:40]!r}")
        else:
            out.append(PrintedLine(int(matches[i].group(1)), matches[i].group(2).rstrip()))
    return out


def _read_bytes(path) -> bytes:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise GuidelineError(path, f"cannot read: {exc.strerror or exc}") from None
    if not data.strip():
        raise GuidelineError(path, "empty file")
    return data


def _from_text_bytes(data: bytes, source, *, id: str, title: Optional[str]) -> Guideline:
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise GuidelineError(source, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    printed = [p for p in split_printed_lines(raw, source) if p is not None]
    _check_numbers(printed, source)
    return _build(printed, id=id, title=title, sha256=hashlib.sha256(data).hexdigest())


def load_guideline_text(path, *, id: Optional[str] = None, title: Optional[str] = None) -> Guideline:
    path = Path(path)
    return _from_text_bytes(_read_bytes(path), path, id=id or path.stem, title=title)


# ------------------------------------------------------------------------------------------------ PDF


class _VisualLine(NamedTuple):
    page: int
    top: float
    chars: Tuple[dict, ...]  # sorted left to right

    @property
    def text(self) -> str:
        return "".join(c["text"] for c in self.chars)


def _group_lines(page_no: int, chars: List[dict]) -> List[_VisualLine]:
    """Chars to visual lines by ``top``: the margin number is set smaller, so its top sits a little lower."""
    if not chars:
        return []
    tolerance = 0.5 * statistics.median(c["size"] for c in chars)
    groups: List[List[dict]] = []
    for ch in sorted(chars, key=lambda c: c["top"]):
        if groups and ch["top"] - groups[-1][0]["top"] <= tolerance:
            groups[-1].append(ch)
        else:
            groups.append([ch])
    return [_VisualLine(page_no, g[0]["top"], tuple(sorted(g, key=lambda c: c["x0"]))) for g in groups]


def _drop_running_lines(pages: List[List[_VisualLine]]) -> List[List[_VisualLine]]:
    """Drop running headers/footers: the top or bottom line recurring at one position with the same
    text up to its digits (the page number) on at least two pages and half of them."""
    def key(line: _VisualLine):
        return round(line.top), re.sub(r"\d+", "#", line.text.strip())

    edges = Counter(key(p[i]) for p in pages if p for i in {0, len(p) - 1})
    running = {k for k, count in edges.items() if count >= max(2, len(pages) / 2)}
    return [[ln for ln in p if key(ln) not in running] for p in pages]


def _run_starts(line: _VisualLine) -> List[float]:
    """x0 of each run of abutting glyphs: the margin number and the body are separate runs."""
    starts, prev = [], None
    for c in line.chars:
        if prev is None or c["x0"] - prev["x1"] > 0.3 * c["size"]:
            starts.append(round(c["x0"], 1))
        prev = c
    return starts


def _split_margin(line: _VisualLine, body_left: float, source) -> PrintedLine:
    margin = "".join(c["text"] for c in line.chars if c["x1"] < body_left - 1).strip()
    # Not stripped yet: a wrapped front-matter line may end in a space glyph that the join needs.
    body = "".join(c["text"] for c in line.chars if c["x1"] >= body_left - 1)
    if margin and not margin.isdigit():
        raise GuidelineError(source, f"page {line.page}: unexpected margin text {margin!r}")
    return PrintedLine(int(margin) if margin else None, body, line.page)


def _join_wrapped_front_matter(lines: List[_VisualLine], printed: List[PrintedLine],
                               body_left: float) -> List[PrintedLine]:
    """Rejoin front-matter paragraphs the PDF wrapped (the text copy holds each paragraph on one line).

    A visual line continues onto the next when it runs to the text measure (within one em; the measure
    is the widest numbered line) and the next line follows at plain leading, or starts the next page.
    """
    numbered = [ln for ln, p in zip(lines, printed) if p.number is not None]
    measure = max(ln.chars[-1]["x1"] for ln in numbered) - body_left
    gaps = [b.top - a.top for a, b in zip(lines, lines[1:]) if a.page == b.page]
    leading = statistics.median(gaps) if gaps else 0.0

    def continues(i: int) -> bool:
        here, nxt = lines[i], lines[i + 1]
        full = here.chars[-1]["x1"] - body_left > measure - max(c["size"] for c in here.chars)
        if nxt.page == here.page:
            return full and nxt.top - here.top <= 1.25 * leading
        return full and nxt.page == here.page + 1  # here ends its page, nxt opens the next one

    out: List[PrintedLine] = []
    joining = False
    for i, p in enumerate(printed):
        if joining:
            out[-1] = out[-1]._replace(text=out[-1].text + p.text)
        else:
            out.append(p)
        joining = p.number is None and i + 1 < len(printed) and printed[i + 1].number is None and continues(i)
    return [p._replace(text=p.text.rstrip()) for p in out]


def _pdf_printed_lines(data: bytes, source) -> List[PrintedLine]:
    import pdfplumber  # heavy; only the PDF path needs it

    pages = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                pages.append(_group_lines(page.page_number, page.chars))
                page.close()  # pdfplumber keeps parsed layout until the page is closed
    except Exception as exc:  # pdfminer raises many unrelated types on damaged files
        raise GuidelineError(source, f"cannot read PDF: {exc}") from None
    lines = [ln for p in _drop_running_lines(pages) for ln in p]
    if not lines:
        raise GuidelineError(source, "no text in PDF (scanned?)")
    # Every body line starts at the text's left edge; margin numbers are right-aligned, so vary.
    body_left = Counter(x for ln in lines for x in _run_starts(ln)).most_common(1)[0][0]
    printed = [_split_margin(ln, body_left, source) for ln in lines]
    if all(p.number is None for p in printed):
        raise GuidelineError(source, "no printed line numbers found")
    first = next(i for i, p in enumerate(printed) if p.number is not None)
    stray = next((p for p in printed[first:] if p.number is None), None)
    if stray:
        raise GuidelineError(source, f"page {stray.page}: line without a printed number: {stray.text[:40]!r}")
    return _join_wrapped_front_matter(lines, printed, body_left)


def load_guideline_pdf(path, *, id: Optional[str] = None, title: Optional[str] = None) -> Guideline:
    path = Path(path)
    data = _read_bytes(path)
    printed = _pdf_printed_lines(data, path)
    _check_numbers(printed, path)
    return _build(printed, id=id or path.stem, title=title, sha256=hashlib.sha256(data).hexdigest())


# ------------------------------------------------------------------------------------ entry points


def _check_sha256(meta: dict, data: bytes, source, meta_source) -> None:
    actual = hashlib.sha256(data).hexdigest()
    if actual != meta.get("sha256"):
        raise GuidelineError(source, f"sha256 {actual} does not match {meta.get('sha256')} in {meta_source}: "
                                     "the guideline text changed; re-verify citations before updating the metadata")


def load_guideline(path) -> Guideline:
    """Load a .txt or .pdf guideline; a sibling ``<stem>.yaml`` supplies id and title, and its sha256
    is checked when it describes this very file."""
    path = Path(path)
    loaders = {".txt": load_guideline_text, ".pdf": load_guideline_pdf}
    loader = loaders.get(path.suffix.lower())
    if loader is None:
        raise GuidelineError(path, f"unsupported guideline format {path.suffix!r} (use .txt or .pdf)")
    meta_path = path.with_suffix(".yaml")
    if not meta_path.is_file():
        return loader(path)
    meta = yaml.safe_load(meta_path.read_text(encoding="utf-8")) or {}
    if meta.get("source_file") == path.name:
        _check_sha256(meta, _read_bytes(path), path, meta_path)
    return loader(path, id=meta.get("id"), title=meta.get("title"))


def load_default() -> Guideline:
    """The guideline bundled with the pack, verified against its recorded sha256."""
    folder = resources.files("guidelint.corpus").joinpath("guidelines")
    meta_file = folder.joinpath(f"{DEFAULT_ID}.yaml")
    meta = yaml.safe_load(meta_file.read_text(encoding="utf-8"))
    source = folder.joinpath(meta["source_file"])
    data = source.read_bytes()
    _check_sha256(meta, data, source, meta_file)
    return _from_text_bytes(data, source, id=meta["id"], title=meta["title"])


def format_lines(guideline: Guideline, a: int, b: int) -> str:
    """``guidelint guideline show a-b``: a header, then number, section path and text per line."""
    if not guideline.range_exists(a, b):
        raise ValueError(f"{guideline.id}: lines {a}-{b} are not within the printed lines "
                         f"{guideline.first_number}-{guideline.last_number}")
    numbers = range(a, b + 1)
    num_w = len(str(b))
    sec_w = max(len(guideline.section_of(n)) for n in numbers)
    rows = [f"{guideline.id}  {guideline.section_title_of(a)}"]
    rows += [f"{n:>{num_w}}  {guideline.section_of(n):<{sec_w}}  {guideline.line(n).text}" for n in numbers]
    return "\n".join(rows)
