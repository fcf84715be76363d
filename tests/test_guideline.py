"""Guideline ingest: the text copy and a margin-numbered PDF of it must give the same lines."""
import re
import shutil
from pathlib import Path

import pytest

from guidelint.corpus import guideline_pdf
from guidelint.corpus.guideline_pdf import write_guideline_pdf
from guidelint.extract import guideline as gl
from guidelint.extract.guideline import (
    GuidelineError,
    format_lines,
    load_default,
    load_guideline,
    load_guideline_pdf,
    load_guideline_text,
)

GUIDELINES = Path(gl.__file__).resolve().parent.parent / "corpus" / "guidelines"
TXT = GUIDELINES / "cde-cart-heme-2024-draft.txt"
META = GUIDELINES / "cde-cart-heme-2024-draft.yaml"
SHA256 = "70cb22684cd1d37221f8c696febf814b70b6cdffa52fc6ab6675cd4f8c6b1d91"
TITLE = "嵌合抗原受体T细胞治疗淋巴血液系统恶性肿瘤临床试验技术指导原则（征求意见稿）"
# clauses.md, POP-PRIOR-BALL-PH-TKI, lines 89-92
PH_TKI_QUOTE = ("对于费城染色体阳性（Ph+）的受试者，参加临床试验前应至少接受过两种酪氨酸激酶抑制剂"
                "（Tyrosine kinase inhibitors, TKI）药物治疗后复发或难治，或者不耐受 TKI 类药物治疗。")


def _rows(g):
    return [(ln.number, ln.text, ln.section) for ln in g.lines]


@pytest.fixture(scope="session")
def text_gl():
    return load_guideline_text(TXT)


@pytest.fixture(scope="session")
def pdf_path(tmp_path_factory):
    return write_guideline_pdf(TXT, tmp_path_factory.mktemp("pdf") / "cde-cart-heme-2024-draft.pdf")


@pytest.fixture(scope="session")
def pdf_gl(pdf_path):
    return load_guideline_pdf(pdf_path)


def test_numbers_run_22_to_394_without_gaps(text_gl):
    numbers = [ln.number for ln in text_gl.lines if ln.number is not None]
    assert numbers == list(range(22, 395))
    assert (text_gl.first_number, text_gl.last_number) == (22, 394)
    assert text_gl.range_exists(22, 394) and not text_gl.range_exists(21, 30) and not text_gl.range_exists(9, 8)


def test_line_text_is_printed_text_after_the_number(text_gl):
    assert text_gl.line(85).text == "● 复发或难治性急性 B-ALL 通常至少包括首次缓解后"
    assert text_gl.line(86).text == "12 个月内复发；标准化疗方案 2 个周期未达到完全"
    assert text_gl.line(364).text == "[1] 国家药品监督管理局药品审评中心，免疫细胞治疗产品临床试"
    assert text_gl.line(394).text == "2727. 2021. 12. 002."


def test_quote_joins_lines_without_separator(text_gl):
    quote = text_gl.text(89, 92)
    # The range starts and ends mid-sentence, so the clause quote is a part of it, verbatim.
    assert PH_TKI_QUOTE in quote
    assert quote.startswith("后复发等。对于") and quote.endswith("申办方可能")
    assert re.sub(r"\s", "", PH_TKI_QUOTE) in re.sub(r"\s", "", quote)


def test_quote_drops_bullet_and_spaces_only_latin_joins(text_gl):
    assert text_gl.text(85, 86).startswith("复发或难治性急性 B-ALL 通常至少包括首次缓解后12 个月内复发")
    assert "Biological Products" in text_gl.text(382, 383)
    assert "receptor -Natural" in text_gl.text(46, 47)  # '-' is not a letter: no space added
    with pytest.raises(ValueError, match="not a range"):
        text_gl.text(390, 400)


@pytest.mark.parametrize("n, section", [
    (22, "一、 > (一)"),
    (35, "一、 > (二)"),
    (54, "二、"),
    (90, "二、 > (一) > 2."),
    (133, "二、 > (二) > 1."),
    (190, "二、 > (三)"),
    (320, "二、 > (四) > 3."),
    (330, "三、"),
    (364, "参考文献"),
    (394, "参考文献"),
])
def test_section_paths(text_gl, n, section):
    assert text_gl.section_of(n) == section


def test_section_title_path(text_gl):
    assert text_gl.section_title_of(90) == "二、临床试验设计中的考虑 > (一) 试验人群 > 2. 受试者既往治疗"
    assert text_gl.section_title_of(185) == "二、临床试验设计中的考虑 > (三) 桥接治疗"


def test_front_matter(text_gl):
    front = [ln for ln in text_gl.lines if ln.number is None]
    assert front == list(text_gl.lines[:len(front)])  # front matter comes first
    texts = [ln.text for ln in front]
    assert texts[:3] == ["嵌合抗原受体 T 细胞治疗淋巴血液系统恶性肿瘤", "临床试验技术指导原则", "(征求意见稿)"]
    assert "2024 年 7 月" in texts  # digit-led, yet not printed line 2024
    assert texts[-1].startswith("近年来") and texts[-1].endswith("有必要根据临")
    # The contents list looks like headings but opens no section.
    toc = [ln for ln in front if "....." in ln.text]
    assert len(toc) == 17 and all(ln.section == "" for ln in toc)
    assert {ln.text: ln.section for ln in front}["一、概述"] == "一、"
    assert front[-1].section == "一、 > (一)"


