"""English wording families the extractor generalises to, on sentences written for these tests (not the
generator's templates): number forms, word order, synonyms, hyphenation, negation and exclusion scope."""
from __future__ import annotations

import pytest

from guidelint.extract.facts import extract_facts
from guidelint.models import ProtocolDocument, ProtocolLine

S = {
    "title": "", "inc": "5 STUDY POPULATION > 5.1 Inclusion Criteria", "exc": "5 STUDY POPULATION > 5.2 Exclusion Criteria",
    "design": "6 STUDY DESIGN > 6.1 Overall Design", "bg": "1 BACKGROUND", "product": "3 INVESTIGATIONAL PRODUCT",
    "obj": "2 OBJECTIVES", "prim": "4 ENDPOINTS > 4.1 Primary Endpoint", "sec": "4 ENDPOINTS > 4.2 Secondary Endpoints",
    "bridge": "6 STUDY DESIGN > 6.3 Bridging Therapy", "fu": "7 PROCEDURES > 7.3 Follow-up",
    "ae": "8 SAFETY > 8.1 Adverse Events", "risk": "8 SAFETY > 8.2 Important Risks and Their Management",
    "secmal": "8 SAFETY > 8.3 Secondary Malignancies", "stat": "9 STATISTICS > 9.1 Sample Size",
}


def facts_of(where: str, text: str, page: int = 3) -> set:
    line = ProtocolLine(page=page, line_no=7, text=text, bbox=(72, 100, 500, 112), section=S[where])
    doc = ProtocolDocument(path="t.pdf", sha256="0" * 64, pages=3, language="en", lines=(line,))
    return {(f.kind, f.value) for f in extract_facts(doc)}


