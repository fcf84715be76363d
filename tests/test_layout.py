"""Reading order and tables: two-column pages read column by column, ruled tables read as rows, and a sentence
that wraps over a column or page break stays one sentence."""
from __future__ import annotations

import re
from collections import OrderedDict

import pdfplumber
import pytest

from guidelint.corpus import generate as gen
from guidelint.extract.pdf import read_protocol, section_kind
from guidelint.extract.text import sentences

from pdf_fixtures import (
    EN_FOOTERS,
    EN_HEADER,
    ZH_FOOTER,
    ZH_HEADER,
    en_protocol,
    write_columns_pdf,
    write_protocol_pdf,
    write_table_pdf,
)

MID = 595.28 / 2



def column(lang: str, side: str, page: int = 1, n: int = 12):
    """``n`` lines that fill a column, each different (a line repeated on every page is a running head)."""
    if lang == "en":
        word = ("one", "two", "three")[page - 1]  # digits do not make lines differ: a footer has a page number
        return [("body", f"{side.title()} column line {k} of the text on page {word}.") for k in range(1, n + 1)]
    word = "甲乙丙"[page - 1]
    return [("body", f"{'左' if side == 'left' else '右'}栏{word}页第{k}行正文内容用于测试。") for k in range(1, n + 1)]


EN_LEFT, EN_RIGHT = column("en", "left"), column("en", "right")


def texts(doc, page=None):
    return [ln.text for ln in doc.lines if page is None or ln.page == page]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ------------------------------------------------------------------------------------------ columns


