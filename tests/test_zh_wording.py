"""Chinese wording families the extractor generalises to (own sentences, not the generator's templates):
synonyms and long forms, token patterns with optional words, label-then-verdict and backward negation
(不得用于, 不设, 不限, 可未使用), double negatives (不排除, 不因…而排除, 不限制), Chinese numerals and ranges.
Each family has a positive and a negative (or scope) case; a few are in traditional characters."""
from __future__ import annotations

import pytest

from guidelint.extract.facts import extract_facts
from guidelint.models import ProtocolDocument, ProtocolLine

S = {
    "inc": "5 研究人群 > 5.1 入选标准", "exc": "5 研究人群 > 5.2 排除标准", "design": "6 研究设计 > 6.1 总体设计",
    "bridge": "6 研究设计 > 6.3 桥接治疗", "obj": "2 研究目的", "ep": "4 研究终点 > 4.2 次要终点",
    "product": "3 研究产品", "eff": "7 研究流程 > 7.2 疗效评估", "visit": "7 研究流程 > 7.1 访视计划",
    "fu": "7 研究流程 > 7.3 随访", "ae": "8 安全性评价 > 8.1 不良事件", "risk": "8 安全性评价 > 8.2 风险管理",
    "tcell": "8 安全性评价 > 8.3 继发恶性肿瘤", "stat": "9 统计分析 > 9.1 样本量", "bg": "1 研究背景",
}


def facts_of(section: str, text: str) -> set:
    line = ProtocolLine(page=3, line_no=7, text=text, bbox=(72, 100, 500, 112), section=S[section])
    doc = ProtocolDocument(path="t.pdf", sha256="0" * 64, pages=3, language="zh", lines=(line,))
    return {(f.kind, f.value) for f in extract_facts(doc)}


