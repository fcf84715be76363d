"""Statement facts as data: the statements files parse, name only lexicon labels, and cover both languages."""
from __future__ import annotations

import pytest

from guidelint.extract.catalogue import fact_kinds
from guidelint.extract.nlp import lexicon
from guidelint.extract.statements import StatementError, _parse, statements

LANGS = ("zh", "en")


@pytest.mark.parametrize("entry,message", [
    ({"kind": "no_such_fact", "anchor": ["ICU"]}, "unknown base fact kind"),
    ({"kind": "population", "anchor": ["ICU"]}, "unknown base fact kind"),  # derived kinds come from the engine
    ({"kind": "icu_access", "anchor": []}, "anchor must be"),
    ({"kind": "mrd_method", "anchor": {"MRD_NGS": "NGS-ish"}}, "does not fit"),
    ({"kind": "icu_access", "anchor": {"ICU": "yes"}}, "does not fit"),
])
def test_bad_statement_entries_are_refused_with_the_reason(entry, message):
    with pytest.raises(StatementError, match=message):
        _parse(entry, "test")


def test_exclusion_inverting_entries_count_in_exclusion_criteria():
    st = _parse({"kind": "prior_cart_required", "anchor": ["PRIOR_CART"], "exclusion_inverts": True}, "test")
    assert "exclusion" not in st.skip_sections and st.exclusion_inverts
    plain = _parse({"kind": "icu_access", "anchor": ["ICU"]}, "test")
    assert "exclusion" in plain.skip_sections


@pytest.mark.parametrize("lang", LANGS)
def test_statement_labels_exist_in_the_lexicon_of_their_language(lang):
    labels = {entry["label"] for entry in lexicon(lang)}
    for st in statements(lang):
        used = set(st.anchor) | set().union(*st.with_) if st.with_ else set(st.anchor)
        missing = used - labels
        assert not missing, f"{lang}/statements.yaml {st.kind}: labels {sorted(missing)} are not in lexicon.jsonl"


def test_both_languages_state_the_same_fact_kinds_and_values():
    # bool kinds may anchor on the opposite wording (zh 耐药 negated = not refractory), so compare kinds only
    def stated(lang):
        return {(st.kind, None if isinstance(v, bool) else v) for st in statements(lang) for v in st.anchor.values()}

    assert stated("zh") == stated("en")


def test_every_statement_kind_is_a_catalogue_base_kind():
    kinds = fact_kinds()
    for lang in LANGS:
        for st in statements(lang):
            assert kinds[st.kind]["origin"] == "base"
