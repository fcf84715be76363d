"""Historical scope (what another study did is not what this protocol does) and the central laboratory as
independent assessment only where it assesses efficacy."""
from __future__ import annotations

import pytest

from guidelint.extract.facts import analyse, bridging, confirmatory, design, irc
from guidelint.extract.pdf import section_kind
from guidelint.models import ProtocolLine


def _analysed(section: str, text: str):
    line = ProtocolLine(page=3, line_no=1, text=text, bbox=(0, 0, 1, 1), section=section)
    return analyse([line], section_kind)


def _facts(extractor, section, text):
    return {(f.kind, f.value) for f in extractor(_analysed(section, text))}


@pytest.mark.parametrize("section, text", [
    ("6.3 Bridging Therapy", "In the pivotal ZUMA-1 study, bridging therapy was not permitted; in this study bridging "
                             "therapy is permitted at the investigator's discretion."),
    ("6.3 Bridging Therapy", "Bridging therapy was not allowed in previous studies of this product class, but bridging "
                             "therapy is permitted in this study when the investigator considers it necessary."),
    ("6.3 桥接治疗", "既往研究中不允许桥接治疗；本研究允许研究者根据病情给予桥接治疗。"),
    ("6.3 桥接治疗", "文献报道的同类研究多禁止桥接治疗，而本研究允许在单采后给予桥接治疗。"),
])
def test_what_another_study_forbade_is_not_this_protocols_rule(section, text):
    assert _facts(bridging, section, text) == {("bridging_allowed", "permitted")}


@pytest.mark.parametrize("section, text, value", [
    ("6 STUDY DESIGN > 6.1 Overall Design", "Single-arm designs were used in previous studies of CD19 CAR-T products; this is a "
                           "randomised controlled trial.", "randomized_controlled"),
    ("6.1 总体设计", "既往研究中同类产品多采用单臂设计；本研究为随机对照试验。", "randomized_controlled"),
    ("6 STUDY DESIGN > 6.1 Overall Design", "This is a single-arm, open-label study.", "single_arm"),
])
def test_design_of_another_study_is_not_this_design(section, text, value):
    assert ("design", value) in _facts(design, section, text)
    assert {v for k, v in _facts(design, section, text) if k == "design"} == {value}


def test_a_pivotal_study_cited_does_not_make_this_one_confirmatory():
    text = "In the pivotal study of a similar product, the overall response rate was 82%."
    assert _facts(confirmatory, "6.1 Overall Design", text) == set()
    assert _facts(confirmatory, "6.1 Overall Design", "This is a pivotal, confirmatory study.") == \
        {("confirmatory", True)}


@pytest.mark.parametrize("section, text, expected", [
    ("12.4 Sample Handling", "Samples are shipped frozen to the central laboratory with a temperature logger.", set()),
    ("11 质量保证", "质量保证活动包括对研究中心、合同研究组织、中心实验室及细胞制备场所的稽查。", set()),
    ("7.2 Efficacy Assessment", "Bone-marrow MRD and response are assessed by the central laboratory.",
     {("irc_assessment", True)}),
    ("7.2 疗效评估", "骨髓MRD及疗效由中心实验室统一评估。", {("irc_assessment", True)}),
])
def test_a_central_laboratory_is_independent_assessment_only_for_efficacy(section, text, expected):
    assert _facts(irc, section, text) == expected