PRESENT = [
    # age: ranges and bounds in several word orders and connectives
    ("inc", "Participants aged from 16 up to 65 years may take part.", ("age_min_years", 16.0)),
    ("inc", "Participants aged from 16 up to 65 years may take part.", ("age_max_years", 65.0)),
    ("inc", "12 years ≤ age ≤ 30 years on the day of consent.", ("age_max_years", 30.0)),
    ("inc", "Men or women between 20 and 60 years old (inclusive).", ("age_min_years", 20.0)),
    ("inc", "No younger than 21 years and no older than 70 years when screened.", ("age_max_years", 70.0)),
    ("inc", "Patients who are 40 years old or above.", ("age_min_years", 40.0)),
    # product description: specificity words instead of "targeted/directed"
    ("product", "ABC-101 is a tandem BCMA/GPRC5D CAR-T cell product.", ("cart_target", "GPRC5D")),
    ("product", "XYZ-9 carries a CD20-specific chimeric antigen receptor on autologous CAR-T cells.", ("cart_target", "CD20")),
    # phase written with hyphen or repeated word
    ("title", "A Phase-1/Phase-2 Study of ABC-101 in Lymphoma", ("trial_phase", "1/2")),
    # design synonyms
    ("design", "This trial enrols all patients into one experimental arm at several hospitals.", ("design", "single_arm")),
    ("design", "Patients will not be randomly allocated; every patient receives ABC-101.", ("randomized", False)),
    ("design", "Doses will be escalated in successive cohorts before an expansion part opens.", ("design", "dose_escalation_expansion")),
    ("design", "Pivotal: no (early-phase study).", ("confirmatory", False)),
    # endpoints written as "rate of ..." and with the abbreviation in parentheses
    ("sec", "Secondary outcome measures are the rate of measurable residual disease negativity and OS.", ("secondary_endpoint", "MRD")),
    ("sec", "Secondary endpoints include the proportion of subjects achieving a complete remission.", ("secondary_endpoint", "CRR")),
    ("prim", "The primary study outcome is the rate of CR or CR with incomplete count recovery at Week 12.", ("primary_endpoint", "CR_CRi_rate")),
    ("prim", "The primary study outcome is the rate of CR or CR with incomplete count recovery at Week 12.", ("primary_endpoint_timepoint_months", 3.0)),
    # risks: synonyms and hyphenated spellings
    ("risk", "Patients may develop neurological toxicities and marrow suppression after dosing.", ("safety_risk", "prolonged_cytopenia")),
    ("risk", "Tumor-lysis syndrome will be prevented with hydration and rasburicase.", ("safety_risk_managed", "TLS")),
    ("secmal", "Surveillance for second primary cancers will continue during long-term follow-up.", ("secondary_malignancy_monitoring", True)),
    ("secmal", "Should a T-cell lymphoma arise, banked PBMCs will undergo sequencing to test a link to the product.", ("secondary_tcell_sample_analysis_plan", True)),
    ("secmal", "After any T-cell neoplasm, closer surveillance of every treated subject will follow.", ("secondary_tcell_escalation_plan", True)),
    # population wording
    ("inc", "Has had three or more previous anti-myeloma regimens.", ("prior_lines_min", 3)),
    ("inc", "Between two and four earlier lines of therapy.", ("prior_lines_min", 2)),
    ("inc", "Relapse that occurred after allogeneic stem cell transplant.", ("ball_rr_category", "post_hsct_relapse")),
    ("inc", "Did not attain remission despite two courses of induction chemotherapy.", ("ball_rr_category", "primary_refractory")),
    ("inc", "Lenalidomide-naive patients can be enrolled.", ("requires_imid", False)),
    ("inc", "Prior anthracycline exposure is not mandatory.", ("requires_anthracycline", False)),
    # design/statistics
    ("design", "Patients are randomised 1:1, and randomisation precedes the start of any salvage chemotherapy.", ("randomization_timing", "before_salvage")),
    ("design", "No drug to which the patient's lymphoma was resistant may be given in the comparator arm.", ("control_not_refractory_rule", True)),
    ("stat", "Success is declared if the lower two-sided 95% confidence bound exceeds 30%.", ("ci_lower_bound_criterion", True)),
    # negation scope through an appositive list and past a parenthesised example list
    ("bridge", "No anticancer treatment, including bridging therapy, may be given before the infusion.", ("bridging_allowed", "not_permitted")),
    ("bridge", "Antibodies sharing the target of ABC-101 (CD19), for example blinatumomab, are excluded from bridging.", ("bridging_same_target_excluded", True)),
    # sentence-final predicates and clause scope
    ("fu", "Survival follow-up after the final protocol visit at the end of Month 6 is not planned.", ("survival_followup", False)),
    ("ae", "Events before leukapheresis will not be recorded; AE collection begins at leukapheresis.", ("ae_collection_start", "apheresis")),
    ("prim", "IRC review: not applicable, investigators judge response.", ("irc_assessment", False)),
    # English number words up to ninety-nine, hyphenated or spaced
    ("inc", "Participants must be nineteen years of age or older.", ("age_min_years", 19.0)),
    ("inc", "Aged between twenty-one and seventy four years.", ("age_max_years", 74.0)),
    # an inserted alternative between "did not respond to" and the salvage line
    ("inc", "Had no response to, or progressed soon after, two or more courses of salvage therapy.", ("ball_rr_category", "salvage_failure")),
    ("inc", "Did not respond to, or relapsed after, at least two salvage regimens.", ("ball_rr_category", "salvage_failure")),
    # clause after a colon with a new subject leaves the earlier negation behind
    ("design", "Randomisation is not tied to salvage outcome: it happens before salvage starts.", ("randomization_timing", "before_salvage")),
    ("inc", "Eligibility for autologous transplantation is mandatory.", ("transplant_eligibility", "eligible_required")),
    ("inc", "ASCT eligibility, as judged by the investigator, is required.", ("transplant_eligibility", "eligible_required")),
    ("stat", "Time-to-event outcomes will be compared by MRD status at Week 12.", ("mrd_survival_link_planned", True)),
    ("bridge", "Bridging options are not limited by antigen and can include tafasitamab.", ("bridging_same_target_excluded", False)),
    ("bridge", "Bridging agents may be chosen regardless of target.", ("bridging_same_target_excluded", False)),
    # evidence from heavily treated patients cited for the earlier line
    ("bg", "ABC-101 achieved durable remissions in subjects who had received multiple previous therapies, so it is now studied in an earlier treatment setting.",
     ("earlier_line_prior_evidence_cited", True)),
    ("bg", "Published experience in adults (Smith et al.) shows acceptable tolerability of ABC-101.", ("prior_adult_data_cited", True)),
    ("inc", "Refractoriness means the absence of at least a partial response to the last regimen.", ("rr_definition_present", True)),
    ("inc", "Ph+ subjects must have failed at least one TKI or cannot tolerate TKI therapy.", ("tki_intolerance_alternative", True)),
    ("inc", "Ph+ patients must have failed imatinib and one second-generation TKI (dasatinib, nilotinib or bosutinib).", ("prior_tki_min", 2)),
    ("prim", "For EFS, events are counted from the first planned response assessment onwards.", ("efs_event_window_defined", True)),
    ("design", "This study is the first use of ABC-101 in humans.", ("first_in_human", True)),
    ("design", "Patients in the control arm may receive ABC-101 upon confirmed progression.", ("crossover_allowed", True)),
    ("design", "Control-arm subjects will not be allowed to receive ABC-101 on disease progression.", ("crossover_allowed", False)),
    ("stat", "The null response rate was derived from outcomes of therapies given to patients who relapsed after CAR-T.", ("target_value_basis", "post_cart_therapy")),
]