PRESENT = [
    # product: the long form of CAR-T and recognition verbs as targeting cues
    ("product", "本品为一种识别BCMA的嵌合抗原受体T细胞制剂。", ("cart_target", "BCMA")),
    ("product", "该制剂是针对CD20抗原的自体嵌合抗原受体修饰T细胞。", ("cart_target", "CD20")),
    ("product", "本品為一種識別CD19的嵌合抗原受體T細胞製劑。", ("cart_target", "CD19")),
    # objectives: an objective verb opens the sentence, or "本研究亦将初步评价…"
    ("obj", "评价该细胞制剂输注后的耐受性。", ("objective", "safety")),
    ("obj", "本试验亦将初步评估其临床疗效。", ("objective", "preliminary_efficacy")),
    ("obj", "明确CAR-T细胞扩增与持久性的动力学特征。", ("objective", "pk_pd")),
    # tocilizumab stocked: the drug and a stocking verb anywhere in the sentence
    ("risk", "研究中心应为每名受试者常备托珠单抗不少于两剂。", ("tocilizumab_available", True)),
    ("risk", "研究中心無需為受試者儲備托珠單抗。", ("tocilizumab_available", False)),
    # secondary endpoints written as "CR比例" / "MRD阴性缓解率"
    ("ep", "次要终点另含CR比例及MRD阴性患者比例。", ("secondary_endpoint", "CRR")),
    ("ep", "次要终点另含CR比例及MRD阴性患者比例。", ("secondary_endpoint", "MRD")),
    # risks: hypogammaglobulinaemia by its lab value, cytopenia by its cell lines
    ("risk", "血清IgG低于4 g/L者给予丙种球蛋白替代。", ("safety_risk_managed", "hypogammaglobulinemia")),
    ("risk", "输注后持续存在的血小板减少可给予TPO受体激动剂。", ("safety_risk_managed", "prolonged_cytopenia")),
    # AE collection start: an event with a start cue
    ("ae", "AE记录起点为受试者接受单采之日。", ("ae_collection_start", "apheresis")),
    ("ae", "不良事件自細胞回輸開始收集。", ("ae_collection_start", "infusion")),
    # age with 满 / 不超过, Chinese numerals
    ("inc", "年满十八周岁且不超过六十五周岁。", ("age_max_years", 65.0)),
    # lines written as a range or "线数≥"
    ("inc", "既往治疗线数≥3。", ("prior_lines_min", 3)),
    ("inc", "既往接受过二线到四线系统治疗。", ("prior_lines_min", 2)),
    # transplant eligibility word orders
    ("inc", "受试者须具备接受自体造血干细胞移植的条件。", ("transplant_eligibility", "eligible_required")),
    ("inc", "研究不排除适合移植的患者。", ("transplant_eligibility", "eligible_allowed")),
    ("inc", "若既往未行ASCT，须经评估为移植不适合。", ("transplant_eligibility", "prior_asct_or_ineligible")),
    # same-target bridging: "X 不得用于桥接" (backward), "不限制同靶点药物" (allowed)
    ("bridge", "与本品靶点相同的双特异性抗体不得用于桥接治疗。", ("bridging_same_target_excluded", True)),
    ("bridge", "桥接方案不限制相同靶点药物的使用。", ("bridging_same_target_excluded", False)),
    # label-then-verdict
    ("fu", "长期生存随访：不设置。", ("survival_followup", False)),
    ("eff", "独立评审委员会：不设。", ("irc_assessment", False)),
    # requirement waived after the drug class
    ("inc", "既往须接受过蛋白酶体抑制剂，免疫调节剂治疗不是必需。", ("requires_imid", False)),
    ("inc", "既往须含利妥昔单抗，蒽环类药物是否使用不限。", ("requires_anthracycline", False)),
    ("inc", "不因既往使用过苯达莫司汀而排除受试者。", ("mcl_accepts_bendamustine", True)),
    # statistics families
    ("stat", "计划入组的例数可保证以90%的概率观察到发生率为2%的不良反应。", ("sample_size_safety_rationale", True)),
    ("stat", "若ORR双侧95%可信区间（Wilson法）的下限大于历史对照值，则判定成功。", ("ci_lower_bound_criterion", True)),
    ("stat", "疗效结果将按是否接受桥接治疗分层汇总。", ("bridging_stratified_analysis", True)),
    ("stat", "目标值参考了CAR-T治疗后复发患者接受现有疗法的缓解率。", ("target_value_basis", "post_cart_therapy")),
    # control arm: refractoriness ruled out in other words
    ("design", "对照方案中不得含有受试者已耐药的药物。", ("control_not_refractory_rule", True)),
    ("design", "研究者应避开受试者已耐药的药物来选定对照组方案。", ("control_not_refractory_rule", True)),
    ("design", "对照组出现疾病进展后可转组接受本品治疗。", ("crossover_allowed", True)),
    ("design", "本研究不允许在对照组疾病进展后接受本品。", ("crossover_allowed", False)),
    # definitions, history, escalation, experience, rationale
    ("inc", "本方案中“复发”系指获得缓解后疾病再次出现。", ("rr_definition_present", True)),
    ("visit", "既往抗肿瘤治疗须在筛选期逐项记录。", ("prior_treatment_history_collected", True)),
    ("tcell", "如发生继发性T细胞淋巴瘤，所有受试者的随访将相应加强。", ("secondary_tcell_escalation_plan", True)),
    ("risk", "参研医疗机构应开展过CAR-T细胞治疗。", ("site_cart_experience_required", True)),
    ("ep", "选用该主要终点是因为它可较早反映治疗效果。", ("primary_endpoint_rationale", True)),
    ("inc", "对既往治疗作出上述限定，是为了保证受试者已获得标准治疗。", ("prior_therapy_rationale_stated", True)),
    ("inc", "未检出BCR-ABL1融合基因。", ("ph_positive_eligible", False)),
    ("inc", "在首次缓解后一年以内出现复发。", ("ball_rr_category", "early_first_relapse")),
    ("bridge", "桥接用药不受抗原靶点限制。", ("bridging_same_target_excluded", False)),
    ("design", "受试者先行随机分组，随后接受挽救化疗。", ("randomization_timing", "before_salvage")),
    # round 3: inclusive marks in age ranges, "N种或更多种", enumerated lines count from the first
    ("inc", "年龄12周岁（含）～30周岁（含）。", ("age_min_years", 12.0)),
    ("inc", "年龄12周岁（含）～30周岁（含）。", ("age_max_years", 30.0)),
    ("inc", "Ph+患者須已使用3種或更多種TKI且疾病進展。", ("prior_tki_min", 3)),
    ("inc", "受试者既往接受过二线、三线或四线系统治疗。", ("prior_lines_min", 2)),
    # any token carrying 培训; optimal-dose objectives; purpose clauses
    ("risk", "参研医护人员的岗前培训由申办方统一组织。", ("investigator_training", True)),
    ("obj", "确定该制剂的最适给药剂量为本研究主要目的。", ("objective", "dose_finding")),
    ("obj", "为评估本品的耐受情况，研究将系统收集不良事件。", ("objective", "safety")),
    # label-then-definition for r/r; Ph status by the fusion gene
    ("inc", "复发：获得CR后骨髓原始细胞再次超过5%。", ("rr_definition_present", True)),
    ("inc", "BCR-ABL1融合基因檢測結果為陰性。", ("ph_positive_eligible", False)),
    ("exc", "伴有BCR::ABL1融合基因的患者。", ("ph_positive_eligible", False)),
    ("inc", "經FISH檢測未檢出費城染色體。", ("ph_positive_eligible", False)),
    ("inc", "既往须接受过蛋白酶体抑制剂，抗CD38单抗暴露史未作规定。", ("requires_anti_cd38", False)),
    ("inc", "本研究对Ph染色体状态不作限制，Ph阳性者亦可入组。", ("ph_positive_eligible", True)),
    # no effective therapy with words between the negation and the therapy
    ("inc", "经评估已无可用的有效挽救治疗。", ("no_effective_therapy_required", True)),
    # B-ALL categories in other words
    ("inc", "首次诱导失败，即两个疗程诱导后仍未取得CR。", ("ball_rr_category", "primary_refractory")),
    ("inc", "复发次数：≥2次。", ("ball_rr_category", "second_or_later_relapse")),
    ("inc", "属于第二次或更晚的复发。", ("ball_rr_category", "second_or_later_relapse")),
    # backward waivers: 未作规定 / 不属于必备条件; 未设 as a forward negation; 非 negates the next term
    ("inc", "既往须接受过利妥昔单抗，蒽环类药物治疗不属于必备条件。", ("requires_anthracycline", False)),
    ("eff", "本研究未设立独立评审委员会。", ("irc_assessment", False)),
    ("design", "本试验为非确证性的早期临床研究。", ("confirmatory", False)),
    # label-then-verdict "不限" allows both
    ("inc", "移植适合性：不限（适合移植者亦可入组）。", ("transplant_eligibility", "eligible_allowed")),
    ("bridge", "桥接药物靶点限制：无。", ("bridging_same_target_excluded", False)),
    # rebaseline, AE window from consent, FIH, randomisation before salvage
    ("bridge", "清淋前须再次评估并确定新的疾病基线。", ("baseline_reassessed_before_ld", True)),
    ("ae", "受試者簽署知情同意書後出現的所有不良事件均須記錄。", ("ae_collection_start", "informed_consent")),
    ("design", "本品将在本研究中首次给药于人体。", ("first_in_human", True)),
    ("design", "随机化在挽救治疗启动前完成。", ("randomization_timing", "before_salvage")),
    # prior CAR-T as history (治疗史); prior ASCT by 曾行…移植
    ("exc", "既往CAR-T细胞输注史。", ("prior_cart_required", False)),
    ("inc", "曾行自体干细胞移植或经评估不适合移植。", ("transplant_eligibility", "prior_asct_or_ineligible")),
    # statistics: descriptive methods, safety exposure, post-CAR-T basis
    ("stat", "各剂量组数据不进行组间统计学检验。", ("statistical_hypothesis", "descriptive")),
    ("stat", "统计分析方法：描述性统计分析。", ("statistical_hypothesis", "descriptive")),
    ("stat", "从安全性观察的角度，该样本量可发现较少见的不良反应。", ("sample_size_safety_rationale", True)),
    ("stat", "入组人群既往已接受过CAR-T治疗，故目标值参照同类患者的历史缓解率设定。", ("target_value_basis", "post_cart_therapy")),
    # secondary T-cell malignancy: background rate, escalation, monitoring with 监测
    ("tcell", "申办方将把继发性T细胞肿瘤的发生率与一般人群的自然发生率进行比较。", ("secondary_tcell_population_analysis", True)),
    ("tcell", "一旦出现继发性T细胞肿瘤信号，将对全部受试者开展更密切的随访。", ("secondary_tcell_escalation_plan", True)),
    ("tcell", "全部受试者须长期监测继发恶性肿瘤。", ("secondary_malignancy_monitoring", True)),
    # benefit outweighs risk; cohorts split with both age groups named
    ("bg", "申办方综合评估后认为受试者参加本研究的获益超过风险。", ("benefit_risk_assessment", True)),
    ("design", "儿童受试者与成人受试者将分属不同队列。", ("separate_age_cohorts", True)),
    ("risk", "每例受试者回输前托珠单抗须确保可及（≥2剂）。", ("tocilizumab_available", True)),
]