def test_pdf_ingest_is_identical_to_text(text_gl, pdf_gl):
    assert _rows(pdf_gl) == _rows(text_gl)
    assert pdf_gl.text(89, 92) == text_gl.text(89, 92)
    assert pdf_gl.sha256 != text_gl.sha256  # hashes the PDF bytes


def test_pdf_keeps_digit_led_body_and_pages(pdf_gl):
    assert pdf_gl.line(86).text == "12 个月内复发；标准化疗方案 2 个周期未达到完全"
    assert all(ln.page for ln in pdf_gl.lines)
    pages = [ln.page for ln in pdf_gl.lines]
    assert pages == sorted(pages) and pages[-1] > 10
    assert not any(re.fullmatch(r"- ?\d+ ?-", ln.text) for ln in pdf_gl.lines)  # page footers dropped


def test_pdf_reader_does_not_depend_on_the_layout(tmp_path, monkeypatch, text_gl):
    # Other margins: the body edge is found from the data. 18 lines a page: the first front-matter
    # paragraph then wraps across a page break and must still be rejoined.
    monkeypatch.setattr(guideline_pdf, "NUMBER_RIGHT", 95)
    monkeypatch.setattr(guideline_pdf, "BODY_X", 104)
    monkeypatch.setattr(guideline_pdf, "LINES_PER_PAGE", 18)
    shifted = write_guideline_pdf(TXT, tmp_path / "shifted.pdf")
    assert _rows(load_guideline_pdf(shifted)) == _rows(text_gl)


def test_format_lines(text_gl):
    out = format_lines(text_gl, 85, 97).splitlines()
    assert out[0] == "cde-cart-heme-2024-draft  二、临床试验设计中的考虑 > (一) 试验人群 > 2. 受试者既往治疗"
    assert len(out) == 14
    assert out[1] == "85  二、 > (一) > 2.  ● 复发或难治性急性 B-ALL 通常至少包括首次缓解后"
    assert format_lines(text_gl, 364, 364).splitlines()[1] == "364  参考文献  [1] 国家药品监督管理局药品审评中心，免疫细胞治疗产品临床试"
    for a, b in [(20, 23), (390, 400), (97, 85)]:
        with pytest.raises(ValueError, match="22-394"):
            format_lines(text_gl, a, b)


def test_load_default_uses_metadata():
    g = load_default()
    assert (g.id, g.title, g.sha256) == ("cde-cart-heme-2024-draft", TITLE, SHA256)
    assert g.line(85).text.startswith("● 复发或难治性")


def test_load_default_rejects_changed_text(tmp_path, monkeypatch):
    folder = tmp_path / "guidelines"
    folder.mkdir()
    shutil.copy(META, folder)
    (folder / TXT.name).write_bytes(TXT.read_bytes().replace("申办方".encode(), "申请人".encode(), 1))
    monkeypatch.setattr(gl.resources, "files", lambda package: tmp_path)
    with pytest.raises(GuidelineError, match="sha256 .* does not match " + SHA256):
        load_default()


def test_load_guideline_sidecar_and_dispatch(tmp_path, pdf_path):
    txt = tmp_path / TXT.name
    shutil.copy(TXT, txt)
    bare = load_guideline(txt)  # no sidecar: id from the file name, title from the first line
    assert (bare.id, bare.title) == ("cde-cart-heme-2024-draft", "嵌合抗原受体 T 细胞治疗淋巴血液系统恶性肿瘤")
    shutil.copy(META, tmp_path)
    assert load_guideline(txt).title == TITLE
    # The sidecar describes the .txt, so a same-stem PDF takes its id and title but not its hash.
    pdf = shutil.copy(pdf_path, tmp_path)
    assert load_guideline(pdf).title == TITLE
    txt.write_bytes(txt.read_bytes() + b"\n")
    with pytest.raises(GuidelineError, match="does not match"):
        load_guideline(txt)
    with pytest.raises(GuidelineError, match="unsupported"):
        load_guideline(tmp_path / "x.docx")


@pytest.mark.parametrize("content, reason", [
    (b"", "empty"),
    (b"title\n\n22 a\n23 b\n25 c\n24 d\n", "must increase: 24 follows 25"),
    (b"title\n\n22 a\n23 b\nno number here\n", "no printed line number"),
    (b"title only\n", "no printed line numbers"),
    (b"\xff\xfe22 a\n", "not UTF-8"),
])
def test_malformed_text_is_rejected(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(GuidelineError, match=re.escape(reason)) as err:
        load_guideline_text(path)
    assert str(err.value).startswith(f"{path}: ")


def test_unreadable_inputs(tmp_path):
    with pytest.raises(GuidelineError, match="cannot read"):
        load_guideline_text(tmp_path / "missing.txt")
    bad_pdf = tmp_path / "bad.pdf"
    bad_pdf.write_bytes(b"%PDF-1.4 this is not a pdf")
    with pytest.raises(GuidelineError, match="cannot read PDF"):
        load_guideline_pdf(bad_pdf)
