"""Statement facts on wording written for these tests (not the generator's templates), one sentence per
document, in both languages: synonyms, abbreviations, negation and section scope."""
from __future__ import annotations

import pytest

from guidelint.extract.facts import extract_facts
from guidelint.models import ProtocolDocument, ProtocolLine

ZH = {
    "inc": "5 研究人群 > 5.1 入选标准", "exc": "5 研究人群 > 5.2 排除标准", "design": "6 研究设计 > 6.1 总体设计",
    "bg": "1 研究背景", "eff": "7 研究流程 > 7.2 疗效评估", "fu": "7 研究流程 > 7.3 随访",
    "ae": "8 安全性评价 > 8.1 不良事件", "risk": "8 安全性评价 > 8.3 风险管理", "stat": "9 统计分析 > 9.1 样本量",
}
EN = {
    "inc": "5 STUDY POPULATION > 5.1 Inclusion Criteria", "exc": "5 STUDY POPULATION > 5.2 Exclusion Criteria",
    "design": "6 STUDY DESIGN > 6.1 Overall Design", "bg": "1 BACKGROUND", "eff": "7 PROCEDURES > 7.2 Efficacy Assessment",
    "fu": "7 PROCEDURES > 7.3 Follow-up", "ae": "8 SAFETY > 8.1 Adverse Events",
    "risk": "8 SAFETY > 8.3 Risk Management", "stat": "9 STATISTICS > 9.1 Sample Size",
}


def facts_of(section: str, text: str, lang: str) -> set:
    line = ProtocolLine(page=3, line_no=7, text=text, bbox=(72, 100, 500, 112), section=section)
    doc = ProtocolDocument(path="t.pdf", sha256="0" * 64, pages=3, language=lang, lines=(line,))
    return {(f.kind, f.value) for f in extract_facts(doc)}


CASES_ZH = [
    ("risk", "各研究中心应具备重症医学科的支持，必要时可将受试者及时转入ICU。", ("icu_access", True)),
    ("risk", "本研究不要求研究中心具备ICU。", ("icu_access", False)),
    ("risk", "每例受试者回输前须备妥至少2剂托珠单抗。", ("tocilizumab_available", True)),
    ("risk", "所有参与本研究的研究者在启动前均须接受CRS及ICANS识别与处理的专项培训。", ("investigator_training", True)),
    ("risk", "细胞因子释放综合征的分级参照ASTCT 2019共识标准。", ("crs_grading_system", "ASTCT_2019")),
    ("risk", "本研究不设立数据安全监查委员会。", ("safety_committee", False)),
    ("risk", "研究中心须具有CAR-T细胞治疗经验。", ("site_cart_experience_required", True)),
    ("risk", "如发现继发性T细胞恶性肿瘤，申办方将增加随访频率并延长随访期限。", ("secondary_tcell_escalation_plan", True)),
    ("risk", "将继发性T细胞肿瘤的发生率与一般人群背景发生率进行比较。", ("secondary_tcell_population_analysis", True)),
    ("ae", "不良事件的收集自受试者签署知情同意书开始。", ("ae_collection_start", "informed_consent")),
    ("stat", "若ORR的双侧95%置信区间下限高于30%，则认为达到主要研究目的。", ("ci_lower_bound_criterion", True)),
    ("stat", "将按是否接受桥接治疗进行亚组分析。", ("bridging_stratified_analysis", True)),
    ("inc", "不适合接受自体造血干细胞移植的患者。", ("transplant_eligibility", "ineligible_required")),
    ("inc", "既往接受过BTK抑制剂（如伊布替尼）治疗。", ("requires_btki", True)),
    ("inc", "首次完全缓解后12个月内复发。", ("ball_rr_category", "early_first_relapse")),
    ("inc", "无其他有效的标准治疗可选。", ("no_effective_therapy_required", True)),
    ("inc", "目前没有可选的标准治疗方案。", ("no_effective_therapy_required", True)),
    ("exc", "既往接受过任何CAR-T细胞治疗者。", ("prior_cart_required", False)),
    ("eff", "MRD采用二代测序（NGS）方法检测，灵敏度为10^-6。", ("mrd_method", "NGS")),
    ("eff", "无进展生存期定义为自随机化至疾病进展或任何原因死亡的时间。", ("pfs_start", "randomization")),
    ("eff", "疗效评估采用IMWG 2016标准。", ("response_criteria", "IMWG")),
    ("eff", "淋巴瘤疗效按照Lugano 2014标准评价。", ("response_criteria", "Lugano2014")),
    ("fu", "主要研究结束后，受试者将转入长期随访研究，随访至输注后15年。", ("survival_followup", True)),
    ("design", "对照组受试者在疾病进展后可交叉接受CAR-T细胞治疗。", ("crossover_allowed", True)),
    ("design", "本研究不允许交叉。", ("crossover_allowed", False)),
    ("design", "本研究为首次人体试验。", ("first_in_human", True)),
    ("design", "本研究将分别设立儿童队列和成人队列。", ("separate_age_cohorts", True)),
    ("bg", "本品在成人受试者中的I期研究显示安全性和耐受性良好。", ("prior_adult_data_cited", True)),
    ("bg", "本研究对本品的获益与风险进行了评估，包括CRS和神经毒性风险及现有治疗手段。", ("benefit_risk_assessment", True)),
]


@pytest.mark.parametrize("where,text,fact", CASES_ZH, ids=[c[2][0] + ":" + c[1][:12] for c in CASES_ZH])
def test_statement_fact_zh(where, text, fact):
    assert fact in facts_of(ZH[where], text, "zh")


def test_inclusion_only_statements_do_not_fire_elsewhere():
    # 无有效治疗 in the background describes the disease, not an eligibility requirement
    assert ("no_effective_therapy_required", True) not in facts_of(ZH["bg"], "复发难治患者目前缺乏有效治疗手段。", "zh")
    # a prior-CAR-T requirement under Exclusion Criteria means CAR-T-naive, never "required"
    assert ("prior_cart_required", True) not in facts_of(ZH["exc"], "既往接受过CAR-T细胞治疗者。", "zh")


@pytest.mark.parametrize("where,traditional,fact", [
    ("risk", "研究中心須具備重症監護病房（ICU）支持。", ("icu_access", True)),
    ("exc", "既往接受過任何CAR-T細胞治療者。", ("prior_cart_required", False)),
    ("ae", "不良事件的收集自受試者簽署知情同意書開始。", ("ae_collection_start", "informed_consent")),
])
def test_traditional_characters_read_like_simplified(where, traditional, fact):
    assert fact in facts_of(ZH[where], traditional, "zh")


def test_evidence_quotes_traditional_text_as_printed():
    line = ProtocolLine(page=2, line_no=4, text="研究中心須具備重症監護病房（ICU）支持。", bbox=(72, 100, 500, 112),
                        section=ZH["risk"])
    doc = ProtocolDocument(path="t.pdf", sha256="0" * 64, pages=2, language="zh", lines=(line,))
    fact = next(f for f in extract_facts(doc) if f.kind == "icu_access")
    assert fact.evidence.text == "研究中心須具備重症監護病房（ICU）支持。"