@pytest.mark.parametrize("section,text,fact", PRESENT)
def test_wording_states_fact(section, text, fact):
    assert fact in facts_of(section, text)


ABSENT = [
    # "最近一线" is one line, not a count
    ("inc", "难治指对最近一线治疗未获得部分缓解。", "prior_lines_min"),
    # "before CAR-T" is a time point, not a prior CAR-T requirement
    ("inc", "受试者在接受CAR-T细胞治疗前须完成标准治疗。", "prior_cart_required"),
    # an endpoint sentence is not an objective
    ("ep", "本研究将评估下列次要终点：不良事件发生率及安全性。", "objective"),
    # "已识别风险" names risks; it does not manage them
    ("risk", "本品的主要已识别风险有感染及出血。", "safety_risk_managed"),
    # a reaction after infusion is not a collection start
    ("ae", "回输本品后可能出现的不良反应包括发热。", "ae_collection_start"),
    # a prohibition names no permitted bridging regimen
    ("bridge", "本研究不允许桥接治疗，回输前不得接受化疗或放疗。", "bridging_regimens_specified"),
    # a null hypothesis about a hazard ratio is no target value
    ("stat", "H0为HR≥1，H1为HR<1。", "target_value_method"),
    # a cohort split without age groups says nothing about age cohorts
    ("design", "不同剂量组的受试者将被独立分析。", "separate_age_cohorts"),
    # "获益大于风险" for children is the paediatric justification, not the trial's benefit-risk assessment
    ("bg", "申办方认为儿童受试者参加本研究的潜在获益大于风险。", "benefit_risk_assessment"),
]


@pytest.mark.parametrize("section,text,kind", ABSENT)
def test_wording_states_nothing(section, text, kind):
    assert not any(k == kind for k, _ in facts_of(section, text))


def test_negated_target_value_basis_keeps_one_value():
    """Existing therapy after CAR-T failure is the post-CAR-T basis, not also "existing" and "approved CAR-T"."""
    got = {v for k, v in facts_of("stat", "预设疗效水平依据已上市CAR-T产品治疗失败人群中现有疗法的结局确定。") if k == "target_value_basis"}
    assert got == {"post_cart_therapy"}


def test_exclusion_scope_inverts_cd38():
    assert ("requires_anti_cd38", False) in facts_of("exc", "既往曾接受以CD38为靶点的单克隆抗体治疗。")
