"""Small protocol PDFs for the PDF reader's tests, drawn with reportlab.

A page is a list of rows ``(style, text)`` with style ``h1`` ``h2`` ``h3``, ``body`` or ``note`` (8 pt). Chinese text is
set in the built-in CID font STSong-Light (it has no bold face, so Chinese headings are larger);
English in Helvetica, headings bold and larger. ``styled=False`` sets headings exactly like body text,
so the reader must fall back on text shape. Running header and footer lines are format strings with
``{page}`` and ``{pages}``. ``write_columns_pdf`` sets full-width lines and two-column stretches;
``write_table_pdf`` a paragraph, a table (ruled or not) and a paragraph.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

ZH_FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(ZH_FONT))

Row = Tuple[str, str]
BODY_SIZE = 10.5
HEADING_SIZE = {"h1": 15, "h2": 13, "h3": 12, "body": BODY_SIZE, "note": 8}  # note: a footnote line
LEFT = 72
BODY_TOP = 55  # points below the page top: the first body line sits inside the top 10% band, as in Word
LEADING = 1.7  # times the font size
HEADER_TOP = 40
FOOTER_BOTTOM = 30

ZH_HEADER = "XYZ-001 临床研究方案 版本 2.0"
ZH_FOOTER = "第 {page} 页 共 {pages} 页"
EN_HEADER = "XYZ-001 Clinical Study Protocol Version 2.0"
EN_FOOTERS = ("Confidential", "Page {page} of {pages}")

_CJK = re.compile(r"[\u3400-\u9fff]")


def _font(style: str, text: str, styled: bool) -> Tuple[str, float]:
    if not styled and style != "note":
        style = "body"
    if _CJK.search(text):
        return ZH_FONT, HEADING_SIZE[style]
    return ("Helvetica" if style in ("body", "note") else "Helvetica-Bold"), HEADING_SIZE[style]


def _draw_running(c: canvas.Canvas, texts: Sequence[str], baseline: float, step: float, page: int, pages: int):
    for i, text in enumerate(texts):
        text = text.format(page=page, pages=pages)
        c.setFont(_font("body", text, True)[0], 9)
        c.drawString(LEFT, baseline - i * step, text)


def _as_list(lines) -> List[str]:
    if lines is None:
        return []
    return [lines] if isinstance(lines, str) else list(lines)


def write_protocol_pdf(path, pages: Sequence[Sequence[Row]], *, header=None, footer=None, styled: bool = True,
                       encrypt: Optional[StandardEncryption] = None) -> Path:
    """Draw ``pages``; header/footer are a format string or a list of them (one per line)."""
    path = Path(path)
    width, height = A4
    c = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    for number, rows in enumerate(pages, start=1):
        _draw_running(c, _as_list(header), height - HEADER_TOP, 11, number, len(pages))
        footers = _as_list(footer)
        _draw_running(c, footers, FOOTER_BOTTOM + 11 * (len(footers) - 1), 11, number, len(pages))
        y = height - BODY_TOP
        for style, text in rows:
            font, size = _font(style, text, styled)
            y -= size * LEADING
            c.setFont(font, size)
            c.drawString(LEFT, y, text)
        c.showPage()
    c.save()
    return path


# ------------------------------------------------------------------------------------------ protocols

ZH_PAGES: List[List[Row]] = [
    [("body", "XYZ-001 CAR-T 细胞治疗复发难治 B 细胞淋巴瘤的临床研究"),
     ("h1", "一、研究背景"),
     ("body", "CD19 CAR-T 细胞治疗在复发难治淋巴瘤中显示出较高的客观缓解率（ORR）。"),
     ("h2", "（一）疾病概况"),
     ("body", "弥漫大 B 细胞淋巴瘤是最常见的非霍奇金淋巴瘤亚型。")],
    [("h1", "第五章 研究人群"),
     ("h2", "5.1 入选标准"),
     ("body", "1. 年龄 18-75 岁；"),
     ("body", "2. 经组织病理学确诊的 CD19 阳性 B 细胞淋巴瘤；"),
     ("body", "3. 签署知情同意书"),
     ("h2", "5.2 排除标准"),
     ("body", "1. 既往接受过 CAR-T 细胞治疗；"),
     ("body", "2. 活动性中枢神经系统受累。")],
    [("h1", "第六章 治疗方案"),
     ("h2", "(一) 桥接治疗"),
     ("body", "单采后至清淋预处理前允许桥接治疗。"),
     ("h2", "(二) 清淋预处理"),
     ("body", "氟达拉滨 30 mg/m2/d，环磷酰胺 300 mg/m2/d，连续 3 天。")],
    [("h1", "第七章 安全性评价"),
     ("h2", "7.1 不良事件"),
     ("body", "所有不良事件均按 CTCAE 5.0 分级并记录"),
     ("body", "2.5 mg/kg 剂量组的受试者需额外监测"),
     ("h3", "1. 细胞因子释放综合征"),
     ("body", "CRS 按 ASTCT 共识标准分级。"),
     ("h3", "2. 神经毒性"),
     ("body", "ICANS 按 ASTCT 共识标准分级。")],
]

EN_PAGES: List[List[Row]] = [
    [("body", "A Phase 1/2 Study of XYZ-001 CAR-T Cells in Relapsed or Refractory Lymphoma"),
     ("h1", "3 STUDY DESIGN"),
     ("h2", "3.1 Overall Design"),
     ("body", "This is an open-label, single-arm, multicentre study."),
     ("h3", "3.1.2 Bridging therapy"),
     ("body", "Bridging therapy is permitted between leukapheresis and lymphodepletion.")],
    [("h1", "5 STUDY POPULATION"),
     ("h2", "5.1 Inclusion Criteria"),
     ("body", "1. Age 18 to 75 years;"),
     ("body", "2. Signed informed consent"),
     ("h2", "5.2 Exclusion Criteria"),
     ("body", "1. Prior CAR-T therapy;"),
     ("body", "2. Active central nervous system involvement.")],
    [("h1", "6 SAFETY"),
     ("body", "Cytokine release syndrome is graded by ASTCT consensus criteria.")],
]


def zh_protocol(path, *, styled: bool = True) -> Path:
    return write_protocol_pdf(path, ZH_PAGES, header=ZH_HEADER, footer=ZH_FOOTER, styled=styled)


def en_protocol(path, *, styled: bool = True) -> Path:
    return write_protocol_pdf(path, EN_PAGES, header=EN_HEADER, footer=EN_FOOTERS, styled=styled)


# --------------------------------------------------------------------------------------- broken files


def image_only_pdf(path) -> Path:
    """A page with a drawn rectangle and no text, like a scan without a text layer."""
    path = Path(path)
    c = canvas.Canvas(str(path), pagesize=A4)
    c.rect(100, 100, 300, 400, fill=1)
    c.showPage()
    c.save()
    return path


def encrypted_pdf(path, password: str = "secret") -> Path:
    return write_protocol_pdf(path, EN_PAGES[:1], encrypt=StandardEncryption(password))


def truncated_pdf(path) -> Path:
    """The first half of a real protocol PDF, as an interrupted download leaves it."""
    path = Path(path)
    en_protocol(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def not_a_pdf(path) -> Path:
    """A text file with a .pdf name."""
    path = Path(path)
    path.write_text("这不是 PDF 文件，而是被改了扩展名的文本。\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------- layout

Block = Tuple  # ("full", style, text) | ("cols", [rows of the left column], [rows of the right column])
GUTTER = 24
COLUMN_WIDTH = (A4[0] - 2 * LEFT - GUTTER) / 2


def write_columns_pdf(path, pages: Sequence[Sequence[Block]], *, header=None, footer=None,
                      right_offset: float = 0.0) -> Path:
    """Pages of full-width lines and two-column stretches. The right column's lines sit on the left column's
    baselines (pdfplumber then reads the pair as one line) unless ``right_offset`` moves them down."""
    path = Path(path)
    width, height = A4
    c = canvas.Canvas(str(path), pagesize=A4)
    for number, blocks in enumerate(pages, start=1):
        _draw_running(c, _as_list(header), height - HEADER_TOP, 11, number, len(pages))
        footers = _as_list(footer)
        _draw_running(c, footers, FOOTER_BOTTOM + 11 * (len(footers) - 1), 11, number, len(pages))
        y = height - BODY_TOP
        for block in blocks:
            columns = [(LEFT, block[1], 0.0), (LEFT + COLUMN_WIDTH + GUTTER, block[2], right_offset)] \
                if block[0] == "cols" else [(LEFT, [block[1:]], 0.0)]
            ends = []
            for x, rows, offset in columns:
                yy = y - offset
                for style, text in rows:
                    font, size = _font(style, text, True)
                    yy -= size * LEADING
                    c.setFont(font, size)
                    c.drawString(x, yy, text)
                ends.append(yy)
            y = min(ends)
        c.showPage()
    c.save()
    return path


def write_table_pdf(path, before: Sequence[str], table: Sequence[Sequence[str]], after: Sequence[str], *,
                    header=None, footer=None, grid: bool = True) -> Path:
    """A paragraph, a table ruled with a full grid (``grid=False``: the same table without rules), a paragraph;
    set with platypus like a word processor would."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    path = Path(path)
    cjk = any(_CJK.search(t) for t in list(before) + list(after) + [c for row in table for c in row])
    body = ParagraphStyle("body", fontName=ZH_FONT if cjk else "Helvetica", fontSize=BODY_SIZE, leading=16,
                          spaceAfter=8, wordWrap="CJK" if cjk else None)
    cell = ParagraphStyle("cell", parent=body, fontSize=9, leading=11, spaceAfter=0)
    story = [Paragraph(t, body) for t in before]
    ruled = Table([[Paragraph(c, cell) for c in row] for row in table], repeatRows=1)
    style = [("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    if grid:
        style.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))
    ruled.setStyle(TableStyle(style))
    story += [ruled] + [Paragraph(t, body) for t in after]

    def running(c, doc):
        for text in _as_list(header):
            c.setFont(_font("body", text, True)[0], 9)
            c.drawString(LEFT, A4[1] - HEADER_TOP, text.format(page=c.getPageNumber(), pages="?"))
        for text in _as_list(footer):
            c.setFont(_font("body", text, True)[0], 9)
            c.drawString(LEFT, FOOTER_BOTTOM, text.format(page=c.getPageNumber(), pages="?"))

    SimpleDocTemplate(str(path), pagesize=A4, leftMargin=LEFT, rightMargin=LEFT, topMargin=72,
                      bottomMargin=72).build(story, onFirstPage=running, onLaterPages=running)
    return path