@pytest.mark.parametrize("where,text,fact", PRESENT)
def test_english_wording(where, text, fact):
    page = 1 if where == "title" else 3
    assert fact in facts_of(where, text, page)


ABSENT = [
    # a range of lines is not an age; an interval is not an age bound
    ("inc", "Relapse within 12 months of completing 2 to 4 cycles of therapy.", "age_min_years"),
    # "efficacy will be evaluated by PFS" names an endpoint, not an objective
    ("obj", "Efficacy will be primarily evaluated by progression-free survival.", "objective"),
    # a single-infusion mention inside an objective is not an endpoint rationale
    ("obj", "Primary objective: tolerability of a single infusion of ABC-101.", "primary_endpoint_rationale"),
    # a rationale for CAR-T placement is not a prior-CAR-T requirement
    ("inc", "Rationale: CAR-T therapy should be reserved for patients who have received prior standard therapy.", "prior_cart_required"),
    # "the phase is" is not a phase number
    ("title", "The screening phase is described in Section 7.", "trial_phase"),
    # early relapse after a line of therapy is not the B-ALL early-first-relapse category (no first remission named)
    ("inc", "Refractoriness to, or early relapse after, one earlier regimen.", "ball_rr_category"),
    # salvage lines are a refractoriness category, not a prior-line minimum
    ("inc", "Did not respond to, or relapsed following, two or more lines of salvage chemotherapy.", "prior_lines_min"),
    # a benchmark's origin is not a hypothesis statement
    ("stat", "The null hypothesis rate is derived from outcomes after CAR-T failure.", "statistical_hypothesis"),
]


@pytest.mark.parametrize("where,text,kind", ABSENT)
def test_english_wording_states_nothing(where, text, kind):
    page = 1 if where == "title" else 3
    assert not [f for f in facts_of(where, text, page) if f[0] == kind]


NEGATIVE = [
    # negated or excluded forms flip or suppress the value
    ("inc", "Prior anthracycline exposure is not mandatory.", ("requires_anthracycline", True)),
    ("fu", "Survival follow-up after the final protocol visit at the end of Month 6 is not planned.", ("survival_followup", True)),
    ("bridge", "Bridging agents are not restricted by target and may include blinatumomab.", ("bridging_same_target_excluded", True)),
    ("design", "Patients will not be randomly allocated; every patient receives ABC-101.", ("randomized", True)),
    # elliptical negation: "X is required, but Y is not."
    ("inc", "Previous anti-CD20 antibody is required, but previous anthracycline therapy is not.", ("requires_anthracycline", True)),
    ("inc", "Previous anti-CD20 antibody is required, but previous anthracycline therapy is not.", ("requires_anti_cd20", False)),
    ("inc", "Ph+ subjects must have relapsed after no fewer than one TKI.", ("tki_intolerance_alternative", True)),
]


@pytest.mark.parametrize("where,text,fact", NEGATIVE)
def test_english_negation(where, text, fact):
    assert fact not in facts_of(where, text)


@pytest.mark.parametrize("text, value", [
    ("The time origin for PFS is the randomisation date.", "randomization"),
    ("The time origin for progression-free survival is the day of CAR-T infusion.", "infusion"),
])
def test_pfs_origin_named_after_the_endpoint(text, value):
    from guidelint.extract.facts import analyse
    from guidelint.extract.pdf import section_kind
    from guidelint.extract.statements import statement_facts

    line = ProtocolLine(page=4, line_no=2, text=text, bbox=(0, 0, 1, 1), section="4 ENDPOINTS > 4.2 Secondary Endpoints")
    facts = {(f.kind, f.value) for f in statement_facts(analyse([line], section_kind))}
    assert ("pfs_start", value) in facts