@pytest.mark.parametrize("offset", [0.0, 6.0], ids=["aligned", "offset"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_two_column_page_reads_column_by_column(tmp_path, lang, offset):
    headings = ["3 STUDY DESIGN AND CONDUCT OF THE TRIAL", "4 STUDY POPULATION AND SELECTION OF SUBJECTS"] \
        if lang == "en" else ["第三章 研究设计与研究实施的总体安排说明", "第四章 研究人群与受试者的选择和退出"]
    cols = [(column(lang, "left", k), column(lang, "right", k)) for k in (1, 2)]
    pages = [[("full", "h1", h), ("cols", *c)] for h, c in zip(headings, cols)]
    header, footer = (EN_HEADER, EN_FOOTERS) if lang == "en" else (ZH_HEADER, ZH_FOOTER)
    doc = read_protocol(write_columns_pdf(tmp_path / "two.pdf", pages, header=header, footer=footer,
                                          right_offset=offset))
    for page_no, (heading, (left, right)) in enumerate(zip(headings, cols), 1):
        assert texts(doc, page_no) == [heading] + [t for _, t in left] + [t for _, t in right]
        lines = [ln for ln in doc.lines if ln.page == page_no]
        assert [ln.line_no for ln in lines] == list(range(1, len(lines) + 1))
        assert all(ln.bbox[2] < MID for ln in lines[1:13]) and all(ln.bbox[0] > MID for ln in lines[13:])
        assert all(ln.section == heading for ln in lines)
    assert len(doc.dropped) == (3 if lang == "en" else 2)  # running header and footer still recognised
    assert [ln.text for ln in doc.lines if ln.is_heading] == headings


def test_full_width_lines_split_the_columns_into_stretches(tmp_path):
    """A full-width heading between two two-column stretches: each stretch is read left then right."""
    a_left, a_right, b_left, b_right = EN_LEFT[:6], EN_RIGHT[:6], EN_LEFT[6:], EN_RIGHT[6:]
    page = [("full", "h1", "5 STUDY POPULATION AND THE SELECTION OF SUBJECTS"), ("cols", a_left, a_right),
            ("full", "h2", "5.1 Inclusion Criteria for All Subjects in Both Parts of the Study"),
            ("cols", b_left, b_right)]
    doc = read_protocol(write_columns_pdf(tmp_path / "stretch.pdf", [page]))
    assert texts(doc) == (["5 STUDY POPULATION AND THE SELECTION OF SUBJECTS"] + [t for _, t in a_left + a_right]
                          + ["5.1 Inclusion Criteria for All Subjects in Both Parts of the Study"]
                          + [t for _, t in b_left + b_right])
    assert doc.lines[-1].section == \
        "5 STUDY POPULATION AND THE SELECTION OF SUBJECTS > 5.1 Inclusion Criteria for All Subjects in Both Parts of the Study"


def test_single_column_pages_unchanged(tmp_path):
    """Short list items and a narrow key-value block do not make a page two-column."""
    rows = [("h1", "1 SYNOPSIS"), ("body", "Sponsor          Northstar Immunotherapy Inc."),
            ("body", "Protocol         HBX-603-CN19"), ("body", "Phase            2"),
            ("body", "This is a long paragraph line that runs across the whole width of the page text."),
            ("body", "1. Age 18 years;"), ("body", "2. ECOG 0-1;"), ("body", "3. Consent."),
            ("body", "Another long paragraph line that runs across the whole width of the page body.")]
    path = write_protocol_pdf(tmp_path / "one.pdf", [rows])
    assert texts(read_protocol(path)) == [re.sub(" +", " ", t) for _, t in rows]


def test_short_last_column(tmp_path):
    """A page whose right column has one line is two-column like the pages before it."""
    pages = [[("cols", column("en", "left", 1), column("en", "right", 1))],
             [("cols", column("en", "left", 2), column("en", "right", 2, n=1))]]
    doc = read_protocol(write_columns_pdf(tmp_path / "short.pdf", pages))
    assert texts(doc, 2) == [t for _, t in column("en", "left", 2) + column("en", "right", 2, n=1)]


def test_sentence_wrapped_over_a_column_break_stays_one(tmp_path):
    left = EN_LEFT[:10] + [("body", "Subjects must have had two prior lines of")]
    right = [("body", "therapy, including an anti-CD20 antibody."), ("body", "Washout is two weeks."),
             ("body", "Bridging therapy is permitted.")]
    doc = read_protocol(write_columns_pdf(tmp_path / "wrap.pdf", [[("full", "h1", "5 STUDY POPULATION"),
                                                                   ("cols", left, right)]]))
    sent = next(s for s in sentences(doc.lines) if "lines of therapy" in s.text)
    assert sent.text == "Subjects must have had two prior lines of therapy, including an anti-CD20 antibody."
    assert [ln.bbox[0] < MID for ln in sent.lines] == [True, False]


# ---------------------------------------------------------------------------------------- page break


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sentence_wrapped_over_a_page_break_stays_one(tmp_path, lang):
    if lang == "en":
        first, second = "Subjects must have received at least two prior lines of therapy, including an", \
            "anti-CD20 antibody and an anthracycline. Washout is two weeks."
        joined = "Subjects must have received at least two prior lines of therapy, including an anti-CD20 " \
                 "antibody and an anthracycline."
        header, footer = EN_HEADER, EN_FOOTERS
    else:
        first, second = "受试者既往须接受过至少两线治疗，包括抗CD20单克隆抗体和", "含蒽环类药物的化疗。洗脱期为两周。"
        joined = "受试者既往须接受过至少两线治疗，包括抗CD20单克隆抗体和含蒽环类药物的化疗。"
        header, footer = ZH_HEADER, ZH_FOOTER
    filler = "Background text of the protocol." if lang == "en" else "方案背景正文。"
    pages = [[("h1", "5 STUDY POPULATION")] + [("body", filler)] * 5 + [("body", first)],
             [("body", second)] + [("body", filler)] * 5]
    doc = read_protocol(write_protocol_pdf(tmp_path / "break.pdf", pages, header=header, footer=footer))
    sent = next(s for s in sentences(doc.lines) if s.text.startswith(joined[:10]))
    assert sent.text == joined
    assert [(ln.page, ln.line_no) for ln in sent.lines] == [(1, 7), (2, 1)]
    assert sent.evidence(sent.text.index("anthracycline" if lang == "en" else "蒽环")).page == 2


# -------------------------------------------------------------------------------- generated protocols


def _by_section(doc):
    """Squashed text per section path, in document order; table rows apart."""
    out = OrderedDict()
    for ln in doc.lines:
        key = (ln.section, ln.is_table_row)
        out[key] = out.get(key, "") + squash(ln.text)
    return list(out.items())


@pytest.mark.parametrize("index", [0, 1], ids=["zh", "en"])
def test_two_column_protocol_reads_like_the_single_column_one(tmp_path, index):
    p = gen.build_protocol(index, seed=3)
    one = read_protocol(gen.render_pdf(p, tmp_path / "one.pdf", two_column=False))
    two = read_protocol(gen.render_pdf(p, tmp_path / "two.pdf", two_column=True))
    with pdfplumber.open(tmp_path / "two.pdf") as pdf:  # the body pages really are set in two columns
        page = pdf.pages[2]
        assert not any(c["x0"] < MID < c["x1"] for c in page.chars if 60 < c["top"] < page.height - 60)
        assert sum(c["x0"] > MID for c in page.chars) > 200
    assert [ln.text for ln in two.lines if ln.is_heading] == [ln.text for ln in one.lines if ln.is_heading]
    assert [ln.text for ln in two.lines if ln.is_heading][:len(p.sections)] or p.sections
    assert _by_section(two) == _by_section(one)
    assert [squash(s.text) for s in sentences(two.lines, section_kind)] == \
        [squash(s.text) for s in sentences(one.lines, section_kind)]
    assert two.dropped == one.dropped and two.language == one.language


def test_generate_lays_out_a_fixed_quarter_in_two_columns():
    assert [i for i in range(16) if gen.two_column_default(i)] == [3, 6, 11, 14]
    assert {gen.LANGUAGES[i % 2] for i in range(16) if gen.two_column_default(i)} == {"zh", "en"}


# -------------------------------------------------------------------------------------------- tables

EN_TABLE = [["Visit", "Day", "Assessments"],
            ["Screening", "-28 to -1", "Consent, history, ECOG, blood counts and chemistry, viral serology"],
            ["Infusion", "0", "Vital signs every 15 minutes for the first hour"],
            ["Follow-up", "28", ""]]


def test_ruled_table_rows_are_lines_of_their_own(tmp_path):
    before = ["Assessments follow the schedule below and are recorded in the eCRF."]
    after = ["Unscheduled visits are allowed when clinically indicated."]
    doc = read_protocol(write_table_pdf(tmp_path / "t.pdf", before, EN_TABLE, after))
    rows = [ln for ln in doc.lines if ln.is_table_row]
    assert [ln.text for ln in rows] == [
        "Visit | Day | Assessments",
        "Screening | -28 to -1 | Consent, history, ECOG, blood counts and chemistry, viral serology",
        "Infusion | 0 | Vital signs every 15 minutes for the first hour",
        "Follow-up | 28 | "]
    assert texts(doc) == before + [ln.text for ln in rows] + after  # nothing of the table leaks into the text
    assert [ln.line_no for ln in doc.lines] == list(range(1, len(doc.lines) + 1))
    assert all(b.bbox[1] >= a.bbox[3] - 0.5 for a, b in zip(rows, rows[1:]))  # a row's bbox is that row
    said = [s.text for s in sentences(doc.lines)]
    assert said == before + [ln.text.strip() for ln in rows] + after
    sent = next(s for s in sentences(doc.lines) if s.text.startswith("Infusion"))
    ev = sent.evidence(sent.text.index("Vital"))
    assert (ev.page, ev.line) == (rows[2].page, rows[2].line_no) and ev.bbox == rows[2].bbox
    assert not any(ln.is_heading for ln in rows)


def test_zh_ruled_table(tmp_path):
    table = [["检查项目", "筛选期", "第28天"], ["血常规", "X", "X"], ["骨髓穿刺", "X", ""]]
    doc = read_protocol(write_table_pdf(tmp_path / "zh.pdf", ["访视安排见下表。"], table, ["计划外访视可随时进行。"]))
    assert texts(doc) == ["访视安排见下表。", "检查项目 | 筛选期 | 第28天", "血常规 | X | X", "骨髓穿刺 | X | ",
                          "计划外访视可随时进行。"]


def test_unruled_table_stays_text(tmp_path, monkeypatch):
    calls = []
    original = pdfplumber.page.Page.find_tables
    monkeypatch.setattr(pdfplumber.page.Page, "find_tables",
                        lambda self, *a, **k: calls.append(self.page_number) or original(self, *a, **k))
    doc = read_protocol(write_table_pdf(tmp_path / "plain.pdf", ["Before."], EN_TABLE, ["After."], grid=False))
    assert not any(ln.is_table_row for ln in doc.lines) and calls == []  # no grid: the table finder never runs
    en = read_protocol(en_protocol(tmp_path / "en.pdf"))
    assert calls == [] and not any(ln.is_table_row for ln in en.lines)
    read_protocol(write_table_pdf(tmp_path / "ruled.pdf", ["Before."], EN_TABLE, ["After."]))
    assert calls == [1]


def test_wrapped_number_at_line_start_is_not_a_list_item(tmp_path):
    rows = [("h1", "4 ENDPOINTS"), ("body", "The MRD endpoint is the proportion of subjects with MRD below 10^-5 at Month"),
            ("body", "3."), ("body", "2. Overall survival is a secondary endpoint.")]
    doc = read_protocol(write_protocol_pdf(tmp_path / "n.pdf", [rows]))
    said = [s.text for s in sentences(doc.lines)]
    assert said[0] == "The MRD endpoint is the proportion of subjects with MRD below 10^-5 at Month 3."
    assert said[1].startswith("2.")  # an item with text after its number still starts a block


def test_layout_changes_no_truth(tmp_path):
    one = gen.generate(tmp_path / "one", n=4, seed=3, two_column=False)
    auto = gen.generate(tmp_path / "auto", n=4, seed=3)
    for a, b in zip(one, auto):
        assert a.with_suffix(".truth.json").read_bytes() == b.with_suffix(".truth.json").read_bytes()
        assert (a.read_bytes() == b.read_bytes()) == (not gen.two_column_default(int(a.name.split("-")[2])))


# ------------------------------------------------------------------------------------------- glyphs


def test_dedupe_matches_pdfplumber_and_undoes_fake_bold(tmp_path):
    from pdfplumber.utils import dedupe_chars
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from guidelint.extract.pdf import _dedupe_chars

    path = tmp_path / "bold.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    for k, text in enumerate(["5 STUDY POPULATION", "Subjects must be 18 years or older."] * 3):
        for dx in ((0, 0.4) if k % 2 == 0 else (0,)):  # headings printed twice, a hair apart: fake bold
            c.setFont("Helvetica", 12)
            c.drawString(72 + dx, 700 - 20 * k, text)
    c.showPage()
    c.save()
    with pdfplumber.open(path) as pdf:
        chars = pdf.pages[0].chars
        assert [id(x) for x in _dedupe_chars(chars)] == [id(x) for x in dedupe_chars(chars)]
    assert texts(read_protocol(path))[:2] == ["5 STUDY POPULATION", "Subjects must be 18 years or older."]
