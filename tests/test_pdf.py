"""Protocol PDF ingest: running heads dropped by repetition, section paths in both languages, errors."""
from __future__ import annotations

import hashlib

import pytest

from guidelint.extract.pdf import ProtocolReadError, read_protocol, section_kind

from pdf_fixtures import (
    EN_FOOTERS,
    EN_HEADER,
    en_protocol,
    encrypted_pdf,
    image_only_pdf,
    not_a_pdf,
    truncated_pdf,
    write_protocol_pdf,
    zh_protocol,
)

A4_HEIGHT = 841.89


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("protocols")
    return {(lang, styled): read_protocol(make(folder / f"{lang}-{styled}.pdf", styled=styled))
            for lang, make in (("zh", zh_protocol), ("en", en_protocol)) for styled in (True, False)}


def headings(doc):
    return [ln.text for ln in doc.lines if ln.is_heading]


def line(doc, text):
    return next(ln for ln in doc.lines if ln.text == text)


# ------------------------------------------------------------------------------------ running heads


def test_zh_running_header_and_page_footer_dropped(built):
    doc = built["zh", True]
    assert doc.dropped == ("XYZ-# 临床研究方案 版本 #.#", "第 # 页 共 # 页")
    assert not any("临床研究方案 版本" in ln.text or "页 共" in ln.text for ln in doc.lines)


def test_en_running_header_and_footers_dropped(built):
    doc = built["en", True]
    assert set(doc.dropped) == {"XYZ-# Clinical Study Protocol Version #.#", "Confidential", "Page # of #"}
    assert not any(ln.text in ("Confidential",) or ln.text.startswith(("Page ", "XYZ-001 Clinical"))
                   for ln in doc.lines)


def test_body_line_in_the_band_once_is_kept(built):
    doc = built["zh", True]
    title = doc.lines[0]
    assert title.text == "XYZ-001 CAR-T 细胞治疗复发难治 B 细胞淋巴瘤的临床研究"
    assert title.bbox[1] < 0.1 * A4_HEIGHT  # it sat where running headers sit, but only once


def test_line_resembling_the_footer_on_one_page_is_kept(tmp_path):
    pages = [[("body", f"Body text of page {n}.")] * 6 for n in (1, 2, 3)]
    pages[1] = pages[1][:5] + [("body", "Confidential information is handled under SOP-12.")]
    doc = read_protocol(write_protocol_pdf(tmp_path / "p.pdf", pages, header=EN_HEADER, footer=EN_FOOTERS))
    assert "Confidential information is handled under SOP-12." in [ln.text for ln in doc.lines]
    assert "Confidential" in doc.dropped


@pytest.mark.parametrize("footer", ["{page}", "- {page} -", "第 {page} 页", "第 {page} 页 共 {pages} 页",
                                    "Page {page} of {pages}", "{page}/{pages}"])
def test_bare_page_number_dropped_on_a_one_page_document(tmp_path, footer):
    rows = [("body", "本研究为单臂、开放性临床试验。")] * 6
    doc = read_protocol(write_protocol_pdf(tmp_path / "one.pdf", [rows], footer=footer))
    assert [ln.text for ln in doc.lines] == ["本研究为单臂、开放性临床试验。"] * 6
    assert len(doc.dropped) == 1


def test_number_alone_in_the_body_is_kept(tmp_path):
    rows = [("body", "剂量递增阶段的剂量组数为：")] * 3 + [("body", "3")] + [("body", "本研究为开放性试验。")] * 3
    doc = read_protocol(write_protocol_pdf(tmp_path / "n.pdf", [rows], footer="- {page} -"))
    assert "3" in [ln.text for ln in doc.lines]


def test_line_numbers_count_body_lines_per_page(built):
    doc = built["zh", True]
    page2 = [ln for ln in doc.lines if ln.page == 2]
    assert [ln.line_no for ln in page2] == list(range(1, len(page2) + 1))
    assert page2[0].text == "第五章 研究人群"  # the running header above it is not counted
    assert [ln.page for ln in doc.lines] == sorted(ln.page for ln in doc.lines)
    assert doc.pages == 4


def test_bbox_present_and_on_the_page(built):
    for ln in built["en", True].lines:
        x0, top, x1, bottom = ln.bbox
        assert 0 <= x0 < x1 <= 595.3 and 0 <= top < bottom <= A4_HEIGHT


