"""Long protocols: footnotes, tables that break across pages, front and back matter, appendices, traditional
characters, prior-therapy tables; and the generator's long layout."""
from __future__ import annotations

import pdfplumber
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from guidelint.corpus import generate as gen
from guidelint.corpus import longform
from guidelint.extract.facts import extract_facts
from guidelint.extract.pdf import read_protocol, section_kind
from guidelint.extract.tables import requirement
from guidelint.extract.text import sentences

from pdf_fixtures import EN_FOOTERS, EN_HEADER, ZH_FONT, ZH_FOOTER, ZH_HEADER, write_protocol_pdf


# ------------------------------------------------------------------------------------------------ footnotes

@pytest.mark.parametrize("lang", ["en", "zh"])
def test_footnote_at_a_page_break_leaves_the_wrapped_sentence_whole(tmp_path, lang):
    if lang == "en":
        first, second = "Subjects must have received at least two prior lines of therapy, including an", \
            "anti-CD20 antibody and an anthracycline. Washout is two weeks."
        joined = "Subjects must have received at least two prior lines of therapy, including an anti-CD20 " \
                 "antibody and an anthracycline."
        note = "1 Lines are counted as in the lymphoma guideline of the sponsor."
        header, footer, filler = EN_HEADER, EN_FOOTERS, "Background text of the protocol."
    else:
        first, second = "受试者既往须接受过至少两线治疗，包括抗CD20单克隆抗体和", "含蒽环类药物的化疗。洗脱期为两周。"
        joined = "受试者既往须接受过至少两线治疗，包括抗CD20单克隆抗体和含蒽环类药物的化疗。"
        note = "1 治疗线数的计算方法见申办方淋巴瘤指南。"
        header, footer, filler = ZH_HEADER, ZH_FOOTER, "方案背景正文。"
    pages = [[("h1", "5 STUDY POPULATION")] + [("body", filler)] * 5 + [("body", first), ("note", note)],
             [("body", second)] + [("body", filler)] * 5]
    doc = read_protocol(write_protocol_pdf(tmp_path / "note.pdf", pages, header=header, footer=footer))
    flagged = [ln for ln in doc.lines if ln.is_footnote]
    assert [ln.text for ln in flagged] == [note]
    sents = sentences(doc.lines)
    sent = next(s for s in sents if s.text.startswith(joined[:10]))
    assert sent.text == joined
    assert [(ln.page, ln.line_no) for ln in sent.lines] == [(1, 7), (2, 1)]
    assert any(s.text == note for s in sents)  # the note is still read, as a sentence of its own


def test_small_text_without_a_marker_is_not_a_footnote(tmp_path):
    pages = [[("h1", "1 BACKGROUND")] + [("body", "Background text of the protocol.")] * 4
             + [("note", "Prepared by the sponsor for the investigators.")]]
    doc = read_protocol(write_protocol_pdf(tmp_path / "small.pdf", pages, header=EN_HEADER, footer=EN_FOOTERS))
    assert not any(ln.is_footnote for ln in doc.lines)


# ------------------------------------------------------------------------------------- tables across pages

def test_a_table_broken_across_pages_reads_its_header_row_once(tmp_path):
    path = tmp_path / "long-table.pdf"
    rows = [["Visit", "Assessment"]] + [[f"Visit {i}", f"Vital signs {i}"] for i in range(1, 81)]
    table = Table(rows, repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black")]))
    SimpleDocTemplate(str(path), pagesize=A4).build([table])
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) >= 2
    doc = read_protocol(path)
    got = [ln.text for ln in doc.lines if ln.is_table_row]
    assert got == [" | ".join(r) for r in rows]


# ----------------------------------------------------------------------------------- front and back matter

def test_contents_abbreviations_and_references_state_nothing(tmp_path):
    pages = [
        [("h1", "TABLE OF CONTENTS"),
         ("body", "1 BACKGROUND . . . . . . . . . . . . . . . . . . . . 3"),
         ("body", "2 INVESTIGATIONAL PRODUCT . . . . . . . . . . . . . 4"),
         ("body", "8 SAFETY: CYTOKINE RELEASE SYNDROME . . . . . . . . 9"),
         ("h1", "LIST OF ABBREVIATIONS"),
         ("body", "CRS Cytokine release syndrome"),
         ("body", "ICANS Immune effector cell-associated neurotoxicity syndrome")],
        [("h1", "1 BACKGROUND"),
         ("body", "Cell therapy has changed the treatment of B-cell malignancies."),
         ("h1", "2 INVESTIGATIONAL PRODUCT"),
         ("body", "XYZ-001 is an autologous CD19-directed CAR-T cell product."),
         ("h1", "11 REFERENCES"),
         ("body", "1. Neelapu SS, et al. Axicabtagene ciloleucel CAR T-cell therapy in refractory large B-cell"),
         ("body", "lymphoma. N Engl J Med. 2017;377:2531-44."),
         ("h1", "Appendix 1 Laboratory Tests"),
         ("body", "Haematology, serum chemistry and coagulation are measured at each visit.")],
    ]
    doc = read_protocol(write_protocol_pdf(tmp_path / "matter.pdf", pages, header=EN_HEADER, footer=EN_FOOTERS))
    kinds = {ln.text: section_kind(ln.section) for ln in doc.lines}
    assert kinds["CRS Cytokine release syndrome"] == "abbreviations"
    assert kinds["XYZ-001 is an autologous CD19-directed CAR-T cell product."] is None  # not under the label
    assert kinds["lymphoma. N Engl J Med. 2017;377:2531-44."] == "references"
    appendix = next(ln for ln in doc.lines if ln.text.startswith("Haematology"))
    assert appendix.section == "Appendix 1 Laboratory Tests"
    facts = {(f.kind, f.value) for f in extract_facts(doc)}
    assert ("cart_target", "CD19") in facts
    assert not {k for k, _ in facts} & {"safety_risk", "indication", "safety_risk_managed"}


