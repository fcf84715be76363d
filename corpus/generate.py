"""Synthetic CAR-T trial protocols (Chinese and English) as PDFs, each with its ground truth.

    python -m guidelint.corpus.generate OUT_DIR --n 12 --seed 0 [--languages zh,en] [--template-set dev]

writes ``<id>.pdf`` and ``<id>.truth.json`` per protocol. The bundled examples in ``corpus/protocols/`` were made
from the repository root (the package directory) with

    python -m guidelint.corpus.generate corpus/protocols --n 4 --seed 7

The truth is written from the scenario and from the phrasings actually rendered, never by running guidelint:

* a **scenario** is drawn per protocol from a seeded RNG within an *archetype* (``ARCHETYPES``); protocol ``i`` gets
  language ``languages[i % len(languages)]`` and archetype ``ARCHETYPES[(i // len(languages)) % len(ARCHETYPES)]``,
  so every language walks the same archetype cycle. The first six archetypes give every rule, in every language,
  each status it can reach except not_addressed of the four POP-PRIOR rules (so ``n=12`` covers that for zh and
  en); those need a third protocol per indication group, which a full cycle (``n = 2 * len(ARCHETYPES)`` for two
  languages) has: it reaches every status each rule can reach.
* each fact-bearing sentence comes from ``templates/<lang>.yaml`` and declares the facts it states; the truth facts
  are what the rendered sentences declare, and generation fails if they differ from the facts the scenario
  implies (``scenario_facts``).
* ``expected`` applies the decision table (``expected_statuses``) to the truth facts; it does not use the engine.

Layout: protocols ``i`` with ``i % 8 in (3, 6)`` (``two_column_default``; scenario-independent, both languages) set
their body pages in two columns, the title page single-column and the schedule table on full-width pages;
``generate(..., two_column=True|False)`` or ``--columns 2|1`` sets all or none. Layout never changes text or truth.

Truth JSON: ``{id, language, template_set, scenario, facts: [{kind, value}], expected: {rule: status},
running_header, sections}``; ``sections`` lists the numbered headings in document order.
Scenario details are seeded by (seed, index) only, so another template set renders the same scenarios in other words.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple
from xml.sax.saxutils import escape

import yaml

LANGUAGES = ("zh", "en")
NEW_RULES = {  # issue 3: rule -> statuses one archetype cycle reaches in each language
    "DES-EXPLORATORY-OBJECTIVES": ('met', 'gap', 'not_addressed', 'not_applicable'),
    "DES-CONFIRMATORY-OBJECTIVES": ('met', 'gap', 'not_addressed', 'not_applicable'),
    "DES-DEV-PLAN-BENEFIT-RISK": ('met', 'not_addressed'),
    "POP-AGE-SEPARATE": ('met', 'gap', 'not_applicable'),
    "POP-AGE-PEDS-ADULT-DATA": ('met', 'gap', 'not_applicable'),
    "POP-AGE-PEDS-FIRST-JUSTIFY": ('met', 'gap', 'not_applicable'),
    "POP-PRIOR-RR-FIRST": ('met', 'gap', 'not_addressed', 'not_applicable'),
    "POP-RR-DEFINITION": ('met', 'gap'),
    "POP-PRIOR-REQS-STATED": ('met', 'gap', 'not_addressed'),
    "POP-PRIOR-HISTORY-ASSESSED": ('met', 'not_addressed'),
    "POP-PRIOR-BALL-RR-DEF": ('met', 'not_addressed', 'not_applicable'),
    "POP-PRIOR-BALL-PH-T315I": ('met', 'not_applicable'),
    "POP-PRIOR-BNHL-SUBTYPE": ('gap', 'not_applicable'),
    "POP-PRIOR-MCL": ('met', 'not_applicable'),
    "POP-PRIOR-MM-TX-INELIGIBLE": ('met', 'gap', 'not_addressed', 'not_applicable'),
    "POP-PRIOR-MM-LINES": ('met', 'not_addressed', 'not_applicable'),
    "POP-EARLIER-PREREQ": ('met', 'gap', 'not_addressed', 'not_applicable'),
    "POP-EARLIER-PROGNOSTIC": ('met', 'gap', 'not_addressed', 'not_applicable'),
    "DES-TARGET-VALUE-BASIS": ('met', 'gap', 'not_addressed', 'not_applicable'),
    "DES-TARGET-CI-LOWER": ('met', 'gap', 'not_addressed', 'not_applicable'),
    "DES-TARGET-JUSTIFICATION": ('met', 'gap', 'not_addressed', 'not_applicable'),
    "DES-TARGET-APPROVED-CART": ('met', 'gap', 'not_addressed', 'not_applicable'),
    "DES-TARGET-POST-CART": ('met', 'gap', 'not_addressed', 'not_applicable'),
    "DES-SAFETY-EXPOSURE": ('met', 'gap', 'not_addressed', 'not_applicable'),
    "DES-RCT-SUPERIORITY": ('met', 'gap', 'not_addressed', 'not_applicable'),
    "DES-CONTROL-SOC": ('met', 'gap', 'not_addressed', 'not_applicable'),
    "DES-CONTROL-MM": ('met', 'not_addressed', 'not_applicable'),
    "DES-CONTROL-BNHL": ('met', 'not_addressed', 'not_applicable'),
    "DES-RANDOMIZATION-TIMING": ('met', 'gap', 'not_addressed', 'not_applicable'),
    "DES-CROSSOVER": ('met', 'gap', 'not_addressed', 'not_applicable'),
    "BRIDGE-REBASELINE": ('met', 'gap', 'not_addressed', 'not_applicable'),
    "BRIDGE-REGIMEN": ('met', 'gap', 'not_addressed', 'not_applicable'),
    "BRIDGE-STRATIFIED-ANALYSIS": ('met', 'gap', 'not_addressed', 'not_applicable'),
    "END-OS": ('met', 'gap', 'not_addressed'),
    "END-NRM": ('met', 'gap', 'not_addressed'),
    "END-ENDPOINT-DEFINITIONS": ('met', 'gap', 'not_addressed'),
    "END-SURROGATE-JUSTIFY": ('met', 'gap', 'not_addressed', 'not_applicable'),
    "END-CRITERIA-MM-IMWG": ('met', 'not_applicable'),
    "END-CRITERIA-LYMPHOMA-LUGANO": ('met', 'gap', 'not_applicable'),
    "END-CRITERIA-ALL": ('met', 'not_applicable'),
    "END-RESPONSE-DEPTH": ('met', 'gap', 'not_addressed', 'not_applicable'),
    "END-DURABILITY": ('met', 'gap', 'not_addressed', 'not_applicable'),
    "END-TIMEPOINT-3M": ('met', 'not_addressed', 'not_applicable'),
    "END-BOR-DOR": ('met', 'not_addressed', 'not_applicable'),
    "END-MRD-DEFINED": ('met', 'gap', 'not_applicable'),
    "END-MRD-SURROGATE-EVIDENCE": ('not_addressed', 'not_applicable'),
    "END-MRD-SURVIVAL-LINK": ('not_addressed', 'not_applicable'),
    "END-MRD-METHOD": ('met', 'gap', 'not_applicable'),
    "END-EARLIER-PFS-EFS": ('met', 'not_addressed', 'not_applicable'),
    "END-PFS-DEFINITION": ('met', 'gap', 'not_addressed', 'not_applicable'),
    "END-PFS-TX-INELIGIBLE": ('met', 'not_addressed', 'not_applicable'),
    "END-EFS-TX-ELIGIBLE": ('met', 'gap', 'not_addressed', 'not_applicable'),
    "END-EFS-EVENTS-TIMING": ('met', 'gap', 'not_addressed', 'not_applicable'),
    "END-PFS-EFS-OS-CORRELATION": ('met', 'gap', 'not_addressed', 'not_applicable'),
    "END-LONGTERM-SURVIVAL-FU": ('met', 'gap', 'not_addressed'),
    "SAF-RISK-BLEEDING": ('met', 'gap', 'not_addressed'),
    "SAF-AE-SCOPE-APHERESIS-LD": ('met', 'gap', 'not_addressed'),
    "SAF-RISK-PLAN": ('met', 'gap'),
    "SAF-CONSENSUS": ('met', 'gap', 'not_addressed'),
    "SAF-EMERGENCY-DRUGS": ('met', 'not_addressed'),
    "SAF-ICU": ('met', 'not_addressed'),
    "SAF-TRAINING": ('met', 'not_addressed'),
    "SAF-SITE-EXPERIENCE": ('met', 'not_addressed'),
    "SAF-SAFETY-COMMITTEE": ('met', 'not_addressed'),
    "SAF-SECONDARY-TCELL-POPULATION": ('met', 'gap', 'not_addressed'),
    "SAF-SECONDARY-TCELL-ESCALATE": ('met', 'gap', 'not_addressed'),
}
RULE_IDS = (
    "POP-PRIOR-BALL-PH-TKI",
    "POP-PRIOR-BNHL-ANTHRA-CD20",
    "POP-PRIOR-MM-PI-IMID",
    "POP-PRIOR-MM-CD38",
    "DES-SINGLEARM-TARGET",
    "DES-RCT-EARLIER",
    "END-IRC",
    "BRIDGE-WASHOUT",
    "BRIDGE-SAME-TARGET",
    "SAF-RISK-CRS",
    "SAF-RISK-NEUROTOX",
    "SAF-SECONDARY-TCELL",
    "BRIDGE-POLICY",
    "DES-SINGLEARM-LASTLINE",
    "POP-PRIOR-BNHL-LINES",
    "SAF-RISK-INFECTION",
    "SAF-RISK-MAS",
    "SAF-RISK-CYTOPENIA",
    "SAF-RISK-HYPOGAMMA",
    "SAF-RISK-TLS",
    "SAF-SECONDARY-MALIGNANCY",
) + tuple(NEW_RULES)
# Statuses each rule can reach under the decision table.
REACHABLE = {
    "POP-PRIOR-BALL-PH-TKI": ("met", "gap", "not_addressed", "not_applicable"),
    "POP-PRIOR-BNHL-ANTHRA-CD20": ("met", "gap", "not_addressed", "not_applicable"),
    "POP-PRIOR-MM-PI-IMID": ("met", "gap", "not_addressed", "not_applicable"),
    "POP-PRIOR-MM-CD38": ("met", "gap", "not_addressed", "not_applicable"),
    "DES-SINGLEARM-TARGET": ("met", "gap", "not_addressed", "not_applicable"),
    "DES-RCT-EARLIER": ("met", "gap", "not_addressed", "not_applicable"),
    "END-IRC": ("met", "gap", "not_addressed"),
    "BRIDGE-WASHOUT": ("met", "gap", "not_addressed", "not_applicable"),
    "BRIDGE-SAME-TARGET": ("met", "gap", "not_addressed", "not_applicable"),
    "SAF-RISK-CRS": ("met", "gap", "not_addressed"),
    "SAF-RISK-NEUROTOX": ("met", "gap", "not_addressed"),
    "SAF-SECONDARY-TCELL": ("met", "gap", "not_addressed"),
    "BRIDGE-POLICY": ("met", "not_addressed"),
    "DES-SINGLEARM-LASTLINE": ("met", "gap", "not_addressed", "not_applicable"),
    "POP-PRIOR-BNHL-LINES": ("met", "gap", "not_addressed", "not_applicable"),
    "SAF-RISK-INFECTION": ("met", "gap", "not_addressed"),
    "SAF-RISK-MAS": ("met", "gap", "not_addressed"),
    "SAF-RISK-CYTOPENIA": ("met", "gap", "not_addressed"),
    "SAF-RISK-HYPOGAMMA": ("met", "gap", "not_addressed"),
    "SAF-RISK-TLS": ("met", "gap", "not_addressed"),
    "SAF-SECONDARY-MALIGNANCY": ("met", "gap", "not_addressed"),
    **NEW_RULES,
}
# Order matters: the first six reach every reachable status except POP-PRIOR-* not_addressed; all twelve reach all.
ARCHETYPES = (
    "ball_ph_compliant",          # B-ALL Ph+ after >=2 TKIs, pivotal single arm with benchmark, full safety plan
    "lbcl_2l_rct",                # LBCL 2L randomised vs SOC; same-target bridging unrestricted; ICANS unmanaged
    "mm_triple_class",            # MM >=3 lines, PI+IMiD+anti-CD38, pivotal single arm, bridging not permitted
    "ball_ph_one_tki",            # B-ALL Ph+ after 1 TKI, no design statement, investigator-assessed, no bridging
    "lbcl_2l_single_arm",         # LBCL 2L single arm, anti-CD20 only, no benchmark, bridging without washout
    "mm_dose_escalation",         # MM phase 1, no line count, IMiD not required, anti-CD38 excluded, no CRS
    "ball_ph_eligible_no_tki",    # B-ALL Ph+ eligible with no TKI requirement
    "bnhl_no_prior_stated",       # MCL/FL/MZL, no prior-therapy requirement, no design statement
    "mm_no_prior_stated",         # MM, no prior-therapy requirement
    "ball_ph_negative",           # B-ALL Ph-negative only (inclusion) or Ph+ under exclusion
    "lbcl_3l_target_value",       # LBCL >=2 prior lines, R-CHOP, pivotal single arm with target value
    "mm_earlier_rct",             # MM 1-3 prior lines, randomised vs SOC
)
GROUP = {
    "B-ALL": "B-ALL", "LBCL": "B-NHL", "MCL": "B-NHL", "FL": "B-NHL", "MZL": "B-NHL",
    "CLL_SLL": "B-NHL", "B-NHL_unspecified": "B-NHL", "MM": "MM",
}
# Statement facts (one sentence each), catalogue order, and the section slot their sentence goes to.
STATEMENT_SLOTS = {
    "first_in_human": "design", "rr_required": None, "no_effective_therapy_required": "inclusion",
    "rr_definition_present": "inclusion", "prior_therapy_rationale_stated": "inclusion",
    "prior_treatment_history_collected": "schedule", "ball_rr_category": "inclusion", "t315i_no_effective_tki": None,
    "subtype_specific_prior_reqs": "inclusion", "requires_btki": "inclusion", "mcl_accepts_bendamustine": "inclusion",
    "transplant_eligibility": "inclusion", "earlier_line_prior_evidence_cited": "background",
    "prognostic_factors_addressed": "statistics", "separate_age_cohorts": "design", "prior_adult_data_cited": "background",
    "pediatric_justification_stated": "background", "prior_cart_required": "inclusion", "objective": "objectives",
    "statistical_hypothesis": None, "benefit_risk_assessment": "background", "target_value_basis": "statistics",
    "ci_lower_bound_criterion": "statistics", "target_value_refs_cited": "statistics",
    "sample_size_safety_rationale": "statistics", "control_arm_per_guideline": "design",
    "control_not_refractory_rule": "design", "control_includes_asct": "design", "randomization_timing": "design",
    "crossover_allowed": "design", "baseline_reassessed_before_ld": "bridging", "bridging_regimens_specified": None,
    "bridging_stratified_analysis": "statistics", "secondary_endpoint": None, "nrm_endpoint": "statistics",
    "endpoint_definitions_stated": "efficacy", "primary_endpoint_rationale": "endpoints.primary",
    "response_criteria": None, "response_depth_rationale": "endpoints.primary", "mrd_endpoint_defined": "efficacy",
    "mrd_prognostic_evidence_cited": "background", "mrd_survival_link_planned": "statistics", "mrd_method": "efficacy",
    "pfs_start": "efficacy", "efs_event": "efficacy", "efs_event_window_defined": "efficacy",
    "survival_followup": "followup", "ae_collection_start": "ae", "crs_grading_system": "risks",
    "tocilizumab_available": "safety", "icu_access": "safety", "investigator_training": "safety",
    "site_cart_experience_required": "safety", "safety_committee": None,
    "secondary_tcell_population_analysis": "secondary", "secondary_tcell_escalation_plan": "secondary",
}  # None: stated by a sentence the composition writes anyway (indication, statistics, bridging, endpoints, IDMC)
STATEMENT_KINDS = tuple(STATEMENT_SLOTS)
FACT_KINDS = (  # catalogue order (extract/fact_kinds.yaml), used to sort truth facts
    "indication", "cart_target", "trial_phase", "confirmatory", "design", "randomized", "age_min_years",
    "age_max_years", "ph_positive_eligible", "prior_tki_min", "tki_intolerance_alternative", "t315i_exception",
    "prior_lines_min", "requires_anthracycline", "requires_anti_cd20", "requires_pi", "requires_imid",
    "requires_anti_cd38", "primary_endpoint", "primary_endpoint_timepoint_months", "irc_assessment",
    "external_control", "target_value_method", "bridging_allowed", "washout_days",
    "bridging_same_target_excluded", "safety_risk", "safety_risk_managed", "secondary_malignancy_monitoring",
    "secondary_tcell_sample_analysis_plan",
) + STATEMENT_KINDS
MULTI_KINDS = ("indication", "cart_target", "primary_endpoint", "safety_risk", "safety_risk_managed", "ball_rr_category",
               "objective", "target_value_basis", "secondary_endpoint", "response_criteria", "efs_event")
SCALAR_KINDS = tuple(k for k in FACT_KINDS if k not in MULTI_KINDS)
RISKS = ("CRS", "neurotoxicity", "infection", "MAS_HLH", "prolonged_cytopenia", "hypogammaglobulinemia", "TLS",
         "bleeding", "secondary_malignancy")
PRIOR_KINDS = ("prior_lines_min", "prior_tki_min", "requires_anthracycline", "requires_anti_cd20", "requires_pi",
               "requires_imid", "requires_anti_cd38")


# ------------------------------------------------------------------------------------------------ decision table

def _facts_map(facts: Sequence[dict]) -> Dict[str, Any]:
    out: Dict[str, Any] = {k: set() for k in MULTI_KINDS}
    for f in facts:
        if f["kind"] in MULTI_KINDS:
            out[f["kind"]].add(f["value"])
        else:
            out[f["kind"]] = f["value"]
    return out


def derived(facts: Sequence[dict]) -> dict:
    """indication_group, line_setting and prior_therapy_stated, as the decision table derives them."""
    f = _facts_map(facts)
    groups = sorted({GROUP.get(i, "other") for i in f["indication"]})
    plm = f.get("prior_lines_min")
    line = None
    if "B-ALL" in groups:
        line = "last_line"
    elif "B-NHL" in groups and plm is not None:
        line = "last_line" if plm >= 2 else "earlier_line"
    elif "MM" in groups and plm is not None:
        line = "last_line" if plm >= 3 else "earlier_line"
    return {
        "indication_group": groups,
        "line_setting": line,
        "prior_therapy_stated": any(f.get(k) is not None for k in PRIOR_KINDS),
    }


def expected_statuses(facts: Sequence[dict]) -> Dict[str, str]:
    """The expected status of every rule, from the truth facts alone (the brief's decision table)."""
    f = _facts_map(facts)
    d = derived(facts)
    groups, line, prior = d["indication_group"], d["line_setting"], d["prior_therapy_stated"]
    g = f.get
    out: Dict[str, str] = {}

    ph, tki, t315i = g("ph_positive_eligible"), g("prior_tki_min"), g("t315i_exception")
    if "B-ALL" not in groups or ph is False:
        out["POP-PRIOR-BALL-PH-TKI"] = "not_applicable"
    elif ph is True and tki is not None and tki < 2 and t315i is not True:
        out["POP-PRIOR-BALL-PH-TKI"] = "gap"
    elif ph is True and ((tki is not None and tki >= 2) or t315i is True):
        out["POP-PRIOR-BALL-PH-TKI"] = "met"
    else:
        out["POP-PRIOR-BALL-PH-TKI"] = "not_addressed"

    def both(group, a, b):
        if group not in groups:
            return "not_applicable"
        if g(a) is True and g(b) is True:
            return "met"
        return "gap" if prior else "not_addressed"

    out["POP-PRIOR-BNHL-ANTHRA-CD20"] = both("B-NHL", "requires_anthracycline", "requires_anti_cd20")
    out["POP-PRIOR-MM-PI-IMID"] = both("MM", "requires_pi", "requires_imid")

    if "MM" not in groups or line == "earlier_line":
        out["POP-PRIOR-MM-CD38"] = "not_applicable"
    elif g("requires_anti_cd38") is True:
        out["POP-PRIOR-MM-CD38"] = "met"
    else:
        out["POP-PRIOR-MM-CD38"] = "gap" if prior else "not_addressed"

    design = g("design")
    if design is None:
        out["DES-SINGLEARM-TARGET"] = "not_addressed"
    elif design != "single_arm" or g("confirmatory") is not True:
        out["DES-SINGLEARM-TARGET"] = "not_applicable"
    elif g("external_control") is True or g("target_value_method") is True:
        out["DES-SINGLEARM-TARGET"] = "met"
    else:
        out["DES-SINGLEARM-TARGET"] = "gap"

    if line == "last_line":
        out["DES-RCT-EARLIER"] = "not_applicable"
    elif line == "earlier_line":
        if g("randomized") is True:
            out["DES-RCT-EARLIER"] = "met"
        else:
            out["DES-RCT-EARLIER"] = "gap" if design is not None else "not_addressed"
    else:
        out["DES-RCT-EARLIER"] = "not_addressed"

    irc = g("irc_assessment")
    if irc is False:
        out["END-IRC"] = "gap"
    elif irc is True:
        out["END-IRC"] = "met"
    else:
        out["END-IRC"] = "gap" if f["primary_endpoint"] else "not_addressed"

    bridging = g("bridging_allowed")
    if bridging == "not_permitted":
        out["BRIDGE-WASHOUT"] = out["BRIDGE-SAME-TARGET"] = "not_applicable"
    elif bridging == "permitted":
        out["BRIDGE-WASHOUT"] = "met" if g("washout_days") is not None else "gap"
        out["BRIDGE-SAME-TARGET"] = "met" if g("bridging_same_target_excluded") is True else "gap"
    else:
        out["BRIDGE-WASHOUT"] = out["BRIDGE-SAME-TARGET"] = "not_addressed"

    for rule, risk in (("SAF-RISK-CRS", "CRS"), ("SAF-RISK-NEUROTOX", "neurotoxicity"),
                       ("SAF-RISK-INFECTION", "infection"), ("SAF-RISK-MAS", "MAS_HLH"),
                       ("SAF-RISK-CYTOPENIA", "prolonged_cytopenia"), ("SAF-RISK-HYPOGAMMA", "hypogammaglobulinemia"),
                       ("SAF-RISK-TLS", "TLS"), ("SAF-RISK-BLEEDING", "bleeding")):
        if risk in f["safety_risk_managed"]:
            out[rule] = "met"
        elif risk in f["safety_risk"]:
            out[rule] = "gap"
        else:
            out[rule] = "not_addressed"

    plan = g("secondary_tcell_sample_analysis_plan")
    if plan is True:
        out["SAF-SECONDARY-TCELL"] = "met"
    elif plan is False or g("secondary_malignancy_monitoring") is True:
        out["SAF-SECONDARY-TCELL"] = "gap"
    else:
        out["SAF-SECONDARY-TCELL"] = "not_addressed"

    monitoring = g("secondary_malignancy_monitoring")
    if monitoring is True:
        out["SAF-SECONDARY-MALIGNANCY"] = "met"
    elif monitoring is False or "secondary_malignancy" in f["safety_risk"]:
        out["SAF-SECONDARY-MALIGNANCY"] = "gap"
    else:
        out["SAF-SECONDARY-MALIGNANCY"] = "not_addressed"

    out["BRIDGE-POLICY"] = "met" if bridging in ("permitted", "not_permitted") else "not_addressed"

    # DES-SINGLEARM-LASTLINE: a single-arm confirmatory trial belongs in a last-line population.
    if design is None:
        out["DES-SINGLEARM-LASTLINE"] = "not_addressed"
    elif design != "single_arm" or g("confirmatory") is not True:
        out["DES-SINGLEARM-LASTLINE"] = "not_applicable"
    elif line == "last_line":
        out["DES-SINGLEARM-LASTLINE"] = "met"
    elif line == "earlier_line":
        out["DES-SINGLEARM-LASTLINE"] = "gap"
    else:
        out["DES-SINGLEARM-LASTLINE"] = "not_addressed"

    # POP-PRIOR-BNHL-LINES: >=2 prior systemic lines, unless an earlier-line trial randomised against SOC.
    lines = g("prior_lines_min")
    if "B-NHL" not in groups or (line == "earlier_line" and g("randomized") is True):
        out["POP-PRIOR-BNHL-LINES"] = "not_applicable"
    elif lines is None:
        out["POP-PRIOR-BNHL-LINES"] = "not_addressed"
    else:
        out["POP-PRIOR-BNHL-LINES"] = "met" if lines >= 2 else "gap"
    _expected_population(f, d, out)
    _expected_design(f, d, out)
    _expected_endpoints(f, d, out)
    _expected_safety(f, out)
    return {r: out[r] for r in RULE_IDS}


def _present(f, kind) -> bool:
    value = f.get(kind)
    return bool(value) if isinstance(value, set) else value is not None


def _ladder(*steps, default="not_addressed") -> str:
    """The first (condition, status) whose condition holds: the decision table read top to bottom."""
    return next((status for cond, status in steps if cond), default)


def _expected_population(f, d, out) -> None:
    g, groups, line = f.get, d["indication_group"], d["line_setting"]
    age_min, age_max = g("age_min_years"), g("age_max_years")
    peds = age_min is not None and age_min < 18
    adults = (age_max is not None and age_max >= 18) or (age_min is not None and age_min >= 18)
    adult_data = g("prior_adult_data_cited") is True
    out["POP-AGE-SEPARATE"] = _ladder((peds and adults and g("separate_age_cohorts") is True, "met"),
                                      (peds and adults, "gap"), (age_min is not None, "not_applicable"))
    out["POP-AGE-PEDS-ADULT-DATA"] = _ladder((peds and adult_data, "met"), (peds, "gap"),
                                             (age_min is not None, "not_applicable"))
    out["POP-AGE-PEDS-FIRST-JUSTIFY"] = _ladder((peds and adult_data, "not_applicable"),
                                                (peds and g("pediatric_justification_stated") is True, "met"),
                                                (peds, "gap"), (age_min is not None, "not_applicable"))
    earlier = line == "earlier_line"
    out["POP-PRIOR-RR-FIRST"] = _ladder((earlier and g("first_in_human") is True, "gap"),
                                        (earlier and g("earlier_line_prior_evidence_cited") is True, "not_applicable"),
                                        (earlier, "gap"),
                                        (line == "last_line" and g("rr_required") is True, "met"))
    out["POP-RR-DEFINITION"] = _ladder((g("rr_definition_present") is True, "met"), (g("rr_required") is True, "gap"))
    prior = d["prior_therapy_stated"]
    out["POP-PRIOR-REQS-STATED"] = _ladder((prior and g("prior_therapy_rationale_stated") is True, "met"), (prior, "gap"))
    out["POP-PRIOR-HISTORY-ASSESSED"] = _ladder((g("prior_treatment_history_collected") is True, "met"),
                                                (g("prior_treatment_history_collected") is False, "gap"))
    other_group = bool(groups) and "B-ALL" not in groups
    out["POP-PRIOR-BALL-RR-DEF"] = _ladder((other_group, "not_applicable"),
                                           ("B-ALL" in groups and _present(f, "ball_rr_category"), "met"))
    ball = "B-ALL" in groups
    t315i = g("t315i_exception") is True
    out["POP-PRIOR-BALL-PH-T315I"] = _ladder((ball and t315i and g("t315i_no_effective_tki") is True, "met"),
                                             (ball and t315i, "gap"), (bool(f["indication"]), "not_applicable"))
    subtype = bool(f["indication"] & {"MCL", "FL", "MZL", "CLL_SLL"})
    out["POP-PRIOR-BNHL-SUBTYPE"] = _ladder((subtype and g("subtype_specific_prior_reqs") is True, "met"),
                                            (subtype, "gap"), (bool(f["indication"]), "not_applicable"))
    mcl = "MCL" in f["indication"]
    out["POP-PRIOR-MCL"] = _ladder((bool(f["indication"]) and not mcl, "not_applicable"),
                                   (mcl and g("requires_btki") is True and g("mcl_accepts_bendamustine") is True, "met"),
                                   (mcl and prior, "gap"))
    mm = "MM" in groups
    tx = g("transplant_eligibility")
    out["POP-PRIOR-MM-TX-INELIGIBLE"] = _ladder(
        ((bool(groups) and not mm) or (mm and earlier), "not_applicable"),
        (mm and tx in ("ineligible_required", "prior_asct_or_ineligible"), "met"),
        (mm and tx in ("eligible_required", "eligible_allowed"), "gap"))
    lines = g("prior_lines_min")
    out["POP-PRIOR-MM-LINES"] = _ladder(
        ((bool(groups) and not mm) or (earlier and g("randomized") is True), "not_applicable"),
        (mm and lines is not None and lines >= 3, "met"), (mm and lines is not None, "gap"))
    for rule, kind in (("POP-EARLIER-PREREQ", "earlier_line_prior_evidence_cited"),
                       ("POP-EARLIER-PROGNOSTIC", "prognostic_factors_addressed")):
        out[rule] = _ladder((line == "last_line", "not_applicable"), (earlier and g(kind) is True, "met"), (earlier, "gap"))


def _expected_design(f, d, out) -> None:
    g = f.get
    phase, conf, design, rand = g("trial_phase"), g("confirmatory"), g("design"), g("randomized")
    objectives = f["objective"]
    exploratory = phase in ("1", "1b", "1/2") or conf is False
    out["DES-EXPLORATORY-OBJECTIVES"] = _ladder(
        (exploratory and objectives >= {"dose_finding", "safety", "pk_pd", "preliminary_efficacy"}, "met"),
        (exploratory and bool(objectives), "gap"), (conf is True or phase in ("2", "2/3", "3"), "not_applicable"))
    hyp = g("statistical_hypothesis")
    out["DES-CONFIRMATORY-OBJECTIVES"] = _ladder(
        (conf is False, "not_applicable"),
        (conf is True and hyp in ("superiority", "non_inferiority", "null_rate"), "met"), (conf is True, "gap"))
    out["DES-DEV-PLAN-BENEFIT-RISK"] = _ladder((g("benefit_risk_assessment") is True, "met"),
                                               (g("benefit_risk_assessment") is False, "gap"))
    pivotal = design == "single_arm" and conf is True
    target = g("target_value_method") is True
    basis = f["target_value_basis"]
    out["DES-TARGET-VALUE-BASIS"] = _ladder(
        (pivotal and target and basis >= {"exploratory_results", "existing_therapy"}, "met"),
        (pivotal and target, "gap"), (design is not None, "not_applicable"))
    out["DES-TARGET-CI-LOWER"] = _ladder((pivotal and g("ci_lower_bound_criterion") is True, "met"), (pivotal, "gap"),
                                         (design is not None, "not_applicable"))
    out["DES-TARGET-JUSTIFICATION"] = _ladder((target and g("target_value_refs_cited") is True, "met"), (target, "gap"),
                                              (design is not None, "not_applicable"))
    approved = bool(f["indication"] & {"B-ALL", "LBCL", "MM"})  # CD19 CAR-T approved for B-ALL/LBCL, BCMA for MM
    post_cart = g("prior_cart_required")
    applies = pivotal and approved and post_cart is not True
    out["DES-TARGET-APPROVED-CART"] = _ladder((applies and "approved_cart" in basis, "met"), (applies, "gap"),
                                              (design is not None, "not_applicable"))
    out["DES-TARGET-POST-CART"] = _ladder((post_cart is True and "post_cart_therapy" in basis, "met"),
                                          (post_cart is True, "gap"),
                                          (design is not None or post_cart is False, "not_applicable"))
    out["DES-SAFETY-EXPOSURE"] = _ladder((conf is True and g("sample_size_safety_rationale") is True, "met"),
                                         (conf is True, "gap"), (conf is False, "not_applicable"))
    earlier = d["line_setting"] == "earlier_line"
    rct = rand is True
    applies = earlier and rct
    out["DES-RCT-SUPERIORITY"] = _ladder(
        (applies and hyp == "superiority", "met"),
        (applies and hyp in ("non_inferiority", "descriptive", "null_rate"), "gap"),
        (not applies and (d["line_setting"] == "last_line" or rand is False or design is not None), "not_applicable"))
    known = design is not None or rand is False
    out["DES-CONTROL-SOC"] = _ladder((rct and g("control_arm_per_guideline") is True, "met"), (rct, "gap"),
                                     (known, "not_applicable"))
    groups = d["indication_group"]
    out["DES-CONTROL-MM"] = _ladder(("MM" in groups and rct and g("control_not_refractory_rule") is True, "met"),
                                    ("MM" in groups and rct, "gap"), (bool(groups) and design is not None, "not_applicable"))
    out["DES-CONTROL-BNHL"] = _ladder(
        ("B-NHL" in groups and rct and g("control_includes_asct") is True, "met"),
        ("B-NHL" in groups and rct and g("transplant_eligibility") != "ineligible_required", "gap"),
        (bool(groups) and design is not None, "not_applicable"))
    out["DES-RANDOMIZATION-TIMING"] = _ladder((rct and g("randomization_timing") is not None, "met"), (rct, "gap"),
                                              (known, "not_applicable"))
    out["DES-CROSSOVER"] = _ladder((rct and g("crossover_allowed") is True, "met"),
                                   (rct and g("crossover_allowed") is False, "gap"),
                                   (known and not rct, "not_applicable"))
    bridging = g("bridging_allowed")
    for rule, kind in (("BRIDGE-REBASELINE", "baseline_reassessed_before_ld"),
                       ("BRIDGE-REGIMEN", "bridging_regimens_specified"),
                       ("BRIDGE-STRATIFIED-ANALYSIS", "bridging_stratified_analysis")):
        out[rule] = _ladder((bridging == "not_permitted", "not_applicable"),
                            (bridging == "permitted" and g(kind) is True, "met"), (bridging == "permitted", "gap"))


RESPONSE_ENDPOINTS = {"ORR", "CRR", "CR_CRi_rate", "BOR"}


def _expected_endpoints(f, d, out) -> None:
    g, primary, secondary = f.get, f["primary_endpoint"], f["secondary_endpoint"]
    groups = d["indication_group"]
    has_primary = bool(primary)
    os_ep = "OS" in primary or "OS" in secondary
    out["END-OS"] = _ladder((os_ep, "met"), (has_primary, "gap"))
    out["END-NRM"] = _ladder((g("nrm_endpoint") is True, "met"), (has_primary, "gap"))
    out["END-ENDPOINT-DEFINITIONS"] = _ladder((g("endpoint_definitions_stated") is True, "met"), (has_primary, "gap"))
    conf = g("confirmatory")
    out["END-SURROGATE-JUSTIFY"] = _ladder(
        (conf is False or "OS" in primary, "not_applicable"),
        (conf is True and g("primary_endpoint_rationale") is True, "met"), (conf is True and has_primary, "gap"))
    criteria = f["response_criteria"]
    for rule, group, wanted in (("END-CRITERIA-MM-IMWG", "MM", "IMWG"),
                                ("END-CRITERIA-LYMPHOMA-LUGANO", "B-NHL", "Lugano2014"),
                                ("END-CRITERIA-ALL", "B-ALL", "ALL_blast_based")):
        out[rule] = _ladder((bool(groups) and group not in groups, "not_applicable"),
                            (group in groups and wanted in criteria, "met"), (group in groups and bool(criteria), "gap"))
    response = bool(primary & RESPONSE_ENDPOINTS)
    not_response = has_primary and not response
    tp = g("primary_endpoint_timepoint_months")
    dor = "DOR" in primary or "DOR" in secondary
    out["END-RESPONSE-DEPTH"] = _ladder((not_response, "not_applicable"),
                                        (response and g("response_depth_rationale") is True, "met"), (response, "gap"))
    out["END-DURABILITY"] = _ladder((not_response, "not_applicable"),
                                    (response and (dor or (tp is not None and tp >= 3)), "met"), (response, "gap"))
    out["END-TIMEPOINT-3M"] = _ladder((not_response, "not_applicable"), (response and tp is not None and tp >= 3, "met"),
                                      (response and tp is not None, "gap"))
    out["END-BOR-DOR"] = _ladder((not_response, "not_applicable"), (response and dor, "met"))
    mrd = "MRD_neg_rate" in primary or "MRD" in secondary
    mrd_primary = "MRD_neg_rate" in primary
    out["END-MRD-DEFINED"] = _ladder((has_primary and not mrd, "not_applicable"),
                                     (mrd and g("mrd_endpoint_defined") is True, "met"), (mrd, "gap"))
    for rule, kind in (("END-MRD-SURROGATE-EVIDENCE", "mrd_prognostic_evidence_cited"),
                       ("END-MRD-SURVIVAL-LINK", "mrd_survival_link_planned")):
        out[rule] = _ladder((has_primary and not mrd_primary, "not_applicable"),
                            (mrd_primary and g(kind) is True, "met"), (mrd_primary, "gap"))
    out["END-MRD-METHOD"] = _ladder((has_primary and not mrd, "not_applicable"),
                                    (mrd and g("mrd_method") is not None, "met"), (mrd, "gap"))
    line, rand, design = d["line_setting"], g("randomized"), g("design")
    applies = line == "earlier_line" and rand is True
    out["END-EARLIER-PFS-EFS"] = _ladder(
        (applies and bool(primary & {"PFS", "EFS", "OS"}), "met"), (applies and has_primary, "gap"),
        (line == "last_line" or (design is not None and rand is not True), "not_applicable"))
    pfs = "PFS" in primary or "PFS" in secondary
    applies = pfs and rand is True
    out["END-PFS-DEFINITION"] = _ladder((applies and g("pfs_start") == "randomization", "met"),
                                        (applies and g("pfs_start") in ("infusion", "enrollment"), "gap"),
                                        (not applies and has_primary, "not_applicable"))
    tx = g("transplant_eligibility")
    applies = rand is True and tx == "ineligible_required"
    out["END-PFS-TX-INELIGIBLE"] = _ladder((applies and bool(primary & {"PFS", "OS"}), "met"), (applies and has_primary, "gap"),
                                           (not applies and (design is not None or tx is not None), "not_applicable"))
    efs = "EFS" in primary or "EFS" in secondary
    events = f["efs_event"]
    out["END-EFS-TX-ELIGIBLE"] = _ladder(
        (efs and events >= {"progression", "death", "no_response", "new_anticancer_therapy"}, "met"),
        (efs and bool(events), "gap"), (has_primary and not efs, "not_applicable"))
    out["END-EFS-EVENTS-TIMING"] = _ladder((efs and g("efs_event_window_defined") is True, "met"), (efs, "gap"),
                                           (has_primary, "not_applicable"))
    pfs_efs = bool(primary & {"PFS", "EFS"})
    out["END-PFS-EFS-OS-CORRELATION"] = _ladder((pfs_efs and os_ep and g("nrm_endpoint") is True, "met"),
                                                (pfs_efs, "gap"), (has_primary, "not_applicable"))
    out["END-LONGTERM-SURVIVAL-FU"] = _ladder((g("survival_followup") is True, "met"),
                                              (g("survival_followup") is False, "gap"))


SIX_RISKS = {"CRS", "neurotoxicity", "infection", "MAS_HLH", "prolonged_cytopenia", "hypogammaglobulinemia"}


def _expected_safety(f, out) -> None:
    g = f.get
    start = g("ae_collection_start")
    out["SAF-AE-SCOPE-APHERESIS-LD"] = _ladder((start in ("informed_consent", "screening", "apheresis"), "met"),
                                               (start in ("lymphodepletion", "infusion"), "gap"))
    out["SAF-RISK-PLAN"] = _ladder((f["safety_risk_managed"] >= SIX_RISKS, "met"), (bool(f["safety_risk"]), "gap"))
    grading = g("crs_grading_system")
    out["SAF-CONSENSUS"] = _ladder((grading in ("ASTCT_2019", "Lee_2014"), "met"), (grading == "CTCAE", "gap"))
    for rule, kind in (("SAF-EMERGENCY-DRUGS", "tocilizumab_available"), ("SAF-ICU", "icu_access"),
                       ("SAF-TRAINING", "investigator_training"), ("SAF-SITE-EXPERIENCE", "site_cart_experience_required"),
                       ("SAF-SAFETY-COMMITTEE", "safety_committee")):
        out[rule] = _ladder((g(kind) is True, "met"), (g(kind) is False, "gap"))
    monitoring = g("secondary_malignancy_monitoring") is True
    for rule, kind in (("SAF-SECONDARY-TCELL-POPULATION", "secondary_tcell_population_analysis"),
                       ("SAF-SECONDARY-TCELL-ESCALATE", "secondary_tcell_escalation_plan")):
        out[rule] = _ladder((g(kind) is True, "met"), (g(kind) is False or monitoring, "gap"))


# ------------------------------------------------------------------------------------------------ scenarios

def _fact_sort_key(fact: dict) -> tuple:
    return FACT_KINDS.index(fact["kind"]), json.dumps(fact["value"])


def _dedup(facts: Sequence[dict]) -> List[dict]:
    seen, out = set(), []
    for fact in facts:
        key = (fact["kind"], json.dumps(fact["value"]))
        if key not in seen:
            seen.add(key)
            out.append({"kind": fact["kind"], "value": fact["value"]})
    return sorted(out, key=_fact_sort_key)


def scenario_facts(s: dict) -> List[dict]:
    """The facts a scenario says its text states (deduplicated, catalogue order)."""
    out = [{"kind": "indication", "value": s["indication"]}]
    out += [{"kind": "cart_target", "value": t} for t in s["cart_target"]]
    if s.get("primary_endpoint"):
        out.append({"kind": "primary_endpoint", "value": s["primary_endpoint"]})
    for kind in SCALAR_KINDS:
        if kind not in STATEMENT_SLOTS and s.get(kind) is not None:
            out.append({"kind": kind, "value": s[kind]})
    for kind, value in s["stmt"].items():
        for v in _statement_values(kind, value):
            out.append({"kind": kind, "value": v})
    for risk, mode in s["risks"].items():
        out.append({"kind": "safety_risk", "value": risk})
        if mode == "managed":
            out.append({"kind": "safety_risk_managed", "value": risk})
    return _dedup(out)


def _statement_values(kind: str, value) -> list:
    if value is None:
        return []
    if kind == "efs_event":
        return EFS_EVENTS[value]
    return list(value) if isinstance(value, list) else [value]


def _base(rng: random.Random, archetype: str) -> dict:
    prefix = rng.choice(["KRT", "HBX", "ZLC", "QRT", "MCT", "JWS", "TNB", "LYC"])
    code = f"{prefix}-{rng.randint(101, 989)}"
    s = {k: None for k in SCALAR_KINDS if k not in STATEMENT_SLOTS}
    s.update(
        archetype=archetype,
        product=code,
        protocol_no=f"{code}-{rng.choice(['CT', 'P', 'CN'])}{rng.randint(1, 30):02d}",
        version=rng.choice(["1.0", "1.1", "2.0", "2.1", "3.0"]),
        date=[rng.randint(2023, 2025), rng.randint(1, 12), rng.randint(1, 28)],
        sponsor=rng.randrange(4),
        indication=None, cart_target=[], primary_endpoint=None, risks={},
        design_key=None, ph_mode=None, lines_mode=None, prior_mode=None, cd38_mode=None,
        stat_mode=None, p0=None, p1=None, n_total=rng.choice([48, 60, 72, 90, 110]),
        events=rng.choice([160, 180, 210, 240]), irc_place=rng.choice(["endpoints", "efficacy"]),
        idmc=None,  # set by archetype turn in make_scenario
    )
    return s


def _age(s, rng, group):
    choices = {
        "B-ALL": [(18, 70), (18, 75), (18, None), (3, 25), (14, 70)],
        "B-NHL": [(18, 75), (18, 70), (18, None), (18, 80)],
        "MM": [(18, 75), (18, 80), (18, None), (18, 70)],
    }[group]
    s["age_min_years"], s["age_max_years"] = rng.choice(choices)


def _design(s, rng, design, phase):
    s["trial_phase"] = phase
    s["design"] = design
    if design == "single_arm":
        if rng.random() < 0.34:
            s["design_key"], s["randomized"] = "single_arm.nonrand", False
        else:
            s["design_key"] = "single_arm"
    elif design == "randomized_controlled":
        s["design_key"], s["randomized"] = "rct", True
    elif design == "dose_escalation_expansion":
        s["design_key"] = "dose_esc"
    else:
        s["design_key"] = "phase_only"


def _primary(s, rng, endpoint, timepoints=(3, 3, 6, None)):
    s["primary_endpoint"] = endpoint
    s["primary_endpoint_timepoint_months"] = rng.choice(timepoints) if endpoint else None


def _stat(s, rng, mode):
    s["stat_mode"] = mode
    if mode in ("target", "both"):
        s["target_value_method"] = True
        s["p0"] = rng.choice([20, 25, 30, 35, 40])
        s["p1"] = s["p0"] + rng.choice([15, 20, 25])
    if mode in ("external", "both"):
        s["external_control"] = True
    if mode == "none_explicit":
        s["external_control"] = s["target_value_method"] = False


def _bridging(s, rng, allowed, washout, same_target):
    s["bridging_allowed"] = allowed
    if allowed == "permitted":
        s["washout_days"] = rng.choice([7, 14, 14, 28]) if washout else None
        s["bridging_same_target_excluded"] = same_target


def _secondary(s, monitoring, plan):
    s["secondary_malignancy_monitoring"] = True if monitoring else None
    s["secondary_tcell_sample_analysis_plan"] = plan
    if monitoring:
        s["risks"]["secondary_malignancy"] = "managed"


def _ball(s, rng, phase, design):
    s["indication"] = "B-ALL"
    s["cart_target"] = rng.choice([["CD19"], ["CD19", "CD22"]])
    _age(s, rng, "B-ALL")
    _design(s, rng, design, phase)


def _build_ball_ph_compliant(s, rng):
    _ball(s, rng, "2", "single_arm")
    s["confirmatory"] = True
    s["ph_positive_eligible"], s["prior_tki_min"] = True, 2
    s["ph_mode"] = rng.choice(["tki", "tki_drugs2"])
    s["tki_intolerance_alternative"] = rng.choice([True, None])
    s["t315i_exception"] = rng.choice([True, None])
    _primary(s, rng, rng.choice(["CR_CRi_rate", "CRR"]), (3, 3, None))
    s["irc_assessment"] = True
    _stat(s, rng, rng.choice(["target", "external", "both"]))
    _bridging(s, rng, "permitted", washout=True, same_target=True)
    s["risks"].update(CRS="managed", neurotoxicity="managed")
    _secondary(s, monitoring=True, plan=True)


def _build_lbcl_2l_rct(s, rng):
    s["indication"], s["cart_target"] = "LBCL", rng.choice([["CD19"], ["CD19", "CD20"]])
    _age(s, rng, "B-NHL")
    _design(s, rng, "randomized_controlled", "3")
    s["confirmatory"] = True
    s["prior_lines_min"], s["lines_mode"] = 1, "first_line_failure"
    s["requires_anthracycline"] = s["requires_anti_cd20"] = True
    s["prior_mode"] = "anthra_cd20"
    _primary(s, rng, "EFS", (None,))
    s["irc_assessment"] = True
    _stat(s, rng, "rct")
    _bridging(s, rng, "permitted", washout=True, same_target=rng.choice([False, None]))
    s["risks"].update(CRS="managed", neurotoxicity="named")
    _secondary(s, monitoring=True, plan=None)


def _build_mm_triple_class(s, rng):
    s["indication"], s["cart_target"] = "MM", rng.choice([["BCMA"], ["BCMA", "GPRC5D"]])
    _age(s, rng, "MM")
    _design(s, rng, "single_arm", "2")
    s["confirmatory"] = True
    s["prior_lines_min"], s["lines_mode"] = 3, "min"
    s["requires_pi"] = s["requires_imid"] = s["requires_anti_cd38"] = True
    s["prior_mode"] = "pi_imid"
    s["cd38_mode"] = rng.choice(["triple", "separate"])
    _primary(s, rng, "ORR", (3, None, None))
    s["irc_assessment"] = rng.choice([True, False])
    _stat(s, rng, "target")
    _bridging(s, rng, "not_permitted", False, None)
    s["risks"].update(CRS="managed", neurotoxicity="managed")
    _secondary(s, monitoring=True, plan=rng.choice([True, False]))


def _build_ball_ph_one_tki(s, rng):
    _ball(s, rng, rng.choice(["1", "1/2"]), None)
    s["confirmatory"] = rng.choice([False, None])
    s["ph_positive_eligible"], s["prior_tki_min"], s["ph_mode"] = True, 1, "tki"
    s["tki_intolerance_alternative"] = rng.choice([True, None])
    _primary(s, rng, rng.choice(["CR_CRi_rate", "CRR"]), (3, None))
    s["irc_assessment"] = False
    _stat(s, rng, "descriptive")
    s["risks"].update(CRS="named")
    if rng.random() < 0.5:
        s["risks"]["secondary_malignancy"] = "named"
    _secondary(s, monitoring=False, plan=None)


def _build_lbcl_2l_single_arm(s, rng):
    s["indication"], s["cart_target"] = "LBCL", ["CD19"]
    _age(s, rng, "B-NHL")
    _design(s, rng, "single_arm", "2")
    s["confirmatory"] = True
    s["prior_lines_min"], s["lines_mode"] = 1, "first_line_failure"
    s["requires_anti_cd20"] = True
    if rng.random() < 0.5:
        s["requires_anthracycline"], s["prior_mode"] = False, "cd20_no_anthra"
    else:
        s["prior_mode"] = "cd20_only"
    _primary(s, rng, rng.choice(["ORR", "CRR"]))
    _stat(s, rng, rng.choice(["none_explicit", "descriptive"]))
    _bridging(s, rng, "permitted", washout=False, same_target=True)
    s["risks"].update(CRS="managed", neurotoxicity="managed")
    _secondary(s, monitoring=False, plan=None)


def _build_mm_dose_escalation(s, rng):
    s["indication"], s["cart_target"] = "MM", ["BCMA"]
    _age(s, rng, "MM")
    _design(s, rng, "dose_escalation_expansion", "1")
    s["confirmatory"] = False  # a dose-escalation design states an exploratory trial (the extractor reads it so)
    s["requires_pi"], s["requires_imid"], s["prior_mode"] = True, False, "pi_no_imid"
    s["requires_anti_cd38"], s["cd38_mode"] = False, rng.choice(["excl", "not_required"])
    _primary(s, rng, None)
    _stat(s, rng, "dose_esc")
    _bridging(s, rng, "permitted", washout=True, same_target=False)
    s["risks"].update(neurotoxicity="managed")
    _secondary(s, monitoring=True, plan=True)


def _build_ball_ph_eligible_no_tki(s, rng):
    _ball(s, rng, "1/2", "single_arm")
    s["ph_positive_eligible"], s["ph_mode"] = True, "eligible"
    _primary(s, rng, rng.choice(["CR_CRi_rate", "CRR"]), (3, None))
    s["irc_assessment"] = True
    _stat(s, rng, "descriptive")
    _bridging(s, rng, "not_permitted", False, None)
    s["risks"].update(CRS="managed", neurotoxicity="managed")
    _secondary(s, monitoring=True, plan=None)


def _build_bnhl_no_prior_stated(s, rng):
    s["indication"] = "MCL"  # MCL: its own prior-therapy clause (POP-PRIOR-MCL); FL/MZL are covered by facts tests
    s["cart_target"] = rng.choice([["CD19"], ["CD19", "CD20"]])
    _age(s, rng, "B-NHL")
    _design(s, rng, None, "1")
    _primary(s, rng, "ORR", (3, None))
    s["irc_assessment"] = rng.choice([False, None])
    _stat(s, rng, "descriptive")
    _bridging(s, rng, "permitted", washout=True, same_target=True)
    s["risks"].update(CRS="managed", neurotoxicity="managed")
    _secondary(s, monitoring=False, plan=None)


def _build_mm_no_prior_stated(s, rng):
    s["indication"], s["cart_target"] = "MM", rng.choice([["BCMA"], ["BCMA", "GPRC5D"]])
    _age(s, rng, "MM")
    _design(s, rng, "single_arm", "1/2")
    s["confirmatory"] = False
    _primary(s, rng, "ORR", (3, None))
    s["irc_assessment"] = True
    _stat(s, rng, "descriptive")
    _bridging(s, rng, "not_permitted", False, None)
    s["risks"].update(CRS="managed", neurotoxicity="named")
    _secondary(s, monitoring=True, plan=True)


def _build_ball_ph_negative(s, rng):
    _ball(s, rng, "2", "single_arm")
    s["confirmatory"] = True
    s["ph_positive_eligible"] = False
    s["ph_mode"] = rng.choice(["negative_incl", "positive_excl"])
    _primary(s, rng, "CR_CRi_rate", (3,))
    s["irc_assessment"] = True
    _stat(s, rng, "external")
    _bridging(s, rng, "permitted", washout=True, same_target=True)
    s["risks"].update(CRS="managed", neurotoxicity="managed")
    _secondary(s, monitoring=True, plan=False)


def _build_lbcl_3l_target_value(s, rng):
    s["indication"], s["cart_target"] = "LBCL", ["CD19"]
    _age(s, rng, "B-NHL")
    _design(s, rng, "single_arm", "2")
    s["confirmatory"] = True
    s["prior_lines_min"], s["lines_mode"] = 2, "min"
    s["requires_anthracycline"] = s["requires_anti_cd20"] = True
    s["prior_mode"] = "anthra_cd20"
    _primary(s, rng, "ORR", (3, 6))
    s["irc_assessment"] = True
    _stat(s, rng, "target")
    _bridging(s, rng, "permitted", washout=True, same_target=True)
    s["risks"].update(CRS="managed", neurotoxicity="managed")
    _secondary(s, monitoring=True, plan=True)


def _build_mm_earlier_rct(s, rng):
    s["indication"], s["cart_target"] = "MM", ["BCMA"]
    _age(s, rng, "MM")
    _design(s, rng, "randomized_controlled", "3")
    s["confirmatory"] = True
    s["prior_lines_min"], s["lines_mode"] = 1, "range_1_3"
    s["requires_pi"] = s["requires_imid"] = True
    s["prior_mode"] = "pi_imid"
    _primary(s, rng, "PFS", (None,))
    s["irc_assessment"] = True
    _stat(s, rng, "rct")
    _bridging(s, rng, "permitted", washout=True, same_target=rng.choice([True, False]))
    s["risks"].update(CRS="managed", neurotoxicity="managed")
    _secondary(s, monitoring=True, plan=None)


_BUILDERS = {name: globals()[f"_build_{name}"] for name in ARCHETYPES}


def make_scenario(archetype: str, rng: random.Random) -> dict:
    s = _base(rng, archetype)
    _BUILDERS[archetype](s, rng)
    s["idmc"] = ARCHETYPES.index(archetype) % 2 == 0
    # Cycle the optional risks through managed / named / absent by archetype, so that one cycle of the
    # archetypes reaches every status of every SAF-RISK-* rule in each language.
    turn = ARCHETYPES.index(archetype)
    for k, risk in enumerate(("infection", "MAS_HLH", "prolonged_cytopenia", "hypogammaglobulinemia", "TLS", "bleeding")):
        mode = ("managed", "named", None)[(turn + k) % 3]
        if mode:
            s["risks"][risk] = mode
    if "secondary_malignancy" not in s["risks"] and turn % 2 == 0:
        s["risks"]["secondary_malignancy"] = "named"  # named as a risk, not monitored
    _statements(s, turn)
    s["risks"] = {r: s["risks"][r] for r in RISKS if r in s["risks"]}
    return s


# What each archetype states beyond its core design, chosen by archetype index (turn) so that one cycle of
# the archetypes reaches every reachable status of every rule in each language, without randomness.
_ARCH_STATEMENTS = {
    "ball_ph_compliant": dict(
        ages=(18, 70), ball_rr_category=["early_first_relapse", "primary_refractory", "salvage_failure",
                                         "post_hsct_relapse"],
        t315i_no_effective_tki=True, sample_size_safety_rationale=True, primary_endpoint_rationale=True,
        response_depth_rationale=True, mrd_endpoint_defined=True, mrd_method="NGS", mrd_prognostic_evidence_cited=True,
        prior_therapy_rationale_stated=True),
    "lbcl_2l_rct": dict(
        earlier_line_prior_evidence_cited=True, prognostic_factors_addressed=True, control_arm_per_guideline=True,
        control_includes_asct=True, randomization_timing="before_salvage", crossover_allowed=True,
        transplant_eligibility="eligible_required", sample_size_safety_rationale=True, pfs_start="randomization",
        efs_event="full", efs_event_window_defined=True),
    "mm_triple_class": dict(
        transplant_eligibility="prior_asct_or_ineligible", target_value_basis=["exploratory_results"],
        ci_lower_bound_criterion=True, primary_endpoint_rationale=True, response_depth_rationale=True,
        mrd_endpoint_defined=True, mrd_method="NGF", prior_therapy_rationale_stated=True),
    "ball_ph_one_tki": dict(
        ages=(3, 25), prior_adult_data_cited=True, separate_age_cohorts=True,
        ball_rr_category=["second_or_later_relapse", "post_hsct_relapse"],
        objective=["dose_finding", "safety", "pk_pd", "preliminary_efficacy"], mrd_method="MFC",
        mrd_survival_link_planned=True, drop_secondary=["OS"]),
    "lbcl_2l_single_arm": dict(
        criteria="B-NHL.cheson", drop_secondary=["DOR"], add_secondary=["EFS"], efs_event="partial", no_timepoint=True,
        pfs_start="infusion"),
    "mm_dose_escalation": dict(first_in_human=True, objective=["dose_finding", "safety", "pk_pd"]),
    "ball_ph_eligible_no_tki": dict(
        ages=(14, 70), pediatric_justification_stated=True, prior_cart_required=True,
        objective=["dose_finding", "safety", "pk_pd", "preliminary_efficacy"], mrd_endpoint_defined=True),
    "bnhl_no_prior_stated": dict(first_in_human=True, requires_btki=True, mcl_accepts_bendamustine=True),
    "mm_no_prior_stated": dict(transplant_eligibility="eligible_allowed", objective=["safety", "preliminary_efficacy"],
                               mrd_method="qPCR"),
    "ball_ph_negative": dict(ages=(3, 25), ball_rr_category=["primary_refractory"], prior_cart_required=True,
                             target_value_basis=["post_cart_therapy"]),
    "lbcl_3l_target_value": dict(
        target_value_basis=["exploratory_results", "existing_therapy", "approved_cart"], ci_lower_bound_criterion=True,
        target_value_refs_cited=True, prior_cart_required=False, primary_endpoint_rationale=True, pfs_start="infusion",
        drop_secondary=["OS"], prior_therapy_rationale_stated=True),
    "mm_earlier_rct": dict(
        earlier_line_prior_evidence_cited=True, transplant_eligibility="ineligible_required",
        control_not_refractory_rule=True, crossover_allowed=False, pfs_start="infusion", stat_mode="rct_ni"),
}
_CYCLED = (  # kind, value, turns that state it
    ("benefit_risk_assessment", True, (1, 3, 5, 7, 9, 11)),
    ("rr_definition_present", True, (0, 3, 6, 9)),
    ("no_effective_therapy_required", True, (0, 2, 4, 6, 8, 10)),
    ("prior_treatment_history_collected", True, (0, 2, 4, 6, 8, 10)),
    ("endpoint_definitions_stated", True, (0, 2, 4, 6, 8, 10)),
    ("nrm_endpoint", True, (0, 1, 3, 6, 9)),
    ("tocilizumab_available", True, (0, 2, 4, 6, 8, 10)),
    ("icu_access", True, (1, 3, 5, 7, 9, 11)),
    ("investigator_training", True, (0, 1, 3, 4, 6, 7, 9, 10)),
    ("site_cart_experience_required", True, (1, 4, 7, 10)),
)


def _statements(s: dict, turn: int) -> None:
    spec = _ARCH_STATEMENTS[s["archetype"]]
    st = {k: None for k in STATEMENT_KINDS}
    for kind, value, turns in _CYCLED:
        if turn in turns:
            st[kind] = value
    for kind in STATEMENT_KINDS:
        if kind in spec:
            st[kind] = spec[kind]
    if "ages" in spec:
        s["age_min_years"], s["age_max_years"] = spec["ages"]
    if spec.get("no_timepoint"):
        s["primary_endpoint_timepoint_months"] = None
    if "stat_mode" in spec:
        s["stat_mode"] = spec["stat_mode"]
    s["criteria_key"] = spec.get("criteria", GROUP[s["indication"]])
    s["secondary_keys"] = [k for k in SECONDARY[(GROUP[s["indication"]], s["primary_endpoint"])]
                           if k not in spec.get("drop_secondary", ())] + list(spec.get("add_secondary", ()))
    st["rr_required"] = True  # every archetype enrols relapsed/refractory patients and says so in inclusion
    st["statistical_hypothesis"] = {"target": "null_rate", "both": "null_rate", "rct": "superiority",
                                    "rct_ni": "non_inferiority", "descriptive": "descriptive",
                                    "dose_esc": "descriptive"}.get(s["stat_mode"])
    if st["t315i_no_effective_tki"] and not s["t315i_exception"]:
        s["t315i_exception"] = True
    if s["bridging_allowed"] == "permitted":
        st["baseline_reassessed_before_ld"] = True if turn % 2 == 0 else None
        st["bridging_regimens_specified"] = True if turn % 3 != 1 else None
        st["bridging_stratified_analysis"] = True if turn % 2 == 1 else None
    st["safety_committee"] = True if s["idmc"] else None
    st["secondary_endpoint"] = sorted({SECONDARY_FACT[k] for k in s["secondary_keys"] if k in SECONDARY_FACT})
    st["response_criteria"] = [CRITERIA_FACT[s["criteria_key"]]]
    st["survival_followup"] = (True, False, None)[turn % 3]
    st["ae_collection_start"] = ("informed_consent", "apheresis", "infusion", None)[turn % 4]
    if s["risks"].get("CRS") == "managed":
        st["crs_grading_system"] = ("ASTCT_2019", "CTCAE", None)[turn % 3]
    if s["secondary_malignancy_monitoring"]:
        st["secondary_tcell_population_analysis"] = True if turn % 2 == 0 else None
        st["secondary_tcell_escalation_plan"] = True if turn % 3 == 0 else None
    if turn == 0:  # one protocol manages all six risks of the 应 list (SAF-RISK-PLAN met)
        for risk in ("infection", "MAS_HLH", "prolonged_cytopenia", "hypogammaglobulinemia"):
            s["risks"][risk] = "managed"
    s["stmt"] = st


SECONDARY_FACT = {"ORR": "ORR", "CRR": "CRR", "CR_CRi_rate": "CR_CRi_rate", "DOR": "DOR", "PFS": "PFS", "EFS": "EFS",
                  "OS": "OS", "MRD": "MRD"}
CRITERIA_FACT = {"B-ALL": "ALL_blast_based", "B-NHL": "Lugano2014", "B-NHL.cheson": "Cheson2007", "MM": "IMWG"}
EFS_EVENTS = {"full": ["progression", "death", "no_response", "new_anticancer_therapy"], "partial": ["progression", "death"]}


# ------------------------------------------------------------------------------------------------ templates

@dataclass
class Frag:
    text: str
    facts: Tuple[Tuple[str, Any], ...] = ()


@lru_cache(maxsize=None)
def load_templates(lang: str) -> dict:
    text = resources.files("guidelint.corpus").joinpath(f"templates/{lang}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


_PLACEHOLDER = re.compile(r"\{(\w+)(?:\|(\w+))?\}")


class _Writer:
    """Draws phrasings of one template set and records the facts every rendered phrase states."""

    def __init__(self, lang: str, rng: random.Random, template_set: str):
        self.lang, self.rng, self.template_set = lang, rng, template_set
        self.data = load_templates(lang)
        self.facts: List[dict] = []
        self._used: Dict[str, set] = {}
        self.ctx: Dict[str, Any] = {}  # placeholders shared by every phrase of the document (set by _compose)

    def _choose(self, variants, what: str) -> dict:
        pool = [v for v in variants if v.get("set") == self.template_set]
        if not pool:
            raise KeyError(f"{self.lang}: no template of set {self.template_set!r} for {what}")
        used = self._used.setdefault(what, set())
        fresh = [v for v in pool if id(v) not in used] or pool  # a key said twice uses two phrasings
        choice = self.rng.choice(fresh)
        used.add(id(choice))
        return choice

    def frag(self, category: str, key: Optional[str] = None, facts=()) -> Frag:
        variants = self.data["fragments"][category]
        if key is not None:
            variants = variants[key]
        return Frag(self._choose(variants, f"fragment {category}/{key}")["text"], tuple(facts))

    def join(self, items: Sequence[str], last: Optional[str] = None) -> str:
        """A list in running text: "a and b", "a, b and c" (zh: "a和b", "a、b及c"); ``last`` overrides the joiner."""
        meta = self.data["meta"]
        if len(items) == 1:
            return items[0]
        if last is None:
            last = meta["list_last_sep"] if len(items) == 2 else meta["list_last_sep_many"]
        return meta["list_sep"].join(items[:-1]) + last + items[-1]

    def _format(self, value: int, fmt: str) -> str:
        numerals, durations = self.data["numerals"], self.data["durations"]
        if fmt == "num":
            return self.rng.choice(list(numerals[value]) + [str(value)])
        if fmt in ("cn", "word"):
            return self.rng.choice(numerals[value])
        if fmt == "ar":
            return str(value)
        if fmt in ("days", "months"):
            return self.rng.choice(durations[fmt][value])
        raise ValueError(f"unknown number format {fmt!r}")

    def fill(self, text: str, ctx: dict, collect: list) -> str:
        def sub(m):
            name, fmt = m.group(1), m.group(2)
            if name not in ctx:
                raise KeyError(f"{self.lang}: placeholder {{{name}}} has no value in {text!r}")
            value = ctx[name]
            if fmt:
                return self._format(value, fmt)
            if isinstance(value, Frag):
                collect.extend(value.facts)
                return value.text
            return str(value)

        return _PLACEHOLDER.sub(sub, text)

    def say(self, key: str, ctx: Optional[dict] = None, pool: str = "sentences") -> str:
        """Render one phrasing of ``key`` (under the dotted ``pool``) and record the facts it states."""
        ctx = dict(self.ctx, **(ctx or {}))
        node = self.data
        for part in pool.split("."):
            node = node[part]
        entry = self._choose(node[key], f"{pool}/{key}")
        collect: list = []
        text = self.fill(entry["text"], ctx, collect)
        stated = entry.get("facts") or {}
        for kind, value in (stated.items() if isinstance(stated, dict) else stated):
            if isinstance(value, str) and value.startswith("$"):
                value = ctx[value[1:]]
            collect.append((kind, value))
        self.facts.extend({"kind": k, "value": v} for k, v in collect)
        if self.lang == "en" and re.match(r"[a-z]+\b(?!/)", text):
            text = text[0].upper() + text[1:]
        return text

    def filler(self, section: str, key: Optional[str] = None, drop_one: bool = True) -> List[str]:
        variants = self.data["filler"][section]
        if key is not None:
            variants = variants[key]
        pool = [v for v in variants if v.get("set") == self.template_set]
        if not pool:
            raise KeyError(f"{self.lang}: no filler of set {self.template_set!r} for {section}/{key}")
        if drop_one and len(pool) >= 4 and self.rng.random() < 0.5:
            pool.pop(self.rng.randrange(1, len(pool)))
        out = []
        for v in pool:
            collect: list = []
            out.append(self.fill(v["text"], self.ctx, collect))
            self.facts.extend({"kind": k, "value": val} for k, val in collect)
        return out


# ------------------------------------------------------------------------------------------------ composition

SECONDARY = {
    ("B-ALL", "CR_CRi_rate"): ["MRD", "DOR", "OS", "PK", "AE"],
    ("B-ALL", "CRR"): ["MRD", "DOR", "OS", "PK", "AE"],
    ("B-ALL", None): ["CR_CRi_rate", "MRD", "DOR", "PK"],
    ("B-NHL", "ORR"): ["CRR", "DOR", "PFS", "OS", "PK", "AE"],
    ("B-NHL", "CRR"): ["ORR", "DOR", "PFS", "OS", "PK", "AE"],
    ("B-NHL", "EFS"): ["ORR", "PFS", "OS", "QOL", "AE"],
    ("B-NHL", None): ["ORR", "DOR", "PFS", "PK"],
    ("MM", "ORR"): ["DOR", "PFS", "OS", "MRD", "PK", "AE"],
    ("MM", "PFS"): ["ORR", "MRD", "OS", "QOL", "AE"],
    ("MM", None): ["ORR", "DOR", "MRD", "PK"],
}


@dataclass
class Protocol:
    id: str
    language: str
    template_set: str
    scenario: dict
    title: str
    title_fields: List[Tuple[str, str]]
    blocks: List[tuple]
    facts: List[dict]
    expected: Dict[str, str]
    running_header: str
    sections: List[str] = field(default_factory=list)
    layout: Dict[str, Any] = field(default_factory=dict)  # long, page_target, traditional, prior_table

    def truth(self) -> dict:
        return {
            "id": self.id,
            "language": self.language,
            "template_set": self.template_set,
            "scenario": self.scenario,
            "facts": self.facts,
            "expected": self.expected,
            "running_header": self.running_header,
            "sections": self.sections,
            "layout": self.layout,
        }


class _Sections:
    def __init__(self, w: _Writer, blocks: list):
        self.w, self.blocks, self.major, self.minor, self.titles = w, blocks, 0, 0, []

    def h1(self, key):
        self.major += 1
        self.minor = 0
        self._add(1, f"{self.major}", key)

    def h2(self, key):
        self.minor += 1
        self._add(2, f"{self.major}.{self.minor}", key)

    def _add(self, level, number, key):
        text = f"{number} {self.w.data['headings'][key]}"
        self.titles.append(text)
        self.blocks.append(("h", level, text))


# Inclusion sentences whose facts a prior-therapy table can carry instead: key -> rows of templates prior_table.rows.
PRIOR_TABLE_ROWS = {
    "lines.min": ("rr", "lines_min"),
    "bnhl.anthra_cd20": ("anti_cd20.true", "anthracycline.true"),
    "bnhl.cd20_no_anthra": ("anti_cd20.true", "anthracycline.false"),
    "bnhl.cd20_only": ("anti_cd20.true",),
    "mm.pi_imid": ("pi.true", "imid.true"),
    "mm.pi_no_imid": ("pi.true", "imid.false"),
    "mm.triple": ("pi.true", "imid.true", "anti_cd38.true"),
    "mm.cd38": ("anti_cd38.true",),
    "mm.cd38.not_required": ("anti_cd38.false",),
}


def prior_sentence_keys(s: dict) -> List[str]:
    """The inclusion sentences that state prior-therapy requirements (line count and drug classes)."""
    group, keys = GROUP[s["indication"]], []
    if s["lines_mode"]:
        keys.append("lines.min" if s["lines_mode"] == "min" else f"lines.{s['lines_mode']}")
    if group == "B-NHL" and s["prior_mode"]:
        keys.append(f"bnhl.{s['prior_mode']}")
    if group == "MM":
        if s["cd38_mode"] == "triple":
            keys.append("mm.triple")
        elif s["prior_mode"]:
            keys.append(f"mm.{s['prior_mode']}")
        if s["cd38_mode"] == "separate":
            keys.append("mm.cd38")
        elif s["cd38_mode"] == "not_required":
            keys.append("mm.cd38.not_required")
    return keys


def can_tabulate_prior(s: dict) -> bool:
    """Whether at least two table rows can carry prior-therapy requirements (the other sentences stay)."""
    return sum(len(PRIOR_TABLE_ROWS.get(k, ())) for k in prior_sentence_keys(s)) >= 2


def _compose(s: dict, w: _Writer, prior_table: bool = False) -> Tuple[str, list, list]:
    """Title, blocks and numbered headings of one protocol. ``prior_table`` lays the prior-therapy requirements
    out as a table after the inclusion criteria (only when ``can_tabulate_prior``; requirements no row can carry stay
    sentences)."""
    rng, data, lang = w.rng, w.data, w.lang
    table_rows: List[List[str]] = []

    def prior(key: str, ctx: Optional[dict] = None) -> Optional[str]:
        """An inclusion sentence, or its facts as rows of the prior-therapy table."""
        if not prior_table or key not in PRIOR_TABLE_ROWS:
            return w.say(key, ctx)
        for row in PRIOR_TABLE_ROWS[key]:
            table_rows.append(w.say(row, ctx, pool="prior_table.rows").split(" | "))
        return None
    group = GROUP[s["indication"]]
    tgt_key = "+".join(s["cart_target"])
    w.ctx = {
        "product": s["product"],
        "disease": w.frag("disease", s["indication"], [("indication", s["indication"])]),
        "target_desc": w.frag("target_desc", tgt_key, [("cart_target", t) for t in s["cart_target"]]),
        "phase": w.frag("phase", s["trial_phase"], [("trial_phase", s["trial_phase"])]),
        "criteria": w.frag("criteria", s["criteria_key"], [("response_criteria", CRITERIA_FACT[s["criteria_key"]])]),
        "n_total": s["n_total"],
        "events": s["events"],
    }
    w.ctx["efficacy_items"] = Frag(w._choose(data["filler"]["efficacy_items"][group], "efficacy_items")["text"])
    blocks: list = []
    sec = _Sections(w, blocks)
    para = lambda text: blocks.append(("p", text))

    def stated(slot) -> List[str]:
        """The statement sentences of one slot, in catalogue order."""
        out = []
        for kind in STATEMENT_KINDS:
            value = s["stmt"][kind]
            if STATEMENT_SLOTS[kind] != slot or value is None:
                continue
            if kind == "prior_cart_required" and slot == "inclusion" and value is False:
                continue
            values = [value] if kind == "efs_event" or not isinstance(value, list) else value
            for v in values:
                out.append(w.say(f"stmt.{kind}.{str(v).lower() if isinstance(v, bool) else v}"))
        return out

    def paras(slot) -> None:
        for text in stated(slot):
            para(text)

    title = w.say("title")
    if lang == "en":
        title = re.sub(r"\bphase\b", "Phase", title)

    # 1-3 background, objectives, product
    sec.h1("background")
    for t in w.filler("background"):
        para(t)
    paras("background")
    sec.h1("objectives")
    for t in w.filler("objectives"):
        para(t)
    paras("objectives")
    sec.h1("product")
    para(w.say("product_intro"))
    for t in w.filler("product"):
        para(t)

    # 4 endpoints
    sec.h1("endpoints")
    for t in w.filler("endpoints"):
        para(t)
    sec.h2("endpoints.primary")
    ep = s["primary_endpoint"]
    if ep:
        ctx = {"endpoint": w.frag("endpoint", ep, [("primary_endpoint", ep)]), "tp": s["primary_endpoint_timepoint_months"]}
        para(w.say("endpoint.primary.tp" if ctx["tp"] else "endpoint.primary", ctx))
    else:
        para(w.say("endpoint.primary.safety"))
    paras("endpoints.primary")
    irc_key = {True: "irc.true", False: "irc.false", None: None}[s["irc_assessment"]]
    if irc_key and s["irc_place"] == "endpoints":
        para(w.say(irc_key))
    sec.h2("endpoints.secondary")
    names = [w.frag("secondary", k).text for k in s["secondary_keys"]]
    listed = Frag(w.join(names), tuple(("secondary_endpoint", SECONDARY_FACT[k]) for k in s["secondary_keys"]
                                      if k in SECONDARY_FACT))
    para(w.say("endpoint.secondary", {"list": listed}))
    paras("endpoints.secondary")

    # 5 population
    sec.h1("population")
    para(w.say("population.intro"))
    sec.h2("inclusion")
    generic = w.filler("inclusion", drop_one=False)
    inc = [generic[0]]
    if s["age_max_years"] is not None:
        inc.append(w.say("age.range", {"a": s["age_min_years"], "b": s["age_max_years"]}))
    else:
        inc.append(w.say("age.min", {"a": s["age_min_years"]}))
    inc.append(w.say("indication.incl"))
    exc_extra = []
    if group == "B-ALL":
        mode = s["ph_mode"]
        intol = (w.frag("tki_intol", None, [("tki_intolerance_alternative", True)])
                 if s["tki_intolerance_alternative"] else "")
        if mode == "tki":
            n = s["prior_tki_min"]
            inc.append(w.say("ph.tki", {"n": n, "s": "" if n == 1 else "s", "tki_intol": intol}))
        elif mode == "tki_drugs2":
            inc.append(w.say("ph.tki_drugs2", {"tki_intol": intol}))
        elif mode == "eligible":
            inc.append(w.say("ph.eligible"))
        elif mode == "negative_incl":
            inc.append(w.say("ph.negative.incl"))
        elif mode == "positive_excl":
            exc_extra.append(w.say("ph.positive.excl"))
        if s["t315i_exception"]:
            inc.append(w.say("ph.t315i.no_tki" if s["stmt"]["t315i_no_effective_tki"] else "ph.t315i"))
    if prior_table:
        inc.append(w.say("intro", pool="prior_table"))
    for key in prior_sentence_keys(s):
        text = prior(key, {"n": s["prior_lines_min"]} if key == "lines.min" else None)
        if text is not None:
            inc.append(text)
    if group == "MM" and s["cd38_mode"] == "excl":
        exc_extra.append(w.say("mm.cd38.excl"))
    inc += stated("inclusion")
    inc += w.filler(f"inclusion.{group}", drop_one=False)
    inc += generic[1:]
    blocks.append(("items", inc))
    if table_rows:
        blocks.append(("grid", w.say("caption", pool="prior_table"),
                       w.say("columns", pool="prior_table").split(" | "), table_rows))
    sec.h2("exclusion")
    exc = w.filler("exclusion", drop_one=False)
    if s["stmt"]["prior_cart_required"] is False:
        exc_extra.append(w.say("stmt.prior_cart_required.false"))
    for item in exc_extra:
        exc.insert(rng.randrange(0, len(exc)), item)
    blocks.append(("items", exc))

    # 6 design
    sec.h1("design")
    sec.h2("design.overall")
    para(w.say(f"design.{s['design_key']}"))
    if s["confirmatory"] is not None:
        para(w.say("confirmatory.true" if s["confirmatory"] else "confirmatory.false"))
    paras("design")
    for t in w.filler("design"):
        para(t)
    sec.h2("design.apheresis")
    for t in w.filler("apheresis"):
        para(t)
    if s["bridging_allowed"]:
        sec.h2("design.bridging")
        if s["bridging_allowed"] == "not_permitted":
            para(w.say("bridge.not_permitted"))
            para(w.say("bridge.none_filler"))
        else:
            para(w.say("bridge.permitted"))
            para(w.say("bridge.regimen" if s["stmt"]["bridging_regimens_specified"] else "bridge.regimen.discretion"))
            paras("bridging")
            if s["washout_days"] is not None:
                para(w.say("bridge.washout", {"d": s["washout_days"]}))
            st = s["bridging_same_target_excluded"]
            if st is not None:
                agents, targets = [], []
                for t in s["cart_target"]:
                    targets.append(t)
                    agents.append(w.frag("agents", t).text)
                ctx = {"agents": w.join(agents), "targets": w.join(targets, data["meta"]["or_sep"])}
                para(w.say("bridge.same_target.excluded" if st else "bridge.same_target.allowed", ctx))
    sec.h2("design.infusion")
    for t in w.filler("infusion"):
        para(t)

    # 7 procedures
    sec.h1("procedures")
    sec.h2("procedures.schedule")
    for t in w.filler("schedule"):
        para(t)
    paras("schedule")
    blocks.append(("caption", data["meta"]["table_caption"]))
    blocks.append(("table",))
    sec.h2("procedures.efficacy")
    for t in w.filler("efficacy"):
        para(t)
    if irc_key and s["irc_place"] == "efficacy":
        para(w.say(irc_key))
    paras("efficacy")
    if s["stmt"]["survival_followup"] is not None:
        sec.h2("procedures.followup")
        paras("followup")

    # 8 safety
    sec.h1("safety")
    sec.h2("safety.ae")
    for t in w.filler("ae"):
        para(t)
    paras("ae")
    if s["idmc"]:
        para(w.say("idmc"))
    sec.h2("safety.risks")
    para(w.say("risk.intro"))
    named = [r for r, m in s["risks"].items() if m == "named"]
    listed = [r for r in RISKS if r in named or (s["risks"].get(r) == "managed" and r != "secondary_malignancy"
                                                 and rng.random() < 0.3)]
    if listed:
        risks = Frag(w.join([w.frag("risk_name", r).text for r in listed]), tuple(("safety_risk", r) for r in listed))
        para(w.say("risk.named_list", {"risks": risks}))
    for r, m in s["risks"].items():
        if m == "managed" and r != "secondary_malignancy":
            para(w.say(f"risk.managed.{r}"))
    paras("risks")
    paras("safety")
    if s["secondary_malignancy_monitoring"]:
        sec.h2("safety.secondary")
        para(w.say("secmal.monitoring"))
        plan = s["secondary_tcell_sample_analysis_plan"]
        if plan is not None:
            para(w.say("tcell.plan.true" if plan else "tcell.plan.false"))
        paras("secondary")
        para(w.say("secmal.filler"))

    # 9 statistics
    sec.h1("statistics")
    for t in w.filler("statistics"):
        para(t)
    sec.h2("statistics.sample")
    mode = s["stat_mode"]
    if mode in ("target", "both"):
        abbr = w.frag("endpoint_abbr", ep)
        para(w.say("stat.target", {"abbr": abbr, "p0": s["p0"], "p1": s["p1"]}))
    if mode in ("external", "both"):
        para(w.say("stat.external", {"ext_source": w.frag("ext_source", group)}))
    if mode == "none_explicit":
        para(w.say("stat.none_explicit"))
    if mode in ("descriptive", "rct", "rct_ni", "dose_esc"):
        para(w.say(f"stat.{mode}"))
        if mode != "descriptive":
            para(w.say(f"stat.{mode}"))
    paras("statistics")
    sec.h2("statistics.sets")
    for t in w.filler("sets"):
        para(t)

    # 10 ethics
    sec.h1("ethics")
    for t in w.filler("ethics"):
        para(t)
    return title, blocks, sec.titles


def build_protocol(i: int, seed: int = 0, languages: Sequence[str] = LANGUAGES, template_set: str = "dev",
                   long: bool = False, traditional: Optional[bool] = None) -> Protocol:
    """Protocol number ``i`` of a batch: scenario, text blocks and truth (no PDF yet).

    ``long`` adds the fact-free bulk of a real protocol (``longform``: contents, abbreviations, more chapters,
    references, appendices, footnotes; 20-80 pages) and, for half of the protocols that can have one, lays the
    prior-therapy requirements out as a table. ``traditional`` prints a Chinese protocol in traditional
    characters; None does so for the long ones ``longform.traditional_default`` picks. The short protocol's text
    is the long one's without the additions (the additions draw from their own random stream)."""
    from . import longform

    languages = tuple(languages)
    lang = languages[i % len(languages)]
    archetype = ARCHETYPES[(i // len(languages)) % len(ARCHETYPES)]
    scenario = make_scenario(archetype, random.Random(f"guidelint-corpus:{seed}:{i}"))
    w = _Writer(lang, random.Random(f"guidelint-corpus:{seed}:{i}:{template_set}"), template_set)
    lrng = random.Random(f"guidelint-corpus:{seed}:{i}:{template_set}:long")
    prior_table = long and can_tabulate_prior(scenario) and lrng.random() < 0.6
    title, blocks, sections = _compose(scenario, w, prior_table=prior_table)
    layout: Dict[str, Any] = {"long": long}
    if long:
        blocks, sections, target = longform.lengthen(blocks, sections, lang, template_set, lrng, w.data["schedule"])
        layout.update(page_target=target, prior_table=prior_table)
    if traditional is None:
        traditional = long and longform.traditional_default(i, lang)
    layout["traditional"] = bool(traditional and lang == "zh")
    facts = _dedup(w.facts)
    implied = scenario_facts(scenario)
    if facts != implied:
        missing = [f for f in implied if f not in facts]
        extra = [f for f in facts if f not in implied]
        raise AssertionError(f"protocol {i} ({archetype}, {lang}): text states {extra} beyond, and misses {missing}")
    meta = w.data["meta"]
    y, m, d = scenario["date"]
    months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December"]
    date = meta["date_format"].format(y=y, m=m, d=d, month=months[m - 1])
    header = meta["running_header"].format(protocol_no=scenario["protocol_no"], version=scenario["version"])
    fields = [
        (meta["title_fields"]["protocol_no"], scenario["protocol_no"]),
        (meta["title_fields"]["version"], scenario["version"]),
        (meta["title_fields"]["date"], date),
        (meta["title_fields"]["sponsor"], meta["sponsors"][scenario["sponsor"]]),
    ]
    scen = dict(scenario, derived=derived(facts))
    if layout["traditional"]:
        title, fields, header = longform.traditional((title, fields, header))
        blocks, sections = longform.traditional(blocks), longform.traditional(sections)
    return Protocol(
        id=f"{template_set}-s{seed}-{i:02d}-{lang}" + ("-long" if long else ""),
        language=lang,
        template_set=template_set,
        scenario=scen,
        title=title,
        title_fields=fields,
        blocks=blocks,
        facts=facts,
        expected=expected_statuses(facts),
        running_header=header,
        sections=sections,
        layout=layout,
    )


def plan(n: int = 12, seed: int = 0, languages: Sequence[str] = LANGUAGES, template_set: str = "dev",
         long: bool = False) -> List[Protocol]:
    """The batch ``generate`` would write, without rendering PDFs."""
    return [build_protocol(i, seed, languages, template_set, long=long) for i in range(n)]


# ------------------------------------------------------------------------------------------------ PDF

_FONTS_READY = False
CJK_FONT = "STSong-Light"


def _register_fonts():
    global _FONTS_READY
    if not _FONTS_READY:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
        _FONTS_READY = True


def _markup(text: str, lang: str) -> str:
    """Escape for platypus; in English, set characters Helvetica cannot encode (≥, ≤, α, γ) in the CID font."""
    out = []
    for ch in text:
        if lang == "en":
            try:
                ch.encode("cp1252")
            except UnicodeEncodeError:
                out.append(f'<font name="{CJK_FONT}">{escape(ch)}</font>')
                continue
        out.append(escape(ch))
    return "".join(out)


def two_column_default(i: int) -> bool:
    """Whether protocol ``i`` of a batch has two-column body pages when ``generate`` is not told: a quarter of
    the batch, chosen by index only (never by scenario), and with two languages both get some (3 en, 6 zh, ...)."""
    return i % 8 in (3, 6)


COLUMN_GAP = 18  # points between the two body columns


def render_pdf(p: Protocol, path, two_column: bool = False) -> Path:
    """Write the protocol PDF. ``two_column`` sets the body pages in two columns (two frames per page); the title
    page stays single-column and the schedule-of-assessments table gets full-width pages of its own. Only the
    layout changes: the same blocks in the same order, so the same text and truth.

    A long protocol (``p.layout["long"]``) is set like a word-processed protocol (11 pt, wider leading), has a
    contents page with dot leaders and page numbers (built in two passes), and prints footnotes at the bottom of
    the page their marker lands on, above the footer."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen import canvas as rl_canvas
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, NextPageTemplate, PageBreak, PageTemplate,
                                    Paragraph, Spacer, Table, TableStyle)
    from reportlab.platypus.tableofcontents import TableOfContents

    from . import longform

    _register_fonts()
    zh = p.language == "zh"
    long = bool(p.layout.get("long"))
    conv = longform.traditional if p.layout.get("traditional") else (lambda x: x)

    def mk(text: str) -> str:
        return _markup(conv(text), p.language)

    body_font = CJK_FONT if zh else "Helvetica"
    bold_font = CJK_FONT if zh else "Helvetica-Bold"
    data = load_templates(p.language)
    meta = data["meta"]
    margin_x, margin_top, margin_bottom = 64, 78, (112 if long else 64)
    width, height = A4

    base = dict(fontName=body_font, wordWrap="CJK" if zh else None)
    size, leading = (11, 19) if long else ((10.5, 17) if zh else (10, 14.5))
    body = ParagraphStyle("body", fontSize=size, leading=leading, spaceAfter=6 if long else 5,
                          firstLineIndent=21 if zh else 0, **base)
    item = ParagraphStyle("item", parent=body, firstLineIndent=0, leftIndent=22, bulletIndent=2,
                          bulletFontName=body_font, spaceAfter=3)
    caption = ParagraphStyle("caption", parent=body, firstLineIndent=0, alignment=TA_CENTER, fontName=bold_font,
                             spaceBefore=4)
    title_style = ParagraphStyle("title", fontName=bold_font, fontSize=18, leading=28, alignment=TA_CENTER,
                                 wordWrap="CJK" if zh else None)
    label_style = ParagraphStyle("label", parent=title_style, fontSize=22, leading=30)
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=13, firstLineIndent=0)
    cell = ParagraphStyle("cell", parent=body, fontSize=8, leading=10, firstLineIndent=0, spaceAfter=0)
    ref_style = ParagraphStyle("ref", parent=body, fontSize=9.5, leading=14, firstLineIndent=0, leftIndent=24,
                               bulletIndent=0, bulletFontName=body_font, spaceAfter=3)

    class Heading(Flowable):
        """A heading: bold and larger (the CID font has no bold face, so it is stroked); listed in the contents
        unless ``toc`` is False."""

        def __init__(self, text, level, toc=True):
            super().__init__()
            self.text, self.level, self.toc = text, level, toc
            self.size = 14 if level == 1 else 12
            self.spaceBefore, self.spaceAfter = (12 if level == 1 else 8), 6
            self.keepWithNext = True

        def wrap(self, aw, ah):
            self.width = aw
            wide = stringWidth(self.text, bold_font, self.size)
            if wide > aw:  # a narrow column: set the heading smaller rather than across the gutter
                self.size = self.size * aw / wide * 0.98
            return aw, self.size * 1.3

        def draw(self):
            c = self.canv
            t = c.beginText(0, self.size * 0.3)
            t.setFont(bold_font, self.size)
            if zh:
                c.setLineWidth(0.45)
                t.setTextRenderMode(2)
            t.textOut(self.text)
            c.drawText(t)

    class FootnoteMark(Flowable):
        """Zero-size: hands its note to the page it is drawn on (the canvas prints it in the bottom margin)."""

        def __init__(self, note):
            super().__init__()
            self.note = note

        def wrap(self, aw, ah):
            return 0, 0

        def draw(self):
            self.canv.page_notes.append(self.note)

    def grid(columns, rows, col_widths=None):
        cells = [[Paragraph(mk(c), cell) for c in columns]] + [[Paragraph(mk(str(c)), cell) for c in r] for r in rows]
        tbl = Table(cells, colWidths=col_widths, repeatRows=1)
        tbl.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E6E6E6")),
        ]))
        return tbl

    story: list = [Spacer(1, 60), Paragraph(mk(meta["title_label"]), label_style), Spacer(1, 30),
                   Paragraph(mk(p.title), title_style), Spacer(1, 50)]
    info = Table([[Paragraph(mk(k), body), Paragraph(mk(v), body)] for k, v in p.title_fields],
                 colWidths=[120, 260])
    info.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story += [info, Spacer(1, 80), Paragraph(mk(meta["confidential"]), small)]
    if two_column:
        story.append(NextPageTemplate("two"))
    story.append(PageBreak())
    story.append(Heading(conv(meta["signature_heading"]), 1, toc=False))
    for t in meta["signature_text"]:
        story.append(Paragraph(mk(t), body))
    story.append(Spacer(1, 30))
    for t in meta["signature_lines"]:
        story += [Paragraph(mk(t), body), Spacer(1, 24)]
    story.append(PageBreak())

    sched = data["schedule"]
    avail = width - 2 * margin_x
    note_no = 0
    toc = None
    for block in p.blocks:
        kind = block[0]
        if kind == "h":
            story.append(Heading(block[2], block[1]))
        elif kind == "label":
            story.append(Heading(block[1], 1))
        elif kind == "toc":
            toc = TableOfContents(dotsMinLevel=0)
            toc.levelStyles = [ParagraphStyle("toc1", fontName=body_font, fontSize=10.5, leading=16, leftIndent=0,
                                              firstLineIndent=0, wordWrap="CJK" if zh else None),
                               ParagraphStyle("toc2", fontName=body_font, fontSize=10, leading=15, leftIndent=18,
                                              firstLineIndent=0, wordWrap="CJK" if zh else None)]
            story += [Heading(conv(longform._LABELS[p.language]["toc"]), 1, toc=False), toc, PageBreak()]
        elif kind == "p":
            if len(block) > 2 and block[2]:
                note_no += 1
                story.append(Paragraph(mk(block[1]) + f"<super>{note_no}</super>", body))
                story.append(FootnoteMark(f"{note_no} {conv(block[2])}"))
            else:
                story.append(Paragraph(mk(block[1]), body))
        elif kind == "items":
            for n, text in enumerate(block[1], 1):
                story.append(Paragraph(mk(text), item, bulletText=f"{n}."))
        elif kind == "refs":
            for n, text in enumerate(block[1], 1):
                story.append(Paragraph(mk(text), ref_style, bulletText=f"[{n}]"))
        elif kind == "grid":
            if two_column:  # like the schedule: a ruled table gets a full-width page
                story += [NextPageTemplate("one"), PageBreak()]
            if block[1]:
                story.append(Paragraph(mk(block[1]), caption))
            first = avail * (0.42 if len(block[2]) == 2 else 0.2)
            rest = (avail - first) / (len(block[2]) - 1)
            story += [grid(block[2], block[3], [first] + [rest] * (len(block[2]) - 1)), Spacer(1, 8)]
            if two_column:
                story += [NextPageTemplate("two"), PageBreak()]
        elif kind == "caption":
            if two_column:  # the caption goes with its table onto a full-width page
                story += [NextPageTemplate("one"), PageBreak()]
            story.append(Paragraph(mk(block[1]), caption))
        elif kind == "table":
            rows = [[Paragraph(mk(c), cell) for c in sched["columns"]]]
            for row in sched["rows"]:
                rows.append([Paragraph(mk(row[0]), cell)] + [sched["mark"] if x else "" for x in row[1:]])
            first = 104
            t = Table(rows, colWidths=[first] + [(avail - first) / (len(sched["columns"]) - 1)] * (len(sched["columns"]) - 1),
                      repeatRows=1)
            t.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("FONTNAME", (0, 0), (-1, -1), body_font),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("ALIGN", (1, 1), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E6E6E6")),
            ]))
            story += [t, Spacer(1, 8)]
            if two_column:
                story += [NextPageTemplate("two"), PageBreak()]

    header, footer_fmt = conv(p.running_header), conv(meta["footer"])

    class NumberedCanvas(rl_canvas.Canvas):
        """Draws the running header, the footnotes and the 'page X of Y' footer once the page count is known."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._page_states = []
            self.page_notes = []

        def showPage(self):
            self._page_states.append(dict(self.__dict__))
            self._startPage()
            self.page_notes = []

        def save(self):
            total = len(self._page_states)
            for number, state in enumerate(self._page_states, 1):
                self.__dict__.update(state)
                self.saveState()
                self.setFont(body_font, 9)
                self.drawString(margin_x, height - 44, header)
                self.setLineWidth(0.6)
                self.line(margin_x, height - 50, width - margin_x, height - 50)
                self.drawCentredString(width / 2, 34, footer_fmt.format(page=number, pages=total))
                notes = state.get("page_notes") or []
                if notes:
                    lines = [ln for note in notes for ln in simpleSplit(note, body_font, 8, avail)]
                    y = 50 + 10 * len(lines)
                    self.setLineWidth(0.5)
                    self.line(margin_x, y + 8, margin_x + 120, y + 8)
                    self.setFont(body_font, 8)
                    for ln in lines:
                        self.drawString(margin_x, y - 2, ln)
                        y -= 10
                self.restoreState()
                rl_canvas.Canvas.showPage(self)
            rl_canvas.Canvas.save(self)

    class ProtocolDoc(BaseDocTemplate):
        def afterFlowable(self, flowable):
            if isinstance(flowable, Heading) and flowable.toc:
                self.notify("TOCEntry", (min(flowable.level, 2) - 1, flowable.text, self.page))

    out = Path(path)
    doc = ProtocolDoc(str(out), pagesize=A4, leftMargin=margin_x, rightMargin=margin_x, topMargin=margin_top,
                      bottomMargin=margin_bottom, title=conv(p.title),
                      author=conv(meta["sponsors"][p.scenario["sponsor"]]), subject=header,
                      creator="guidelint.corpus.generate", invariant=1)
    col = (doc.width - COLUMN_GAP) / 2
    full = PageTemplate("one", [Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="full")])
    templates = [full]
    if two_column:
        templates.append(PageTemplate("two", [
            Frame(doc.leftMargin, doc.bottomMargin, col, doc.height, id="left"),
            Frame(doc.leftMargin + col + COLUMN_GAP, doc.bottomMargin, col, doc.height, id="right")]))
    doc.addPageTemplates(templates)
    if toc is not None:
        doc.multiBuild(story, canvasmaker=NumberedCanvas)
    else:
        doc.build(story, canvasmaker=NumberedCanvas)
    return out


def generate(out_dir, n: int = 12, seed: int = 0, languages: Sequence[str] = LANGUAGES,
             template_set: str = "dev", two_column: Optional[bool] = None, long: bool = False) -> List[Path]:
    """Write ``<id>.pdf`` and ``<id>.truth.json`` for ``n`` protocols; returns the PDF paths.

    ``two_column``: None lays out the subset ``two_column_default`` picks in two columns, True all, False none.
    ``long``: realistic 20-80 page protocols (``build_protocol``)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, p in enumerate(plan(n, seed, languages, template_set, long=long)):
        cols = two_column_default(i) if two_column is None else two_column
        pdf = render_pdf(p, out / f"{p.id}.pdf", two_column=cols)
        (out / f"{p.id}.truth.json").write_text(
            json.dumps(p.truth(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        paths.append(pdf)
    return paths


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m guidelint.corpus.generate", description=__doc__.split("\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--n", type=int, default=12)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--languages", default=",".join(LANGUAGES), help="comma-separated, e.g. zh,en")
    ap.add_argument("--template-set", default="dev")
    ap.add_argument("--columns", choices=("auto", "1", "2"), default="auto",
                    help="body page layout: auto (two columns for protocols i %% 8 in {3, 6}), 1 or 2 for all")
    ap.add_argument("--length", choices=("short", "long"), default="short",
                    help="short (8-10 pages, the facts only) or long (20-80 pages: contents, abbreviations, "
                         "appendices, footnotes, references; some Chinese ones in traditional characters)")
    args = ap.parse_args(argv)
    langs = tuple(x.strip() for x in args.languages.split(",") if x.strip())
    two_column = {"auto": None, "1": False, "2": True}[args.columns]
    for path in generate(args.out_dir, args.n, args.seed, langs, args.template_set, two_column,
                         long=args.length == "long"):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