def test_sha256_is_of_the_file_bytes(tmp_path):
    path = en_protocol(tmp_path / "en.pdf")
    assert read_protocol(path).sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------------------------------ sections


@pytest.mark.parametrize("styled", [True, False], ids=["styled", "plain"])
def test_zh_headings(built, styled):
    assert headings(built["zh", styled]) == [
        "一、研究背景", "（一）疾病概况", "第五章 研究人群", "5.1 入选标准", "5.2 排除标准",
        "第六章 治疗方案", "(一) 桥接治疗", "(二) 清淋预处理",
        "第七章 安全性评价", "7.1 不良事件", "1. 细胞因子释放综合征", "2. 神经毒性"]


@pytest.mark.parametrize("styled", [True, False], ids=["styled", "plain"])
def test_en_headings(built, styled):
    assert headings(built["en", styled]) == [
        "3 STUDY DESIGN", "3.1 Overall Design", "3.1.2 Bridging therapy", "5 STUDY POPULATION",
        "5.1 Inclusion Criteria", "5.2 Exclusion Criteria", "6 SAFETY"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_criteria_list_items_are_body(built, lang):
    doc = built[lang, True]
    items = [ln for ln in doc.lines if ln.text[:2] in ("1.", "2.", "3.") and section_kind(ln.section)
             in ("inclusion", "exclusion")]
    assert len(items) >= 4 and not any(ln.is_heading for ln in items)


def test_zh_section_paths(built):
    doc = built["zh", True]
    assert line(doc, "1. 既往接受过 CAR-T 细胞治疗；").section == "第五章 研究人群 > 5.2 排除标准"
    assert line(doc, "3. 签署知情同意书").section == "第五章 研究人群 > 5.1 入选标准"
    assert line(doc, "单采后至清淋预处理前允许桥接治疗。").section == "第六章 治疗方案 > (一) 桥接治疗"
    # A chapter closes the 一、 outline before it; a heading's section is its own path.
    assert line(doc, "第五章 研究人群").section == "第五章 研究人群"
    assert line(doc, "CRS 按 ASTCT 共识标准分级。").section == \
        "第七章 安全性评价 > 7.1 不良事件 > 1. 细胞因子释放综合征"
    # "2.5 mg/kg" starts a quantity, not section 2.5.
    assert not line(doc, "2.5 mg/kg 剂量组的受试者需额外监测").is_heading


def test_en_section_paths_and_kinds(built):
    doc = built["en", False]
    criterion = line(doc, "1. Prior CAR-T therapy;")
    assert criterion.section == "5 STUDY POPULATION > 5.2 Exclusion Criteria"
    assert section_kind(criterion.section) == "exclusion"
    assert section_kind(line(doc, "2. Signed informed consent").section) == "inclusion"
    bridging = line(doc, "Bridging therapy is permitted between leukapheresis and lymphodepletion.")
    assert bridging.section == "3 STUDY DESIGN > 3.1 Overall Design > 3.1.2 Bridging therapy"
    assert section_kind(bridging.section) == "bridging"
    assert line(doc, "Cytokine release syndrome is graded by ASTCT consensus criteria.").section == "6 SAFETY"


def test_unnumbered_criteria_labels(tmp_path):
    pages = [[("h1", "第五章 研究人群"), ("body", "入选标准："), ("body", "1. 年龄 18-75 岁；"),
              ("body", "2. ECOG 评分 0-1 分；"), ("body", "排除标准"), ("body", "1. 既往接受过 CAR-T 细胞治疗；")],
             [("h1", "6 STUDY POPULATION"), ("body", "Inclusion Criteria"), ("body", "1. Age 18 to 75 years;"),
              ("body", "Exclusion Criteria:"), ("body", "1. Prior CAR-T therapy;")]]
    doc = read_protocol(write_protocol_pdf(tmp_path / "labels.pdf", pages))
    assert line(doc, "2. ECOG 评分 0-1 分；").section == "第五章 研究人群 > 入选标准："
    assert line(doc, "1. 既往接受过 CAR-T 细胞治疗；").section == "第五章 研究人群 > 排除标准"
    assert line(doc, "1. Age 18 to 75 years;").section == "6 STUDY POPULATION > Inclusion Criteria"
    assert section_kind(line(doc, "1. Prior CAR-T therapy;").section) == "exclusion"


def test_short_list_items_without_punctuation_are_body_in_a_plain_document(tmp_path):
    rows = [("body", "5.1 入选标准"), ("body", "1. 签署知情同意书"), ("body", "2. 预计生存期超过 3 个月"),
            ("body", "5.2 排除标准"), ("body", "1. 妊娠或哺乳期妇女")]
    doc = read_protocol(write_protocol_pdf(tmp_path / "plain.pdf", [rows], styled=False))
    assert headings(doc) == ["5.1 入选标准", "5.2 排除标准"]


def test_bold_single_level_heading_vs_plain_list_item(tmp_path):
    rows = [("h1", "5 研究人群"), ("body", "受试者须满足以下全部条件。"),
            ("h3", "1. 受试者年龄"), ("body", "1. 签署知情同意书"), ("body", "2. 年龄 18-75 岁"),
            ("h3", "2. 既往治疗"), ("body", "至少接受过二线治疗。")]
    doc = read_protocol(write_protocol_pdf(tmp_path / "single.pdf", [rows]))
    assert headings(doc) == ["5 研究人群", "1. 受试者年龄", "2. 既往治疗"]
    assert line(doc, "2. 年龄 18-75 岁").section == "5 研究人群 > 1. 受试者年龄"


@pytest.mark.parametrize("section, kind", [
    ("5 研究人群 > 5.2 排除标准", "exclusion"),
    ("第五章 受试者选择 > 不入选标准", "exclusion"),  # the longest cue wins over 入选标准
    ("5 STUDY POPULATION > 5.1 Inclusion Criteria", "inclusion"),
    ("6 SAFETY > 6.3 Overview", "safety"),  # the last component with a cue decides
    ("方案摘要", "synopsis"),
    ("9 STATISTICAL CONSIDERATIONS > 9.2 Sample Size", "statistics"),
    ("第六章 治疗方案 > (二) 清淋预处理", "lymphodepletion"),
    ("7 Prior and Concomitant Therapy", "concomitant"),
    ("10 Long-term Follow-up", "follow_up"),
    ("Appendix 1 Schedule of Assessments", "schedule"),
    ("5 STUDY POPULATION", None),
    ("Asterisked items", None),  # "Risk" must start a word
    ("", None),
])
def test_section_kind(section, kind):
    assert section_kind(section) == kind


# ------------------------------------------------------------------------------------------ language


def test_language_zh_and_en(built):
    assert built["zh", True].language == "zh"  # despite CAR-T, CD19, ORR, CTCAE, ASTCT
    assert built["en", True].language == "en"


def test_language_mixed(tmp_path):
    rows = [("body", "Patients must have relapsed or refractory large B-cell lymphoma.")] * 4 + \
           [("body", "受试者须为复发或难治性大 B 细胞淋巴瘤。")] * 2
    assert read_protocol(write_protocol_pdf(tmp_path / "mixed.pdf", [rows])).language == "mixed"


# -------------------------------------------------------------------------------------------- errors


def _error(path, **kwargs) -> ProtocolReadError:
    with pytest.raises(ProtocolReadError) as info:
        read_protocol(path, **kwargs)
    exc = info.value
    assert "\n" not in str(exc) and path.name in str(exc) and str(exc) == f"{path}: {exc.reason}"
    assert exc.path == str(path)
    return exc


@pytest.mark.parametrize("make, status, reason", [
    (lambda p: None, "error", "file not found"),
    (lambda p: p.write_bytes(b""), "error", "empty file (0 bytes)"),
    (not_a_pdf, "error", "not a PDF"),
    (truncated_pdf, "error", "corrupt or truncated"),
    (encrypted_pdf, "error", "password"),
    (image_only_pdf, "needs_ocr", "no text layer (image-only PDF?); OCR is not supported"),
], ids=["missing", "empty", "not-pdf", "truncated", "encrypted", "image-only"])
def test_errors(tmp_path, make, status, reason):
    path = tmp_path / "protocol.pdf"
    make(path)
    exc = _error(path)
    assert exc.status == status and reason in exc.reason
    assert "Traceback" not in exc.reason


def test_too_many_pages(tmp_path):
    exc = _error(zh_protocol(tmp_path / "long.pdf"), max_pages=3)
    assert exc.status == "error" and exc.reason == "4 pages exceeds the limit of 3"
