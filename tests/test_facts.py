"""Fact extraction on protocol text: wording variants, numerals, negation and exclusion scope, both languages.

The sentences here are written for these tests; the generated-PDF tests exercise the generator's templates.
"""
from __future__ import annotations

import pytest

from guidelint.extract.facts import extract_facts
from guidelint.models import ProtocolDocument, ProtocolLine


def document(blocks, language="zh"):
    """blocks: [(section path, [line, ...]), ...] -> a ProtocolDocument as the PDF reader would give it."""
    lines, n = [], 0
    for section, texts in blocks:
        for text in texts:
            n += 1
            lines.append(ProtocolLine(page=1 + n // 30, line_no=n % 30 + 1, text=text, bbox=(72, 10.0 * n, 500, 10.0 * n + 9),
                                      section=section))
    return ProtocolDocument(path="t.pdf", sha256="0" * 64, pages=lines[-1].page, language=language, lines=tuple(lines))


def facts_of(blocks, language="zh"):
    return {(f.kind, f.value) for f in extract_facts(document(blocks, language))}


INC_ZH, EXC_ZH = "5 研究人群 > 5.1 入选标准", "5 研究人群 > 5.2 排除标准"
INC_EN, EXC_EN = "5 STUDY POPULATION > 5.1 Inclusion Criteria", "5 STUDY POPULATION > 5.2 Exclusion Criteria"


@pytest.mark.parametrize("text,expected", [
    ("3. Ph+患者须既往接受过至少两种酪氨酸激酶抑制剂治疗后复发或难治；", 2),
    ("3. 费城染色体阳性者：既往经2种及以上TKI治疗失败；", 2),
    ("3. Ph阳性患者既往接受过伊马替尼和达沙替尼治疗失败；", 2),
    ("3. Ph+患者既往至少接受过一种TKI治疗；", 1),
])
def test_prior_tki_count_zh(text, expected):
    got = facts_of([(INC_ZH, ["1. 复发或难治性B细胞急性淋巴细胞白血病；", text])])
    assert ("prior_tki_min", expected) in got
    assert ("ph_positive_eligible", True) in got
    assert ("indication", "B-ALL") in got


@pytest.mark.parametrize("text,expected", [
    ("2. Ph+ subjects must have failed two or more tyrosine kinase inhibitors.", 2),
    ("2. Philadelphia chromosome-positive patients must have received at least 2 prior TKIs.", 2),
    ("2. Ph-positive patients must have failed dasatinib and ponatinib.", 2),
])
def test_prior_tki_count_en(text, expected):
    got = facts_of([(INC_EN, ["1. Relapsed or refractory B-cell acute lymphoblastic leukemia.", text])], "en")
    assert ("prior_tki_min", expected) in got


@pytest.mark.parametrize("text,expected", [
    ("2. 既往接受过二线或以上系统性治疗后复发或难治；", 2),
    ("2. 既往至少接受过3线治疗；", 3),
    ("2. 既往接受过三线及以上治疗（含蛋白酶体抑制剂和免疫调节剂）；", 3),
    ("2. 一线治疗后复发或难治；", 1),
])
def test_prior_lines_zh(text, expected):
    assert ("prior_lines_min", expected) in facts_of([(INC_ZH, ["1. 弥漫大B细胞淋巴瘤；", text])])


@pytest.mark.parametrize("text,expected", [
    ("2. At least two prior lines of systemic therapy.", 2),
    ("2. Received three or more prior lines of therapy.", 3),
    ("2. Relapsed or refractory after ≥3 prior regimens.", 3),
    ("2. Received 1-3 prior lines of therapy.", 1),
])
def test_prior_lines_en(text, expected):
    assert ("prior_lines_min", expected) in facts_of([(INC_EN, ["1. Multiple myeloma.", text])], "en")


def test_exclusion_scope_inverts_prior_therapy_zh():
    got = facts_of([(INC_ZH, ["1. 复发或难治性多发性骨髓瘤；", "2. 既往接受过硼替佐米和来那度胺治疗；"]),
                    (EXC_ZH, ["1. 既往接受过抗CD38单抗治疗者；"])])
    assert ("requires_pi", True) in got and ("requires_imid", True) in got
    assert ("requires_anti_cd38", False) in got and ("requires_anti_cd38", True) not in got


def test_exclusion_double_negative_means_required_zh():
    got = facts_of([(INC_ZH, ["1. 多发性骨髓瘤；"]), (EXC_ZH, ["1. 既往未接受过蛋白酶体抑制剂治疗者；"])])
    assert ("requires_pi", True) in got


def test_negated_requirement_is_not_a_positive_fact_en():
    got = facts_of([(INC_EN, ["1. Multiple myeloma.", "2. Prior daratumumab is not required."])], "en")
    assert ("requires_anti_cd38", True) not in got
    assert ("requires_anti_cd38", False) in got


