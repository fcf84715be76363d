"""Render the guideline text copy as CDE prints its drafts: A4, printed line numbers in the left margin.

The PDF is a test fixture for ``load_guideline_pdf``: it must carry exactly what the text copy carries.
Front matter has no line numbers and its long paragraphs wrap at the measure of the numbered lines,
like the printed document; blank lines of the copy become vertical gaps.

    python -m guidelint.corpus.guideline_pdf IN.txt OUT.pdf
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from ..extract.guideline import PrintedLine, split_printed_lines

FONT = "STSong-Light"  # one of reportlab's built-in CID fonts: CJK text without shipping a font file
BODY_SIZE = 12
NUMBER_SIZE = 9
BODY_X = 80
NUMBER_RIGHT = 60
LEADING = 20
LINES_PER_PAGE = 30
TOP_BASELINE = A4[1] - 90
FOOTER_BASELINE = 40


def _wrap(text: str, measure: float) -> List[str]:
    """Break anywhere, as Chinese typesetting does; spaces stay where they fall."""
    rows, row = [], ""
    for ch in text:
        if row and pdfmetrics.stringWidth(row + ch, FONT, BODY_SIZE) > measure:
            rows.append(row)
            row = ""
        row += ch
    return rows + [row]


def _layout(printed: List[Optional[PrintedLine]]) -> List[Optional[PrintedLine]]:
    """Visual rows (None = a vertical gap): front matter wrapped at the widest numbered line."""
    measure = max(pdfmetrics.stringWidth(p.text, FONT, BODY_SIZE) for p in printed if p and p.number is not None)
    rows: List[Optional[PrintedLine]] = []
    for p in printed:
        if p is None:
            if rows and rows[-1] is not None:
                rows.append(None)
        elif p.number is None:
            rows.extend(PrintedLine(None, part) for part in _wrap(p.text, measure))
        else:
            rows.append(p)
    return rows


def _paginate(rows: List[Optional[PrintedLine]]) -> List[List[Optional[PrintedLine]]]:
    """About LINES_PER_PAGE lines a page; a gap costs half a line and is dropped at the top of a page."""
    pages: List[List[Optional[PrintedLine]]] = [[]]
    used = 0.0
    for row in rows:
        cost = 0.5 if row is None else 1.0
        if used + cost > LINES_PER_PAGE:
            pages.append([])
            used = 0.0
        if row is None and not pages[-1]:
            continue
        pages[-1].append(row)
        used += cost
    return pages


def write_guideline_pdf(guideline_txt_path, out_pdf_path) -> Path:
    src = Path(guideline_txt_path)
    out = Path(out_pdf_path)
    printed = split_printed_lines(src.read_text(encoding="utf-8"), src)
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    c = canvas.Canvas(str(out), pagesize=A4, invariant=1)  # invariant: same input, same bytes
    c.setTitle(src.stem)
    for page_no, page in enumerate(_paginate(_layout(printed)), start=1):
        y = TOP_BASELINE
        for row in page:
            if row is None:
                y -= LEADING / 2
                continue
            c.setFont(FONT, BODY_SIZE)
            c.drawString(BODY_X, y, row.text)
            if row.number is not None:
                c.setFont(FONT, NUMBER_SIZE)
                c.drawRightString(NUMBER_RIGHT, y, str(row.number))
            y -= LEADING
        c.setFont(FONT, NUMBER_SIZE)
        c.drawCentredString(A4[0] / 2, FOOTER_BASELINE, f"- {page_no} -")
        c.showPage()
    c.save()
    return out


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m guidelint.corpus.guideline_pdf IN.txt OUT.pdf", file=sys.stderr)
        return 2
    print(write_guideline_pdf(*args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