def test_traditional_headings_have_their_section_kinds():
    assert section_kind("5 研究人羣 > 5.1 入選標準") == "inclusion"
    assert section_kind("5.2 排除標準") == "exclusion"
    assert section_kind("參考文獻") == "references"


# ------------------------------------------------------------------------------------ prior-therapy tables

@pytest.mark.parametrize("cell, value", [
    ("Required", True), ("Mandatory", True), ("Must have received", True), ("Yes", True), ("必须接受过", True),
    ("必需", True), ("須既往使用", True), ("Not required", False), ("Optional", False), ("No", False),
    ("非必需", False), ("不要求", False), ("可选", False), ("否", False), ("See Section 5.1", None), ("", None),
])
def test_requirement_cells(cell, value):
    assert requirement(cell) is value


def _table_pdf(path, heading, rows, zh=False):
    font = ZH_FONT if zh else "Helvetica"
    style = ParagraphStyle("b", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK" if zh else None)
    head = ParagraphStyle("h", parent=style, fontName=font if zh else "Helvetica-Bold", fontSize=14, leading=20)
    table = Table([[Paragraph(c, style) for c in r] for r in rows], colWidths=[220, 160])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black")]))
    intro = "入选标准第 1 条：" if zh else "Inclusion criterion 1: see the table below."
    SimpleDocTemplate(str(path), pagesize=A4).build([Paragraph(heading, head), Paragraph(intro, style), table])
    return read_protocol(path)


@pytest.mark.parametrize("zh", [False, True], ids=["en", "zh"])
def test_prior_therapy_table_rows_state_requirements_with_row_evidence(tmp_path, zh):
    rows = ([["既往治疗", "要求"], ["利妥昔单抗（抗CD20单抗）", "必需"], ["含蒽环类药物的方案", "不要求"],
             ["既往系统治疗线数", "至少两线"]] if zh else
            [["Prior therapy", "Requirement"], ["Rituximab or another anti-CD20 antibody", "Required"],
             ["Anthracycline-containing regimen", "Not required"], ["Prior lines of systemic therapy", "At least two"]])
    heading = "5.1 入选标准" if zh else "5.1 Inclusion Criteria"
    doc = _table_pdf(tmp_path / "prior.pdf", heading, rows, zh)
    facts = {f.kind: f for f in extract_facts(doc)}
    assert facts["requires_anti_cd20"].value is True
    assert facts["requires_anthracycline"].value is False
    assert facts["prior_lines_min"].value == 2
    row_lines = {ln.text: ln for ln in doc.lines if ln.is_table_row}
    for kind, row in (("requires_anti_cd20", rows[1]), ("requires_anthracycline", rows[2]),
                      ("prior_lines_min", rows[3])):
        line = row_lines[" | ".join(row)]
        assert (facts[kind].evidence.page, facts[kind].evidence.line) == (line.page, line.line_no)

    excl = _table_pdf(tmp_path / "excl.pdf", "5.2 排除标准" if zh else "5.2 Exclusion Criteria", rows, zh)
    assert not {f.kind for f in extract_facts(excl)} & {"requires_anti_cd20", "requires_anthracycline",
                                                          "prior_lines_min"}


# ------------------------------------------------------------------------------------------------ generator

def test_long_protocols_state_the_same_facts_as_short_ones():
    tables = 0
    for i in range(16):
        short, long = gen.build_protocol(i, seed=2), gen.build_protocol(i, seed=2, long=True)
        key = lambda p: sorted((f["kind"], str(f["value"])) for f in p.facts)  # noqa: E731
        assert key(long) == key(short), i
        assert long.expected == short.expected
        assert long.layout["long"] and not short.layout["long"]
        assert longform.PAGES_MIN <= long.layout["page_target"] <= longform.PAGES_MAX
        tables += long.layout["prior_table"]
        kinds = [b[0] for b in long.blocks]
        assert kinds[:3] == ["toc", "label", "grid"] and "refs" in kinds
        assert any(b[0] == "p" and len(b) == 3 for b in long.blocks)  # footnoted paragraphs
    assert tables >= 2


@pytest.mark.parametrize("index", [1, 4], ids=["en", "zh-traditional"])
def test_long_protocol_pdf_has_realistic_length_contents_and_footnotes(tmp_path, index):
    p = gen.build_protocol(index, seed=2, long=True)
    pdf = gen.render_pdf(p, tmp_path / "long.pdf")
    with pdfplumber.open(pdf) as doc:
        pages = len(doc.pages)
        contents = doc.pages[2].extract_text()
    assert 20 <= pages <= 80
    assert ". . . ." in contents  # dot leaders and page numbers
    read = read_protocol(pdf)
    assert sum(ln.is_footnote for ln in read.lines) >= 1
    assert p.layout["traditional"] == (index == 4)
    if index == 4:
        body = "".join(ln.text for ln in read.lines)
        assert "試驗" in body or "臨床" in body
        assert "入選標準" in body