def test_regimen_acronym_carries_anthracycline_and_anti_cd20():
    got = facts_of([(INC_EN, ["1. Diffuse large B-cell lymphoma.", "2. Prior therapy must have included R-CHOP."])], "en")
    assert {("requires_anthracycline", True), ("requires_anti_cd20", True)} <= got


def test_pseudo_negation_does_not_negate():
    got = facts_of([(INC_ZH, ["1. 复发或难治性B细胞非霍奇金淋巴瘤，既往接受过蒽环类药物和利妥昔单抗治疗；"])])
    assert ("requires_anthracycline", True) in got and ("requires_anti_cd20", True) in got


@pytest.mark.parametrize("lines,lang,expected", [
    (["桥接治疗：不允许。"], "zh", "not_permitted"),
    (["本研究不允许进行桥接治疗。"], "zh", "not_permitted"),
    (["研究者可根据受试者病情给予桥接治疗。"], "zh", "permitted"),
    (["Bridging therapy is not permitted."], "en", "not_permitted"),
    (["Bridging therapy may be given at the discretion of the investigator."], "en", "permitted"),
])
def test_bridging_permission(lines, lang, expected):
    section = "6 研究设计 > 6.3 桥接治疗" if lang == "zh" else "6 STUDY DESIGN > 6.3 Bridging Therapy"
    got = facts_of([(section, lines)], lang)
    assert ("bridging_allowed", expected) in got
    assert len({v for k, v in got if k == "bridging_allowed"}) == 1


@pytest.mark.parametrize("line,lang,days", [
    ("桥接治疗末次给药至清淋预处理开始应间隔至少14天。", "zh", 14),
    ("桥接治疗应在清淋预处理前两周结束。", "zh", 14),
    ("The last dose of bridging therapy must be at least 7 days before lymphodepletion.", "en", 7),
    ("A washout of 2 weeks is required between bridging therapy and lymphodepleting chemotherapy.", "en", 14),
])
def test_washout_durations(line, lang, days):
    section = "6 研究设计 > 6.3 桥接治疗" if lang == "zh" else "6 STUDY DESIGN > 6.3 Bridging Therapy"
    assert ("washout_days", days) in facts_of([(section, [line])], lang)


def test_same_target_restriction_is_not_a_bridging_prohibition():
    got = facts_of([("6 研究设计 > 6.3 桥接治疗", ["允许桥接治疗。", "桥接治疗中不得使用与本品同靶点的药物。"])])
    assert ("bridging_same_target_excluded", True) in got
    assert ("bridging_allowed", "permitted") in got and ("bridging_allowed", "not_permitted") not in got


def test_endpoint_timepoint_and_irc_zh():
    got = facts_of([("7 研究终点 > 7.1 主要终点", ["主要终点为回输后第3个月的客观缓解率（ORR），由独立评审委员会（IRC）评估。"])])
    assert {("primary_endpoint", "ORR"), ("primary_endpoint_timepoint_months", 3), ("irc_assessment", True)} <= got


def test_investigator_only_assessment_is_no_irc_en():
    got = facts_of([("7 ENDPOINTS > 7.1 Primary Endpoint",
                     ["The primary endpoint is progression-free survival, assessed by the investigators only."])], "en")
    assert ("primary_endpoint", "PFS") in got and ("irc_assessment", False) in got
    assert ("primary_endpoint", "OS") not in got


def test_risk_named_versus_managed():
    got = facts_of([("8 安全性评价 > 8.2 风险控制", ["CRS按ASTCT 2019共识分级，并给予托珠单抗处理。", "受试者可能出现神经毒性。"])])
    assert ("safety_risk_managed", "CRS") in got
    assert ("safety_risk", "neurotoxicity") in got and ("safety_risk_managed", "neurotoxicity") not in got


def test_design_and_age_range():
    got = facts_of([("1 方案摘要", ["本研究为单臂、开放、多中心的关键性Ⅱ期临床试验。"]),
                    (INC_ZH, ["1. 年龄18~70周岁（含）；"])])
    assert {("design", "single_arm"), ("confirmatory", True), ("trial_phase", "2"),
            ("age_min_years", 18), ("age_max_years", 70)} <= got


def test_evidence_points_at_the_line_that_holds_the_words():
    doc = document([(INC_ZH, ["2. 既往接受过蒽环类化疗，以及", "利妥昔单抗治疗；"])])
    cd20 = next(f for f in extract_facts(doc) if f.kind == "requires_anti_cd20")
    assert cd20.evidence.text == "利妥昔单抗治疗；"
    assert cd20.evidence.line == doc.lines[1].line_no


def test_domain_terms_stay_whole_in_jieba_segmentation():
    from guidelint.extract.nlp import get_nlp

    doc = get_nlp("zh")("既往接受过酪氨酸激酶抑制剂和蒽环类化疗，回输前进行清淋预处理，必要时给予桥接治疗。")
    tokens = [t.text for t in doc]
    for term in ("酪氨酸激酶抑制剂", "蒽环类", "清淋预处理", "桥接治疗"):
        assert any(term in token for token in tokens), f"{term} split: {tokens}"  # 蒽环类化疗 is one word too
